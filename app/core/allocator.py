"""The C allocator's arenas: how many glibc ``malloc`` may keep for the process's threads.

glibc gives each thread that allocates an arena of its own, up to 8 per core, and an arena
keeps what its threads freed for reuse instead of returning it to the system.
TensorFlow runs every graph on a pool of threads, so the buffers of a request (inputs, every
layer's z and a, the gradients) are freed in whichever arena their thread took them from: a
stream of networks of new shapes spreads free blocks of new sizes over every arena, and the
server's resident memory creeps up with no object alive to account for it. A small cap
(Settings ``malloc_arena_max``, default 2: one per core of the test machine) keeps the reuse
in a few arenas, and the memory under churn stays flat (bench/memory.py).
"""

import ctypes
import ctypes.util
import logging

M_ARENA_MAX = -8  # mallopt's parameter number for the arena cap (glibc's malloc.h)

_log = logging.getLogger("app")


def limit_arenas(count: int) -> bool:
    """Cap glibc's malloc arenas at ``count`` (0 leaves glibc's default). True if the cap is
    set; False on a C library without ``mallopt`` (musl, macOS), where nothing changes."""
    if count <= 0:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        _log.info("no glibc mallopt: malloc arenas left as they are")
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_ARENA_MAX, count) == 1
