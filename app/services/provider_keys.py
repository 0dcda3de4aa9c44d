"""Provider keys on the workspace settings page: who may see and change them, what a row shows, and the
activity trail. The keys themselves live in provider_credentials (encrypted; only the last four
characters are ever shown). Admins only: the page reveals which paid accounts the workspace uses.
Saving a cloud TTS key imports that provider's voices into the workspace (provider_voices); removing it
makes them unavailable."""
from __future__ import annotations

from dataclasses import dataclass

from app.auth.permissions import require_role
from app.errors import NotFound, ValidationFailed
from app.models import Membership, User, Workspace
from app.services import activity, provider_credentials, provider_voices

DISPLAY = {"elevenlabs": "ElevenLabs", "openai": "OpenAI", "cartesia": "Cartesia",
           "libretranslate": "LibreTranslate", "deepl": "DeepL", "openai_compatible": "OpenAI-compatible"}
KIND_TITLES = {"tts": "Text to speech", "mt": "Machine translation"}
HINTS = {
    "elevenlabs": "Your xi-api-key from elevenlabs.io.",
    "openai": "An OpenAI API key (sk-…).",
    "cartesia": "A Cartesia API key from play.cartesia.ai.",
    "libretranslate": "Needed only if your LibreTranslate server asks for one; set its base URL.",
    "deepl": "A DeepL API key (free keys end in :fx).",
    "openai_compatible": "The key of any OpenAI-compatible chat endpoint; set its base URL.",
}
PLACEHOLDERS = {
    "elevenlabs": "Default: https://api.elevenlabs.io", "openai": "Default: https://api.openai.com",
    "cartesia": "Default: https://api.cartesia.ai", "libretranslate": "Default: https://libretranslate.com",
    "deepl": "Default: DeepL Free or Pro, chosen by the key", "openai_compatible": "Default: https://api.openai.com/v1",
}
MESSAGE = "Only workspace admins can manage provider keys."


@dataclass(frozen=True)
class KeyRow:
    kind: str
    provider: str
    name: str
    hint: str
    placeholder: str
    configured: bool
    last4: str | None
    base_url: str | None
    updated_at: object
    voices: dict | None = None        # the last voice import (provider_voices.status), cloud TTS only
    imports_voices: bool = False


def _admin(membership: Membership) -> None:
    require_role(membership.role, "workspace.update", MESSAGE)


def _known(kind: str, provider: str) -> None:
    if provider not in provider_credentials.KINDS.get(kind, ()):
        raise NotFound("Unknown provider.")


def rows(ws: Workspace, membership: Membership) -> dict[str, list[KeyRow]]:
    """Every provider of every kind, configured or not, for the settings page."""
    _admin(membership)
    have = {(c.kind, c.provider): c for c in provider_credentials.list_for(ws.id)}
    out: dict[str, list[KeyRow]] = {}
    for kind, providers in provider_credentials.KINDS.items():
        out[kind] = []
        for p in providers:
            c = have.get((kind, p))
            out[kind].append(KeyRow(kind, p, DISPLAY.get(p, p), HINTS.get(p, ""), PLACEHOLDERS.get(p, ""),
                                    c is not None, c.secret_last4 if c else None, c.base_url if c else None,
                                    c.updated_at if c else None, provider_voices.status(c),
                                    provider_voices.is_cloud_tts(kind, p)))
    return out


def _listing(ws: Workspace, kind: str, provider: str, form) -> provider_voices.Listing | None:
    """The voice list for the key being saved (fetched before anything is written), or None when there
    is nothing to list with (not a cloud TTS provider, no key, a base URL that will be refused)."""
    if not provider_voices.is_cloud_tts(kind, provider):
        return None
    stored = provider_credentials.resolve(ws.id, kind, provider)
    secret = (form.get("secret") or "").strip() or (stored.secret if stored else None)
    base_url = (form.get("base_url") or "").strip() or None
    if not secret or (base_url and not base_url.startswith(("http://", "https://"))):
        return None
    return provider_voices.fetch(provider, secret, base_url, stored.options if stored else None)


def save(ws: Workspace, membership: Membership, user: User, kind: str, provider: str, form
         ) -> tuple[bool, provider_voices.Outcome | None]:
    """Adds or replaces a key (a blank key keeps the stored one and only changes the base URL); a cloud
    TTS key then imports the provider's voices. Returns (True when a key was replaced or updated, False
    when it was added; the voice import's outcome or None)."""
    _admin(membership)
    _known(kind, provider)
    problems = []
    if len(form.get("secret") or "") > 500:
        problems.append({"field": "secret", "message": "is too long (500 characters at most)."})
    if len(form.get("base_url") or "") > 400:
        problems.append({"field": "base_url", "message": "is too long (400 characters at most)."})
    if problems:
        raise ValidationFailed(problems)
    existed = provider_credentials.find(ws.id, kind, provider) is not None
    listing = _listing(ws, kind, provider, form)
    cred = provider_credentials.save(ws.id, kind, provider, secret=form.get("secret"),
                                     base_url=form.get("base_url"), user_id=user.id)
    activity.record(ws.id, user.id, "settings_changed", "provider_key.updated" if existed else "provider_key.added",
                    "provider_credential", f"{kind}:{provider}", DISPLAY.get(provider, provider),
                    data={"kind": kind, "provider": provider, "base_url_set": bool(form.get("base_url"))})
    outcome = provider_voices.apply(ws.id, cred, listing, user_id=user.id) if listing else None
    return existed, outcome


def reimport_voices(ws: Workspace, membership: Membership, user: User, provider: str) -> provider_voices.Outcome:
    """Lists the provider's voices again with the stored key and reconciles the workspace's copies."""
    _admin(membership)
    _known("tts", provider)
    stored = provider_credentials.resolve(ws.id, "tts", provider)
    if stored is None or not provider_voices.is_cloud_tts("tts", provider):
        raise NotFound(f"{DISPLAY.get(provider, provider)} has no key in this workspace.")
    listing = provider_voices.fetch(provider, stored.secret, stored.base_url, stored.options)
    return provider_voices.apply(ws.id, provider_credentials.find(ws.id, "tts", provider), listing,
                                 user_id=user.id)


def remove(ws: Workspace, membership: Membership, user: User, kind: str, provider: str) -> int:
    """Removes the key; returns how many of the workspace's voices of that provider became unavailable."""
    _admin(membership)
    _known(kind, provider)
    if not provider_credentials.remove(ws.id, kind, provider):
        raise NotFound(f"{DISPLAY.get(provider, provider)} has no key in this workspace.")
    unavailable = provider_voices.key_removed(ws.id, provider) if provider_voices.is_cloud_tts(kind, provider) else 0
    activity.record(ws.id, user.id, "settings_changed", "provider_key.removed", "provider_credential",
                    f"{kind}:{provider}", DISPLAY.get(provider, provider), data={"kind": kind, "provider": provider})
    return unavailable
