"""The lines a run speaks (and an estimate prices), read from the workflow's Script Input nodes.

Per source_script node, in this order:
  1. the run-scoped `script_text` override (needs exactly ONE source_script node, else 422; a
     `source_language` override alone applies to every source);
  2. `config.upload_id` when set, read through `app.services.uploads.lines_for_upload` (if that
     service is not installed, an upload counts as no text): as the node's field description says,
     the typed text is ignored when an upload is attached (a starter keeps its sample text when the
     user attaches a bilingual file, and the file's lines and translations are what must run);
  3. `config.text`, split into non-empty lines (each line stripped).
Language: the run-scoped `source_language` override > `config.source_language` > "en-us"; an
explicit null in the config means "detect at run time" (locale None). A bare family ("de") turns
into its region ("de-de"). Translators downstream add their `target_languages` (see
`node_locales`).

`apply_overrides` gives the definition a run actually executes (the run snapshot): the single
source's text replaced by `script_text`, its upload dropped, its language set. Estimates price
that same definition, so preview and run agree on the text by construction.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from app.errors import ValidationFailed
from app.workflows.definition import dag_edges, graph_lists, topological_levels, well_formed_edges
from app.workflows.locales import canonical_locale
from app.workflows.nodes import SOURCE, TRANSLATOR

DEFAULT_LOCALE = "en-us"


@dataclass
class SourceLines:
    node_id: str
    lines: list[str]
    locale: str | None          # None: detected at run time
    origin: str                 # override | text | upload | empty
    metas: list[dict] = field(default_factory=list)   # per line: SRT timing, bilingual translations ...


@dataclass
class Script:
    sources: list[SourceLines] = field(default_factory=list)

    @property
    def total_lines(self) -> int:
        return sum(len(s.lines) for s in self.sources)

    def by_node(self) -> dict[str, SourceLines]:
        return {s.node_id: s for s in self.sources}


def split_lines(text: str | None) -> list[str]:
    if not isinstance(text, str):
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def _config(node: dict) -> dict:
    cfg = node.get("config")
    return cfg if isinstance(cfg, dict) else {}


def source_nodes(defn: dict) -> list[dict]:
    nodes, _ = graph_lists(defn)
    return [n for n in nodes if isinstance(n, dict) and n.get("type") == SOURCE]


def _override_locale(source_language: str | None) -> str | None:
    if source_language is None:
        return None
    loc = canonical_locale(source_language)
    if loc is None:
        raise ValidationFailed([{"field": "source_language",
                                 "message": f"unsupported language {source_language!r}"}])
    return loc


def _check_overrides(defn: dict, script_text, source_language) -> str | None:
    if script_text is not None and not isinstance(script_text, str):
        raise ValidationFailed([{"field": "script_text", "message": "must be a string"}])
    if source_language is not None and not isinstance(source_language, str):
        raise ValidationFailed([{"field": "source_language", "message": "must be a string"}])
    if script_text is not None:
        n = len(source_nodes(defn))
        if n != 1:
            raise ValidationFailed([{"field": "script_text", "message": "a run-scoped script needs exactly one "
                                     f"Script Input node; this workflow has {n}"}])
    return _override_locale(source_language)


def apply_overrides(defn: dict, script_text: str | None = None, source_language: str | None = None) -> dict:
    """The definition a run with these overrides executes (a new dict; the input is not changed)."""
    loc = _check_overrides(defn, script_text, source_language)
    if script_text is None and loc is None:
        return copy.deepcopy(defn)
    out = copy.deepcopy(defn)
    for node in source_nodes(out):
        cfg = node.get("config") if isinstance(node.get("config"), dict) else {}
        if script_text is not None:
            cfg["text"] = script_text
            cfg.pop("upload_id", None)
        if loc is not None:
            cfg["source_language"] = loc
        node["config"] = cfg
    return out


def _upload_lines(ws, upload_id: str) -> tuple[list[str], list[dict]]:
    """(texts, metas) of a confirmed script upload; parsed lines are {"text", "meta"} dicts."""
    from app.services.uploads import lines_for_upload
    texts, metas = [], []
    for line in lines_for_upload(ws, upload_id) or []:
        text = (line.get("text") if isinstance(line, dict) else str(line) or "").strip()
        if text:
            texts.append(text)
            metas.append(dict(line.get("meta") or {}) if isinstance(line, dict) else {})
    return texts, metas


def source_locale(node: dict) -> str | None:
    cfg = _config(node)
    if "source_language" not in cfg:
        return DEFAULT_LOCALE
    if cfg["source_language"] is None:
        return None
    return canonical_locale(cfg["source_language"]) or DEFAULT_LOCALE


def resolve(defn: dict, ws=None, *, script_text: str | None = None, source_language: str | None = None,
            require_text: bool = True) -> Script:
    """The lines of every source (overrides applied first). No line anywhere -> 422 when require_text."""
    defn = apply_overrides(defn, script_text, source_language)
    script = Script()
    for node in source_nodes(defn):
        cfg = _config(node)
        lines, origin, metas = split_lines(cfg.get("text")), "text", []
        if script_text is not None:
            origin = "override"
        elif isinstance(cfg.get("upload_id"), str) and cfg["upload_id"]:
            lines, metas = _upload_lines(ws, cfg["upload_id"])
            origin = "upload"
        script.sources.append(SourceLines(str(node.get("id")), lines, source_locale(node),
                                          origin if lines else "empty", metas or [{} for _ in lines]))
    if require_text and script.total_lines == 0:
        raise ValidationFailed([{"field": "script_text", "message": "there is no text to price: the script is "
                                 "empty. Type a script, attach an upload, or send script_text."}])
    return script


def node_locales(defn: dict, script: Script) -> dict[str, dict[tuple[str, str | None], str]]:
    """For every node, the (source node id, locale) pairs of the lines that reach it, each mapped
    to how the lines got that locale: "source" or "translated" (by an upstream translator)."""
    nodes, edges = graph_lists(defn)
    by_id = {n["id"]: n for n in nodes if isinstance(n, dict) and isinstance(n.get("id"), str)}
    types = {nid: n.get("type") for nid, n in by_id.items()}
    good = dag_edges(well_formed_edges(edges, set(by_id)), types)
    order = list(by_id)
    levels = topological_levels(order, good)
    sources = script.by_node()
    incoming: dict[str, dict] = {nid: {} for nid in order}
    result: dict[str, dict] = {}
    for nid in sorted(order, key=lambda n: levels[n]):
        node = by_id[nid]
        if types[nid] == SOURCE:
            src = sources.get(nid)
            out = {(nid, src.locale if src else source_locale(node)): "source"}
        elif types[nid] == TRANSLATOR:
            out = dict(incoming[nid])
            targets = _config(node).get("target_languages")
            for target in (targets if isinstance(targets, list) else []):
                loc = canonical_locale(target)
                if loc is None:
                    continue
                for (sid, _l) in list(incoming[nid]):
                    out.setdefault((sid, loc), "translated")
        else:
            out = incoming[nid]
        result[nid] = out
        for _, e in good:
            if e["source"] == nid:
                for key, how in out.items():
                    incoming[e["target"]].setdefault(key, how)
    return result
