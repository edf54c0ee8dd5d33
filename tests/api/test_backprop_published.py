"""Published worked examples of backprop, reproduced through POST /api/v1/backprop.

Each is checked twice: against the digits the source prints (to half a unit of the last
printed digit) and against a 40-digit scalar implementation (tests/reference/decimal_net.py)
to 1e-12, which is independent of both TensorFlow and the engine's NumPy δ rule.
"""

import pytest

from tests.reference.decimal_net import step


def _close_to_printed(value: float, printed: str, units: float = 0.5) -> bool:
    """|value − printed| ≤ ``units`` (default half a unit) in the last printed digit."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(value - float(printed)) <= units * 10.0**-decimals + 1e-15


def _assert_matches_reference(got, ref, tol=1e-12):
    if isinstance(ref, list):
        assert len(got) == len(ref)
        for g, r in zip(got, ref, strict=True):
            _assert_matches_reference(g, r, tol)
    else:
        assert abs(got - float(ref)) <= tol, (got, ref)


# Matt Mazur, "A Step by Step Backpropagation Example" (2015): 2-2-2 sigmoid, E = ½Σ(t − o)²,
# η = 0.5, biases 0.35 / 0.60 not updated. w1..w4 input→hidden, w5..w8 hidden→output.
MAZUR = {
    "layers": [2, 2, 2],
    "activations": "sigmoid",
    "dtype": "float64",
    "weights": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
    "biases": [[0.35, 0.35], [0.60, 0.60]],
    "inputs": [[0.05, 0.10]],
    "targets": [[0.01, 0.99]],
    "loss": "half_sse",
    "learning_rate": 0.5,
    "train_biases": False,
}


def test_mazur_2_2_2_forward_pass_and_error(client):
    body = client.post("/api/v1/backprop", json=MAZUR).json()
    hidden, output = body["layers"][1], body["layers"][2]
    assert _close_to_printed(hidden["z"][0][0], "0.3775")  # net_h1
    assert _close_to_printed(hidden["a"][0][0], "0.593269992")  # out_h1
    assert _close_to_printed(hidden["a"][0][1], "0.596884378")  # out_h2
    assert _close_to_printed(output["z"][0][0], "1.105905967")  # net_o1
    assert _close_to_printed(output["a"][0][0], "0.75136507")  # out_o1
    assert _close_to_printed(output["a"][0][1], "0.772928465")  # out_o2
    assert _close_to_printed(body["per_sample_loss"][0], "0.298371109")  # E_total
    assert _close_to_printed(body["loss"], "0.298371109")


def test_mazur_2_2_2_gradients_and_updates(client):
    body = client.post("/api/v1/backprop", json=MAZUR).json()
    W1, W2 = body["params"][0], body["params"][1]
    assert _close_to_printed(W2["dW"][0][0], "0.082167041")  # ∂E/∂w5
    assert _close_to_printed(W1["dW"][0][0], "0.000438568")  # ∂E/∂w1
    # updated weights: w5+ w6+ w7+ w8+ (hidden→output) and w1+ w2+ w3+ w4+
    printed_w2 = [["0.35891648", "0.51130127"], ["0.408666186", "0.561370121"]]
    printed_w1 = [["0.149780716", "0.24975114"], ["0.19956143", "0.29950229"]]
    for got, printed in ((W2["W_next"], printed_w2), (W1["W_next"], printed_w1)):
        for row, prow in zip(got, printed, strict=True):
            for value, p in zip(row, prow, strict=True):
                assert _close_to_printed(value, p), (value, p)
    assert W1["b_next"] == [0.35, 0.35] and W2["b_next"] == [0.6, 0.6]
    assert body["check"]["agrees"] and body["check"]["max_abs_diff"] < 1e-15


def test_mazur_2_2_2_against_decimal_reference(client):
    body = client.post("/api/v1/backprop", json=MAZUR).json()
    loss, dW, dB, new_W, new_B = step(
        MAZUR["weights"],
        MAZUR["biases"],
        ["sigmoid", "sigmoid"],
        MAZUR["inputs"],
        MAZUR["targets"],
        "half_sse",
        "mean",
        0.5,
        train_biases=False,
    )
    assert abs(body["loss"] - float(loss)) <= 1e-15
    for layer in range(2):
        params = body["params"][layer]
        _assert_matches_reference(params["dW"], dW[layer])
        _assert_matches_reference(params["db"], dB[layer])
        _assert_matches_reference(params["W_next"], new_W[layer])


# Han, Kamber & Pei, "Data Mining: Concepts and Techniques", Example 9.1 (3rd ed.):
# a 3-2-1 sigmoid network, x = (1, 0, 1), class label 1, learning rate 0.9; the biases
# θ4, θ5, θ6 ARE updated. Err_j = O_j(1 − O_j)(T_j − O_j) is −δ for E = ½(T − O)².
HAN = {
    "layers": [3, 2, 1],
    "activations": "sigmoid",
    "dtype": "float64",
    # rows: inputs 1, 2, 3; columns: units 4, 5
    "weights": [[[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]], [[-0.3], [-0.2]]],
    "biases": [[-0.4, 0.2], [0.1]],
    "inputs": [[1, 0, 1]],
    "targets": [[1]],
    "loss": "half_sse",
    "learning_rate": 0.9,
}


def test_han_kamber_example_updates_weights_and_biases(client):
    body = client.post("/api/v1/backprop", json=HAN).json()
    hidden, output = body["layers"][1], body["layers"][2]
    assert _close_to_printed(hidden["z"][0][0], "-0.7")  # I4
    assert _close_to_printed(hidden["z"][0][1], "0.1")  # I5
    assert _close_to_printed(output["z"][0][0], "-0.105")  # I6
    assert _close_to_printed(hidden["a"][0][0], "0.332")  # O4
    assert _close_to_printed(hidden["a"][0][1], "0.525")  # O5
    assert _close_to_printed(output["a"][0][0], "0.474")  # O6
    # Err6, Err5, Err4 as printed (δ = −Err). The book computes Err6 from the rounded
    # O6 = 0.474 (0.474 · 0.526 · 0.526 = 0.13115), so its last digit may be off by one.
    assert _close_to_printed(-output["delta"][0][0], "0.1311", units=1)
    assert _close_to_printed(-hidden["delta"][0][1], "-0.0065")
    assert _close_to_printed(-hidden["delta"][0][0], "-0.0087")
    W1, W2 = body["params"]
    printed_W2 = [["-0.261"], ["-0.138"]]  # w46, w56
    printed_W1 = [["0.192", "-0.306"], ["0.4", "0.1"], ["-0.508", "0.194"]]
    for got, printed in ((W2["W_next"], printed_W2), (W1["W_next"], printed_W1)):
        for row, prow in zip(got, printed, strict=True):
            for value, p in zip(row, prow, strict=True):
                assert _close_to_printed(value, p), (value, p)
    assert _close_to_printed(W2["b_next"][0], "0.218")  # θ6
    assert _close_to_printed(W1["b_next"][1], "0.194")  # θ5
    assert _close_to_printed(W1["b_next"][0], "-0.408")  # θ4

    loss, dW, dB, new_W, new_B = step(
        HAN["weights"],
        HAN["biases"],
        ["sigmoid", "sigmoid"],
        HAN["inputs"],
        HAN["targets"],
        "half_sse",
        "mean",
        0.9,
    )
    assert abs(body["loss"] - float(loss)) <= 1e-15
    for layer in range(2):
        _assert_matches_reference(body["params"][layer]["W_next"], new_W[layer])
        _assert_matches_reference(body["params"][layer]["b_next"], new_B[layer])


# StatQuest (J. Starmer), "Neural Networks Pt. 2: Backpropagation Main Ideas": dosage → efficacy,
# a 1-2-1 network with softplus hidden units and a linear output, a BATCH of three samples,
# loss = sum of squared residuals (sse with reduction "sum"). Starting from b3 = 0 the video
# gets dSSR/db3 = −15.7 and, with learning rate 0.1, the new b3 = 1.57; from b3 = 1.57 the
# next gradient is −6.26 and b3 = 2.19.
def statquest(b3: float) -> dict:
    return {
        "layers": [1, 2, 1],
        "activations": ["softplus", "linear"],
        "dtype": "float64",
        "weights": [[[3.34, -3.53]], [[-1.22], [-2.30]]],
        "biases": [[-1.43, 0.57], [b3]],
        "inputs": [[0.0], [0.5], [1.0]],
        "targets": [[0.0], [1.0], [0.0]],
        "loss": "sse",
        "reduction": "sum",
        "learning_rate": 0.1,
    }


@pytest.mark.parametrize(
    ("b3", "predictions", "gradient", "new_b3"),
    [
        (0.0, ["-2.6", "-1.6", "-2.61"], "-15.7", "1.57"),
        (1.57, ["-1.03", "-0.03", "-1.04"], "-6.26", "2.19"),
    ],
)
def test_statquest_batch_bias_descent(client, b3, predictions, gradient, new_b3):
    spec = statquest(b3)
    body = client.post("/api/v1/backprop", json=spec).json()
    out = [row[0] for row in body["layers"][2]["a"]]
    for value, printed in zip(out, predictions, strict=True):
        # the video shows its predictions rounded to two decimals (dropping a trailing digit)
        assert abs(value - float(printed)) <= 0.011, (value, printed)
    db3 = body["params"][1]["db"][0]
    assert abs(db3 - float(gradient)) <= 0.05  # printed to 3 significant digits
    assert abs(body["params"][1]["b_next"][0] - float(new_b3)) <= 0.005

    loss, dW, dB, new_W, new_B = step(
        spec["weights"],
        spec["biases"],
        ["softplus", "linear"],
        spec["inputs"],
        spec["targets"],
        "sse",
        "sum",
        0.1,
    )
    assert abs(body["loss"] - float(loss)) <= 1e-12
    _assert_matches_reference(body["params"][1]["db"], dB[1])
    _assert_matches_reference(body["params"][0]["dW"], dW[0])
    _assert_matches_reference(body["params"][1]["b_next"], new_B[1])
    _assert_matches_reference(body["params"][0]["b_next"], new_B[0])
