"""Kernel families: the probe that names them, goldens that hold several, and the judgement elsewhere.

tf1_repro/family.py measures which bits this machine's kernels give (the
family key); tf1_repro/families.py keeps each family's exact values in a
golden and judges a run on a family the golden does not hold.  These tests
show that the key follows the bits (two processes agree, each kernel
variable changes both the key and post 002's counts), that blessing adds a
family and leaves the others alone, that every figure of every golden has a
rule on an unknown family, that the measured rounding band holds a family it
was not measured on, and that another machine's results (../shared/evidence)
pass, as a known family and as an unknown one, while a one-count change is
caught.
"""
import copy
import glob
import json
import os

import pytest

from scriptrun import REPO, run_script
from tf1_repro import families, golden, registry, releases
from tf1_repro.errors import GoldenError

EVIDENCE = os.path.join(os.path.dirname(REPO), "shared", "evidence")

# Variables that make another kernel family on one machine (each changes which
# sgemm oneDNN runs, or swaps it for Eigen's own contraction kernel).
KERNEL_VARIABLES = [{"ONEDNN_MAX_CPU_ISA": "AVX"}, {"ONEDNN_MAX_CPU_ISA": "SSE41"},
                    {"TENSORFLOW_USE_CUSTOM_CONTRACTION_KERNEL": "0"}]


def _only(variables):
    """A child environment with ``variables`` set and the other kernel variables removed."""
    env = {k: None for v in KERNEL_VARIABLES for k in v}
    env.update(variables)
    return env


@pytest.fixture(scope="module")
def families_run(tmp_path_factory):
    """Post 002 for 2001 steps: twice as the machine is, once under each kernel variable."""
    root = tmp_path_factory.mktemp("families")
    out = {}
    for name, env in [("a", {}), ("b", {})] + [(f"v{i}", v) for i, v in enumerate(KERNEL_VARIABLES)]:
        _, results = run_script("nielsen_mlp", "--steps=2001", output_dir=str(root / name), env=_only(env))
        out[name] = results
    # The in-graph loop builds a while_loop, which starts TensorFlow's eager
    # context: its kernels must still run on one intra-op thread.
    _, out["graph"] = run_script("nielsen_mlp", "--steps=2001", "--loop=graph",
                                 output_dir=str(root / "graph"), env=_only({}))
    return out


def test_two_processes_agree_on_the_family_and_the_bits(families_run):
    a, b = families_run["a"], families_run["b"]
    assert a["fingerprint"]["family"] == b["fingerprint"]["family"]
    assert a["figures"]["counts"] == b["figures"]["counts"]


def test_a_run_leaves_the_kernels_as_it_found_them(families_run):
    """The probe after post 002's in-graph loop equals a fresh process's, and so do the counts."""
    a, graph = families_run["a"], families_run["graph"]
    assert graph["fingerprint"]["family"] == a["fingerprint"]["family"]
    assert graph["figures"]["counts"] == a["figures"]["counts"]


def _changes_the_kernels(variables, fp):
    """Whether ``variables`` should move this machine's kernels: a cap below its best
    instruction set, or Eigen's own contraction instead of oneDNN's (x86 only)."""
    isa = fp.get("isa") or []
    if fp.get("machine") != "x86_64":
        return False
    cap = variables.get("ONEDNN_MAX_CPU_ISA")
    if cap == "AVX":
        return "avx2" in isa
    if cap == "SSE41":
        return "avx" in isa
    return True


@pytest.mark.parametrize("i", range(len(KERNEL_VARIABLES)), ids=[
    "=".join(next(iter(v.items()))) for v in KERNEL_VARIABLES])
def test_each_kernel_variable_changes_the_family_and_the_counts(families_run, i):
    """The key follows the bits: a variable that moves the kernels moves both, one that cannot neither."""
    base, other = families_run["a"], families_run[f"v{i}"]
    assert other["fingerprint"]["causes"]["variables"].items() >= KERNEL_VARIABLES[i].items()
    assert other["figures"]["counts"][0] == base["figures"]["counts"][0]  # the same start
    moved = other["fingerprint"]["family"] != base["fingerprint"]["family"]
    assert moved == _changes_the_kernels(KERNEL_VARIABLES[i], base["fingerprint"])
    if moved:  # another draw after 1000 and 2000 steps
        assert other["figures"]["counts"][1:] != base["figures"]["counts"][1:]
    else:
        assert other["figures"]["counts"] == base["figures"]["counts"]


# ---------------------------------------------------------------------------
# Blessing: families added, never mixed
# ---------------------------------------------------------------------------

def _fp(key, **changes):
    fp = {"tensorflow": "2.21.0", "numpy": "2.4.6", "family": key, "env": {}, "threads": 1,
          "causes": {"cache": {"L1d": "32K"}, "isa": ["avx2"], "variables": {}}}
    fp.update(changes)
    return fp


def _golden(key, values, other_env=None):
    return {"schema": golden.SCHEMA, "name": "g", "script": "s", "args": ["--x"], "fingerprint": _fp(key),
            "figures": {fig: {"reproduced": v, "tolerance": golden.EXACT,
                              "other_env": (other_env or {}).get(fig)} for fig, v in values.items()}}


def test_blessing_a_new_family_adds_it_and_keeps_the_others():
    first = _golden("k-a", {"count": 900, "loss": 0.5})
    merged, message = families.merge(first, _golden("k-b", {"count": 880, "loss": 0.5000001}))
    assert message.startswith("added family k-b")
    assert merged["figures"]["count"]["reproduced"] == 900
    [(env_id, fam)] = merged["families"].items()
    assert fam["values"] == {"count": 880, "loss": 0.5000001}
    # The same family again, same values: nothing changes; a third is added beside.
    again, message = families.merge(merged, _golden("k-b", {"count": 880, "loss": 0.5000001}))
    assert again == merged and message.startswith("unchanged")
    third, _ = families.merge(merged, _golden("k-c", {"count": 870, "loss": 0.5}))
    assert len(third["families"]) == 2 and third["families"][env_id] == fam


def test_other_values_on_a_known_family_start_the_golden_again():
    merged, _ = families.merge(_golden("k-a", {"count": 900}), _golden("k-b", {"count": 880}))
    changed, message = families.merge(merged, _golden("k-b", {"count": 881}))
    assert "code changed" in message and "k-a" in message
    assert changed["figures"]["count"]["reproduced"] == 881 and "families" not in changed
    # A golden from before the kernel probe gives way to a probed family.
    legacy = _golden("k-a", {"count": 900})
    del legacy["fingerprint"]["family"]
    fresh, message = families.merge(legacy, _golden("k-b", {"count": 900}))
    assert fresh["fingerprint"]["family"] == "k-b" and "before this kernel probe" in message


def test_a_known_family_is_judged_exactly_against_its_own_values():
    merged, _ = families.merge(_golden("k-a", {"count": 900, "outputs": [0.5, 0.25]}),
                               _golden("k-b", {"count": 880, "outputs": [0.5001, 0.25]}))
    run = {"figures": {"count": 880, "outputs": [0.5001, 0.25]}, "fingerprint": _fp("k-b")}
    assert golden.regression_failures(merged, run, releases.empty()) == []
    for changed in ({"count": 881}, {"outputs": [0.5011, 0.25]}):
        bad = dict(run, figures=dict(run["figures"], **changed))
        [msg] = golden.regression_failures(merged, bad, releases.empty())
        assert "known family k-b" in msg


# ---------------------------------------------------------------------------
# Unknown families: the measured rounding band and the seed study's draw
# ---------------------------------------------------------------------------

def _three_families(values_a, values_b, values_c, other_env=None):
    g = _golden("k-a", values_a, other_env)
    g, _ = families.merge(g, _golden("k-b", values_b))
    g, _ = families.merge(g, _golden("k-c", values_c))
    return g


def test_rounding_band_is_measured_on_the_families():
    g = _three_families({"loss": 0.5, "count": 111, "flag": True, "same": 0.25},
                        {"loss": 0.5002, "count": 111, "flag": True, "same": 0.25},
                        {"loss": 0.4999, "count": 111, "flag": True, "same": 0.25})
    assert families.spread_band(g, "loss")[0] == {"atol": pytest.approx(4 * 0.0002)}
    assert families.spread_band(g, "count")[0] == families.EXACT
    assert families.spread_band(g, "flag")[0] == families.EXACT
    assert families.spread_band(g, "same")[0] == {"rtol": families.FLOOR_RTOL}
    unknown = {"fingerprint": _fp("k-new")}
    ok = dict(unknown, figures={"loss": 0.5007, "count": 111, "flag": True, "same": 0.25000001})
    assert golden.regression_failures(g, ok, releases.empty()) == []
    bad = dict(unknown, figures={"loss": 0.501, "count": 112, "flag": False, "same": 0.2501})
    assert {m.split(" ")[0] for m in golden.regression_failures(g, bad, releases.empty())} == {
        "loss", "count", "flag", "same"}
    # Two families are not enough evidence: the figure is unchecked, and that fails.
    two = _golden("k-a", {"loss": 0.5})
    two, _ = families.merge(two, _golden("k-b", {"loss": 0.5002}))
    [msg] = golden.regression_failures(two, dict(unknown, figures={"loss": 0.5}), releases.empty())
    assert "no rule judges it" in msg


def test_a_draw_is_judged_against_the_seed_study():
    study = {"figures": {"min": {"reproduced": [100, 700, 800]}, "max": {"reproduced": [120, 860, 930]},
                         "std": {"reproduced": [5, 40, 20]},
                         "runs": {"reproduced": [[1, 10], [3, 30], [2, 20]]}}}
    band, why = families.draw_band({"golden": "study"}, lambda name: study)
    assert band == {"min": [95.0, 660.0, 780.0], "max": [125.0, 900.0, 950.0]} and "draw" in why
    assert families.draw_band({"golden": "study", "index": -1}, lambda name: study)[0] == {
        "min": 780.0, "max": 950.0}
    # From per-seed samples: the range and sample sd of each index.
    band, _ = families.draw_band({"golden": "study", "samples": "runs", "scale": 0.1},
                                 lambda name: study)
    assert band["min"] == pytest.approx([0.0, 0.0]) and band["max"] == pytest.approx([0.4, 4.0])


def test_post_002_on_an_unknown_family_is_a_draw_and_catches_a_broken_run():
    pinned = golden.load("nielsen_mlp")
    run = {"figures": {k: v["reproduced"] for k, v in pinned["figures"].items()},
           "fingerprint": _fp("k-unknown")}
    assert golden.regression_failures(pinned, run) == []
    # Another family's training: counts as far apart as another seed's.
    other = [111.0, 846.0, 868.0, 898.0, 885.0, 910.0, 904.0, 926.0, 912.0, 926.0]
    run["figures"].update(counts=other, final_count=other[-1])
    assert golden.regression_failures(pinned, run) == []
    # A network that does not train, or a start that moved: caught.
    broken = dict(run["figures"], counts=[111.0] + [98.0] * 9, final_count=98.0)
    failed = {m.split(" ")[0] for m in golden.regression_failures(pinned, dict(run, figures=broken))}
    assert failed == {"counts", "final_count"}
    moved = dict(run["figures"], counts=[run["figures"]["counts"][0] + 1] + run["figures"]["counts"][1:])
    [msg] = golden.regression_failures(pinned, dict(run, figures=moved))
    assert msg.startswith("counts") and "[0]" in msg and "first, before any training" in msg


# ---------------------------------------------------------------------------
# Every golden, as committed
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", [s.name for s in registry.GOLDENS])
def test_every_figure_has_a_rule_on_an_unknown_family(name):
    g = golden.load(name)
    unchecked = {}
    for fig in g["figures"]:
        _, band, why = releases.unknown_family_band(g, fig, golden.load)
        if band is None:
            unchecked[fig] = why
    assert not unchecked, unchecked


def _leave_one_out_cases():
    cases = []
    for spec in registry.GOLDENS:
        try:
            g = golden.load(spec.name)
        except GoldenError:
            continue  # tests/test_goldens.py reports a missing or corrupt golden
        for env_id in sorted(g.get("families", {})):
            cases.append(pytest.param(spec.name, env_id, id=f"{spec.name}-{env_id}"))
    return cases


@pytest.mark.parametrize("name,held_out", _leave_one_out_cases())
def test_a_family_left_out_passes_as_an_unknown_one(name, held_out):
    """The rounding bands, measured without a family, hold that family: the factor is enough."""
    g = golden.load(name)
    fam = g["families"][held_out]
    without = copy.deepcopy(g)
    del without["families"][held_out]
    run = {"figures": fam["values"], "fingerprint": _fp("k-held-out")}
    assert golden.regression_failures(without, run, releases.empty()) == []


def test_one_count_is_caught_on_every_known_family_of_post_002():
    pinned = golden.load("nielsen_mlp")
    for env_id, fp, values in families.all_families(pinned):
        run = {"figures": dict(values), "fingerprint": fp}
        assert golden.regression_failures(pinned, run) == [], env_id
        run["figures"]["final_count"] = values["final_count"] + 1
        [msg] = golden.regression_failures(pinned, run)
        assert msg.startswith("final_count") and "off by 1" in msg, msg


def test_1e3_in_a_post_004_prediction_is_caught_on_every_known_family():
    pinned = golden.load("tf2_backprop")
    for env_id, fp, values in families.all_families(pinned):
        run = {"figures": dict(values), "fingerprint": fp}
        assert golden.regression_failures(pinned, run) == [], env_id
        predictions = list(values["xor_loop.predictions"])
        predictions[1] += 1e-3
        run["figures"]["xor_loop.predictions"] = predictions
        [msg] = golden.regression_failures(pinned, run)
        assert msg.startswith("xor_loop.predictions"), msg


# ---------------------------------------------------------------------------
# Another machine's results (../shared/evidence, when it is beside the checkout)
# ---------------------------------------------------------------------------

def _evidence():
    out = []
    for path in sorted(glob.glob(os.path.join(EVIDENCE, "*", "*.results.json"))):
        name = os.path.basename(path)[:-len(".results.json")]
        if any(s.name == name for s in registry.GOLDENS):
            out.append(pytest.param(path, name, id=f"{os.path.basename(os.path.dirname(path))}-{name}"))
    return out or [pytest.param(None, None, marks=pytest.mark.skip(reason=f"no evidence in {EVIDENCE}"))]


@pytest.mark.parametrize("path,name", _evidence())
def test_evidence_passes_and_a_changed_figure_is_caught(path, name):
    with open(path) as f:
        results = json.load(f)
    pinned = golden.load(name)
    assert golden.regression_failures(pinned, results) == []
    # As a family the golden does not hold, it passes too.
    unknown = copy.deepcopy(pinned)
    for env_id, fam in list(unknown.get("families", {}).items()):
        if fam["fingerprint"] == results["fingerprint"]:
            del unknown["families"][env_id]
    assert golden.regression_failures(unknown, results) == []
    # One count more (post 002, the book), or 1e-3 in a printed output: caught.
    figures = results["figures"]
    target = next((f for f in ("final_count", "untrained_count", "correct") if f in figures), None)
    if target is None:
        target = next(f for f, v in figures.items() if isinstance(v, float) and f in pinned["figures"])
        changed = dict(figures, **{target: figures[target] + 1e-3})
    else:
        changed = dict(figures, **{target: figures[target] + 1})
    assert golden.regression_failures(pinned, dict(results, figures=changed)), target


# ---------------------------------------------------------------------------
# reproduce.py --from_results: another machine's results.json, judged or added
# ---------------------------------------------------------------------------

def _reproduce(repo, *args):
    import subprocess
    import sys
    return subprocess.run([sys.executable, os.path.join(repo, "scripts", "reproduce.py"), *args],
                          capture_output=True, text=True, timeout=600, cwd=repo,
                          env=dict(os.environ, PYTHONPATH=repo))


def test_from_results_judges_another_machines_files_and_bless_adds_their_family(tmp_path):
    from scriptrun import copy_checkout
    repo = tmp_path / "repo"
    copy_checkout(str(repo))
    pinned = golden.load("nielsen_mlp")
    from tf1_repro.family import PROBE
    fp = dict(pinned["fingerprint"], family="k-another", kernels={"probe": PROBE})
    figures = {k: v["reproduced"] for k, v in pinned["figures"].items()}
    folder = tmp_path / "machine"
    folder.mkdir()
    results = {"script": "nielsen_mlp", "figures": figures, "fingerprint": fp}
    (folder / "nielsen_mlp.results.json").write_text(json.dumps(results))
    proc = _reproduce(str(repo), f"--from_results={folder}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "nielsen_mlp: family k-another (L1d" in proc.stderr and "a family this golden does not hold" in proc.stderr
    # Blessed: the family is added beside the golden's own, which is left as it was.
    proc = _reproduce(str(repo), f"--from_results={folder}", "--bless")
    assert proc.returncode == 0, proc.stderr[-2000:]
    added = json.loads((repo / "golden" / "nielsen_mlp.json").read_text())
    assert added["figures"] == json.loads(json.dumps(pinned["figures"]))
    [fam] = [f for f in added["families"].values() if f["fingerprint"].get("family") == "k-another"]
    assert fam["values"] == figures
    # Now a one-count change in that machine's files is caught, exactly.
    results["figures"] = dict(figures, final_count=figures["final_count"] + 1)
    (folder / "nielsen_mlp.results.json").write_text(json.dumps(results))
    proc = _reproduce(str(repo), f"--from_results={folder}")
    assert proc.returncode == 2 and "REGRESSION nielsen_mlp: final_count (known family k-another" in proc.stdout
    # A file that is not a results.json of the script is one clear error.
    (folder / "nielsen_mlp.results.json").write_text('{"script": "gradient_override"}')
    proc = _reproduce(str(repo), f"--from_results={folder}")
    assert proc.returncode == 2
    assert "nielsen_mlp.results.json: not a results.json of scripts/nielsen_mlp.py" in proc.stderr
