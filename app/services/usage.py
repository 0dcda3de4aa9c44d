"""Usage figures of a workspace: the summary, the per-language breakdown and the chart buckets.

Where each figure comes from (the same definitions as the engine's per-run report, engine/reporting.py):
  credits     the ledger: settle entries of the workspace (whole credits, what was actually charged),
              dated by the entry. credits.used alone is the caller's own billing-period usage
              (credits.used_in_period, as on /users/me/credits).
  characters  done operator_generator takes: the length of the text each one spoke (regenerations count:
              each is a synthesis), dated by the take's finish.
  corrected   done operator_generator takes with attempt > 1 (lines regenerated after a validator fail).
  lines/audio done sink_preview takes (delivered lines) and their duration.
  runs        runs created in the period, by status.
Buckets are cut at local midnights of the caller's timezone (usage_window); the sums are made by the
database, one GROUP BY per source, so every total is the exact sum of its buckets.

Credits per language: the ledger knows runs, not languages. Each run's credits in the period are split
across its locales in proportion to the metered cost (milli-credits) of its settled takes per locale,
by largest remainder, so the rows add up to the ledger to the credit. A run whose takes cost nothing
(e.g. only the run minimum) is split by the characters it spoke; a run with neither stays untagged.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, case, func, select

from app.extensions import db
from app.models import LedgerEntry, Run, Take, User, Workspace, iso
from app.services import credits as credits_svc
from app.services.plans import get_plan
from app.services.usage_window import (VIEW_LABELS, VIEW_UNITS, Frame, UsageQuery, range_frame, view_frame)
from app.workflows.locales import LOCALE_DISPLAY_NAMES
from app.workflows.nodes import GENERATOR, SINK

RUN_STATUSES = ("completed", "failed", "cancelled", "running", "pending", "paused")
METRICS = ("credits", "characters", "lines", "runs")


def _bucket_of(col, frame: Frame):
    """The index of the bucket an instant falls in (rows are already limited to the frame)."""
    return case(*[(col < b.end, i) for i, b in enumerate(frame.buckets)], else_=len(frame.buckets) - 1)


def _in(col, frame: Frame):
    return and_(col >= frame.start, col < frame.end)


def _grouped(frame: Frame, ts_col, columns: dict, where: list, aggregates: dict) -> dict[int, dict]:
    """{bucket index: {name: value}}: the rows of the frame, bucketed in a subquery, then summed."""
    sub = select(_bucket_of(ts_col, frame).label("b"), *(c.label(n) for n, c in columns.items())) \
        .where(_in(ts_col, frame), *where).subquery()
    stmt = select(sub.c.b, *(agg(sub.c).label(n) for n, agg in aggregates.items())).group_by(sub.c.b)
    return {row.b: {n: int(getattr(row, n) or 0) for n in aggregates} for row in db.session.execute(stmt)}


def _ledger_series(ws_id: str, frame: Frame) -> dict[int, dict]:
    return _grouped(frame, LedgerEntry.created_at, {"amount": LedgerEntry.amount},
                    [LedgerEntry.workspace_id == ws_id, LedgerEntry.kind == "settle"],
                    {"credits": lambda c: -func.sum(c.amount)})


def _take_columns() -> dict:
    gen = Take.node_type == GENERATOR
    return {"chars": case((gen, func.length(func.coalesce(Take.text, ""))), else_=0),
            "gen": case((gen, 1), else_=0),
            "fix": case((and_(gen, Take.attempt > 1), 1), else_=0),
            "line": case((Take.node_type == SINK, 1), else_=0),
            "ms": case((Take.node_type == SINK, func.coalesce(Take.duration_ms, 0)), else_=0)}


def _take_where(ws_id: str) -> list:
    return [Take.workspace_id == ws_id, Take.status == "done", Take.node_type.in_((GENERATOR, SINK))]


TAKE_SUMS = {"characters": lambda c: func.sum(c.chars), "generated": lambda c: func.sum(c.gen),
             "corrected": lambda c: func.sum(c.fix), "lines": lambda c: func.sum(c.line),
             "audio_ms": lambda c: func.sum(c.ms)}


def _take_series(ws_id: str, frame: Frame) -> dict[int, dict]:
    return _grouped(frame, Take.finished_at, _take_columns(), _take_where(ws_id), TAKE_SUMS)


def _run_series(ws_id: str, frame: Frame) -> dict[int, dict]:
    return _grouped(frame, Run.created_at, {"one": Run.run_number}, [Run.workspace_id == ws_id],
                    {"runs": lambda c: func.count()})


def series(ws_id: str, frame: Frame) -> list[dict]:
    """One row per bucket (oldest first): credits, characters, lines, runs, corrected, generated, audio_ms."""
    parts = [_ledger_series(ws_id, frame), _take_series(ws_id, frame), _run_series(ws_id, frame)]
    zero = {"credits": 0, **{k: 0 for k in TAKE_SUMS}, "runs": 0}
    rows = []
    for i, b in enumerate(frame.buckets):
        row = dict(zero)
        for part in parts:
            row.update(part.get(i, {}))
        rows.append({"bucket": b, **row})
    return rows


def _run_counts(ws_id: str, frame: Frame) -> dict:
    counts = dict(db.session.execute(select(Run.status, func.count()).where(
        Run.workspace_id == ws_id, _in(Run.created_at, frame)).group_by(Run.status)).all())
    out = {s: int(counts.get(s, 0)) for s in RUN_STATUSES}
    out["total"] = int(sum(counts.values()))
    return out


def _bucket_out(row: dict) -> dict:
    b = row["bucket"]
    return {"label": b.label, "start": iso(b.start), "end": iso(b.end), "credits": row["credits"],
            "characters": row["characters"], "lines": row["lines"], "runs": row["runs"]}


def activity_summary(ws_id: str, q: UsageQuery, now=None) -> dict:
    """The chart: buckets of the activity view; total/avg/peak are of credits (the `metric`)."""
    rows = series(ws_id, view_frame(q.view, q.tz, now))
    total = sum(r["credits"] for r in rows)
    peak = max(rows, key=lambda r: r["credits"]) if total else None
    return {"view": q.view, "bucket_unit": VIEW_UNITS[q.view], "range_label": VIEW_LABELS[q.view],
            "metric": "credits", "buckets": [_bucket_out(r) for r in rows], "total": total,
            "avg": round(total / len(rows), 2),
            "peak": ({"value": peak["credits"], "label": peak["bucket"].label, "start": iso(peak["bucket"].start),
                      "end": iso(peak["bucket"].end)} if peak else None)}


def caller_credits(user: User) -> dict:
    start, end = credits_svc.period_bounds()
    used = credits_svc.used_in_period(user.id, start, end)
    quota = get_plan(user.plan).monthly_credits
    return {"used": used, "quota": quota, "percent": round(100.0 * used / quota, 2) if quota else None,
            "period_start": iso(start), "period_end": iso(end)}


def summary(ws: Workspace, user: User, q: UsageQuery, now=None) -> dict:
    frame = range_frame(q.range, q.tz, now)
    rows = series(ws.id, frame)
    tot = {k: sum(r[k] for r in rows) for k in ("credits", "characters", "generated", "corrected", "lines",
                                                  "audio_ms")}
    return {
        "range": q.range, "activity_view": q.view, "timezone": q.tz_name,
        "period": {"start": iso(frame.start), "end": iso(frame.end)},
        "credits": {**caller_credits(user), "workspace_total": tot["credits"]},
        "characters": {"total": tot["characters"]},
        "corrected": {"total": tot["corrected"]},
        "lines": {"total": tot["lines"],
                  "avg_chars_per_line": round(tot["characters"] / tot["generated"], 2) if tot["generated"] else None},
        "audio": {"total_ms": tot["audio_ms"]},
        "runs": _run_counts(ws.id, frame),
        "activity": activity_summary(ws.id, q, now),
        "daily": [{"date": r["bucket"].day.isoformat(), "credits": r["credits"], "characters": r["characters"],
                   "lines": r["lines"], "runs": r["runs"]} for r in rows],
    }


# ---- per language -------------------------------------------------------------------------------

def allocate(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split a whole number in proportion to weights, largest remainder first (ties by key): the parts
    always add up to `total`. Empty when there is nothing to split by."""
    s = sum(w for w in weights.values() if w > 0)
    if total <= 0 or s <= 0:
        return {}
    keys = sorted(k for k, w in weights.items() if w > 0)
    parts = {k: total * weights[k] // s for k in keys}
    rest = total - sum(parts.values())
    for k in sorted(keys, key=lambda k: (-(total * weights[k] % s), k))[:rest]:
        parts[k] += 1
    return parts


def _credits_by_run(ws_id: str, frame: Frame) -> dict[str, int]:
    rows = db.session.execute(select(LedgerEntry.run_id, -func.sum(LedgerEntry.amount)).where(
        LedgerEntry.workspace_id == ws_id, LedgerEntry.kind == "settle", _in(LedgerEntry.created_at, frame))
        .group_by(LedgerEntry.run_id))
    return {run_id: int(c or 0) for run_id, c in rows}


def _weights(run_ids: list[str]) -> tuple[dict, dict]:
    """{run: {locale: milli-credits of settled takes}}, {run: {locale: characters spoken}}."""
    cost, chars = defaultdict(dict), defaultdict(dict)
    if not run_ids:
        return cost, chars
    gen_chars = func.sum(case((and_(Take.node_type == GENERATOR, Take.status == "done"),
                              func.length(func.coalesce(Take.text, ""))), else_=0))
    milli = func.sum(case((Take.settled.is_(True), Take.credits_milli), else_=0))
    for i in range(0, len(run_ids), 500):
        for run_id, locale, m, c in db.session.execute(
                select(Take.run_id, Take.locale, milli, gen_chars).where(Take.run_id.in_(run_ids[i:i + 500]))
                .group_by(Take.run_id, Take.locale)):
            cost[run_id][locale] = int(m or 0)
            chars[run_id][locale] = int(c or 0)
    return cost, chars


def _locale_takes(ws_id: str, frame: Frame) -> dict[str, dict]:
    cols = _take_columns()
    sub = select(Take.locale.label("locale"), *(c.label(n) for n, c in cols.items())) \
        .where(_in(Take.finished_at, frame), *_take_where(ws_id)).subquery()
    stmt = select(sub.c.locale, *(agg(sub.c).label(n) for n, agg in TAKE_SUMS.items())).group_by(sub.c.locale)
    return {row.locale: {n: int(getattr(row, n) or 0) for n in TAKE_SUMS} for row in db.session.execute(stmt)}


def by_language(ws: Workspace, q: UsageQuery, now=None) -> dict:
    """One row per locale with its share; `activity_view` (when given) replaces the range."""
    frame = view_frame(q.view, q.tz, now) if q.view_given else range_frame(q.range, q.tz, now)
    per_run = _credits_by_run(ws.id, frame)
    cost, chars = _weights(sorted(r for r in per_run if r))
    credits_by, basis_by = defaultdict(int), defaultdict(set)
    untagged = 0
    for run_id, amount in per_run.items():
        parts, basis = allocate(amount, cost.get(run_id, {})), "take_cost"
        if not parts:
            parts, basis = allocate(amount, chars.get(run_id, {})), "characters"
        if not parts:
            untagged += amount
            continue
        for loc, c in parts.items():
            credits_by[loc] += c
            basis_by[loc].add(basis)
    takes = _locale_takes(ws.id, frame)
    total_credits = sum(per_run.values())
    total_chars = sum(t["characters"] for t in takes.values())
    rows = []
    for loc in sorted(set(credits_by) | set(takes)):
        t = takes.get(loc, {})
        c, n = credits_by.get(loc, 0), t.get("characters", 0)
        if not (c or n or t.get("lines")):
            continue
        share = c / total_credits if total_credits else (n / total_chars if total_chars else 0.0)
        basis = basis_by.get(loc) or {"take_cost"}
        rows.append({"locale_code": loc, "display_name": LOCALE_DISPLAY_NAMES.get(loc, loc),
                     "share": round(share, 6), "credits": c, "characters": n, "corrected": t.get("corrected", 0),
                     "lines": t.get("lines", 0), "audio_ms": t.get("audio_ms", 0),
                     "allocation_basis": basis.pop() if len(basis) == 1 else "mixed"})
    rows.sort(key=lambda r: (-r["credits"], -r["characters"], r["locale_code"]))
    return {"range": None if q.view_given else q.range, "activity_view": q.view if q.view_given else None,
            "timezone": q.tz_name, "period": {"start": iso(frame.start), "end": iso(frame.end)},
            "languages": rows, "total_credits": total_credits, "untagged_credits": untagged}
