"""Workflow definitions as files: the editor's export and import.

An exported file is a JSON object:

    {"schema_version": 1, "kind": "onepin.workflow", "name": ..., "description": ...,
     "definition": {"graph": {"nodes": [...], "edges": [...]}, ...}}

Import reads such a file (a bare definition, `{"graph": ...}`, is refused: without schema_version
there is no telling which shape it is) and reports every problem before anything is replaced:
the file's shape, then the one validator's save-time errors (which block the import) and run-time
problems (shown, not blocking: a draft may be incomplete). Nodes without positions are laid out.
"""
from __future__ import annotations

import copy
import json

from app.workflows.config_migrations import migrate_definition
from app.workflows.definition import normalize_definition
from app.workflows.layout import auto_layout, needs_layout
from app.workflows.validation import validate_definition

SCHEMA_VERSION = 1
KIND = "onepin.workflow"
MAX_BYTES = 5 * 1024 * 1024


def problems_report(defn: object, catalog=None) -> tuple[list[dict], int]:
    """(problems, how many block a save): the save-time problems (errors block), then the run-time
    ones the save allows (a draft may be incomplete), each marked `blocks_save`."""
    problems = validate_definition(defn, catalog)
    seen = {(p.rule, p.field, p.node_id) for p in problems}
    listed = [dict(p.to_dict(), blocks_save=p.is_error) for p in problems]
    listed += [dict(p.to_dict(), blocks_save=False) for p in validate_definition(defn, catalog, for_run=True)
               if (p.rule, p.field, p.node_id) not in seen]
    return listed, sum(1 for p in problems if p.is_error)


def export_document(name: str, description: str | None, definition: dict) -> dict:
    return {"schema_version": SCHEMA_VERSION, "kind": KIND, "name": name, "description": description,
            "definition": copy.deepcopy(definition)}


def _shape_problem(message: str, field: str = "") -> dict:
    return {"rule": "import_format", "message": message, "severity": "error", "field": field}


def read_document(raw: str | bytes | dict, catalog=None) -> dict:
    """{ok, definition, name, description, laid_out, problems: [...], blocking: n}.

    `ok` is true when the definition can replace the canvas (no error blocks a save).
    """
    result = {"ok": False, "definition": None, "name": None, "description": None, "laid_out": False,
              "problems": [], "blocking": 0}
    doc = raw
    if isinstance(raw, (bytes, str)):
        if len(raw) > MAX_BYTES:
            return _fail(result, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        try:
            doc = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            return _fail(result, f"the file is not JSON ({exc}).")
    if not isinstance(doc, dict):
        return _fail(result, "the file must hold a JSON object with schema_version and definition.")
    version = doc.get("schema_version")
    if version is None:
        return _fail(result, "schema_version is missing: export the workflow from OnePin to get a file "
                             "this editor can read.", "schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
        return _fail(result, f"schema_version {version!r} is not supported (this server reads "
                             f"{SCHEMA_VERSION}).", "schema_version")
    if doc.get("kind", KIND) != KIND:
        return _fail(result, f"kind {doc.get('kind')!r} is not a workflow.", "kind")
    defn = doc.get("definition")
    if not isinstance(defn, dict):
        return _fail(result, "definition must be an object with graph.nodes and graph.edges.", "definition")
    if needs_layout(defn):
        defn, result["laid_out"] = auto_layout(defn), True
    result["problems"], result["blocking"] = problems_report(defn, catalog)
    name, description = doc.get("name"), doc.get("description")
    result["name"] = name if isinstance(name, str) else None
    result["description"] = description if isinstance(description, str) else None
    if not result["blocking"]:
        result["ok"] = True
        result["definition"] = migrate_definition(normalize_definition(defn))
    return result


def _fail(result: dict, message: str, field: str = "") -> dict:
    result["problems"] = [dict(_shape_problem(message, field), blocks_save=True)]
    result["blocking"] = 1
    return result
