"""End to end: an admin saves an ElevenLabs key on the settings page (the key points at the local fake of
ElevenLabs' documented API), the account's voices are imported, the editor's voice picker assigns one to a
generator, and a real run (one burst RQ worker) speaks every line with that voice through the provider
with the workspace's key; the same worker renders the imported voices' previews."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Take, Voice
from app.services import voice_picker
from app.speech.audio import decode
from app.storage import get_store
from tests.conftest import assert_envelope
from tests.engine.conftest import make_workflow, run_burst, start, wait_for
from tests.engine.test_cloud_tts import cloud_definition
from tests.fakes.elevenlabs import VOICES, FakeElevenLabs
from tests.web.conftest import WebClient, login

KEY = "el-e2e-key-2468"
LINES = "Our imported voice reads this first line.\nAnd then it reads the second one."
RACHEL = next(v["voice_id"] for v in VOICES if v["name"] == "Rachel")


def test_an_imported_voice_speaks_a_run_through_the_provider(app, owner, workspace, owner_api):
    with FakeElevenLabs(KEY) as fake:
        web = WebClient(login(app.test_client(), owner.email))
        html = web.post("/settings/provider-keys/tts/elevenlabs", {"secret": KEY, "base_url": fake.url},
                        htmx=True).get_data(as_text=True)
        assert "3 voices imported from ElevenLabs." in html

        found = assert_envelope(owner_api.get("/api/v1/voices?provider=elevenlabs&search=Rachel"))["data"]
        [rachel] = [v for v in found if v["provider_voice_id"] == RACHEL]
        choice = voice_picker.assignment(workspace, rachel["id"], "en-us")        # what the editor writes
        assert choice == {"voice_id": RACHEL, "catalog_voice_id": rachel["id"], "provider": "elevenlabs",
                          "model": "eleven_turbo_v2", "voice_name": "Rachel"}
        definition = cloud_definition("elevenlabs", LINES)
        definition["graph"]["nodes"][1]["config"]["voice_map"] = {"en-us": [choice]}
        wf = make_workflow(owner_api, definition)
        run = start(owner_api, wf["id"])

        proc = run_burst(timeout=300)
        row = wait_for(run["id"], timeout=60)
        assert row.status == "completed", (row.status, row.error, row.pause_error, proc.stderr[-2000:])

        spoken = [r for r in fake.calls(f"/v1/text-to-speech/{RACHEL}") if r["json"]["text"] in LINES.splitlines()]
        assert sorted(r["json"]["text"] for r in spoken) == sorted(LINES.splitlines())
        assert all(r["headers"]["xi-api-key"] == KEY and r["json"]["model_id"] == "eleven_turbo_v2"
                   and r["query"] == {"output_format": "pcm_22050"} for r in spoken)
        out = db.session.scalars(select(Take).where(Take.run_id == run["id"], Take.node_id == "out")
                                 .order_by(Take.line_index)).all()
        assert [t.line_index for t in out] == [0, 1]
        for take in out:
            audio = decode(get_store().get_bytes(take.audio_key))
            assert audio.sample_rate == 22050 and audio.duration_ms > 1000
        gen = db.session.scalars(select(Take).where(Take.run_id == run["id"], Take.node_id == "gen")).all()
        assert {(t.meta or {}).get("voice", {}).get("catalog_voice_id") for t in gen} == {rachel["id"]}

        # the same worker rendered the imported voices' previews with the workspace's key
        db.session.rollback()
        voices = db.session.scalars(select(Voice).where(Voice.workspace_id == workspace.id)).all()
        assert len(voices) == 3 and all(v.voiceprint and v.samples for v in voices), [
            (v.name, v.samples) for v in voices]
        assert db.session.get(Voice, rachel["id"]).uses_count == 1                # the run counted its voice
