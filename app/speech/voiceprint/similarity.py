"""Comparing voiceprints: standardise each dimension over a reference set, then cosine similarity,
mapped to 0..1 (1 = identical statistics, 0.5 = unrelated, 0 = opposite)."""
from __future__ import annotations

import numpy as np

MIN_STD = 1e-6


class Scaler:
    """Per-dimension mean and spread of a set of voiceprints (the catalog being searched)."""

    def __init__(self, vectors: np.ndarray):
        vectors = np.atleast_2d(np.asarray(vectors, dtype=float))
        self.mean = vectors.mean(axis=0)
        self.std = np.maximum(vectors.std(axis=0), MIN_STD)

    def unit(self, vectors: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(np.asarray(vectors, dtype=float)) - self.mean) / self.std
        norm = np.linalg.norm(z, axis=1, keepdims=True)
        return z / np.where(norm > 0, norm, 1.0)


def scores(query: np.ndarray, candidates: np.ndarray, scaler: Scaler | None = None) -> np.ndarray:
    """Similarity (0..1) of ``query`` to each row of ``candidates``."""
    candidates = np.atleast_2d(np.asarray(candidates, dtype=float))
    if candidates.shape[0] == 0:
        return np.zeros(0)
    scaler = scaler or Scaler(candidates)
    q = scaler.unit(query)[0]
    cos = scaler.unit(candidates) @ q
    return np.clip((cos + 1.0) / 2.0, 0.0, 1.0)
