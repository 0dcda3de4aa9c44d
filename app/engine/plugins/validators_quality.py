"""validator_noise ("Clarity") and validator_naturalness: DNSMOS, WADA-SNR and pitch on the take's audio.

Both read the audio of the generator take they judge (ctx.input_audio), compute the raw figures with
app/speech/quality, map them to 0-100 (app/speech/quality/scoring.py; the mappings and the evidence
behind them are in docs/speech.md) and route the line to "pass" when the score reaches the node's
threshold (defaults from app/workflows/nodes.py: noise 70, naturalness 60).

Scores stored on the take: score, threshold, status ("available"), reason (why it failed, else
None) and the raw figures (noise: snr_db, bak; naturalness: ovrl, sig, f0_std_semitones,
f0_fall_semitones, voiced_fraction, intonation_checked).

DNSMOS is the slow part (about 0.3-0.6 s per 9 s window on one core; a clip under 9 s is repeated to
fill windows, so a 3 s line costs 3 windows). Its figures are kept per audio file in a small
per-process cache, so a line checked by both validators in the same worker is scored once.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from app.engine.plugins import register
from app.engine.plugins.base import NodePlugin, TakeFailed, TakeOutput
from app.speech.text import markup
from app.workflows.nodes import get_spec

log = logging.getLogger("onepin.engine.quality")
_CACHE_SIZE = 256
_dnsmos_cache: OrderedDict[str, object] = OrderedDict()
_cache_lock = threading.Lock()


def _dnsmos(key: str | None, audio):
    from app.speech.quality import dnsmos
    if key:
        with _cache_lock:
            hit = _dnsmos_cache.get(key)
            if hit is not None:
                _dnsmos_cache.move_to_end(key)
                return hit
    scores = dnsmos.score(audio)
    if key:
        with _cache_lock:
            _dnsmos_cache[key] = scores
            while len(_dnsmos_cache) > _CACHE_SIZE:
                _dnsmos_cache.popitem(last=False)
    return scores


def _threshold(node_type: str, config: dict) -> float:
    value = config.get("threshold")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        value = get_spec(node_type).default_config()["threshold"]
    return float(value)


class QualityValidator(NodePlugin):
    batch_size = 8            # DNSMOS takes ~1-2 s per line: spread lines over the workers
    version = "1"
    label = ""

    def measure(self, take, audio, dnsmos_scores) -> tuple[dict, float, str]:  # pragma: no cover - interface
        raise NotImplementedError

    def process(self, take, ctx) -> TakeOutput:
        from app.speech import audio as audio_ops
        audio = ctx.input_audio(take)                 # TakeFailed when missing or undecodable
        source = ctx.audio_take(take)
        threshold = _threshold(self.node_type, ctx.config)
        if audio.num_samples == 0 or audio_ops.is_silent(audio):
            return TakeOutput(port="fail", scores={"score": 0.0, "threshold": threshold, "status": "available",
                                                   "reason": "The audio is silent."})
        try:
            figures, score, why = self.measure(take, audio, _dnsmos(source.audio_key if source else None, audio))
        except Exception as exc:  # noqa: BLE001 - a model that cannot run is an engine problem, not a verdict
            log.exception("quality measure failed take=%s", take.id)
            raise TakeFailed(f"{self.label} could not be measured: {type(exc).__name__}: {exc}") from None
        passed = score >= threshold
        scores = {**figures, "score": score, "threshold": threshold, "status": "available",
                  "reason": None if passed else f"{self.label} {score:.0f} is below {threshold:g}: {why}."}
        log.info("judged take=%s run=%s node=%s line=%s locale=%s attempt=%s kind=%s score=%.1f verdict=%s",
                 take.id, take.run_id, take.node_id, take.line_index, take.locale, take.attempt, self.node_type,
                 score, "pass" if passed else "fail")
        return TakeOutput(port="pass" if passed else "fail", scores=scores)


class NoiseValidator(QualityValidator):
    node_type = "validator_noise"
    label = "Clarity"

    def measure(self, take, audio, dnsmos_scores):
        from app.speech.quality import scoring
        f = scoring.noise(audio, dnsmos_scores)
        snr = "no noise found" if f.snr_db is not None and f.snr_db >= 100 else (
            f"estimated SNR {f.snr_db:.1f} dB" if f.snr_db is not None else "SNR unknown")
        return f.as_dict(), f.score, f"background noise ({snr}, DNSMOS background {f.bak:.2f} of 5)"


class NaturalnessValidator(QualityValidator):
    node_type = "validator_naturalness"
    label = "Naturalness"

    def measure(self, take, audio, dnsmos_scores):
        from app.speech.quality import scoring
        f = scoring.naturalness(audio, markup.plain(take.text or ""), take.locale, dnsmos_scores)
        parts = [f"DNSMOS overall {f.ovrl:.2f} and signal {f.sig:.2f} of 5"]
        if f.f0_std_semitones is None or f.voiced_fraction < 0.1:
            parts.append(f"almost no voiced speech ({f.voiced_fraction:.0%} of frames: whispered or noise?)")
        else:
            parts.append(f"pitch varies {f.f0_std_semitones:.1f} semitones")
        if f.g_tone < 1.0:
            parts.append(f"the pitch rises {-f.f0_fall_semitones:.1f} semitones over a statement (reversed audio?)")
        return f.as_dict(), f.score, "; ".join(parts)


NOISE = register(NoiseValidator())
NATURALNESS = register(NaturalnessValidator())
