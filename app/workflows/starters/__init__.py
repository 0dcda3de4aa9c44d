"""Starter templates: platform-owned, read-only gallery templates (definitions in `definitions.py`).

`ensure_starters()` upserts them by `starter_key` (idempotent): a missing starter is created with
its draft and published snapshot equal; an existing one is brought up to date (name, description,
category, definition) keeping its id and uses_count; a soft-deleted one is revived. It is called
lazily by the template service on the first templates request of a process (and whenever a
starter is missing), and can be called by operator commands such as `refresh-catalog`.
"""
from __future__ import annotations

import copy

from app.workflows.starters.definitions import STARTERS

__all__ = ["STARTERS", "ensure_starters", "starter_keys"]


def starter_keys() -> list[str]:
    return [s["starter_key"] for s in STARTERS]


def ensure_starters(commit: bool = True) -> int:
    """Create or update every starter; returns how many rows were created or changed."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from app.extensions import db
    from app.models import Template
    from app.models.base import utcnow

    existing = {t.starter_key: t for t in db.session.scalars(
        select(Template).where(Template.starter_key.in_(starter_keys())))}
    changed = 0
    for s in STARTERS:
        defn = copy.deepcopy(s["definition"])
        t = existing.get(s["starter_key"])
        fields = {"name": s["name"], "description": s["description"], "category": s["category"],
                  "definition": defn, "published_definition": copy.deepcopy(defn), "published_name": s["name"],
                  "published_description": s["description"]}
        if t is None:
            try:
                with db.session.begin_nested():
                    db.session.add(Template(workspace_id=None, created_by=None, is_starter=True,
                                            starter_key=s["starter_key"], published_at=utcnow(), **fields))
                changed += 1
            except IntegrityError:
                pass  # another process seeded it at the same moment
            continue
        if t.deleted_at is not None or not t.is_starter or any(getattr(t, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(t, k, v)
            t.is_starter, t.deleted_at, t.workspace_id = True, None, None
            t.published_at = utcnow()
            changed += 1
    if commit:
        db.session.commit()
    return changed
