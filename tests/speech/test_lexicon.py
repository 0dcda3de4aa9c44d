"""Dictionary entries applied to text: case, word boundaries, which entry wins, what each method does."""
from __future__ import annotations

from app.speech.text import markup
from app.speech.text.lexicon import Lexicon, Rule


def lex(*rules, language="en-us"):
    return Lexicon([Rule(entry_id=f"e{i}", **r) for i, r in enumerate(rules)], language)


def test_spelled_marks_a_respelling_ipa_marks_recorded_keeps():
    lx = lex({"word": "Podonos", "method": "spelled", "pronunciation": "puh-DOH-nohs"},
             {"word": "Nguyen", "method": "ipa", "ipa": "ŋwiən"},
             {"word": "Saoirse", "method": "recorded"},
             {"word": "Siobhan", "method": "recorded", "ipa": "ʃɪˈvɔːn"})
    out = lx.apply("Podonos met Nguyen, Saoirse and Siobhan.")
    assert out.text == (f"{markup.make_respelling('Podonos', 'puh-doh-nohs')} met {markup.make('Nguyen', 'ŋwiən')}, "
                        f"Saoirse and {markup.make('Siobhan', 'ʃɪˈvɔːn')}.")
    assert out.counts == {"e0": 1, "e1": 1, "e3": 1} and out.kept == {"e2": 1}
    # validators and displays read the script; engines without phoneme input get the respelling
    assert markup.plain(out.text) == "Podonos met Nguyen, Saoirse and Siobhan."
    assert markup.spoken(out.text) == "puh-doh-nohs met Nguyen, Saoirse and Siobhan."


def test_case_insensitive_unless_case_sensitive_and_original_spelling_kept():
    lx = lex({"word": "nginx", "method": "ipa", "ipa": "ˈɛndʒɪnɛks"},
             {"word": "US", "method": "spelled", "pronunciation": "you ess", "case_sensitive": True})
    out = lx.apply("NGINX and Nginx serve us in the US.")
    assert out.text.startswith(f"{markup.make('NGINX', 'ˈɛndʒɪnɛks')} and {markup.make('Nginx', 'ˈɛndʒɪnɛks')}")
    assert out.text.endswith(f"serve us in the {markup.make_respelling('US', 'you ess')}.")
    assert out.counts == {"e0": 2, "e1": 1}


def test_whole_words_only_unicode_aware():
    lx = lex({"word": "Zoë", "method": "spelled", "pronunciation": "ZOH-ee"},
             {"word": "C++", "method": "spelled", "pronunciation": "see plus plus"},
             {"word": "Dr.", "method": "spelled", "pronunciation": "doctor"})
    out = lx.apply("Zoë, Zoëlla and zoë_x like C++ (not C++x); Dr. No.")
    assert markup.spoken(out.text) == "zoh-ee, Zoëlla and zoë_x like see plus plus (not C++x); doctor No."
    assert markup.plain(out.text) == "Zoë, Zoëlla and zoë_x like C++ (not C++x); Dr. No."
    art = lex({"word": "art", "method": "spelled", "pronunciation": "ahrt"}).apply("party art-house art's").text
    assert markup.spoken(art) == "party ahrt-house ahrt's"


def test_longer_and_multi_word_entries_win_first_match_left_to_right():
    lx = lex({"word": "York", "method": "spelled", "pronunciation": "YORK"},
             {"word": "New York", "method": "spelled", "pronunciation": "noo york"},
             {"word": "New York City", "method": "spelled", "pronunciation": "the big apple"},
             {"word": "Yorkshire", "method": "spelled", "pronunciation": "YORK-sher"})
    out = lx.apply("New  York City, New\nYork, York and Yorkshire.")
    assert markup.spoken(out.text) == "the big apple, noo york, YORK and york-sher."
    assert out.text.startswith(markup.make_respelling("New  York City", "the big apple"))
    assert [m["entry_id"] for m in out.matches] == ["e2", "e1", "e0", "e3"]


def test_markup_and_phoneme_input_are_left_alone():
    lx = lex({"word": "Podonos", "method": "ipa", "ipa": "pəˈdoʊnoʊs"})
    text = f"{markup.make('Podonos', 'x')} [[p@doUnoUs Podonos]] Podonos"
    out = lx.apply(text)
    assert out.text == f"{markup.make('Podonos', 'x')} [[p@doUnoUs Podonos]] {markup.make('Podonos', 'pəˈdoʊnoʊs')}"
    assert out.counts == {"e0": 1}


def test_counts_every_occurrence():
    lx = lex({"word": "Podonos", "method": "spelled", "pronunciation": "puh-DOH-nohs"})
    out = lx.apply("Podonos, podonos, PODONOS! Podonoses are not Podonos.")
    assert out.counts == {"e0": 4}


def test_languages_without_spaces_match_inside_text():
    ja = lex({"word": "東京", "method": "ipa", "ipa": "toːkjoː"}, language="ja-jp")
    assert ja.apply("東京に行きます").text == f"{markup.make('東京', 'toːkjoː')}に行きます"
    ko = lex({"word": "서울", "method": "ipa", "ipa": "sʌul"}, language="ko-kr")
    assert ko.apply("서울에서 만나요").text == f"{markup.make('서울', 'sʌul')}에서 만나요"
    assert ko.apply("대서울").text == "대서울"                  # the start of the word is still checked
    en = lex({"word": "東京", "method": "ipa", "ipa": "toːkjoː"})
    assert en.apply("東京に").text == "東京に"


def test_empty_lexicon_is_a_no_op():
    out = Lexicon([], "en-us").apply("Nothing to do.")
    assert out.text == "Nothing to do." and not out.counts and len(Lexicon([], "en")) == 0


def test_respellings_are_made_speakable():
    from app.speech.text.lexicon import speakable
    # engines read a word in capitals letter by letter: stressed syllables of a respelling are lowercased
    assert speakable("TOO-sahn") == "too-sahn" and speakable("puh-DOH-nohs") == "puh-doh-nohs"
    assert speakable("SQL") == "SQL" and speakable("engine x") == "engine x"


def test_respelling_marks_render_per_engine_and_count_as_their_word():
    from app.speech.text.wer_normalize import chunks
    text = f"We flew to {markup.make_respelling('Tucson', 'too-sahn')} & {markup.make('Nguyen', 'ŋwiən')}."
    [resp, ipa] = markup.spans(text)
    assert (resp.word, resp.respelling, resp.ipa) == ("Tucson", "too-sahn", "")
    assert (ipa.word, ipa.respelling, ipa.ipa) == ("Nguyen", None, "ŋwiən")
    assert markup.plain(text) == "We flew to Tucson & Nguyen."
    assert markup.spoken(text) == "We flew to too-sahn & Nguyen."
    assert markup.to_espeak(text, "en-us").startswith("We flew to too-sahn & [[")
    assert markup.render(text, "piper", "en_US-joe-medium").startswith("We flew to too-sahn & [[ ")
    assert markup.to_ssml(text) == ('We flew to too-sahn &amp; <phoneme alphabet="ipa" ph="ŋwiən">Nguyen</phoneme>.')
    # the word accuracy and pronunciation checks see the word, not the respelling
    assert [c.text for c in chunks(text)] == ["We", "flew", "to", "Tucson", "&", "Nguyen", "."]
    # text already marked is never marked again
    again = lex({"word": "Tucson", "method": "spelled", "pronunciation": "TUCK-son"}).apply(text)
    assert again.text == text and not again.counts
