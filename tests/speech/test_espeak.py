"""espeak-ng through our ctypes binding: real library, real audio."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from app.speech import audio as A
from app.speech.tts import EngineError, TTSEngine, get_engine

from .conftest import median_f0


def test_engine_is_a_shared_singleton(espeak):
    assert get_engine("espeak") is espeak
    assert isinstance(espeak, TTSEngine)
    assert espeak.version.startswith("espeak-ng-1.52")


def test_hello_world(espeak):
    a = espeak.synthesize("Hello world", "en-us")
    assert a.sample_rate == 22050
    assert a.samples.dtype == np.float32
    assert a.duration_ms > 300
    assert not A.is_silent(a)
    assert float(np.max(np.abs(a.samples))) <= 1.0
    ok, reason = A.duration_plausible(a, "Hello world")
    assert ok, reason


def test_speed(espeak):
    normal = espeak.synthesize("The quick brown fox jumps over the lazy dog.", "en-us")
    fast = espeak.synthesize("The quick brown fox jumps over the lazy dog.", "en-us", {"speed": 2.0})
    assert fast.duration_ms < 0.7 * normal.duration_ms


def test_pitch_changes_f0(espeak):
    text = "Hello there, how are you today?"
    low = median_f0(espeak.synthesize(text, "en-us", {"pitch": -0.8}))
    high = median_f0(espeak.synthesize(text, "en-us", {"pitch": 0.8}))
    assert high > 1.3 * low, (low, high)


def test_variant_differs(espeak):
    base = espeak.synthesize("Hello world", "en-us")
    female = espeak.synthesize("Hello world", "en-us+f3")
    via_control = espeak.synthesize("Hello world", "en-us", {"variant": "f3"})
    assert median_f0(female) > 1.3 * median_f0(base)
    assert median_f0(via_control) == pytest.approx(median_f0(female), rel=0.05)
    assert via_control.duration_ms == pytest.approx(female.duration_ms, rel=0.02)


def close(a, b) -> bool:
    """Same speech? espeak is not bit-exact between calls (its wave generator keeps state), so
    compare duration and pitch with a small tolerance."""
    return (abs(a.duration_ms - b.duration_ms) <= 0.02 * b.duration_ms
            and abs(median_f0(a) - median_f0(b)) <= 0.05 * median_f0(b))


def test_parameters_do_not_leak_between_calls(espeak):
    first = espeak.synthesize("Hello world", "en-us")
    espeak.synthesize("Hello world", "en-us+f3", {"speed": 2.5, "pitch": 1, "volume": 0.3})
    again = espeak.synthesize("Hello world", "en-us")
    assert close(again, first)
    assert np.max(np.abs(again.samples)) == pytest.approx(np.max(np.abs(first.samples)), rel=0.1)


def test_phoneme_input(espeak):
    a = espeak.synthesize("[[h@l'oU]]", "en-us", phonemes=True)
    assert 200 < a.duration_ms < 1200
    assert not A.is_silent(a)
    spelled = espeak.synthesize("[[h@l'oU]]", "en-us")  # without the flag the brackets are read
    assert spelled.duration_ms > a.duration_ms


def test_ssml_break(espeak):
    plain = espeak.synthesize("Hello world", "en-us")
    paused = espeak.synthesize('<speak>Hello <break time="1s"/> world</speak>', "en-us", ssml=True)
    assert paused.duration_ms > plain.duration_ms + 700


def test_text_to_ipa(espeak):
    ipa = espeak.text_to_ipa("hello", "en-us")
    assert "h" in ipa and "l" in ipa
    assert espeak.text_to_ipa("你好", "cmn").startswith("ni")


def test_voices(espeak):
    voices = espeak.voices()
    assert len(voices) > 100
    ids = {v.id for v in voices if not v.variant}
    assert {"en-us", "de", "es", "fr", "ko", "ja", "cmn"} <= ids
    variants = {v.id.lower() for v in voices if v.variant}
    assert {"f3", "m2", "klatt"} <= variants
    en_us = next(v for v in voices if v.id == "en-us")
    assert "en-us" in en_us.languages and en_us.gender == "male"
    for v in ("de", "en-gb", "zh", "gmw/en-US"):  # language codes and identifiers resolve too
        assert espeak.synthesize("ja", v).duration_ms > 100


@pytest.mark.parametrize("voice", ["xx-nope", "en-us+nope", "f3", ""])
def test_unknown_voice(espeak, voice):
    with pytest.raises(EngineError) as err:
        espeak.synthesize("Hello", voice)
    if voice:
        assert voice.split("+")[-1] in str(err.value)


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_text(espeak, text):
    with pytest.raises(EngineError):
        espeak.synthesize(text, "en-us")


@pytest.mark.parametrize("controls", [{"speed": 0}, {"pitch": 2}, {"volume": "loud"}])
def test_bad_controls(espeak, controls):
    with pytest.raises(EngineError):
        espeak.synthesize("Hello", "en-us", controls)


def test_threads_share_the_lock(espeak):
    jobs = {"a": ("Good morning everybody, welcome to the show.", "en-us"),
            "b": ("Guten Morgen und herzlich willkommen.", "de+f3")}
    expected = {k: espeak.synthesize(*v) for k, v in jobs.items()}
    assert not close(expected["a"], expected["b"])
    results: dict[str, list] = {k: [] for k in jobs}
    errors: list[BaseException] = []

    def work(key):
        try:
            for _ in range(15):
                results[key].append(espeak.synthesize(*jobs[key]))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for key, outs in results.items():
        assert len(outs) == 15
        assert all(close(o, expected[key]) for o in outs)


def test_japanese_kanji_are_refused_with_the_reason_kana_are_spoken(espeak):
    # espeak-ng would say "Chinese letter" for each kanji: refusing is the honest answer
    assert "(en)tʃˈaɪniːz" in espeak.text_to_ipa("東京に行きます。", "ja")
    for voice in ("ja", "ja+f3", "jpx/ja"):
        with pytest.raises(EngineError) as err:
            espeak.synthesize("東京に行きます。", voice)
        assert "kanji 東京行" in str(err.value) and "kana" in str(err.value)
    assert espeak.synthesize("とうきょうに いきます。", "ja").duration_ms > 800       # the same line in kana
    assert espeak.synthesize("你好，世界。", "cmn").duration_ms > 500                 # Mandarin reads hanzi
