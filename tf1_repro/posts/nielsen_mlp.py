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
correct argmax answers.

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
  tested statistically by the seed study (``--seeds=N``).
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
* ``--loop=graph`` (not in the post) runs the same steps inside one
  ``Session.run``; its counts and weights equal the feed loop's bit for bit
  with the archive's defaults.  With oneDNN kernels on
  (``TF_ENABLE_ONEDNN_OPTS=1``) the two loops part after a few hundred steps.
"""
import dataclasses
import functools
import os
import time

import numpy as np
import tensorflow as tf

from tf1_repro import families, mnist, resources, study
from tf1_repro.claims.nielsen_mlp import BAND_923, COUNT_923, PUBLISHED_COUNTS
from tf1_repro.errors import UsageError
from tf1_repro.graph_session import fingerprint, new_session, seed_everything, session_config

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
LOOPS = ("feed", "graph")
UNROLL = 10  # steps per while-loop iteration of --loop=graph
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
    loop: str = "feed"  # the post's Python loop; "graph": the whole loop in one Session.run
    xla: bool = False  # XLA auto-clustering of the graph (changes the bits; benchmarks only)

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
# Running it
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


def batch_plan(config, train_set):
    """The index of every mini-batch the post's loop would draw, in order: [steps, batch].

    Replays ``next_batch`` from a restarted DataSet after seeding NumPy as
    :func:`train` does, so the RNG calls, and so the batches, are the same.
    """
    seed_everything(config.seed)
    ds = train_set.restarted(config.seed)
    return np.stack([ds.next_batch_indices(config.batch_size) for _ in range(config.steps)])


def loop_in_graph(config, images, labels, plan_t, weights, test_x, test_y, num_steps=None):
    """The post's training loop as graph ops: the final weights and the counts, as tensors.

    Loop-carried tensors hold ``w_1, b_1, w_2, b_2``, starting from
    ``weights``; each step gathers its mini-batch from ``images`` and
    ``labels`` (the training set in file order) by the indices in ``plan_t``
    (:func:`batch_plan`) and applies :func:`forward_backward` and the post's
    update (:func:`step_values`, the same ops as the assigns' right-hand
    sides).  An outer ``tf.while_loop`` runs one segment per count the post
    prints: the steps up to and including step ``k * eval_every``, then the
    count of correct answers on ``test_x``, ``test_y``; a last segment runs
    the steps after the last count.  Within a segment, a while loop runs ten
    steps an iteration (unrolling amortises the loop's own control ops, about
    five per loop variable per iteration), another the rest one by one.
    Testing for a checkpoint once a segment rather than once a step (a
    ``tf.cond`` each) saves about a tenth of the loop's time.  Counts of
    checkpoints not reached stay -1.  ``num_steps`` (a scalar tensor; default
    ``config.steps``) is how many steps to run, so one graph can run plans
    of any length (:func:`build_graph_loop`).
    """
    dtype = tf.as_dtype(config.dtype)
    every = config.eval_every
    num_checkpoints = len(checkpoints(config))
    test_images = tf.constant(test_x, name="test_images")
    test_labels = tf.constant(test_y, name="test_labels")
    eta = tf.constant(config.eta, dtype=dtype, name="eta")

    def train_step(i, weights):
        """Step ``i`` on its mini-batch: the weights after it."""
        a_0 = tf.gather(images, plan_t[i])
        y = tf.gather(labels, plan_t[i])
        return step_values(forward_backward(a_0, y, *weights), *weights, eta)

    def steps(first, last, weights):
        """Steps first..last-1 (scalar tensors): the weights after them."""
        def body(unroll):
            def run(i, *weights):
                weights = list(weights)
                for u in range(unroll):
                    weights = train_step(i + u, weights)
                return [i + unroll] + weights
            return run

        out = tf1.while_loop(lambda i, *_: i + UNROLL <= last, body(UNROLL), [first] + weights,
                             back_prop=False)
        out = tf1.while_loop(lambda i, *_: i < last, body(1), out, back_prop=False)
        return out[1:]

    def segment(k, w_1, b_1, w_2, b_2, counts):
        """Segment k: steps (k - 1) * every + 1 .. k * every, then count k (none after the last)."""
        first = tf.maximum((k - 1) * every + 1, 0)
        last = tf.minimum(k * every + 1, config.steps if num_steps is None else num_steps)
        weights = steps(first, last, [w_1, b_1, w_2, b_2])

        def evaluate():
            a_2 = forward_backward(test_images, test_labels, *weights)["a_2"]
            count = accuracy(a_2, test_labels)[1]
            return tf.tensor_scatter_nd_update(counts, [[k]], [count])

        counts = tf.cond(k < num_checkpoints, evaluate, lambda: counts)
        return [k + 1] + weights + [counts]

    out = tf1.while_loop(lambda k, *_: k <= num_checkpoints, segment,
                         [tf.constant(0)] + list(weights) + [tf.fill([num_checkpoints], -1.0)],
                         back_prop=False)
    return out[1:5], out[5]


def loop_session_config(config):
    """The in-graph loop's session: Grappler's rewrites but constant folding, XLA if asked."""
    config_proto = session_config(config.threads, rewrites=True)
    if config.xla:
        config_proto.graph_options.optimizer_options.global_jit_level = tf1.OptimizerOptions.ON_1
    return config_proto


def build_graph_loop(config, train_shape, labels_shape, test_set):
    """The in-graph loop for a batch plan of any length, the training set resident.

    Returns (graph, tensors).  The training set is loaded once into two
    variables (run ``load_data`` feeding ``images_in`` and ``labels_in``) and
    stays in the graph; each run of ``counts`` then feeds only the batch plan
    (``plan``, [steps, batch]), trains that many steps from the current
    weights, writes them back and returns the counts.  Runs of different
    lengths share one graph, so benchmarks/bench_nielsen.py can time the
    steps alone.  The same ops as :func:`train_graph_loop`'s, in the same
    order after the post's opening, so the same bits.
    """
    dtype = tf.as_dtype(config.dtype)
    cast = np.dtype(config.dtype)
    test_x = test_set.images[:config.eval_size].astype(cast)
    test_y = test_set.labels[:config.eval_size].astype(cast)
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        images_in, labels_in, variables = opening(config, dtype, (train_shape, labels_shape),
                                                  ("train_images", "train_labels"))
        images = tf1.Variable(images_in, trainable=False, collections=[], use_resource=False,
                              name="resident_train_images")
        labels = tf1.Variable(labels_in, trainable=False, collections=[], use_resource=False,
                              name="resident_train_labels")
        plan_t = tf1.placeholder(tf.int32, [None, config.batch_size], name="batch_plan")
        weights, counts = loop_in_graph(config, images, labels, plan_t,
                                        [tf.identity(v) for v in variables], test_x, test_y,
                                        num_steps=tf.shape(plan_t)[0])
        final = [tf1.assign(v, value) for v, value in zip(variables, weights)]
        with tf.control_dependencies(final):
            counts_t = tf.identity(counts)
        init = tf1.global_variables_initializer()
        load_data = tf.group(images.initializer, labels.initializer)
    graph.finalize()
    return graph, dict(images_in=images_in, labels_in=labels_in, plan=plan_t, variables=variables,
                       counts=counts_t, init=init, load_data=load_data)


def train_graph_loop(config, data, emit=print, initial_weights=None):
    """The post's training loop inside the graph: one ``Session.run`` for all steps.

    The loop is :func:`loop_in_graph`, starting from the post's variables and
    assigning its result back to them.  Ten steps run per loop iteration, and
    the session keeps Grappler's rewrites but constant folding
    (``session_config(rewrites=True)``): together about five times faster
    than the graph as written.  The post's update list reads the pre-step
    weights under ``--threads=1`` (see the module doc), which is what a
    loop-carried tensor gives, so the counts equal those of :func:`train` bit
    for bit (tests/test_nielsen_mlp.py).  Returns the same dictionary as
    :func:`train`.
    """
    config.validate(data.train.num_examples)
    dtype = tf.as_dtype(config.dtype)
    cast = np.dtype(config.dtype)
    plan = batch_plan(config, data.train)
    train_x, train_y = data.train.gather(np.arange(data.train.num_examples))
    test_x = data.test.images[:config.eval_size].astype(cast)
    test_y = data.test.labels[:config.eval_size].astype(cast)

    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        # The post's opening with the training set as its placeholders: the
        # same op count before each truncated normal gives the feed loop's
        # initial weights.
        images, labels, variables = opening(config, dtype, (train_x.shape, train_y.shape),
                                            ("train_images", "train_labels"))
        plan_t = tf1.placeholder(tf.int32, plan.shape, name="batch_plan")
        weights, counts = loop_in_graph(config, images, labels, plan_t,
                                        [tf.identity(v) for v in variables], test_x, test_y)
        final = [tf1.assign(v, value) for v, value in zip(variables, weights)]
        with tf.control_dependencies(final):
            counts_t = tf.identity(counts)
        init = tf1.global_variables_initializer()
    graph.finalize()

    names = ("w_1", "b_1", "w_2", "b_2")
    with tf1.Session(graph=graph, config=loop_session_config(config)) as sess:
        sess.run(init)
        if initial_weights is not None:
            for v, k in zip(variables, names):
                v.load(initial_weights[k], sess)
        initial = dict(zip(names, sess.run(list(variables))))
        counts = sess.run(counts_t, feed_dict={images: train_x.astype(cast), labels: train_y.astype(cast),
                                              plan_t: plan})
        final_weights = dict(zip(names, sess.run(list(variables))))
    counts = [float(c) for c in counts]
    for c in counts:
        emit(np.float32(c))
    return {"counts": counts, "initial_weights": initial, "final_weights": final_weights}


def checkpoints(config):
    """The steps i after which the loop prints a count."""
    return list(range(0, config.steps, config.eval_every))


def figures(config, counts):
    """The named figures of one run, and their tolerances under another environment.

    What the post printed and how close counts as reproducing it is declared
    in tf1_repro/claims/nielsen_mlp.py, not here: no run decides a verdict.
    """
    figs = {"counts": counts, "final_count": counts[-1]}
    study = seed_study_for(config)
    if study is None:
        # No seed study of this configuration: on a family the golden does not
        # hold, the rounding band its families measured judges (tf1_repro/families.py).
        return figs, {}
    # After a few hundred steps two kernel families are as far apart as two
    # seeds: on a family the golden does not hold, each count is a draw from
    # the seed study of the same configuration.  The untrained count (before
    # step 1) is no draw: the families' rounding band judges it.
    return figs, {"counts": {"other_env": {"draw": {"golden": study, "first": "families"}}},
                  "final_count": {"other_env": {"draw": {"golden": study, "index": -1}}}}


# The seed studies whose distributions judge a run on an unknown kernel family,
# by the mode they trained (golden names, tf1_repro/registry.py).  Their
# configuration is the default one with --steps=10000.
SEED_STUDIES = {"manual": "nielsen_mlp_seeds_1000", "autodiff": "nielsen_mlp_autodiff_seeds"}


def seed_study_for(config):
    """The seed study of ``config``'s distribution, or None (another configuration).

    The seed, the thread count, the loop and XLA do not change the
    distribution of a checkpoint's count, only which draw a run is.
    """
    if config.mode not in SEED_STUDIES:
        return None
    same = dataclasses.replace(Config(steps=10000, mode=config.mode), seed=config.seed,
                               threads=config.threads, loop=config.loop, xla=config.xla)
    return SEED_STUDIES[config.mode] if same == config else None


def draw_initial_weights(config):
    """The weights ``w_1, b_1, w_2, b_2`` that ``--seed=config.seed`` starts from.

    Drawn in a graph of the post's opening alone (:func:`opening` after
    ``tf.set_random_seed``): each truncated normal gets the op seed it gets in
    the post's graph, so it draws the same values, without the rest of the
    graph being built.
    """
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        _, _, variables = opening(config, tf.as_dtype(config.dtype))
        draws = [v.initial_value for v in variables]
    graph.finalize()
    with new_session(graph, config.threads) as sess:
        return sess.run(draws)


def study_in_graph(config):
    """Whether a study may run ``config``'s seeds in :class:`StudyLoop`, bit for bit.

    The in-graph loop computes the feed loop's steps to the same bits with
    the archive's deterministic settings (tests/test_nielsen_mlp.py): the
    manual update list, ``--threads=1`` and oneDNN off.  With oneDNN on the
    two loops part after a few hundred steps, XLA changes the bits, and a
    thread pool makes the feed loop race; those studies run each seed's own
    program instead.
    """
    return (config.mode == "manual" and config.threads == 1 and not config.xla
            and os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0")


class StudyLoop:
    """The in-graph loop of a seed study: built once per process, run once per seed.

    A seed of post 002 trains for about half a second in the in-graph loop
    (benchmarks/nielsen.json); building that loop, Grappler's pass over it
    and a new session holding the 55 000 training images cost more than the
    training itself (on a loaded 2-core machine, :func:`train_graph_loop`
    took 10 to 12 s a seed where this loop, reused, took 3.5 to 3.8 s).  None
    of it depends on the seed, so a worker builds the loop once (for one
    configuration, the seed aside), keeps the training set in the session,
    and for each seed feeds only what the seed changes: its initial weights
    (:func:`draw_initial_weights`) and its mini-batches (:func:`batch_plan`).
    The steps are :func:`loop_in_graph`'s, as in :func:`train_graph_loop`, so
    a seed's counts and weights are those of the single run with
    ``--seed=seed`` (tests/test_nielsen_mlp.py, tests/test_study.py).
    """

    def __init__(self, config, data):
        config.validate(data.train.num_examples)
        self.config = config
        dtype = tf.as_dtype(config.dtype)
        cast = np.dtype(config.dtype)
        train_x, train_y = data.train.gather(np.arange(data.train.num_examples))
        middle = config.hidden
        graph = tf.Graph()
        with graph.as_default():
            images_in = tf1.placeholder(dtype, train_x.shape)
            labels_in = tf1.placeholder(dtype, train_y.shape)
            # Held in the session, not fed each run: the copy of 170 MB would
            # be repeated for every seed.
            images = tf1.Variable(images_in, trainable=False, collections=[], use_resource=False,
                                  name="train_images")
            labels = tf1.Variable(labels_in, trainable=False, collections=[], use_resource=False,
                                  name="train_labels")
            self.start = [tf1.placeholder(dtype, shape, name=f"start_{name}") for name, shape in
                          (("w_1", [784, middle]), ("b_1", [1, middle]), ("w_2", [middle, 10]),
                           ("b_2", [1, 10]))]
            self.plan = tf1.placeholder(tf.int32, [config.steps, config.batch_size], name="batch_plan")
            self.weights, self.counts = loop_in_graph(
                config, images, labels, self.plan, self.start,
                data.test.images[:config.eval_size].astype(cast),
                data.test.labels[:config.eval_size].astype(cast))
        graph.finalize()
        self.session = tf1.Session(graph=graph, config=loop_session_config(config))
        self.session.run([images.initializer, labels.initializer],
                         {images_in: train_x.astype(cast, copy=False),
                          labels_in: train_y.astype(cast, copy=False)})

    def run(self, config, train_set):
        """Train from ``config.seed``'s start on its batches; the dictionary of :func:`train`."""
        if dataclasses.replace(config, seed=self.config.seed) != self.config:
            raise ValueError("StudyLoop.run: a configuration other than the loop's, beyond the seed")
        start = draw_initial_weights(config)
        plan = batch_plan(config, train_set)
        feed = dict(zip(self.start, start))
        feed[self.plan] = plan
        final, counts = self.session.run([self.weights, self.counts], feed)
        names = ("w_1", "b_1", "w_2", "b_2")
        return {"counts": [float(c) for c in counts], "initial_weights": dict(zip(names, start)),
                "final_weights": dict(zip(names, final))}


@functools.lru_cache(maxsize=2)
def _study_data(data_dir, batch_order):
    return load_data(data_dir, Config(batch_order=batch_order), log=lambda *_: None)


def _study_loop(config, data_dir):
    """This process's StudyLoop for ``config`` with any seed, built on first use."""
    key = dataclasses.asdict(dataclasses.replace(config, seed=0))
    return _study_loop_for(tuple(sorted(key.items())), data_dir)


@functools.lru_cache(maxsize=1)
def _study_loop_for(items, data_dir):
    config = Config(**dict(items))
    return StudyLoop(config, _study_data(data_dir, config.batch_order))


def study_seed(config, data_dir, seed):
    """One seed of a seed study (tf1_repro/study.py): the run ``--seed=seed`` makes.

    ``config`` is the script's configuration as a dict.  The data set is read
    once per process and restarted at epoch 0 for each seed, as a fresh run
    reads it.  Where the in-graph loop gives the feed loop's bits
    (:func:`study_in_graph`: the archive's defaults), every seed a process
    runs goes through one :class:`StudyLoop`, whichever ``--loop`` the
    command names; otherwise each seed runs its own ``--loop``.  Either way
    the counts are those of the single run with ``--seed=seed``
    (tests/test_study.py).
    """
    cfg = Config(**dict(config, seed=seed))
    data = _study_data(data_dir, cfg.batch_order)
    fresh_train = data.train.restarted(seed)
    if study_in_graph(cfg):
        return {"counts": _study_loop(cfg, data_dir).run(cfg, fresh_train)["counts"]}
    fresh = mnist.Datasets(train=fresh_train, validation=data.validation, test=data.test)
    trainer = train_graph_loop if cfg.loop == "graph" else train
    return {"counts": trainer(cfg, fresh, emit=lambda _: None)["counts"]}


def seed_study(config, data_dir, seeds, **runner):
    """Train seeds config.seed .. + seeds - 1 and summarise each checkpoint.

    ``runner``: the keywords of :func:`tf1_repro.study.run_seeds` (workers,
    dask_scheduler, progress, prog).  Returns :func:`summarise_runs`'s summary.
    """
    records = study.run_seeds(study_seed, dataclasses.asdict(config), data_dir,
                              range(config.seed, config.seed + seeds),
                              describe=lambda r: " ".join(f"{c:.0f}" for c in r["counts"]), **runner)
    return summarise_runs([r["counts"] for r in records], checkpoints(config))


def summarise_runs(runs, steps):
    """Mean, spread and published percentiles of a list of count sequences."""
    arr = np.asarray(runs, dtype=float)
    summary = {
        "seeds": len(runs),
        "steps": steps,
        "mean": arr.mean(axis=0).round(2).tolist(),
        "std": arr.std(axis=0, ddof=1).round(2).tolist() if len(runs) > 1 else [0.0] * arr.shape[1],
        "min": arr.min(axis=0).tolist(),
        "max": arr.max(axis=0).tolist(),
        # The central 95% and the median of each checkpoint's counts (NumPy's
        # linear interpolation between order statistics).
        "q025": np.percentile(arr, 2.5, axis=0).round(2).tolist(),
        "median": np.percentile(arr, 50, axis=0).round(2).tolist(),
        "q975": np.percentile(arr, 97.5, axis=0).round(2).tolist(),
        "runs": arr.tolist(),
    }
    percentiles, at_or_below = [], []
    for k, value in enumerate(PUBLISHED_COUNTS[:arr.shape[1]]):
        column = arr[:, k]
        # Percentile rank: share of runs below, plus half of the ties.
        rank = (np.sum(column < value) + 0.5 * np.sum(column == value)) / len(column)
        percentiles.append(round(100.0 * rank, 1))
        at_or_below.append(int(np.sum(column <= value)))
    summary["published_percentiles"] = percentiles
    summary["seeds_at_or_below_published"] = at_or_below
    return summary


def seed_study_figures(config, study):
    """Figures and tolerances of a seed study.

    The post's figures came from one unseeded run, so its claims are judged
    on the distribution over seeds (tf1_repro/claims/nielsen_mlp.py): where
    each published count falls among our counts at its checkpoint, and the
    share of seeds within the band of the post's 923 at the same checkpoint
    (after step 7000).
    """
    at_923 = [run[COUNT_923] for run in study["runs"]] if len(study["steps"]) > COUNT_923 else []
    lo, hi = BAND_923["min"], 923.0 + BAND_923["atol"]
    figs = {"mean": study["mean"], "std": study["std"], "min": study["min"], "max": study["max"],
            "q025": study["q025"], "median": study["median"], "q975": study["q975"],
            "published_percentiles": study["published_percentiles"],
            "seeds_at_or_below_published": study["seeds_at_or_below_published"],
            "final_counts": [run[-1] for run in study["runs"]], "final_mean": study["mean"][-1],
            "counts_at_923": at_923,
            "share_923_in_band": round(sum(lo <= c <= hi for c in at_923) / len(at_923), 4)
            if at_923 else None}
    n = len(study["runs"])
    rule = families.study_rule
    tolerances = {
        "mean": rule("mean", n, "std"), "std": rule("sd", n, "std"),
        "min": rule("extreme", n, "std"), "max": rule("extreme", n, "std"),
        "q025": rule("quantile", n, "std", p=0.025), "median": rule("median", n, "std"),
        "q975": rule("quantile", n, "std", p=0.975),
        "published_percentiles": rule("percentile", n), "seeds_at_or_below_published": rule("count", n),
        "final_counts": rule("per_seed", n), "final_mean": rule("mean", n, "std", index=-1),
        "counts_at_923": rule("per_seed", n), "share_923_in_band": rule("share", n)}
    return figs, tolerances


def run(config, data_dir, emit=print, log=print, writer_dir=None):
    """Load the data, train, and return the results dictionary (no files written)."""
    config.validate()
    t0 = time.time()
    data = load_data(data_dir, config, log=log)
    config.validate(data.train.num_examples)
    summary = {"accuracy": [], "histograms": []}

    def on_checkpoint(i, count, sess, t):
        summary["accuracy"].append((i, count))
        if writer_dir is not None:
            summary["histograms"].append(
                (i, {k: sess.run(t[k]) for k in ("w_1", "b_1", "w_2", "b_2")}))

    if config.loop == "graph":
        out = train_graph_loop(config, data, emit=emit)
        summary["accuracy"] = list(zip(checkpoints(config), out["counts"]))
    else:
        out = train(config, data, emit=emit, on_checkpoint=on_checkpoint)
    figs, tolerances = figures(config, out["counts"])
    return {
        "figures": figs,
        "tolerances": tolerances,
        "checkpoints": checkpoints(config),
        "wall_time_s": time.time() - t0,
        "fingerprint": fingerprint(config.threads),
        "summary": summary,
    }
