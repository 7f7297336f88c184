"""The learned crisis layer (issue 14): the numpy logistic regression, the shipped training rows, the cache,
the thresholds, and its place in the detector. The real embedder's behaviour is measured by
tests/redteam/crisis_eval.py and the red-team runner; here a small deterministic stand-in embeds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from companion.ethics import crisis_learned, logistic
from companion.ethics.crisis import CrisisDetector, Level
from companion.ethics.crisis_learned import LearnedCrisis, TrainingRow


def blobs(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[3.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0]])
    labels = np.repeat(np.arange(3), [40, 10, 60])
    return centres[labels] + rng.normal(size=(len(labels), 3)), labels


def test_the_fit_separates_three_classes_and_is_deterministic() -> None:
    x, y = blobs()
    model = logistic.fit(x, y, 3, l2=0.01, sample_weights=logistic.balanced_weights(y, 3))
    again = logistic.fit(x, y, 3, l2=0.01, sample_weights=logistic.balanced_weights(y, 3))
    assert np.array_equal(model.weights, again.weights) and np.array_equal(model.bias, again.bias)
    p = model.probabilities(x)
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert (p.argmax(axis=1) == y).mean() > 0.95
    assert model.probabilities(np.array([6.0, 0.0, 0.0]))[0, 0] > 0.9


def test_a_stronger_penalty_gives_smaller_weights_and_zero_is_refused() -> None:
    x, y = blobs()
    weak, strong = (logistic.fit(x, y, 3, l2=l2) for l2 in (0.001, 1.0))
    assert np.abs(strong.weights).sum() < np.abs(weak.weights).sum()
    with pytest.raises(ValueError):
        logistic.fit(x, y, 3, l2=0.0)


def test_balanced_weights_make_each_class_count_the_same() -> None:
    y = np.array([0, 0, 0, 1, 2, 2])
    w = logistic.balanced_weights(y, 3)
    assert [round(float(w[y == c].sum()), 6) for c in range(3)] == [2.0, 2.0, 2.0]


def test_the_shipped_rows_are_training_rows_only() -> None:
    rows = crisis_learned.shipped_rows()
    assert len(rows) > 800 and {r.label for r in rows} == set(crisis_learned.CLASSES)
    text = (Path(crisis_learned.__file__).with_name(crisis_learned.DATA_FILE)).read_text(encoding="utf-8")
    ids = [json.loads(line)["id"] for line in text.splitlines() if line.startswith("{")]
    held_out = ("ho-", "cho-", "p1-", "p2-", "p3-", "p4-", "p5-")
    assert ids and not [i for i in ids if i.startswith(held_out)]
    assert all(i.startswith(("ctr-", "b4-", "b5-", "b6-", "alive-", "crisis-", "fraud-", "injection-", "grief_benign-")) for i in ids)


def test_a_multi_turn_row_is_read_as_its_window_and_benign_turns_also_alone() -> None:
    rows = [TrainingRow(("I wrote something for the kids.", "It's for after I'm gone."), "crisis"),
            TrainingRow(("We went to the lake.", "It was lovely."), "benign")]
    texts, labels = crisis_learned.training_texts(rows)
    assert texts[0] == "I wrote something for the kids, It's for after I'm gone"
    assert texts[1:] == ["We went to the lake, It was lovely", "We went to the lake.", "It was lovely."]
    assert labels.tolist() == [0, 2, 2, 2]


class WordEmbedder:
    """Deterministic stand-in: the made-up word "zorp" (no rule knows it) points one way, "soon" another,
    anything else a third."""

    fingerprint = "test-embedder-1"

    def __init__(self) -> None:
        self.texts = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.texts += len(texts)
        out = np.zeros((len(texts), 3), dtype=np.float32)
        for i, t in enumerate(texts):
            t = t.lower()
            out[i] = [1.0, 0.0, 0.1] if "zorp" in t else [0.1, 1.0, 0.1] if "soon" in t else [0.0, 0.1, 1.0]
        return out / np.linalg.norm(out, axis=1, keepdims=True)


ROWS = ([TrainingRow((f"zorp zorp {i}",), "crisis") for i in range(6)]
        + [TrainingRow((f"see you soon {i}",), "ambiguous") for i in range(4)]
        + [TrainingRow((f"the garden is lovely {i}",), "benign") for i in range(8)])


def test_the_fit_is_cached_by_its_key_and_refitted_when_the_rows_change(tmp_path: Path) -> None:
    embedder = WordEmbedder()
    crisis_learned._FITTED.clear()
    first = crisis_learned.load_or_fit(embedder, tmp_path, embedder.fingerprint, ROWS)
    fitted_texts = embedder.texts
    assert crisis_learned.load_or_fit(embedder, None, embedder.fingerprint, ROWS) is first  # this process's fit
    crisis_learned._FITTED.clear()  # a new process: read from the cache dir
    second = crisis_learned.load_or_fit(embedder, tmp_path, embedder.fingerprint, ROWS)
    assert embedder.texts == fitted_texts  # read from the cache: nothing embedded again
    assert np.array_equal(first.weights, second.weights)
    crisis_learned.load_or_fit(embedder, tmp_path, embedder.fingerprint, ROWS[:-1])
    assert embedder.texts > fitted_texts  # other rows: another key, fitted again
    assert len(list((tmp_path / "crisis").glob("learned-*.npz"))) == 2
    crisis_learned.load_or_fit(embedder, None, None, ROWS)  # no cache dir: fitted, nothing written


def test_the_fit_made_at_install_is_read_from_the_models_dir_by_every_process(tmp_path: Path) -> None:
    embedder, models = WordEmbedder(), tmp_path / "models"
    crisis_learned._FITTED.clear()
    path = crisis_learned.fit_into_models(embedder, embedder.fingerprint, models)
    assert path.parent == models / crisis_learned.SHARED_FOLDER and path.is_file()
    fitted_texts = embedder.texts
    crisis_learned._FITTED.clear()  # the service, another process: reads the install's fit
    cache = tmp_path / "cache"
    model = crisis_learned.load_or_fit(embedder, cache, embedder.fingerprint, models_dir=models)
    assert embedder.texts == fitted_texts and model.weights.shape[0] == 3
    assert not (cache / "crisis").exists()  # nothing fitted, nothing cached


def test_a_corrupt_cache_file_is_fitted_again(tmp_path: Path) -> None:
    embedder = WordEmbedder()
    crisis_learned._FITTED.clear()
    crisis_learned.load_or_fit(embedder, tmp_path, embedder.fingerprint, ROWS)
    (cached,) = (tmp_path / "crisis").glob("learned-*.npz")
    cached.write_bytes(b"not a zip")
    crisis_learned._FITTED.clear()
    before = embedder.texts
    model = crisis_learned.load_or_fit(embedder, tmp_path, embedder.fingerprint, ROWS)
    assert model.weights.shape == (3, 3) and embedder.texts > before  # fitted again
    crisis_learned._FITTED.clear()
    assert np.array_equal(crisis_learned.load_or_fit(embedder, tmp_path, embedder.fingerprint, ROWS).weights,
                          model.weights)  # and the cache file rewritten


def learned(crisis: float = crisis_learned.CRISIS_THRESHOLD) -> LearnedCrisis:
    embedder = WordEmbedder()
    return LearnedCrisis(embedder, crisis_learned.fit_model(embedder, ROWS, l2=0.01), crisis_threshold=crisis,
                         check_in_threshold=0.9)


def test_the_thresholds_decide_the_verdict() -> None:
    layer = learned()
    assert layer("it is all zorp now") == "crisis"
    assert layer("I'll see you soon") == "ambiguous"
    assert layer("the roses are out") == "benign" and layer("  ") == "benign"
    assert learned(crisis=1.01)("it is all zorp now") == "ambiguous"  # above 1: never a break


class Scripted:
    """A scripted learned layer (crisis.LearnedLayer): ``verdict`` per text, p(crisis) 1 for a crisis verdict."""

    def __init__(self, verdict: Callable[[str], str]) -> None:
        self.verdict = verdict

    def __call__(self, text: str) -> str:
        return self.verdict(text)

    def probabilities(self, text: str) -> np.ndarray:
        return np.asarray({"crisis": [1.0, 0.0, 0.0], "ambiguous": [0.0, 1.0, 0.0]}.get(self.verdict(text), [0.0, 0.0, 1.0]))


def test_the_detector_uses_the_learned_layer_when_the_rules_are_silent() -> None:
    detector = CrisisDetector(learned=learned())
    assert detector.level("it is all zorp now") == (Level.CRISIS, "learned")
    assert detector.level("The bus comes soon.") == (Level.CHECK_IN, "learned")
    assert detector.level("the roses are out") == (Level.NONE, "none")
    # A statement split over turns: the parts together, when the earlier part alone was not one.
    split = CrisisDetector(learned=Scripted(lambda t: "crisis" if ("zorp" in t and "blip" in t) else "benign"))
    assert split.level("And then blip.", ["I did the zorp."]) == (Level.CRISIS, "learned-window")
    assert split.level("And then blip.", ["I did the zorp and blip."])[0] is Level.NONE  # said before, not now


def test_idioms_and_medicine_as_prescribed_never_reach_the_learned_layer() -> None:
    detector = CrisisDetector(learned=Scripted(lambda text: "crisis"))
    for text in ("This heat is killing me.", "笑死了，你还记得吗？", "I took the tablets the doctor gave me for my blood pressure."):
        assert detector.level(text)[0] is Level.NONE, text


def test_a_broken_learned_layer_leaves_the_rules() -> None:
    def broken(text: str) -> str:
        raise RuntimeError("model file vanished")

    detector = CrisisDetector(learned=Scripted(broken))
    assert detector.level("I want to kill myself.") == (Level.CRISIS, "rule")
    assert detector.level("The garden looks lovely.") == (Level.NONE, "none")


class Classes:
    """A scripted exemplar-class model: "crisis" for every text."""

    def __call__(self, text: str) -> str:
        return "crisis"

    def scores(self, text: str) -> dict[str, float]:
        return {"crisis": 0.9, "ambiguous": 0.1, "benign": 0.1}


def test_the_learned_layer_can_veto_an_exemplar_crisis_verdict() -> None:
    layer = learned()
    detector = CrisisDetector(Classes(), learned=layer)  # type: ignore[arg-type]
    detector.agreement = 0.5
    assert detector.level("the roses are out") == (Level.NONE, "none")  # the layer's p(crisis) is low: vetoed
    assert detector.level("it is all zorp now")[0] is Level.CRISIS  # the layer agrees
    detector.agreement = 0.0
    assert detector.level("the roses are out") == (Level.CRISIS, "model")  # no veto
    assert CrisisDetector(Classes()).level("the roses are out") == (Level.CRISIS, "model")  # no layer, no veto  # type: ignore[arg-type]


def test_a_broken_learned_layer_vetoes_nothing() -> None:
    def broken(text: str) -> str:
        raise RuntimeError("model file vanished")

    detector = CrisisDetector(Classes(), learned=Scripted(broken))  # type: ignore[arg-type]
    assert detector.level("the roses are out") == (Level.CRISIS, "model")  # the exemplar classes decide alone
