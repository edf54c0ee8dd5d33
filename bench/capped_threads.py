"""What-if server for the benchmark: the app with anyio's worker-thread pool capped.

Sync endpoints run in anyio's thread pool (40 threads by default). On 2 cores, 32 concurrent
CPU-bound requests in 32 threads fight over the GIL and TensorFlow's own thread pools, and
throughput drops as clients are added. This launcher serves the unchanged app with the pool
capped at ``--threads`` to measure the proposal; the product does not use it.

Run: ``python -m bench.capped_threads --port 8001 --threads 2``.
"""

import argparse

import anyio.to_thread
import uvicorn

from app.main import app as product_app


def capped(threads: int):
    applied = False

    async def app(scope, receive, send):
        nonlocal applied
        if not applied and scope["type"] == "http":
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
            applied = True
        await product_app(scope, receive, send)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    uvicorn.run(capped(args.threads), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
