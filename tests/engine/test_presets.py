"""presets.py: every preset is a valid request, and reproduces the numbers it was taken from.

The expected numbers are written here as published (the course notebook's printouts, Mazur's
post, the README); the presets' inputs were recovered from those printouts, so these tests
check that recovery. The gradients come from the NumPy δ rule (textbook.py), in float64.
"""

import numpy as np
import pytest

from app.engine.losses import LOSSES, prepare_targets
from app.engine.network import build_network, check_inputs
from app.engine.presets import presets
from app.engine.textbook import textbook_backprop

PRESETS = {p["id"]: p["spec"] for p in presets()}


def _run(spec):
    net = build_network(
        spec["layers"],
        spec["activations"],
        spec["weights"],
        spec["biases"],
        spec["init"],
        spec["seed"],
        spec["dtype"],
    )
    x = check_inputs(spec["inputs"], net.sizes[0], 64)
    loss = LOSSES[spec["loss"]]
    t = prepare_targets(spec["targets"], loss, net.sizes[-1], len(x))
    grads = textbook_backprop(
        net.weights, net.biases, net.activations, x, t, loss, spec["from_logits"],
        spec["reduction"],
    )  # fmt: skip
    return net, grads


def test_ids_in_teaching_order():
    assert list(PRESETS) == [
        "notebook_single",
        "notebook_multi",
        "multilayer_232",
        "mazur",
        "notebook_crossentropy",
    ]


@pytest.mark.parametrize("preset_id", list(PRESETS))
def test_every_preset_is_a_complete_valid_request(preset_id):
    spec = PRESETS[preset_id]
    required = {"layers", "weights", "biases", "inputs", "targets", "loss", "learning_rate"}
    assert required <= set(spec)
    net, grads = _run(spec)
    assert np.isfinite(grads.loss)
    assert [w.shape for w in grads.dW] == [w.shape for w in net.weights]


def test_notebook_single_output_cell():
    _, grads = _run(PRESETS["notebook_single"])
    printed_w = [-0.0684463, 0.26229477, 0.3117205]
    np.testing.assert_allclose(grads.dW[0][:, 0], printed_w, rtol=2e-6)
    assert grads.db[0][0] == pytest.approx(-0.15517864, rel=2e-6)


def test_notebook_multi_output_cell():
    _, grads = _run(PRESETS["notebook_multi"])
    printed_w = [
        [-0.06555234, 0.04063531, 0.02491703],
        [0.03510559, 0.01809573, -0.05320131],
        [0.18592252, -0.09184361, -0.09407891],
        [-0.03733121, -0.02389582, 0.06122703],
    ]
    np.testing.assert_allclose(grads.dW[0], printed_w, rtol=1e-5, atol=1e-7)


def test_mazur_loss_and_updates():
    spec = PRESETS["mazur"]
    assert spec["train_biases"] is False and spec["learning_rate"] == 0.5
    net, grads = _run(spec)
    assert grads.loss == pytest.approx(0.298371108760003, rel=1e-13)
    w_next = [w - 0.5 * g for w, g in zip(net.weights, grads.dW, strict=True)]
    np.testing.assert_allclose(
        w_next[1], [[0.35891648, 0.51130127], [0.40866619, 0.56137012]], atol=1e-8
    )
    np.testing.assert_allclose(
        w_next[0], [[0.14978072, 0.24975114], [0.19956143, 0.29950229]], atol=1e-8
    )


def test_notebook_crossentropy_cell_b_grad():
    spec = PRESETS["notebook_crossentropy"]
    assert spec["from_logits"] and spec["activations"] == "softmax"  # the double softmax
    _, grads = _run(spec)
    np.testing.assert_allclose(grads.db[0], [0.02462438, -0.05216555, 0.02754116], rtol=1e-5)
