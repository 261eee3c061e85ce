"""Which fingerprint fields count, and how a golden figure is judged outside its own environment.

The fingerprint's bit fields (graph_session.BIT_KEYS) decide whether two runs
are expected to give the same bits.  What is in and why:

* TensorFlow: the release matrix (golden/releases.json) shows releases
  changing figures (tests below read it);
* oneDNN (``env``): on, it changes post 002's count after step 1000 (tested
  here, in two processes);
* the kernel family (tf1_repro/family.py): two machines reporting the same
  CPU name gave post 002 different counts under the same TensorFlow and
  NumPy, and so did one machine under another oneDNN instruction-set cap;
  the family is measured by running the kernels, so it follows the bits
  (tests/test_families.py);
* threads: under a thread pool the posts' update lists race
  (tests/test_nielsen_mlp.py).

Out: the CPU's name (it did not tell those two machines apart), its feature
list and NumPy's BLAS (the family measures what they decide: an AVX-512
machine capped at AVX2 computes as an AVX2 machine does) and the Python
version (no kernel depends on it).
"""
import copy
import json
import os

import pytest

from scriptrun import REPO, run_script
from tf1_repro import golden, graph_session, matrix, releases


def _fp(**changes):
    fp = {"tensorflow": "2.21.0", "numpy": "2.4.6", "python": "3.11.7", "machine": "x86_64",
          "system": "Linux", "cpu": "AMD EPYC", "isa": ["avx", "avx2", "fma"],
          "blas": "scipy-openblas 0.3.31; X86_V3", "family": "k-21f6558fe286",
          "causes": {"cache": {"L1d": "32K"}, "isa": ["avx", "avx2", "fma"], "variables": {}},
          "env": {"TF_ENABLE_ONEDNN_OPTS": "0"}, "threads": 1}
    fp.update(changes)
    return fp


def test_the_family_and_libraries_count_names_and_feature_lists_do_not():
    base = _fp()
    assert graph_session.same_fingerprint(base, _fp(cpu="Intel Xeon", python="3.11.9",
                                                    isa=["avx", "avx2", "avx512f", "fma"],
                                                    blas="openblas 0.3.23; X86_V2"))
    for change in ({"family": "k-90d42b721c7e"}, {"tensorflow": "2.20.0"},
                   {"numpy": "1.26.4"}, {"env": {"TF_ENABLE_ONEDNN_OPTS": "1"}}, {"threads": 2},
                   {"keras": "tf_keras"}):
        assert not graph_session.same_fingerprint(base, _fp(**change)), change
    # A fingerprint recorded before the kernel probe: compared on the fields it
    # had (features and BLAS among them), and never equal to a probed one.
    old = {k: v for k, v in base.items() if k not in ("family", "causes")}
    assert not graph_session.same_fingerprint(old, base)
    assert graph_session.same_fingerprint(old, dict(old, cpu="another"))
    assert not graph_session.same_fingerprint(old, dict(old, isa=["avx512f"]))


def test_cpu_features_read_from_cpuinfo(tmp_path):
    x86 = tmp_path / "x86"
    x86.write_text("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse4_2 avx2 avx fma "
                   "avx512f ht\n\nprocessor\t: 1\nflags\t\t: fpu\n")
    assert graph_session.cpu_features(str(x86)) == ["avx", "avx2", "avx512f", "fma", "sse4_2"]
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd evtstrm sve\n")
    assert graph_session.cpu_features(str(arm)) == ["asimd", "sve"]
    assert graph_session.cpu_features(str(tmp_path / "missing")) is None
    here = graph_session.fingerprint(1)
    assert here["isa"] == graph_session.cpu_features() and here["blas"]
    assert here["family"].startswith("k-") and here["causes"]["isa"] == here["isa"]


def test_onednn_changes_post_002s_bits(tmp_path):
    """Why oneDNN's setting is a bit field: it moves the count after step 1000."""
    counts = {}
    for onednn in ("0", "1"):
        _, results = run_script("nielsen_mlp", "--steps=1001", output_dir=str(tmp_path / onednn),
                                env={"TF_ENABLE_ONEDNN_OPTS": onednn})
        assert results["fingerprint"]["env"]["TF_ENABLE_ONEDNN_OPTS"] == onednn
        counts[onednn] = results["figures"]["counts"]
    assert counts["0"][0] == counts["1"][0]  # the same start
    assert counts["0"][1] != counts["1"][1]


# ---------------------------------------------------------------------------
# Judging a figure with the release record (tf1_repro/releases.py)
# ---------------------------------------------------------------------------

def _golden():
    return {"schema": golden.SCHEMA, "name": "g", "script": "s", "args": [], "fingerprint": _fp(),
            "figures": {"count": {"reproduced": 900, "tolerance": golden.EXACT, "other_env": {"atol": 15}},
                        "outputs": {"reproduced": [0.5, 0.25], "tolerance": golden.EXACT,
                                    "other_env": None}}}


def _record(g, per_env):
    """A release record in which each (fingerprint, figures) of ``per_env`` ran golden ``g``."""
    rec = releases.empty()
    entry = rec["goldens"].setdefault(g["name"], {"digest": releases.digest(g), "values": {}})
    for fp, figures in per_env:
        env_id = releases.environment_id(fp)
        rec["environments"][env_id] = {"label": f"TF {fp['tensorflow']}", "fingerprint": fp}
        entry["values"][env_id] = figures
    return releases.validate(rec)


def _failures(g, fp, figures, rec):
    return golden.regression_failures(g, {"figures": figures, "fingerprint": fp}, rec)


def test_measured_release_is_exact_against_its_own_values():
    g = _golden()
    fp17 = _fp(tensorflow="2.17.1", numpy="1.26.4")
    rec = _record(g, [(fp17, {"count": 901, "outputs": [0.5000001, 0.25]})])
    assert _failures(g, fp17, {"count": 901, "outputs": [0.5000001, 0.25]}, rec) == []
    # One count, or 1e-3 in an output, off what that release gave: caught.
    assert _failures(g, fp17, {"count": 902, "outputs": [0.5000001, 0.25]}, rec)
    assert _failures(g, fp17, {"count": 901, "outputs": [0.5010001, 0.25]}, rec)
    # The golden's own value is not good enough where the release gave another.
    assert _failures(g, fp17, {"count": 900, "outputs": [0.5, 0.25]}, rec)


def test_unmeasured_release_on_the_matrix_machine():
    g = _golden()
    same = [(_fp(tensorflow=v), {"count": 900, "outputs": [0.5, 0.25]}) for v in ("2.19.1", "2.20.0")]
    rec = _record(g, same)
    new = _fp(tensorflow="2.22.0")
    # Exact everywhere measured: exact here too.
    assert _failures(g, new, {"count": 900, "outputs": [0.5, 0.25]}, rec) == []
    [msg] = _failures(g, new, {"count": 901, "outputs": [0.5, 0.25]}, rec)
    assert msg.startswith("count (the same under all 2 measured releases)")
    # Where releases differ, within the largest measured difference.
    rec = _record(g, same + [(_fp(tensorflow="2.17.1"), {"count": 903, "outputs": [0.5, 0.2501]})])
    assert _failures(g, new, {"count": 897, "outputs": [0.5, 0.2499]}, rec) == []
    [msg] = _failures(g, new, {"count": 896, "outputs": [0.5, 0.25]}, rec)
    assert "largest difference measured between 3 releases (3)" in msg


def test_another_family_uses_the_declared_band_or_says_why_not():
    g = _golden()
    rec = _record(g, [(_fp(tensorflow=v), {"count": 900, "outputs": [0.5, 0.25]})
                      for v in ("2.19.1", "2.20.0")])
    other = _fp(family="k-other", causes={"cache": {"L1d": "48K"}, "isa": ["avx512f"], "variables": {}})
    results = {"figures": {"count": 914, "outputs": [0.5, 0.25]}, "fingerprint": other}
    # ``outputs`` has no declared band and the golden holds one family: unchecked, a failure.
    [msg] = golden.regression_failures(g, results, rec)
    assert msg.startswith("outputs no rule judges it here")
    g["figures"]["outputs"]["other_env"] = {"atol": 0.01}
    assert golden.regression_failures(g, results, rec) == []
    results["figures"]["count"] = 916
    [msg] = golden.regression_failures(g, results, rec)
    assert msg.startswith("count (the golden's declared band for other families)")


def test_a_golden_blessed_again_is_not_judged_by_older_measurements():
    g = _golden()
    fp17 = _fp(tensorflow="2.17.1")
    rec = _record(g, [(fp17, {"count": 950, "outputs": [0.5, 0.25]})])
    assert _failures(g, fp17, {"count": 950, "outputs": [0.5, 0.25]}, rec) == []
    reblessed = copy.deepcopy(g)
    reblessed["figures"]["count"]["reproduced"] = 901
    # The old measurement no longer speaks for it: the declared band does.
    [msg] = [m for m in _failures(reblessed, fp17, {"count": 950, "outputs": [0.5, 0.25]}, rec)
             if m.startswith("count")]
    assert "declared band" in msg


# ---------------------------------------------------------------------------
# The matrix's record as committed
# ---------------------------------------------------------------------------

def _committed():
    rec = releases.load()
    assert rec["environments"], "golden/releases.json is missing: python -m nox -s matrix"
    return rec


def _release_run(rec, label, name):
    """(golden, fingerprint, figures) of golden ``name`` under the matrix row ``label``."""
    g = golden.load(name)
    for env_id, figures in releases.measured(rec, g).items():
        if rec["environments"][env_id]["label"] == label:
            return g, rec["environments"][env_id]["fingerprint"], figures
    raise AssertionError(f"{name} has no current measurement under {label}")


def _judged_by(label, g, fp):
    """What a failure message names: the golden's own environment, or the release's row."""
    if graph_session.same_fingerprint(g["fingerprint"], fp):
        return "the golden's own family"
    return f"measured under {label}"


@pytest.mark.parametrize("label", ["TF 2.15.1", "TF 2.17.1", "TF 2.20.0", "TF 2.20.0 with NumPy 1.26.4",
                                   "TF 2.21.0"])
def test_committed_record_catches_one_count_under_each_release(label):
    rec = _committed()
    g, fp, figures = _release_run(rec, label, "nielsen_mlp")
    assert _failures(g, fp, figures, rec) == []
    changed = dict(figures, final_count=figures["final_count"] + 1)
    [msg] = _failures(g, fp, changed, rec)
    assert msg.startswith(f"final_count ({_judged_by(label, g, fp)}): "), msg


@pytest.mark.parametrize("label", ["TF 2.15.1", "TF 2.20.0"])
def test_committed_record_catches_1e3_in_a_printed_output(label):
    rec = _committed()
    g, fp, figures = _release_run(rec, label, "decoupled_rnn_quick")
    assert _failures(g, fp, figures, rec) == []
    outputs = list(figures["test_outputs"])
    outputs[3] += 1e-3
    [msg] = _failures(g, fp, dict(figures, test_outputs=outputs), rec)
    assert msg.startswith(f"test_outputs ({_judged_by(label, g, fp)}): [3]"), msg


def test_committed_record_and_release_page_agree():
    rec = _committed()
    goldens = golden.all_goldens()
    stale = [n for n, entry in rec["goldens"].items()
             if entry["digest"] != releases.digest(golden.load(n))]
    assert not stale, f"golden/releases.json predates these goldens' blessing: {stale}; run nox -s matrix"
    with open(os.path.join(REPO, "docs", "releases.md")) as f:
        assert matrix.release_table(rec, goldens) in f.read()


def test_merge_replaces_a_release_and_drops_stale_measurements():
    g = _golden()
    fp = _fp(tensorflow="2.17.1")

    def measurement(label, figures, dig=None):
        return {"label": label, "informational": False, "measured": "2026-12-01", "seconds": 10,
                "goldens": {"g": {"digest": dig or releases.digest(g), "figures": figures,
                                  "fingerprint": fp}}}

    rec, warnings = matrix.merge(releases.empty(), [measurement("TF 2.17.1", {"count": 1})], [g])
    assert not warnings and len(rec["environments"]) == 1
    rec, _ = matrix.merge(rec, [measurement("TF 2.17.1", {"count": 2})], [g])
    [values] = rec["goldens"]["g"]["values"].values()
    assert values == {"count": 2}
    rec2, warnings = matrix.merge(rec, [measurement("TF 2.18.1", {"count": 3}, dig="other")], [g])
    assert warnings and rec2 == json.loads(json.dumps(rec))
    # A partial measurement (one golden measured again) keeps the release's other goldens.
    h = dict(g, name="h")
    both = {"label": "TF 2.17.1", "informational": False, "measured": "2026-12-01", "seconds": 10,
            "goldens": {n: {"digest": releases.digest(x), "figures": {"count": 5}, "fingerprint": fp}
                        for n, x in (("g", g), ("h", h))}}
    rec3, _ = matrix.merge(releases.empty(), [both], [g, h])
    only_h = {"label": "TF 2.17.1", "informational": False, "measured": "2026-12-02", "seconds": 5,
              "partial": True, "goldens": {"h": {"digest": releases.digest(h), "figures": {"count": 6},
                                                 "fingerprint": fp}}}
    rec3, _ = matrix.merge(rec3, [only_h], [g, h])
    assert [list(e["values"].values()) for e in rec3["goldens"].values()] == [[{"count": 5}],
                                                                              [{"count": 6}]]
    assert len(rec3["environments"]) == 1
    statuses = {fig: matrix.figure_status(g, fig, {"count": 910, "outputs": [0.5, 0.25]})[0]
                for fig in g["figures"]}
    assert statuses == {"count": matrix.IN_BAND, "outputs": matrix.EXACT}
    assert matrix.figure_status(g, "count", {"count": 920})[0] == matrix.OUT_OF_BAND
    assert matrix.figure_status(g, "count", {"error": "failed"})[0] == matrix.ERROR
