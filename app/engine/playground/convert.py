"""A Playground link → the /train request that starts the same run, and back.

Import builds what a Playground page load builds (``generateData(true)`` then
``reset(true)``): the seeded points, their split, the chosen features, the initial
weights, tanh or linear output, ½ squared error averaged over the batch, plain SGD with
Playground's batch forming (``shuffle: false``) and regularisation. Export writes the
link for a /train request and lists what Playground cannot reproduce of it.
"""

from dataclasses import dataclass

from app.engine.errors import SpecError
from app.engine.playground.generators import REGRESS, draw
from app.engine.playground.state import INPUTS, note, parse_hash, playground_url

# Playground's input names ↔ ours (app.engine.datasets.FEATURES).
FEATURE_NAMES = {
    "x": "x1",
    "y": "x2",
    "xSquared": "x1_sq",
    "ySquared": "x2_sq",
    "xTimesY": "x1_x2",
    "sinX": "sin_x1",
    "sinY": "sin_x2",
}
DATASET_NAMES = {
    "circle": "circle",
    "xor": "xor",
    "gauss": "gauss",
    "spiral": "spiral",
    "reg-plane": "plane",
    "reg-gauss": "reg_gauss",
}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS = {None: None, "L1": "l1", "L2": "l2"}
DEFAULT_SEED = "0.50000"  # for a link without one (Playground would pick a random seed)


@dataclass(frozen=True)
class Limits:
    """The service's network limits (Settings): hidden layers and units per layer."""

    max_layers: int  # layers after the input, output included
    max_units: int


def import_link(url: str, limits: Limits) -> dict:
    """The /train request body for a Playground link, plus ``unsupported`` notes."""
    state, notes = parse_hash(url)
    if state["seed"] is None:
        state["seed"] = DEFAULT_SEED
        notes.append(
            note(
                "seed",
                "the link has no seed, so Playground draws a new random one on every load; "
                f"this run uses seed {DEFAULT_SEED}. Copy the link again after Playground "
                "has loaded (it then carries seed=…) to get the points you saw",
            )
        )
    features, generator, run = _page_load(state, limits)
    hidden, batch = state["networkShape"], state["batchSize"]
    regression = generator in REGRESS
    regularization = REGULARIZATIONS[state["regularization"]]
    body = {
        "layers": [len(features), *hidden, 1],
        "activations": [state["activation"]] * len(hidden) + ["linear" if regression else "tanh"],
        "weights": run.weights,
        "biases": run.biases,
        "dtype": "float64",
        "loss": "half_sse",
        "reduction": "mean",
        "dataset": {
            "name": DATASET_NAMES[generator],
            "noise": state["noise"] / 100,
            "features": [FEATURE_NAMES[f] for f in features],
            "points": [list(p) for p in run.train],
            "test_points": [list(p) for p in run.test],
            "playground_seed": state["seed"],
        },
        "optimizer": {"name": "sgd", "learning_rate": state["learningRate"]},
        "batch_size": batch,
        "shuffle": False,
        "regularization": regularization,
        "regularization_rate": state["regularizationRate"] if regularization else 0.0,
        "train_biases": True,
        "steps": len(run.train) // batch,  # one Playground step: one pass over the data
    }
    return {**body, "unsupported": notes}


def _page_load(state: dict, limits: Limits):
    """The page's inputs, generator and draw, refusing what would break Playground's run."""
    features = [f for f in INPUTS if state[f] and f not in state["hidden_inputs"]]
    if not features:
        raise SpecError(("url", "x"), "no input feature is on: Playground's network has no inputs")
    _check_shape(state["networkShape"], limits)
    if state["learningRate"] <= 0:
        raise SpecError(("url", "learningRate"), "learningRate must be more than 0")
    generator = state["regDataset"] if state["problem"] == "regression" else state["dataset"]
    shape = [len(features), *state["networkShape"], 1]
    run = draw(
        state["seed"], generator, state["noise"], state["percTrainData"], shape, state["initZero"]
    )
    if not run.train:
        raise SpecError(
            ("url", "percTrainData"),
            f"percTrainData={state['percTrainData']} leaves no training points",
        )
    if state["batchSize"] > len(run.train):
        raise SpecError(
            ("url", "batchSize"),
            f"batchSize={state['batchSize']} is more than the {len(run.train)} training "
            "points: Playground would never update the weights",
        )
    return features, generator, run


def _check_shape(hidden: list[int], limits: Limits) -> None:
    if len(hidden) + 1 > limits.max_layers:
        raise SpecError(
            ("url", "networkShape"),
            f"{len(hidden)} hidden layers: at most {limits.max_layers - 1} are allowed here",
        )
    for units in hidden:
        if units > limits.max_units:
            raise SpecError(
                ("url", "networkShape"),
                f"a hidden layer of {units} units: at most {limits.max_units} are allowed here",
            )


# ---- Export -------------------------------------------------------------------------------

PLAYGROUND_DATASETS = {ours: theirs for theirs, ours in DATASET_NAMES.items()}
PLAYGROUND_INPUT_OF = {ours: theirs for theirs, ours in FEATURE_NAMES.items()}


def export_link(body: dict) -> dict:
    """``{"url", "unsupported"}``: the Playground link closest to a /train request."""
    spec = body.get("dataset")
    if spec is None:
        raise SpecError(("dataset",), "Playground only runs its own datasets, not your inputs")
    generator = PLAYGROUND_DATASETS.get(spec["name"])
    if generator is None:
        raise SpecError(
            ("dataset", "name"),
            f"Playground has no '{spec['name']}' dataset; it has: "
            + ", ".join(PLAYGROUND_DATASETS),
        )
    layers = body["layers"]
    if layers[-1] != 1:
        raise SpecError(("layers", -1), "Playground's network has exactly one output unit")
    notes: list[dict] = []
    regression = generator in REGRESS
    state = {
        "problem": "regression" if regression else "classification",
        ("regDataset" if regression else "dataset"): generator,
        "networkShape": list(layers[1:-1]),
        "noise": round(spec["noise"] * 100, 6),
        "activation": _hidden_activation(body, regression, notes),
        **_features(spec["features"], notes),
        **_training(body, notes),
    }
    points = spec.get("points")
    if points is not None:
        n_test = len(spec.get("test_points") or [])
        state["percTrainData"] = round(100 * len(points) / (len(points) + n_test), 6)
    else:
        state["percTrainData"] = round(100 * (1 - spec["test_fraction"]), 6)
    seed = spec.get("playground_seed")
    state["seed"] = seed if seed is not None else str(spec["seed"])
    batch_given = state["batchSize"]
    shape = [sum(state[f] for f in INPUTS), *state["networkShape"], 1]
    run = draw(
        state["seed"], generator, state["noise"], state["percTrainData"], shape, init_zero=False
    )
    if batch_given is None:
        state["batchSize"] = len(run.train)  # Playground's full batch: one update per pass
    elif batch_given > len(run.train):
        notes.append(
            note(
                "batch_size",
                f"batch_size {batch_given} is more than Playground's {len(run.train)} training "
                "points: it would never update the weights",
            )
        )
    same_points = points is not None and [list(p) for p in run.train] == points
    if not same_points or [list(p) for p in run.test] != (spec.get("test_points") or []):
        notes.append(
            note(
                "dataset",
                f"Playground draws its own {len(run.train) + len(run.test)} points from seed "
                f"{state['seed']}; they are not this run's points",
            )
        )
    state["initZero"] = _init_zero(body, run, notes)
    return {"url": playground_url(state), "unsupported": notes}


def _names(body: dict) -> list[str]:
    """One activation name per layer after the input."""
    given = body.get("activations", "sigmoid")
    items = given if isinstance(given, list) else [given] * (len(body["layers"]) - 1)
    return [item["name"] if isinstance(item, dict) else item for item in items]


def _hidden_activation(body: dict, regression: bool, notes: list[dict]) -> str:
    names = _names(body)
    hidden, output = names[:-1], names[-1]
    want = "linear" if regression else "tanh"
    if output != want:
        notes.append(note("activations", f"Playground's output unit is {want} here, not {output}"))
    if not hidden:
        return "tanh"
    choice = hidden[0] if hidden[0] in ACTIVATIONS else "tanh"
    if any(name != choice for name in hidden):
        notes.append(
            note(
                "activations",
                f"Playground uses one activation for all hidden layers ({', '.join(ACTIVATIONS)}): "
                f"the link uses {choice}, this run uses {', '.join(hidden)}",
            )
        )
    return choice


def _features(names: list[str], notes: list[dict]) -> dict:
    chosen = {PLAYGROUND_INPUT_OF[name] for name in names if name in PLAYGROUND_INPUT_OF}
    dropped = [name for name in names if name not in PLAYGROUND_INPUT_OF]
    if not chosen:
        raise SpecError(
            ("dataset", "features"),
            "Playground has none of these inputs; it has: " + ", ".join(FEATURE_NAMES.values()),
        )
    if dropped:
        notes.append(
            note("dataset.features", f"Playground has no input {', '.join(dropped)}; left out")
        )
    order = [PLAYGROUND_INPUT_OF[name] for name in names if name in PLAYGROUND_INPUT_OF]
    if order != [f for f in INPUTS if f in chosen]:
        notes.append(
            note(
                "dataset.features",
                "Playground orders its inputs x1, x2, x1², x2², x1x2, sin x1, sin x2; "
                "the link's first-layer weights are in that order",
            )
        )
    return {f: f in chosen for f in (*INPUTS, "cosX", "cosY")}


def _training(body: dict, notes: list[dict]) -> dict:
    """Learning rate, batch size and regularisation, and what SGD-only Playground lacks."""
    optimizer = body.get("optimizer") or {}
    name = optimizer.get("name", "sgd")
    if name != "sgd" or optimizer.get("momentum") or optimizer.get("nesterov"):
        notes.append(note("optimizer", f"Playground trains with plain SGD, not {name}"))
    rate = optimizer.get("learning_rate")
    if rate is None:
        rate = 0.01  # Keras' SGD default, which /train uses
    if body.get("loss", "mse") != "half_sse" or body.get("reduction", "mean") != "mean":
        notes.append(
            note("loss", "Playground's loss is ½ squared error averaged over the batch (half_sse)")
        )
    if body.get("shuffle", True):
        notes.append(note("shuffle", "Playground keeps one data order; it does not reshuffle"))
    if not body.get("train_biases", True):
        notes.append(note("train_biases", "Playground always trains the biases"))
    if body.get("dtype", "float32") != "float64":
        notes.append(note("dtype", "Playground computes in float64 (JavaScript numbers)"))
    regularization = body.get("regularization")
    reg_rate = body.get("regularization_rate") or 0.0
    l2 = body.get("l2") or 0.0
    if l2 and regularization is None:
        regularization, reg_rate = "l2", 2 * l2  # our l2·ΣW² is Playground's L2 at rate 2·l2
    elif l2:
        notes.append(note("l2", f"Playground has one regulariser; l2={l2} is left out"))
    state = {
        "learningRate": rate,
        "regularization": {"l1": "L1", "l2": "L2"}.get(regularization),
        "regularizationRate": reg_rate if regularization else 0,
    }
    return {**state, "batchSize": body.get("batch_size")}  # None: the full batch


def _init_zero(body: dict, run, notes: list[dict]) -> bool:
    weights, biases = body.get("weights"), body.get("biases")
    zero = weights is not None and biases is not None
    zero = zero and all(v == 0 for m in weights for row in (m or [[1]]) for v in row)
    zero = zero and all(v == 0 for b in biases for v in (b or [1]))
    if zero:
        return True
    if weights != run.weights or biases != run.biases:
        notes.append(
            note(
                "weights",
                "Playground draws its own initial weights from the seed "
                "(uniform in ±0.5, biases 0.1); they are not this run's",
            )
        )
    return False
