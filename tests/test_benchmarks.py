"""The benchmarks: their judging of repeats, and tiny runs end to end.

No timing is asserted here (the suite runs on shared machines); what is
tested is that a benchmark reports only measurements: every repeat a
positive time, kept in the JSON, and a failed measurement one error line.
"""
import json
import math
import os
import subprocess
import sys

import pytest

from scriptrun import REPO, data_dir

sys.path.insert(0, os.path.join(REPO, "benchmarks"))
import timing  # noqa: E402


def test_judge_reports_the_median_and_keeps_every_repeat():
    r = timing.judge("v", [3e-6, 2e-6, 2.5e-6], max_spread=1.6)
    assert r["median"] == 2.5e-6 and r["repeats"] == [3e-6, 2e-6, 2.5e-6]
    assert r["spread"] == pytest.approx(1.5)


@pytest.mark.parametrize("bad", [0.0, -77e-6, float("nan"), float("inf")])
def test_judge_rejects_a_repeat_that_is_not_a_positive_time(bad):
    with pytest.raises(timing.MeasurementError, match="not a positive time"):
        timing.judge("graph", [50e-6, bad, 52e-6], max_spread=10)


def test_judge_rejects_wildly_spread_repeats():
    with pytest.raises(timing.MeasurementError, match="spread 7.92x"):
        timing.judge("graph_as_written", [24e-6, 190e-6, 60e-6], max_spread=1.5)


def test_judge_rejects_no_repeats():
    with pytest.raises(timing.MeasurementError):
        timing.judge("v", [], max_spread=1.5)


def test_slope_is_the_least_squares_time_per_step():
    steps = [100, 400, 100, 400]
    seconds = [0.01 + 1e-4 * n for n in steps]
    assert math.isclose(timing.slope(steps, seconds), 1e-4)
    with pytest.raises(ValueError):
        timing.slope([100, 100], [0.1, 0.2])


def run_benchmark(name, *args):
    env = dict(os.environ, TF1_REPRO_DATA_DIR=data_dir())
    return subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", f"{name}.py"), *args],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=900)


def check_repeats(doc, key, repeats):
    for v in doc["variants"]:
        assert len(v[key]) == repeats == len(v["repeats"]), v["variant"]
        assert all(x > 0 for x in v[key]), v["variant"]
        assert all(r["cpu"] > 0 and r["wall"] > 0 for r in v["repeats"]), v["variant"]
        assert v[key] == [r[doc["clock"]] for r in v["repeats"]]


def test_decoupled_rnn_benchmark_runs_and_keeps_every_repeat(tmp_path):
    out = tmp_path / "decoupled_rnn.json"
    proc = run_benchmark("bench_decoupled_rnn", "--images=5", "--repeats=2", "--trace_images=1",
                         "--max_spread=1e9", f"--output={out}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(out.read_text())
    assert [v["variant"] for v in doc["variants"]] == ["numpy_twin", "as_published", "sequential", "autodiff"]
    check_repeats(doc, "repeats_s_per_image", 2)
    assert doc["floor_s_per_image"] > 0 and doc["variants"][0]["ratio_to_numpy"] == 1.0
    assert "| variant | ms/image | every repeat |" in doc["readme"]
    assert "-" not in proc.stdout.replace("-->", "")  # no negative figure printed


def test_nielsen_benchmark_runs_and_keeps_every_repeat(tmp_path):
    out = tmp_path / "nielsen.json"
    proc = run_benchmark("bench_nielsen", "--steps=400", "--repeats=2", "--variants=numpy,graph",
                         "--max_spread=1e9", f"--output={out}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(out.read_text())
    assert [v["variant"] for v in doc["variants"]] == ["numpy", "graph"]
    check_repeats(doc, "repeats_s_per_step", 2)
    graph = doc["variants"][1]
    # The in-graph loop's figures are slopes between runs of 100 and 400 steps.
    assert all(r["runs"]["steps"] == [100, 400] for r in graph["repeats"])
    assert graph["fit_s_per_step"]["cpu"] > 0


def test_a_failed_measurement_is_one_error_line(tmp_path):
    out = tmp_path / "nielsen.json"
    proc = run_benchmark("bench_nielsen", "--variants=numpy,no_such_variant", f"--output={out}")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("bench_nielsen: error: --variants: unknown")
    assert not out.exists()


# ---------------------------------------------------------------------------
# bench_xla_distribution: the declared two-sample tests between kernel families
# ---------------------------------------------------------------------------

def _study_runs(rng, seeds, shift=0.0):
    """Synthetic count sequences over ten checkpoints, rising like post 002's."""
    import numpy as np
    centre = np.array([105, 814, 850, 870, 885, 895, 900, 905, 910, 916], dtype=float) + shift
    return np.round(centre + rng.normal(0, 15, size=(seeds, 10))).tolist()


def _golden(runs):
    return {"counts_at_923": {"reproduced": [r[7] for r in runs]},
            "final_counts": {"reproduced": [r[9] for r in runs]}}


def test_distribution_comparison_agrees_on_one_distribution_and_not_on_a_shift():
    import numpy as np
    import bench_xla_distribution as bench
    rng = np.random.RandomState(0)
    default = _study_runs(rng, 1000)
    out = bench.compare(default[:200], _study_runs(rng, 400), 200, _golden(default))
    assert out["agree"] and len(out["A"]) == 10 and set(out["B"]) == {"counts_at_923", "final_counts"}
    assert all(row["xla"]["n"] == 200 and row["default"]["n"] == 200 for row in out["A"])
    assert out["level"] == out["A"][0]["level"] == out["B"]["final_counts"]["level"] == pytest.approx(0.05 / 24)
    assert out["B"]["final_counts"]["default_study_equals_golden"]
    shifted = bench.compare(default[:200], _study_runs(rng, 400, shift=8.0), 200, _golden(default))
    assert not shifted["agree"] and shifted["smallest_p"] < 1e-6
    with pytest.raises(bench.DistributionError, match="A needs at least D \\+ 200 = 400"):
        bench.compare(default[:200], _study_runs(rng, 399), 200)


def test_distribution_benchmark_reads_two_studies_and_writes_its_json(tmp_path):
    import numpy as np
    rng = np.random.RandomState(1)
    config = {"steps": 10000, "seed": 0, "mode": "manual", "batch_size": 10, "eta": 0.5, "hidden": 30,
              "eval_every": 1000, "eval_size": 1000, "dtype": "float32"}
    paths = {}
    for name, xla, seeds in (("default", False, 200), ("xla", True, 400)):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps({"config": dict(config, xla=xla),
                                           "study": {"runs": _study_runs(rng, seeds)}}))
    out = tmp_path / "xla_distribution.json"
    args = [f"--default_results={paths['default']}", f"--xla_results={paths['xla']}", "--xla_seeds=400",
            "--golden=", f"--output={out}"]
    proc = run_benchmark("bench_xla_distribution", *args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(out.read_text())
    assert doc["declared"]["decision"] and doc["B"] == {} and len(doc["A"]) == 10
    assert "agree at every checkpoint" in proc.stdout
    # A study of the wrong family is refused, not compared.
    proc = run_benchmark("bench_xla_distribution", *args[:1], f"--xla_results={paths['default']}", *args[2:])
    assert proc.returncode != 0 and "a study of another configuration" in proc.stderr
