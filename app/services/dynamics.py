"""/gradient-flow and /landscape: every limit checked before any TensorFlow work (cost
models included), the engine run, and the answers built."""

from dataclasses import dataclass

import numpy as np

from app.core.jsonsafe import FiniteTracker
from app.engine.errors import SpecError
from app.engine.gradient_flow import NORMS, StackSpec, build_stack, generated_batch, relocated
from app.engine.landscape import (
    ParamRef,
    SliceFunction,
    check_param_ref,
    grid_values,
)
from app.engine.losses import get_loss, prepare_targets
from app.engine.network import Network, NetworkLimits, build_network, check_inputs, check_sizes
from app.engine.optimizers import OptimizerConfig, make_optimizer
from app.schemas.common import (
    activation_spec,
    build_network_from,
    multiply_adds,
    network_limits,
)
from app.schemas.dynamics import GradientFlowRequest, LandscapeRequest, ParamChoice

# ---- validation (limits before any TensorFlow work) and response builders ------------------


def _settings():
    from app.core.config import get_settings

    return get_settings()


def _check_range(value: int, low: int, high: int, loc: tuple, what: str) -> int:
    if not low <= value <= high:
        raise SpecError(loc, f"{what} is {value}; it must be {low} to {high}")
    return value


def _activation_label(item) -> str:
    spec = activation_spec(item)
    return spec if isinstance(spec, str) else spec["name"]


@dataclass
class FlowJob:
    label: str
    net: Network
    init: str | None
    seed: int | None


def prepare_flow(req: GradientFlowRequest):
    """Networks, inputs, targets and loss of a /gradient-flow request, every limit checked."""
    s = _settings()
    if len(req.configs) > s.max_flow_configs:
        raise SpecError(
            ("configs",), f"{len(req.configs)} configurations; the limit is {s.max_flow_configs}"
        )
    _check_range(req.depth, 1, s.max_depth, ("depth",), "depth")
    _check_range(req.width, 1, s.max_units, ("width",), "width")
    _check_range(req.input_size, 1, s.max_units, ("input_size",), "input_size")
    _check_range(req.output_size, 1, s.max_units, ("output_size",), "output_size")
    limits = NetworkLimits(max_layers=s.max_depth, max_units=s.max_units)
    plans = []
    for i, cfg in enumerate(req.configs):
        loc = ("configs", i)
        if cfg.network is not None:
            layers = cfg.network.layers
            try:
                check_sizes(layers, limits)
            except SpecError as error:
                raise relocated(error, (*loc, "network")) from None
            if layers[0] != req.input_size or layers[-1] != req.output_size:
                raise SpecError(
                    (*loc, "network", "layers"),
                    f"layers must start with input_size {req.input_size} and end with "
                    f"output_size {req.output_size}, got {layers}",
                )
            plans.append((cfg, None))
            continue
        depth = cfg.depth if cfg.depth is not None else req.depth
        width = cfg.width if cfg.width is not None else req.width
        depth_loc = (*loc, "depth") if cfg.depth is not None else ("depth",)
        width_loc = (*loc, "width") if cfg.width is not None else ("width",)
        _check_range(depth, 1, s.max_depth, depth_loc, "depth")
        _check_range(width, 1, s.max_units, width_loc, "width")
        stack = StackSpec(
            depth,
            width,
            req.input_size,
            req.output_size,
            activation_spec(cfg.activation),
            activation_spec(req.output_activation),
            cfg.init,
            cfg.seed,
            req.dtype,
        )
        plans.append((cfg, stack))

    if req.inputs is not None:
        inputs = check_inputs(req.inputs, req.input_size, s.max_batch)
        targets_given = req.targets
    else:
        _check_range(req.batch_size, 1, s.max_batch, ("batch_size",), "batch_size")
        inputs, generated = generated_batch(
            req.batch_size, req.input_size, req.output_size, req.data_seed
        )
        targets_given = req.targets if req.targets is not None else generated.tolist()
    loss = get_loss(req.loss)
    if targets_given is None:
        _, generated = generated_batch(len(inputs), req.input_size, req.output_size, req.data_seed)
        targets_given = generated.tolist()
    targets = prepare_targets(targets_given, loss, req.output_size, len(inputs))

    jobs = []
    for i, (cfg, stack) in enumerate(plans):
        loc = ("configs", i)
        if stack is None:
            try:
                net = build_network(
                    layers=cfg.network.layers,
                    activations=cfg.network.activation_specs(),
                    weights=cfg.network.weights,
                    biases=cfg.network.biases,
                    init=cfg.network.init,
                    seed=cfg.network.seed,
                    dtype=req.dtype,
                    limits=limits,
                )
            except SpecError as error:
                raise relocated(error, (*loc, "network")) from None
            label = cfg.label or f"network {i + 1}"
            jobs.append(FlowJob(label, net, cfg.network.init, cfg.network.seed))
            continue
        try:
            net = build_stack(stack, limits)
        except SpecError as error:
            raise relocated(error, loc) from None
        label = cfg.label or f"{_activation_label(cfg.activation)} + {cfg.init}"
        jobs.append(FlowJob(label, net, cfg.init, cfg.seed))
    return jobs, inputs, targets, loss


def gradient_flow_response(req: GradientFlowRequest, jobs, inputs, results) -> dict:
    js = FiniteTracker()
    configs = []
    for i, (job, result) in enumerate(zip(jobs, results, strict=True)):
        per_layer = [
            {
                key: js.scalar(value, f"configs[{i}].per_layer[{n}].{key}")
                if isinstance(value, float)
                else value
                for key, value in layer.items()
            }
            for n, layer in enumerate(result["layers"])
        ]
        ratio = result["first_to_last_ratio"]
        configs.append(
            {
                "label": job.label,
                "layers": job.net.sizes,
                "activations": [a.name for a in job.net.activations],
                "init": job.init,
                "seed": job.seed,
                "loss": js.scalar(result["loss"], f"configs[{i}].loss"),
                "per_layer": per_layer,
                "first_to_last_ratio": None
                if ratio is None
                else js.scalar(ratio, f"configs[{i}].first_to_last_ratio"),
                "check": result["check"],
            }
        )
    response = {
        "configs": configs,
        "norms": NORMS,
        "batch": len(inputs),
        "dtype": req.dtype,
        "loss_name": req.loss,
        "warnings": [],
    }
    if (warning := js.warning()) is not None:
        response["warnings"].append(warning)
    return response


def _param_ref(choice: ParamChoice) -> ParamRef:
    return ParamRef(choice.layer, choice.param, choice.row, choice.col)


def _check_value_range(value, loc: tuple):
    if value is None:
        return None
    low, high = value
    limit = _settings().max_abs_value
    if not low < high:
        raise SpecError(loc, f"the range must go from low to high, got [{low}, {high}]")
    if max(abs(low), abs(high)) > limit:
        raise SpecError(loc, f"range values must be within ±{limit:g}")
    return (low, high)


@dataclass
class LandscapeJob:
    fn: SliceFunction
    net: Network
    ref_a: ParamRef
    ref_b: ParamRef
    start: tuple[float, float]
    values_a: np.ndarray
    values_b: np.ndarray
    optimizers: list[OptimizerConfig]


def path_optimizer(choice, learning_rate: float) -> OptimizerConfig:
    """A path's optimizer from the registry: plain SGD takes the learning rate alone, the
    momentum optimizer also its μ, Adam its β₁, β₂ and ε (the request's learning rate unless
    the path names its own)."""
    own = choice.learning_rate
    given = {"learning_rate": own if own is not None else learning_rate}
    if choice.name == "momentum":
        given["momentum"] = choice.momentum
    elif choice.name == "adam":
        given.update(beta_1=choice.beta_1, beta_2=choice.beta_2, epsilon=choice.epsilon)
    return make_optimizer(choice.name, **given)


def prepare_landscape(req: LandscapeRequest) -> LandscapeJob:
    """Everything /landscape computes with, every limit checked before TensorFlow runs."""
    s = _settings()
    _check_range(req.resolution, 2, s.max_landscape_resolution, ("resolution",), "resolution")
    _check_range(req.path_steps, 0, s.max_landscape_steps, ("path_steps",), "path_steps")
    sizes = check_sizes(req.layers, network_limits())
    batch = len(req.inputs)
    macs = multiply_adds(sizes)
    if req.resolution**2 * batch * macs > s.max_landscape_cost:
        raise SpecError(
            ("resolution",),
            f"{req.resolution}² grid points × {batch} samples × {macs} multiply-adds is over "
            f"the limit of {s.max_landscape_cost:g}: lower the resolution or the batch",
        )
    # A path step is a forward and a backward pass (about 3 forward passes) per optimizer.
    path_cost = 3 * (req.path_steps + 1) * len(req.optimizers) * batch * macs
    if path_cost > s.max_landscape_cost:
        raise SpecError(
            ("path_steps",),
            f"{req.path_steps} steps × {len(req.optimizers)} optimizers on this network and "
            f"batch is over the limit of {s.max_landscape_cost:g}: take fewer steps",
        )
    range_a = _check_value_range(req.range_a, ("range_a",))
    range_b = _check_value_range(req.range_b, ("range_b",))
    if req.start is not None and max(abs(v) for v in req.start) > s.max_abs_value:
        raise SpecError(("start",), f"start values must be within ±{s.max_abs_value:g}")

    net = build_network_from(req)
    inputs = check_inputs(req.inputs, net.sizes[0], s.max_batch)
    loss = get_loss(req.loss)
    targets = prepare_targets(req.targets, loss, net.sizes[-1], len(inputs))
    ref_a = check_param_ref(net, _param_ref(req.weight_a), ("weight_a",))
    ref_b = check_param_ref(net, _param_ref(req.weight_b), ("weight_b",))
    if ref_a == ref_b:
        raise SpecError(
            ("weight_b",), f"weight_b is the same parameter as weight_a ({ref_a.label})"
        )
    start = tuple(req.start) if req.start is not None else (ref_a.value(net), ref_b.value(net))
    optimizers = [path_optimizer(o, req.learning_rate) for o in req.optimizers]
    fn = SliceFunction(net, inputs, targets, loss, req.from_logits, req.reduction, ref_a, ref_b)
    return LandscapeJob(
        fn,
        net,
        ref_a,
        ref_b,
        start,
        grid_values(start[0], range_a, req.span, req.resolution),
        grid_values(start[1], range_b, req.span, req.resolution),
        optimizers,
    )


def _weight_out(ref: ParamRef, net: Network) -> dict:
    return {
        "layer": ref.layer,
        "param": ref.param,
        "row": ref.row,
        "col": ref.col,
        "label": ref.label,
        "value": ref.value(net),
    }


def landscape_response(req: LandscapeRequest, job: LandscapeJob, result: dict) -> dict:
    js = FiniteTracker()
    current = result["current"]
    paths = []
    for k, path in enumerate(result["paths"]):
        spec = path["optimizer"]
        p = f"paths[{k}]"
        paths.append(
            {
                "optimizer": spec.name,
                "learning_rate": spec.learning_rate,
                **{name: js(path[name], f"{p}.{name}") for name in PATH_FIELDS},
                "final_loss": js.scalar(path["loss"][-1], f"{p}.final_loss"),
            }
        )
    response = {
        "weight_a": _weight_out(job.ref_a, job.net),
        "weight_b": _weight_out(job.ref_b, job.net),
        "a": js(result["values_a"], "a"),
        "b": js(result["values_b"], "b"),
        "loss": js(result["loss"], "loss"),
        "current": {
            "a": js.scalar(current["a"], "current.a"),
            "b": js.scalar(current["b"], "current.b"),
            "loss": js.scalar(current["loss"], "current.loss"),
            "gradient": js(current["gradient"], "current.gradient"),
        },
        "paths": paths,
        "loss_name": req.loss,
        "dtype": job.net.dtype,
        "warnings": [],
    }
    if (warning := js.warning()) is not None:
        response["warnings"].append(warning)
    return response


PATH_FIELDS = ("a", "b", "loss", "grad_a", "grad_b")
