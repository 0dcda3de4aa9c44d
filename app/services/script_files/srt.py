"""SubRip subtitles: one line per cue, with meta index, start_ms, end_ms."""
from __future__ import annotations

import re

from app.services.script_files.common import ScriptFileError, clean, decode_text, line

_TIME = r"(\d{1,3}):([0-5]\d):([0-5]\d)[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_TAGS = re.compile(r"</?(?:b|i|u|font)(?:\s[^>]*)?>|\{\\[^}]*\}", re.I)


def _ms(h: str, m: str, s: str, frac: str) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac.ljust(3, "0"))


def parse(data: bytes) -> list[dict]:
    rows = decode_text(data, "SRT").split("\n")
    out: list[dict] = []
    i, n = 0, len(rows)
    while i < n:
        if not rows[i].strip():
            i += 1
            continue
        index = None
        head = rows[i].strip()
        if head.isdigit():
            index = int(head)
            i += 1
            if i >= n or not rows[i].strip():
                raise ScriptFileError(f"Line {i + 1}: expected a timing line like "
                                      f"00:00:01,000 --> 00:00:02,500 after cue number {index}.")
        elif "-->" not in head:
            raise ScriptFileError(f"Line {i + 1}: expected a cue number, found {head[:40]!r}.")
        m = _TIMING.match(rows[i])
        if not m:
            raise ScriptFileError(f"Line {i + 1}: malformed timing {rows[i].strip()[:60]!r} "
                                  "(expected 00:00:01,000 --> 00:00:02,500).")
        start, end = _ms(*m.groups()[:4]), _ms(*m.groups()[4:])
        if end < start:
            raise ScriptFileError(f"Line {i + 1}: the cue ends before it starts.")
        i += 1
        text_rows = []
        while i < n and rows[i].strip():
            text_rows.append(rows[i])
            i += 1
        text = clean(_TAGS.sub("", " ".join(text_rows)))
        if text:
            out.append(line(text, index=index, start_ms=start, end_ms=end))
    return out
