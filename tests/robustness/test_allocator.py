"""The malloc arena cap (app/core/allocator.py): threads share at most that many arenas.

glibc gives each new thread an arena of its own until the cap; ``malloc_stats`` lists them
("Arena 0:", "Arena 1:", …) on stderr. A subprocess starts eight threads that each allocate,
with and without the cap, and counts."""

import subprocess
import sys

from app.core.allocator import limit_arenas
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
