"""A workspace's own keys for remote providers (cloud TTS, machine translation).

Secrets are encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256); the Fernet key is derived
from SECRET_KEY with HKDF, so a database dump alone does not reveal them. Only the last four
characters are kept in clear, for display. Rotating SECRET_KEY makes stored keys unreadable: they
must be entered again (decrypt raises, and callers report the provider as not configured).
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import select

from app.errors import ValidationFailed
from app.extensions import db
from app.models import ProviderCredential

TTS_PROVIDERS = ("elevenlabs", "openai", "cartesia")
MT_PROVIDERS = ("libretranslate", "deepl", "openai_compatible")
KINDS = {"tts": TTS_PROVIDERS, "mt": MT_PROVIDERS}


@dataclass(frozen=True)
class Credential:
    """What an adapter needs: the decrypted secret, an optional base URL and options."""
    provider: str
    kind: str
    secret: str | None
    base_url: str | None
    options: dict


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"].encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"onepin-provider-credentials",
               info=b"fernet").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str) -> bytes:
    return _fernet().encrypt(value.encode())


def decrypt(token: bytes) -> str | None:
    try:
        return _fernet().decrypt(token).decode()
    except InvalidToken:
        return None


def _check(kind: str, provider: str) -> None:
    if kind not in KINDS:
        raise ValidationFailed([{"field": "kind", "message": f"Unknown kind {kind!r}: use tts or mt."}])
    if provider not in KINDS[kind]:
        raise ValidationFailed([{"field": "provider", "message":
                                 f"Unknown {kind} provider {provider!r}: one of {', '.join(KINDS[kind])}."}])


def find(workspace_id: str, kind: str, provider: str) -> ProviderCredential | None:
    return db.session.scalar(select(ProviderCredential).where(
        ProviderCredential.workspace_id == workspace_id, ProviderCredential.kind == kind,
        ProviderCredential.provider == provider))


def list_for(workspace_id: str, kind: str | None = None) -> list[ProviderCredential]:
    q = select(ProviderCredential).where(ProviderCredential.workspace_id == workspace_id)
    if kind:
        q = q.where(ProviderCredential.kind == kind)
    return list(db.session.scalars(q.order_by(ProviderCredential.kind, ProviderCredential.provider)))


def save(workspace_id: str, kind: str, provider: str, *, secret: str | None, base_url: str | None = None,
         options: dict | None = None, user_id: str | None = None) -> ProviderCredential:
    """Creates or replaces the workspace's credential for a provider (a blank secret keeps the old one)."""
    _check(kind, provider)
    secret = (secret or "").strip() or None
    base_url = (base_url or "").strip() or None
    if base_url and not base_url.startswith(("http://", "https://")):
        raise ValidationFailed([{"field": "base_url", "message": "Base URL must start with http:// or https://."}])
    cred = find(workspace_id, kind, provider)
    if cred is None:
        if secret is None and provider != "libretranslate":
            raise ValidationFailed([{"field": "secret", "message": "An API key is required."}])
        cred = ProviderCredential(workspace_id=workspace_id, kind=kind, provider=provider, created_by=user_id,
                                  options={})
        db.session.add(cred)
    if secret is not None:
        cred.secret_encrypted, cred.secret_last4 = encrypt(secret), secret[-4:]
    cred.base_url = base_url
    if options is not None:
        cred.options = dict(options)
    db.session.flush()
    return cred


def remove(workspace_id: str, kind: str, provider: str) -> bool:
    cred = find(workspace_id, kind, provider)
    if cred is None:
        return False
    db.session.delete(cred)
    db.session.flush()
    return True


def resolve(workspace_id: str, kind: str, provider: str) -> Credential | None:
    """The usable credential, or None when the workspace has none (or it can no longer be decrypted)."""
    cred = find(workspace_id, kind, provider)
    if cred is None:
        return None
    secret = decrypt(cred.secret_encrypted) if cred.secret_encrypted else None
    if cred.secret_encrypted and secret is None:
        return None
    return Credential(provider=provider, kind=kind, secret=secret, base_url=cred.base_url,
                      options=dict(cred.options or {}))
