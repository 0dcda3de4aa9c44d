"""IPA ↔ espeak phoneme mnemonics. (Filled in with the pronunciation dictionary work.)"""
from __future__ import annotations


def ipa_to_espeak(ipa: str) -> str:  # pragma: no cover - replaced by the dictionary work
    raise NotImplementedError("IPA to espeak conversion is not implemented yet")
