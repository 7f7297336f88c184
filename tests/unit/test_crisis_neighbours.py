"""The nearest-training-rows vote (ethics/crisis_neighbours.py): the weighted vote, its thresholds and veto, the
cache of embedded rows, and its place in the detector. The real embedder's behaviour is measured by
tests/redteam/crisis_loso.py; here a small deterministic stand-in embeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from companion.ethics import crisis_neighbours
from companion.ethics.crisis import CrisisDetector, Level
from companion.ethics.crisis_learned import TrainingRow
from companion.ethics.crisis_neighbours import NeighbourVote, RowMatrix


class AxisEmbedder:
    """Deterministic stand-in: "zorp" (no rule knows it) points along x, "soon" along y, "garden" along z; a text
    with two of them sits between them; anything else is orthogonal to all three."""

    fingerprint = "axis-embedder-1"

    def __init__(self) -> None:
        self.texts = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.texts += len(texts)
        out = np.zeros((len(texts), 4), dtype=np.float32)
        for i, t in enumerate(texts):
            t = t.lower()
            out[i] = [t.count("zorp"), t.count("soon"), t.count("garden"), 0.0]
            if not out[i].any():
                out[i, 3] = 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


ROWS = ([TrainingRow((f"zorp {i}",), "crisis") for i in range(5)]
        + [TrainingRow((f"soon {i}",), "ambiguous") for i in range(5)]
        + [TrainingRow((f"garden {i}",), "benign") for i in range(5)])


def vote(**settings: float) -> NeighbourVote:
    embedder = AxisEmbedder()
    settings.setdefault("check_in_vote", 0.8)  # the shipped layer asks no check-in of its own; these tests do
    return NeighbourVote(embedder, crisis_neighbours.embed_rows(embedder, ROWS), k=5, **settings)


def test_the_nearest_rows_vote_and_the_thresholds_decide() -> None:
    layer = vote()
    assert layer.vote("it is all zorp").crisis > 0.99
    assert layer("it is all zorp") == "crisis"
    assert layer("see you soon") == "ambiguous"
    assert layer("the garden") == "benign" and layer("  ") == "benign"
    assert layer("nothing known here") == "benign"  # near no row: no verdict
    assert vote(crisis_vote=1.01)("it is all zorp") == "ambiguous"  # above 1: never a break, still a check-in
    assert vote(crisis_vote=1.01, check_in_vote=1.01)("it is all zorp") == "benign"


def test_nearer_rows_weigh_more_than_more_rows() -> None:
    embedder = AxisEmbedder()
    rows = [TrainingRow(("zorp zorp zorp garden",), "crisis")] + [TrainingRow((f"garden {i}",), "benign") for i in range(3)]
    matrix = crisis_neighbours.embed_rows(embedder, rows)
    query = "zorp zorp zorp garden again"
    sharp = NeighbourVote(embedder, matrix, k=4, temperature=0.02, min_similarity=0.0).vote(query)
    flat = NeighbourVote(embedder, matrix, k=4, temperature=100.0, min_similarity=0.0).vote(query)
    assert sharp.crisis > 0.9 and 0.2 < flat.crisis < 0.3  # one identical row outvotes three far ones when sharp


def test_a_benign_row_nearer_than_every_crisis_row_vetoes() -> None:
    layer = vote()
    assert layer.vetoes("garden garden zorp") and not layer.vetoes("zorp zorp garden")


class Classes:
    """A scripted exemplar-class model: "crisis" for every text."""

    def __call__(self, text: str) -> str:
        return "crisis"

    def scores(self, text: str) -> dict[str, float]:
        return {"crisis": 0.9, "ambiguous": 0.1, "benign": 0.1}


class AlwaysCrisis:
    """A scripted learned layer: crisis, p(crisis) 1, for every text."""

    def __call__(self, text: str) -> str:
        return "crisis"

    def probabilities(self, text: str) -> np.ndarray:
        return np.asarray([1.0, 0.0, 0.0])


def test_the_detector_breaks_on_the_vote_checks_in_on_it_and_lets_it_veto_the_exemplars() -> None:
    detector = CrisisDetector(neighbours=vote())
    assert detector.level("it is all zorp") == (Level.CRISIS, "neighbours")
    assert detector.level("The bus comes soon.") == (Level.CHECK_IN, "neighbours")
    assert detector.level("the garden") == (Level.NONE, "none")
    vetoed = CrisisDetector(Classes(), neighbours=vote(crisis_vote=1.01))  # type: ignore[arg-type]
    assert vetoed.level("the garden is lovely")[0] is Level.NONE  # a benign row is nearest: the exemplar verdict falls
    vetoed.neighbour_veto = False
    assert vetoed.level("the garden is lovely") == (Level.CRISIS, "model")
    learned = CrisisDetector(learned=AlwaysCrisis(), neighbours=vote(crisis_vote=1.01))
    assert learned.level("the garden is lovely")[0] is Level.NONE  # the learned layer's verdict is vetoed too
    learned.neighbour_veto_all = False
    assert learned.level("the garden is lovely") == (Level.CRISIS, "learned")


def test_a_statement_split_over_turns_is_voted_on_as_its_window() -> None:
    embedder = AxisEmbedder()
    rows = ([TrainingRow(("zorp", "soon"), "crisis") for _ in range(3)] + [TrainingRow(("zorp",), "benign")] * 3
            + [TrainingRow(("soon",), "benign")] * 3)
    detector = CrisisDetector(neighbours=NeighbourVote(embedder, crisis_neighbours.embed_rows(embedder, rows), k=3))
    assert detector.level("zorp")[0] is Level.NONE and detector.level("soon")[0] is Level.NONE
    assert detector.level("soon", ["zorp"]) == (Level.CRISIS, "neighbours-window")


def test_idioms_and_medicine_as_prescribed_never_reach_the_vote_and_a_broken_vote_leaves_the_rules() -> None:
    detector = CrisisDetector(neighbours=vote(min_similarity=-1.0, crisis_vote=0.0))
    for text in ("This heat is killing me.", "笑死了，你还记得吗？", "I took the tablets the doctor gave me for my blood pressure."):
        assert detector.level(text)[0] is Level.NONE, text

    class Broken:
        def __call__(self, text: str) -> str:
            raise RuntimeError("rows vanished")

        def vetoes(self, text: str) -> bool:
            raise RuntimeError("rows vanished")

    broken = CrisisDetector(neighbours=Broken())
    assert broken.level("I want to kill myself.") == (Level.CRISIS, "rule")
    assert broken.level("The garden looks lovely.") == (Level.NONE, "none")


def test_the_rows_are_embedded_once_and_cached_by_their_key(tmp_path: Path) -> None:
    embedder = AxisEmbedder()
    first = crisis_neighbours.load_or_embed(embedder, tmp_path, embedder.fingerprint, ROWS)
    embedded = embedder.texts
    second = crisis_neighbours.load_or_embed(embedder, tmp_path, embedder.fingerprint, ROWS)
    assert embedder.texts == embedded and np.array_equal(first.vectors, second.vectors)
    assert np.array_equal(second.labels, first.labels)
    crisis_neighbours.load_or_embed(embedder, tmp_path, embedder.fingerprint, ROWS[:-1])
    assert embedder.texts > embedded  # other rows: another key
    (cached, *_) = sorted((tmp_path / "crisis").glob("neighbours-*.npz"))
    cached.write_bytes(b"not a zip")
    again = embedder.texts
    assert isinstance(crisis_neighbours.load_or_embed(embedder, tmp_path, embedder.fingerprint, ROWS), RowMatrix)
    assert embedder.texts >= again  # a corrupt file is embedded again, never an error


def test_the_rows_embedded_at_install_are_read_from_the_models_dir(tmp_path: Path) -> None:
    embedder, models = AxisEmbedder(), tmp_path / "models"
    path = crisis_neighbours.embed_into_models(embedder, embedder.fingerprint, models)
    assert path.is_file() and path.parent.name == "crisis-learned"
    embedded = embedder.texts
    matrix = crisis_neighbours.load_or_embed(embedder, tmp_path / "cache", embedder.fingerprint, models_dir=models)
    assert embedder.texts == embedded and len(matrix.labels) == len(matrix.vectors) > 0
    assert not (tmp_path / "cache" / "crisis").exists()
