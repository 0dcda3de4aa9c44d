"""Audio checks on every generator take, in real runs: a take whose audio is empty, silent, clipped,
far too short or too long for its text, or undecodable fails with that reason instead of shipping.
Local engines produce the first four for real (controls pushed to extremes); a cloud vendor (the local
OpenAI fake, answering 200 with a broken body) produces the empty and undecodable ones."""
from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from app.extensions import db
from app.models import Take
from app.services import credits, provider_credentials
from tests.engine.conftest import make_workflow, run_burst, start
from tests.fakes.openai_tts import FakeOpenAI

TEXT = "Hello there, this is a fast line of text with quite a few words in it to say."
KEY = "good-key-1234"
GENERATORS = {   # node id: (provider, voice, model, controls)
    "ok": ("espeak", "en-us", "espeak-ng", {}),
    "silent": ("espeak", "en-us", "espeak-ng", {"volume": 0}),
    "short": ("espeak", "en-us", "espeak-ng", {"speed": 5}),
    "long": ("piper", "en_US-joe-medium", "piper-vits", {"speed": 0.15}),
    "clipped": ("piper", "en_US-joe-medium", "piper-vits", {"volume": 4}),
}


def fan_out(generators: dict) -> dict:
    """source → each generator → its own sink."""
    nodes = [{"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": TEXT}}]
    edges = []
    for i, (gid, (provider, voice, model, controls)) in enumerate(generators.items()):
        nodes.append({"id": gid, "type": "operator_generator", "position": {"x": 250, "y": 150 * i}, "config": {
            "voice_map": {"en-us": [{"voice_id": voice, "provider": provider, "model": model,
                                     "canonical_controls": controls}]}}})
        nodes.append({"id": f"out-{gid}", "type": "sink_preview", "position": {"x": 500, "y": 150 * i},
                      "config": {"format": "wav"}})
        edges += [{"id": f"a{i}", "source": "src", "sourcePort": "lines", "target": gid, "targetPort": "lines"},
                  {"id": f"b{i}", "source": gid, "sourcePort": "lines", "target": f"out-{gid}", "targetPort": "lines"}]
    return {"graph": {"nodes": nodes, "edges": edges}}


def run_it(api, owner, definition, name) -> str:
    wf = make_workflow(api, definition, name=name)
    credits.ensure_period_grant(owner)
    db.session.commit()
    run = start(api, wf["id"])
    done = run_burst()
    assert done.returncode == 0, done.stderr[-3000:]
    return run["id"]


def generator_takes(run_id: str) -> dict[str, Take]:
    db.session.rollback()
    return {t.node_id: t for t in db.session.scalars(select(Take).where(
        Take.run_id == run_id, Take.node_type == "operator_generator"))}


def test_local_engines_failing_takes_carry_their_reason_and_are_not_delivered(owner_api, owner):
    run_id = run_it(owner_api, owner, fan_out(GENERATORS), "Audio checks")
    takes = generator_takes(run_id)
    assert takes["ok"].status == "done" and takes["ok"].audio_key and takes["ok"].error is None
    expected = {"silent": "The engine returned silent audio.",
                "short": "Implausible duration: too short: duration ",
                "long": "Implausible duration: too long: duration ",
                "clipped": "The audio clips: "}
    for gid, start_of_reason in expected.items():
        t = takes[gid]
        assert t.status == "failed" and t.audio_key is None, (gid, t.status)
        assert t.error.startswith(start_of_reason), (gid, t.error)
    sinks = db.session.scalars(select(Take.node_id).where(Take.run_id == run_id,
                                                          Take.node_type == "sink_preview")).all()
    assert sinks == ["out-ok"]                               # only the good take shipped


@pytest.fixture
def openai_fake(workspace):
    fake = FakeOpenAI(KEY).start()
    provider_credentials.save(workspace.id, "tts", "openai", secret=KEY, base_url=fake.url,
                              options={"max_retries": 0, "read_timeout": 5.0, "connect_timeout": 2.0})
    db.session.commit()
    yield fake
    fake.stop()


def _nan_wav() -> bytes:
    x = np.full(24000, np.nan, np.float32)
    x[::3] = 0.1
    buf = io.BytesIO()
    sf.write(buf, x, 24000, format="WAV", subtype="FLOAT")
    return buf.getvalue()


@pytest.mark.parametrize("body, reason", [
    (b"\x01", "The engine returned no audio."),                         # less than one PCM sample
    (_nan_wav(), "The audio cannot be decoded: it contains samples that are not numbers"),
])
def test_a_cloud_voice_returning_broken_audio_fails_the_take(owner_api, owner, openai_fake, body, reason):
    openai_fake.always(200, body=body)
    definition = fan_out({"cloud": ("openai", "alloy", "tts-1", {})})
    run_id = run_it(owner_api, owner, definition, "Broken cloud audio")
    take = generator_takes(run_id)["cloud"]
    assert openai_fake.calls("/v1/audio/speech"), "the vendor was not called"
    assert take.status == "failed" and take.audio_key is None and take.error.startswith(reason), take.error
