"""Run reports: the runs summary of a workflow, and one run's overview, analysis and outputs."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from app.errors import ValidationFailed
from app.extensions import db
from app.models import ACTIVE, RUN_STATUSES, TERMINAL, Run, Step, Take, Workflow, iso
from app.services import runs as runs_svc
from app.services.playback import audio_id, playback_url
from app.services.run_data import (AUDIO_NODE_TYPES, SINK_TYPES, RunTakes, graph_nodes, kind_of, node_config,
                                   node_label, verdict_out)
from app.workflows.nodes import get_spec, is_validator

OUTPUT_LINE_CAP = 1000


# ---- summary ------------------------------------------------------------------------------

def summary(wf: Workflow, start: datetime | None, end: datetime | None) -> dict:
    if start is not None and end is not None and start > end:
        raise ValidationFailed([{"field": "from", "message": "must not be after `to`"}])
    conds = [Run.workflow_id == wf.id, Run.workspace_id == wf.workspace_id]
    if start is not None:
        conds.append(Run.created_at >= start)
    if end is not None:
        conds.append(Run.created_at <= end)
    counts = dict.fromkeys(RUN_STATUSES, 0)
    for status, n in db.session.execute(select(Run.status, func.count()).where(*conds).group_by(Run.status)):
        counts[status] = counts.get(status, 0) + int(n)
    durations = [_active_seconds(r) for r in db.session.execute(
        select(Run.started_at, Run.completed_at, Run.paused_ms).where(*conds, Run.status == "completed"))]
    durations = [d for d in durations if d is not None]
    delivered_ms = db.session.scalar(select(func.coalesce(func.sum(Take.duration_ms), 0)).select_from(Take)
                                     .join(Run, Run.id == Take.run_id)
                                     .where(*conds, Take.node_type.in_(SINK_TYPES), Take.status == "done"))
    judged = counts["completed"] + counts["failed"]
    return {"total_runs": sum(counts.values()), **{s: counts[s] for s in RUN_STATUSES},
            "pass_rate": (counts["completed"] / judged) if judged else None,
            "delivered_audio_ms": int(delivered_ms or 0),
            "average_duration_seconds": (sum(durations) / len(durations)) if durations else None}


def _active_seconds(row) -> float | None:
    started, completed, paused_ms = row
    if started is None or completed is None:
        return None
    return max(0.0, (completed - started).total_seconds() - (paused_ms or 0) / 1000)


def _active_ms(run: Run) -> int | None:
    secs = _active_seconds((run.started_at, run.completed_at, run.paused_ms))
    return int(round(secs * 1000)) if secs is not None else None


# ---- shared pieces ------------------------------------------------------------------------

def _node_states(run: Run) -> list[dict]:
    steps = list(db.session.scalars(select(Step).where(Step.run_id == run.id).order_by(Step.seq, Step.id)))
    by_node: dict[str, list[Step]] = defaultdict(list)
    for s in steps:
        by_node[s.node_id].append(s)
    out = []
    for node in graph_nodes(run):
        nid, ntype = node["id"], node.get("type") or ""
        mine = by_node.get(nid, [])
        started = min((s.started_at for s in mine if s.started_at), default=None)
        running = any(s.status == "running" for s in mine)
        completed = None if running else max((s.completed_at for s in mine if s.completed_at), default=None)
        if not mine:
            status = "pending" if run.status in ACTIVE else "skipped"
        elif running:
            status = "running"
        elif any(s.status == "completed" for s in mine):
            status = "completed"
        else:
            status = mine[-1].status
        error = next((s.error for s in mine if s.error), None)
        out.append({"node_id": nid, "node_type": ntype, "node_display_name": node_label(node),
                    "status": status, "iteration": max((s.iteration for s in mine), default=None),
                    "started_at": iso(started), "completed_at": iso(completed),
                    "duration_ms": int((completed - started).total_seconds() * 1000) if started and completed else None,
                    "error": error})
    return out


def _retries_by(rt: RunTakes) -> dict[str, int]:
    """Regenerations each validator asked for (retry takes name the validator in meta.reason)."""
    out: dict[str, int] = defaultdict(int)
    for t in rt.takes:
        if t.node_type in AUDIO_NODE_TYPES and t.attempt > 1 and (t.meta or {}).get("reason"):
            out[t.meta["reason"]] += 1
    return out


def _validator_takes(rt: RunTakes, node_id: str) -> list[Take]:
    return [t for t in rt.takes if t.node_id == node_id and t.status == "done"]


def _score(t: Take):
    s = (t.scores or {}).get("score")
    return float(s) if isinstance(s, (int, float)) and not isinstance(s, bool) else None


def _unsupported(t: Take) -> bool:
    s = t.scores or {}
    return s.get("status") == "unsupported" or bool(s.get("unsupported"))


def _validator_summary(run: Run, rt: RunTakes, node: dict, retries: dict[str, int]) -> dict:
    takes = _validator_takes(rt, node["id"])
    judged = [t for t in takes if not _unsupported(t)]
    scores = [s for t in judged if (s := _score(t)) is not None]
    passed = sum(1 for t in judged if t.port == "pass")
    failed = sum(1 for t in judged if t.port == "fail")
    if judged:
        status, reason = "available", None
    elif takes:
        status, reason = "unsupported", "The validator could not judge these languages."
    elif run.status in ACTIVE:
        status, reason = "not_ready", "The validator has not run yet."
    else:
        status, reason = "unavailable", "The validator judged no take."
    return {"node_id": node["id"], "node_type": node.get("type"), "kind": kind_of(node.get("type") or ""),
            "label": node_label(node), "avg_score": (sum(scores) / len(scores)) if scores else None,
            "pass_rate": (passed / (passed + failed)) if passed + failed else None, "pass_count": passed,
            "fail_count": failed, "retry_count": retries.get(node["id"], 0), "status": status, "reason": reason}


def _one_per_pair(delivered: list[Take]) -> list[Take]:
    """A line delivered to several sinks counts once per locale."""
    seen, out = set(), []
    for t in delivered:
        if (t.line_index, t.locale) not in seen:
            seen.add((t.line_index, t.locale))
            out.append(t)
    return out


def _run_head(run: Run) -> dict:
    return {"id": run.id, "status": run.status, "run_number": run.run_number, "created_at": iso(run.created_at),
            "started_at": iso(run.started_at), "completed_at": iso(run.completed_at),
            "paused_ms": int(run.paused_ms or 0), "has_export": runs_svc.has_export(run), "error": run.error}


def _fmt_ms(ms: int | None) -> str:
    if ms is None:
        return "—"
    secs = ms / 1000
    if secs < 60:
        return f"{secs:.1f} s"
    return f"{int(secs // 60)} min {int(secs % 60)} s"


def _metric(key, label, value, formatted, unit=None, *, status="available", reason=None, variant="number"):
    return {"key": key, "label": label, "value": value, "formatted_value": formatted, "unit": unit,
            "status": status, "reason": reason, "display": {"variant": variant}}


# ---- overview -----------------------------------------------------------------------------

def overview(wf: Workflow, run: Run) -> dict:
    rt = RunTakes.load(run)
    delivered = _one_per_pair(rt.delivered())
    lines_total = len(run.lines or [])
    audio_ms = sum(t.duration_ms or 0 for t in delivered)
    active = run.status in ACTIVE
    duration = _active_ms(run)
    not_final = "not_ready" if active else "available"
    metrics = [
        _metric("lines_delivered", "Lines delivered", len(delivered), f"{len(delivered)}", "lines",
                status=not_final if not delivered else "available"),
        _metric("audio_duration", "Audio delivered", audio_ms, _fmt_ms(audio_ms), "ms", variant="duration"),
        _metric("credits", "Credits charged", int(run.credits or 0), f"{int(run.credits or 0)}", "credits",
                status="not_ready" if active else "available",
                reason="Credits are settled when the run ends." if active else None),
        _metric("duration", "Run time", duration, _fmt_ms(duration), "ms",
                status="available" if duration is not None else ("not_ready" if active else "unavailable"),
                reason=None if duration is not None else "The run has not finished.", variant="duration"),
        _metric("source_lines", "Script lines", lines_total, f"{lines_total}", "lines"),
    ]
    by_locale: dict[str, list[int]] = defaultdict(list)
    for t in delivered:
        by_locale[t.locale].append(t.duration_ms or 0)
    audio_by_language = [{"locale_code": loc, "line_count": len(ds), "total_duration_ms": sum(ds),
                          "avg_duration_ms": int(round(sum(ds) / len(ds))) if ds else None}
                         for loc, ds in sorted(by_locale.items())]
    retries = _retries_by(rt)
    validators = [_validator_summary(run, rt, n, retries) for n in graph_nodes(run) if is_validator(n.get("type"))]
    return {"workflow": {"id": wf.id, "name": wf.name}, "run": _run_head(run),
            "metric_sections": [{"key": "summary", "title": "Summary", "layout": "grid", "metrics": metrics}],
            "audio_by_language": audio_by_language, "validators": validators,
            "workflow_snapshot": {"definition": run.definition_snapshot or {}, "node_states": _node_states(run)},
            "capabilities": {"validator_drilldown": False, "live_trace_timing": False, "persisted_aggregates": False},
            "future_links": {"validator_drilldown": None, "live_trace": None}}


# ---- analysis -----------------------------------------------------------------------------

def _decimal(milli: int) -> str:
    value = (Decimal(int(milli)) / Decimal(1000)).normalize()
    return f"{value:f}"


def analysis(wf: Workflow, run: Run) -> dict:
    rt = RunTakes.load(run)
    terminal = run.status in TERMINAL
    all_delivered = rt.delivered()
    accepted_ids = {rt.audio_take(t).id for t in all_delivered}
    delivered = _one_per_pair(all_delivered)
    per: dict[str, dict] = defaultdict(lambda: {"delivered_duration_ms": 0, "delivered_line_count": 0,
                                                "replaced_duration_ms": 0})
    for t in delivered:
        row = per[t.locale]
        row["delivered_duration_ms"] += t.duration_ms or 0
        row["delivered_line_count"] += 1
    generated_ms = 0
    for t in rt.takes:
        if t.node_type in AUDIO_NODE_TYPES and t.status == "done" and t.audio_key:
            generated_ms += t.duration_ms or 0
            if t.id not in accepted_ids:
                per[t.locale]["replaced_duration_ms"] += t.duration_ms or 0
    audio = {"status": "available" if terminal else "partial",
             "reason": None if terminal else "The run is still in progress.", "truncated": False,
             "delivered_total_ms": sum(r["delivered_duration_ms"] for r in per.values()),
             "generated_total_ms": generated_ms, "replaced_partial": False, "replaced_missing_take_count": 0,
             "delivered_missing_take_count": 0,
             "by_locale": [{"locale_code": loc, **vals, "replaced_partial": False}
                           for loc, vals in sorted(per.items())]}
    retries = _retries_by(rt)
    validators = []
    for node in graph_nodes(run):
        if not is_validator(node.get("type")):
            continue
        summ = _validator_summary(run, rt, node, retries)
        cfg = node_config(node)
        locs: dict[str, list[Take]] = defaultdict(list)
        for t in _validator_takes(rt, node["id"]):
            locs[t.locale].append(t)
        locales = []
        for loc, ts in sorted(locs.items()):
            judged = [t for t in ts if not _unsupported(t)]
            scores = [s for t in judged if (s := _score(t)) is not None]
            locales.append({"locale_code": loc, "avg_score": (sum(scores) / len(scores)) if scores else None,
                            "line_count": len({t.line_index for t in ts}),
                            "pass_count": sum(1 for t in judged if t.port == "pass"),
                            "fail_count": sum(1 for t in judged if t.port == "fail"),
                            "status": "available" if judged else "unscored"})
        status = {"available": "available" if terminal else "partial"}.get(summ["status"], "unavailable")
        if summ["status"] == "not_ready":
            status = "partial"
        validators.append({"node_id": node["id"], "node_type": node.get("type"), "kind": summ["kind"],
                           "label": summ["label"], "threshold": _num(cfg.get("threshold")),
                           "max_retries": cfg.get("max_retries"), "retry_count": summ["retry_count"],
                           "status": status, "reason": summ["reason"], "truncated": False,
                           "unscored_locale_count": sum(1 for x in locales if x["status"] == "unscored"),
                           "locales": locales})
    return {"run": {"id": run.id, "status": run.status, "started_at": iso(run.started_at),
                    "completed_at": iso(run.completed_at), "duration_ms": _active_ms(run),
                    "paused_ms": int(run.paused_ms or 0)},
            "audio": audio, "validators": validators, "credits": _credits(run, rt)}


def _num(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _credits(run: Run, rt: RunTakes) -> dict:
    terminal = run.status in TERMINAL
    by_node: dict[str, list[Take]] = defaultdict(list)
    for t in rt.takes:
        by_node[t.node_id].append(t)
    rows, total_milli = [], 0
    for node in graph_nodes(run):
        nid, ntype = node["id"], node.get("type") or ""
        takes = by_node.get(nid, [])
        done = [t for t in takes if t.status == "done"]
        open_ = [t for t in takes if t.status in ("pending", "running")]
        milli = sum(t.credits_milli or 0 for t in done)
        total_milli += milli
        units = sum(t.units or 0 for t in done)
        unit = next((t.unit for t in done if t.unit), None)
        if not takes or (not done and open_):
            status = "not_completed"
        elif milli == 0:
            status = "free"
        elif open_:
            status = "recorded_incomplete"
        else:
            status = "recorded"
        spec = get_spec(ntype)
        rows.append({"node_id": nid, "node_type": ntype, "display_name": node_label(node),
                     "detail": spec.description if spec else None, "processed_units": units, "unit": unit,
                     "output_ms": sum(t.duration_ms or 0 for t in done if t.node_type in AUDIO_NODE_TYPES) or None,
                     "output_chars": sum(len(t.text_out if t.text_out is not None else (t.text or ""))
                                         for t in done) or None,
                     "retries": sum(1 for t in takes if t.attempt > 1),
                     "credits_fractional": _decimal(milli), "status": status})
    charged = int(run.credits or 0)
    if terminal:
        status, reason = "ok", None
    else:
        status, reason = "partial", ("run_paused" if run.status == "paused" else "run_not_settled")
    minimum = max(Decimal(0), Decimal(charged) - Decimal(total_milli) / 1000) if terminal else Decimal(0)
    absorbed = max(Decimal(0), Decimal(total_milli) / 1000 - Decimal(charged)) if terminal else Decimal(0)
    return {"status": status, "reason": reason, "truncated": False, "rows": rows,
            "total_fractional": _decimal(total_milli), "unattributed_fractional": "0", "charged": charged,
            "overage_credits": 0, "absorbed_fraction": f"{absorbed.normalize():f}",
            "minimum_charge_fractional": f"{minimum.normalize():f}"}


# ---- outputs ------------------------------------------------------------------------------

def audio_file(rt: RunTakes, sink: Take) -> dict:
    audio = rt.audio_take(sink)
    if not audio.audio_key:
        audio = sink
    fmt = (sink.meta or {}).get("format") or "wav"
    voice = audio.voice or {}
    file = sink if sink.audio_key else audio          # the sink's own file: the WAV, or its MP3
    return {"audio_id": audio_id(audio), "take_id": audio.id, "line_index": sink.line_index, "locale": sink.locale,
            "locale_code": sink.locale, "text": audio.text, "playback_url": playback_url(file),
            "content_type": file.content_type, "duration_ms": audio.duration_ms, "format": fmt,
            "attempt": audio.attempt, "voice": voice.get("voice_name") or voice.get("voice_id"),
            "provider": voice.get("provider"), "model": voice.get("model")}


def outputs(wf: Workflow, run: Run) -> dict:
    rt = RunTakes.load(run)
    nodes = {n["id"]: n for n in graph_nodes(run)}
    states = {s["node_id"]: s["status"] for s in _node_states(run)}
    dropped_by_line: dict[int, list[Take]] = defaultdict(list)
    for t in rt.takes:
        if is_validator(t.node_type) and t.dropped:
            dropped_by_line[t.line_index].append(t)
    out = []
    for node in graph_nodes(run):
        if node.get("type") not in SINK_TYPES:
            continue
        per_line: dict[int, list[Take]] = defaultdict(list)
        for t in rt.delivered({node["id"]}):
            per_line[t.line_index].append(t)
        lines = []
        for idx in sorted(per_line):
            failing = [verdict_out(v, nodes) for v in dropped_by_line.get(idx, [])]
            checks = [{"kind": f["validator_kind"], "label": f["validator_label"], "score": f["score"],
                       "threshold": f["threshold"]} for f in failing]
            lines.append({"line_index": idx, "line_id": f"line-{idx}",
                          "audio_files": [audio_file(rt, t) for t in per_line[idx]],
                          "recommended_audio_file_index": 0,
                          "delivery": {"passed": not checks, "failing_checks": checks}})
        out.append({"node_id": node["id"], "node_type": node.get("type"), "display_name": node_label(node),
                    "status": states.get(node["id"], "pending"), "lines": lines[:OUTPUT_LINE_CAP],
                    "line_count": len(lines), "truncated": len(lines) > OUTPUT_LINE_CAP})
    return {"run_id": run.id, "run_status": run.status, "credits": int(run.credits or 0),
            "credits_absorbed": (run.usage_summary or {}).get("credits_absorbed"), "outputs": out}
