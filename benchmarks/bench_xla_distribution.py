r"""Post 002 under ``--loop=graph --xla``: is every checkpoint's distribution over seeds the default's?

    python benchmarks/bench_xla_distribution.py      # runs both studies; JSON to benchmarks/xla_distribution.json
    python benchmarks/bench_xla_distribution.py --default_results=A/results.json --xla_results=B/results.json

The XLA-compiled loop (``--loop=graph --xla``, tf1_repro/posts/nielsen_mlp_archive.py)
is another kernel family: XLA fuses and orders the arithmetic its own way,
so a seed's counts part from the default family's within the first
thousand steps, as two seeds' do.  A study on it is a faster way to the
post's claims only if each checkpoint's count has the same distribution
over seeds on both families.  This script tests that, by the tests declared
here before any result was looked at (they are in this file's first commit,
and in the JSON under ``declared``):

Samples.  The default family's study of seeds 0 .. D-1 (``--default_seeds``,
200) and the XLA family's study of seeds 0 .. X-1 (``--xla_seeds``, 1000),
10 000 steps, counts after steps 0, 1000, ..., 9000.  Either study is run
here (``scripts/nielsen_mlp.py --seeds=N``, with ``--loop=graph --xla`` for
XLA), or read from a study's results.json (``--default_results``,
``--xla_results``; ``bench_study.py --keep_study`` keeps one).

A (the test): at each of the ten checkpoints, the XLA counts of seeds D ..
X-1 against the default counts of seeds 0 .. D-1.  The seeds are disjoint,
so the samples are independent (the same seed on both families starts from
the same weights and batches, and at step 0 gives nearly the same count).
Two two-sided tests per checkpoint (tf1_repro/two_sample.py): Mann-Whitney
U (does one family count higher?) and Kolmogorov-Smirnov (any difference of
shape; conservative under the counts' ties).

B (against the golden): the 1000-seed default study in
golden/nielsen_mlp_seeds_1000.json keeps each seed's count at two
checkpoints (``counts_at_923``, after step 7000, and ``final_counts``,
after step 9000).  There, the XLA counts of seeds 0 .. D-1 against the
golden's seeds D .. 999 (disjoint again), the same two tests.  It also
records whether the default study read here is the golden's
family (its seeds 0 .. D-1 equal the golden's, bit for bit).

Level: Bonferroni over all 24 tests (20 of A, 4 of B), each at 0.05 / 24,
so that two families with one distribution are declared to differ at most
5% of the time.  Decision: the families agree if every p-value of A and B
is at or above that level.  Reported beside it (no test): per checkpoint, each sample's
mean and standard deviation, and how many of seeds 0 .. D-1 count the same
on both families.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import timing  # noqa: E402,F401  (this checkout's tf1_repro, one-thread BLAS)

from absl import app, flags  # noqa: E402

from tf1_repro import two_sample  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ALPHA = 0.05
MIN_SAMPLE = 200  # each family's sample in A: at least this many seeds
GOLDEN_CHECKPOINTS = {"counts_at_923": 7, "final_counts": 9}  # golden per-seed figure -> checkpoint

flags.DEFINE_integer("default_seeds", 200, "D: the default family's seeds 0..D-1.", lower_bound=MIN_SAMPLE)
flags.DEFINE_integer("xla_seeds", 1000, "X: the XLA family's seeds 0..X-1 (X >= D + 200).",
                     lower_bound=2 * MIN_SAMPLE)
flags.DEFINE_integer("steps", 10000, "Steps of every seed (the post and the golden: 10000).", lower_bound=1000)
flags.DEFINE_integer("workers", None, "The studies' --workers (default: the script's, all cores).",
                     lower_bound=1)
flags.DEFINE_string("default_results", None, "results.json of the default study (else it is run).")
flags.DEFINE_string("xla_results", None, "results.json of the --loop=graph --xla study (else it is run).")
flags.DEFINE_string("golden", os.path.join(REPO, "golden", "nielsen_mlp_seeds_1000.json"),
                    "The default family's 1000-seed study (empty: skip B).")
flags.DEFINE_string("data_dir", None, "MNIST folder (default: $TF1_REPRO_DATA_DIR, else MNIST_data/).")
flags.DEFINE_string("output", os.path.join(HERE, "xla_distribution.json"), "Where the JSON goes.")
FLAGS = flags.FLAGS

DECLARED = {
    "A": "each checkpoint: XLA seeds D..X-1 vs default seeds 0..D-1; two-sided Mann-Whitney U "
         "(tie-corrected normal approximation) and Kolmogorov-Smirnov (asymptotic)",
    "B": "checkpoints 7 and 9: XLA seeds 0..D-1 vs the golden 1000-seed default study's seeds D..999; "
         "the same two tests",
    "level": "Bonferroni over all 24 tests: each at 0.05/24",
    "decision": "the families agree if every p-value is at or above the level",
}


class DistributionError(Exception):
    """Studies that cannot be compared as declared; the message is the one error line."""


def _test(xla, default, level):
    mw = two_sample.mannwhitneyu(xla, default)
    ks = two_sample.ks_2samp(xla, default)
    return {"mann_whitney": {"U": mw["statistic"], "effect": mw["effect"], "p": mw["pvalue"]},
            "ks": {"D": ks["statistic"], "p": ks["pvalue"]}, "level": level,
            "agree": mw["pvalue"] >= level and ks["pvalue"] >= level}


def _describe(sample):
    import numpy as np
    sample = np.asarray(sample, dtype=float)
    return {"n": int(sample.size), "mean": round(float(sample.mean()), 2),
            "std": round(float(sample.std(ddof=1)), 2)}


def compare(default_runs, xla_runs, default_seeds, golden_figures=None, alpha=ALPHA):
    """The declared tests on two studies' runs (rows: seeds from 0; columns: checkpoints).

    ``golden_figures``: the golden's ``figures`` (each a dict with
    ``reproduced``), or None to skip B.  Returns the JSON's ``A``, ``B``,
    ``agree`` and ``same_seed``.
    """
    import numpy as np
    default = np.asarray(default_runs, dtype=float)
    xla = np.asarray(xla_runs, dtype=float)
    d = default_seeds
    if default.ndim != 2 or xla.ndim != 2 or default.shape[1] != xla.shape[1]:
        raise DistributionError(f"the studies' runs do not have the same checkpoints "
                                f"({default.shape} and {xla.shape})")
    if default.shape[0] < d:
        raise DistributionError(f"the default study has {default.shape[0]} seeds, fewer than D = {d}")
    if xla.shape[0] < d + MIN_SAMPLE:
        raise DistributionError(f"the XLA study has {xla.shape[0]} seeds; A needs at least D + "
                                f"{MIN_SAMPLE} = {d + MIN_SAMPLE}")
    default = default[:d]
    checkpoints = default.shape[1]
    # Bonferroni over every test made: two per checkpoint of A and of B.
    level = alpha / (2 * checkpoints + (2 * len(GOLDEN_CHECKPOINTS) if golden_figures is not None else 0))
    out = {"A": [], "B": {}, "level": level}
    for k in range(checkpoints):
        row = {"checkpoint": k, "after_step": 1000 * k}
        row.update(_test(xla[d:, k], default[:, k], level))
        row["xla"], row["default"] = _describe(xla[d:, k]), _describe(default[:, k])
        out["A"].append(row)
    out["same_seed"] = [{"checkpoint": k, "seeds": d, "equal_counts": int(np.sum(xla[:d, k] == default[:, k]))}
                        for k in range(checkpoints)]
    if golden_figures is not None:
        for name, k in GOLDEN_CHECKPOINTS.items():
            golden = np.asarray(golden_figures[name]["reproduced"], dtype=float)
            if golden.size < d + MIN_SAMPLE or k >= checkpoints:
                raise DistributionError(f"golden {name}: {golden.size} seeds, B needs at least {d + MIN_SAMPLE}")
            row = {"checkpoint": k, "after_step": 1000 * k, "golden_figure": name}
            row.update(_test(xla[:d, k], golden[d:], level))
            row["xla"], row["golden"] = _describe(xla[:d, k]), _describe(golden[d:])
            row["default_study_equals_golden"] = bool(np.array_equal(golden[:d], default[:, k]))
            out["B"][name] = row
    tests = out["A"] + list(out["B"].values())
    out["agree"] = all(t["agree"] for t in tests)
    out["smallest_p"] = min(min(t["mann_whitney"]["p"], t["ks"]["p"]) for t in tests)
    return out


def study_runs(path, xla, seeds):
    """The runs of a study's results.json, checked to be the study the test declares."""
    try:
        with open(path) as f:
            doc = json.load(f)
        config, runs = doc["config"], doc["study"]["runs"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DistributionError(f"{path}: not a seed study's results.json ({e})")
    want = {"steps": FLAGS.steps, "seed": 0, "xla": xla, "mode": "manual", "batch_size": 10,
            "eta": 0.5, "hidden": 30, "eval_every": 1000, "eval_size": 1000, "dtype": "float32"}
    wrong = {k: config.get(k) for k, v in want.items() if config.get(k) != v}
    if wrong:
        raise DistributionError(f"{path}: a study of another configuration ({wrong}; expected {want})")
    if len(runs) < seeds:
        raise DistributionError(f"{path}: {len(runs)} seeds, fewer than the {seeds} declared")
    return runs, doc.get("fingerprint")


def run_study(workdir, xla, seeds):
    out = os.path.join(workdir, "xla" if xla else "default")
    cmd = [sys.executable, os.path.join(REPO, "scripts", "nielsen_mlp.py"), f"--steps={FLAGS.steps}",
           f"--seeds={seeds}", "--seed=0", f"--output_dir={out}"]
    cmd += ["--loop=graph", "--xla"] if xla else []
    cmd += [f"--workers={FLAGS.workers}"] if FLAGS.workers else []
    cmd += [f"--data_dir={FLAGS.data_dir}"] if FLAGS.data_dir else []
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise DistributionError(f"{' '.join(cmd[1:])} failed (exit {proc.returncode}): {last}")
    return os.path.join(out, "results.json")


def main(argv):
    del argv
    if FLAGS.xla_seeds < FLAGS.default_seeds + MIN_SAMPLE:
        sys.exit(f"bench_xla_distribution: error: --xla_seeds={FLAGS.xla_seeds}: A needs at least "
                 f"--default_seeds + {MIN_SAMPLE} = {FLAGS.default_seeds + MIN_SAMPLE}")
    try:
        with tempfile.TemporaryDirectory(prefix="xla-distribution-") as workdir:
            default_path = FLAGS.default_results or run_study(workdir, False, FLAGS.default_seeds)
            xla_path = FLAGS.xla_results or run_study(workdir, True, FLAGS.xla_seeds)
            default_runs, default_fp = study_runs(default_path, False, FLAGS.default_seeds)
            xla_runs, xla_fp = study_runs(xla_path, True, FLAGS.xla_seeds)
        golden = None
        if FLAGS.golden:
            with open(FLAGS.golden) as f:
                golden = json.load(f)["figures"]
        result = compare(default_runs, xla_runs[:FLAGS.xla_seeds], FLAGS.default_seeds, golden)
    except DistributionError as e:
        sys.exit(f"bench_xla_distribution: error: {e}")

    for row in result["A"]:
        print(f"after step {row['after_step']:5d}: XLA {row['xla']['mean']:6.1f} ± {row['xla']['std']:5.1f} "
              f"(n={row['xla']['n']}), default {row['default']['mean']:6.1f} ± {row['default']['std']:5.1f} "
              f"(n={row['default']['n']}); Mann-Whitney p={row['mann_whitney']['p']:.3g}, "
              f"KS D={row['ks']['D']:.3f} p={row['ks']['p']:.3g} (level {row['level']:g})")
    for name, row in result["B"].items():
        print(f"golden {name} (after step {row['after_step']}): XLA {row['xla']['mean']:.1f} vs golden "
              f"{row['golden']['mean']:.1f}; Mann-Whitney p={row['mann_whitney']['p']:.3g}, "
              f"KS p={row['ks']['p']:.3g} (level {row['level']:g})")
    print("the two families' distributions " + ("agree" if result["agree"] else "DIFFER")
          + f" at every checkpoint (smallest p {result['smallest_p']:.3g})")
    from tf1_repro.report import write_json
    write_json(FLAGS.output, {"benchmark": "nielsen_mlp: --loop=graph --xla against the default kernel family",
                              "declared": DECLARED, "steps": FLAGS.steps,
                              "default_seeds": FLAGS.default_seeds, "xla_seeds": FLAGS.xla_seeds,
                              "golden": os.path.relpath(FLAGS.golden, REPO) if FLAGS.golden else None,
                              **result, "fingerprint": {"default": default_fp, "xla": xla_fp}})


if __name__ == "__main__":
    app.run(main)
