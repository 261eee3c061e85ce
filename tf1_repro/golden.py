"""Golden files: read, check, regenerate.

``golden/<name>.json`` pins one command's figures::

    {"schema": 1, "name": ..., "script": ..., "args": [...],
     "post": {...}, "fingerprint": {...},
     "figures": {fig: {"reproduced": value,
                       "tolerance": {"atol": 0, "rtol": 0},   # same fingerprint
                       "other_env": {"atol": ...} | null,     # another fingerprint
                       "published": value | null,              # what the post printed
                       "band": {"atol"/"rtol"/"min"/"max"} | null,
                       "note": "..."}}}

Two checks per figure, both against a fresh run of ``script`` with ``args``:

* regression: the fresh value equals ``reproduced`` within ``tolerance``
  (exact by default) when the fingerprint matches, within ``other_env``
  otherwise (``null``: not comparable across environments; the fidelity check
  still applies);
* fidelity: the fresh value lies in ``band`` around ``published``.  A figure
  the post printed that we cannot reproduce keeps its band and says so in
  ``note`` and gives the reason in ``known_gap``; its fidelity test is then
  an expected failure (strict: it fails loudly if the gap ever closes), and
  the README table says "not reproduced".

Goldens are written only by ``python scripts/reproduce.py --post=all --bless``
(:func:`golden_from_results`), which also regenerates the README table.
"""
import json
import math
import os

from tf1_repro.errors import GoldenError
from tf1_repro.graph_session import same_fingerprint
from tf1_repro.report import to_jsonable, write_json

SCHEMA = 1
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN_DIR = os.path.join(REPO_ROOT, "golden")

EXACT = {"atol": 0, "rtol": 0}
_BAND_KEYS = {"atol", "rtol", "min", "max"}
_FIGURE_KEYS = {"reproduced", "tolerance", "other_env", "published", "band", "note", "known_gap"}


def golden_path(name, golden_dir=GOLDEN_DIR):
    return os.path.join(golden_dir, f"{name}.json")


def _check_band(path, fig, key, band):
    if band is None:
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
        raise GoldenError(f"{path}: schema {golden['schema']}, this archive reads {SCHEMA}")
    if not golden["figures"]:
        raise GoldenError(f"{path}: no figures")
    for fig, spec in golden["figures"].items():
        if not isinstance(spec, dict) or "reproduced" not in spec:
            raise GoldenError(f"{path}: figure {fig!r} has no reproduced value")
        unknown = set(spec) - _FIGURE_KEYS
        if unknown:
            raise GoldenError(f"{path}: figure {fig!r}: unknown keys {sorted(unknown)}")
        for key in ("tolerance", "other_env", "band"):
            _check_band(path, fig, key, spec.get(key))
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
    """Build a golden from a run's results.json dictionary."""
    published = results.get("published", {})
    tolerances = results.get("tolerances", {})
    figures = {}
    for fig, value in results["figures"].items():
        pub = published.get(fig, {})
        tol = tolerances.get(fig, {})
        figures[fig] = {
            "reproduced": value,
            "tolerance": tol.get("same_env", EXACT),
            "other_env": tol.get("other_env"),
            "published": pub.get("value"),
            "band": pub.get("band"),
            "note": pub.get("note", tol.get("note", "")),
        }
        if pub.get("known_gap"):
            figures[fig]["known_gap"] = pub["known_gap"]
    golden = {
        "schema": SCHEMA,
        "name": name,
        "script": script,
        "args": list(args),
        "post": results.get("post", {}),
        "fingerprint": results["fingerprint"],
        "figures": figures,
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
    a = _flatten(actual)
    e = _flatten(expected) if expected is not None else [None] * len(a)
    if len(a) != len(e):
        return False, f"length {len(a)} != {len(e)}"
    atol = band.get("atol", 0.0)
    rtol = band.get("rtol", 0.0)
    for i, (x, y) in enumerate(zip(a, e)):
        where = f"[{i}] " if len(a) > 1 else ""
        numeric = isinstance(x, (int, float)) and not isinstance(x, bool)
        if not numeric:
            if y is not None and x != y:
                return False, f"{where}{x!r} != {y!r}"
            continue
        if "min" in band and x < band["min"]:
            return False, f"{where}{x} < min {band['min']}"
        if "max" in band and x > band["max"]:
            return False, f"{where}{x} > max {band['max']}"
        if y is None or not ({"atol", "rtol"} & set(band) or band == EXACT):
            continue
        if isinstance(y, bool) or not isinstance(y, (int, float)):
            return False, f"{where}{x!r} vs non-numeric {y!r}"
        if not abs(x - y) <= atol + rtol * abs(y):
            return False, f"{where}{x} vs {y}: off by {abs(x - y):.6g} > {atol + rtol * abs(y):.6g}"
    return True, ""


def regression_failures(golden, results):
    """Figures of a fresh run that differ from the golden: a list of messages.

    Exact (or ``tolerance``) under the golden's fingerprint, ``other_env``
    otherwise.  A figure missing from the run is a failure; a figure the run
    adds is not pinned yet and is ignored until the next --bless.
    """
    same = same_fingerprint(golden["fingerprint"], results["fingerprint"])
    failures = []
    for fig, spec in golden["figures"].items():
        if fig not in results["figures"]:
            failures.append(f"{fig}: missing from the run")
            continue
        band = spec.get("tolerance") or EXACT if same else spec.get("other_env")
        if band is None:
            continue
        ok, why = close_enough(results["figures"][fig], spec["reproduced"], band)
        if not ok:
            env = "same fingerprint" if same else "other fingerprint"
            failures.append(f"{fig} ({env}): {why}")
    return failures


def fidelity_failures(golden, results):
    """Figures of a fresh run outside the band of the post's published value."""
    failures = []
    for fig, spec in golden["figures"].items():
        if spec.get("band") is None or fig not in results["figures"] or spec.get("known_gap"):
            continue
        ok, why = close_enough(results["figures"][fig], spec.get("published"), spec["band"])
        if not ok:
            failures.append(f"{fig}: {why}")
    return failures


def band_text(band):
    """A band for humans: '±25, ≥ 900'."""
    if not band:
        return "—"
    parts = []
    if "atol" in band:
        parts.append(f"±{band['atol']:g}")
    if "rtol" in band:
        parts.append(f"±{100 * band['rtol']:g}%")
    if "min" in band:
        parts.append(f"≥ {band['min']:g}")
    if "max" in band:
        parts.append(f"≤ {band['max']:g}")
    return ", ".join(parts)


def table_rows(golden):
    """Rows (figure, published, reproduced, band, verdict) for one golden."""
    rows = []
    for fig, spec in golden["figures"].items():
        if spec.get("published") is None and spec.get("band") is None:
            continue
        ok = None
        if spec.get("band") is not None:
            ok, _ = close_enough(spec["reproduced"], spec.get("published"), spec["band"])
        rows.append((fig, spec.get("published"), spec["reproduced"], spec.get("band"), ok))
    return rows


def all_goldens(golden_dir=GOLDEN_DIR):
    names = sorted(f[:-5] for f in os.listdir(golden_dir) if f.endswith(".json"))
    return [load(n, golden_dir) for n in names]


def results_markdown(goldens):
    """The README's published-vs-reproduced table, then the command behind each golden."""
    from tf1_repro.report import format_value, markdown_table
    rows, commands = [], []
    for g in goldens:
        shown = False
        for fig, published, reproduced, band, ok in table_rows(g):
            gap = g["figures"][fig].get("known_gap")
            verdict = ("—" if ok is None else "reproduced" if ok else
                       "**not reproduced** (known gap)" if gap else "**not reproduced**")
            rows.append([f"`{g['name']}`", fig, format_value(published), format_value(reproduced),
                         band_text(band), verdict])
            shown = True
        if shown:
            command = " ".join([f"scripts/{g['script']}.py"] + g["args"])
            commands.append(f"- `{g['name']}`: `python {command}`")
    if not rows:
        return "(no published figures or claims in these goldens)"
    table = markdown_table(rows, ["golden", "figure", "published", "ours", "band", "verdict"])
    return table + "\n\nThe commands:\n\n" + "\n".join(commands)
