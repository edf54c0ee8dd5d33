"""The catalog: the registries (activations, losses, optimizers, datasets, input features,
regularisations) with their parameters, bounds and labels, and the limits from Settings.

Each registry in ``app/engine`` is the only list of its kind; its labels live in
``app/i18n/catalog.json``. A page builds its menus and limits from this answer.
"""

from app.core.config import Settings
from app.engine.activations import ACTIVATIONS
from app.engine.datasets import DATASETS, FEATURES, MAX_NOISE
from app.engine.losses import LOSSES
from app.engine.network import DTYPES, INITIALIZERS
from app.engine.optimizers import BOUNDS, OPTIMIZERS
from app.i18n import LANGUAGES, translate

LIMITS = (
    "max_layers",
    "max_units",
    "max_batch",
    "max_abs_value",
    "max_steps",
    "max_samples",
    "max_train_cost",
    "max_boundary_resolution",
    "max_neuron_grid_resolution",
    "max_history_points",
    "max_depth",
    "max_landscape_resolution",
    "max_landscape_steps",
    "max_flow_configs",
)


def labels(kind: str, name: str) -> dict:
    return {lang: translate(f"catalog.{kind}.{name}", lang) for lang in LANGUAGES}


def _activation(name: str, spec) -> dict:
    return {
        "name": name,
        "labels": labels("activation", name),
        "params": [
            {"name": p, "default": v, "min": 0.0, "max": 1.0} for p, v in spec.params.items()
        ],
        "formula": spec.formula,
        "derivative": spec.derivative,
        "elementwise": spec.elementwise,
        "code": spec.code,
    }


def _optimizer(name: str, spec) -> dict:
    params = []
    for param, default in spec.defaults.items():  # the hyper-parameters it takes
        entry = {"name": param, "default": default}
        if param in BOUNDS:
            entry.update(BOUNDS[param].describe())
        params.append(entry)
    return {
        "name": name,
        "labels": labels("optimizer", name),
        "keras": spec.keras,
        "slots": list(spec.slots),
        "formula": spec.formula,
        "params": params,
    }


def catalog(settings: Settings) -> dict:
    return {
        "activations": [_activation(n, a) for n, a in ACTIVATIONS.items()],
        "losses": [
            {
                "name": name,
                "labels": labels("loss", name),
                "formula": loss.formula,
                "classification": loss.classification,
            }
            for name, loss in LOSSES.items()
        ],
        "optimizers": [_optimizer(n, o) for n, o in OPTIMIZERS.items()],
        "datasets": [
            {
                "name": name,
                "labels": labels("dataset", name),
                "classes": kind.classes,
                "kind": "classification" if kind.is_classification else "regression",
                "description": kind.description,
                "params": [{"name": "noise", "default": 0.0, "min": 0.0, "max": MAX_NOISE}],
            }
            for name, kind in DATASETS.items()
        ],
        "features": [{"name": name, "labels": labels("feature", name)} for name in FEATURES],
        "initializers": [
            {"name": name, "labels": labels("initializer", name)} for name in INITIALIZERS
        ],
        "dtypes": [{"name": name, "labels": labels("dtype", name)} for name in DTYPES],
        "regularizations": [
            {"name": name, "labels": labels("regularization", name)} for name in ("l1", "l2")
        ],
        "limits": {name: getattr(settings, name) for name in LIMITS},
    }
