"""The malloc arena cap (app/core/allocator.py): threads share at most that many arenas; and
the periodic trim that hands free pages back to the system.

glibc gives each new thread an arena of its own until the cap; ``malloc_stats`` lists them
("Arena 0:", "Arena 1:", …) on stderr. A subprocess starts eight threads that each allocate,
with and without the cap, and counts."""

import subprocess
import sys
import threading
import time

from app.core.allocator import limit_arenas, start_trimming
from app.core.config import PROJECT_ROOT, Settings

PROBE = """
import ctypes, sys, threading
from app.core.allocator import limit_arenas
cap = int(sys.argv[1])
print(limit_arenas(cap), flush=True)
start, kept = threading.Barrier(8), []
def work():
    start.wait()
    kept.append([bytearray(100_000) for _ in range(20)])  # below the mmap threshold
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL("libc.so.6").malloc_stats()
"""


def arenas(cap: int) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(cap)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=True,
    )
    count = sum(line.startswith("Arena ") for line in done.stderr.splitlines())
    return done.stdout.strip(), count


def test_the_cap_holds_the_threads_to_that_many_arenas():
    assert arenas(2) == ("True", 2)


def test_without_the_cap_each_thread_takes_an_arena_of_its_own():
    set_, count = arenas(0)
    assert set_ == "False"
    assert count > 2  # the main thread's and one per allocating thread, up to 8 per core


def test_the_server_caps_at_two_by_default():
    assert Settings().malloc_arena_max == 2
    assert limit_arenas(Settings().malloc_arena_max) is True


TRIM_PROBE = """
import ctypes, sys
from app.core.allocator import release_free_memory
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
libc = ctypes.CDLL("libc.so.6")
libc.mallopt(-3, 1 << 30)  # M_TRIM_THRESHOLD: free() alone returns nothing to the system
libc.mallopt(-4, 1 << 30)  # M_MMAP_THRESHOLD: the blocks come from the heap, not mmap
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
blocks = [libc.malloc(64 * 1024) for _ in range(2000)]  # 125 MiB
for b in blocks:
    ctypes.memset(b, 1, 64 * 1024)
for b in blocks:
    libc.free(b)
held = rss()
print(release_free_memory(), round((held - rss()) / 2**20), flush=True)
"""


def test_release_free_memory_gives_freed_pages_back():
    """125 MiB malloc'ed, written and freed stay resident (trimming on free() is off here);
    ``release_free_memory`` returns them to the system."""
    done = subprocess.run(
        [sys.executable, "-c", TRIM_PROBE],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=True,
    )
    released, mib = done.stdout.split()
    assert released == "True" and int(mib) >= 100


# The trimmers below count calls of their own ``release``: the session's app runs a trimmer
# of its own, which must not be counted.


def test_the_trimmer_runs_every_period_until_stopped():
    calls = []
    stop = threading.Event()
    thread = start_trimming(0.05, stop, release=lambda: calls.append(time.monotonic()))
    time.sleep(0.5)
    stop.set()
    thread.join(2)
    assert not thread.is_alive() and 4 <= len(calls) <= 11
    assert start_trimming(0, threading.Event()) is None  # 0: never


def test_the_trimmer_skips_a_period_while_requests_compute():
    calls, busy = [], [True]
    stop = threading.Event()
    thread = start_trimming(0.05, stop, busy=lambda: busy[0], release=lambda: calls.append(1))
    time.sleep(0.4)
    skipped = len(calls)
    busy[0] = False
    time.sleep(0.4)
    stop.set()
    thread.join(2)
    assert skipped == 0 and len(calls) >= 3


def test_the_server_trims_every_10_s_by_default(client):
    """The running app (the session's, started through its lifespan) has its trimmer."""
    assert Settings().malloc_trim_seconds == 10
    assert "malloc-trim" in [t.name for t in threading.enumerate()]
