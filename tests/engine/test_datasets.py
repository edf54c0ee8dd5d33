"""datasets.py: Playground's generators checked by their defining rules, the split, features,
targets and the parsers of the user's own data (errors name the line and column)."""

import math

import numpy as np
import pytest

from app.engine.datasets import (
    DATASETS,
    DOMAIN,
    features,
    from_arrays,
    from_dataset,
    generate,
    given_points,
    grid,
    parse_table,
    split,
    targets_for,
)
from app.engine.errors import SpecError


@pytest.mark.parametrize("name", list(DATASETS))
def test_generate_is_reproducible_and_shaped(name):
    one, again, other = (
        generate(name, 30, 0.1, 4),
        generate(name, 30, 0.1, 4),
        generate(name, 30, 0.1, 5),
    )
    np.testing.assert_array_equal(one.x, again.x)
    np.testing.assert_array_equal(one.labels, again.labels)
    assert not np.array_equal(one.x, other.x)
    assert one.x.shape == (30, 2) and one.labels.shape == (30,)
    assert one.classes == DATASETS[name].classes
    assert np.abs(one.x).max() <= DOMAIN or name in ("gauss", "blobs3")  # clouds are unbounded
    if one.is_classification:
        assert set(np.unique(one.labels)) <= set(range(one.classes))


def test_xor_labels_are_the_sign_of_the_product_without_noise():
    data = generate("xor", 200, 0.0, 1)
    x1, x2 = data.x.T
    np.testing.assert_array_equal(data.labels, (x1 * x2 >= 0).astype(int))
    assert np.abs(data.x).min() >= 0.3  # the gap between the quadrants
    assert np.abs(data.x).max() <= 5.3


def test_circle_inside_is_class_one_without_noise():
    data = generate("circle", 100, 0.0, 2)
    r = np.hypot(*data.x.T)
    np.testing.assert_array_equal(data.labels, (r < 2.5).astype(int))
    assert data.labels[:50].all() and not data.labels[50:].any()
    assert r[:50].max() <= 2.5 and r[50:].min() >= 3.5 and r.max() <= 5.0


def test_gauss_and_blobs3_labels():
    data = generate("gauss", 11, 0.0, 3)
    np.testing.assert_array_equal(data.labels, [1] * 5 + [0] * 6)
    blobs = generate("blobs3", 10, 0.0, 3)
    np.testing.assert_array_equal(blobs.labels, np.arange(10) % 3)


def test_spiral_arms_without_noise():
    data = generate("spiral", 10, 0.0, 0)
    # Arm 0 (Playground's positive class) first: r = 5i/n, t = 1.75·2π·i/n.
    np.testing.assert_array_equal(data.labels, [1] * 5 + [0] * 5)
    i = np.arange(5)
    t = 1.75 * i / 5 * 2 * math.pi
    np.testing.assert_allclose(data.x[:5, 0], i * np.sin(t), atol=1e-12)
    np.testing.assert_allclose(data.x[:5, 1], i * np.cos(t), atol=1e-12)
    three = generate("spiral3", 10, 0.0, 0)
    np.testing.assert_array_equal(np.bincount(three.labels), [4, 3, 3])


def test_regressions_without_noise():
    plane = generate("plane", 50, 0.0, 6)
    np.testing.assert_allclose(plane.labels, plane.x.sum(axis=1) / 10, rtol=1e-15)
    sine = generate("sine", 50, 0.0, 6)
    np.testing.assert_allclose(sine.labels, np.sin(sine.x[:, 0]), rtol=1e-15)


def test_reg_gauss_is_the_largest_bump():
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    data = generate("reg_gauss", 40, 0.0, 7)
    for (px, py), value in zip(data.x, data.labels, strict=True):
        heights = [s * max(0.0, 1 - math.hypot(px - bx, py - by) / 2) for bx, by, s in bumps]
        assert value == pytest.approx(max(heights, key=abs), abs=1e-15)


def test_generate_unknown_name():
    with pytest.raises(SpecError) as err:
        generate("moons", 10)
    assert err.value.loc == ("dataset", "name")


def test_split_rounds_half_up_and_keeps_a_training_point():
    train, test = split(10, 0.25, 3)
    assert len(test) == 3 and len(train) == 7  # 2.5 rounds up
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(10))
    assert list(train) == sorted(train) and list(test) == sorted(test)
    np.testing.assert_array_equal(split(10, 0.25, 3)[1], test)
    assert len(split(10, 1.0, 3)[0]) == 1
    assert len(split(10, 0.0, 3)[1]) == 0


def test_features_by_hand():
    p = np.array([[0.5, -2.0], [1.0, 3.0]])
    names = ["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2", "cos_x1", "cos_x2"]
    out = features(p, names)
    expected = [
        [0.5, -2.0, 0.25, 4.0, -1.0, math.sin(0.5), math.sin(-2), math.cos(0.5), math.cos(-2)],
        [1.0, 3.0, 1.0, 9.0, 3.0, math.sin(1.0), math.sin(3), math.cos(1.0), math.cos(3)],
    ]
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    with pytest.raises(SpecError) as err:
        features(p, ["x1", "x3"])
    assert err.value.loc == ("features", 1)


def test_targets_for():
    two = generate("xor", 6, 0.0, 0)
    col = two.labels.astype(float)
    np.testing.assert_array_equal(targets_for(two, 1, signed=True)[:, 0], 2 * col - 1)
    np.testing.assert_array_equal(targets_for(two, 1, signed=False)[:, 0], col)
    np.testing.assert_array_equal(targets_for(two, 2, signed=False), np.eye(2)[two.labels])
    three = generate("blobs3", 6, 0.0, 0)
    np.testing.assert_array_equal(targets_for(three, 3, False), np.eye(3)[np.arange(6) % 3])
    plane = generate("plane", 4, 0.0, 0)
    np.testing.assert_array_equal(targets_for(plane, 1, True)[:, 0], plane.labels)
    for data, n_out in ((three, 1), (three, 2), (plane, 2)):
        with pytest.raises(SpecError) as err:
            targets_for(data, n_out, False)
        assert err.value.loc == ("layers", -1)


def test_parse_csv_with_header_comments_and_separators():
    text = "x,y,label\n# a comment\n1,2,0\n3;4;1  # trailing\n\n5\t6\t1\n7 8 0\n"
    out = parse_table(text, "csv", 1, 10, 4)
    assert out.header == ["x", "y", "label"]
    np.testing.assert_array_equal(out.inputs, [[1, 2], [3, 4], [5, 6], [7, 8]])
    np.testing.assert_array_equal(out.targets, [[0], [1], [1], [0]])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1,2\n3,x\n", "line 2, column 2: 'x' is not a number"),
        ("1,2\n3,inf\n", "line 2, column 2: 'inf' is not a finite number"),
        ("1,2,3\n4,5\n", "line 2 has 2 columns"),
        ("# nothing\n", "no data rows"),
        ("1,2\n" * 11, "11 rows is over the limit of 10"),
        ("1,2,3,4,5,6\n", "at most 4 inputs"),
    ],
)
def test_parse_csv_errors(text, words):
    with pytest.raises(SpecError) as err:
        parse_table(text, "csv", 1, 10, 4, loc=("data", "text"))
    assert err.value.loc == ("data", "text")
    assert words in err.value.msg


def test_parse_target_columns_out_of_range():
    with pytest.raises(SpecError) as err:
        parse_table("1,2\n", "csv", 2, 10, 4)
    assert err.value.loc == ("target_columns",)


def test_parse_json_forms_and_errors():
    rows = parse_table("[[1, 2, 0], [3, 4.5, 1]]", "json", 1, 10, 4)
    np.testing.assert_array_equal(rows.inputs, [[1, 2], [3, 4.5]])
    assert rows.header is None
    obj = parse_table('{"inputs": [[1, 2], [3, 4]], "targets": [0, 1]}', "json", 1, 10, 4)
    np.testing.assert_array_equal(obj.targets, [[0], [1]])
    for text, words in [
        ("[[1, 2], [3,", "not valid JSON"),
        ('{"inputs": [[1]], "targets": [1, 2]}', "1 input rows but 2 target rows"),
        ("[[1, true]]", "row 1, column 2: true is not a number"),
        ('[[1, "2"]]', 'row 1, column 2: "2" is not a number'),
        ("[1, 2]", "row 1: expected a list"),
        ('{"a": 1}', "expected a list of rows"),
    ]:
        with pytest.raises(SpecError) as err:
            parse_table(text, "json", 1, 10, 4)
        assert words in err.value.msg, text


def test_given_points_take_playgrounds_plus_minus_one():
    data, train, test = given_points("xor", [[1, 1, 1], [1, -1, -1]], [[-2, 2, 0]])
    np.testing.assert_array_equal(data.labels, [1, 0, 0])
    np.testing.assert_array_equal(train, [0, 1])
    np.testing.assert_array_equal(test, [2])
    with pytest.raises(SpecError) as err:
        given_points("xor", [[1, 1, 1]], [[0, 0, 2]])
    assert err.value.loc == ("dataset", "test_points", 0, 2)
    with pytest.raises(SpecError) as err:
        given_points("spiral3", [[1, 1, -1]], [])
    assert err.value.loc == ("dataset", "points", 0, 2)
    reg, _, _ = given_points("plane", [[1, 2, 0.3]], [])
    np.testing.assert_array_equal(reg.labels, [0.3])


def test_from_dataset_signed_targets_and_accuracy():
    spec = {"name": "xor", "samples": 20, "noise": 0.0, "seed": 1, "test_fraction": 0.25,
            "features": ["x1", "x2", "x1_x2"]}  # fmt: skip
    data = from_dataset(spec, 1, "tanh", "mse", False)
    assert len(data.x) == 15 and len(data.x_test) == 5
    np.testing.assert_allclose(data.x[:, 2], data.points[:, 0] * data.points[:, 1], rtol=1e-15)
    assert set(np.unique(data.t)) == {-1.0, 1.0}
    assert data.accuracy == "threshold" and data.thresholds == (0.0, 0.0)
    sig = from_dataset(spec, 1, "sigmoid", "binary_crossentropy", False)
    assert set(np.unique(sig.t)) == {0.0, 1.0} and sig.thresholds == (0.5, 0.5)
    soft = from_dataset(spec, 2, "softmax", "categorical_crossentropy", False)
    assert soft.accuracy == "argmax" and soft.t.shape == (15, 2)


def test_from_arrays_domain_and_accuracy():
    x = np.array([[0.0, 0.0], [10.0, 1.0]])
    t = np.array([[1.0], [0.0]])
    data = from_arrays(x, t, "binary_crossentropy", False)
    # 10 % padding, at least 0.5 on each side.
    assert data.domain == (-1.0, 11.0, -0.5, 1.5)
    assert data.accuracy == "threshold" and data.labels.tolist() == [1, 0]
    cce = from_arrays(x, np.eye(2), "categorical_crossentropy", True)
    assert cce.accuracy == "argmax" and cce.thresholds == (0.0, 0.5)
    three_d = from_arrays(np.ones((2, 3)), t, "mse", False)
    assert three_d.domain is None and three_d.points is None and three_d.accuracy == "none"


def test_grid_is_row_major_in_y():
    xs, ys, points = grid((0.0, 1.0, -1.0, 1.0), 3)
    np.testing.assert_array_equal(xs, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(ys, [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(points[:4], [[0.0, -1.0], [0.5, -1.0], [1.0, -1.0], [0.0, 0.0]])
    assert points.shape == (9, 2)
