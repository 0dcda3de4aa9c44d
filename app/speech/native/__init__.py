"""ctypes binding of ``dsp.c``: the per-take audio work (level checks, K-weighted energies, 16-bit PCM) in
compiled loops, with results identical to the numpy reference code in app/speech/audio.py.

``scripts/install.sh`` compiles ``dsp.c`` into ``libdsp.so`` beside it. When the library is missing, older
than its source or cannot be loaded, ``LIB`` is None, every function here returns None and the callers run
the numpy code (logged once at INFO). Each function also returns None for samples that are not finite: the
reference code decides what NaN and infinity give.
"""
from __future__ import annotations

import ctypes
import logging
import os
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

SOURCE = os.path.join(os.path.dirname(__file__), "dsp.c")
LIBRARY = os.path.join(os.path.dirname(__file__), "libdsp.so")
_i64, _f32, _ptr = ctypes.c_int64, ctypes.c_float, ctypes.c_void_p


def _load() -> ctypes.CDLL | None:
    try:
        if os.path.getmtime(LIBRARY) < os.path.getmtime(SOURCE):
            raise OSError("older than dsp.c (run scripts/install.sh)")
        lib = ctypes.CDLL(LIBRARY)
    except OSError as exc:
        log.info("native audio kernels not loaded, using numpy: %s: %s", LIBRARY, exc)
        return None
    lib.onepin_analyze.argtypes = (_ptr, _i64, _f32, _i64, _ptr, _ptr, _ptr, _ptr, _i64, _ptr, _i64, _ptr, _i64,
                                   ctypes.c_double, _ptr, _ptr)
    lib.onepin_pcm16.argtypes = (_ptr, _i64, _f32, _f32, _ptr, _ptr)
    lib.onepin_over.argtypes = (_ptr, _i64, _f32, _f32, _ptr)
    lib.onepin_analyze.restype = lib.onepin_pcm16.restype = ctypes.c_int
    lib.onepin_over.restype = _i64
    return lib


LIB = _load()

# A new bytes object filled in place before anyone sees it (the C API's PyBytes_FromStringAndSize(NULL, n)):
# the WAV is written once, with no zero fill and no copy.
_new_bytes = ctypes.pythonapi.PyBytes_FromStringAndSize
_new_bytes.argtypes, _new_bytes.restype = (ctypes.c_char_p, ctypes.c_ssize_t), ctypes.py_object
_bytes_data = ctypes.pythonapi.PyBytes_AsString
_bytes_data.argtypes, _bytes_data.restype = (ctypes.py_object,), ctypes.c_void_p


def _f32_array(samples: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(samples, dtype=np.float32)


def _address(array: np.ndarray):
    """The array's data pointer as a ctypes argument (a third of the cost of ``array.ctypes.data``)."""
    try:
        return ctypes.byref(ctypes.c_char.from_buffer(array))
    except (TypeError, ValueError):     # read-only or empty
        return array.ctypes.data


@dataclass(frozen=True)
class LoudnessBlocks:
    """How measure_lufs cuts a clip into ``blocks`` blocks of 400 ms and measures each one's mean square of the
    K-weighted signal y = lfilter(b, a, samples) (b, a: 5 float64 coefficients, a[0] == 1):
    - ``hop`` > 0: the sums of y² over ``count`` hops of ``hop`` samples (zeros past the end, numpy's pairwise
      sum), four hops to a block, divided by ``scale``;
    - ``hop`` == 0 (the hop is not a whole number of samples): the running sum of y² (numpy's cumsum) up to
      each of the ascending sample indices ``marks``; block k is marks[where[blocks + k]] - marks[where[k]],
      divided by ``scale``."""
    b: np.ndarray
    a: np.ndarray
    hop: int
    count: int
    blocks: int
    scale: float
    marks: np.ndarray | None = None
    where: np.ndarray | None = None


def analyze(samples: np.ndarray, clip_level: float, frame: int = 0, loudness: LoudnessBlocks | None = None
            ) -> tuple[int, np.ndarray | None, np.ndarray | None] | None:
    """One pass over the samples: (how many have |x| >= float32(``clip_level``); with ``frame`` > 0 the mean
    square of each ``frame``-sample frame, or of all samples when there are fewer; with ``loudness`` the mean
    square of each of its K-weighted blocks), or None (no library, or a sample is NaN or infinite)."""
    if LIB is None:
        return None
    x = _f32_array(samples)
    n = len(x)
    power = np.empty(max(1, n // frame) if frame > 0 and n else 0, np.float64)
    clipped = _i64()
    b = a = marks = where = work = z = None
    hop = count = blocks = 0
    scale = 1.0
    if loudness is not None:
        lb = loudness
        b, a = np.ascontiguousarray(lb.b, np.float64), np.ascontiguousarray(lb.a, np.float64)
        if len(b) != 5 or len(a) != 5 or a[0] != 1.0:
            return None
        hop, count, blocks, scale = lb.hop, lb.count, lb.blocks, lb.scale
        if hop == 0:
            marks, where = np.ascontiguousarray(lb.marks, np.int64), np.ascontiguousarray(lb.where, np.int64)
            if len(marks) != count or len(where) != 2 * blocks:
                return None
        elif count < blocks + 3:
            return None
        work, z = np.empty(count + hop, np.float64), np.empty(blocks, np.float64)
    if LIB.onepin_analyze(_address(x), n, np.float32(clip_level), frame, ctypes.byref(clipped), _address(power),
                          *(None if v is None else _address(v) for v in (b, a)), hop,
                          None if marks is None else _address(marks), count,
                          None if where is None else _address(where), blocks, scale,
                          *(None if v is None else _address(v) for v in (z, work))):
        return None
    return int(clipped.value), (power if frame > 0 else None), z


def wav_pcm16(samples: np.ndarray, gain: np.float32, ceiling: float, header: bytes, limit=None) -> bytes | None:
    """``header`` followed by the 16-bit PCM of ``samples * gain`` exactly as to_wav_bytes writes it, or None
    without the library or for a NaN sample. Where a scaled sample's magnitude is over float32(``ceiling``),
    ``limit(indices of those samples)`` gives (lo, hi, float32 samples) stretches written over the PCM instead
    (None without ``limit``)."""
    if LIB is None:
        return None
    x = _f32_array(samples)
    n = len(x)
    data = _new_bytes(None, len(header) + 2 * n)
    pcm = _bytes_data(data)
    ctypes.memmove(pcm, header, len(header))
    pcm += len(header)
    over = _i64()
    gain, ceiling = np.float32(gain), np.float32(ceiling)
    if LIB.onepin_pcm16(_address(x), n, gain, ceiling, pcm, ctypes.byref(over)):
        return None
    if over.value:
        if limit is None:
            return None
        where = np.empty(over.value, np.int64)
        LIB.onepin_over(_address(x), n, gain, ceiling, _address(where))
        for lo, hi, limited in limit(where):
            lo, hi, stretch = int(lo), int(hi), _f32_array(limited)
            if len(stretch) != hi - lo or LIB.onepin_pcm16(_address(stretch), hi - lo, np.float32(1.0),
                                                          np.float32(np.inf), pcm + 2 * lo, ctypes.byref(over)):
                return None
    return data
