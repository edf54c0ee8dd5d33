"""POST /api/v1/train and the /api/v1/datasets endpoints: request and response models."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from app.engine.datasets import DATASETS, FEATURES, MAX_NOISE
from app.engine.network import MAX_SEED
from app.engine.optimizers import OPTIMIZERS
from app.schemas.common import (
    Finite,
    LossFields,
    Matrix,
    NetworkSpec,
    NullableMatrix,
    NullableVector,
    StrictModel,
    WarningOut,
    hyper_field,
)

DatasetName = Literal[tuple(DATASETS)]  # type: ignore[valid-type]
FeatureName = Literal[tuple(FEATURES)]  # type: ignore[valid-type]
OptimizerName = Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]
PointRow = Annotated[list[Finite], Field(min_length=3, max_length=3)]  # x1, x2, label


class DatasetSpec(StrictModel):
    name: DatasetName = Field(..., description="a generated dataset (see GET /api/v1/datasets)")
    samples: int = Field(200, ge=4, description="points generated (train + test)")
    noise: Finite = Field(
        0.0, ge=0.0, le=MAX_NOISE, description="0 to 0.8: Playground's slider 0–50 %, links to 80 %"
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="the same seed gives the same points")
    test_fraction: Finite = Field(
        0.5, ge=0.0, le=0.9, description="share of the points held out as the test set"
    )
    features: list[FeatureName] = Field(
        ["x1", "x2"],
        min_length=1,
        description="network inputs computed from each point (layers[0] must equal their count)",
    )
    points: list[PointRow] | None = Field(
        None,
        min_length=1,
        description="explicit training points [x1, x2, label] in this order (e.g. TF "
        "Playground's draw); samples, seed and test_fraction then go unused",
    )
    test_points: list[PointRow] | None = Field(None, description="explicit test points")
    playground_seed: str | None = Field(
        None, max_length=200, description="the TF Playground seed the points were drawn from"
    )

    @model_validator(mode="after")
    def _count_points(self):
        if self.points is None:
            if self.test_points is not None:
                raise ValueError("test_points go with points (the training points)")
            return self
        self.samples = len(self.points) + len(self.test_points or [])  # for the size limit
        return self


class OptimizerSpec(StrictModel):
    """TensorFlow's optimizers (Keras 3 update rules); null hyper-parameters take the default."""

    name: OptimizerName = "sgd"
    learning_rate: Finite | None = hyper_field("learning_rate")
    momentum: Finite | None = hyper_field("momentum", description="sgd/momentum/rmsprop")
    nesterov: bool | None = Field(None, description="sgd/momentum")
    beta_1: Finite | None = hyper_field("beta_1", description="adam")
    beta_2: Finite | None = hyper_field("beta_2", description="adam")
    epsilon: Finite | None = hyper_field("epsilon", description="adam/rmsprop")
    rho: Finite | None = hyper_field("rho", description="rmsprop")


class SlotValues(StrictModel):
    weights: list[Matrix]
    biases: list[list[Finite]]


class OptimizerState(StrictModel):
    """What an earlier call returned, to continue the same run exactly."""

    name: OptimizerName | None = None
    iterations: int = Field(0, ge=0, le=2**40, description="updates applied so far")
    slots: dict[str, SlotValues] = Field(
        default_factory=dict, description="per slot (m, v, momentum, velocity): like W and b"
    )
    dead_weights: list[list[list[Annotated[int, Field(ge=0, le=1)]]]] | None = Field(
        None,
        description="1 where an L1 step carried a weight across zero (it stays 0): like W",
    )


class TrainRequest(NetworkSpec, LossFields):
    targets: Matrix | list[Finite] | None = Field(  # type: ignore[assignment]
        None, description="required with inputs; rows, or class indices for cross-entropy"
    )
    inputs: Matrix | None = Field(None, description="your own data: rows × layers[0]")
    dataset: DatasetSpec | None = Field(None, description="a generated dataset instead of inputs")
    optimizer: OptimizerSpec = Field(default_factory=OptimizerSpec)
    steps: int = Field(100, ge=0, description="updates to apply in this call")
    batch_size: int | None = Field(
        None, ge=1, description="null = full batch; 1 = one sample; k = mini-batches of k"
    )
    shuffle: bool = Field(
        True,
        description="true: a fresh permutation every epoch; false: the data's own order, "
        "batches formed as TF Playground forms them (a partial last batch carries over)",
    )
    train_biases: bool = True
    record_every: int | None = Field(
        None, ge=1, description="history spacing in steps (null: about 200 entries)"
    )
    l2: Finite = Field(0.0, ge=0.0, le=10.0, description="L2 penalty l2·ΣW² on the weights")
    regularization: Literal["l1", "l2"] | None = Field(
        None, description="TF Playground's regularisation of the weights, applied as it does"
    )
    regularization_rate: Finite = Field(
        0.0, ge=0.0, le=10.0, description="Playground's regularization rate (with regularization)"
    )
    unsupported: list[dict] | None = Field(
        None,
        description="ignored: lets an answer of /playground/import be posted back as it is",
    )
    optimizer_state: OptimizerState | None = Field(
        None, description="the optimizer_state of an earlier response, to continue its run"
    )
    boundary_resolution: int = Field(50, ge=2, description="grid points per axis (2-D inputs)")
    neuron_grids: bool = Field(False, description="every unit's output over a coarser grid")
    neuron_grid_resolution: int = Field(24, ge=2)
    jit_compile: bool | None = Field(
        None, description="compile the loop with XLA; null = the server decides by run length"
    )


class HistoryEntry(BaseModel, extra="allow"):
    """Also ``accuracy`` (classification), ``test_loss``/``test_accuracy`` (with a test set)."""

    step: int
    loss: float | None


class TrainResponse(BaseModel, extra="allow"):
    history: list[HistoryEntry]
    weights: list[NullableMatrix]
    biases: list[NullableVector]
    optimizer_state: dict
    warnings: list[WarningOut]


class ParseRequest(StrictModel):
    text: str = Field(..., description="CSV (one row per line) or JSON", max_length=500_000)
    format: Literal["csv", "json"] = "csv"
    target_columns: int = Field(1, ge=1, description="the last columns that are targets")


# ---- Request → engine, engine → response -------------------------------------------------


def state_from(req: TrainRequest, net, optimizer):
    """The TrainState to start from: the request's weights plus its optimizer_state."""
    from app.engine.errors import SpecError
    from app.engine.network import check_matrix, check_vector
    from app.engine.training import initial_state

    state = initial_state(net, optimizer)
    given = req.optimizer_state
    if given is None:
        return state
    loc = ("optimizer_state",)
    if given.name is not None and given.name != optimizer.name:
        raise SpecError(
            (*loc, "name"),
            f"this state belongs to '{given.name}', but the optimizer "
            f"is '{optimizer.name}'; drop optimizer_state to start afresh",
        )
    expected = set(optimizer.slot_names)
    if set(given.slots) != expected:
        want = ", ".join(sorted(expected)) or "none"
        raise SpecError(
            (*loc, "slots"),
            f"{optimizer.name} keeps the slots: {want}; got: "
            + (", ".join(sorted(given.slots)) or "none"),
        )
    for name, values in given.slots.items():
        where = (*loc, "slots", name)
        for group, items in (("weights", values.weights), ("biases", values.biases)):
            if len(items) != net.depth:
                raise SpecError((*where, group), f"expected {net.depth} entries, got {len(items)}")
        for i in range(net.depth):
            rows, cols = net.sizes[i], net.sizes[i + 1]
            state.slots[name]["weights"][i] = check_matrix(
                values.weights[i], rows, cols, (*where, "weights", i), f"{name} of W{i + 1}"
            )
            state.slots[name]["biases"][i] = check_vector(
                values.biases[i], cols, (*where, "biases", i), f"{name} of b{i + 1}"
            )
    state.iterations = given.iterations
    if given.dead_weights is not None:
        if len(given.dead_weights) != net.depth:
            raise SpecError(
                (*loc, "dead_weights"),
                f"expected {net.depth} entries, got {len(given.dead_weights)}",
            )
        state.dead = [
            check_matrix(
                given.dead_weights[i],
                net.sizes[i],
                net.sizes[i + 1],
                (*loc, "dead_weights", i),
                f"dead weights of W{i + 1}",
            )
            for i in range(net.depth)
        ]
    return state


def _points(js, points, labels, name: str):
    if points is None:
        return None
    return {"x": js(points, f"points.{name}.x"), "label": js(labels, f"points.{name}.label")}


def train_response(net, req: TrainRequest, optimizer, data, result, extras: dict) -> dict:
    """The contract's JSON: non-finite numbers become null and are named in ``warnings``."""
    from app.core.jsonsafe import FiniteTracker

    js = FiniteTracker()
    state = result.state
    history = []
    for entry in result.history:
        history.append(
            {
                k: v if k == "step" else js.scalar(v, f"history[{entry['step']}].{k}")
                for k, v in entry.items()
            }
        )
    response = {
        "history": history,
        "weights": [js(w, f"weights[{i}]") for i, w in enumerate(state.weights)],
        "biases": [js(b, f"biases[{i}]") for i, b in enumerate(state.biases)],
        "optimizer": optimizer.describe(),
        "optimizer_state": {
            "name": optimizer.name,
            "iterations": state.iterations,
            "slots": {
                name: {
                    "weights": [js(w, f"optimizer_state.{name}") for w in values["weights"]],
                    "biases": [js(b, f"optimizer_state.{name}") for b in values["biases"]],
                }
                for name, values in state.slots.items()
            },
            **(
                {}
                if state.dead is None
                else {"dead_weights": [d.astype(int).tolist() for d in state.dead]}
            ),
        },
        "task": data.task(),
        "points": None
        if data.points is None
        else {
            "train": _points(js, data.points, data.labels, "train"),
            "test": _points(js, data.points_test, data.labels_test, "test"),
        },
        "sizes": net.sizes,
        "activations": [a.describe() for a in net.activations],
        "dtype": net.dtype,
        "warnings": [],
    }
    grads = extras.pop("gradients", None)
    if grads is not None:
        response["gradients"] = {
            "weights": [js(g, f"gradients.weights[{i}]") for i, g in enumerate(grads[0])],
            "biases": [js(g, f"gradients.biases[{i}]") for i, g in enumerate(grads[1])],
        }
    for name in ("boundary", "neuron_grids"):
        grid = extras.pop(name, None)
        if grid is not None:
            response[name] = {k: _json_value(js, v, f"{name}.{k}") for k, v in grid.items()}
    response.update(extras)
    if (warning := js.warning()) is not None:
        response["warnings"].append(warning)
    return response


def _json_value(js, value, name: str):
    if isinstance(value, str | int | float | None):
        return value
    if isinstance(value, list):  # ragged: one array per layer
        return [js(v, f"{name}[{i}]") for i, v in enumerate(value)]
    return js(value, name)
