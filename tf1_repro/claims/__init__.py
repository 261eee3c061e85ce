"""The posts' claims, declared before anything runs, and the verdicts they give.

Each post has one module here (``tf1_repro/claims/<post>.py``) with a list
``CLAIMS`` of :class:`Claim`: every figure the post printed or claim it
stated in words, the figure of ours it is judged on (which golden, which
figure, which checkpoint), the band, the evidence for that band, and, where
the archive cannot reproduce the claim, the known gap with its reason.  The
declarations import nothing that runs: they are data, fixed before any run.

A verdict is computed from the declaration and a value alone
(:func:`verdict`).  Nothing a run produces, and nothing ``reproduce.py
--bless`` writes, can add or remove a known gap or widen a band:

* a claim without a gap that fails its band is **newly not reproduced**;
* a claim with a gap that now passes its band **newly holds**;

both fail the test suite and ``reproduce.py`` (blessing included) until a
person edits the declaration.

Each claim also names a ``counterexample``: a value that plainly lacks the
property (an untrained network's count, the first checkpoint instead of the
last), with where it comes from.  tests/test_claims.py checks that every band
rejects its counterexample, so no band is too wide to tell a working run from
a broken one.
"""
import dataclasses
import importlib
import math
import re

from tf1_repro import registry
from tf1_repro.errors import GoldenError

# The posts that declare claims, in the pages' order: the registry's posts
# (tf1_repro/registry.py, data only), each with tf1_repro/claims/<post>.py.
POSTS = tuple(registry.POSTS)

REPRODUCED = "reproduced"
KNOWN_GAP = "not reproduced (known gap)"
NEWLY_FAILS = "NEWLY NOT REPRODUCED"
NEWLY_HOLDS = "NEWLY HOLDS (known gap closed)"

_BAND_KEYS = {"atol", "rtol", "min", "max", "equals"}


@dataclasses.dataclass(frozen=True)
class Claim:
    """One thing a post printed or said, and how the archive judges it.

    ``figure`` names a figure of the golden run ``golden``, optionally with an
    index (``counts[7]``: the 8th printed count).  ``published`` holds only
    what the post itself printed (None when it said it in words).  ``band``
    is what counts as reproducing it: ``atol``/``rtol`` around ``published``,
    ``min``/``max`` bounds, or ``equals`` for a non-numeric figure.
    ``runs`` (optional) names the configuration values of the runs whose
    results.json lists the claim, where one figure name is judged under
    several configurations (the book's peak at 30 and at 100 hidden units);
    verdicts never read it: they come from ``golden`` alone.
    """
    name: str
    golden: str
    figure: str
    said: str
    published: object
    band: dict
    evidence: str
    counterexample: object
    counterexample_source: str
    known_gap: str = None
    runs: dict = None

    def __post_init__(self):
        if not self.band or not set(self.band) <= _BAND_KEYS:
            raise GoldenError(f"claim {self.name!r}: band must have keys from {sorted(_BAND_KEYS)}")
        if ({"atol", "rtol"} & set(self.band)) and self.published is None:
            raise GoldenError(f"claim {self.name!r}: atol/rtol need a published value")


def all_claims():
    """Every declared claim, post by post."""
    out = []
    for post in POSTS:
        out.extend(importlib.import_module(f"tf1_repro.claims.{post}").CLAIMS)
    names = [c.name for c in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise GoldenError(f"claims declared twice: {sorted(dup)}")
    return out


def claims_for(golden_name):
    return [c for c in all_claims() if c.golden == golden_name]


_PATH = re.compile(r"^(?:(?P<fn>min|max|median)\((?P<inner>[^)]+)\)|(?P<name>[^\[(]+)(?:\[(?P<index>-?\d+)\])?)$")
_SUMMARIES = {"min": min, "max": max,
              "median": lambda v: sorted(v)[len(v) // 2] if len(v) % 2 else
              0.5 * (sorted(v)[len(v) // 2 - 1] + sorted(v)[len(v) // 2])}


def pick(figures, path):
    """The value of ``path`` in a figures dictionary.

    ``name`` is the figure itself, ``name[k]`` its k-th element (``counts[7]``:
    the 8th printed count), ``min(name)``, ``max(name)`` and ``median(name)``
    a summary of a list figure (a seed study's per-seed values).
    """
    m = _PATH.match(path)
    if not m:
        raise KeyError(path)
    if m["fn"]:
        values = figures[m["inner"]]
        if not values:
            raise KeyError(path)
        return _SUMMARIES[m["fn"]](values)
    value = figures[m["name"]]
    if m["index"] is not None:
        value = value[int(m["index"])]
    return value


def in_band(value, claim):
    """(ok, why): does ``value`` have the claimed property?"""
    band = claim.band
    if "equals" in band:
        return (value == band["equals"],
                f"{value!r} != {band['equals']!r}" if value != band["equals"] else "")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return False, f"{value!r} is not a finite number"
    if "min" in band and value < band["min"]:
        return False, f"{value:g} < {band['min']:g}"
    if "max" in band and value > band["max"]:
        return False, f"{value:g} > {band['max']:g}"
    if {"atol", "rtol"} & set(band):
        allowed = band.get("atol", 0) + band.get("rtol", 0) * abs(claim.published)
        if abs(value - claim.published) > allowed:
            return False, f"{value:g} is {abs(value - claim.published):g} from {claim.published:g} (> {allowed:g})"
    return True, ""


def verdict(claim, value):
    """(status, why) from the declaration alone; status is one of the four constants above."""
    ok, why = in_band(value, claim)
    if claim.known_gap:
        return (NEWLY_HOLDS, "in band although declared a known gap") if ok else (KNOWN_GAP, why)
    return (REPRODUCED, "") if ok else (NEWLY_FAILS, why)


def is_failure(status):
    return status in (NEWLY_FAILS, NEWLY_HOLDS)


def judge(golden_name, figures):
    """Verdicts of every claim judged on ``golden_name``'s run: [(claim, value, status, why)]."""
    out = []
    for claim in claims_for(golden_name):
        try:
            value = pick(figures, claim.figure)
        except (KeyError, IndexError, TypeError):
            out.append((claim, None, NEWLY_FAILS, f"figure {claim.figure} missing from the run"))
            continue
        out.append((claim, value, *verdict(claim, value)))
    return out


def band_text(band):
    """A band for humans: '±25, ≥ 900'."""
    parts = []
    if "equals" in band:
        parts.append("= " + str(band["equals"]))
    if "atol" in band:
        parts.append(f"±{band['atol']:g}")
    if "rtol" in band:
        parts.append(f"±{100 * band['rtol']:g}%")
    if "min" in band:
        parts.append(f"≥ {band['min']:g}")
    if "max" in band:
        parts.append(f"≤ {band['max']:g}")
    return ", ".join(parts)


# What a golden records of each claim judged on its run: the fields a verdict
# depends on.  The prose (what the post said, the evidence) lives in the
# declarations and the pages, and may be reworded without a new golden.
RECORDED = ("figure", "published", "band", "known_gap")


def record(claim):
    """The declaration's judging fields, as a golden keeps them (verdicts never read them back)."""
    return {k: getattr(claim, k) for k in RECORDED}


def published_record(post, figures, config=None):
    """results.json's ``published``: what the post printed or said, for this run's figures.

    One entry per claim of ``post`` whose figure the run has, keyed by the
    claim's name; the verdict is not recorded here (it belongs to the golden
    whose command the claim names, see :func:`judge`).  A claim with
    ``runs`` is listed only when ``config`` (a dict) has those values.
    """
    module = importlib.import_module(f"tf1_repro.claims.{post}")
    out = {}
    for claim in module.CLAIMS:
        if claim.runs and not (config and all(config.get(k) == v for k, v in claim.runs.items())):
            continue
        try:
            value = pick(figures, claim.figure)
        except (KeyError, IndexError, TypeError):
            continue
        out[claim.name] = {"said": claim.said, "published": claim.published,
                           "figure": claim.figure, "ours": value}
    return out
