"""SMS Backup & Restore (Android) XML: ``<smses>`` holding ``<sms>`` and ``<mms>`` elements.

``<sms type="1">`` was received, ``type="2"`` sent (3-6: drafts, outbox, failed, queued);
``date`` is milliseconds since 1970. An ``<mms>`` has ``msg_box`` (1 received, 2 sent), its
text in ``<part ct="text/plain" text=...>`` and its sender in ``<addr type="137">``. Several
addresses joined by "~" make a group thread.

The file is streamed through expat (MMS parts carry base64 media, so backups reach gigabytes);
DOCTYPEs and entity declarations are refused. The app writes emoji as UTF-16 surrogate pairs
(``&#55357;&#56832;``), which XML forbids; they are joined back into one character first.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from ._common import SELF, SNIFF_BYTES, SkipCounter, choose_encoding, format_error, from_unix, read_head
from .records import ChatRecord, ExportFormatError, make_record

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20
_PAIR = re.compile(
    r"&#(?:(5[5-6]\d{3})|x([dD][89abAB][0-9a-fA-F]{2}));"
    r"&#(?:(5[6-7]\d{3})|x([dD][c-fC-F][0-9a-fA-F]{2}));"
)
_LONE = re.compile(r"&#(?:(5[5-7]\d{3})|x([dD][89a-fA-F][0-9a-fA-F]{2}));")
_TAIL = re.compile(r"(?:&(?:#x?[0-9a-fA-F]{0,7};?)?)+$")
_NULL = ("", "null", None)
_FROM = "137"


def _join_pair(match: re.Match[str]) -> str:
    high = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
    low = int(match.group(3)) if match.group(3) else int(match.group(4), 16)
    if 0xD800 <= high <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
        return f"&#{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)};"
    return match.group(0)


def _lone(match: re.Match[str]) -> str:
    value = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
    return "&#65533;" if 0xD800 <= value <= 0xDFFF else match.group(0)


def fix_surrogates(text: str) -> str:
    """Turn surrogate-pair character references into one reference XML accepts."""
    if "&#" not in text:
        return text
    return _LONE.sub(_lone, _PAIR.sub(_join_pair, text))


class _Refused(Exception):
    """Raised inside expat handlers for constructs we never accept (DOCTYPE, entities)."""


class SmsBackupParser:
    """Parses an SMS Backup & Restore XML file into ChatRecords (owner's messages as "Me")."""

    name = "sms"

    def __init__(self) -> None:
        self.skipped = SkipCounter()

    def sniff(self, path: Path) -> bool:
        head = read_head(path, 4096).decode("utf-8", errors="replace")
        return "<smses" in head or ("<?xml" in head and ("<sms " in head or "<mms " in head))

    def parse(self, path: Path) -> Iterator[ChatRecord]:
        out: list[ChatRecord] = []
        state: dict[str, Any] = {"mms": None, "root": None}
        # The text is decoded here and fed as UTF-8, so whatever encoding the XML declaration names
        # (a damaged file may say encoding='yes') must not be looked up.
        parser = expat.ParserCreate(encoding="utf-8")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

        def refuse(*_args: object) -> None:
            raise _Refused("DOCTYPE and entity declarations are not allowed in an SMS backup")

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]

        def start(tag: str, attrs: dict[str, str]) -> None:
            if state["root"] is None:
                state["root"] = tag
                if tag not in ("smses", "allsms"):
                    raise _Refused(f"the root element is <{tag}>, not <smses>")
                return
            if tag == "sms":
                record = self._sms(path, parser.CurrentLineNumber, attrs)
                if record is not None:
                    out.append(record)
            elif tag == "mms":
                state["mms"] = {"line": parser.CurrentLineNumber, "attrs": attrs, "texts": [],
                                "from": None, "files": []}  # fmt: skip
            elif state["mms"] is not None:
                if tag == "part":
                    content = attrs.get("ct", "")
                    if content == "text/plain" and attrs.get("text") not in _NULL:
                        state["mms"]["texts"].append(attrs["text"])
                    elif content not in ("application/smil", "text/plain"):
                        name = attrs.get("cl") or attrs.get("name") or content
                        state["mms"]["files"].append(name if name not in _NULL else content)
                elif tag == "addr" and attrs.get("type") == _FROM:
                    state["mms"]["from"] = attrs.get("address")

        def end(tag: str) -> None:
            if tag == "mms" and state["mms"] is not None:
                record = self._mms(path, state["mms"])
                state["mms"] = None
                if record is not None:
                    out.append(record)

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        carry = ""
        try:
            # the XML declaration's encoding (or a BOM) first; bad bytes become U+FFFD (issue 19)
            head = read_head(path)
            encoding = choose_encoding(head, complete=len(head) < SNIFF_BYTES) or "utf-8"
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
            with open(path, "rb") as handle:
                while True:
                    chunk = handle.read(_CHUNK)
                    final = not chunk
                    text = carry + decoder.decode(chunk, final)
                    # keep a trailing run of character references for the next chunk: it may be
                    # half of a surrogate pair, or a reference cut in two
                    tail = None if final else _TAIL.search(text, max(0, len(text) - 256))
                    if tail:
                        carry, text = text[tail.start():], text[: tail.start()]
                    else:
                        carry = ""
                    parser.Parse(fix_surrogates(text).encode("utf-8"), final)
                    yield from out
                    out.clear()
                    if final:
                        break
        except expat.ExpatError as exc:
            raise format_error(
                f"broken XML: {expat.ErrorString(exc.code)}",
                path,
                exc.lineno,
                hint="make a new backup with SMS Backup & Restore",
            ) from exc
        except _Refused as exc:
            raise format_error(str(exc), path, parser.CurrentLineNumber) from exc
        except UnicodeDecodeError as exc:
            raise format_error(f"the backup is not UTF-8 ({exc.reason})", path) from exc
        except OSError as exc:
            raise format_error(f"cannot read the backup: {exc.strerror or exc}", path) from exc
        if state["root"] is None:
            raise format_error("no <smses> element: not an SMS Backup & Restore file", path)

    def _parties(self, attrs: dict[str, str], box_key: str) -> tuple[bool, str, str] | None:
        """(sent by the owner, address, contact name) of one message; None (counted) for drafts.

        SMS keep the box in ``type``, MMS in ``msg_box``; both use 1 = received, 2 = sent and
        write an unknown contact as "(Unknown)" or "null".
        """
        box = attrs.get(box_key, "")
        if box not in ("1", "2"):
            self.skipped.skip("draft or unsent message")
            return None
        contact = attrs.get("contact_name") or ""
        return box == "2", attrs.get("address") or "", "" if contact in ("(Unknown)", "null") else contact

    def _sms(self, path: Path, line: int, attrs: dict[str, str]) -> ChatRecord | None:
        parties = self._parties(attrs, "type")
        if parties is None:
            return None
        sent, address, contact = parties
        body = attrs.get("body") or ""
        if body == "null":
            body = ""
        speaker = SELF if sent else (contact or address)
        return make_record(
            "sms", contact or address, speaker, body, self._time(attrs.get("date")), None, None,
            "~" in address, (), f"{path}:{line}",
        )  # fmt: skip

    def _mms(self, path: Path, mms: dict[str, Any]) -> ChatRecord | None:
        attrs = mms["attrs"]
        parties = self._parties(attrs, "msg_box")
        if parties is None:
            return None
        sent, address, contact = parties
        is_group = "~" in address
        if sent:
            speaker = SELF
        elif is_group:
            speaker = mms["from"] or ""
        else:
            speaker = contact or mms["from"] or address
        text = "\n".join(mms["texts"])
        if not text and not mms["files"]:
            self.skipped.skip("empty message")
            return None
        return make_record(
            "sms", contact or address, speaker, text, self._time(attrs.get("date")), None, None,
            is_group, tuple(mms["files"]), f"{path}:{mms['line']}",
        )  # fmt: skip

    @staticmethod
    def _time(value: str | None):  # type: ignore[no-untyped-def]
        try:
            return from_unix(int(value) / 1000.0) if value else None
        except (TypeError, ValueError):
            return None


__all__ = ["SmsBackupParser", "ExportFormatError", "fix_surrogates"]
