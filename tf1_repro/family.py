"""Kernel families: which bits this machine's kernels give, found by running them.

Two machines with the same TensorFlow and NumPy can still give a training
other bits.  TensorFlow's float32 ``MatMul`` runs oneDNN's sgemm inside
Eigen's tensor contraction, and both pick their code path and the way they
split a sum from the CPU they find: oneDNN by its instruction set (capped by
``ONEDNN_MAX_CPU_ISA``), Eigen by blocking sizes it derives from the cache
sizes (``TENSORFLOW_USE_CUSTOM_CONTRACTION_KERNEL=0`` swaps oneDNN for Eigen's
own kernel).  Neither a CPU's name nor its flag list predicts the result:
on one AVX-512 machine capping oneDNN at AVX2 changed post 002's counts, on
another it did not.

So the archive does not guess the bits from the machine; it measures them.
:func:`probe` runs the kernels the posts use, at the posts' shapes, on fixed
inputs, in the posts' deterministic session (one thread, the graph as
written), and hashes every output byte.  Two machines (or two settings of
one machine) with the same key computed every probed product, convolution
and element-wise function to the same bits, so a post's run gives the same
figures on both; a different key says that at least one kernel rounds
differently, and then a long training is another draw (the goldens judge it
so, tf1_repro/releases.py).  The key is a *family*: "AVX-512 machines" is
not one, "this probe's outputs" is.

The causes are recorded beside the key for the reader (:func:`causes`):
cache sizes, instruction-set features, the variables that steer the kernels.
They explain a key; they never decide one.
"""
import hashlib
import os

import numpy as np

# Every product shape the posts run (rows x inner x columns, float32 unless
# marked): post 002 and the book (batch 10, 30 or 100 hidden, the backward
# products with their transposes, evaluation; an output element's sum depends
# on how the inner dimension is split, not on how many rows there are, so
# 1000 rows stand for the book's 10 000), the
# decoupled RNN (one image against 784 x 784), post 004's Keras layers and
# float64 twins.
MATMUL_SHAPES = (
    (10, 784, 30), (10, 30, 10), (10, 10, 30), (30, 10, 10), (784, 10, 30),
    (10, 784, 100), (10, 100, 10), (784, 10, 100), (1000, 784, 30), (1000, 784, 100),
    (1, 784, 784), (784, 1, 784), (1, 784, 10), (20, 784, 784),
    (32, 1600, 128), (32, 128, 10), (4, 2, 8),
)
# Nielsen's book runs in float64, whose products go through Eigen's own
# kernel, blocked by the cache sizes: its shapes, and post 004's float64 twins.
MATMUL64_SHAPES = ((10, 784, 30), (10, 30, 10), (30, 10, 10), (784, 10, 30), (10, 784, 100),
                   (10, 100, 10), (784, 10, 100), (1000, 784, 30), (1000, 784, 100),
                   (4, 2, 8), (32, 16, 16))
# Post 004's CNN: NHWC input, HWIO filter.
CONV_SHAPES = (((8, 28, 28, 1), (3, 3, 1, 32)), ((8, 13, 13, 32), (3, 3, 32, 64)))
# Element-wise kernels take a vector path and a scalar tail: an odd length covers both.
ELEMENTWISE_N = 4099

# Variables that steer TensorFlow's and NumPy's kernels (recorded as causes).
KERNEL_VARIABLES = ("ONEDNN_MAX_CPU_ISA", "TENSORFLOW_USE_CUSTOM_CONTRACTION_KERNEL",
                    "TF_ENABLE_ONEDNN_OPTS", "NPY_DISABLE_CPU_FEATURES", "OPENBLAS_CORETYPE",
                    "OPENBLAS_L2_SIZE", "MKL_ENABLE_INSTRUCTIONS", "DNNL_MAX_CPU_ISA",
                    # NumPy's BLAS splits a product among its threads (one per
                    # core unless set): the thread count moves the bits of
                    # 1 x 784 x 784 and 1000 x 784 x 30 products.
                    "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

# The probe's own version: a key is comparable only with keys of the same probe.
# Raise it whenever the probed kernels, shapes or inputs change, or what a
# process runs them on (version 2: one intra-op thread whatever ran before; the goldens
# then start again from the family that blesses them, tf1_repro/families.py).
PROBE = 2

_CACHE = {}


def _inputs(shape, dtype, salt):
    """Fixed inputs in [-1, 1): the same bytes on every machine (MT19937 and float64 maths)."""
    rng = np.random.RandomState(1000 + salt)
    return (rng.random_sample(shape) * 2.0 - 1.0).astype(dtype)


def _tensorflow_outputs():
    import tensorflow as tf
    tf1 = tf.compat.v1
    graph = tf.Graph()
    fetches, feed = [], {}

    def given(array):
        ph = tf1.placeholder(array.dtype, array.shape)
        feed[ph] = array
        return ph

    with graph.as_default():
        salt = 0
        for dtype, shapes in ((np.float32, MATMUL_SHAPES), (np.float64, MATMUL64_SHAPES)):
            for m, k, n in shapes:
                a = given(_inputs((m, k), dtype, salt))
                b = given(_inputs((k, n), dtype, salt + 1))
                fetches.append(tf1.matmul(a, b))
                fetches.append(tf1.matmul(tf1.transpose(b), tf1.transpose(a)))
                salt += 2
        for x_shape, w_shape in CONV_SHAPES:
            x = given(_inputs(x_shape, np.float32, salt))
            w = given(_inputs(w_shape, np.float32, salt + 1))
            fetches.append(tf1.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="VALID"))
            salt += 2
        for dtype in (np.float32, np.float64):
            x = given(_inputs((ELEMENTWISE_N,), dtype, salt) * 6)
            salt += 1
            fetches += [tf1.tanh(x), tf1.sigmoid(x), tf1.exp(x), tf1.log(tf1.abs(x) + 1),
                        tf1.nn.softmax(tf1.reshape(x[:4090], (409, 10))),
                        tf1.reduce_sum(x), tf1.reduce_mean(tf1.reshape(x[:4000], (40, 100)), 0),
                        tf1.reciprocal(x)]
    # The posts' deterministic session (tf1_repro/graph_session.py, --threads=1):
    # every op in the caller's thread, one intra-op thread, the graph as written.
    config = tf1.ConfigProto(inter_op_parallelism_threads=-1, intra_op_parallelism_threads=1)
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    with tf1.Session(graph=graph, config=config) as sess:
        return sess.run(fetches, feed)


def _numpy_outputs():
    out = []
    salt = 500
    for dtype in (np.float32, np.float64):
        for m, k, n in ((10, 784, 30), (1, 784, 784), (784, 10, 30), (1000, 784, 30)):
            out.append(np.dot(_inputs((m, k), dtype, salt), _inputs((k, n), dtype, salt + 1)))
            salt += 2
        x = _inputs((ELEMENTWISE_N,), dtype, salt) * 6
        salt += 1
        out += [np.tanh(x), np.exp(x), np.log1p(np.abs(x)), np.add.reduce(x),
                np.add.reduce(x[:4000].reshape(40, 100), axis=0), np.sqrt(np.abs(x))]
    return out


def probe():
    """This process's kernel family: ``{"key": "k-1a2b3c4d5e6f", "probe": 1, "tensorflow": ..., "numpy": ...}``.

    ``key`` hashes both parts; ``tensorflow`` and ``numpy`` are the two
    parts' own hashes, so a reader sees which library's kernels differ.
    Computed once per process (about a tenth of a second).
    """
    if "probe" not in _CACHE:
        parts = {}
        for name, outputs in (("tensorflow", _tensorflow_outputs()), ("numpy", _numpy_outputs())):
            h = hashlib.sha256()
            for array in outputs:
                array = np.ascontiguousarray(array)
                h.update(str((array.dtype.str, array.shape)).encode())
                h.update(array.tobytes())
            parts[name] = h.hexdigest()[:12]
        key = hashlib.sha256(f"{parts['tensorflow']}/{parts['numpy']}".encode()).hexdigest()[:12]
        _CACHE["probe"] = dict(key=f"k-{key}", probe=PROBE, **parts)
    return dict(_CACHE["probe"])


def _cache_sizes(root="/sys/devices/system/cpu/cpu0/cache"):
    """{"L1d": "32K", "L2": "1024K", ...} as Linux reports them for the first CPU."""
    sizes = {}
    try:
        for index in sorted(os.listdir(root)):
            path = os.path.join(root, index)
            try:
                with open(os.path.join(path, "level")) as f:
                    level = f.read().strip()
                with open(os.path.join(path, "type")) as f:
                    kind = f.read().strip()
                with open(os.path.join(path, "size")) as f:
                    size = f.read().strip()
            except OSError:
                continue
            if kind == "Instruction":
                continue
            sizes[f"L{level}{'d' if kind == 'Data' else ''}"] = size
    except OSError:
        pass
    return sizes


def causes(isa):
    """What a reader needs to see why two keys differ: caches, ``isa`` (the CPU's features), steering variables."""
    return {
        "cache": _cache_sizes(),
        "isa": isa,
        "variables": {k: os.environ[k] for k in KERNEL_VARIABLES if k in os.environ},
    }
