"""tf1_repro: classic TensorFlow back-propagation posts, runnable on today's TensorFlow.

Importing the package sets two environment defaults before TensorFlow is
first imported (an explicit setting in the environment always wins):

* ``TF_ENABLE_ONEDNN_OPTS=0``: oneDNN kernels change the trained bits from
  one CPU to another; the plain Eigen kernels keep runs comparable.  The
  value in force is recorded in every environment fingerprint.
* ``TF_CPP_MIN_LOG_LEVEL=2``: TensorFlow's C++ start-up chatter stays off
  standard error, so diagnostics there are the archive's own.
"""
import os
import sys

# If TensorFlow was imported first, the defaults below came too late to take
# effect; the environment fingerprint says so rather than record them as if.
TENSORFLOW_IMPORTED_FIRST = "tensorflow" in sys.modules

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
