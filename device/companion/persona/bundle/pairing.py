"""Reply pairs from a stream of chat records: the persona's turn and what it answered (C7).

A persona's consecutive messages close in time form one answer; the others' messages just before
it (or the one it quotes) are its context. Every record is written once (content hash plus the
dedupe key), claimed by the import that brought it, and private text is never stored. What was
kept and skipped is counted in a ``FileSummary`` (counts only, never content).
"""

from __future__ import annotations

import hashlib
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..ingest.records import ChatRecord
from .dedupe import add_key, message_key, same_message
from .imports import claim_pair, claim_record
from .store import Bundle

CONTEXT_MAX_GAP = timedelta(hours=12)
"""A message older than this before the persona's answer is not what they were answering."""
TURN_MAX_GAP = timedelta(minutes=10)
"""The persona's consecutive messages closer than this form one answer."""
MAX_TURN_MESSAGES = 6
MAX_CONTEXT_MESSAGES = 3
MAX_TURN_CHARS = 800
_REPLY_INDEX_SIZE = 20_000
DOCUMENT_SOURCES = ("text",)
"""Letters, notes and memories: no speaker in the file; the owner imports them as the person's words."""

SKIP_GROUP = "group chat (use --include-groups)"
SKIP_EMPTY = "no text (media, system or empty message)"
SKIP_OTHER = "someone else's message the persona did not answer"
SKIP_DUPLICATE = "already in the bundle"
SKIP_PRIVATE = "private (a code, password, account number or someone's contact details): never spoken"
MAX_MESSAGE_CHARS = 20_000
"""A chat message longer than this is not a message (a pasted document): skipped and counted.
Letters are split into passages by the text parser instead."""
SKIP_TOO_LONG = f"longer than {MAX_MESSAGE_CHARS:,} characters (import long texts as letters: --format text)"

Redactor = Callable[[str], str]



@dataclass
class FileSummary:
    """What one file's import did (counts only; never content)."""

    filename: str
    sha256: str
    format: str
    status: str = "imported"  # or "already imported"
    read: int = 0
    kept: int = 0
    contexts: int = 0
    pairs: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    speakers_seen: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.filename, "sha256": self.sha256, "format": self.format, "status": self.status,
            "read": self.read, "kept": self.kept, "contexts": self.contexts, "pairs": self.pairs,
            "skipped": dict(self.skipped),
        }


def record_hash(role: str, source: str, conversation: str, speaker: str, time: str | None, text: str,
                export_id: str | None) -> str:
    """The content hash stored with a record (recomputed by `persona verify`)."""
    return _digest(role, source, conversation, speaker, time, text, export_id)


def _digest(*fields: str | None) -> str:
    """sha256 over the fields, unit-separated, with None distinct from "" (cheaper than JSON)."""
    payload = "\x1f".join("\x00" if value is None else value for value in fields)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


class PairWriter:
    """Streams records into the database, pairing each persona turn with what preceded it."""

    def __init__(self, bundle: Bundle, summary: FileSummary, speaker: str, file_sha256: str, redactor: Redactor):
        self.db = bundle.db
        self.summary = summary
        self.speaker = speaker
        self.file_sha256 = file_sha256
        self.redact = redactor
        from ..private import private_reason

        self.private = private_reason
        self.pending_context: dict[str, list[ChatRecord]] = {}
        self.turn: dict[str, list[tuple[int, ChatRecord, str]]] = {}
        self.turn_context: dict[str, list[ChatRecord]] = {}
        self.by_export_id: OrderedDict[tuple[str, str], ChatRecord] = OrderedDict()

    def add(self, record: ChatRecord, include_groups: bool) -> None:
        skipped = self.summary.skipped
        self.summary.speakers_seen[record.speaker] += 1
        if record.is_group and not include_groups:
            skipped[SKIP_GROUP] += 1
            return
        conversation = record.conversation
        if not record.text or not record.text.strip():
            skipped[SKIP_EMPTY] += 1
            if not self._is_persona(record):
                # the listener's photo or sticker still ends the persona's answer: two replies
                # either side of it stay two answers (QQ, WeChat)
                self._close_turn(conversation)
            return
        if len(record.text) > MAX_MESSAGE_CHARS:
            skipped[SKIP_TOO_LONG] += 1
            return
        if not self._is_persona(record):
            self._close_turn(conversation)
            pending = self.pending_context.setdefault(conversation, [])
            if pending and not _close_in_time(pending[-1].time, record.time, CONTEXT_MAX_GAP):
                skipped[SKIP_OTHER] += len(pending)
                pending.clear()
            pending.append(record)
            if len(pending) > MAX_CONTEXT_MESSAGES:
                pending.pop(0)
                skipped[SKIP_OTHER] += 1
            if record.record_id:
                self.by_export_id[(conversation, record.record_id)] = record
                if len(self.by_export_id) > _REPLY_INDEX_SIZE:
                    self.by_export_id.popitem(last=False)
            return
        turn = self.turn.get(conversation)
        if turn:
            last = turn[-1][1]
            joined = sum(len(t[2]) for t in turn)
            if (not _close_in_time(last.time, record.time, TURN_MAX_GAP) or len(turn) >= MAX_TURN_MESSAGES
                    or joined >= MAX_TURN_CHARS or (record.reply_to and record.reply_to != last.record_id)):
                self._close_turn(conversation)
                turn = None
        if not turn:
            self.turn_context[conversation] = self._context_for(record)
        text = self.redact(record.text.strip())
        record_id = self._insert(record, "persona", text)
        if record_id is None:
            return
        self.turn.setdefault(conversation, []).append((record_id, record, text))

    def finish(self) -> None:
        for conversation in list(self.turn):
            self._close_turn(conversation)
        for pending in self.pending_context.values():
            self.summary.skipped[SKIP_OTHER] += len(pending)
        self.pending_context.clear()

    def _is_persona(self, record: ChatRecord) -> bool:
        if not record.speaker.strip():
            return record.source in DOCUMENT_SOURCES
        if normalise_speaker(record.speaker) == self.speaker:
            return True
        return any(normalise_speaker(alias) == self.speaker for alias in record.aliases)

    def _context_for(self, record: ChatRecord) -> list[ChatRecord]:
        """What the persona was answering: the quoted message, else the others' last messages."""
        pending = self.pending_context.pop(record.conversation, [])
        if record.reply_to and (record.conversation, record.reply_to) in self.by_export_id:
            quoted = self.by_export_id[(record.conversation, record.reply_to)]
            self.summary.skipped[SKIP_OTHER] += sum(1 for p in pending if p is not quoted)
            return [quoted]
        if pending and not _close_in_time(pending[-1].time, record.time, CONTEXT_MAX_GAP):
            self.summary.skipped[SKIP_OTHER] += len(pending)
            return []
        return pending

    def _close_turn(self, conversation: str) -> None:
        turn = self.turn.pop(conversation, None)
        context_records = self.turn_context.pop(conversation, [])
        if not turn:
            return
        first = turn[0][1]
        answer = " ".join(t[2] for t in turn)
        if self._same_pair(turn[0][0], answer):
            return  # this answer is already in the bundle from another export of the chat
        context_ids, context_texts = [], []
        for record in context_records:
            text = self.redact(record.text.strip())
            record_id = self._insert(record, "context", text, count_duplicate=False)
            if record_id is not None:
                context_ids.append(record_id)
                context_texts.append(text)
        context = " ".join(context_texts) or None
        pair_hash = _digest(context, answer, first.conversation, _iso(first.time))
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO reply_pairs(pair_hash, context, answer, answer_record, context_record, conversation,"
            " time, source) VALUES (?,?,?,?,?,?,?,?)",
            (pair_hash, context, answer, turn[0][0], context_ids[-1] if context_ids else None, first.conversation,
             _iso(first.time), first.source),
        )
        self.summary.pairs += cursor.rowcount
        pair_id = cursor.lastrowid if cursor.rowcount else self.db.execute(
            "SELECT id FROM reply_pairs WHERE pair_hash = ?", (pair_hash,)).fetchone()[0]
        claim_pair(self.db, int(pair_id), self.file_sha256)

    def _same_pair(self, answer_record: int, answer: str) -> bool:
        """Claim the pair (and its context) another import made of the same answer, if there is one."""
        row = self.db.execute("SELECT id, context_record FROM reply_pairs WHERE answer_record = ? AND answer = ?",
                              (answer_record, answer)).fetchone()
        if row is not None:
            claim_pair(self.db, int(row[0]), self.file_sha256)
            if row[1] is not None:
                claim_record(self.db, int(row[1]), self.file_sha256)
        return row is not None

    def _insert(self, record: ChatRecord, role: str, text: str, *, count_duplicate: bool = True) -> int | None:
        """Insert (or find) a record; the row id, or None when the text is empty after redaction."""
        if not text.strip():
            self.summary.skipped[SKIP_EMPTY] += 1
            return None
        if self.private(text) is not None:
            # never stored, so never retrieved or spoken, however the question is asked (issue 19)
            self.summary.skipped[SKIP_PRIVATE] += 1
            return None
        time = _iso(record.time)
        key = message_key(role, record.speaker, time, text)
        same = same_message(self.db, key, self.file_sha256)
        if same is not None:  # the same message from another export of this chat (issue 19, item 3)
            self.summary.skipped.update({SKIP_DUPLICATE: 1} if count_duplicate else {})
            claim_record(self.db, same, self.file_sha256)
            return same
        digest = record_hash(role, record.source, record.conversation, record.speaker, time, text, record.record_id)
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO records(content_hash, role, source, conversation, speaker, time, text, export_id,"
            " reply_to, origin, file_sha256) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (digest, role, record.source, record.conversation, record.speaker, time, text, record.record_id,
             record.reply_to, record.origin or "", self.file_sha256),
        )
        if cursor.rowcount:
            if role == "persona":
                self.summary.kept += 1
            else:
                self.summary.contexts += 1
            record_id = int(cursor.lastrowid)
            add_key(self.db, key, record_id)
        else:
            self.summary.skipped.update({SKIP_DUPLICATE: 1} if count_duplicate else {})
            record_id = int(self.db.execute("SELECT id FROM records WHERE content_hash = ?", (digest,)).fetchone()[0])
        claim_record(self.db, record_id, self.file_sha256)
        return record_id


def normalise_speaker(name: str) -> str:
    """A speaker name as compared: whitespace collapsed, case folded."""
    return " ".join(name.split()).casefold()


def _iso(time: datetime | None) -> str | None:
    return None if time is None else time.isoformat()


def _close_in_time(earlier: datetime | None, later: datetime | None, gap: timedelta) -> bool:
    if earlier is None or later is None:
        return True
    try:
        return abs(later - earlier) <= gap
    except TypeError:  # one naive, one aware: compare wall clocks
        return abs(later.replace(tzinfo=None) - earlier.replace(tzinfo=None)) <= gap
