"""Prosody from Praat's pitch tracker (parselmouth): how much the pitch moves, and which way.

- ``f0_std_semitones``: standard deviation of the voiced frames' F0 in semitones around their
  median. Flat, robotic speech moves little (espeak ≈ 1.4-2 st; espeak with a narrow SSML pitch
  range ≈ 0.3 st); Piper moves more (≈ 2-7 st). Whispered or noise-only audio has few or no voiced
  frames (``None``).
- ``f0_fall_semitones``: how far the pitch falls over the utterance: a robust (Theil-Sen) slope of F0
  in semitones against time, times the voiced span, with falling counted positive. Spoken statements
  drift down ("declination") in every engine we measured (espeak 29/30, Piper 30/30 statements);
  audio played backwards rises instead. Yes/no questions may legitimately rise.

Both are crude signals, not judgements of intonation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PITCH_FLOOR, PITCH_CEILING = 60.0, 500.0
MIN_VOICED_FRAMES = 5
_MAX_POINTS = 80          # Theil-Sen on at most this many frames (pairs grow quadratically)
_MIN_PAIR_GAP_S = 0.2     # pairs closer than this say more about a syllable than about the utterance


@dataclass(frozen=True)
class PitchStats:
    f0_std_semitones: float | None   # None: too few voiced frames to say
    f0_fall_semitones: float | None  # > 0 falls over the utterance, < 0 rises; None: too little voicing
    f0_median_hz: float | None
    voiced_fraction: float           # voiced frames / all frames (≈ 0 for whisper or noise)
    voiced_frames: int


def _fall(times: np.ndarray, st: np.ndarray) -> float | None:
    idx = np.unique(np.linspace(0, len(st) - 1, min(len(st), _MAX_POINTS)).astype(int))
    t, y = times[idx], st[idx]
    dt = t[None, :] - t[:, None]
    dy = y[None, :] - y[:, None]
    mask = dt > _MIN_PAIR_GAP_S
    if not mask.any():
        return None
    slope = float(np.median(dy[mask] / dt[mask]))
    return -slope * float(times[-1] - times[0])


def pitch_stats(audio, time_step: float = 0.01) -> PitchStats:
    import parselmouth
    x = np.asarray(audio.samples, dtype=np.float64)
    if x.size < int(0.1 * audio.sample_rate):
        return PitchStats(None, None, None, 0.0, 0)
    snd = parselmouth.Sound(x, sampling_frequency=float(audio.sample_rate))
    pitch = snd.to_pitch(time_step=time_step, pitch_floor=PITCH_FLOOR, pitch_ceiling=PITCH_CEILING)
    f0 = pitch.selected_array["frequency"]
    total = int(f0.size)
    voiced_mask = f0 > 0
    voiced = f0[voiced_mask]
    fraction = float(voiced.size / total) if total else 0.0
    if voiced.size < MIN_VOICED_FRAMES:
        return PitchStats(None, None, None, fraction, int(voiced.size))
    median = float(np.median(voiced))
    st = 12.0 * np.log2(voiced / median)
    fall = _fall(np.asarray(pitch.xs())[voiced_mask], st)
    return PitchStats(float(np.std(st)), fall, median, fraction, int(voiced.size))


def f0_variability(audio) -> float | None:
    """Std of F0 in semitones over voiced frames, or None when there is too little voicing."""
    return pitch_stats(audio).f0_std_semitones
