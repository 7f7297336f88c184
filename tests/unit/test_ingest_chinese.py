"""Issue 16 item 1: WeChat CSV honours IsSender (MemoTrace old and new layouts, both PyWxDump
layouts); QQ replies either side of the listener's photo stay two answers; speaker aliases."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.consent import new_record
from companion.persona.bundle.importer import import_files
from companion.persona.bundle.pairing import SKIP_PRIVATE
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id
from companion.persona.ingest import SELF
from companion.persona.ingest.wechat import CSV_COLUMNS, WeChatParser

PARTNER = ("奶奶", "Rose", "wxid_rose01")
OWNER = ("", "小明", "wxid_ming02")


def memotrace_csv(path: Path, *, owner_rows_name_owner: bool) -> Path:
    """A 1:1 chat as MemoTrace writes it: older versions put the partner's names on every row,
    newer ones the owner's own names on the owner's rows (IsSender=1)."""
    rows = [
        ("1", "0", "早上好！今天天气真好", "2023-05-01 08:01:00"),
        ("1", "1", "奶奶早！我朋友小王的电话是13912345678", "2023-05-01 08:02:00"),
        ("1", "0", "别紧张，你一定行的", "2023-05-01 08:03:00"),
        ("3", "1", "", "2023-05-01 08:04:00"),
        ("1", "0", "记得吃早饭", "2023-05-01 08:05:00"),
        ("1", "0", "银行卡密码是 4821，别告诉别人", "2023-05-01 08:20:00"),
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for number, (kind, sender, text, stamp) in enumerate(rows, 1):
        names = OWNER if sender == "1" and owner_rows_name_owner else PARTNER
        writer.writerow([number, "3", kind, "0", sender, "1682899200", "2", text, stamp, *names])
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


@pytest.mark.parametrize("new_layout", [False, True])
def test_memotrace_is_sender_rows_are_the_owners(tmp_path: Path, new_layout: bool) -> None:
    path = memotrace_csv(tmp_path / "奶奶_utf8.csv", owner_rows_name_owner=new_layout)
    records = [r for r in WeChatParser().parse(path) if r.text]
    speakers = [r.speaker for r in records]
    owner = "小明" if new_layout else SELF
    assert speakers == ["奶奶", owner, "奶奶", "奶奶", "奶奶"]
    assert records[0].aliases == ("Rose", "wxid_rose01")
    assert SELF in records[1].aliases or records[1].speaker == SELF


@pytest.fixture()
def bundle(tmp_path: Path) -> Iterator[Bundle]:
    bundle_id = new_bundle_id()
    consent = new_record(persona_name="奶奶", authorised_by="小明", relationship="grandchild", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=bundle_id)
    card = PersonaCard(name="奶奶", display_name="奶奶", language="zh", fallback_replies=("忘了。",))
    with Bundle.create(tmp_path / "b", b"passphrase-123", card, consent) as opened:
        yield opened


@pytest.mark.parametrize("speaker", ["Rose", "奶奶", "wxid_rose01"])
def test_import_by_nickname_or_remark_keeps_only_grandmas_words(tmp_path: Path, bundle: Bundle, speaker: str) -> None:
    path = memotrace_csv(tmp_path / "奶奶_utf8.csv", owner_rows_name_owner=False)
    [summary] = import_files(bundle, [path], fmt="auto", speaker=speaker, progress=False)
    persona = [row[0] for row in bundle.db.execute("SELECT text FROM records WHERE role = 'persona' ORDER BY id")]
    assert persona == ["早上好！今天天气真好", "别紧张，你一定行的", "记得吃早饭"]
    assert summary.skipped[SKIP_PRIVATE] == 1  # the bank PIN is never stored
    everything = " ".join(row[0] for row in bundle.db.execute("SELECT text FROM records"))
    assert "13912345678" not in everything  # the friend's number the grandchild typed
    # the owner's photo between two of grandma's replies ends the first answer
    answers = [row[0] for row in bundle.db.execute("SELECT answer FROM reply_pairs ORDER BY id")]
    assert "记得吃早饭" in answers and all("你一定行的" not in a or "早饭" not in a for a in answers)


def test_pywxdump_both_layouts_honour_is_sender(tmp_path: Path) -> None:
    new = tmp_path / "new" / "wxid_rose01_0_5001.csv"
    old = tmp_path / "old" / "wxid_rose01_0_5001.csv"
    new.parent.mkdir()
    old.parent.mkdir()
    new.write_text("id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime\n"
                   "1,71,文本,0,wxid_rose01,wxid_rose01,吃饭了吗,,2023-05-01 08:01:00\n"
                   "2,72,文本,1,wxid_ming02,wxid_rose01,吃了,,2023-05-01 08:02:00\n", encoding="utf-8")  # fmt: skip
    cell = json.dumps({"src": "", "msg": "吃饭了吗"}, ensure_ascii=False)
    mine = json.dumps({"src": "", "msg": "吃了"}, ensure_ascii=False)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "content", "CreateTime"])
    writer.writerow([1, 71, "文本", 0, "wxid_rose01", "wxid_rose01", cell, "2023-05-01 08:01:00"])
    writer.writerow([2, 72, "文本", 1, "我", "wxid_rose01", mine, "2023-05-01 08:02:00"])
    old.write_text(buffer.getvalue(), encoding="utf-8")
    (new.parent / "users.json").write_text(json.dumps({"wxid_rose01": {"remark": "奶奶", "nickname": "Rose"}}))
    for path in (new, old):
        records = list(WeChatParser().parse(path))
        assert [(r.text, r.speaker == SELF or SELF in r.aliases) for r in records] == [("吃饭了吗", False), ("吃了", True)]
    assert list(WeChatParser().parse(new))[0].aliases == ("wxid_rose01", "Rose")


QQ = """消息记录（此消息记录为文本格式，不支持重新导入）

================================================================
消息分组:我的好友
================================================================
消息对象:爷爷
================================================================

2012-03-04 12:34:56 小明(20005678)
爷爷，这是我的新自行车

2012-03-04 12:35:10 爷爷(10001234)
真漂亮！

2012-03-04 12:35:40 小明(20005678)
[图片]

2012-03-04 12:36:02 爷爷(10001234)
骑车要戴头盔。
"""


def test_qq_replies_either_side_of_the_listeners_photo_stay_separate(tmp_path: Path, bundle: Bundle) -> None:
    path = tmp_path / "爷爷.txt"
    path.write_text(QQ, encoding="gb18030")
    import_files(bundle, [path], fmt="auto", speaker="爷爷", progress=False)
    answers = [row[0] for row in bundle.db.execute("SELECT answer FROM reply_pairs ORDER BY id")]
    assert answers == ["真漂亮！", "骑车要戴头盔。"]


MHT_ROW = ("<tr><td><div style=color:{color};padding-left:10px;><div style=float:left;margin-right:6px;>{name}"
           "</div>{time}</div><div style=padding-left:20px;><font style=\"font-size:9pt;font-family:'宋体',"
           "MS Sans Serif,sans-serif;\" color='000000'>{body}</font></div></td></tr>")


def qq_mht(path: Path) -> Path:
    """A QQ message-manager MHT in the layout QQ writes (one <tr> per line, images after the HTML)."""
    boundary = "----=_NextPart_A240C18D_603F_466a_8338.0D1C1796EFC3"
    rows = [
        "<tr><td><div style=padding-left:10px;><br><b>消息记录</b>（此消息记录为文本格式，不支持重新导入）<br><br></div></td></tr>",
        "<tr><td><div style=padding-left:10px;>消息分组:我的好友</div></td></tr>",
        "<tr><td><div style=padding-left:10px;>消息对象:爷爷</div></td></tr>",
        "<tr><td><div style=padding-left:10px;>&nbsp;</div></td></tr>",
        "<tr><td style=border-bottom-width:1px;border-bottom-color:#8EC3EB;border-bottom-style:solid;"
        "color:#3568BB;font-weight:bold;height:24px;line-height:24px;padding-left:10px;margin-bottom:5px;>"
        "日期: 2012-03-04</td></tr>",
        MHT_ROW.format(color="#42B475", name="小明", time="12:34:56", body="爷爷，这是我的新自行车"),
        MHT_ROW.format(color="#006EFE", name="爷爷", time="12:35:10", body="真漂亮！&lt;3<br>慢点骑"),
        MHT_ROW.format(color="#42B475", name="小明", time="12:35:40",
                       body='<IMG src="{3D48C238-CD47-4d17-9C8F-3593C6D4738B}.dat">'),
        MHT_ROW.format(color="#006EFE", name="爷爷", time="12:36:02", body="骑车要戴头盔。"),
    ]
    head = ("From: <Save by Tencent MsgMgr>\r\nSubject: Tencent IM Message\r\nMIME-Version: 1.0\r\n"
            f"Content-Type:multipart/related;\r\n\tcharset=\"utf-8\"\r\n\ttype=\"text/html\";\r\n\tboundary=\"{boundary}\"\r\n\r\n"
            f"--{boundary}\r\nContent-Type:text/html\r\nContent-Transfer-Encoding:7bit\r\n\r\n")
    page = ('<html xmlns="http://www.w3.org/1999/xhtml"><head><meta http-equiv="Content-Type" content="text/html; '
            'charset=UTF-8" /><title>QQ Message</title></head><body><table width=100% cellspacing=0>\r\n'
            + "\r\n".join(rows) + "\r\n</table></body></html>\r\n")
    image = (f"\r\n--{boundary}\r\nContent-Type:image/jpeg\r\nContent-Transfer-Encoding:base64\r\n"
             "Content-Location:{3D48C238-CD47-4d17-9C8F-3593C6D4738B}.dat\r\n\r\n/9j/4AAQSkZJRgABAQEAYABgAAD=\r\n"
             f"\r\n--{boundary}--\r\n")
    path.write_bytes((head + page + image).encode("utf-8"))
    return path


def test_qq_mht_export(tmp_path: Path, bundle: Bundle) -> None:
    from companion.persona.ingest import detect_format
    from companion.persona.ingest.qq import QQParser

    path = qq_mht(tmp_path / "爷爷.mht")
    assert detect_format(path) == "qq"
    records = list(QQParser().parse(path))
    assert [(r.speaker, r.text, r.attachments, r.conversation) for r in records] == [
        ("小明", "爷爷，这是我的新自行车", (), "爷爷"),
        ("爷爷", "真漂亮！<3\n慢点骑", (), "爷爷"),
        ("小明", "", ("image",), "爷爷"),
        ("爷爷", "骑车要戴头盔。", (), "爷爷"),
    ]
    assert str(records[0].time) == "2012-03-04 12:34:56"
    import_files(bundle, [path], fmt="auto", speaker="爷爷", progress=False)
    answers = [row[0] for row in bundle.db.execute("SELECT answer FROM reply_pairs ORDER BY id")]
    assert answers == ["真漂亮！<3\n慢点骑", "骑车要戴头盔。"]


def test_style_counts_characters_for_chinese() -> None:
    from companion.persona.bundle.style import summarise_style

    style = summarise_style(["早上好！今天天气真好", "别紧张，你一定行的", "记得吃早饭"])
    assert style.chinese and style.median_chars == 9
    assert style.lines()[0] == "typical message: 9 characters (median of 3)"
    english = summarise_style(["Cold butter, love.", "And a pinch of nutmeg."])
    assert not english.chinese and "words" in english.lines()[0]


def _mht_bytes() -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return qq_mht(Path(folder) / "x.mht").read_bytes()


from companion.persona.ingest.qq import QQParser  # noqa: E402
from unit.ingest_helpers import fuzz_test, mutated  # noqa: E402

test_fuzz_mutated_qq_mht = fuzz_test(QQParser, mutated(_mht_bytes()), "爷爷.mht")


def test_memotrace_csv_without_is_sender_is_one_clear_error(tmp_path: Path) -> None:
    from companion.persona.ingest import ExportFormatError, parse_export

    path = tmp_path / "奶奶_utf8.csv"
    path.write_text("localId,TalkerId,Type,SubType,CreateTime,Status,StrContent,StrTime,Remark,NickName\n"
                    "1,3,1,0,1682899260,2,早上好,2023-05-01 08:01:00,奶奶,Rose\n", encoding="utf-8-sig")
    with pytest.raises(ExportFormatError, match="lacks the column IsSender") as error:
        list(parse_export(path))
    assert "MemoTrace" in (error.value.hint or "")
