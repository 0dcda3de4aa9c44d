"""voices.similar: voiceprint ranking. The key measurement: a held-out sample of each espeak-ng voice
(a sentence the catalog never rendered) must find that same voice first for at least 80% of the voices.
The suite measures every en-us voice (each variant, the regional voice); bench/voice_similarity.py
measures the whole catalog."""
from __future__ import annotations

from app.extensions import db
from app.services import voice_catalog
from app.services.voices import rank_by_voiceprint
from app.speech import voicebook, voiceprint
from tests.conftest import assert_envelope, assert_error

HELD_OUT = {
    "en-us": "Good morning. Today we will talk about the weather, the markets and a new bridge downtown.",
    "en-gb": "Please remember to save your work before you close the window, and check the numbers twice.",
    "de-de": "Guten Morgen. Heute sprechen wir über das Wetter, die Märkte und eine neue Brücke.",
}


def test_held_out_sample_finds_its_own_voice_first(catalog, ws_api):
    ws, _api = ws_api
    voices = [r for r in catalog.values() if r["provider"] == "espeak" and r["supported_languages"] == ["en-us"]]
    assert len(voices) >= 100
    hits, misses = 0, []
    for row in voices:
        clip = voicebook.render({"provider": "espeak", "provider_voice_id": row["provider_voice_id"]},
                                HELD_OUT["en-us"])
        ranked = rank_by_voiceprint(ws.id, voiceprint.embed(clip), languages=["en-us"], limit=3)
        if ranked[0][0].id == row["id"]:
            hits += 1
        else:
            misses.append((row["id"], ranked[0][0].id))
    rate = hits / len(voices)
    print(f"\nheld-out top-1 (en-us, language filter): {hits}/{len(voices)} = {rate:.1%}; misses: {misses}")
    assert rate >= 0.80, (rate, misses)


def test_similar_endpoint_ranks_and_filters(catalog, ws_api):
    _ws, api = ws_api
    body = assert_envelope(api.get("/api/v1/voices/espeak:en-us+f3/similar?limit=8"))
    rows = body["data"]
    assert len(rows) == 8 and body["pagination"]["limit"] == 8 and "total" not in body["pagination"]
    scores = [r["similarity_score"] for r in rows]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    assert "espeak:en-us+f3" not in [r["id"] for r in rows]
    assert {"provider_voice_id", "is_active", "model_capabilities", "sample_url"} <= set(rows[0])
    # the nearest voice of a female variant is female: the same variant in another language, or a close one
    assert rows[0]["gender"] == "female"
    assert {"espeak:en+f3", "espeak:de+f3"} & {r["id"] for r in rows[:3]}, [r["id"] for r in rows]
    # a language filter narrows the candidates without changing their scores
    de = assert_envelope(api.get("/api/v1/voices/espeak:en-us+f3/similar?language=de&limit=50"))["data"]
    assert de and all(r["supported_languages"] == ["de-de"] for r in de)
    both = assert_envelope(api.get("/api/v1/voices/espeak:en-us+f3/similar?language=de-de&language=en-gb"
                                   "&limit=50"))["data"]
    assert {loc for r in both for loc in r["supported_languages"]} == {"de-de", "en-gb"}
    unfiltered = {r["id"]: r["similarity_score"] for r in assert_envelope(
        api.get("/api/v1/voices/espeak:en-us+f3/similar?limit=50"))["data"]}
    assert all(unfiltered[r["id"]] == r["similarity_score"] for r in de if r["id"] in unfiltered)
    # the same voice in another language is closer than an unrelated timbre in that language
    de_ids = [r["id"] for r in de]
    assert de_ids.index("espeak:de+f3") < de_ids.index("espeak:de+robosoft")
    for qs in ("limit=0", "limit=51", "limit=x", "language=xx", "&".join(["language=en"] * 17)):
        assert_error(api.get(f"/api/v1/voices/espeak:en-us+f3/similar?{qs}"), 422, "VALIDATION_ERROR")
    assert_error(api.get("/api/v1/voices/espeak:nope/similar"), 404)


def test_a_voice_without_a_voiceprint_yet_is_503_with_retry_after(catalog, ws_api):
    ws, api = ws_api
    (voice,) = voice_catalog.import_provider_voices(ws.id, "openai", [
        {"provider_voice_id": "alloy", "name": "Alloy", "supported_languages": ["en-us"]}], render=False)
    db.session.commit()
    resp = api.get(f"/api/v1/voices/{voice.id}/similar")
    assert_error(resp, 503, "SERVICE_UNAVAILABLE")
    assert int(resp.headers["Retry-After"]) > 0
    # once it has one (here: a voiceprint of espeak's en-us+f3 audio), it ranks like any other voice
    clip = voicebook.render({"provider": "espeak", "provider_voice_id": "en-us+f3"}, HELD_OUT["en-us"])
    voice.voiceprint = [float(x) for x in voiceprint.embed(clip)]
    voice.voiceprint_version = voiceprint.VERSION
    db.session.commit()
    rows = assert_envelope(api.get(f"/api/v1/voices/{voice.id}/similar?limit=3"))["data"]
    assert rows[0]["id"] == "espeak:en-us+f3"
    # and it is a candidate for platform voices asked from its own workspace
    near = assert_envelope(api.get("/api/v1/voices/espeak:en-us+f3/similar?limit=3"))["data"]
    assert voice.id in [r["id"] for r in near]
