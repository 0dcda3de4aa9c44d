"""Usage reconciliation after real runs: two members, two locales, real RQ workers speaking with espeak-ng.

Two runs finish for real (the owner's speaks en-us and de-de, the editor's de-de). Then time is moved,
honestly and visibly: every row of each run (run, steps, takes, its ledger entries, its activity events)
is shifted by one offset so that the two runs sit one hour apart on the same UTC day, but on either side
of midnight in Tokyo. The ledger's no-update trigger is switched off for that one statement
(session_replication_role = replica, as the test cleanup does); the application never does this.

Expected values are computed here with plain SQL over the ledger and the takes, and cross-checked with
the engine's own per-run record (run.usage_summary, engine/reporting.py). Then summary, by-language and
activity (in UTC and in Asia/Tokyo) must equal them exactly, to the credit and to the character.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import LedgerEntry, Run, Take
from app.models.base import utcnow
from app.services import credits
from tests.conftest import assert_envelope
from tests.engine.conftest import make_workflow, run_burst, start
from tests.factories import add_member, make_key, make_user

TOKYO = ZoneInfo("Asia/Tokyo")
WORDS = "amber birch cedar delta ember fjord grove harbor island juniper kestrel linden meadow".split()
WORTE = "Apfel Birke Zeder Delta Glut Fjord Hain Hafen Insel Wacholder Falke Linde Wiese".split()


def lines(words, n, lead):
    return "\n".join(f"{lead} {i + 1}: the {words[i % len(words)]} and the {words[(i * 5 + 2) % len(words)]} "
                     f"meet at the {words[(i * 3 + 1) % len(words)]} number {i + 7}." for i in range(n))


def source(node_id, locale, text_, y):
    return {"id": node_id, "type": "source_script", "position": {"x": 0, "y": y},
            "config": {"text": text_, "source_language": locale}}


def definition(sources: list[dict], locales: list[str]) -> dict:
    voices = {"en-us": "en-us", "de-de": "de"}
    nodes = [*sources,
             {"id": "gen", "type": "operator_generator", "position": {"x": 300, "y": 0},
              "config": {"voice_map": {loc: [{"voice_id": voices[loc], "provider": "espeak", "model": "espeak-ng"}]
                                       for loc in locales}}},
             {"id": "out", "type": "sink_preview", "position": {"x": 600, "y": 0}, "config": {"format": "wav"}}]
    edges = [{"id": f"e-{s['id']}", "source": s["id"], "sourcePort": "lines", "target": "gen", "targetPort": "lines"}
             for s in sources]
    edges.append({"id": "e-out", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"})
    return {"graph": {"nodes": nodes, "edges": edges}}


SHIFTS = {"runs": ("created_at", "updated_at", "started_at", "completed_at"),
          "steps": ("started_at", "completed_at"),
          "takes": ("created_at", "enqueued_at", "started_at", "finished_at"),
          "ledger_entries": ("created_at",), "activity_events": ("created_at",)}


def move_run(run_id: str, to: datetime) -> None:
    """Shift every timestamp that belongs to the run by (to - run.created_at)."""
    created = db.session.scalar(select(Run.created_at).where(Run.id == run_id))
    delta = to - created
    where = {"runs": "id = :r", "steps": "run_id = :r", "takes": "run_id = :r", "ledger_entries": "run_id = :r",
             "activity_events": "resource_type = 'run' AND resource_id = :r"}
    db.session.execute(text("SET session_replication_role = replica"))
    for table, cols in SHIFTS.items():
        sets = ", ".join(f"{c} = {c} + :d" for c in cols)
        db.session.execute(text(f"UPDATE {table} SET {sets} WHERE {where[table]}"), {"r": run_id, "d": delta})
    db.session.execute(text("SET session_replication_role = DEFAULT"))
    db.session.commit()


def ledger_truth(run_ids) -> dict:
    """Settled credits per run, and per (user, billing period) for credits.used, straight from the ledger."""
    db.session.rollback()
    per_run = defaultdict(int)
    for e in db.session.scalars(select(LedgerEntry).where(LedgerEntry.run_id.in_(run_ids),
                                                          LedgerEntry.kind == "settle")):
        per_run[e.run_id] += -e.amount
    return dict(per_run)


def take_truth(run_ids) -> dict:
    """Per (run, locale): characters spoken by done generator takes, delivered lines and their audio."""
    out = defaultdict(lambda: {"characters": 0, "lines": 0, "audio_ms": 0, "generated": 0})
    for t in db.session.scalars(select(Take).where(Take.run_id.in_(run_ids), Take.status == "done")):
        row = out[(t.run_id, t.locale)]
        if t.node_type == "operator_generator":
            row["characters"] += len(t.text or "")
            row["generated"] += 1
        elif t.node_type == "sink_preview":
            row["lines"] += 1
            row["audio_ms"] += t.duration_ms or 0
    return dict(out)


@pytest.fixture
def two_runs(api, owner, workspace):
    editor = add_member(workspace, make_user(email="editor@example.com", name="Edda"), "editor")
    owner_api = api.as_(make_key(workspace, owner, "all", name="owner key"))
    editor_api = api.as_(make_key(workspace, editor, "all", name="editor key"))
    for u in (owner, editor):
        credits.ensure_period_grant(u)
    db.session.commit()
    both = make_workflow(owner_api, definition([source("src_en", "en-us", lines(WORDS, 14, "Line"), 0),
                                                source("src_de", "de-de", lines(WORTE, 9, "Zeile"), 150)],
                                               ["en-us", "de-de"]), name="Bilingual")
    german = make_workflow(editor_api, definition([source("src", "de-de", lines(WORTE, 6, "Satz"), 0)], ["de-de"]),
                           name="Nur Deutsch")
    r1 = start(owner_api, both["id"])
    r2 = start(editor_api, german["id"])
    done = run_burst()
    assert done.returncode == 0, done.stderr[-3000:]
    db.session.rollback()
    runs = {rid: db.session.get(Run, rid) for rid in (r1["id"], r2["id"])}
    assert {r.status for r in runs.values()} == {"completed"}, [(r.status, r.error) for r in runs.values()]
    # one UTC day, two Tokyo days: 14:30Z is 23:30 in Tokyo, 15:30Z is 00:30 the next day
    day = (utcnow() - timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
    t1, t2 = day + timedelta(hours=14, minutes=30), day + timedelta(hours=15, minutes=30)
    move_run(r1["id"], t1)
    move_run(r2["id"], t2)
    return {"owner_api": owner_api, "editor_api": editor_api, "editor": editor, "r1": r1["id"], "r2": r2["id"],
            "t1": t1, "t2": t2, "runs": runs}


def get(api_, path, **query):
    return assert_envelope(api_.get(path, query_string=query))["data"]


def test_summary_by_language_and_activity_equal_the_ledger_and_the_takes(owner, workspace, two_runs):
    s = two_runs
    r1, r2 = s["r1"], s["r2"]
    ledger = ledger_truth([r1, r2])
    takes = take_truth([r1, r2])
    db.session.rollback()
    runs = {rid: db.session.get(Run, rid) for rid in (r1, r2)}
    # the truth is coherent with itself: the ledger with the runs, the takes with the engine's report
    assert ledger == {r1: runs[r1].credits, r2: runs[r2].credits} and ledger[r1] >= 2
    for rid, run in runs.items():
        for loc, rec in run.usage_summary["locales"].items():
            t = takes[(rid, loc)]
            assert (rec["characters"], rec["lines"], rec["audio_ms"]) == (t["characters"], t["lines"], t["audio_ms"])
    assert {loc for _r, loc in takes} == {"en-us", "de-de"}
    total_chars = sum(t["characters"] for t in takes.values())
    total_lines = sum(t["lines"] for t in takes.values())
    total_ms = sum(t["audio_ms"] for t in takes.values())
    assert total_lines == 14 + 9 + 6 and total_ms > 0

    # ---- summary: workspace totals in either timezone; credits.used is the caller's own
    start, end = credits.period_bounds()
    for tz in ("UTC", "Asia/Tokyo"):
        for who, api_, user_id in (("owner", s["owner_api"], owner.id), ("editor", s["editor_api"], s["editor"].id)):
            summ = get(api_, "/api/v1/usage/summary", timezone=tz, range="30d")
            assert summ["credits"]["workspace_total"] == sum(ledger.values())
            assert summ["characters"]["total"] == total_chars and summ["lines"]["total"] == total_lines
            assert summ["audio"]["total_ms"] == total_ms
            assert summ["runs"]["total"] == 2 and summ["runs"]["completed"] == 2
            assert sum(d["credits"] for d in summ["daily"]) == sum(ledger.values())
            assert sum(d["characters"] for d in summ["daily"]) == total_chars
            mine = -sum(e.amount for e in db.session.scalars(select(LedgerEntry).where(
                LedgerEntry.user_id == user_id, LedgerEntry.kind.in_(("settle", "correction")), LedgerEntry.amount < 0,
                LedgerEntry.created_at >= start, LedgerEntry.created_at < end)))
            assert summ["credits"]["used"] == mine, who
            assert summ["activity"]["total"] == sum(ledger.values())        # both runs are in the last 7 days

    # ---- the day boundary: one UTC day, two Tokyo days
    def days(tz):
        act = get(s["owner_api"], "/api/v1/usage/summary", timezone=tz, activity_view="daily")["activity"]
        return {b["label"]: b for b in act["buckets"]}
    in_utc, in_tokyo = days("UTC"), days("Asia/Tokyo")
    utc_day = s["t1"].date().isoformat()
    assert in_utc[utc_day]["credits"] == ledger[r1] + ledger[r2] and in_utc[utc_day]["runs"] == 2
    assert in_utc[utc_day]["characters"] == total_chars and in_utc[utc_day]["lines"] == total_lines
    d1, d2 = s["t1"].astimezone(TOKYO).date().isoformat(), s["t2"].astimezone(TOKYO).date().isoformat()
    assert d1 != d2
    for label, rid in ((d1, r1), (d2, r2)):
        b = in_tokyo[label]
        assert b["credits"] == ledger[rid] and b["runs"] == 1
        assert b["characters"] == sum(t["characters"] for (r, _l), t in takes.items() if r == rid)
        assert b["lines"] == sum(t["lines"] for (r, _l), t in takes.items() if r == rid)
    assert sum(b["credits"] for b in in_tokyo.values()) == sum(ledger.values())

    # ---- by language: rows add up to the ledger; single-locale runs land whole; takes per locale
    for query in ({"range": "30d"}, {"activity_view": "daily", "timezone": "Asia/Tokyo"}):
        bl = get(s["editor_api"], "/api/v1/usage/by-language", **query)
        rows = {r["locale_code"]: r for r in bl["languages"]}
        assert set(rows) == {"en-us", "de-de"}
        assert bl["total_credits"] == sum(ledger.values()) and bl["untagged_credits"] == 0
        assert sum(r["credits"] for r in rows.values()) == bl["total_credits"]
        for loc, row in rows.items():
            assert row["characters"] == sum(t["characters"] for (_r, l), t in takes.items() if l == loc)
            assert row["lines"] == sum(t["lines"] for (_r, l), t in takes.items() if l == loc)
        # r2 is German only; r1's credits split by its takes' metered cost (largest remainder)
        milli = defaultdict(int)
        for t in db.session.scalars(select(Take).where(Take.run_id == r1, Take.settled.is_(True))):
            milli[t.locale] += t.credits_milli
        en_exact = ledger[r1] * milli["en-us"] / sum(milli.values())
        assert int(en_exact) <= rows["en-us"]["credits"] <= int(en_exact) + 1
        assert rows["de-de"]["credits"] == ledger[r2] + ledger[r1] - rows["en-us"]["credits"]
        assert abs(sum(r["share"] for r in rows.values()) - 1) < 1e-5

    # ---- activity: one launch and one finished run per member, newest first, filters combine
    feed = get(s["owner_api"], "/api/v1/usage/activity", timezone="Asia/Tokyo", type="workflow_run")
    assert [(e["resource"]["id"], e["user"]["id"]) for e in feed] == [(r2, s["editor"].id), (r1, owner.id)]
    ends = get(s["owner_api"], "/api/v1/usage/activity", type="voice_generated")
    assert {e["resource"]["id"]: e["metadata"]["lines"] for e in ends} == {
        rid: sum(t["lines"] for (r, _l), t in takes.items() if r == rid) for rid in (r1, r2)}
    assert all(e["kind"] == "run.completed" for e in ends)
    owners = get(s["owner_api"], "/api/v1/usage/activity", user_id=owner.id, type="voice_generated")
    assert [e["resource"]["id"] for e in owners] == [r1]
    stamps = [e["timestamp"] for e in get(s["owner_api"], "/api/v1/usage/activity", limit=100)]
    assert stamps == sorted(stamps, reverse=True)
    # moved two days back, both runs keep their two events each inside the 30-day window
    assert len([e for e in get(s["owner_api"], "/api/v1/usage/activity", limit=100)
                if e["resource"]["id"] in (r1, r2)]) == 4
