"""Normalisation, WER/CER, alignment spans and the longest-wrong-run signal (no ASR model needed)."""
from __future__ import annotations

import random

import pytest

from app.speech.asr import accuracy
from app.speech.asr.pronunciation import DictionaryWord, targets
from app.speech.text import phonetic
from app.speech.text import wer as W
from app.speech.text.wer_normalize import normalize


@pytest.mark.parametrize("text, expected", [
    ("Dr. Smith paid $12.50 for 3 apples.", "doctor smith paid twelve dollars fifty cents for three apples"),
    ("It cost £1.01 and €3", "it cost one pound one penny and three euros"),
    ("The colour of the theatre's centre is grey.", "the color of the theaters center is gray"),
    ("We're organising the travelling programme.", "we are organizing the traveling program"),
    ("I don't think it's 3:30 p.m. yet.", "i do not think it is three thirty p m yet"),
    ("She can't and won't; they'll see.", "she can not and will not they will see"),
    ("In the 1990s about 45% of U.S.A. homes", "in the nineteen nineties about forty five percent of usa homes"),
    ("He was born in 1999 on the 21st", "he was born in nineteen ninety nine on the twenty first"),
    ("2,500 people and 3.14 pies", "two thousand five hundred people and three point one four pies"),
    ("Well-known e-mail: OK, alright?", "well known e mail okay all right"),
    ("Naïve café — “hello”…", "naive cafe hello"),
    ("mp3 and covid-19 in the 80s", "mp three and covid nineteen in the eighties"),
    ("Rock & roll + jazz", "rock and roll plus jazz"),
    ("The ⟦Siobhan|ʃɪˈvɔːn⟧ case", "the siobhan case"),
    ("Mr. Lee vs. Mrs. Lee", "mister lee versus missus lee"),
    ("No. 10 but no, thanks", "number ten but no thanks"),
])
def test_english_normalisation_table(text, expected):
    assert normalize(text, "en-us") == expected


def test_other_languages_lowercase_strip_punctuation_and_spell_digits():
    assert normalize("Zwölf Äpfel, 12 Birnen!", "de-de") == "zwölf äpfel zwölf birnen"
    assert normalize("東京に3人", "ja-jp") == "東 京 に 三 人"


def test_whisper_style_digits_and_the_script_spelled_out_compare_equal():
    pairs = [("The meeting starts at 9:15 in room 204.", "The meeting starts at 9.15 in room 204."),
             ("Call five five five, oh one nine nine.", "Call 555-0199."),
             ("In nineteen sixty-nine it was", "In 1969, it was"),
             ("Everyone came some time ago.", "Every one came sometime ago."),
             ("The colour is grey.", "The color is gray."),
             ("It costs twelve dollars fifty cents.", "It costs $12.50.")]
    for script, heard in pairs:
        c = W.compare(script, heard, "en-us")
        assert c.wer == 0 and c.score == 100, (script, c.ref_text(), c.hyp_text())


def test_counts_reproduce_the_rate_and_match_jiwer():
    rng = random.Random(7)
    vocab = "the cat sat on a mat with two red hats".split()
    for _ in range(200):
        ref = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 12)))
        hyp = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 12)))
        c = W.compare(ref, hyp, "en")
        n = c.error_counts
        assert (n["substitutions"] + n["insertions"] + n["deletions"]) / n["reference_units"] == pytest.approx(c.wer)
        assert c.wer == pytest.approx(W.word_error_rate(c.ref_text(), c.hyp_text()))
        assert c.score == pytest.approx(max(0.0, min(100.0, 100 * (1 - c.wer))), abs=0.01)


def test_alignment_prefers_keeping_correct_words_and_segments_point_into_the_script():
    c = W.compare("A bright ⟦Siobhan|ʃɪˈvɔːn⟧ sang, loudly, today.", "A bright shivon sang today now.", "en")
    assert [op.status for op in c.ops] == ["ok", "ok", "substitution", "ok", "deletion", "ok", "insertion"]
    segs = W.segments(c)
    assert [(s["text"], s["error_type"], s["status"]) for s in segs] == [
        ("Siobhan", "substitution", "word_error"), ("loudly", "deletion", "word_error")]
    for s in segs:
        assert c.script[s["start"]:s["end"]] == s["text"]
    assert c.error_counts == {"substitutions": 1, "insertions": 1, "deletions": 1, "reference_units": 6}
    perfect = W.compare("Hello there.", "hello there", "en")
    assert W.segments(perfect) == [] and perfect.longest_wrong_run == 0


def test_timings_of_heard_words_are_carried_to_the_alignment():
    class Word:
        def __init__(self, text, offset, start, end, p):
            self.text, self.offset, self.start, self.end, self.probability = text, offset, start, end, p
    words = [Word("It", 0, 0.0, 0.2, 0.9), Word("costs", 3, 0.2, 0.6, 0.8), Word("$12", 9, 0.6, 1.1, 0.7),
             Word(".50", 12, 1.1, 1.5, 0.6)]
    c = W.compare("It costs twelve dollars fifty cents.", "It costs $12.50", "en", words)
    assert c.wer == 0
    money = [a for a in c.alignment() if a["text"] in ("twelve", "cents")]
    assert all(a["start"] == 0.6 and a["end"] == 1.5 and a["probability"] == 0.6 for a in money)


def test_characters_are_scored_for_languages_without_spaces():
    c = W.compare("東京に三人います。", "東京に三人いました", "ja-jp")
    assert c.scored_on == "cer" and c.wer is None
    assert c.error_counts == {"substitutions": 1, "insertions": 1, "deletions": 0, "reference_units": 8}
    assert c.cer == pytest.approx(2 / 8)
    assert [s["text"] for s in W.segments(c)] == ["す"]


def test_a_long_wrong_run_fails_a_line_whose_average_passes():
    script = ("The committee will announce the results of the annual garden competition on the third of June "
              "at the town hall, and every entrant will receive a certificate with a small prize and a cup of tea.")
    words = script.rstrip(".").split()
    heard = " ".join(words[:10] + ["flim", "flam", "blue", "zork", "quip"] + words[15:])
    c = W.compare(script, heard, "en")
    assert c.longest_wrong_run == 5 and c.score >= accuracy.DEFAULT_THRESHOLD
    ok, reason = accuracy._verdict(c, accuracy.DEFAULT_THRESHOLD, accuracy.MAX_WRONG_RUN)
    assert not ok and "5 words wrong in a row" in reason
    scattered = " ".join(w if i not in (3, 12, 21) else "zork" for i, w in enumerate(words))
    c2 = W.compare(script, scattered, "en")
    assert c2.longest_wrong_run == 1 and accuracy._verdict(c2, 85, 4)[0]


def test_phonetic_similarity_of_pronunciations():
    assert phonetic.similarity("ʃɪvˈɔːn", "ʃˈɪvɔːn") == 1.0                  # stress and length ignored
    assert phonetic.similarity("ʃɪvˈɔːn", "sɪˈɑːbhən") < 0.5
    assert phonetic.similarity("kˈæt", "bˈæt") == pytest.approx(2 / 3)
    # judged in place: the wrong neighbour does not count against the word
    assert phonetic.part_similarity(["ʃɪvɔːn", "ðat ðə miːtɪŋ"], 0, "ʃɪvɑn nɛtəmidankərz") == 1.0
    assert phonetic.part_similarity(["lɛstər"], 0, "lankastər") < 0.65


def test_words_to_check_come_from_the_dictionary_markup_names_and_rare_words():
    script = "Yesterday Dr. Patel served quinoa to ⟦Niamh|niːv⟧ in the garden. The Moon was out."
    found = {t.word: t.source for t in targets(script, "en-us", [DictionaryWord("QUINOA", ipa="kiːnwɑː")])}
    assert found == {"Patel": "name", "quinoa": "dictionary", "Niamh": "markup", "Moon": "name"}
    t = next(t for t in targets(script, "en-us") if t.word == "Niamh")
    assert script[t.start:t.end] == "Niamh" and t.ipa == "niːv"
    cased = targets("Read the bill.", "en-us", [DictionaryWord("Bill", case_sensitive=True)])
    assert cased == []
    assert [t.source for t in targets("Our photosynthesis lecture ends.", "en-us")] == ["rare"]
