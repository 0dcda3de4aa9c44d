"""XML parsing with entities, DTDs and external references refused (defusedxml)."""
from __future__ import annotations

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from app.services.script_files.common import ScriptFileError


def parse_xml(data: bytes, what: str):
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ScriptFileError(f"Refused: {what} declares a DTD or entities (not allowed, for safety).") from None
    except ParseError as exc:
        line_no, col = getattr(exc, "position", (None, None))
        where = f" at line {line_no}, column {col + 1}" if line_no else ""
        reason = str(exc).split(":")[0]
        raise ScriptFileError(f"Broken XML in {what}{where}: {reason}.") from None


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
