"""Nielsen's chapter 1, the book behind post 002: its network and SGD loop, on the post's graph.

Book:     Michael Nielsen, "Neural Networks and Deep Learning", chapter 1, "Using
          neural nets to recognize handwritten digits" (2015); code
          src/network.py, src/mnist_loader.py, src/mnist_average_darkness.py
          and src/mnist_svm.py of github.com/mnielsen/neural-networks-and-deep-learning.
URL:      http://neuralnetworksanddeeplearning.com/chap1.html
Written for: Python 2.7 and NumPy (no TensorFlow); post 002 (Aloni, 2016)
          ported its first network to a TF 0.8 graph.

Claims:   declared in tf1_repro/claims/nielsen_book.py, before anything runs: [784,30,10]
          at eta 3.0 peaks at 95.42% (epoch 28 of the book's transcript, "best
          of three runs"); [784,100,10] reaches 96.59%; eta = 0.001 learns very
          slowly; eta = 100 stays near chance (1009, then 982 of 10 000); the
          baselines: random guessing 10%, the average-darkness heuristic
          22.25%, a default SVM 94.35% (the SVM runs only with ``--svm``, about
          8 minutes).

The graph is post 002's, op for op: :func:`tf1_repro.posts.nielsen_mlp.forward_backward`
(the hand-written ``sigma``, ``sigmaprime``, ``d_z_2 ... d_w_1``) and its
``accuracy``.  Only what the book does differently is new here:

* the step rule: ``w -= (eta / m) * sum over the mini-batch`` for weights *and*
  biases (m = the mini-batch's length; post 002 stepped weights by
  ``eta * sum`` and biases by ``eta * mean``);
* the initial weights and biases: N(0, 1) from ``np.random.randn``, biases
  first, then weights, in network.py's order, so that ``--seed=S`` gives
  exactly the start network.py draws after ``np.random.seed(S)``;
* the data: ``mnist.pkl.gz``'s split of the IDX files (training images
  0..49 999, validation 50 000..59 999, test all 10 000), reshuffled at the
  start of every epoch by Python's ``random.shuffle`` as network.py did, so
  that ``--seed=S`` (``random.seed(S)``) gives network.py's batches;
* the evaluation: all 10 000 test images after every epoch, printed as
  ``Epoch 0: 9129 / 10000``;
* the arithmetic: float64, as network.py's (float64 ``randn`` weights times
  the pickle's float32 pixels is float64 in NumPy);
* the chapter's baselines, as its programs compute them: the average
  darkness (:func:`darkness_count`), random guessing (:func:`random_count`)
  and the SVM (:func:`svm_count`).

Pixels.  ``mnist.pkl.gz`` (from deeplearning.net, which network.py's
mnist_loader reads) holds float32 pixels equal to byte / 256, not byte / 255:
its first training image reads 0.01171875, 0.0703125, ..., 0.99609375 (3/256,
18/256, ..., 255/256), and ports of mnist_loader that read the IDX files
divide by 256 to match it.  ``--pixels=pickle`` (the default) uses byte / 256;
``--pixels=idx`` uses byte / 255, as a loader of the IDX files would.  Every
input is 255/256 (0.4%) smaller under the pickle's scaling: the first layer's
``a_0 . w_1`` shrinks by that much, which moves each run's trajectory (the
training is chaotic) but changes nothing a reader could tell from the seed
spread.  The average-darkness baseline does not depend on the scale at all.

This module is the file to read beside the chapter: its data, start,
shuffles, network and SGD loop, and its baselines, with ``Config`` (the
flags of one run).  What the archive adds to the book (the seed studies that
judge "best of three runs", the figures of a run and their tolerances on
another kernel family, the results of the ``--svm`` run) is in
tf1_repro/posts/nielsen_book_archive.py, which builds on the functions here
and changes none of them; the command line's run (transcript, plots, events,
results.json) is tf1_repro/runs/nielsen_book.py.  The book's printed
transcripts and its peak are declared with its claims, in
tf1_repro/claims/nielsen_book.py.

What changed and why
--------------------
* TensorFlow instead of NumPy: the network is post 002's graph (the book's
  network as post 002 ported it), with the book's step rule; its layout is
  the post's row vectors (``a_0`` [m, 784], ``w_1`` [784, hidden]), so
  network.py's column-vector draws are transposed (:func:`nielsen_start`).
* network.py backpropagates the examples of a mini-batch one by one and adds
  up their nablas; the graph does the whole mini-batch in one matrix
  product (post 002's ``forward_backward``), the same sums taken in another
  order, so float64 results may differ from network.py's in their last bits.
* The loop runs inside the graph, one ``Session.run`` per epoch: a
  ``tf.while_loop`` carries ``w_1, b_1, w_2, b_2`` over the epoch's
  mini-batches (gathered from the training images by a batch plan drawn with
  ``random.shuffle`` beforehand), ten steps per iteration, as post 002's
  ``--loop=graph``, which post 002's benchmark measured about three times
  faster than feeding each mini-batch (docs/speed.md); a 30-epoch run takes
  about 25 s here.
* A last, shorter mini-batch (when the batch size does not divide the
  training set) runs as its own step with ``eta / len``, as network.py's
  slicing gives.
* Python 3's ``random.shuffle``: the book ran Python 2, whose shuffle drew
  other permutations from the same seed, so ``--seed=S`` means network.py
  run under Python 3 (as the archive's reference runs of network.py were).
* The data come from the IDX files, not ``mnist.pkl.gz`` (no pickle to
  download); ``--pixels=pickle`` scales them as the pickle holds them (see
  Pixels above).
* :func:`train` also counts the untrained network on the test images, which
  network.py does not print; the count does not touch the training.
* Random guessing, which the book states (10%) without a program, is drawn
  with a generator of its own (:func:`random_count`), leaving network.py's
  draws untouched.
* The SVM: ``svm.SVC(gamma="auto")``, the 2015 default kernel width, since
  today's scikit-learn defaults to ``gamma="scale"`` (:func:`svm_count`).
* ``--train_size`` (not in the book) trains on the first N of the 50 000
  images, for quick runs.
* The archive's additions (seed studies, a run's figures and tolerances, the
  ``--svm`` run's results) moved to tf1_repro/posts/nielsen_book_archive.py,
  so this file holds only what the book wrote.
"""
import dataclasses
import random

import numpy as np
import tensorflow as tf

from tf1_repro import mnist
from tf1_repro.errors import UsageError
from tf1_repro.graph_session import session_config
from tf1_repro.posts.nielsen_mlp import accuracy, forward_backward

tf1 = tf.compat.v1

NAME = "nielsen_book"
POST = {
    "seed": "002_fae5042b14f1d3da.txt (the post's source: the book's chapter 1)",
    "title": "Neural Networks and Deep Learning, chapter 1",
    "author": "Michael Nielsen",
    "date": "2015",
    "url": "http://neuralnetworksanddeeplearning.com/chap1.html",
}
TRAIN_SIZE = 50000  # mnist.pkl.gz's training set: IDX training images 0..49 999
VALIDATION = (50000, 60000)
TEST_SIZE = 10000
PIXELS = {"pickle": 256.0, "idx": 255.0}
UNROLL = 10  # steps per while-loop iteration


@dataclasses.dataclass
class Config:
    """One run of network.py's ``SGD``; defaults are the book's first run."""
    hidden: int = 30
    eta: float = 3.0
    epochs: int = 30
    batch_size: int = 10
    train_size: int = TRAIN_SIZE
    seed: int = 0
    pixels: str = "pickle"
    threads: int = 1

    def validate(self):
        if self.epochs < 1:
            raise UsageError(f"--epochs={self.epochs}: must be at least 1")
        if self.hidden < 1:
            raise UsageError(f"--hidden={self.hidden}: must be at least 1")
        if not 1 <= self.train_size <= TRAIN_SIZE:
            raise UsageError(f"--train_size={self.train_size}: must be between 1 and {TRAIN_SIZE}")
        if not 1 <= self.batch_size <= self.train_size:
            raise UsageError(f"--batch_size={self.batch_size}: must be between 1 and the "
                             f"{self.train_size} training images")
        if not np.isfinite(self.eta) or self.eta <= 0:
            raise UsageError(f"--eta={self.eta}: must be a positive number")
        if self.pixels not in PIXELS:
            raise UsageError(f"--pixels={self.pixels}: expected one of {', '.join(PIXELS)}")

    def matches(self, when):
        return all(getattr(self, k) == v for k, v in when.items())


# ---------------------------------------------------------------------------
# Nielsen's data, initial network and shuffles
# ---------------------------------------------------------------------------

Data = dataclasses.make_dataclass("Data", ["train_x", "train_y", "validation_x", "validation_y",
                                           "test_x", "test_y", "train_bytes", "train_labels",
                                           "test_bytes", "test_labels"])


def load_data(data_dir, config, log=print):
    """``mnist_loader.load_data``'s three splits, built from the IDX files.

    Images come back float32 [N, 784] scaled as ``config.pixels`` says,
    labels one-hot float64 [N, 10] (network.py's vectorized_result); the raw
    bytes and digit labels too, for the baselines (the training bytes all
    50 000 of them: the darkness baseline is fitted on the book's training
    set, not on --train_size's part of it).
    """
    sets = mnist.read_data_sets(data_dir, one_hot=False, dtype=np.uint8, reshape=True, log=log)
    scale = np.float32(PIXELS[config.pixels])
    # TF1's split put the first 5000 training images in validation: rejoin them
    # into the file's order (bytes, unscaled: dtype=uint8 keeps them, as in TF1).
    images = np.concatenate([sets.validation.images, sets.train.images])
    labels = np.concatenate([sets.validation.labels, sets.train.labels])
    test_images, test_labels = sets.test.images, sets.test.labels

    def pixels(raw):
        return raw.astype(np.float32) / scale

    def one_hot(lab):
        return mnist.dense_to_one_hot(lab, 10)

    lo, hi = VALIDATION
    n = config.train_size
    return Data(train_x=pixels(images[:n]), train_y=one_hot(labels[:n]),
                validation_x=pixels(images[lo:hi]), validation_y=one_hot(labels[lo:hi]),
                test_x=pixels(test_images), test_y=one_hot(test_labels),
                # The darkness baseline is the book's, fitted on all 50 000
                # training images whatever --train_size trains on.
                train_bytes=images[:TRAIN_SIZE], train_labels=labels[:TRAIN_SIZE],
                test_bytes=test_images, test_labels=test_labels)


def nielsen_start(config):
    """network.py's ``Network([784, hidden, 10])`` after ``np.random.seed(seed)``.

    Returns the graph's layout (w_1 [784, hidden] ...): network.py draws
    ``biases = [randn(y, 1) ...]`` and then ``weights = [randn(y, x) ...]``
    (its column layout, transposed here).
    """
    rng_state = np.random.get_state()
    np.random.seed(config.seed)
    sizes = [784, config.hidden, 10]
    biases = [np.random.randn(y, 1) for y in sizes[1:]]
    weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]
    np.random.set_state(rng_state)
    return {"w_1": weights[0].T, "b_1": biases[0].T, "w_2": weights[1].T, "b_2": biases[1].T}


def epoch_plans(config):
    """Every epoch's mini-batches as network.py draws them after ``random.seed(seed)``.

    network.py keeps one list ``training_data``, shuffles it in place at the
    start of every epoch (so each shuffle permutes the previous order) and
    slices it into mini-batches of ``mini_batch_size``; ``random.shuffle``
    draws the same swaps for a list of indices as for a list of images.
    Returns a list, per epoch, of index arrays (the last possibly shorter).
    """
    rng = random.Random(config.seed)
    order = list(range(config.train_size))
    plans = []
    m = config.batch_size
    for _ in range(config.epochs):
        rng.shuffle(order)
        arr = np.array(order, dtype=np.int32)
        plans.append([arr[k:k + m] for k in range(0, len(arr), m)])
    return plans


# ---------------------------------------------------------------------------
# The graph: post 002's ops with the book's step rule
# ---------------------------------------------------------------------------

def book_step_values(t, w_1, b_1, w_2, b_2, eta_over_m):
    """network.py's update: every parameter moves by (eta / m) times its batch-summed gradient."""
    return [
        tf.subtract(w_1, tf.multiply(eta_over_m, t["d_w_1"])),
        tf.subtract(b_1, tf.multiply(eta_over_m, tf.reduce_sum(t["d_b_1"], axis=[0]))),
        tf.subtract(w_2, tf.multiply(eta_over_m, t["d_w_2"])),
        tf.subtract(b_2, tf.multiply(eta_over_m, tf.reduce_sum(t["d_b_2"], axis=[0]))),
    ]


def build_epoch_graph(config, num_full, tail):
    """One epoch in one ``Session.run``: the full mini-batches, then a shorter one if any.

    Returns the graph and its handles.  The training images live in a
    variable (float32, loaded once); each step gathers its batch by the plan
    and casts it to float64, which is what NumPy does with network.py's
    float32 pixels and float64 weights.
    """
    graph = tf.Graph()
    f64 = tf.float64
    m = config.batch_size
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        images_in = tf1.placeholder(tf.float32, [config.train_size, 784], name="train_images_in")
        labels_in = tf1.placeholder(f64, [config.train_size, 10], name="train_labels_in")
        images = tf1.Variable(images_in, trainable=False, name="train_images", use_resource=False)
        labels = tf1.Variable(labels_in, trainable=False, name="train_labels", use_resource=False)
        test_x = tf1.placeholder(tf.float32, [None, 784], name="test_images")
        test_y = tf1.placeholder(f64, [None, 10], name="test_labels")
        names = ("w_1", "b_1", "w_2", "b_2")
        shapes = ([784, config.hidden], [1, config.hidden], [config.hidden, 10], [1, 10])
        variables = [tf1.Variable(tf.zeros(s, f64), name=n, use_resource=False)
                     for n, s in zip(names, shapes)]
        plan = tf1.placeholder(tf.int32, [num_full, m], name="batch_plan")
        tail_plan = tf1.placeholder(tf.int32, [tail], name="tail_plan")

        def step(idx, weights, batch_len):
            a_0 = tf.cast(tf.gather(images, idx), f64)
            y = tf.gather(labels, idx)
            t = forward_backward(a_0, y, *weights)
            eta_over_m = tf.constant(config.eta / batch_len, dtype=f64, name="eta_over_m")
            return book_step_values(t, *weights, eta_over_m)

        def loop_over(first, last, unroll, weights):
            def body(i, *weights):
                weights = list(weights)
                for u in range(unroll):
                    weights = step(plan[i + u], weights, m)
                return [i + unroll] + weights

            out = tf1.while_loop(lambda i, *_: i < last, body, [tf.constant(first)] + weights,
                                 back_prop=False)
            return list(out[1:])

        weights = [tf.identity(v) for v in variables]
        full = num_full - num_full % UNROLL
        if full:
            weights = loop_over(0, full, UNROLL, weights)
        if full < num_full:
            weights = loop_over(full, num_full, 1, weights)
        if tail:
            weights = step(tail_plan, weights, tail)
        train_epoch = tf.group(*[tf1.assign(v, w) for v, w in zip(variables, weights)])

        a_2 = forward_backward(tf.cast(test_x, f64), test_y, *variables)["a_2"]
        count = accuracy(a_2, test_y)[1]
        init = tf1.global_variables_initializer()
    graph.finalize()
    return graph, dict(images_in=images_in, labels_in=labels_in, test_x=test_x, test_y=test_y,
                       variables=dict(zip(names, variables)), plan=plan, tail_plan=tail_plan,
                       train_epoch=train_epoch, count=count, init=init)


def train(config, data, emit=print, on_epoch=None, initial_weights=None, plans=None):
    """network.py's ``SGD(training_data, epochs, 10, eta, test_data=test_data)`` on the graph.

    ``emit`` gets each transcript line (``Epoch 0: 9129 / 10000``);
    ``on_epoch(j, count, weights)`` is called after each epoch.  Returns the
    per-epoch counts, the count before training, and the initial and final
    weights.
    """
    config.validate()
    plans = epoch_plans(config) if plans is None else plans
    start = nielsen_start(config) if initial_weights is None else initial_weights
    m = config.batch_size
    num_full, tail = config.train_size // m, config.train_size % m
    graph, h = build_epoch_graph(config, num_full, tail)
    n_test = len(data.test_x)
    test_feed = {h["test_x"]: data.test_x, h["test_y"]: data.test_y}
    counts = []
    with tf1.Session(graph=graph, config=session_config(config.threads, rewrites=True)) as sess:
        sess.run(h["init"], {h["images_in"]: data.train_x, h["labels_in"]: data.train_y})
        for name, var in h["variables"].items():
            var.load(np.asarray(start[name], dtype=np.float64), sess)
        untrained = int(round(float(sess.run(h["count"], test_feed))))
        for j, batches in enumerate(plans):
            feed = {h["plan"]: np.stack(batches[:num_full])}
            if tail:
                feed[h["tail_plan"]] = batches[-1]
            sess.run(h["train_epoch"], feed)
            count = int(round(float(sess.run(h["count"], test_feed))))
            counts.append(count)
            emit(f"Epoch {j}: {count} / {n_test}")
            if on_epoch is not None:
                on_epoch(j, count, sess.run(h["variables"]))
        final = sess.run(h["variables"])
    return {"counts": counts, "untrained_count": untrained, "initial_weights": start,
            "final_weights": final}


# ---------------------------------------------------------------------------
# The baselines
# ---------------------------------------------------------------------------

def darkness_count(train_bytes, train_labels, test_bytes, test_labels):
    """mnist_average_darkness.py: guess the digit whose mean darkness is nearest.

    Darkness is an image's pixel sum; sums of bytes are exact, and the
    nearest mean does not change when every pixel is scaled alike.
    """
    train_dark = train_bytes.astype(np.int64).sum(axis=1)
    avgs = np.array([train_dark[train_labels == d].sum() / np.sum(train_labels == d)
                     for d in range(10)])
    test_dark = test_bytes.astype(np.int64).sum(axis=1)
    guesses = np.argmin(np.abs(test_dark[:, None] - avgs[None, :]), axis=1)
    return int(np.sum(guesses == test_labels))


def random_count(test_labels, seed):
    """Uniform random guesses (a generator of their own, so network.py's draws are untouched)."""
    guesses = np.random.RandomState(seed).randint(0, 10, size=len(test_labels))
    return int(np.sum(guesses == test_labels))


def svm_count(data):
    """The chapter's SVM baseline (``src/mnist_svm.py``): test images right of 10 000.

    ``svm.SVC()`` fitted on the training images and labels as mnist_loader
    gives them, then ``predict`` on the test images.  The book ran the
    scikit-learn of 2015, whose default ``gamma`` was 1 / n_features; since
    scikit-learn 0.22 the default is ``"scale"``, so ``gamma="auto"`` keeps
    the book's kernel.  libsvm's solver has no random draws here (no
    probability estimates), so the count is a property of the data.
    scikit-learn is an optional extra (``pip install -e ".[svm]"``).
    """
    sklearn_version()
    from sklearn import svm
    clf = svm.SVC(gamma="auto")
    n = len(data.train_x)
    clf.fit(data.train_x, data.train_labels[:n])
    return int(np.sum(clf.predict(data.test_x) == data.test_labels))


def sklearn_version():
    try:
        import sklearn
    except ImportError:
        raise UsageError("--svm needs scikit-learn, the optional extra: pip install -e \".[svm]\"")
    return sklearn.__version__
