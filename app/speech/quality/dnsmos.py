"""DNSMOS P.835 (SIG, BAK, OVRL) with the ONNX model shipped inside the ``speechmos`` package.

We do not import ``speechmos.dnsmos``: it imports librosa (for the P.808 mel features we do not use),
which this project does not install. Instead we load ``speechmos/dnsmos_models/sig_bak_ovr.onnx``
ourselves, checked against a pinned sha256, and reproduce what ``speechmos.dnsmos`` does for P.835:

- 16 kHz mono input (other rates are resampled with soxr);
- a clip shorter than 9.01 s is repeated (doubled until it is at least 9.01 s long);
- windows of 9.01 s with a 1 s hop, ``int(floor(len/16000) - 9.01) + 1`` of them;
- the raw SIG/BAK/OVRL of each window goes through DNSMOS's polynomial fit (the non-personalised one),
  and the clip's figures are the means over windows.

The ONNX session is created once per process (``intra_op_num_threads=1``: workers run one take at a
time and the machine is shared) and reused for every take. All windows of a clip go through the
model in one batched call.

DNSMOS was trained to judge noise suppression, not TTS: BAK tracks background noise well; OVRL and
SIG are a rough naturalness proxy (they rank neural TTS above espeak). See docs/speech.md.
"""
from __future__ import annotations

import hashlib
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SR = 16000
INPUT_LENGTH = 9.01
MODEL_RELPATH = ("dnsmos_models", "sig_bak_ovr.onnx")
MODEL_SHA256 = "269fbebdb513aa23cddfbb593542ecc540284a91849ac50516870e1ac78f6edd"   # speechmos 0.0.1.1

# DNSMOS P.835 polynomial fit of the raw network outputs (non-personalised model)
_P_SIG = np.poly1d([-0.08397278, 1.22083953, 0.0052439])
_P_BAK = np.poly1d([-0.13166888, 1.60915514, -0.39604546])
_P_OVR = np.poly1d([-0.06766283, 1.11546468, 0.04602535])


class DnsmosUnavailable(RuntimeError):
    """The model file is missing or is not the pinned one."""


@dataclass(frozen=True)
class DnsmosScores:
    sig: float     # speech signal quality, 1..5
    bak: float     # background (5 = no noise), 1..5
    ovrl: float    # overall, 1..5
    windows: int

    def as_dict(self) -> dict:
        return {"sig": round(self.sig, 3), "bak": round(self.bak, 3), "ovrl": round(self.ovrl, 3)}


_session = None
_session_lock = threading.Lock()
sessions_created = 0      # how many sessions this process built (tests check it stays at one)


def model_path() -> Path:
    spec = importlib.util.find_spec("speechmos")     # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise DnsmosUnavailable("speechmos is not installed (pip install --no-deps speechmos==0.0.1.1)")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*MODEL_RELPATH)


def _verified_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DnsmosUnavailable(f"DNSMOS model not found at {path}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != MODEL_SHA256:
        raise DnsmosUnavailable(f"DNSMOS model {path} has sha256 {digest}, expected {MODEL_SHA256}")
    return data


def session():
    """The process-wide ONNX session (created on first use)."""
    global _session, sessions_created
    if _session is None:
        with _session_lock:
            if _session is None:
                import onnxruntime as ort
                opts = ort.SessionOptions()
                opts.intra_op_num_threads = 1
                opts.inter_op_num_threads = 1
                _session = ort.InferenceSession(_verified_bytes(model_path()), sess_options=opts,
                                                providers=["CPUExecutionProvider"])
                sessions_created += 1
    return _session


def windows(samples: np.ndarray) -> np.ndarray:
    """The (n, 144160) float32 windows speechmos would score for a 16 kHz clip."""
    audio = np.asarray(samples, dtype=np.float32)
    if audio.size == 0:
        raise ValueError("empty audio")
    need = int(INPUT_LENGTH * SR)
    while len(audio) < need:
        audio = np.append(audio, audio)
    n = int(np.floor(len(audio) / SR) - INPUT_LENGTH) + 1
    segs = [audio[i * SR: i * SR + need] for i in range(n)]
    segs = [s for s in segs if len(s) == need]
    return np.stack(segs).astype(np.float32)


def score_16k(samples: np.ndarray) -> DnsmosScores:
    """DNSMOS P.835 of mono float samples in [-1, 1] at 16 kHz."""
    x = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    batch = windows(x)
    sess = session()
    raw = sess.run(None, {sess.get_inputs()[0].name: batch})[0]     # (n, 3): sig, bak, ovr
    sig, bak, ovr = (np.asarray(raw[:, i], dtype=np.float64) for i in range(3))
    return DnsmosScores(sig=float(np.mean(_P_SIG(sig))), bak=float(np.mean(_P_BAK(bak))),
                        ovrl=float(np.mean(_P_OVR(ovr))), windows=len(batch))


def score(audio) -> DnsmosScores:
    """DNSMOS P.835 of an ``Audio`` at any rate (resampled to 16 kHz)."""
    from app.speech.audio import resample
    return score_16k(resample(audio, SR).samples)
