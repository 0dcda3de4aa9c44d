"""The official onepin 0.16.1 CLI against a live server: `usage summary`, `usage by-language`, `usage activity`.

A real run (the live server's worker speaking with eSpeak NG) gives the figures; each command's PRINTED
output is checked (the `key: value` text, the plain table, --json) against what the run itself reports
(`workflows runs show --json`: credits and the engine's per-locale usage) and /users/me/credits.
Errors are checked as the CLI prints them: `[CODE] message` on stderr and exit 1 for the server's 404/422,
exit 2 for values the CLI refuses itself.
"""
from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest
from tests.conformance.cli_helpers import create_workflow, definition, kv, ok, par
from tests.conformance.conftest import UUID_RE, _err_code, _json_err, _table, outbox_token

pytestmark = pytest.mark.conformance

SCRIPT = "Good morning, everyone.\nThe train leaves at noon.\nPlease take your seats now."
ACTIVITY_COLUMNS = ["id", "timestamp", "user", "action", "kind", "resource", "metadata", "ip"]


@pytest.fixture
def ran(logged_in, live_server):
    """(account, cli, run) after one real three-line run of a workflow, watched to completion."""
    acct, cli = logged_in
    wf = create_workflow(cli, "Usage check", definition(SCRIPT))
    r = cli("workflows", "run", wf, "--watch", "--timeout", "90", timeout=120)
    assert r.code == 0, r
    m = re.fullmatch(rf"Run ({UUID_RE}) finished: completed\.", r.out.strip())
    assert m, r
    run = ok(cli("workflows", "runs", "show", wf, m.group(1), "--json")).json()
    return acct, cli, run


def raw(acct, live_server, path: str, **params) -> dict:
    resp = httpx.get(f"{live_server.url}{path}", params=params, headers={"Authorization": f"Bearer {acct.key}"},
                     timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_usage_commands_report_a_real_run(ran, live_server, signup, cli_factory, conf_db):
    """One real run (they cost ~10 s each on a busy machine), then every usage command about it."""
    acct, cli, run = ran
    check_summary(acct, cli, run, live_server)
    check_by_language(cli, run)
    check_activity(acct, cli, run, live_server, signup, cli_factory, conf_db)


def check_summary(acct, cli, run, live_server):
    chars = sum(len(line) for line in SCRIPT.splitlines())
    text, js, tokyo = par(cli, ("usage", "summary"), ("usage", "summary", "--json"),
                          ("usage", "summary", "--range", "90d", "--activity-view", "monthly",
                           "--timezone", "Asia/Tokyo", "--json"))
    pairs = kv(ok(text).out)
    assert pairs["range"] == "30d" and pairs["activity_view"] == "daily" and pairs["timezone"] == "UTC"
    assert json.loads(pairs["characters"]) == {"total": chars}
    assert json.loads(pairs["audio"])["total_ms"] == run["usage_summary"]["audio_ms"] > 0
    assert json.loads(pairs["runs"]) == {"completed": 1, "failed": 0, "cancelled": 0, "running": 0, "pending": 0,
                                         "paused": 0, "total": 1}
    data = ok(js).json()
    assert data["lines"]["total"] == 3 and data["corrected"] == {"total": 0}
    assert data["credits"]["workspace_total"] == run["credits"] >= 1
    me = raw(acct, live_server, "/api/v1/users/me/credits")["data"]
    assert data["credits"]["used"] == me["used"] == run["credits"] and data["credits"]["quota"] == me["quota"]
    day = run["completed_at"][:10]          # the run's UTC day (the summary may be asked after midnight)
    assert len(data["daily"]) == 30 and [(d["date"], d["credits"]) for d in data["daily"] if d["credits"]] == \
        [(day, run["credits"])]
    act = data["activity"]
    assert act["view"] == "daily" and act["bucket_unit"] == "day" and len(act["buckets"]) == 7
    assert act["total"] == run["credits"] and act["peak"]["value"] == run["credits"]
    [bucket] = [b for b in act["buckets"] if b["runs"]]
    assert bucket["runs"] == 1 and bucket["characters"] == chars
    other = ok(tokyo).json()
    assert other["range"] == "90d" and other["timezone"] == "Asia/Tokyo" and len(other["daily"]) == 90
    assert other["activity"]["bucket_unit"] == "month" and len(other["activity"]["buckets"]) == 12
    assert other["activity"]["total"] == run["credits"] and other["characters"]["total"] == chars


def check_by_language(cli, run):
    loc = run["usage_summary"]["locales"]["en-us"]
    text, js, view = par(cli, ("usage", "by-language"), ("usage", "by-language", "--json"),
                         ("usage", "by-language", "--range", "60d", "--activity-view", "weekly", "--json"))
    pairs = kv(ok(text).out)
    assert pairs["range"] == "30d" and pairs["activity_view"] == "None" and pairs["total_credits"] == str(run["credits"])
    rows = json.loads(pairs["languages"])
    assert [(r["locale_code"], r["display_name"], r["share"]) for r in rows] == [("en-us", "English (United States)", 1.0)]
    data = ok(js).json()
    assert data["untagged_credits"] == 0 and data["total_credits"] == run["credits"]
    (row,) = data["languages"]
    assert (row["credits"], row["characters"], row["lines"]) == (run["credits"], loc["characters"], loc["lines"])
    weekly = ok(view).json()
    assert weekly["range"] is None and weekly["activity_view"] == "weekly" and weekly["languages"] == data["languages"]


def check_activity(acct, cli, run, live_server, signup, cli_factory, conf_db):
    me = raw(acct, live_server, "/api/v1/auth/whoami")["data"]["user_id"]
    r = ok(cli("--no-color", "usage", "activity"))
    header, rows = _table(r.out)
    assert header == ACTIVITY_COLUMNS
    col = {name: i for i, name in enumerate(header)}
    assert [row[col["action"]] for row in rows] == ["voice_generated", "workflow_run", "api_key_created"]
    assert [row[col["kind"]] for row in rows] == ["run.completed", "run.started", "api_key.created"]
    assert run["id"] in rows[0][col["resource"]] and all(re.fullmatch(UUID_RE, row[0]) for row in rows)

    started, mine, nobody = par(cli, ("usage", "activity", "--type", "workflow_run", "--json"),
                                ("usage", "activity", "--user-id", me, "--json"),
                                ("usage", "activity", "--type", "member_invited", "--json"))
    (ev,) = ok(started).json()
    assert ev["resource"] == {"type": "run", "id": run["id"], "name": "Usage check"} and ev["user"]["id"] == me
    assert len(ok(mine).json()) == 3 and ok(nobody).json() == []

    # the member filter: a stranger is a 404, the same person once a member is found
    stranger = signup("stranger")
    who = raw(stranger, live_server, "/api/v1/auth/whoami")["data"]["user_id"]
    r = cli("usage", "activity", "--user-id", who)
    assert r.code == 1 and _err_code(r) == "NOT_FOUND", r
    assert ok(cli("workspace", "members", "invite", acct.workspace_id, "--email", stranger.email, "--role", "viewer"))
    token, _body = outbox_token(conf_db, stranger.email)
    scli = cli_factory("stranger")
    ok(scli("login", "--base-url", live_server.url, "--key", stranger.key))
    ok(scli("workspace", "members", "accept", token))       # as the invitation email prints it
    joined = ok(cli("usage", "activity", "--user-id", who, "--json")).json()
    assert [(e["action"], e["kind"]) for e in joined] == [("member_invited", "invite.accepted")]

    # cursor paging: the CLI prints rows only; the cursor comes from the raw response's pagination.next
    everything = ok(cli("usage", "activity", "--json")).json()
    first = raw(acct, live_server, "/api/v1/usage/activity", limit=2)
    cursor = first["pagination"]["next"]
    assert cursor and [e["id"] for e in first["data"]] == [e["id"] for e in everything[:2]]
    page2 = ok(cli("usage", "activity", "--limit", "2", "--cursor", cursor, "--json")).json()
    assert [e["id"] for e in page2] == [e["id"] for e in everything[2:4]]
    bad = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")
    r = cli("usage", "activity", "--cursor", bad, "--json")
    assert r.code == 1 and _json_err(r)["code"] == "VALIDATION_ERROR" and "cursor" in _json_err(r)["message"], r


def test_usage_commands_refuse_bad_parameters(logged_in):
    _acct, cli = logged_in
    calls = [("usage", "summary", "--timezone", "Mars/Olympus"), ("usage", "by-language", "--timezone", "Nowhere/Land"),
             ("usage", "activity", "--timezone", "Atlantis"), ("usage", "activity", "--limit", "0"),
             ("usage", "activity", "--limit", "101"), ("usage", "activity", "--user-id", str(uuid.uuid4())),
             ("usage", "summary", "--range", "7d"), ("usage", "activity", "--type", "voice_cloned")]
    tz1, tz2, tz3, low, high, ghost, rng, typ = par(cli, *calls)
    for r, field in ((tz1, "timezone"), (tz2, "timezone"), (tz3, "timezone"), (low, "limit"), (high, "limit")):
        assert r.code == 1 and _err_code(r) == "VALIDATION_ERROR" and f"{field}:" in r.err, r
        assert "request_id=req_" in r.err, r
    assert ghost.code == 1 and _err_code(ghost) == "NOT_FOUND", ghost
    for r in (rng, typ):          # refused by the CLI itself (a Choice), no request sent
        assert r.code == 2 and "Invalid value" in r.err, r
    r = ok(cli("usage", "activity", "--limit", "100", "--json"))
    assert isinstance(r.json(), list)
