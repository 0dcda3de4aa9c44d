"""Automatic left-to-right layout for definitions written without positions (e.g. by the CLI).

Columns are topological levels of the graph minus retry loops (validator `fail` edges back to
an upstream generator); rows follow the nodes' order within a level.
"""
from __future__ import annotations

import copy
import math

from app.workflows.definition import dag_edges, graph_lists, topological_levels, well_formed_edges

X0, Y0, DX, DY = 80.0, 80.0, 280.0, 160.0


def _has_position(node: dict) -> bool:
    pos = node.get("position")
    return isinstance(pos, dict) and all(
        isinstance(pos.get(a), (int, float)) and not isinstance(pos.get(a), bool)
        and math.isfinite(pos.get(a)) for a in ("x", "y"))


def needs_layout(defn: object) -> bool:
    nodes = [n for n in graph_lists(defn)[0] if isinstance(n, dict)]
    if not nodes:
        return False
    if any(not _has_position(n) for n in nodes):
        return True
    return len(nodes) > 1 and all(n["position"]["x"] == 0 and n["position"]["y"] == 0
                                  for n in nodes)


def auto_layout(defn: object, *, force: bool = False) -> object:
    """A new definition where nodes get positions by level: all nodes when every node sits at
    (0, 0) (or `force`), otherwise only the nodes lacking a valid position."""
    out = copy.deepcopy(defn)
    if not force and not needs_layout(out):
        return out
    nodes, edges = graph_lists(out)
    nodes = [n for n in nodes if isinstance(n, dict)]
    all_zero = force or all(not _has_position(n) or (n["position"]["x"] == 0
                                                     and n["position"]["y"] == 0) for n in nodes)
    ids: list[str] = []
    for n in nodes:
        if isinstance(n.get("id"), str) and n["id"] not in ids:
            ids.append(n["id"])
    types = {}
    for n in nodes:
        if isinstance(n.get("id"), str):
            types.setdefault(n["id"], n.get("type"))
    good = well_formed_edges(edges, set(ids))
    levels = topological_levels(ids, dag_edges(good, types))
    rows: dict[int, int] = {}
    for n in nodes:
        if not all_zero and _has_position(n):
            continue
        nid = n.get("id")
        level = levels[nid] if isinstance(nid, str) and nid in levels else \
            max(levels.values(), default=-1) + 1
        row = rows.get(level, 0)
        rows[level] = row + 1
        n["position"] = {"x": X0 + level * DX, "y": Y0 + row * DY}
    return out
