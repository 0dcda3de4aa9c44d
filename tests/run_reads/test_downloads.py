"""download / download-node / audio url: ZIPs built once from real runs, fetched without auth."""
import csv
import io
import json
import zipfile
from datetime import datetime, timedelta, timezone

from onepin.types import ApiResponseDownloadUrlOut
from sqlalchemy import select

from app.extensions import db
from app.models import Run, Take
from app.services import exports
from app.speech.audio import decode
from app.storage import get_store
from tests.conftest import assert_envelope, assert_error
from tests.engine.conftest import espeak_definition
from tests.run_reads.conftest import TEXT3, fetch_signed, start_and_finish
from tests.run_reads.test_summary import make_run


def _download(api, path):
    body = assert_envelope(api.get(path))
    ApiResponseDownloadUrlOut.model_validate(body)
    d = body["data"]
    expires = datetime.fromisoformat(d["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=14) < expires - datetime.now(timezone.utc) <= timedelta(minutes=15)
    return d


def _zip(client, url) -> zipfile.ZipFile:
    got = fetch_signed(client, url)
    assert got.status_code == 200, got.data[:200]
    return zipfile.ZipFile(io.BytesIO(got.data))


def test_download_builds_one_zip_and_reuses_it(owner_api, client, three_line_run):
    wf, run = three_line_run
    base = f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"
    before = exports.builds
    d = _download(owner_api, base + "/download")
    assert d["filename"] == "reads-run-1.zip"
    zf = _zip(client, d["url"])
    names = sorted(zf.namelist())
    assert names == ["000_en-us.wav", "001_en-us.wav", "002_en-us.wav", "manifest.csv", "manifest.json"]
    sinks = {t.line_index: t for t in db.session.scalars(select(Take).where(
        Take.run_id == run["id"], Take.node_type == "sink_preview"))}
    for i in range(3):
        audio = decode(zf.read(f"00{i}_en-us.wav"))
        assert abs(audio.duration_ms - sinks[i].duration_ms) < 5 and audio.duration_ms > 300
    manifest = json.loads(zf.read("manifest.json"))
    files = manifest["files"]
    assert [f["file"] for f in files] == ["000_en-us.wav", "001_en-us.wav", "002_en-us.wav"]
    assert [f["text"] for f in files] == TEXT3.splitlines()
    assert all(f["locale"] == "en-us" and f["voice"] == "en-us" and f["attempts"] == 1 for f in files)
    assert [f["duration_ms"] for f in files] == [sinks[i].duration_ms for i in range(3)]
    rows = list(csv.DictReader(io.StringIO(zf.read("manifest.csv").decode())))
    assert list(rows[0]) == ["line_index", "locale", "text", "voice", "duration_ms", "attempts", "scores", "file"]
    assert [r["file"] for r in rows] == [f["file"] for f in files] and rows[1]["text"] == TEXT3.splitlines()[1]
    # cached: the same object, no rebuild, a new URL each call
    db.session.expire_all()
    key = db.session.get(Run, run["id"]).export_key
    assert key == f"ws/{db.session.get(Run, run['id']).workspace_id}/runs/{run['id']}/exports/all.zip"
    mtime = get_store().path_for(key).stat().st_mtime_ns
    assert exports.builds == before + 1
    import time
    time.sleep(1.1)          # signed URLs carry a second-resolution expiry
    d2 = _download(owner_api, base + "/download")
    assert exports.builds == before + 1 and d2["url"] != d["url"]
    db.session.expire_all()
    assert db.session.get(Run, run["id"]).export_key == key and get_store().path_for(key).stat().st_mtime_ns == mtime
    assert _zip(client, d2["url"]).namelist() == zf.namelist()
    # the status view now says there is an export
    assert assert_envelope(owner_api.get(base + "/status"))["data"]["has_export"] is True


def test_mp3_sink_variant_and_node_download(owner_api, owner, client):
    wf, run = start_and_finish(owner_api, owner, espeak_definition("Short mp3 line.\nAnother one here.", fmt="mp3"),
                               name="Mp3 Export")
    assert run["status"] == "completed"
    base = f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"
    zf = _zip(client, _download(owner_api, base + "/download")["url"])
    assert sorted(zf.namelist()) == ["000_en-us.mp3", "001_en-us.mp3", "manifest.csv", "manifest.json"]
    data = zf.read("000_en-us.mp3")
    assert data[:3] == b"ID3" or data[0] == 0xFF
    assert decode(data).duration_ms > 300
    d = _download(owner_api, base + "/nodes/out/download")
    assert d["filename"] == "mp3-export-run-1-out.zip"
    assert sorted(_zip(client, d["url"]).namelist()) == sorted(zf.namelist())
    assert_error(owner_api.get(base + "/nodes/gen/download"), 404, "NOT_FOUND")      # a generator
    assert_error(owner_api.get(base + "/nodes/src/download"), 404, "NOT_FOUND")
    assert_error(owner_api.get(base + "/nodes/nope/download"), 404, "NOT_FOUND")


def test_download_needs_a_completed_run_with_audio(owner_api):
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={
        "name": "Not yet", "definition": espeak_definition("One line.")}), 201)["data"]
    for status in ("pending", "running", "paused", "failed", "cancelled"):
        run = make_run(wf["id"], status)
        base = f"/api/v1/workflows/{wf['id']}/runs/{run.id}"
        assert_error(owner_api.get(base + "/download"), 409, "RUN_NOT_COMPLETED")
        assert_error(owner_api.get(base + "/nodes/out/download"), 409, "RUN_NOT_COMPLETED")
    empty = make_run(wf["id"], "completed")          # completed, but nothing was delivered
    base = f"/api/v1/workflows/{wf['id']}/runs/{empty.id}"
    assert_error(owner_api.get(base + "/download"), 404, "NOT_FOUND")
    assert_error(owner_api.get(base + "/nodes/out/download"), 404, "NOT_FOUND")
    assert db.session.get(Run, empty.id).export_key is None


def test_audio_url_by_card_audio_id(owner_api, client, three_line_run):
    wf, run = three_line_run
    base = f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"
    rows = assert_envelope(owner_api.get(base + "/data"))["data"]["rows"]
    card = rows[1]["cards"][0]
    d = _download(owner_api, f"{base}/audio/{card['audio_id']}/url")
    assert d["filename"] == "001_en-us.wav"
    got = fetch_signed(client, d["url"])
    assert got.status_code == 200 and abs(decode(got.data).duration_ms - card["audio"]["duration_ms"]) < 5
    assert_envelope(owner_api.get(f"{base}/audio/{card['audio_id'].upper()}/url"))
    for bad in ("0123456789abcdef", "xyz", card["audio_id"][:15], card["audio_id"] + "0"):
        assert_error(owner_api.get(f"{base}/audio/{bad}/url"), 404, "NOT_FOUND")


def test_two_sinks_get_one_folder_each(owner_api, owner, client):
    definition = espeak_definition("Two sinks share this line.")
    definition["graph"]["nodes"].append({"id": "out2", "type": "sink_preview", "position": {"x": 500, "y": 200},
                                         "config": {"format": "mp3"}})
    definition["graph"]["edges"].append({"id": "e9", "source": "gen", "sourcePort": "lines", "target": "out2",
                                         "targetPort": "lines"})
    wf, run = start_and_finish(owner_api, owner, definition, name="Two sinks")
    assert run["status"] == "completed"
    base = f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"
    zf = _zip(client, _download(owner_api, base + "/download")["url"])
    assert sorted(zf.namelist()) == ["manifest.csv", "manifest.json", "out/000_en-us.wav", "out2/000_en-us.mp3"]
    assert decode(zf.read("out2/000_en-us.mp3")).duration_ms > 300
    zf2 = _zip(client, _download(owner_api, base + "/nodes/out2/download")["url"])
    assert sorted(zf2.namelist()) == ["000_en-us.mp3", "manifest.csv", "manifest.json"]
    outs = assert_envelope(owner_api.get(base + "/outputs"))["data"]["outputs"]
    assert [o["node_id"] for o in outs] == ["out", "out2"] and all(o["line_count"] == 1 for o in outs)
    overview = assert_envelope(owner_api.get(base + "/overview"))["data"]
    assert overview["audio_by_language"][0]["line_count"] == 1          # one line, counted once
