"""The execution plan of a definition snapshot (pure functions).

Waves are the topological levels of the graph without its retry loops (validator `fail` edges back
to an upstream generator). A take's successors follow the edges leaving its node on the port it
emitted; a retry loop edge sends the line back to the generator for another attempt.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.workflows.config_migrations import migrate_definition
from app.workflows.definition import (dag_edges, feedback_edge_indexes, graph_lists, normalize_definition,
                                      topological_levels, well_formed_edges)
from app.workflows.nodes import get_spec


@dataclass
class Plan:
    nodes: dict[str, dict]                       # id -> node (config filled with defaults)
    order: list[str]                             # node ids in definition order
    wave_of: dict[str, int]
    waves: list[list[str]]
    out_edges: dict[tuple[str, str], list[dict]] = field(default_factory=dict)   # (node, port) -> edges
    retry_edges: set[str] = field(default_factory=set)                          # edge ids of retry loops
    fan_in_counts: dict[str, int] | None = None

    def node_type(self, node_id: str) -> str:
        return self.nodes[node_id]["type"]

    def config(self, node_id: str) -> dict:
        return self.nodes[node_id].get("config") or {}

    def name(self, node_id: str) -> str:
        node = self.nodes[node_id]
        spec = get_spec(node["type"])
        return node.get("name") or (spec.display_name if spec else node["type"])

    def successors(self, node_id: str, port: str) -> list[tuple[str, bool]]:
        """(target node, is_retry_loop) for the edges leaving node_id on `port`."""
        return [(e["target"], e["id"] in self.retry_edges) for e in self.out_edges.get((node_id, port), [])]

    def fan_in(self, node_id: str) -> bool:
        """More than one edge (or a retry loop) leads into the node, so a take may arrive twice."""
        if self.fan_in_counts is None:
            counts: dict[str, int] = {}
            for edges in self.out_edges.values():
                for e in edges:
                    counts[e["target"]] = counts.get(e["target"], 0) + 1
            self.fan_in_counts = counts
        return self.fan_in_counts.get(node_id, 0) > 1

    def sources(self) -> list[str]:
        return [n for n in self.order if self.node_type(n) == "source_script"]


def build(definition: dict) -> Plan:
    defn = migrate_definition(normalize_definition(definition))
    nodes_list, edges_list = graph_lists(defn)
    nodes: dict[str, dict] = {}
    order: list[str] = []
    for n in nodes_list:
        spec = get_spec(n.get("type"))
        node = dict(n)
        node["config"] = {**(spec.default_config() if spec else {}), **(n.get("config") or {})}
        nodes[n["id"]] = node
        order.append(n["id"])
    types = {nid: n["type"] for nid, n in nodes.items()}
    good = well_formed_edges(edges_list, set(nodes))
    back = feedback_edge_indexes(good, types)
    levels = topological_levels(order, dag_edges(good, types))
    n_waves = (max(levels.values()) + 1) if levels else 0
    waves = [[nid for nid in order if levels[nid] == w] for w in range(n_waves)]
    out_edges: dict[tuple[str, str], list[dict]] = {}
    for _i, e in good:
        out_edges.setdefault((e["source"], e["sourcePort"]), []).append(e)
    return Plan(nodes=nodes, order=order, wave_of=levels, waves=waves, out_edges=out_edges,
                retry_edges={e["id"] for i, e in good if i in back})
