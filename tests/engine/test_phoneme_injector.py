"""source_script → operator_phoneme_injector → operator_generator (espeak-ng) → sink_preview through real RQ
workers: entries reach the generator's text, uses_count counts what was applied, and the dictionary version
is part of the generator's reuse key."""
from sqlalchemy import select

from app.extensions import db
from app.models import DictionaryEntry, Take
from app.services import credits
from app.engine.plugins.generator import engine_input
from app.speech.text import markup
from tests.conftest import assert_envelope
from tests.engine.conftest import make_workflow, start, wait_for

ESPEAK = {"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}
TEXT = "Podonos runs on Nginx.\nWe love podonos and PODONOS on GitHub.\nNothing to fix here."


def definition(text: str, apply_dictionary: bool = True) -> dict:
    nodes = [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": text}},
        {"id": "dict", "type": "operator_phoneme_injector", "position": {"x": 200, "y": 0},
         "config": {"apply_dictionary": apply_dictionary}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 400, "y": 0},
         "config": {"voice_map": {"en-us": [dict(ESPEAK)]}}},
        {"id": "out", "type": "sink_preview", "position": {"x": 600, "y": 0}, "config": {"format": "wav"}},
    ]
    edges = [{"id": "e1", "source": "src", "sourcePort": "lines", "target": "dict", "targetPort": "lines"},
             {"id": "e2", "source": "dict", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
             {"id": "e3", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"}]
    return {"graph": {"nodes": nodes, "edges": edges}}


def _entry(api, **body) -> str:
    return assert_envelope(api.post("/api/v1/dictionary", json=body), 201)["data"]["id"]


def _run(api, wf_id) -> dict[str, dict[int, Take]]:
    run = start(api, wf_id)
    done = wait_for(run["id"], timeout=180)
    assert done.status == "completed", (done.status, done.error)
    db.session.rollback()
    out: dict[str, dict[int, Take]] = {}
    for t in db.session.scalars(select(Take).where(Take.run_id == run["id"])):
        out.setdefault(t.node_type, {})[t.line_index] = t
    return out


def _uses() -> dict[str, int]:
    db.session.rollback()
    return {e.word + "/" + e.language: e.uses_count for e in db.session.scalars(select(DictionaryEntry))}


def test_dictionary_applied_in_a_real_run(owner_api, owner, workers):
    credits.ensure_period_grant(owner)
    db.session.commit()
    workers.start(1, log_dir=workers.log_dir)          # one worker process for the three runs
    ipa = _entry(owner_api, word="Podonos", method="ipa", language="en-us", ipa="pəˈdoʊnoʊs")
    spelled = _entry(owner_api, word="Nginx", method="spelled", language="en-us", pronunciation="engine x")
    _entry(owner_api, word="GitHub", method="spelled", language="en", pronunciation="git hub")    # family entry
    _entry(owner_api, word="Podonos", method="spelled", language="de-de", pronunciation="po-do-nos")  # not en
    wf = make_workflow(owner_api, definition(TEXT), "Dictionary run")

    takes = _run(owner_api, wf["id"])
    inj, gen = takes["operator_phoneme_injector"], takes["operator_generator"]
    pod = markup.make("Podonos", "pəˈdoʊnoʊs")
    assert inj[0].text_out == f"{pod} runs on {markup.make_respelling('Nginx', 'engine x')}."
    assert inj[1].text_out == (f"We love {markup.make('podonos', 'pəˈdoʊnoʊs')} and "
                               f"{markup.make('PODONOS', 'pəˈdoʊnoʊs')} on {markup.make_respelling('GitHub', 'git hub')}.")
    assert inj[2].text_out == "Nothing to fix here."
    for i in range(3):
        assert gen[i].text == inj[i].text_out                      # the generator speaks the injected text
        assert markup.plain(gen[i].text) == TEXT.splitlines()[i]    # ... which still reads as the script
        assert gen[i].synth_calls == 1 and gen[i].reused_from is None
    # espeak is given the respellings (and mnemonics for the IPA)
    assert engine_input("espeak", gen[0].text, "en-us").endswith("]] runs on engine x.")
    assert engine_input("espeak", gen[1].text, "en-us").endswith("]] on git hub.")
    assert inj[0].meta["dictionary"]["applied"] == {ipa: 1, spelled: 1}
    assert inj[1].meta["dictionary"]["applied"][ipa] == 2
    assert inj[0].unit == "character" and inj[0].units == len("Podonos runs on Nginx.")
    assert _uses() == {"Podonos/en-us": 3, "Nginx/en-us": 1, "GitHub/en": 1, "Podonos/de-de": 0}
    version = inj[0].meta["dictionary"]["version"]
    assert version != "0"
    # what people read (run data cards, the ZIP manifest) is the script, without pronunciation marks
    run_id = gen[0].run_id
    data = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/runs/{run_id}/data"))["data"]
    scripts = sorted(card["script"] for row in data["rows"] for card in row["cards"])
    assert scripts == sorted(TEXT.splitlines())

    # the same dictionary: the generator reuses the accepted takes; uses still count what was applied
    takes = _run(owner_api, wf["id"])
    assert all(t.reused_from is not None and t.synth_calls == 0 for t in takes["operator_generator"].values())
    assert takes["operator_phoneme_injector"][0].meta["dictionary"]["version"] == version
    assert _uses() == {"Podonos/en-us": 6, "Nginx/en-us": 2, "GitHub/en": 2, "Podonos/de-de": 0}

    # any edit of an entry that applies to en-us changes the version, and so the generator's reuse key,
    # even for a line the entry does not touch
    assert_envelope(owner_api.put(f"/api/v1/dictionary/{spelled}", json={"description": "web server"}))
    takes = _run(owner_api, wf["id"])
    assert takes["operator_phoneme_injector"][0].meta["dictionary"]["version"] != version
    assert all(t.reused_from is None and t.synth_calls == 1 for t in takes["operator_generator"].values())
    assert _uses()["Podonos/en-us"] == 9


def test_apply_dictionary_off_passes_text_through(owner_api, workspace):
    """In process (no worker): the plugin with the flag off changes nothing and counts nothing."""
    from types import SimpleNamespace

    from app.engine.plugins import get
    _entry(owner_api, word="Podonos", method="ipa", language="en-us", ipa="pəˈdoʊnoʊs")
    plugin = get("operator_phoneme_injector")
    take = SimpleNamespace(text="Podonos says hi.", locale="en-us", workspace_id=workspace.id)
    off = plugin.process(take, SimpleNamespace(config={"apply_dictionary": False}, dictionary_version="x"))
    assert off.text_out == "Podonos says hi." and off.meta["dictionary"]["applied"] == {}
    from app.services.dictionary import version_for
    on = plugin.process(take, SimpleNamespace(config={}, dictionary_version=version_for(workspace.id, "en-us")))
    assert on.text_out == f"{markup.make('Podonos', 'pəˈdoʊnoʊs')} says hi."
    plugin.after_store([off, on, on])            # what the executor calls inside the storing transaction
    db.session.commit()
    assert _uses() == {"Podonos/en-us": 2}
