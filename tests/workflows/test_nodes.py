"""The node catalog: NodePortsOut / NodeDetailOut shapes of the contract."""
from __future__ import annotations

import pytest
from onepin.types import NodeDetailOut, NodePortsOut

from app.workflows.catalog import StaticCatalog, default_catalog
from app.workflows.locales import SUPPORTED_LOCALES, canonical_locale
from app.workflows.nodes import NODE_SPECS, list_nodes, node_detail

NODE_TYPES = ["source_script", "operator_normalizer", "operator_translator",
              "operator_phoneme_injector", "operator_generator",
              "operator_pronunciation_corrector", "validator_error_rate",
              "validator_naturalness", "validator_noise", "validator_pronunciation", "sink_preview"]
PORTS_KEYS = {"node_type", "display_name", "description", "version", "beta", "inputs", "outputs",
              "input_schema", "config_schema"}
VALIDATORS = [t for t in NODE_TYPES if t.startswith("validator_")]


def by_type():
    return {n["node_type"]: n for n in list_nodes()}


def test_list_nodes_has_the_eleven_contract_types():
    assert sorted(by_type()) == sorted(NODE_TYPES)


@pytest.mark.parametrize("item", list_nodes(), ids=lambda n: n["node_type"])
def test_item_is_a_node_ports_out(item):
    assert set(item) == PORTS_KEYS
    parsed = NodePortsOut.model_validate(item)
    assert parsed.node_type == item["node_type"]
    assert isinstance(item["version"], int) and item["version"] >= 1
    assert isinstance(item["beta"], bool)
    assert item["description"].endswith(".") and len(item["description"]) > 30
    for port in item["inputs"] + item["outputs"]:
        assert set(port) == {"name", "fields"} and port["name"] in {"lines", "pass", "fail"}
    schema = item["config_schema"]
    assert "properties" not in schema and "type" not in schema  # a flat map, not JSON Schema
    for key, field in schema.items():
        assert {"type", "default", "description"} <= set(field), key
        if "minimum" in field:
            assert field["minimum"] <= field["default"] <= field["maximum"]
        if "enum" in field:
            assert field["default"] in field["enum"]


def test_ports_per_family():
    nodes = by_type()
    for t, n in nodes.items():
        ins = [p["name"] for p in n["inputs"]]
        outs = [p["name"] for p in n["outputs"]]
        if t == "source_script":
            assert (ins, outs) == ([], ["lines"])
        elif t == "sink_preview":
            assert (ins, outs) == (["lines"], [])
        elif t in VALIDATORS:
            assert (ins, outs) == (["lines"], ["pass", "fail"])
        else:
            assert (ins, outs) == (["lines"], ["lines"])
    assert "audio" in nodes["operator_generator"]["outputs"][0]["fields"]
    assert "audio" not in nodes["operator_normalizer"]["outputs"][0]["fields"]


def test_validator_threshold_defaults_differ_and_max_retries_is_shared():
    nodes = by_type()
    defaults = {t: nodes[t]["config_schema"]["threshold"]["default"] for t in VALIDATORS}
    assert defaults == {"validator_error_rate": 85, "validator_naturalness": 60,
                        "validator_noise": 70, "validator_pronunciation": 80}
    ranges = {(nodes[t]["config_schema"]["threshold"]["minimum"],
               nodes[t]["config_schema"]["threshold"]["maximum"]) for t in VALIDATORS}
    assert len(ranges) > 1
    for t in VALIDATORS:
        assert nodes[t]["config_schema"]["max_retries"] == {
            "type": "integer", "default": 2, "minimum": 0, "maximum": 10,
            "description": nodes[t]["config_schema"]["max_retries"]["description"]}
        assert sorted(nodes[t]["config_schema"]) == ["max_retries", "threshold"]


def test_config_keys_of_the_contract():
    nodes = by_type()
    assert nodes["sink_preview"]["config_schema"]["format"]["enum"] == ["wav", "mp3"]
    assert nodes["sink_preview"]["config_schema"]["format"]["default"] == "wav"
    assert nodes["operator_translator"]["config_schema"]["target_languages"]["items"]["enum"] == \
        list(SUPPORTED_LOCALES)
    assert nodes["operator_generator"]["config_schema"]["voice_map"]["type"] == "object"
    assert set(nodes["source_script"]["config_schema"]) == {"text", "source_language", "upload_id"}
    assert nodes["source_script"]["config_schema"]["source_language"]["default"] == "en-us"


def test_generator_input_schema_lists_its_locales():
    schema = by_type()["operator_generator"]["input_schema"]
    assert schema["properties"]["locale"]["enum"] == list(SUPPORTED_LOCALES)


def test_list_nodes_returns_fresh_copies():
    a = list_nodes()
    a[0]["config_schema"]["text"]["default"] = "changed"
    by_type()["operator_generator"]["config_schema"]["voice_map"]["default"]["x"] = 1
    assert by_type()["source_script"]["config_schema"]["text"]["default"] == ""
    assert by_type()["operator_generator"]["config_schema"]["voice_map"]["default"] == {}


@pytest.mark.parametrize("node_type", NODE_TYPES)
def test_node_detail_category_and_contract_shape(node_type):
    detail = node_detail(node_type, default_catalog())
    NodeDetailOut.model_validate(detail)
    expected = {"source": "source", "operator": "operator", "validator": "validation",
                "sink": "output"}[node_type.split("_")[0]]
    assert detail["category"] == expected
    assert set(detail) == PORTS_KEYS | {"category", "options"}


def test_generator_detail_v2_links_providers_and_voices():
    catalog = default_catalog()
    options = node_detail("operator_generator", catalog)["options"]
    assert options["providers"] == {"kind": "href", "target": "/api/v1/providers", "method": "GET"}
    voices = options["voices"]
    assert (voices["kind"], voices["target"], voices["method"]) == ("href", "/api/v1/voices", "GET")
    props = voices["properties"]
    assert [o["value"] for o in props["language"]["options"]] == list(SUPPORTED_LOCALES)
    assert props["provider"]["options"] == [{"value": "espeak", "display_name": "eSpeak NG"},
                                            {"value": "piper", "display_name": "Piper"},
                                            {"value": "elevenlabs", "display_name": "ElevenLabs"},
                                            {"value": "openai", "display_name": "OpenAI"},
                                            {"value": "cartesia", "display_name": "Cartesia"}]
    assert [o["value"] for o in props["model"]["options"]][:2] == ["espeak-ng", "piper-vits"]
    assert "eleven_multilingual_v2" in [o["value"] for o in props["model"]["options"]]
    assert "models_by_provider" not in options


def test_generator_detail_v1_inlines_models_by_provider():
    options = node_detail("operator_generator", default_catalog(), api_version=1)["options"]
    assert "providers" not in options
    inline = options["models_by_provider"]
    assert inline["kind"] == "inline" and list(inline["value"]) == ["espeak", "piper", "elevenlabs", "openai",
                                                                   "cartesia"]
    assert {p: inline["value"][p] for p in ("espeak", "piper")} == {
        "espeak": {"display_name": "eSpeak NG",
                   "models": [{"model": "espeak-ng", "display_name": "eSpeak NG"}]},
        "piper": {"display_name": "Piper",
                  "models": [{"model": "piper-vits", "display_name": "Piper VITS"}]}}
    assert options["voices"]["target"] == "/api/v1/voices"
    NodeDetailOut.model_validate(node_detail("operator_generator", default_catalog(),
                                             api_version=1))


def test_voice_languages_follow_the_catalog():
    catalog = StaticCatalog({"piper": {"display_name": "Piper", "models": {
        "piper-vits": {"display_name": "Piper VITS", "locales": ["en-us", "en-gb"]}}}})
    props = node_detail("operator_generator", catalog)["options"]["voices"]["properties"]
    assert [o["value"] for o in props["language"]["options"]] == ["en-gb", "en-us"]


def test_inline_options_for_enums_and_target_languages():
    sink = node_detail("sink_preview", default_catalog())["options"]
    assert sink["format"] == {"kind": "inline", "value": [
        {"value": "wav", "display_name": "WAV"}, {"value": "mp3", "display_name": "MP3"}]}
    tr = node_detail("operator_translator", default_catalog(),
                     target_languages=["fr-fr", "de-de"])["options"]
    assert tr["target_languages"]["value"] == [
        {"value": "fr-fr", "display_name": "French (France)"},
        {"value": "de-de", "display_name": "German (Germany)"}]


def test_unknown_node_type_has_no_detail():
    assert node_detail("operator_magic", default_catalog()) is None


def test_specs_are_data():
    spec = NODE_SPECS["validator_error_rate"]
    assert spec.default_config() == {"threshold": 85, "max_retries": 2}
    assert spec.output_port("fail").kind == "audio" and spec.input_port("pass") is None


def test_catalog_questions():
    c = default_catalog()
    assert c.has_provider("espeak") and not c.has_provider("acme-tts")
    assert c.has_provider("elevenlabs")       # cloud providers are known; a run needs the workspace's key
    assert c.has_model("piper", "piper-vits") and not c.has_model("piper", "espeak-ng")
    assert c.model_locales("piper", "piper-vits") == ["en-us"]
    assert c.voice_known("espeak", "espeak-ng", "whatever") is False   # the installed engine has no such voice
    assert c.voice_known("espeak", "espeak-ng", "en-us") is True
    assert c.voice_known("espeak", "nope", "x") is False


def test_canonical_locale():
    assert canonical_locale("EN_us") == "en-us"
    assert canonical_locale("ko") == "ko-kr"
    assert canonical_locale("it-it") is None and canonical_locale(3) is None
