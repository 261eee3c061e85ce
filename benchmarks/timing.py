"""What the archive's benchmarks share: the clock, the judging of repeats, the floor, the table.

A benchmark times training steps alone: graphs are built, data is loaded and
batches are drawn before the clock starts.  Every figure is a time per step
from one timed repeat, and every repeat is kept (JSON and table).  Before a
figure is reported its repeats are judged (:func:`judge`): a repeat that is
not a positive, finite time, or repeats spread wider than ``max_spread`` (the
slowest over the fastest), mean the machine or the method did not measure, and
the benchmark stops with one ``error:`` line and exit status 2 instead of
printing a number.  So no benchmark prints a negative or a noise-made time.

The clock is the process's CPU time by default (``time.process_time``): every
variant computes on one thread, and on a machine shared with other work the
CPU time of that thread is what a step costs, where the wall clock also counts
the time other processes held the core.  ``--clock=wall`` times by the wall
clock instead; each repeat records both.
"""
import math
import os
import statistics
import sys
import time

# This checkout's tf1_repro first, as scripts/_checkout.py does for the
# scripts: a benchmark of a second clone times that clone's code.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path[:2]:
    sys.path.insert(0, ROOT)

import tf1_repro  # noqa: E402  (its environment defaults, oneDNN off, before TensorFlow loads)

PACKAGE = os.path.dirname(os.path.abspath(tf1_repro.__file__))  # the checkout being timed

# Every variant, NumPy's BLAS included, computes on one thread: the archive's
# deterministic sessions use one intra-op thread, and a comparison of one
# thread against two would measure the core count, not the code.  Set before
# NumPy is first imported (the benchmarks import this module first).  In a
# process that already holds NumPy (the test suite) they would act on nothing
# here and only leak into the scripts it starts, whose NumPy products then
# split their sums otherwise: another kernel family (tf1_repro/family.py).
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
if "numpy" not in sys.modules:
    for _k, _v in ONE_THREAD.items():
        os.environ.setdefault(_k, _v)

CLOCKS = ("cpu", "wall")


class MeasurementError(Exception):
    """Repeats that do not make a measurement; the message is the benchmark's one error line."""


class Stopwatch:
    """Both clocks around one timed block: ``with Stopwatch() as s: ...``, then ``s.cpu``, ``s.wall``."""

    def __enter__(self):
        self._cpu, self._wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu = time.process_time() - self._cpu
        self.wall = time.perf_counter() - self._wall
        return False


def judge(name, per_step, max_spread):
    """Summarise one variant's repeats (seconds per step) or raise MeasurementError.

    Returns {"median", "min", "max", "spread", "repeats"}, times in seconds.
    A repeat must be a positive, finite time, and the slowest repeat at most
    ``max_spread`` times the fastest.
    """
    per_step = [float(x) for x in per_step]
    if not per_step:
        raise MeasurementError(f"{name}: no repeats")
    for x in per_step:
        if not math.isfinite(x) or x <= 0:
            raise MeasurementError(f"{name}: a repeat measured {x:.3g} s per step, not a positive time; "
                                   f"time more steps (the short and long runs are too alike)")
    spread = max(per_step) / min(per_step)
    if spread > max_spread:
        raise MeasurementError(f"{name}: repeats spread {spread:.2f}x (slowest over fastest), more than "
                               f"--max_spread={max_spread}; the machine is too busy to measure, "
                               f"or time more steps")
    return {"median": statistics.median(per_step), "min": min(per_step), "max": max(per_step),
            "spread": spread, "repeats": per_step}


def variant_row(name, repeats, clock, max_spread, per):
    """One variant's row of a benchmark's JSON: its repeats judged on ``clock``, every one kept.

    ``repeats`` are the repeats' records, each with both clocks' seconds per
    ``per`` ("step", "image"); the row holds ``s_per_<per>`` (the median),
    ``repeats_s_per_<per>``, ``spread`` and the records.
    """
    judged = judge(name, [r[clock] for r in repeats], max_spread)
    return {"variant": name, f"s_per_{per}": judged["median"], f"repeats_s_per_{per}": judged["repeats"],
            "spread": judged["spread"], "repeats": repeats}


def add_ratios(rows, per, floor):
    """Each row's time over the first row's (the NumPy reference) and over the floor."""
    base = rows[0][f"s_per_{per}"]
    for r in rows:
        r["ratio_to_numpy"] = r[f"s_per_{per}"] / base
        r["ratio_to_floor"] = r[f"s_per_{per}"] / floor


def variant_table(doc, descriptions, per, show, unit):
    """The Speed page's table of a benchmark's variants, every figure from ``doc``;
    ``show`` formats seconds in ``unit``."""
    from tf1_repro.report import markdown_table
    rows = [[descriptions[v["variant"]], show(v[f"s_per_{per}"]),
             " ".join(show(r) for r in v[f"repeats_s_per_{per}"]),
             f"{v['ratio_to_numpy']:.2f}", f"{v['ratio_to_floor']:.1f}"] for v in doc["variants"]]
    return markdown_table(rows, ["variant", f"{unit}/{per}", "every repeat", "× NumPy", "× floor"])


def slope(steps, seconds):
    """Least-squares slope of seconds against steps: the time of one more step."""
    n = len(steps)
    if n < 2 or len(set(steps)) < 2:
        raise ValueError("a slope needs runs of at least two lengths")
    mean_n, mean_t = sum(steps) / n, sum(seconds) / n
    num = sum((a - mean_n) * (b - mean_t) for a, b in zip(steps, seconds))
    den = sum((a - mean_n) ** 2 for a in steps)
    return num / den


def matmul_rate(size=1024, tries=5):
    """FLOP/s of a large float32 matrix product on one thread (best of ``tries``)."""
    import numpy as np
    rng = np.random.RandomState(0)
    a = rng.rand(size, size).astype(np.float32)
    b = rng.rand(size, size).astype(np.float32)
    best = float("inf")
    for _ in range(tries):
        with Stopwatch() as s:
            a @ b
        best = min(best, s.wall)
    return 2 * size ** 3 / best


def fail(program, error):
    """Exit 2 with the benchmark's one error line."""
    sys.stderr.write(f"{program}: error: {error}\n")
    sys.exit(2)
