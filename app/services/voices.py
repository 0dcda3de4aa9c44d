"""Voices as the API and the UI read them: list, facets, one voice, similar voices, previews,
workspace favourites, and the per-model views of the provider catalog.

Visibility: platform voices (workspace_id NULL) and the caller's workspace's own voices; anything
else is a 404, like a missing id. Inactive platform voices (no longer offered by the engines) are left
out of lists but can still be read by id, since saved workflows may name them.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy import delete, func, or_, select

from app.auth.permissions import require_role
from app.errors import NotFound, ServiceUnavailable, ValidationFailed
from app.extensions import db
from app.models import Voice, VoiceFavorite, Workspace, iso, utcnow
from app.services import voice_search as search
from app.services import voice_samples
from app.speech import voiceprint
from app.workflows.locales import FAMILY_DEFAULTS, SUPPORTED_LOCALES

SIMILAR_RETRY_AFTER = 30       # seconds: voiceprints are rendered by the catalog job
SIMILAR_MAX_LANGUAGES = 16


def _visible(workspace_id: str | None):
    own = Voice.workspace_id.is_(None)
    return or_(own, Voice.workspace_id == workspace_id) if workspace_id else own


def _rows(workspace_id: str | None) -> list[search.Row]:
    cols = (Voice.id, Voice.workspace_id, Voice.source, Voice.provider, Voice.name, Voice.gender, Voice.age,
            Voice.accent, Voice.category, Voice.tags, Voice.supported_languages, Voice.model_capabilities,
            Voice.description, Voice.created_at, Voice.updated_at, Voice.uses_count)
    out = []
    for r in db.session.execute(select(*cols).where(_visible(workspace_id), Voice.is_active.is_(True))):
        out.append(search.Row(
            id=r.id, workspace_id=r.workspace_id, source=r.source, provider=r.provider, name=r.name,
            gender=r.gender, age=r.age, accent=r.accent, category=r.category, tags=tuple(r.tags or ()),
            languages=tuple(r.supported_languages or ()),
            models=tuple(c.get("model") for c in (r.model_capabilities or []) if c.get("model")),
            description=r.description or "", created_at=r.created_at, updated_at=r.updated_at,
            uses_count=r.uses_count or 0))
    return out


def _favorites(workspace_id: str) -> dict:
    """voice_id -> favourited at."""
    return dict(db.session.execute(select(VoiceFavorite.voice_id, VoiceFavorite.created_at).where(
        VoiceFavorite.workspace_id == workspace_id)).all())


def find(ws: Workspace, voice_id: str) -> Voice:
    v = db.session.get(Voice, voice_id) if isinstance(voice_id, str) and 0 < len(voice_id) <= 120 else None
    if v is None or (v.workspace_id is not None and v.workspace_id != ws.id):
        raise NotFound("Voice not found.")
    return v


# ---- output --------------------------------------------------------------------------------------

def voice_out(v: Voice, *, is_favorite: bool = False, languages: list[str] | None = None) -> dict:
    default_locale, default = voice_samples.default_sample(v)
    lang_locale, lang_sample = voice_samples.sample_for(v, languages) if languages else (None, None)
    caps = [{"model": c.get("model"), "languages_known": bool(c.get("languages_known")),
             "supported_languages": list(c.get("supported_languages") or [])} for c in (v.model_capabilities or [])]
    return {
        "id": v.id, "name": v.name, "provider": v.provider, "provider_voice_id": v.provider_voice_id,
        "description": v.description, "is_active": bool(v.is_active), "gender": v.gender, "accent": v.accent,
        "age": v.age, "category": v.category, "color": v.color, "tags": list(v.tags or []),
        "uses_count": v.uses_count or 0, "user_id": v.user_id, "source": v.source,
        "availability": v.availability, "unavailable_reason": v.unavailable_reason,
        "duration_seconds": round(default["duration_ms"] / 1000.0, 3) if default and default.get("duration_ms") else None,
        "sample_url": voice_samples.signed_url(default), "sample_locale": default_locale,
        "language_sample_url": voice_samples.signed_url(lang_sample), "language_sample_locale": lang_locale,
        "supported_languages": list(v.supported_languages or []) or None,
        "preview_locales": sorted((v.samples or {}).keys()),
        "supported_models": [c["model"] for c in caps] or None, "model_capabilities": caps,
        "is_favorite": bool(is_favorite), "created_at": iso(v.created_at), "updated_at": iso(v.updated_at),
    }


def _outs(ids: list[str], ws: Workspace, favorites: dict, languages: list[str] | None) -> list[dict]:
    if not ids:
        return []
    by_id = {v.id: v for v in db.session.scalars(select(Voice).where(Voice.id.in_(ids)))}
    return [voice_out(by_id[i], is_favorite=i in favorites, languages=languages) for i in ids if i in by_id]


# ---- list and facets -----------------------------------------------------------------------------

def list_voices(ws: Workspace, args, offset: int, limit: int) -> tuple[list[dict], int]:
    q = search.parse(args)
    favorites = _favorites(ws.id)
    rows = search.order(search.apply(_rows(ws.id), q, favorites), q, favorites)
    page = [r.id for r in rows[offset:offset + limit]]
    return _outs(page, ws, favorites, q.languages or None), len(rows)


def _labels() -> dict:
    from app.services.catalog import catalog
    cat = catalog()
    providers, models = {}, {}
    for p in cat.providers():
        providers[p] = cat.provider_display_name(p)
        for m in cat.models(p):
            models.setdefault(m, cat.model_display_name(p, m))
    return {"providers": providers, "models": models}


def facets(ws: Workspace, args) -> dict:
    q = search.parse(args, with_sort=False)
    return search.facets(_rows(ws.id), q, _favorites(ws.id), _labels())


def get(ws: Workspace, voice_id: str) -> dict:
    v = find(ws, voice_id)
    fav = db.session.scalar(select(VoiceFavorite.voice_id).where(
        VoiceFavorite.workspace_id == ws.id, VoiceFavorite.voice_id == v.id)) is not None
    return voice_out(v, is_favorite=fav)


# ---- similar voices ------------------------------------------------------------------------------

def _similar_languages(values: list[str]) -> list[str]:
    tokens = []
    for raw in values:
        token = search.language_token(raw)
        if token is None:
            raise ValidationFailed([{"field": "language", "message": f"unsupported language {raw!r}"}])
        tokens.append(token)
    if len(tokens) > SIMILAR_MAX_LANGUAGES:
        raise ValidationFailed([{"field": "language", "message": f"at most {SIMILAR_MAX_LANGUAGES} values"}])
    return list(dict.fromkeys(tokens))


_PLATFORM_PRINTS: dict = {}


def _voiceprints(workspace_id: str | None) -> tuple[list[tuple[str, list]], np.ndarray]:
    """([(id, supported_languages)], matrix) of the visible active voices with a current voiceprint.
    The platform part (about a thousand rows) is cached per process until the catalog changes."""
    wanted = (Voice.is_active.is_(True), Voice.voiceprint.is_not(None), Voice.voiceprint_version == voiceprint.VERSION)
    stamp = db.session.execute(select(func.count(), func.max(Voice.updated_at)).where(
        Voice.workspace_id.is_(None), *wanted)).one()
    key = (db.engine.url.render_as_string(hide_password=True), stamp[0], stamp[1])
    if _PLATFORM_PRINTS.get("key") != key:
        rows = db.session.execute(select(Voice.id, Voice.supported_languages, Voice.voiceprint).where(
            Voice.workspace_id.is_(None), *wanted).order_by(Voice.id)).all()
        _PLATFORM_PRINTS.update(key=key, meta=[(r.id, r.supported_languages or []) for r in rows],
                                matrix=np.array([r.voiceprint for r in rows], dtype=float).reshape(len(rows), -1))
    meta, matrix = list(_PLATFORM_PRINTS["meta"]), _PLATFORM_PRINTS["matrix"]
    if workspace_id:
        own = db.session.execute(select(Voice.id, Voice.supported_languages, Voice.voiceprint).where(
            Voice.workspace_id == workspace_id, *wanted).order_by(Voice.id)).all()
        if own:
            meta += [(r.id, r.supported_languages or []) for r in own]
            extra = np.array([r.voiceprint for r in own], dtype=float)
            matrix = np.vstack([matrix, extra]) if matrix.size else extra
    return meta, matrix


def rank_by_voiceprint(workspace_id: str | None, vector, *, languages: list[str] | None = None,
                       exclude: str | None = None, limit: int = 10) -> list[tuple[Voice, float]]:
    """Visible active voices with a voiceprint, most similar to ``vector`` first (score 0..1).
    Each dimension is standardised over every visible voiceprint, not only the filtered candidates, so
    a language filter narrows the list without changing the scores."""
    meta, matrix = _voiceprints(workspace_id)
    if not meta:
        return []
    scores = voiceprint.scores(np.asarray(vector, dtype=float), matrix, voiceprint.Scaler(matrix))
    keep = [i for i, (vid, langs) in enumerate(meta) if vid != exclude
            and (not languages or search.language_matches(langs, languages))]
    keep.sort(key=lambda i: (-scores[i], meta[i][0]))
    top = [meta[i][0] for i in keep[:limit]]
    by_id = {v.id: v for v in db.session.scalars(select(Voice).where(Voice.id.in_(top)))} if top else {}
    return [(by_id[vid], float(scores[i])) for vid, i in zip(top, keep) if vid in by_id]


def similar(ws: Workspace, voice_id: str, limit: int, languages: list[str]) -> list[dict]:
    v = find(ws, voice_id)
    if not 1 <= limit <= 50:
        raise ValidationFailed([{"field": "limit", "message": "must be between 1 and 50"}])
    tokens = _similar_languages(languages)
    if v.voiceprint is None or v.voiceprint_version != voiceprint.VERSION:
        raise ServiceUnavailable("This voice's voiceprint is still being computed; try again shortly.",
                                 headers={"Retry-After": str(SIMILAR_RETRY_AFTER)})
    favorites = _favorites(ws.id)
    ranked = rank_by_voiceprint(v.workspace_id or ws.id, v.voiceprint, languages=tokens or None, exclude=v.id,
                                limit=limit)
    return [{**voice_out(other, is_favorite=other.id in favorites, languages=tokens or None),
             "similarity_score": round(score, 4)} for other, score in ranked]


# ---- previews ------------------------------------------------------------------------------------

def preview(ws: Workspace, voice_id: str, language: str | None, model: str | None) -> dict:
    if not language or not language.strip():
        raise ValidationFailed([{"field": "language", "message": "is required (a locale such as en-us, or a family such as en)"}])
    token = search.language_token(language)
    if token is None:
        raise ValidationFailed([{"field": "language", "message": f"unsupported language {language!r}; use one of "
                                 + ", ".join(SUPPORTED_LOCALES) + " or a family (" + ", ".join(FAMILY_DEFAULTS) + ")"}])
    v = find(ws, voice_id)
    locale, sample = voice_samples.sample_for(v, [token])
    if sample is None:
        raise NotFound(f"This voice has no preview in {token}.")
    return {"name": v.name, "locale": locale, "model": sample.get("model") or model,
            "sample_url": voice_samples.signed_url(sample), "content_type": sample.get("content_type"),
            "duration_seconds": round(sample["duration_ms"] / 1000.0, 3) if sample.get("duration_ms") else None}


# ---- favourites ----------------------------------------------------------------------------------

def favorite(ws: Workspace, membership, user_id: str, voice_id: str) -> dict:
    require_role(membership.role, "content.write", "Viewers cannot change the workspace's favourite voices.")
    v = find(ws, voice_id)
    exists = db.session.get(VoiceFavorite, (ws.id, v.id))
    if exists is None:
        db.session.add(VoiceFavorite(workspace_id=ws.id, voice_id=v.id, user_id=user_id, created_at=utcnow()))
        db.session.flush()
    return voice_out(v, is_favorite=True)


def unfavorite(ws: Workspace, membership, voice_id: str) -> None:
    """Idempotent: removing a favourite that does not exist is still a success."""
    require_role(membership.role, "content.write", "Viewers cannot change the workspace's favourite voices.")
    db.session.execute(delete(VoiceFavorite).where(VoiceFavorite.workspace_id == ws.id,
                                                   VoiceFavorite.voice_id == str(voice_id)[:120]))


# ---- uses ---------------------------------------------------------------------------------------

def record_run_uses(run) -> int:
    """A finished run counts one use for every voice that spoke at least one of its lines (uses_count,
    the `sort=uses_count` order). Assignments without a catalog id are matched by provider and provider
    voice id. Returns how many voices were counted."""
    from sqlalchemy import update

    from app.models import Take
    spoken = db.session.scalars(select(Take.voice).where(
        Take.run_id == run.id, Take.node_type == "operator_generator", Take.status == "done")).all()
    ids, by_provider = set(), set()
    for v in spoken:
        if not v:
            continue
        if v.get("catalog_voice_id"):
            ids.add(str(v["catalog_voice_id"])[:120])
        elif v.get("provider") and v.get("voice_id"):
            by_provider.add((v["provider"], v["voice_id"]))
    for provider, voice_id in by_provider:
        found = db.session.scalars(select(Voice.id).where(
            _visible(run.workspace_id), Voice.provider == provider, Voice.provider_voice_id == voice_id)).first()
        if found:
            ids.add(found)
    if not ids:
        return 0
    result = db.session.execute(update(Voice).where(Voice.id.in_(ids), _visible(run.workspace_id))
                                .values(uses_count=Voice.uses_count + 1))
    return result.rowcount or 0


# ---- provider catalog views ----------------------------------------------------------------------

def _platform_with_model(provider: str, model: str) -> list[tuple[str, str]]:
    """(id, name) of the active platform voices declaring the model."""
    rows = db.session.execute(select(Voice.id, Voice.name, Voice.model_capabilities).where(
        Voice.workspace_id.is_(None), Voice.provider == provider, Voice.is_active.is_(True)))
    return [(r.id, r.name) for r in rows if any(c.get("model") == model for c in r.model_capabilities or [])]


def count_platform_voices(provider: str, model: str) -> int:
    return len(_platform_with_model(provider, model))


def catalog_voices(provider: str, model: str, offset: int, limit: int) -> tuple[list[dict], int]:
    """Platform voices declaring the model (CatalogVoiceOut), by name then id."""
    found = sorted(_platform_with_model(provider, model), key=lambda r: (r[1].lower(), r[0]))
    page = [i for i, _name in found[offset:offset + limit]]
    by_id = {v.id: v for v in db.session.scalars(select(Voice).where(Voice.id.in_(page)))} if page else {}
    out = []
    for v in (by_id[i] for i in page):
        _loc, sample = voice_samples.default_sample(v)
        out.append({"id": v.id, "provider_voice_id": v.provider_voice_id, "name": v.name, "gender": v.gender,
                    "age": v.age, "accent": v.accent, "supported_languages": list(v.supported_languages or []),
                    "preview_url": voice_samples.signed_url(sample), "emotion_options": None})
    return out, len(found)
