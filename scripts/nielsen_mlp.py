r"""Post 002, Aloni's "Back Propagation with TensorFlow": the 784-30-10 MNIST network.

    python scripts/nielsen_mlp.py --steps=10000

prints the post's transcript: the four ``Extracting ...`` lines, then the count
of correct answers on the first 1000 test images after steps 0, 1000, ..., 9000
(``923.0`` style).  Writes results.json, accuracy.png and TensorBoard events to
--output_dir.  ``--seeds=N`` runs the seed study instead: N seeds from --seed
on, their mean and spread at each checkpoint, and where each published count
falls among them.  The graph and what changed from the post:
tf1_repro/posts/nielsen_mlp.py.
"""
import dataclasses

from absl import flags, logging

import _checkout  # noqa: F401  (this checkout's tf1_repro, not another clone's)
from tf1_repro import claims, cli, report, study
from tf1_repro.posts import nielsen_mlp as post

flags.DEFINE_integer("steps", 10000, "Mini-batches to train on (the post: 10000).", lower_bound=1)
flags.DEFINE_integer("batch_size", 10, "Images per mini-batch (the post: 10).", lower_bound=1)
flags.DEFINE_float("eta", 0.5, "The post's eta for the manual update list.")
flags.DEFINE_integer("hidden", 30, "Hidden units, the post's `middle`.", lower_bound=1)
flags.DEFINE_enum("mode", "manual", post.MODES,
                  "manual: the post's hand-written update list; autodiff: its "
                  "GradientDescentOptimizer(0.1) on cost = diff * diff.")
flags.DEFINE_enum("ordering", "as_published", post.ORDERINGS,
                  "as_published: the post's unordered update list; sequential: all "
                  "gradients before any assign (control dependencies).")
flags.DEFINE_enum("batch_order", "tf1.0", ("tf1.0", "tf1.1"),
                  "tf1.0: first epoch in file order (the post's TF); tf1.1: first-epoch "
                  "shuffle and batches straddling epochs.")
flags.DEFINE_enum("loop", "feed", post.LOOPS,
                  "feed: the post's Python loop, one Session.run per mini-batch; graph: the "
                  "whole loop inside the graph (same batches, same counts under --threads=1).")
flags.DEFINE_bool("xla", False, "XLA auto-clustering for --loop=graph (faster; changes the bits).")
flags.DEFINE_integer("seeds", 1, "Run a seed study over this many seeds (1: a single run).",
                     lower_bound=1)
cli.define_common_flags(post.NAME)
cli.define_study_flags()
FLAGS = flags.FLAGS


def config_from_flags():
    return post.Config(steps=FLAGS.steps, batch_size=FLAGS.batch_size, eta=FLAGS.eta,
                       hidden=FLAGS.hidden, seed=FLAGS.seed, mode=FLAGS.mode,
                       ordering=FLAGS.ordering, batch_order=FLAGS.batch_order,
                       threads=FLAGS.threads, loop=FLAGS.loop, xla=FLAGS.xla)


def plot_accuracy(path, steps, counts, title):
    plt = report.pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(steps, counts, "o-", label="reproduced")
    published_steps = [1000 * k for k in range(len(post.PUBLISHED_COUNTS))]
    ax.plot(published_steps, post.PUBLISHED_COUNTS, "x", ms=9, label="published (Aloni 2016)")
    ax.set_xlabel("step i (count printed after the step)")
    ax.set_ylabel("correct of the first 1000 test images")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    report.save_figure(fig, path)


def plot_seed_study(path, study):
    plt = report.pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for counts in study["runs"]:
        ax.plot(study["steps"], counts, color="0.8", lw=0.8)
    ax.errorbar(study["steps"], study["mean"], yerr=study["std"], fmt="o-", label="mean ± sd")
    published_steps = [1000 * k for k in range(len(post.PUBLISHED_COUNTS))]
    ax.plot(published_steps, post.PUBLISHED_COUNTS, "x", ms=9, color="C3", label="published")
    ax.set_ylim(0, 1000)
    ax.set_xlabel("step i")
    ax.set_ylabel("correct of the first 1000 test images")
    ax.set_title(f"{study['seeds']} seeds")
    ax.legend(loc="lower right")
    report.save_figure(fig, path)


def write_events(logdir, summary):
    weights = {}
    for i, values in summary["histograms"]:
        for name, value in values.items():
            weights.setdefault(f"weights/{name}", []).append((i, value))
    report.write_events(logdir, scalars={"accuracy/correct_of_1000": summary["accuracy"]},
                        histograms=weights)


def single_run(config):
    with report.OutputDir(FLAGS.output_dir) as out:
        result = post.run(config, FLAGS.data_dir, emit=print, writer_dir=out.staging)
        figs = result["figures"]
        plot_accuracy(out.path("accuracy.png"), result["checkpoints"], figs["counts"],
                      f"{config.mode}, {config.ordering}, seed {config.seed}")
        write_events(out.path("tensorboard"), result["summary"])
        report.write_json(out.path("results.json"), report.results_payload(
            post.NAME, post.POST, dataclasses.asdict(config), figs,
            claims.published_record(post.NAME, figs),
            result["fingerprint"], result["wall_time_s"], tolerances=result["tolerances"],
            checkpoints=result["checkpoints"]))
    logging.info("wrote %s/results.json (%.1f s)", FLAGS.output_dir, result["wall_time_s"])


def study_run(config):
    import time
    from tf1_repro.graph_session import fingerprint
    t0 = time.time()
    data = post.load_data(FLAGS.data_dir, config)  # the files, once, before any worker reads them
    config.validate(data.train.num_examples)
    progress = study.progress_for(FLAGS.output_dir, post.study_seed, dataclasses.asdict(config),
                                  fingerprint(config.threads))
    with study.kept_on_failure(progress, FLAGS.seeds), report.OutputDir(FLAGS.output_dir) as out:
        summary = post.seed_study(config, FLAGS.data_dir, FLAGS.seeds, workers=FLAGS.workers,
                                  dask_scheduler=FLAGS.dask_scheduler, progress=progress)
        print(f"seed study: {summary['seeds']} seeds from {config.seed}")
        print(f"{'step':>6} {'mean':>7} {'sd':>6} {'min':>5} {'max':>5} {'published':>9} {'pct':>5}")
        for k, step in enumerate(summary["steps"]):
            pub = post.PUBLISHED_COUNTS[k] if k < len(post.PUBLISHED_COUNTS) else None
            pct = summary["published_percentiles"][k] if pub is not None else None
            print(f"{step:>6} {summary['mean'][k]:>7.1f} {summary['std'][k]:>6.1f} {summary['min'][k]:>5.0f} "
                  f"{summary['max'][k]:>5.0f} {'' if pub is None else f'{pub:.0f}':>9} "
                  f"{'' if pct is None else f'{pct:.0f}':>5}")
        plot_seed_study(out.path("seed_study.png"), summary)
        figs, tolerances = post.seed_study_figures(config, summary)
        report.write_json(out.path("results.json"), report.results_payload(
            post.NAME, post.POST, dict(dataclasses.asdict(config), seeds=FLAGS.seeds), figs,
            claims.published_record(post.NAME, figs), fingerprint(config.threads), time.time() - t0,
            study=summary, tolerances=tolerances))


def main():
    config = config_from_flags()
    config.validate()
    if FLAGS.seeds > 1:
        study_run(config)
    else:
        single_run(config)


if __name__ == "__main__":
    cli.run(main)
