"""sink_preview in real runs: an MP3 sink gets a real MP3 (encoded by the worker before delivery, not in
the routing transaction and not at export), named by line index and locale in the ZIP, with a manifest
that carries text, voice, scores and attempts; a WAV sink keeps the generator's WAV without a copy."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from sqlalchemy import select

from app.extensions import db
from app.models import Take
from app.services import credits
from app.speech.audio import decode
from app.speech.audio_checks import inspect
from app.storage import get_store
from tests.conftest import assert_envelope
from tests.engine.conftest import make_workflow, run_burst, start
from tests.run_reads.conftest import fetch_signed

LINES = ["Please keep your ticket until the end of the journey.", "The museum is closed on Mondays."]


def definition(fmt: str, validate: bool = True) -> dict:
    defn = {"graph": {"nodes": [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": "\n".join(LINES)}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 200, "y": 0},
         "config": {"voice_map": {"en-us": [{"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng",
                                             "voice_name": "Espeak US"}]}}},
        {"id": "clarity", "type": "validator_noise", "position": {"x": 400, "y": 0}, "config": {}},
        {"id": "out", "type": "sink_preview", "position": {"x": 600, "y": 0}, "config": {"format": fmt}}],
        "edges": [{"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
                  {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "clarity", "targetPort": "lines"},
                  {"id": "e3", "source": "clarity", "sourcePort": "pass", "target": "out", "targetPort": "lines"}]}}
    if not validate:                 # generator straight into the sink
        defn["graph"]["nodes"].pop(2)
        defn["graph"]["edges"][1:] = [{"id": "e2", "source": "gen", "sourcePort": "lines", "target": "out",
                                       "targetPort": "lines"}]
    return defn


def run_to_end(api, owner, fmt: str, validate: bool = True):
    wf = make_workflow(api, definition(fmt, validate), name=f"Sink {fmt}")
    credits.ensure_period_grant(owner)
    db.session.commit()
    run = start(api, wf["id"])
    done = run_burst(ONEPIN_ENGINE_PLUGINS="")
    assert done.returncode == 0, done.stderr[-3000:]
    run = assert_envelope(api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"))["data"]
    assert run["status"] == "completed", run
    db.session.rollback()
    takes = list(db.session.scalars(select(Take).where(Take.run_id == run["id"]).order_by(Take.line_index)))
    return wf, run, done.stdout + done.stderr, takes


def test_mp3_sink_delivers_real_mp3_files_and_a_manifest_in_the_zip(owner_api, owner, client):
    wf, run, log, takes = run_to_end(owner_api, owner, "mp3")
    store = get_store()
    gens = {t.line_index: t for t in takes if t.node_type == "operator_generator"}
    sinks = {t.line_index: t for t in takes if t.node_type == "sink_preview"}
    assert sorted(sinks) == [0, 1]
    for i, sink in sinks.items():
        # the sink's own file: an MP3 next to the run's outputs, encoded by the worker before delivery
        assert sink.content_type == "audio/mpeg" and sink.audio_key != gens[i].audio_key
        assert sink.audio_key.endswith(f"/runs/{run['id']}/outputs/out/{i:05d}_en-us-a1.mp3")
        data = store.get_bytes(sink.audio_key)
        assert data[:3] == b"ID3" or data[0] == 0xFF
        mp3 = decode(data)
        assert abs(mp3.duration_ms - gens[i].duration_ms) < 100 and inspect(mp3, LINES[i]).ok
    assert "synthesized take=" in log and "at delivery (not prepared)" not in log   # not encoded while routing

    base = f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"
    got = fetch_signed(client, assert_envelope(owner_api.get(base + "/download"))["data"]["url"])
    assert got.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(got.data))
    assert sorted(zf.namelist()) == ["000_en-us.mp3", "001_en-us.mp3", "manifest.csv", "manifest.json"]
    for i in (0, 1):
        data = zf.read(f"00{i}_en-us.mp3")
        assert data == store.get_bytes(sinks[i].audio_key)          # the delivered file as is, no re-encode
        assert inspect(decode(data), LINES[i]).ok                   # decodable, duration plausible for the text
    files = json.loads(zf.read("manifest.json"))["files"]
    assert [f["file"] for f in files] == ["000_en-us.mp3", "001_en-us.mp3"]
    assert [f["text"] for f in files] == LINES and all(f["voice"] == "Espeak US" and f["attempts"] == 1 for f in files)
    verdict = files[0]["scores"]["clarity"]
    assert verdict["kind"] == "noise" and verdict["passed"] is True and verdict["threshold"] == 70
    assert verdict["score"] >= 70 and verdict["snr_db"] >= 60 and 1 <= verdict["bak"] <= 5

    # the run's outputs list the MP3 too, and its playback URL serves it
    outs = assert_envelope(owner_api.get(base + "/outputs"))["data"]["outputs"]
    files = [f for line in outs[0]["lines"] for f in line["audio_files"]]
    assert [f["format"] for f in files] == ["mp3", "mp3"] and all(f["content_type"] == "audio/mpeg" for f in files)
    played = fetch_signed(client, files[0]["playback_url"])
    assert played.status_code == 200 and played.data == store.get_bytes(sinks[0].audio_key)


def test_mp3_sink_straight_after_the_generator_and_wav_sink_without_a_copy(owner_api, owner, client):
    _wf, _run, log, takes = run_to_end(owner_api, owner, "mp3", validate=False)
    sinks = [t for t in takes if t.node_type == "sink_preview"]
    assert len(sinks) == 2 and all(t.content_type == "audio/mpeg" and "/outputs/out/" in t.audio_key for t in sinks)
    assert "at delivery (not prepared)" not in log
    wf, run, _log, takes = run_to_end(owner_api, owner, "wav", validate=False)
    gens = {t.line_index: t for t in takes if t.node_type == "operator_generator"}
    for sink in (t for t in takes if t.node_type == "sink_preview"):
        assert sink.audio_key == gens[sink.line_index].audio_key and sink.content_type == "audio/wav"
    base = f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"
    zf = zipfile.ZipFile(io.BytesIO(fetch_signed(
        client, assert_envelope(owner_api.get(base + "/download"))["data"]["url"]).data))
    assert zf.read("001_en-us.wav") == get_store().get_bytes(gens[1].audio_key)


def test_delivery_encodes_the_mp3_itself_when_the_worker_did_not_prepare_it(workspace, espeak_wav_key):
    from types import SimpleNamespace

    from app.engine import delivery
    audio = SimpleNamespace(audio_key=espeak_wav_key, duration_ms=1500, content_type="audio/wav")
    sink = SimpleNamespace(id="sink-1", node_id="out", workspace_id=workspace.id, run_id="run-1", line_index=3,
                           locale="de-de", attempt=2, audio_key=None, duration_ms=None, content_type=None)
    stale = SimpleNamespace(meta={"deliveries": {"out": {"audio_key": "elsewhere.mp3", "content_type": "audio/mpeg",
                                                         "source_key": "an-older-take.wav"}}})
    delivery.attach(sink, stale, audio, "mp3")          # prepared for other audio: not used
    assert sink.audio_key.endswith("/runs/run-1/outputs/out/00003_de-de-a2.mp3") and sink.content_type == "audio/mpeg"
    assert decode(get_store().get_bytes(sink.audio_key)).duration_ms > 1000
    wav_sink = SimpleNamespace(**{**vars(sink), "audio_key": None, "content_type": None})
    delivery.attach(wav_sink, stale, audio, "wav")
    assert wav_sink.audio_key == espeak_wav_key and wav_sink.content_type == "audio/wav"


@pytest.fixture
def espeak_wav_key(workspace):
    from app.speech import audio as audio_ops
    from app.speech.tts import get_engine
    from app.storage import workspace_key
    key = workspace_key(workspace.id, "runs", "run-1", "audio", "gen", "00003-de-de-a2.wav")
    get_store().put_bytes(key, audio_ops.to_wav_bytes(get_engine("espeak").synthesize("Guten Morgen zusammen.", "de")),
                          "audio/wav")
    return key
