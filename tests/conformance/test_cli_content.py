"""The official onepin 0.16.1 CLI against a live server: nodes, workflows, templates and uploads.

Every test checks what the CLI PRINTS (stdout/stderr, --json output or the plain table) and its exit code.
Flags were taken from each command's --help (e.g. `uploads confirm --workflow-id`, `templates list --favorites-only`).
"""
from __future__ import annotations

import json
import math
import re
import struct
import uuid
import wave
from pathlib import Path

import pytest
from tests.conformance.conftest import UUID_RE, _err_code, _json_err, _table

pytestmark = pytest.mark.conformance

NODE_TYPES = {"source_script", "operator_translator", "operator_normalizer", "operator_generator",
              "operator_phoneme_injector", "operator_pronunciation_corrector", "validator_error_rate",
              "validator_naturalness", "validator_noise", "validator_pronunciation", "sink_preview"}
WORKFLOW_COLUMNS = ["id", "name", "runs_count", "last_run_status", "updated_at"]
TEMPLATE_COLUMNS = ["id", "name", "category", "is_favorite", "uses_count"]
UPLOAD_COLUMNS = ["id", "filename", "category", "status", "size_bytes"]
ESPEAK_EN = {"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}


# --------------------------------------------------------------------------------------------------
# helpers


def definition(text: str = "Hello there. How are you today?") -> dict:
    """source_script -> operator_generator (eSpeak en-us) -> sink_preview, with positions."""
    return {"graph": {
        "nodes": [
            {"id": "src", "type": "source_script", "name": "Script", "position": {"x": 0, "y": 120},
             "config": {"text": text, "source_language": "en-us"}},
            {"id": "gen", "type": "operator_generator", "name": "Voice", "position": {"x": 260, "y": 120},
             "config": {"voice_map": {"en-us": [dict(ESPEAK_EN)]}}},
            {"id": "out", "type": "sink_preview", "name": "Export", "position": {"x": 520, "y": 120},
             "config": {"format": "wav"}},
        ],
        "edges": [
            {"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
            {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"},
        ]}}


def write_json(cli, name: str, data) -> str:
    path = cli.home / name
    path.write_text(json.dumps(data))
    return f"@{path}"


def ok(r):
    assert r.code == 0, r
    return r


def par(cli, *calls: tuple[str, ...]) -> list:
    """Run independent CLI calls side by side (each call pays ~1 s of client start-up) -> their Results."""
    pending = [cli.start(*args) for args in calls]
    return [p.result() for p in pending]


def _create_args(cli, name: str, defn: dict | None) -> tuple[str, ...]:
    args = ("workflows", "create", "--name", name)
    if defn is not None:
        args += ("--definition", write_json(cli, f"def-{uuid.uuid4().hex[:8]}.json", defn))
    return args


def _created_id(r) -> str:
    assert r.code == 0, r
    m = re.fullmatch(rf"Created workflow ({UUID_RE})\.", r.out.strip())
    assert m, r
    return m.group(1)


def create_workflow(cli, name: str, defn: dict | None = None) -> str:
    return _created_id(cli(*_create_args(cli, name, defn)))


def create_workflows(cli, specs: dict) -> dict[str, str]:
    """{name: definition|None} -> {name: id}, created side by side."""
    results = par(cli, *(_create_args(cli, name, defn) for name, defn in specs.items()))
    return {name: _created_id(r) for name, r in zip(specs, results)}


def show_workflow(cli, wf_id: str) -> dict:
    return ok(cli("workflows", "show", wf_id, "--json")).json()


def comparable(defn: dict) -> dict:
    """A definition without what the server adds (config_version) and with positions as floats."""
    graph = defn["graph"]
    nodes = []
    for n in graph["nodes"]:
        n = {k: v for k, v in n.items() if k != "config_version"}
        n["position"] = {k: float(v) for k, v in n["position"].items()}
        nodes.append(n)
    return {"nodes": sorted(nodes, key=lambda n: n["id"]), "edges": sorted(graph["edges"], key=lambda e: e["id"])}


def upload(cli, path: Path, category: str) -> str:
    """`uploads create`: POST /uploads, then the CLI PUTs the bytes to our signed upload_url (no auth)."""
    r = ok(cli("uploads", "create", "--file", str(path), "--category", category))
    m = re.fullmatch(rf"Uploaded {re.escape(path.name)} as upload ({UUID_RE})\. "
                     rf"Run `onepin uploads confirm \1`\.", r.out.strip())
    assert m, r
    return m.group(1)


def tone_wav(path: Path, seconds: float = 0.5, freq: float = 440.0, rate: int = 16000) -> Path:
    frames = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * i / rate)))
                      for i in range(int(seconds * rate)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return path


# A small JSON-Schema checker for the subset `workflows definition-schema` prints (jsonschema is not installed
# in the venv): $ref into $defs, anyOf, type, enum, required, properties, items.
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def schema_errors(instance, schema: dict, root: dict, path: str = "$") -> list[str]:
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        return schema_errors(instance, root["$defs"][ref.split("/")[-1]], root, path)
    if "anyOf" in schema:
        branches = [schema_errors(instance, s, root, path) for s in schema["anyOf"]]
        return [] if any(not b for b in branches) else [f"{path}: matches no anyOf branch: {branches}"]
    errors = []
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]

        def is_type(name):
            if name == "integer":
                return isinstance(instance, int) and not isinstance(instance, bool)
            if name == "number":
                return isinstance(instance, (int, float)) and not isinstance(instance, bool)
            return isinstance(instance, _TYPES[name])
        if not any(is_type(n) for n in types):
            return [f"{path}: expected {t}, got {type(instance).__name__}"]
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{path}: {instance!r} not in enum")
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            if key not in instance:
                errors.append(f"{path}: missing required {key!r}")
        for key, sub in schema.get("properties", {}).items():
            if key in instance:
                errors += schema_errors(instance[key], sub, root, f"{path}.{key}")
    if isinstance(instance, list) and "items" in schema:
        for i, item in enumerate(instance):
            errors += schema_errors(item, schema["items"], root, f"{path}[{i}]")
    return errors


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


# --------------------------------------------------------------------------------------------------
# templates


def _templates(cli, *args) -> list[dict]:
    return ok(cli("templates", "list", *args, "--json")).json()


def test_templates_list_and_show_starters(logged_in):
    _acct, cli = logged_in
    table, js, page, media_j, by_name_j, missing = par(
        cli, ("--no-color", "templates", "list"), ("templates", "list", "--json"),
        ("--no-color", "templates", "list", "--limit", "2"), ("templates", "list", "--category", "media", "--json"),
        ("templates", "list", "--sort", "name", "--json"), ("templates", "show", "NoSuchT1"))
    header, rows = _table(ok(table).out)
    assert header == TEMPLATE_COLUMNS
    starters = ok(js).json()
    assert len(starters) >= 3 and len(rows) == len(starters)
    assert all(t["is_starter"] for t in starters), starters
    assert {row[0] for row in rows} == {t["id"] for t in starters}
    for row in rows:
        assert row[2] in {"media", "creative", "business", "education", "wellness"} and row[3] == "False", row
    # uncounted list: no "of N" footer; a full page says there may be more
    assert not re.search(r"Showing \d+ of \d+", table.out), table.out
    _h, rows = _table(ok(page).out)
    assert len(rows) == 2
    assert "Showing 2 rows — a full page, so there may be more." in page.out, page

    media = ok(media_j).json()
    assert media and all(t["category"] == "media" for t in media)
    names = [t["name"] for t in ok(by_name_j).json()]
    assert names == sorted(names, key=str.lower)
    assert missing.code == 1 and _err_code(missing) == "NOT_FOUND", missing

    tpl = starters[0]
    shown_j, shown_t = par(cli, ("templates", "show", tpl["id"], "--json"),
                           ("--no-color", "templates", "show", tpl["id"]))
    shown = ok(shown_j).json()
    assert shown["id"] == tpl["id"] and shown["name"] == tpl["name"] and shown["is_starter"] is True
    assert {n["type"] for n in shown["definition"]["graph"]["nodes"]} <= NODE_TYPES
    lines = ok(shown_t).out.splitlines()
    assert f"id: {tpl['id']}" in lines and f"name: {tpl['name']}" in lines

    # a starter with validators clones into a runnable workflow whose definition round-trips and prices
    richest = max(starters, key=lambda t: len(t["definition"]["graph"]["nodes"]))
    assert any(n["type"].startswith("validator_") for n in richest["definition"]["graph"]["nodes"]), richest
    r = ok(cli("templates", "clone", richest["id"]))
    wf_id = re.fullmatch(rf"Cloned template into workflow ({UUID_RE})\.", r.out.strip()).group(1)
    wf = show_workflow(cli, wf_id)
    assert wf["name"] in (richest["name"], f"{richest['name']} (Copy)")
    assert comparable(wf["definition"]) == comparable(richest["definition"])
    upd, est = par(cli, ("workflows", "update", wf_id, "--definition", write_json(cli, "rt.json", wf["definition"])),
                   ("workflows", "preview-run", wf_id, "--json"))
    assert ok(upd).out.strip() == f"Updated workflow {wf_id}."
    est = ok(est).json()
    assert 1 <= est["min_credits"] <= est["expected_credits"] <= est["max_credits"]
    assert {b["node_id"] for b in est["breakdown"]} == {n["id"] for n in wf["definition"]["graph"]["nodes"]}


def test_starter_template_cannot_be_deleted_or_updated(logged_in):
    _acct, cli = logged_in
    starter = _templates(cli)[0]
    deleted, updated, updated_j = par(cli, ("templates", "delete", starter["id"], "--yes"),
                                      ("templates", "update", starter["id"], "--name", "Hijacked"),
                                      ("--json", "templates", "update", starter["id"], "--description", "x"))
    assert deleted.code == 1 and _err_code(deleted) == "FORBIDDEN", deleted
    assert updated.code == 1 and _err_code(updated) == "FORBIDDEN", updated
    assert updated_j.code == 1 and _json_err(updated_j)["code"] == "FORBIDDEN", updated_j
    shown = ok(cli("templates", "show", starter["id"], "--json")).json()
    assert shown["name"] == starter["name"] and shown["description"] == starter["description"]


def test_templates_create_update_clone_delete(logged_in, signup, cli_factory, live_server):
    _acct, cli = logged_in
    defn = definition("Template script.")
    bad = definition()
    bad["graph"]["edges"][1]["source"] = "ghost"
    created, created_bad = par(
        cli, ("templates", "create", "--name", "My template", "--description", "Mine", "--category", "education",
              "--definition", write_json(cli, "tpl.json", defn)),
        ("templates", "create", "--name", "Bad", "--definition", write_json(cli, "badtpl.json", bad)))
    m = re.fullmatch(r"Created template (\S+)\.", ok(created).out.strip())
    assert m, created
    tpl_id = m.group(1)
    assert created_bad.code == 1 and _err_code(created_bad) == "VALIDATION_ERROR", created_bad

    shown, gallery = par(cli, ("templates", "show", tpl_id, "--json"), ("templates", "list", "--json"))
    tpl = ok(shown).json()
    assert (tpl["name"], tpl["description"], tpl["category"]) == ("My template", "Mine", "education")
    assert tpl["is_starter"] is False and tpl["is_public"] is False
    assert comparable(tpl["definition"]) == comparable(defn)
    assert tpl_id not in {t["id"] for t in ok(gallery).json()}  # a private template is not in the public gallery

    r = ok(cli("templates", "update", tpl_id, "--name", "My template v2"))
    assert r.out.strip() == f"Updated template {tpl_id}."
    upd, upd_bad = par(cli, ("templates", "update", tpl_id, "--category", "media", "--json"),
                       ("templates", "update", tpl_id, "--definition", write_json(cli, "badtpl.json", bad)))
    assert ok(upd).json()["name"] == "My template v2" and upd.json()["category"] == "media"
    assert upd_bad.code == 1 and _err_code(upd_bad) == "VALIDATION_ERROR", upd_bad

    # clone: a new workflow in this workspace
    plain, named = par(cli, ("templates", "clone", tpl_id), ("templates", "clone", tpl_id, "--name", "Cloned by name",
                                                             "--json"))
    m = re.fullmatch(rf"Cloned template into workflow ({UUID_RE})\.", ok(plain).out.strip())
    assert m, plain
    named = ok(named).json()
    assert named["name"] == "Cloned by name"
    wf_j, listed, tpl_after = par(cli, ("workflows", "show", m.group(1), "--json"),
                                  ("workflows", "list", "--json"), ("templates", "show", tpl_id, "--json"))
    wf = ok(wf_j).json()
    assert wf["name"] in ("My template v2", "My template v2 (Copy)") and wf["runs_count"] == 0
    assert comparable(wf["definition"]) == comparable(defn)
    assert {w["name"] for w in listed.json()} == {wf["name"], "Cloned by name"}
    assert {wf["id"], named["id"]} == {w["id"] for w in ok(listed).json()}
    assert ok(tpl_after).json()["uses_count"] == 2

    # another workspace cannot see it
    stranger = signup("tplstranger")
    scli = cli_factory("stranger")
    ok(scli("login", "--base-url", live_server.url, "--key", stranger.key))
    r = scli("templates", "show", tpl_id)
    assert r.code == 1 and _err_code(r) == "NOT_FOUND", r

    # delete
    r = cli("--json", "templates", "delete", tpl_id)
    assert r.code == 1 and _json_err(r, server=False)["code"] == "CONFIRMATION_REQUIRED", r
    r = ok(cli("templates", "delete", tpl_id, "--yes"))
    assert r.out.strip() == f"Deleted template {tpl_id}."
    gone, again, still = par(cli, ("templates", "show", tpl_id), ("templates", "delete", tpl_id, "--yes", "--json"),
                             ("workflows", "show", wf["id"], "--json"))
    assert gone.code == 1 and _err_code(gone) == "NOT_FOUND", gone
    assert ok(again).json()["ok"] is True  # 404 = ok for the CLI
    assert ok(still).json()["id"] == wf["id"]  # clones survive


def test_templates_favorite_and_unfavorite(logged_in):
    _acct, cli = logged_in
    starters, favs = par(cli, ("templates", "list", "--json"), ("templates", "list", "--favorites-only", "--json"))
    fav = ok(starters).json()[-1]
    assert ok(favs).json() == []

    r = ok(cli("templates", "favorite", fav["id"]))
    assert r.out.strip() == f"Favorited template {fav['id']}."
    again, favs_j, favs_t, all_t = par(cli, ("templates", "favorite", fav["id"], "--json"),
                                       ("templates", "list", "--favorites-only", "--json"),
                                       ("--no-color", "templates", "list", "--favorites-only"),
                                       ("--no-color", "templates", "list"))
    assert ok(again).json()["is_favorite"] is True  # idempotent
    assert [t["id"] for t in ok(favs_j).json()] == [fav["id"]]
    _h, rows = _table(ok(favs_t).out)
    assert [row[0] for row in rows] == [fav["id"]] and rows[0][3] == "True", favs_t.out
    flags = {row[0]: row[3] for row in _table(ok(all_t).out)[1]}
    assert flags[fav["id"]] == "True" and list(flags.values()).count("True") == 1

    r = ok(cli("templates", "unfavorite", fav["id"]))
    assert r.out.strip() == f"Unfavorited template {fav['id']}."
    favs_j, again, unknown_un, unknown_fav = par(
        cli, ("templates", "list", "--favorites-only", "--json"), ("templates", "unfavorite", fav["id"], "--json"),
        ("templates", "unfavorite", "NoSuchT1", "--json"), ("templates", "favorite", "NoSuchT1"))
    assert ok(favs_j).json() == []
    assert ok(again).json()["ok"] is True  # idempotent
    assert ok(unknown_un).json()["ok"] is True  # non-enumerating
    assert unknown_fav.code == 1 and _err_code(unknown_fav) == "NOT_FOUND", unknown_fav


# --------------------------------------------------------------------------------------------------
# uploads


def _access_log_since(live_server, start: int) -> str:
    with open(live_server.logs[0], "rb") as fh:
        fh.seek(start)
        return fh.read().decode(errors="replace")


def test_uploads_script_create_confirm_list_delete(logged_in, live_server):
    _acct, cli = logged_in
    wf_id = create_workflow(cli, "With upload", definition())
    script = cli.home / "script.txt"
    script.write_text("Line one.\nLine two, a bit longer.\nLine three.\n", encoding="utf-8")
    size = str(len(script.read_bytes()))

    log_start = Path(live_server.logs[0]).stat().st_size
    up_id = upload(cli, script, "script")
    # the CLI PUT the bytes to our signed storage URL (no Authorization header) and it was accepted
    assert re.search(r'"PUT /_storage/put/\S+ HTTP/1\.[01]" 2\d\d ', _access_log_since(live_server, log_start))
    # pending uploads are not listed yet
    assert ok(cli("workflows", "uploads", wf_id, "--json")).json() == []

    r = ok(cli("uploads", "confirm", up_id, "--workflow-id", wf_id))
    assert r.out.strip() == f"Confirmed upload {up_id}."
    again, table, listed, no_yes = par(cli, ("uploads", "confirm", up_id, "--workflow-id", wf_id, "--json"),
                                       ("--no-color", "workflows", "uploads", wf_id),
                                       ("workflows", "uploads", wf_id, "--json"), ("--json", "uploads", "delete", up_id))
    data = ok(again).json()  # idempotent: the current state
    assert data["id"] == up_id and data["status"] == "uploaded" and data["line_count"] == 3
    assert data["filename"] == "script.txt" and data["category"] == "script" and str(data["size_bytes"]) == size
    assert data["context_type"] == "workflow" and data["context_id"] == wf_id
    header, rows = _table(ok(table).out)
    assert header == UPLOAD_COLUMNS
    assert rows == [[up_id, "script.txt", "script", "uploaded", size]], table.out
    items = ok(listed).json()
    assert [u["id"] for u in items] == [up_id] and items[0]["line_count"] == 3
    assert no_yes.code == 1 and _json_err(no_yes, server=False)["code"] == "CONFIRMATION_REQUIRED", no_yes

    r = ok(cli("uploads", "delete", up_id, "--yes"))
    assert r.out.strip() == f"Deleted upload {up_id}."
    listed, again, confirm = par(cli, ("workflows", "uploads", wf_id, "--json"),
                                 ("uploads", "delete", up_id, "--yes", "--json"),
                                 ("uploads", "confirm", up_id, "--workflow-id", wf_id))
    assert ok(listed).json() == []
    assert ok(again).json()["ok"] is True  # 404 = ok for the CLI
    assert confirm.code == 1 and _err_code(confirm) == "NOT_FOUND", confirm


def test_uploads_rejections(logged_in):
    _acct, cli = logged_in
    exe = cli.home / "notes.exe"
    exe.write_bytes(b"MZ\x90\x00 not a script")
    txt = cli.home / "ok.txt"
    txt.write_text("Hello.\n")
    bad = cli.home / "broken.txt"
    bad.write_bytes(b"A fine first line.\nThen \xff\xfe garbage \xc3\x28 here.\n")
    fake = cli.home / "fake.wav"
    fake.write_bytes(b"this is plain text, not RIFF/WAVE audio")
    wf, r_exe, r_txt_dict, r_cat, r_bad, r_fake, r_good = par(
        cli, _create_args(cli, "Rejections", definition()),
        ("uploads", "create", "--file", str(exe), "--category", "script"),
        ("uploads", "create", "--file", str(txt), "--category", "dictionary"),
        ("uploads", "create", "--file", str(txt), "--category", "video"),  # checked by the CLI
        ("uploads", "create", "--file", str(bad), "--category", "script", "--json"),
        ("uploads", "create", "--file", str(fake), "--category", "dictionary", "--json"),
        ("uploads", "create", "--file", str(txt), "--category", "script", "--json"))
    wf_id = _created_id(wf)
    assert r_exe.code == 1 and _err_code(r_exe) == "VALIDATION_ERROR" and ".exe" in r_exe.err, r_exe
    assert r_txt_dict.code == 1 and _err_code(r_txt_dict) == "VALIDATION_ERROR" and ".txt" in r_txt_dict.err
    assert r_cat.code == 1 and _err_code(r_cat) == "INVALID_CATEGORY", r_cat
    bad_id, fake_id, good_id = (ok(r).json()["id"] for r in (r_bad, r_fake, r_good))

    c_bad, c_fake, c_good = par(
        # malformed script: invalid UTF-8 bytes in a .txt
        cli, ("uploads", "confirm", bad_id, "--workflow-id", wf_id),
        # audio that is not audio
        ("--json", "uploads", "confirm", fake_id, "--workflow-id", wf_id),
        # a workflow that does not exist
        ("uploads", "confirm", good_id, "--workflow-id", "00000000-0000-0000-0000-000000000000"))
    assert c_bad.code == 1 and _err_code(c_bad) == "VALIDATION_ERROR", c_bad
    assert "UTF-8" in c_bad.err and "line 2" in c_bad.err, c_bad
    err = _json_err(c_fake)
    assert c_fake.code == 1 and err["code"] == "VALIDATION_ERROR" and "WAV" in err["message"], c_fake
    assert c_good.code == 1 and _err_code(c_good) == "NOT_FOUND", c_good
    assert ok(cli("workflows", "uploads", wf_id, "--json")).json() == []


def test_uploads_dictionary_wav(logged_in):
    _acct, cli = logged_in
    wf_id = create_workflow(cli, "Dictionary audio", definition())
    wav = tone_wav(cli.home / "tone.wav")
    up_id = upload(cli, wav, "dictionary")
    data = ok(cli("uploads", "confirm", up_id, "--workflow-id", wf_id, "--json")).json()
    assert data["id"] == up_id and data["status"] == "uploaded" and data["category"] == "dictionary"
    assert data["filename"] == "tone.wav" and data["size_bytes"] == wav.stat().st_size
    assert data["content_type"] in ("audio/wav", "audio/x-wav", "audio/wave")
    r = ok(cli("--no-color", "workflows", "uploads", wf_id))
    _h, rows = _table(r.out)
    assert rows == [[up_id, "tone.wav", "dictionary", "uploaded", str(wav.stat().st_size)]], r.out
    ok(cli("uploads", "delete", up_id, "--yes"))
    assert ok(cli("workflows", "uploads", wf_id, "--json")).json() == []
