"""TF Playground's data and initial weights, drawn from its seeded ``Math.random``.

Restated from tensorflow/playground: the generators and ``shuffle`` of ``src/dataset.ts``,
the split of ``generateData`` in ``src/playground.ts`` and the weight draws of
``buildNetwork`` in ``src/nn.ts``. Each JavaScript expression keeps its order of
evaluation, so every ``Math.random()`` call lands on the same draw as in the browser.
``math.sin``/``cos``/``log`` round as Chromium's ``Math`` does (the C library's); another
JavaScript engine may differ in a coordinate's last bit.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from app.engine.playground.seedrandom import SeedRandom

NUM_SAMPLES_CLASSIFY = 500  # src/playground.ts
NUM_SAMPLES_REGRESS = 1200
BIAS_INIT = 0.1  # nn.ts Node.bias

Rand = Callable[[], float]
Point = tuple[float, float, float]  # x, y, label (±1, or the regression value)


def rand_uniform(rand: Rand, a: float, b: float) -> float:
    return rand() * (b - a) + a


def normal_random(rand: Rand, mean: float = 0.0, variance: float = 1.0) -> float:
    """dataset.ts ``normalRandom``: the polar Box–Muller method, one value per call."""
    while True:
        v1 = 2 * rand() - 1
        v2 = 2 * rand() - 1
        s = v1 * v1 + v2 * v2
        if not s > 1:
            break
    result = math.sqrt(-2 * math.log(s) / s) * v1 if s > 0 else math.nan  # JS: 0/0
    return mean + math.sqrt(variance) * result


def d3_linear(domain: tuple[float, float], range_: tuple[float, float], clamp: bool = False):
    """``d3.scale.linear()`` of d3 3.5: uninterpolate, then ``a * (1 - t) + b * t``."""
    a, span = domain[0], domain[1] - domain[0]
    low, high = range_

    def scale(x: float) -> float:
        t = (x - a) / span
        if clamp:
            t = max(0.0, min(1.0, t))
        return low * (1 - t) + high * t

    return scale


def dist(x1: float, y1: float, x2: float, y2: float) -> float:
    dx = x1 - x2
    dy = y1 - y2
    return math.sqrt(dx * dx + dy * dy)


def classify_two_gauss(rand: Rand, num_samples: int, noise: float) -> list[Point]:
    variance = d3_linear((0, 0.5), (0.5, 4))(noise)
    points: list[Point] = []
    for cx, cy, label in ((2, 2, 1), (-2, -2, -1)):
        i = 0
        while i < num_samples / 2:
            x = normal_random(rand, cx, variance)
            y = normal_random(rand, cy, variance)
            points.append((x, y, label))
            i += 1
    return points


def _regress(rand: Rand, num_samples: int, noise: float, label_of) -> list[Point]:
    radius = 6
    points: list[Point] = []
    for _ in range(num_samples):
        x = rand_uniform(rand, -radius, radius)
        y = rand_uniform(rand, -radius, radius)
        noise_x = rand_uniform(rand, -radius, radius) * noise
        noise_y = rand_uniform(rand, -radius, radius) * noise
        points.append((x, y, label_of(x + noise_x, y + noise_y)))
    return points


def regress_plane(rand: Rand, num_samples: int, noise: float) -> list[Point]:
    label_scale = d3_linear((-10, 10), (-1, 1))
    return _regress(rand, num_samples, noise, lambda x, y: label_scale(x + y))


GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def reg_gauss_label(x: float, y: float) -> float:
    """regressGaussian's ``getLabel``: of the six bumps, the largest in absolute value."""
    label = 0.0
    for cx, cy, sign in GAUSSIANS:
        new_label = sign * _BUMP_SCALE(dist(x, y, cx, cy))
        if abs(new_label) > abs(label):
            label = new_label
    return label


_BUMP_SCALE = d3_linear((0, 2), (1, 0), clamp=True)


def regress_gaussian(rand: Rand, num_samples: int, noise: float) -> list[Point]:
    return _regress(rand, num_samples, noise, reg_gauss_label)


def classify_spiral(rand: Rand, num_samples: int, noise: float) -> list[Point]:
    points: list[Point] = []
    n = num_samples / 2
    for delta_t, label in ((0.0, 1), (math.pi, -1)):
        i = 0
        while i < n:
            r = i / n * 5
            t = 1.75 * i / n * 2 * math.pi + delta_t
            x = r * math.sin(t) + rand_uniform(rand, -1, 1) * noise
            y = r * math.cos(t) + rand_uniform(rand, -1, 1) * noise
            points.append((x, y, label))
            i += 1
    return points


def classify_circle(rand: Rand, num_samples: int, noise: float) -> list[Point]:
    radius = 5
    points: list[Point] = []
    for r_low, r_high in ((0, radius * 0.5), (radius * 0.7, radius)):
        i = 0
        while i < num_samples / 2:
            r = rand_uniform(rand, r_low, r_high)
            angle = rand_uniform(rand, 0, 2 * math.pi)
            x = r * math.sin(angle)
            y = r * math.cos(angle)
            noise_x = rand_uniform(rand, -radius, radius) * noise
            noise_y = rand_uniform(rand, -radius, radius) * noise
            inside = dist(x + noise_x, y + noise_y, 0, 0) < radius * 0.5
            points.append((x, y, 1 if inside else -1))
            i += 1
    return points


def classify_xor(rand: Rand, num_samples: int, noise: float) -> list[Point]:
    padding = 0.3
    points: list[Point] = []
    for _ in range(num_samples):
        x = rand_uniform(rand, -5, 5)
        x += padding if x > 0 else -padding
        y = rand_uniform(rand, -5, 5)
        y += padding if y > 0 else -padding
        noise_x = rand_uniform(rand, -5, 5) * noise
        noise_y = rand_uniform(rand, -5, 5) * noise
        points.append((x, y, 1 if (x + noise_x) * (y + noise_y) >= 0 else -1))
    return points


# state.ts's key maps: the names a Playground link uses for its generators.
CLASSIFY = {
    "circle": classify_circle,
    "xor": classify_xor,
    "gauss": classify_two_gauss,
    "spiral": classify_spiral,
}
REGRESS = {"reg-plane": regress_plane, "reg-gauss": regress_gaussian}


def shuffle(rand: Rand, items: list) -> None:
    """dataset.ts ``shuffle``: Fisher–Yates from the back, in place."""
    counter = len(items)
    while counter > 0:
        index = math.floor(rand() * counter)
        counter -= 1
        items[counter], items[index] = items[index], items[counter]


def initial_params(rand: Rand, shape: list[int], init_zero: bool):
    """``buildNetwork``'s draws: one ``Math.random() - 0.5`` per link, node by node.

    Returns weights in our layout (``weights[l]`` is n_in × n_out) and biases. A link
    draws its weight even with ``initZero`` (a field initialiser runs before the
    constructor zeroes it), so the stream advances the same way either way.
    """
    weights, biases = [], []
    for n_in, n_out in zip(shape, shape[1:], strict=False):
        w = [[0.0] * n_out for _ in range(n_in)]
        for i in range(n_out):  # node i of this layer, then its links from node j
            for j in range(n_in):
                drawn = rand() - 0.5
                w[j][i] = 0.0 if init_zero else drawn
        weights.append(w)
        biases.append([0.0 if init_zero else BIAS_INIT] * n_out)
    return weights, biases


@dataclass
class PlaygroundDraw:
    """What a Playground page load draws: the shuffled data split, then the weights."""

    train: list[Point]
    test: list[Point]
    weights: list[list[list[float]]]
    biases: list[list[float]]


def draw(
    seed: str,
    generator: str,
    noise_percent: float,
    perc_train: float,
    shape: list[int],
    init_zero: bool,
) -> PlaygroundDraw:
    """``generateData(true)`` then ``reset(true)``, as on a page load with this seed."""
    rand = SeedRandom(seed)
    make = CLASSIFY.get(generator) or REGRESS[generator]
    num_samples = NUM_SAMPLES_REGRESS if generator in REGRESS else NUM_SAMPLES_CLASSIFY
    data = make(rand, num_samples, noise_percent / 100)
    shuffle(rand, data)
    split = len(data) * perc_train / 100  # JS slice() clamps an end beyond either side
    split_index = math.floor(min(max(split, -len(data) - 1), len(data) + 1))
    weights, biases = initial_params(rand, shape, init_zero)
    return PlaygroundDraw(data[:split_index], data[split_index:], weights, biases)
