"""Toy datasets for training, generated deterministically from a seed (NumPy, no download).

The 2-class sets and ``plane`` follow TensorFlow Playground's ``src/dataset.ts`` (points in
[-6, 6]², labels ±1, ``noise`` in [0, 0.5] as its 0–50 % slider); ``spiral3``/``blobs3`` are
3-class variants and ``sine`` a second regression. Users' own data arrive as CSV or JSON
text and are validated here with errors that name the line and column.
"""

import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.engine.errors import SpecError

MAX_NOISE = 0.8  # Playground's slider goes to 50 %, its links to 80 %
DOMAIN = 6.0  # points lie in [-DOMAIN, DOMAIN]² (Playground's axis range)


@dataclass
class Dataset:
    """Points ``x`` (n × 2) with labels: class indices (classification) or values (regression)."""

    name: str
    x: np.ndarray
    labels: np.ndarray  # int class index per point, or float target value
    classes: int  # 0 for regression

    @property
    def is_classification(self) -> bool:
        return self.classes > 0


def _uniform(rng, low, high, size=None):
    return rng.uniform(low, high, size)


def _xor(rng, n, noise):
    pad = 0.3
    x = _uniform(rng, -5, 5, (n, 2))
    x += np.where(x > 0, pad, -pad)  # a gap between the quadrants
    shifted = x + _uniform(rng, -5, 5, (n, 2)) * noise
    return x, (shifted[:, 0] * shifted[:, 1] >= 0).astype(int)


def _ring(rng, n, r_low, r_high, noise):
    radius = 5.0
    r = _uniform(rng, r_low, r_high, n)
    angle = _uniform(rng, 0, 2 * math.pi, n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    shifted = x + _uniform(rng, -radius, radius, (n, 2)) * noise
    return x, (np.hypot(shifted[:, 0], shifted[:, 1]) < radius * 0.5).astype(int)


def _circle(rng, n, noise):
    half = n // 2
    inner = _ring(rng, half, 0.0, 2.5, noise)
    outer = _ring(rng, n - half, 3.5, 5.0, noise)
    return np.concatenate([inner[0], outer[0]]), np.concatenate([inner[1], outer[1]])


def _gauss(rng, n, noise):
    variance = 0.5 + noise / 0.5 * 3.5  # Playground scales noise [0, .5] to variance [.5, 4]
    half = n // 2
    pos = rng.normal(2.0, math.sqrt(variance), (half, 2))
    neg = rng.normal(-2.0, math.sqrt(variance), (n - half, 2))
    return np.concatenate([pos, neg]), np.concatenate([np.ones(half, int), np.zeros(n - half, int)])


def _spiral_arms(rng, n, noise, arms):
    xs, labels = [], []
    for arm in range(arms):
        count = n // arms + (1 if arm < n % arms else 0)
        i = np.arange(count)
        r = i / count * 5.0
        t = 1.75 * i / count * 2 * math.pi + arm * 2 * math.pi / arms
        x = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        xs.append(x + _uniform(rng, -1, 1, (count, 2)) * noise)
        labels.append(np.full(count, (arms - 1 - arm) if arms == 2 else arm, int))
    return np.concatenate(xs), np.concatenate(labels)


def _spiral(rng, n, noise):
    return _spiral_arms(rng, n, noise, 2)  # arm 0 (t from 0) is Playground's positive class


def _spiral3(rng, n, noise):
    return _spiral_arms(rng, n, noise, 3)


def _blobs3(rng, n, noise):
    centers = np.array([[0.0, 3.5], [-3.0, -2.0], [3.0, -2.0]])
    std = math.sqrt(0.5 + noise / 0.5 * 3.5)  # the same noise scale as ``gauss``
    labels = np.arange(n) % 3
    return centers[labels] + rng.normal(0.0, std, (n, 2)), labels


def _plane(rng, n, noise):
    x = _uniform(rng, -DOMAIN, DOMAIN, (n, 2))
    shifted = x + _uniform(rng, -DOMAIN, DOMAIN, (n, 2)) * noise
    return x, (shifted[:, 0] + shifted[:, 1]) / 10.0  # Playground maps x + y ∈ [-10, 10] to [-1, 1]


def _sine(rng, n, noise):
    x = _uniform(rng, -DOMAIN, DOMAIN, (n, 2))
    shifted = x + _uniform(rng, -DOMAIN, DOMAIN, (n, 2)) * noise
    return x, np.sin(shifted[:, 0])


# Playground's reg-gauss: (x, y, sign) of six bumps, each 1 − distance/2 high (clamped at 0).
_BUMPS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]]
)


def _reg_gauss(rng, n, noise):
    x = _uniform(rng, -DOMAIN, DOMAIN, (n, 2))
    shifted = x + _uniform(rng, -DOMAIN, DOMAIN, (n, 2)) * noise
    d = np.hypot(shifted[:, None, 0] - _BUMPS[:, 0], shifted[:, None, 1] - _BUMPS[:, 1])
    values = _BUMPS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    largest = np.argmax(np.abs(values), axis=1)  # the bump largest in absolute value wins
    return x, values[np.arange(n), largest]


@dataclass(frozen=True)
class DatasetKind:
    name: str
    make: Callable  # (rng, n, noise) -> (x, labels)
    classes: int  # 0 = regression
    description: str

    @property
    def is_classification(self) -> bool:
        return self.classes > 0


DATASETS: dict[str, DatasetKind] = {
    d.name: d
    for d in [
        DatasetKind("circle", _circle, 2, "a disc of one class inside a ring of the other"),
        DatasetKind("xor", _xor, 2, "the four quadrants: class 1 where x1·x2 ≥ 0"),
        DatasetKind("gauss", _gauss, 2, "two Gaussian clouds around (2, 2) and (−2, −2)"),
        DatasetKind("spiral", _spiral, 2, "two interleaved spiral arms"),
        DatasetKind("spiral3", _spiral3, 3, "three interleaved spiral arms (3 classes)"),
        DatasetKind("blobs3", _blobs3, 3, "three Gaussian clouds (3 classes)"),
        DatasetKind("plane", _plane, 0, "regression: t = (x1 + x2) / 10"),
        DatasetKind("sine", _sine, 0, "regression: t = sin(x1)"),
        DatasetKind("reg_gauss", _reg_gauss, 0, "regression: six bumps of sign ±1 (Playground)"),
    ]
}


def generate(name: str, samples: int, noise: float = 0.0, seed: int = 0) -> Dataset:
    """``samples`` points of dataset ``name``; the same seed always gives the same points."""
    kind = DATASETS.get(name)
    if kind is None:
        raise SpecError(
            ("dataset", "name"), f"unknown dataset '{name}'; choose one of: " + ", ".join(DATASETS)
        )
    rng = np.random.default_rng(seed)
    x, labels = kind.make(rng, samples, noise)
    return Dataset(name, np.asarray(x, float), np.asarray(labels), kind.classes)


def split(n: int, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices: a seeded shuffle, then the first part trains (as Playground)."""
    order = np.random.default_rng([seed, 1]).permutation(n)
    n_test = int(n * test_fraction + 0.5)  # round half up (as JavaScript's Math.round)
    n_test = min(n_test, n - 1)  # always keep at least one training point
    return np.sort(order[n_test:]), np.sort(order[:n_test])


# ---- Input features (Playground's X1, X2, X1², X2², X1X2, sin(X1), sin(X2); cos too) ------

FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1_sq": lambda p: p[:, 0] ** 2,
    "x2_sq": lambda p: p[:, 1] ** 2,
    "x1_x2": lambda p: p[:, 0] * p[:, 1],
    "sin_x1": lambda p: np.sin(p[:, 0]),
    "sin_x2": lambda p: np.sin(p[:, 1]),
    "cos_x1": lambda p: np.cos(p[:, 0]),
    "cos_x2": lambda p: np.cos(p[:, 1]),
}


def features(points: np.ndarray, names: list[str]) -> np.ndarray:
    """The network's inputs: one column per feature of the 2-D points."""
    for i, name in enumerate(names):
        if name not in FEATURES:
            raise SpecError(
                ("features", i), f"unknown feature '{name}'; choose from: " + ", ".join(FEATURES)
            )
    return np.stack([FEATURES[name](points) for name in names], axis=1)


def targets_for(data: Dataset, n_out: int, signed: bool) -> np.ndarray:
    """Targets shaped for an output layer of ``n_out`` units.

    Classification with one output unit: ±1 when ``signed`` (tanh/linear output, as in
    Playground), else 0/1. With several output units: one-hot rows, one unit per class.
    Regression: the value itself, one column.
    """
    loc = ("layers", -1)
    if not data.is_classification:
        if n_out != 1:
            raise SpecError(
                loc,
                f"'{data.name}' is a regression dataset: the output layer "
                f"needs 1 unit, it has {n_out}",
            )
        return data.labels.astype(float).reshape(-1, 1)
    if n_out == 1:
        if data.classes != 2:
            raise SpecError(
                loc,
                f"'{data.name}' has {data.classes} classes: the output layer "
                f"needs {data.classes} units (one per class), it has 1",
            )
        column = data.labels.astype(float)
        return (2.0 * column - 1.0 if signed else column).reshape(-1, 1)
    if n_out != data.classes:
        raise SpecError(
            loc,
            f"'{data.name}' has {data.classes} classes: the output layer needs "
            f"1 unit (two classes only) or {data.classes} units, it has {n_out}",
        )
    return np.eye(n_out)[data.labels]


# ---- The user's own data -----------------------------------------------------------------


@dataclass
class ParsedData:
    inputs: np.ndarray
    targets: np.ndarray
    header: list[str] | None


def parse_table(
    text: str,
    fmt: str,
    target_columns: int,
    max_rows: int,
    max_columns: int,
    loc: tuple = ("text",),
) -> ParsedData:
    """Rows of numbers from CSV or JSON; the last ``target_columns`` columns are targets.

    CSV: one row per line, comma/semicolon/tab separated, an optional header line, ``#``
    comments. JSON: a list of rows, or ``{"inputs": [...], "targets": [...]}``.
    """
    if fmt == "json":
        rows, header = _json_rows(text, loc)
    else:
        rows, header = _csv_rows(text, loc)
    if not rows:
        raise SpecError(loc, "no data rows found")
    if len(rows) > max_rows:
        raise SpecError(loc, f"{len(rows)} rows is over the limit of {max_rows}")
    width = len(rows[0][1])
    for line, row in rows:
        if len(row) != width:
            raise SpecError(
                loc,
                f"line {line} has {len(row)} columns, but the first row has "
                f"{width}; every row needs the same number of columns",
            )
    if not 1 <= target_columns < width:
        raise SpecError(
            ("target_columns",),
            f"target_columns must be between 1 and {width - 1} (the rows have {width} columns)",
        )
    if width - target_columns > max_columns or target_columns > max_columns:
        raise SpecError(
            loc,
            f"{width} columns: at most {max_columns} inputs and {max_columns} targets are allowed",
        )
    table = np.array([row for _, row in rows], dtype=float)
    return ParsedData(table[:, :-target_columns], table[:, -target_columns:], header)


def _number(cell: str, line: int, column: int, loc) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise SpecError(
            loc, f"line {line}, column {column}: '{cell[:20]}' is not a number"
        ) from None
    if not math.isfinite(value):
        raise SpecError(loc, f"line {line}, column {column}: '{cell[:20]}' is not a finite number")
    return value


def _csv_rows(text: str, loc):
    rows, header = [], None
    for line_no, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        sep = next((s for s in (",", ";", "\t") if s in line), None)
        cells = [c.strip() for c in (line.split(sep) if sep else line.split())]
        if not rows and header is None and not _all_numbers(cells):
            header = cells  # a first line of names
            continue
        rows.append((line_no, [_number(c, line_no, j, loc) for j, c in enumerate(cells, 1)]))
    return rows, header


def _all_numbers(cells) -> bool:
    try:
        [float(c) for c in cells]
    except ValueError:
        return False
    return True


def _json_rows(text: str, loc):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise SpecError(loc, f"not valid JSON: {exc.msg} at {where}") from None
    if isinstance(data, dict) and "inputs" in data and "targets" in data:
        inputs, targets = data["inputs"], data["targets"]
        if not isinstance(inputs, list) or not isinstance(targets, list):
            raise SpecError(loc, "'inputs' and 'targets' must be lists")
        if len(inputs) != len(targets):
            raise SpecError(loc, f"{len(inputs)} input rows but {len(targets)} target rows")
        data = [_as_list(i) + _as_list(t) for i, t in zip(inputs, targets, strict=True)]
    if not isinstance(data, list):
        raise SpecError(loc, "expected a list of rows or an object with 'inputs' and 'targets'")
    rows = []
    for i, row in enumerate(data, 1):
        if not isinstance(row, list):
            raise SpecError(loc, f"row {i}: expected a list of numbers")
        cells = []
        for j, cell in enumerate(row, 1):
            if isinstance(cell, bool) or not isinstance(cell, int | float):
                raise SpecError(
                    loc, f"row {i}, column {j}: {json.dumps(cell)[:20]} is not a number"
                )
            cells.append(_number(str(cell), i, j, loc))
        rows.append((i, cells))
    return rows, None


def _as_list(value):
    return list(value) if isinstance(value, list) else [value]


# ---- What one training run learns from ---------------------------------------------------


@dataclass
class TrainingData:
    """Network inputs and targets for training and testing, plus what the page draws."""

    x: np.ndarray
    t: np.ndarray
    x_test: np.ndarray | None
    t_test: np.ndarray | None
    points: np.ndarray | None  # the 2-D points behind x (None when inputs are not 2-D points)
    points_test: np.ndarray | None
    labels: np.ndarray | None  # class index or target value per training point
    labels_test: np.ndarray | None
    classes: int  # 0 = regression or unknown
    accuracy: str  # "none" | "threshold" | "argmax"
    thresholds: tuple[float, float]  # (output, target) cut-offs for "threshold"
    features: list[str] | None
    domain: tuple[float, float, float, float] | None  # x_min, x_max, y_min, y_max

    def task(self) -> dict:
        """What the task is, as /train's answer and the stream's first frame report it."""
        return {
            "classes": self.classes,
            "accuracy": self.accuracy,
            "thresholds": list(self.thresholds),
            "features": self.features,
            "train_size": len(self.x),
            "test_size": 0 if self.x_test is None else len(self.x_test),
        }


def from_dataset(
    spec: dict, n_out: int, out_activation: str, loss_name: str, from_logits: bool
) -> TrainingData:
    """A dataset as training data for a network with ``n_out`` outputs: generated from
    its seed, or given as explicit ``points`` and ``test_points`` (kept in their order)."""
    if spec.get("points") is not None:
        data, train_idx, test_idx = given_points(
            spec["name"], spec["points"], spec.get("test_points") or []
        )
    else:
        data = generate(spec["name"], spec["samples"], spec["noise"], spec["seed"])
        train_idx, test_idx = split(len(data.x), spec["test_fraction"], spec["seed"])
    names = list(spec["features"])
    signed = out_activation in ("tanh", "linear") and loss_name != "binary_crossentropy"
    targets = targets_for(data, n_out, signed)
    x = features(data.x, names)
    if data.is_classification:
        accuracy = "argmax" if n_out > 1 else "threshold"
    else:
        accuracy = "none"
    out_cut = 0.0 if signed or from_logits else 0.5
    has_test = len(test_idx) > 0
    return TrainingData(
        x=x[train_idx],
        t=targets[train_idx],
        x_test=x[test_idx] if has_test else None,
        t_test=targets[test_idx] if has_test else None,
        points=data.x[train_idx],
        points_test=data.x[test_idx] if has_test else None,
        labels=data.labels[train_idx],
        labels_test=data.labels[test_idx] if has_test else None,
        classes=data.classes,
        accuracy=accuracy,
        thresholds=(out_cut, 0.0 if signed else 0.5),
        features=names,
        domain=(-DOMAIN, DOMAIN, -DOMAIN, DOMAIN),
    )


def given_points(name: str, train: list, test: list) -> tuple[Dataset, np.ndarray, np.ndarray]:
    """Explicit ``[x1, x2, label]`` rows of dataset ``name`` (e.g. TF Playground's own draw).

    Labels: the value for regression; the class index for classification, where a
    two-class set also takes Playground's ±1 (1 is the positive class, −1 or 0 the other).
    """
    kind = DATASETS[name]
    rows = [*train, *test]
    labels = np.array([row[2] for row in rows], dtype=float)
    if kind.is_classification:
        allowed = {-1.0, 0.0, 1.0} if kind.classes == 2 else set(map(float, range(kind.classes)))
        for i, label in enumerate(labels):
            if label not in allowed:
                field = "points" if i < len(train) else "test_points"
                index = i if i < len(train) else i - len(train)
                raise SpecError(
                    ("dataset", field, index, 2),
                    f"label {label:g}: '{name}' has {kind.classes} classes, so a label is one of "
                    + ", ".join(f"{v:g}" for v in sorted(allowed, reverse=True))
                    + (" (Playground's ±1, or 1/0)" if kind.classes == 2 else ""),
                )
        labels = np.maximum(labels, 0).astype(int)  # −1 → class 0
    x = np.array([row[:2] for row in rows], dtype=float).reshape(-1, 2)
    n_train = len(train)
    data = Dataset(name, x, labels, kind.classes)
    return data, np.arange(n_train), np.arange(n_train, len(rows))


def from_arrays(x: np.ndarray, t: np.ndarray, loss_name: str, from_logits: bool) -> TrainingData:
    """The caller's own inputs and targets; accuracy only for the cross-entropy losses."""
    n_out = t.shape[1]
    accuracy, classes, labels = "none", 0, None
    if loss_name == "categorical_crossentropy" and n_out > 1:
        accuracy, classes, labels = "argmax", n_out, np.argmax(t, axis=1)
    elif loss_name == "binary_crossentropy" and n_out == 1:
        accuracy, classes, labels = "threshold", 2, (t[:, 0] >= 0.5).astype(int)
    elif n_out == 1:
        labels = t[:, 0]
    two_d = x.shape[1] == 2
    domain = None
    if two_d:
        low, high = x.min(axis=0), x.max(axis=0)
        pad = np.maximum((high - low) * 0.1, 0.5)
        domain = (low[0] - pad[0], high[0] + pad[0], low[1] - pad[1], high[1] + pad[1])
    return TrainingData(
        x=x,
        t=t,
        x_test=None,
        t_test=None,
        points=x if two_d else None,
        points_test=None,
        labels=labels if two_d else None,
        labels_test=None,
        classes=classes,
        accuracy=accuracy,
        thresholds=(0.0 if from_logits else 0.5, 0.5),
        features=["x1", "x2"] if two_d else None,
        domain=tuple(float(v) for v in domain) if domain is not None else None,
    )


def grid(domain: tuple[float, float, float, float], resolution: int):
    """A resolution × resolution grid over the domain: axes and the points, row-major in y."""
    xs = np.linspace(domain[0], domain[1], resolution)
    ys = np.linspace(domain[2], domain[3], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=1)
