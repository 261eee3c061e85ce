"""The generated blocks of README.md and docs/*.md, each a function of golden/.

The Speed page's tables come from the benchmarks' JSON (benchmarks/*.json,
written by the last run of each benchmark), not from goldens.

A block sits between ``<!-- NAME:begin ... -->`` and ``<!-- NAME:end -->``
in any of the pages; tf1_repro/pages.py fills every block it finds (these,
and the blocks every post's page has) and draws the figures.
tests/test_pages.py checks that the pages hold what these functions give for
the goldens on disk, so a stale page fails the suite.
"""
import math
import os

import numpy as np

from tf1_repro import golden
from tf1_repro.report import markdown_table


def _by_name(goldens):
    return {g["name"]: g for g in goldens}


def transcript_block(goldens):
    """What ``python scripts/nielsen_mlp.py --steps=10000`` prints, from its golden.

    The transcript is the golden's own kernel family's; the counts of every
    other family the golden holds are :func:`transcript_families_block`'s.
    """
    g = _by_name(goldens).get("nielsen_mlp")
    if g is None:
        return ""
    from tf1_repro.families import all_families, family_label
    from tf1_repro.mnist import FILES
    lines = [f"Extracting MNIST_data/{name}" for name in FILES]
    lines += [f"{c:.1f}" for c in g["figures"]["counts"]["reproduced"]]
    out = "```\n" + "\n".join(lines) + "\n```"
    out += f"\n\non kernel family {family_label(g['fingerprint'])}, where the golden was blessed."
    others = len(all_families(g)) - 1
    if others:
        out += (f" The golden holds {others} other kernel famil{'y' if others == 1 else 'ies'}, each exact "
                "there with other counts after step 1000 ([the same command on each]"
                "(docs/nielsen_mlp.md#the-main-job-on-other-kernel-families)); a run elsewhere is judged "
                "against the seed study, not one family's counts.")
    return out


def transcript_families_block(goldens):
    """The main job's counts on every kernel family post 002's golden holds."""
    g = _by_name(goldens).get("nielsen_mlp")
    if g is None:
        return ""
    from tf1_repro.families import all_families, family_label
    fams = all_families(g)
    if len(fams) < 2:
        return f"The golden holds one kernel family, {family_label(g['fingerprint'])}."
    heads = ["after step"] + [f"family {i + 1}" for i in range(len(fams))]
    counts = [vals["counts"] for _, _, vals in fams]
    rows = [[1000 * k] + [f"{c[k]:.0f}" for c in counts] for k in range(len(counts[0]))]
    legend = "\n".join(f"{i + 1}. {family_label(fp)}" for i, (_, fp, _) in enumerate(fams))
    return (f"`python scripts/nielsen_mlp.py --steps=10000` on the {len(fams)} kernel families the golden "
            "holds (family 1 is the one it was blessed on; each is exact there, and the reason a run "
            "elsewhere is judged against the seed study, not one family's counts):\n\n"
            + markdown_table(rows, heads) + "\n\n" + legend)


def families_block(goldens):
    """Which kernel family each golden's own values ("ours" in the claims tables) come from."""
    from tf1_repro.families import family_label
    by_family = {}
    for g in sorted(goldens, key=lambda g: g["name"]):
        others = len(g.get("families", {}))
        note = f" (+{others} other famil{'y' if others == 1 else 'ies'})" if others else ""
        by_family.setdefault(family_label(g["fingerprint"]), []).append(f"`{g['name']}`{note}")
    return ("\"ours\" in the claims tables is each golden's own kernel family's value; the families, "
            "and the goldens first blessed on each:\n\n"
            + "\n".join(f"- {label}: {', '.join(names)}" for label, names in sorted(by_family.items())))


def nielsen_seeds_block(goldens, name="nielsen_mlp_seeds"):
    """A seed study's table: per checkpoint, our spread and where the post's count falls.

    Studies blessed with the central 95% (``q025``, ``q975``) and the count
    of seeds at or below the published figure show those columns too.
    """
    g = _by_name(goldens).get(name)
    if g is None:
        return ""
    from tf1_repro.claims.nielsen_mlp import BAND_923, COUNT_923, PUBLISHED_COUNTS
    f = {k: v["reproduced"] for k, v in g["figures"].items()}
    seeds = len(f["final_counts"])
    central = "q025" in f and "seeds_at_or_below_published" in f
    rows = []
    for k, (mean, sd, lo, hi) in enumerate(zip(f["mean"], f["std"], f["min"], f["max"])):
        pub = PUBLISHED_COUNTS[k] if k < len(PUBLISHED_COUNTS) else None
        pct = f["published_percentiles"][k] if pub is not None else None
        row = [1000 * k, f"{mean:.1f}", f"{sd:.1f}", f"{lo:.0f}", f"{hi:.0f}"]
        if central:
            row += [f"{f['q025'][k]:g}", f"{f['median'][k]:g}", f"{f['q975'][k]:g}"]
        row += ["—" if pub is None else f"{pub:.0f}", "—" if pct is None else f"{pct:.1f}"]
        if central:
            row.append("—" if pub is None else f"{f['seeds_at_or_below_published'][k]}")
        rows.append(row)
    heads = ["step", "mean", "sd", "min", "max"]
    if central:
        heads += ["2.5%", "median", "97.5%"]
    heads += ["published", "percentile"]
    if central:
        heads.append("seeds ≤ published")
    table = markdown_table(rows, heads)
    share = f["share_923_in_band"]
    text = (f"{seeds} seeds (0 to {seeds - 1}), the as-published graph, TF 1.0 batch order. "
            f"After step {1000 * COUNT_923}, where the post printed 923, {round(share * seeds)} of "
            f"{seeds} seeds are at least {BAND_923['min']} and within {BAND_923['atol']} of 923 "
            f"(final mean {f['final_mean']:.1f}).")
    if central:
        # The published count with the lowest percentile: the post's 741 in every study so far.
        k = min(range(len(f["published_percentiles"])), key=lambda j: f["published_percentiles"][j])
        inside = f["q025"][k] <= PUBLISHED_COUNTS[k] <= f["q975"][k]
        text += (f" Of the published counts, the one lowest among ours is {PUBLISHED_COUNTS[k]:.0f} "
                 f"after step {1000 * k}: {f['seeds_at_or_below_published'][k]} of {seeds} seeds count that "
                 f"many or fewer (percentile {f['published_percentiles'][k]:.1f}), "
                 + ("inside" if inside else "outside")
                 + f" the central 95% of our counts there ({f['q025'][k]:g} to {f['q975'][k]:g}).")
    return text + "\n\n" + table


def wilson_interval(k, n, z=1.96):
    """The Wilson score interval of a share k/n (95% for z = 1.96)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def sign_test(worse, better):
    """Two-sided exact sign test: the chance of a split at least this uneven if each
    seed that differs were equally likely to go either way."""
    n = worse + better
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(worse, better) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


# Up to this many seeds the README lists every seed; beyond it, the distribution.
SEED_ROWS_MAX = 10


def decoupled_seeds_block(goldens):
    """Posts 000/001's claims over seeds: test images right, manual against autodiff."""
    g = _by_name(goldens).get("decoupled_rnn_seeds")
    if g is None:
        return ""
    f = {k: v["reproduced"] for k, v in g["figures"].items()}
    from tf1_repro.claims.decoupled_rnn import TRAINS
    n = len(f["seeds"])
    diff = [a - m for a, m in zip(f["autodiff_correct"], f["manual_correct"])]
    worse, better = sum(d < 0 for d in diff), sum(d > 0 for d in diff)
    lo, hi = wilson_interval(worse, n)
    text = (f"{n} seeds ({f['seeds'][0]} to {f['seeds'][-1]}), the post's program with each. "
            f"Manual back-prop's cost falls to at most {TRAINS['max']:g} of the first epoch's for "
            f"{f['share_manual_trains']:.0%} of the seeds. Autodiff gets fewer test images right "
            f"than manual back-prop for {worse} of {n} ({f['share_autodiff_worse']:.0%}; 95% Wilson "
            f"interval {lo:.0%} to {hi:.0%}), as many for {n - worse - better} and more for {better} "
            f"(mean difference {f['mean_autodiff_minus_manual']:+.2f}; two-sided sign test over the "
            f"{worse + better} seeds that differ, p = {sign_test(worse, better):.2g}).")
    if n <= SEED_ROWS_MAX:
        rows = [[s, m, a, f"{r:.3f}"] for s, m, a, r in
                zip(f["seeds"], f["manual_correct"], f["autodiff_correct"], f["manual_cost_ratio"])]
        return text + "\n\n" + markdown_table(rows, ["seed", "manual: right of 20", "autodiff: right of 20",
                                                     "manual cost, last/first epoch"])

    def stats(values, signed=False, digits=1):
        v = np.asarray(values, dtype=float)
        sign = "+" if signed else ""
        plain = lambda x: f"{x:{sign}.{digits}f}" if x != round(x) or digits > 1 else f"{x:{sign}.0f}"  # noqa: E731
        return ([f"{v.mean():{sign}.{digits}f}", f"{v.std(ddof=1):.{digits}f}"]
                + [plain(x) for x in (v.min(), np.median(v), v.max())])

    rows = [["manual back-prop: right of 20"] + stats(f["manual_correct"]),
            ["autodiff: right of 20"] + stats(f["autodiff_correct"]),
            ["autodiff − manual"] + stats(diff, signed=True),
            ["manual cost, last/first epoch"] + stats(f["manual_cost_ratio"], digits=3)]
    table = markdown_table(rows, ["over the seeds", "mean", "sd", "min", "median", "max"])
    values = sorted(set(diff))
    spread = markdown_table([["seeds"] + [sum(d == v for d in diff) for v in values]],
                            ["autodiff − manual"] + [f"{v:+d}" if v else "0" for v in values])
    return (text + "\n\n" + table + "\n\n" + spread
            + "\n\nEvery seed's row is in `golden/decoupled_rnn_seeds.json` and the study's `results.json`.")


def tf2_runs_block(goldens):
    """Post 004's slow runs: the full CNN and the XOR seed study, from their goldens."""
    by = _by_name(goldens)
    rows = []
    cnn = by.get("tf2_backprop_cnn")
    if cnn is not None:
        acc = cnn["figures"]["cnn.test_accuracy"]["reproduced"]
        rows.append(["`--example=cnn` (5 epochs, golden `tf2_backprop_cnn`)",
                     f"test accuracy {100 * acc[-1]:.2f} % after epoch {len(acc)}"])
    xor = by.get("tf2_backprop_xor_seeds")
    if xor is not None:
        accs = xor["figures"]["xor_seeds.final_accuracies"]["reproduced"]
        levels = sorted(set(accs), reverse=True)
        parts = [f"{sum(a == level for a in accs)} end at {100 * level:.0f} %" for level in levels]
        rows.append([f"`--example=xor_seeds --seeds={len(accs)}` (golden `tf2_backprop_xor_seeds`)",
                     f"of {len(accs)} seeds, " + ", ".join(parts)])
    return markdown_table(rows, ["run (2 cores, one thread)", "result"]) if rows else ""


def override_block(goldens):
    """Post 003's check and the Impdrop demonstration, from their goldens."""
    by = _by_name(goldens)
    g = by.get("gradient_override")
    if g is None:
        return ""
    f = {k: v["reproduced"] for k, v in g["figures"].items()}
    text = (f"At `--seed=0` the forward loss is {f['loss_tf_add']:.8f} with `tf.add` and "
            f"{f['loss_add_grad']:.8f} with `add_grad` (difference {f['forward_loss_difference']:g}); "
            f"the gradients for `c` and `k` differ from `tf.add`'s by up to "
            f"{f['grad_max_abs_difference']:.3f} ({100 * f['grad_relative_difference']:.0f} % of the true gradient's norm).")
    kinds = [("product", "Product (A·F)"), ("impdrop", "Impdrop, overridden gradient"),
             ("impdrop_blocked", "Impdrop, no override (the attention gets no gradient)")]
    full = by.get("gradient_override_impdrop_full")
    heads = ["connection", "5000 images, 1000 steps"] + (["55 000 images, 5000 steps (slow)"] if full else [])
    rows = []
    for kind, label in kinds:
        key = f"impdrop_demo_{kind}_final_test_accuracy"
        row = [label, f"{100 * f[key]:.2f} %"]
        if full:
            row.append(f"{100 * full['figures'][key]['reproduced']:.2f} %")
        rows.append(row)
    return text + "\n\nImpdrop's test accuracy (`impdrop.png`):\n\n" + markdown_table(rows, heads)


def releases_block(goldens):
    """The release matrix's table, from golden/releases.json (tf1_repro/matrix.py)."""
    from tf1_repro import matrix, releases
    return matrix.release_table(releases.load(), goldens)


def _benchmark_block(name):
    """The table a benchmark rendered into its JSON (benchmarks/<name>.json, key ``readme``)."""
    def block(goldens):
        import json
        path = os.path.join(golden.REPO_ROOT, "benchmarks", f"{name}.json")
        if not os.path.exists(path):
            return ""
        with open(path) as f:
            return json.load(f).get("readme", "")
    block.__doc__ = f"benchmarks/{name}.json's table, as its benchmark rendered it."
    return block


# Every block by name: each a function of the goldens (tf1_repro/pages.py adds the
# blocks every post's page has, and the figures).
BLOCKS = {"speed_nielsen": _benchmark_block("nielsen"), "speed_decoupled": _benchmark_block("decoupled_rnn"),
          "releases": releases_block, "transcript": transcript_block,
          "transcript_families": transcript_families_block, "families": families_block,
          "nielsen_seeds": nielsen_seeds_block,
          "nielsen_seeds_1000": lambda goldens: nielsen_seeds_block(goldens, "nielsen_mlp_seeds_1000"),
          "decoupled_seeds": decoupled_seeds_block, "tf2_runs": tf2_runs_block,
          "override": override_block}
