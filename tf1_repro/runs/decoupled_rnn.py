"""Posts 000/001's run as ``scripts/decoupled_rnn.py`` makes it: transcript, figures, events, results.

The post's graph and its training and test loops: tf1_repro/posts/decoupled_rnn.py;
what the archive adds to them (which value each unordered read sees, the
oracles against the true gradient, the side-by-side run, the seed study and
its figures, a run's figures): tf1_repro/posts/decoupled_rnn_archive.py; the
claims: tf1_repro/claims/decoupled_rnn.py.  This module writes the run
folder (transcript, figures, TensorBoard events, results.json) of a single
run or of a seed study.
"""
import dataclasses
import time

import numpy as np
from absl import logging

from tf1_repro import claims, report, study
from tf1_repro.claims.decoupled_rnn import TRAINS
from tf1_repro.graph_session import fingerprint
from tf1_repro.posts import decoupled_rnn as post
from tf1_repro.posts import decoupled_rnn_archive as archive


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
    progress = study.progress_for(options.output_dir, archive.study_seed, dataclasses.asdict(config),
                                  fingerprint(config.threads))
    with study.kept_on_failure(progress, options.seeds), report.OutputDir(options.output_dir) as out:
        rows = archive.seed_study(config, options.data_dir, options.seeds, **options.runner(progress))
        figs, tolerances = archive.seed_study_figures(config, rows)
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
        result = archive.run(config, options.data_dir, emit=print, log=print, diag=logging.info,
                             measure_oracles_every_epoch=oracle_quality)
        figs = dict(result["figures"])
        logging.info("tf.gradients of the cost reaches only: %s", ", ".join(figs["gradient_receivers"]))
        logging.info("unordered reads: %s", result["read_semantics"])
        runs = [(config.mode, result["costs"])]
        extra = {}
        if side_by_side:
            other = archive.other_mode(config)
            logging.info("side by side: training %s", other.mode)
            res2 = archive.run(other, options.data_dir,
                               emit=lambda s: logging.info("%s: %s", other.mode, s),
                               log=lambda s: None, measure_oracles_every_epoch=False)
            runs.append((other.mode, res2["costs"]))
            runs.sort(key=lambda r: post.MODES.index(r[0]))
            side = archive.side_by_side_figures(config, result, res2)
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
