"""All tunables of the service in one pydantic-settings class.

Every field can be overridden by an environment variable with the ``BPV_`` prefix,
e.g. ``BPV_MAX_UNITS=32`` or ``BPV_LOG_LEVEL=debug``.
"""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BPV_", extra="ignore")

    # Serving
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(1, ge=1, description="uvicorn worker processes")
    log_level: str = "info"
    max_body_bytes: int = Field(1_000_000, description="request bodies above this answer 413")
    response_cache_entries: int = Field(
        512, description="finished /backprop responses kept for identical requests (0 = off)"
    )
    response_cache_bytes: int = Field(64_000_000, description="total size of those responses")
    compute_threads: int = Field(
        4, ge=1, description="threads computing requests at once (sync endpoints); the rest wait"
    )
    inline_max_work: int = Field(
        32_768,
        ge=0,
        description="a /backprop request of at most this many multiply-adds (batch × Σ "
        "n_in·n_out) whose graph is built runs on the event loop, without a thread hop; "
        "larger ones run in a thread (0: always a thread)",
    )
    max_concurrent_requests: int = Field(
        64, description="API requests computed at once; more answer 503 with Retry-After"
    )
    malloc_arena_max: int = Field(
        2,
        ge=0,
        description="glibc malloc arenas for the process's threads (0: glibc's default of 8 "
        "per core); a few keep memory flat while TensorFlow's threads serve new shapes",
    )
    malloc_trim_seconds: float = Field(
        10.0,
        ge=0,
        description="every this many seconds the allocator's free pages go back to the system "
        "(glibc malloc_trim; 0: never)",
    )
    static_dir: Path = PROJECT_ROOT / "static"
    templates_dir: Path = PROJECT_ROOT / "templates"

    # Network size limits (checked before any TensorFlow work starts)
    max_layers: int = Field(8, description="layers after the input layer")
    max_units: int = Field(64, description="units in any one layer, input layer included")
    max_batch: int = Field(256, description="rows of inputs for /backprop and /loss")
    max_abs_value: float = Field(1e6, description="largest |number| accepted in inputs/weights")

    # Lessons
    max_curve_points: int = 2001
    max_curve_range: float = 1000.0
    max_vector_length: int = 64
    max_jacobian_entries: int = Field(
        65_536, description="batch × n × n numbers in one /softmax Jacobian (JSON size)"
    )

    # Training
    max_steps: int = 20_000
    max_samples: int = 2_000
    max_train_cost: float = Field(
        2e10, description="upper bound of steps x batch x multiply-adds per sample for /train"
    )
    max_boundary_resolution: int = 100
    max_history_points: int = 2_001
    max_neuron_grid_resolution: int = 40
    warm_graphs: bool = Field(
        True, description="build the engine's compiled graphs in the background at start-up"
    )
    warm_idle_seconds: float = Field(
        0.5,
        ge=0,
        description="the background warm-up builds its next graph only once no API request "
        "or stream frame has computed for this long, so it gives way to a class (0: whenever "
        "none is computing)",
    )
    warm_max_depth: int = Field(
        3,
        ge=1,
        description="start-up builds the graphs of networks up to this depth (about 450 MB "
        "for 3); deeper ones are built by their first request",
    )
    max_xla_programs: int = Field(
        8,
        ge=0,
        description="XLA programs (one per input shape of a long /train run) the server may "
        "compile in its life; past it, runs use the plain graph",
    )
    train_xla_min_steps: int = Field(
        10_000, description="/train compiles its loop with XLA from this many steps (-1: never)"
    )
    # Live training over WebSocket (/api/v1/train/stream)
    stream_max_concurrent: int = Field(
        12, ge=0, description="training streams open at once; more get a busy frame"
    )
    stream_compute_threads: int = Field(
        2, ge=1, description="threads computing stream frames at once (taken in turn)"
    )
    stream_max_in_flight: int = Field(
        2, ge=1, description="frames sent but not yet acknowledged before a stream waits"
    )
    stream_max_message_bytes: int = Field(256_000, description="largest client message")
    stream_max_messages_per_second: float = Field(
        120.0, description="client messages per second (acks included; a 60 Hz page sends 60)"
    )
    stream_idle_seconds: float = Field(
        600.0, description="a stream with no client message for this long is closed"
    )
    stream_max_steps_per_frame: int = Field(5_000, description="updates computed for one frame")
    stream_allowed_origins: list[str] = Field(
        default_factory=list,
        description="browser origins besides the app's own that may open a stream",
    )
    max_depth: int = 50
    max_landscape_resolution: int = 81
    max_landscape_steps: int = 500
    max_landscape_cost: float = Field(
        2e8,
        description="upper bound of grid points (or path steps x optimizers) x batch x "
        "multiply-adds per sample for /landscape",
    )
    max_flow_configs: int = Field(4, description="configurations compared by /gradient-flow")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
