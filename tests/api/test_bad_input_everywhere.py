"""Bad input on every JSON API rule: never a 5xx, always the contract's error envelope, nothing written.

Driven by the endpoint registry (`@endpoint(..., body={...}, query={...})`): every rule that declares a
JSON body gets, as A's owner with a full key, a broken body (not JSON, an array, a string), each declared
field with the wrong type or null, a 100 kB string, a NUL byte, a lone surrogate (escaped in the JSON
text, as `json.dumps` writes it) and an unknown extra field. Every list endpoint's declared query
parameters get wrong types. A new endpoint with a body needs a valid body in VALID (the walk refuses to
guess), so it is walked from the day it is added.
"""
from __future__ import annotations

import json

import pytest

from app.api.registry import ENDPOINTS
from app.extensions import db
from app.models import DictionaryEntry
from tests.api.conftest import snapshot
from tests.api.test_access import BODIES as ACCESS_BODIES  # also imports every resource module
from tests.web.route_walk import DEFINITION, fill, make_world

REFUSED = {400, 404, 409, 422}
BIG = "x" * 100_000

BODY_RULES = sorted({(m, s.rule) for s in ENDPOINTS if s.body for m in s.methods})
SPECS = {(m, s.rule): s for s in ENDPOINTS for m in s.methods}

# A body each rule accepts, so that only the bad part under test can be refused.
VALID = {
    **ACCESS_BODIES,            # the account and workspace endpoints' bodies, as the access walk sends them
    ("POST", "/api/v1/workflows"): {"name": "Fresh", "definition": DEFINITION},
    ("POST", "/api/v1/workflows/validate"): {"definition": DEFINITION},
    ("PUT", "/api/v1/workflows/<workflow_id>"): {"name": "Replaced", "definition": DEFINITION},
    ("PATCH", "/api/v1/workflows/<workflow_id>"): {"name": "Patched"},
    ("POST", "/api/v1/workflows/<workflow_id>/estimate"): {"script_text": "Hello."},
    ("POST", "/api/v1/workflows/<workflow_id>/runs/preview"): {"script_text": "Hello."},
    ("POST", "/api/v1/workflows/<workflow_id>/runs"): {"script_text": "Hello."},
    ("POST", "/api/v1/templates"): {"name": "Mine", "definition": DEFINITION},
    ("PATCH", "/api/v1/templates/<template_id>"): {"name": "Mine, renamed"},
    ("POST", "/api/v1/templates/<template_id>/clone"): {"name": "Cloned"},
    ("POST", "/api/v1/uploads"): {"filename": "lines.txt", "category": "script"},
    ("POST", "/api/v1/uploads/<upload_id>"): {"context_type": "workflow", "context_id": "<workflow_id>"},
    ("POST", "/api/v1/dictionary"): {"word": "OnePin", "method": "spelled", "pronunciation": "one pin",
                                     "language": "en-us"},
    ("POST", "/api/v1/dictionary/suggest-pronunciation"): {"word": "OnePin", "language": "en-us"},
    ("PUT", "/api/v1/dictionary/<entry_id>"): {"description": "changed"},
}

# One wrong value of each other kind, per declared type.
WRONG = {
    "str": [123, 1.5, True, ["a"], {"a": 1}],
    "int": ["abc", "3", 1.5, True, [1], {"a": 1}],
    "float": ["abc", True, [1.0], {"a": 1}],
    "bool": ["yes", "true", 1, [True], {"a": 1}],
    "obj": ["{}", 1, True, [{}]],
}


def kind(type_name: str) -> str:
    if type_name in WRONG:
        return type_name
    return "obj" if type_name.startswith("Workflow") else "str"   # the enums are strings on the wire


def body_cases(valid: dict, spec) -> list[tuple[str, bytes]]:
    """(label, raw JSON text) for one rule."""
    cases = [("not json", b"{not json"), ("array", b"[]"), ("array of the body", json.dumps([valid]).encode()),
             ("string", b'"hello"'), ("number", b"42"), ("null", b"null")]
    for field, (type_name, required, *_rest) in spec.body.items():
        k = kind(type_name)
        for bad in WRONG[k]:
            cases.append((f"{field}={bad!r}", json.dumps({**valid, field: bad}).encode()))
        if required:
            cases.append((f"{field}=null", json.dumps({**valid, field: None}).encode()))
        if k == "str":
            cases.append((f"{field}=100 kB", json.dumps({**valid, field: BIG}).encode()))
            cases.append((f"{field}=NUL", json.dumps({**valid, field: "a\x00b"}).encode()))
            # json.dumps escapes the lone surrogate as \ud800 (ensure_ascii): what a client would send
            cases.append((f"{field}=lone surrogate", json.dumps({**valid, field: "a\ud800b"}).encode()))
    return cases


# Values that may be accepted rather than refused (2xx), with the reason.
MAY_ACCEPT = {
    "unknown field": "extra keys are ignored, as the SDK's models allow",
    "script_text=100 kB": "a script may be long; the run checks its own line caps",
}


def _path_values(w, entry_id):
    return {**w.params(), "workspace_id": w.a.id, "template_id": w.mine_template_id, "entry_id": entry_id}


def _fill_body(valid: dict, w) -> dict:
    return {k: (w.wf.id if v == "<workflow_id>" else v) for k, v in valid.items()}


@pytest.fixture
def world(owner, workspace):
    from app.services import templates as tpl_svc
    from tests.factories import membership
    w = make_world(owner, workspace)
    t = tpl_svc.create(w.a, membership(w.a, owner), owner, {"name": "A's template", "definition": DEFINITION})
    db.session.commit()
    w.mine_template_id = t.id
    return w


def test_every_body_rule_has_a_valid_body():
    assert set(BODY_RULES) == set(VALID), "add a valid body for the new rule to VALID"


def assert_refusal(resp, label):
    assert resp.status_code in REFUSED, (label, resp.status_code, resp.get_data(as_text=True)[:300])
    body = resp.get_json()
    assert isinstance(body, dict) and set(body) >= {"error", "meta"}, (label, body)
    assert body["error"]["code"] and isinstance(body["error"]["message"], str) and body["error"]["message"].strip()
    assert body["meta"]["request_id"], (label, body)


@pytest.mark.parametrize("method,rule", BODY_RULES)
def test_bad_bodies_are_refused_cleanly(api, world, owner_key, method, rule):
    spec = SPECS[(method, rule)]
    entry = DictionaryEntry(workspace_id=world.a.id, word="Acme", method="spelled", pronunciation="ack me",
                            language="en-us", word_key="acme", created_by=world.owner.id)
    db.session.add(entry)
    db.session.commit()
    path = fill(rule, _path_values(world, entry.id))
    valid = _fill_body(VALID[(method, rule)], world)
    client = api.as_(owner_key)
    cases = body_cases(valid, spec) + [("unknown field", json.dumps({**valid, "zzz_unknown": {"a": [1]}}).encode())]
    problems = []
    for label, raw in cases:
        before = snapshot()
        resp = client.request(method, path, data=raw, headers={"Content-Type": "application/json"})
        try:
            if resp.status_code < 300 and label in MAY_ACCEPT:
                continue
            assert_refusal(resp, label)
            assert snapshot() == before, (label, "a refused request changed rows")
        except AssertionError as exc:
            problems.append(str(exc)[:400])
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- query strings of GET list endpoints

QUERY_KIND = {"int": "i", "bool": "b", "datetime": "d", "str": "s", "list[str]": "l"}
QUERY_RULES = sorted({s.rule for s in ENDPOINTS if s.query and "GET" in s.methods})
WRONG_QUERY = {
    "i": ["abc", "-1", "1e9", "1.5", "1000000000", "99999999999999999999999", "\x00"],
    "b": ["maybe", "2", "\x00"],
    "d": ["2024-01-01T00:00:00", "yesterday", "2024-13-45T00:00:00Z", "\x00"],
    "s": ["\x00", BIG[:5000], "unknown-value-zzz"],
    "l": ["unknown-value-zzz", "\x00"],
}


@pytest.mark.parametrize("rule", QUERY_RULES)
def test_bad_query_parameters_are_refused_cleanly(api, world, owner_key, rule):
    spec = next(s for s in ENDPOINTS if s.rule == rule and "GET" in s.methods)
    values = {**_path_values(world, "e"), "provider": "espeak", "model": "espeak-ng", "voice_id": world.voice_id}
    path = fill(rule, values)
    client = api.as_(owner_key)
    problems = []
    for name, declared in spec.query.items():
        type_name = QUERY_KIND[declared if isinstance(declared, str) else declared[0]]
        for bad in WRONG_QUERY[type_name]:
            resp = client.get(path, query_string={name: bad})
            label = f"{name}={bad[:30]!r}"
            if resp.status_code == 200:
                # free text (search, names) and unknown filter values may simply match nothing;
                # numbers, booleans and dates may not be read as something else
                if type_name in ("s", "l") or (name in ("offset", "cursor") and bad == "1000000000"):
                    continue
            try:
                assert_refusal(resp, label)
            except AssertionError as exc:
                problems.append(str(exc)[:400])
    assert not problems, "\n".join(problems)
