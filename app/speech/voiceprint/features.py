"""The voiceprint: a fixed-length vector of timbre and pitch statistics for one clip of speech.

Torch-free baseline (reference/speech-stack.md): MFCCs computed in numpy (25 ms Hamming frames,
10 ms hop, 40 mel bands 50–7600 Hz at 16 kHz, DCT-II), summarised over the speech frames by their
mean and spread, the spread of their deltas, and the long-term mel spectrum (the voice's average
"colour", level-free); plus fundamental-frequency statistics from Praat's pitch tracker
(parselmouth): median, 10–90 % range and spread in semitones, and the voiced fraction.

The vector is not normalised here: dimensions have different scales, so callers compare
voiceprints after standardising each dimension over the set being compared (see ``similarity``).
"""
from __future__ import annotations

import numpy as np

from app.speech.tts.base import Audio

VERSION = "mfcc-f0-v1"
RATE = 16000
N_FFT = 512
WIN = 400          # 25 ms
HOP = 160          # 10 ms
N_MELS = 40
N_MFCC = 20
SPEECH_RANGE_DB = 35.0   # frames quieter than the loudest by more than this are pauses
MIN_SPEECH_S = 0.5

_FILTERBANK: np.ndarray | None = None


class VoiceprintError(ValueError):
    """The clip cannot give a voiceprint (too short, silent)."""


def _mel(hz):
    return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)


def _hz(mel):
    return 700.0 * (10.0 ** (np.asarray(mel) / 2595.0) - 1.0)


def _filterbank() -> np.ndarray:
    global _FILTERBANK
    if _FILTERBANK is None:
        edges = _hz(np.linspace(_mel(50.0), _mel(7600.0), N_MELS + 2))
        bins = np.floor((N_FFT + 1) * edges / RATE).astype(int)
        fb = np.zeros((N_MELS, N_FFT // 2 + 1))
        for i in range(N_MELS):
            lo, mid, hi = bins[i], bins[i + 1], bins[i + 2]
            fb[i, lo:mid] = (np.arange(lo, mid) - lo) / max(mid - lo, 1)
            fb[i, mid:hi] = (hi - np.arange(mid, hi)) / max(hi - mid, 1)
        _FILTERBANK = fb
    return _FILTERBANK


def _to_rate(audio: Audio) -> np.ndarray:
    x = audio.samples.astype(np.float64)
    if audio.sample_rate != RATE:
        import soxr
        x = soxr.resample(x, audio.sample_rate, RATE)
    return x


def _mfcc(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(MFCC of the speech frames, log-mel spectrum of the speech frames)."""
    from scipy.fft import dct
    x = np.append(x[:1], x[1:] - 0.97 * x[:-1])          # pre-emphasis
    n = 1 + (len(x) - WIN) // HOP
    if n * HOP / RATE < MIN_SPEECH_S:
        raise VoiceprintError("the clip is too short for a voiceprint")
    frames = x[np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]] * np.hamming(WIN)
    power = np.abs(np.fft.rfft(frames, N_FFT)) ** 2
    level = 10.0 * np.log10(power.sum(axis=1) + 1e-10)
    speech = level > level.max() - SPEECH_RANGE_DB
    if speech.sum() * HOP / RATE < MIN_SPEECH_S or level.max() < -60:
        raise VoiceprintError("the clip has too little speech for a voiceprint")
    logmel = np.log(power[speech] @ _filterbank().T + 1e-10)
    return dct(logmel, type=2, axis=1, norm="ortho")[:, :N_MFCC], logmel


def _pitch_stats(x: np.ndarray) -> np.ndarray:
    import parselmouth
    pitch = parselmouth.Sound(x, sampling_frequency=RATE).to_pitch_ac(
        time_step=0.02, pitch_floor=60.0, pitch_ceiling=500.0)
    f0 = pitch.selected_array["frequency"]
    voiced = f0[f0 > 0]
    if voiced.size < 5:
        return np.array([0.0, 0.0, 0.0, voiced.size / max(f0.size, 1)])
    st = 12.0 * np.log2(voiced / 100.0)                    # semitones re 100 Hz
    return np.array([float(np.median(st)), float(np.percentile(st, 90) - np.percentile(st, 10)),
                     float(np.std(st)), voiced.size / f0.size])


def median_f0_hz(vector: np.ndarray | list) -> float | None:
    """The median pitch a voiceprint records (None when the clip had no voiced speech)."""
    v = np.asarray(vector, dtype=float)
    if v[-1] <= 0 or not np.isfinite(v[-4]):
        return None
    return float(100.0 * 2.0 ** (v[-4] / 12.0))


def embed(audio: Audio) -> np.ndarray:
    """The voiceprint of one clip (float64 vector; raises VoiceprintError for unusable clips)."""
    x = _to_rate(audio)
    mfcc, logmel = _mfcc(x)
    ceps = mfcc[:, 1:]                                     # c0 is loudness, not voice
    delta = np.diff(ceps, axis=0) if len(ceps) > 1 else np.zeros_like(ceps)
    colour = logmel.mean(axis=0)
    colour = colour - colour.mean()
    return np.concatenate([ceps.mean(axis=0), ceps.std(axis=0), delta.std(axis=0), colour, _pitch_stats(x)])


def embed_many(clips: list[Audio]) -> np.ndarray:
    """One voiceprint for several clips of the same voice: the mean of their voiceprints."""
    vectors = [embed(c) for c in clips]
    if not vectors:
        raise VoiceprintError("no clips")
    return np.mean(vectors, axis=0)
