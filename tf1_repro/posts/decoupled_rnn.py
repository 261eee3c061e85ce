"""Manual Back Prop with TensorFlow: a decoupled RNN trained with synthetic gradients.

Post:     "Manual Back Prop with TensorFlow: Decoupled Recurrent Neural Network,
          modified NN from Google Brain, Implementation with Interactive Code",
          Jae Duk Seo, February 2018.
          Seeds: shared/seeds/000_53f73bffd70fa588.txt (= 001_249c55111b945acc.txt)
URL:      https://towardsdatascience.com/manual-back-prop-with-tensorflow-decoupled-recurrent-neural-network-modified-nn-from-google-f9c085fe8fae
Written for: TensorFlow 1.5 (graph mode, ``tf.assign`` update lists).
Ported from: Seo's "Only Numpy: Decoupled Recurrent Neural Network" (3 Feb
          2018); that NumPy code, as it was, is tf1_repro/reference/seo_numpy.py.

Claims:   the post printed no number that survives (its transcripts were
          screenshots).  In words: manual back-propagation trains (the left
          figure, cost per epoch, falls), and the automatic-differentiation
          variant (``GradientDescentOptimizer(0.1)``) was fast but "did not do
          so well on the test images" (the right figure: 20 test images).

The task: MNIST *test* images of the digits 0 and 1 (2115 of them), shuffled
with seed 678; the first 20 are the test set, the next 100 the training set.
Each image, as one 784-vector, enters both time boxes of a two-step vanilla
RNN (784 hidden units, tanh, no biases); a hand-written sigmoid on the last
state gives one output, cost = 0.5 (y_hat - y)^2.  Two linear oracles
(``W_sg_1``, ``W_sg_2``) predict the gradient of the cost with respect to
each hidden state from the state itself ("Decoupled Neural Interfaces using
Synthetic Gradients", Jaderberg et al. 2016).  The graph is the post's:

* ``hidden_states``: a [784, 3] variable; column 0 is the initial state
  (N(0, 1), never written), columns 1 and 2 are written by the two
  assigns of ``h_update`` and persist from image to image.
* time box 1: ``l1 = x W_x + h0 W_rec``, ``l1A = tanh(l1)``; the oracle's
  gradient ``grad_1sg_part_1 = l1A W_sg_1`` gives ``delta_1 = g1 * tanh'(l1)``
  and the updates ``W_rec <- W_rec + lr_rec h0^T delta_1`` and
  ``W_x <- W_x + lr_rec x^T delta_1``: a **plus**, as published (a descent
  step on the oracle's prediction would subtract).  ``grad_true_0`` is built
  and never used, as in the post.
* time box 2: the same with column 1 and ``W_sg_2``, then
  ``grad_1_from_2 = delta_2 W_rec^T``, the bootstrapped target for oracle 1:
  ``W_sg_1 <- W_sg_1 - lr_sg h1^T (g1 - grad_1_from_2)``.
* classifier: ``l3 = h2 W_fc`` with h2 read from **column 2 of the
  variable**; ``W_fc <- W_fc - lr_x h2^T [(y_hat - y) sigma'(l3)]``, then
  ``grad_2_from_3 = [(y_hat - y) sigma'(l3)] W_fc^T``, the target for oracle 2:
  ``W_sg_2 <- W_sg_2 - lr_sg h2^T (g2 - grad_2_from_3)``.
* learning rates are variables, as in the post: ``lr_x = 1e-3`` (W_fc only),
  ``lr_rec = 1e-6`` (both W_rec and W_x), ``lr_sg = 1e-4``.
* 100 epochs of the 100 training images at batch 1; ``sess.run([cost,
  update, h_update])`` per image; the epoch's summed cost is printed.  Then
  each test image runs ``[l3A, h_update]`` and prints index, raw output,
  rounded output and label.

Orderings (``--ordering``)
--------------------------
``as_published``
    The post's graph: the seven assigns of ``update`` and the two of
    ``h_update`` are fetched together with no control dependency, so within
    one run nothing orders a read of a variable against an assign of it.
    Under ``--threads=1`` every op runs in the caller's thread in the
    executor's fixed order (tf1_repro.graph_session), which makes the run
    deterministic.  What the reads then see (measured on TensorFlow 2.21,
    pinned by tests/test_decoupled_rnn.py, reported per run under
    ``read_semantics`` in results.json by
    tf1_repro/posts/decoupled_rnn_archive.py): every read of a variable sees its
    value from *before* the run.  So time box 2 reads the *previous*
    image's h1 from column 1, the classifier reads the *previous* image's
    h2 from column 2 (each image's cost and FC update pair this label with
    the last image's state, and the first test image with the last training
    image's), every delta and target uses the pre-run weights, and of the
    two SG updates of ``W_rec`` (and of ``W_x``) only the one of time box 2
    survives: both start from the old matrix and the second assign
    overwrites the first.  With a thread pool (the post's default session,
    or ``--threads`` > 1) these races resolve differently from run to run.
``sequential``
    The same ops with control dependencies: each time box reads what the
    one before it wrote, in the NumPy post's order (tanh forward, its SG
    update of W_rec and W_x, the next time box with the new weights and
    this image's h1, oracle 1, classifier on this image's h2, FC update,
    oracle 2).  A NumPy twin of these equations
    (tf1_repro/reference/seo_numpy.py, with outer products) agrees with the
    graph step for step (tests/test_decoupled_rnn.py).  The test images then
    run a forward-only copy of the two time boxes (the NumPy post's test
    loop), because fetching the ordered ``h_update`` would also fire the SG
    updates it waits for.

``--mode=autodiff`` runs the post's ``GradientDescentOptimizer(0.1)
.minimize(cost)`` with ``h_update`` instead of ``update``.  Because the
classifier reads the *variable* ``hidden_states``, ``tf.gradients`` of the
cost reaches only ``hidden_states`` (column 2) and ``W_fc``: W_x, W_rec and
the oracles never change, so the recurrent part stays a fixed random
projection, and the optimizer's step on column 2 is overwritten by the next
``h_update``.  Every run reports this list (``gradient_receivers``, measured
by tf1_repro/posts/decoupled_rnn_archive.py).  Under
``--ordering=sequential`` the optimizer minimises the cost of an ordered
forward pass instead (h1 stored then read, h2 stored then read), because the
ordered ``h_update`` of the manual graph waits for the manual SG updates.

This module is the post's code: its data, its graph and its training and
test loops (:func:`train`), op for op, the file to read beside the post.
What the archive adds to it is tf1_repro/posts/decoupled_rnn_archive.py,
built on this module without changing it (this module never imports it):
which value each unordered read sees, the variables ``tf.gradients``
reaches, the oracles measured against the true gradient after every epoch
(``oracle_quality``), the side-by-side run, the seed study and the figures
of a run.  tf1_repro/runs/decoupled_rnn.py writes a run's folder
(transcript, figures, TensorBoard events, results.json), and
tf1_repro/claims/decoupled_rnn.py declares the post's two claims and how they
are judged: the manual cost falls in both orderings, as the post says; its
comparative claim does not hold from our start (autodiff gets as many or more
of the 20 test images right as manual back-prop for most seeds), a known gap.

What changed and why
--------------------
* API renames for TF 2.x: ``tf.compat.v1`` for ``placeholder``, ``assign``,
  ``random_normal``, ``div``, ``Session``, ``train.GradientDescentOptimizer``.
* The graph is built in its own ``tf.Graph`` (the post also made a new
  graph).  Variables are TF1 reference variables (``use_resource=False``)
  and carry the post's names, so TensorBoard shows them.
* Seeds: the post's ``np.random.seed(678)`` and ``tf.set_random_seed(678)``
  (here ``--seed``, default 678).  Its weights lived in a new ``tf.Graph``
  without a graph-level seed, so they were never reproducible.  ``--seed=S``
  is the post's program with ``tf.set_random_seed(S)`` on every graph it
  builds (the new one included) and ``np.random.seed(S)``: each
  ``random_normal`` takes TF1's implicit op seed, so the graph creates the
  post's ops in the post's order before each of them (the three learning
  rates, then ``hidden_states`` and the five weights, each ``random_normal``
  followed by its ``tf.constant(0.2)`` and the product).
* Data: ``input_data.read_data_sets`` is tf1_repro.mnist's re-implementation,
  called with the graph seed and the TF >= 1.1 DataSet, because in the TF
  the post ran (>= 1.2, PR tensorflow#8548) each DataSet constructor
  reseeded NumPy with the graph seed: ``np.random.seed(678)`` three times,
  with no NumPy draw between the reseed and the shuffle.  The split is
  therefore "seed 678, then shuffle the 2115 pool rows".  The post shuffled
  with ``sklearn.utils.shuffle`` (no ``random_state``), which draws the same
  permutation as ``np.random.shuffle(np.arange(n))`` on the global RNG
  (its ``resample`` shuffles ``np.arange(n)`` with NumPy's global
  ``RandomState``); scikit-learn is not needed.  tests/test_decoupled_rnn.py
  checks that draws made before loading do not move the split.  The pool is indexed
  as ``images[idx]``: the post's ``images[[idx]]`` breaks on NumPy >= 1.23.
* Transcript: the per-epoch line is the TF program's own
  ``print("Current Iter: ", iter, " current cost: ", total_cost)`` (the
  post's screenshots cut it off; the program shows it); the test rows are ``index : [[output]] : [[rounded]] :
  [label]``; a last line counts the rounded outputs equal to their label,
  which the post left to the reader.
* Determinism: ``--threads=1`` (see "Orderings").
* Arithmetic of the post's NumPy: the epoch's cost is accumulated in float64,
  as ``total_cost = 0; total_cost + output[0].sum()`` did on NumPy 1.x (a
  Python int plus a float32 scalar promoted to float64; NumPy 2 keeps
  float32 under NEP 50), so the transcript is the same under NumPy 1 and 2.
* Fetches: the post fetched the values of its assigns with ``sess.run`` and
  dropped them; here the assign ops are fetched, which saves copying five
  784x784 matrices out per image and changes no number (tested).
* Not in the post: what the archive adds lives in
  tf1_repro/posts/decoupled_rnn_archive.py.  Its measurements reach the
  post's loop through the two hooks of :func:`train` (``add_to_graph``,
  which adds ops after the post's, none of them fetched with a training
  step; ``on_epoch``), so no number changes: the oracles against the true
  gradient after every epoch (``--oracle_quality``), ``gradient_receivers``
  and a diagnostic line per epoch on standard error.  Which value each
  unordered read sees is measured in a short run of its own.
  ``--side_by_side`` trains the other mode from the same start, for the
  post's cost figure with both curves and for its comparative claim;
  ``--seeds=N`` is the seed study.
* Execution, not maths: four rewrites make a training image faster
  (benchmarks/bench_decoupled_rnn.py) and change no bit.  The outer
  products ``tf.matmul(tf.transpose(a), delta)`` pass the transpose to the
  product (``transpose_a=True``: one term per entry, so the same value);
  ``delta W^T`` keeps its explicit transpose (``transpose_b=True`` sums in
  another order and does change the bits) but takes it as a batch of one
  matrix, which TensorFlow transposes twice as fast; an update
  ``tf.assign(W, W -/+ lr * grad)`` runs as ``ApplyGradientDescent`` in the
  variable's buffer (the same two rounded operations per entry) wherever the
  post's sum would have read the value the kernel reads: the oracles'
  updates in both orderings, and ``W_rec`` and ``W_x`` under ``sequential``.
  And as published, ``W_rec`` and ``W_x`` are each assigned twice from one read
  and one thread keeps time box 2's value of each: a run with
  ``--threads=1`` computes that one in place, after every reader of the old
  value, and skips time box 1's overwritten update
  (:func:`one_thread_step`); with a thread pool the whole list runs as
  written, its races included.  Evidence: tests/test_decoupled_rnn.py
  builds the graph with the post's ops as written and compares costs, test
  outputs and every weight byte for byte, in both orderings and modes; every
  golden is unchanged.
"""
import dataclasses
import numpy as np
import tensorflow as tf

from tf1_repro import mnist
from tf1_repro.errors import UsageError
from tf1_repro.graph_session import new_session, seed_everything

tf1 = tf.compat.v1

NAME = "decoupled_rnn"
POST = {
    "seed": "000_53f73bffd70fa588.txt",
    "title": "Manual Back Prop with TensorFlow: Decoupled Recurrent Neural Network",
    "author": "Jae Duk Seo",
    "date": "2018-02",
    "url": "https://towardsdatascience.com/manual-back-prop-with-tensorflow-decoupled-"
           "recurrent-neural-network-modified-nn-from-google-f9c085fe8fae",
}
MODES = ("manual", "autodiff")
ORDERINGS = ("as_published", "sequential")
POOL_SIZE = 2115          # MNIST test images labelled 0 (980) or 1 (1135)
WEIGHTS = ("hidden_states", "W_x", "W_rec", "W_fc", "W_sg_1", "W_sg_2")


@dataclasses.dataclass
class Config:
    """One run of the post's loop; defaults are the post's."""
    epochs: int = 100
    num_train: int = 100
    num_test: int = 20
    seed: int = 678
    mode: str = "manual"
    ordering: str = "as_published"
    lr_x: float = 1e-3
    lr_rec: float = 1e-6
    lr_sg: float = 1e-4
    autodiff_rate: float = 0.1
    threads: int = 1

    def validate(self):
        if self.epochs < 1:
            raise UsageError(f"--epochs={self.epochs}: must be at least 1")
        if self.num_train < 1:
            raise UsageError(f"--num_train={self.num_train}: must be at least 1")
        if self.num_test < 1:
            raise UsageError(f"--num_test={self.num_test}: must be at least 1")
        if self.num_train + self.num_test > POOL_SIZE:
            raise UsageError(f"--num_train={self.num_train} plus --num_test={self.num_test}: "
                             f"more than the {POOL_SIZE} images of the 0/1 pool")
        if self.mode not in MODES:
            raise UsageError(f"--mode={self.mode}: expected one of {', '.join(MODES)}")
        if self.ordering not in ORDERINGS:
            raise UsageError(f"--ordering={self.ordering}: expected one of {', '.join(ORDERINGS)}")
        for name in ("lr_x", "lr_rec", "lr_sg", "autodiff_rate"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise UsageError(f"--{name}={value}: must be a finite number >= 0")
        if self.seed < 0:
            raise UsageError(f"--seed={self.seed}: must be >= 0")


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def load_pool(data_dir, seed=678, log=print):
    """The post's pool: test images labelled 0 above those labelled 1, shuffled.

    Returns (images float32 [2115, 784], labels uint8 [2115, 1]).  The
    global NumPy RNG is seeded with ``seed`` first (the post's
    ``np.random.seed``), the loader reseeds it with the graph seed as TF >= 1.2
    did, then one ``np.random.shuffle`` of the row indices stands in for
    ``sklearn.utils.shuffle`` (same draw).
    """
    seed_everything(seed)
    data = mnist.read_data_sets(data_dir, one_hot=False, graph_seed=seed, batch_order="tf1.1", log=log)
    images, labels = data.test.images, data.test.labels
    only_zero_index, only_one_index = np.where(labels == 0)[0], np.where(labels == 1)[0]
    images = np.vstack((images[only_zero_index], images[only_one_index]))
    labels = np.vstack((np.expand_dims(labels[only_zero_index], axis=1),
                        np.expand_dims(labels[only_one_index], axis=1)))
    perm = np.arange(images.shape[0])
    np.random.shuffle(perm)
    return images[perm], labels[perm]


def split(images, labels, num_test, num_train):
    """(testing_images, testing_labels, training_images, training_labels): the first
    ``num_test`` rows, then the next ``num_train``."""
    return (images[:num_test], labels[:num_test],
            images[num_test:num_test + num_train], labels[num_test:num_test + num_train])


# ---------------------------------------------------------------------------
# The post's functions
# ---------------------------------------------------------------------------

def _one(x):
    return tf.constant(1.0, dtype=x.dtype)


def tf_log(x):
    """The post's hand-written sigmoid, 1 / (1 + e^-x)."""
    return tf1.div(_one(x), tf.add(_one(x), tf.exp(tf.negative(x))))


def d_tf_log(x):
    """sigma'(x) = sigma(x) (1 - sigma(x))."""
    return tf.multiply(tf_log(x), tf.subtract(_one(x), tf_log(x)))


def tf_tanh(x):
    return tf.tanh(x)


def d_tf_tanh(x):
    """The post's tanh'(x) = 1 - tanh(x)^2, written as it showed it."""
    return tf.subtract(_one(x), tf.square(tf.tanh(x)))


def time_box(x, h_prev, W_x, W_rec):
    """One recurrent step: (l, lA) with l = x W_x + h_prev W_rec, lA = tanh(l)."""
    l = tf.add(tf.matmul(x, W_x), tf.matmul(h_prev, W_rec))
    return l, tf_tanh(l)


def delta_of(g, l):
    """g * tanh'(l): from the gradient of a time box's output to that of its pre-activation."""
    return tf.multiply(g, d_tf_tanh(l))


def synthetic_delta(lA, l, W_sg):
    """(g, delta): the oracle's gradient g = lA W_sg and delta = g * tanh'(l)."""
    g = tf.matmul(lA, W_sg)
    return g, delta_of(g, l)


def outer(a, delta):
    """a^T delta: the weight gradient of one time box, (784, 1)(1, 784) per image.

    The post's ``tf.matmul(tf.transpose(a), delta)``, with the transpose
    passed to the product as ``transpose_a``: the same product (one term per
    entry, so the same bits), and faster: no transposed copy to pack.
    """
    return tf.matmul(a, delta, transpose_a=True)


def classifier(h2, W_fc):
    """(l3, l3A): the output layer on the last hidden state."""
    l3 = tf.matmul(h2, W_fc)
    return l3, tf_log(l3)


def cost_of(l3A, y):
    """The post's cost, 0.5 (y_hat - y)^2, shape [batch, 1]."""
    return tf.multiply(tf.square(tf.subtract(l3A, y)), tf.constant(0.5, dtype=l3A.dtype))


def fc_delta(l3A, l3, y):
    """(y_hat - y) sigma'(l3): the gradient of the cost with respect to l3."""
    return tf.multiply(tf.subtract(l3A, y), d_tf_log(l3))


def backward_through(delta, W):
    """delta W^T: from a layer's delta to the gradient of its input
    (``grad_1_from_2``, ``grad_2_from_3``, ``grad_true_0``).

    The post's ``tf.matmul(delta, tf.transpose(W))``.  The transpose stays
    explicit: ``transpose_b=True`` sums the product in another order and
    changes the bits.  It is taken as a batch of one matrix, which
    TensorFlow's three-dimensional transpose does about twice as fast as its
    two-dimensional one on 784x784; the transposed matrix is the same.
    """
    rows, cols = W.shape
    W_T = tf.reshape(tf.transpose(tf.reshape(W, [1, rows, cols]), [0, 2, 1]), [cols, rows])
    return tf.matmul(delta, W_T)


def oracle_gradient(h, g, target):
    """h^T (g - target): the gradient of 0.5 ||h W_sg - target||^2 with respect to W_sg.

    An outer product too: the transpose goes to the product as in :func:`outer`.
    """
    return tf.matmul(h, tf.subtract(g, target), transpose_a=True)


# ---------------------------------------------------------------------------
# The graph
# ---------------------------------------------------------------------------

class _Order:
    """Reads and writes of variables, ordered (``sequential``) or not (``as_published``).

    Unordered, a read is the variable itself (TF1's snapshot) and an assign
    has no control input: the post's graph.  Ordered, every read is a fresh
    ``read_value`` that waits for every assign before it, and every assign
    waits for the assigns and reads before it.  A read of a reference
    variable aliases its buffer, so an assign must also wait until the reads'
    consumers have run: callers name them in ``after``.
    """

    def __init__(self, sequential):
        self.sequential = sequential
        self.writes = []

    def read(self, var):
        if not self.sequential:
            return var
        with tf.control_dependencies(self.writes):
            return var.read_value()

    def assign(self, ref, value, after=()):
        if not self.sequential:
            return tf1.assign(ref, value)
        with tf.control_dependencies(list(self.writes) + list(after)):
            op = tf1.assign(ref, value)
        self.writes = [op]
        return op

    def step(self, var, sign, rate, grad, after=(), in_place=True):
        """``var <- var + sign * rate * grad``: the post's ``tf.assign`` of a ``tf.add``
        (``sign`` +1) or ``tf.subtract`` (-1) of ``tf.multiply(rate, grad)``.

        ``in_place`` runs it as TF1's own gradient-descent kernel
        (``ApplyGradientDescent``, var -= alpha * grad with alpha = -sign * rate),
        which updates the variable's buffer in one pass instead of the three
        of a product, a sum and an assign's copy.  Each element is the same
        two rounded operations (rate times grad, then the sum; negating the
        rate negates the rounded product exactly), so the bits are the same
        (tests/test_decoupled_rnn.py).  It reads the variable when it runs, so
        it stands in for the post's assign only where the post's sum would
        have read the same value: not for a variable that an unordered list
        assigns twice from one read (``W_rec`` and ``W_x`` as published).
        """
        if not in_place:
            combine = tf.add if sign > 0 else tf.subtract
            return self.assign(var, combine(self.read(var), tf.multiply(rate, grad)), after)
        alpha = rate if sign < 0 else tf.negative(rate)
        if not self.sequential:
            return tf.raw_ops.ApplyGradientDescent(var=var, alpha=alpha, delta=grad)
        with tf.control_dependencies(list(self.writes) + list(after)):
            op = tf.raw_ops.ApplyGradientDescent(var=var, alpha=alpha, delta=grad)
        self.writes = [op]
        return op

    def assign_column(self, var, col, value, after=()):
        if not self.sequential:
            return tf1.assign(var[:, col], value)
        with tf.control_dependencies(list(self.writes) + list(after)):
            op = tf1.assign(var[:, col], value)
        self.writes = [op]
        return op


def one_thread_step(update, W_rec, W_x, lr_rec, grad_rec, grad_x, after_reads):
    """The ops of the post's update list that one thread's run needs (``--threads=1``, as published).

    ``update`` is the post's list: time box 1's updates of ``W_rec`` and
    ``W_x``, time box 2's, then the oracles' and ``W_fc``'s.  The list assigns ``W_rec`` twice, ``W_rec + lr_rec * grad_1sg_rec`` and
    then ``W_rec + lr_rec * grad_2sg_rec``, both from the value before the
    run, and ``W_x`` likewise; in the executor's order under one thread
    (module doc, "Orderings") the second assign overwrites the first, and no
    read sees either before the run ends.  What survives is time box 2's
    update, which runs here in the variable's buffer
    (``ApplyGradientDescent``: the same two rounded operations per entry as
    the post's multiply and add, see :meth:`_Order.step`) once every
    consumer of the old value has run (``after_reads``: both time boxes'
    products and the transpose of ``grad_1_from_2``); time box 1's update,
    whose value nothing reads, is not computed.  Two in-place updates replace
    four 784x784 products by the rate, four sums and four copies of an
    assign per image; the other three updates run as listed.  Under a thread pool the two assigns race, so ``--threads`` > 1 runs the
    list as written.  tests/test_decoupled_rnn.py compares the two byte for
    byte and pins the semantics against a NumPy model of the list.
    """
    with tf.control_dependencies(after_reads):
        kept = [tf.raw_ops.ApplyGradientDescent(var=W_rec, alpha=tf.negative(lr_rec), delta=grad_rec),
                tf.raw_ops.ApplyGradientDescent(var=W_x, alpha=tf.negative(lr_rec), delta=grad_x)]
    return [op.op for op in kept] + [u.op for u in update[4:]]


def build_graph(config, dtype=tf.float32):
    """Build the post's graph into the default graph; return its tensors by name.

    ``dtype=tf.float64`` builds the same graph in double precision (for the
    comparison with NumPy; the post used float32).  Besides the post's
    tensors the dictionary holds ``test_l3A`` and ``test_h_update`` (what the
    test images run: the post's ``l3A`` and ``h_update`` as published, a
    forward-only ordered copy under ``sequential``), ``train_step`` (what a
    training image runs besides ``cost`` and ``h_update``) and
    ``h_update_ops``.
    """
    sequential = config.ordering == "sequential"
    order = _Order(sequential)

    def variable(init, name):
        return tf1.Variable(init, name=name, use_resource=False)

    def normal(shape, stddev):
        return tf1.random_normal(shape, stddev=stddev, dtype=dtype)

    point_two = lambda: tf.constant(0.2, dtype=dtype)  # noqa: E731 (the post's tf.constant(0.2))

    # 1. Weights and learning rates (the post's first section).
    lr_x = variable(tf.constant(config.lr_x, dtype=dtype), "lr_x")
    lr_rec = variable(tf.constant(config.lr_rec, dtype=dtype), "lr_rec")
    lr_sg = variable(tf.constant(config.lr_sg, dtype=dtype), "lr_sg")
    hidden_states = variable(normal([784, 3], 1.0), "hidden_states")
    W_x = variable(normal([784, 784], 0.45) * point_two(), "W_x")
    W_rec = variable(normal([784, 784], 0.035) * point_two(), "W_rec")
    W_fc = variable(normal([784, 1], 0.95) * point_two(), "W_fc")
    W_sg_1 = variable(normal([784, 784], 0.35) * point_two(), "W_sg_1")
    W_sg_2 = variable(normal([784, 784], 0.35) * point_two(), "W_sg_2")

    # 2. The network and its manual back-prop (the post's second section).
    x = tf1.placeholder(dtype, [None, 784], name="x")
    y = tf1.placeholder(dtype, [None, 1], name="y")
    update, h_update = [], []

    def column(col):
        return tf.expand_dims(order.read(hidden_states)[:, col], axis=0)

    # Time box 1.
    W_x_1, W_rec_1, W_sg_1_r = order.read(W_x), order.read(W_rec), order.read(W_sg_1)
    h0 = column(0)
    l1, l1A = time_box(x, h0, W_x_1, W_rec_1)
    h_update.append(order.assign_column(hidden_states, 1, tf.squeeze(l1A), after=[l1A]))
    grad_1sg_part_1, delta_1 = synthetic_delta(l1A, l1, W_sg_1_r)
    grad_1sg_rec = outer(h0, delta_1)
    grad_1sg_x = outer(x, delta_1)
    update.append(order.step(W_rec, +1, lr_rec, grad_1sg_rec, after=[l1, grad_1sg_rec, grad_1sg_x],
                             in_place=sequential))
    update.append(order.step(W_x, +1, lr_rec, grad_1sg_x, in_place=sequential))
    grad_true_0 = backward_through(delta_1, order.read(W_rec))

    # Time box 2.
    W_x_2, W_rec_2, W_sg_2_r = order.read(W_x), order.read(W_rec), order.read(W_sg_2)
    h1 = column(1)
    l2, l2A = time_box(x, h1, W_x_2, W_rec_2)
    h_update.append(order.assign_column(hidden_states, 2, tf.squeeze(l2A),
                                        after=[l2A, grad_true_0]))
    grad_2sg_part_1, delta_2 = synthetic_delta(l2A, l2, W_sg_2_r)
    grad_2sg_rec = outer(h1, delta_2)
    grad_2sg_x = outer(x, delta_2)
    update.append(order.step(W_rec, +1, lr_rec, grad_2sg_rec, after=[l2, grad_2sg_rec, grad_2sg_x],
                             in_place=sequential))
    update.append(order.step(W_x, +1, lr_rec, grad_2sg_x, in_place=sequential))
    grad_1_from_2 = backward_through(delta_2, order.read(W_rec))

    # Oracle 1 learns from the bootstrapped target grad_1_from_2.
    h1_for_sg = column(1)
    grad_true_1 = oracle_gradient(h1_for_sg, grad_1sg_part_1, grad_1_from_2)
    update.append(order.step(W_sg_1, -1, lr_sg, grad_true_1, after=[grad_true_1]))

    # Classifier on column 2 of the variable, as published.
    h2 = column(2)
    W_fc_r = order.read(W_fc)
    l3, l3A = classifier(h2, W_fc_r)
    cost = cost_of(l3A, y)
    cost_auto = None
    if config.mode == "autodiff" and not sequential:
        cost_auto = tf1.train.GradientDescentOptimizer(config.autodiff_rate).minimize(cost)
    delta_3 = fc_delta(l3A, l3, y)
    grad_fc = outer(h2, delta_3)
    update.append(order.assign(W_fc, tf.subtract(W_fc_r, tf.multiply(lr_x, grad_fc)),
                               after=[cost, grad_fc, delta_3]))
    grad_2_from_3 = backward_through(delta_3, order.read(W_fc))

    # Oracle 2 learns from grad_2_from_3.
    h2_for_sg = column(2)
    grad_true_2 = oracle_gradient(h2_for_sg, grad_2sg_part_1, grad_2_from_3)
    update.append(order.step(W_sg_2, -1, lr_sg, grad_true_2, after=[grad_true_2]))

    t = dict(lr_x=lr_x, lr_rec=lr_rec, lr_sg=lr_sg, hidden_states=hidden_states, W_x=W_x,
             W_rec=W_rec, W_fc=W_fc, W_sg_1=W_sg_1, W_sg_2=W_sg_2, x=x, y=y,
             l1=l1, l1A=l1A, l2=l2, l2A=l2A, l3=l3, l3A=l3A, cost=cost, h0=h0, h1=h1, h2=h2,
             grad_1sg_part_1=grad_1sg_part_1, grad_2sg_part_1=grad_2sg_part_1,
             delta_1=delta_1, delta_2=delta_2, delta_3=delta_3,
             grad_1sg_rec=grad_1sg_rec, grad_1sg_x=grad_1sg_x,
             grad_2sg_rec=grad_2sg_rec, grad_2sg_x=grad_2sg_x,
             grad_true_0=grad_true_0, grad_1_from_2=grad_1_from_2, grad_true_1=grad_true_1,
             grad_fc=grad_fc, grad_2_from_3=grad_2_from_3, grad_true_2=grad_true_2,
             update=update, h_update=h_update, cost_auto=cost_auto)
    # Fetched as ops: the post fetched the assigned values and dropped them;
    # copying five 784x784 matrices out per image cost 40% of the run time
    # and changes no number (tests/test_decoupled_rnn.py).
    t["train_step"] = [u.op for u in update]
    if not sequential and config.threads == 1:
        # One thread runs the list with every read before every assign, so of
        # the two updates of W_rec (and of W_x) the second's value survives.
        t["train_step"] = one_thread_step(update, W_rec, W_x, lr_rec, grad_2sg_rec, grad_2sg_x,
                                          after_reads=[l1, l2, grad_1_from_2])
    if config.mode == "autodiff":
        if sequential:
            # The ordered ``update`` chain would fire the manual SG updates
            # through ``h_update``; the optimizer gets its own ordered
            # forward pass: h1 stored, then read; h2 stored, then read.
            f = _ordered_forward(x, hidden_states, W_x, W_rec, W_fc)
            cost = cost_of(f["l3A"], y)
            cost_auto = tf1.train.GradientDescentOptimizer(config.autodiff_rate).minimize(cost)
            t.update(f, cost=cost, cost_auto=cost_auto)
        t["train_step"] = cost_auto
    t["h_update_ops"] = [u.op for u in t["h_update"]]

    # The test images: the post's fetch as published; ordered and forward-only otherwise.
    if sequential:
        f = _ordered_forward(x, hidden_states, W_x, W_rec, W_fc)
        t["test_l3A"], t["test_h_update"] = f["l3A"], f["h_update"]
    else:
        t["test_l3A"], t["test_h_update"] = l3A, h_update
    t["test_h_update"] = [u.op for u in t["test_h_update"]]
    return t


def _ordered_forward(x, hidden_states, W_x, W_rec, W_fc):
    """Both time boxes and the classifier, no update: l3, l3A, h1, h2 and ``h_update``.

    Each column is read after it is written, as in the NumPy post's test loop.
    """
    order = _Order(True)
    h0 = tf.expand_dims(order.read(hidden_states)[:, 0], axis=0)
    _, l1A = time_box(x, h0, order.read(W_x), order.read(W_rec))
    a1 = order.assign_column(hidden_states, 1, tf.squeeze(l1A), after=[l1A])
    h1 = tf.expand_dims(order.read(hidden_states)[:, 1], axis=0)
    _, l2A = time_box(x, h1, order.read(W_x), order.read(W_rec))
    a2 = order.assign_column(hidden_states, 2, tf.squeeze(l2A), after=[l2A])
    h2 = tf.expand_dims(order.read(hidden_states)[:, 2], axis=0)
    l3, l3A = classifier(h2, order.read(W_fc))
    return dict(l3=l3, l3A=l3A, h1=h1, h2=h2, h_update=[a1, a2])


# ---------------------------------------------------------------------------
# The post's loops
# ---------------------------------------------------------------------------

def train(config, train_images, train_labels, test_images, test_labels, emit=print,
          initial_weights=None, add_to_graph=None, on_epoch=None):
    """Run the post's training loop and its test loop; return what they produced.

    ``emit`` receives the transcript lines.  ``initial_weights`` (a dict over
    WEIGHTS) replaces the random start.  Two hooks let the archive measure
    around the loop without changing it: ``add_to_graph(t)`` is called in the
    graph after :func:`build_graph` (after every random op, so the seeds
    stay the post's), and ``on_epoch(i, total_cost, session, t)`` once
    before the first epoch (``i`` and ``total_cost`` None) and after each
    epoch (tf1_repro/posts/decoupled_rnn_archive.py).
    """
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        t = build_graph(config)
        if add_to_graph is not None:
            add_to_graph(t)
        init = tf1.global_variables_initializer()
    graph.finalize()
    x, y, cost, h_update = t["x"], t["y"], t["cost"], t["h_update_ops"]
    costs = []
    with new_session(graph, config.threads) as sess:
        sess.run(init)
        if initial_weights is not None:
            for k in WEIGHTS:
                t[k].load(initial_weights[k], sess)
        start = {k: sess.run(t[k]) for k in WEIGHTS}
        if on_epoch is not None:
            on_epoch(None, None, sess, t)
        for i in range(config.epochs):
            # The post's ``total_cost = 0; total_cost + output[0].sum()`` on the
            # NumPy 1.x it ran on: a Python int plus a float32 scalar gave a
            # float64, so the epoch's cost was summed in float64.  NumPy 2
            # (NEP 50) keeps float32; the float64 start keeps the post's sums.
            total_cost = np.float64(0)
            for current_image_index in range(len(train_images)):
                current_image = np.expand_dims(train_images[current_image_index], axis=0)
                current_label = np.expand_dims(train_labels[current_image_index], axis=0)
                output = sess.run([cost, t["train_step"], h_update],
                                  feed_dict={x: current_image, y: current_label})
                total_cost = total_cost + output[0].sum()
            # The TF program's own line: print("Current Iter: ", iter, " current cost: ", total_cost).
            emit(f"Current Iter:  {i}  current cost:  {total_cost}")
            costs.append(float(total_cost))
            if on_epoch is not None:
                on_epoch(i, float(total_cost), sess, t)
        trained = {k: sess.run(t[k]) for k in WEIGHTS}

        outputs, rounded = [], []
        for current_image_index in range(len(test_images)):
            current_image = np.expand_dims(test_images[current_image_index], axis=0)
            current_label = test_labels[current_image_index]
            output = sess.run([t["test_l3A"], t["test_h_update"]], feed_dict={x: current_image})
            emit(f"{current_image_index}  :  {output[0]}  :  {np.round(output[0])}  :  {current_label}")
            outputs.append(float(output[0].ravel()[0]))
            rounded.append(int(np.round(output[0]).ravel()[0]))
        correct = int(sum(r == int(lab[0]) for r, lab in zip(rounded, test_labels)))
        emit(f"correct: {correct} of {len(test_images)}")
        final = {k: sess.run(t[k]) for k in WEIGHTS}
    return {"costs": costs, "test_outputs": outputs, "test_rounded": rounded,
            "correct": correct, "initial_weights": start, "trained_weights": trained,
            "final_weights": final}
