"""A workspace's cloud voices follow its provider keys: saving a TTS key lists the voices that key can use
and imports them (voice_catalog.import_provider_voices); removing it makes them unavailable.

The list is fetched inline, in the request that saves the key, with a short network budget (LIST_LIMITS:
3 s to connect, 10 s without a byte, one retry, Retry-After waited for up to 2 s): the vendors answer
their list endpoints in well under a second, so the admin sees the outcome at once ("3 voices imported",
or why not). ``fetch`` makes no database write, so no transaction is held open while the vendor answers
(on SQLite a write would lock the whole database); ``apply`` then writes everything in the caller's
transaction. Previews and voiceprints are rendered afterwards by the jobs.voices.render_workspace_voices
job, only for voices that have none yet (each costs the workspace's provider credit).

Outcomes (kept on the credential as ``options["voice_import"]`` and shown on the settings page):
- listed: the voices are imported; voices imported before that the vendor no longer lists become
  unavailable (provider_voice_missing).
- the key was refused (401/403): nothing is imported, and voices imported earlier become unavailable
  (provider_key_unavailable): runs with them would fail.
- any other failure (outage, timeout, rate limit, an answer we cannot read): nothing changes; the page says
  why and "Re-import voices" tries again.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from app.extensions import db
from app.models import ProviderCredential, utcnow
from app.services import voice_catalog
from app.speech.tts import cloud
from app.workflows.locales import SUPPORTED_LOCALES, canonical_locale

STATUS_KEY = "voice_import"
# Upper bounds on the credential's own network policy while listing (the admin waits for the answer).
LIST_LIMITS = {"connect_timeout": 3.0, "read_timeout": 10.0, "max_retries": 1, "max_backoff": 1.0,
               "max_retry_after": 2.0}


@dataclass
class Listing:
    """What the vendor said: the voices, or the error."""
    provider: str
    voices: list[dict] | None = None
    error: cloud.ProviderError | None = None

    @property
    def refused(self) -> bool:
        return isinstance(self.error, cloud.ProviderAuthError)


@dataclass
class Outcome:
    provider: str
    ok: bool
    count: int = 0
    refused: bool = False
    message: str = ""


def is_cloud_tts(kind: str, provider: str) -> bool:
    return kind == "tts" and provider in cloud.PROVIDERS


def policy(options: dict | None) -> cloud.HttpPolicy:
    own = cloud.HttpPolicy.from_options(options)
    return replace(own, **{k: min(getattr(own, k), type(getattr(own, k))(v)) for k, v in LIST_LIMITS.items()})


def fetch(provider: str, secret: str | None, base_url: str | None, options: dict | None = None) -> Listing:
    """The provider's voice list for this key (network only, no database)."""
    try:
        voices = cloud.adapter(provider, secret, base_url, options, policy=policy(options)).list_voices()
    except cloud.ProviderError as exc:
        return Listing(provider, error=exc)
    return Listing(provider, voices=voices)


def _locales(codes) -> list[str]:
    out: list[str] = []
    for code in codes or ():
        loc = canonical_locale(code)
        if loc and loc not in out:
            out.append(loc)
    return out


def import_items(provider: str, voices: list[dict]) -> list[dict]:
    """Adapter items → import items: vendor language codes resolved to our locales (codes we do not
    speak are dropped), and one capability per model we know (the vendor's model list, else every model
    of the provider), with the languages that model speaks among the voice's. A voice whose languages are
    unknown gets languages_known false, never a guess."""
    from app.speech.registry import providers as engine_providers
    info = engine_providers(tuple(SUPPORTED_LOCALES)).get(provider)
    model_locales = {m: list(x.locales) for m, x in info.models.items()} if info else {}
    out = []
    for item in voices:
        raw = item.get("supported_languages") or []
        langs = _locales(raw)
        per_model = item.get("model_languages") or {}
        models = [m for m in item.get("models") or () if m in model_locales] or list(model_locales)
        caps = []
        for m in models:
            codes = per_model.get(m, raw)
            if not codes:
                caps.append({"model": m, "languages_known": False, "supported_languages": []})
                continue
            spoken = [loc for loc in _locales(codes) if loc in model_locales[m]]
            if spoken:
                caps.append({"model": m, "languages_known": True, "supported_languages": spoken})
        if not caps:       # the voice speaks none of our locales with any model: say so, do not guess
            caps = [{"model": m, "languages_known": True, "supported_languages": []} for m in models]
        entry = {k: v for k, v in item.items() if k not in ("models", "model_languages", "supported_languages")}
        out.append({**entry, "supported_languages": langs, "model_capabilities": caps})
    return out


def _plural(n: int) -> str:
    return f"{n} voice{'' if n == 1 else 's'}"


def _record(cred: ProviderCredential | None, outcome: Outcome) -> None:
    if cred is None:
        return
    status = {"status": "imported" if outcome.ok else "failed", "count": outcome.count,
              "refused": outcome.refused, "message": outcome.message, "at": utcnow().isoformat()}
    cred.options = {**(cred.options or {}), STATUS_KEY: status}


def apply(workspace_id: str, cred: ProviderCredential | None, listing: Listing, *,
          user_id: str | None = None) -> Outcome:
    """Writes what ``fetch`` found (does not commit): imports the voices, or records why not."""
    provider = listing.provider
    name = cloud.display_name(provider)
    if listing.error is not None:
        if listing.refused:
            voice_catalog.mark_provider_unavailable(workspace_id, provider, "provider_key_unavailable")
            outcome = Outcome(provider, False, refused=True, message=(
                f"{name} voices were not imported: the key was refused (HTTP {listing.error.status}). "
                f"Check the key and save it again."))
        else:
            outcome = Outcome(provider, False, message=(
                f"{name} voices were not imported: {listing.error.message}. Use “Re-import voices” to try again."))
    else:
        items = import_items(provider, listing.voices or [])
        imported = voice_catalog.import_provider_voices(workspace_id, provider, items, user_id=user_id,
                                                        render=False)
        pending = [v.id for v in imported if not v.samples or v.voiceprint is None]
        if pending:
            from app.services.queue import enqueue_after_commit
            enqueue_after_commit("default", "jobs.voices.render_workspace_voices", workspace_id, pending,
                                 job_timeout=1800)
        outcome = Outcome(provider, True, count=len(imported),
                          message=f"{_plural(len(imported))} imported from {name}.")
    _record(cred, outcome)
    db.session.flush()
    return outcome


def key_removed(workspace_id: str, provider: str) -> int:
    """The workspace removed its key: its voices of that provider become unavailable (kept, since saved
    workflows name them; a new key brings them back)."""
    return voice_catalog.mark_provider_unavailable(workspace_id, provider, "provider_key_unavailable")


def status(cred: ProviderCredential | None) -> dict | None:
    return (cred.options or {}).get(STATUS_KEY) if cred is not None else None
