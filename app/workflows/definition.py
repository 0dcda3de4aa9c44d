"""Definition shape helpers: canonical form and graph algorithms shared by validation, layout
and (later) the wave planner.

A definition is `{"graph": {"nodes": [...], "edges": [...]}, "execution": {...}}`, both parts
optional. Edges use camelCase `sourcePort`/`targetPort` on the wire; snake_case is accepted on
input and rewritten by `normalize_definition`.

Feedback edges: a validator's `fail` edge to a generator that is upstream of it (reachable
without any fail→generator edge) is a retry loop, not a cycle. The graph minus those edges must
be a DAG; its topological levels are the run's waves (DESIGN §4.2).
"""
from __future__ import annotations

import copy
from collections import defaultdict

from app.workflows.nodes import GENERATOR, is_validator

_SNAKE = (("source_port", "sourcePort"), ("target_port", "targetPort"))


def normalize_definition(defn: object) -> object:
    """A new definition with snake_case edge port keys renamed to camelCase (order kept).

    When both spellings are present the camelCase one wins. Anything else is copied unchanged.
    """
    out = copy.deepcopy(defn)
    graph = out.get("graph") if isinstance(out, dict) else None
    edges = graph.get("edges") if isinstance(graph, dict) else None
    if not isinstance(edges, list):
        return out
    for i, edge in enumerate(edges):
        if not isinstance(edge, dict) or not any(s in edge for s, _ in _SNAKE):
            continue
        new: dict = {}
        for key, value in edge.items():
            camel = dict(_SNAKE).get(key)
            if camel is None:
                new[key] = value
            elif camel not in edge:
                new[camel] = value
        edges[i] = new
    return out


def graph_lists(defn: object) -> tuple[list, list]:
    """(nodes, edges) of a definition, [] for whatever is missing or malformed."""
    graph = defn.get("graph") if isinstance(defn, dict) else None
    if not isinstance(graph, dict):
        return [], []
    nodes = graph.get("nodes") if isinstance(graph.get("nodes"), list) else []
    edges = graph.get("edges") if isinstance(graph.get("edges"), list) else []
    return nodes, edges


def well_formed_edges(edges: list, node_ids: set) -> list[tuple[int, dict]]:
    """(index, edge) for edges whose endpoints are known node ids."""
    return [(i, e) for i, e in enumerate(edges)
            if isinstance(e, dict) and isinstance(e.get("source"), str)
            and isinstance(e.get("target"), str)
            and e["source"] in node_ids and e["target"] in node_ids]


def _reachable(start: str, adj: dict) -> set:
    seen, stack = {start}, [start]
    while stack:
        for nxt in adj.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def reachable_from(starts, edges: list[tuple[int, dict]]) -> set:
    adj: dict = defaultdict(list)
    for _, e in edges:
        adj[e["source"]].append(e["target"])
    seen: set = set()
    for s in starts:
        if s not in seen:
            seen |= _reachable(s, adj)
    return seen


def _is_fail_to_generator(edge: dict, types: dict) -> bool:
    return (edge.get("sourcePort") == "fail" and is_validator(types.get(edge["source"]))
            and types.get(edge["target"]) == GENERATOR)


def feedback_edge_indexes(edges: list[tuple[int, dict]], types: dict) -> set[int]:
    """Indexes of validator `fail` edges that go back to an upstream generator (retry loops)."""
    forward = [(i, e) for i, e in edges if not _is_fail_to_generator(e, types)]
    adj: dict = defaultdict(list)
    for _, e in forward:
        adj[e["source"]].append(e["target"])
    return {i for i, e in edges
            if _is_fail_to_generator(e, types) and e["source"] in _reachable(e["target"], adj)}


def dag_edges(edges: list[tuple[int, dict]], types: dict) -> list[tuple[int, dict]]:
    """The edges that order the run: everything but the retry loops."""
    back = feedback_edge_indexes(edges, types)
    return [(i, e) for i, e in edges if i not in back]


def strongly_connected(node_ids: list, edges: list[tuple[int, dict]]) -> list[list]:
    """Tarjan's SCCs (iterative), each in node order; only cycles (size > 1 or self-loop)."""
    adj: dict = defaultdict(list)
    loops = set()
    for _, e in edges:
        adj[e["source"]].append(e["target"])
        if e["source"] == e["target"]:
            loops.add(e["source"])
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    result: list[list] = []
    counter = 0
    for root in node_ids:
        if root in index:
            continue
        work = [(root, iter(adj[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(adj[w])))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1 or v in loops:
                        order = {n: k for k, n in enumerate(node_ids)}
                        result.append(sorted(comp, key=lambda n: order.get(n, 0)))
    return result


def topological_levels(node_ids: list, edges: list[tuple[int, dict]]) -> dict:
    """Longest-path level of every node (0 = no predecessors). Nodes left on a cycle are put
    one level after everything else, so callers never loop forever on a bad graph."""
    preds: dict = defaultdict(set)
    succs: dict = defaultdict(set)
    for _, e in edges:
        if e["source"] != e["target"]:
            preds[e["target"]].add(e["source"])
            succs[e["source"]].add(e["target"])
    remaining = {n: len(preds[n]) for n in node_ids}
    level = {n: 0 for n in node_ids}
    ready = [n for n in node_ids if remaining[n] == 0]
    done: set = set()
    while ready:
        n = ready.pop(0)
        done.add(n)
        for m in sorted(succs[n], key=node_ids.index):
            level[m] = max(level[m], level[n] + 1)
            remaining[m] -= 1
            if remaining[m] == 0:
                ready.append(m)
    top = max((level[n] for n in done), default=-1)
    for n in node_ids:
        if n not in done:
            level[n] = top + 1
    return level
