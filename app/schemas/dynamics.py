"""POST /api/v1/gradient-flow and /api/v1/landscape: request and response models."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.engine.landscape import (
    OPTIMIZERS,
)
from app.engine.network import (
    MAX_SEED,
)
from app.schemas.backprop import Check
from app.schemas.common import (
    ActivationItem,
    DType,
    Finite,
    InitName,
    LossFields,
    LossName,
    Matrix,
    NetworkSpec,
    StrictModel,
    WarningOut,
    hyper_field,
)

Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]

# ---- /gradient-flow ----------------------------------------------------------------------


class FlowConfig(StrictModel):
    """One network to measure: a deep stack's activation and init, or a full network spec."""

    label: str | None = Field(None, max_length=80, description="name shown in the chart")
    activation: ActivationItem = Field("sigmoid", description="of every hidden layer")
    init: InitName = "glorot_uniform"
    seed: Seed = 0
    depth: int | None = Field(None, description="overrides the request's depth")
    width: int | None = Field(None, description="overrides the request's width")
    network: NetworkSpec | None = Field(
        None,
        description="a full network spec instead of a stack; its layers[0] must equal "
        "input_size and its last layer output_size",
    )


def _default_configs() -> list[FlowConfig]:
    return [
        FlowConfig(activation="sigmoid", init="glorot_uniform"),
        FlowConfig(activation="relu", init="he_normal"),
    ]


class GradientFlowRequest(StrictModel):
    configs: list[FlowConfig] = Field(
        default_factory=_default_configs,
        min_length=1,
        description="networks compared side by side (default: sigmoid + Glorot, ReLU + He)",
    )
    depth: int = Field(10, description="layers after the input (hidden layers + output layer)")
    width: int = Field(16, description="units in every hidden layer")
    input_size: int = Field(8, ge=1)
    output_size: int = Field(1, ge=1)
    output_activation: ActivationItem = Field(
        "linear", description="of the last layer of every stack (linear isolates the hidden f′)"
    )
    inputs: Matrix | None = Field(
        None, description="batch × input_size; default: batch_size rows drawn from N(0, 1)"
    )
    batch_size: int = Field(32, ge=1, description="rows generated when inputs are not given")
    data_seed: Seed = Field(0, description="seed of the generated inputs and targets")
    targets: Matrix | list[Finite] | None = Field(
        None, description="batch × output_size; default: drawn from U(0, 1)"
    )
    loss: LossName = "mse"
    from_logits: bool = False
    reduction: Literal["mean", "sum"] = "mean"
    dtype: DType = "float32"
    saturation_threshold: Finite = Field(
        1e-3, gt=0, le=1, description="a unit counts as saturated where |f′(z)| is below this"
    )


class FlowLayerOut(BaseModel):
    layer: int
    units: int
    activation: str
    grad_W_norm: float | None
    grad_b_norm: float | None
    delta_norm: float | None
    delta_mean_abs: float | None
    weight_norm: float | None
    mean_abs_activation: float | None
    mean_abs_fprime: float | None
    saturated_fraction: float | None


class FlowConfigOut(BaseModel):
    label: str
    layers: list[int]
    activations: list[str]
    init: str | None
    seed: int | None
    loss: float | None
    per_layer: list[FlowLayerOut]
    first_to_last_ratio: float | None = Field(
        None, description="grad_W_norm of layer 1 divided by that of the last layer"
    )
    check: Check


class GradientFlowResponse(BaseModel):
    configs: list[FlowConfigOut]
    norms: dict[str, str] = Field(description="what each per-layer number is")
    batch: int
    dtype: str
    loss_name: str
    warnings: list[WarningOut]


# ---- /landscape --------------------------------------------------------------------------


class ParamChoice(StrictModel):
    """One scalar parameter: ``W[row][col]`` or ``b[col]`` of layer ``layer`` (1 = first)."""

    layer: int = Field(..., ge=1)
    param: Literal["W", "b"] = "W"
    row: int = Field(0, ge=0)
    col: int = Field(0, ge=0)


class OptimizerChoice(StrictModel):
    """An optimizer for the path; hyper-parameters as tf.keras.optimizers names them."""

    name: Literal[OPTIMIZERS]  # type: ignore[valid-type]
    learning_rate: Finite | None = hyper_field(
        "learning_rate", description="default: the request's learning_rate"
    )
    momentum: Finite = hyper_field("momentum", 0.9)
    beta_1: Finite = hyper_field("beta_1", 0.9)
    beta_2: Finite = hyper_field("beta_2", 0.999)
    epsilon: Finite = hyper_field("epsilon", 1e-7)


Range = Annotated[list[Finite], Field(min_length=2, max_length=2)]


def _default_optimizers() -> list[OptimizerChoice]:
    return [OptimizerChoice(name=name) for name in OPTIMIZERS]


class LandscapeRequest(NetworkSpec, LossFields):
    inputs: Matrix = Field(..., description="batch × layers[0]", examples=[[[0.05, 0.1]]])
    weight_a: ParamChoice = Field(..., description="the parameter on the x axis")
    weight_b: ParamChoice = Field(..., description="the parameter on the y axis")
    range_a: Range | None = Field(None, description="[low, high] of w_a; default start ± span")
    range_b: Range | None = Field(None, description="[low, high] of w_b; default start ± span")
    span: Finite = Field(2.0, gt=0, le=1000, description="half-width of the default ranges")
    resolution: int = Field(41, description="grid points along each axis")
    start: Range | None = Field(
        None, description="[w_a, w_b] where the paths start; default: their values in the spec"
    )
    learning_rate: Finite = hyper_field("learning_rate", 0.5)
    path_steps: int = Field(50, description="optimizer updates per path")
    optimizers: list[OptimizerChoice] = Field(
        default_factory=_default_optimizers, min_length=1, max_length=len(OPTIMIZERS) * 2
    )


class WeightOut(BaseModel):
    layer: int
    param: str
    row: int
    col: int
    label: str
    value: float = Field(description="its value in the network spec")


class PathOut(BaseModel):
    optimizer: str
    learning_rate: float
    a: list[float | None]
    b: list[float | None]
    loss: list[float | None]
    grad_a: list[float | None]
    grad_b: list[float | None]
    final_loss: float | None


class CurrentOut(BaseModel):
    a: float | None
    b: float | None
    loss: float | None
    gradient: list[float | None] = Field(description="[∂L/∂w_a, ∂L/∂w_b] from the tape")


class LandscapeResponse(BaseModel):
    weight_a: WeightOut
    weight_b: WeightOut
    a: list[float]
    b: list[float]
    loss: list[list[float | None]] = Field(description="loss[j][i] is at (a[i], b[j])")
    current: CurrentOut
    paths: list[PathOut]
    loss_name: str
    dtype: str
    warnings: list[WarningOut]
