"""validator_error_rate and validator_pronunciation in real runs: espeak takes transcribed by the bundled
Whisper tiny.en in a real RQ worker (built-in plugins only)."""
from __future__ import annotations

from onepin.types import WorkflowRunDataResponse
from sqlalchemy import select

from app.extensions import db
from app.models import Take
from app.services import credits
from tests.conftest import assert_envelope
from tests.engine.conftest import make_workflow, run_burst, start

GOOD = ["Turn left at the traffic lights and continue for half a mile.",
        "The committee will announce the results on the 3rd of June."]
GIBBERISH = "Zorblat quendor vimtrax plonkish sebbleworth grindolax."


def definition(text: str, locale: str, voice: str) -> dict:
    """source → espeak → word accuracy (fail → back to the generator) → pronunciation → sink."""
    nodes = [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0},
         "config": {"text": text, "source_language": locale}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 200, "y": 0},
         "config": {"voice_map": {locale: [{"voice_id": voice, "provider": "espeak", "model": "espeak-ng"}]}}},
        {"id": "acc", "type": "validator_error_rate", "position": {"x": 400, "y": 0},
         "config": {"threshold": 85, "max_retries": 1}},
        {"id": "pron", "type": "validator_pronunciation", "position": {"x": 600, "y": 0}, "config": {}},
        {"id": "out", "type": "sink_preview", "position": {"x": 800, "y": 0}, "config": {"format": "wav"}},
    ]
    edges = [
        {"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
        {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "acc", "targetPort": "lines"},
        {"id": "e3", "source": "acc", "sourcePort": "pass", "target": "pron", "targetPort": "lines"},
        {"id": "e4", "source": "acc", "sourcePort": "fail", "target": "gen", "targetPort": "lines"},
        {"id": "e5", "source": "pron", "sourcePort": "pass", "target": "out", "targetPort": "lines"},
    ]
    return {"graph": {"nodes": nodes, "edges": edges}}


def takes_of(run_id: str, node_id: str) -> list[Take]:
    db.session.rollback()
    return list(db.session.scalars(select(Take).where(Take.run_id == run_id, Take.node_id == node_id)
                                   .order_by(Take.line_index, Take.attempt)))


def run_data(api, wf, run) -> dict:
    resp = api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/data", query_string={"include_dropped": "true"})
    body = assert_envelope(resp)
    WorkflowRunDataResponse.model_validate(body)            # the official SDK parses it
    return body["data"]


def test_asr_validators_judge_english_lines_and_report_other_locales_as_unsupported(owner_api, owner):
    credits.ensure_period_grant(owner)
    db.session.commit()
    assert_envelope(owner_api.post("/api/v1/dictionary", json={
        "word": "traffic", "method": "ipa", "language": "en-us", "ipa": "ˈtɹæfɪk"}), 201)
    en_wf = make_workflow(owner_api, definition("\n".join(GOOD + [GIBBERISH]), "en-us", "en-us"), "ASR en")
    de_wf = make_workflow(owner_api, definition("Guten Morgen, wie geht es dir heute?", "de-de", "de"), "ASR de")
    en_run, de_run = start(owner_api, en_wf["id"]), start(owner_api, de_wf["id"])
    done = run_burst(ONEPIN_ENGINE_PLUGINS="", ONEPIN_WHISPER_MULTILINGUAL_DIR="")
    assert done.returncode == 0, done.stderr[-3000:]

    # English: the good lines pass word accuracy first time with real transcripts
    acc = takes_of(en_run["id"], "acc")
    first = {t.line_index: t for t in acc if t.attempt == 1}
    for i in (0, 1):
        s = first[i].scores
        assert first[i].port == "pass", s
        assert s["status"] == "available" and s["score"] >= 85 and s["wer"] <= 0.15 and s["scored_on"] == "wer"
        assert s["asr_model"] == "whisper-tiny.en" and s["threshold"] == 85 and s["decoding"] in ("plain", "script_context")
        assert s["error_counts"]["reference_units"] >= 10 and s["longest_wrong_run"] <= s["max_wrong_run"] == 4
        assert first[i].units == len(GOOD[i]) and first[i].unit == "character"
        assert all(a["start"] is not None for a in s["alignment"] if a["status"] == "ok")
    assert "traffic lights" in first[0].scores["transcript"].lower()
    # the gibberish line fails, goes back to the generator once (max_retries 1), fails again and is dropped
    bad = [t for t in acc if t.line_index == 2]
    assert [(t.attempt, t.port) for t in bad] == [(1, "fail"), (2, "fail")]
    assert bad[-1].dropped and bad[0].scores["score"] < 50 and "WER" in bad[0].scores["reason"]
    assert [t.attempt for t in takes_of(en_run["id"], "gen") if t.line_index == 2] == [1, 2]
    assert bad[0].scores["segments"] and all(g["status"] == "word_error" for g in bad[0].scores["segments"])

    # pronunciation: the dictionary word and the name are the words checked
    pron = {t.line_index: t for t in takes_of(en_run["id"], "pron")}
    assert sorted(pron) == [0, 1]
    assert {"word": "traffic", "source": "dictionary", "ok": True} in pron[0].scores["checked"]
    assert [c["word"] for c in pron[1].scores["checked"]] == ["June"]
    assert all(t.port == "pass" and t.scores["score"] == 100 for t in pron.values())
    assert sorted(t.line_index for t in takes_of(en_run["id"], "out")) == [0, 1]

    data = run_data(owner_api, en_wf, en_run)
    cards = {r["line_index"]: r["cards"][0] for r in data["rows"]}
    wer = next(v for v in cards[0]["validations"] if v["kind"] == "wer")
    assert wer["status"] == "available" and wer["passed"] is True and wer["score"] >= 85
    assert wer["wer"] <= 0.15 and "traffic" in wer["transcript"].lower() and wer["scored_on"] == "wer"
    assert isinstance(wer["segments"], list) and wer["error_counts"]["reference_units"] >= 10
    for g in wer["segments"]:
        assert cards[0]["script"][g["start"]:g["end"]] == g["text"]
    assert next(v for v in cards[0]["validations"] if v["kind"] == "pronunciation")["score"] == 100
    assert cards[2]["status"] == "dropped"

    # German: no multilingual model is configured, so both validators say unsupported and the line goes on
    for node in ("acc", "pron"):
        [t] = takes_of(de_run["id"], node)
        assert t.port == "pass" and t.scores["status"] == "unsupported" and t.scores["score"] is None
        assert "ONEPIN_WHISPER_MULTILINGUAL_DIR" in t.scores["reason"] and t.units == 0
    de_data = run_data(owner_api, de_wf, de_run)
    [card] = de_data["rows"][0]["cards"]
    assert card["status"] == "delivered"
    assert {v["kind"]: (v["status"], v["score"]) for v in card["validations"]} == {
        "wer": ("unsupported", None), "pronunciation": ("unsupported", None)}


def test_pronunciation_spans_point_into_the_line_as_written():
    """The card's script is the line without pronunciation marks; flagged spans are mapped onto it."""
    from app.engine.plugins.validators_asr import _plain_span
    from app.speech.text import markup
    text = f"We met {markup.make('Siobhan', 'ʃɪˈvɔːn')} and {markup.make_respelling('Niamh', 'neev')} today."
    shown = markup.plain(text)
    assert shown == "We met Siobhan and Niamh today."
    for word in ("We", "Siobhan", "Niamh", "today"):
        at = text.index(word)
        span = _plain_span(text, shown, at, at + len(word))
        assert span["text"] == word == shown[span["start"]:span["end"]] and span["status"] == "pronunciation_error"
