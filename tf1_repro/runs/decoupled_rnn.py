"""Posts 000/001's run: the training and test loops, the probes, the figures and the seed study.

tf1_repro/posts/decoupled_rnn.py holds the post's graph (and its data), the
file to read beside the post; this module runs it as ``scripts/decoupled_rnn.py``
does: the post's loop (:func:`train`), what the archive measures around it
(which value each unordered read sees, the oracles against the true
gradient), the named figures and their tolerances, the seed study
(:func:`study_seed`, through tf1_repro/study.py) and the run folder
(transcript, figures, TensorBoard events, results.json).  The claims:
tf1_repro/claims/decoupled_rnn.py.
"""
import dataclasses
import time

import numpy as np
from absl import logging

from tf1_repro import claims, families, report, study
from tf1_repro.claims.decoupled_rnn import TRAINS
from tf1_repro.graph_session import fingerprint, new_session
from tf1_repro.posts import decoupled_rnn as post
from tf1_repro.posts.decoupled_rnn import (MODES, WEIGHTS, Config, build_graph, load_pool,
                                           measure_oracles, split, tf, tf1)

# The epochs (0-based, as printed) whose cost a golden pins.
GOLDEN_EPOCHS = (0, 9, 49, 99)


# ---------------------------------------------------------------------------
# Running it
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


def train(config, train_images, train_labels, test_images, test_labels, emit=print,
          log=None, initial_weights=None, measure=None):
    """Run the post's training loop and its test loop; return what they produced.

    ``emit`` receives the transcript lines; ``log`` per-epoch diagnostics.
    ``initial_weights`` (a dict over WEIGHTS) replaces the random start.
    ``measure`` (images, labels) are the images the oracle probe uses after
    every epoch (and before the first); None skips the probe.
    """
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        t = build_graph(config)
        init = tf1.global_variables_initializer()
    graph.finalize()
    x, y, cost, h_update = t["x"], t["y"], t["cost"], t["h_update_ops"]
    costs, quality = [], []
    with new_session(graph, config.threads) as sess:
        sess.run(init)
        if initial_weights is not None:
            for k in WEIGHTS:
                t[k].load(initial_weights[k], sess)
        start = {k: sess.run(t[k]) for k in WEIGHTS}
        if measure is not None:
            quality.append(measure_oracles(sess, t["probe"], *measure))
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
            if measure is not None:
                quality.append(measure_oracles(sess, t["probe"], *measure))
            if log is not None:
                extra = ""
                if quality:
                    q = quality[-1]
                    extra = (f", oracle cosine {q['oracle_1']['cosine']:.3f} / "
                             f"{q['oracle_2']['cosine']:.3f}")
                log(f"epoch {i}: cost {float(total_cost):.6g}{extra}")
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
            "correct": correct, "oracle_quality": quality, "initial_weights": start,
            "trained_weights": trained, "final_weights": final,
            "gradient_receivers": t["gradient_receivers"]}


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
        t = build_graph(config)
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
    return dataclasses.replace(config, mode=MODES[1 - MODES.index(config.mode)])


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


def study_seed(config, data_dir, seed):
    """Seed ``seed`` of the study: both modes from the post's program with that seed.

    Its data split and its weights, for manual back-prop and for autodiff
    from the same start, so the row equals the single runs ``--seed=S`` and
    ``--seed=S --mode=autodiff`` (tests/test_decoupled_rnn_script.py).
    ``config`` is the script's configuration as a dict.
    """
    cfg = Config(**dict(config, seed=seed))
    images, labels = load_pool(data_dir, seed, log=lambda *_: None)
    test_images, test_labels, train_images, train_labels = split(
        images, labels, cfg.num_test, cfg.num_train)
    row = {"seed": seed}
    for mode in MODES:
        out = train(dataclasses.replace(cfg, mode=mode), train_images, train_labels,
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


def run(config, data_dir, emit=print, log=print, diag=None, measure_oracles_every_epoch=True):
    """Load the pool, train, test; return the results dictionary (no files written).

    ``log`` receives the loader's ``Extracting ...`` lines (the post's
    transcript), ``diag`` the per-epoch diagnostics.
    """
    config.validate()
    t0 = time.time()
    images, labels = load_pool(data_dir, config.seed, log=log)
    test_images, test_labels, train_images, train_labels = split(
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


def main(config, options, side_by_side=False, oracle_quality=True):
    """One run (the other mode beside it with ``side_by_side``) or a seed study."""
    config.validate()
    if options.seeds > 1:
        study_run(config, options)
    else:
        single_run(config, options, side_by_side=side_by_side, oracle_quality=oracle_quality)


def plot_costs(path, runs, config):
    """The post's left figure: cost per epoch, one panel per mode."""
    plt = report.pyplot()
    fig, axes = plt.subplots(1, len(runs), figsize=(5 * len(runs), 3.6), squeeze=False)
    for ax, (mode, costs) in zip(axes[0], runs):
        ax.plot(np.arange(len(costs)), costs)
        ax.set_title(f"{mode} ({config.ordering})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"summed cost over {config.num_train} images")
        ax.grid(alpha=0.3)
    report.save_figure(fig, path)


def plot_test_images(path, images, outputs, labels):
    """The post's right figure: each test image with its prediction and label."""
    plt = report.pyplot()
    n = len(images)
    cols = min(n, 10)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.6 * rows), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(images[k].reshape(28, 28), cmap="gray")
        pred = int(np.round(outputs[k]))
        colour = "C2" if pred == labels[k] else "C3"
        ax.set_title(f"{outputs[k]:.2f}->{pred} / {labels[k]}", fontsize=8, color=colour)
    fig.suptitle("output -> rounded / label", fontsize=9)
    report.save_figure(fig, path)


def plot_oracles(path, quality):
    """Cosine similarity and relative error of each oracle against the true gradient."""
    plt = report.pyplot()
    epochs = np.arange(len(quality))  # 0: before training, k: after epoch k
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    for name in ("oracle_1", "oracle_2"):
        a.plot(epochs, [q[name]["cosine"] for q in quality], label=name)
        b.plot(epochs, [q[name]["rel_error"] for q in quality], label=name)
    a.set_ylabel("mean cosine(synthetic, true)")
    b.set_ylabel("mean ||synthetic - true|| / ||true||")
    b.set_yscale("log")
    for ax in (a, b):
        ax.set_xlabel("epochs trained")
        ax.grid(alpha=0.3)
        ax.legend()
    report.save_figure(fig, path)


def write_events(logdir, result):
    scalars = {"cost/epoch_sum": list(enumerate(result["costs"]))}
    for name in ("oracle_1", "oracle_2"):
        for what in ("cosine", "rel_error"):
            scalars[f"{name}/{what}"] = [(i, q[name][what]) for i, q in enumerate(result["oracle_quality"])]
    end = len(result["costs"])
    report.write_events(logdir, scalars=scalars, histograms={
        f"weights/{name}": [(end, value)] for name, value in result["final_weights"].items()})


def study_run(config, options):
    t0 = time.time()
    post.load_pool(options.data_dir, config.seed, log=lambda *_: None)  # the files, before any worker
    progress = study.progress_for(options.output_dir, study_seed, dataclasses.asdict(config),
                                  fingerprint(config.threads))
    with study.kept_on_failure(progress, options.seeds), report.OutputDir(options.output_dir) as out:
        rows = seed_study(config, options.data_dir, options.seeds, **options.runner(progress))
        figs, tolerances = seed_study_figures(config, rows)
        print(f"seed study: {len(rows)} seeds from {config.seed}, "
              f"ordering {config.ordering}")
        print(f"{'seed':>6} {'manual right':>13} {'autodiff right':>15} {'manual cost last/first':>23}")
        for r in rows:
            print(f"{r['seed']:>6} {r['manual_correct']:>13} {r['autodiff_correct']:>15} "
                  f"{r['manual_cost_ratio']:>23.4f}")
        print(f"manual cost falls to at most {TRAINS['max']:g} of its first epoch's in "
              f"{figs['share_manual_trains']:.0%} of seeds; autodiff gets fewer "
              f"right in {figs['share_autodiff_worse']:.0%} (mean difference "
              f"{figs['mean_autodiff_minus_manual']:+.2f})")
        plot_seed_study(out.path("seed_study.png"), rows)
        report.write_json(out.path("results.json"), report.results_payload(
            post.NAME, post.POST, dict(dataclasses.asdict(config), seeds=options.seeds), figs,
            claims.published_record(post.NAME, figs), fingerprint(config.threads), time.time() - t0,
            tolerances=tolerances,
            study=rows))


def plot_seed_study(path, rows):
    plt = report.pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    manual = [r["manual_correct"] for r in rows]
    auto = [r["autodiff_correct"] for r in rows]
    ax.scatter(manual, auto)
    for r in rows:
        ax.annotate(str(r["seed"]), (r["manual_correct"], r["autodiff_correct"]), fontsize=7)
    ax.plot([0, 20], [0, 20], color="0.7", lw=0.8)
    ax.set_xlabel("manual back-prop: test images right (of 20)")
    ax.set_ylabel("autodiff: test images right (of 20)")
    ax.set_title("Same start, per weight seed")
    report.save_figure(fig, path)


def single_run(config, options, side_by_side=False, oracle_quality=True):
    with report.OutputDir(options.output_dir) as out:
        result = run(config, options.data_dir, emit=print, log=print, diag=logging.info,
                          measure_oracles_every_epoch=oracle_quality)
        figs = dict(result["figures"])
        logging.info("tf.gradients of the cost reaches only: %s", ", ".join(figs["gradient_receivers"]))
        logging.info("unordered reads: %s", result["read_semantics"])
        runs = [(config.mode, result["costs"])]
        extra = {}
        if side_by_side:
            other = other_mode(config)
            logging.info("side by side: training %s", other.mode)
            res2 = run(other, options.data_dir, emit=lambda s: logging.info("%s: %s", other.mode, s),
                            log=lambda s: None, measure_oracles_every_epoch=False)
            runs.append((other.mode, res2["costs"]))
            runs.sort(key=lambda r: post.MODES.index(r[0]))
            side = side_by_side_figures(config, result, res2)
            figs.update(side["figures"])
            result["tolerances"].update(side["tolerances"])
            extra["other_mode"] = {"mode": other.mode, "costs": res2["costs"],
                                   "test_outputs": res2["figures"]["test_outputs"],
                                   "correct": res2["figures"]["correct"]}
            result["wall_time_s"] += res2["wall_time_s"]
        plot_costs(out.path("cost.png"), runs, config)
        plot_test_images(out.path("test_images.png"), result["test_images"],
                         figs["test_outputs"], result["test_labels"])
        if result["oracle_quality"]:
            plot_oracles(out.path("oracles.png"), result["oracle_quality"])
        write_events(out.path("tensorboard"), result)
        report.write_json(out.path("results.json"), report.results_payload(
            post.NAME, post.POST, dict(dataclasses.asdict(config), side_by_side=side_by_side),
            figs, claims.published_record(post.NAME, figs), result["fingerprint"], result["wall_time_s"],
            tolerances=result["tolerances"], costs=result["costs"],
            oracle_quality=result["oracle_quality"], read_semantics=result["read_semantics"],
            test_labels=result["test_labels"], **extra))
    logging.info("wrote %s/results.json (%.1f s)", options.output_dir, result["wall_time_s"])
