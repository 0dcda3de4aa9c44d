"""Cloud TTS inside runs: the workspace's own key per provider, the launch gate, and provider errors
turned into what the run does (a pause with the contract's PauseReason, or a failed take).

- Launch: a generator whose voice_map uses a cloud provider the workspace has no key for is refused
  (422 VALIDATION_ERROR naming the provider) before anything is written or reserved.
- A take: the key is resolved when the take runs (so a key fixed during a pause is used on resume);
  a key removed mid-run fails the take with a clear reason.
- ProviderAuthError / ProviderBilling → pause provider_billing; ProviderRateLimited → pause
  provider_rate_limited; ProviderOutage → pause provider_outage; ProviderRequestError → the take fails.
"""
from __future__ import annotations

from app.engine.plugins.base import PauseRun, TakeFailed
from app.errors import ValidationFailed
from app.services import provider_credentials
from app.speech.tts import cloud

SETTINGS_HINT = "an admin can add one under Settings → Provider keys"


def is_cloud(provider: str | None) -> bool:
    return provider in cloud.PROVIDERS


def missing_keys(workspace_id: str, definition: dict) -> list[dict]:
    """One problem per generator voice assignment whose cloud provider has no key in the workspace."""
    problems, known = [], {}
    nodes = ((definition or {}).get("graph") or {}).get("nodes") or []
    for idx, node in enumerate(nodes):
        if not isinstance(node, dict) or node.get("type") != "operator_generator":
            continue
        voice_map = (node.get("config") or {}).get("voice_map") or {}
        if not isinstance(voice_map, dict):
            continue
        for locale, entries in voice_map.items():
            for j, entry in enumerate(entries if isinstance(entries, list) else []):
                provider = entry.get("provider") if isinstance(entry, dict) else None
                if not is_cloud(provider):
                    continue
                if provider not in known:
                    known[provider] = provider_credentials.resolve(workspace_id, "tts", provider) is not None
                if not known[provider]:
                    problems.append({
                        "field": f"definition.graph.nodes[{idx}].config.voice_map.{locale}[{j}].provider",
                        "rule": "provider_not_configured", "node_id": node.get("id"), "provider": provider,
                        "message": f"{cloud.display_name(provider)} has no API key in this workspace: {SETTINGS_HINT}."})
    return problems


def check_launch(workspace_id: str, definition: dict) -> None:
    problems = missing_keys(workspace_id, definition)
    if problems:
        names = sorted({cloud.display_name(p["provider"]) for p in problems})
        raise ValidationFailed(problems, message=f"This workflow uses {', '.join(names)}, which "
                                                 f"{'has' if len(names) == 1 else 'have'} no API key in this "
                                                 f"workspace: {SETTINGS_HINT}.")


class CloudEngine:
    """The generator's engine interface over one cloud adapter, for one model and locale."""

    def __init__(self, adapter, model: str, locale: str | None):
        self.adapter, self.model, self.locale = adapter, model, locale
        self.name, self.version = adapter.provider, adapter.version

    def synthesize(self, text: str, voice: str, controls: dict | None = None, *, phonemes: bool = False,
                   ssml: bool = False):
        try:
            return self.adapter.synthesize(text, voice, self.model, controls, locale=self.locale)
        except cloud.ProviderError as exc:
            if exc.pause_reason:
                raise PauseRun(exc.pause_reason, exc.message) from None
            raise TakeFailed(exc.message) from None


def engine_for(workspace_id: str, provider: str, model: str | None, locale: str | None) -> CloudEngine:
    cred = provider_credentials.resolve(workspace_id, "tts", provider)
    if cred is None or not cred.secret:
        raise TakeFailed(f"{cloud.display_name(provider)} has no API key in this workspace: {SETTINGS_HINT}.")
    adapter = cloud.adapter(provider, cred.secret, cred.base_url, cred.options)
    return CloudEngine(adapter, model or "", locale)
