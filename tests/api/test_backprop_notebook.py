"""The notebook's gradient cells (autograd-notebook.txt), reproduced through POST /api/v1/backprop.

Cells that draw ``x = tf.random.normal(...)`` without a seed print gradients of an unknown x;
x is recovered from the printout by algebra (shown in each test) and the remaining printed
numbers — which that algebra did not use — must then come out of the API exactly.
"""

import numpy as np

from app.engine.tf import tf

F32_PRINT = 1.5e-7  # the notebook prints float32 with 8 significant digits


def post(client, **spec):
    response = client.post("/api/v1/backprop", json=spec)
    assert response.status_code == 200, response.text
    return response.json()


def test_mse_gradient_cell_softmax_output(client):
    # In [9]: logits = softmax(x@w+b), w = ones[3,2], b = ones[2], y = [0, 1], mean MSE.
    # With w = ones both logits are equal, so p = [½, ½] and δ = [¼, −¼]: dW[j] = x_j · δ,
    # hence x_j = dW[j, 0] / 0.25.
    printed_w = np.array(
        [[-0.02904284, 0.02904284], [-0.02101646, 0.02101646], [0.19016582, -0.19016582]]
    )
    x = (printed_w[:, 0] / 0.25).tolist()
    body = post(
        client,
        layers=[3, 2],
        activations="softmax",
        weights=[[[1, 1]] * 3],
        biases=[[1, 1]],
        inputs=[x],
        targets=[[0, 1]],
        loss="mse",
    )
    np.testing.assert_allclose(body["params"][0]["dW"], printed_w, atol=F32_PRINT)
    np.testing.assert_allclose(body["params"][0]["db"], [0.25, -0.25], atol=1e-7)
    assert body["check"]["agrees"]


def crossentropy_cell_tensors():
    """In [15]: tf.random.set_seed(4323); the same three draws as the notebook."""
    tf.random.set_seed(4323)
    return tf.random.normal([2, 4]), tf.random.normal([4, 3]), tf.random.normal([3])


def post_crossentropy_cell(client, x, w, b):
    """The cell as a /backprop request: softmax output, then from_logits=True."""
    return post(
        client,
        layers=[4, 3],
        activations="softmax",
        weights=[w.numpy().tolist()],
        biases=[b.numpy().tolist()],
        inputs=x.numpy().tolist(),
        targets=[2, 1],
        loss="categorical_crossentropy",
        from_logits=True,
    )


def test_crossentropy_cell_with_its_seed_and_double_softmax(client):
    x, w, b = crossentropy_cell_tensors()
    body = post_crossentropy_cell(client, x, w, b)
    printed_w = [
        [0.00861339, -0.01581438, 0.00720099],
        [0.02661874, 0.12178067, -0.14839941],
        [0.02604978, -0.15760535, 0.13155556],
        [-0.01489652, 0.11392362, -0.09902708],
    ]
    printed_b = [0.02462438, -0.05216555, 0.02754116]
    np.testing.assert_allclose(body["params"][0]["dW"], printed_w, atol=F32_PRINT)
    np.testing.assert_allclose(body["params"][0]["db"], printed_b, atol=F32_PRINT)
    codes = [w["code"] for w in body["warnings"]]
    assert "double_softmax" in codes
    assert body["check"]["agrees"]  # the textbook side applies softmax twice as well


def test_crossentropy_cell_matches_tensorflow_run_here(client):
    # The same cell, run by TensorFlow in this test: the API must give the tape's numbers.
    x, w, b = crossentropy_cell_tensors()
    y = tf.constant([2, 1])
    with tf.GradientTape() as tape:
        tape.watch([w, b])
        logits = tf.nn.softmax(x @ w + b, axis=1)
        loss = tf.reduce_mean(
            tf.losses.categorical_crossentropy(tf.one_hot(y, depth=3), logits, from_logits=True)
        )
    grad_w, grad_b = tape.gradient(loss, [w, b])
    body = post_crossentropy_cell(client, x, w, b)
    assert abs(body["loss"] - float(loss)) <= 1e-7
    np.testing.assert_allclose(body["params"][0]["dW"], grad_w.numpy(), atol=1e-7)
    np.testing.assert_allclose(body["params"][0]["db"], grad_b.numpy(), atol=1e-7)


def test_single_output_perceptron_cell(client):
    # In [12]: sigmoid(x@w+b), w = ones[3,1], b = ones[1], y = 1, MSE. The printed b grad is
    # 2(O − 1)O(1 − O) and the w grad is x_j times it, so x_j = wgrad_j / bgrad.
    printed_w = np.array([-0.0684463, 0.26229477, 0.3117205])
    printed_b = -0.15517864
    x = (printed_w / printed_b).tolist()
    body = post(
        client,
        layers=[3, 1],
        activations="sigmoid",
        weights=[[[1], [1], [1]]],
        biases=[[1]],
        inputs=[x],
        targets=[[1]],
        loss="mse",
    )
    # b grad was not used to find x beyond its sign and scale: the forward pass must give it.
    assert abs(body["params"][0]["db"][0] - printed_b) <= F32_PRINT
    np.testing.assert_allclose(np.ravel(body["params"][0]["dW"]), printed_w, atol=F32_PRINT)
    # and the notebook's formula: ∂E/∂w_j0 = (O_0 − t) O_0 (1 − O_0) x_j (×2 for MSE's square)
    out = body["layers"][1]["a"][0][0]
    np.testing.assert_allclose(
        np.ravel(body["params"][0]["dW"]),
        2 * (out - 1) * out * (1 - out) * np.array(x),
        rtol=1e-6,
    )


def test_multi_output_perceptron_cell(client):
    # In [14]: softmax(x@w+b), x [2,4], w = ones[4,3], b = ones[3], y = [2, 0] one-hot, MSE.
    # Equal logits give p = ⅓ each, so δ rows are [1, 1, −2]/27 (class 2) and [−2, 1, 1]/27
    # (class 0): dW[j] = x0_j·δ0 + x1_j·δ1, two equations per row that fix x.
    printed_w = np.array(
        [
            [-0.06555234, 0.04063531, 0.02491703],
            [0.03510559, 0.01809573, -0.05320131],
            [0.18592252, -0.09184361, -0.09407891],
            [-0.03733121, -0.02389582, 0.06122703],
        ]
    )
    printed_b = [-0.03703704, 0.07407407, -0.03703704]
    deltas = np.array([[1, 1, -2], [-2, 1, 1]]) / 27.0
    x = np.linalg.lstsq(deltas.T, printed_w.T, rcond=None)[0]  # (2, 4)
    body = post(
        client,
        layers=[4, 3],
        activations="softmax",
        weights=[[[1, 1, 1]] * 4],
        biases=[[1, 1, 1]],
        inputs=x.tolist(),
        targets=[2, 0],
        loss="mse",
    )
    np.testing.assert_allclose(body["params"][0]["dW"], printed_w, atol=F32_PRINT)
    np.testing.assert_allclose(body["params"][0]["db"], printed_b, atol=F32_PRINT)
    np.testing.assert_allclose(body["layers"][1]["delta"], deltas, atol=1e-8)


def test_multilayer_delta_rule_formulas(client):
    # The notebook's K-layer rule with sigmoid and E = ½Σ(O_k − t_k)²:
    #   δ_k = (O_k − t_k) O_k (1 − O_k),  ∂E/∂W_jk = δ_k O_j,
    #   ∂E/∂W_ij = O_j (1 − O_j) O_i Σ_k δ_k W_jk
    rng = np.random.default_rng(7)
    W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    b1, b2 = rng.normal(size=4), rng.normal(size=2)
    x, t = rng.normal(size=3), np.array([0.2, 0.9])
    body = post(
        client,
        layers=[3, 4, 2],
        activations="sigmoid",
        dtype="float64",
        weights=[W1.tolist(), W2.tolist()],
        biases=[b1.tolist(), b2.tolist()],
        inputs=[x.tolist()],
        targets=[t.tolist()],
        loss="half_sse",
    )
    O_j = np.array(body["layers"][1]["a"][0])
    O_k = np.array(body["layers"][2]["a"][0])
    delta_k = (O_k - t) * O_k * (1 - O_k)
    np.testing.assert_allclose(body["layers"][2]["delta"][0], delta_k, rtol=1e-12)
    np.testing.assert_allclose(body["params"][1]["dW"], np.outer(O_j, delta_k), rtol=1e-12)
    dW_ij = np.outer(x, O_j * (1 - O_j) * (W2 @ delta_k))
    np.testing.assert_allclose(body["params"][0]["dW"], dW_ij, rtol=1e-12)
