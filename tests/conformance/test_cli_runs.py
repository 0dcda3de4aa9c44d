"""The official onepin 0.16.1 CLI against a live server: workflow runs.

`workflows run` (with and without --watch, with --script) and every `workflows runs ...` command: list, show,
status, steps, overview, data, summary, cancel, download, download-node. Each test checks what the CLI PRINTS
(text, the plain table, or --json where values have to be parsed) and its exit code; downloaded archives are
unzipped and their audio decoded (stdlib `wave` for WAV, soundfile for MP3).

The runs are real: the session's live server has one `onepin-server worker` synthesising with eSpeak NG.
"""
from __future__ import annotations

import io
import json
import re
import time
import wave
import zipfile

import httpx
import pytest
from tests.conformance.conftest import UUID_RE, _err_code, _json_err, _table, access_log_offset, requests_since
from tests.conformance.cli_helpers import create_workflow, definition, kv, ok, par, show_workflow

pytestmark = pytest.mark.conformance

RUN_COLUMNS = ["id", "run_number", "status", "finished_steps", "total_steps", "created_at"]
TERMINAL = {"completed", "failed", "cancelled"}
THREE_LINES = "Good morning, everyone.\nThe train leaves at noon.\nPlease take your seats now."
WORDS = ("amber birch cedar dune ember fjord grove heath inlet jasper kelp larch marsh nectar opal prairie "
         "quartz reef sorrel tundra").split()


# --------------------------------------------------------------------------------------------------
# helpers


def started_id(r) -> str:
    assert r.code == 0, r
    m = re.fullmatch(rf"Started run ({UUID_RE})\.", r.out.strip())
    assert m, r
    return m.group(1)


def watched_id(r, status: str = "completed") -> str:
    """`workflows run --watch` ends with 'Run <id> finished: <status>.'"""
    assert r.code == 0, r
    m = re.fullmatch(rf"Run ({UUID_RE}) finished: {status}\.", r.out.strip())
    assert m, r
    return m.group(1)


def wait_terminal(cli, wf: str, run: str, timeout: float = 60) -> dict:
    """Poll `runs status --json` (like --watch does) until the run is completed|failed|cancelled."""
    deadline = time.monotonic() + timeout
    while True:
        st = ok(cli("workflows", "runs", "status", wf, run, "--json")).json()
        if st["status"] in TERMINAL or time.monotonic() > deadline:
            return st
        time.sleep(0.5)


def long_script(n: int) -> str:
    """n distinct lines (no two share a cache key, so every one is synthesised)."""
    return "\n".join(f"Number {i}, the {WORDS[i % 20]} path meets the {WORDS[(i * 7 + 3) % 20]} ridge."
                     for i in range(n))


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getnchannels() >= 1 and w.getframerate() >= 8000, w.getparams()
        return w.getnframes() / w.getframerate()


def plausible(seconds: float, text: str) -> None:
    """Speech for `text` at eSpeak's ~175 wpm: > 0.3 s and between ~1 and ~6 words per second."""
    words = len(text.split())
    assert seconds > 0.3, (seconds, text)
    assert words / 6 <= seconds <= words / 1 + 1.0, (seconds, words, text)


def zip_at(cli, name: str) -> zipfile.ZipFile:
    path = cli.home / name
    assert path.is_file() and zipfile.is_zipfile(path), path
    return zipfile.ZipFile(path)


# --------------------------------------------------------------------------------------------------
# run, run --watch, run --script; list / show / status


def test_run_watch_plain_and_script_override_then_list_show_status(logged_in):
    acct, cli = logged_in
    wf = create_workflow(cli, "Morning announcements", definition(THREE_LINES))
    saved_before = show_workflow(cli, wf)["definition"]

    t0 = time.monotonic()
    watched = cli("workflows", "run", wf, "--watch", "--timeout", "60")
    run1 = watched_id(watched)
    assert time.monotonic() - t0 < 30

    # without --watch: "Started run <id>." and nothing else; --script runs that text for this run only
    run2 = started_id(cli("workflows", "run", wf, "--script", "One off line."))
    assert run2 != run1
    st2 = wait_terminal(cli, wf, run2)
    assert st2["status"] == "completed", st2

    (table, listed, only_completed, only_cancelled, show1_t, show2, status_t, status_j, saved_after,
     paged) = par(
        cli, ("--no-color", "workflows", "runs", "list", wf), ("workflows", "runs", "list", wf, "--json"),
        ("--no-color", "workflows", "runs", "list", wf, "--status", "completed"),
        ("workflows", "runs", "list", wf, "--status", "cancelled", "--json"),
        ("--no-color", "workflows", "runs", "show", wf, run1), ("workflows", "runs", "show", wf, run2, "--json"),
        ("--no-color", "workflows", "runs", "status", wf, run1), ("workflows", "runs", "status", wf, run1, "--json"),
        ("workflows", "show", wf, "--json"),
        ("--no-color", "workflows", "runs", "list", wf, "--limit", "1"))

    # runs list: the documented table, newest first, counted footer
    header, rows = _table(ok(table).out)
    assert header == RUN_COLUMNS
    assert [r[0] for r in rows] == [run2, run1]
    assert [r[1] for r in rows] == ["2", "1"]
    assert {r[2] for r in rows} == {"completed"}
    assert all(r[3] == r[4] == "3" for r in rows), rows   # source, generator, sink: 3 of 3 steps
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)", r[5]) for r in rows), rows
    assert "Showing 2 of 2." in table.out
    assert "Showing 1 of 2." in ok(paged).out and "1 more" in paged.out
    assert [r[0] for r in _table(paged.out)[1]] == [run2]

    items = ok(listed).json()
    assert isinstance(items, list) and [i["id"] for i in items] == [run2, run1]
    assert all(i["status"] == "completed" and i["total_steps"] == 3 for i in items)
    header, rows = _table(ok(only_completed).out)
    assert sorted(r[0] for r in rows) == sorted([run1, run2]) and "Showing 2 of 2." in only_completed.out
    assert ok(only_cancelled).json() == []

    # runs show: the run plus the definition snapshot captured at start
    shown = kv(ok(show1_t).out)
    assert shown["id"] == run1 and shown["workflow_id"] == wf and shown["status"] == "completed"
    snap1 = json.loads(shown["definition_snapshot"])
    assert [n["id"] for n in snap1["graph"]["nodes"]] == ["src", "gen", "out"]
    src1 = next(n for n in snap1["graph"]["nodes"] if n["id"] == "src")
    assert src1["config"]["text"] == THREE_LINES

    detail2 = ok(show2).json()
    assert detail2["id"] == run2 and detail2["status"] == "completed" and detail2["run_number"] == 2
    src2 = next(n for n in detail2["definition_snapshot"]["graph"]["nodes"] if n["id"] == "src")
    assert src2["config"]["text"] == "One off line."           # the run-scoped script ...
    assert detail2["usage_summary"]["lines_delivered"] == 1
    assert show_workflow(cli, wf)["definition"] == saved_before == ok(saved_after).json()["definition"]  # ... only

    # runs status: the lightweight view, text and JSON
    st = kv(ok(status_t).out)
    assert st["id"] == run1 and st["status"] == "completed" and st["finished_steps"] == st["total_steps"] == "3"
    assert "definition_snapshot" not in st
    sj = ok(status_j).json()
    assert sj["id"] == run1 and sj["status"] == "completed" and sj["has_export"] is True
    assert sj["started_at"] <= sj["completed_at"]
    assert sj["usage_summary"]["lines_delivered"] == 3


# --------------------------------------------------------------------------------------------------
# steps / overview / data / summary / cancel of a finished run


def test_runs_steps_overview_data_summary_and_cancel_completed(logged_in):
    acct, cli = logged_in
    wf = create_workflow(cli, "Inspect me", definition(THREE_LINES))
    run = watched_id(cli("workflows", "run", wf, "--watch", "--timeout", "60"))

    steps_t, steps_j, gen_only, overview_t, overview_j, data_t, data_j, searched, summary_t, summary_j = par(
        cli, ("--no-color", "workflows", "runs", "steps", wf, run), ("workflows", "runs", "steps", wf, run, "--json"),
        ("workflows", "runs", "steps", wf, run, "--node-type", "operator_generator", "--json"),
        ("--no-color", "workflows", "runs", "overview", wf, run),
        ("workflows", "runs", "overview", wf, run, "--json"),
        ("--no-color", "workflows", "runs", "data", wf, run), ("workflows", "runs", "data", wf, run, "--json"),
        ("workflows", "runs", "data", wf, run, "--search", "train", "--json"),
        ("--no-color", "workflows", "runs", "summary", wf), ("workflows", "runs", "summary", wf, "--json"))

    # steps: one per node execution, in execution order, iteration 1, never ending before they started
    header, rows = _table(ok(steps_t).out)
    for col in ("id", "node_id", "node_type", "status", "iteration", "started_at", "completed_at"):
        assert col in header, header
    col = {name: i for i, name in enumerate(header)}
    assert [r[col["node_id"]] for r in rows] == ["src", "gen", "out"]
    assert [r[col["node_type"]] for r in rows] == ["source_script", "operator_generator", "sink_preview"]
    assert [r[col["iteration"]] for r in rows] == ["1", "1", "1"]
    assert {r[col["status"]] for r in rows} == {"completed"}
    steps = ok(steps_j).json()
    assert [s["node_id"] for s in steps] == ["src", "gen", "out"]
    for s in steps:
        assert s["started_at"] <= s["completed_at"], s
    gen_steps = ok(gen_only).json()
    assert [(s["node_id"], s["iteration"]) for s in gen_steps] == [("gen", 1)]

    # overview: run header, audio by language, node states
    ov_text = kv(ok(overview_t).out)
    assert {"workflow", "run", "metric_sections", "audio_by_language"} <= set(ov_text), overview_t
    ov = ok(overview_j).json()
    assert ov["run"]["id"] == run and ov["run"]["status"] == "completed" and ov["workflow"]["id"] == wf
    (lang,) = ov["audio_by_language"]
    assert lang["locale_code"] == "en-us" and lang["line_count"] == 3 and lang["total_duration_ms"] > 900
    states = ov["workflow_snapshot"]["node_states"]
    assert [s["node_id"] for s in states] == ["src", "gen", "out"]
    assert all(s["status"] == "completed" and s["duration_ms"] >= 0 for s in states), states

    # data: one row per script line, each with an en-us card whose playback URL plays without auth
    assert {"run_id", "run_status", "rows"} <= set(kv(ok(data_t).out))
    data = ok(data_j).json()
    assert data["run_id"] == run and data["run_status"] == "completed"
    rows = data["rows"]
    assert [r["line_index"] for r in rows] == [0, 1, 2]
    assert [r["script"] for r in rows] == THREE_LINES.split("\n")
    for row in rows:
        (card,) = row["cards"]
        assert card["locale_code"] == "en-us" and card["status"] == "delivered" and card["node_id"] == "gen"
        assert card["audio"]["content_type"] == "audio/wav" and card["audio"]["duration_ms"] > 300
    first = rows[0]["cards"][0]["audio"]
    played = httpx.get(first["playback_url"], timeout=15, follow_redirects=True)   # no Authorization header
    assert played.status_code == 200, played.text[:300]
    assert played.content[:4] == b"RIFF"
    seconds = wav_seconds(played.content)
    assert abs(seconds * 1000 - first["duration_ms"]) < 60
    plausible(seconds, rows[0]["script"])
    # ... and whose waveform link gives the peaks of that audio, also without auth
    card0 = rows[0]["cards"][0]
    assert card0["waveform_status"] == "available", card0
    shape = httpx.get(card0["waveform_url"], timeout=15)
    assert shape.status_code == 200 and shape.headers["content-type"] == "application/json", shape.text[:300]
    peaks = shape.json()["peaks"]
    assert len(peaks) == 96 and all(0 <= p <= 100 for p in peaks) and max(peaks) > 10
    assert shape.json()["duration_ms"] == first["duration_ms"]
    hit = ok(searched).json()["rows"]
    assert [r["script"] for r in hit] == ["The train leaves at noon."]

    # summary: counts and pass_rate
    sm = kv(ok(summary_t).out)
    assert sm["total_runs"] == "1" and sm["completed"] == "1" and sm["pass_rate"] == "1.0"
    summary = ok(summary_j).json()
    assert summary["total_runs"] == 1 and summary["completed"] == 1
    assert summary["failed"] == summary["cancelled"] == summary["running"] == summary["pending"] == 0
    assert summary["pass_rate"] == 1.0 and summary["delivered_audio_ms"] > 900
    assert summary["average_duration_seconds"] is not None and summary["average_duration_seconds"] >= 0

    # cancel a completed run: the SDK contract returns it unchanged
    text, as_json = par(cli, ("workflows", "runs", "cancel", wf, run, "--yes"),
                        ("workflows", "runs", "cancel", wf, run, "--yes", "--json"))
    assert ok(text).out.strip() == f"Cancelled run {run}."
    unchanged = ok(as_json).json()
    assert unchanged["id"] == run and unchanged["status"] == "completed"
    after = ok(cli("workflows", "runs", "status", wf, run, "--json")).json()
    assert after["status"] == "completed" and after["completed_at"] == unchanged["completed_at"]


# --------------------------------------------------------------------------------------------------
# downloads


def test_runs_download_zip_has_one_wav_per_line_and_a_manifest(logged_in):
    acct, cli = logged_in
    wf = create_workflow(cli, "Download me", definition(THREE_LINES))
    run = watched_id(cli("workflows", "run", wf, "--watch", "--timeout", "60"))

    r, again = par(cli, ("workflows", "runs", "download", wf, run, "--out", "run.zip"),
                   ("workflows", "runs", "download", wf, run, "--out", "run-copy.zip", "--json"))
    m = re.fullmatch(r"Wrote (\d+) bytes to (\S+)\.", ok(r).out.strip())
    assert m and m.group(2).endswith("run.zip"), r
    assert int(m.group(1)) == (cli.home / "run.zip").stat().st_size
    ok(again)

    with zip_at(cli, "run.zip") as z:
        names = z.namelist()
        wavs = sorted(n for n in names if n.endswith(".wav"))
        assert len(wavs) == 3, names
        assert "manifest.json" in names, names
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["run_id"] == run and manifest["workflow_id"] == wf
        files = sorted(manifest["files"], key=lambda f: f["line_index"])
        assert [f["line_index"] for f in files] == [0, 1, 2]
        assert [f["text"] for f in files] == THREE_LINES.split("\n")
        assert sorted(f["file"] for f in files) == wavs
        for f in files:
            data = z.read(f["file"])
            assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
            seconds = wav_seconds(data)
            plausible(seconds, f["text"])
            assert f["locale"] == "en-us" and abs(seconds * 1000 - f["duration_ms"]) < 60, (f, seconds)
    # the second download is the same archive content (built once, then cached)
    with zip_at(cli, "run-copy.zip") as z2:
        assert sorted(z2.namelist()) == sorted(names)

    # --out onto an existing file without --force is refused by the client
    exists = cli("workflows", "runs", "download", wf, run, "--out", "run.zip")
    assert exists.code == 1 and _err_code(exists) == "FILE_EXISTS", exists


def test_download_node_mp3_sink_and_non_output_node(logged_in):
    acct, cli = logged_in
    defn = definition("Short words here.\nA few more words there.")
    defn["graph"]["nodes"][2]["config"]["format"] = "mp3"
    wf = create_workflow(cli, "Mp3 export", defn)
    run = watched_id(cli("workflows", "run", wf, "--watch", "--timeout", "60"))

    node, gen, missing, gen_j = par(
        cli, ("workflows", "runs", "download-node", wf, run, "out", "--out", "sink.zip"),
        ("workflows", "runs", "download-node", wf, run, "gen", "--out", "gen.zip"),
        ("workflows", "runs", "download-node", wf, run, "no-such-node", "--out", "none.zip"),
        ("--json", "workflows", "runs", "download-node", wf, run, "gen", "--out", "gen2.zip"))
    assert re.fullmatch(r"Wrote \d+ bytes to \S*sink\.zip\.", ok(node).out.strip()), node

    import soundfile
    texts = defn["graph"]["nodes"][0]["config"]["text"].split("\n")
    with zip_at(cli, "sink.zip") as z:
        mp3s = sorted(n for n in z.namelist() if n.endswith(".mp3"))
        assert len(mp3s) == 2 and not any(n.endswith(".wav") for n in z.namelist()), z.namelist()
        by_file = {f["file"]: f for f in json.loads(z.read("manifest.json"))["files"]}
        for name in mp3s:
            data = z.read(name)
            assert data[:3] == b"ID3" or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0), data[:8]
            audio, rate = soundfile.read(io.BytesIO(data))
            seconds = len(audio) / rate
            text = by_file[name]["text"]
            assert text in texts and by_file[name]["node_id"] == "out"
            plausible(seconds, text)

    # a generator is not an output node; an unknown id neither: NOT_FOUND, and no file is written
    for r in (gen, missing):
        assert r.code == 1 and _err_code(r) == "NOT_FOUND", r
    assert _json_err(gen_j)["code"] == "NOT_FOUND"
    assert not (cli.home / "gen.zip").exists() and not (cli.home / "none.zip").exists()


# --------------------------------------------------------------------------------------------------
# refusals, an active run, cancelling a running run


def test_run_with_empty_script_is_validation_error(logged_in, live_server):
    acct, cli = logged_in
    wf = create_workflow(cli, "Nothing to say", definition(""))
    offset = access_log_offset(live_server)
    text, as_json, blank = par(cli, ("workflows", "run", wf), ("--json", "workflows", "run", wf, "--watch"),
                               ("workflows", "run", wf, "--script", "   "))
    for r in (text, blank):
        assert r.code == 1 and _err_code(r) == "VALIDATION_ERROR", r
        assert "script" in r.err.lower() and "request_id=req_" in r.err
    assert _json_err(as_json)["code"] == "VALIDATION_ERROR"
    assert ok(cli("workflows", "runs", "list", wf, "--json")).json() == []
    posts = [s for m, p, s in requests_since(live_server, offset) if m == "POST" and p == f"/api/v1/workflows/{wf}/runs"]
    assert posts == [422, 422, 422], posts   # 422 is not retried


def test_active_run_conflict_cancel_running_and_download_not_completed(logged_in, live_server):
    """One long run: a second `workflows run` is refused while it is active (the SDK retries the 409 twice and
    none of the three attempts may create a run), then `runs cancel` stops it for good."""
    acct, cli = logged_in
    lines = 2000  # ~15 s of synthesis on the single worker (≈ 7 ms a line); raise it if the run ends before the cancel
    wf = create_workflow(cli, "Long reading", definition(long_script(lines)))
    run = started_id(cli("workflows", "run", wf))

    offset = access_log_offset(live_server)
    second = cli.start("workflows", "run", wf)                          # 409, retried ~1 s + ~2 s later
    second_j = cli.start("--json", "workflows", "run", wf, "--script", "Another line.")
    early = ok(cli("workflows", "runs", "status", wf, run, "--json")).json()
    assert early["status"] in ("pending", "running"), f"run ended too early ({lines} lines): {early}"
    refused, refused_j = second.result(), second_j.result()
    assert refused.code == 1 and _err_code(refused) == "RUN_ALREADY_ACTIVE", refused
    assert "request_id=req_" in refused.err
    assert _json_err(refused_j)["code"] == "RUN_ALREADY_ACTIVE"
    posts = [s for m, p, s in requests_since(live_server, offset) if m == "POST" and p == f"/api/v1/workflows/{wf}/runs"]
    assert posts == [409] * 6, posts     # 3 attempts per CLI call, all refused

    cancelled = cli("workflows", "runs", "cancel", wf, run, "--yes", "--json")
    body = ok(cancelled).json()
    assert body["id"] == run
    assert body["status"] == "cancelled", f"run was no longer running when cancelled ({lines} lines): {body}"

    status_t, status_j, listed, again, download, download_j, summary = par(
        cli, ("--no-color", "workflows", "runs", "status", wf, run),
        ("workflows", "runs", "status", wf, run, "--json"), ("workflows", "runs", "list", wf, "--json"),
        ("workflows", "runs", "cancel", wf, run, "--yes"),
        ("workflows", "runs", "download", wf, run, "--out", "cancelled.zip"),
        ("--json", "workflows", "runs", "download", wf, run, "--out", "cancelled2.zip"),
        ("workflows", "runs", "summary", wf, "--json"))
    assert kv(ok(status_t).out)["status"] == "cancelled"
    st = ok(status_j).json()
    assert st["status"] == "cancelled" and st["completed_at"] is not None
    assert st["usage_summary"].get("lines_delivered", 0) < lines
    assert [(i["id"], i["status"]) for i in ok(listed).json()] == [(run, "cancelled")]   # no run from the 409s
    assert ok(again).out.strip() == f"Cancelled run {run}."                              # idempotent

    # the export of a run that did not complete: a conflict, and no file
    assert download.code == 1 and _err_code(download) in ("RUN_NOT_COMPLETED", "CONFLICT"), download
    assert _json_err(download_j)["code"] in ("RUN_NOT_COMPLETED", "CONFLICT")
    assert not (cli.home / "cancelled.zip").exists()

    sm = ok(summary).json()
    assert sm["total_runs"] == 1 and sm["cancelled"] == 1 and sm["completed"] == 0
    assert sm["pass_rate"] is None                                       # completed/(completed+failed): 0/0

    time.sleep(1)   # the worker stops at once: nothing moves after the cancel
    assert ok(cli("workflows", "runs", "status", wf, run, "--json")).json()["status"] == "cancelled"
