"""Provider keys on the workspace settings page: who may see and change them, what a row shows, and the
activity trail. The keys themselves live in provider_credentials (encrypted; only the last four
characters are ever shown). Admins only: the page reveals which paid accounts the workspace uses."""
from __future__ import annotations

from dataclasses import dataclass

from app.auth.permissions import require_role
from app.errors import NotFound, ValidationFailed
from app.models import Membership, User, Workspace
from app.services import activity, provider_credentials

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
                                    c.updated_at if c else None))
    return out


def save(ws: Workspace, membership: Membership, user: User, kind: str, provider: str, form) -> bool:
    """Adds or replaces a key (a blank key keeps the stored one and only changes the base URL).
    Returns True when a key was replaced or updated, False when it was added."""
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
    provider_credentials.save(ws.id, kind, provider, secret=form.get("secret"), base_url=form.get("base_url"),
                              user_id=user.id)
    activity.record(ws.id, user.id, "settings_changed", "provider_key.updated" if existed else "provider_key.added",
                    "provider_credential", f"{kind}:{provider}", DISPLAY.get(provider, provider),
                    data={"kind": kind, "provider": provider, "base_url_set": bool(form.get("base_url"))})
    return existed


def remove(ws: Workspace, membership: Membership, user: User, kind: str, provider: str) -> None:
    _admin(membership)
    _known(kind, provider)
    if not provider_credentials.remove(ws.id, kind, provider):
        raise NotFound(f"{DISPLAY.get(provider, provider)} has no key in this workspace.")
    activity.record(ws.id, user.id, "settings_changed", "provider_key.removed", "provider_credential",
                    f"{kind}:{provider}", DISPLAY.get(provider, provider), data={"kind": kind, "provider": provider})
