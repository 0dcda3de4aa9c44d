"""XLIFF 1.2 (trans-unit) and 2.x (unit/segment): source text per line, the target text in
meta.translations under the document's target language."""
from __future__ import annotations

from app.services.script_files.common import (
    ScriptFileError,
    binary_kind,
    clean,
    line,
    locale_key,
)
from app.services.script_files.xml_safe import local, parse_xml

_CODE = {"ph", "bpt", "ept", "it", "sub"}  # XLIFF 1.2 native-code elements: not spoken text


def _text(el) -> str:
    parts = [el.text or ""]
    for child in el:
        if local(child.tag) not in _CODE:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _child(el, name):
    return next((c for c in el if local(c.tag) == name), None)


def _iter(el, name):
    return (e for e in el.iter() if local(e.tag) == name)


def parse(data: bytes) -> list[dict]:
    if not data.strip():
        raise ScriptFileError("The file is empty.")
    what = binary_kind(data)
    if what:
        raise ScriptFileError(f"Binary content: this looks like {what}, not an XLIFF file.")
    root = parse_xml(data, "the XLIFF file")
    if local(root.tag) != "xliff":
        raise ScriptFileError(f"Not an XLIFF document: the root element is <{local(root.tag)}>, not <xliff>.")
    version = root.get("version") or ("2.0" if ":2." in root.tag else "1.2")
    out: list[dict] = []
    if version.startswith("1"):
        for file_el in _iter(root, "file"):
            target_lang = locale_key(file_el.get("target-language"))
            for unit in _iter(file_el, "trans-unit"):
                src = _child(unit, "source")
                if src is None:
                    raise ScriptFileError(f"XLIFF trans-unit {unit.get('id')!r} has no <source>.")
                tgt = _child(unit, "target")
                out.append(_line(_text(src), unit.get("id"), target_lang, tgt))
    elif version.startswith("2"):
        target_lang = locale_key(root.get("trgLang"))
        for unit in _iter(root, "unit"):
            segments = [s for s in unit if local(s.tag) == "segment"]
            for n, seg in enumerate(segments, 1):
                src = _child(seg, "source")
                if src is None:
                    raise ScriptFileError(f"XLIFF unit {unit.get('id')!r} has a segment without <source>.")
                line_id = unit.get("id") if len(segments) == 1 else f"{unit.get('id')}.{seg.get('id') or n}"
                out.append(_line(_text(src), line_id, target_lang, _child(seg, "target")))
    else:
        raise ScriptFileError(f"Unsupported XLIFF version {version!r} (use 1.2 or 2.x).")
    return [ln for ln in out if ln["text"]]


def _line(source: str, line_id, target_lang, target_el) -> dict:
    translations = None
    if target_el is not None:
        lang = locale_key(target_el.get("{http://www.w3.org/XML/1998/namespace}lang")) or target_lang
        text = clean(_text(target_el))
        if text and lang:
            translations = {lang: text}
    return line(clean(source), line_id=line_id, translations=translations)
