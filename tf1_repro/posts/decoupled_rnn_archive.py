"""Posts 000/001, what the archive adds to them: the oracles against the true gradient, what the reads see, the side-by-side run, the seed study, the run's figures.

The post's own code (its graph, its data and its training and test loops,
op for op, with the header that says what changed from the post and why) is
tf1_repro/posts/decoupled_rnn.py; nothing here is in the post.  This module
builds on it and never changes it: every run below trains in the post's
loop (:func:`post.train`) on the post's graph (:func:`post.build_graph`),
and what it adds to that graph comes after the post's ops (after every
random op, so the seeds stay the post's) and is never fetched with a
training step, so each addition leaves the post's bits as they are
(tests/test_decoupled_rnn.py; every golden is unchanged).

What it adds
------------
* Which variables the cost reaches through ``tf.gradients``
  (:func:`gradient_receivers`): under ``--mode=autodiff`` only
  ``hidden_states`` and ``W_fc`` (the post's module doc says why); every run
  reports the list.
* The oracles against the true gradient (:func:`oracle_probe`,
  :func:`measure_oracles`, :func:`agreement`): per epoch, how close each
  oracle's synthetic gradient comes to the true gradient of the cost with
  respect to its hidden state (cosine similarity and relative error, over
  the training images, in the unrolled two-step network of the NumPy post
  with this image's own states, at the weights of the end of the epoch;
  ``oracle_quality``, ``--oracle_quality``).  :func:`train` is the post's
  loop with both measurements.
* Which value each unordered read sees (:func:`probe_read_semantics`,
  :func:`read_semantics`): reported per run under ``read_semantics``.
* ``--side_by_side`` (:func:`other_mode`, :func:`side_by_side_figures`): the
  other mode from the same start, for the post's cost figure with both
  curves and for its comparative claim.
* The seed study (``--seeds=N``): the post's weights were unseeded, so its
  claims are judged over seeds.  :func:`study_seed` is one seed (run by
  tf1_repro/study.py in worker processes, which find it by its module
  path), :func:`seed_study` the study, :func:`seed_study_figures` its
  figures.
* :func:`run`: one run of tf1_repro/runs/decoupled_rnn.py, with its figures
  and their tolerances on a kernel family the golden does not hold
  (:func:`figures`).
"""
import dataclasses
import time

import numpy as np
import tensorflow as tf

from tf1_repro import families, study
from tf1_repro.claims.decoupled_rnn import TRAINS
from tf1_repro.graph_session import fingerprint, new_session
from tf1_repro.posts import decoupled_rnn as post

tf1 = tf.compat.v1

# The epochs (0-based, as printed) whose cost a golden pins.
GOLDEN_EPOCHS = (0, 9, 49, 99)


# ---------------------------------------------------------------------------
# What the archive measures around the post's loop
# ---------------------------------------------------------------------------

def gradient_receivers(t):
    """The variables the cost reaches through ``tf.gradients`` (autodiff's view), by name.

    Adds the gradient ops to the graph of ``t`` (call it inside that graph).
    """
    trainables = [t["W_x"], t["W_rec"], t["W_fc"], t["W_sg_1"], t["W_sg_2"], t["hidden_states"]]
    pairs = tf1.train.GradientDescentOptimizer(1.0).compute_gradients(t["cost"], trainables)
    return sorted(v.op.name for g, v in pairs if g is not None)


def oracle_probe(t):
    """Synthetic and true gradients of a batch, in the unrolled two-step network.

    Reads the variables of ``t`` only (never fetched with an assign).  Each
    row's cost depends only on that row, so ``tf.gradients`` of the summed
    cost gives every image's own gradient with respect to its h1 and h2.
    """
    dtype = t["x"].dtype
    hidden_states, W_x, W_rec, W_fc = t["hidden_states"], t["W_x"], t["W_rec"], t["W_fc"]
    px = tf1.placeholder(dtype, [None, 784], name="probe_x")
    py = tf1.placeholder(dtype, [None, 1], name="probe_y")
    ph0 = tf.expand_dims(hidden_states[:, 0], axis=0)
    _, ph1 = post.time_box(px, ph0, W_x, W_rec)
    _, ph2 = post.time_box(px, ph1, W_x, W_rec)
    _, pl3A = post.classifier(ph2, W_fc)
    pcost = tf.reduce_sum(post.cost_of(pl3A, py))
    true_1, true_2 = tf.gradients(pcost, [ph1, ph2])
    return dict(x=px, y=py, g1=tf.matmul(ph1, t["W_sg_1"]), g2=tf.matmul(ph2, t["W_sg_2"]),
                true_1=true_1, true_2=true_2, cost=pcost)


def add_measurements(t):
    """Add :func:`gradient_receivers` and :func:`oracle_probe` to the post's graph, in ``t``."""
    t["gradient_receivers"] = gradient_receivers(t)
    t["probe"] = oracle_probe(t)


def agreement(g, true):
    """Mean cosine similarity and mean relative error ||g - true|| / ||true|| over rows."""
    g = np.asarray(g, dtype=np.float64)
    true = np.asarray(true, dtype=np.float64)
    gn = np.linalg.norm(g, axis=1)
    tn = np.linalg.norm(true, axis=1)
    tiny = np.finfo(np.float64).tiny
    cos = np.sum(g * true, axis=1) / np.maximum(gn * tn, tiny)
    rel = np.linalg.norm(g - true, axis=1) / np.maximum(tn, tiny)
    return float(np.mean(cos)), float(np.mean(rel))


def measure_oracles(sess, probe, images, labels):
    """{"oracle_1": {"cosine", "rel_error"}, "oracle_2": {...}} on these images."""
    g1, g2, t1, t2 = sess.run([probe["g1"], probe["g2"], probe["true_1"], probe["true_2"]],
                              feed_dict={probe["x"]: images, probe["y"]: labels})
    out = {}
    for name, g, tr in (("oracle_1", g1, t1), ("oracle_2", g2, t2)):
        cos, rel = agreement(g, tr)
        out[name] = {"cosine": cos, "rel_error": rel}
    return out


def train(config, train_images, train_labels, test_images, test_labels, emit=print,
          log=None, initial_weights=None, measure=None):
    """The post's training and test loops (:func:`post.train`) with the archive's measurements.

    Returns what :func:`post.train` returns, plus ``gradient_receivers`` and
    ``oracle_quality``.  ``log`` receives a diagnostic line per epoch.
    ``measure`` (images, labels) are the images the oracle probe uses after
    every epoch (and before the first); None skips the probe.
    """
    quality = []

    def on_epoch(i, total_cost, sess, t):
        if measure is not None:
            quality.append(measure_oracles(sess, t["probe"], *measure))
        if i is None or log is None:
            return
        extra = ""
        if quality:
            q = quality[-1]
            extra = (f", oracle cosine {q['oracle_1']['cosine']:.3f} / "
                     f"{q['oracle_2']['cosine']:.3f}")
        log(f"epoch {i}: cost {total_cost:.6g}{extra}")

    receivers = []

    def add_to_graph(t):
        add_measurements(t)
        receivers.extend(t["gradient_receivers"])

    out = post.train(config, train_images, train_labels, test_images, test_labels, emit=emit,
                     initial_weights=initial_weights, add_to_graph=add_to_graph, on_epoch=on_epoch)
    return dict(out, oracle_quality=quality, gradient_receivers=receivers)


# ---------------------------------------------------------------------------
# Which value each unordered read sees
# ---------------------------------------------------------------------------

def read_semantics(before, after_values, t_values):
    """Which value each unordered read saw in one training run: "before" or "after" it.

    ``before``/``after_values`` hold the variables around the run; ``t_values``
    the fetched reads (h1 and h2 as read by time box 2 and the classifier).
    """
    def which(seen, old, new):
        if np.array_equal(seen, old):
            return "before the run (previous image)"
        if np.array_equal(seen, new):
            return "written in this run"
        return "neither"
    return {
        "time box 2 reads h1": which(t_values["h1"], before["hidden_states"][:, 1],
                                     after_values["hidden_states"][:, 1]),
        "classifier reads h2": which(t_values["h2"], before["hidden_states"][:, 2],
                                     after_values["hidden_states"][:, 2]),
    }


def probe_read_semantics(config, images, labels, steps=3):
    """Run ``steps`` training images of ``config``'s graph, fetching the reads too.

    Returns, per step, which value time box 2's read of h1 and the
    classifier's read of h2 saw (see :func:`read_semantics`).  Fetching the
    reads adds only fetch nodes, so the schedule of the compute ops stays the
    one of a plain training run.
    """
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        t = post.build_graph(config)
        init = tf1.global_variables_initializer()
    graph.finalize()
    out = []
    with new_session(graph, config.threads) as sess:
        sess.run(init)
        for k in range(steps):
            feed = {t["x"]: images[k:k + 1], t["y"]: labels[k:k + 1]}
            before = {"hidden_states": sess.run(t["hidden_states"])}
            _, _, _, h1, h2 = sess.run([t["cost"], t["train_step"], t["h_update_ops"], t["h1"], t["h2"]],
                                       feed_dict=feed)
            after = {"hidden_states": sess.run(t["hidden_states"])}
            out.append(read_semantics(before, after, {"h1": h1.ravel(), "h2": h2.ravel()}))
    return out


# ---------------------------------------------------------------------------
# A run's figures, and the other mode beside it
# ---------------------------------------------------------------------------

def figures(config, out):
    """The named figures of one run and their tolerances (the claims: tf1_repro/claims/decoupled_rnn.py)."""
    costs = out["costs"]
    figs = {}
    for e in GOLDEN_EPOCHS:
        if e < len(costs):
            figs[f"cost_epoch_{e}"] = costs[e]
    figs["cost_last_over_first"] = costs[-1] / costs[0] if costs[0] else None
    figs["test_outputs"] = out["test_outputs"]
    figs["test_rounded"] = out["test_rounded"]
    figs["correct"] = out["correct"]
    figs["gradient_receivers"] = out["gradient_receivers"]
    if out["oracle_quality"]:
        last = out["oracle_quality"][-1]
        for name in ("oracle_1", "oracle_2"):
            figs[f"{name}_cosine_final"] = last[name]["cosine"]
            figs[f"{name}_rel_error_final"] = last[name]["rel_error"]

    tolerances = {f"cost_epoch_{e}": {"other_env": {"rtol": 0.05}} for e in GOLDEN_EPOCHS}
    tolerances.update({
        "cost_last_over_first": {"other_env": {"rtol": 0.05}},
        "test_outputs": {"other_env": {"atol": 0.05}},
        # The post's rounding of test_outputs (judged by its own band).
        "test_rounded": {"other_env": {"follows": {"figure": "test_outputs", "how": "round"}}},
        "correct": {"other_env": {"atol": 1}},
        "gradient_receivers": {"other_env": {"atol": 0}},
        "oracle_1_cosine_final": {"other_env": {"atol": 0.02}},
        "oracle_2_cosine_final": {"other_env": {"atol": 0.02}},
        "oracle_1_rel_error_final": {"other_env": {"rtol": 0.05}},
        "oracle_2_rel_error_final": {"other_env": {"rtol": 0.05}},
    })
    return figs, tolerances


def other_mode(config):
    """The same run in the other mode (same seed: same data and initial weights)."""
    return dataclasses.replace(config, mode=post.MODES[1 - post.MODES.index(config.mode)])


def side_by_side_figures(config, result, other_result):
    """Figures comparing manual and autodiff runs on the same data from the same start.

    The post's claim that autodiff "did not do so well on the test images"
    is comparative: fewer of the 20 test images right than manual back-prop.
    """
    by_mode = {config.mode: result, other_mode(config).mode: other_result}
    manual, auto = by_mode["manual"]["figures"], by_mode["autodiff"]["figures"]
    figs = {"manual_correct": manual["correct"], "autodiff_correct": auto["correct"],
            "autodiff_minus_manual_correct": auto["correct"] - manual["correct"]}
    tolerances = {k: {"other_env": {"atol": 1}} for k in ("manual_correct", "autodiff_correct")}
    tolerances["autodiff_minus_manual_correct"] = {"other_env": {"atol": 2}}
    return {"figures": figs, "tolerances": tolerances}


# ---------------------------------------------------------------------------
# The seed study
# ---------------------------------------------------------------------------

def study_seed(config, data_dir, seed):
    """Seed ``seed`` of the study: both modes from the post's program with that seed.

    Its data split and its weights, for manual back-prop and for autodiff
    from the same start, so the row equals the single runs ``--seed=S`` and
    ``--seed=S --mode=autodiff`` (tests/test_decoupled_rnn_script.py): the
    post's loop alone, without the measurements of :func:`train`, which
    change no bit.  ``config`` is the script's configuration as a dict.
    """
    cfg = post.Config(**dict(config, seed=seed))
    images, labels = post.load_pool(data_dir, seed, log=lambda *_: None)
    test_images, test_labels, train_images, train_labels = post.split(
        images, labels, cfg.num_test, cfg.num_train)
    row = {"seed": seed}
    for mode in post.MODES:
        out = post.train(dataclasses.replace(cfg, mode=mode), train_images, train_labels,
                         test_images, test_labels, emit=lambda _: None)
        row[f"{mode}_correct"] = out["correct"]
        row[f"{mode}_cost_ratio"] = out["costs"][-1] / out["costs"][0]
    return row


def seed_study(config, data_dir, seeds, **runner):
    """Both claims over ``seeds`` seeds: does manual back-prop train, does autodiff do worse?

    Seed S is the post's program with seed S (``--seed=S``, :func:`study_seed`).
    The post's own seed was 678; its weights were unseeded (a new graph
    without a graph seed), so the seed study, not one run, is what its
    claims are judged on.  ``runner``: the keywords of
    :func:`tf1_repro.study.run_seeds` (workers, dask_scheduler, progress).
    """
    config.validate()
    return study.run_seeds(
        study_seed, dataclasses.asdict(config), data_dir, range(config.seed, config.seed + seeds),
        describe=lambda r: (f"manual {r['manual_correct']}, autodiff {r['autodiff_correct']} of "
                            f"{config.num_test} right, manual cost ratio {r['manual_cost_ratio']:.3f}"),
        **runner)


def seed_study_figures(config, rows):
    """Figures and the claims as statistics over seeds (see :func:`seed_study`)."""
    n = len(rows)
    manual = [r["manual_correct"] for r in rows]
    auto = [r["autodiff_correct"] for r in rows]
    figs = {
        "seeds": [r["seed"] for r in rows],
        "manual_correct": manual,
        "autodiff_correct": auto,
        "manual_cost_ratio": [r["manual_cost_ratio"] for r in rows],
        "share_manual_trains": sum(r["manual_cost_ratio"] <= TRAINS["max"] for r in rows) / n,
        "share_autodiff_worse": sum(a < m for a, m in zip(auto, manual)) / n,
        "mean_autodiff_minus_manual": float(np.mean(np.subtract(auto, manual))),
    }
    rule = families.study_rule
    differences = np.subtract(auto, manual)
    tolerances = {"seeds": rule("exact", n), "manual_correct": rule("per_seed", n),
                  "autodiff_correct": rule("per_seed", n), "manual_cost_ratio": rule("per_seed", n),
                  "share_manual_trains": rule("share", n), "share_autodiff_worse": rule("share", n),
                  "mean_autodiff_minus_manual": rule(
                      "mean", n, float(np.std(differences, ddof=1)) if n > 1 else 0.0)}
    return figs, tolerances


# ---------------------------------------------------------------------------
# One run
# ---------------------------------------------------------------------------

def run(config, data_dir, emit=print, log=print, diag=None, measure_oracles_every_epoch=True):
    """Load the pool, train, test; return the results dictionary (no files written).

    ``log`` receives the loader's ``Extracting ...`` lines (the post's
    transcript), ``diag`` the per-epoch diagnostics.
    """
    config.validate()
    t0 = time.time()
    images, labels = post.load_pool(data_dir, config.seed, log=log)
    test_images, test_labels, train_images, train_labels = post.split(
        images, labels, config.num_test, config.num_train)
    measure = (train_images, train_labels) if measure_oracles_every_epoch else None
    out = train(config, train_images, train_labels, test_images, test_labels,
                emit=emit, log=diag, measure=measure)
    semantics = probe_read_semantics(config, train_images, train_labels)
    figs, tolerances = figures(config, out)
    return {
        "figures": figs,
        "tolerances": tolerances,
        "costs": out["costs"],
        "oracle_quality": out["oracle_quality"],
        "read_semantics": semantics[-1],
        "test_labels": [int(v[0]) for v in test_labels],
        "test_images": test_images,
        "final_weights": out["final_weights"],
        "wall_time_s": time.time() - t0,
        "fingerprint": fingerprint(config.threads),
    }
