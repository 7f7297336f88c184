"""Streaming over a large JSON document whose bulk is a few long arrays (Telegram's messages).

``json.load`` would hold the whole text and then every message object at once (hundreds of MB
for a family's years of chats, on a Raspberry Pi). Here the outer objects are walked token by
token and each value is decoded on its own with ``JSONDecoder.raw_decode``, so only one
message (and the small values around the arrays) is in memory at a time.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ._common import format_error

_CHUNK = 1 << 20
_MAX_VALUE = 64 * 1024 * 1024
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class JsonStream:
    """A window over a JSON text file with a read position and line tracking for errors."""

    def __init__(self, handle: io.TextIOBase, path: Path) -> None:
        self._handle = handle
        self.path = path
        self._buffer = ""
        self._position = 0
        self._lines_before = 0  # newlines in text already dropped from the buffer
        self._eof = False

    # ---- low level -------------------------------------------------------------------------

    def _refill(self) -> bool:
        if self._eof:
            return False
        try:
            chunk = self._handle.read(_CHUNK)
        except UnicodeDecodeError as exc:
            raise self.error(f"the JSON is not valid UTF-8 ({exc.reason})") from exc
        if not chunk:
            self._eof = True
            return False
        if self._position > len(self._buffer) // 2:
            dropped = self._buffer[: self._position]
            self._lines_before += dropped.count("\n")
            self._buffer = self._buffer[self._position :]
            self._position = 0
        self._buffer += chunk
        return True

    def line(self) -> int:
        return self._lines_before + self._buffer.count("\n", 0, self._position) + 1

    def error(self, what: str) -> Exception:
        return format_error(
            what,
            self.path,
            self.line(),
            hint='export again with Telegram Desktop in "Machine-readable JSON" format',
        )

    def peek(self) -> str:
        """The next non-blank character ("" at the end of the file)."""
        while True:
            self._position = _SPACE.match(self._buffer, self._position).end()  # type: ignore[union-attr]
            if self._position < len(self._buffer):
                return self._buffer[self._position]
            if not self._refill():
                return ""

    def expect(self, character: str) -> None:
        found = self.peek()
        if found != character:
            raise self.error(f"invalid JSON: expected {character!r}, found {found or 'the end'!r}")
        self._position += 1

    def value(self) -> Any:
        """Decode one complete JSON value at the position."""
        if not self.peek():
            raise self.error("invalid JSON: the file ends too early")
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buffer, self._position)
            except json.JSONDecodeError as exc:
                if len(self._buffer) - self._position > _MAX_VALUE:
                    raise self.error("a single JSON value is larger than 64 MB") from exc
                if self._refill():
                    continue  # the value may just continue past the window
                self._position = min(exc.pos, len(self._buffer))
                raise self.error(f"invalid JSON: {exc.msg}") from exc
            except RecursionError as exc:
                raise self.error("the JSON is nested too deeply") from exc
            # a number at the window's end may continue in the next chunk ("12" | "34")
            at_edge = end == len(self._buffer) and not self._eof
            if at_edge and isinstance(value, (int, float)) and self._refill():
                continue
            self._position = end
            return value

    # ---- structure -------------------------------------------------------------------------

    def items(self) -> Iterator[None]:
        """Step through an array: yields once per element, positioned at that element."""
        self.expect("[")
        if self.peek() == "]":
            self._position += 1
            return
        while True:
            yield
            separator = self.peek()
            self._position += 1
            if separator == "]":
                return
            if separator != ",":
                self._position -= 1
                raise self.error("invalid JSON: expected ',' or ']' in an array")

    def members(self) -> Iterator[str]:
        """Step through an object: yields each key, positioned at its value (which the caller
        must consume, with ``value()`` or by descending)."""
        self.expect("{")
        if self.peek() == "}":
            self._position += 1
            return
        while True:
            if self.peek() != '"':
                raise self.error("invalid JSON: expected a key in quotes")
            key = self.value()
            self.expect(":")
            yield key
            separator = self.peek()
            self._position += 1
            if separator == "}":
                return
            if separator != ",":
                self._position -= 1
                raise self.error("invalid JSON: expected ',' or '}' in an object")

    def end(self) -> None:
        if self.peek():
            raise self.error("invalid JSON: extra data after the document")


def stream_json(path: Path, walk: Callable[[JsonStream], Iterator[Any]]) -> Iterator[Any]:
    """Open ``path`` and run ``walk`` over it, closing the file afterwards."""
    try:
        handle = open(path, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise format_error(f"cannot read the export: {exc.strerror or exc}", path) from exc
    with handle:
        stream = JsonStream(handle, path)
        yield from walk(stream)
        stream.end()
