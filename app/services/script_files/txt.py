"""Plain text: one line per non-empty line."""
from __future__ import annotations

from app.services.script_files.common import clean, decode_text, line


def parse(data: bytes) -> list[dict]:
    text = decode_text(data, "text")
    return [line(clean(raw)) for raw in text.split("\n") if raw.strip()]
