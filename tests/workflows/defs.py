"""Definition builders shared by the workflow tests."""
from __future__ import annotations

import copy

from app.workflows.catalog import StaticCatalog

ESPEAK = {"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}


def node(nid, ntype, config=None, x=0, y=0, **extra):
    n = {"id": nid, "type": ntype, "position": {"x": x, "y": y}}
    if config is not None:
        n["config"] = config
    n.update(extra)
    return n


def edge(eid, source, target, source_port="lines", target_port="lines"):
    return {"id": eid, "source": source, "sourcePort": source_port,
            "target": target, "targetPort": target_port}


def defn(nodes, edges):
    return {"graph": {"nodes": nodes, "edges": edges}}


def linear():
    """source → normalizer → generator → error_rate ⇄(fail) generator; pass → sink.

    Node indexes: s=0 n=1 g=2 v=3 k=4. Edge indexes: e1..e5 = 0..4.
    """
    return defn([
        node("s", "source_script", {"text": "Hello there.", "source_language": "en-us"}),
        node("n", "operator_normalizer"),
        node("g", "operator_generator", {"voice_map": {"en-us": [dict(ESPEAK)]}}),
        node("v", "validator_error_rate", {"threshold": 90, "max_retries": 2}, name="Accuracy"),
        node("k", "sink_preview", {"format": "mp3"}),
    ], [
        edge("e1", "s", "n"), edge("e2", "n", "g"), edge("e3", "g", "v"),
        edge("e4", "v", "k", "pass"), edge("e5", "v", "g", "fail"),
    ])


def mutate(fn):
    """A fresh linear() definition changed in place by fn(d) (its return value is ignored)."""
    d = copy.deepcopy(linear())
    fn(d)
    return d


def nodes_of(d):
    return d["graph"]["nodes"]


def edges_of(d):
    return d["graph"]["edges"]


def voices_catalog():
    """A catalog that knows its voices (so unknown voice ids can be told apart)."""
    return StaticCatalog({"espeak": {"display_name": "eSpeak NG", "models": {
        "espeak-ng": {"display_name": "eSpeak NG", "locales": ["en-us", "fr-fr"],
                      "voices": ["en-us", "fr-fr"]}}}})
