"""Post 002's run as ``scripts/nielsen_mlp.py`` makes it: transcript, figures, events, results.

The post's graph and training loop: tf1_repro/posts/nielsen_mlp.py; what the
archive adds to them (the in-graph loop, the seed study, a run's figures):
tf1_repro/posts/nielsen_mlp_archive.py; the claims: tf1_repro/claims/nielsen_mlp.py.
"""
import dataclasses
import time

from absl import logging

from tf1_repro import claims, report, study
from tf1_repro.claims.nielsen_mlp import PUBLISHED_COUNTS
from tf1_repro.graph_session import fingerprint
from tf1_repro.posts import nielsen_mlp as post
from tf1_repro.posts import nielsen_mlp_archive as archive


def main(config, options):
    """One run, or with ``options.seeds`` > 1 a seed study, into ``options.output_dir``."""
    config.validate()
    if options.seeds > 1:
        study_run(config, options)
    else:
        single_run(config, options)


def plot_accuracy(path, steps, counts, title):
    plt = report.pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(steps, counts, "o-", label="reproduced")
    published_steps = [1000 * k for k in range(len(PUBLISHED_COUNTS))]
    ax.plot(published_steps, PUBLISHED_COUNTS, "x", ms=9, label="published (Aloni 2016)")
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
    published_steps = [1000 * k for k in range(len(PUBLISHED_COUNTS))]
    ax.plot(published_steps, PUBLISHED_COUNTS, "x", ms=9, color="C3", label="published")
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


def single_run(config, options):
    with report.OutputDir(options.output_dir) as out:
        result = archive.run(config, options.data_dir, emit=print, writer_dir=out.staging)
        figs = result["figures"]
        plot_accuracy(out.path("accuracy.png"), result["checkpoints"], figs["counts"],
                      f"{config.mode}, {config.ordering}, seed {config.seed}")
        write_events(out.path("tensorboard"), result["summary"])
        report.write_json(out.path("results.json"), report.results_payload(
            post.NAME, post.POST, dataclasses.asdict(config), figs,
            claims.published_record(post.NAME, figs),
            result["fingerprint"], result["wall_time_s"], tolerances=result["tolerances"],
            checkpoints=result["checkpoints"]))
    logging.info("wrote %s/results.json (%.1f s)", options.output_dir, result["wall_time_s"])


def study_run(config, options):
    t0 = time.time()
    data = post.load_data(options.data_dir, config)  # the files, once, before any worker reads them
    config.validate(data.train.num_examples)
    progress = study.progress_for(options.output_dir, archive.study_seed, dataclasses.asdict(config),
                                  fingerprint(config.threads, xla=config.xla))
    with study.kept_on_failure(progress, options.seeds), report.OutputDir(options.output_dir) as out:
        summary = archive.seed_study(config, options.data_dir, options.seeds, **options.runner(progress))
        print(f"seed study: {summary['seeds']} seeds from {config.seed}")
        print(f"{'step':>6} {'mean':>7} {'sd':>6} {'min':>5} {'max':>5} {'published':>9} {'pct':>5}")
        for k, step in enumerate(summary["steps"]):
            pub = PUBLISHED_COUNTS[k] if k < len(PUBLISHED_COUNTS) else None
            pct = summary["published_percentiles"][k] if pub is not None else None
            print(f"{step:>6} {summary['mean'][k]:>7.1f} {summary['std'][k]:>6.1f} {summary['min'][k]:>5.0f} "
                  f"{summary['max'][k]:>5.0f} {'' if pub is None else f'{pub:.0f}':>9} "
                  f"{'' if pct is None else f'{pct:.0f}':>5}")
        plot_seed_study(out.path("seed_study.png"), summary)
        figs, tolerances = archive.seed_study_figures(config, summary)
        report.write_json(out.path("results.json"), report.results_payload(
            post.NAME, post.POST, dict(dataclasses.asdict(config), seeds=options.seeds), figs,
            claims.published_record(post.NAME, figs), fingerprint(config.threads, xla=config.xla), time.time() - t0,
            study=summary, tolerances=tolerances))
