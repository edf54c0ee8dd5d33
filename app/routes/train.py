"""POST /api/v1/train: many gradient steps in one compiled graph, with history and boundary."""

import math
import time

import numpy as np
from fastapi import APIRouter

from app.core.config import get_settings
from app.engine import datasets, training
from app.engine.errors import SpecError
from app.engine.losses import get_loss, prepare_targets
from app.engine.network import check_inputs
from app.engine.optimizers import make_optimizer
from app.schemas.common import build_network_from
from app.schemas.train import TrainRequest, TrainResponse, state_from, train_response

router = APIRouter(prefix="/api/v1", tags=["train"])
HISTORY_TARGET = 200  # entries when record_every is not given


def _training_data(req: TrainRequest, net, loss, settings) -> datasets.TrainingData:
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


def _check_cost(req: TrainRequest, net, data, batch: int, record_every: int, settings) -> None:
    """steps × batch × multiply-adds (plus the history's evaluations) within max_train_cost."""
    if req.steps > settings.max_steps:
        raise SpecError(("steps",), f"{req.steps} steps is over the limit of {settings.max_steps}")
    rows = training.history_rows(req.steps, record_every)
    if rows > settings.max_history_points:
        raise SpecError(
            ("record_every",),
            f"recording every {record_every} steps gives {rows} "
            f"history entries; the limit is {settings.max_history_points}: record "
            f"every {math.ceil(req.steps / (settings.max_history_points - 2))} or more",
        )
    macs = sum(a * b for a, b in zip(net.sizes, net.sizes[1:], strict=False))
    evaluated = len(data.x) + (0 if data.x_test is None else len(data.x_test))
    cost = req.steps * batch * macs + rows * evaluated * macs
    if cost > settings.max_train_cost:
        raise SpecError(
            ("steps",),
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


def _grids(req, net, data, state) -> dict:
    """The output over a grid of the 2-D input plane, and optionally every unit's output."""
    if data.domain is None:
        return {}
    extras = {}
    xs, ys, pts = datasets.grid(data.domain, req.boundary_resolution)
    res = req.boundary_resolution
    with np.errstate(all="ignore"):
        out = training.predict(
            net, state.weights, state.biases, datasets.features(pts, data.features)
        )[-1]
        boundary = {"x": xs, "y": ys}
        if out.shape[1] == 1:
            boundary["z"] = out[:, 0].reshape(res, res)
        else:
            boundary["z"] = np.argmax(out, axis=1).reshape(res, res).astype(float)
            boundary["probabilities"] = out.T.reshape(-1, res, res)
        extras["boundary"] = boundary
        if req.neuron_grids:
            nres = req.neuron_grid_resolution
            nxs, nys, npts = datasets.grid(data.domain, nres)
            inputs = datasets.features(npts, data.features)
            layers = training.predict(net, state.weights, state.biases, inputs)
            extras["neuron_grids"] = {
                "x": nxs,
                "y": nys,
                "layers": [a.T.reshape(-1, nres, nres) for a in layers],
            }
    return extras


@router.post("/train", response_model=TrainResponse)
def post_train(req: TrainRequest) -> dict:
    """Train with TensorFlow: the whole loop of steps runs inside one compiled graph."""
    settings = get_settings()
    training.loop_cache().size = settings.train_cache_size
    net = build_network_from(req)
    loss = get_loss(req.loss)
    data = _training_data(req, net, loss, settings)
    optimizer = make_optimizer(req.optimizer.name, **req.optimizer.model_dump(exclude={"name"}))
    n = len(data.x)
    if req.batch_size is not None and req.batch_size > n:
        raise SpecError(
            ("batch_size",),
            f"batch_size {req.batch_size} is larger than the "
            f"{n} training samples; use null for the full batch",
        )
    batch = n if req.batch_size is None else req.batch_size
    record_every = req.record_every or max(1, math.ceil(req.steps / HISTORY_TARGET))
    _check_cost(req, net, data, batch, record_every, settings)
    state = state_from(req, net, optimizer)
    xla = req.jit_compile
    if xla is None:
        xla = 0 <= settings.train_xla_min_steps <= req.steps
    started = time.perf_counter()
    result = training.train(
        net, data.x, data.t, loss, optimizer, req.steps,
        from_logits=req.from_logits, reduction=req.reduction,
        x_test=data.x_test, t_test=data.t_test, batch_size=req.batch_size,
        train_biases=req.train_biases, record_every=record_every, l2=req.l2,
        accuracy=data.accuracy, thresholds=data.thresholds, seed=req.seed,
        state=state, max_history_rows=settings.max_history_points, jit_compile=xla,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    with np.errstate(all="ignore"):
        grads = training.gradients(
            net,
            result.state.weights,
            result.state.biases,
            data.x,
            data.t,
            loss,
            req.from_logits,
            req.reduction,
        )
    extras = {
        "gradients": grads,
        **_grids(req, net, data, result.state),
        "steps": req.steps,
        "start_iteration": result.state.iterations - req.steps,
        "record_every": record_every,
        "batch_size": batch,
        "batches_per_epoch": max(n // batch, 1),
        "epoch": result.state.iterations / max(n // batch, 1),
        "compiled": {"xla": xla, "cached_loops": len(training.loop_cache())},
        "elapsed_ms": elapsed * 1000.0,
    }
    return train_response(net, req, optimizer, data, result, extras)
