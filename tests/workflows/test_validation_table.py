"""Table of invalid definitions: each is rejected with the exact rule, node, edge and field."""
from __future__ import annotations

import pytest

from app.workflows.validation import split, validate_definition
from tests.workflows.defs import (ESPEAK, edge, edges_of, linear, mutate, node, nodes_of,
                                  voices_catalog)


def _set(path_fn, value):
    def fn(d):
        obj, key = path_fn(d)
        obj[key] = value
    return fn


def _cfg(i, key, value):
    return _set(lambda d: (nodes_of(d)[i].setdefault("config", {}), key), value)


def _edge(i, key, value):
    return _set(lambda d: (edges_of(d)[i], key), value)


def _del(getter, key):
    def fn(d):
        del getter(d)[key]
    return fn


def _add_nodes_edges(nodes=(), edges=()):
    def fn(d):
        nodes_of(d).extend(nodes)
        edges_of(d).extend(edges)
    return fn


def _voice(locale, **entry):
    return _cfg(2, "voice_map", {locale: [dict(ESPEAK, **entry)]})


def _two_generator_loop(d):
    # g → v ; v fail → g2 ; g2 → v2 ; v2 fail → g   (a loop made only of "forward" fail edges)
    d["graph"]["nodes"] = [
        node("s", "source_script", {"text": "Hi"}),
        node("g", "operator_generator"), node("v", "validator_noise"),
        node("g2", "operator_generator"), node("v2", "validator_naturalness"),
        node("k", "sink_preview")]
    d["graph"]["edges"] = [
        edge("a", "s", "g"), edge("b", "g", "v"), edge("c", "v", "g2", "fail"),
        edge("d", "g2", "v2"), edge("e", "v2", "g", "fail"), edge("f", "v", "k", "pass")]


def _fail_to_corrector(d):
    # g → c → v ; v fail → c: a loop that does not go back to a generator
    nodes_of(d).append(node("c", "operator_pronunciation_corrector"))
    edges_of(d)[2] = edge("e3", "c", "v")
    edges_of(d)[4] = edge("e5", "v", "c", "fail")
    edges_of(d).append(edge("e6", "g", "c"))


def _translate_to_french(d):
    nodes_of(d).insert(2, node("t", "operator_translator", {"target_languages": ["fr-fr"]}))
    edges_of(d)[1] = edge("e2", "n", "t")
    edges_of(d).append(edge("e6", "t", "g"))


def _orphan_sink(d):
    # the only sink hangs off a generator that no source feeds
    nodes_of(d).append(node("g2", "operator_generator", {"voice_map": {"en-us": [dict(ESPEAK)]}}))
    edges_of(d)[3] = edge("e4", "g2", "k")


# (case id, definition, rule, node_id, edge_id, field, options)
CASES = [
    ("definition_not_object", [], "invalid_shape", None, None, "", {}),
    ("graph_not_object", {"graph": []}, "invalid_shape", None, None, "graph", {}),
    ("nodes_not_list", {"graph": {"nodes": {}, "edges": []}}, "invalid_shape", None, None,
     "graph.nodes", {}),
    ("edges_not_list", {"graph": {"nodes": [], "edges": "e1"}}, "invalid_shape", None, None,
     "graph.edges", {}),
    ("node_not_object", mutate(lambda d: nodes_of(d).append("n9")), "invalid_shape", None, None,
     "graph.nodes[5]", {}),
    ("node_without_id", mutate(lambda d: nodes_of(d).append(
        {"type": "operator_normalizer", "position": {"x": 1, "y": 1}})),
     "invalid_shape", None, None, "graph.nodes[5].id", {}),
    ("node_without_type", mutate(_del(lambda d: nodes_of(d)[1], "type")),
     "invalid_shape", "n", None, "graph.nodes[1].type", {}),
    ("node_without_position", mutate(_del(lambda d: nodes_of(d)[1], "position")),
     "invalid_shape", "n", None, "graph.nodes[1].position", {}),
    ("position_not_number", mutate(_set(lambda d: (nodes_of(d)[4]["position"], "y"), "10px")),
     "invalid_shape", "k", None, "graph.nodes[4].position.y", {}),
    ("node_name_not_string", mutate(_set(lambda d: (nodes_of(d)[1], "name"), 7)),
     "invalid_shape", "n", None, "graph.nodes[1].name", {}),
    ("unknown_node_type", mutate(_set(lambda d: (nodes_of(d)[1], "type"), "operator_magic")),
     "unknown_node_type", "n", None, "graph.nodes[1].type", {}),
    ("duplicate_node_id", mutate(lambda d: nodes_of(d).append(node("n", "operator_normalizer"))),
     "duplicate_node_id", "n", None, "graph.nodes[5].id", {}),
    ("edge_not_object", mutate(lambda d: edges_of(d).append(None)), "invalid_shape", None, None,
     "graph.edges[5]", {}),
    ("edge_without_target_port", mutate(_del(lambda d: edges_of(d)[1], "targetPort")),
     "invalid_shape", None, "e2", "graph.edges[1].targetPort", {}),
    ("edge_without_id", mutate(_del(lambda d: edges_of(d)[2], "id")),
     "invalid_shape", None, None, "graph.edges[2].id", {}),
    ("duplicate_edge_id", mutate(_edge(1, "id", "e1")),
     "duplicate_edge_id", None, "e1", "graph.edges[1].id", {}),
    ("edge_unknown_source", mutate(_edge(0, "source", "ghost")),
     "edge_unknown_source", None, "e1", "graph.edges[0].source", {}),
    ("edge_unknown_target", mutate(_edge(3, "target", "ghost")),
     "edge_unknown_target", None, "e4", "graph.edges[3].target", {}),
    ("unknown_source_port", mutate(_edge(2, "sourcePort", "audio")),
     "unknown_source_port", "g", "e3", "graph.edges[2].sourcePort", {}),
    ("unknown_target_port", mutate(_edge(1, "targetPort", "text")),
     "unknown_target_port", "g", "e2", "graph.edges[1].targetPort", {}),
    ("edge_from_sink_input", mutate(lambda d: edges_of(d).append(edge("e6", "k", "g"))),
     "wrong_port_direction", "k", "e6", "graph.edges[5].sourcePort", {}),
    ("edge_into_validator_output", mutate(_edge(2, "targetPort", "pass")),
     "wrong_port_direction", "v", "e3", "graph.edges[2].targetPort", {}),
    ("edge_into_source", mutate(lambda d: edges_of(d).append(edge("e6", "n", "s"))),
     "wrong_port_direction", "s", "e6", "graph.edges[5].targetPort", {}),
    ("audio_into_text_operator", mutate(lambda d: edges_of(d).__setitem__(
        3, edge("e4", "v", "n", "pass"))), "incompatible_ports", "n", "e4", "graph.edges[3]", {}),
    ("text_into_sink", mutate(lambda d: edges_of(d).append(edge("e6", "s", "k"))),
     "incompatible_ports", "k", "e6", "graph.edges[5]", {}),
    ("validator_fed_text", mutate(_edge(2, "source", "n")),
     "validator_without_audio", "v", "e3", "graph.edges[2]", {}),
    ("cycle_between_operators", mutate(_add_nodes_edges(
        [node("p", "operator_phoneme_injector")],
        [edge("e6", "n", "p"), edge("e7", "p", "n")])),
     "cycle", "n", "e6", "graph.edges[5]", {}),
    ("self_loop", mutate(lambda d: edges_of(d).append(edge("e6", "n", "n"))),
     "cycle", "n", "e6", "graph.edges[5]", {}),
    ("pass_edge_back_to_generator", mutate(_edge(4, "sourcePort", "pass")),
     "cycle", "g", "e3", "graph.edges[2]", {}),
    ("fail_edge_back_to_corrector", mutate(_fail_to_corrector),
     "cycle", "v", "e3", "graph.edges[2]", {}),
    ("fail_edge_back_to_text_operator", mutate(_edge(4, "target", "n")),
     "incompatible_ports", "n", "e5", "graph.edges[4]", {}),
    ("loop_of_fail_edges_between_generators", mutate(_two_generator_loop),
     "cycle", "g", "b", "graph.edges[1]", {}),
    ("config_not_object", mutate(_set(lambda d: (nodes_of(d)[4], "config"), ["wav"])),
     "config_type", "k", None, "graph.nodes[4].config", {}),
    ("threshold_not_number", mutate(_cfg(3, "threshold", "high")),
     "config_type", "v", None, "graph.nodes[3].config.threshold", {}),
    ("threshold_bool", mutate(_cfg(3, "threshold", True)),
     "config_type", "v", None, "graph.nodes[3].config.threshold", {}),
    ("threshold_above_100", mutate(_cfg(3, "threshold", 101)),
     "config_out_of_range", "v", None, "graph.nodes[3].config.threshold", {}),
    ("naturalness_threshold_above_its_range", mutate(lambda d: (
        _set(lambda d: (nodes_of(d)[3], "type"), "validator_naturalness")(d),
        _cfg(3, "threshold", 96)(d))),
     "config_out_of_range", "v", None, "graph.nodes[3].config.threshold", {}),
    ("max_retries_too_many", mutate(_cfg(3, "max_retries", 11)),
     "config_out_of_range", "v", None, "graph.nodes[3].config.max_retries", {}),
    ("max_retries_fraction", mutate(_cfg(3, "max_retries", 1.5)),
     "config_type", "v", None, "graph.nodes[3].config.max_retries", {}),
    ("sink_format_flac", mutate(_cfg(4, "format", "flac")),
     "config_enum", "k", None, "graph.nodes[4].config.format", {}),
    ("source_language_unsupported", mutate(_cfg(0, "source_language", "it-it")),
     "config_enum", "s", None, "graph.nodes[0].config.source_language", {}),
    ("script_text_null", mutate(_cfg(0, "text", None)),
     "config_type", "s", None, "graph.nodes[0].config.text", {}),
    ("normalizer_flag_not_bool", mutate(_cfg(1, "expand_numbers", "yes")),
     "config_type", "n", None, "graph.nodes[1].config.expand_numbers", {}),
    ("translator_target_unsupported", mutate(lambda d: (_translate_to_french(d), _cfg(
        2, "target_languages", ["fr-fr", "xx-yy"])(d))),
     "config_enum", "t", None, "graph.nodes[2].config.target_languages[1]", {}),
    ("voice_map_not_object", mutate(_cfg(2, "voice_map", [])),
     "config_type", "g", None, "graph.nodes[2].config.voice_map", {}),
    ("voice_map_unsupported_locale", mutate(_cfg(2, "voice_map", {
        "en-us": [dict(ESPEAK)], "it-it": [dict(ESPEAK)]})),
     "voice_map_locale", "g", None, "graph.nodes[2].config.voice_map.it-it", {}),
    ("voice_map_unknown_provider", mutate(_voice("en-us", provider="acme-tts")),
     "voice_map_provider", "g", None, "graph.nodes[2].config.voice_map.en-us[0].provider", {}),
    ("voice_map_unknown_model", mutate(_voice("en-us", model="espeak-ng2")),
     "voice_map_model", "g", None, "graph.nodes[2].config.voice_map.en-us[0].model", {}),
    ("voice_map_model_cannot_speak_locale", mutate(_cfg(2, "voice_map", {
        "en-us": [dict(ESPEAK)], "de-de": [{"voice_id": "en_US-joe-medium", "provider": "piper",
                                            "model": "piper-vits"}]})),
     "voice_map_model_locale", "g", None, "graph.nodes[2].config.voice_map.de-de[0].model", {}),
    ("voice_map_entry_without_voice_id", mutate(_cfg(2, "voice_map", {
        "en-us": [{"provider": "espeak", "model": "espeak-ng"}]})),
     "voice_map_shape", "g", None, "graph.nodes[2].config.voice_map.en-us[0].voice_id", {}),
    ("voice_map_locale_not_list", mutate(_cfg(2, "voice_map", {"en-us": dict(ESPEAK)})),
     "voice_map_shape", "g", None, "graph.nodes[2].config.voice_map.en-us", {}),
    ("voice_map_provider_config_not_object", mutate(_voice("en-us", provider_config="fast")),
     "voice_map_shape", "g", None, "graph.nodes[2].config.voice_map.en-us[0].provider_config", {}),
    ("config_version_too_new", mutate(_set(lambda d: (nodes_of(d)[1], "config_version"), 9)),
     "unsupported_config_version", "n", None, "graph.nodes[1].config_version", {}),
    ("config_version_not_int", mutate(_set(lambda d: (nodes_of(d)[1], "config_version"), "1")),
     "invalid_shape", "n", None, "graph.nodes[1].config_version", {}),
    ("execution_steps_not_list", mutate(lambda d: d.update(execution={"steps": "s,n"})),
     "invalid_shape", None, None, "execution.steps", {}),
    # run-time gates
    ("run_without_source", mutate(lambda d: (nodes_of(d).pop(0), edges_of(d).pop(0))),
     "no_source", None, None, "graph.nodes", {"for_run": True}),
    ("run_without_sink", mutate(lambda d: (nodes_of(d).pop(4), edges_of(d).pop(3))),
     "no_sink", None, None, "graph.nodes", {"for_run": True}),
    ("run_sink_unreachable", mutate(_orphan_sink),
     "unreachable_sink", "k", None, "graph.nodes[4]", {"for_run": True}),
    ("run_missing_voice_for_translation", mutate(_translate_to_french),
     "missing_voice", "g", None, "graph.nodes[3].config.voice_map.fr-fr", {"for_run": True}),
    ("run_missing_voice_for_source_language", mutate(_cfg(0, "source_language", "de-de")),
     "missing_voice", "g", None, "graph.nodes[2].config.voice_map.de-de", {"for_run": True}),
    ("run_empty_voice_list", mutate(_cfg(2, "voice_map", {"en-us": []})),
     "missing_voice", "g", None, "graph.nodes[2].config.voice_map.en-us", {"for_run": True}),
    ("run_empty_script", mutate(_cfg(0, "text", "   ")),
     "empty_script", "s", None, "graph.nodes[0].config.text", {"for_run": True}),
    ("run_unknown_voice", mutate(_voice("en-us", voice_id="nobody")),
     "voice_map_voice", "g", None, "graph.nodes[2].config.voice_map.en-us[0].voice_id",
     {"for_run": True, "catalog": voices_catalog()}),
]


def test_the_table_is_big_enough():
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case_id,definition,rule,node_id,edge_id,field,opts", CASES,
                         ids=[c[0] for c in CASES])
def test_invalid_definition(case_id, definition, rule, node_id, edge_id, field, opts):
    opts = dict(opts)
    catalog = opts.pop("catalog", None)
    errors, _ = split(validate_definition(definition, catalog, **opts))
    assert errors, f"{case_id}: accepted"
    assert [e.rule for e in errors] == [rule], [e.to_dict() for e in errors]
    (err,) = errors
    assert (err.node_id, err.edge_id, err.field) == (node_id, edge_id, field), err.to_dict()
    assert err.message


def test_names_are_carried_for_the_editor():
    d = mutate(_cfg(3, "threshold", 101))
    (err,) = split(validate_definition(d))[0]
    assert err.node_name == "Accuracy"
    assert err.to_dict() == {"rule": "config_out_of_range", "message": err.message,
                             "severity": "error", "node_id": "v", "node_name": "Accuracy",
                             "field": "graph.nodes[3].config.threshold"}


def test_never_stops_at_the_first_problem():
    d = linear()
    nodes_of(d)[1]["type"] = "operator_magic"
    nodes_of(d)[3]["config"] = {"threshold": 500, "max_retries": -1}
    nodes_of(d)[4]["config"] = {"format": "ogg"}
    edges_of(d)[0]["target"] = "ghost"
    edges_of(d).append(edge("e1", "g", "g2"))
    errors, _ = split(validate_definition(d))
    got = {(e.rule, e.node_id, e.edge_id, e.field) for e in errors}
    assert got == {
        ("unknown_node_type", "n", None, "graph.nodes[1].type"),
        ("config_out_of_range", "v", None, "graph.nodes[3].config.threshold"),
        ("config_out_of_range", "v", None, "graph.nodes[3].config.max_retries"),
        ("config_enum", "k", None, "graph.nodes[4].config.format"),
        ("edge_unknown_target", None, "e1", "graph.edges[0].target"),
        ("duplicate_edge_id", None, "e1", "graph.edges[5].id"),
        ("edge_unknown_target", None, "e1", "graph.edges[5].target"),
    }


def test_unknown_voice_is_only_a_warning_when_saving():
    d = mutate(_voice("en-us", voice_id="nobody"))
    errors, warnings = split(validate_definition(d, voices_catalog()))
    assert errors == []
    assert [(w.rule, w.field) for w in warnings] == [
        ("voice_map_voice", "graph.nodes[2].config.voice_map.en-us[0].voice_id")]


def test_an_empty_draft_cannot_run():
    errors, _ = split(validate_definition({}, for_run=True))
    assert [e.rule for e in errors] == ["no_source", "no_sink"]


def test_script_override_satisfies_the_empty_script_gate():
    d = mutate(_cfg(0, "text", ""))
    assert split(validate_definition(d, for_run=True, script_override=True))[0] == []


def test_source_language_override_is_checked_against_the_voice_map():
    errors, _ = split(validate_definition(linear(), for_run=True, source_language="fr"))
    assert [(e.rule, e.field) for e in errors] == [
        ("missing_voice", "graph.nodes[2].config.voice_map.fr-fr")]


def test_detected_language_needs_at_least_one_voice():
    d = mutate(lambda d: (_cfg(0, "source_language", None)(d), _cfg(2, "voice_map", {})(d)))
    errors, _ = split(validate_definition(d, for_run=True))
    assert [(e.rule, e.field) for e in errors] == [
        ("missing_voice", "graph.nodes[2].config.voice_map")]
    assert split(validate_definition(linear() | {}, for_run=True))[0] == []


def test_unconnected_node_is_a_run_warning():
    d = mutate(lambda d: nodes_of(d).append(node("p", "operator_phoneme_injector")))
    errors, warnings = split(validate_definition(d, for_run=True))
    assert errors == []
    assert [(w.rule, w.node_id, w.field) for w in warnings] == [
        ("disconnected_node", "p", "graph.nodes[5]")]
    assert split(validate_definition(d))[1] == []  # not a concern for a draft
