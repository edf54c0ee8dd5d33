"""Explicit dataset points (Playground's own draw) as /train's training data: order kept,
labels read as Playground writes them, the boundary domain still Playground's [-6, 6]²."""

import numpy as np
import pytest

from app.engine.datasets import DOMAIN, from_dataset
from app.engine.errors import SpecError


def spec(name, points, test_points=(), features=("x1", "x2", "x1_x2")):
    return {"name": name, "points": list(points), "test_points": list(test_points),
            "features": list(features)}  # fmt: skip


def test_two_class_points_keep_their_order_and_give_signed_targets():
    train = [[1.0, 2.0, 1], [-3.0, 0.5, -1], [0.0, 4.0, 0]]
    data = from_dataset(spec("spiral", train, [[5.0, 5.0, -1]]), 1, "tanh", "half_sse", False)
    assert data.points.tolist() == [p[:2] for p in train]
    assert data.x[:, 2].tolist() == [2.0, -1.5, 0.0]  # x1·x2, row by row
    assert data.t[:, 0].tolist() == [1.0, -1.0, -1.0]  # Playground's ±1 (0 is the other class)
    assert data.labels.tolist() == [1, 0, 0]
    assert data.t_test.tolist() == [[-1.0]] and data.points_test.tolist() == [[5.0, 5.0]]
    assert data.domain == (-DOMAIN, DOMAIN, -DOMAIN, DOMAIN)
    sigmoid = from_dataset(spec("spiral", train), 1, "sigmoid", "mse", False)
    assert sigmoid.t[:, 0].tolist() == [1.0, 0.0, 0.0] and sigmoid.x_test is None


def test_regression_and_three_class_points():
    reg = from_dataset(spec("reg_gauss", [[0, 0, 0.25], [1, 1, -0.75]]), 1, "linear", "mse", False)
    assert reg.t[:, 0].tolist() == [0.25, -0.75] and reg.accuracy == "none"
    three = from_dataset(spec("spiral3", [[0, 0, 2], [1, 1, 0]]), 3, "softmax", "mse", False)
    assert three.t.tolist() == [[0, 0, 1], [1, 0, 0]] and three.accuracy == "argmax"


@pytest.mark.parametrize(
    ("name", "label", "words"),
    [("xor", 2.0, "one of 1, 0, -1"), ("xor", 0.5, "one of 1"), ("blobs3", -1.0, "one of 2, 1, 0")],
)
def test_a_label_outside_the_classes_names_its_row(name, label, words):
    points = [[0.0, 0.0, 0], [1.0, 1.0, 0]]
    with pytest.raises(SpecError) as caught:
        from_dataset(spec(name, points, [[2.0, 2.0, label]]), 1, "tanh", "mse", False)
    assert caught.value.loc == ("dataset", "test_points", 0, 2)
    assert words in caught.value.msg


def test_generated_datasets_are_unchanged_by_the_points_path():
    generated = {"name": "xor", "samples": 40, "noise": 0.1, "seed": 3, "test_fraction": 0.25}
    data = from_dataset({**generated, "features": ["x1", "x2"]}, 1, "tanh", "mse", False)
    assert len(data.x) == 30 and len(data.x_test) == 10
    assert np.all(np.abs(data.points) <= 5.3)
