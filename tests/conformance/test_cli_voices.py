"""The official onepin 0.16.1 CLI against a live server: voices (list with each filter, facets, show,
similar, sample, favourite/unfavourite) and `workflows set-voice` followed by a real run with that voice.
Every test checks what the CLI prints and its exit code.

The live server's catalog is built once per session by the `voice_catalog` fixture (conftest.py): the operator
command `onepin-server refresh-catalog` with a few variants in three locales, plus Piper's Joe."""
from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pytest

from tests.conformance.cli_helpers import create_workflow, definition, ok, par, show_workflow, write_json
from tests.conformance.conftest import CATALOG_VOICES, _err_code, _table

pytestmark = pytest.mark.conformance

VOICE_COLUMNS = ["id", "name", "provider", "gender", "category"]
TOTAL = CATALOG_VOICES


def _rows(cli, *args) -> list[dict]:
    return ok(cli("voices", "list", *args, "--json")).json()


def _ids(rows) -> set[str]:
    return {r["id"] for r in rows}


def test_voices_list_table_footer_and_each_filter(voice_catalog, logged_in):
    _acct, cli = logged_in
    table, page, everything = par(cli, ("--no-color", "voices", "list"), ("--no-color", "voices", "list", "--limit", "5"),
                                  ("voices", "list", "--json"))
    header, rows = _table(ok(table).out)
    assert header == VOICE_COLUMNS and len(rows) == TOTAL
    assert f"Showing {TOTAL} of {TOTAL}." in table.out
    _h, five = _table(ok(page).out)
    assert len(five) == 5 and f"Showing 5 of {TOTAL}." in page.out and f"{TOTAL - 5} more" in page.out
    every = ok(everything).json()
    by_id = {r["id"]: r for r in every}
    assert {row[0] for row in rows} == set(by_id)
    row = next(r for r in rows if r[0] == "espeak:en+f3")
    assert row[1:] == ["Female 3 (British English)", "espeak", "female", "narration"]

    calls = {
        "gender": ("--gender", "female"), "age": ("--age", "old"), "category": ("--category", "story"),
        "accent": ("--accent", "british"), "source": ("--source", "platform"), "provider": ("--provider", "piper"),
        "model": ("--model", "espeak-ng"), "language": ("--language", "en-gb,de-de"), "family": ("--language", "en"),
        "sorted": ("--sort", "name", "--order", "desc"), "search": ("--search", "calm female British narrator"),
        "offset": ("--sort", "name", "--offset", "3", "--limit", "4"),
    }
    results = dict(zip(calls, par(cli, *(("voices", "list", *args, "--json") for args in calls.values()))))
    got = {k: ok(r).json() for k, r in results.items()}
    for field, value in (("gender", "female"), ("age", "old"), ("category", "story"), ("accent", "british")):
        assert got[field] and _ids(got[field]) == {i for i, r in by_id.items() if r[field] == value}, field
    assert _ids(got["source"]) == set(by_id)
    assert _ids(got["provider"]) == {"piper:en_US-joe-medium"}
    assert _ids(got["model"]) == {i for i in by_id if i.startswith("espeak:")}
    assert _ids(got["language"]) == {i for i, r in by_id.items() if r["supported_languages"][0] in ("en-gb", "de-de")}
    assert all(r["language_sample_locale"] in ("en-gb", "de-de") for r in got["language"])
    assert _ids(got["family"]) == {i for i, r in by_id.items() if r["supported_languages"][0].startswith("en-")}
    names = [r["name"].lower() for r in got["sorted"]]
    assert names == sorted(names, reverse=True)
    assert [r["id"] for r in got["offset"]] == [r["id"] for r in sorted(every, key=lambda r: (r["name"].lower(), r["id"]))][3:7]
    first = got["search"][0]
    assert (first["gender"], first["accent"], first["category"]) == ("female", "british", "narration"), first

    bad = cli("voices", "list", "--language", "xx-yy")
    assert bad.code == 1 and _err_code(bad) == "VALIDATION_ERROR", bad


def test_voices_facets_show_and_similar(voice_catalog, logged_in):
    _acct, cli = logged_in
    facets_all, facets_gb, shown_j, shown_t, similar_j, similar_t, similar_de, missing = par(
        cli, ("voices", "facets", "--json"), ("voices", "facets", "--language", "en-gb", "--gender", "female", "--json"),
        ("voices", "show", "espeak:en-us+whisperf", "--json"), ("--no-color", "voices", "show", "espeak:en-us+whisperf"),
        ("voices", "similar", "espeak:en-us+f3", "--limit", "3", "--json"),
        ("--no-color", "voices", "similar", "espeak:en-us+f3", "--limit", "3"),
        ("voices", "similar", "espeak:en-us+f3", "--language", "de-de", "--json"),
        ("voices", "show", "espeak:no-such-voice"))
    f = ok(facets_all).json()
    assert {i["value"]: i["count"] for i in f["providers"]} == {"espeak": TOTAL - 1, "piper": 1}
    assert {i["value"]: i["count"] for i in f["languages"]} == {"de-de": 5, "en-gb": 9, "en-us": 7}
    assert [i["value"] for i in f["genders"]] == ["male", "female", "neutral"]
    gb = ok(facets_gb).json()
    # context-aware: gender chips count en-gb voices; language chips count female voices
    assert {i["value"]: i["count"] for i in gb["genders"]}["male"] == 6
    assert {i["value"]: i["count"] for i in gb["languages"]} == {"de-de": 3, "en-gb": 3, "en-us": 3}
    assert [i["value"] for i in gb["providers"]] == ["espeak"]

    voice = ok(shown_j).json()
    assert voice["id"] == "espeak:en-us+whisperf" and voice["provider_voice_id"] == "en-us+whisperf"
    assert voice["is_active"] is True and voice["supported_languages"] == ["en-us"]
    assert voice["model_capabilities"][0]["model"] == "espeak-ng" and voice["sample_url"].startswith("http")
    assert "name: Female Whisper (US English)" in ok(shown_t).out.splitlines()

    sims = ok(similar_j).json()
    assert len(sims) == 3 and all(0 <= s["similarity_score"] <= 1 for s in sims)
    assert [s["similarity_score"] for s in sims] == sorted((s["similarity_score"] for s in sims), reverse=True)
    header, rows = _table(ok(similar_t).out)
    assert header == VOICE_COLUMNS and [r[0] for r in rows] == [s["id"] for s in sims]
    de = ok(similar_de).json()
    assert de and all(s["supported_languages"] == ["de-de"] for s in de) and de[0]["id"] == "espeak:de+f3"
    assert missing.code == 1 and _err_code(missing) == "NOT_FOUND", missing


def test_voices_sample_writes_previews_and_falls_back(voice_catalog, logged_in):
    _acct, cli = logged_in
    out_dir = cli.home / "samples"
    out_dir.mkdir()
    r = ok(cli("voices", "sample", "espeak:en-us+f3", "piper:en_US-joe-medium", "espeak:en+f3",
               "--language", "en-us", "--out-dir", str(out_dir), "--json"))
    rows = {row["voice_id"]: row for row in r.json()}
    f3, joe, gb = rows["espeak:en-us+f3"], rows["piper:en_US-joe-medium"], rows["espeak:en+f3"]
    assert (f3["locale"], f3["model"], f3["fallback"]) == ("en-us", "espeak-ng", False)
    assert (joe["locale"], joe["model"]) == ("en-us", "piper-vits")
    # the British voice has no en-us preview: 404 -> the CLI falls back to its default sample
    assert gb["fallback"] is True and gb["locale"] is None
    files = sorted(p.name for p in out_dir.iterdir())
    assert len(files) == 3 and all(name.endswith(".mp3") for name in files), files
    import soundfile as sf
    for path in out_dir.iterdir():
        data = path.read_bytes()
        assert data[:3] == b"ID3" or data[:2] in (b"\xff\xfb", b"\xff\xf3"), path
        samples, rate = sf.read(io.BytesIO(data))
        assert 2.0 < len(samples) / rate < 12.0, path
    # without --language: the default sample only
    plain = ok(cli("voices", "sample", "espeak:de+m3", "--json")).json()
    assert plain[0]["sample_url"].startswith("http") and plain[0]["fallback"] is False


def test_voices_favorite_and_unfavorite(voice_catalog, logged_in):
    _acct, cli = logged_in
    fav, fav_again = par(cli, ("voices", "favorite", "espeak:de+f3"), ("voices", "favorite", "espeak:de+f3", "--json"))
    assert ok(fav).out.strip() == "Favorited voice espeak:de+f3."
    assert ok(fav_again).json()["is_favorite"] is True
    listed = _rows(cli, "--favorites-only")
    assert _ids(listed) == {"espeak:de+f3"} and listed[0]["is_favorite"] is True
    unfav = ok(cli("voices", "unfavorite", "espeak:de+f3"))
    assert unfav.out.strip() == "Unfavorited voice espeak:de+f3."
    assert _rows(cli, "--favorites-only") == []
    assert ok(cli("voices", "unfavorite", "espeak:de+f3")).out.strip() == "Unfavorited voice espeak:de+f3."


def _voiceprint_of_wav(data: bytes) -> np.ndarray:
    from app.speech import audio, voiceprint
    return voiceprint.embed(audio.decode(data))


def test_set_voice_then_the_run_speaks_with_that_voice(voice_catalog, logged_in, conf_db):
    _acct, cli = logged_in
    wf = create_workflow(cli, "Voice swap", definition("The lighthouse keeper climbed the stairs.\n"
                                                      "Every evening he wrote a short letter home."))
    before = show_workflow(cli, wf)["definition"]
    r = ok(cli("workflows", "set-voice", wf, "--locale", "en-us", "--voice", "espeak:en-us+whisperf"))
    lines = r.out.strip().splitlines()
    assert lines[0] == "Set en-us to Female Whisper (US English) (espeak/espeak-ng) on node gen."
    assert lines[1].startswith("Previous: en-us (espeak/espeak-ng)")
    after = show_workflow(cli, wf)["definition"]
    gen = next(n for n in after["graph"]["nodes"] if n["id"] == "gen")
    assert gen["config"]["voice_map"]["en-us"] == [{
        "voice_id": "en-us+whisperf", "catalog_voice_id": "espeak:en-us+whisperf", "provider": "espeak",
        "model": "espeak-ng", "voice_name": "Female Whisper (US English)"}]
    assert [n["id"] for n in after["graph"]["nodes"]] == [n["id"] for n in before["graph"]["nodes"]]
    # the written definition round-trips and is runnable
    ok(cli("workflows", "update", wf, "--definition", write_json(cli, "sv.json", after)))
    run = re.fullmatch(r"Run (\S+) finished: completed\.", ok(cli("workflows", "run", wf, "--watch", "--timeout",
                                                                  "90")).out.strip()).group(1)
    data = ok(cli("workflows", "runs", "data", wf, run, "--json")).json()
    cards = [c for row in data["rows"] for c in row["cards"]]
    assert len(cards) == 2 and {c["voice"]["display_name"] for c in cards} == {"Female Whisper (US English)"}
    ok(cli("workflows", "runs", "download", wf, run, "--out", "voice.zip"))
    # the finished run counted one use of the voice (the uses_count sort)
    assert ok(cli("voices", "show", "espeak:en-us+whisperf", "--json")).json()["uses_count"] == 1
    # the delivered audio IS that voice: its voiceprint's nearest catalog voice (among the en-us ones) is it
    from sqlalchemy import text

    from app.speech import voiceprint
    with conf_db.connect() as conn:
        catalog = conn.execute(text("SELECT id, voiceprint FROM voices WHERE workspace_id IS NULL AND is_active "
                                    "AND voiceprint IS NOT NULL")).all()
    ids = [c.id for c in catalog]
    matrix = np.array([c.voiceprint if isinstance(c.voiceprint, list) else __import__("json").loads(c.voiceprint)
                       for c in catalog], dtype=float)
    scaler = voiceprint.Scaler(matrix)
    with zipfile.ZipFile(cli.home / "voice.zip") as z:
        wavs = [n for n in z.namelist() if n.endswith(".wav")]
        assert len(wavs) == 2
        for name in wavs:
            scores = voiceprint.scores(_voiceprint_of_wav(z.read(name)), matrix, scaler)
            en_us = [i for i in np.argsort(-scores) if ids[i].startswith(("espeak:en-us", "piper:"))]
            assert ids[en_us[0]] == "espeak:en-us+whisperf", [(ids[i], round(scores[i], 3)) for i in en_us[:3]]


def test_set_voice_refuses_what_the_voice_cannot_do(voice_catalog, logged_in):
    _acct, cli = logged_in
    wf = create_workflow(cli, "Refusals", definition())
    wrong_locale, wrong_model, missing = par(
        cli, ("workflows", "set-voice", wf, "--locale", "de-de", "--voice", "espeak:en+f3"),
        ("workflows", "set-voice", wf, "--locale", "en-us", "--voice", "espeak:en-us+f3", "--model", "piper-vits"),
        ("workflows", "set-voice", wf, "--locale", "en-us", "--voice", "espeak:nope"))
    assert wrong_locale.code == 1 and _err_code(wrong_locale) == "VALIDATION_ERROR"
    assert "does not support de-de" in wrong_locale.err
    assert wrong_model.code == 1 and "has no model piper-vits" in wrong_model.err, wrong_model
    assert missing.code == 1 and _err_code(missing) == "NOT_FOUND", missing
    # nothing was written
    gen = next(n for n in show_workflow(cli, wf)["definition"]["graph"]["nodes"] if n["id"] == "gen")
    assert set(gen["config"]["voice_map"]) == {"en-us"} and gen["config"]["voice_map"]["en-us"][0]["voice_id"] == "en-us"
