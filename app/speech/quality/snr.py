"""WADA-SNR: blind SNR estimation from the waveform amplitude distribution (Kim & Stern, Interspeech 2008).

Clean speech amplitudes are modelled as Gamma-distributed (shape 0.4) and noise as Gaussian. The
statistic ``G = log(E|z|) - E[log|z|]`` of the observed signal grows monotonically with the SNR, so
the SNR is read off a table of G computed for that model. The table is the one published with the
paper's reference implementation (-20 .. 100 dB in 1 dB steps); it is data, not tunable.

Facts worth knowing (measured, see docs/speech.md): clean TTS output with digital silence reads
100 dB (the table's ceiling: "no noise found"); white noise added at 30/20/10/5 dB reads about
37/21/10/4 dB. Only the shape of the amplitude distribution matters, so the estimate does not depend
on the clip's level.
"""
from __future__ import annotations

import numpy as np

MIN_DB, MAX_DB = -20.0, 100.0
_EPS = 1e-10

# G(SNR) for SNR = -20, -19, ..., 100 dB (Gamma shape 0.4 speech + Gaussian noise).
_G = np.array([
    0.40974774, 0.40986926, 0.40998566, 0.40969089, 0.40986186, 0.40999006, 0.41027138, 0.41052627,
    0.41101024, 0.41143264, 0.41231718, 0.41337272, 0.41526426, 0.41781920, 0.42077252, 0.42452799,
    0.42918886, 0.43510373, 0.44234195, 0.45161485, 0.46221153, 0.47491647, 0.48883809, 0.50509236,
    0.52353709, 0.54372088, 0.56532427, 0.58847532, 0.61346212, 0.63954496, 0.66750818, 0.69583724,
    0.72454762, 0.75414799, 0.78323148, 0.81240985, 0.84219775, 0.87166406, 0.90030504, 0.92880418,
    0.95655449, 0.98353490, 1.01047155, 1.03620950, 1.06136425, 1.08579312, 1.10948190, 1.13277995,
    1.15472826, 1.17627308, 1.19703503, 1.21671694, 1.23535898, 1.25364313, 1.27103891, 1.28718029,
    1.30302865, 1.31839527, 1.33294817, 1.34700935, 1.36057270, 1.37345513, 1.38577122, 1.39733504,
    1.40856397, 1.41959619, 1.42983624, 1.43958467, 1.44902176, 1.45804831, 1.46669568, 1.47486938,
    1.48269965, 1.49034339, 1.49748214, 1.50435106, 1.51076426, 1.51698915, 1.52290970, 1.52857800,
    1.53389835, 1.53912110, 1.54390650, 1.54858517, 1.55310776, 1.55744391, 1.56164927, 1.56566348,
    1.56938671, 1.57307767, 1.57654764, 1.57980083, 1.58304129, 1.58602496, 1.58880681, 1.59162477,
    1.59419690, 1.59693155, 1.59944600, 1.60185011, 1.60408668, 1.60627134, 1.60826199, 1.61004547,
    1.61192472, 1.61369656, 1.61534074, 1.61688905, 1.61838916, 1.61985374, 1.62135878, 1.62268119,
    1.62390423, 1.62513143, 1.62632463, 1.62740270, 1.62842767, 1.62945532, 1.63033070, 1.63128026,
    1.63204102,
])
_DB = np.arange(MIN_DB, MAX_DB + 1.0)


def g_statistic(samples: np.ndarray) -> float:
    """log(E|z|) - E[log|z|] of the samples (|z| floored at 1e-10, so digital silence pushes it up)."""
    z = np.abs(np.asarray(samples, dtype=np.float64))
    peak = float(z.max()) if z.size else 0.0
    if peak <= 0.0:
        return float("nan")
    z = np.maximum(z / peak, _EPS)
    return float(np.log(max(_EPS, z.mean())) - np.log(z).mean())


def wada_snr(samples: np.ndarray) -> float | None:
    """Estimated SNR in dB, clamped to -20 .. 100; None for an empty or all-zero signal."""
    g = g_statistic(samples)
    if not np.isfinite(g):
        return None
    below = np.flatnonzero(_G < g)
    if below.size == 0:
        return MIN_DB
    i = int(below.max())
    if i >= len(_G) - 1:
        return MAX_DB
    # the table is not strictly monotonic at the very bottom (-20..-17 dB): the largest index below g wins
    frac = (g - _G[i]) / (_G[i + 1] - _G[i])
    return float(_DB[i] + frac * (_DB[i + 1] - _DB[i]))
