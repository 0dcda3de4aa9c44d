"""Done-when of the dictionary: an IPA entry and a spelled entry each change the phonemes actually sent to
espeak and to Piper (asserted on the engine input and on the phonemes each engine makes of it), and Whisper
tiny.en then hears the word. "Tucson" is a good witness: both engines say it [tˈʌksən] on their own, and
Whisper hears "Tarkson" / "Texan"; said [ˈtuːsɑn] it hears "Tucson".

One real run per entry (source → phoneme injector → espeak and Piper generators → sinks) on a worker process;
the baseline without an entry is synthesized in this process with the same engine-input function."""
import re

import pytest
from sqlalchemy import select

from app.engine.plugins.generator import engine_input
from app.extensions import db
from app.models import Take
from app.services import credits
from app.speech.asr import transcribe
from app.speech.asr.accuracy import check_accuracy
from app.speech.audio import decode
from app.speech.text import espeak_phonemes as ep
from app.speech.text import markup
from app.speech.tts import get_engine
from app.storage import get_store
from tests.conftest import assert_envelope
from tests.engine.conftest import make_workflow, start, wait_for

SENTENCE = "We flew to Tucson, Arizona."
VOICES = {"espeak": {"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"},
          "piper": {"voice_id": "en_US-joe-medium", "provider": "piper", "model": "piper-vits"}}
WRONG = "tˈʌksən"           # what both engines say for "Tucson" without help


def definition() -> dict:
    nodes = [{"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": SENTENCE}},
             {"id": "dict", "type": "operator_phoneme_injector", "position": {"x": 200, "y": 0},
              "config": {"apply_dictionary": True}}]
    edges = [{"id": "e0", "source": "src", "sourcePort": "lines", "target": "dict", "targetPort": "lines"}]
    for i, (name, voice) in enumerate(VOICES.items()):
        nodes += [{"id": f"gen_{name}", "type": "operator_generator", "position": {"x": 400, "y": 200 * i},
                   "config": {"voice_map": {"en-us": [dict(voice)]}}},
                  {"id": f"out_{name}", "type": "sink_preview", "position": {"x": 600, "y": 200 * i},
                   "config": {"format": "wav"}}]
        edges += [{"id": f"a{i}", "source": "dict", "sourcePort": "lines", "target": f"gen_{name}",
                   "targetPort": "lines"},
                  {"id": f"b{i}", "source": f"gen_{name}", "sourcePort": "lines", "target": f"out_{name}",
                   "targetPort": "lines"}]
    return {"graph": {"nodes": nodes, "edges": edges}}


def phonemes_sent(provider: str, text: str) -> str:
    """The phonemes the engine makes of what the generator gives it: espeak's own trace of the synthesis
    (phoneme input honoured), Piper's phonemizer (which handles [[ ]] itself)."""
    voice = VOICES[provider]["voice_id"]
    if provider == "espeak":
        return ep.spoken_ipa(text, voice)
    return get_engine("piper").text_to_ipa(text, voice)


def heard(audio) -> str:
    return re.sub(r"[^a-z ]", " ", transcribe(audio, "en-us").text.lower())


@pytest.fixture(scope="module")
def baseline():
    """Without an entry: the generator's engine input is the plain sentence and both engines say tˈʌksən."""
    out = {}
    for provider, v in VOICES.items():
        text = engine_input(provider, SENTENCE, v["voice_id"])
        audio = get_engine(provider).synthesize(text, v["voice_id"], phonemes=True)
        out[provider] = (text, phonemes_sent(provider, text), heard(audio))
    return out


def _generator_takes(run_id: str) -> dict[str, Take]:
    db.session.rollback()
    return {t.node_id.removeprefix("gen_"): t for t in db.session.scalars(
        select(Take).where(Take.run_id == run_id, Take.node_type == "operator_generator"))}


def test_ipa_and_spelled_entries_change_what_the_engines_say_and_whisper_hears_the_word(
        owner_api, owner, workers, baseline):
    for provider, (text, phonemes, transcript) in baseline.items():
        assert text == SENTENCE
        assert WRONG in phonemes, (provider, phonemes)
        assert "tucson" not in transcript, (provider, transcript)

    credits.ensure_period_grant(owner)
    db.session.commit()
    wf = make_workflow(owner_api, definition(), "Tucson")
    entry = assert_envelope(owner_api.post("/api/v1/dictionary", json={
        "word": "Tucson", "method": "ipa", "language": "en-us", "ipa": "ˈtuːsɑn"}), 201)["data"]
    workers.start(1, log_dir=workers.log_dir)
    expected_input = {
        "ipa": {"espeak": "We flew to [['tu:s0n]], Arizona.", "piper": "We flew to [[ tˈuːsɑːn ]], Arizona."},
        "spelled": {"espeak": "We flew to too-sahn, Arizona.", "piper": "We flew to too-sahn, Arizona."},
    }
    said = {"ipa": "tˈuːsɑːn", "spelled": "tˈuː"}
    for kind in ("ipa", "spelled"):
        if kind == "spelled":
            assert_envelope(owner_api.put(f"/api/v1/dictionary/{entry['id']}", json={
                "method": "spelled", "pronunciation": "TOO-sahn", "ipa": None}))
        run = start(owner_api, wf["id"])
        done = wait_for(run["id"], timeout=180)
        assert done.status == "completed", (done.status, done.error, workers.text()[-3000:])
        takes = _generator_takes(run["id"])
        assert set(takes) == {"espeak", "piper"}
        for provider, take in takes.items():
            if kind == "ipa":
                assert take.text == f"We flew to {markup.make('Tucson', 'ˈtuːsɑn')}, Arizona."
            else:           # the word stays in the text (validators compare with the script), marked
                assert take.text == f"We flew to {markup.make_respelling('Tucson', 'too-sahn')}, Arizona."
            assert markup.plain(take.text) == SENTENCE
            sent = engine_input(provider, take.text, VOICES[provider]["voice_id"])
            assert sent == expected_input[kind][provider], (kind, provider, sent)
            phonemes = phonemes_sent(provider, sent)
            assert said[kind] in phonemes and WRONG not in phonemes, (kind, provider, phonemes)
            assert phonemes != baseline[provider][1]
            audio = decode(get_store().get_bytes(take.audio_key))
            transcript = heard(audio)
            assert "tucson" in transcript, (kind, provider, transcript)
            # the word accuracy check compares the audio with the script's words, never with the respelling
            acc = check_accuracy(audio, take.text, "en-us")
            assert acc.passed and acc.comparison.error_counts["substitutions"] == 0, (kind, provider, acc.transcript)
    db.session.rollback()
    uses = assert_envelope(owner_api.get("/api/v1/dictionary?language=en-us"))["data"][0]["uses_count"]
    assert uses == 2          # one application per run (the injector runs once per line, before both generators)
