"""Import chat exports into a bundle: the persona's own words plus the minimum context (C7).

One export file is one SQLite transaction: the records, the reply pairs derived from them, the
journal entry (keyed by the file's sha256) and the re-signed consent record that now lists the
file all commit together, or none of it does. Killing the import at any moment therefore leaves
the bundle as it was before or after each file, and running it again skips the files already
journalled. Records carry a content hash and a (speaker, minute, normalised text) key, so
overlapping exports, under any name and from any app, never add a message twice (dedupe.py).

Kept: every message of the persona (``--speaker``), and the messages of others that the persona
answered (a reply pair's context). Everything else is counted as skipped, with the reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..ingest.records import ChatRecord
from .keys import BundleError
from .pairing import SKIP_DUPLICATE, FileSummary, PairWriter, Redactor, normalise_speaker
from .store import Bundle, audit, utc_now

logger = logging.getLogger(__name__)

NOTHING_BY_SPEAKER = "nothing by this speaker (not imported)"


def source_hash(path: Path) -> str:
    """sha256 of a file, or of a folder's files (relative names and contents, sorted)."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        if file is not path:
            digest.update(str(file.relative_to(path)).encode("utf-8", "surrogateescape") + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()




def default_redactor() -> Redactor:
    """The ingest engineer's third-party PII redaction (C7); never import without it."""
    try:
        from ..redact import redact
    except ImportError as exc:  # pragma: no cover - the module ships with the package
        raise BundleError(f"third-party redaction is unavailable ({exc})", hint="reinstall companion") from None
    return redact


def import_files(
    bundle: Bundle,
    paths: Sequence[Path],
    *,
    fmt: str,
    speaker: str,
    include_groups: bool = False,
    progress: bool = True,
    redactor: Redactor | None = None,
    mapping: str | None = None,
    date_order: str = "auto",
    force: bool = False,
) -> list[FileSummary]:
    """Import each export (one transaction per file); the parsers come from persona.ingest.

    ``mapping`` ("text=Body,speaker=From,time=Date") names the columns of a CSV/JSONL export,
    ``date_order`` ("dmy"/"mdy") the order of WhatsApp dates; either is refused for a file whose
    format does not take it. ``force`` reads a file given as --format text as a letter even when
    it looks like a chat export."""
    from ..ingest import detect_format, make_parser
    from ..ingest.registry import parser_options

    redactor = redactor or default_redactor()
    summaries = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise BundleError("export file not found", where=str(path), hint="name the export file itself")
        file_format = detect_format(path) if fmt == "auto" else fmt
        # Letters and notes name no author: they are the persona's own words.
        options: dict[str, object] = {"speaker": speaker, "mapping": mapping, "date_order": date_order}
        if force:
            options["force"] = True
        parser = make_parser(file_format, **parser_options(file_format, path, options))
        summary = import_records(
            bundle, parser.parse(path), filename=path.name, file_sha256=source_hash(path),
            fmt=file_format, speaker=speaker, include_groups=include_groups, progress=progress, redactor=redactor,
        )
        for reason, count in parser.skipped.items():
            summary.skipped[f"not a message: {reason}"] += count
        summaries.append(summary)
    return summaries


def import_records(
    bundle: Bundle,
    records: Iterable[ChatRecord],
    *,
    filename: str,
    file_sha256: str,
    fmt: str,
    speaker: str,
    include_groups: bool = False,
    progress: bool = True,
    redactor: Redactor | None = None,
) -> FileSummary:
    """Import one file's records atomically; a file already in the journal adds nothing."""
    summary = FileSummary(filename=filename, sha256=file_sha256, format=fmt)
    if bundle.imported_file(file_sha256) is not None:
        summary.status = "already imported"
        return summary
    redactor = redactor or default_redactor()
    from tqdm import tqdm

    bar = tqdm(desc=f"importing {filename}", unit=" msg", file=sys.stderr, disable=not progress, mininterval=0.5)
    try:
        with bundle.transaction():
            writer = PairWriter(bundle, summary, normalise_speaker(speaker), file_sha256, redactor)
            for record in records:
                summary.read += 1
                bar.update(1)
                writer.add(record, include_groups)
            writer.finish()
            bar.close()
            if summary.kept == 0 and not summary.skipped[SKIP_DUPLICATE]:
                # Not journalled: a wrong --speaker must not make the file count as imported.
                raise _NothingByTheSpeaker
            _journal(bundle, summary, fmt, speaker)
    except _NothingByTheSpeaker:
        summary.status = NOTHING_BY_SPEAKER
        summary.contexts = summary.pairs = 0
        return summary
    audit(bundle.path, f"imported file sha256={file_sha256} format={fmt} read={summary.read} kept={summary.kept} "
                       f"pairs={summary.pairs}")
    return summary


class _NothingByTheSpeaker(Exception):
    """Rolls back a file in which the persona said nothing."""


def _journal(bundle: Bundle, summary: FileSummary, fmt: str, speaker: str) -> None:
    """Journal the file and extend (re-sign) the consent's source list, inside the file's transaction."""
    bundle.db.execute(
        "INSERT INTO import_journal(file_sha256, filename, format, speaker, imported, summary) VALUES (?,?,?,?,?,?)",
        (summary.sha256, summary.filename, fmt, speaker, utc_now(), json.dumps(summary.to_dict(), ensure_ascii=False)),
    )
    bundle.add_source_hashes([summary.sha256])
    if summary.kept:
        bundle.add_speaker(" ".join(speaker.split()))
