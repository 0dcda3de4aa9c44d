"""Definitions that must be accepted, and the WorkflowValidateOut report."""
from __future__ import annotations

import json

import pytest
from onepin.types import WorkflowDefinitionInput, WorkflowValidateOut

from app.workflows.config_migrations import migrate_definition
from app.workflows.definition import normalize_definition
from app.workflows.validation import RULES, split, validate_definition, validation_report
from tests.workflows.defs import ESPEAK, defn, edge, edges_of, linear, node, nodes_of

VM = {"voice_map": {"en-us": [dict(ESPEAK)]}}


def fan_out_to_two_sinks():
    return defn([
        node("s", "source_script", {"text": "One. Two."}),
        node("g", "operator_generator", VM),
        node("wav", "sink_preview", {"format": "wav"}),
        node("mp3", "sink_preview", {"format": "mp3"}),
    ], [edge("a", "s", "g"), edge("b", "g", "wav"), edge("c", "g", "mp3")])


def fail_to_another_generator():
    piper = {"voice_map": {"en-us": [{"voice_id": "en_US-joe-medium", "provider": "piper",
                                      "model": "piper-vits", "voice_name": "Joe"}]}}
    return defn([
        node("s", "source_script", {"text": "Hello."}),
        node("g", "operator_generator", VM),
        node("v", "validator_naturalness", {"threshold": 60}),
        node("g2", "operator_generator", piper),
        node("v2", "validator_noise"),
        node("k", "sink_preview"),
    ], [edge("a", "s", "g"), edge("b", "g", "v"), edge("c", "v", "k", "pass"),
        edge("d", "v", "g2", "fail"), edge("e", "g2", "v2"), edge("f", "v2", "k", "pass"),
        edge("h", "v2", "g2", "fail")])


def translated_series_validators():
    return defn([
        node("s", "source_script", {"text": "It costs $5.", "source_language": "en"}),
        node("n", "operator_normalizer", {"expand_currency": True}),
        node("t", "operator_translator", {"target_languages": ["fr-fr", "de-de"]}),
        node("p", "operator_phoneme_injector", {"apply_dictionary": False}),
        node("g", "operator_generator", {"voice_map": {
            "en-us": [dict(ESPEAK)], "fr-fr": [dict(ESPEAK, voice_id="fr")],
            "de-de": [dict(ESPEAK, voice_id="de", canonical_controls={"speed": 1.1},
                           provider_config={}, catalog_voice_id="uuid-1")]}}),
        node("c", "operator_pronunciation_corrector", {"max_words": 5, "hint_mode": "ipa"}),
        node("v1", "validator_error_rate", {"threshold": 85, "max_retries": 0}),
        node("v2", "validator_pronunciation", {"threshold": 80.5}),
        node("k", "sink_preview"),
    ], [edge("1", "s", "n"), edge("2", "n", "t"), edge("3", "t", "p"), edge("4", "p", "g"),
        edge("5", "g", "c"), edge("6", "c", "v1"), edge("7", "v1", "v2", "pass"),
        edge("8", "v2", "k", "pass"), edge("9", "v1", "g", "fail"), edge("10", "v2", "g", "fail")])


def minimal():
    return defn([node("s", "source_script", {"text": "Hi"}), node("g", "operator_generator", VM),
                 node("k", "sink_preview")], [edge("a", "s", "g"), edge("b", "g", "k")])


VALID = {
    "linear_with_retry": linear,
    "fan_out_to_two_sinks": fan_out_to_two_sinks,
    "fail_to_another_generator": fail_to_another_generator,
    "translated_series_validators": translated_series_validators,
    "minimal": minimal,
}


@pytest.mark.parametrize("name", VALID)
def test_valid_for_saving_and_running(name):
    d = VALID[name]()
    assert validate_definition(d) == []
    assert validate_definition(d, for_run=True) == []
    WorkflowDefinitionInput.model_validate(d)  # the CLI's local check accepts it too


@pytest.mark.parametrize("draft", [{}, None, {"graph": {"nodes": [], "edges": []}},
                                   {"graph": {}}, {"execution": {"steps": [], "params": {}}},
                                   defn([node("s", "source_script")], [])])
def test_incomplete_drafts_save(draft):
    assert split(validate_definition(draft))[0] == []


def test_validation_pass_may_feed_another_generator():
    d = linear()
    nodes_of(d).append(node("g2", "operator_generator", VM))
    edges_of(d).append(edge("e6", "v", "g2", "pass"))
    edges_of(d).append(edge("e7", "g2", "k"))
    assert validate_definition(d, for_run=True) == []


def test_fan_in_is_allowed_but_a_repeated_connection_warns():
    d = linear()
    edges_of(d).append(edge("e6", "s", "g"))  # source also feeds the generator directly
    assert validate_definition(d) == []
    edges_of(d).append(edge("e7", "s", "g"))
    errors, warnings = split(validate_definition(d))
    assert errors == []
    assert [(w.rule, w.edge_id, w.field) for w in warnings] == [
        ("duplicate_connection", "e7", "graph.edges[6]")]


def test_seed_template_config_only_warns():
    d = linear()
    nodes_of(d)[0]["config"] = {"script": "fetch_posts.py", "parameters": {"platform": "x"},
                                "text": "Hi"}
    errors, warnings = split(validate_definition(d, for_run=True))
    assert errors == []
    assert {(w.rule, w.field) for w in warnings} == {
        ("config_unknown_key", "graph.nodes[0].config.script"),
        ("config_unknown_key", "graph.nodes[0].config.parameters")}


def test_snake_case_ports_are_accepted_and_camel_case_emitted():
    d = linear()
    for e in edges_of(d):
        e["source_port"] = e.pop("sourcePort")
        e["target_port"] = e.pop("targetPort")
    assert validate_definition(d) == []
    out = normalize_definition(d)
    assert out == linear()
    assert list(edges_of(out)[0]) == ["id", "source", "target", "sourcePort", "targetPort"]
    assert "source_port" in edges_of(d)[0]  # input untouched


def test_camel_case_wins_when_both_spellings_are_sent():
    d = linear()
    edges_of(d)[0]["source_port"] = "bogus"
    assert edges_of(normalize_definition(d))[0]["sourcePort"] == "lines"
    assert "source_port" not in edges_of(normalize_definition(d))[0]


def test_get_patch_round_trip():
    """What GET returns (migrated, config_version set) validates unchanged and migrates to itself."""
    stored = translated_series_validators()
    got = migrate_definition(stored)
    assert all(n["config_version"] >= 1 for n in nodes_of(got))
    sent_back = json.loads(json.dumps(got))
    assert validate_definition(sent_back, for_run=True) == []
    assert json.dumps(migrate_definition(sent_back)) == json.dumps(got)


def test_report_shape():
    d = linear()
    nodes_of(d)[3]["config"]["threshold"] = 20
    nodes_of(d)[0]["config"]["mood"] = "cheerful"
    report = validation_report(d, blocked=[])
    WorkflowValidateOut.model_validate(report)
    assert report["valid"] is False
    assert report["summary"] == {"node_count": 5, "edge_count": 5, "error_count": 1,
                                 "warning_count": 1}
    assert report["errors"][0]["rule"] == "config_out_of_range"
    assert report["errors"][0]["node_id"] == "v"
    assert report["warnings"][0]["rule"] == "config_unknown_key"
    assert validation_report(linear())["valid"] is True
    blocked = [{"code": "PLAN_LIMIT", "message": "Translation needs a paid plan."}]
    assert validation_report(linear(), blocked=blocked)["valid"] is False


def test_report_of_garbage_is_an_answer_not_a_crash():
    report = validation_report("nope")
    assert report["valid"] is False
    assert report["summary"]["node_count"] == 0
    assert report["errors"][0]["rule"] == "invalid_shape"


def test_every_reported_rule_is_listed():
    d = linear()
    nodes_of(d)[3]["config"]["threshold"] = 500
    for p in validate_definition(d, for_run=True) + validate_definition([]):
        assert p.rule in RULES
