"""source_script → operator_normalizer → operator_generator (espeak-ng) → sink_preview, through real RQ workers:
the generator speaks the normalized text, the node's flags reach the rules, and the normalizer bills its characters."""
from sqlalchemy import select

from app.extensions import db
from app.models import Take
from app.speech.audio import decode
from app.speech.text.normalize import normalize
from app.storage import get_store
from tests.conftest import assert_envelope
from tests.engine.conftest import make_workflow, run_burst, start

LINES = ["Dr. Smith paid $12.50 on 03/15/2024 at 3:30 p.m.", "We walked 5 km, then 2 more km."]


def definition(text: str, **flags) -> dict:
    nodes = [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": text}},
        {"id": "norm", "type": "operator_normalizer", "position": {"x": 200, "y": 0}, "config": flags},
        {"id": "gen", "type": "operator_generator", "position": {"x": 400, "y": 0},
         "config": {"voice_map": {"en-us": [{"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}]}}},
        {"id": "out", "type": "sink_preview", "position": {"x": 600, "y": 0}, "config": {"format": "wav"}},
    ]
    edges = [{"id": "e1", "source": "src", "sourcePort": "lines", "target": "norm", "targetPort": "lines"},
             {"id": "e2", "source": "norm", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
             {"id": "e3", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"}]
    return {"graph": {"nodes": nodes, "edges": edges}}


def test_the_generator_speaks_the_normalized_text(owner_api):
    wf = make_workflow(owner_api, definition("\n".join(LINES), expand_units=False), "Normalizer run")
    run = start(owner_api, wf["id"])
    done = run_burst()
    assert done.returncode == 0, done.stderr[-3000:]
    status = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/status"))["data"]
    assert status["status"] == "completed", status
    db.session.rollback()
    takes = db.session.scalars(select(Take).where(Take.run_id == run["id"])).all()
    norm = {t.line_index: t for t in takes if t.node_type == "operator_normalizer"}
    gen = {t.line_index: t for t in takes if t.node_type == "operator_generator"}
    assert sorted(norm) == sorted(gen) == [0, 1]
    assert gen[0].text == ("Doctor Smith paid twelve dollars and fifty cents on March fifteenth, twenty twenty-four "
                           "at three thirty p.m.")
    assert gen[1].text == "We walked five km, then two more km."           # expand_units off: km kept
    for i, line in enumerate(LINES):
        assert norm[i].text == line and norm[i].text_out == gen[i].text
        assert gen[i].text == normalize(line, "en-us", {"expand_units": False})
        assert norm[i].unit == "character" and norm[i].units == len(line)
        assert norm[i].meta["normalizer"]["status"] == "ok" and norm[i].meta["normalizer"]["locale"] == "en-us"
        assert norm[i].credits_milli == len(line)                       # 1 credit per 1,000 characters
    assert norm[0].meta["normalizer"]["expanded"] == {"abbreviations": 1, "currency": 1, "dates": 1, "times": 1}
    store = get_store()
    sinks = [t for t in takes if t.node_type == "sink_preview"]
    assert sorted(t.line_index for t in sinks) == [0, 1]
    assert all(decode(store.get_bytes(t.audio_key)).duration_ms > 1000 for t in sinks)
