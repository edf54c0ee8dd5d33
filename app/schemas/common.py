"""Request fields shared by several endpoints: the network spec and the loss fields."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.engine.activations import ACTIVATIONS
from app.engine.losses import LOSSES
from app.engine.network import INITIALIZERS, MAX_SEED

# JSON numbers only: Python's parser accepts NaN/Infinity literals (and 1e999 → inf).
Finite = Annotated[float, Field(allow_inf_nan=False, strict=True)]  # strict: no true → 1.0, no "1"
ActivationName = Literal[tuple(ACTIVATIONS)]  # type: ignore[valid-type]
LossName = Literal[tuple(LOSSES)]  # type: ignore[valid-type]
InitName = Literal[INITIALIZERS]  # type: ignore[valid-type]
DType = Literal["float32", "float64"]
Matrix = list[list[Finite]]


# Numbers in answers: null where a value is not finite (named in the answer's warnings).
NullableVector = list[float | None]
NullableMatrix = list[list[float | None]]


class WarningOut(BaseModel, extra="allow"):
    """A warning next to the numbers: a code, a message, and fields of its own."""

    code: str
    message: str


def activation_spec(item):
    """One activation as the engine takes it: a name, or {"name", params} for an object."""
    if isinstance(item, ActivationObject):
        return {"name": item.name, **item.params()}
    return item


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ActivationObject(StrictModel):
    """An activation with parameters, e.g. ``{"name": "leaky_relu", "alpha": 0.1}``."""

    name: ActivationName
    alpha: Finite | None = Field(None, description="leaky_relu slope for z ≤ 0 (default 0.2)")

    def params(self) -> dict:
        return {"alpha": self.alpha} if self.alpha is not None else {}


ActivationItem = ActivationName | ActivationObject


class NetworkSpec(StrictModel):
    layers: list[Annotated[int, Field(ge=1)]] = Field(
        ..., description="unit counts, input layer first", examples=[[2, 2, 2]]
    )
    activations: ActivationItem | list[ActivationItem] = Field(
        "sigmoid", description="one per layer after the input, or a single one for all"
    )
    weights: list[Matrix | None] | None = Field(
        None, description="weights[l-1] is layer l's W, shape [layers[l-1], layers[l]]"
    )
    biases: list[list[Finite] | None] | None = Field(
        None, description="biases[l-1] is layer l's b, length layers[l]"
    )
    init: InitName = "glorot_uniform"
    seed: int = Field(0, ge=0, le=MAX_SEED)
    dtype: DType = "float32"

    def activation_specs(self):
        """Activations as the engine takes them: names or {"name", params} dicts."""
        if isinstance(self.activations, list):
            return [activation_spec(a) for a in self.activations]
        return activation_spec(self.activations)


class LossFields(StrictModel):
    loss: LossName = "mse"
    from_logits: bool = False
    reduction: Literal["mean", "sum"] = "mean"
    targets: Matrix | list[Finite] = Field(
        ...,
        description="rows (batch × outputs); for categorical_crossentropy a list of class "
        "indices is accepted too",
    )


def network_limits():
    from app.core.config import get_settings
    from app.engine.network import NetworkLimits

    settings = get_settings()
    return NetworkLimits(max_layers=settings.max_layers, max_units=settings.max_units)


def build_network_from(spec: NetworkSpec):
    """Validate the spec against the configured limits and build the engine's Network."""
    from app.engine.network import build_network

    return build_network(
        layers=spec.layers,
        activations=spec.activation_specs(),
        weights=spec.weights,
        biases=spec.biases,
        init=spec.init,
        seed=spec.seed,
        dtype=spec.dtype,
        limits=network_limits(),
    )


def hyper_field(name: str, default=None, description: str | None = None):
    """A pydantic Field for the optimizer hyper-parameter ``name`` with the registry's bounds
    (optimizers.BOUNDS, the one list of them)."""
    from app.engine.optimizers import BOUNDS

    bound = BOUNDS[name]
    limits = {
        "ge" if bound.low_inclusive else "gt": bound.low,
        "le" if bound.high_inclusive else "lt": bound.high,
    }
    return Field(default, description=description, **limits)


def multiply_adds(sizes) -> int:
    """Multiply-adds of one sample's forward pass: Σ n_l · n_(l+1). The cost unit of the
    limits (max_train_cost, max_landscape_cost)."""
    return sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
