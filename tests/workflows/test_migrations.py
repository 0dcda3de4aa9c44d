"""Config versions and migrations applied on read."""
from __future__ import annotations

import copy
import json

from app.workflows.config_migrations import (current_version, migrate_config, migrate_definition,
                                             register)
from app.workflows.validation import validate_definition
from tests.workflows.defs import linear, nodes_of


def old_definition():
    d = linear()
    nodes_of(d)[3]["config"] = {"threshold": 0.85, "max_retries": 1, "legacy_note": "keep me"}
    nodes_of(d)[3]["config_version"] = 1
    nodes_of(d)[4]["config"] = {"output_format": "mp3"}
    nodes_of(d)[4]["config_version"] = 1
    d["execution"] = {"params": {"x": 1}}
    d["extra_top_level"] = {"kept": True}
    return d


def test_current_versions_come_from_the_specs():
    assert current_version("validator_noise") == 2
    assert current_version("sink_preview") == 2
    assert current_version("operator_generator") == 1
    assert current_version("operator_magic") is None


def test_validator_threshold_fraction_becomes_a_score():
    assert migrate_config("validator_error_rate", {"threshold": 0.85}, 1) == ({"threshold": 85}, 2)
    assert migrate_config("validator_noise", {"threshold": 0.705}, 1) == ({"threshold": 70.5}, 2)
    assert migrate_config("validator_noise", {"threshold": 70}, 1) == ({"threshold": 70}, 2)
    assert migrate_config("validator_noise", {}, 1) == ({}, 2)


def test_sink_output_format_is_renamed():
    assert migrate_config("sink_preview", {"output_format": "mp3"}, 1) == ({"format": "mp3"}, 2)
    assert migrate_config("sink_preview", {"output_format": "mp3", "format": "wav"}, 1) == \
        ({"format": "wav"}, 2)


def test_migrate_definition_applies_steps_and_keeps_unknown_keys():
    old = old_definition()
    before = copy.deepcopy(old)
    new = migrate_definition(old)
    assert old == before  # a new dict; the input is untouched
    v, k = nodes_of(new)[3], nodes_of(new)[4]
    assert v["config"] == {"threshold": 85, "max_retries": 1, "legacy_note": "keep me"}
    assert v["config_version"] == 2
    assert (k["config"], k["config_version"]) == ({"format": "mp3"}, 2)
    assert new["extra_top_level"] == {"kept": True} and new["execution"] == {"params": {"x": 1}}
    assert [n["config_version"] for n in nodes_of(new)] == [1, 1, 1, 2, 2]


def test_migration_is_idempotent_byte_for_byte():
    once = migrate_definition(old_definition())
    twice = migrate_definition(once)
    assert json.dumps(twice) == json.dumps(once)
    up_to_date = migrate_definition(linear())
    assert json.dumps(migrate_definition(up_to_date)) == json.dumps(up_to_date)


def test_old_definitions_keep_validating():
    old = old_definition()
    assert [p.rule for p in validate_definition(old)] == ["config_unknown_key"]
    assert validate_definition(migrate_definition(old), for_run=True)[0].field == \
        "graph.nodes[3].config.legacy_note"


def test_unknown_types_and_future_versions_are_left_alone():
    d = linear()
    nodes_of(d)[1]["type"] = "operator_magic"
    nodes_of(d)[3]["config_version"] = 7
    nodes_of(d)[3]["config"]["threshold"] = 0.5
    new = migrate_definition(d)
    assert "config_version" not in nodes_of(new)[1]
    assert nodes_of(new)[3]["config"]["threshold"] == 0.5 and nodes_of(new)[3]["config_version"] == 7
    assert migrate_definition("garbage") == "garbage"
    assert migrate_definition({"graph": {"nodes": "x"}}) == {"graph": {"nodes": "x"}}


def test_node_without_config_gets_no_config_key_added():
    d = linear()
    nodes_of(d)[1]["config_version"] = 1
    nodes_of(d)[3].pop("config")
    nodes_of(d)[3]["config_version"] = 1
    new = migrate_definition(d)
    assert "config" not in nodes_of(new)[1]
    assert "config" not in nodes_of(new)[3] and nodes_of(new)[3]["config_version"] == 2


def test_steps_are_registered_by_decorator():
    from app.workflows import config_migrations as cm
    saved = dict(cm._STEPS)
    try:
        @register("operator_normalizer", 0)
        def _step(config):
            config["touched"] = True
            return config
        assert migrate_config("operator_normalizer", {}, 1) == ({}, 1)  # nothing past current
        assert ("operator_normalizer", 0) in cm._STEPS
    finally:
        cm._STEPS.clear()
        cm._STEPS.update(saved)
