"""Building the voice catalog: platform voices from the installed engines, and cloud voices imported
into a workspace when it adds that provider's key.

``refresh()`` (the `onepin-server refresh-catalog` command and the ``jobs.voices.refresh_catalog`` job)
1. lists what the engines offer (app/speech/voicebook): every espeak-ng locale voice with each variant,
   the regional espeak voices, every Piper voice (bundled or in ONEPIN_PIPER_VOICES_DIR);
2. upserts one platform voice per entry (stable ids such as "espeak:en-gb+f3"); platform voices the
   engines no longer offer become inactive (kept: saved workflows may name them);
3. renders what is missing (app/services/voice_samples): a preview per supported locale, stored once in
   the object store, and the voiceprint. Work already done for the same engine version, text and
   voiceprint version is reused, so a refresh with nothing new is quick.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import Voice, new_id, utcnow
from app.services import voice_samples
from app.speech import voicebook
from app.workflows.locales import SUPPORTED_LOCALES, canonical_locale

log = logging.getLogger("onepin.voices.catalog")
REFRESH_JOB_ID = "voice-catalog-refresh"
BATCH = 25


@dataclass
class RefreshReport:
    active: int = 0
    added: int = 0
    updated: int = 0
    retired: int = 0
    rendered: int = 0
    reused: int = 0
    failed: list[str] = field(default_factory=list)
    by_provider: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        providers = ", ".join(f"{p} {n}" for p, n in sorted(self.by_provider.items()))
        text = (f"voices: {self.active} active ({providers}); {self.added} new, {self.updated} updated, "
                f"{self.retired} retired; previews and voiceprints: {self.rendered} rendered, {self.reused} "
                f"up to date; {self.seconds:.1f} s")
        if self.failed:
            text += f"; {len(self.failed)} failed: {', '.join(self.failed[:5])}"
        return text


def _capabilities(model: str, locales: list[str]) -> list[dict]:
    return [{"model": model, "languages_known": True, "supported_languages": list(locales)}]


def _apply(voice: Voice, entry: dict) -> bool:
    """Copy an entry's metadata onto the row; True when something changed."""
    estimated = voice.meta.get("gender_estimated") if voice.meta else None
    values = {
        "provider": entry["provider"], "provider_voice_id": entry["provider_voice_id"], "name": entry["name"],
        "description": entry["description"], "gender": entry["gender"] or estimated, "age": entry["age"],
        "accent": entry["accent"], "category": entry["category"], "tags": list(entry["tags"]),
        "supported_languages": list(entry["locales"]),
        "model_capabilities": _capabilities(entry["model"], entry["locales"]),
        "default_locale": entry["locales"][0] if entry["locales"] else None, "is_active": True,
    }
    changed = False
    for key, value in values.items():
        if getattr(voice, key) != value:
            setattr(voice, key, value)
            changed = True
    meta = {**(voice.meta or {}), **entry["meta"], "model": entry["model"]}
    if meta != voice.meta:
        voice.meta, changed = meta, True
    return changed


def refresh(*, locales: tuple[str, ...] | None = None, variants: tuple[str, ...] | None = None,
            render: bool = True, retire: bool = True, echo=None) -> RefreshReport:
    """Make the platform catalog match the installed engines (see the module docstring).

    ``locales`` limits the catalog to some deployment locales, ``variants`` the espeak variants (both None:
    everything); platform voices outside that scope become inactive unless ``retire`` is False."""
    started = time.monotonic()
    wanted = tuple(loc for loc in (locales or SUPPORTED_LOCALES) if loc in SUPPORTED_LOCALES)
    from app.speech import registry
    registry.refresh()
    _reset_provider_catalog()
    entries = voicebook.platform_voices(wanted, variants=variants)
    report = RefreshReport()
    now = utcnow()
    rows = {v.id: v for v in db.session.scalars(select(Voice).where(Voice.workspace_id.is_(None)))}
    for entry in entries:
        voice = rows.get(entry["key"])
        if voice is None:
            voice = Voice(id=entry["key"], workspace_id=None, source="platform", tags=[], supported_languages=[],
                          model_capabilities=[], samples={}, meta={}, uses_count=0, created_at=now)
            _apply(voice, entry)
            db.session.add(voice)
            rows[voice.id] = voice
            report.added += 1
        elif _apply(voice, entry):
            report.updated += 1
        voice.last_seen_at = now
        report.by_provider[entry["provider"]] = report.by_provider.get(entry["provider"], 0) + 1
    seen = {e["key"] for e in entries}
    for voice in rows.values() if retire else ():
        if voice.id not in seen and voice.is_active:
            voice.is_active = False
            report.retired += 1
    db.session.commit()
    report.active = len(entries)
    if echo:
        echo(f"catalog: {report.active} voices from the engines ({report.added} new); rendering previews ...")
    if render:
        by_key = {e["key"]: e for e in entries}
        pending = [rows[k] for k in by_key]
        for i, voice in enumerate(pending, 1):
            try:
                outcome = voice_samples.ensure_rendered(voice, by_key[voice.id])
            except Exception as exc:  # noqa: BLE001 - one bad voice must not stop the catalog
                log.exception("rendering voice %s failed", voice.id)
                report.failed.append(f"{voice.id} ({exc})")
                outcome = None
            if outcome == "rendered":
                report.rendered += 1
            elif outcome in ("reused", "current"):
                report.reused += 1
            if i % BATCH == 0:
                db.session.commit()
            if echo and i % 200 == 0:
                echo(f"  {i}/{len(pending)} voices ready")
        db.session.commit()
    report.seconds = time.monotonic() - started
    log.info("voice catalog refreshed: %s", report.summary())
    return report


def _reset_provider_catalog() -> None:
    """Forget this process's cached view of the engines (a Piper voice may have been added)."""
    from app.workflows import catalog as wf_catalog
    wf_catalog._default = None


def enqueue_refresh(locales: tuple[str, ...] | None = None, variants: tuple[str, ...] | None = None) -> bool:
    """Queue the refresh job once (a refresh already queued or running is not queued again)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from app.services.queue import queue, redis_conn
    q = queue("default")
    if q is None:
        return False
    try:
        job = Job.fetch(REFRESH_JOB_ID, connection=redis_conn())
        if job.get_status(refresh=True) in ("queued", "started", "deferred", "scheduled"):
            return False
        job.delete()
    except NoSuchJobError:
        pass
    q.enqueue("jobs.voices.refresh_catalog", locales, variants, job_id=REFRESH_JOB_ID, job_timeout=3 * 3600,
              result_ttl=3600, failure_ttl=24 * 3600)
    return True


# ---- cloud voices imported into a workspace ------------------------------------------------------

def _locales_of(values) -> list[str]:
    out: list[str] = []
    for value in values or []:
        loc = canonical_locale(value)
        if loc and loc not in out:
            out.append(loc)
    return out


def import_provider_voices(workspace_id: str, provider: str, voices: list[dict], *, user_id: str | None = None,
                           render: bool = True) -> list[Voice]:
    """Upsert a workspace's voices of one cloud provider (called when the workspace adds the provider's
    key, and again to reconcile). Each item of ``voices``::

        {"provider_voice_id": str (required), "name": str (required), "description"?, "gender"?, "age"?,
         "accent"?, "category"?, "tags"?: [str], "supported_languages"?: [locale],
         "models"?: [model] (default: every model of the provider in the catalog),
         "model_capabilities"?: [{"model", "supported_languages", "languages_known"}]}

    Voices imported earlier that are not in ``voices`` become unavailable (provider_voice_missing).
    Their previews and voiceprints are rendered by a job with the workspace's key (one clip each, in the
    voice's first language, so the import spends as little of the workspace's provider credit as it can).
    Does not commit."""
    from app.speech.registry import providers as engine_providers
    info = engine_providers(tuple(SUPPORTED_LOCALES)).get(provider)
    known_models = list(info.models) if info is not None else []
    existing = {v.provider_voice_id: v for v in db.session.scalars(select(Voice).where(
        Voice.workspace_id == workspace_id, Voice.provider == provider))}
    now, out, seen = utcnow(), [], set()
    for item in voices:
        pvid = str(item.get("provider_voice_id") or "").strip()
        name = str(item.get("name") or "").strip()
        if not pvid or not name:
            continue
        seen.add(pvid)
        locales = _locales_of(item.get("supported_languages"))
        caps = item.get("model_capabilities")
        if not caps:
            caps = [{"model": m, "languages_known": bool(locales), "supported_languages": locales}
                    for m in (item.get("models") or known_models)]
        voice = existing.get(pvid)
        if voice is None:
            voice = Voice(id=new_id(), workspace_id=workspace_id, user_id=user_id, source="provider_imported",
                          provider=provider, provider_voice_id=pvid, samples={}, meta={}, uses_count=0,
                          created_at=now)
            db.session.add(voice)
        voice.name, voice.description = name[:200], item.get("description")
        voice.gender = item.get("gender") if item.get("gender") in ("male", "female", "neutral") else None
        voice.age = item.get("age") if item.get("age") in ("young", "middle_aged", "old") else None
        voice.accent, voice.category = item.get("accent"), item.get("category")
        voice.tags = [str(t).lower() for t in item.get("tags") or []]
        voice.supported_languages, voice.model_capabilities = locales, caps
        voice.default_locale = locales[0] if locales else None
        voice.is_active, voice.availability, voice.unavailable_reason = True, "available", None
        voice.last_seen_at = now
        out.append(voice)
    for pvid, voice in existing.items():
        if pvid not in seen:
            voice.availability, voice.unavailable_reason = "unavailable", "provider_voice_missing"
    db.session.flush()
    if render and out:
        from app.services.queue import enqueue_after_commit
        enqueue_after_commit("default", "jobs.voices.render_workspace_voices", workspace_id, [v.id for v in out],
                             job_timeout=1800)
    return out


def mark_provider_unavailable(workspace_id: str, provider: str,
                              reason: str = "provider_key_unavailable") -> int:
    """The workspace removed (or broke) its key: its imported voices of that provider become unavailable."""
    voices = list(db.session.scalars(select(Voice).where(Voice.workspace_id == workspace_id,
                                                         Voice.provider == provider)))
    for v in voices:
        v.availability, v.unavailable_reason = "unavailable", reason
    db.session.flush()
    return len(voices)


def render_workspace_voices(workspace_id: str, voice_ids: list[str]) -> dict:
    """Previews and voiceprints of imported voices, with the workspace's own key (the job's body)."""
    counts = {"rendered": 0, "skipped": 0, "failed": 0}
    for voice in db.session.scalars(select(Voice).where(Voice.workspace_id == workspace_id,
                                                        Voice.id.in_(voice_ids))):
        try:
            counts["rendered" if voice_samples.render_cloud_voice(voice) else "skipped"] += 1
        except Exception:  # noqa: BLE001 - a provider error leaves this voice without a preview
            log.exception("preview of imported voice %s failed", voice.id)
            counts["failed"] += 1
        db.session.commit()
    return counts
