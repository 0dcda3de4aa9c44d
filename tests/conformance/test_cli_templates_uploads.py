"""The official onepin 0.16.1 CLI against a live server: templates and uploads. Every test checks what
the CLI prints and its exit code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conformance.cli_helpers import (NODE_TYPES, TEMPLATE_COLUMNS, UPLOAD_COLUMNS, definition, write_json, ok, par, _create_args, _created_id, create_workflow, show_workflow, comparable, upload, tone_wav)
from tests.conformance.conftest import UUID_RE, _err_code, _json_err, _table

pytestmark = pytest.mark.conformance



# --------------------------------------------------------------------------------------------------
# templates


def _templates(cli, *args) -> list[dict]:
    return ok(cli("templates", "list", *args, "--json")).json()


def test_templates_list_and_show_starters(logged_in):
    _acct, cli = logged_in
    table, js, page, media_j, by_name_j, missing = par(
        cli, ("--no-color", "templates", "list"), ("templates", "list", "--json"),
        ("--no-color", "templates", "list", "--limit", "2"), ("templates", "list", "--category", "media", "--json"),
        ("templates", "list", "--sort", "name", "--json"), ("templates", "show", "NoSuchT1"))
    header, rows = _table(ok(table).out)
    assert header == TEMPLATE_COLUMNS
    starters = ok(js).json()
    assert len(starters) >= 3 and len(rows) == len(starters)
    assert all(t["is_starter"] for t in starters), starters
    assert {row[0] for row in rows} == {t["id"] for t in starters}
    for row in rows:
        assert row[2] in {"media", "creative", "business", "education", "wellness"} and row[3] == "False", row
    # uncounted list: no "of N" footer; a full page says there may be more
    assert not re.search(r"Showing \d+ of \d+", table.out), table.out
    _h, rows = _table(ok(page).out)
    assert len(rows) == 2
    assert "Showing 2 rows — a full page, so there may be more." in page.out, page

    media = ok(media_j).json()
    assert media and all(t["category"] == "media" for t in media)
    names = [t["name"] for t in ok(by_name_j).json()]
    assert names == sorted(names, key=str.lower)
    assert missing.code == 1 and _err_code(missing) == "NOT_FOUND", missing

    tpl = starters[0]
    shown_j, shown_t = par(cli, ("templates", "show", tpl["id"], "--json"),
                           ("--no-color", "templates", "show", tpl["id"]))
    shown = ok(shown_j).json()
    assert shown["id"] == tpl["id"] and shown["name"] == tpl["name"] and shown["is_starter"] is True
    assert {n["type"] for n in shown["definition"]["graph"]["nodes"]} <= NODE_TYPES
    lines = ok(shown_t).out.splitlines()
    assert f"id: {tpl['id']}" in lines and f"name: {tpl['name']}" in lines

    # a starter with validators clones into a runnable workflow whose definition round-trips and prices
    richest = max(starters, key=lambda t: len(t["definition"]["graph"]["nodes"]))
    assert any(n["type"].startswith("validator_") for n in richest["definition"]["graph"]["nodes"]), richest
    r = ok(cli("templates", "clone", richest["id"]))
    wf_id = re.fullmatch(rf"Cloned template into workflow ({UUID_RE})\.", r.out.strip()).group(1)
    wf = show_workflow(cli, wf_id)
    assert wf["name"] in (richest["name"], f"{richest['name']} (Copy)")
    assert comparable(wf["definition"]) == comparable(richest["definition"])
    upd, est = par(cli, ("workflows", "update", wf_id, "--definition", write_json(cli, "rt.json", wf["definition"])),
                   ("workflows", "preview-run", wf_id, "--json"))
    assert ok(upd).out.strip() == f"Updated workflow {wf_id}."
    est = ok(est).json()
    assert 1 <= est["min_credits"] <= est["expected_credits"] <= est["max_credits"]
    assert {b["node_id"] for b in est["breakdown"]} == {n["id"] for n in wf["definition"]["graph"]["nodes"]}


def test_starter_template_cannot_be_deleted_or_updated(logged_in):
    _acct, cli = logged_in
    starter = _templates(cli)[0]
    deleted, updated, updated_j = par(cli, ("templates", "delete", starter["id"], "--yes"),
                                      ("templates", "update", starter["id"], "--name", "Hijacked"),
                                      ("--json", "templates", "update", starter["id"], "--description", "x"))
    assert deleted.code == 1 and _err_code(deleted) == "FORBIDDEN", deleted
    assert updated.code == 1 and _err_code(updated) == "FORBIDDEN", updated
    assert updated_j.code == 1 and _json_err(updated_j)["code"] == "FORBIDDEN", updated_j
    shown = ok(cli("templates", "show", starter["id"], "--json")).json()
    assert shown["name"] == starter["name"] and shown["description"] == starter["description"]


def test_templates_create_update_clone_delete(logged_in, signup, cli_factory, live_server):
    _acct, cli = logged_in
    defn = definition("Template script.")
    bad = definition()
    bad["graph"]["edges"][1]["source"] = "ghost"
    created, created_bad = par(
        cli, ("templates", "create", "--name", "My template", "--description", "Mine", "--category", "education",
              "--definition", write_json(cli, "tpl.json", defn)),
        ("templates", "create", "--name", "Bad", "--definition", write_json(cli, "badtpl.json", bad)))
    m = re.fullmatch(r"Created template (\S+)\.", ok(created).out.strip())
    assert m, created
    tpl_id = m.group(1)
    assert created_bad.code == 1 and _err_code(created_bad) == "VALIDATION_ERROR", created_bad

    shown, gallery = par(cli, ("templates", "show", tpl_id, "--json"), ("templates", "list", "--json"))
    tpl = ok(shown).json()
    assert (tpl["name"], tpl["description"], tpl["category"]) == ("My template", "Mine", "education")
    assert tpl["is_starter"] is False and tpl["is_public"] is False
    assert comparable(tpl["definition"]) == comparable(defn)
    assert tpl_id not in {t["id"] for t in ok(gallery).json()}  # a private template is not in the public gallery

    r = ok(cli("templates", "update", tpl_id, "--name", "My template v2"))
    assert r.out.strip() == f"Updated template {tpl_id}."
    upd, upd_bad = par(cli, ("templates", "update", tpl_id, "--category", "media", "--json"),
                       ("templates", "update", tpl_id, "--definition", write_json(cli, "badtpl.json", bad)))
    assert ok(upd).json()["name"] == "My template v2" and upd.json()["category"] == "media"
    assert upd_bad.code == 1 and _err_code(upd_bad) == "VALIDATION_ERROR", upd_bad

    # clone: a new workflow in this workspace
    plain, named = par(cli, ("templates", "clone", tpl_id), ("templates", "clone", tpl_id, "--name", "Cloned by name",
                                                             "--json"))
    m = re.fullmatch(rf"Cloned template into workflow ({UUID_RE})\.", ok(plain).out.strip())
    assert m, plain
    named = ok(named).json()
    assert named["name"] == "Cloned by name"
    wf_j, listed, tpl_after = par(cli, ("workflows", "show", m.group(1), "--json"),
                                  ("workflows", "list", "--json"), ("templates", "show", tpl_id, "--json"))
    wf = ok(wf_j).json()
    assert wf["name"] in ("My template v2", "My template v2 (Copy)") and wf["runs_count"] == 0
    assert comparable(wf["definition"]) == comparable(defn)
    assert {w["name"] for w in listed.json()} == {wf["name"], "Cloned by name"}
    assert {wf["id"], named["id"]} == {w["id"] for w in ok(listed).json()}
    assert ok(tpl_after).json()["uses_count"] == 2

    # another workspace cannot see it
    stranger = signup("tplstranger")
    scli = cli_factory("stranger")
    ok(scli("login", "--base-url", live_server.url, "--key", stranger.key))
    r = scli("templates", "show", tpl_id)
    assert r.code == 1 and _err_code(r) == "NOT_FOUND", r

    # delete
    r = cli("--json", "templates", "delete", tpl_id)
    assert r.code == 1 and _json_err(r, server=False)["code"] == "CONFIRMATION_REQUIRED", r
    r = ok(cli("templates", "delete", tpl_id, "--yes"))
    assert r.out.strip() == f"Deleted template {tpl_id}."
    gone, again, still = par(cli, ("templates", "show", tpl_id), ("templates", "delete", tpl_id, "--yes", "--json"),
                             ("workflows", "show", wf["id"], "--json"))
    assert gone.code == 1 and _err_code(gone) == "NOT_FOUND", gone
    assert ok(again).json()["ok"] is True  # 404 = ok for the CLI
    assert ok(still).json()["id"] == wf["id"]  # clones survive


def test_templates_favorite_and_unfavorite(logged_in):
    _acct, cli = logged_in
    starters, favs = par(cli, ("templates", "list", "--json"), ("templates", "list", "--favorites-only", "--json"))
    fav = ok(starters).json()[-1]
    assert ok(favs).json() == []

    r = ok(cli("templates", "favorite", fav["id"]))
    assert r.out.strip() == f"Favorited template {fav['id']}."
    again, favs_j, favs_t, all_t = par(cli, ("templates", "favorite", fav["id"], "--json"),
                                       ("templates", "list", "--favorites-only", "--json"),
                                       ("--no-color", "templates", "list", "--favorites-only"),
                                       ("--no-color", "templates", "list"))
    assert ok(again).json()["is_favorite"] is True  # idempotent
    assert [t["id"] for t in ok(favs_j).json()] == [fav["id"]]
    _h, rows = _table(ok(favs_t).out)
    assert [row[0] for row in rows] == [fav["id"]] and rows[0][3] == "True", favs_t.out
    flags = {row[0]: row[3] for row in _table(ok(all_t).out)[1]}
    assert flags[fav["id"]] == "True" and list(flags.values()).count("True") == 1

    r = ok(cli("templates", "unfavorite", fav["id"]))
    assert r.out.strip() == f"Unfavorited template {fav['id']}."
    favs_j, again, unknown_un, unknown_fav = par(
        cli, ("templates", "list", "--favorites-only", "--json"), ("templates", "unfavorite", fav["id"], "--json"),
        ("templates", "unfavorite", "NoSuchT1", "--json"), ("templates", "favorite", "NoSuchT1"))
    assert ok(favs_j).json() == []
    assert ok(again).json()["ok"] is True  # idempotent
    assert ok(unknown_un).json()["ok"] is True  # non-enumerating
    assert unknown_fav.code == 1 and _err_code(unknown_fav) == "NOT_FOUND", unknown_fav


# --------------------------------------------------------------------------------------------------
# uploads


def _access_log_since(live_server, start: int) -> str:
    with open(live_server.logs[0], "rb") as fh:
        fh.seek(start)
        return fh.read().decode(errors="replace")


def test_uploads_script_create_confirm_list_delete(logged_in, live_server):
    _acct, cli = logged_in
    wf_id = create_workflow(cli, "With upload", definition())
    script = cli.home / "script.txt"
    script.write_text("Line one.\nLine two, a bit longer.\nLine three.\n", encoding="utf-8")
    size = str(len(script.read_bytes()))

    log_start = Path(live_server.logs[0]).stat().st_size
    up_id = upload(cli, script, "script")
    # the CLI PUT the bytes to our signed storage URL (no Authorization header) and it was accepted
    assert re.search(r'"PUT /_storage/put/\S+ HTTP/1\.[01]" 2\d\d ', _access_log_since(live_server, log_start))
    # pending uploads are not listed yet
    assert ok(cli("workflows", "uploads", wf_id, "--json")).json() == []

    r = ok(cli("uploads", "confirm", up_id, "--workflow-id", wf_id))
    assert r.out.strip() == f"Confirmed upload {up_id}."
    again, table, listed, no_yes = par(cli, ("uploads", "confirm", up_id, "--workflow-id", wf_id, "--json"),
                                       ("--no-color", "workflows", "uploads", wf_id),
                                       ("workflows", "uploads", wf_id, "--json"), ("--json", "uploads", "delete", up_id))
    data = ok(again).json()  # idempotent: the current state
    assert data["id"] == up_id and data["status"] == "uploaded" and data["line_count"] == 3
    assert data["filename"] == "script.txt" and data["category"] == "script" and str(data["size_bytes"]) == size
    assert data["context_type"] == "workflow" and data["context_id"] == wf_id
    header, rows = _table(ok(table).out)
    assert header == UPLOAD_COLUMNS
    assert rows == [[up_id, "script.txt", "script", "uploaded", size]], table.out
    items = ok(listed).json()
    assert [u["id"] for u in items] == [up_id] and items[0]["line_count"] == 3
    assert no_yes.code == 1 and _json_err(no_yes, server=False)["code"] == "CONFIRMATION_REQUIRED", no_yes

    r = ok(cli("uploads", "delete", up_id, "--yes"))
    assert r.out.strip() == f"Deleted upload {up_id}."
    listed, again, confirm = par(cli, ("workflows", "uploads", wf_id, "--json"),
                                 ("uploads", "delete", up_id, "--yes", "--json"),
                                 ("uploads", "confirm", up_id, "--workflow-id", wf_id))
    assert ok(listed).json() == []
    assert ok(again).json()["ok"] is True  # 404 = ok for the CLI
    assert confirm.code == 1 and _err_code(confirm) == "NOT_FOUND", confirm


def test_uploads_rejections(logged_in):
    _acct, cli = logged_in
    exe = cli.home / "notes.exe"
    exe.write_bytes(b"MZ\x90\x00 not a script")
    txt = cli.home / "ok.txt"
    txt.write_text("Hello.\n")
    bad = cli.home / "broken.txt"
    bad.write_bytes(b"A fine first line.\nThen \xff\xfe garbage \xc3\x28 here.\n")
    fake = cli.home / "fake.wav"
    fake.write_bytes(b"this is plain text, not RIFF/WAVE audio")
    wf, r_exe, r_txt_dict, r_cat, r_bad, r_fake, r_good = par(
        cli, _create_args(cli, "Rejections", definition()),
        ("uploads", "create", "--file", str(exe), "--category", "script"),
        ("uploads", "create", "--file", str(txt), "--category", "dictionary"),
        ("uploads", "create", "--file", str(txt), "--category", "video"),  # checked by the CLI
        ("uploads", "create", "--file", str(bad), "--category", "script", "--json"),
        ("uploads", "create", "--file", str(fake), "--category", "dictionary", "--json"),
        ("uploads", "create", "--file", str(txt), "--category", "script", "--json"))
    wf_id = _created_id(wf)
    assert r_exe.code == 1 and _err_code(r_exe) == "VALIDATION_ERROR" and ".exe" in r_exe.err, r_exe
    assert r_txt_dict.code == 1 and _err_code(r_txt_dict) == "VALIDATION_ERROR" and ".txt" in r_txt_dict.err
    assert r_cat.code == 1 and _err_code(r_cat) == "INVALID_CATEGORY", r_cat
    bad_id, fake_id, good_id = (ok(r).json()["id"] for r in (r_bad, r_fake, r_good))

    c_bad, c_fake, c_good = par(
        # malformed script: invalid UTF-8 bytes in a .txt
        cli, ("uploads", "confirm", bad_id, "--workflow-id", wf_id),
        # audio that is not audio
        ("--json", "uploads", "confirm", fake_id, "--workflow-id", wf_id),
        # a workflow that does not exist
        ("uploads", "confirm", good_id, "--workflow-id", "00000000-0000-0000-0000-000000000000"))
    assert c_bad.code == 1 and _err_code(c_bad) == "VALIDATION_ERROR", c_bad
    assert "UTF-8" in c_bad.err and "line 2" in c_bad.err, c_bad
    err = _json_err(c_fake)
    assert c_fake.code == 1 and err["code"] == "VALIDATION_ERROR" and "WAV" in err["message"], c_fake
    assert c_good.code == 1 and _err_code(c_good) == "NOT_FOUND", c_good
    assert ok(cli("workflows", "uploads", wf_id, "--json")).json() == []


def test_uploads_dictionary_wav(logged_in):
    _acct, cli = logged_in
    wf_id = create_workflow(cli, "Dictionary audio", definition())
    wav = tone_wav(cli.home / "tone.wav")
    up_id = upload(cli, wav, "dictionary")
    data = ok(cli("uploads", "confirm", up_id, "--workflow-id", wf_id, "--json")).json()
    assert data["id"] == up_id and data["status"] == "uploaded" and data["category"] == "dictionary"
    assert data["filename"] == "tone.wav" and data["size_bytes"] == wav.stat().st_size
    assert data["content_type"] in ("audio/wav", "audio/x-wav", "audio/wave")
    r = ok(cli("--no-color", "workflows", "uploads", wf_id))
    _h, rows = _table(r.out)
    assert rows == [[up_id, "tone.wav", "dictionary", "uploaded", str(wav.stat().st_size)]], r.out
    ok(cli("uploads", "delete", up_id, "--yes"))
    assert ok(cli("workflows", "uploads", wf_id, "--json")).json() == []
