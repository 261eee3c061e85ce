"""Post 004 (scripts/tf2_backprop.py): gradient checks, transcript, outputs, errors.

The post is Keras 2 code, and tf.keras picks Keras 2 or 3 once per process
(TF_USE_LEGACY_KERAS, read before TensorFlow is first imported), while other
test modules import TensorFlow without it.  So everything here runs in
subprocesses: the script itself, or a short Python program that sets the
variable first.  The full golden runs are in tests/test_goldens.py.
"""
import json
import os
import subprocess
import sys

import pytest

from scriptrun import REPO, run_script

CHECKS = r"""
import json, os
os.environ["TF_USE_LEGACY_KERAS"] = "1"
from tf1_repro.posts import tf2_backprop
from tf1_repro.runs import tf2_backprop as tf2_backprop_run
tf2_backprop.configure_runtime(1)
print("CHECKS " + json.dumps(tf2_backprop_run.gradient_checks(seed=0, trials=5)))
"""


@pytest.fixture(scope="module")
def checks():
    proc = subprocess.run([sys.executable, "-c", CHECKS], capture_output=True, text=True,
                          cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(l for l in proc.stdout.splitlines() if l.startswith("CHECKS "))
    return json.loads(line[len("CHECKS "):])


def test_twin_gradients_equal_tf_gradients(checks):
    # Five random weight sets, float64; some ReLUs are off, so the mask is exercised.
    assert checks["twin_relu_off"] > 0
    assert checks["twin_scale"] > 0.1
    assert checks["twin_vs_tf_gradients"] < 1e-12


def test_twin_gradients_equal_gradient_tape_on_keras_model(checks):
    assert checks["twin_vs_tape"] < 1e-12


def test_custom_activation_gradient_against_tape_and_finite_differences(checks):
    assert checks["activation_scale"] > 0.5
    assert checks["activation_vs_tape"] < 1e-12
    # Central differences with h = 1e-6 in float64: truncation ~h^2, round-off ~1e-16/h.
    assert checks["activation_vs_finite_diff"] < 1e-8


def test_bptt_gradients_equal_gradient_tape(checks):
    assert checks["bptt_scale"] > 0.01
    assert checks["bptt_vs_tape"] < 1e-12
    assert checks["bptt_loss_gap"] < 1e-12


def test_tape_transcript_and_outputs(tmp_path):
    out = tmp_path / "run"
    proc, results = run_script("tf2_backprop", "--example=tape,twin", "--loop_epochs=20",
                               output_dir=str(out))
    lines = proc.stdout.splitlines()
    # The post's only published output, verbatim.
    i = lines.index("y = 7.0")
    assert lines[i + 1] == "Gradient of y with respect to W: 2.0"
    assert lines[i + 2] == "Gradient of y with respect to b: 1.0"
    figs = results["figures"]
    assert (figs["tape.y"], figs["tape.dW"], figs["tape.db"]) == (7.0, 2.0, 1.0)
    assert figs["twin.grad_err_tape"] < 1e-12
    assert figs["twin.curve_gap"] < 1e-4
    assert results["config"]["loop_epochs"] == 20
    assert results["fingerprint"]["env"].get("TF_USE_LEGACY_KERAS") == "1"
    assert results["fingerprint"]["keras"] == "tf_keras"
    assert (out / "twin.png").stat().st_size > 0
    assert any(f.startswith("events.out.tfevents") for f in os.listdir(out / "tensorboard"))
    assert not [f for f in os.listdir(out) if f.startswith(".staging")]


def test_keras3_is_refused_with_one_line(tmp_path):
    out = tmp_path / "run"
    proc, _ = run_script("tf2_backprop", "--example=tape", output_dir=str(out), check=False,
                         env={"TF_USE_LEGACY_KERAS": "0"})
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("tf2_backprop.py: error: tf.keras is keras")
    assert "TF_USE_LEGACY_KERAS=1" in last
    assert "Traceback" not in proc.stderr
    assert not (out / "results.json").exists()


# Each case starts a process that imports TensorFlow: two in the default suite, the rest with -m slow.
@pytest.mark.parametrize("flag", [pytest.param("--example=nope", marks=pytest.mark.slow), "--example=tape,nope",
                                  pytest.param("--cnn_train_size=0", marks=pytest.mark.slow), "--cnn_test_size=10001",
                                  pytest.param("--seeds=0", marks=pytest.mark.slow), pytest.param("--threads=0", marks=pytest.mark.slow)])
def test_bad_flags_fail_cleanly(tmp_path, flag):
    out = tmp_path / "run"
    proc, _ = run_script("tf2_backprop", flag, output_dir=str(out), check=False)
    assert proc.returncode != 0
    name = flag.split("=")[0]
    assert name in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_data_dir_that_is_a_file_fails_cleanly(tmp_path):
    bogus = tmp_path / "not_a_folder"
    bogus.write_text("x")
    out = tmp_path / "run"
    proc, _ = run_script("tf2_backprop", "--example=cnn", f"--data_dir={bogus}",
                         output_dir=str(out), check=False)
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert last == f"tf2_backprop.py: error: --data_dir={bogus}: not a folder"
    assert not (out / "results.json").exists()
