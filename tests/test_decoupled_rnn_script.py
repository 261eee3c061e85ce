"""scripts/decoupled_rnn.py as users run it: outputs, determinism, bad flags.

Runs are kept small (a few epochs on a few images); the full runs are the
slow goldens of tf1_repro/registry.py.
"""
import os

import pytest

from scriptrun import run_script

SMALL = ["--epochs=2", "--num_train=6", "--num_test=4"]


def test_small_run_writes_every_output_and_two_runs_print_the_same(tmp_path):
    """Manual and autodiff (--side_by_side) on a few images, twice."""
    args = SMALL + ["--side_by_side"]
    out = tmp_path / "run"
    proc, results = run_script("decoupled_rnn", *args, output_dir=str(out))
    for name in ("results.json", "cost.png", "test_images.png", "oracles.png"):
        assert (out / name).stat().st_size > 0, name
    events = [f for _, _, files in os.walk(out / "tensorboard") for f in files]
    assert any(f.startswith("events.out.tfevents") for f in events)
    lines = proc.stdout.splitlines()
    assert sum(line.startswith("Extracting ") for line in lines) == 4
    assert [line.split("  current cost")[0] for line in lines if line.startswith("Current Iter")] == \
        ["Current Iter:  0", "Current Iter:  1"]
    assert lines[-1] == f"correct: {results['figures']['correct']} of 4"
    figs = results["figures"]
    assert figs["gradient_receivers"] == ["W_fc", "hidden_states"]
    assert figs["manual_correct"] == figs["correct"]
    assert results["other_mode"]["mode"] == "autodiff"
    assert len(results["other_mode"]["costs"]) == 2
    assert results["config"]["ordering"] == "as_published" and results["config"]["seed"] == 678
    assert len(results["oracle_quality"]) == 3
    # What the post said, beside our figure; verdicts belong to the goldens' runs.
    assert set(results["published"]) >= {"manual_trains"}
    assert results["published"]["manual_trains"]["ours"] == figs["cost_last_over_first"]

    again, results2 = run_script("decoupled_rnn", *args, output_dir=str(tmp_path / "again"))
    assert again.stdout == proc.stdout
    assert results2["figures"] == results["figures"]
    assert results2["other_mode"] == results["other_mode"]


@pytest.mark.parametrize("flag, needle", [
    ("--epochs=0", "--epochs"),                # an absl bound
    ("--num_train=2100", "--num_train=2100"),  # the library's UsageError
])
def test_bad_flags_fail_with_one_line_and_write_nothing(tmp_path, flag, needle):
    out = tmp_path / "never"
    proc, results = run_script("decoupled_rnn", flag, output_dir=str(out), check=False)
    assert proc.returncode != 0
    assert proc.stdout.count("Current Iter") == 0
    errors = [line for line in proc.stderr.splitlines() if needle in line]
    assert errors, proc.stderr[-2000:]
    assert results is None
    assert not out.exists() or not any(p.name == "results.json" for p in out.rglob("*"))


def test_missing_data_is_one_clear_error(tmp_path):
    empty = tmp_path / "no_mnist"
    empty.mkdir()
    proc, results = run_script("decoupled_rnn", *SMALL, f"--data_dir={empty}",
                               output_dir=str(tmp_path / "out"), check=False,
                               env={"TF1_REPRO_MNIST_URL": f"file://{tmp_path}/no_mirror/"})
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert "decoupled_rnn.py: error:" in last and str(empty) in last
    assert results is None


def test_seed_study_rows_equal_the_single_runs(tmp_path):
    """Each row of the study is what ``--seed=S`` prints, both modes: the split and weights of S."""
    args = ["--epochs=2", "--num_train=6", "--num_test=8"]
    _, study = run_script("decoupled_rnn", *args, "--seed=678", "--seeds=2", "--workers=2",
                          output_dir=str(tmp_path / "study"))
    rows = {r["seed"]: r for r in study["study"]}
    assert sorted(rows) == [678, 679] and (tmp_path / "study" / "seed_study.png").stat().st_size > 0
    for seed in (679,):  # the second seed: its own split and weights, in a worker
        _, single = run_script("decoupled_rnn", *args, f"--seed={seed}", "--side_by_side",
                               "--nooracle_quality", output_dir=str(tmp_path / f"single{seed}"))
        assert rows[seed]["manual_correct"] == single["figures"]["correct"]
        assert rows[seed]["autodiff_correct"] == single["other_mode"]["correct"]
        assert rows[seed]["manual_cost_ratio"] == single["figures"]["cost_last_over_first"]
    figs = study["figures"]
    assert figs["manual_correct"] == [rows[678]["manual_correct"], rows[679]["manual_correct"]]
    assert figs["share_autodiff_worse"] == sum(
        r["autodiff_correct"] < r["manual_correct"] for r in rows.values()) / 2
