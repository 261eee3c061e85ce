"""Faults a user or an adversary can cause: each ends in a correct result or one clear line.

Real folders, real files, real signals sent to real script processes: the
properties under test (an output folder holds one run whole, a Ctrl-C leaves
nothing behind) are properties of the file system and of the process, not of
a mock.
"""
import json
import math
import os
import signal
import subprocess
import sys
import time

import pytest

from scriptrun import REPO, copy_checkout, data_dir, run_script
from tf1_repro import report, resources
from tf1_repro.errors import ReproError, UsageError


def _write_run(folder, **files):
    """A run folder as the archive writes it: results.json plus the given files."""
    os.makedirs(folder, exist_ok=True)
    report.write_json(os.path.join(folder, "results.json"),
                      {"script": "old", "fingerprint": {}, "figures": {"x": 1}})
    for name, text in files.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def _tree(folder):
    """Every file under ``folder`` with its contents, for before/after comparisons."""
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, folder)] = f.read()
    return out


def _leftovers(folder):
    """Staging or swap folders left anywhere under ``folder``."""
    found = []
    for root, dirs, files in os.walk(folder):
        found += [os.path.join(root, n) for n in dirs + files
                  if n.startswith((".staging-", ".old-", ".tmp-"))]
    return found


def _new_run(out, **files):
    for name, text in files.items():
        with open(out.path(name), "w") as f:
            f.write(text)
    report.write_json(out.path("results.json"), {"script": "new", "fingerprint": {}, "figures": {}})


# ---------------------------------------------------------------------------
# OutputDir: whole folders, swapped in
# ---------------------------------------------------------------------------

def test_a_new_run_replaces_the_old_folder_whole(tmp_path):
    target = tmp_path / "runs" / "x"
    _write_run(target, **{"accuracy.png": "old", "tensorboard/events.1": "old"})
    with report.OutputDir(str(target)) as out:
        _new_run(out, **{"seed_study.png": "new"})
    assert sorted(_tree(target)) == ["results.json", "seed_study.png"]
    assert json.loads((target / "results.json").read_text())["script"] == "new"
    assert _leftovers(tmp_path) == []


def test_without_renameat2_the_fallback_also_replaces_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "_exchange", lambda a, b: False)
    target = tmp_path / "x"
    _write_run(target, **{"accuracy.png": "old"})
    with report.OutputDir(str(target)) as out:
        _new_run(out)
    assert sorted(_tree(target)) == ["results.json"]
    assert _leftovers(tmp_path) == []


def test_renameat2_swaps_two_folders():
    # The atomic path must really be taken on this (Linux) machine, not only the fallback.
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux's")
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        a, b = os.path.join(d, "a"), os.path.join(d, "b")
        os.mkdir(a)
        os.mkdir(b)
        open(os.path.join(a, "from_a"), "w").close()
        assert report._exchange(a, b) is True
        assert os.listdir(b) == ["from_a"] and os.listdir(a) == []


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failed_run_creates_nothing_and_keeps_the_old_run(tmp_path, error):
    fresh = tmp_path / "a" / "b" / "fresh"
    with pytest.raises(error):
        with report.OutputDir(str(fresh)) as out:
            _new_run(out)
            raise error()
    assert os.listdir(tmp_path) == []  # not the folder, not its parents, no staging

    old = tmp_path / "old"
    _write_run(old, **{"accuracy.png": "old"})
    before = _tree(old)
    with pytest.raises(error):
        with report.OutputDir(str(old)) as out:
            _new_run(out, **{"accuracy.png": "new"})
            raise error()
    assert _tree(old) == before
    assert _leftovers(tmp_path) == []


def test_an_empty_folder_is_taken(tmp_path):
    (tmp_path / "empty").mkdir()
    with report.OutputDir(str(tmp_path / "empty")) as out:
        _new_run(out)
    assert sorted(os.listdir(tmp_path / "empty")) == ["results.json"]


def test_a_file_or_a_foreign_folder_is_refused_and_left_alone(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    with pytest.raises(ReproError, match="is a file, not a folder"):
        report.OutputDir(str(afile)).__enter__()
    with pytest.raises(ReproError, match="is a file, not a folder"):
        report.OutputDir(str(afile / "below")).__enter__()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("keep me")
    (mine / "results.json").write_text('{"mine": true}')  # someone else's results.json
    with pytest.raises(ReproError, match="not a run folder of tf1_repro"):
        report.OutputDir(str(mine)).__enter__()
    assert afile.read_text() == "keep me" and (mine / "thesis.tex").read_text() == "keep me"
    assert _leftovers(tmp_path) == []


def test_the_new_folder_gets_ordinary_permissions(tmp_path):
    with report.OutputDir(str(tmp_path / "x")) as out:
        _new_run(out)
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "x").stat().st_mode & 0o777 == 0o777 & ~mask


# ---------------------------------------------------------------------------
# Non-finite numbers, memory
# ---------------------------------------------------------------------------

def _strict_load(path):
    def refuse(token):
        raise ValueError(f"not JSON: {token}")
    with open(path) as f:
        return json.load(f, parse_constant=refuse)


def test_non_finite_figures_are_written_as_null_and_listed(tmp_path):
    payload = report.results_payload("s", {}, {}, {"cost": [1.0, math.nan], "ok": 2.0,
                                                   "acc": math.inf}, {}, {}, 0.0)
    assert payload["non_finite"] == ["figures.cost[1]", "figures.acc"]
    report.write_json(str(tmp_path / "r.json"), payload)
    data = _strict_load(tmp_path / "r.json")
    assert data["figures"] == {"cost": [1.0, None], "ok": 2.0, "acc": None}
    assert report.divergences()[-1]["first"] == "figures.cost[1]"
    with pytest.raises(ReproError, match=r"x\[0\] is not a finite number"):
        report.write_json(str(tmp_path / "g.json"), {"x": [math.nan]}, nonfinite="error")
    assert not (tmp_path / "g.json").exists()


def test_memory_that_cannot_exist_is_refused_naming_the_flag():
    with pytest.raises(UsageError, match=r"^--hidden=7: needs at least .* GiB of memory, more than"):
        resources.require_memory("--hidden=7", 2 * 2**30, available=2**30)
    resources.require_memory("--hidden=7", 2**29, available=2**30)
    assert resources.available_memory() > 0


def test_post_configs_refuse_sizes_that_cannot_fit():
    from tf1_repro.posts import impdrop, nielsen_mlp
    with pytest.raises(UsageError, match=r"^--hidden=1000000000: needs"):
        nielsen_mlp.Config(hidden=10**9).validate()
    with pytest.raises(UsageError, match=r"^--steps=100000000000000000000 with --loop=graph"):
        nielsen_mlp.Config(steps=10**20, loop="graph").validate()
    nielsen_mlp.Config(steps=10**20, loop="feed").validate()  # a feed loop shows progress
    with pytest.raises(UsageError, match=r"^--impdrop_hidden=1000000000: needs"):
        impdrop.Config(hidden=10**9).validate()


def test_threads_beyond_the_bound_are_refused():
    from tf1_repro import graph_session
    with pytest.raises(UsageError, match=r"^--threads=100000: must be 1 \.\. 256"):
        graph_session.session_config(100000)


# ---------------------------------------------------------------------------
# Scripts: real processes
# ---------------------------------------------------------------------------

def _last_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1] if lines else ""


@pytest.mark.parametrize("args, message", [
    pytest.param(["--seed=4294967296"], "flag --seed=4294967296: 4294967296 is not an integer in "
                 "the range [0, 4294967295]", marks=pytest.mark.slow),
    pytest.param(["--seed=4294967290", "--seeds=10"], "--seed + --seeds - 1 (the study's last "
                 "seed) must be at most 2**32 - 1", marks=pytest.mark.slow),
    (["--threads=100000"], "flag --threads=100000: 100000 is not an integer in the range [1, 256]"),
])
def test_out_of_range_flags_get_one_line(tmp_path, args, message):
    proc, _ = run_script("nielsen_mlp", *args, output_dir=str(tmp_path / "out"), check=False,
                         timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert message in proc.stderr
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
def test_the_largest_seed_runs(tmp_path):
    proc, results = run_script("gradient_override", "--part=post", "--steps=3",
                               f"--seed={2**32 - 1}", output_dir=str(tmp_path / "out"))
    assert results["config"]["post"]["seed"] == 2**32 - 1


@pytest.mark.slow
def test_a_rerun_leaves_no_file_of_the_earlier_run(tmp_path):
    out = tmp_path / "out"
    run_script("gradient_override", "--part=post", "--steps=3", output_dir=str(out))
    first = _tree(out)
    (out / "accuracy.png").write_text("from a seed study")
    (out / "tensorboard" / "events.out.tfevents.0.old").write_text("stale events")
    run_script("gradient_override", "--part=post", "--steps=3", "--seed=1", output_dir=str(out))
    assert "accuracy.png" not in _tree(out)
    events = os.listdir(out / "tensorboard")
    assert len(events) == 1, events  # one run's events, not two
    assert json.loads((out / "results.json").read_text())["config"]["post"]["seed"] == 1
    def names(tree):
        return sorted(n for n in tree if not n.startswith("tensorboard"))
    assert names(_tree(out)) == names(first)  # the same files, the second run's own
    assert events[0] not in {os.path.basename(n) for n in first}
    assert _leftovers(tmp_path) == []


@pytest.mark.slow
def test_a_foreign_output_folder_is_refused_by_the_script(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    proc, _ = run_script("gradient_override", "--part=post", "--steps=3", output_dir=str(mine),
                         check=False)
    assert proc.returncode == 2
    assert _last_line(proc.stderr) == (
        f"gradient_override.py: error: --output_dir={mine}: exists and is not a run folder of "
        "tf1_repro (no results.json of ours in it); refusing to replace it")
    assert _tree(mine) == {"notes.txt": b"keep me"}
    assert _leftovers(tmp_path) == []


def _start(name, args, marker, delay=0.0):
    """Start scripts/<name>.py; return the process once ``marker`` is on its standard output."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("TF1_REPRO_DATA_DIR", data_dir())
    # As from a terminal: SIGINT at its default even if this test process runs
    # as a background job (which starts with SIGINT ignored, and a script
    # keeps a signal its caller ignores).
    proc = subprocess.Popen([sys.executable, os.path.join(REPO, "scripts", f"{name}.py"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in proc.stdout:
        if marker in line:
            break
    else:
        proc.wait()
        raise AssertionError(f"{name} ended before {marker!r}: {proc.stderr.read()[-2000:]}")
    time.sleep(delay)
    return proc


# Training of post 000/001 at a known point: the transcript's second epoch line.
RNN_TRAINING = (["--epochs=1000", "--oracle_quality=false"], "Current Iter:  1 ")


@pytest.mark.parametrize("signum, status, word", [
    pytest.param(signal.SIGINT, 130, "interrupted", marks=pytest.mark.slow),
    (signal.SIGTERM, 143, "terminated")])
def test_a_signal_during_training_ends_in_one_line_and_leaves_nothing(tmp_path, signum, status, word):
    out = tmp_path / "deep" / "out"
    args, marker = RNN_TRAINING
    proc = _start("decoupled_rnn", [*args, f"--output_dir={out}"], marker)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status
    assert "Traceback" not in err
    assert _last_line(err) == f"decoupled_rnn.py: {word}"
    assert os.listdir(tmp_path) == []  # no output folder, no parent, no staging


@pytest.mark.slow
def test_sigterm_keeps_the_earlier_run_whole(tmp_path):
    out = tmp_path / "out"
    _write_run(out, **{"cost.png": "earlier run"})
    before = _tree(out)
    args, marker = RNN_TRAINING
    proc = _start("decoupled_rnn", [*args, f"--output_dir={out}"], marker)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert _tree(out) == before
    assert _leftovers(tmp_path) == []


@pytest.mark.slow
def test_a_signal_while_the_graph_runs_in_cpp_still_ends_the_run(tmp_path):
    # --loop=graph runs every step in one Session.run: Python cannot run a
    # handler until it returns, so the watchdog ends the process for it.
    out = tmp_path / "out"
    proc = _start("nielsen_mlp", ["--loop=graph", "--steps=3000000", f"--output_dir={out}"],
                  "t10k-labels", delay=8)
    t0 = time.time()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and time.time() - t0 < 30
    assert _last_line(err) == "nielsen_mlp.py: interrupted"
    assert os.listdir(tmp_path) == []


def test_divergence_keeps_an_honest_results_file(tmp_path):
    out = tmp_path / "out"
    proc, _ = run_script("decoupled_rnn", "--lr_x=1e30", "--epochs=1", "--num_train=10",
                         "--num_test=2", output_dir=str(out),
                         check=False)
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    line = _last_line(proc.stderr)
    assert line.startswith("decoupled_rnn.py: diverged: figures.") and "is not finite" in line
    data = _strict_load(out / "results.json")  # valid JSON: no NaN tokens
    assert data["non_finite"]
    first = data["non_finite"][0]
    assert line.startswith(f"decoupled_rnn.py: diverged: {first} is not finite")
    name = first.split(".", 1)[1]
    assert "[" in name or data["figures"][name] is None
    assert os.path.exists(out / "cost.png")


# ---------------------------------------------------------------------------
# Tests without the data; two checkouts
# ---------------------------------------------------------------------------

def test_the_suite_without_data_and_offline_stops_with_one_line(tmp_path):
    empty = tmp_path / "nodata"
    env = dict(os.environ, TF1_REPRO_DATA_DIR=str(empty),
               TF1_REPRO_MNIST_URL="http://127.0.0.1:9/")  # the discard port: nothing listens
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           os.path.join(REPO, "tests", "test_pyfunc_grad.py")],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert proc.returncode == 4, proc.stdout[-2000:]
    out = proc.stdout + proc.stderr
    assert "tf1_repro tests need the MNIST files: put train-images-idx3-ubyte.gz" in out
    assert f"in {empty} (or set $TF1_REPRO_DATA_DIR" in out
    assert not any(w in out for w in (" passed", " error", "Traceback"))


@pytest.mark.slow
def test_the_suite_fetches_missing_data_from_the_mirror(tmp_path):
    import http.server
    import threading
    import functools
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=data_dir())
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        folder = tmp_path / "fetched"
        env = dict(os.environ, TF1_REPRO_DATA_DIR=str(folder),
                   TF1_REPRO_MNIST_URL=f"http://127.0.0.1:{server.server_port}/")
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               os.path.join(REPO, "tests", "test_pyfunc_grad.py"), "-k",
                               "no_test_has_this_name"],
                              capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    finally:
        server.shutdown()
    assert proc.returncode == 5, proc.stdout[-2000:]  # all deselected: the session went on
    from tf1_repro import mnist
    assert sorted(os.listdir(folder)) == sorted(mnist.FILES)


@pytest.mark.slow
def test_reproduce_checks_its_own_checkouts_goldens(tmp_path):
    clone = tmp_path / "clone"
    copy_checkout(str(clone))
    path = clone / "golden" / "decoupled_rnn_quick.json"
    golden = json.loads(path.read_text())
    golden["figures"]["cost_epoch_0"]["reproduced"] += 1.0
    path.write_text(json.dumps(golden, indent=1))
    env = dict(os.environ)
    env.setdefault("TF1_REPRO_DATA_DIR", data_dir())
    proc = subprocess.run([sys.executable, str(clone / "scripts" / "reproduce.py"),
                           "--post=decoupled_rnn", "--golden=decoupled_rnn_quick"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "REGRESSION decoupled_rnn_quick: " in proc.stdout
    assert "cost_epoch_0" in proc.stdout


def test_tensorboard_events_keep_finite_points_and_thin_long_curves(tmp_path):
    import tensorflow as tf
    from tf1_repro import report
    logdir = str(tmp_path / "tb")
    report.write_events(logdir, scalars={"a/loss": [(0, 1.0), (1, float("nan")), (2, 0.5)],
                                         "b/long": [(i, float(i)) for i in range(1000)]},
                        histograms={"weights/w": [(3, [1.0, 2.0]), (4, [float("inf")])]}, max_points=100)
    seen = {}
    for name in os.listdir(logdir):
        for event in tf.compat.v1.train.summary_iterator(os.path.join(logdir, name)):
            for v in event.summary.value:
                seen.setdefault(v.tag, []).append(event.step)
    assert seen["a/loss"] == [0, 2]            # the NaN point is left out, not written as NaN
    assert len(seen["b/long"]) == 100 and seen["b/long"][:2] == [0, 10]
    assert seen["weights/w"] == [3]
