"""Where recordings come from: the media an export carries, linked to the message it was sent in.

* a WhatsApp "Export chat" .zip with media: voice notes (PTT-*.opus) and videos, named by the
  chat's "<attached: NAME>" (iOS) or "NAME (file attached)" (Android) lines;
* a Telegram Desktop export folder: result.json's messages name their voice_messages/,
  round_video_messages/ and video_files/ files;
* an iMessage chat.db: its ``attachment`` rows name files in the Attachments folder beside it;
* loose files or folders (`persona add-recordings`): no message, the file's date.

Nothing is unpacked: members are read into memory one at a time, bounded in size, so a hostile
member name (``../../etc/x``) is reported and skipped, never followed; a damaged member costs
that member only.
"""

from __future__ import annotations

import datetime as _dt
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ...persona.ingest.records import ChatRecord
from ...voice.media import MEDIA_SUFFIXES

logger = logging.getLogger(__name__)

MAX_RECORDING_BYTES = 200 * 1024**2
"""A file larger than this is not a voice note or a phone clip of someone talking (a film)."""
CONTEXT_MAX_GAP = _dt.timedelta(hours=12)


@dataclass(frozen=True)
class Candidate:
    """One recording found in an export, not read yet."""

    filename: str
    where: str
    """For messages: "export.zip!PTT-20200101-WA0001.opus"."""
    source: str
    conversation: str
    speaker: str
    time: str | None
    message_origin: str
    context: str | None
    size: int
    read: Callable[[], bytes]
    input: str = ""
    """The export or file the user named (it decides which import the recording belongs to)."""
    open: Callable[[], BinaryIO] | None = None
    """A seekable stream of the file, to read its length from the container before its bytes
    are read (a 2-hour film is refused without holding it in memory)."""


@dataclass
class Found:
    """The candidates of one input, plus one line per thing that had to be left out."""

    candidates: list[Candidate]
    problems: list[str]


def is_media(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in MEDIA_SUFFIXES


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    from ...persona.ingest.archive import _is_symlink, _unsafe_name

    reason = _unsafe_name(info.filename)
    if reason is None and _is_symlink(info):
        reason = f"a symbolic link ({info.filename!r})"
    return reason


Media = tuple[str, int, Callable[[], bytes], Callable[[], BinaryIO]]
"""Where a media file is (for messages), its size, how to read it, and how to open it as a stream."""


def link_to_messages(records: Iterable[ChatRecord], media: dict[str, Media] | Callable[[str], Media | None],
                     source: str, is_person: Callable[[ChatRecord], bool], input: str = "") -> Iterator[Candidate]:
    """The media files the chat's messages name, with the message's sender, time and the other
    person's last words before it (what the recording may be answering). ``media`` maps a file
    name to its file, or finds the file a message names."""
    def by_name(name: str) -> Media | None:
        assert isinstance(media, dict)
        return media.get(PurePosixPath(name.replace("\\", "/")).name)

    lookup = by_name if isinstance(media, dict) else media
    last_other: dict[str, ChatRecord] = {}
    for record in records:
        if record.text.strip() and not is_person(record):
            last_other[record.conversation] = record
            continue
        if not is_person(record):
            continue  # someone else's recording: not the person's words, never stored (C7)
        for name in record.attachments:
            entry = lookup(name)
            if entry is None:
                continue
            where, size, read, opener = entry
            before = last_other.get(record.conversation)
            context = None
            if before is not None and before.time is not None and record.time is not None \
                    and abs(record.time - before.time) <= CONTEXT_MAX_GAP:
                context = before.text.strip() or None
            yield Candidate(filename=PurePosixPath(where.split("!")[-1]).name, where=where, source=source,
                            conversation=record.conversation, speaker=record.speaker,
                            time=None if record.time is None else record.time.isoformat(),
                            message_origin=record.origin, context=context, size=size, read=read, input=input,
                            open=opener)


def whatsapp_zip(path: Path, speaker_of: Callable[[ChatRecord], bool]) -> Found:
    """The voice notes and videos of a WhatsApp .zip export (``speaker_of`` marks the person's messages)."""
    from ...persona.ingest._common import open_text
    from ...persona.ingest.whatsapp import WhatsAppParser, _conversation_name

    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        return Found([], [f"{path}: not a readable zip archive ({exc}); export the chat again with media"])
    media: dict[str, Media] = {}
    texts: list[str] = []
    for info in infos:
        if info.is_dir():
            continue
        reason = _unsafe(info)
        if reason:
            problems.append(f"{path}: skipped {reason}: only the chat app's own members are read")
            continue
        name = info.filename
        if name.lower().endswith(".txt"):
            texts.append(name)
        elif is_media(name):
            media[PurePosixPath(name).name] = (f"{path}!{name}", info.file_size, _member_reader(archive, info),
                                               _member_opener(archive, info))
    chat = next((n for n in texts if PurePosixPath(n).name == "_chat.txt"), None) \
        or next((n for n in texts if PurePosixPath(n).name.startswith("WhatsApp Chat")), None) \
        or (texts[0] if len(texts) == 1 else None)
    if chat is None:
        problems.append(f"{path}: no chat text file in the archive, so no voice note can be linked to a message; "
                        "import the media with `persona add-recordings`")
        return Found([], problems)
    label = f"{path}!{chat}"
    parser = WhatsAppParser()
    records = list(_bounded(parser._parse(lambda: open_text(Path(label), archive.open(chat)), label,
                                          _conversation_name(path, chat))))
    return Found(list(link_to_messages(records, media, "whatsapp", speaker_of, str(path))), problems)


def _bounded(records: Iterable[ChatRecord]) -> Iterator[ChatRecord]:
    """Only messages that name an attachment or carry text are needed; the text is cut short."""
    from ...persona.ingest.records import make_record

    for r in records:
        yield make_record(r.source, r.conversation, r.speaker, r.text[:2000], r.time, r.record_id, r.reply_to,
                          r.is_group, r.attachments, r.origin)


def _member_reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    def read() -> bytes:
        with archive.open(info) as handle:
            data = handle.read(MAX_RECORDING_BYTES + 1)
        if len(data) > MAX_RECORDING_BYTES:
            raise ValueError(f"larger than {MAX_RECORDING_BYTES // 1024**2} MB")
        return data

    return read


def _member_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], BinaryIO]:
    return lambda: archive.open(info)  # type: ignore[return-value]  # seekable: PyAV reads its header


def telegram_folder(folder: Path, speaker_of: Callable[[ChatRecord], bool]) -> Found:
    """Voice and video messages of a Telegram Desktop export folder (result.json beside the media)."""
    from ...persona.ingest.telegram import TelegramParser

    result = folder / "result.json"
    media = {p.name: (str(p), p.stat().st_size, _file_reader(p), _file_opener(p)) for p in sorted(folder.rglob("*"))
             if p.is_file() and is_media(p.name) and not p.is_symlink()}
    return Found(list(link_to_messages(_bounded(TelegramParser().parse(result)), media, "telegram", speaker_of,
                                       str(folder))), [])


def imessage_db(path: Path, speaker_of: Callable[[ChatRecord], bool]) -> Found:
    """Audio and video attachments of an iMessage chat.db (its Attachments folder beside it, as
    a copy of ~/Library/Messages has it, or an iPhone backup): linked to their message and date."""
    from collections import Counter

    from ...persona.ingest.imessage import IMessageParser, attachment_file

    missing: Counter[str] = Counter()

    def lookup(stored: str) -> Media | None:
        if not is_media(stored):
            return None  # a photo, a contact card: not a recording
        found, why = attachment_file(path, stored)
        if found is None:
            missing[why or "missing"] += 1
            return None
        return str(found), found.stat().st_size, _file_reader(found), _file_opener(found)

    candidates = list(link_to_messages(_bounded(IMessageParser().parse(path)), lookup, "imessage", speaker_of,
                                       str(path)))
    problems = [f"{path}: {n} of the person's recordings skipped: {why}" for why, n in sorted(missing.items())]
    return Found(candidates, problems)


def is_imessage_db(path: Path) -> bool:
    from ...persona.ingest.imessage import IMessageParser

    return path.is_file() and IMessageParser().sniff(path)


def loose_files(inputs: Iterable[Path]) -> Found:
    """Files or folders of recordings (the person's own, the owner says; the voice check decides)."""
    from ...voice.media import find_recordings

    given = list(inputs)
    candidates = []
    for path in find_recordings(given):
        stat = path.stat()
        when = _dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0).isoformat()
        named = next((g for g in given if g == path or g in path.parents), path)
        candidates.append(Candidate(filename=path.name, where=str(path), source="folder", conversation="recordings",
                                    speaker="", time=when, message_origin="", context=None, size=stat.st_size,
                                    read=_file_reader(path), input=str(named), open=_file_opener(path)))
    return Found(candidates, [])


def _file_opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: path.open("rb")


def _file_reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        with path.open("rb") as handle:
            data = handle.read(MAX_RECORDING_BYTES + 1)
        if len(data) > MAX_RECORDING_BYTES:
            raise ValueError(f"larger than {MAX_RECORDING_BYTES // 1024**2} MB")
        return data

    return read


def find(inputs: list[Path], speaker_of: Callable[[ChatRecord], bool]) -> Found:
    """Recordings in each input: a WhatsApp zip, a Telegram export folder, or loose files."""
    from ...persona.ingest.archive import is_zip

    total = Found([], [])
    loose: list[Path] = []
    for path in inputs:
        if path.is_file() and is_zip(path):
            part = whatsapp_zip(path, speaker_of)
        elif path.is_dir() and (path / "result.json").is_file():
            part = telegram_folder(path, speaker_of)
        elif is_imessage_db(path):
            part = imessage_db(path, speaker_of)
        else:
            loose.append(path)
            continue
        total.candidates.extend(part.candidates)
        total.problems.extend(part.problems)
    if loose:
        part = loose_files(loose)
        total.candidates.extend(part.candidates)
    return total
