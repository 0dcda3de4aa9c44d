"""CSV (comma, semicolon or tab): a header row names the text column (`text`, `source` or `script`),
an optional `line_id`, and target-language columns (`de-de` or `target:de-de`) -> meta.translations."""
from __future__ import annotations

import csv
import io

from app.services.script_files.common import (
    ScriptFileError,
    clean,
    decode_text,
    line,
    locale_key,
)

TEXT_COLUMNS = ("text", "source", "script")
ID_COLUMNS = ("line_id", "id")
# Bare language codes accepted as column names (a region, e.g. de-de, is accepted for any language).
_BARE = {"ar", "cs", "da", "de", "el", "en", "es", "fi", "fr", "he", "hi", "hu", "it", "ja", "ko", "nl", "no",
         "pl", "pt", "ro", "ru", "sv", "th", "tr", "uk", "vi", "zh"}


def _target_locale(name: str) -> str | None:
    low = name.strip().lower()
    if low.startswith("target:"):
        return locale_key(low[len("target:"):])
    loc = locale_key(low)
    if loc and ("-" in loc or loc in _BARE):
        return loc
    return None


def parse(data: bytes) -> list[dict]:
    text = decode_text(data, "CSV")
    first = text.lstrip("\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)
        if header is None:
            raise ScriptFileError("The CSV file has no header row.")
        names = [h.strip().lower() for h in header]
        text_col = next((names.index(c) for c in TEXT_COLUMNS if c in names), None)
        if text_col is None:
            raise ScriptFileError(f"CSV line {reader.line_num}: the header has no text column "
                                  "(name one column text, source or script).")
        id_col = next((names.index(c) for c in ID_COLUMNS if c in names), None)
        targets = {i: loc for i, h in enumerate(header) if i not in (text_col, id_col)
                   and (loc := _target_locale(h))}
        out = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ScriptFileError(f"CSV line {reader.line_num}: {len(row)} fields, but the header has "
                                      f"{len(header)}.")
            spoken = clean(row[text_col])
            if not spoken:
                continue
            translations = {loc: clean(row[i]) for i, loc in targets.items() if clean(row[i])}
            out.append(line(spoken, line_id=clean(row[id_col]) if id_col is not None and row[id_col].strip() else None,
                            translations=translations or None))
        return out
    except csv.Error as exc:
        raise ScriptFileError(f"CSV line {reader.line_num}: {exc}.") from None
