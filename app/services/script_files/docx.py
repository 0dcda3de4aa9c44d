"""Word DOCX: paragraphs of word/document.xml. The zip is checked (entry count, declared
uncompressed size, compression ratio) before anything is extracted."""
from __future__ import annotations

import io
import zipfile

from app.services.script_files.common import ScriptFileError, binary_kind, clean, line
from app.services.script_files.xml_safe import local, parse_xml

MAX_ENTRIES = 1000
MAX_TOTAL_UNCOMPRESSED = 100 * 1024 * 1024
MAX_DOCUMENT_XML = 50 * 1024 * 1024
MAX_RATIO = 200


def parse(data: bytes) -> list[dict]:
    if not data:
        raise ScriptFileError("The file is empty.")
    if not data.startswith(b"PK\x03\x04"):
        what = binary_kind(data)
        raise ScriptFileError("Not a DOCX file: it is not a ZIP archive"
                              + (f" (it looks like {what})." if what else "."))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ScriptFileError(f"Not a valid DOCX file: broken ZIP archive ({exc}).") from None
    if len(infos) > MAX_ENTRIES:
        raise ScriptFileError(f"Refused: the DOCX archive has {len(infos)} entries (at most {MAX_ENTRIES}); "
                              "possible zip bomb.")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise ScriptFileError(f"Refused: the DOCX archive unpacks to {total} bytes (at most "
                              f"{MAX_TOTAL_UNCOMPRESSED}); possible zip bomb.")
    doc = next((i for i in infos if i.filename == "word/document.xml"), None)
    if doc is None:
        raise ScriptFileError("Not a DOCX file: word/document.xml is missing.")
    if doc.flag_bits & 0x1:
        raise ScriptFileError("The DOCX file is encrypted.")
    if doc.file_size > MAX_DOCUMENT_XML or (doc.compress_size and doc.file_size / doc.compress_size > MAX_RATIO
                                            and doc.file_size > 1024 * 1024):
        raise ScriptFileError("Refused: word/document.xml is too large or too compressed; possible zip bomb.")
    try:
        with zf.open(doc) as fh:
            xml = fh.read(MAX_DOCUMENT_XML + 1)  # the declared size can lie: never read past the cap
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
        raise ScriptFileError(f"Not a valid DOCX file: cannot read word/document.xml ({exc}).") from None
    if len(xml) > MAX_DOCUMENT_XML:
        raise ScriptFileError("Refused: word/document.xml is too large; possible zip bomb.")
    root = parse_xml(xml, "word/document.xml")
    out: list[dict] = []
    _paragraphs(root, out)
    return out


def _paragraphs(el, out: list[dict]) -> None:
    """Paragraphs in document order; a paragraph nested in another (text box) is its own line."""
    for child in el:
        if local(child.tag) == "p":
            buf: list[str] = []
            _runs(child, buf, out)
            for piece in "".join(buf).split("\n"):
                if clean(piece):
                    out.append(line(clean(piece)))
        else:
            _paragraphs(child, out)


def _runs(el, buf: list[str], out: list[dict]) -> None:
    for child in el:
        name = local(child.tag)
        if name == "t" and child.text:
            buf.append(child.text)
        elif name == "tab":
            buf.append(" ")
        elif name in ("br", "cr"):
            buf.append("\n")
        elif name == "p":  # a text box's paragraph inside this one: its own line, emitted first
            _paragraphs([child], out)
        else:
            _runs(child, buf, out)

