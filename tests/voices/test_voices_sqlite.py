"""The voice catalog on the embedded SQLite default: the migration, a refresh, and the list, facet,
favourite and similar queries (JSON columns and the Python-side filters must behave the same)."""
import pytest


@pytest.fixture
def sqlite_app(tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    application = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/voices.db", "TESTING": True})
    ctx = application.app_context()
    ctx.push()
    try:
        assert db.engine.dialect.name == "sqlite"
        upgrade()
        yield application
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


def test_catalog_and_queries_on_sqlite(sqlite_app, catalog_rows):
    from app.extensions import db
    from app.models import Voice
    from app.services import voice_catalog
    from tests.conftest import _fresh_context_client_class
    from tests.factories import make_key, make_user, make_workspace

    # the session's previews are in the shared object store: the SQLite catalog reuses them
    report = voice_catalog.refresh(locales=("en-gb",), variants=("f3", "whisperf"))
    assert report.active == 7 and report.rendered == 0 and not report.failed, report.summary()
    assert db.session.get(Voice, "espeak:en+f3").voiceprint is not None

    user = make_user()
    ws = make_workspace(user)
    client = _fresh_context_client_class()(sqlite_app, sqlite_app.response_class)
    auth = {"Authorization": f"Bearer {make_key(ws, user)}"}
    body = client.get("/api/v1/voices?gender=female&sort=name", headers=auth).get_json()
    assert [v["id"] for v in body["data"]] == ["espeak:en+f3", "espeak:en+whisperf"]
    assert body["pagination"]["total"] == 2
    facets = client.get("/api/v1/voices/facets?gender=female", headers=auth).get_json()["data"]
    assert {i["value"]: i["count"] for i in facets["genders"]} == {"male": 5, "female": 2, "neutral": 0}
    assert client.post("/api/v1/voices/espeak:en+f3/favorite", headers=auth).status_code == 200
    favs = client.get("/api/v1/voices?favorites_only=true", headers=auth).get_json()["data"]
    assert [v["id"] for v in favs] == ["espeak:en+f3"]
    similar = client.get("/api/v1/voices/espeak:en+f3/similar?limit=2", headers=auth).get_json()["data"]
    assert len(similar) == 2 and 0 <= similar[1]["similarity_score"] <= similar[0]["similarity_score"] <= 1
    model_voices = client.get("/api/v1/providers/espeak/models/espeak-ng/voices", headers=auth).get_json()
    assert model_voices["pagination"]["total"] == 7 and model_voices["data"][0]["preview_url"]
