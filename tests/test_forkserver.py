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
