"""operator_pronunciation_corrector: hints per mode, and a real run where the pronunciation validator flags a
word, the corrector says the line again with the dictionary's IPA for it, and Whisper then hears the word."""
import re
from types import SimpleNamespace

from sqlalchemy import select

from app.engine.plugins.corrector import _unmark, hint_for
from app.engine.plugins.generator import engine_input
from app.extensions import db
from app.models import Take
from app.services import credits
from app.speech.asr import transcribe
from app.speech.audio import decode
from app.speech.text import markup
from app.speech.text.lexicon import Lexicon, Rule
from app.storage import get_store
from tests.conftest import assert_envelope
from tests.engine.conftest import make_workflow, start, wait_for

TEXT = "We flew to Tucson, Arizona.\nThe weather was sunny and warm."


def definition(hint_mode: str = "dictionary") -> dict:
    nodes = [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": TEXT}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 200, "y": 0},
         "config": {"voice_map": {"en-us": [{"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}]}}},
        {"id": "val", "type": "validator_pronunciation", "position": {"x": 400, "y": 0}, "config": {"threshold": 80}},
        {"id": "fix", "type": "operator_pronunciation_corrector", "position": {"x": 600, "y": 100},
         "config": {"hint_mode": hint_mode, "max_words": 5}},
        {"id": "out", "type": "sink_preview", "position": {"x": 800, "y": 0}, "config": {"format": "wav"}},
    ]
    edges = [{"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
             {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "val", "targetPort": "lines"},
             {"id": "e3", "source": "val", "sourcePort": "pass", "target": "out", "targetPort": "lines"},
             {"id": "e4", "source": "val", "sourcePort": "fail", "target": "fix", "targetPort": "lines"},
             {"id": "e5", "source": "fix", "sourcePort": "lines", "target": "out", "targetPort": "lines"}]
    return {"graph": {"nodes": nodes, "edges": edges}}


def test_hints_per_mode():
    ipa_entry = SimpleNamespace(method="ipa", ipa="ˈtuːsɑn", pronunciation=None)
    spelled = SimpleNamespace(method="spelled", ipa=None, pronunciation="TOO-sahn")
    assert hint_for("Tucson", ipa_entry, None, "dictionary", "en-us") == ("ipa", "ˈtuːsɑn")
    assert hint_for("Tucson", spelled, None, "dictionary", "en-us") == ("respell", "TOO-sahn")
    assert hint_for("Tucson", ipa_entry, None, "spelled", "en-us") == ("respell", "TOO-sahn")
    kind, ipa = hint_for("Tucson", spelled, None, "ipa", "en-us")           # espeak's reading of the respelling
    assert kind == "ipa" and "tˈuː" in ipa
    assert hint_for("Tucson", None, "ˈtuːsɑn", "dictionary", "en-us") == ("ipa", "ˈtuːsɑn")   # validator's
    assert hint_for("Tucson", None, None, "ipa", "en-us") == ("ipa", "tˈʌksən")             # espeak's own
    assert hint_for("Tucson", None, None, "ipa", "xx-yy") is None                            # nothing known


def test_existing_marks_on_flagged_words_are_replaced():
    text = f"{markup.make('Tucson', 'x')} and {markup.make('Mesa', 'ˈmeɪsə')}"
    assert _unmark(text, {"tucson"}) == f"Tucson and {markup.make('Mesa', 'ˈmeɪsə')}"
    respelled = f"{markup.make_respelling('Tucson', 'tuck-son')} and Mesa"
    assert _unmark(respelled, {"tucson"}) == "Tucson and Mesa"
    # a respelling hint marks the word: the engine gets the respelling, the text still reads "Tucson"
    hinted = Lexicon([Rule(entry_id="Tucson", word="Tucson", method="spelled", pronunciation="TOO-sahn")],
                     "en-us").apply(_unmark(respelled, {"tucson"})).text
    assert hinted == f"{markup.make_respelling('Tucson', 'too-sahn')} and Mesa"
    assert engine_input("espeak", hinted, "en-us") == "too-sahn and Mesa" and markup.plain(hinted) == "Tucson and Mesa"


def test_flagged_word_is_said_again_with_the_dictionary_ipa(owner_api, owner, workers):
    credits.ensure_period_grant(owner)
    db.session.commit()
    assert_envelope(owner_api.post("/api/v1/dictionary", json={
        "word": "Tucson", "method": "ipa", "language": "en-us", "ipa": "ˈtuːsɑn"}), 201)
    wf = make_workflow(owner_api, definition(), "Corrector")
    workers.start(1, log_dir=workers.log_dir)
    run = start(owner_api, wf["id"])
    done = wait_for(run["id"], timeout=180)
    assert done.status == "completed", (done.status, done.error, workers.text()[-3000:])
    db.session.rollback()
    takes: dict[tuple[str, int], Take] = {(t.node_id, t.line_index): t for t in db.session.scalars(
        select(Take).where(Take.run_id == run["id"]))}
    val, fix, gen, sink = takes[("val", 0)], takes[("fix", 0)], takes[("gen", 0)], takes[("out", 0)]
    assert val.port == "fail", val.scores
    assert [f["word"] for f in val.scores["flagged_words"]] == ["Tucson"]
    c = fix.meta["corrector"]
    assert c["corrected"][0]["word"] == "Tucson" and c["corrected"][0]["hint"] == "ipa"
    assert c["corrected"][0]["value"] == "ˈtuːsɑn" and c["source_take"] == gen.id and c["validator_take"] == val.id
    assert c["text"] == f"We flew to {markup.make('Tucson', 'ˈtuːsɑn')}, Arizona."
    assert fix.text_out == "We flew to Tucson, Arizona."                  # the line as written goes on
    assert fix.units == 1 and fix.unit == "word" and fix.credits_milli == 20   # 20 credits per 1,000 words
    assert fix.synth_calls == 1 and fix.audio_key and fix.audio_key != gen.audio_key
    assert fix.audio_take_id == fix.id and fix.voice["voice_id"] == "en-us"
    assert sink.audio_key == fix.audio_key                                # the corrected audio is delivered
    store = get_store()
    before = re.sub(r"[^a-z ]", " ", transcribe(decode(store.get_bytes(gen.audio_key)), "en-us").text.lower())
    after = re.sub(r"[^a-z ]", " ", transcribe(decode(store.get_bytes(fix.audio_key)), "en-us").text.lower())
    assert "tucson" not in before and "tucson" in after, (before, after)
    # the clean line passed the validator and went straight to the sink with the generator's audio
    assert takes[("val", 1)].port == "pass" and ("fix", 1) not in takes
    assert takes[("out", 1)].audio_key == takes[("gen", 1)].audio_key
