"""The ASGI app: ``app.main:app``. Builds the app; the routers do the work."""

import functools
import gc
import logging
import threading
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from app.core.allocator import limit_arenas, start_trimming
from app.core.config import get_settings
from app.core.errors import install_error_handlers
from app.core.middleware import BodySizeLimit, ConcurrencyLimit, InFlight, SecurityHeaders
from app.engine.errors import SpecError
from app.engine.graphs import configure_graph_cache, graph_cache
from app.engine.tf import warm_up
from app.routes import (
    activations,
    autodiff,
    backprop,
    catalog,
    codegen,
    datasets,
    docs,
    dynamics,
    health,
    loss,
    network,
    pages,
    playground,
    softmax,
    train,
    train_stream,
)
from app.web import CachedStaticFiles


@asynccontextmanager
async def lifespan(app: FastAPI):
    # Computations are CPU-bound: a few threads at a time (about the cores) finish sooner
    # than 40 threads fighting over the GIL.
    to_thread.current_default_thread_limiter().total_tokens = get_settings().compute_threads
    version = warm_up()
    logging.getLogger("app").info("TensorFlow %s warmed up", version)
    # TensorFlow, Keras and the app are a few hundred thousand long-lived Python objects: the
    # cyclic GC need never scan them again (a full collection over them pauses every request
    # for 0.4 s). The graph cache freezes each graph it builds the same way.
    gc.freeze()
    stop = threading.Event()
    # Background work waits for a quiet moment: no API request and no stream frame computing.
    counters = (app.state.in_flight, train_stream.registry.frames)

    def quiet_for(seconds: float) -> bool:
        return all(counter.quiet_for(seconds) for counter in counters)

    # The engine's graphs are built in the background: /healthz answers at once, and a
    # request for a graph not built yet builds it itself (per-graph locks). A build waits
    # until requests and frames have been quiet for warm_idle_seconds.
    depths = range(1, min(get_settings().warm_max_depth, get_settings().max_layers) + 1)
    warmer = threading.Thread(
        target=graph_cache().warm,
        kwargs={
            "depths": depths,
            "stop": stop,
            "idle": functools.partial(quiet_for, get_settings().warm_idle_seconds),
        },
        name="warm-graphs",
        daemon=True,
    )
    if get_settings().warm_graphs:
        warmer.start()
    # Free memory back to the system every few seconds, skipping a period while a request or
    # a frame computes (app/core/allocator.py); the same event stops it.
    start_trimming(get_settings().malloc_trim_seconds, stop, busy=lambda: not quiet_for(0.0))
    yield
    stop.set()  # stops between two graphs; wait for the one being built
    if warmer.is_alive():
        await to_thread.run_sync(warmer.join, 60)


def create_app() -> FastAPI:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper())
    # Before TensorFlow's thread pools start (the warm-up runs the first op).
    limit_arenas(settings.malloc_arena_max)
    app = FastAPI(
        title="Backprop Visualizer API",
        version="1.0.0",
        description="Every quantity of backpropagation, computed by TensorFlow's GradientTape.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app, SpecError)
    configure_graph_cache(settings.max_layers, settings.max_xla_programs)
    routers = (health, catalog, backprop, codegen, network, activations, softmax, loss, autodiff)
    routers += (dynamics,)
    routers += (train, datasets, train_stream)
    routers += (playground,)
    for module in (*routers, pages, docs):
        app.include_router(module.router)
    app.mount("/static", CachedStaticFiles(directory=settings.static_dir), name="static")
    app.mount("/vendor/swagger", docs.swagger_files, name="swagger")
    # Outermost first: headers on everything, then size and concurrency limits.
    app.state.in_flight = InFlight()
    app.add_middleware(
        ConcurrencyLimit, limit=settings.max_concurrent_requests, counter=app.state.in_flight
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Level 3: within ~10% of level 9's size on JSON and plotly.min.js, at a third of its CPU.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=3)
    app.add_middleware(SecurityHeaders)
    return app


app = create_app()
