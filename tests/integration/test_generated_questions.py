"""Memories with no stored question, through the real engine (real MiniLM, the real word model): a
folder of loose letter lines is answered by the questions their words answer (question_gen.py),
only vectors of those questions reach the disk, and questions about things the letters never
mention are declined; the demo persona with every stored question hidden does not start answering
with wrong memories (it did: 72 of 116 tuning questions before the answer route judged such replies)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.models.store import default_models_dir
from companion.persona.eval import build_inputs
from companion.persona.retrieval import RetrievalPersona, load_retrieval_persona

pytestmark = pytest.mark.integration

DEMO_DIR = Path(__file__).resolve().parents[2] / "device" / "companion" / "personas" / "walter"
LETTERS = {
    "wed": "We got married in June 1961, in St. Anne's church in Millbrook. It rained all morning and cleared up for the photos.",
    "born": "I was born in 1939 on a farm outside Castleton, the youngest of six.",
    "job": "I worked as a telephone operator for twenty-two years. You learn a lot about a town listening to its calls.",
    "kids": "Three children: your mother, your uncle Paul and your aunt Teresa. Paul was the troublemaker.",
    "storm": "The ice storm of 1978 knocked the power out for nine days. We cooked on the wood stove.",
    "quilt": "I love quilting. I've made a quilt for every grandchild, yours has the blue stars.",
    "book": "Little Women. I read it every winter when I was a girl, and I cried at the same part every time.",
    "travel": "The farthest I ever went was Niagara Falls on our honeymoon. We got soaked on the boat.",
    "fear": "Thunderstorms scare me to this day. I'd hide in the pantry with the radio on.",
    "brother": "My brother Frank went to Alaska to fish when he was nineteen and stayed for thirty years.",
}


@pytest.fixture(scope="module")
def models() -> Path:
    found = default_models_dir()
    if not (found / "embed-minilm" / "model.onnx").is_file():
        pytest.skip("the embedding model is not installed (companion models install)")
    return found


def _letters(root: Path) -> Path:
    folder = root / "rosa"
    folder.mkdir(parents=True)
    (folder / "persona.toml").write_text('name = "Rosa"\ndisplay_name = "Grandma Rosa"\ndescription = "letters"\nlanguage = "en"\n'
                                         'fallback_replies = ["Oh, honey, I don\'t remember that."]\n', encoding="utf-8")
    (folder / "messages.jsonl").write_text("".join(json.dumps({"id": k, "text": t}) + "\n" for k, t in LETTERS.items()),
                                           encoding="utf-8")
    return folder


def _spoken(persona: RetrievalPersona, question: str) -> str | None:
    (reply,) = list(persona.respond(question, ()))
    return reply.source.message_id if reply.kind.value == "memory" else None


def test_loose_letters_are_answered_by_their_questions_and_keep_no_words_on_disk(models: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    persona = load_retrieval_persona(_letters(tmp_path), models, cache)
    generated = persona.generated
    assert generated is not None and len(generated) >= len(LETTERS)
    for path in cache.iterdir():
        raw = path.read_bytes()
        assert b"Millbrook" not in raw and b"telephone" not in raw and b"married" not in raw, path
    assert _spoken(persona, "How many kids did you have?") == "kids"
    assert _spoken(persona, "When did you and grandpa get married?") == "wed"
    for absent in ("Have you ever been to Hawaii?", "Did you ever play tennis?", "What was your blood type?"):
        assert _spoken(persona, absent) is None, absent
    again = load_retrieval_persona(_letters(tmp_path / "again"), models, cache)  # read back, not re-embedded
    assert again.generated is not None and (again.generated.vectors == generated.vectors).all()


def test_the_demo_persona_without_stored_questions_declines_what_it_never_said(models: Path, tmp_path: Path) -> None:
    persona = load_retrieval_persona(DEMO_DIR, models, tmp_path)
    inputs = build_inputs(persona)
    loose = persona.subset(hide_contexts=frozenset(m.id for m in persona.folder.messages))
    wrong = sum(_spoken(loose, question) is not None for question in inputs.absent)
    assert wrong <= 1, wrong
    answered = [(q, _spoken(loose, q.question)) for q in inputs.facts]
    wrong_memories = [q.question for q, spoken in answered if spoken is not None and spoken not in inputs.expected[q.message_id]]
    assert len(wrong_memories) <= 5, wrong_memories
