"""voices.*: the catalog (list, facets, one voice), similar voices, previews and workspace favourites.

Reads need voices:read; favourites are workspace content: voices:write and the editor role.
"""
from flask import request

from app.api import api_v1
from app.api.context import principal, workspace
from app.api.envelope import ok, ok_list
from app.api.params import paging
from app.api.registry import endpoint
from app.errors import ValidationFailed
from app.extensions import db
from app.services import voices as voice_svc

T = "Voices"
FILTERS = {"favorites_only": "bool", "source": "list[str]", "gender": "list[str]", "age": "list[str]",
           "category": "list[str]", "accent": "list[str]", "search": "str", "provider": "list[str]",
           "model": "list[str]", "language": "list[str]"}


@endpoint(api_v1, "/voices", sdk="voices.list", scope="voices:read", tag=T,
          query={"offset": "int", "limit": "int", **FILTERS, "sort": "list[str]", "order": "list[str]"},
          response="list[VoiceOut]")
def list_voices():
    """Voices the workspace can use (platform + its own): filters, multi-sort or relevance search, counted."""
    ws, _m = workspace("voices:read")
    offset, limit = paging()
    items, total = voice_svc.list_voices(ws, request.args, offset, limit)
    return ok_list(items, limit=limit, offset=offset, total=total)


@endpoint(api_v1, "/voices/facets", sdk="voices.get_voice_facets", scope="voices:read", tag=T, query=FILTERS,
          response="VoiceFacetsOut")
def voice_facets():
    """Filter values with context-aware counts (each dimension ignores only its own filter)."""
    ws, _m = workspace("voices:read")
    return ok(voice_svc.facets(ws, request.args))


@endpoint(api_v1, "/voices/<voice_id>", sdk="voices.get", scope="voices:read", tag=T, response="VoiceOut")
def get_voice(voice_id):
    """A platform voice or one of the workspace's own (404 otherwise); sample_url is signed for ~1 hour."""
    ws, _m = workspace("voices:read")
    return ok(voice_svc.get(ws, voice_id))


@endpoint(api_v1, "/voices/<voice_id>/similar", sdk="voices.similar", scope="voices:read", tag=T,
          query={"limit": "int", "language": "list[str]"}, response="list[VoiceSimilarOut]")
def similar_voices(voice_id):
    """Voices ranked by voiceprint similarity (0..1); 503 + Retry-After until the voice has a voiceprint."""
    ws, _m = workspace("voices:read")
    raw = request.args.get("limit")
    try:
        limit = int(raw) if raw not in (None, "") else 10
    except ValueError:
        raise ValidationFailed([{"field": "limit", "message": "must be an integer"}]) from None
    languages = [v for v in request.args.getlist("language") if v.strip()]
    rows = voice_svc.similar(ws, voice_id, limit, languages)
    return ok_list(rows, limit=limit, has_more=False)


@endpoint(api_v1, "/voices/<voice_id>/preview", sdk="voices.preview", scope="voices:read", tag=T,
          query={"language": "str", "model": "str"}, response="VoicePreviewOut")
def preview_voice(voice_id):
    """The voice's stored preview in one language (a locale or a bare family); 404 when it has none there."""
    ws, _m = workspace("voices:read")
    return ok(voice_svc.preview(ws, voice_id, request.args.get("language"), request.args.get("model")))


@endpoint(api_v1, "/voices/<voice_id>/favorite", ("POST",), sdk="voices.favorite_voice", scope="voices:write",
          tag=T, response="VoiceOut")
def favorite_voice(voice_id):
    """Favourite for the whole workspace (editor role); idempotent."""
    ws, m = workspace("voices:write")
    out = voice_svc.favorite(ws, m, principal().user.id, voice_id)
    db.session.commit()
    return ok(out)


@endpoint(api_v1, "/voices/<voice_id>/favorite", ("DELETE",), sdk="voices.unfavorite_voice",
          scope="voices:write", tag=T, response="dict")
def unfavorite_voice(voice_id):
    """Idempotent removal (editor role)."""
    ws, m = workspace("voices:write")
    voice_svc.unfavorite(ws, m, voice_id)
    db.session.commit()
    return ok({})
