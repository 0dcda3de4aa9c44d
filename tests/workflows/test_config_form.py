"""Settings forms from config schemas: widgets, and form data read back as typed (the one validator
judges the values, not the form)."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app.workflows.config_form import NULL, fields, generator_locales, parse
from app.workflows.nodes import get_spec


def _by_key(spec_type, config):
    return {f["key"]: f for f in fields(get_spec(spec_type), config)}


def test_widgets_follow_the_schema():
    v = _by_key("validator_error_rate", {"threshold": 90})
    assert v["threshold"]["widget"] == "number" and v["threshold"]["value"] == "90" and v["threshold"]["step"] == "any"
    assert (v["threshold"]["min"], v["threshold"]["max"], v["threshold"]["hint"]) == (50, 100, "From 50 to 100")
    assert v["max_retries"]["value"] == "" and v["max_retries"]["default_text"] == "2" and v["max_retries"]["step"] == "1"
    src = _by_key("source_script", {"source_language": None})
    assert "upload_id" not in src and src["text"]["widget"] == "textarea"
    assert src["source_language"]["value"] == NULL and src["source_language"]["options"][0] == (NULL, "Detect automatically")
    assert "voice_map" not in _by_key("operator_generator", {})
    tr = _by_key("operator_translator", {"target_languages": ["de-de"]})
    assert tr["target_languages"]["widget"] == "checkboxes" and ("de-de", "German (Germany)") in tr["target_languages"]["options"]


def test_parse_keeps_what_was_typed_and_unlisted_keys():
    spec = get_spec("validator_error_rate")
    form = MultiDict([("_fields", "threshold"), ("_fields", "max_retries"), ("cfg.threshold", "abc"),
                      ("cfg.max_retries", "2.5")])
    assert parse(spec, form, {"threshold": 85, "extra": 1}) == {"threshold": "abc", "max_retries": 2.5, "extra": 1}
    form = MultiDict([("_fields", "threshold"), ("cfg.threshold", "nan")])
    assert parse(spec, form, {}) == {"threshold": "nan"}               # never a float JSON cannot carry
    form = MultiDict([("_fields", "threshold"), ("cfg.threshold", " 70 ")])
    assert parse(spec, form, {"max_retries": 3}) == {"max_retries": 3, "threshold": 70}
    norm = get_spec("operator_normalizer")
    form = MultiDict([("_fields", "expand_dates"), ("cfg.expand_dates", "false"), ("_fields", "expand_times"),
                      ("cfg.expand_times", "false"), ("cfg.expand_times", "true")])
    assert parse(norm, form, {}) == {"expand_dates": False, "expand_times": True}
    tr = get_spec("operator_translator")
    form = MultiDict([("_fields", "target_languages"), ("cfg.target_languages", "fr-fr"), ("cfg.target_languages", "de-de"),
                      ("cfg.target_languages", "xx-yy")])
    assert parse(tr, form, {}) == {"target_languages": ["de-de", "fr-fr"]}   # catalog order, unknowns dropped
    gen = get_spec("operator_generator")
    vm = {"voice_map": {"en-us": [{"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}]}}
    assert parse(gen, MultiDict([("_fields", "voice_map")]), vm) == vm    # edited by its own widget only


def test_generator_locales_follow_sources_and_translators():
    def n(i, t, cfg):
        return {"id": i, "type": t, "position": {"x": 0, "y": 0}, "config": cfg}
    defn = {"graph": {"nodes": [n("s", "source_script", {"source_language": "de"}),
                                n("t", "operator_translator", {"target_languages": ["fr-fr", "ja-jp"]}),
                                n("g", "operator_generator", {}), n("g2", "operator_generator", {}),
                                n("s2", "source_script", {"source_language": None})],
                      "edges": [{"id": "1", "source": "s", "sourcePort": "lines", "target": "t", "targetPort": "lines"},
                                {"id": "2", "source": "t", "sourcePort": "lines", "target": "g", "targetPort": "lines"},
                                {"id": "3", "source": "s2", "sourcePort": "lines", "target": "g2", "targetPort": "lines"}]}}
    assert generator_locales(defn, "g") == (["de-de", "fr-fr", "ja-jp"], False)
    assert generator_locales(defn, "g2") == ([], True)
    assert generator_locales(defn, "nope") == ([], False)
