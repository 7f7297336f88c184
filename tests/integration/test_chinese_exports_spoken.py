"""Issue 16, done-when: a grandmother's WeChat CSV (MemoTrace layout) and a grandfather's QQ text
export each become an encrypted, consented bundle through the `companion` command; a spoken
Mandarin question gets his or her own words back, spoken in a Mandarin voice, after the Chinese
disclosure.

The exports are written in the tools' real layouts (MemoTrace's CSV columns with `IsSender`; QQ's
message-manager text export in GB18030). The questions are synthesized here with espeak-ng's
Mandarin voice and heard by Whisper with the language set to Chinese.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from companion.audio.wavfile import read_wav, write_wav
from companion.persona.ingest.wechat import CSV_COLUMNS
from support.cli import run_companion

pytestmark = pytest.mark.integration

_HAN = re.compile(r"[\u4e00-\u9fff]")
GRANDMA = ("奶奶", "Rose", "wxid_rose01")
GRANDCHILD = ("", "小明", "wxid_ming02")
KNITTING = "会啊，我年轻的时候给你爸爸织过好多毛衣，红的蓝的都有。"
NOODLES = "面条要用鸡汤煮，最后放一把葱花，你爷爷最爱吃。"
BIKE_HELMET = "骑车一定要戴头盔，路上慢一点。"
SINGING = "喜欢啊，年轻的时候在村里的合唱团唱了十年。"

# (IsSender, text, time): 1 = the grandchild who exported the chat, 0 = grandma.
WECHAT_ROWS = [
    ("1", "奶奶，你会织毛衣吗？", "2021-11-02 19:01:00"),
    ("0", KNITTING, "2021-11-02 19:03:00"),
    ("1", "奶奶，面条怎么煮才好吃？", "2021-11-20 12:10:00"),
    ("0", NOODLES, "2021-11-20 12:14:00"),
    ("1", "我同学的电话是13912345678，你有事可以找她", "2021-12-01 09:00:00"),
    ("0", "好的，知道了。", "2021-12-01 09:02:00"),
    ("1", "奶奶晚安", "2021-12-05 22:00:00"),
    ("0", "晚安，早点睡，别玩手机了。", "2021-12-05 22:01:00"),
]

QQ_EXPORT = f"""消息记录（此消息记录为文本格式，不支持重新导入）

================================================================
消息分组:我的好友
================================================================
消息对象:爷爷
================================================================

2012-03-04 12:34:56 小明(20005678)
爷爷，我买了新自行车

2012-03-04 12:35:10 爷爷(10001234)
真漂亮！

2012-03-04 12:35:40 小明(20005678)
[图片]

2012-03-04 12:36:02 爷爷(10001234)
{BIKE_HELMET}

2012-04-10 20:00:00 小明(20005678)
爷爷，你小时候住在哪里？

2012-04-10 20:03:00 爷爷(10001234)
我小时候住在河边的小村子里，夏天天天下河游泳。

2012-05-01 19:30:00 小明(20005678)
爷爷，你喜欢唱歌吗？

2012-05-01 19:32:00 爷爷(10001234)
{SINGING}
"""


def memotrace_csv(path: Path) -> Path:
    """A 1:1 chat as MemoTrace (WeChatMsg) writes it: the owner's rows carry IsSender=1."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for number, (sender, text, stamp) in enumerate(WECHAT_ROWS, 1):
        names = GRANDCHILD if sender == "1" else GRANDMA
        writer.writerow([number, "3", "1", "0", sender, "1635850860", "2", text, stamp, *names])
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


def mandarin(text: str, path: Path) -> Path:
    from companion.tts.espeak import EspeakSynthesizer

    voice = EspeakSynthesizer("cmn-latn-pinyin", words_per_minute=100)  # slow: espeak-ng's Mandarin is rough
    lead = np.zeros(voice.sample_rate // 2, dtype=np.int16)
    write_wav(path, np.concatenate([lead, voice.synthesize(text)]), voice.sample_rate)
    return path


def make_bundle(name: str, export: Path, speaker: str, folder: Path, env: dict[str, str]) -> Path:
    bundle = folder / "bundle"
    created = run_companion(["persona", "create", name, "--dir", str(bundle), "--language", "zh",
                             "--status", "deceased", "--authorised-by", "小明", "--relationship", "grandchild",
                             "--audience", "household", "--adult", "--confirm", "--fallback", "这个我记不清了。"], env)
    assert created.returncode == 0, created.stderr
    imported = run_companion(["persona", "import", str(bundle), "--speaker", speaker, "--json", str(export)], env)
    assert imported.returncode == 0, imported.stderr
    summary = json.loads(imported.stdout)
    assert summary["totals"]["kept"] >= 3, summary
    return bundle


def spoken_turn(bundle: Path, question: str, tmp_path: Path, env: dict[str, str]) -> tuple[dict, Path]:
    reply_wav = tmp_path / "reply.wav"
    done = run_companion(["converse", "--persona", str(bundle), "--input", str(mandarin(question, tmp_path / "q.wav")),
                          "--output", str(reply_wav), "--json"], env, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), reply_wav


def syllables(text: str) -> set[str]:
    """The Mandarin syllables of ``text`` without tones, as espeak-ng's pinyin reader spells them:
    Whisper hears espeak's rough Mandarin as homophones (喜欢 -> 西方), so the words it writes back
    are compared by sound, not by character."""
    spelled = subprocess.run(["espeak-ng", "-q", "-x", "-v", "cmn-latn-pinyin", text], capture_output=True,
                             text=True, check=True, timeout=30).stdout
    return {re.sub(r"[\d'_|,;]", "", token) for token in spelled.split()} - {""}


def heard_in(reply_wav: Path, ear: object) -> str:
    """What Whisper (language set to Chinese) hears in the spoken reply, in simplified characters."""
    from opencc import OpenCC

    pcm, rate = read_wav(reply_wav)
    assert np.sqrt(np.mean(pcm.astype(np.float64) ** 2)) > 300
    return str(OpenCC("t2s").convert(ear.transcribe(pcm, rate).text))  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def mandarin_ear(test_settings):  # type: ignore[no-untyped-def]
    """An independent listener: Whisper base told to expect Chinese."""
    from companion.asr.whisper import FasterWhisperRecognizer

    return FasterWhisperRecognizer(Path(test_settings.paths.models) / "asr-base", language="zh")


@pytest.fixture()
def env(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    key = tmp_path / "persona.key"
    key.write_text("一个很长的家庭密码 long family passphrase\n", encoding="utf-8")
    return dict(cli_env, COMPANION_PERSONA_KEY_FILE=str(key))


@pytest.mark.parametrize("tool", ["wechat", "qq"])
def test_a_chinese_export_becomes_a_persona_that_answers_a_spoken_question(
    tool: str, env: dict[str, str], mandarin_ear, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    if tool == "wechat":
        export = memotrace_csv(tmp_path / "奶奶_utf8.csv")
        bundle = make_bundle("奶奶", export, "奶奶", tmp_path / "nainai", env)
        question, expected = "你会织毛衣吗？", KNITTING
    else:
        export = tmp_path / "全部消息记录.txt"
        export.write_text(QQ_EXPORT, encoding="gb18030")
        bundle = make_bundle("爷爷", export, "爷爷", tmp_path / "yeye", env)
        question, expected = "你以前喜欢唱歌吗？", SINGING

    result, reply_wav = spoken_turn(bundle, question, tmp_path, env)
    assert _HAN.search(result["transcript"]), result
    assert result["reply_source"]["kind"] == "memory", result
    assert result["reply"] == expected, result

    # Spoken in Mandarin, the Chinese disclosure first: Whisper hears characters, not "Chinese letter".
    heard = heard_in(reply_wav, mandarin_ear)
    assert len(_HAN.findall(heard)) >= 20, heard
    assert any(word in heard[: len(heard) // 2] for word in ("人工", "智能", "消息", "本人")), heard
    # espeak-ng's Mandarin is rough: most of the reply's syllables heard back (by sound) is Mandarin
    # speech of the reply (the English voice reading characters gives none).
    reply_sounds = syllables(expected)
    assert len(reply_sounds & syllables(heard[len(heard) // 3:])) >= 0.4 * len(reply_sounds), heard

    # The grandchild's own words and a friend's number never became the persona's.
    from companion.persona.bundle.store import Bundle

    key = Path(env["COMPANION_PERSONA_KEY_FILE"]).read_bytes().strip()
    with Bundle.open(bundle, key) as opened:
        persona = [row[0] for row in opened.db.execute("SELECT text FROM records WHERE role = 'persona'")]
        everything = " ".join(row[0] for row in opened.db.execute("SELECT text FROM records"))
    assert persona and not any(text.startswith(("奶奶", "爷爷，")) for text in persona), persona
    assert "13912345678" not in everything
