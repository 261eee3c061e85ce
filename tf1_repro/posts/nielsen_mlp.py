"""Back Propagation with TensorFlow: a 784-30-10 MNIST network trained by hand.

Post:     "Back Propagation with TensorFlow", Dan Aloni, 2016-04-26, updated for
          TensorFlow 1.0 on 2017-03-06.  Seed: shared/seeds/002_fae5042b14f1d3da.txt
URL:      https://blog.aloni.org/posts/backprop-with-tensorflow/
Written for: TensorFlow 0.8 (2016), re-run on TensorFlow 1.0 (2017).
Ported from: Michael Nielsen, "Neural Networks and Deep Learning", chapter 1
          (src/network.py); our NumPy twin is tf1_repro/reference/nielsen_numpy.py.

Claims:   after 10 000 mini-batches of 10, the count of correct answers on the
          first 1000 test images, printed every 1000 steps:
          93.0, 741.0, 870.0, 909.0, 904.0, 912.0, 916.0, 923.0 ("we quickly get
          923 correct out of 1000").  The loop as written prints ten values
          (i = 0, 1000, ..., 9000); the post shows eight.  The automatic
          differentiation variant ("the training still works") gives no number.

The graph is the post's, name for name: placeholders ``a_0``, ``y``; truncated-
normal ``w_1, b_1, w_2, b_2``; the hand-written ``sigma`` and ``sigmaprime``;
``d_z_2 ... d_w_1``; ``eta = 0.5`` and one list of four ``tf.assign`` updates
(weights by the batch sum, biases by the batch mean); ``acct_res`` counts
correct argmax answers.  The loop is the post's too: :func:`train` feeds
mini-batches of 10 one ``Session.run`` at a time and prints ``acct_res``
every 1000 steps.

This module is the file to read beside the post: the post's graph and loop,
with only the variants below (``--mode=autodiff``, the post's second graph;
``--ordering=sequential``; float64 for the checks) and ``Config``, which
also carries the archive's two switches.  What the archive adds to the post
(the in-graph loop ``--loop=graph``, the seed study ``--seeds=N``, the
figures and tolerances of a run) is in tf1_repro/posts/nielsen_mlp_archive.py,
which builds on the functions here and changes none of them; the command
line's run (transcript, plots, events, results.json) is
tf1_repro/runs/nielsen_mlp.py.

What changed and why
--------------------
* API renames for TF 2.x: ``tf.compat.v1`` for ``placeholder``, ``assign``,
  ``truncated_normal``, ``div``, ``Session`` and ``train.GradientDescentOptimizer``;
  ``xrange`` -> ``range``; ``print res`` -> a function printing ``923.0``.
* The loop runs the update list without fetching the four assigned values
  (``tf.group``), which the post fetched and discarded: same ops, same bits.
* The graph is built in its own ``tf.Graph`` instead of the default one, and
  run in a plain ``Session`` rather than an ``InteractiveSession`` (same
  semantics, nothing process-global).  The post never ran
  ``global_variables_initializer`` in its surviving text; its 2017 source did.
* Variables are TF1 reference variables (``use_resource=False``), as in 2017,
  and carry the post's names (``w_1`` ...) so TensorBoard shows them.
* Seeds: the post drew its initial weights unseeded.  ``--seed=S`` is the
  post's program with ``tf.set_random_seed(S)`` and ``np.random.seed(S)`` as
  its first statements: each ``truncated_normal`` takes TF1's implicit op
  seed (the graph's op count when it is built), so the graph creates the
  same ops in the same order as the post before each of them (two
  placeholders, then the four variables), and the initial weights are the
  ones the post's own code draws with that seed.  Under the archive's
  kernels (oneDNN off) the post's program with those two lines prints
  111, 836, 861, 891, 896, 908, 912, 916, 910, 920 for S = 0, as
  ``--seed=0`` does; with TensorFlow's default oneDNN kernels it prints
  111, 840, 871, 895, 889, 908, 908, 890, 909, 919.  The unseeded claim is
  tested statistically by the seed study (``--seeds=N``,
  tf1_repro/posts/nielsen_mlp_archive.py).
* Data: ``input_data.read_data_sets`` no longer exists; tf1_repro.mnist
  re-implements it, with the TF <= 1.0 batch order (file order in the first
  epoch) that produced the post's transcript as the default.
* Determinism: the update list reads ``w_2`` (in ``d_a_1``) while assigning it,
  unordered; with a thread pool, runs of the same command differ.  Under
  ``--threads=1`` (the default) every op runs in the caller's thread in a
  fixed order, and there every update reads the pre-step weights: the
  as-published graph then gives bit for bit the numbers of
  ``--ordering=sequential``, which adds control dependencies (all gradients
  before any assign) and so stays deterministic under any thread count.
  Both are checked in tests/test_nielsen_mlp.py; the golden uses
  ``as_published``.
* ``--loop=graph`` (not in the post: tf1_repro/posts/nielsen_mlp_archive.py)
  runs the same steps inside one ``Session.run``; its counts and weights
  equal the feed loop's bit for bit with the archive's defaults.  With
  oneDNN kernels on (``TF_ENABLE_ONEDNN_OPTS=1``) the two loops part after a
  few hundred steps.
* ``--loop=graph --xla`` (not in the post either) compiles that loop whole
  with XLA: faster, and another kernel family (its own bits, the same
  distribution over seeds).  ``--xla`` without ``--loop=graph`` is refused:
  it used to turn on XLA auto-clustering, which the post's feed loop never
  used, so it changed nothing there.
"""
import dataclasses

import numpy as np
import tensorflow as tf

from tf1_repro import mnist, resources
from tf1_repro.errors import UsageError
from tf1_repro.graph_session import new_session, seed_everything

tf1 = tf.compat.v1

NAME = "nielsen_mlp"
POST = {
    "seed": "002_fae5042b14f1d3da.txt",
    "title": "Back Propagation with TensorFlow",
    "author": "Dan Aloni",
    "date": "2016-04-26 (updated for TF 1.0 on 2017-03-06)",
    "url": "https://blog.aloni.org/posts/backprop-with-tensorflow/",
}
MODES = ("manual", "autodiff")
LOOPS = ("feed", "graph")  # feed: the post's loop (train); graph: the archive's in-graph loop
ORDERINGS = ("as_published", "sequential")


@dataclasses.dataclass
class Config:
    """One run of the post's training loop; defaults are the post's."""
    steps: int = 10000
    batch_size: int = 10
    eta: float = 0.5
    hidden: int = 30
    seed: int = 0
    mode: str = "manual"
    ordering: str = "as_published"
    batch_order: str = "tf1.0"
    eval_every: int = 1000
    eval_size: int = 1000
    threads: int = 1
    autodiff_rate: float = 0.1
    dtype: str = "float32"  # the post's; "float64" for the step-for-step checks
    # The archive's switches (tf1_repro/posts/nielsen_mlp_archive.py), off by default:
    loop: str = "feed"  # the post's Python loop; "graph": the whole loop in one Session.run
    xla: bool = False  # --loop=graph compiled whole by XLA (another kernel family: other bits)

    def validate(self, train_size=None):
        if self.steps < 1:
            raise UsageError(f"--steps={self.steps}: must be at least 1")
        if self.batch_size < 1:
            raise UsageError(f"--batch_size={self.batch_size}: must be at least 1")
        if train_size is not None and self.batch_size > train_size:
            raise UsageError(f"--batch_size={self.batch_size}: larger than the {train_size} training images")
        if self.hidden < 1:
            raise UsageError(f"--hidden={self.hidden}: must be at least 1")
        if not np.isfinite(self.eta) or self.eta <= 0:
            raise UsageError(f"--eta={self.eta}: must be a positive number")
        if self.mode not in MODES:
            raise UsageError(f"--mode={self.mode}: expected one of {', '.join(MODES)}")
        if self.ordering not in ORDERINGS:
            raise UsageError(f"--ordering={self.ordering}: expected one of {', '.join(ORDERINGS)}")
        if self.batch_order not in mnist.BATCH_ORDERS:
            raise UsageError(f"--batch_order={self.batch_order}: expected one of "
                             f"{', '.join(mnist.BATCH_ORDERS)}")
        if self.loop not in LOOPS:
            raise UsageError(f"--loop={self.loop}: expected one of {', '.join(LOOPS)}")
        if self.xla and self.loop != "graph":
            raise UsageError("--xla compiles the in-graph loop: use it with --loop=graph")
        if self.loop == "graph" and self.mode != "manual":
            raise UsageError("--loop=graph runs the manual update list only (use --mode=manual)")
        if self.dtype not in ("float32", "float64"):
            raise UsageError(f"dtype {self.dtype!r}: expected float32 or float64")
        if self.eval_every < 1 or self.eval_size < 1:
            raise UsageError("evaluation period and size must be at least 1")
        # Floors: weights, gradients and updates, activations of a batch; --loop=graph's plan.
        itemsize = 8 if self.dtype == "float64" else 4
        resources.require_memory(f"--hidden={self.hidden}", itemsize * self.hidden * (
            3 * (784 + 1 + 10) + 3 * max(self.batch_size, self.eval_size)))
        if self.loop == "graph":
            resources.require_memory(f"--steps={self.steps} with --loop=graph (its batch plan)",
                                     self.steps * (8 * self.batch_size + 112))


# ---------------------------------------------------------------------------
# The post's graph
# ---------------------------------------------------------------------------

def sigma(x):
    """The post's hand-written sigmoid, 1 / (1 + e^-x) (``tf.constant(1.0)`` in x's dtype)."""
    one = tf.constant(1.0, dtype=x.dtype.base_dtype)
    return tf1.div(one, tf.add(one, tf.exp(tf.negative(x))))


def sigmaprime(x):
    """sigma'(x) = sigma(x) (1 - sigma(x)), built from two calls of ``sigma`` as in the post."""
    return tf.multiply(sigma(x), tf.subtract(tf.constant(1.0, dtype=x.dtype.base_dtype), sigma(x)))


def forward_backward(a_0, y, w_1, b_1, w_2, b_2):
    """The post's forward pass and hand-written backward pass, op for op.

    The weights may be variables (the as-published graph reads them) or plain
    tensors (the in-graph loop carries them); the ops, and so the bits, are
    the same either way.
    """
    # Forward.
    z_1 = tf.add(tf.matmul(a_0, w_1), b_1)
    a_1 = sigma(z_1)
    z_2 = tf.add(tf.matmul(a_1, w_2), b_2)
    a_2 = sigma(z_2)
    diff = tf.subtract(a_2, y)

    # Backward, by hand.
    d_z_2 = tf.multiply(diff, sigmaprime(z_2))
    d_b_2 = d_z_2
    d_w_2 = tf.matmul(tf.transpose(a_1), d_z_2)

    d_a_1 = tf.matmul(d_z_2, tf.transpose(w_2))
    d_z_1 = tf.multiply(d_a_1, sigmaprime(z_1))
    d_b_1 = d_z_1
    d_w_1 = tf.matmul(tf.transpose(a_0), d_z_1)
    return dict(z_1=z_1, a_1=a_1, z_2=z_2, a_2=a_2, diff=diff, d_z_2=d_z_2, d_b_2=d_b_2,
                d_w_2=d_w_2, d_a_1=d_a_1, d_z_1=d_z_1, d_b_1=d_b_1, d_w_1=d_w_1)


def accuracy(a_2, y):
    """``acct_res``: how many rows' argmax agree."""
    acct_mat = tf.equal(tf.argmax(a_2, 1), tf.argmax(y, 1))
    return acct_mat, tf.reduce_sum(tf.cast(acct_mat, tf.float32))


def step_values(t, w_1, b_1, w_2, b_2, eta):
    """The right-hand sides of the post's four assigns: sum rule for weights, mean for biases."""
    return [
        tf.subtract(w_1, tf.multiply(eta, t["d_w_1"])),
        tf.subtract(b_1, tf.multiply(eta, tf.reduce_mean(t["d_b_1"], axis=[0]))),
        tf.subtract(w_2, tf.multiply(eta, t["d_w_2"])),
        tf.subtract(b_2, tf.multiply(eta, tf.reduce_mean(t["d_b_2"], axis=[0]))),
    ]


def make_variables(config, dtype):
    """``w_1, b_1, w_2, b_2``: truncated normal (implicit op seeds), TF1 reference variables."""
    def variable(shape, name):
        init = tf1.truncated_normal(shape, dtype=dtype)
        return tf1.Variable(init, name=name, use_resource=False)

    middle = config.hidden
    return (variable([784, middle], "w_1"), variable([1, middle], "b_1"),
            variable([middle, 10], "w_2"), variable([1, 10], "b_2"))


def opening(config, dtype, shapes=([None, 784], [None, 10]), names=("a_0", "y")):
    """The post's first ops: two placeholders, then the four variables.

    Each ``truncated_normal`` takes TF1's implicit op seed, the graph's op
    count when it is built, so every graph that must draw the post's initial
    weights for a seed opens with these ops in this order (placeholders'
    shapes and names do not change the count).  Returns the two placeholders
    and the variables.
    """
    a_0 = tf1.placeholder(dtype, shapes[0], name=names[0])
    y = tf1.placeholder(dtype, shapes[1], name=names[1])
    return a_0, y, make_variables(config, dtype)


def build_graph(config, dtype=tf.float32):
    """Build the post's graph into the default graph; return its tensors by name.

    ``dtype=tf.float64`` builds the same graph in double precision (for the
    gradient check; the post used float32).
    """
    a_0, y, (w_1, b_1, w_2, b_2) = opening(config, dtype)
    t = forward_backward(a_0, y, w_1, b_1, w_2, b_2)
    t["acct_mat"], t["acct_res"] = accuracy(t["a_2"], y)
    t.update(a_0=a_0, y=y, w_1=w_1, b_1=b_1, w_2=w_2, b_2=b_2)

    if config.mode == "manual":
        eta = tf.constant(config.eta, dtype=dtype, name="eta")
        t["eta"] = eta
        new_values = step_values(t, w_1, b_1, w_2, b_2, eta)
        # sequential: every right-hand side (so every read) before any assign.
        deps = new_values if config.ordering == "sequential" else []
        with tf.control_dependencies(deps):
            step = [tf1.assign(var, value) for var, value in zip((w_1, b_1, w_2, b_2), new_values)]
    else:
        cost = tf.multiply(t["diff"], t["diff"])
        t["cost"] = cost
        step = tf1.train.GradientDescentOptimizer(config.autodiff_rate).minimize(cost)
    t["step"] = step
    return t


# ---------------------------------------------------------------------------
# The post's loop
# ---------------------------------------------------------------------------

def load_data(data_dir, config, log=print):
    """The post's ``read_data_sets("MNIST_data/", one_hot=True)`` in the chosen batch order."""
    return mnist.read_data_sets(data_dir, one_hot=True, graph_seed=config.seed,
                                batch_order=config.batch_order, log=log)


def train(config, data, emit=print, on_checkpoint=None, initial_weights=None):
    """Run the post's loop; return the counts and the final weights.

    ``emit`` receives each printed count (the post's ``print res``);
    ``on_checkpoint(i, count, session, tensors)`` is called after each one.
    ``initial_weights`` (a dict w_1, b_1, w_2, b_2) replaces the random start.
    NumPy's global RNG is seeded with ``config.seed`` first, because the
    DataSet reshuffles with it (TF1 did the same).
    """
    config.validate(data.train.num_examples)
    seed_everything(config.seed)
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        t = build_graph(config, dtype=tf.as_dtype(config.dtype))
        # The post fetched `step`, the four assigned values, and dropped them;
        # running the assigns without copying 24k weights back is the same
        # computation, 25% faster (benchmarks/bench_nielsen.py).
        run_step = tf.group(*t["step"]) if isinstance(t["step"], list) else t["step"]
        init = tf1.global_variables_initializer()
    graph.finalize()
    cast = np.dtype(config.dtype)
    test_images = data.test.images[:config.eval_size].astype(cast)
    test_labels = data.test.labels[:config.eval_size].astype(cast)
    counts = []
    with new_session(graph, config.threads) as sess:
        sess.run(init)
        if initial_weights is not None:
            for k in ("w_1", "b_1", "w_2", "b_2"):
                t[k].load(initial_weights[k], sess)
        start = {k: sess.run(t[k]) for k in ("w_1", "b_1", "w_2", "b_2")}
        a_0, y, acct_res = t["a_0"], t["y"], t["acct_res"]
        for i in range(config.steps):
            batch_xs, batch_ys = data.train.next_batch(config.batch_size)
            if cast != np.float32:
                batch_xs, batch_ys = batch_xs.astype(cast), batch_ys.astype(cast)
            sess.run(run_step, feed_dict={a_0: batch_xs, y: batch_ys})
            if i % config.eval_every == 0:
                res = sess.run(acct_res, feed_dict={a_0: test_images, y: test_labels})
                counts.append(float(res))
                emit(res)
                if on_checkpoint is not None:
                    on_checkpoint(i, float(res), sess, t)
        final = {k: sess.run(t[k]) for k in ("w_1", "b_1", "w_2", "b_2")}
    return {"counts": counts, "initial_weights": start, "final_weights": final}
