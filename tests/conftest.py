"""Import tf1_repro before any test module imports TensorFlow.

tf1_repro sets TF_ENABLE_ONEDNN_OPTS=0 on import, and TensorFlow reads it only
once, when it is first imported; a test module that imported TensorFlow first
would test other kernels (and other bits) than the scripts run.
"""
import tf1_repro  # noqa: F401  (imported for its environment defaults)

assert not tf1_repro.TENSORFLOW_IMPORTED_FIRST, "TensorFlow was imported before tf1_repro"
