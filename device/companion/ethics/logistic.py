"""A regularised multinomial logistic regression in numpy: deterministic, small, no new dependency.

The crisis classifier (crisis_learned.py) is a linear model over sentence embeddings. scikit-learn is
not a dependency of the device and one linear model does not justify one; this is the textbook convex
problem (softmax cross-entropy + L2 on the weights, not the bias) solved by Nesterov's accelerated
gradient with the step 1/L from the Lipschitz bound of the gradient. It starts at zero and uses no
randomness, so the same rows give the same weights on every machine (up to float rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LinearModel:
    """Weights (features x classes) and biases (classes) of a fitted model."""

    weights: np.ndarray
    bias: np.ndarray

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Class probabilities, one row per row of ``features``."""
        return softmax(np.atleast_2d(features) @ self.weights + self.bias)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def balanced_weights(labels: np.ndarray, classes: int) -> np.ndarray:
    """Per-row weights so that each class counts as much in the loss (sklearn's "balanced")."""
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    per_class = np.where(counts > 0, len(labels) / (classes * np.maximum(counts, 1.0)), 0.0)
    return per_class[labels]


def fit(features: np.ndarray, labels: np.ndarray, classes: int, l2: float,
        sample_weights: np.ndarray | None = None, iterations: int = 300, tolerance: float = 1e-6) -> LinearModel:
    """Minimise mean weighted cross-entropy + l2/2 * |W|^2 (bias not penalised).

    ``labels`` are ints in [0, classes). Converges to the unique optimum (strictly convex in W for
    l2 > 0); stops when the gradient's largest entry is below ``tolerance``."""
    if l2 <= 0:
        raise ValueError("l2 must be positive (the unregularised problem may have no optimum)")
    x = np.asarray(features, dtype=np.float64)
    n, d = x.shape
    # Standardised features: embedding dimensions have tiny, unequal spreads, so the raw problem is badly
    # conditioned; the penalty is on the standardised weights, folded back into raw ones at the end.
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-8] = 1.0
    xs = (x - mean) / scale
    y = np.zeros((n, classes), dtype=np.float32)
    y[np.arange(n), labels] = 1.0
    w_rows = np.ones(n) if sample_weights is None else np.asarray(sample_weights, dtype=np.float64)
    w_rows = (w_rows / w_rows.sum()).astype(np.float32)
    xb = np.hstack([xs, np.ones((n, 1))]).astype(np.float32)  # float32: half the time per step, ample here
    # Step 1/L: the softmax Hessian is at most 1/2 I, so L <= 1/2 * largest eigenvalue of Xb' diag(w) Xb + l2.
    lipschitz = 0.5 * _top_eigenvalue(xb * np.sqrt(w_rows)[:, None]) * 1.05 + l2
    step = 1.0 / lipschitz
    penalty = np.ones((d + 1, 1))
    penalty[-1] = 0.0
    theta = np.zeros((d + 1, classes), dtype=np.float32)
    previous = theta
    for k in range(1, iterations + 1):
        look = theta + (k - 1) / (k + 2) * (theta - previous)
        residual = (softmax(xb @ look) - y) * w_rows[:, None]
        gradient = xb.T @ residual + l2 * penalty * look
        previous, theta = theta, look - step * gradient
        if float(np.abs(gradient).max()) < tolerance:
            break
    weights = theta[:-1] / scale[:, None]
    bias = theta[-1] - mean @ weights
    return LinearModel(weights=weights.astype(np.float32), bias=bias.astype(np.float32))


def _top_eigenvalue(a: np.ndarray, iterations: int = 50) -> float:
    """Largest eigenvalue of a'a by power iteration from a fixed start (deterministic, no SVD)."""
    v = np.ones(a.shape[1]) / np.sqrt(a.shape[1])
    value = 0.0
    for _ in range(iterations):
        u = a.T @ (a @ v)
        value = float(np.linalg.norm(u))
        if value == 0.0:
            return 0.0
        v = u / value
    return value
