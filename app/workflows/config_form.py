"""A node's settings as an HTML form: the widgets the editor's panel draws from a node type's
config schema, and the form data read back into a config.

No Flask here: `fields()` describes widgets (the template draws them), `parse()` takes any mapping
with `get`/`getlist` (a werkzeug MultiDict). Reading back never judges a value: what the user typed
is kept as typed (a number out of range stays out of range) so the one validator
(app/workflows/validation.py) reports it on the node and the field, like for any other client.

Form names: every config key `k` is posted as `cfg.k`, and the keys drawn in the form are listed in
`_fields` (a key not listed keeps its current value; the generator's voice_map and the source's
upload are edited by their own widgets). An empty number or select means "use the default": the key
is removed from the config.
"""
from __future__ import annotations

import math

from app.workflows.locales import LOCALE_DISPLAY_NAMES
from app.workflows.nodes import GENERATOR, SOURCE, ConfigField, NodeSpec

NULL = "__null__"                      # the select option for an explicit null (nullable enums)
CUSTOM = {GENERATOR: ("voice_map",), SOURCE: ("upload_id",)}
TEXTAREAS = {(SOURCE, "text")}
NULL_LABELS = {"source_language": "Detect automatically"}


def label_for(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _option_label(value) -> str:
    if isinstance(value, str) and value in LOCALE_DISPLAY_NAMES:
        return LOCALE_DISPLAY_NAMES[value]
    return str(value).replace("_", " ").capitalize() if len(str(value)) > 3 else str(value).upper()


def _number_text(value) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _range_hint(f: ConfigField) -> str:
    parts = []
    if f.minimum is not None and f.maximum is not None:
        parts.append(f"From {_number_text(f.minimum)} to {_number_text(f.maximum)}")
    elif f.minimum is not None:
        parts.append(f"At least {_number_text(f.minimum)}")
    elif f.maximum is not None:
        parts.append(f"At most {_number_text(f.maximum)}")
    return " · ".join(parts)


def _default_text(f: ConfigField) -> str:
    d = f.default
    if isinstance(d, bool):
        return "on" if d else "off"
    if d is None:
        return "none"
    if isinstance(d, (int, float)):
        return _number_text(d)
    if isinstance(d, list):
        return ", ".join(map(_option_label, d)) or "none"
    return _option_label(d) if f.enum is not None else (d or "empty")


def _widget(spec: NodeSpec, key: str, f: ConfigField) -> str:
    if f.type == "boolean":
        return "checkbox"
    if f.type in ("number", "integer"):
        return "number"
    if f.type == "array" and f.items and f.items.get("enum"):
        return "checkboxes"
    if f.type == "string" and f.enum is not None:
        return "select"
    if f.type == "string":
        return "textarea" if (spec.node_type, key) in TEXTAREAS else "text"
    return "json"


def fields(spec: NodeSpec, config: dict | None) -> list[dict]:
    """One widget description per config key the panel edits, in schema order:
    {key, name, label, widget, value, default, default_text, description, hint, min, max, step,
    options [(value, label)], is_default}."""
    config = config if isinstance(config, dict) else {}
    out = []
    for key, f in spec.config.items():
        if key in CUSTOM.get(spec.node_type, ()):
            continue
        widget = _widget(spec, key, f)
        value = config.get(key, f.default)
        item = {"key": key, "name": f"cfg.{key}", "label": label_for(key), "widget": widget,
                "value": value, "default": f.default, "default_text": _default_text(f),
                "description": f.description, "is_default": key not in config or config[key] == f.default,
                "hint": _range_hint(f), "min": f.minimum, "max": f.maximum, "options": []}
        if widget == "number":
            item["step"] = "1" if f.type == "integer" else "any"
            # a key the config lacks stays empty (the default shows as the placeholder) and stays unset
            item["value"] = "" if key not in config else (
                _number_text(value) if isinstance(value, (int, float)) else (value or ""))
        elif widget == "select":
            opts = [(v, _option_label(v)) for v in f.enum]
            if f.nullable:
                opts.insert(0, (NULL, NULL_LABELS.get(key, "None")))
            item["options"] = opts
            item["value"] = NULL if value is None else value
            if value is None:
                item["default_text"] = _option_label(f.default) if f.default is not None else "none"
        elif widget == "checkboxes":
            item["options"] = [(v, _option_label(v)) for v in f.items["enum"]]
            item["value"] = list(value) if isinstance(value, list) else []
        out.append(item)
    return out


def _number(raw: str, kind: str):
    try:
        value = float(raw)
    except ValueError:
        return raw                  # kept as typed: the validator names the problem
    if not math.isfinite(value):
        return raw
    if value.is_integer() and (kind == "integer" or "." not in raw):
        return int(value)
    return value


def parse(spec: NodeSpec, form, current: dict | None) -> dict:
    """The node's new config: `current` with every key listed in `_fields` read from the form."""
    config = dict(current) if isinstance(current, dict) else {}
    listed = [k for k in form.getlist("_fields") if k in spec.config]
    for key in listed:
        f = spec.config[key]
        name = f"cfg.{key}"
        widget = _widget(spec, key, f)
        if widget == "checkbox":
            values = form.getlist(name)
            config[key] = bool(values) and values[-1] in ("true", "on", "1")
        elif widget == "checkboxes":
            chosen = set(form.getlist(name))
            config[key] = [v for v in f.items["enum"] if v in chosen]
        elif widget == "number":
            raw = (form.get(name) or "").strip()
            if raw == "":
                config.pop(key, None)
            else:
                config[key] = _number(raw, f.type)
        elif widget == "select":
            raw = form.get(name)
            if raw == NULL and f.nullable:
                config[key] = None
            elif raw in (None, ""):
                config.pop(key, None)
            else:
                config[key] = raw
        elif widget in ("text", "textarea"):
            config[key] = form.get(name) or ""
    return config


def parse_name(form) -> str | None:
    """The node's label (blank -> None: the node type's name is shown)."""
    name = (form.get("node_name") or "").strip()
    return name[:120] or None


def generator_locales(defn: dict, node_id: str) -> tuple[list[str], bool]:
    """(locales the generator `node_id` will receive, whether the script language is detected at
    run time): the source languages upstream plus every upstream translator's targets."""
    from app.workflows.definition import dag_edges, graph_lists, topological_levels, well_formed_edges
    from app.workflows.locales import SUPPORTED_LOCALES, canonical_locale
    from app.workflows.nodes import TRANSLATOR
    nodes, edges = graph_lists(defn)
    by_id = {n["id"]: n for n in nodes if isinstance(n, dict) and isinstance(n.get("id"), str)}
    types = {nid: n.get("type") for nid, n in by_id.items()}
    good = dag_edges(well_formed_edges(edges, set(by_id)), types)
    levels = topological_levels(list(by_id), good)
    incoming: dict[str, set] = {nid: set() for nid in by_id}
    for nid in sorted(by_id, key=lambda n: levels[n]):
        cfg = by_id[nid].get("config") if isinstance(by_id[nid].get("config"), dict) else {}
        out = set(incoming[nid])
        if types[nid] == SOURCE:
            value = cfg.get("source_language", "en-us")
            out.add("?" if value is None else (canonical_locale(value) or "en-us"))
        elif types[nid] == TRANSLATOR and isinstance(cfg.get("target_languages"), list):
            out |= {t for t in cfg["target_languages"] if t in SUPPORTED_LOCALES}
        for _, e in good:
            if e["source"] == nid:
                incoming[e["target"]] |= out
    got = incoming.get(node_id, set())
    return [loc for loc in SUPPORTED_LOCALES if loc in got], "?" in got
