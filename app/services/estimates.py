"""Credit estimates: EstimateResponse for a workflow (estimate / preview-run) and the cached per-unit
TemplateEstimateResponse for a template. Rates come from app.services.pricing.

How a node is priced: for every locale of the lines that reach it (app.services.script_source),
units = the node's billing unit counted over those lines (characters, UTF-8 bytes or words; a
translated locale is assumed as long as its source, bytes scaled by `bytes_per_char`), times the
node's rate per 1,000 units, times how many times each line passes through the node:

  * min: once (no retries, every line passes every validator);
  * expected: `expected_retry_share` (15 %) of the lines reaching a validator fail once; a fail edge
    back to an upstream generator re-runs the loop (generator .. validator) for them, a fail edge
    to another node sends them there, an unconnected fail port drops them;
  * max: every validator sends every line back `max_retries` times through its loop, and a forward
    fail branch is priced for every line as well as the pass branch.

Each (node, locale) cost is rounded up to whole credits; node totals are summed, `run_fee` is added
and the run total is at least `run_minimum` (1).
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from fractions import Fraction

from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import TemplateEstimate, iso
from app.models.base import utcnow
from app.services import pricing, script_source
from app.workflows.config_migrations import migrate_definition
from app.workflows.definition import dag_edges, graph_lists, topological_levels, well_formed_edges
from app.workflows.nodes import GENERATOR, TRANSLATOR, get_spec, is_validator

SCENARIOS = ("min", "expected", "max")
PRICING_MODEL = "v1"          # bump when the algorithm changes: invalidates cached template estimates
UNIT_CHARS = 1000
_SAMPLE = ("The quick brown fox jumps over the lazy dog. ", "Please hold while we connect your call. ",
           "Chapter one begins on a quiet morning in May. ", "Our new product ships in three colors. ")


def _config(node: dict) -> dict:
    spec = get_spec(node.get("type"))
    cfg = spec.default_config() if spec else {}
    if isinstance(node.get("config"), dict):
        cfg.update(node["config"])
    return cfg


def _flows(defn: dict) -> dict[str, dict[str, Fraction]]:
    """scenario -> node id -> how many times each line passes through the node."""
    nodes, edges = graph_lists(defn)
    by_id = {n["id"]: n for n in nodes if isinstance(n, dict) and isinstance(n.get("id"), str)}
    types = {nid: n.get("type") for nid, n in by_id.items()}
    good = well_formed_edges(edges, set(by_id))
    forward = dag_edges(good, types)
    forward_ids = {i for i, _ in forward}
    feedback = [e for i, e in good if i not in forward_ids]
    order = list(by_id)
    levels = topological_levels(order, forward)
    ranked = sorted(order, key=lambda n: levels[n])
    share = pricing.expected_retry_share()
    reach = _reachability(order, forward)
    result = {}
    for scenario in SCENARIOS:
        flow = {nid: Fraction(0) for nid in order}
        for nid in ranked:
            if get_spec(types[nid]) is not None and get_spec(types[nid]).category == "source":
                flow[nid] = Fraction(1)
            f = flow[nid]
            outs = [e for _, e in forward if e["source"] == nid]
            if is_validator(types[nid]):
                loops_back = any(e["source"] == nid for e in feedback)
                fail_fwd = [e for e in outs if e.get("sourcePort") == "fail"]
                s = {"min": Fraction(0), "expected": share, "max": Fraction(1)}[scenario]
                pass_f = f if (scenario != "expected" or loops_back) else f * (1 - s)
                for e in outs:
                    flow[e["target"]] += (f * s) if e in fail_fwd else pass_f
            else:
                for e in outs:
                    flow[e["target"]] += f
        extra = defaultdict(Fraction)
        for e in feedback:
            v, g = e["source"], e["target"]
            retries = {"min": Fraction(0), "expected": share,
                       "max": Fraction(int(_config(by_id[v]).get("max_retries") or 0))}[scenario]
            for nid in order:
                if nid in reach[g] and v in reach[nid]:
                    extra[nid] += flow[v] * retries
        result[scenario] = {nid: flow[nid] + extra[nid] for nid in order}
    return result


def _reachability(order: list, edges: list) -> dict[str, set]:
    adj = defaultdict(list)
    for _, e in edges:
        adj[e["source"]].append(e["target"])
    out = {}
    for start in order:
        seen, stack = {start}, [start]
        while stack:
            for nxt in adj[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        out[start] = seen
    return out


def _rate(node: dict, ntype: str, locale: str | None):
    if ntype != GENERATOR:
        return pricing.node_rate(ntype)
    vm = _config(node).get("voice_map")
    vm = vm if isinstance(vm, dict) else {}
    entries = vm.get(locale) if locale is not None else next((v for v in vm.values() if v), None)
    entry = entries[0] if isinstance(entries, list) and entries and isinstance(entries[0], dict) else {}
    return pricing.generator_rate(entry.get("provider"), entry.get("model"))


def _units(lines: list[str], unit: str, locale: str | None, how: str) -> Fraction:
    """Units of the lines in `locale`; translated text is assumed as long as its source."""
    if how == "translated" and unit == "byte":
        return sum(len(x) for x in lines) * pricing.bytes_per_char(locale)
    return Fraction(sum(pricing.units_in(x, unit) for x in lines))


def price(defn: dict, script: script_source.Script) -> dict:
    """{breakdown: [NodeEstimate], min_credits, expected_credits, max_credits} (run floor applied)."""
    defn = migrate_definition(defn)
    nodes, _ = graph_lists(defn)
    flows = _flows(defn)
    locales = script_source.node_locales(defn, script)
    lines_of = {s.node_id: s.lines for s in script.sources}
    breakdown, totals = [], {s: 0 for s in SCENARIOS}
    for node in nodes:
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            continue
        nid, ntype = node["id"], node.get("type")
        per_locale: dict = defaultdict(lambda: {s: Fraction(0) for s in SCENARIOS})
        for (sid, loc), how in locales.get(nid, {}).items():
            if ntype == TRANSLATOR and how == "source":
                continue  # a translator charges only for the languages it adds
            rate = _rate(node, ntype, loc)
            cost = rate.credits(_units(lines_of.get(sid, []), rate.unit, loc, how))
            for s in SCENARIOS:
                per_locale[loc][s] += cost * flows[s].get(nid, 0)
        row = {"node_id": nid, "node_type": ntype}
        for s in SCENARIOS:
            row[f"{s}_credits"] = sum(pricing.ceil_credits(c[s]) for c in per_locale.values())
            totals[s] += row[f"{s}_credits"]
        breakdown.append(row)
    fee, floor = pricing.run_fee(), pricing.run_minimum()
    out = {f"{s}_credits": max(floor, totals[s] + fee) for s in SCENARIOS}
    out["breakdown"] = breakdown
    return out


def estimate(ws, user, definition: dict, script_text: str | None = None,
             source_language: str | None = None) -> dict:
    """EstimateResponse for running `definition` (with the run-scoped overrides) as `user`.
    No text to price -> ValidationFailed (422). Nothing is written."""
    from app.services import credits
    from app.services.plans import get_plan
    defn = script_source.apply_overrides(migrate_definition(definition or {}), script_text, source_language)
    script = script_source.resolve(defn, ws)
    priced = price(defn, script)
    balance = credits.view(user).balance
    rate = get_plan(user.plan).overage_rate_cents_per_credit
    over = max(0, priced["expected_credits"] - balance)
    return {
        "min_credits": priced["min_credits"],
        "expected_credits": priced["expected_credits"],
        "max_credits": priced["max_credits"],
        "breakdown": priced["breakdown"],
        "current_balance": balance,
        "deficit_at_max": max(0, priced["max_credits"] - balance),
        "can_run": priced["min_credits"] <= balance,
        "overage_rate_cents_per_credit": rate,
        "will_incur_overage": bool(rate is not None and over > 0),
        "estimated_overage_cents": int(pricing.ceil_credits(Fraction(str(rate)) * over)) if rate and over else 0,
    }


# ---- templates ---------------------------------------------------------------------------------

def synthetic_text(unit_chars: int = UNIT_CHARS) -> str:
    """Exactly `unit_chars` characters of plain English sentences, one per line."""
    lines, total, i = [], 0, 0
    while total < unit_chars:
        line = _SAMPLE[i % len(_SAMPLE)].strip()[: unit_chars - total]
        if line[-1] == " ":
            line = line[:-1] + "."     # keep the length; a line never ends in a space
        lines.append(line)
        total += len(line)
        i += 1
    return "\n".join(lines)


def definition_fingerprint(defn: dict) -> str:
    return hashlib.sha256(json.dumps(defn, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def rate_fingerprint(unit_chars: int = UNIT_CHARS) -> str:
    return hashlib.sha256(f"{PRICING_MODEL}:{unit_chars}:{pricing.rate_fingerprint()}".encode()).hexdigest()


def per_unit(defn: dict, unit_chars: int = UNIT_CHARS) -> dict:
    """Credits for `unit_chars` characters given to every Script Input (the template's own text
    is ignored). Variable = the nodes, fixed = the per-run fee; totals apply the run minimum."""
    text = synthetic_text(unit_chars)
    work = migrate_definition(defn or {})
    sources = script_source.source_nodes(work)
    for node in sources:
        cfg = node.get("config") if isinstance(node.get("config"), dict) else {}
        cfg["text"] = text
        cfg.pop("upload_id", None)
        node["config"] = cfg
    script = script_source.resolve(work, None, require_text=False)
    priced = price(work, script)
    fee, floor = pricing.run_fee(), pricing.run_minimum()
    out = {"unit_chars": unit_chars}
    for s in SCENARIOS:
        variable = sum(r[f"{s}_credits"] for r in priced["breakdown"])
        out[f"variable_{s}_credits_per_unit"] = variable
        out[f"fixed_{s}_credits"] = fee
        out[f"total_{s}_credits_per_unit"] = max(floor, variable + fee)
    out["breakdown"] = priced["breakdown"]
    out["source_node_ids"] = [str(n.get("id")) for n in sources]
    return out


def template_estimate(template, snapshot: str) -> dict:
    """TemplateEstimateResponse of the template's `draft` or `published` definition, cached in
    template_estimates on (definition fingerprint, rate fingerprint): hit | miss | stale."""
    defn = template.definition if snapshot == "draft" else template.published_definition
    defn = defn or {}
    dfp, rfp = definition_fingerprint(defn), rate_fingerprint()
    row = db.session.get(TemplateEstimate, (template.id, snapshot))
    if row is not None and row.definition_fingerprint == dfp and row.rate_fingerprint == rfp:
        return {**row.payload, "source_snapshot": snapshot, "definition_fingerprint": dfp,
                "rate_fingerprint": rfp, "cache_status": "hit", "computed_at": iso(row.computed_at)}
    payload = per_unit(defn)
    now = utcnow()
    status = "miss" if row is None else "stale"
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(TemplateEstimate(template_id=template.id, snapshot=snapshot,
                                                definition_fingerprint=dfp, rate_fingerprint=rfp,
                                                payload=payload, computed_at=now))
        except IntegrityError:
            pass  # a concurrent request cached it first
    else:
        row.definition_fingerprint, row.rate_fingerprint, row.payload, row.computed_at = dfp, rfp, payload, now
    return {**payload, "source_snapshot": snapshot, "definition_fingerprint": dfp, "rate_fingerprint": rfp,
            "cache_status": status, "computed_at": iso(now)}
