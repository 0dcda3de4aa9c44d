"""The quality validators' 0-100 scores, from the raw figures (pure functions; see docs/speech.md).

Noise ("Clarity", validator_noise, default threshold 70):
    snr_part = clip((WADA-SNR dB - 5) / 30)        5 dB → 0, 35 dB and up → 1
    bak_part = clip((DNSMOS BAK - 1.5) / 2.0)       1.5 → 0, 3.5 and up → 1
    score    = 100 * (snr_part + bak_part) / 2
  Two detectors that fail differently: WADA reads stationary noise (and saturates at 100 dB on clean
  TTS with digital silence), BAK also reacts to non-stationary noise. 70 is reached at about 25 dB.

Naturalness (validator_naturalness, default threshold 60):
    q_ovrl  = clip((DNSMOS OVRL - 1.6) / 1.6)       1.6 → 0, 3.2 and up → 1
    q_pitch = clip((F0 std in semitones - 0.3) / 0.9)   monotone (≤ 0.3 st) → 0, ≥ 1.2 st → 1;
              no voicing (whisper, noise) → 0
    g_sig   = clip((DNSMOS SIG - 1.5) / 1.0)        gate: a degraded speech signal (whisper) → 0
    g_tone  = 1 for questions, for languages where statements were not measured to fall, and when
              the pitch falls; a rising statement (played backwards?) drops linearly to 0.5 at 1 st rise
    score   = 100 * (0.7 * q_ovrl + 0.3 * q_pitch) * g_sig * g_tone
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# statements fell over the utterance in every one of these (espeak; English also Piper): see docs/speech.md
DECLINING_LANGUAGES = frozenset({"en", "de", "es", "fr", "ja", "ko"})
QUESTION_MARKS = ("?", "？", "⸮")


def _clip(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


@dataclass(frozen=True)
class NoiseFigures:
    snr_db: float | None
    bak: float

    @property
    def snr_part(self) -> float:
        return _clip(((self.snr_db if self.snr_db is not None else -20.0) - 5.0) / 30.0)

    @property
    def bak_part(self) -> float:
        return _clip((self.bak - 1.5) / 2.0)

    @property
    def score(self) -> float:
        return round(100.0 * (self.snr_part + self.bak_part) / 2.0, 1)

    def as_dict(self) -> dict:
        return {"score": self.score, "snr_db": None if self.snr_db is None else round(self.snr_db, 2),
                "bak": round(self.bak, 3)}


@dataclass(frozen=True)
class NaturalnessFigures:
    ovrl: float
    sig: float
    f0_std_semitones: float | None
    f0_fall_semitones: float | None
    voiced_fraction: float
    intonation_checked: bool        # False: a question, or a language not measured to decline

    @property
    def q_ovrl(self) -> float:
        return _clip((self.ovrl - 1.6) / 1.6)

    @property
    def q_pitch(self) -> float:
        return 0.0 if self.f0_std_semitones is None else _clip((self.f0_std_semitones - 0.3) / 0.9)

    @property
    def g_sig(self) -> float:
        return _clip((self.sig - 1.5) / 1.0)

    @property
    def g_tone(self) -> float:
        if not self.intonation_checked or self.f0_fall_semitones is None or self.f0_fall_semitones >= 0:
            return 1.0
        return 1.0 - 0.5 * _clip(-self.f0_fall_semitones / 1.0)

    @property
    def score(self) -> float:
        return round(100.0 * (0.7 * self.q_ovrl + 0.3 * self.q_pitch) * self.g_sig * self.g_tone, 1)

    def as_dict(self) -> dict:
        r = (lambda v, n=3: None if v is None else round(float(v), n))
        return {"score": self.score, "ovrl": r(self.ovrl), "sig": r(self.sig),
                "f0_std_semitones": r(self.f0_std_semitones, 2), "f0_fall_semitones": r(self.f0_fall_semitones, 2),
                "voiced_fraction": r(self.voiced_fraction, 2), "intonation_checked": self.intonation_checked}


def intonation_applies(text: str | None, locale: str | None) -> bool:
    """Statements in a language whose statements we measured to fall in pitch."""
    language = (locale or "").split("-")[0].lower()
    return language in DECLINING_LANGUAGES and not (text or "").rstrip().endswith(QUESTION_MARKS)


def noise(audio, dnsmos_scores=None) -> NoiseFigures:
    from app.speech.quality import dnsmos, snr
    d = dnsmos_scores or dnsmos.score(audio)
    return NoiseFigures(snr.wada_snr(audio.samples), d.bak)


def naturalness(audio, text: str | None = None, locale: str | None = None, dnsmos_scores=None) -> NaturalnessFigures:
    from app.speech.quality import dnsmos, prosody
    d = dnsmos_scores or dnsmos.score(audio)
    p = prosody.pitch_stats(audio)
    return NaturalnessFigures(d.ovrl, d.sig, p.f0_std_semitones, p.f0_fall_semitones, p.voiced_fraction,
                              intonation_applies(text, locale))


def mix_white_noise(samples: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """``samples`` plus white Gaussian noise whose power is the clip's mean power / 10^(snr/10)
    (whole-clip power, pauses included), rescaled only if it would exceed full scale."""
    x = np.asarray(samples, dtype=np.float64)
    power = float(np.mean(x * x)) if x.size else 0.0
    y = x + rng.standard_normal(x.size) * np.sqrt(power / 10.0 ** (snr_db / 10.0))
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    return (y / max(1.0, peak)).astype(np.float32)
