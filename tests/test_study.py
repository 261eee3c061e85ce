"""The seed-study runner (tf1_repro/study.py): executors, progress lines, resuming."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from scriptrun import REPO, data_dir, run_script
from tf1_repro import study
from tf1_repro.errors import UsageError


def cheap_seed(config, data_dir, seed):
    """A stand-in for a post's study_seed: pure arithmetic of the seed and the config."""
    return {"seed": seed, "value": (seed * 7919 + config["k"]) % 1000, "pid": os.getpid()}


def _values(records):
    return [(r["seed"], r["value"]) for r in records]


# ---------------------------------------------------------------------------
# The progress file
# ---------------------------------------------------------------------------

def test_progress_keeps_finished_seeds_and_refuses_another_study(tmp_path):
    path = str(tmp_path / "out.study.jsonl")
    p = study.Progress(path, {"k": 1})
    assert not os.path.exists(path)  # nothing is written before a seed finishes
    p.add(3, {"v": 1.5})
    p.add(4, {"v": 2.5})
    assert study.Progress(path, {"k": 1}).records == {3: {"v": 1.5}, 4: {"v": 2.5}}
    with pytest.raises(UsageError, match="left by a study of another command"):
        study.Progress(path, {"k": 2})
    p.remove()
    assert not os.path.exists(path)


def test_a_torn_last_line_is_dropped_and_a_corrupt_file_refused(tmp_path):
    path = tmp_path / "out.study.jsonl"
    p = study.Progress(str(path), {"k": 1})
    p.add(0, {"v": 1})
    with open(path, "a") as f:
        f.write('{"seed": 1, "rec')  # killed while writing
    assert study.Progress(str(path), {"k": 1}).records == {0: {"v": 1}}
    path.write_text("not json\n")
    with pytest.raises(UsageError, match="not a progress file"):
        study.Progress(str(path), {"k": 1})


def test_the_key_ignores_the_seed_but_not_the_configuration(tmp_path):
    out = str(tmp_path / "run")
    a = study.progress_for(out, cheap_seed, {"k": 1, "seed": 0}, {"tensorflow": "x"})
    a.add(0, {"v": 1})
    assert study.progress_for(out, cheap_seed, {"k": 1, "seed": 5}, {"tensorflow": "x"}).records
    with pytest.raises(UsageError):
        study.progress_for(out, cheap_seed, {"k": 2, "seed": 0}, {"tensorflow": "x"})
    with pytest.raises(UsageError):
        study.progress_for(out, cheap_seed, {"k": 1, "seed": 0}, {"tensorflow": "y"})


# ---------------------------------------------------------------------------
# Executors
# ---------------------------------------------------------------------------

def test_records_are_the_same_in_process_and_over_workers(capsys):
    config = {"k": 3}
    one = study.run_seeds(cheap_seed, config, None, range(5, 11), workers=1, prog="t")
    many = study.run_seeds(cheap_seed, config, None, range(5, 11), workers=2, prog="t")
    assert _values(one) == _values(many) == [(s, (s * 7919 + 3) % 1000) for s in range(5, 11)]
    assert {r["pid"] for r in one} == {os.getpid()}
    assert os.getpid() not in {r["pid"] for r in many}  # really other processes
    err = capsys.readouterr().err.splitlines()
    assert len([line for line in err if line.startswith("t: seed ")]) == 12  # one line a seed


def test_only_the_missing_seeds_run_again(tmp_path, capsys):
    progress = study.Progress(str(tmp_path / "p.jsonl"), {"k": 3})
    progress.add(6, {"seed": 6, "value": -1, "pid": 0})  # a finished seed is not recomputed
    records = study.run_seeds(cheap_seed, {"k": 3}, None, range(5, 8), progress=progress, prog="t")
    assert _values(records) == [(5, (5 * 7919 + 3) % 1000), (6, -1), (7, (7 * 7919 + 3) % 1000)]
    assert "resuming: 1 of 3 seeds already done" in capsys.readouterr().err


def test_dask_cluster_gives_the_same_records():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        records = study.run_seeds(cheap_seed, {"k": 3}, None, range(5, 9),
                                  dask_scheduler=cluster.scheduler_address, prog="t")
    assert _values(records) == [(s, (s * 7919 + 3) % 1000) for s in range(5, 9)]


def test_an_unreachable_dask_scheduler_is_one_clear_error():
    pytest.importorskip("dask.distributed")
    with pytest.raises(UsageError, match="--dask_scheduler=tcp://127.0.0.1:9: cannot connect"):
        study.run_seeds(cheap_seed, {"k": 3}, None, range(2), dask_scheduler="tcp://127.0.0.1:9")


# ---------------------------------------------------------------------------
# Through a post's script
# ---------------------------------------------------------------------------

SHORT = ["--steps=2000"]  # counts after steps 0 and 1000


def test_study_rows_equal_single_runs_whatever_the_workers(tmp_path):
    # Seeds 4..6 over two worker processes, each running more than one seed:
    # seed 5's counts are the single run --seed=5's, bit for bit.
    _, two = run_script("nielsen_mlp", *SHORT, "--seeds=3", "--seed=4", "--workers=2",
                        output_dir=str(tmp_path / "two"))
    _, single = run_script("nielsen_mlp", *SHORT, "--seed=5", output_dir=str(tmp_path / "single"))
    assert two["study"]["runs"][1] == single["figures"]["counts"]
    assert not os.path.exists(str(tmp_path / "two") + study.PROGRESS_SUFFIX)


def test_xla_study_rows_equal_xla_single_runs_whatever_the_workers(tmp_path):
    # --xla: each worker compiles the loop once and runs more than one seed;
    # seed 5 is the single run --loop=graph --xla --seed=5, bit for bit (one
    # worker: tests/test_nielsen_mlp.py, the study loop against single runs).
    args = (*SHORT, "--loop=graph", "--xla")
    _, two = run_script("nielsen_mlp", *args, "--seeds=3", "--seed=4", "--workers=2",
                        output_dir=str(tmp_path / "two"))
    _, single = run_script("nielsen_mlp", *args, "--seed=5", output_dir=str(tmp_path / "single"))
    assert two["study"]["runs"][1] == single["figures"]["counts"]
    assert two["config"]["xla"] and not os.path.exists(str(tmp_path / "two") + study.PROGRESS_SUFFIX)


@pytest.mark.slow
def test_an_interrupted_study_resumes_from_the_seeds_done(tmp_path):
    out = tmp_path / "study"
    cmd = [sys.executable, os.path.join(REPO, "scripts", "nielsen_mlp.py"), *SHORT, "--seeds=6",
           "--workers=1", f"--output_dir={out}"]
    env = dict(os.environ, TF1_REPRO_DATA_DIR=data_dir())
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=REPO)
    err = []
    deadline = time.time() + 300
    while time.time() < deadline:
        line = proc.stderr.readline()
        err.append(line)
        if "seed 1 done (2 of 6" in line:
            break
    proc.send_signal(signal.SIGTERM)
    rest = proc.communicate(timeout=60)[1]
    err = "".join(err) + rest
    assert proc.returncode == 143, err[-2000:]
    progress = str(out) + study.PROGRESS_SUFFIX
    assert f"seeds kept in {progress}; the same command resumes from them" in err
    assert not out.exists()  # no output folder for an unfinished study
    kept = study.Progress(progress, json.loads(open(progress).readline())["study"]).records
    assert len(kept) >= 2

    resumed, results = run_script("nielsen_mlp", *SHORT, "--seeds=6", "--workers=2",
                                  output_dir=str(out))
    assert f"resuming: {len(kept)} of 6 seeds already done" in resumed.stderr
    assert not os.path.exists(progress)
    _, fresh = run_script("nielsen_mlp", *SHORT, "--seeds=6", "--workers=2",
                          output_dir=str(tmp_path / "fresh"))
    assert results["study"]["runs"] == fresh["study"]["runs"]


def test_a_progress_file_of_another_command_is_refused(tmp_path):
    out = tmp_path / "study"
    study.Progress(str(out) + study.PROGRESS_SUFFIX, {"another": "study"}).add(0, {"counts": [1]})
    proc, results = run_script("nielsen_mlp", *SHORT, "--seeds=2", output_dir=str(out), check=False)
    assert proc.returncode == 2 and results is None
    assert "left by a study of another command or configuration" in proc.stderr
    assert "Traceback" not in proc.stderr


def sleepy_seed(config, data_dir, seed):
    """A seed that never finishes in a test's time; it leaves its pid behind first."""
    with open(os.path.join(config["dir"], f"worker-{os.getpid()}"), "w"):
        pass
    time.sleep(600)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_workers_end_when_their_parent_is_killed(tmp_path):
    """SIGKILL gives the parent no chance to clean up: the workers must still not train on."""
    code = ("import sys; sys.path[:0] = [%r, %r]\n"
            "from tf1_repro import study\nimport test_study\n"
            "study.run_seeds(test_study.sleepy_seed, {'dir': %r}, None, [0, 1], workers=2)\n"
            % (REPO, os.path.join(REPO, "tests"), str(tmp_path)))
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=REPO)
    deadline = time.time() + 120
    while len(list(tmp_path.glob("worker-*"))) < 2 and time.time() < deadline:
        time.sleep(0.2)
    workers = [int(p.name.split("-")[1]) for p in tmp_path.glob("worker-*")]
    assert len(workers) == 2
    parent.kill()
    parent.wait()
    deadline = time.time() + 30
    while any(_alive(w) for w in workers) and time.time() < deadline:
        time.sleep(0.2)
    assert not any(_alive(w) for w in workers)


def dying_seed(config, data_dir, seed):
    """A worker killed from outside mid-seed."""
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_from_outside_is_one_clear_error():
    from tf1_repro.errors import ReproError
    with pytest.raises(ReproError, match="a worker process died before finishing it"):
        study.run_seeds(dying_seed, {}, None, [0, 1], workers=2)
