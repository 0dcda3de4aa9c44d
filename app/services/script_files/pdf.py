"""PDF: the text of each page (pypdf), one line per non-empty text line."""
from __future__ import annotations

import io
import logging

from app.services.script_files.common import ScriptFileError, binary_kind, clean, line

MAX_PAGES = 2000


def parse(data: bytes) -> list[dict]:
    if not data:
        raise ScriptFileError("The file is empty.")
    if not data.startswith(b"%PDF-"):
        what = binary_kind(data)
        raise ScriptFileError("Not a PDF file: it does not start with %PDF-"
                              + (f" (it looks like {what})." if what else "."))
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ScriptFileError("The PDF is encrypted (password-protected); upload an unprotected copy.")
        if len(reader.pages) > MAX_PAGES:
            raise ScriptFileError(f"The PDF has {len(reader.pages)} pages (at most {MAX_PAGES}).")
        out = []
        for number, page in enumerate(reader.pages, 1):
            for raw in (page.extract_text() or "").splitlines():
                if clean(raw):
                    out.append(line(clean(raw), page=number))
        return out
    except ScriptFileError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            OSError, AssertionError, ZeroDivisionError) as exc:
        raise ScriptFileError(f"The PDF could not be read: {type(exc).__name__}: {str(exc)[:120]}.") from None
