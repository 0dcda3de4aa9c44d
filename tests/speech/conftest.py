"""Speech tests use real engines but no database or Redis."""
from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _clean():
    """Overrides the suite-wide autouse fixture that empties PostgreSQL and Redis."""
    yield


@pytest.fixture(scope="session")
def espeak():
    from app.speech.tts.espeak import get_engine
    return get_engine()


def median_f0(audio, fmin: float = 60.0, fmax: float = 400.0) -> float:
    """Crude pitch: autocorrelation peak per 40 ms frame of voiced (loud) frames, median."""
    x, sr = audio.samples.astype(np.float64), audio.sample_rate
    n = int(0.04 * sr)
    lo, hi = int(sr / fmax), int(sr / fmin)
    frames = [x[i:i + n] for i in range(0, len(x) - n, n // 2)]
    loudest = max(np.sqrt(np.mean(f ** 2)) for f in frames)
    f0s = []
    for f in frames:
        if np.sqrt(np.mean(f ** 2)) < 0.2 * loudest:
            continue
        f = f - f.mean()
        ac = np.correlate(f, f, mode="full")[n - 1:]
        if ac[0] <= 0:
            continue
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] / ac[0] > 0.3:
            f0s.append(sr / lag)
    assert f0s, "no voiced frames found"
    return float(np.median(f0s))
