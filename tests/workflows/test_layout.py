"""auto_layout: left-to-right columns by topological level."""
from __future__ import annotations

from app.workflows.layout import DX, X0, Y0, DY, auto_layout, needs_layout
from tests.workflows.defs import edge, edges_of, linear, node, nodes_of


def positions(d):
    return {n["id"]: (n["position"]["x"], n["position"]["y"]) for n in nodes_of(d)}


def test_all_at_origin_gets_levels_ignoring_retry_edges():
    d = linear()
    out = auto_layout(d)
    assert positions(out) == {"s": (X0, Y0), "n": (X0 + DX, Y0), "g": (X0 + 2 * DX, Y0),
                              "v": (X0 + 3 * DX, Y0), "k": (X0 + 4 * DX, Y0)}
    assert positions(d)["k"] == (0, 0)  # input untouched


def test_siblings_stack_in_rows():
    d = linear()
    nodes_of(d).append(node("k2", "sink_preview"))
    edges_of(d).append(edge("e6", "v", "k2", "pass"))
    pos = positions(auto_layout(d))
    assert pos["k"] == (X0 + 4 * DX, Y0) and pos["k2"] == (X0 + 4 * DX, Y0 + DY)


def test_only_missing_positions_are_filled_when_others_are_placed():
    d = linear()
    for i, n in enumerate(nodes_of(d)):
        n["position"] = {"x": 10 * i + 5, "y": 7}
    del nodes_of(d)[4]["position"]
    pos = positions(auto_layout(d))
    assert pos["s"] == (5, 7) and pos["v"] == (35, 7)
    assert pos["k"] == (X0 + 4 * DX, Y0)


def test_placed_graph_is_left_alone():
    d = linear()
    for i, n in enumerate(nodes_of(d)):
        n["position"] = {"x": i, "y": 0}
    assert not needs_layout(d)
    assert auto_layout(d) == d
    assert positions(auto_layout(d, force=True))["s"] == (X0, Y0)


def test_forward_fail_edge_places_the_second_generator_after_the_validator():
    d = linear()
    nodes_of(d).append(node("g2", "operator_generator"))
    edges_of(d).append(edge("e6", "v", "g2", "fail"))
    assert positions(auto_layout(d))["g2"] == (X0 + 4 * DX, Y0 + DY)


def test_bad_graphs_do_not_hang():
    d = linear()
    edges_of(d).append(edge("x", "n", "s"))  # a real cycle
    edges_of(d).append({"id": "junk"})
    nodes_of(d).append("not a node")
    out = auto_layout(d)
    assert all("position" in n for n in nodes_of(out) if isinstance(n, dict))
    assert auto_layout({}) == {} and auto_layout(None) is None
