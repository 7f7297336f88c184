"""Shared helpers for the chat-export parser tests: sample paths, record views, fuzz checks."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from companion.persona.ingest import ChatRecord, ExportFormatError

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"

FUZZ = settings(
    max_examples=40,
    deadline=4000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
"""Modest and deterministic: the whole ingest suite must stay well under a minute."""

PER_EXAMPLE_SECONDS = 5.0


def view(record: ChatRecord) -> tuple:  # type: ignore[type-arg]
    """Everything but ``origin`` (checked separately), in field order."""
    return (
        record.speaker, record.text, record.time, record.attachments, record.is_group,
        record.conversation, record.record_id, record.reply_to,
    )  # fmt: skip


def origin_line(record: ChatRecord) -> str:
    return record.origin.rsplit(":", 1)[-1]


@contextmanager
def utc() -> Iterator[None]:
    """Run with the local time zone set to UTC (epoch-based exports convert to local time)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


class _Timeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float = PER_EXAMPLE_SECONDS) -> Iterator[None]:
    """Fail (instead of hanging the suite) when a parser loops."""

    def alarm(_signum: int, _frame: object) -> None:
        raise _Timeout(f"parser did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_cleanly(make_parser: Callable[[], object], data: bytes, name: str) -> list[ChatRecord]:
    """Write ``data`` as ``name`` and parse it: records, or an ExportFormatError naming the file.

    Any other exception (or a hang) fails the test that calls this.
    """
    directory = Path(tempfile.mkdtemp(prefix="ingest-fuzz-"))
    try:
        path = directory / name
        path.write_bytes(data)
        parser = make_parser()
        try:
            with time_limit():
                records = list(parser.parse(path))  # type: ignore[attr-defined]
        except ExportFormatError as error:
            assert name in error.message, f"error does not name the file: {error.message!r}"
            return []
        assert all(isinstance(record, ChatRecord) for record in records)
        assert all(isinstance(record.text, str) and isinstance(record.speaker, str) for record in records)
        return records
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def parse_error(parser: object, path: Path, content: str | bytes, match: str | None = None) -> ExportFormatError:
    """Write ``content`` to ``path``, parse it, and return the ExportFormatError it must raise."""
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ExportFormatError, match=match) as error:
        list(parser.parse(path))  # type: ignore[attr-defined]
    return error.value


def fuzz_test(make_parser: Callable[[], object], data: SearchStrategy[bytes], name: str) -> Callable[..., None]:
    """A hypothesis test feeding ``data`` (written as ``name``) to the parser via parse_cleanly.

    Assign it to a ``test_...`` name in a test module; pytest collects it like a def. Each gets
    its own fixed seed from where it is defined (all share one function body, which is what
    derandomize would hash).
    """
    caller = sys._getframe(1)
    label = f"{Path(caller.f_code.co_filename).name}:{caller.f_lineno}|{name}"

    @FUZZ
    @seed(zlib.crc32(label.encode("utf-8", "surrogatepass")))
    @given(data=data)
    def check(data: bytes) -> None:
        parse_cleanly(make_parser, data, name)

    return check


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """A valid export damaged the ways files get damaged: truncated, bytes flipped or spliced."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate"]))
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        if operation == "truncate":
            del data[position:]
        elif operation == "flip":
            data[position] = draw(st.integers(0, 255))
        elif operation == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif operation == "delete":
            del data[position : position + draw(st.integers(1, 64))]
        else:
            end = min(len(data), position + draw(st.integers(1, 200)))
            data[position:position] = data[position:end]
    return bytes(data)


random_bytes = st.binary(max_size=2048)
random_text = st.text(max_size=600).map(lambda text: text.encode("utf-8", errors="surrogatepass"))
