"""The release matrix: the default goldens under every supported TensorFlow release.

``nox -s matrix`` (noxfile.py) makes one environment per release, with the
tf-keras and NumPy that release needs, and in each runs::

    python scripts/release_matrix.py --measure --label="TF 2.17.1" --output=build/matrix/2.17.json

which runs every default golden's command (tf1_repro/registry.py, the same
commands ``scripts/reproduce.py`` runs) and keeps each run's figures and
fingerprint.  ``nox -s matrix_report`` (run by ``nox -s matrix`` last) merges
those files into ``golden/releases.json`` (tf1_repro/releases.py: how the
goldens use it) and regenerates docs/releases.md's table, where each
release gets, per figure, one of:

* ``exact``: the golden's value, bit for bit;
* ``in band``: another value, inside what the figure allows on a family the
  golden does not hold (tf1_repro/families.py: a seed study's draw, a
  declared band, or the rounding band its families measured);
* ``out of band``: another value, outside it or with no band declared;
* ``error``: the command failed, or the figure is missing.

Informational releases (tf-nightly) are measured and shown, never used as
evidence for the goldens.
"""
import datetime
import json
import tempfile
import time

from tf1_repro import golden, registry, releases
from tf1_repro.errors import ReproError
from tf1_repro.report import markdown_table

EXACT, IN_BAND, OUT_OF_BAND, ERROR = "exact", "in band", "out of band", "error"


def default_specs():
    return [s for s in registry.GOLDENS if not s.slow]


def measure(label, informational=False, data_dir=None, specs=None, log=lambda msg: None):
    """Run each default golden's command here (or those of ``specs``); a measurement record.

    A record of some of the default goldens (a golden blessed again since the
    matrix ran) says ``partial``: merged, it replaces that release's values
    of its goldens only.
    """
    partial = specs is not None and {s.name for s in specs} != {s.name for s in default_specs()}
    specs = default_specs() if specs is None else specs
    record = {"label": label, "informational": bool(informational),
              "measured": datetime.date.today().isoformat(), "goldens": {}}
    if partial:
        record["partial"] = True
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="matrix-") as workdir:
        for spec in specs:
            pinned = golden.load(spec.name)
            entry = {"digest": releases.digest(pinned)}
            started = time.perf_counter()
            try:
                results = golden.run_command(spec, workdir, data_dir)
                entry.update(figures=results["figures"], fingerprint=results["fingerprint"])
            except ReproError as e:
                entry["error"] = str(e)
            entry["seconds"] = round(time.perf_counter() - started, 1)
            log(f"{label}: {spec.name}: {'error' if 'error' in entry else 'done'} "
                f"({entry['seconds']} s)")
            record["goldens"][spec.name] = entry
    record["seconds"] = round(time.perf_counter() - t0, 1)
    return record


def _environment(record, fp):
    return {"label": record["label"], "fingerprint": fp, "informational": record["informational"],
            "measured": record["measured"], "seconds": record["seconds"]}


def merge(release_record, measurements, goldens):
    """``release_record`` with ``measurements`` (records of :func:`measure`) taken in.

    A release measured again replaces its earlier environments (a
    ``partial`` measurement: its earlier values of the goldens measured).  A
    measurement of a golden blessed since is left out (returned as a
    warning), and so are the older measurements of a golden blessed again.
    """
    out = json.loads(json.dumps(release_record))
    by_name = {g["name"]: g for g in goldens}
    warnings = []
    for m in measurements:
        if m.get("install_error"):
            out.setdefault("not_installed", {})[m["label"]] = m["install_error"]
            continue
        out.get("not_installed", {}).pop(m["label"], None)
        stale = [e for e, env in out["environments"].items() if env["label"] == m["label"]]
        for env_id in stale:
            if not m.get("partial"):
                del out["environments"][env_id]
            for name, entry in out["goldens"].items():
                if not m.get("partial") or name in m["goldens"]:
                    entry["values"].pop(env_id, None)
        for name, run in m["goldens"].items():
            g = by_name.get(name)
            if g is None or run["digest"] != releases.digest(g):
                warnings.append(f"{m['label']}: {name} was measured against another blessing "
                                "of its golden; run the matrix again")
                continue
            entry = out["goldens"].setdefault(name, {"digest": run["digest"], "values": {}})
            if entry["digest"] != run["digest"]:
                entry.update(digest=run["digest"], values={})
            if "error" in run:
                fp = {"tensorflow": m["label"]}
                env_id = f"error-{m['label']}"
                entry["values"][env_id] = {"error": run["error"]}
            else:
                fp = run["fingerprint"]
                env_id = releases.environment_id(fp)
                entry["values"][env_id] = run["figures"]
            if not (m.get("partial") and env_id in out["environments"]):
                out["environments"][env_id] = _environment(m, fp)
    out["causes"] = releases.causes_record()
    # Environments no golden refers to any more go.
    used = {e for entry in out["goldens"].values() for e in entry["values"]}
    out["environments"] = {e: env for e, env in out["environments"].items() if e in used}
    return releases.validate(out, "golden/releases.json"), warnings


def figure_status(g, fig, values):
    """(status, detail) of one figure under one measured environment."""
    if "error" in values:
        return ERROR, values["error"]
    if fig not in values:
        return ERROR, f"{fig} missing"
    spec = g["figures"][fig]
    ok, diff = golden.close_enough(values[fig], spec["reproduced"], golden.EXACT)
    if ok:
        return EXACT, ""
    expected, band, _ = releases.unknown_family_band(g, fig, golden.load)
    if band is not None and golden.close_enough(values[fig], expected, band)[0]:
        return IN_BAND, diff
    return OUT_OF_BAND, diff


def release_rows(release_record, goldens):
    """Per release label: counts of each status and the first difference, in release order."""
    by_name = {g["name"]: g for g in goldens}
    envs = release_record["environments"]
    rows = {}
    for name, entry in sorted(release_record["goldens"].items()):
        g = by_name.get(name)
        if g is None or entry["digest"] != releases.digest(g):
            continue
        for env_id, values in entry["values"].items():
            env = envs[env_id]
            row = rows.setdefault(env["label"], {"env": env, "counts": {}, "first": ""})
            for fig in g["figures"]:
                status, detail = figure_status(g, fig, values)
                row["counts"][status] = row["counts"].get(status, 0) + 1
                if status != EXACT and not row["first"]:
                    row["first"] = f"`{name}`: {fig} {detail}"
    return sorted(rows.values(), key=_release_order)


def _version(text):
    return [int(p) if p.isdigit() else 10**6 for p in str(text).split(".")[:3]]


def _release_order(row):
    env = row["env"]
    fp = env["fingerprint"]
    return (bool(env.get("informational")), _version(fp.get("tensorflow")), _version(fp.get("numpy")))


def release_table(release_record, goldens):
    """docs/releases.md's release table (generated; tf1_repro/readme.py's releases block)."""
    rows = release_rows(release_record, goldens)
    if not rows:
        return "(the release matrix has not been run: nox -s matrix)"
    body, total = [], 0.0
    for row in rows:
        fp, c = row["env"]["fingerprint"], row["counts"]
        label = row["env"]["label"] + (" (informational)" if row["env"]["informational"] else "")
        body.append([label, fp.get("numpy", "—"), c.get(EXACT, 0), c.get(IN_BAND, 0),
                     c.get(OUT_OF_BAND, 0), c.get(ERROR, 0), row["first"] or "—"])
        total += row["env"].get("seconds") or 0
    # Releases that did not install (tf-nightly, some days) come last.
    body += [[label, "—", "—", "—", "—", "—", reason]
             for label, reason in sorted(release_record.get("not_installed", {}).items())]
    table = markdown_table(body, ["release", "NumPy", "exact", "in band", "out of band", "error",
                                  "first difference from the golden"])
    machine = rows[0]["env"]["fingerprint"]
    causes_here = machine.get("causes") or {}
    cache = causes_here.get("cache") or {}
    isa = " ".join(machine.get("isa") or []) or "unrecorded"
    where = f"L1d {cache['L1d']}, L2 {cache.get('L2', '?')}; {isa}" if "L1d" in cache else isa
    text = (table + f"\n\nMeasured on one {machine.get('machine')} machine ({where}), each cell a "
            f"count of figures; the runs took {total / 60:.0f} minutes there, the environments' "
            "installs not counted. Each release's kernel family there is in golden/releases.json "
            "(a release that changes a probed kernel changes the family).")
    causes = release_record.get("causes") or []
    if causes:
        text += "\n\nWhat changes, traced to the op:\n\n" + "\n".join(
            f"- {c['op']} ({c['releases']}; {', '.join(f'`{g}`' for g in c['figures'])}): "
            f"{c['cause']}." for c in causes)
    return text
