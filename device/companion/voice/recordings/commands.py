"""`companion persona add-recordings` and the recordings step of `companion persona import`."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...persona.bundle.store import Bundle
from ...persona.bundle import recordings as store
from ...persona.ingest.records import ChatRecord
from .importer import RecordingsSummary, check_and_transcribe, store_candidates
from .sources import find

logger = logging.getLogger(__name__)


def register(sub: Any, bundle_command: Callable[..., argparse.ArgumentParser], func: Callable[..., int]) -> None:
    """Add `persona add-recordings` (``bundle_command`` is persona's helper for bundle commands)."""
    c = bundle_command("add-recordings", "add the person's voice notes and videos (loose files, a WhatsApp zip "
                       "with media, a Telegram export folder, an iMessage chat.db with its Attachments folder); "
                       "encrypted in the bundle", func)
    c.add_argument("inputs", nargs="+", metavar="FILE_OR_FOLDER", help="recordings, folders of them, or exports")
    c.add_argument("--speaker", help="the person's name in the chat export (needed for exports)")
    c.add_argument("--enroll", help="a clip of the person speaking alone: sets whose voice counts as theirs")
    c.add_argument("--no-index", action="store_true", help="skip building the memory index now")
    c.add_argument("--json", action="store_true", help="print the summary as JSON")


def speaker_matcher(speaker: str | None) -> Callable[[ChatRecord], bool]:
    """Whether a chat record is the person's (the same rule as the text import: name or alias)."""
    wanted = " ".join((speaker or "").split()).casefold()

    def match(record: ChatRecord) -> bool:
        if not wanted:
            return False
        names = (record.speaker, *record.aliases)
        return any(" ".join(n.split()).casefold() == wanted for n in names)

    return match


def import_recordings(bundle: Bundle, inputs: list[Path], *, speaker: str | None, settings: Any,
                      enroll: Path | None = None, progress: bool = True,
                      encoder: Any = None, transcriber_factory: Callable[[], Any] | None = None) -> RecordingsSummary:
    """Find, store, check and transcribe; the summary lists one line per file left out."""
    from ...persona.bundle.importer import default_redactor
    from .transcribe import load_transcriber

    summary = RecordingsSummary()
    found = find(inputs, speaker_matcher(speaker))
    summary.problems.extend(found.problems)
    store_candidates(bundle, found.candidates, summary, progress=progress, speaker=" ".join((speaker or "").split()))
    if not store.recordings(bundle.db, status="pending"):
        return summary  # nothing new: no speaker encoder or Whisper to load
    from ...voice.speaker import SpeakerEncoder

    encoder = encoder or SpeakerEncoder()
    enrolment = None
    if enroll is not None:
        from .importer import decode

        enrolment = encoder.embed(decode(Path(enroll).read_bytes(), str(enroll)), 16000)
    if transcriber_factory is None:
        language = bundle.card.language

        def transcriber_factory() -> Any:
            return load_transcriber(settings.paths.models, settings.voice.asr_model, language)[0]

    check_and_transcribe(bundle, encoder=encoder, transcriber_factory=transcriber_factory,
                         threshold=settings.voice.min_speaker_similarity, summary=summary,
                         redactor=default_redactor(), enrolment=enrolment, progress=progress)
    return summary


def has_media(path: Path) -> bool:
    """An export that may carry recordings: a zip, a Telegram folder, an iMessage chat.db."""
    from ...persona.ingest.archive import is_zip
    from .sources import is_imessage_db

    return (path.is_file() and is_zip(path)) or (path.is_dir() and (path / "result.json").is_file()) \
        or is_imessage_db(path)


def print_summary(summary: RecordingsSummary, as_json: bool = False) -> None:
    if as_json:
        print(json.dumps({"recordings": summary.to_dict()}, ensure_ascii=False, indent=2))
        return
    for line in summary.problems:
        print(line)
    print(f"recordings: {summary.found} found, {summary.stored} stored encrypted ({summary.already} already there); "
          f"{summary.persona} in the person's voice ({summary.passages} passages, {summary.audio_s / 60:.1f} min "
          f"checked), {summary.other} in another voice (kept, never played)")
