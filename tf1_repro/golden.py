"""Golden files: read, check, regenerate.

``golden/<name>.json`` pins one command's figures::

    {"schema": 2, "name": ..., "script": ..., "args": [...],
     "post": {...}, "fingerprint": {...},
     "figures": {fig: {"reproduced": value,
                       "tolerance": {"atol": 0, "rtol": 0},   # same fingerprint
                       "other_env": {"atol": ...} | null}},   # another fingerprint
     "claims": {claim: {...the declaration..., "ours": value, "verdict": ...}}}

The regression check compares a fresh run of ``script`` with ``args``
against ``reproduced``: within ``tolerance`` (exact by default) when the
fingerprint's bit fields match, and elsewhere by what the release matrix
measured (``golden/releases.json``, tf1_repro/releases.py says how), falling
back to ``other_env`` (``null``: not comparable, with the reason).

``claims`` is a record, for readers of the file, of the claims judged on this
golden's run (tf1_repro/claims/) and their verdicts when it was blessed.
Verdicts are never read back from it: they are computed from the
declarations (:func:`tf1_repro.claims.judge`), and tests/test_claims.py
checks that the record still equals them.

Goldens are written only by ``python scripts/reproduce.py --bless``
(:func:`golden_from_results`), which also regenerates the pages (tf1_repro/pages.py).
"""
import collections
import functools
import json
import math
import os
import subprocess
import sys

from tf1_repro.errors import GoldenError, ReproError
from tf1_repro.report import to_jsonable, write_json

SCHEMA = 2
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN_DIR = os.path.join(REPO_ROOT, "golden")

EXACT = {"atol": 0, "rtol": 0}


class GoldenSchemaError(GoldenError):
    """A sound golden written under another schema: it must be blessed again."""
_BAND_KEYS = {"atol", "rtol", "min", "max"}
_DRAW_KEYS = {"golden", "samples", "index", "indices", "scale", "first"}
_RULE_KINDS = {"draw", "follows", "stat", "per_seed"}
_FIGURE_KEYS = {"reproduced", "tolerance", "other_env"}


def golden_path(name, golden_dir=GOLDEN_DIR):
    return os.path.join(golden_dir, f"{name}.json")


def _check_band(path, fig, key, band):
    if band is None:
        return
    if key == "other_env" and isinstance(band, dict) and len(band) == 1 and set(band) <= _RULE_KINDS:
        [(kind, rule)] = band.items()
        if not isinstance(rule, dict):
            raise GoldenError(f"{path}: figure {fig!r}: other_env.{kind} must be an object, got {rule!r}")
        if kind == "draw" and (not set(rule) <= _DRAW_KEYS or not isinstance(rule.get("golden"), str)):
            raise GoldenError(f"{path}: figure {fig!r}: other_env.draw must name a seed study's "
                              f"golden, with keys from {sorted(_DRAW_KEYS)}, got {rule!r}")
        return
    if not isinstance(band, dict) or not set(band) <= _BAND_KEYS or not band:
        raise GoldenError(f"{path}: figure {fig!r}: {key} must be null or an object with keys "
                          f"from {sorted(_BAND_KEYS)}, got {band!r}")
    for k, v in band.items():
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            raise GoldenError(f"{path}: figure {fig!r}: {key}.{k} must be a finite number, got {v!r}")


def validate(golden, path="golden"):
    """Raise GoldenError unless ``golden`` has the shape described in the module doc."""
    if not isinstance(golden, dict):
        raise GoldenError(f"{path}: not a JSON object")
    for key, kind in (("schema", int), ("name", str), ("script", str), ("args", list),
                      ("fingerprint", dict), ("figures", dict)):
        if not isinstance(golden.get(key), kind):
            raise GoldenError(f"{path}: missing or malformed {key!r}")
    if golden["schema"] != SCHEMA:
        raise GoldenSchemaError(f"{path}: schema {golden['schema']}, this archive reads {SCHEMA} "
                                "(regenerate it: python scripts/reproduce.py --golden=NAME --bless)")
    if not golden["figures"]:
        raise GoldenError(f"{path}: no figures")
    for fig, spec in golden["figures"].items():
        if not isinstance(spec, dict) or "reproduced" not in spec:
            raise GoldenError(f"{path}: figure {fig!r} has no reproduced value")
        unknown = set(spec) - _FIGURE_KEYS
        if unknown:
            raise GoldenError(f"{path}: figure {fig!r}: unknown keys {sorted(unknown)}")
        for key in ("tolerance", "other_env"):
            _check_band(path, fig, key, spec.get(key))
    if not isinstance(golden.get("claims", {}), dict):
        raise GoldenError(f"{path}: malformed 'claims'")
    families = golden.get("families", {})
    if not isinstance(families, dict):
        raise GoldenError(f"{path}: malformed 'families'")
    for env_id, fam in families.items():
        if (not isinstance(fam, dict) or not isinstance(fam.get("fingerprint"), dict)
                or not isinstance(fam.get("values"), dict)):
            raise GoldenError(f"{path}: family {env_id!r} needs a fingerprint and values")
    return golden


def load(name, golden_dir=GOLDEN_DIR):
    """Read and validate ``golden/<name>.json``."""
    path = golden_path(name, golden_dir)
    try:
        with open(path) as f:
            golden = json.load(f)
    except FileNotFoundError:
        raise GoldenError(f"{path}: no such golden (regenerate with "
                          f"python scripts/reproduce.py --post=all --bless)")
    except (OSError, ValueError) as e:
        raise GoldenError(f"{path}: not readable JSON: {e}")
    return validate(golden, path)


def golden_from_results(name, script, args, results):
    """Build a golden from a run's results.json dictionary and the declared claims."""
    from tf1_repro import claims
    tolerances = results.get("tolerances", {})
    figures = {}
    for fig, value in results["figures"].items():
        tol = tolerances.get(fig, {})
        figures[fig] = {
            "reproduced": value,
            "tolerance": tol.get("same_env", EXACT),
            "other_env": tol.get("other_env"),
        }
    record = {}
    for claim, value, status, _ in claims.judge(name, results["figures"]):
        record[claim.name] = dict(claims.record(claim), ours=value, verdict=status)
    golden = {
        "schema": SCHEMA,
        "name": name,
        "script": script,
        "args": list(args),
        "post": results.get("post", {}),
        "fingerprint": results["fingerprint"],
        "figures": figures,
        "claims": record,
    }
    return validate(to_jsonable(golden), name)


def save(golden, golden_dir=GOLDEN_DIR):
    validate(golden, golden["name"])
    os.makedirs(golden_dir, exist_ok=True)
    write_json(golden_path(golden["name"], golden_dir), golden)


def _flatten(value):
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out.extend(_flatten(v))
        return out
    return [value]


def close_enough(actual, expected, band):
    """(ok, why): ``actual`` within ``band`` (atol/rtol/min/max) of ``expected``.

    Lists are compared element by element and must have the same length;
    strings and booleans must be equal.  ``expected`` may be None when the
    band only has min/max.
    """
    if "one_of" in band:
        if actual in band["one_of"]:
            return True, ""
        return False, f"{actual!r} is none of the {len(band['one_of'])} values measured"
    a = _flatten(actual)
    e = _flatten(expected) if expected is not None else [None] * len(a)
    if len(a) != len(e):
        return False, f"length {len(a)} != {len(e)}"
    bounds = {}
    for key in ("min", "max"):
        if key in band:
            b = _flatten(band[key]) if isinstance(band[key], (list, tuple)) else [band[key]] * len(a)
            if len(b) != len(a):
                return False, f"length {len(a)} != {len(b)} bounds"
            bounds[key] = b
    atol = band.get("atol", 0.0)
    rtol = band.get("rtol", 0.0)
    for i, (x, y) in enumerate(zip(a, e)):
        where = f"[{i}] " if len(a) > 1 else ""
        numeric = isinstance(x, (int, float)) and not isinstance(x, bool)
        if not numeric:
            if y is not None and x != y:
                return False, f"{where}{x!r} != {y!r}"
            continue
        if "min" in bounds and x < bounds["min"][i]:
            return False, f"{where}{x} < min {bounds['min'][i]:.6g}"
        if "max" in bounds and x > bounds["max"][i]:
            return False, f"{where}{x} > max {bounds['max'][i]:.6g}"
        if y is None or not ({"atol", "rtol"} & set(band) or band == EXACT):
            continue
        if isinstance(y, bool) or not isinstance(y, (int, float)):
            return False, f"{where}{x!r} vs non-numeric {y!r}"
        if not abs(x - y) <= atol + rtol * abs(y):
            return False, f"{where}{x} vs {y}: off by {abs(x - y):.6g} > {atol + rtol * abs(y):.6g}"
    return True, ""


def judge(golden, results, release_record=None):
    """Every figure of a fresh run judged against the golden: a list of :class:`Judged`.

    Each figure is judged by :func:`tf1_repro.releases.band_for`: exact on a
    family the golden holds and under every environment the release matrix
    measured; on another family by a seed study's draw, a declared band or
    the rounding band its families measured (tf1_repro/families.py).  A
    figure no rule covers is a failure, as is a figure missing from the run;
    a figure the run adds is not pinned yet and is ignored until the next
    --bless.
    """
    from tf1_repro import releases
    if release_record is None:
        release_record = releases.load()
    out = []
    for fig in golden["figures"]:
        if fig not in results["figures"]:
            out.append(Judged(fig, False, "missing", "missing from the run"))
            continue
        expected, band, why = releases.band_for(golden, fig, results["fingerprint"], release_record,
                                                _cached_load)
        if band is None:
            out.append(Judged(fig, False, "unchecked", f"no rule judges it here: {why}"))
            continue
        if "follows" in band:
            from tf1_repro.families import follows_value
            expected, band = follows_value(band["follows"], results["figures"]), EXACT
        ok, diff = close_enough(results["figures"][fig], expected, band)
        exact = band == EXACT or band == {"atol": 0}
        out.append(Judged(fig, ok, "exact" if exact else ("draw" if why.startswith("a draw") else "band"),
                          why if ok else f"({why}): {diff}"))
    return out


Judged = collections.namedtuple("Judged", ["figure", "ok", "how", "why"])


def regression_failures(golden, results, release_record=None):
    """The figures of :func:`judge` that fail, as messages."""
    return [f"{j.figure} {j.why}" if j.how != "missing" else f"{j.figure}: {j.why}"
            for j in judge(golden, results, release_record) if not j.ok]


def judgement_line(golden, results, release_record=None):
    """One line: which family the run was on and how its figures were judged."""
    from tf1_repro.families import family_label
    from tf1_repro.graph_session import same_fingerprint
    judged = judge(golden, results, release_record)
    fp = results["fingerprint"]
    known = any(same_fingerprint(f, fp) for f in
                [golden["fingerprint"]] + [v["fingerprint"] for v in golden.get("families", {}).values()])
    counts = collections.Counter(j.how for j in judged)
    bad = sum(not j.ok for j in judged)
    kind = "a family this golden holds" if known else "a family this golden does not hold"
    parts = ", ".join(f"{counts[k]} {k}" for k in ("exact", "band", "draw", "unchecked", "missing") if counts[k])
    return (f"{golden['name']}: family {family_label(fp)}, {kind}: {len(judged)} figures ({parts})"
            + (f", {bad} FAIL" if bad else ", all hold"))


@functools.lru_cache(maxsize=None)
def _cached_load(name):
    return load(name)


def run_command(spec, workdir, data_dir=None):
    """Run one golden's command (a registry entry) as its own process; its results.json.

    Posts set process-wide TensorFlow state differently, so each runs alone.
    A failed command raises ReproError with its last line of standard error.
    """
    out = os.path.join(workdir, spec.name)
    cmd = [sys.executable, os.path.join(REPO_ROOT, "scripts", f"{spec.post}.py"), *spec.args,
           f"--output_dir={out}"]
    if data_dir:
        cmd.append(f"--data_dir={data_dir}")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_ROOT)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise ReproError(f"{spec.name}: {' '.join(cmd[1:])} failed (exit {proc.returncode}): {last}")
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)


# golden/releases.json is the release matrix's record (tf1_repro/releases.py), not a golden.
NOT_GOLDENS = {"releases.json"}


def golden_names(golden_dir=GOLDEN_DIR):
    return sorted(f[:-5] for f in os.listdir(golden_dir) if f.endswith(".json") and f not in NOT_GOLDENS)


def all_goldens(golden_dir=GOLDEN_DIR):
    return [load(n, golden_dir) for n in golden_names(golden_dir)]


def results_markdown(goldens):
    """The claims table reproduce.py prints: every declared claim, its value in its golden, its verdict.

    Verdicts come from the declarations (tf1_repro/claims/) applied to the
    pinned values; the evidence for each band follows the table.
    """
    from tf1_repro import claims
    from tf1_repro.report import format_value, markdown_table
    by_name = {g["name"]: g for g in goldens}
    rows, evidence, commands = [], [], {}
    for claim in claims.all_claims():
        g = by_name.get(claim.golden)
        if g is None:
            continue  # a run of some of the goldens: the others' claims are not shown
        figures = {k: v["reproduced"] for k, v in g["figures"].items()}
        try:
            value = claims.pick(figures, claim.figure)
            status, _ = claims.verdict(claim, value)
        except (KeyError, IndexError, TypeError):
            value, status = None, claims.NEWLY_FAILS
        commands[claim.golden] = " ".join([f"scripts/{g['script']}.py"] + g["args"])
        shown = {claims.REPRODUCED: "reproduced", claims.KNOWN_GAP: "**not reproduced** (known gap)"}
        rows.append([claim.name, claim.said, format_value(claim.published), format_value(value),
                     f"`{claim.golden}`: {claim.figure}", claims.band_text(claim.band),
                     shown.get(status, f"**{status}**")])
        line = f"- `{claim.name}`: {claim.evidence}."
        if claim.known_gap:
            line += f" Known gap: {claim.known_gap}."
        evidence.append(line)
    if not rows:
        return "(no claims are judged on these goldens)"
    table = markdown_table(rows, ["claim", "the post", "published", "ours", "golden: figure",
                                  "band", "verdict"])
    cmds = "\n".join(f"- `{name}`: `python {cmd}`" for name, cmd in sorted(commands.items()))
    from tf1_repro.families import family_label
    by_family = {}
    for name in sorted(by_name):
        g = by_name[name]
        others = len(g.get("families", {}))
        note = f" (+{others} other famil{'y' if others == 1 else 'ies'})" if others else ""
        by_family.setdefault(family_label(g["fingerprint"]), []).append(f"`{name}`{note}")
    families = "\n".join(f"- {label}: {', '.join(names)}" for label, names in sorted(by_family.items()))
    return (table + "\n\nWhy each band (the evidence), and the gaps:\n\n" + "\n".join(evidence)
            + "\n\nThe commands:\n\n" + cmds
            + "\n\n\"ours\" is each golden's own kernel family's value (*Determinism*); the "
              "families, and the goldens first blessed on each:\n\n" + families)
