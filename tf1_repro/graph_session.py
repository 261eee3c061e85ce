"""Fresh graphs, deterministic sessions, seeds and the environment fingerprint.

The posts ran TF1 graphs in a default ``Session``.  On today's TensorFlow the
same graph can give different bits from run to run: an update list of
``assign`` ops fetched together (post 002's, post 000's) reads and writes the
same variables unordered, and which side wins depends on the thread that runs
each op.  ``enable_op_determinism`` does not cover ``Session``.

``--threads=1`` (the default) therefore means *no* inter-op pool at all:
``inter_op_parallelism_threads=-1`` runs every op in the caller's thread, in
the executor's fixed order, and one intra-op thread keeps each kernel's
reductions in one order.  A pool of one thread is not enough: the caller's
thread still runs inexpensive ops inline beside it, and post 002's update list
then gave three different weight sets in three runs of 3000 steps (measured
on TensorFlow 2.21; tests/test_nielsen_mlp.py checks that the caller-thread
schedule gives the same bits twice).  Under that schedule every read in the
list sees the pre-step value.

``--threads=1`` also runs the graph as written: Grappler's rewrites are off.
Its arithmetic optimizer and constant folding rewrite a graph according to its
surroundings, so the same ops computed the same step to different bits in
post 002's feed loop and in its in-graph loop (their counts parted after
1000 steps).  The posts' TF (0.x-1.2) had no Grappler either.
``--threads=N`` (N > 1) uses N threads each way with Grappler on, and may
change the bits.

Nothing here touches process-global TensorFlow state (no
``disable_eager_execution``): each post builds into its own ``tf.Graph`` and
the rest of the process stays eager, so posts can share a process.
"""
import os
import platform
import random

import numpy as np
import tensorflow as tf

import tf1_repro
from tensorflow.core.protobuf import rewriter_config_pb2

tf1 = tf.compat.v1

# The most threads --threads takes.  Each Session makes two pools of this size;
# --threads=100000 spent minutes creating threads before running an op.  No
# post's graph has work for more than a few dozen.
MAX_THREADS = 256

# Environment variables that change numerics or determinism; recorded when set.
# Variables that only steer which kernels run (oneDNN's instruction set, NumPy's
# dispatch, OpenBLAS's core type) are not here: the kernel family measures
# their effect (tf1_repro/family.py records them among its causes).
_ENV_KEYS = ("TF_ENABLE_ONEDNN_OPTS", "TF_DETERMINISTIC_OPS", "TF_USE_LEGACY_KERAS",
             "OMP_NUM_THREADS", "TF_XLA_FLAGS")


def session_config(threads=1, rewrites=False):
    """A ConfigProto: ``threads=1`` deterministic (see the module doc), else N threads each way.

    ``rewrites=True`` (with ``threads=1``) turns Grappler back on except for
    constant folding, the pass that changed post 002's bits with the graph's
    surroundings.  The rest (arithmetic optimizer, common subgraphs, loop and
    dependency optimizers, remapper) make post 002's in-graph loop five times
    faster; that its counts and weights still equal the feed loop's bit for
    bit is tested (tests/test_nielsen_mlp.py), not assumed.
    """
    if not 1 <= threads <= MAX_THREADS:
        from tf1_repro.errors import UsageError
        raise UsageError(f"--threads={threads}: must be 1 .. {MAX_THREADS}")
    if threads == 1:
        config = tf1.ConfigProto(inter_op_parallelism_threads=-1, intra_op_parallelism_threads=1)
        if rewrites:
            config.graph_options.rewrite_options.constant_folding = rewriter_config_pb2.RewriterConfig.OFF
        else:
            config.graph_options.rewrite_options.disable_meta_optimizer = True
        return config
    return tf1.ConfigProto(inter_op_parallelism_threads=threads,
                           intra_op_parallelism_threads=threads)


def new_session(graph, threads=1):
    """A ``tf.compat.v1.Session`` on ``graph`` with :func:`session_config`."""
    return tf1.Session(graph=graph, config=session_config(threads))


def seed_everything(seed):
    """Seed Python's and NumPy's global RNGs (TF1 code drew from both)."""
    random.seed(seed)
    np.random.seed(seed)


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# The instruction-set features that decide which code paths the kernels take:
# Eigen's and oneDNN's vector paths in TensorFlow, NumPy's SIMD dispatch and
# OpenBLAS's core type.  Two machines that both report "AMD EPYC" gave post
# 002 different counts under the same TensorFlow and NumPy (836 and 824
# after step 1000); the CPU's name does not tell such machines apart, its
# features do.
ISA_FEATURES = (
    "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni",
    "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx512ifma", "avx512vbmi",
    "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8",
    "asimd", "asimddp", "asimdhp", "sve", "sve2", "bf16", "i8mm",  # aarch64
)


def cpu_features(cpuinfo="/proc/cpuinfo"):
    """The :data:`ISA_FEATURES` this CPU has, sorted (``None`` if unknown)."""
    try:
        with open(cpuinfo) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("flags", "Features"):
                    return sorted(set(value.split()) & set(ISA_FEATURES))
    except OSError:
        pass
    return None


def numpy_blas():
    """NumPy's BLAS library and version and its SIMD level, e.g. ``scipy-openblas 0.3.31; X86_V3``."""
    try:
        config = np.show_config(mode="dicts")
    except TypeError:  # NumPy before 1.25 prints only
        return f"numpy {np.__version__} (no build record)"
    blas = config.get("Build Dependencies", {}).get("blas", {})
    simd = config.get("SIMD Extensions", {}).get("found", [])
    return f"{blas.get('name', '?')} {blas.get('version', '?')}; {' '.join(simd) or 'baseline'}"


def fingerprint(threads=None, xla=False):
    """What the numbers of a run depend on, besides the command itself.

    ``xla``: the run's arithmetic is XLA's compiled code (post 002's
    ``--loop=graph --xla``), a kernel family of its own on any machine: the
    family key gets ``+xla`` and the causes say so.

    Two runs of the same command whose fingerprints agree on :data:`BIT_KEYS`
    are expected to give the same bits.  ``family`` is the kernel family
    (tf1_repro/family.py): a hash of what this machine's kernels compute on
    fixed inputs, measured, not guessed from the CPU; ``causes`` explains it
    (cache sizes, features, steering variables).  ``python``, ``cpu`` (the
    CPU's name), ``isa`` and ``blas`` are kept for the reader and do not
    count (tests/test_fingerprint.py says why each field is or is not in).
    """
    from tf1_repro import family
    env = {k: os.environ[k] for k in _ENV_KEYS if k in os.environ}
    if tf1_repro.TENSORFLOW_IMPORTED_FIRST:
        env["tensorflow_imported_before_tf1_repro"] = True
    kernels = family.probe()
    fp = {
        "tensorflow": tf.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system": platform.system(),
        "cpu": _cpu_model(),
        "isa": cpu_features(),
        "blas": numpy_blas(),
        "family": kernels["key"],
        "kernels": {"probe": kernels["probe"], "tensorflow": kernels["tensorflow"],
                    "numpy": kernels["numpy"]},
        "causes": family.causes(cpu_features()),
        "env": env,
    }
    if xla:
        fp["family"] += "+xla"
        fp["causes"]["xla"] = "the whole in-graph loop compiled by XLA (--xla)"
    if threads is not None:
        fp["threads"] = threads
    return fp


# The fields that must agree for two runs to be expected to give the same bits.
# ``keras`` and ``tf_keras`` are recorded by post 004, the one post that runs
# Keras; the TF1 posts have neither and compare equal on them.  ``family``
# stands for the machine: the same family computed every probed kernel to the
# same bits.
BIT_KEYS = ("tensorflow", "numpy", "keras", "tf_keras", "family", "env", "threads")

# A fingerprint recorded before the kernel family was (no ``family`` field) is
# compared on the fields it had: the CPU's features and NumPy's BLAS stood for
# the machine then.  It never equals a fingerprint with a family.
LEGACY_BIT_KEYS = ("tensorflow", "numpy", "keras", "tf_keras", "machine", "system", "isa",
                   "blas", "env", "threads")

# The fields of the machine itself: what the release matrix, run on one
# machine, holds fixed while it changes the libraries.  The family itself
# cannot be among them (a release that changes a probed kernel changes the
# family); the causes (cache sizes, features, steering variables) are.
MACHINE_KEYS = ("machine", "system", "isa", "causes")


def bit_keys(fp):
    """The bit fields of ``fp``: :data:`BIT_KEYS`, or :data:`LEGACY_BIT_KEYS` for an old fingerprint."""
    return BIT_KEYS if "family" in fp else LEGACY_BIT_KEYS


def same_fingerprint(a, b, keys=None):
    """True when two fingerprints agree on every bit field (or on ``keys``).

    A fingerprint recorded before a field was recorded lacks it, and so
    never matches one that has it: its bits cannot be vouched for.
    """
    if keys is None:
        if ("family" in a) != ("family" in b):
            return False
        keys = bit_keys(a)
    return all(a.get(k) == b.get(k) for k in keys)


def _threads_from_flags():
    """The script's --threads if its flags are parsed, else 1 (the deterministic default)."""
    try:
        from absl import flags
        if flags.FLAGS.is_parsed() and "threads" in flags.FLAGS:
            return max(1, min(int(flags.FLAGS.threads), MAX_THREADS))
    except Exception:  # noqa: BLE001  (no flags, or not parsed: the default)
        pass
    return 1


# Every session's kernels run on one process-wide intra-op pool, made by the
# first session or by the eager context, whichever starts first; the eager
# context starts with one thread per core unless told otherwise, and building
# a TF1 while_loop starts it.  Post 002's in-graph loop and the book's epochs
# then ran their products on a two-thread pool on a 2-core machine (and on a
# wider one elsewhere), splitting the larger sums otherwise than --threads=1
# promises: the kernel probe of such a process gave other bits than a fresh
# one (tests/test_families.py).  So the pool is fixed here, before any graph.
try:
    tf.config.threading.set_intra_op_parallelism_threads(_threads_from_flags())
except RuntimeError:  # the context has started already: its pool stands
    pass


# The posts' TF1 calls (tf.compat.v1.div, py_func, ...) are deprecated; their
# warnings would bury the archive's own diagnostics on standard error.
tf.get_logger().setLevel("ERROR")
