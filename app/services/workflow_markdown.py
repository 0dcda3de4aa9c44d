"""Markdown export of a workflow definition (pipeline order, branches, retry loops, nodes, voices,
quality gates), from the config-migrated definition."""
from __future__ import annotations

from app.workflows.definition import dag_edges, graph_lists, topological_levels, well_formed_edges
from app.workflows.nodes import get_spec, is_validator


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(name: str, description: str | None, defn: dict) -> str:
    nodes, edges = graph_lists(defn)
    by_id = {n["id"]: n for n in nodes if isinstance(n, dict) and "id" in n}
    types = {nid: n.get("type") for nid, n in by_id.items()}
    good = well_formed_edges(edges, set(by_id))
    levels = topological_levels(list(by_id), dag_edges(good, types)) if by_id else {}
    order = sorted(by_id, key=lambda nid: (levels.get(nid, 0), nid))

    def label(nid):
        n = by_id[nid]
        spec = get_spec(n.get("type"))
        return n.get("name") or (spec.display_name if spec else n.get("type")) or nid

    lines = [f"# {name}", ""]
    if description:
        lines += [description, ""]
    lines += ["## Pipeline", ""]
    if not order:
        lines += ["_This workflow has no nodes yet._", ""]
    for i, nid in enumerate(order, 1):
        outs = [e for _i, e in good if e["source"] == nid]
        nexts = ", ".join(f"{label(e['target'])} ({e['sourcePort']})" for e in outs) or "end"
        lines.append(f"{i}. **{label(nid)}** (`{by_id[nid].get('type')}`) → {nexts}")
    loops = [e for _i, e in good if e["sourcePort"] == "fail" and types.get(e["target"]) == "operator_generator"]
    if loops:
        lines += ["", "## Retry loops", ""]
        for e in loops:
            cfg = by_id[e["source"]].get("config") or {}
            lines.append(f"- {label(e['source'])} sends failing lines to {label(e['target'])} "
                         f"(up to {cfg.get('max_retries', 'default')} retries)")
    lines += ["", "## Nodes", "", "| Node | Type | Settings |", "|---|---|---|"]
    for nid in order:
        cfg = {k: v for k, v in (by_id[nid].get("config") or {}).items() if k != "voice_map"}
        settings = ", ".join(f"{k}={v}" for k, v in sorted(cfg.items())) or "defaults"
        lines.append(f"| {_cell(label(nid))} | `{by_id[nid].get('type')}` | {_cell(settings)} |")
    voices = [(nid, loc, a) for nid in order if types[nid] == "operator_generator"
              for loc, assigns in ((by_id[nid].get("config") or {}).get("voice_map") or {}).items()
              for a in (assigns if isinstance(assigns, list) else [])]
    if voices:
        lines += ["", "## Voices", "", "| Generator | Locale | Voice | Provider | Model |", "|---|---|---|---|---|"]
        for nid, loc, a in voices:
            lines.append(f"| {_cell(label(nid))} | {loc} | {_cell(a.get('voice_name') or a.get('voice_id'))} | "
                         f"{a.get('provider')} | {a.get('model')} |")
    gates = [nid for nid in order if is_validator(types[nid])]
    if gates:
        lines += ["", "## Quality gates", ""]
        for nid in gates:
            cfg = by_id[nid].get("config") or {}
            spec = get_spec(types[nid])
            default = spec.config["threshold"].default if spec and "threshold" in spec.config else None
            lines.append(f"- {label(nid)}: threshold {cfg.get('threshold', default)}, "
                         f"max retries {cfg.get('max_retries', 'default')}")
    return "\n".join(lines) + "\n"
