"""Import TensorFlow once, quietly, and warm it up.

Everything in the app gets TensorFlow from here, so its log noise is silenced before the
first import and the first (slow) kernel launches happen at startup, not in a request.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # bit-stable results across runs

import tensorflow as tf  # noqa: E402

tf.get_logger().setLevel("ERROR")

try:  # tf.switch_case's implementation, which can keep a Case op from being lowered
    from tensorflow.python.ops.control_flow_switch_case import (  # noqa: E402
        _indexed_case_helper as switch_case_helper,
    )
except ImportError:  # pragma: no cover - another TensorFlow layout
    switch_case_helper = None

_warmed_up = False


def warm_up() -> str:
    """Run one small forward/backward pass in both dtypes so later requests are fast."""
    global _warmed_up
    if not _warmed_up:
        for dtype in (tf.float32, tf.float64):
            x = tf.ones([2, 3], dtype)
            w = tf.ones([3, 2], dtype)
            with tf.GradientTape() as tape:
                tape.watch(w)
                y = tf.nn.softmax(tf.sigmoid(x @ w))
                loss = tf.reduce_mean(tf.square(y))
            tape.gradient(loss, w)
        _warmed_up = True
    return tf.__version__


def is_warm() -> bool:
    return _warmed_up
