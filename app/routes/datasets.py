"""GET /api/v1/datasets (the list), a preview of one, and POST /api/v1/datasets/parse."""

from fastapi import APIRouter, Query

from app.core.config import get_settings
from app.core.jsonsafe import FiniteTracker
from app.engine import datasets
from app.engine.datasets import MAX_NOISE
from app.engine.errors import SpecError
from app.engine.network import MAX_SEED
from app.schemas.train import DatasetName, ParseRequest

router = APIRouter(prefix="/api/v1", tags=["datasets"])


@router.get("/datasets")
def list_datasets() -> dict:
    """The generated datasets and the input features a network can take from a point."""
    return {
        "datasets": [
            {
                "name": kind.name,
                "task": "classification" if kind.classes else "regression",
                "classes": kind.classes,
                "description": kind.description,
            }
            for kind in datasets.DATASETS.values()
        ],
        "features": list(datasets.FEATURES),
        "domain": [-datasets.DOMAIN, datasets.DOMAIN],
        "limits": {"max_samples": get_settings().max_samples},
    }


@router.get("/datasets/{name}")
def preview_dataset(
    name: DatasetName,
    samples: int = Query(200, ge=4),
    noise: float = Query(0.0, ge=0.0, le=MAX_NOISE, allow_inf_nan=False),
    seed: int = Query(0, ge=0, le=MAX_SEED),
    test_fraction: float = Query(0.5, ge=0.0, le=0.9, allow_inf_nan=False),
):
    """The points of one dataset, split as /train splits them (same seed, same points)."""
    limit = get_settings().max_samples
    if samples > limit:
        raise SpecError(
            ("samples",), f"{samples} samples is over the limit of {limit}", source="query"
        )
    data = datasets.generate(name, samples, noise, seed)
    train, test = datasets.split(samples, test_fraction, seed)
    js = FiniteTracker()
    return {
        "name": name,
        "classes": data.classes,
        "train": {"x": js(data.x[train], "train.x"), "label": data.labels[train].tolist()},
        "test": {"x": js(data.x[test], "test.x"), "label": data.labels[test].tolist()},
        "domain": [-datasets.DOMAIN, datasets.DOMAIN],
    }


@router.post("/datasets/parse")
def parse_dataset(req: ParseRequest) -> dict:
    """Your own data as CSV or JSON → inputs and targets for /train, or a clear error."""
    settings = get_settings()
    parsed = datasets.parse_table(
        req.text, req.format, req.target_columns, settings.max_samples, settings.max_units
    )
    return {
        "inputs": parsed.inputs.tolist(),
        "targets": parsed.targets.tolist(),
        "header": parsed.header,
        "rows": len(parsed.inputs),
        "input_columns": parsed.inputs.shape[1],
        "target_columns": parsed.targets.shape[1],
    }
