"""POST /api/v1/backprop: request and response models, and the response builder."""

from pydantic import BaseModel, Field

from app.core.config import get_settings
from app.core.jsonsafe import FiniteTracker
from app.engine.backprop import BackpropResult
from app.engine.losses import get_loss, prepare_targets
from app.engine.network import Network, check_inputs
from app.schemas.common import Finite, LossFields, Matrix, NetworkSpec, build_network_from

NullableMatrix = list[list[float | None]]
NullableVector = list[float | None]


class BackpropRequest(NetworkSpec, LossFields):
    inputs: Matrix = Field(..., description="batch × layers[0]", examples=[[[0.05, 0.1]]])
    learning_rate: Finite = Field(0.1, description="step size of the SGD update")
    train_biases: bool = True


class LayerOut(BaseModel):
    index: int
    size: int
    activation: str | None
    activation_params: dict[str, float] = {}
    z: NullableMatrix | None
    a: NullableMatrix
    delta: NullableMatrix | None
    fprime: NullableMatrix | None = Field(
        None, description="f′(z) per sample and unit (null for the input and softmax layers)"
    )
    grad_a: NullableMatrix | None = Field(
        None, description="∂L/∂a per sample and unit (null for the input layer)"
    )


class ParamsOut(BaseModel):
    W: NullableMatrix
    b: NullableVector
    dW: NullableMatrix
    db: NullableVector
    W_next: NullableMatrix
    b_next: NullableVector


class Check(BaseModel):
    max_abs_diff: float | None
    agrees: bool
    method: str
    tolerance: float | None = None
    reason: str | None = None


class WarningOut(BaseModel, extra="allow"):
    code: str
    message: str


class BackpropResponse(BaseModel):
    loss: float | None
    per_sample_loss: NullableVector
    layers: list[LayerOut]
    params: list[ParamsOut]
    check: Check
    warnings: list[WarningOut]
    dtype: str
    loss_name: str
    learning_rate: float


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
