"""The pages' figures, drawn from golden/ alone, as SVG that regenerates byte for byte.

``python scripts/reproduce.py --readme`` writes every figure below into
``docs/figures/<name>.svg`` (tf1_repro/pages.py), from the goldens on disk
and the claim declarations: no run, no training.  tests/test_pages.py checks
that the committed files are what these functions draw.

Byte-stable: each figure is drawn from matplotlib's defaults (a user's
matplotlibrc is not read) with a fixed hash salt for the SVG's ids, text kept
as text (``svg.fonttype: none``, so titles and tick labels diff as text), no
date, and a creator line naming the matplotlib release, the one thing the
bytes depend on besides the goldens (constraints.txt pins it).

Every figure says in its title what it shows, labels its axes, and carries
a footer naming the goldens it reads and the command that regenerates it.
A post's page shows the figures whose ``pages`` name it; every post of the
registry gets at least its release-matrix grid, with no code here.
"""
import dataclasses
import io
import math

import numpy as np

from tf1_repro import registry

REGENERATE = "python scripts/reproduce.py --readme"

# The SVG's ids are hashes salted with this, not with a random UUID.
STYLE = {
    "svg.hashsalt": "tf1_repro",
    "svg.fonttype": "none",
    "svg.id": None,
    "font.family": "DejaVu Sans",  # matplotlib's own copy is found first
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "figure.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

# Colours: ours in blue, the post's in red, verdicts as in the release grid.
OURS, OURS_LIGHT, OURS_MID, POST = "#1f5fa8", "#cfdff2", "#8fb3de", "#c0392b"
STATUS_COLOURS = {"exact": "#3a923a", "in band": "#f0b429", "out of band": "#c0392b", "error": "#444444"}


@dataclasses.dataclass(frozen=True)
class Figure:
    """One figure: its file name, the pages that show it, what it shows and how it is drawn.

    ``draw(fig, data)`` fills a matplotlib Figure from ``data`` (a
    :class:`Data`); ``needs`` names the goldens without which it is not drawn
    (``releases.json``: the release matrix's record).  ``caption`` is the
    markdown under the image on each page.
    """
    name: str
    pages: tuple
    title: str
    caption: str
    needs: tuple
    draw: object
    size: tuple = (11.0, 4.2)
    # Every golden the figure reads (named in its footer); ``needs`` are those it cannot do without.
    reads: tuple = ()
    # A release-matrix grid: the goldens it covers (None: all); False: not a grid.
    grid: object = False


class Data:
    """What the figures read: the goldens by name and the release matrix's record."""

    def __init__(self, goldens, release_record=None):
        self.goldens = {g["name"]: g for g in goldens}
        self.release_record = release_record

    def has(self, name):
        if name == "releases.json":
            return bool(self.release_record and self.release_record.get("goldens"))
        return name in self.goldens

    def fig(self, golden, figure):
        return self.goldens[golden]["figures"][figure]["reproduced"]


# --- post 002 -------------------------------------------------------------------------

def _draw_nielsen_seeds(fig, data):
    from tf1_repro.claims.nielsen_mlp import BAND_923, COUNT_923, PUBLISHED_COUNTS
    name = "nielsen_mlp_seeds_1000"
    f = {k: data.fig(name, k) for k in ("min", "max", "q025", "q975", "median", "published_percentiles",
                                         "counts_at_923", "final_counts")}
    n = len(f["final_counts"])
    steps = [1000 * k for k in range(len(f["median"]))]
    pub_steps = [1000 * k for k in range(len(PUBLISHED_COUNTS))]
    ours0 = data.fig("nielsen_mlp", "counts") if data.has("nielsen_mlp") else None
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.25, 1]})

    def fan(ax):
        ax.fill_between(steps, f["min"], f["max"], color=OURS_LIGHT, lw=0, label=f"range of {n} seeds")
        ax.fill_between(steps, f["q025"], f["q975"], color=OURS_MID, lw=0, label="central 95% of seeds")
        ax.plot(steps, f["median"], color=OURS, lw=1.5, label="median seed")
        if ours0 is not None:
            ax.plot(steps, ours0, color="black", lw=0.8, ls="--", label="--seed=0 (the main job)")
        ax.plot(pub_steps, PUBLISHED_COUNTS, "o", color=POST, ms=5, label="the post (one unseeded run)")
        ax.set_xlabel("after training step")
        ax.set_xticks(steps[::2])

    ax = axes[0]
    fan(ax)
    ax.set_ylim(0, 1000)
    ax.set_ylabel("correct of the first 1000 test images")
    ax.set_title("(a) every checkpoint")
    ax.legend(loc="lower right", frameon=False)

    ax = axes[1]
    fan(ax)
    ax.set_xlim(700, steps[-1] + 300)
    low = min(min(f["min"][1:]), min(PUBLISHED_COUNTS[1:]))
    ax.set_ylim(50 * math.floor((low - 10) / 50), 50 * math.ceil((max(f["max"]) + 10) / 50))
    for s, c, p in zip(pub_steps[1:], PUBLISHED_COUNTS[1:], f["published_percentiles"][1:]):
        ax.annotate(f"{p:g}", (s, c), xytext=(0, 7), textcoords="offset points", fontsize=7, color=POST,
                    ha="center")
    ax.set_title("(b) from step 1000, zoomed: beside each of the post's counts\n"
                 "its percentile among our seeds at that checkpoint")

    ax = axes[2]
    at = np.asarray(f["counts_at_923"], dtype=float)
    lo, hi = max(BAND_923["min"], 923 - BAND_923["atol"]), 923 + BAND_923["atol"]
    inside = int(np.sum((at >= lo) & (at <= hi)))
    edges = np.arange(math.floor(at.min() / 5) * 5, math.ceil(at.max() / 5) * 5 + 6, 5)
    ax.axvspan(lo, hi, color="#e8e8e8", lw=0, label=f"count_923's band ({lo:g} to {hi:g})")
    ax.hist(at, bins=edges, color=OURS, label=f"{n} seeds")
    ax.axvline(PUBLISHED_COUNTS[COUNT_923], color=POST, lw=1.5, label="the post's 923")
    ax.axvline(float(np.median(at)), color="black", lw=0.8, ls="--", label=f"median seed ({np.median(at):g})")
    ax.set_xlim(max(edges[0], 800), max(edges[-1], hi + 5))
    below = int(np.sum(at < 800))
    if below:
        ax.text(0.02, 0.3, f"{below} seeds below 800\nnot shown", transform=ax.transAxes, fontsize=7)
    ax.set_xlabel(f"correct of 1000 after step {1000 * COUNT_923}")
    ax.set_ylabel("seeds")
    ax.set_title(f"(c) after step {1000 * COUNT_923}, where the post printed 923:\n"
                 f"{inside} of {n} seeds in the claim's band")
    ax.legend(loc="center left", bbox_to_anchor=(0, 0.68), frameon=False, fontsize=7)


# --- the book ----------------------------------------------------------------------------

def _draw_book(fig, data):
    from tf1_repro.claims import nielsen_book as claims
    hidden100 = next(c for c in claims.CLAIMS if c.name == "book_hidden100_peak").published
    # (golden, title, the book's printed epochs, the book's stated figure, lowest percent shown)
    panels = [
        ("nielsen_book_seeds", "(a) [784,30,10], eta 3.0", claims.BOOK_TRANSCRIPT,
         ("the book's peak, best of three", claims.BOOK_PEAK), 89.0),
        ("nielsen_book_hidden100_seeds", "(b) [784,100,10], eta 3.0", {},
         (f"the book's {hidden100:g}% (epoch not printed)", hidden100), None),
        ("nielsen_book_eta_small_seeds", "(c) eta = 0.001", claims.BOOK_ETA_SMALL, None, None),
        ("nielsen_book_eta_large_seeds", "(d) eta = 100", claims.BOOK_ETA_LARGE, None, None),
    ]
    axes = fig.subplots(1, 4)
    for ax, (name, title, printed, line, floor) in zip(axes, panels):
        if not data.has(name):
            ax.set_axis_off()
            ax.set_title(f"{title}: golden {name} missing")
            continue
        runs = data.fig(name, "runs")
        seeds = data.fig(name, "seeds")
        for k, counts in enumerate(runs):
            ax.plot(range(len(counts)), [c / 100 for c in counts], color=OURS if k == 0 else OURS_MID,
                    lw=1.4 if k == 0 else 0.7, zorder=3 if k == 0 else 2,
                    label=f"seed {seeds[0]}" if k == 0 else (f"seeds {seeds[1]} to {seeds[-1]}" if k == 1 else None))
        if printed:
            ax.plot(list(printed), [c / 100 for c in printed.values()], "o", color=POST, ms=5, zorder=4,
                    label="the book's printed epochs")
        if line:
            ax.axhline(line[1], color=POST, lw=0.8, ls="--", label=line[0])
        values = [c / 100 for r in runs for c in r] + [c / 100 for c in printed.values()] + ([line[1]] if line else [])
        top, bottom = max(values), min(values)
        hidden = 0
        if floor is not None and bottom < floor:
            hidden = sum(max(r) / 100 < floor for r in runs)
            bottom = floor
        pad = max(0.5, 0.08 * (top - bottom))
        ax.set_ylim(bottom - (0 if hidden else pad), top + pad)
        ax.set_title(f"{title}: {len(runs)} seeds"
                     + (f"\n(zoomed: {hidden} seed{'s' if hidden > 1 else ''} peaking below {floor:g}% not shown)"
                        if hidden else ""))
        ax.set_xlabel("epoch")
        ax.legend(loc="lower right" if name != "nielsen_book_eta_large_seeds" else "center right",
                  frameon=False, fontsize=7)
    axes[0].set_ylabel("test images right (% of 10 000)")


# --- posts 000/001 ---------------------------------------------------------------------

def _draw_decoupled(fig, data):
    from tf1_repro.claims.decoupled_rnn import TRAINS
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.1, 1.2, 1]})
    ax = axes[0]
    runs = [("decoupled_rnn", "manual back-prop, as published", "-", OURS),
            ("decoupled_rnn_sequential", "manual, --ordering=sequential", "--", OURS),
            ("decoupled_rnn_autodiff", "autodiff (GradientDescentOptimizer(0.1))", "-", POST)]
    for name, label, ls, colour in runs:
        if not data.has(name):
            continue
        f = data.goldens[name]["figures"]
        epochs = sorted(int(k[len("cost_epoch_"):]) for k in f if k.startswith("cost_epoch_"))
        ax.plot(epochs, [f[f"cost_epoch_{e}"]["reproduced"] for e in epochs], "o" + ls, color=colour,
                ms=4, lw=1.2, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch (the epochs the goldens keep)")
    ax.set_ylabel("summed cost of the epoch's 100 images")
    ax.set_title("(a) the cost per epoch from the default start")
    ax.legend(loc="lower left", frameon=False, fontsize=7)

    name = "decoupled_rnn_seeds"
    manual, autodiff = data.fig(name, "manual_correct"), data.fig(name, "autodiff_correct")
    n = len(manual)
    diff = [a - m for a, m in zip(autodiff, manual)]
    values = list(range(min(diff), max(diff) + 1))
    counts = [sum(d == v for d in diff) for v in values]
    worse = sum(d < 0 for d in diff)
    ax = axes[1]
    ax.bar(values, counts, color=[POST if v < 0 else OURS_MID if v == 0 else OURS for v in values], width=0.8)
    ax.set_xticks(values)
    ax.set_xlabel("autodiff − manual: test images right (of 20), per seed")
    ax.set_ylabel("seeds")
    ax.set_title(f"(b) {n} seeds: autodiff worse for {worse} ({worse / n:.0%}; the post: most)")
    ax.axvline(-0.5, color="black", lw=0.6, ls=":")
    ax.set_ylim(0, 1.2 * max(counts))
    ax.text(-0.7, 1.15 * max(counts), "autodiff worse", ha="right", va="top", fontsize=7, color=POST)
    ax.text(-0.3, 1.15 * max(counts), "as good or better", ha="left", va="top", fontsize=7, color=OURS)

    ax = axes[2]
    ratios = np.asarray(data.fig(name, "manual_cost_ratio"), dtype=float)
    edges = np.arange(math.floor(ratios.min() * 20) / 20, math.ceil(ratios.max() * 20) / 20 + 0.051, 0.05)
    ax.hist(ratios, bins=edges, color=OURS)
    ax.axvline(TRAINS["max"], color=POST, lw=1.2, label=f"'trains': at most {TRAINS['max']:g}")
    ax.set_xlabel("manual back-prop: last epoch's cost / first's")
    ax.set_ylabel("seeds")
    trains = int(np.sum(ratios <= TRAINS["max"]))
    ax.set_title(f"(c) {n} seeds: the cost falls for {trains}")
    ax.legend(loc="upper right", frameon=False)


# --- post 003 --------------------------------------------------------------------------

# scripts/gradient_override.py's defaults, the golden's command: 1000 Adam steps, a loss every 100.
_OVERRIDE_STEPS = 1000


def _draw_override(fig, data):
    name = "gradient_override"
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.3]})
    ax = axes[0]
    true, post = data.fig(name, "grad_true"), data.fig(name, "grad_post")
    labels = ["c[0]", "c[1]", "k[0]", "k[1]"][:len(true)]
    x = np.arange(len(true))
    ax.bar(x - 0.2, true, width=0.4, color=OURS, label="tf.add: the true gradient (autodiff)")
    ax.bar(x + 0.2, post, width=0.4, color=POST, label="add_grad: the post's override")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(x)
    ax.set_xticklabels(labels)
    ax.set_ylabel("d loss / d variable at --seed=0")
    ax.set_title("(a) the gradients, tf.add against the override\n"
                 f"(largest difference {data.fig(name, 'grad_max_abs_difference'):.3f})")
    ax.legend(loc="lower left", frameon=False, fontsize=7)

    ax = axes[1]
    for key, label, colour in (("train_losses_tf_add", "tf.add", OURS), ("train_losses_add_grad", "add_grad", POST)):
        losses = data.fig(name, key)
        steps = [_OVERRIDE_STEPS * i / (len(losses) - 1) for i in range(len(losses))]
        ax.plot(steps, losses, "o-", color=colour, ms=3, lw=1.2, label=label)
    ax.set_xlabel("Adam step")
    ax.set_ylabel("loss")
    ax.set_title(f"(b) the same forward loss (difference {data.fig(name, 'forward_loss_difference'):g}),\n"
                 f"then {_OVERRIDE_STEPS} Adam steps on each gradient")
    ax.legend(loc="upper right", frameon=False)

    ax = axes[2]
    kinds = [("product", "Product (A·F)", OURS), ("impdrop", "Impdrop, overridden gradient", POST),
             ("impdrop_blocked", "Impdrop, no override", "#777777")]
    full = "gradient_override_impdrop_full" if data.has("gradient_override_impdrop_full") else None
    for golden, ls, note in ((name, "-", "5000 images"), (full, "--", "55 000 images")):
        if golden is None:
            continue
        steps = data.fig(golden, "impdrop_demo_steps")
        for kind, label, colour in kinds:
            acc = data.fig(golden, f"impdrop_demo_{kind}_test_accuracy")
            ax.plot(steps, [100 * a for a in acc], ls, color=colour, lw=1.1,
                    label=f"{label}, {note}")
    ax.set_xscale("log")
    ax.set_xlabel("training step (log scale)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("(c) Impdrop, the post's real problem:\ntest accuracy while training")
    ax.legend(loc="lower right", frameon=False, fontsize=6.5)


# --- post 004 --------------------------------------------------------------------------

def _draw_tf2(fig, data):
    from tf1_repro import claims
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.4, 1, 1]})
    ax = axes[0]
    checks = [c for c in claims.claims_for("tf2_backprop") if "grad_err" in c.figure and "max" in c.band]
    values = [data.fig("tf2_backprop", c.figure) for c in checks]
    y = np.arange(len(checks))[::-1]
    ax.barh(y, values, color=OURS, height=0.6, label="ours (largest difference)")
    ax.scatter([c.band["max"] for c in checks], y, marker="|", s=200, color=POST, label="the band (at most)",
               zorder=3)
    ax.set_xscale("log")
    ax.set_xlim(1e-18, 1e-4)
    ax.set_yticks(y)
    ax.set_yticklabels([c.figure for c in checks], fontsize=7)
    ax.set_xlabel("largest difference between the two gradients (log scale)")
    ax.set_title("(a) hand-written gradients against autodiff\n(the tape, tf.gradients, finite differences)")
    ax.legend(loc="upper right", frameon=False, fontsize=7)

    ax = axes[1]
    if data.has("tf2_backprop_cnn_seeds"):
        curves = data.fig("tf2_backprop_cnn_seeds", "cnn_seeds.test_accuracy")
        seeds = data.fig("tf2_backprop_cnn_seeds", "cnn_seeds.seeds")
        for k, acc in enumerate(curves):
            ax.plot(range(1, len(acc) + 1), [100 * a for a in acc], "o-", ms=3, lw=1 if k else 1.4,
                    color=OURS if k == 0 else OURS_MID,
                    label=f"seed {seeds[0]}" if k == 0 else (f"seeds {seeds[1]} to {seeds[-1]}" if k == 1 else None))
        floor = next((c.band["min"] for c in claims.claims_for("tf2_backprop_cnn_seeds") if "min" in c.band), None)
        if floor is not None:
            ax.axhline(100 * floor, color=POST, lw=1, ls="--", label=f"cnn_learns: median ≥ {100 * floor:g}%")
        ax.set_xlabel("epoch")
        ax.set_ylabel("test accuracy (%)")
        ax.set_title(f"(b) the CNN on MNIST, 5 epochs:\n{len(curves)} seeds")
        ax.legend(loc="lower right", frameon=False, fontsize=7)
    else:
        ax.set_axis_off()

    ax = axes[2]
    if data.has("tf2_backprop_xor_seeds"):
        accs = data.fig("tf2_backprop_xor_seeds", "xor_seeds.final_accuracies")
        levels = [0.25, 0.5, 0.75, 1.0]
        counts = [sum(a == level for a in accs) for level in levels]
        ax.bar([f"{100 * v:.0f}%" for v in levels], counts, color=[OURS_MID] * 3 + [OURS])
        ax.set_xlabel("XOR accuracy after training (4 points)")
        ax.set_ylabel("seeds")
        ax.set_title(f"(c) XOR: {counts[-1]} of {len(accs)} seeds reach 100%,\nas the post's one run did")
    else:
        ax.set_axis_off()


# --- the release matrix ---------------------------------------------------------------

def release_grid(release_record, goldens, names=None):
    """(releases, rows): the release labels in order and, per golden figure, its status under each.

    ``rows`` is [(golden, figure, [status or None per release])], for the
    goldens the matrix measured at their current blessing (``names``: only those).
    """
    from tf1_repro import matrix, releases
    by_name = {g["name"]: g for g in goldens}
    envs = release_record["environments"]
    labels = {}
    for row in matrix.release_rows(release_record, goldens):
        labels[row["env"]["label"]] = row["env"]
    order = list(labels)
    rows = []
    for name, entry in sorted(release_record["goldens"].items()):
        g = by_name.get(name)
        if g is None or entry["digest"] != releases.digest(g) or (names is not None and name not in names):
            continue
        for fig in g["figures"]:
            cells = [None] * len(order)
            for env_id, values in entry["values"].items():
                label = envs[env_id]["label"]
                if label in labels:
                    cells[order.index(label)] = matrix.figure_status(g, fig, values)[0]
            rows.append((name, fig, cells))
    return [labels[label] for label in order], rows


def _short_release(env):
    label = env["label"]
    for prefix in ("TF ", "tf-"):
        label = label[len(prefix):] if label.startswith(prefix) else label
    label = label.replace(" with NumPy ", "\nNumPy ").replace("nightly ", "nightly\n")
    return label + ("\n(informational)" if env.get("informational") else "")


# The grid's layout, in inches: room for the title, the legend and the release labels above,
# the footer below, each row and column, and a character of a row's label.
_GRID = {"top": 1.45, "bottom": 0.35, "row": 0.13, "column": 0.62, "char": 0.047, "right": 0.25}


def _grid_layout(data, names):
    envs, rows = release_grid(data.release_record, list(data.goldens.values()), names)
    left = 0.25 + _GRID["char"] * max((len(f"{g}: {f}") for g, f, _ in rows), default=10)
    width = max(left + _GRID["column"] * len(envs) + _GRID["right"], 7.5)
    height = _GRID["top"] + _GRID["row"] * max(len(rows), 4) + _GRID["bottom"]
    return envs, rows, left, (width, height)


def _grid_size(data, names=None):
    return _grid_layout(data, names)[3]


def _draw_grid(fig, data, names=None):
    envs, rows, left, (width, height) = _grid_layout(data, names)
    ax = fig.add_axes([left / width, _GRID["bottom"] / height,
                       _GRID["column"] * len(envs) / width,
                       (height - _GRID["top"] - _GRID["bottom"]) / height])
    for status, colour in STATUS_COLOURS.items():
        xs = [i for r, (_, _, cells) in enumerate(rows) for i, s in enumerate(cells) if s == status]
        ys = [r for r, (_, _, cells) in enumerate(rows) for s in cells if s == status]
        ax.scatter(xs, ys, marker="s", s=40, color=colour, linewidths=0, label=status)
    ax.set_xlim(-0.5, len(envs) - 0.5)
    ax.set_ylim(max(len(rows), 4) - 0.5, -0.5)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{g}: {f}" for g, f, _ in rows], fontsize=6)
    ax.set_xticks(range(len(envs)))
    ax.set_xticklabels([_short_release(e) for e in envs], fontsize=6.5)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    fig.legend(*ax.get_legend_handles_labels(), loc="upper left", ncol=4, frameon=False,
               bbox_to_anchor=(0.25 / width, 1 - 0.38 / height),
               title="each golden figure (row) under each release (column): "
                     "exact, in band, out of band or error; blank: not measured", title_fontsize=8)


# --- the list --------------------------------------------------------------------------

def _fixed():
    return [
        Figure("nielsen_mlp_seeds_1000", ("nielsen_mlp", "README"),
               "Post 002: correct answers at every checkpoint, our largest seed study against the post's "
               "eight printed counts",
               "Post 002's counts over its largest seed study (golden `nielsen_mlp_seeds_1000`): our spread at "
               "each checkpoint, the post's eight counts in red with their percentile among ours, and our "
               "counts where the post printed 923 against `count_923`'s band.",
               ("nielsen_mlp_seeds_1000",), _draw_nielsen_seeds,
               reads=("nielsen_mlp_seeds_1000", "nielsen_mlp")),
        Figure("nielsen_book_epochs", ("nielsen_book",),
               "Nielsen's chapter 1 on post 002's graph: test accuracy after every epoch, our seeds against the book's printed epochs",
               "The book's four runs, each as a seed study (goldens `nielsen_book_seeds`, "
               "`nielsen_book_hidden100_seeds`, `nielsen_book_eta_small_seeds`, `nielsen_book_eta_large_seeds`): "
               "every seed's accuracy per epoch, the book's printed epochs in red.",
               ("nielsen_book_seeds",), _draw_book, (13.0, 4.0),
               reads=("nielsen_book_seeds", "nielsen_book_hidden100_seeds", "nielsen_book_eta_small_seeds",
                      "nielsen_book_eta_large_seeds")),
        Figure("decoupled_rnn", ("decoupled_rnn",),
               "Posts 000/001, Seo's decoupled RNN: the cost per epoch, and manual back-prop against autodiff over seeds",
               "The cost at the epochs the goldens keep (`decoupled_rnn`, `decoupled_rnn_sequential`, "
               "`decoupled_rnn_autodiff`), and per seed of `decoupled_rnn_seeds`: autodiff's test images right "
               "minus manual back-prop's, and manual back-prop's cost ratio against the 'trains' band.",
               ("decoupled_rnn_seeds",), _draw_decoupled,
               reads=("decoupled_rnn", "decoupled_rnn_sequential", "decoupled_rnn_autodiff", "decoupled_rnn_seeds")),
        Figure("gradient_override", ("gradient_override",),
               "Post 003, gradient_override_map with py_func: the gradient check, the training, and Impdrop",
               "Golden `gradient_override` (and `gradient_override_impdrop_full`): the gradients of c and k "
               "through `tf.add` and through the post's `add_grad` override, the loss while Adam trains "
               "each way, and Impdrop's test accuracy.",
               ("gradient_override",), _draw_override,
               reads=("gradient_override", "gradient_override_impdrop_full")),
        Figure("tf2_backprop", ("tf2_backprop",),
               "Post 004, TF2 back-propagation: gradient checks, the CNN over seeds, and XOR over seeds",
               "Golden `tf2_backprop`'s gradient checks against their bands, the full CNN over seeds "
               "(`tf2_backprop_cnn_seeds`) and the XOR network's final accuracy over seeds (`tf2_backprop_xor_seeds`).",
               ("tf2_backprop",), _draw_tf2,
               reads=("tf2_backprop", "tf2_backprop_cnn_seeds", "tf2_backprop_xor_seeds")),
    ]


def _grid_figure(name, pages, title, caption, names):
    def draw(fig, data):
        _draw_grid(fig, data, names)
    return Figure(name, pages, title, caption, ("releases.json",), draw, grid=names)


def all_figures():
    """Every figure the pages may show: the fixed ones, and a release grid per registry post."""
    out = _fixed()
    out.append(_grid_figure(
        "releases", ("releases",),
        "The release matrix: every default golden figure under each TensorFlow release",
        "Each default golden's figures (rows) under each release the matrix measured (columns): "
        "exact (the golden's bits), in band (another value, inside what the figure allows on a "
        "kernel family the golden does not hold), out of band, or error.", None))
    for post in registry.POSTS:
        names = {s.name for s in registry.GOLDENS if s.post == post}
        out.append(_grid_figure(
            f"releases_{post}", (post,),
            f"The release matrix for {post}'s figures: each under each TensorFlow release",
            f"The release matrix's rows for `{post}`'s default goldens: each figure (rows) under each "
            "release measured (columns), exact, in band, out of band or error.", names))
    return out


def available(data):
    """The figures ``data`` can draw (a figure whose goldens are missing is left out)."""
    out = []
    for f in all_figures():
        if not all(data.has(n) for n in f.needs):
            continue
        if f.grid is not False and not release_grid(data.release_record, list(data.goldens.values()), f.grid)[1]:
            continue
        out.append(f)
    return out


def _footer(figure, data):
    if figure.grid is not False:
        source = "golden/releases.json and the goldens it measured"
    else:
        source = "golden/" + ", ".join(f"{n}.json" for n in figure.reads or figure.needs if data.has(n))
    return f"Drawn from {source} (no run); regenerate: {REGENERATE}"


def svg(figure, data):
    """The figure's SVG, as bytes: the same goldens give the same bytes."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure as MplFigure
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(STYLE)
        size = _grid_size(data, figure.grid) if figure.grid is not False else figure.size
        fig = MplFigure(figsize=size)
        FigureCanvasSVG(fig)
        if figure.grid is False:
            fig.set_layout_engine("constrained", rect=(0, 0.045, 1, 0.955))
        fig.suptitle(figure.title, fontweight="bold")
        figure.draw(fig, data)
        fig.text(0.005, 0.005, _footer(figure, data), fontsize=7, color="#555555", ha="left", va="bottom")
        out = io.BytesIO()
        fig.savefig(out, format="svg", metadata={
            "Date": None, "Title": figure.title,
            "Creator": f"matplotlib {matplotlib.__version__}, tf1_repro/figures.py"})
    return out.getvalue()


def creator(svg_bytes):
    """The matplotlib release an SVG of these was drawn with (None if it does not say)."""
    text = svg_bytes.decode("utf-8", "replace")
    start = text.find("<dc:creator>")
    if start < 0:
        return None
    end = text.find("</dc:creator>", start)
    inner = text[start:end]
    i = inner.find("matplotlib ")
    return inner[i + len("matplotlib "):].split(",")[0] if i >= 0 else None
