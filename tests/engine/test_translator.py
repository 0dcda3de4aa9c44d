"""operator_translator for real: bilingual uploads, the translation memory, MT at launch through the
vendor fakes, the launch gate (422 naming the languages / 503 on an outage, nothing reserved), and
runs through RQ workers that fan every line out to one espeak take per locale."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import LedgerEntry, Run, Take, TranslationMemoryEntry
from app.services import credits, provider_credentials, translations
from app.speech.audio import decode
from app.speech.translate import HttpPolicy
from app.storage import get_store
from tests.conftest import assert_envelope, assert_error
from tests.engine.conftest import make_workflow, run_burst, start
from tests.fakes.deepl import FakeDeepL
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.uploads.conftest import confirm, create, local_put

VOICES = {"en-us": "en-us", "de-de": "de", "es-es": "es", "fr-fr": "fr", "ko-kr": "ko"}


@pytest.fixture(scope="module")
def fakes():
    with FakeLibreTranslate(api_key="lt-key") as libre, FakeDeepL(api_key="dl-key") as deepl, \
            FakeOpenAIChat(api_key="sk-test") as openai:
        yield {"libretranslate": libre, "deepl": deepl, "openai_compatible": openai}


@pytest.fixture(autouse=True)
def _fast_mt(monkeypatch, fakes):
    for f in fakes.values():
        f.reset()
    monkeypatch.setattr(translations, "LAUNCH_POLICY", HttpPolicy(timeout=2.0, attempts=3, backoff=0.01, max_wait=0.05))
    yield


def configure(ws, provider, fake, *, secret=None, **options):
    provider_credentials.save(ws.id, "mt", provider, secret=secret or fake.api_key, base_url=fake.url,
                              options=options or None)
    db.session.commit()


def definition(sources: list[dict], targets: list[str]) -> dict:
    locales = ["en-us", *targets]
    nodes = [{"id": s["id"], "type": "source_script", "position": {"x": 0, "y": 150 * i}, "config": s["config"]}
             for i, s in enumerate(sources)]
    nodes += [
        {"id": "tr", "type": "operator_translator", "position": {"x": 250, "y": 0},
         "config": {"target_languages": targets}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 500, "y": 0},
         "config": {"voice_map": {loc: [{"voice_id": VOICES[loc], "provider": "espeak", "model": "espeak-ng"}]
                                  for loc in locales}}},
        {"id": "out", "type": "sink_preview", "position": {"x": 750, "y": 0}, "config": {"format": "wav"}},
    ]
    edges = [{"id": f"e-{s['id']}", "source": s["id"], "sourcePort": "lines", "target": "tr", "targetPort": "lines"}
             for s in sources]
    edges += [{"id": "e-tr", "source": "tr", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
              {"id": "e-gen", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"}]
    return {"graph": {"nodes": nodes, "edges": edges}}


def upload(client, api, wf_id: str, filename: str, data: bytes) -> str:
    up, url = create(api, filename)
    assert local_put(client, url, data, up["content_type"]).status_code == 200
    assert_envelope(confirm(api, up["id"], wf_id))
    return up["id"]


def workflow_with_uploads(client, api, files: dict[str, bytes], targets: list[str]) -> str:
    """A workflow whose sources read the given uploads (one source per file)."""
    wf = make_workflow(api, definition([{"id": "src0", "config": {"text": "placeholder"}}], targets))
    sources = [{"id": f"src{i}", "config": {"upload_id": upload(client, api, wf["id"], name, data)}}
               for i, (name, data) in enumerate(files.items())]
    assert_envelope(api.patch(f"/api/v1/workflows/{wf['id']}", json={"definition": definition(sources, targets)}))
    return wf["id"]


def memory() -> list[TranslationMemoryEntry]:
    db.session.rollback()
    return list(db.session.scalars(select(TranslationMemoryEntry).order_by(
        TranslationMemoryEntry.target_locale, TranslationMemoryEntry.source_text)))


def takes(run_id: str, node_type: str) -> list[Take]:
    db.session.rollback()
    return list(db.session.scalars(select(Take).where(Take.run_id == run_id, Take.node_type == node_type)
                                   .order_by(Take.line_index, Take.locale)))


def finish(api, wf_id: str, run_id: str) -> Run:
    done = run_burst()
    assert done.returncode == 0, done.stderr[-3000:]
    status = assert_envelope(api.get(f"/api/v1/workflows/{wf_id}/runs/{run_id}/status"))["data"]
    assert status["status"] == "completed", (status, done.stderr[-3000:])
    db.session.rollback()
    return db.session.get(Run, run_id)


def counts() -> dict:
    db.session.rollback()
    return {"runs": db.session.scalar(select(func.count()).select_from(Run)),
            "ledger": db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
                LedgerEntry.kind == "reserve"))}


CSV = ("text,de-de,es\n"
       "Good morning.,Guten Morgen.,Buenos días.\n"
       "Thank you very much.,Vielen Dank.,Muchas gracias.\n").encode()
JSON_DOC = json.dumps({"lines": [{"text": "Where is the station?", "line_id": "q1",
                                  "translations": {"de": "Wo ist der Bahnhof?",
                                                   "es-ES": "¿Dónde está la estación?"}}]}).encode()


def test_bilingual_csv_and_json_fan_out_to_every_locale_with_espeak(client, owner_api, owner, workspace, fakes):
    credits.ensure_period_grant(owner)
    db.session.commit()
    wf = workflow_with_uploads(client, owner_api, {"lines.csv": CSV, "lines.json": JSON_DOC}, ["de-de", "es-es"])
    run = start(owner_api, wf)
    assert all(not f.requests for f in fakes.values())                 # no MT configured, none needed
    tr_row = next(r for r in run["estimate"]["breakdown"] if r["node_id"] == "tr")
    assert tr_row["min_credits"] == 2                                   # priced per added locale (1 + 1)
    row = finish(owner_api, wf, run["id"])
    assert row.locales == ["de-de", "en-us", "es-es"]
    expected = {
        (0, "en-us"): "Good morning.", (0, "de-de"): "Guten Morgen.", (0, "es-es"): "Buenos días.",
        (1, "en-us"): "Thank you very much.", (1, "de-de"): "Vielen Dank.", (1, "es-es"): "Muchas gracias.",
        (2, "en-us"): "Where is the station?", (2, "de-de"): "Wo ist der Bahnhof?",
        (2, "es-es"): "¿Dónde está la estación?",
    }
    gens = takes(run["id"], "operator_generator")
    assert {(t.line_index, t.locale): t.text for t in gens} == expected
    assert all(t.status == "done" for t in gens)
    sinks = takes(run["id"], "sink_preview")
    assert {(t.line_index, t.locale) for t in sinks} == set(expected)
    store = get_store()
    for t in sinks:
        assert decode(store.get_bytes(t.audio_key)).duration_ms > 300
    # one translator take per line, in the script's language, billed per added language
    trs = takes(run["id"], "operator_translator")
    assert [(t.line_index, t.locale, t.status) for t in trs] == [(0, "en-us", "done"), (1, "en-us", "done"),
                                                                 (2, "en-us", "done")]
    assert [t.units for t in trs] == [len("Good morning.") * 2, len("Thank you very much.") * 2,
                                      len("Where is the station?") * 2]
    assert trs[2].meta["translations"] == {"de-de": "script", "es-es": "script"}
    assert row.lines[2]["translations"]["es-es"] == "¿Dónde está la estación?"
    # the bilingual pairs went into the translation memory
    assert [(e.target_locale, e.source_text, e.target_text, e.origin) for e in memory()] == [
        ("de-de", "Good morning.", "Guten Morgen.", "script"),
        ("de-de", "Thank you very much.", "Vielen Dank.", "script"),
        ("de-de", "Where is the station?", "Wo ist der Bahnhof?", "script"),
        ("es-es", "Good morning.", "Buenos días.", "script"),
        ("es-es", "Thank you very much.", "Muchas gracias.", "script"),
        ("es-es", "Where is the station?", "¿Dónde está la estación?", "script")]
    data = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf}/runs/{run['id']}/data?language=de-de"))["data"]
    assert "Guten Morgen." in json.dumps(data, ensure_ascii=False)


PARTIAL_CSV = ("text,de-de\n"
               "Good morning.,Guten Morgen.\n"
               "The train leaves at noon.,\n"
               "Thank you very much.,Vielen Dank.\n").encode()


def test_mt_fills_only_missing_lines_and_the_memory_serves_the_next_run_without_mt(client, owner_api, owner,
                                                                                    workspace, fakes):
    credits.ensure_period_grant(owner)
    db.session.commit()
    deepl = fakes["deepl"]
    configure(workspace, "deepl", deepl)
    wf = workflow_with_uploads(client, owner_api, {"partial.csv": PARTIAL_CSV}, ["de-de", "fr-fr"])
    first = start(owner_api, wf)
    # one batched request per language, only for what the script and the memory lack
    sent = [(r["json"]["target_lang"], r["json"]["source_lang"], r["json"]["text"]) for r in deepl.requests]
    assert sent == [("DE", "EN", ["The train leaves at noon."]),
                    ("FR", "EN", ["Good morning.", "The train leaves at noon.", "Thank you very much."])]
    assert [(e.target_locale, e.source_text, e.origin) for e in memory()] == [
        ("de-de", "Good morning.", "script"), ("de-de", "Thank you very much.", "script"),
        ("de-de", "The train leaves at noon.", "mt"),
        ("fr-fr", "Good morning.", "mt"), ("fr-fr", "Thank you very much.", "mt"),
        ("fr-fr", "The train leaves at noon.", "mt")]
    finish(owner_api, wf, first["id"])
    gens = {(t.line_index, t.locale): t.text for t in takes(first["id"], "operator_generator")}
    assert gens[(1, "de-de")] == "Der Zug fährt um zwölf Uhr ab." and gens[(0, "de-de")] == "Guten Morgen."
    assert gens[(0, "fr-fr")] == "Bonjour." and gens[(1, "fr-fr")] == "Le train part à midi."
    assert len(takes(first["id"], "sink_preview")) == 9
    origins = {t.line_index: t.meta["translations"] for t in takes(first["id"], "operator_translator")}
    assert origins[1] == {"de-de": "memory:mt", "fr-fr": "memory:mt"} and origins[0]["de-de"] == "script"

    # the key is removed: the second run needs no MT at all, the memory has every line
    provider_credentials.remove(workspace.id, "mt", "deepl")
    db.session.commit()
    deepl.reset()
    second = start(owner_api, wf)
    assert deepl.requests == []
    finish(owner_api, wf, second["id"])
    again = {(t.line_index, t.locale): t.text for t in takes(second["id"], "operator_generator")}
    assert again == gens
    assert {e.source_text: e.uses_count for e in memory() if e.origin == "mt" and e.target_locale == "fr-fr"} == {
        "Good morning.": 1, "The train leaves at noon.": 1, "Thank you very much.": 1}


def test_a_language_that_cannot_be_translated_fails_at_launch_with_nothing_reserved(client, owner_api, workspace):
    wf = workflow_with_uploads(client, owner_api, {"partial.csv": PARTIAL_CSV}, ["de-de", "fr-fr"])
    before = counts()
    body = assert_error(owner_api.post(f"/api/v1/workflows/{wf}/runs"), 422, "VALIDATION_ERROR")
    err = body["error"]
    assert "fr-fr" in err["message"] and "de-de" in err["message"]      # one de line lacks it too
    by_locale = {d["locale"]: d for d in err["details"]}
    assert set(by_locale) == {"de-de", "fr-fr"}
    assert by_locale["fr-fr"]["missing_lines"] == 3 and by_locale["de-de"]["missing_lines"] == 1
    assert by_locale["fr-fr"]["field"] == "definition.graph.nodes[1].config.target_languages"
    assert by_locale["fr-fr"]["rule"] == "translation_missing" and by_locale["fr-fr"]["node_id"] == "tr"
    assert "no machine-translation provider is configured" in by_locale["fr-fr"]["message"]
    assert counts() == before                                           # no run, no credit hold
    # a script with every German line passes for German alone
    full = workflow_with_uploads(client, owner_api, {"full.csv": CSV}, ["de-de"])
    assert start(owner_api, full)["status"] == "pending"


XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file source-language="en-US" target-language="de-DE" datatype="plaintext" original="script">
    <body>
      <trans-unit id="a"><source>Good morning.</source><target>Guten Morgen.</target></trans-unit>
      <trans-unit id="b"><source>Where is the station?</source><target>Wo ist der Bahnhof?</target></trans-unit>
    </body>
  </file>
</xliff>""".encode()
XLIFF20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en-US" trgLang="es">
  <file id="f1"><unit id="u1"><segment><source>Thank you very much.</source>
    <target>Muchas gracias.</target></segment></unit></file>
</xliff>""".encode()


def test_xliff_targets_are_the_scripts_own_translations(client, owner_api, workspace, fakes):
    # German target text does not stand in for another language
    wf3 = workflow_with_uploads(client, owner_api, {"de2.xliff": XLIFF12}, ["fr-fr"])
    err = assert_error(owner_api.post(f"/api/v1/workflows/{wf3}/runs"), 422, "VALIDATION_ERROR")["error"]
    assert [d["locale"] for d in err["details"]] == ["fr-fr"]
    wf = workflow_with_uploads(client, owner_api, {"de.xliff": XLIFF12}, ["de-de"])
    start(owner_api, wf)
    wf2 = workflow_with_uploads(client, owner_api, {"es.xlf": XLIFF20}, ["es-es"])     # bare "es" fits es-es
    start(owner_api, wf2)
    assert all(not f.requests for f in fakes.values())
    assert [(e.target_locale, e.target_text, e.origin) for e in memory()] == [
        ("de-de", "Guten Morgen.", "script"), ("de-de", "Wo ist der Bahnhof?", "script"),
        ("es-es", "Muchas gracias.", "script")]


@pytest.mark.parametrize("keys,locale,expected", [
    ({"de-de": "A"}, "de-de", "A"),
    ({"de": "A"}, "de-de", "A"),                      # a bare family fits any region of it
    ({"DE_de": "A"}, "de-de", "A"),                   # tags are compared case- and separator-blind
    ({"pt-br": "B"}, "pt-pt", None),                  # another region does not
    ({"pt": "P", "pt-pt": "PT"}, "pt-pt", "PT"),      # the exact region wins over the family
    ({"pt": "P", "pt-pt": "PT"}, "pt-br", "P"),
    ({"es": "   "}, "es-es", None),                   # blank is missing
    ({}, "de-de", None),
])
def test_script_translation_matching(keys, locale, expected):
    assert translations.script_translation({"translations": keys}, locale) == expected


def test_a_refused_key_falls_back_to_the_next_provider_and_all_refusals_are_a_422(owner_api, workspace, fakes):
    deepl, openai = fakes["deepl"], fakes["openai_compatible"]
    configure(workspace, "deepl", deepl, secret="wrong-key")
    configure(workspace, "openai_compatible", openai, model="local-llm")
    text = "Good morning.\nWhere is the station?"
    wf = make_workflow(owner_api, definition([{"id": "src", "config": {"text": text}}], ["fr-fr"]))
    run = start(owner_api, wf["id"])
    assert len(deepl.requests) == 1                                     # 403: not retried
    assert [json.loads(r["json"]["messages"][1]["content"]) for r in openai.requests] == [
        ["Good morning.", "Where is the station?"]]
    assert openai.requests[0]["json"]["model"] == "local-llm"
    assert {(e.source_text, e.target_text, e.origin) for e in memory()} == {
        ("Good morning.", "Bonjour.", "mt"), ("Where is the station?", "Où est la gare ?", "mt")}
    assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/cancel"))

    # both providers refuse: 422 naming the language and each provider's reason
    configure(workspace, "openai_compatible", openai, secret="sk-wrong", model="local-llm")
    wf2 = make_workflow(owner_api, definition([{"id": "src", "config": {"text": "A new line."}}], ["es-es"]),
                        name="Second")
    before = counts()
    err = assert_error(owner_api.post(f"/api/v1/workflows/{wf2['id']}/runs"), 422, "VALIDATION_ERROR")["error"]
    assert [d["locale"] for d in err["details"]] == ["es-es"]
    assert "deepl: the API key was refused" in err["details"][0]["message"]
    assert "openai_compatible: the API key was refused" in err["details"][0]["message"]
    assert counts() == before


def test_the_preferred_provider_is_asked_first(owner_api, workspace, fakes):
    libre, openai = fakes["libretranslate"], fakes["openai_compatible"]
    configure(workspace, "libretranslate", libre)
    configure(workspace, "openai_compatible", openai, preferred=True)
    wf = make_workflow(owner_api, definition([{"id": "src", "config": {"text": "Good morning."}}], ["de-de"]))
    start(owner_api, wf["id"])
    assert libre.requests == [] and len(openai.requests) == 1
    assert [e.target_text for e in memory()] == ["Guten Morgen."]


def test_an_outage_is_a_503_that_keeps_what_it_translated_and_the_retry_continues(owner_api, workspace, fakes):
    libre = fakes["libretranslate"]
    configure(workspace, "libretranslate", libre)
    text = "Good morning.\nThank you very much."
    wf = make_workflow(owner_api, definition([{"id": "src", "config": {"text": text}}], ["de-de", "fr-fr"]))
    libre.ok(1).fail(503, times=3)                   # German goes through, French meets an outage
    before = counts()
    resp = owner_api.post(f"/api/v1/workflows/{wf['id']}/runs")
    err = assert_error(resp, 503, "TRANSLATION_UNAVAILABLE")["error"]
    assert resp.headers["Retry-After"] == str(translations.RETRY_AFTER_SECONDS)
    assert [d["locale"] for d in err["details"]] == ["fr-fr"] and "HTTP 503" in err["details"][0]["message"]
    assert counts() == before
    assert len(libre.requests) == 4 and [e.target_locale for e in memory()] == ["de-de", "de-de"]
    libre.reset()
    start(owner_api, wf["id"])                       # the retry asks only for French
    assert [(r["json"]["target"], r["json"]["q"]) for r in libre.requests] == [
        ("fr", ["Good morning.", "Thank you very much."])]


def test_the_official_sdk_sees_the_422_and_rides_out_a_503(app, owner, owner_key, workspace, fakes):
    """Launches through the onepin SDK (in process, over a WSGI transport): the gate's 422 reaches the
    caller with the language named; a 503 is retried by the SDK itself and the retry creates one run."""
    import httpx
    from onepin import OnepinClient
    from onepin.core.api_error import ApiError

    def wsgi(environ, start_response):           # each request in its own app context, as in production
        with app.app_context():
            return app.wsgi_app(environ, start_response)

    credits.ensure_period_grant(owner)
    db.session.commit()
    sdk = OnepinClient(api_key=owner_key, base_url="http://testserver",
                       httpx_client=httpx.Client(transport=httpx.WSGITransport(app=wsgi), timeout=30))
    from tests.conftest import Api
    api = Api(app.test_client(), owner_key)
    wf = make_workflow(api, definition([{"id": "src", "config": {"text": "Good morning."}}], ["ko-kr"]))
    with pytest.raises(ApiError) as exc:
        sdk.workflows.runs.start(wf["id"])
    assert exc.value.status_code == 422
    assert exc.value.body["error"]["code"] == "VALIDATION_ERROR" and "ko-kr" in exc.value.body["error"]["message"]
    assert counts()["runs"] == 0

    libre = fakes["libretranslate"]
    configure(workspace, "libretranslate", libre)
    libre.fail(503, times=3)                         # the whole first launch meets the outage
    run = sdk.workflows.runs.start(wf["id"]).data
    assert run.status == "pending" and len(libre.requests) == 4
    assert counts() == {"runs": 1, "ledger": 1}
    assert memory()[0].target_text == "[ko] Good morning."


def test_the_gate_works_on_the_embedded_sqlite_database(tmp_path, fakes):
    """SQLite (the one-machine default) allows one writer: the memory is written inside the launch's
    own transaction there, so the launch's credit grant and the memory never wait on each other."""
    from flask_migrate import upgrade

    from app import create_app
    from tests.conftest import Api, _fresh_context_client_class
    from tests.factories import make_key, make_user, make_workspace
    lite = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/lite.db", "TESTING": True})
    lite.test_client_class = _fresh_context_client_class()
    ctx = lite.app_context()
    ctx.push()
    try:
        upgrade()
        user = make_user(email="lite@example.com")
        ws = make_workspace(user, name="Lite")
        api = Api(lite.test_client(), make_key(ws, user))
        configure(ws, "libretranslate", fakes["libretranslate"])
        wf = make_workflow(api, definition([{"id": "src", "config": {"text": "Good morning."}}], ["de-de"]))
        assert start(api, wf["id"])["status"] == "pending"
        assert [(e.target_text, e.origin) for e in memory()] == [("Guten Morgen.", "mt")]
        provider_credentials.remove(ws.id, "mt", "libretranslate")
        db.session.commit()
        wf2 = make_workflow(api, definition([{"id": "src", "config": {"text": "Good morning.\nNew."}}], ["de-de"]),
                            name="Second")
        err = assert_error(api.post(f"/api/v1/workflows/{wf2['id']}/runs"), 422, "VALIDATION_ERROR")["error"]
        assert err["details"][0]["missing_lines"] == 1 and err["details"][0]["locale"] == "de-de"
        assert counts() == {"runs": 1, "ledger": 1}
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
