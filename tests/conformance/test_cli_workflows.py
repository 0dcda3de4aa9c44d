"""The official onepin 0.16.1 CLI against a live server: nodes and workflows. Every test checks what the
CLI prints and its exit code."""
from __future__ import annotations

import re

import pytest

from tests.conformance.cli_helpers import (NODE_TYPES, WORKFLOW_COLUMNS, ESPEAK_EN, definition, write_json, ok, par, create_workflow, create_workflows, show_workflow, comparable, schema_errors)
from tests.conformance.conftest import UUID_RE, _err_code, _json_err, _table

pytestmark = pytest.mark.conformance


# --------------------------------------------------------------------------------------------------
# nodes


def test_nodes_list_table_and_json(logged_in):
    _acct, cli = logged_in
    r_json, r_table = par(cli, ("nodes", "list", "--json"), ("--no-color", "nodes", "list"))
    rows = ok(r_json).json()
    assert isinstance(rows, list) and len(rows) == 11, rows
    assert {n["node_type"] for n in rows} == NODE_TYPES
    by_type = {n["node_type"]: n for n in rows}
    # config_schema is a flat {key: {type, default, ...}} map, as the skill reads it
    assert by_type["validator_error_rate"]["config_schema"]["threshold"]["default"] == 85
    assert set(by_type["operator_translator"]["config_schema"]) == {"target_languages"}
    assert {p["name"] for p in by_type["validator_noise"]["outputs"]} == {"pass", "fail"}
    assert by_type["sink_preview"]["outputs"] == []

    header, table = _table(ok(r_table).out)
    assert header[:3] == ["node_type", "display_name", "description"], header
    assert {row[0] for row in table} == NODE_TYPES
    assert dict((row[0], row[1]) for row in table)["operator_generator"] == "Voice Generator"


def test_nodes_show_generator_and_validator_and_unknown(logged_in):
    _acct, cli = logged_in
    gen_j, gen_t, val_j, sink_j, unknown, unknown_j = par(
        cli, ("nodes", "show", "operator_generator", "--json"), ("--no-color", "nodes", "show", "operator_generator"),
        ("nodes", "show", "validator_error_rate", "--json"), ("nodes", "show", "sink_preview", "--json"), ("nodes", "show", "operator_teleporter"),
        ("--json", "nodes", "show", "operator_teleporter"))
    gen = ok(gen_j).json()
    assert gen["node_type"] == "operator_generator" and gen["category"] == "operator"
    opts = gen["options"]
    assert opts["providers"]["kind"] == "href" and opts["providers"]["target"] == "/api/v1/providers"
    voices = opts["voices"]
    assert voices["kind"] == "href" and voices["target"] == "/api/v1/voices"
    props = voices["properties"]
    assert {"espeak", "piper"} <= {o["value"] for o in props["provider"]["options"]}
    assert "espeak-ng" in {o["value"] for o in props["model"]["options"]}
    assert "en-us" in {o["value"] for o in props["language"]["options"]}
    assert "voice_map" in gen["config_schema"]

    lines = ok(gen_t).out.splitlines()
    assert "node_type: operator_generator" in lines and "category: operator" in lines
    assert '"target": "/api/v1/voices"' in gen_t.out

    val = ok(val_j).json()
    assert val["category"] == "validation"
    assert val["config_schema"]["threshold"]["default"] == 85
    assert val["config_schema"]["max_retries"]["default"] == 2
    assert ok(sink_j).json()["category"] == "output"

    assert unknown.code == 1 and _err_code(unknown) == "NOT_FOUND" and "operator_teleporter" in unknown.err, unknown
    assert unknown_j.code == 1 and _json_err(unknown_j)["code"] == "NOT_FOUND", unknown_j


# --------------------------------------------------------------------------------------------------
# workflows: schema, create, list, show, update, duplicate, delete


def test_definition_schema_is_local_and_a_conforming_definition_is_created(logged_in):
    _acct, cli = logged_in
    # purely local: works even when the base URL points at a port where nothing listens
    offline, online = par(cli, ("--base-url", "http://127.0.0.1:9", "workflows", "definition-schema"),
                          ("workflows", "definition-schema", "--json"))
    schema = ok(offline).json()
    assert ok(online).json() == schema
    assert schema["title"] == "WorkflowDefinitionInput" and schema["type"] == "object"
    defs = schema["$defs"]
    assert set(defs["GraphNode"]["required"]) == {"id", "type", "position"}
    assert set(defs["GraphEdge"]["required"]) == {"id", "source", "sourcePort", "target", "targetPort"}
    assert set(defs["NodePosition"]["required"]) == {"x", "y"}

    defn = definition()
    assert schema_errors(defn, schema, schema) == []
    # ... and the checker is not vacuous
    broken = definition()
    del broken["graph"]["nodes"][1]["position"]
    broken["graph"]["edges"][0].pop("sourcePort")
    errs = schema_errors(broken, schema, schema)
    assert any("position" in e for e in errs) and any("sourcePort" in e for e in errs), errs

    wf_id = create_workflow(cli, "Schema conforming", defn)
    data = show_workflow(cli, wf_id)
    assert data["name"] == "Schema conforming" and data["runs_count"] == 0 and data["last_run_status"] is None
    assert comparable(data["definition"]) == comparable(defn)
    # what the server returns conforms to the same schema (it is sent back by set-voice/update)
    assert schema_errors(data["definition"], schema, schema) == []


def test_workflows_create_invalid_definition_is_validation_error(logged_in):
    _acct, cli = logged_in
    bad = definition()
    bad["graph"]["edges"].append({"id": "e3", "source": "out", "sourcePort": "lines", "target": "ghost",
                                  "targetPort": "lines"})
    unknown = definition()
    unknown["graph"]["nodes"][1]["type"] = "operator_teleporter"
    r_bad, r_unknown, r_local = par(
        cli, ("workflows", "create", "--name", "Broken", "--definition", write_json(cli, "bad.json", bad)),
        ("--json", "workflows", "create", "--name", "Broken", "--definition", write_json(cli, "unk.json", unknown)),
        # caught by the CLI itself (WorkflowDefinitionInput): no request_id, nothing sent
        ("workflows", "create", "--name", "Broken", "--definition", '{"graph":{"nodes":[{"id":"a"}]}}'))
    assert r_bad.code == 1 and _err_code(r_bad) == "VALIDATION_ERROR" and "ghost" in r_bad.err, r_bad
    assert "request_id=req_" in r_bad.err and r_bad.out == ""
    err = _json_err(r_unknown)
    assert r_unknown.code == 1 and err["code"] == "VALIDATION_ERROR" and "operator_teleporter" in err["message"]
    assert r_local.code == 1 and _err_code(r_local) == "VALIDATION_ERROR" and "request_id" not in r_local.err
    assert "position" in r_local.err, r_local

    assert ok(cli("workflows", "list", "--json")).json() == []


def test_workflows_list_table_json_footer_and_filters(logged_in):
    _acct, cli = logged_in
    names = ("Alpha narration", "Beta prompts", "Gamma alpha mix")
    ids = create_workflows(cli, {name: definition() for name in names})
    (table, js, with_defs, page1, page2, draft, completed, search, search_t, by_name) = par(
        cli, ("--no-color", "workflows", "list"), ("workflows", "list", "--json"),
        ("workflows", "list", "--include-definition", "--json"),
        ("--no-color", "workflows", "list", "--limit", "2", "--sort", "name"),
        ("--no-color", "workflows", "list", "--limit", "2", "--offset", "2", "--sort", "name"),
        ("workflows", "list", "--status", "draft", "--json"), ("--no-color", "workflows", "list", "--status", "completed"),
        ("workflows", "list", "--search", "ALPHA", "--json"),
        ("--no-color", "workflows", "list", "--search", "prompts"),
        ("workflows", "list", "--sort", "name", "--order", "desc", "--json"))

    header, rows = _table(ok(table).out)
    assert header == WORKFLOW_COLUMNS
    assert {row[0] for row in rows} == set(ids.values())
    for row in rows:
        assert row[2] == "0" and row[3] in ("", "None"), row
    assert table.out.strip().splitlines()[-1] == "Showing 3 of 3."

    data = ok(js).json()
    assert isinstance(data, list) and {w["id"] for w in data} == set(ids.values())
    for w in data:
        assert {"id", "name", "runs_count", "last_run_status", "updated_at"} <= set(w), w
        assert "definition" not in w  # only with --include-definition
    assert all(comparable(w["definition"]) == comparable(definition()) for w in ok(with_defs).json())

    _h, rows = _table(ok(page1).out)
    assert [row[1] for row in rows] == ["Alpha narration", "Beta prompts"]
    assert page1.out.strip().splitlines()[-1] == "Showing 2 of 3. 1 more — page with --offset."
    _h, rows = _table(ok(page2).out)
    assert [row[1] for row in rows] == ["Gamma alpha mix"] and page2.out.strip().splitlines()[-1] == "Showing 1 of 3."

    # status buckets: new workflows have no runs, so they are all drafts
    assert {w["id"] for w in ok(draft).json()} == set(ids.values())
    assert "Showing 0 of 0." in ok(completed).out, completed

    # search over names (case-insensitive substring)
    assert {w["name"] for w in ok(search).json()} == {"Alpha narration", "Gamma alpha mix"}
    _h, rows = _table(ok(search_t).out)
    assert [row[1] for row in rows] == ["Beta prompts"] and "Showing 1 of 1." in search_t.out

    assert [w["name"] for w in ok(by_name).json()] == list(reversed(names))


def test_workflows_show_update_round_trip(logged_in):
    _acct, cli = logged_in
    wf_id = create_workflow(cli, "Round trip", definition("First text."))
    r = ok(cli("--no-color", "workflows", "show", wf_id))
    lines = r.out.splitlines()
    assert f"id: {wf_id}" in lines and "name: Round trip" in lines
    assert any(ln.startswith("definition: {") for ln in lines), r

    r = ok(cli("workflows", "update", wf_id, "--name", "Round trip renamed", "--description", "A description"))
    assert r.out.strip() == f"Updated workflow {wf_id}."

    # what `show` prints is accepted back by `update --definition` unchanged (set-voice relies on it)
    shown = show_workflow(cli, wf_id)
    assert shown["name"] == "Round trip renamed" and shown["description"] == "A description"
    r = ok(cli("workflows", "update", wf_id, "--definition", write_json(cli, "shown.json", shown["definition"]),
               "--json"))
    assert r.json()["definition"] == shown["definition"]

    new = definition("Second text, replaced.")
    new["graph"]["nodes"][1]["config"]["voice_map"]["en-gb"] = [dict(ESPEAK_EN, voice_id="en-gb")]
    r = ok(cli("workflows", "update", wf_id, "--definition", write_json(cli, "new.json", new), "--json"))
    assert comparable(r.json()["definition"]) == comparable(new)

    # invalid definition -> VALIDATION_ERROR; nothing to change -> VALIDATION_ERROR
    bad = definition()
    bad["graph"]["edges"][0]["target"] = "nowhere"
    r_bad, r_empty = par(cli, ("workflows", "update", wf_id, "--definition", write_json(cli, "bad.json", bad)),
                         ("workflows", "update", wf_id))
    assert r_bad.code == 1 and _err_code(r_bad) == "VALIDATION_ERROR" and "nowhere" in r_bad.err, r_bad
    assert r_empty.code == 1 and _err_code(r_empty) == "VALIDATION_ERROR", r_empty
    # the saved workflow is the last good update
    data = show_workflow(cli, wf_id)
    assert comparable(data["definition"]) == comparable(new)
    assert data["name"] == "Round trip renamed" and data["description"] == "A description"


def test_workflows_duplicate_with_and_without_name(logged_in):
    _acct, cli = logged_in
    wf_id = create_workflow(cli, "Original", definition("Duplicate me."))
    plain, named = par(cli, ("workflows", "duplicate", wf_id), ("workflows", "duplicate", wf_id, "--name", "Named copy"))
    ids = []
    for r in (plain, named):
        m = re.fullmatch(rf"Duplicated workflow into ({UUID_RE})\.", ok(r).out.strip())
        assert m, r
        ids.append(m.group(1))
    copy_j, named_t, listed = par(cli, ("workflows", "show", ids[0], "--json"),
                                  ("--no-color", "workflows", "show", ids[1]), ("workflows", "list", "--json"))
    copy = ok(copy_j).json()
    assert copy["name"] == "Original (Copy)" and copy["runs_count"] == 0 and copy["id"] != wf_id
    assert comparable(copy["definition"]) == comparable(definition("Duplicate me."))
    assert f"id: {ids[1]}" in ok(named_t).out.splitlines() and "name: Named copy" in named_t.out.splitlines()
    assert sorted(w["name"] for w in ok(listed).json()) == ["Named copy", "Original", "Original (Copy)"]


def test_workflows_delete_then_not_found_and_idempotent(logged_in):
    _acct, cli = logged_in
    ids = create_workflows(cli, {"Keep me": definition(), "Doomed": definition()})
    keep, doomed = ids["Keep me"], ids["Doomed"]

    r = cli("--json", "workflows", "delete", doomed)
    assert r.code == 1 and _json_err(r, server=False)["code"] == "CONFIRMATION_REQUIRED", r
    r = ok(cli("workflows", "delete", doomed, "--yes"))
    assert r.out.strip() == f"Deleted workflow {doomed}."

    calls = [("workflows", "show", doomed), ("workflows", "update", doomed, "--name", "Zombie"),
             ("workflows", "preview-run", doomed)]
    *gone, listed, again, again_j = par(cli, *calls, ("workflows", "list", "--json"),
                                        ("workflows", "delete", doomed, "--yes"),
                                        ("workflows", "delete", doomed, "--yes", "--json"))
    for args, r in zip(calls, gone):
        assert r.code == 1 and _err_code(r) == "NOT_FOUND", (args, r)
    assert [w["id"] for w in ok(listed).json()] == [keep]
    # the CLI treats a 404 on delete as success
    assert ok(again).out.strip() == f"Deleted workflow {doomed}."
    assert ok(again_j).json()["ok"] is True


def test_workflow_of_another_workspace_is_not_found(logged_in, signup, cli_factory, live_server):
    _acct, cli = logged_in
    wf_id = create_workflow(cli, "Private", definition())
    stranger = signup("wfstranger")
    scli = cli_factory("stranger")
    ok(scli("login", "--base-url", live_server.url, "--key", stranger.key))
    calls = [("workflows", "show", wf_id), ("workflows", "update", wf_id, "--name", "Hijack"),
             ("workflows", "preview-run", wf_id)]
    *results, deleted, listed = par(scli, *calls, ("workflows", "delete", wf_id, "--yes"),
                                    ("workflows", "list", "--json"))
    for args, r in zip(calls, results):
        assert r.code == 1 and _err_code(r) == "NOT_FOUND", (args, r)
    assert deleted.code == 0  # printed as success (the server said 404) ...
    assert ok(listed).json() == []
    assert show_workflow(cli, wf_id)["name"] == "Private"  # ... but nothing happened


# --------------------------------------------------------------------------------------------------
# preview-run


def test_preview_run_prints_credits_and_prices_the_script_override(logged_in):
    _acct, cli = logged_in
    long_text = " ".join(f"This is sentence number {i} of a fairly long script." for i in range(150))
    ids = create_workflows(cli, {"Short saved": definition("Hi."), "Long saved": definition(long_text),
                                 "Hello saved": definition("Hello there")})
    short_id, long_id, hello_id = ids["Short saved"], ids["Long saved"], ids["Hello saved"]
    text, long_j, short_j, over_long_j, hello_j, over_hello_j = par(
        cli, ("--no-color", "workflows", "preview-run", short_id), ("workflows", "preview-run", long_id, "--json"),
        ("workflows", "preview-run", short_id, "--json"),
        ("workflows", "preview-run", short_id, "--script", long_text, "--json"),
        ("workflows", "preview-run", hello_id, "--json"),
        ("workflows", "preview-run", long_id, "--script", "Hello there", "--source-language", "en-us", "--json"))

    lines = ok(text).out.splitlines()
    for key in ("min_credits", "expected_credits", "max_credits", "current_balance", "can_run"):
        assert any(ln.startswith(f"{key}: ") for ln in lines), (key, text.out)
    assert any(ln.startswith("breakdown: [") for ln in lines), text.out

    est = ok(long_j).json()
    assert isinstance(est["expected_credits"], int)
    assert 1 <= est["min_credits"] <= est["expected_credits"] <= est["max_credits"]
    assert [b["node_id"] for b in est["breakdown"]] == ["src", "gen", "out"]
    assert {b["node_type"] for b in est["breakdown"]} == {"source_script", "operator_generator", "sink_preview"}
    assert sum(b["expected_credits"] for b in est["breakdown"]) <= est["expected_credits"]
    assert est["can_run"] is True and est["current_balance"] >= est["min_credits"]

    short = ok(short_j).json()
    assert short["expected_credits"] < est["expected_credits"]  # the long script costs more
    # --script prices exactly that text: same as a workflow whose saved text is the same
    over = ok(over_long_j).json()
    assert (over["min_credits"], over["expected_credits"], over["max_credits"]) == \
        (est["min_credits"], est["expected_credits"], est["max_credits"])
    assert over["breakdown"] == est["breakdown"]
    hello, over = ok(hello_j).json(), ok(over_hello_j).json()
    assert over["expected_credits"] == hello["expected_credits"] and over["breakdown"] == hello["breakdown"]
    # ... and never changes the saved workflow
    assert show_workflow(cli, short_id)["definition"]["graph"]["nodes"][0]["config"]["text"] == "Hi."


def test_preview_run_empty_script_is_validation_error(logged_in):
    _acct, cli = logged_in
    ids = create_workflows(cli, {"Empty script": definition(""), "No definition": None})
    wf_id, bare = ids["Empty script"], ids["No definition"]
    r, r_j, with_script, r_bare = par(
        cli, ("workflows", "preview-run", wf_id), ("--json", "workflows", "preview-run", wf_id),
        ("workflows", "preview-run", wf_id, "--script", "Hello there", "--json"),
        # a workflow created with no definition has no script node at all
        ("workflows", "preview-run", bare))
    assert r.code == 1 and _err_code(r) == "VALIDATION_ERROR" and "empty" in r.err, r
    assert r_j.code == 1 and _json_err(r_j)["code"] == "VALIDATION_ERROR", r_j
    assert ok(with_script).json()["expected_credits"] >= 1  # with --script it prices that text
    assert r_bare.code == 1 and _err_code(r_bare) == "VALIDATION_ERROR", r_bare
