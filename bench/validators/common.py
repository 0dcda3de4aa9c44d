"""Shared pieces of the validator bench: stored-take processing, confusion matrices, targets."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Target:
    name: str
    value: float        # the measured share, 0..1
    goal: float         # at least this share
    detail: str = ""

    @property
    def met(self) -> bool:
        return self.value >= self.goal

    def line(self) -> str:
        return (f"{self.name:52} {self.value:6.1%}  (target >= {self.goal:.0%}) {'MET' if self.met else 'NOT MET'}"
                + (f"  {self.detail}" if self.detail else ""))


def stored(audio):
    """A take as the generator stores it: loudness-normalised, 16-bit WAV, decoded again."""
    from app.speech import audio as A
    return A.decode(A.to_wav_bytes(A.loudness_normalize(audio).audio))


def matrix(title: str, good_passed: int, good_n: int, bad_passed: int, bad_n: int) -> list[str]:
    return [title,
            f"{'':24}{'passed':>8}{'failed':>8}",
            f"{'good (should pass)':24}{good_passed:>8}{good_n - good_passed:>8}",
            f"{'bad (should fail)':24}{bad_passed:>8}{bad_n - bad_passed:>8}"]


def share(n: int, total: int) -> float:
    return n / total if total else 0.0
