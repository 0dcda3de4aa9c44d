"""Shared helpers of the CLI conformance modules: definitions, CLI calls run side by side, uploads,
a small JSON Schema checker."""
from __future__ import annotations

import json
import math
import re
import struct
import uuid
import wave
from pathlib import Path

from tests.conformance.conftest import UUID_RE


NODE_TYPES = {"source_script", "operator_translator", "operator_normalizer", "operator_generator",
              "operator_phoneme_injector", "operator_pronunciation_corrector", "validator_error_rate",
              "validator_naturalness", "validator_noise", "validator_pronunciation", "sink_preview"}
WORKFLOW_COLUMNS = ["id", "name", "runs_count", "last_run_status", "updated_at"]
TEMPLATE_COLUMNS = ["id", "name", "category", "is_favorite", "uses_count"]
UPLOAD_COLUMNS = ["id", "filename", "category", "status", "size_bytes"]
ESPEAK_EN = {"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}


# --------------------------------------------------------------------------------------------------
# helpers


def definition(text: str = "Hello there. How are you today?") -> dict:
    """source_script -> operator_generator (eSpeak en-us) -> sink_preview, with positions."""
    return {"graph": {
        "nodes": [
            {"id": "src", "type": "source_script", "name": "Script", "position": {"x": 0, "y": 120},
             "config": {"text": text, "source_language": "en-us"}},
            {"id": "gen", "type": "operator_generator", "name": "Voice", "position": {"x": 260, "y": 120},
             "config": {"voice_map": {"en-us": [dict(ESPEAK_EN)]}}},
            {"id": "out", "type": "sink_preview", "name": "Export", "position": {"x": 520, "y": 120},
             "config": {"format": "wav"}},
        ],
        "edges": [
            {"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
            {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"},
        ]}}


def kv(out: str) -> dict[str, str]:
    """The CLI's text rendering of one object: `key: value` lines (nested values as compact JSON)."""
    pairs = {}
    for line in out.splitlines():
        key, sep, value = line.partition(": ")
        if sep and re.fullmatch(r"[a-z_]+", key):
            pairs[key] = value
    return pairs


def write_json(cli, name: str, data) -> str:
    path = cli.home / name
    path.write_text(json.dumps(data))
    return f"@{path}"


def ok(r):
    assert r.code == 0, r
    return r


def par(cli, *calls: tuple[str, ...]) -> list:
    """Run independent CLI calls side by side (each call pays ~1 s of client start-up) -> their Results."""
    pending = [cli.start(*args) for args in calls]
    return [p.result() for p in pending]


def _create_args(cli, name: str, defn: dict | None) -> tuple[str, ...]:
    args = ("workflows", "create", "--name", name)
    if defn is not None:
        args += ("--definition", write_json(cli, f"def-{uuid.uuid4().hex[:8]}.json", defn))
    return args


def _created_id(r) -> str:
    assert r.code == 0, r
    m = re.fullmatch(rf"Created workflow ({UUID_RE})\.", r.out.strip())
    assert m, r
    return m.group(1)


def create_workflow(cli, name: str, defn: dict | None = None) -> str:
    return _created_id(cli(*_create_args(cli, name, defn)))


def create_workflows(cli, specs: dict) -> dict[str, str]:
    """{name: definition|None} -> {name: id}, created side by side."""
    results = par(cli, *(_create_args(cli, name, defn) for name, defn in specs.items()))
    return {name: _created_id(r) for name, r in zip(specs, results)}


def show_workflow(cli, wf_id: str) -> dict:
    return ok(cli("workflows", "show", wf_id, "--json")).json()


def comparable(defn: dict) -> dict:
    """A definition without what the server adds (config_version) and with positions as floats."""
    graph = defn["graph"]
    nodes = []
    for n in graph["nodes"]:
        n = {k: v for k, v in n.items() if k != "config_version"}
        n["position"] = {k: float(v) for k, v in n["position"].items()}
        nodes.append(n)
    return {"nodes": sorted(nodes, key=lambda n: n["id"]), "edges": sorted(graph["edges"], key=lambda e: e["id"])}


def upload(cli, path: Path, category: str) -> str:
    """`uploads create`: POST /uploads, then the CLI PUTs the bytes to our signed upload_url (no auth)."""
    r = ok(cli("uploads", "create", "--file", str(path), "--category", category))
    m = re.fullmatch(rf"Uploaded {re.escape(path.name)} as upload ({UUID_RE})\. "
                     rf"Run `onepin uploads confirm \1`\.", r.out.strip())
    assert m, r
    return m.group(1)


def tone_wav(path: Path, seconds: float = 0.5, freq: float = 440.0, rate: int = 16000) -> Path:
    frames = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * i / rate)))
                      for i in range(int(seconds * rate)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return path


# A small JSON-Schema checker for the subset `workflows definition-schema` prints (jsonschema is not installed
# in the venv): $ref into $defs, anyOf, type, enum, required, properties, items.
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def schema_errors(instance, schema: dict, root: dict, path: str = "$") -> list[str]:
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        return schema_errors(instance, root["$defs"][ref.split("/")[-1]], root, path)
    if "anyOf" in schema:
        branches = [schema_errors(instance, s, root, path) for s in schema["anyOf"]]
        return [] if any(not b for b in branches) else [f"{path}: matches no anyOf branch: {branches}"]
    errors = []
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]

        def is_type(name):
            if name == "integer":
                return isinstance(instance, int) and not isinstance(instance, bool)
            if name == "number":
                return isinstance(instance, (int, float)) and not isinstance(instance, bool)
            return isinstance(instance, _TYPES[name])
        if not any(is_type(n) for n in types):
            return [f"{path}: expected {t}, got {type(instance).__name__}"]
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{path}: {instance!r} not in enum")
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            if key not in instance:
                errors.append(f"{path}: missing required {key!r}")
        for key, sub in schema.get("properties", {}).items():
            if key in instance:
                errors += schema_errors(instance[key], sub, root, f"{path}.{key}")
    if isinstance(instance, list) and "items" in schema:
        for i, item in enumerate(instance):
            errors += schema_errors(item, schema["items"], root, f"{path}[{i}]")
    return errors
