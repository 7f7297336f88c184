"""A Chinese held-out set (written by h16zh2 before tuning the Chinese answer route, 2026-12-07):
a grandfather's (外公) WeChat chat with his grandchild, exported in MemoTrace's CSV layout and
imported into an encrypted bundle through the `companion` command, then asked paraphrased
questions (worded as a grandchild would ask aloud, not the stored question) and questions about
things he never talked about. MEASURE ONLY: never tune a threshold or a rule on these numbers (the
dev split of tests/data/retrieval is the tuning set); they are reported separately.

    PYTHONPATH=device:tests python tests/bench/zh_holdout_waigong.py [--details]

Prints JSON like dev_listen.py: right / wrong memory with the stored question visible and hidden,
absent questions declined, retrieval p50 latency.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import dev_listen  # noqa: E402  (after the sys.path line)
from companion.models.store import default_models_dir  # noqa: E402  (after the sys.path line)
from companion.persona.ingest.wechat import CSV_COLUMNS  # noqa: E402  (after the sys.path line)
from companion.persona.retrieval import load_retrieval_persona  # noqa: E402  (after the sys.path line)

WAIGONG = ("外公", "老周", "wxid_zhou46")
GRANDCHILD = ("", "小雨", "wxid_yu03")

# (grandchild's message or None when he writes first, his reply)
CHAT = [
    ("外公，你年轻时候在哪儿上班？", "我在宝鸡铁路局开火车，开了整整三十二年。"),
    ("外公你是哪一年出生的？", "我是1946年生的，属狗。"),
    ("外婆是怎么认识你的？", "是厂里的王师傅介绍的，第一次见面在渭河边上，她穿一件蓝布褂子。"),
    ("你最爱吃什么？", "最爱吃油泼面，多放辣子，再来一瓣蒜。"),
    ("外公你会下象棋吗？", "会下，年轻时候在车间里跟老李天天下，他老输给我。"),
    ("你养过什么动物？", "养过一条大黄狗，叫虎子，跟了我十四年。"),
    ("你们家以前有几个孩子？", "我们兄弟姊妹五个，我排老三。"),
    ("你当过兵吗？", "当过，一九六五年去的新疆，在部队待了四年。"),
    ("外公你怎么学会拉二胡的？", "是我父亲教的，他以前在庙会上拉。"),
    ("你去过北京吗？", "去过一回，1976年开车送货去的，在天安门前照了张相。"),
    ("你身体还好吗？", "好着呢，每天早上去公园打太极拳，一打就是一个钟头。"),
    ("你和外婆是哪年结婚的？", "1970年腊月结的婚，那时候就摆了三桌酒。"),
    ("妈妈小时候调皮吗？", "你妈小时候可调皮了，爬到树上摘杏子，摔下来缝了三针。"),
    ("你第一个月工资多少钱？", "第一个月拿了二十八块五，全交给你太奶奶了。"),
    ("你喜欢听什么戏？", "爱听秦腔，最爱《三滴血》。"),
    ("你老家在哪里？", "老家在陕西岐山县的一个小村子，叫枣林村。"),
    ("外公，你抽烟吗？", "早戒了，2003年生了场病以后就再没抽过。"),
    ("你会做饭吗？", "会擀面，面擀得又薄又筋道，你外婆都夸我。"),
    ("你喝酒吗", "逢年过节喝两盅西凤酒，平时不喝。"),
    ("你还记得你的老师吗？", "记得，小学的刘老师，教我写毛笔字，对我可严了。"),
    ("你坐过飞机吗？", "坐过一次，去广州看你舅舅，晕得厉害。"),
    ("你最难忘的一件事是什么？", "最难忘的是1981年发大水，我们开着火车把一村子的人拉出来。"),
    ("你平时几点睡觉？", "九点就睡了，早上五点起来。"),
    ("你们那时候过年吃什么？", "过年吃臊子面和饺子，还要蒸一大锅白馍。"),
    ("你喜欢什么花？", "喜欢月季，阳台上种了六盆。"),
    ("你小时候上过学吗？", "念到初中二年级，家里穷就不念了。"),
    ("你会骑自行车吗？", "会，我那辆永久牌自行车骑了二十多年。"),
    ("外公你退休以后干嘛？", "退休以后在小区看大门，还帮人修收音机。"),
    ("舅舅是哪年出生的？", "你舅舅是1972年出生的，比你妈大两岁。"),
    ("你最好的朋友是谁？", "老李，李建国，我们一起进的铁路局。"),
    ("外公，我到学校了", "到了就好，记得给你妈打电话。"),
    (None, "今天去菜市场买了二斤韭菜，包了韭菜盒子。"),
    (None, "昨天梦见你外婆了，她还是二十岁的样子。"),
    ("外公晚安", "晚安，早点睡。"),
    ("我考试考砸了", "没事，下回好好考，外公小时候也考过不及格。"),
]

# Paraphrased questions -> a regex on the reply that answers them.
ANSWERABLE = {
    "你以前是干什么工作的？": "开火车",
    "你属什么的？": "属狗",
    "你跟外婆当初是谁牵的线？": "王师傅",
    "你最喜欢吃的饭是啥？": "油泼面",
    "你在部队待过吗？": "新疆",
    "你家兄弟姐妹几个？": "老三",
    "二胡是谁教你的？": "父亲教",
    "你平时早上锻炼吗？": "太极拳",
    "你们结婚摆了几桌？": "三桌",
    "我妈小时候淘气吗？": "杏子",
    "你刚上班的时候挣多少钱？": "二十八块",
    "你爱听哪出戏？": "秦腔",
    "你是哪个村的人？": "枣林村",
    "你现在还抽不抽烟？": "戒了",
    "你养过狗没有？": "虎子",
    "你擅长做啥吃的？": "擀面",
    "过节你喝不喝酒？": "西凤",
    "教你写字的老师是谁？": "刘老师",
    "你这辈子印象最深的事是什么？": "发大水",
    "你晚上一般几点睡？": "九点",
    "你们过去过年都吃点啥？": "臊子面",
    "阳台上种的是什么花？": "月季",
    "你书念到几年级？": "初中",
    "退休了你都干些什么？": "看大门",
    "我舅舅是哪一年生的？": "1972",
    "你跟谁关系最铁？": "李建国",
    "你去过天安门没有？": "天安门",
    "你坐飞机晕不晕？": "广州",
    "你火车开了多少年？": "三十二年",
    "你那辆自行车是什么牌子？": "永久",
}
ABSENT = [
    "你会游泳吗？", "你去过上海吗？", "你会包粽子吗？", "你养过猫吗？", "你学过英语吗？", "你打过麻将吗？",
    "你最喜欢哪个歌星？", "你拔过牙吗？", "你钓过鱼吗？", "你爱吃海鲜吗？", "你第一次看电视是什么时候？",
    "你种过水稻吗？", "你会织毛衣吗？", "你去过西湖吗？", "你喜欢下雨天吗？", "你小时候放过风筝吗？",
    "你喜欢喝咖啡吗？", "你会写诗吗？", "你跳过广场舞吗？", "你滑过冰吗？",
]


def memotrace_csv(path: Path) -> Path:
    """The chat as MemoTrace (WeChatMsg) writes it: the exporting grandchild's rows carry IsSender=1."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    stamp, number = 1_600_000_000, 0
    for asked, reply in CHAT:
        stamp += 86_400
        for sender, text in (("1", asked), ("0", reply)):
            if text is None:
                continue
            number += 1
            stamp += 120
            names = GRANDCHILD if sender == "1" else WAIGONG
            when = f"2020-{(number // 50) % 12 + 1:02d}-{number % 28 + 1:02d} 19:{number % 60:02d}:00"
            writer.writerow([number, "7", "1", "0", sender, str(stamp), "2", text, when, *names])
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


def companion(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "companion", *args], env=env, capture_output=True, text=True,
                          timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"companion {args[:2]} failed: {done.stderr}")


def make_bundle(root: Path) -> tuple[Path, Path]:
    key = root / "persona.key"
    key.write_text("外公的家庭密码 a long family passphrase\n", encoding="utf-8")
    # The consent key lives under XDG_STATE_HOME: this process (which loads the bundle) uses the same.
    os.environ.update(XDG_CACHE_HOME=str(root / "xdg-cache"), XDG_STATE_HOME=str(root / "xdg-state"))
    env = dict(os.environ, COMPANION_PERSONA_KEY_FILE=str(key))
    bundle = root / "waigong"
    companion(["persona", "create", "外公", "--dir", str(bundle), "--language", "zh", "--status", "deceased",
               "--authorised-by", "小雨", "--relationship", "grandchild", "--audience", "household", "--adult",
               "--confirm", "--fallback", "这个外公记不清了。"], env)
    companion(["persona", "import", str(bundle), "--speaker", "外公", "--json", str(memotrace_csv(root / "外公.csv"))],
              env)
    return bundle, key


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args()
    details: dict = {}
    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bundle, key = make_bundle(root)
        engine = load_retrieval_persona(bundle, default_models_dir(), root / "cache", key_file=key)
        sets = {"answerable": ANSWERABLE, "absent": ABSENT}
        result = {"waigong": dev_listen.run(engine, sets, details, "waigong", times),
                  "ms_p50": round(1000 * statistics.median(times), 2)}
    print(json.dumps(result))
    if args.details:
        print(json.dumps(details, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
