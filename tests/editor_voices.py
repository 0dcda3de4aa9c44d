"""A small voice catalog for the editor's tests: US English and German espeak-ng voices with three
variants, and Piper's Joe, with their previews rendered once per session (app/services/voice_catalog)
and put back into the emptied database for each test. Import both fixtures into a test module."""
from __future__ import annotations

import pytest

from tests.factories import platform_voice_rows, restore_voices

EDITOR_VARIANTS = ("f1", "f3", "m3")


@pytest.fixture(scope="session")
def editor_voice_rows(app):
    from app.extensions import db
    from app.services import voice_catalog
    with app.app_context():
        voice_catalog.refresh(locales=("en-us", "de-de"), variants=EDITOR_VARIANTS)
        # active only: a voice an earlier test left behind (this session fixture runs before the next test
        # empties the tables) is retired by the refresh and has no previews
        rows = platform_voice_rows(active_only=True)
        db.session.remove()
    assert rows and all(r["samples"] for r in rows), "the catalog rendered no previews"
    return rows


@pytest.fixture
def editor_voices(editor_voice_rows):
    """The session's catalog, back in the database. Returns {voice id: row}."""
    return restore_voices(editor_voice_rows)
