"""Run-start gates: what a saved draft may lack but a run may not (see validation.py).

no_source, no_sink, unreachable_sink (no path from any source to any sink), disconnected_node
(warning: a node no source reaches), empty_script (a source with neither text nor upload and no
run override), missing_voice (a generator without a voice for a locale it will receive).
"""
from __future__ import annotations

from app.workflows.definition import dag_edges, reachable_from, topological_levels
from app.workflows.locales import SUPPORTED_LOCALES, canonical_locale
from app.workflows.nodes import GENERATOR, SOURCE, TRANSLATOR, get_spec
from app.workflows.problems import WARNING

_UNKNOWN = "?"  # the source detects its language: which locale arrives is not known yet


def check_run_gates(c, good_edges: list, *, script_override: bool = False,
                    source_language: str | None = None) -> None:
    """`c` is validation's checker (c.nodes: id -> (index, migrated node); c.add(...))."""
    by_category: dict[str, list[str]] = {}
    for nid, (_, node) in c.nodes.items():
        spec = get_spec(node.get("type"))
        if spec is not None:
            by_category.setdefault(spec.category, []).append(nid)
    sources, sinks = by_category.get("source", []), by_category.get("output", [])
    if not sources:
        c.add("no_source", "add a Script Input: a workflow needs a source to run.",
              field="graph.nodes")
    if not sinks:
        c.add("no_sink", "add an Export node: a workflow needs a sink to run.", field="graph.nodes")
    if sources:
        reached = reachable_from(sources, good_edges)
        if sinks and not any(s in reached for s in sinks):
            idx, node = c.nodes[sinks[0]]
            c.add("unreachable_sink", "no path leads from a source to any sink.", node=node,
                  field=f"graph.nodes[{idx}]")
        for nid, (idx, node) in c.nodes.items():
            if nid not in reached:
                c.add("disconnected_node", "no source reaches this node; it will not run.",
                      severity=WARNING, node=node, field=f"graph.nodes[{idx}]")
    for nid in sources:
        idx, node = c.nodes[nid]
        _check_script(c, idx, node, script_override)
    _check_voices(c, good_edges, source_language)


def _config(node: dict) -> dict:
    cfg = node.get("config")
    return cfg if isinstance(cfg, dict) else {}


def _check_script(c, idx: int, node: dict, script_override: bool) -> None:
    if node.get("type") != SOURCE or script_override:
        return
    cfg = _config(node)
    text, upload = cfg.get("text"), cfg.get("upload_id")
    if not (isinstance(text, str) and text.strip()) and not (isinstance(upload, str) and upload):
        c.add("empty_script", "the script is empty: type a script or attach an upload.",
              node=node, field=f"graph.nodes[{idx}].config.text")


def _source_locales(node: dict, override: str | None) -> set[str]:
    if override is not None:
        loc = canonical_locale(override)
        return {loc} if loc else set()
    cfg = _config(node)
    value = cfg.get("source_language", "en-us")
    if value is None:
        return {_UNKNOWN}
    loc = canonical_locale(value)
    return {loc} if loc else set()  # an unsupported value is already a config error


def _check_voices(c, good_edges: list, override: str | None) -> None:
    types = c.types()
    edges = dag_edges(good_edges, types)
    order = list(c.nodes)
    levels = topological_levels(order, edges)
    incoming: dict[str, set] = {nid: set() for nid in order}
    for nid in sorted(order, key=lambda n: levels[n]):
        _, node = c.nodes[nid]
        ntype = node.get("type")
        if ntype == SOURCE:
            out = _source_locales(node, override)
        elif ntype == TRANSLATOR:
            targets = _config(node).get("target_languages")
            extra = ({t for t in targets if t in SUPPORTED_LOCALES}
                     if isinstance(targets, list) else set())
            out = incoming[nid] | extra
        else:
            out = incoming[nid]
        if ntype == GENERATOR:
            _check_generator(c, nid, incoming[nid])
        for _, e in edges:
            if e["source"] == nid:
                incoming[e["target"]] |= out


def _check_generator(c, nid: str, locales: set) -> None:
    idx, node = c.nodes[nid]
    voice_map = _config(node).get("voice_map", {})
    if not isinstance(voice_map, dict):
        return  # config_type already reported
    base = f"graph.nodes[{idx}].config.voice_map"
    if _UNKNOWN in locales and not any(isinstance(v, list) and v for v in voice_map.values()):
        c.add("missing_voice", "pick at least one voice: the script language is detected at run "
              "time.", node=node, field=base)
    for loc in sorted(locales - {_UNKNOWN}):
        entries = voice_map.get(loc)
        if not isinstance(entries, list) or not entries:
            c.add("missing_voice", f"no voice is set for {loc}, which this generator will "
                  f"receive.", node=node, field=f"{base}.{loc}")
