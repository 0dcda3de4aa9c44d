"""The speech provider registry reads what this deployment has from the installed engines."""
from app.speech import registry
from app.workflows.locales import SUPPORTED_LOCALES


def test_installed_engines_are_the_catalog():
    found = registry.providers(tuple(SUPPORTED_LOCALES))
    espeak = found["espeak"].models["espeak-ng"]
    assert set(espeak.locales) == set(SUPPORTED_LOCALES)            # espeak speaks every contract locale
    assert len(espeak.voices) > 100 and {"speed", "pitch", "volume", "variant"} <= set(espeak.controls)
    piper = found["piper"].models["piper-vits"]
    assert piper.locales == ("en-us",) and "en_US-joe-medium" in piper.voices
    assert set(piper.controls) == {"speed", "volume"}                # Piper honours no pitch or variant


def test_voice_knowledge_comes_from_the_engines():
    assert registry.voice_known("espeak", "espeak-ng", "de") is True
    assert registry.voice_known("espeak", "espeak-ng", "klingon") is False
    assert registry.voice_known("piper", "piper-vits", "en_US-joe-medium") is True
    assert registry.voice_known("piper", "piper-vits", "de_DE-nobody") is False
    assert registry.voice_known("elevenlabs", "eleven_v3", "abc") is None       # not a local engine: can't tell
