"""GET /api/v1/catalog: the registries with their labels and bounds, and the limits."""

from app.core.config import get_settings
from app.engine.activations import ACTIVATIONS
from app.engine.datasets import DATASETS, FEATURES
from app.engine.losses import LOSSES
from app.engine.network import DTYPES, INITIALIZERS
from app.engine.optimizers import BOUNDS, OPTIMIZERS

URL = "/api/v1/catalog"


def test_every_registry_entry_is_listed_with_labels_in_both_languages(client):
    data = client.get(URL).json()
    registries = {
        "activations": ACTIVATIONS,
        "losses": LOSSES,
        "optimizers": OPTIMIZERS,
        "datasets": DATASETS,
        "features": FEATURES,
        "initializers": INITIALIZERS,
        "dtypes": DTYPES,
    }
    for kind, registry in registries.items():
        assert [e["name"] for e in data[kind]] == list(registry), kind
        for entry in data[kind]:
            for lang in ("en", "zh"):
                label = entry["labels"][lang]
                assert label and not label.startswith("catalog."), (kind, entry["name"], lang)
    assert [e["name"] for e in data["regularizations"]] == ["l1", "l2"]
    spiral = next(d for d in data["datasets"] if d["name"] == "spiral")
    assert spiral["labels"] == {"en": "Spiral", "zh": "螺旋"} and spiral["classes"] == 2
    leaky = next(a for a in data["activations"] if a["name"] == "leaky_relu")
    assert leaky["params"][0]["name"] == "alpha" and leaky["params"][0]["default"] == 0.2
    assert leaky["code"] == ACTIVATIONS["leaky_relu"].code and "leaky_relu" in leaky["code"]
    # An optimizer's parameters are the ones its registry entry takes, with their defaults.
    for entry in data["optimizers"]:
        defaults = OPTIMIZERS[entry["name"]].defaults
        assert {p["name"]: p["default"] for p in entry["params"]} == defaults, entry["name"]
    rmsprop = next(o for o in data["optimizers"] if o["name"] == "rmsprop")
    assert [p["name"] for p in rmsprop["params"]] == ["learning_rate", "rho", "momentum", "epsilon"]


def test_limits_are_the_settings(client):
    limits = client.get(URL).json()["limits"]
    settings = get_settings()
    for name, value in limits.items():
        assert value == getattr(settings, name), name
    assert limits["max_samples"] == settings.max_samples


def test_optimizer_bounds_are_the_ones_every_endpoint_enforces(client):
    adam = next(o for o in client.get(URL).json()["optimizers"] if o["name"] == "adam")
    lr = next(p for p in adam["params"] if p["name"] == "learning_rate")
    assert lr["max"] == BOUNDS["learning_rate"].high and lr["min_inclusive"] is False
    too_big = BOUNDS["learning_rate"].high * 2
    train = {
        "layers": [2, 1],
        "dataset": {"name": "xor", "samples": 20},
        "steps": 1,
        "optimizer": {"name": "adam", "learning_rate": too_big},
    }
    r = client.post("/api/v1/train", json=train)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "optimizer", "learning_rate"]
    landscape = {
        "layers": [2, 2],
        "inputs": [[0.1, 0.2]],
        "targets": [[0.0, 1.0]],
        "weight_a": {"layer": 1},
        "weight_b": {"layer": 1, "col": 1},
        "learning_rate": too_big,
    }
    r = client.post("/api/v1/landscape", json=landscape)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "learning_rate"]
    ok = client.post("/api/v1/landscape", json={**landscape, "learning_rate": 1500.0})
    assert ok.status_code == 200, ok.text  # 1e4 is the one bound now (was 1000 here)
