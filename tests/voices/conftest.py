"""Voice catalog fixtures. The catalog (previews and voiceprints of every en-us voice: each espeak-ng
variant, the regional US voice and Piper's Joe; plus a few variants in en-gb and de-de) is rendered
ONCE per session into the session's object store; each test then gets the rows back by a bulk insert
(the autouse `_clean` empties every table between tests)."""
from __future__ import annotations

import pytest

from tests.factories import platform_voice_rows, restore_voices

# A spread of timbres for the second and third locale: stock, whisper, robotic, elderly, named.
FEW_VARIANTS = ("f1", "f3", "f4", "m3", "whisper", "whisperf", "robosoft", "grandma", "Alicia", "steph")


@pytest.fixture(scope="session")
def catalog_rows(app):
    from app.extensions import db
    from app.services import voice_catalog
    with app.app_context():
        voice_catalog.refresh(locales=("en-us",))
        voice_catalog.refresh(locales=("en-gb", "de-de"), variants=FEW_VARIANTS, retire=False)
        rows = platform_voice_rows()
        db.session.remove()
    return rows


@pytest.fixture
def catalog(catalog_rows):
    """The session's platform catalog, back in the (emptied) database. Returns {id: row dict}."""
    return restore_voices(catalog_rows)


@pytest.fixture
def ws_api(api, workspace, owner_key):
    """(workspace, Api authenticated with an all-scopes key of its owner)."""
    return workspace, api.as_(owner_key)
