"""What every locale shares: markup spans untouched, unsupported locales recorded, options, the node plugin."""
from types import SimpleNamespace

import pytest

from app.speech.text.normalize import Options, canonical, normalize, normalize_ex


def test_markup_spans_are_left_untouched():
    text = "Say ⟦Nguyen|ŋwiən⟧ 3 times at ⟦B2B|biː tuː biː⟧ on 03/15/2024."
    out = normalize(text, "en-us")
    assert out == "Say ⟦Nguyen|ŋwiən⟧ three times at ⟦B2B|biː tuː biː⟧ on March fifteenth, twenty twenty-four."


def test_markup_whose_word_holds_digits_is_not_expanded():
    assert normalize("⟦R2D2|ɑːr tuː diː tuː⟧ 2", "en-us") == "⟦R2D2|ɑːr tuː diː tuː⟧ two"


@pytest.mark.parametrize("locale", ["it-it", "xx", "", None, "nl-nl"])
def test_unknown_locales_leave_the_text_and_say_so(locale):
    r = normalize_ex("Ho 3 anni e 1.200 euro.", locale)
    assert r.text == "Ho 3 anni e 1.200 euro."
    assert r.supported is False and r.meta()["status"] == "unsupported" and "No normalization rules" in r.note


def test_supported_result_counts_expansions_per_family():
    r = normalize_ex("Dr. Smith paid $5 on 2024-03-15 at 3 p.m. for 2 km and 7 pens.", "en-us")
    assert r.supported and r.meta()["status"] == "ok"
    assert r.counts == {"abbreviations": 1, "currency": 1, "dates": 1, "times": 1, "units": 1, "numbers": 1}


@pytest.mark.parametrize("given,expected", [("EN_us", "en-us"), ("de", "de-de"), ("pt", "pt-br"), ("en-au", "en-au")])
def test_locales_are_canonical_and_families_fall_back(given, expected):
    assert canonical(given) == expected


def test_a_region_without_its_own_rules_uses_its_language():
    assert normalize("It costs £3 on 15/03/2024.", "en-au") == "It costs three pounds on the fifteenth of March twenty twenty-four."


def test_korean_result_notes_native_counters():
    assert "native" in normalize_ex("3개", "ko-kr").note


def test_options_from_the_node_config():
    assert Options.from_config({}) == Options()
    assert Options.from_config({"expand_dates": False}).dates is False
    assert Options.coerce({"units": False}).units is False and Options.coerce(None).units is True
    with pytest.raises(TypeError):
        Options.coerce("dates")


def test_node_defaults_match_the_options():
    from app.workflows.nodes import NODE_SPECS
    spec = NODE_SPECS["operator_normalizer"]
    flags = {k: f.default for k, f in spec.config.items()}
    assert Options.from_config(flags) == Options()
    assert set(flags) == {f"expand_{f}" for f in ("numbers", "dates", "times", "currency", "units", "abbreviations")}


def test_plugin_output_for_a_supported_and_an_unsupported_locale():
    from app.engine.plugins.normalizer import Normalizer
    ctx = SimpleNamespace(config={"expand_currency": False})
    take = SimpleNamespace(id="t1", run_id="r1", text="Pay $5 for 2 ⟦apples|ˈæpəlz⟧.", locale="en-us")
    out = Normalizer().process(take, ctx)
    assert out.text_out == "Pay $5 for two ⟦apples|ˈæpəlz⟧."
    assert out.unit == "character" and out.units == len(take.text) and out.meta["normalizer"]["status"] == "ok"
    take.locale = "it-it"
    out = Normalizer().process(take, ctx)
    assert out.text_out == take.text and out.meta["normalizer"]["status"] == "unsupported"
    assert out.units == 0                                  # a pass-through is not billed
