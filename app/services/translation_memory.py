"""The workspace translation memory: segments translated before, keyed by (source locale, target
locale, sha256 of the normalized source text).

Entries come from bilingual scripts (origin "script"), machine translation ("mt") and, later, hand
edits ("manual"). A new entry replaces an existing one only when its origin ranks at least as high
(manual > script > mt): MT never overwrites a translator's own text.

`store` and `count_uses` write in their OWN short transaction: the memory is a cache of paid-for
work, so it is kept even when the launch that produced it is refused (a retry then finds it, and
the write is idempotent). SQLite allows one writer at a time, and the launch may already hold the
write lock (a period credit grant), so there the memory is written inside the caller's transaction
instead (a savepoint): on the embedded database a refused launch keeps nothing.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from contextlib import contextmanager

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import TranslationMemoryEntry as TM
from app.models.base import utcnow

RANK = {"mt": 1, "script": 2, "manual": 3}
CHUNK = 500


def normalize(text: str) -> str:
    """NFC, inner whitespace collapsed, ends stripped. Case and punctuation are kept (they matter)."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def source_hash(text: str) -> str:
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def _chunks(items: list, n: int = CHUNK):
    for i in range(0, len(items), n):
        yield items[i:i + n]


@contextmanager
def _writer():
    """A session for memory writes: its own transaction (committed here), or the caller's on SQLite."""
    if db.engine.dialect.name == "sqlite":
        with db.session.begin_nested():
            yield db.session
        return
    with Session(db.engine) as s:
        yield s
        s.commit()


def lookup(workspace_id: str, source_locale: str, target_locale: str, texts: Iterable[str],
           session=None) -> dict[str, tuple[str, str]]:
    """{normalized source text: (target text, origin)} for the texts the memory holds."""
    s = session or db.session
    wanted = {source_hash(t): normalize(t) for t in texts if normalize(t)}
    out: dict[str, tuple[str, str]] = {}
    for chunk in _chunks(list(wanted)):
        for h, src, tgt, origin in s.execute(
                select(TM.source_hash, TM.source_text, TM.target_text, TM.origin).where(
                    TM.workspace_id == workspace_id, TM.source_locale == source_locale,
                    TM.target_locale == target_locale, TM.source_hash.in_(chunk))):
            if src == wanted.get(h):              # guards against a (theoretical) hash collision
                out[src] = (tgt, origin)
    return out


def store(workspace_id: str, source_locale: str, target_locale: str, pairs: dict[str, str], origin: str) -> int:
    """Upserts {source text: target text}; returns how many entries were written. Own transaction."""
    rank = RANK[origin]
    clean = {normalize(k): v.strip() for k, v in pairs.items() if normalize(k) and (v or "").strip()}
    if not clean:
        return 0
    written = 0
    with _writer() as s:
        existing = {}
        for chunk in _chunks([source_hash(k) for k in clean]):
            for row in s.scalars(select(TM).where(TM.workspace_id == workspace_id, TM.source_locale == source_locale,
                                                  TM.target_locale == target_locale, TM.source_hash.in_(chunk))):
                existing[row.source_hash] = row
        for src, tgt in clean.items():
            h = source_hash(src)
            row = existing.get(h)
            if row is None:
                try:
                    with s.begin_nested():        # a concurrent launch may insert the same segment
                        s.add(TM(workspace_id=workspace_id, source_locale=source_locale, target_locale=target_locale,
                                 source_hash=h, source_text=src, target_text=tgt, origin=origin, uses_count=0))
                    written += 1
                except IntegrityError:
                    pass
            elif rank >= RANK.get(row.origin, 0) and (row.target_text != tgt or row.origin != origin):
                row.target_text, row.origin, row.updated_at = tgt, origin, utcnow()
                written += 1
    return written


def count_uses(workspace_id: str, source_locale: str, target_locale: str, texts: Iterable[str]) -> None:
    """uses_count + 1 for each entry a launch took from the memory. Own transaction."""
    hashes = sorted({source_hash(t) for t in texts})
    if not hashes:
        return
    with _writer() as s:
        for chunk in _chunks(hashes):
            s.execute(update(TM).where(TM.workspace_id == workspace_id, TM.source_locale == source_locale,
                                       TM.target_locale == target_locale, TM.source_hash.in_(chunk))
                      .values(uses_count=TM.uses_count + 1))
