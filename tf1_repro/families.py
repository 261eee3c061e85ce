"""A golden's kernel families, and how a run on a family it does not hold is judged.

A golden pins the figures of one command.  Machines fall into kernel
families (tf1_repro/family.py: the same family computes every probed kernel
to the same bits), and a golden holds each family's exact values: its first
family in ``figures[fig]["reproduced"]`` with ``fingerprint``, every other
under ``families``::

    "families": {ENV_ID: {"label": "k-90d42b721c7e (ONEDNN_MAX_CPU_ISA=AVX2; L1d 32K)",
                          "fingerprint": {...}, "values": {FIGURE: value, ...}}}

``ENV_ID`` is :func:`environment_id` of the fingerprint.
Only ``reproduce.py --bless`` writes them (:func:`merge`): blessing on a
family the golden does not hold adds it and leaves the others alone;
blessing on a family it holds with other values means the code changed, so
the new values become the golden and the other families are dropped (they
must be blessed again on their machines, and the command says so).

On a family the golden does not hold, every figure is still judged, by the
first rule that applies (tf1_repro/releases.py, ``band_for``):

* a **draw** (declared by the post's run, ``{"draw": {...}}``): a figure of a
  long training, where after a few hundred steps two families are as far
  apart as two seeds.  The value must lie inside what the seed study of the
  same command measured at that checkpoint: between the study's smallest and
  largest value widened by one standard deviation at each end
  (:func:`draw_band`).  Among 1000 seeds a new draw falls outside the bare
  range with probability 2/1001; the widening makes a false alarm rarer
  still, and a broken run (an untrained network, a step gone wrong) lands far
  outside.
* a figure that **follows** another (``{"follows": {"figure": F, "how": "round"}}``):
  computed from figure F of the same run, so it must equal that computation
  (a rounded output, say), while F is judged by its own rule.
* a **declared band** with its evidence (``other_env`` of the golden).
* the **measured rounding band** (:func:`spread_band`): where the golden
  holds at least :data:`MIN_FAMILIES` families, the largest difference
  between them and the golden's value, times :data:`SPREAD_FACTOR`.  A figure
  all of them computed to the same bits is exact if it is an integer count,
  a flag or a string, and within :data:`FLOOR_RTOL` (a few float32 ulps) if
  it is a float, since a family not measured may round once more.

No figure is left without a rule: tests/test_families.py checks every golden.
"""
import hashlib
import json
import math

EXACT = {"atol": 0, "rtol": 0}

# At least this many families (the golden's own included) before their
# spread is evidence for a figure.
MIN_FAMILIES = 3
# A family not yet measured may part from the golden by more than any
# measured one: the band is this many times the largest measured difference.
# Chosen before any family was judged: with four measured differences from one
# light-tailed distribution, a fifth exceeding four times their maximum is
# rarer than one in a thousand.
SPREAD_FACTOR = 4
# Floats every measured family gave to the same bits: a few ulps of float32.
FLOOR_RTOL = 1e-6


def environment_id(fp):
    """A short, stable name for the bit fields of a fingerprint: ``tf2.17.1-np1.26.4-3f9a0c1e``."""
    from tf1_repro.graph_session import bit_keys
    bits = {k: fp.get(k) for k in bit_keys(fp)}
    h = hashlib.sha256(json.dumps(bits, sort_keys=True).encode()).hexdigest()[:8]
    return f"tf{fp.get('tensorflow')}-np{fp.get('numpy')}-{h}"


def family_label(fp):
    """A reader's name for a fingerprint's family: key, steering variables, first-level cache."""
    key = fp.get("family")
    if key is None:
        isa = fp.get("isa")
        top = (next((f for f in ("avx512f", "avx2", "avx") if f in isa), "no AVX") if isa
               else "features not recorded")
        return f"recorded before the kernel probe ({fp.get('cpu', '?')}, {top})"
    causes = fp.get("causes") or {}
    # The archive's own default (oneDNN's graph rewrites off) goes without saying.
    parts = [f"{k}={v}" for k, v in sorted((causes.get("variables") or {}).items())
             if (k, v) != ("TF_ENABLE_ONEDNN_OPTS", "0")]
    cache = causes.get("cache") or {}
    if "L1d" in cache:
        parts.append(f"L1d {cache['L1d']}")
    top = next((f for f in ("avx512f", "avx2", "avx") if f in (causes.get("isa") or [])), None)
    if top:
        parts.append(top)
    return f"{key} ({'; '.join(parts)})" if parts else key


def all_families(golden):
    """[(env_id, fingerprint, {figure: value})]: the golden's own family first, then the others."""
    own = {fig: spec["reproduced"] for fig, spec in golden["figures"].items()}
    out = [(environment_id(golden["fingerprint"]), golden["fingerprint"], own)]
    for env_id, fam in sorted(golden.get("families", {}).items()):
        out.append((env_id, fam["fingerprint"], fam["values"]))
    return out


def merge(previous, fresh):
    """The golden to write when ``fresh`` (a golden built from one run) is blessed over ``previous``.

    Returns (golden, message).  See the module doc for the rules.
    """
    from tf1_repro.graph_session import same_fingerprint
    if previous is None:
        return fresh, "new golden"
    fresh_values = {fig: spec["reproduced"] for fig, spec in fresh["figures"].items()}
    fp = fresh["fingerprint"]
    if "family" in fp and _probe(previous["fingerprint"]) != _probe(fp):
        return fresh, ("the golden was recorded before this kernel probe: it starts again from "
                       f"family {family_label(fp)}")
    for env_id, old_fp, old_values in all_families(previous):
        if same_fingerprint(old_fp, fp):
            if old_values == fresh_values:
                kept = dict(previous)
                if env_id == environment_id(previous["fingerprint"]):
                    kept = dict(fresh, families=previous.get("families", {}))
                    return _drop_empty(kept), "unchanged"
                return previous, f"unchanged on family {family_label(fp)}"
            dropped = [fam["label"] for i, fam in previous.get("families", {}).items() if i != env_id]
            if env_id != environment_id(previous["fingerprint"]):
                dropped.append(family_label(previous["fingerprint"]))
            return fresh, ("the values changed on a family the golden held, so the code changed; "
                           + (f"dropped the other families (bless them again on their machines): "
                              f"{', '.join(dropped)}" if dropped else "no other family held"))
    if previous.get("args") != fresh.get("args") or set(previous["figures"]) != set(fresh["figures"]):
        return fresh, "the command or its figures changed: the golden starts again from this family"
    out = dict(previous)
    families = dict(previous.get("families", {}))
    families[environment_id(fp)] = {"label": family_label(fp), "fingerprint": fp, "values": fresh_values}
    out["families"] = families
    return out, f"added family {family_label(fp)} ({len(families) + 1} families)"


def _probe(fp):
    """The version of the kernel probe behind a fingerprint's family (None: no probe)."""
    if "family" not in fp:
        return None
    return (fp.get("kernels") or {}).get("probe", 0)


def _drop_empty(golden):
    if not golden.get("families"):
        golden.pop("families", None)
    return golden


def flatten(value):
    """A figure's numbers in order: nested lists made flat."""
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in flatten(v)]
    return [value]


def is_number(x):
    """A finite int or float (a bool is not a number here)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


_flatten, _numeric = flatten, is_number


def spread_band(golden, fig):
    """(band, why) from the golden's families, or (None, why) when there are too few.

    ``band`` is relative to the golden's own value (see the module doc).
    """
    values = [vals[fig] for _, _, vals in all_families(golden) if fig in vals]
    if len(values) < MIN_FAMILIES:
        return None, f"{len(values)} famil{'y' if len(values) == 1 else 'ies'} measured (rounding band needs {MIN_FAMILIES})"
    ref = _flatten(values[0])
    worst, floats = 0.0, False
    for other in values[1:]:
        got = _flatten(other)
        if len(got) != len(ref):
            return {"one_of": values}, f"the {len(values)} families measured give lists of other lengths"
        for x, y in zip(got, ref):
            if _numeric(x) and _numeric(y):
                worst = max(worst, abs(x - y))
            elif x != y:
                return {"one_of": values}, f"the {len(values)} families measured disagree"
    floats = any(_numeric(y) and not float(y).is_integer() for y in ref)
    if worst > 0:
        # Never narrower than the few ulps any family may round by.
        floor = FLOOR_RTOL * max((abs(y) for y in ref if _numeric(y)), default=0.0)
        return ({"atol": max(SPREAD_FACTOR * worst, floor)},
                f"{SPREAD_FACTOR} x the largest difference between {len(values)} families ({worst:.3g})")
    if floats:
        return {"rtol": FLOOR_RTOL}, f"the same bits on all {len(values)} families measured (a few ulps allowed)"
    return EXACT, f"the same on all {len(values)} families measured"


def _summary(study, rule):
    """Per index (lo, hi, sd) of the study's seeds for a draw rule."""
    import numpy as np
    figs = {k: v["reproduced"] for k, v in study["figures"].items()}
    if "samples" in rule:
        samples = np.asarray(figs[rule["samples"]], dtype=float)
        if samples.ndim == 1:
            samples = samples[:, None]
        lo, hi = samples.min(axis=0), samples.max(axis=0)
        sd = samples.std(axis=0, ddof=1) if len(samples) > 1 else np.zeros_like(lo)
    else:
        lo, hi, sd = (np.atleast_1d(np.asarray(figs[k], dtype=float)) for k in ("min", "max", "std"))
    scale = rule.get("scale", 1.0)
    return lo * scale, hi * scale, sd * scale


def draw_band(rule, load_golden, golden=None, fig=None):
    """(band, why) for a declared draw: inside the seed study's range, widened by one sd each end.

    ``"first": "families"`` judges the first element (a count before any
    training step, say) by the rounding band of ``golden``'s families instead:
    it is no draw.
    """
    name = rule["golden"]
    try:
        study = load_golden(name)
    except Exception as e:  # a missing or corrupt study golden is reported by its own checks
        return None, f"its seed study {name} cannot be read: {e}"
    lo, hi, sd = _summary(study, rule)
    lo, hi = lo - sd, hi + sd
    if "index" in rule:
        i = rule["index"]
        band = {"min": float(lo[i]), "max": float(hi[i])}
    elif "indices" in rule:
        band = {"min": [float(lo[i]) for i in rule["indices"]], "max": [float(hi[i]) for i in rule["indices"]]}
    else:
        band = {"min": [float(x) for x in lo], "max": [float(x) for x in hi]}
    why = f"a draw: inside {name}'s range over its seeds, widened by one sd"
    if rule.get("first") == "families" and golden is not None and isinstance(band["min"], list):
        firsts = [_flatten(vals[fig])[0] for _, _, vals in all_families(golden) if fig in vals]
        if len(firsts) >= MIN_FAMILIES:
            spread = max(abs(x - firsts[0]) for x in firsts)
            band["min"][0] = firsts[0] - SPREAD_FACTOR * spread
            band["max"][0] = firsts[0] + SPREAD_FACTOR * spread
            why += (f"; the first, before any training, by the rounding band of {len(firsts)} "
                    f"families ({'exact' if spread == 0 else f'{SPREAD_FACTOR} x {spread:g}'})")
    return band, why


FOLLOWS = {"round": lambda xs: [int(round(float(x))) if abs(float(x) - round(float(x))) != 0.5
                                else int(2 * round(float(x) / 2)) for x in xs]}


def follows_value(rule, figures):
    """The value a figure that follows another must have in a run with ``figures``."""
    source = figures.get(rule["figure"])
    if source is None:
        return None
    return FOLLOWS[rule["how"]](_flatten(source))


# ---------------------------------------------------------------------------
# Seed studies on a family the golden does not hold: another sample of seeds
# ---------------------------------------------------------------------------

# How many standard errors a statistic of a study of n seeds may move when the
# same n seeds are drawn on another family (a sample of the same distribution,
# seed for seed another draw).  Declared before any family was judged: five
# standard errors of a difference of two samples' statistics is a false alarm
# rarer than one in a million for a normal statistic, and a broken study (an
# update that does not train) moves every statistic by tens of them.
STAT_Z = 5.0
# Extremes (a study's smallest or largest value) have no useful standard
# error: they may move by this many of the distribution's standard deviations.
EXTREME_SDS = 4.0


def _normal_pdf_at_quantile(p):
    from statistics import NormalDist
    d = NormalDist()
    return d.pdf(d.inv_cdf(p))


def study_rule(kind, n, sd=None, p=None, index=None):
    """A declared rule for a figure of a seed study of ``n`` seeds (``other_env``).

    ``kind``: ``mean`` / ``median`` / ``quantile`` (with ``p``) / ``sd`` /
    ``extreme`` of a per-seed value whose standard deviation is figure
    ``sd``; ``share`` (a fraction of the seeds), ``percentile`` (a rank in
    percent) or ``count`` (a number of the seeds); ``per_seed`` (a list of
    each seed's own value: each a draw); ``exact`` (the seeds themselves).
    """
    rule = {"kind": kind, "n": n}
    if sd is not None:
        rule["sd"] = sd
    if p is not None:
        rule["p"] = p
    if index is not None:
        rule["index"] = index
    return {"other_env": {"stat": rule}}


def _as_list(x, n):
    return list(x) if isinstance(x, (list, tuple)) else [x] * n


def stat_band(golden, fig, rule):
    """(expected, band, why) for a declared seed-study statistic (:func:`study_rule`)."""
    figs = {k: v["reproduced"] for k, v in golden["figures"].items()}
    value = figs[fig]
    kind, n = rule["kind"], rule["n"]
    flat = _flatten(value)
    if kind == "exact":
        return value, EXACT, "the seeds of the study: the same on every family"
    if kind == "per_seed":
        nums = [x for x in flat if _numeric(x)]
        import statistics
        sd = statistics.stdev(nums) if len(nums) > 1 else 0.0
        lo, hi = min(nums) - sd, max(nums) + sd
        return None, {"min": lo, "max": hi}, ("each seed a draw: inside the study's range over "
                                              f"{len(nums)} seeds, widened by one sd")
    if kind in ("share", "percentile", "count"):
        scale = {"share": 1.0, "percentile": 100.0, "count": float(n)}[kind]
        halves = []
        for x in flat:
            q = min(max(x / scale, 0.0), 1.0)
            halves.append(scale * STAT_Z * math.sqrt(2 * max(q * (1 - q), 1.0 / n) / n))
        return value, {"atol": max(halves)}, (f"another sample of {n} seeds: {STAT_Z:g} standard "
                                              "errors of a difference of two proportions")
    sd = figs[rule["sd"]] if isinstance(rule.get("sd"), str) else rule.get("sd")
    if "index" in rule:
        sd = _flatten(sd)[rule["index"]]
    sds = _as_list(sd, len(flat))
    if kind == "mean":
        factor = STAT_Z * math.sqrt(2.0 / n)
    elif kind in ("median", "quantile"):
        p = rule.get("p", 0.5)
        factor = STAT_Z * math.sqrt(2.0 / n) * math.sqrt(p * (1 - p)) / _normal_pdf_at_quantile(p)
    elif kind == "sd":
        factor = STAT_Z / math.sqrt(max(n - 1, 1))
    elif kind == "extreme":
        factor = EXTREME_SDS
    else:
        raise ValueError(f"unknown statistic kind {kind!r}")
    halves = [factor * s for s in sds]
    lo = [x - h for x, h in zip(flat, halves)]
    hi = [x + h for x, h in zip(flat, halves)]
    if not isinstance(value, (list, tuple)):
        lo, hi = lo[0], hi[0]
    return None, {"min": lo, "max": hi}, (f"another sample of {n} seeds: the {kind} within "
                                          f"{factor:.3g} of its per-seed sd")
