"""Shared pieces of the script-file parsers: the error type, text decoding, binary sniffing."""
from __future__ import annotations

import codecs
import re

MAX_LINES = 100_000


class ScriptFileError(Exception):
    """A script file that cannot be used; the message names the line or the reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Magic numbers of common binary formats, to say what a mislabelled file really is.
_BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"), (b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (e.g. DOCX)"),
    (b"\x1f\x8b", "a gzip archive"), (b"ID3\x02", "an MP3 file"), (b"ID3\x03", "an MP3 file"),
    (b"ID3\x04", "an MP3 file"), (b"OggS\x00", "an Ogg file"), (b"\x1aE\xdf\xa3", "a WebM/Matroska file"),
    (b"\x7fELF", "an executable"), (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"Rar!\x1a", "a RAR archive"), (b"7z\xbc\xaf", "a 7z archive"),
)


def binary_kind(data: bytes) -> str | None:
    """What a binary file looks like from its first bytes ("a PNG image"), or None."""
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            return what
    if data[:4] == b"RIFF" and data[8:12] in (b"WAVE", b"AVI ", b"WEBP"):
        return "a RIFF media file"
    if data[4:8] == b"ftyp":
        return "an MP4/M4A file"
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def line(text: str, **meta) -> dict:
    return {"text": text, "meta": {k: v for k, v in meta.items() if v is not None}}


def clean(text: str) -> str:
    """One spoken line: inner whitespace (newlines, tabs, runs of spaces) collapsed, ends stripped."""
    return " ".join(text.split())


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_text(data: bytes, kind: str = "text") -> str:
    """Bytes of a text file -> str with \\n newlines.

    UTF-8 (with or without BOM) or UTF-16/32 with a BOM. Binary content and invalid UTF-8 are
    refused with a message naming what the file looks like or the first bad line.
    """
    if not data:
        raise ScriptFileError("The file is empty.")
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        encoding, body = "utf-32", data
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        encoding, body = "utf-16", data
    elif data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", data[len(codecs.BOM_UTF8):]
    else:
        encoding, body = "utf-8", data
        what = binary_kind(data)
        if what:
            raise ScriptFileError(f"Binary content: this looks like {what}, not a {kind} file.")
        nul = data.find(b"\x00")
        if nul >= 0:
            raise ScriptFileError(f"Binary content at line {_line_of(data, nul)} (a NUL byte): "
                                  f"not a {kind} file. Save it as UTF-8 text.")
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding == "utf-8":
            raise ScriptFileError(f"Invalid UTF-8 at line {_line_of(body, exc.start)} (byte {exc.start + 1}): "
                                  "save the file as UTF-8.") from None
        raise ScriptFileError(f"Invalid {encoding.upper()} text: {exc.reason}.") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _CONTROL.search(text)
    if bad:
        raise ScriptFileError(f"Binary content at line {text.count(chr(10), 0, bad.start()) + 1} "
                              f"(control character U+{ord(bad.group()):04X}): not a {kind} file.")
    return text


_LOCALE_RE = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$", re.I)


def locale_key(value: str | None) -> str | None:
    """A language tag as a translations key: lower case with hyphens (de-DE -> de-de), else None."""
    if not isinstance(value, str):
        return None
    value = value.strip().replace("_", "-").lower()
    return value if value and _LOCALE_RE.match(value) else None
