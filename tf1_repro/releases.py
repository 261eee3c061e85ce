"""What the goldens' figures are under each measured environment.

A golden (``golden/<name>.json``) pins the figures of one command under the
environment it was blessed in.  The release matrix (``nox -s matrix``,
tf1_repro/matrix.py) runs the default goldens' commands under every
TensorFlow release the archive supports, on one machine, and keeps what each
release gave in ``golden/releases.json``::

    {"schema": 1,
     "environments": {ENV_ID: {"label": "TF 2.17.1", "fingerprint": {...},
                               "informational": false, "seconds": ..., "measured": DATE}},
     "goldens": {NAME: {"digest": DIGEST,
                        "values": {ENV_ID: {FIGURE: value, ...} | {"error": "..."}}}}}

``ENV_ID`` is :func:`environment_id` of a fingerprint's bit fields;
``DIGEST`` is :func:`digest` of the golden's figures when the matrix ran: a
golden blessed again since then has another digest, and the old
measurements no longer speak for it (a stale golden is reported, not used).

How a fresh run is judged against a golden (:func:`band_for`):

1. a kernel family the golden holds (same bit fields as its own
   fingerprint or one of its ``families``, tf1_repro/families.py): exact,
   against that family's values;
2. an environment the matrix measured: exact, against what that
   environment gave (a figure a release changed is pinned per release);
3. an environment not measured, on a machine of the matrix's kind (the same
   features, cache sizes and kernel variables): exact where every measured
   release gave the golden's value (at least two of them); where releases
   differ, within the largest difference measured between them (the
   evidence, named in the message);
4. any other family (:func:`unknown_family_band`): a declared draw from a
   seed study, a declared band, or the rounding band the golden's families
   measured (tf1_repro/families.py says which applies and why); a figure
   none of these covers is reported as unchecked, which fails.
"""
import hashlib
import json
import os

from tf1_repro import families
from tf1_repro.errors import GoldenError
from tf1_repro.graph_session import MACHINE_KEYS, same_fingerprint

SCHEMA = 1
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASES_PATH = os.path.join(REPO_ROOT, "golden", "releases.json")

EXACT = {"atol": 0, "rtol": 0}


def _version(text):
    return tuple(int(p) for p in str(text).split(".")[:2] if p.isdigit())


def _tf_before(major, minor):
    return lambda fp: _version(fp.get("tensorflow")) < (major, minor)


def _numpy_before(major, minor):
    return lambda fp: _version(fp.get("numpy")) < (major, minor)


# Where a release changes golden figures, the op or library change behind it.
# Each was traced by dumping every tensor of the run under two releases from
# the same inputs and finding the first op whose bits differ for equal inputs
# (then swapping that op's kernel for an emulation of the other release's,
# which moved the figures across).  ``active(fingerprint)`` says in which
# environments the change is in effect; ``figures`` maps goldens to the
# figure-name prefixes it may move.  tests/test_releases.py holds the record
# to these: every figure the matrix found changed is covered by a cause in
# effect there, and every cause in effect changed one of its figures.
CAUSES = [
    {"op": "Tanh, float32",
     "figures": {"decoupled_rnn_quick": [""]},
     "releases": "TF 2.15 to 2.19",
     "active": _tf_before(2, 20),
     "cause": ("TensorFlow 2.20 ships Eigen's new float32 tanh (a 9/8-degree rational "
               "approximation, 'Speed up and improve accuracy of tanh'); 2.19 and before used a "
               "13/6-degree interpolant. They differ by up to 4 ulp on the RNN's 784 hidden units, "
               "and every other op of the graph gives the same bits for the same inputs; "
               "tf1_repro/reference/eigen_tanh.py computes both kernels bit for bit")},
    {"op": "Tanh, float64",
     "figures": {"tf2_backprop": ["bptt."]},
     "releases": "TF 2.15 to 2.19",
     "active": _tf_before(2, 20),
     "cause": ("the BPTT exercise's float64 tanh called the C library's tanh per element up to "
               "TF 2.19 and Eigen's rational approximation since 2.20 (up to 6 ulp apart); the "
               "initial loss moves with the kernel alone, the final loss also with Grappler's "
               "dependency optimizer, which the exercise's tf.function runs under")},
    {"op": "Reciprocal, float32",
     "figures": {"tf2_backprop": ["clipping_study."]},
     "releases": "TF 2.15 to 2.20",
     "active": _tf_before(2, 21),
     "cause": ("the gradient of binary cross-entropy (Log1p's gradient in "
               "sigmoid_cross_entropy_with_logits) takes a reciprocal, which Eigen computes as an "
               "approximate reciprocal and one Newton step; TF 2.21's Eigen rewrote the step "
               "(x + x(1 - ax) for x(2 - ax)), changing 1 element in 8, and the clipping study's "
               "200-step trainings amplify that from step 6 on")},
    {"op": "Sigmoid, float32",
     "figures": {"tf2_backprop": ["custom_activation."], "gradient_override": ["impdrop_demo_"]},
     "releases": "TF 2.15 and 2.16",
     "active": _tf_before(2, 17),
     "cause": ("TF 2.15 and 2.16 compute float32 sigmoid to other bits (up to 7 ulp) than 2.17 and "
               "after, which equal Eigen's logistic function without fused multiply-add; the "
               "older kernel was not identified (the Eigen source is the same in both wheels' "
               "headers). Traced op by op for Impdrop's attention map; for the swish exercise "
               "inferred from the same release pattern")},
    {"op": "NumPy float32 sums",
     "figures": {"gradient_override": ["impdrop_demo_product_initial_attention_grad_norm",
                                       "impdrop_demo_impdrop_initial_attention_grad_norm",
                                       "impdrop_demo_impdrop_blocked_mean_attention"]},
     "releases": "NumPy before 2.4 (all releases to TF 2.19, and TF 2.20 with NumPy 1)",
     "active": _numpy_before(2, 4),
     "cause": ("the TensorFlow tensors are the same bits; two figures computed from them in NumPy "
               "are not: a norm summed from a Python 0 is float64 under NumPy 1 and float32 under "
               "NumPy 2 (NEP 50), and NumPy's float32 add-reduce of the (1000, 100) attention "
               "maps gives another last bit after NumPy 2.1.3")},
]


def causes_record():
    """:data:`CAUSES` as JSON (what golden/releases.json keeps)."""
    return [{k: v for k, v in c.items() if k != "active"} for c in CAUSES]


def explained(golden_name, fig, fingerprint):
    """The causes in effect under ``fingerprint`` that may move this figure."""
    return [c for c in CAUSES if c["active"](fingerprint)
            and any(fig.startswith(prefix) for prefix in c["figures"].get(golden_name, ()))]


# A fingerprint's environment id (golden/releases.json's keys): families.environment_id.
environment_id = families.environment_id


def digest(golden):
    """The golden's pinned figures, hashed: measurements are tied to one blessing."""
    figures = {k: v["reproduced"] for k, v in golden["figures"].items()}
    return hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()[:16]


def empty():
    return {"schema": SCHEMA, "environments": {}, "goldens": {}}


def validate(data, path=RELEASES_PATH):
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise GoldenError(f"{path}: not a release record of schema {SCHEMA} "
                          "(regenerate it: nox -s matrix)")
    envs, goldens = data.get("environments"), data.get("goldens")
    if not isinstance(envs, dict) or not isinstance(goldens, dict):
        raise GoldenError(f"{path}: missing or malformed 'environments' or 'goldens'")
    for env_id, env in envs.items():
        if not isinstance(env, dict) or not isinstance(env.get("fingerprint"), dict):
            raise GoldenError(f"{path}: environment {env_id!r} has no fingerprint")
    for name, entry in goldens.items():
        if (not isinstance(entry, dict) or not isinstance(entry.get("digest"), str)
                or not isinstance(entry.get("values"), dict)):
            raise GoldenError(f"{path}: golden {name!r}: malformed entry")
        for env_id, values in entry["values"].items():
            if env_id not in envs:
                raise GoldenError(f"{path}: golden {name!r}: unknown environment {env_id!r}")
            if not isinstance(values, dict):
                raise GoldenError(f"{path}: golden {name!r}: malformed values for {env_id!r}")
    return data


def load(path=RELEASES_PATH):
    """``golden/releases.json``, validated; an empty record if the matrix never ran."""
    try:
        with open(path) as f:
            data = json.load(f)
    except FileNotFoundError:
        return empty()
    except (OSError, ValueError) as e:
        raise GoldenError(f"{path}: not readable JSON: {e}")
    return validate(data, path)


# One list flattening and one number test for the goldens' judgements.
_flatten, _numeric = families.flatten, families.is_number


def measured(releases, golden):
    """{env_id: figures} of the environments that ran this golden as it is now blessed."""
    entry = releases["goldens"].get(golden["name"])
    if not entry or entry["digest"] != digest(golden):
        return {}
    return {env_id: values for env_id, values in entry["values"].items() if "error" not in values}


def drift(golden, measurements, fig):
    """(releases that gave the figure, the largest |difference| from the golden's value).

    The difference is None where a release gave a non-numeric value other
    than the golden's, or a list of another length: no band can hold that.
    """
    pinned = _flatten(golden["figures"][fig]["reproduced"])
    n, worst = 0, 0.0
    for values in measurements.values():
        if fig not in values:
            continue
        n += 1
        got = _flatten(values[fig])
        if len(got) != len(pinned):
            return n, None
        for x, y in zip(got, pinned):
            if x == y:
                continue
            if not (_numeric(x) and _numeric(y)):
                return n, None
            worst = max(worst, abs(x - y))
    return n, worst


def band_for(golden, fig, fingerprint, releases, load_golden=None):
    """(expected value, band or None, why) for one figure of a fresh run in ``fingerprint``.

    ``band`` None: not comparable here, and ``why`` says why.  The rules are
    the module doc's; the figure's value under a known family or a measured
    environment comes from that family's or environment's own record.
    ``load_golden`` reads a seed study's golden for a declared draw.
    """
    spec = golden["figures"][fig]
    if same_fingerprint(golden["fingerprint"], fingerprint):
        return spec["reproduced"], spec.get("tolerance") or EXACT, "the golden's own family"
    for env_id, fam in golden.get("families", {}).items():
        if fig in fam["values"] and same_fingerprint(fam["fingerprint"], fingerprint):
            return fam["values"][fig], EXACT, f"known family {fam.get('label', env_id)}"
    measurements = measured(releases, golden)
    envs = releases["environments"]
    for env_id, values in measurements.items():
        if fig in values and same_fingerprint(envs[env_id]["fingerprint"], fingerprint):
            return values[fig], EXACT, f"measured under {envs[env_id].get('label', env_id)}"
    on_machine = [e for e in measurements
                  if same_fingerprint(envs[e]["fingerprint"], fingerprint, MACHINE_KEYS)]
    if on_machine:
        n, worst = drift(golden, {e: measurements[e] for e in on_machine}, fig)
        if n >= 2 and worst == 0:
            return spec["reproduced"], EXACT, f"the same under all {n} measured releases"
        if n >= 2 and worst is not None:
            return (spec["reproduced"], {"atol": worst},
                    f"within the largest difference measured between {n} releases ({worst:.3g})")
    return unknown_family_band(golden, fig, load_golden)


def unknown_family_band(golden, fig, load_golden=None):
    """(expected, band or None, why) on a family the golden does not hold (tf1_repro/families.py)."""
    spec = golden["figures"][fig]
    declared = spec.get("other_env")
    if declared is not None and "follows" in declared:
        return None, declared, (f"follows {declared['follows']['figure']} of the same run "
                                f"({declared['follows']['how']})")
    if declared is not None and "stat" in declared:
        return families.stat_band(golden, fig, declared["stat"])
    if declared is not None and "draw" in declared:
        if load_golden is None:
            return None, None, "a draw from a seed study, and no golden reader was given"
        band, why = families.draw_band(declared["draw"], load_golden, golden, fig)
        return None, band, why
    if declared is not None:
        return spec["reproduced"], declared, "the golden's declared band for other families"
    band, why = families.spread_band(golden, fig)
    if band is not None:
        return spec["reproduced"], band, why
    return None, None, f"an unknown family, no band declared for this figure and {why}"
