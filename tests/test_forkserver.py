"""A script served by tests/forkserver.py prints, writes and exits as a fresh interpreter does."""
import os

import forkserver
from scriptrun import run_script


def _run_both(tmp_path, name, *args, check=True):
    served, fresh = tmp_path / "served", tmp_path / "fresh"
    a, ra = run_script(name, *args, output_dir=str(served), check=check)
    b, rb = run_script(name, *args, output_dir=str(fresh), check=check,
                       env={forkserver.FRESH_VARIABLE: "1"})
    return (a, ra), (b, rb)


def test_served_run_equals_a_fresh_process(tmp_path):
    assert forkserver.server_for("nielsen_mlp", dict(os.environ, TF1_REPRO_DATA_DIR="x")) is not None
    (a, ra), (b, rb) = _run_both(tmp_path, "nielsen_mlp", "--steps=1001")
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout and a.stdout.count("\n") == 4 + 2
    assert ra["fingerprint"] == rb["fingerprint"]
    assert ra["figures"] == rb["figures"]


def test_served_usage_error_equals_a_fresh_process(tmp_path):
    (a, _), (b, _) = _run_both(tmp_path, "nielsen_mlp", "--mode=backwards", check=False)
    assert a.returncode == b.returncode != 0
    assert a.stdout == b.stdout
    assert a.stderr.strip().splitlines()[-2:] == b.stderr.strip().splitlines()[-2:]


def test_post_004_is_served_with_keras_2(tmp_path):
    (a, ra), (b, rb) = _run_both(tmp_path, "tf2_backprop", "--example=tape")
    assert a.stdout == b.stdout and "y = 7.0" in a.stdout
    assert ra["fingerprint"] == rb["fingerprint"]


def test_an_import_time_variable_gets_a_fresh_process():
    env = dict(os.environ, ONEDNN_MAX_CPU_ISA="AVX")
    assert forkserver.server_for("nielsen_mlp", env) is None
    assert forkserver.server_for("reproduce", dict(os.environ)) is None


def test_the_runner_served_equals_a_fresh_process():
    """scripts/run_original.py on a TF1 and a TF2 program: the same transcript, notes and status."""
    import subprocess
    import sys
    from scriptrun import REPO, data_dir
    env = dict(os.environ, TF1_REPRO_DATA_DIR=data_dir())
    for name in ("tf1_softmax.py", "tf2_tape.py"):
        cmd = [sys.executable, os.path.join(REPO, "scripts", "run_original.py"),
               f"--program={os.path.join(REPO, 'tests', 'programs', name)}", "--seed=0"]
        assert forkserver.server_for("run_original", env) is not None
        served = forkserver.run("run_original", cmd, env, REPO, 600)
        fresh = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=600,
                               env=dict(env, **{forkserver.FRESH_VARIABLE: "1"}),
                               stdin=subprocess.DEVNULL)
        assert served.returncode == fresh.returncode == 0, served.stderr[-2000:]
        assert served.stdout == fresh.stdout and served.stdout
        notes = [line for line in served.stderr.splitlines() if line.startswith("run_original.py")]
        assert notes == [line for line in fresh.stderr.splitlines()
                         if line.startswith("run_original.py")]
