"""Labelled retrieval sets (tests/data/retrieval): a persona's memories and paraphrased questions.

Each set has a ``dev`` split (the only one thresholds and weights may be calibrated on, see
tests/data/retrieval/calibrate.py) and a ``test`` split (only measured). Questions are
paraphrases written for this set, not the memories' own wording; ``absent`` questions ask about
things the person never talked about and must be declined.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "retrieval"
FALLBACKS = {"zh": ("哎呀，这个我记不清了。", "这个奶奶想不起来了，你再问问别的吧。"),
             "en": ("Oh, I don't remember that, dear.", "My memory fails me on that one.")}


@dataclass(frozen=True)
class Question:
    split: str
    expected: str  # a memory id, or "absent"
    text: str


def memories(lang: str, file: str = "memories") -> list[tuple[str, str | None, str]]:
    rows = []
    for line in (DATA / f"{lang}_{file}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            ident, context, text = line.split("\t")
            rows.append((ident, context or None, text))
    return rows


def questions(lang: str, split: str) -> list[Question]:
    out = []
    for line in (DATA / f"{lang}_questions.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            s, expected, text = line.split("\t")
            if s == split:
                out.append(Question(s, expected, text))
    return out


EVAL_PERSONA_ZH = "eval_persona"
"""zh_eval_persona.tsv: a grandmother (姥姥) in Yantai, 146 exchanges of her WeChat history, written
for `persona eval`'s Chinese table only (enough exchanges with names and numbers for >= 20 reworded
questions). Nothing is tuned on it; the dev split of zh_questions.tsv is for that."""


def write_persona(lang: str, folder: Path, name: str = "nainai", *, consent: bool = False,
                  file: str = "memories") -> Path:
    """The memories as a persona folder (persona.toml + messages.jsonl, and a signed consent.json)."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    display = ("姥姥" if file == EVAL_PERSONA_ZH else "奶奶") if lang == "zh" else "Grandma"
    lines = FALLBACKS[lang] if display != "姥姥" else ("哎呀，这个姥姥记不清了。", "这个姥姥想不起来了，你问问你妈吧。")
    fallbacks = ", ".join(json.dumps(f, ensure_ascii=False) for f in lines)
    (folder / "persona.toml").write_text(
        f'name = "{name}"\ndisplay_name = "{display}"\ndescription = "test persona"\nlanguage = "{lang}"\n'
        f"fallback_replies = [{fallbacks}]\n", encoding="utf-8")
    with (folder / "messages.jsonl").open("w", encoding="utf-8") as handle:
        for ident, context, text in memories(lang, file):
            record = {"id": ident, "text": text}
            if context:
                record["context"] = context
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    if consent:
        _sign_consent(folder, display)
    return folder


def _sign_consent(folder: Path, person: str) -> None:
    """A signed consent record over the messages (a grandchild authorising the late grandmother)."""
    import datetime as dt
    import hashlib

    from companion.consent import default_authority, new_record

    valid_until = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    record = new_record(persona_name=person, authorised_by="小明", relationship="grandchild", status="deceased",
                        audience=["household"], valid_until=valid_until, owner_is_adult=True, bundle_id="plain")
    record = record.with_sources([hashlib.sha256((folder / "messages.jsonl").read_bytes()).hexdigest()])
    (folder / "consent.json").write_text(default_authority().sign(record).to_json(), encoding="utf-8")


def measure(persona, qs: list[Question]) -> dict[str, float]:
    """Share of in-data questions answered with the right memory, and of absent ones declined."""
    right = declined = answerable = absent = 0
    for q in qs:
        best = persona.scores(q.text)
        index = int(best.argmax())
        answered = float(best[index]) >= persona.min_score
        if q.expected == "absent":
            absent += 1
            declined += not answered
        else:
            answerable += 1
            right += answered and persona.folder.messages[index].id == q.expected
    return {"answered_right": right / max(1, answerable), "declined": declined / max(1, absent),
            "answerable": answerable, "absent": absent}
