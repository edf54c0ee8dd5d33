"""/backprop and /backprop/code: validate a request against the limits, run the engine, and
build the contract's answer (non-finite numbers become null and are named in warnings)."""

from app.core.config import get_settings
from app.core.jsonsafe import FiniteTracker
from app.engine.backprop import BackpropResult, backprop
from app.engine.graphs import graph_cache
from app.engine.losses import get_loss, prepare_targets
from app.engine.network import Network, check_inputs
from app.schemas.backprop import BackpropRequest
from app.schemas.common import build_network_from, multiply_adds


def prepare_backprop(req: BackpropRequest):
    """The validated network, inputs, loss and targets of a /backprop-shaped request
    (shared by /backprop and /backprop/code, so both reject the same input the same way)."""
    net = build_network_from(req)
    inputs = check_inputs(req.inputs, net.sizes[0], get_settings().max_batch)
    loss = get_loss(req.loss)
    targets = prepare_targets(req.targets, loss, net.sizes[-1], len(inputs))
    return net, inputs, loss, targets


def backprop_response(net: Network, result: BackpropResult, req: BackpropRequest) -> dict:
    """The contract's JSON: non-finite numbers become null and are named in ``warnings``."""
    js = FiniteTracker()
    loss = js.scalar(result.loss, "loss")  # first, so the warning names it first
    per_sample_loss = js(result.per_sample_loss, "per_sample_loss")
    layers = [
        {
            "index": 0,
            "size": net.sizes[0],
            "activation": None,
            "z": None,
            "a": js(result.a[0], "layers[0].a"),
            "delta": None,
            "fprime": None,
            "grad_a": None,
        }
    ]
    for i, act in enumerate(net.activations, 1):
        layers.append(
            {
                "index": i,
                "size": net.sizes[i],
                "activation": act.name,
                "activation_params": act.params,
                "z": js(result.z[i - 1], f"layers[{i}].z"),
                "a": js(result.a[i], f"layers[{i}].a"),
                "delta": js(result.delta[i - 1], f"layers[{i}].delta"),
                "fprime": js(result.fprime[i - 1], f"layers[{i}].fprime"),
                "grad_a": js(result.grad_a[i - 1], f"layers[{i}].grad_a"),
            }
        )
    params = []
    for i in range(net.depth):
        p = f"params[{i}]"
        params.append(
            {
                "W": js(net.weights[i], f"{p}.W"),
                "b": js(net.biases[i], f"{p}.b"),
                "dW": js(result.dW[i], f"{p}.dW"),
                "db": js(result.db[i], f"{p}.db"),
                "W_next": js(result.W_next[i], f"{p}.W_next"),
                "b_next": js(result.b_next[i], f"{p}.b_next"),
            }
        )
    response = {
        "loss": loss,
        "per_sample_loss": per_sample_loss,
        "layers": layers,
        "params": params,
        "check": result.check,
        "warnings": list(result.warnings),
        "dtype": net.dtype,
        "loss_name": req.loss,
        "learning_rate": req.learning_rate,
    }
    if (warning := js.warning()) is not None:
        response["warnings"].append(warning)
    return response


def compute(req: BackpropRequest) -> dict:
    """One /backprop answer: parse → engine → response."""
    net, inputs, loss, targets = prepare_backprop(req)
    result = backprop(
        net,
        inputs,
        targets,
        loss,
        req.from_logits,
        req.reduction,
        req.learning_rate,
        req.train_biases,
    )
    return backprop_response(net, result, req)


def runs_inline(req: BackpropRequest) -> bool:
    """Whether this request is small enough to compute on the event loop itself.

    A thread hop and the GIL hand-offs around it cost CPU that a short computation does not
    need (a classroom request: 2.5 ms of server CPU through the thread pool, 2.1 ms on the
    loop), so a small request runs where it was parsed: at most ``inline_max_work``
    multiply-adds (batch × Σ n_in·n_out), and only when its graph is built. A trace (1–3 s),
    or a large request, would stall every other connection, so those run in a thread as
    before.
    """
    layers = req.layers
    work = len(req.inputs) * multiply_adds(layers)
    return work <= get_settings().inline_max_work and graph_cache().ready(
        "backprop", len(layers) - 1, req.dtype
    )
