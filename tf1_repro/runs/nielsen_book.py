"""The book's run as ``scripts/nielsen_book.py`` makes it: transcript, figures, events, results.

The graph, Nielsen's rule, data and baselines: tf1_repro/posts/nielsen_book.py;
what the archive adds to them (a run's figures and tolerances, the seed
study, the --svm run's results): tf1_repro/posts/nielsen_book_archive.py; the
claims and the book's printed transcripts: tf1_repro/claims/nielsen_book.py.
"""
import dataclasses
import time

from absl import logging

from tf1_repro import claims, report, study
from tf1_repro.errors import UsageError
from tf1_repro.graph_session import fingerprint
from tf1_repro.claims import nielsen_book as published
from tf1_repro.posts import nielsen_book as book
from tf1_repro.posts import nielsen_book_archive as archive


def main(config, options, svm=False):
    """One run, a seed study (``options.seeds`` > 1) or the SVM baseline, into ``options.output_dir``."""
    config.validate()
    if options.seeds < 1:
        raise UsageError(f"--seeds={options.seeds}: must be at least 1")
    if svm:
        if options.seeds > 1:
            raise UsageError("--svm fits one SVM (it draws nothing at random): drop --seeds")
        svm_run(config, options)
    elif options.seeds > 1:
        study_run(config, options)
    else:
        single_run(config, options)


def book_points(config):
    """The book's printed (epoch, percent) points for this configuration, if it printed any."""
    if config.matches(published.BOOK):
        return published.BOOK_TRANSCRIPT
    if config.matches(dict(published.BOOK, eta=100.0)):
        return published.BOOK_ETA_LARGE
    if config.matches(dict(published.BOOK, eta=0.001)):
        return published.BOOK_ETA_SMALL
    return {}


def plot_accuracy(path, config, runs, title):
    plt = report.pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for k, counts in enumerate(runs):
        ax.plot(range(len(counts)), [archive.percent(c) for c in counts], "o-" if len(runs) == 1 else "-",
                ms=3, lw=1, label="reproduced" if k == 0 else None)
    points = book_points(config)
    if points:
        ax.plot(list(points), [archive.percent(c) for c in points.values()], "x", ms=9, color="C3",
                label="the book (Nielsen, ch. 1)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("% of the 10 000 test images right")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    report.save_figure(fig, path)


def write_events(logdir, history):
    weights = {}
    for j, _, values in history:
        for name, value in values.items():
            weights.setdefault(f"weights/{name}", []).append((j, value))
    report.write_events(logdir, histograms=weights, scalars={
        "accuracy/test_percent": [(j, archive.percent(count)) for j, count, _ in history]})


def single_run(config, options):
    with report.OutputDir(options.output_dir) as out:
        result = archive.run(config, options.data_dir, emit=print, log=logging.info)
        figs = result["figures"]
        print(f"random guessing: {figs['random_percent']:.2f}%")
        print(f"average darkness: {figs['darkness_percent']:.2f}%")
        plot_accuracy(out.path("accuracy.png"), config, [figs["counts"]],
                      f"[784,{config.hidden},10], eta {config.eta:g}, seed {config.seed}")
        write_events(out.path("tensorboard"), result["history"])
        report.write_json(out.path("results.json"), report.results_payload(
            book.NAME, book.POST, dataclasses.asdict(config), figs,
            claims.published_record(book.NAME, figs, dataclasses.asdict(config)),
            result["fingerprint"], result["wall_time_s"], tolerances=result["tolerances"]))
    logging.info("wrote %s/results.json (%.1f s)", options.output_dir, result["wall_time_s"])


def study_run(config, options):
    t0 = time.time()
    book.load_data(options.data_dir, config, log=logging.info)  # the files, before any worker
    progress = study.progress_for(options.output_dir, archive.study_seed, dataclasses.asdict(config),
                                  fingerprint(config.threads))
    with study.kept_on_failure(progress, options.seeds), report.OutputDir(options.output_dir) as out:
        figs = archive.seed_study(config, options.data_dir, options.seeds, **options.runner(progress))
        for s, peak in zip(figs["seeds"], figs["peaks_percent"]):
            print(f"seed {s}: peak {peak:.2f}%")
        print(f"peaks over {options.seeds} seeds: mean {figs['mean_peak_percent']:.2f}%, "
              f"sd {figs['sd_peak_percent']:.2f}")
        if config.matches(published.BOOK):  # the book's 95.42% is this configuration's
            print(f"the book's {published.BOOK_PEAK}% is at percentile {figs['book_peak_percentile']:.1f}")
            if "best_of_three_peak" in figs:
                print(f"best of the first three: {figs['best_of_three_peak']:.2f}%")
        print("gains, last epoch over the first (points): "
              + ", ".join(f"{g:.2f}" for g in figs["gains_points"]))
        plot_accuracy(out.path("accuracy.png"), config, figs["runs"],
                      f"[784,{config.hidden},10], eta {config.eta:g}, {options.seeds} seeds")
        tolerances = archive.study_tolerances(options.seeds)
        report.write_json(out.path("results.json"), report.results_payload(
            book.NAME, book.POST, dict(dataclasses.asdict(config), seeds=options.seeds), figs,
            claims.published_record(book.NAME, figs, dataclasses.asdict(config)),
            fingerprint(config.threads), time.time() - t0,
            tolerances=tolerances))


def svm_run(config, options):
    with report.OutputDir(options.output_dir) as out:
        result = archive.svm_run(config, options.data_dir, log=logging.info)
        figs = result["figures"]
        print(f"SVM: {figs['svm_count']} / 10000")
        print(f"random guessing: {figs['random_percent']:.2f}%")
        print(f"average darkness: {figs['darkness_percent']:.2f}%")
        report.write_json(out.path("results.json"), report.results_payload(
            book.NAME, book.POST, dict(dataclasses.asdict(config), svm=True), figs,
            claims.published_record(book.NAME, figs, dataclasses.asdict(config)),
            result["fingerprint"], result["wall_time_s"], tolerances=result["tolerances"]))
