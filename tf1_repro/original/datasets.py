"""``tf.keras.datasets.mnist.load_data()`` served from the archive's MNIST folder.

Keras downloads ``mnist.npz`` from its own bucket into ``~/.keras``; run
offline, a program stopped there with a 25-line urllib traceback although
``--data_dir`` held MNIST.  The npz holds the same four IDX files' contents in
the same order, so the runner's ``load_data`` reads them from the data
folder (downloading them from TF1's mirror when missing, checked against
their published sizes and md5 sums), and returns what Keras returned:
``(x_train, y_train), (x_test, y_test)``, uint8 arrays of shape
``(60000, 28, 28)``, ``(60000,)``, ``(10000, 28, 28)``, ``(10000,)``.

It replaces ``load_data`` in Keras' own module as that module is imported
(tf-keras's, which ``tf.keras`` is under the runner, and Keras 3's), so
``tf.keras.datasets.mnist``, ``from tensorflow.keras.datasets import mnist``
and ``keras.datasets.mnist`` all get it.

The same hook gives ``tf.keras`` (tf-keras's API modules, v1 and v2) the
``__version__`` it had in TF 1.x and TF 2.0-2.15 (tf-keras's version):
programs printed it or compared it, and tf-keras's API modules lack it.
"""
import importlib.abc
import sys

import numpy as np

# The modules that define Keras' mnist.load_data.
KERAS_MNIST_MODULES = ("tf_keras.src.datasets.mnist", "keras.src.datasets.mnist")
# What tf.keras is under the runner: tf.compat.v1.keras and tf.keras.
KERAS_API_MODULES = ("tf_keras.api._v1.keras", "tf_keras.api._v2.keras")


def _keras_version(module):
    if not hasattr(module, "__version__"):
        import tf_keras
        module.__version__ = tf_keras.__version__


def mnist_load_data(data_dir):
    """A ``load_data`` reading the IDX files of ``data_dir`` (None: the archive's default folder)."""
    from tf1_repro import mnist

    def load_data(path="mnist.npz"):
        """Keras' MNIST, from the runner's data folder: ((x_train, y_train), (x_test, y_test))."""
        folder = data_dir or mnist.default_data_dir()
        silent = lambda message: None  # noqa: E731  (Keras printed nothing on a cached load)
        arrays = []
        for images, labels in ((mnist.TRAIN_IMAGES, mnist.TRAIN_LABELS),
                               (mnist.TEST_IMAGES, mnist.TEST_LABELS)):
            image_path = mnist.maybe_download(images, folder)
            label_path = mnist.maybe_download(labels, folder)
            mnist._verify_checksum(image_path, images)
            mnist._verify_checksum(label_path, labels)
            x = mnist.extract_images(image_path, log=silent)
            y = mnist.extract_labels(label_path, log=silent)
            arrays.append((np.array(x.reshape(x.shape[:3])), np.array(y)))
        return arrays[0], arrays[1]
    return load_data


class _ServeKerasMnist(importlib.abc.MetaPathFinder):
    """Sets ``load_data`` of Keras' mnist module right after the module runs."""

    def __init__(self, load_data):
        self.load_data = load_data

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in KERAS_MNIST_MODULES + KERAS_API_MODULES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _PatchingLoader(spec.loader, self.load_data)
                return spec
        return None


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader, load_data):
        self.loader = loader
        self.load_data = load_data

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        if module.__name__ in KERAS_API_MODULES:
            _keras_version(module)
        else:
            module.load_data = self.load_data


def serve_keras_mnist(data_dir):
    """From now on, Keras' ``mnist.load_data`` in this process reads ``data_dir``."""
    load_data = mnist_load_data(data_dir)
    for name, module in list(sys.modules.items()):
        if (name.startswith(("tf_keras.", "keras.")) and name.endswith(".datasets.mnist")
                and hasattr(module, "load_data")):
            module.load_data = load_data  # imported before the runner started: their copies too
        if name in KERAS_API_MODULES:
            _keras_version(module)
    sys.meta_path.insert(0, _ServeKerasMnist(load_data))
