"""What every cloud adapter shares: the request/response cycle, decoding the vendor's audio, and the
normalised output (mono float32 at the provider's fixed sample rate, loudness-normalised to -20 LUFS
with a -1 dBFS peak ceiling, like the local engines' takes)."""
from __future__ import annotations

import numpy as np

from app.speech import audio as audio_ops
from app.speech.text import markup
from app.speech.tts.base import Audio, require_text

from .errors import ProviderAuthError, ProviderRequestError
from .http import HttpPolicy, get, json_error, post

CONTAINER_MAGIC = (b"RIFF", b"ID3", b"fLaC", b"OggS", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")


def pcm_to_audio(data: bytes, rate: int, encoding: str = "pcm_s16le") -> Audio:
    """Raw little-endian PCM (mono) → Audio. A trailing partial sample is dropped."""
    if encoding == "pcm_f32le":
        width, dtype, scale = 4, "<f4", 1.0
    elif encoding == "pcm_s16le":
        width, dtype, scale = 2, "<i2", 1.0 / 32768.0
    else:
        raise ValueError(f"unsupported PCM encoding {encoding!r}")
    usable = len(data) - len(data) % width
    samples = np.frombuffer(data[:usable], dtype=dtype).astype(np.float32) * np.float32(scale)
    return Audio(samples, rate)


def decode_body(data: bytes, rate: int, encoding: str = "pcm_s16le") -> Audio:
    """A container (WAV, MP3, FLAC, OGG: detected by its magic bytes) or raw PCM at ``rate``."""
    if data.startswith(CONTAINER_MAGIC):
        return audio_ops.decode(data)
    return pcm_to_audio(data, rate, encoding)


def normalized(audio: Audio, rate: int) -> Audio:
    """Mono at ``rate``, loudness-normalised (clips too short to measure are left as they are)."""
    return audio_ops.loudness_normalize(audio_ops.resample(audio, rate)).audio


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, float(value)))


def language_of(locale: str | None) -> str | None:
    """'pt-br' → 'pt' (vendors take ISO 639-1 codes)."""
    return locale.split("-")[0].lower() if locale else None


class CloudTTS:
    """One vendor's speech endpoint. Subclasses set the class attributes and implement ``request``,
    ``error_of`` and ``render``; ``synthesize`` does the rest."""

    provider = ""
    display_name = ""
    default_base_url = ""
    sample_rate = 24000            # every take of this provider is delivered at this rate
    api_version = "1"

    def __init__(self, api_key: str | None, base_url: str | None = None, *, policy: HttpPolicy | None = None,
                 options: dict | None = None, sleep=None):
        self.api_key = api_key
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.policy = policy or HttpPolicy.from_options(options)
        self.options = dict(options or {})
        self._sleep = sleep

    @property
    def version(self) -> str:
        """Part of the generator's cache key."""
        return f"{self.provider}-http-{self.api_version}"

    # -- per vendor ----------------------------------------------------------------------------------
    def request(self, text: str, voice: str, model: str, controls: dict, locale: str | None) -> dict:
        """{"path", "params"?, "headers", "json", "encoding"} for one synthesis."""
        raise NotImplementedError

    def error_of(self, resp) -> tuple[str | None, str]:
        """(vendor error code, message) from an error response."""
        body = json_error(resp)
        if isinstance(body, dict):
            msg = body.get("message") or body.get("error") or body.get("detail") or ""
            return body.get("code") or body.get("status"), str(msg)
        return None, str(body or "")

    def render(self, text: str, model: str, locale: str | None) -> str:
        """The take text (which may hold ⟦word|ipa⟧ / ⟦word|=respelling⟧ markup) as this vendor reads it:
        without phoneme input, IPA-marked words as written and respellings in place of their words."""
        return markup.spoken(text)

    def supports_phonemes(self, model: str, locale: str | None) -> bool:
        return False

    # -- shared --------------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        """base URL + path; a base URL entered with the version prefix (…/v1) is not doubled."""
        base = self.base_url
        if base.endswith("/v1") and path.startswith("/v1/"):
            base = base[:-3]
        return base + path

    def list_voices(self) -> list[dict]:
        """The voices this key can use, in the import shape of ``voices.VoiceItem`` (unknown metadata is
        None). Raises the typed errors of ``errors`` (a refused key: ProviderAuthError)."""
        raise NotImplementedError

    def get_json(self, path: str, headers: dict, params: dict | None = None):
        """GET ``path`` with the adapter's policy; the decoded JSON body (a non-JSON answer is a
        ProviderRequestError)."""
        if not self.api_key:
            raise ProviderAuthError(self.provider, f"{self.display_name} has no API key for this workspace")
        kwargs = {"sleep": self._sleep} if self._sleep else {}
        resp = get(self.provider, self.display_name, self.url(path), headers=headers, params=params,
                   policy=self.policy, parse_error=self.error_of, **kwargs)
        try:
            return resp.json()
        except ValueError:
            raise ProviderRequestError(self.provider, f"{self.display_name} answered {path} with something other "
                                                      f"than JSON", status=resp.status_code) from None

    def synthesize(self, text: str, voice: str, model: str, controls: dict | None = None, *,
                   locale: str | None = None) -> Audio:
        require_text(markup.plain(text))
        if not self.api_key:
            raise ProviderAuthError(self.provider, f"{self.display_name} has no API key for this workspace")
        if not voice:
            raise ProviderRequestError(self.provider, f"{self.display_name} needs a voice id")
        spec = self.request(self.render(text, model, locale), voice, model, dict(controls or {}), locale)
        kwargs = {"sleep": self._sleep} if self._sleep else {}
        resp = post(self.provider, self.display_name, self.url(spec["path"]), headers=spec["headers"],
                    json=spec["json"], params=spec.get("params"), policy=self.policy, parse_error=self.error_of,
                    **kwargs)
        if not resp.content:
            raise ProviderRequestError(self.provider, f"{self.display_name} returned no audio", status=resp.status_code)
        try:
            audio = decode_body(resp.content, spec.get("rate", self.sample_rate), spec.get("encoding", "pcm_s16le"))
        except ValueError as exc:
            raise ProviderRequestError(self.provider, f"{self.display_name} returned audio we cannot decode: {exc}",
                                       status=resp.status_code) from None
        return normalized(audio, self.sample_rate)
