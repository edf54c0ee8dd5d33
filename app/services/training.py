"""Training runs, once for every transport: the HTTP /train route and the WebSocket stream.

``prepare`` validates a TrainRequest against the Settings and builds what the engine needs
(network, loss, data, optimizer, starting state); ``check_cost`` keeps a run within the
limits; ``train`` calls the engine; ``grids`` evaluates the boundary and every unit over the
2-D input plane; ``http_response`` is the POST /train answer.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from app.core.config import Settings
from app.engine import datasets, training
from app.engine.errors import SpecError
from app.engine.graphs import graph_cache
from app.engine.losses import Loss, get_loss, prepare_targets
from app.engine.network import Network, check_inputs
from app.engine.optimizers import OptimizerConfig, make_optimizer
from app.schemas.common import build_network_from, multiply_adds
from app.schemas.train import TrainRequest, state_from, train_response

HISTORY_TARGET = 200  # history entries when record_every is not given


@dataclass
class PreparedRun:
    """Everything a training run needs, validated: what ``train`` is called with."""

    req: TrainRequest
    net: Network
    loss: Loss
    data: datasets.TrainingData
    optimizer: OptimizerConfig
    batch: int  # samples per update (the training set's size for the full batch)
    # ``grids``'s inputs by resolution: a stream draws the same grids at every frame of a run.
    grid_inputs: dict = field(default_factory=dict, repr=False)

    @property
    def batches_per_epoch(self) -> int:
        return max(len(self.data.x) // self.batch, 1)


def training_data(req: TrainRequest, net, loss, settings: Settings) -> datasets.TrainingData:
    """The run's data: a generated dataset or the request's own inputs and targets."""
    if (req.dataset is None) == (req.inputs is None):
        raise SpecError(("dataset",), "give either a dataset or inputs and targets (not both)")
    if req.dataset is not None:
        spec = req.dataset
        if spec.samples > settings.max_samples:
            raise SpecError(
                ("dataset", "samples"),
                f"{spec.samples} samples is over the limit of {settings.max_samples}",
            )
        if len(spec.features) != net.sizes[0]:
            raise SpecError(
                ("layers", 0),
                f"the input layer has {net.sizes[0]} units but "
                f"{len(spec.features)} features are chosen ({', '.join(spec.features)})",
            )
        return datasets.from_dataset(
            spec.model_dump(), net.sizes[-1], net.activations[-1].name, loss.name, req.from_logits
        )
    if req.targets is None:
        raise SpecError(("targets",), "targets are required with inputs")
    x = check_inputs(req.inputs, net.sizes[0], settings.max_samples)
    t = prepare_targets(req.targets, loss, net.sizes[-1], len(x))
    return datasets.from_arrays(x, t, loss.name, req.from_logits)


def prepare(req: TrainRequest, settings: Settings) -> PreparedRun:
    """Validate the request (network, data, batch size) and build the run's pieces."""
    net = build_network_from(req)
    loss = get_loss(req.loss)
    data = training_data(req, net, loss, settings)
    optimizer = make_optimizer(req.optimizer.name, **req.optimizer.model_dump(exclude={"name"}))
    n = len(data.x)
    if req.batch_size is not None and req.batch_size > n:
        raise SpecError(
            ("batch_size",),
            f"batch_size {req.batch_size} is larger than the "
            f"{n} training samples; use null for the full batch",
        )
    batch = n if req.batch_size is None else req.batch_size
    return PreparedRun(req, net, loss, data, optimizer, batch)


def check_cost(
    run: PreparedRun, steps: int, record_every: int, settings: Settings, loc=("steps",)
) -> None:
    """steps × batch × multiply-adds (plus the history's evaluations) within max_train_cost."""
    req, net, data = run.req, run.net, run.data
    if steps > settings.max_steps:
        raise SpecError(loc, f"{steps} steps is over the limit of {settings.max_steps}")
    rows = training.history_rows(steps, record_every)
    if rows > settings.max_history_points:
        raise SpecError(
            ("record_every",),
            f"recording every {record_every} steps gives {rows} "
            f"history entries; the limit is {settings.max_history_points}: record "
            f"every {math.ceil(steps / (settings.max_history_points - 2))} or more",
        )
    macs = multiply_adds(net.sizes)
    evaluated = len(data.x) + (0 if data.x_test is None else len(data.x_test))
    cost = steps * run.batch * macs + rows * evaluated * macs
    if cost > settings.max_train_cost:
        raise SpecError(
            loc,
            f"this run needs about {cost:.3g} multiply-adds (steps × batch "
            f"× weights), over the limit of {settings.max_train_cost:.3g}: use fewer "
            "steps, a smaller batch or a smaller network",
        )
    if req.boundary_resolution > settings.max_boundary_resolution:
        raise SpecError(("boundary_resolution",), f"at most {settings.max_boundary_resolution}")
    if req.neuron_grid_resolution > settings.max_neuron_grid_resolution:
        raise SpecError(
            ("neuron_grid_resolution",), f"at most {settings.max_neuron_grid_resolution}"
        )


def train(
    run: PreparedRun,
    state: training.TrainState,
    steps: int,
    record_every: int,
    max_history_rows: int,
    jit_compile: bool,
) -> training.TrainResult:
    """``steps`` updates from ``state`` in one call of the engine's compiled loop."""
    req, data = run.req, run.data
    return training.train(
        run.net, data.x, data.t, run.loss, run.optimizer, steps,
        from_logits=req.from_logits, reduction=req.reduction,
        x_test=data.x_test, t_test=data.t_test, batch_size=req.batch_size,
        train_biases=req.train_biases, record_every=record_every, l2=req.l2,
        accuracy=data.accuracy, thresholds=data.thresholds, seed=req.seed,
        state=state, max_history_rows=max_history_rows, jit_compile=jit_compile,
        shuffle=req.shuffle, regularization=req.regularization,
        regularization_rate=req.regularization_rate,
    )  # fmt: skip


def _grid_inputs(domain, features, resolution: int, neuron_resolution: int | None):
    """The grid axes and the network's inputs over them. Read-only arrays: a run keeps them
    for all its frames."""
    xs, ys, pts = datasets.grid(domain, resolution)
    points, neuron_axes = [pts], (None, None)
    if neuron_resolution:
        nxs, nys, npts = datasets.grid(domain, neuron_resolution)
        points.append(npts)
        neuron_axes = (nxs, nys)
    inputs = datasets.features(np.concatenate(points), features)
    for array in (xs, ys, inputs, *(a for a in neuron_axes if a is not None)):
        array.flags.writeable = False
    return xs, ys, inputs, neuron_axes


def grids(run: PreparedRun, state, resolution: int, neuron_resolution: int | None) -> dict:
    """The output over a grid of the 2-D input plane, and (with ``neuron_resolution``)
    every unit's output over a coarser grid, from ONE forward pass over both grids."""
    data, net = run.data, run.net
    if data.domain is None:
        return {}
    key = (resolution, neuron_resolution)
    if key not in run.grid_inputs:
        run.grid_inputs[key] = _grid_inputs(data.domain, data.features, *key)
    xs, ys, inputs, (nxs, nys) = run.grid_inputs[key]
    with np.errstate(all="ignore"):
        layers = training.predict(net, state.weights, state.biases, inputs)
    cells = resolution * resolution
    out = layers[-1][:cells]
    boundary = {"x": xs, "y": ys}
    if out.shape[1] == 1:
        boundary["z"] = out[:, 0].reshape(resolution, resolution)
    else:
        boundary["z"] = np.argmax(out, axis=1).reshape(resolution, resolution).astype(float)
        boundary["probabilities"] = out.T.reshape(-1, resolution, resolution)
    extras = {"boundary": boundary}
    if neuron_resolution:
        n = neuron_resolution
        extras["neuron_grids"] = {
            "x": nxs,
            "y": nys,
            "layers": [a[cells:].T.reshape(-1, n, n) for a in layers],
        }
    return extras


def http_response(req: TrainRequest, settings: Settings) -> dict:
    """POST /api/v1/train: ``req.steps`` updates in one compiled call, and what to draw."""
    run = prepare(req, settings)
    record_every = req.record_every or max(1, math.ceil(req.steps / HISTORY_TARGET))
    check_cost(run, req.steps, record_every, settings)
    state = state_from(req, run.net, run.optimizer)
    xla = req.jit_compile
    if xla is None:
        xla = 0 <= settings.train_xla_min_steps <= req.steps
    started = time.perf_counter()
    result = train(run, state, req.steps, record_every, settings.max_history_points, xla)
    elapsed = time.perf_counter() - started
    neuron_resolution = req.neuron_grid_resolution if req.neuron_grids else None
    extras = {
        "gradients": (result.grad_weights, result.grad_biases),
        **grids(run, result.state, req.boundary_resolution, neuron_resolution),
        "steps": req.steps,
        "start_iteration": result.state.iterations - req.steps,
        "record_every": record_every,
        "batch_size": run.batch,
        "batches_per_epoch": run.batches_per_epoch,
        "epoch": result.state.iterations / run.batches_per_epoch,
        "compiled": {
            "xla": result.xla,
            "graphs": len(graph_cache()),
            "graph_bound": graph_cache().bound,
        },
        "elapsed_ms": elapsed * 1000.0,
    }
    return train_response(run.net, req, run.optimizer, run.data, result, extras)
