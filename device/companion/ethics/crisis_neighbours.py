"""Nearest training rows as a crisis layer: a distance-weighted vote of a text's k nearest labelled rows.

The exemplar classes (crisis.py) hold a few hundred hand-written sentences; the learned layer
(crisis_learned.py) draws one hyperplane through every training row. Neither keeps the rows
themselves: a new wording of a kind the training sets show in a dozen wordings often lands near
one of them without being on the right side of the plane. This layer keeps the embedded training
rows (crisis_training.jsonl and the exemplars, as the learned layer reads them) and lets the k
nearest vote, each weighted by exp(similarity / TEMPERATURE), so one very close row counts more
than several far ones.

The vote is also a veto: a benign look-alike that is nearer the text than any crisis row
("I took the tablets the doctor gave me") overrules an exemplar-margin crisis verdict (crisis.py).

Per text one matrix-vector product over ~1,700 x 512 floats (well under a millisecond on a Pi); the
embedding is the one the other layers already made (the embedder caches its last texts). The
matrix is made at install beside the learned fit (models/crisis-learned, keyed by the rows and the
embedder's hash) or at first use (cached); nothing generated is kept in git.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from . import crisis_learned
from .textcache import TextCache

logger = logging.getLogger(__name__)

SHIPPED = False
"""Whether the service runs the vote. Off: on the lead's blind gate (crisis_p5 and the team's held-out
set, run once each way on the same commit) the vote cost English indirect recall (p5 0.79 -> 0.75)
and added Chinese false alarms (p5 6.3 % -> 7.9 %, held-out 4.4 % -> 8.9 %) for +0 Chinese recall,
although leave-one-set-out on the training sets favoured it. ``crisis_eval.py --neighbours`` measures it."""

K = 5
"""Neighbours that vote (see CRISIS_VOTE for how it was chosen)."""
TEMPERATURE = 0.1
"""Weight of a neighbour: exp(similarity / TEMPERATURE) (cosine similarities; 0.1: a row 0.1 nearer counts e times
more)."""
CRISIS_VOTE = 0.9
"""Weighted share of crisis neighbours at or above which the layer says crisis. Chosen by leaving one training set
out (tests/redteam/crisis_loso.py) over k 5/9 x temperature 0.03/0.1 x vote 0.7/0.8/0.9, on the two sets the rules
were not written on (crisis_batch5, crisis_batch6; on the others the rules are saturated, so any extra layer there
only adds alarms): the highest worst-language indirect recall whose benign false alarms stay within 0.5 point of
the detector without the vote. Chosen on batch 6, scored on batch 5: (9, 0.1, 0.9), indirect en 0.792 -> 0.818,
zh 0.747 -> 0.789, false alarms unchanged (5.3 % / 0.7 %). Chosen on batch 5, scored on batch 6: (5, 0.1, 0.9),
en 0.710 -> 0.826 (alarms 16.1 % unchanged), zh 0.584 -> 0.714 (5.8 % -> 7.2 %). On batch 5, (5, 0.1, 0.9) gives
en 0.825 / zh 0.824 at the same alarms as without the vote; it was kept (both folds pick temperature 0.1, vote 0.9).
Lower votes catch more (0.7: en 0.91 on batch 5) at 4-20 points more false alarms."""
CHECK_IN_VOTE = 1.01
"""Weighted share of crisis and ambiguous neighbours at or above which it says ambiguous (a check-in); above 1:
the vote asks no check-in of its own (not measured yet: the ambiguous rows are few)."""
MIN_SIMILARITY = 0.5
"""A text nearer no training row than this gets no verdict (a vote among strangers is noise)."""
VETO_GAP = 0.0
"""A benign row nearer than every crisis row by more than this vetoes a model layer's crisis verdict (crisis.py)."""
CLAUSES = False
"""Also vote on each clause of a turn (the highest crisis share counts): a crisis phrase inside a long turn is
diluted in one vector. Measured (crisis_loso.py --second, batch 5 + 6 held out in turn): indirect recall en
0.825 -> 0.839, zh 0.785 -> 0.817, but benign false alarms en 8.7 % -> 10.8 %, zh 2.9 % -> 4.9 %, and one more
embedding per clause: off."""
FORMAT = "crisis-neighbours-1"
_CLAUSE_END = re.compile(r"(?<=[,.;!?，。；！？…])\s*|\s+(?:but|and then|so)\s+")


def clauses(text: str) -> list[str]:
    """The clauses of a turn of more than one (none for a one-clause turn); a clause has 3+ words or 4+ characters."""
    parts = [p.strip() for p in _CLAUSE_END.split(text) if p and p.strip()]
    parts = [p for p in parts if len(p.split()) >= 3 or (len(p) >= 4 and not p.isascii())]
    return parts if len(parts) > 1 else []


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Vote:
    crisis: float
    """Weighted share of crisis rows among the k nearest."""
    ambiguous: float
    nearest: float
    """Similarity of the nearest row."""
    nearest_crisis: float
    """Similarity of the nearest crisis row (of all rows, not only the k)."""
    nearest_benign: float


@dataclass(frozen=True)
class RowMatrix:
    """The embedded training rows (unit vectors) and their class indices (crisis_learned.CLASSES)."""

    vectors: np.ndarray
    labels: np.ndarray


def embed_rows(embedder: Embedder, rows: Sequence[crisis_learned.TrainingRow]) -> RowMatrix:
    texts, labels = crisis_learned.training_texts(rows)
    vectors = _unit(np.asarray(embedder.embed(texts), dtype=np.float32))
    return RowMatrix(vectors, labels.astype(np.int8))


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    return m / np.maximum(norms, 1e-9)


class NeighbourVote:
    """The vote of a text's nearest training rows, and the verdict at the layer's thresholds."""

    def __init__(self, embedder: Embedder, matrix: RowMatrix, k: int = K, temperature: float = TEMPERATURE,
                 crisis_vote: float = CRISIS_VOTE, check_in_vote: float = CHECK_IN_VOTE,
                 min_similarity: float = MIN_SIMILARITY, veto_gap: float = VETO_GAP, cache_size: int = 64,
                 clauses: bool = CLAUSES) -> None:
        self.clauses = clauses
        self._embedder = embedder
        self.matrix = matrix
        self.k, self.temperature = k, temperature
        self.crisis_vote, self.check_in_vote = crisis_vote, check_in_vote
        self.min_similarity, self.veto_gap = min_similarity, veto_gap
        self.cache: TextCache[np.ndarray] = TextCache(cache_size)
        """Similarities of the last texts to every row (the window re-reads recent turns)."""

    def similarities(self, text: str) -> np.ndarray:
        return self.cache.get(text, self._similarities)

    def _similarities(self, text: str) -> np.ndarray:
        vector = _unit(np.asarray(self._embedder.embed([text]), dtype=np.float32)[0])
        return self.matrix.vectors @ vector

    def vote(self, text: str) -> Vote:
        sims, labels = self.similarities(text), self.matrix.labels
        k = max(1, min(self.k, len(sims)))
        top = np.argpartition(sims, -k)[-k:]
        weights = np.exp((sims[top] - sims[top].max()) / self.temperature)
        share = [float(weights[labels[top] == c].sum() / weights.sum()) for c in range(2)]
        return Vote(share[0], share[1], float(sims[top].max()), _best(sims, labels, 0), _best(sims, labels, 2))

    def classify(self, text: str) -> str:
        if not text.strip():
            return "benign"
        v = self.vote(text)
        if self.clauses:  # a crisis clause inside a long benign-sounding turn: the clause votes alone too
            parts = [self.vote(c) for c in clauses(text)]
            v = max([v, *parts], key=lambda x: (x.crisis if x.nearest >= self.min_similarity else -1.0))
        if v.nearest < self.min_similarity:
            return "benign"
        if v.crisis >= self.crisis_vote:
            return "crisis"
        if v.crisis + v.ambiguous >= self.check_in_vote:
            return "ambiguous"
        return "benign"

    def vetoes(self, text: str) -> bool:
        """A benign training row is nearer ``text`` than every crisis row (by more than the gap)."""
        v = self.vote(text)
        return v.nearest_benign - v.nearest_crisis > self.veto_gap

    def __call__(self, text: str) -> str:
        return self.classify(text)


def _best(sims: np.ndarray, labels: np.ndarray, cls: int) -> float:
    chosen = sims[labels == cls]
    return float(chosen.max()) if len(chosen) else -1.0


def cache_key(rows: Sequence[crisis_learned.TrainingRow], fingerprint: str) -> str:
    digest = hashlib.sha256(f"{FORMAT}|{fingerprint}".encode())
    for row in rows:
        digest.update(json.dumps([row.label, *row.turns], ensure_ascii=False).encode())
    return digest.hexdigest()


def shared_path(models_dir: Path, key: str) -> Path:
    return Path(models_dir) / crisis_learned.SHARED_FOLDER / f"neighbours-{key[:32]}.npz"


def load_or_embed(embedder: Embedder, cache_dir: Path | None, fingerprint: str | None = None,
                  rows: Sequence[crisis_learned.TrainingRow] | None = None,
                  models_dir: Path | None = None) -> RowMatrix:
    """The embedded rows from ``models_dir`` (made at install) or ``cache_dir`` when the key matches, else
    embedded now (and cached in ``cache_dir`` when it can be). Without ``fingerprint`` nothing is cached."""
    rows = list(rows) if rows is not None else crisis_learned.shipped_rows() + crisis_learned.exemplar_rows()
    key = cache_key(rows, fingerprint) if fingerprint else None
    candidates = []
    if key is not None and models_dir is not None:
        candidates.append(shared_path(models_dir, key))
    cached = Path(cache_dir) / "crisis" / f"neighbours-{key[:32]}.npz" if key and cache_dir is not None else None
    if cached is not None:
        candidates.append(cached)
    for path in candidates:
        matrix = _read(path)
        if matrix is not None:
            return matrix
    logger.info("embedding the %d crisis training rows for the neighbour vote (once; cached)", len(rows))
    matrix = embed_rows(embedder, rows)
    if cached is not None:
        _write(cached, matrix)
    return matrix


def embed_into_models(embedder: Embedder, fingerprint: str, models_dir: Path) -> Path:
    """Embed the rows now and keep them in the models dir (``companion models install``); the path."""
    rows = crisis_learned.shipped_rows() + crisis_learned.exemplar_rows()
    path = shared_path(models_dir, cache_key(rows, fingerprint))
    if _read(path) is None:
        _write(path, embed_rows(embedder, rows))
    return path


def _read(path: Path) -> RowMatrix | None:
    arrays = crisis_learned.read_arrays(path, "vectors", "labels")
    return None if arrays is None else RowMatrix(*arrays)


def _write(path: Path, matrix: RowMatrix) -> None:
    crisis_learned.write_arrays(path, "the crisis neighbour rows", vectors=matrix.vectors, labels=matrix.labels)
