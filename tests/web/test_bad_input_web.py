"""Bad input on every state-changing browser rule (route_walk.WRITES): never a 5xx.

The sender (A's owner, or the rule's `by`) has a valid CSRF token, so only the input can be refused. Each
rule gets an empty form, then each of its fields emptied, 100 kB long, with a NUL byte, and as letters
(or, for the editor's JSON bodies, as a number, a list and an object). A refusal (4xx) must be a page or
partial with a readable message and must leave every row as it was; JSON endpoints answer {"error": ...}.
"""
from __future__ import annotations

import pytest

from tests.api.conftest import dump
from tests.web.route_walk import WRITES, make_world, send, Call

BIG = "x" * 100_000
# The signed-URL upload takes raw bytes, not a form (its bad input is covered in tests/uploads).
SKIP = {("PUT", "/_storage/put/<token>")}
RULES = sorted(set(WRITES) - SKIP)


@pytest.fixture
def world(owner, workspace):
    return make_world(owner, workspace)


def form_cases(form: dict) -> list[tuple[str, dict]]:
    cases = [("empty form", {})]
    for field, value in form.items():
        cases += [(f"{field} empty", {**form, field: ""}),
                  (f"{field} 100 kB", {**form, field: BIG}),
                  (f"{field} NUL", {**form, field: f"{value}\x00x"}),
                  (f"{field} letters", {**form, field: "abc"}),
                  (f"{field} negative", {**form, field: "-1"})]
    return cases


def json_cases(body: dict) -> list[tuple[str, object]]:
    cases = [("empty object", {}), ("array", [body]), ("string", "x")]
    for field in body:
        for label, bad in (("null", None), ("number", 7), ("list", ["a"]), ("object", {"a": 1}),
                           ("100 kB", BIG), ("NUL", "a\x00b"), ("letters", "abc")):
            cases.append((f"{field} {label}", {**body, field: bad}))
    return cases


def readable(resp) -> bool:
    if resp.is_json:
        err = (resp.get_json() or {}).get("error")
        msg = err.get("message") if isinstance(err, dict) else err
        return isinstance(msg, str) and bool(msg.strip())
    text = resp.get_data(as_text=True)
    return len(text.strip()) > 0 and "Traceback" not in text


@pytest.mark.parametrize("method,rule", RULES)
def test_bad_input_is_refused_cleanly(world, login_as, method, rule):
    call = WRITES[(method, rule)]
    web = login_as(getattr(world, call.by))
    path = call.path(rule, world)
    if call.json is not None:
        cases = [(label, Call(json=lambda w, b=b: b, params=call.params, by=call.by))
                 for label, b in json_cases(call.json(world))]
    else:
        form = call.form(world) if call.form else {}
        cases = [(label, Call(form=lambda w, f=f: f, params=call.params, by=call.by)) for label, f in form_cases(form)]
    problems = []
    for label, bad in cases:
        for htmx in (False, True):
            before = dump()
            resp = send(web.client, method, path, bad, world, csrf=web.csrf, htmx=htmx)
            where = (label, "htmx" if htmx else "form", resp.status_code, resp.get_data(as_text=True)[:200])
            if resp.status_code >= 500:
                problems.append(("5xx",) + where)
            elif resp.status_code >= 400:
                if not readable(resp):
                    problems.append(("no readable message",) + where)
                if dump() != before:
                    problems.append(("refused but rows changed",) + where)
    assert not problems, "\n".join(map(str, problems))
