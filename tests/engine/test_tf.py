"""tf.py: TensorFlow imported quietly, and the warm-up that runs once."""

import os

from app.engine import tf as engine_tf


def test_environment_is_set_before_the_import():
    # setdefault: a value the operator set wins, but both are always present.
    assert "TF_CPP_MIN_LOG_LEVEL" in os.environ
    assert "TF_ENABLE_ONEDNN_OPTS" in os.environ
    assert engine_tf.tf.get_logger().level >= 40  # ERROR


def test_warm_up_runs_once_and_reports_the_version(monkeypatch):
    monkeypatch.setattr(engine_tf, "_warmed_up", False)
    assert not engine_tf.is_warm()
    version = engine_tf.warm_up()
    assert version == engine_tf.tf.__version__
    assert engine_tf.is_warm()
    # A second call does no work: it would fail if it touched TensorFlow again.
    monkeypatch.setattr(engine_tf, "tf", _Broken(engine_tf.tf.__version__))
    assert engine_tf.warm_up() == version
    assert engine_tf.is_warm()


class _Broken:
    """Stands in for TensorFlow: only its version may be read."""

    def __init__(self, version):
        self.__version__ = version

    def __getattr__(self, name):
        raise AssertionError(f"warm_up touched tf.{name} after warming up")


def test_the_module_exports_tensorflow_itself():
    import tensorflow

    assert engine_tf.tf is tensorflow
