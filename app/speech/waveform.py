"""Waveform peaks for drawing: the loudest sample in each of `bins` equal slices of the audio,
scaled 0-100 against full scale (so quiet audio looks quiet). Audio in, numbers out."""
from __future__ import annotations

import numpy as np

from app.speech.tts.base import Audio

BINS = 96


def peaks(audio: Audio, bins: int = BINS) -> list[int]:
    samples = np.abs(np.asarray(audio.samples, dtype=np.float32))
    if samples.size == 0:
        return [0] * bins
    edges = np.linspace(0, samples.size, bins + 1).astype(np.int64)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        chunk = samples[lo:max(hi, lo + 1)]
        out.append(int(round(100 * min(1.0, float(chunk.max())))) if chunk.size else 0)
    return out
