"""Keep freed memory in the process instead of handing it back to the kernel after every take.

A take's audio work (checks, loudness, limiting, PCM) allocates and frees a dozen arrays of about
1 MB. With glibc's defaults each one is mmap'ed and unmapped, or trimmed off the heap top, so the next
take faults the same pages in again: ~700 page faults and ~2 ms of system time a line, as much as the
audio work itself. Raising the mmap and trim thresholds keeps those pages in the heap; a worker's
resident size stays at its peak (a few MB more), which is what a long-lived worker wants anyway.
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3     # glibc's mallopt parameters
_tuned = False


def keep_freed_memory(mmap_threshold: int = 32 << 20, trim_threshold: int = 256 << 20,
                      top_pad: int = 16 << 20) -> bool:
    """Once per process; False where the C library is not glibc (nothing to tune there)."""
    global _tuned
    if _tuned:
        return True
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _tuned = all(mallopt(option, value) == 1 for option, value in (
        (M_MMAP_THRESHOLD, mmap_threshold), (M_TRIM_THRESHOLD, trim_threshold), (M_TOP_PAD, top_pad)))
    return _tuned
