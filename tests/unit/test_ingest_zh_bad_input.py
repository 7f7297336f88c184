"""Issue 16, bad input: a Chinese export in an encoding no Chinese chat tool writes is one clear
error naming the file (what, where, what to do), whatever the bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from companion.persona.ingest.qq import QQParser
from companion.persona.ingest.wechat import WeChatParser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unit.ingest_helpers import parse_error

# Bytes no text encoding the importers accept reads: 0xFF is never valid in UTF-8 or GB18030, a NUL
# byte without a UTF-16/32 byte-order mark is binary data (as a UTF-16 file without its BOM would be).
UNDECODABLE = bytes([0x81, 0x30, 0xFF, 0x00, 0xC3, 0xFF]) * 40


@pytest.mark.parametrize("parser, name", [(WeChatParser(), "奶奶.txt"), (WeChatParser(), "奶奶_utf8.csv"),
                                          (QQParser(), "全部消息记录.txt")])
def test_an_export_in_an_unknown_encoding_is_one_clear_error(parser: object, name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    error = parse_error(parser, path, UNDECODABLE, match="unknown encoding")
    assert str(path) in error.where
    assert "UTF-8" in str(error.hint)


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=1, max_size=200))
def test_any_undecodable_prefix_is_refused_before_anything_is_read(tmp_path: Path, junk: bytes) -> None:
    path = tmp_path / "奶奶.txt"
    error = parse_error(WeChatParser(), path, b"\xff\xff" + junk + UNDECODABLE)
    assert str(path) in error.where
