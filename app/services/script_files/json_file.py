"""JSON: a list of strings, a list of {text, line_id?, translations?}, or {"lines": [...]}."""
from __future__ import annotations

import json

from app.services.script_files.common import (
    ScriptFileError,
    clean,
    decode_text,
    line,
    locale_key,
)


def parse(data: bytes) -> list[dict]:
    text = decode_text(data, "JSON")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScriptFileError(f"Invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.") from None
    except RecursionError:
        raise ScriptFileError("Invalid JSON: nested too deeply.") from None
    if isinstance(doc, dict):
        if "lines" not in doc:
            raise ScriptFileError('JSON object has no "lines" list.')
        doc = doc["lines"]
    if not isinstance(doc, list):
        raise ScriptFileError('JSON must be a list of lines or an object with a "lines" list.')
    out = []
    for n, item in enumerate(doc, 1):
        if isinstance(item, str):
            if clean(item):
                out.append(line(clean(item)))
            continue
        if not isinstance(item, dict):
            raise ScriptFileError(f"JSON line {n}: must be a string or an object with a text field.")
        if not isinstance(item.get("text"), str):
            raise ScriptFileError(f'JSON line {n}: "text" is missing or not a string.')
        line_id = item.get("line_id")
        if line_id is not None and (not isinstance(line_id, (str, int)) or isinstance(line_id, bool)):
            raise ScriptFileError(f'JSON line {n}: "line_id" must be a string or a number.')
        raw_tr = item.get("translations")
        translations = {}
        if raw_tr is not None:
            if not isinstance(raw_tr, dict):
                raise ScriptFileError(f'JSON line {n}: "translations" must be an object of locale -> text.')
            for loc, value in raw_tr.items():
                key = locale_key(loc)
                if key is None or not isinstance(value, str):
                    raise ScriptFileError(f'JSON line {n}: translations need a language tag -> text '
                                          f'(bad entry {str(loc)[:20]!r}).')
                if clean(value):
                    translations[key] = clean(value)
        if clean(item["text"]):
            out.append(line(clean(item["text"]), line_id=str(line_id) if line_id is not None else None,
                            translations=translations or None))
    return out
