"""The C allocator's arenas: how many glibc ``malloc`` may keep for the process's threads.

glibc gives each thread that allocates an arena of its own, up to 8 per core, and an arena
keeps what its threads freed for reuse instead of returning it to the system.
TensorFlow runs every graph on a pool of threads, so the buffers of a request (inputs, every
layer's z and a, the gradients) are freed in whichever arena their thread took them from: a
stream of networks of new shapes spreads free blocks of new sizes over every arena, and the
server's resident memory creeps up with no object alive to account for it. A small cap
(Settings ``malloc_arena_max``, default 2: one per core of the test machine) keeps the reuse
in a few arenas (the churn bench, bench/memory.py, measures what remains).

Freed blocks still stay in the arenas: the resident memory rises to the high mark of what
the last requests needed and keeps it. ``malloc_trim`` hands the free pages back to the
system (the top of each heap, and whole free pages inside it); the server calls it every
``malloc_trim_seconds`` (Settings, default 10) from a thread of its own, when no API request
or stream frame is computing. In a server after 2,000 random networks it took 2–5 ms and
returned 37–86 MiB.
"""

import ctypes
import ctypes.util
import functools
import logging
import threading
from collections.abc import Callable

M_ARENA_MAX = -8  # mallopt's parameter number for the arena cap (glibc's malloc.h)

_log = logging.getLogger("app")


@functools.cache
def _libc():
    """The C library, loaded once (``find_library`` runs ``ldconfig``: not on every trim)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, typed, or None on a C library without it."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def limit_arenas(count: int) -> bool:
    """Cap glibc's malloc arenas at ``count`` (0 leaves glibc's default). True if the cap is
    set; False on a C library without ``mallopt`` (musl, macOS), where nothing changes."""
    if count <= 0:
        return False
    try:
        mallopt = _libc().mallopt
    except AttributeError:
        _log.info("no glibc mallopt: malloc arenas left as they are")
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_ARENA_MAX, count) == 1


def release_free_memory() -> bool:
    """Return the allocator's free pages to the system (glibc ``malloc_trim(0)``). True if it
    released any; False when there was none to release, or on a C library without it."""
    trim = _malloc_trim()
    return trim is not None and trim(0) == 1


def start_trimming(
    seconds: float,
    stop: threading.Event,
    busy: Callable[[], bool] | None = None,
    release: Callable[[], object] | None = None,
) -> threading.Thread | None:
    """Call :func:`release_free_memory` every ``seconds`` until ``stop`` is set, from a daemon
    thread (returned; None when ``seconds`` is 0 or the C library has no ``malloc_trim``).

    A trim holds each arena's lock while it walks it (a few ms), so when ``busy()`` says
    requests are computing, that period's trim is skipped: under steady load the memory in
    use is the working set anyway, and it goes back once the class pauses. ``release``
    replaces :func:`release_free_memory` (tests count the calls)."""
    if seconds <= 0 or _malloc_trim() is None:
        return None
    release = release or release_free_memory

    def run():
        while not stop.wait(seconds):
            if busy is None or not busy():
                release()

    thread = threading.Thread(target=run, name="malloc-trim", daemon=True)
    thread.start()
    return thread
