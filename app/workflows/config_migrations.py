"""Node config versions and the migrations that bring old saved configs up to date.

Each node type's current config version is its spec `version`. A step registered for
(node_type, n) turns a version-n config into version n+1; `migrate_config` chains them.
Definitions are migrated on read (GET) and before validation, so old saved configs keep working.

Rules:
- A node without `config_version` was written against the current shapes (the SDK does not send
  it): it gets `config_version` = current and its config is left as is.
- A node already at the current version, of an unknown type, or with a version this server does
  not know (not an int, < 1, or newer) is left untouched; validation reports the bad version.
- Unknown keys (in the definition, node, or config) are never dropped.
- Idempotent: migrating an up-to-date definition returns an equal copy (json.dumps identical).

Real migrations:
- validators v1 → v2: `threshold` was a 0..1 fraction, it is now a 0..100 score.
- sink_preview v1 → v2: `output_format` was renamed `format`.
"""
from __future__ import annotations

import copy
from collections.abc import Callable

from app.workflows.nodes import NODE_SPECS, get_spec

Step = Callable[[dict], dict]
_STEPS: dict[tuple[str, int], Step] = {}


def current_version(node_type: str) -> int | None:
    spec = get_spec(node_type)
    return spec.version if spec else None


def register(node_types: str | tuple[str, ...], from_version: int):
    """Decorator: register a step migrating `node_types` configs from `from_version` to +1."""
    types = (node_types,) if isinstance(node_types, str) else node_types

    def wrap(fn: Step) -> Step:
        for t in types:
            _STEPS[(t, from_version)] = fn
        return fn
    return wrap


_VALIDATORS = tuple(t for t, s in NODE_SPECS.items() if s.category == "validation")


@register(_VALIDATORS, 1)
def _threshold_fraction_to_score(config: dict) -> dict:
    t = config.get("threshold")
    if isinstance(t, (int, float)) and not isinstance(t, bool) and 0 <= t <= 1:
        scaled = round(t * 100, 4)
        config["threshold"] = int(scaled) if float(scaled).is_integer() else scaled
    return config


@register("sink_preview", 1)
def _output_format_to_format(config: dict) -> dict:
    if "output_format" in config:
        old = config.pop("output_format")
        config.setdefault("format", old)
    return config


def _is_version(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


def migrate_config(node_type: str, config: dict, from_version: int) -> tuple[dict, int]:
    """Apply every registered step from `from_version` up to the current version.

    Returns (a new config dict, the version reached). A missing step means "no change".
    """
    target = current_version(node_type)
    cfg = copy.deepcopy(config) if isinstance(config, dict) else config
    if target is None or not _is_version(from_version) or from_version >= target:
        return cfg, from_version
    version = from_version
    while version < target:
        step = _STEPS.get((node_type, version))
        if step is not None and isinstance(cfg, dict):
            cfg = step(cfg)
        version += 1
    return cfg, version


def migrate_node(node: dict) -> dict:
    """Migrate one node in place (the caller owns the copy) and return it."""
    if not isinstance(node, dict):
        return node
    target = current_version(node.get("type"))
    if target is None:
        return node
    if "config_version" not in node or node["config_version"] is None:
        node["config_version"] = target
        return node
    version = node["config_version"]
    if not _is_version(version) or version >= target:
        return node
    config = node.get("config")
    if config is None:
        config = {}
    if isinstance(config, dict):
        new_config, _ = migrate_config(node["type"], config, version)
        if "config" in node or new_config:
            node["config"] = new_config
    node["config_version"] = target
    return node


def migrate_definition(defn: object) -> object:
    """A NEW definition with every node config migrated and `config_version` set.

    Anything that is not a definition-shaped object comes back as a deep copy, unchanged.
    """
    out = copy.deepcopy(defn)
    if not isinstance(out, dict):
        return out
    graph = out.get("graph")
    if isinstance(graph, dict) and isinstance(graph.get("nodes"), list):
        for node in graph["nodes"]:
            migrate_node(node)
    return out
