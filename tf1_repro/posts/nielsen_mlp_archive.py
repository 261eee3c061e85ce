"""Post 002, what the archive adds to it: the in-graph loop, the seed study, the run's figures.

The post's own code (its graph and its feed loop, op for op, with the
header that says what changed from the post and why) is
tf1_repro/posts/nielsen_mlp.py; nothing here is in the post.  This module
builds on it and never changes it: every graph below opens with the post's
ops (:func:`post.opening`) and trains with its step (:func:`post.forward_backward`
and :func:`post.step_values`), so each addition computes the post's bits.

What it adds
------------
* ``--loop=graph``: the same steps inside one ``Session.run``
  (:func:`loop_in_graph`, :func:`train_graph_loop`, :func:`build_graph_loop`
  for benchmarks/bench_nielsen.py), on the mini-batches the post's loop
  would draw (:func:`batch_plan`).  Its counts and weights equal the feed
  loop's bit for bit with the archive's defaults (tests/test_nielsen_mlp.py,
  golden ``nielsen_mlp_graph_loop``); with oneDNN kernels on
  (``TF_ENABLE_ONEDNN_OPTS=1``) the two loops part after a few hundred
  steps.
* ``--loop=graph --xla``: that loop, all its steps and counts, compiled by
  XLA as one computation (:func:`loop_compiled`).  What ``--xla`` did before
  (XLA auto-clustering of the session) compiled nothing of the TF1 while
  loop and was no faster; compiled whole, a seed costs about a quarter less
  CPU time, as another kernel family: its own bits, the default family's
  distribution of counts over seeds
  (benchmarks/bench_xla_distribution.py), and a seed study with ``--xla``
  whose every seed equals the single run ``--loop=graph --xla`` with it.
* The seed study (``--seeds=N``): the post drew its weights unseeded, so its
  claims are judged on the distribution over seeds.  :func:`study_seed` is
  one seed (run by tf1_repro/study.py in worker processes, which find it by
  its module path), :class:`StudyLoop` the in-graph loop a worker reuses for
  all its seeds, :func:`seed_study` the study, :func:`summarise_runs` and
  :func:`seed_study_figures` its figures.
* :func:`run`: one run of tf1_repro/runs/nielsen_mlp.py, with its figures
  and their tolerances on a kernel family the golden does not hold
  (:func:`figures`, judged against the seed studies of :data:`SEED_STUDIES`).
"""
import dataclasses
import functools
import os
import time

import numpy as np
import tensorflow as tf

from tf1_repro import families, mnist, study
from tf1_repro.claims.nielsen_mlp import BAND_923, COUNT_923, PUBLISHED_COUNTS
from tf1_repro.graph_session import fingerprint, new_session, seed_everything, session_config
from tf1_repro.posts import nielsen_mlp as post

tf1 = tf.compat.v1

UNROLL = 10  # steps per while-loop iteration of --loop=graph


# ---------------------------------------------------------------------------
# --loop=graph: the post's loop inside the graph
# ---------------------------------------------------------------------------

def batch_plan(config, train_set):
    """The index of every mini-batch the post's loop would draw, in order: [steps, batch].

    Replays ``next_batch`` from a restarted DataSet after seeding NumPy as
    the post's loop (:func:`post.train`) does, so the RNG calls, and so the
    batches, are the same.
    """
    seed_everything(config.seed)
    ds = train_set.restarted(config.seed)
    return np.stack([ds.next_batch_indices(config.batch_size) for _ in range(config.steps)])


def loop_in_graph(config, images, labels, plan_t, weights, test_x, test_y, num_steps=None):
    """The post's training loop as graph ops: the final weights and the counts, as tensors.

    Loop-carried tensors hold ``w_1, b_1, w_2, b_2``, starting from
    ``weights``; each step gathers its mini-batch from ``images`` and
    ``labels`` (the training set in file order) by the indices in ``plan_t``
    (:func:`batch_plan`) and applies the post's :func:`post.forward_backward`
    and update (:func:`post.step_values`, the same ops as the assigns'
    right-hand sides).  An outer ``tf.while_loop`` runs one segment per count the post
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
        return post.step_values(post.forward_backward(a_0, y, *weights), *weights, eta)

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
            a_2 = post.forward_backward(test_images, test_labels, *weights)["a_2"]
            count = post.accuracy(a_2, test_labels)[1]
            return tf.tensor_scatter_nd_update(counts, [[k]], [count])

        counts = tf.cond(k < num_checkpoints, evaluate, lambda: counts)
        return [k + 1] + weights + [counts]

    out = tf1.while_loop(lambda k, *_: k <= num_checkpoints, segment,
                         [tf.constant(0)] + list(weights) + [tf.fill([num_checkpoints], -1.0)],
                         back_prop=False)
    return out[1:5], out[5]


def loop_compiled(config, images, labels, plan_t, weights, test_x, test_y, num_steps=None):
    """``--xla``: :func:`loop_in_graph`, all steps and counts, compiled by XLA as one computation.

    The same loop (the post's :func:`post.forward_backward` and
    :func:`post.step_values` on the batches of ``plan_t``, the counts by
    :func:`post.accuracy`) inside a ``tf.function(jit_compile=True)`` that
    the TF1 graph calls like any op: XLA compiles the whole of it, loops
    included, for the plan's shape on the first ``Session.run`` and reuses
    the compiled code on every later run of the same shape.  XLA's
    auto-clustering (``global_jit_level``, what ``--xla`` turned on before)
    leaves TF1 while loops to TensorFlow, so it compiled nothing of this loop
    and was no faster.  Compiled whole, a step costs about a quarter less
    than ``--loop=graph``'s (benchmarks/bench_nielsen.py, variant
    ``graph_xla``; a seed study of 200 seeds by benchmarks/bench_study.py,
    the two run back to back: 0.64 s of CPU a seed with ``--xla``, 0.84 s
    without, benchmarks/study_xla.json and benchmarks/study_beside_xla.json),
    still two to three times the
    arithmetic floor: XLA's CPU code runs each of a step's five small
    matrix products as a call of its own.  XLA fuses and orders the
    arithmetic its own way, so this is another kernel family: other bits
    from the first steps on, the same distribution
    of counts over seeds (benchmarks/bench_xla_distribution.py); equal
    commands give equal bits, and a seed study with ``--xla`` gives each
    seed the bits of the single run ``--loop=graph --xla`` with that seed.
    The number of steps is the plan's row count (``num_steps`` is ignored:
    each row count compiles once).  Same arguments and returns as
    :func:`loop_in_graph`.
    """
    del num_steps  # the plan's shape, static to XLA

    @tf.function(jit_compile=True, autograph=False)
    def whole_loop(images, labels, plan, w_1, b_1, w_2, b_2):
        weights, counts = loop_in_graph(config, images, labels, plan, [w_1, b_1, w_2, b_2],
                                        test_x, test_y, num_steps=tf.shape(plan)[0])
        return weights, counts

    # tf.identity: a reference variable (the resident training set) enters as its value.
    weights, counts = whole_loop(tf.identity(images), tf.identity(labels), plan_t, *weights)
    return list(weights), counts


def training_loop(config):
    """The in-graph loop ``config`` asks for: :func:`loop_compiled` with ``--xla``, else :func:`loop_in_graph`."""
    return loop_compiled if config.xla else loop_in_graph


def loop_session_config(config):
    """The in-graph loop's session: Grappler's rewrites but constant folding.

    With ``--xla`` the session is the same: the loop is compiled because it
    is a ``jit_compile`` function (:func:`loop_compiled`), not by clustering.
    """
    return session_config(config.threads, rewrites=True)


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
        images_in, labels_in, variables = post.opening(config, dtype, (train_shape, labels_shape),
                                                       ("train_images", "train_labels"))
        images = tf1.Variable(images_in, trainable=False, collections=[], use_resource=False,
                              name="resident_train_images")
        labels = tf1.Variable(labels_in, trainable=False, collections=[], use_resource=False,
                              name="resident_train_labels")
        plan_t = tf1.placeholder(tf.int32, [None, config.batch_size], name="batch_plan")
        weights, counts = training_loop(config)(config, images, labels, plan_t,
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
    weights under ``--threads=1`` (see "Determinism" in the header of
    tf1_repro/posts/nielsen_mlp.py), which is what a loop-carried tensor
    gives, so the counts equal those of the post's loop, :func:`post.train`,
    bit for bit (tests/test_nielsen_mlp.py).  Returns the same dictionary as
    :func:`post.train`.
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
        images, labels, variables = post.opening(config, dtype, (train_x.shape, train_y.shape),
                                                 ("train_images", "train_labels"))
        plan_t = tf1.placeholder(tf.int32, plan.shape, name="batch_plan")
        weights, counts = training_loop(config)(config, images, labels, plan_t,
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


# ---------------------------------------------------------------------------
# A run's figures
# ---------------------------------------------------------------------------

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
    same = dataclasses.replace(post.Config(steps=10000, mode=config.mode), seed=config.seed,
                               threads=config.threads, loop=config.loop, xla=config.xla)
    return SEED_STUDIES[config.mode] if same == config else None


# ---------------------------------------------------------------------------
# The seed study
# ---------------------------------------------------------------------------

def draw_initial_weights(config):
    """The weights ``w_1, b_1, w_2, b_2`` that ``--seed=config.seed`` starts from.

    Drawn in a graph of the post's opening alone (:func:`post.opening` after
    ``tf.set_random_seed``): each truncated normal gets the op seed it gets in
    the post's graph, so it draws the same values, without the rest of the
    graph being built.
    """
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        _, _, variables = post.opening(config, tf.as_dtype(config.dtype))
        draws = [v.initial_value for v in variables]
    graph.finalize()
    with new_session(graph, config.threads) as sess:
        return sess.run(draws)


def study_in_graph(config):
    """Whether a study may run ``config``'s seeds in :class:`StudyLoop`, bit for bit.

    The in-graph loop computes the feed loop's steps to the same bits with
    the archive's deterministic settings (tests/test_nielsen_mlp.py): the
    manual update list, ``--threads=1`` and oneDNN off.  With oneDNN on the
    two loops part after a few hundred steps, and a thread pool makes the
    feed loop race; those studies run each seed's own program instead.
    With ``--xla`` (which needs ``--loop=graph``) the single run is the
    compiled loop itself (:func:`loop_compiled`), which oneDNN does not
    touch, and a :class:`StudyLoop` holds the same compiled loop, so under
    ``--threads=1`` its seeds are the single runs' bits.
    """
    if config.mode != "manual" or config.threads != 1:
        return False
    return config.xla or os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0"


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
    ``--seed=seed`` (tests/test_nielsen_mlp.py, tests/test_study.py).  With
    ``--xla`` the loop is :func:`loop_compiled`, as in the single run
    ``--loop=graph --xla``: XLA compiles it on the worker's first seed (two
    to three seconds) and every later seed reuses the compiled code.
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
            self.weights, self.counts = training_loop(config)(
                config, images, labels, self.plan, self.start,
                data.test.images[:config.eval_size].astype(cast),
                data.test.labels[:config.eval_size].astype(cast))
        graph.finalize()
        self.session = tf1.Session(graph=graph, config=loop_session_config(config))
        self.session.run([images.initializer, labels.initializer],
                         {images_in: train_x.astype(cast, copy=False),
                          labels_in: train_y.astype(cast, copy=False)})

    def run(self, config, train_set):
        """Train from ``config.seed``'s start on its batches; the dictionary of :func:`post.train`."""
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
    return post.load_data(data_dir, post.Config(batch_order=batch_order), log=lambda *_: None)


def _study_loop(config, data_dir):
    """This process's StudyLoop for ``config`` with any seed, built on first use."""
    key = dataclasses.asdict(dataclasses.replace(config, seed=0))
    return _study_loop_for(tuple(sorted(key.items())), data_dir)


@functools.lru_cache(maxsize=1)
def _study_loop_for(items, data_dir):
    config = post.Config(**dict(items))
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
    cfg = post.Config(**dict(config, seed=seed))
    data = _study_data(data_dir, cfg.batch_order)
    fresh_train = data.train.restarted(seed)
    if study_in_graph(cfg):
        return {"counts": _study_loop(cfg, data_dir).run(cfg, fresh_train)["counts"]}
    fresh = mnist.Datasets(train=fresh_train, validation=data.validation, test=data.test)
    trainer = train_graph_loop if cfg.loop == "graph" else post.train
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


# ---------------------------------------------------------------------------
# One run
# ---------------------------------------------------------------------------

def run(config, data_dir, emit=print, log=print, writer_dir=None):
    """Load the data, train, and return the results dictionary (no files written).

    ``--loop=feed`` (the default) trains in the post's loop, :func:`post.train`;
    ``--loop=graph`` in :func:`train_graph_loop`.
    """
    config.validate()
    t0 = time.time()
    data = post.load_data(data_dir, config, log=log)
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
        out = post.train(config, data, emit=emit, on_checkpoint=on_checkpoint)
    figs, tolerances = figures(config, out["counts"])
    return {
        "figures": figs,
        "tolerances": tolerances,
        "checkpoints": checkpoints(config),
        "wall_time_s": time.time() - t0,
        "fingerprint": fingerprint(config.threads, xla=config.xla),
        "summary": summary,
    }
