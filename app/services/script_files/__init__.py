"""Script-file parsers: bytes -> [{"text": str, "meta": {...}}], one pure module per format.

Each parser raises ScriptFileError(message) naming the line or the reason (bad encoding, broken
XML, zip bomb, empty file, wrong magic bytes). `parse(fmt, data)` adds the common checks (at least
one non-empty line, a line cap); `summary(lines)` gives char_count, line_count, detected_language.
"""
from __future__ import annotations

from app.services.script_files import csv_file, docx, json_file, pdf, srt, txt, xliff
from app.services.script_files.common import MAX_LINES, ScriptFileError
from app.services.script_files.language import detect_language

PARSERS = {"txt": txt.parse, "srt": srt.parse, "csv": csv_file.parse, "json": json_file.parse,
           "xliff": xliff.parse, "docx": docx.parse, "pdf": pdf.parse}


def parse(fmt: str, data: bytes) -> list[dict]:
    parser = PARSERS.get(fmt)
    if parser is None:
        raise ScriptFileError(f"Unsupported script format {fmt!r}.")
    if not data:
        raise ScriptFileError("The file is empty.")
    lines = [ln for ln in parser(data) if ln["text"].strip()]
    if not lines:
        raise ScriptFileError("The file contains no text (no non-empty lines).")
    if len(lines) > MAX_LINES:
        raise ScriptFileError(f"The file has {len(lines)} lines (at most {MAX_LINES}).")
    return lines


def summary(lines: list[dict]) -> dict:
    texts = [ln["text"].strip() for ln in lines if ln["text"].strip()]
    return {"char_count": sum(len(t) for t in texts), "line_count": len(texts),
            "detected_language": detect_language(texts)}


__all__ = ["PARSERS", "ScriptFileError", "detect_language", "parse", "summary"]
