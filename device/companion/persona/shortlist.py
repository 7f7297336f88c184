"""A fast first pass over big memory indexes (a bundle of 100,000 messages): see ``Shortlist``."""

from __future__ import annotations

import numpy as np

SHORTLIST_MIN_ROWS = 20_000
"""From this many distinct texts on, a first pass in a reduced space picks whom to score exactly."""
SHORTLIST_DIMS = 96
SHORTLIST_SIZE = 4096


class Shortlist:
    """A fast first pass for big memory indexes: the top principal directions of the vectors.

    Scanning 100k x 384 floats costs ~10-40 ms (memory bound); 96 dimensions cost a quarter of that.
    The texts that score best there (SHORTLIST_SIZE of them) are then scored exactly, so the
    answer is exact unless the best text falls outside the shortlist (the import benchmark
    measures how often: ``shortlist_recall``). The mean vector is left out of the projection:
    it adds the same amount to every text's score, so it cannot change the ranking.
    """

    def __init__(self, matrix: np.ndarray, dims: int = SHORTLIST_DIMS, size: int = SHORTLIST_SIZE) -> None:
        rng = np.random.default_rng(0)
        sample = matrix[rng.choice(len(matrix), size=min(len(matrix), 4096), replace=False)].astype(np.float64)
        self.mean = sample.mean(axis=0).astype(np.float32)
        centred = sample - self.mean
        # Eigenvectors of the 384 x 384 covariance: far cheaper than an SVD of the sample.
        _, vectors = np.linalg.eigh(centred.T @ centred)
        self.components = np.ascontiguousarray(vectors[:, ::-1][:, :dims], dtype=np.float32)
        self.projected = np.ascontiguousarray((matrix - self.mean) @ self.components, dtype=np.float32)
        self.size = min(size, len(matrix))

    def similarity(self, matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Exact cosine for the shortlisted rows, -1 for every other row."""
        approx = np.einsum("ij,j->i", self.projected, query @ self.components)
        rows = np.argpartition(-approx, self.size - 1)[: self.size]
        similarity = np.full(len(matrix), -1.0, dtype=np.float32)
        similarity[rows] = np.einsum("ij,j->i", matrix[rows], query)
        return similarity
