"""Ready-made networks for the /network page: the course notebook's cells and Mazur's example.

Each preset is a complete /api/v1/backprop request. The notebook draws its inputs with
``tf.random.normal`` and prints only the gradients, so the inputs here are recovered from
those printouts (see the two ``*_inputs`` functions); the notebook's other printed numbers
then follow, which the tests check.
"""

import numpy as np

# Notebook, "单层感知机及梯度" cell: x [1,3], w = ones[3,1], b = ones[1], sigmoid, MSE, y = 1.
SINGLE_W_GRAD = [-0.0684463, 0.26229477, 0.3117205]
SINGLE_B_GRAD = -0.15517864
# Notebook, "多输出感知机及梯度" cell: x [2,4], w = ones[4,3], b = ones[3], softmax, MSE, y [2,0].
MULTI_W_GRAD = [
    [-0.06555234, 0.04063531, 0.02491703],
    [0.03510559, 0.01809573, -0.05320131],
    [0.18592252, -0.09184361, -0.09407891],
    [-0.03733121, -0.02389582, 0.06122703],
]
MULTI_CLASSES = [2, 0]


def single_output_inputs() -> list[float]:
    """x_j from the printout: ∂E/∂w_j = x_j · ∂E/∂b (the b grad is 2(O − t)·O(1 − O))."""
    return [w / SINGLE_B_GRAD for w in SINGLE_W_GRAD]


def multi_output_inputs() -> list[list[float]]:
    """x (2 × 4) from the printed w grad = xᵀ δ, where δ is known without x.

    With w = ones and b = ones every logit of a sample is equal, so p = 1/3 for every class;
    MSE's ∂L/∂p = 2(p − t)/3 per sample, ½ for the batch mean, and the softmax Jacobian
    (diag(p) − ppᵀ) maps it to δ = (p − t)/9 because Σ(p − t) = 0. Least squares then gives x.
    """
    targets = np.eye(3)[MULTI_CLASSES]
    delta = (1.0 / 3.0 - targets) / 9.0  # (2, 3)
    x_t, *_ = np.linalg.lstsq(delta.T, np.asarray(MULTI_W_GRAD).T, rcond=None)  # (2, 4)
    return x_t.tolist()


def _base(**fields) -> dict:
    spec = {
        "activations": "sigmoid",
        "loss": "mse",
        "from_logits": False,
        "reduction": "mean",
        "learning_rate": 0.1,
        "init": "glorot_uniform",
        "seed": 0,
        "dtype": "float32",
        "train_biases": True,
    }
    spec.update(fields)
    return spec


def presets() -> list[dict]:
    """The presets in teaching order: ``{"id", "spec"}``; the page names them via i18n."""
    return [
        {
            "id": "notebook_single",
            "spec": _base(
                layers=[3, 1],
                weights=[[[1.0], [1.0], [1.0]]],
                biases=[[1.0]],
                inputs=[single_output_inputs()],
                targets=[[1.0]],
            ),
        },
        {
            "id": "notebook_multi",
            "spec": _base(
                layers=[4, 3],
                activations="softmax",
                weights=[[[1.0] * 3 for _ in range(4)]],
                biases=[[1.0, 1.0, 1.0]],
                inputs=multi_output_inputs(),
                targets=np.eye(3)[MULTI_CLASSES].tolist(),
            ),
        },
        {
            "id": "multilayer_232",
            "spec": _base(
                layers=[2, 3, 2],
                weights=[
                    [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]],
                    [[0.7, -0.8], [0.9, 0.1], [-0.2, 0.3]],
                ],
                biases=[[0.1, 0.1, 0.1], [0.2, 0.2]],
                inputs=[[0.5, 0.9]],
                targets=[[1.0, 0.0]],
                loss="half_sse",
                learning_rate=0.5,
                dtype="float64",
            ),
        },
        {
            "id": "mazur",
            "spec": _base(
                layers=[2, 2, 2],
                weights=[[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]],
                biases=[[0.35, 0.35], [0.6, 0.6]],
                inputs=[[0.05, 0.1]],
                targets=[[0.01, 0.99]],
                loss="half_sse",
                learning_rate=0.5,
                dtype="float64",
                train_biases=False,
            ),
        },
        {
            "id": "notebook_crossentropy",
            "spec": _base(
                layers=[4, 3],
                activations="softmax",
                weights=[
                    [
                        [0.367318332195282, 0.5043147802352905, 0.24081063270568848],
                        [-0.5543972849845886, -0.46021634340286255, -0.09493647515773773],
                        [0.07098577916622162, 0.3122865855693817, -0.2510635554790497],
                        [1.2474464178085327, -0.38016772270202637, -0.9748982787132263],
                    ]
                ],
                biases=[[0.03409189730882645, 0.11479099094867706, 0.8535299897193909]],
                inputs=[
                    [
                        0.35392874479293823,
                        1.3840434551239014,
                        0.8836789131164551,
                        -0.4648533761501312,
                    ],
                    [
                        0.33297082781791687,
                        -0.15094028413295746,
                        1.7660510540008545,
                        -1.1744550466537476,
                    ],
                ],
                targets=[[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]],
                loss="categorical_crossentropy",
                from_logits=True,
            ),
        },
    ]
