"""scripts/run_original.py --corpus=DIR: a folder of programs at once.

The programs are written by the tests into tmp_path (a few lines each, in
the styles a corpus holds: one that ends, one that asks for a TF1 name the
archive does not provide, one that never ends, a Python 2 one); the corpus
of real programs in ../shared/corpus is only read by the optional test at
the end, and nothing of it is copied here.  Finding programs, reading an
outcome from a run's output and killing a process group are tested in this
process; the command itself as users run it.
"""
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from scriptrun import REPO, data_dir
from tf1_repro.errors import UsageError
from tf1_repro.original import corpus

SCRIPT = os.path.join(REPO, "scripts", "run_original.py")
SHARED_CORPUS = os.path.join(REPO, "..", "shared", "corpus")


def write(folder, rel, text):
    path = os.path.join(folder, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    return path


ENDS = """\
    import tensorflow as tf
    with tf.Session() as sess:
        print("sum", sess.run(tf.add(tf.constant(2), tf.constant(3))))
"""
MISSING_API = """\
    import tensorflow as tf

    x = tf.placeholder(tf.float32, [None, 2])
    print("built")

    hparams = tf.contrib.tensor_forest.python.tensor_forest.ForestHParams(num_classes=3)
"""
NEVER_ENDS = """\
    import os
    with open(os.environ["PID_FILE"], "w") as f:
        f.write(str(os.getpid()))
    import tensorflow as tf
    print("waiting for the queue")
    tf.Session().run(tf.FIFOQueue(1, tf.float32).dequeue())
"""
PYTHON2 = """\
    import tensorflow as tf
    hello = tf.constant(7)
    sess = tf.Session()
    for i in xrange(2):
        print "step", i, 1 / 3.0
"""


def alive(pid):
    """True while ``pid`` runs (a zombie nobody reaped yet, as under a container's init, is dead)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def run_corpus(*args, env=None, timeout=300):
    full_env = dict(os.environ)
    full_env.setdefault("TF1_REPRO_DATA_DIR", data_dir())
    full_env.update(env or {})
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          cwd=REPO, env=full_env, timeout=timeout, stdin=subprocess.DEVNULL)


# ---------------------------------------------------------------------------
# Which programs (in process)
# ---------------------------------------------------------------------------

def test_every_py_file_but_packages_and_underscore_or_dot_folders(tmp_path):
    for rel in ("b.py", "a/z.py", "a/helper.py", "a/__init__.py", "a/notes.txt", "_reference/r.py",
                "a/__pycache__/z.py", ".git/hook.py", "deep/er/x.py"):
        write(tmp_path, rel, "x = 1\n")
    programs, index_used = corpus.find_programs(str(tmp_path))
    assert programs == ["a/helper.py", "a/z.py", "b.py", "deep/er/x.py"]
    assert not index_used


def test_an_index_json_names_exactly_the_programs(tmp_path):
    for rel in ("one.py", "sub/two.py", "sub/input_data.py"):
        write(tmp_path, rel, "x = 1\n")
    rows = [{"file": "sub/two.py", "python": "2"}, {"file": "one.py"}, {"file": "sub/two.py"}]
    (tmp_path / "index.json").write_text(json.dumps(rows))
    assert corpus.find_programs(str(tmp_path)) == (["one.py", "sub/two.py"], True)


@pytest.mark.parametrize("index, message", [
    ('{"file": "one.py"}', 'not a list of rows with a "file" key'),
    ('[{"name": "one.py"}]', 'not a list of rows with a "file" key'),
    ("[{", "not readable JSON"),
    ('[{"file": "gone.py"}]', "lists 'gone.py', which is not a file under"),
    ('[{"file": "../outside.py"}]', "lists '../outside.py', which is not a file under"),
    ("[]", "no programs in it"),
])
def test_a_bad_index_is_a_usage_error(tmp_path, index, message):
    write(tmp_path, "one.py", "x = 1\n")
    write(tmp_path.parent, "outside.py", "x = 1\n")
    (tmp_path / "index.json").write_text(index)
    with pytest.raises(UsageError, match=re.escape(message)):
        corpus.find_programs(str(tmp_path))


# ---------------------------------------------------------------------------
# Outcomes from a run's exit status and output (in process)
# ---------------------------------------------------------------------------

TRACEBACK = """\
I1203 15:51:10.173928 140 runner.py:284] TF1 program: v2 behaviour disabled
Traceback (most recent call last):
  File "/c/x.py", line 9, in <module>
    train()
  File "/c/x.py", line 4, in train
    sess.run(op)
  File "/lib/tensorflow/python/client/session.py", line 1, in run
    raise
tensorflow.python.framework.errors_impl.InvalidArgumentError: You must feed a value for placeholder tensor 'x'
\t [[node x (defined at /c/x.py:2) ]]

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/c/x.py", line 9, in <module>
    train()
  File "/c/x.py", line 5, in train
    sess.run(op)
  File "/lib/tensorflow/python/client/session.py", line 2, in _do_call
    raise type(e)(node_def, op, message)
tensorflow.python.framework.errors_impl.InvalidArgumentError: Graph execution error:

ValueError: not this one, a line of the message
run_original.py: error: x.py raised InvalidArgumentError
"""


def test_error_lines():
    one_line = ("I1203 note\nrun_original.py: note: plt.show() returned at once\n"
                "run_original.py: error: x.py:6: tf.contrib.tensor_forest is not provided\n")
    assert corpus.classify(2, "built\n", one_line, "/c/x.py") == (
        "error", "x.py:6: tf.contrib.tensor_forest is not provided")
    # A program that raised: its final exception, at the program's innermost line.
    assert corpus.error_line(TRACEBACK, 1, "/c/x.py") == (
        "x.py:5: InvalidArgumentError: Graph execution error:")
    # The runner itself failed (no error line of its own): the final exception line.
    crashed = "Traceback (most recent call last):\n  File \"r.py\", line 1\nKeyError: 'k'\n"
    assert corpus.error_line(crashed, 1, "/c/x.py") == "KeyError: 'k'"
    assert corpus.error_line("", -signal.SIGSEGV, "/c/x.py") == "killed by SIGSEGV"
    assert corpus.error_line("some chatter\n", 3, "/c/x.py") == "exit status 3"


def test_ended_and_timeout_show_the_last_transcript_line():
    assert corpus.classify(0, "a\nlast line  \n\n", "", "/c/x.py") == ("ended", "last line")
    assert corpus.classify(0, "Epoch 1\r[====>  ] 50%\r[=======] 100%\n", "", "/c/x.py") == (
        "ended", "[=======] 100%")
    assert corpus.classify(124, "step 10\n", "run_original.py: error: x.py was still running",
                           "/c/x.py") == ("timeout", "step 10")
    assert corpus.classify(None, "", "", "/c/x.py", killed_after=31.5) == (
        "timeout", "killed after 31.5 s")
    assert corpus.shorten("x" * 150) == "x" * 97 + "..."


def test_a_program_that_outlives_its_timeout_is_killed_with_what_it_started(tmp_path, monkeypatch):
    """The runner's own --timeout is a watchdog thread; a program holding it off (here: a
    stand-in for the runner that ignores its flags and SIGTERM) is killed by the corpus run,
    process group and all, and counts as a timeout."""
    stubborn = write(tmp_path, "stubborn_runner.py", f"""\
        import signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        with open({str(tmp_path / 'grandchild.pid')!r}, "w") as f:
            f.write(str(child.pid))
        print("started", child.pid, flush=True)
        time.sleep(60)
    """)
    write(tmp_path, "corpus/p.py", "x = 1\n")
    monkeypatch.setattr(corpus, "KILL_GRACE_S", 0.0)
    lines = []
    t0 = time.monotonic()
    [result] = corpus.run_all(str(tmp_path / "corpus"), ["p.py"], [sys.executable, stubborn],
                              ["--timeout=1"], str(tmp_path / "logs"), timeout=1.0,
                              progress=lines.append)
    assert time.monotonic() - t0 < 20
    assert result.outcome == "timeout" and result.exit_status is None
    assert result.line.startswith("started ")
    assert 1.0 <= result.seconds < 20
    assert lines == [f"[1/1] timeout {result.seconds:.1f} s  p.py"]
    grandchild = int((tmp_path / "grandchild.pid").read_text())
    deadline = time.monotonic() + 5
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)


def test_table_is_aligned_markdown_with_a_summary():
    rows = [corpus.Result("a/long_name.py", "ended", 0, 12.345, "Accuracy: 0.91", "", ""),
            corpus.Result("b.py", "error", 2, 3.0, "b.py:6: x | y", "", "")]
    counts = corpus.summary(rows, 15.5)
    text = corpus.table(rows, counts).splitlines()
    assert text[0] == "| program        | outcome | seconds | last transcript line, or the error"
    assert text[2] == "| a/long_name.py | ended   |    12.3 | Accuracy: 0.91"
    assert text[3] == "| b.py           | error   |     3.0 | b.py:6: x \\| y"
    assert text[-1] == "2 programs in 15.5 s: 1 ended, 1 error, 0 timeout"
    assert counts == {"programs": 2, "ended": 1, "error": 1, "timeout": 0, "wall_time_s": 15.5}


# ---------------------------------------------------------------------------
# The command (its own process)
# ---------------------------------------------------------------------------

def test_a_folder_of_programs_gives_a_table_results_json_and_progress(tmp_path):
    folder = tmp_path / "corpus"
    write(folder, "ends.py", ENDS)
    write(folder, "models/missing_api.py", MISSING_API)
    write(folder, "models/never_ends.py", NEVER_ENDS)
    write(folder, "py2/print_statements.py", PYTHON2)
    write(folder, "_reference/not_a_program.py", "raise SystemExit(9)\n")
    out = tmp_path / "out"
    proc = run_corpus(f"--corpus={folder}", "--timeout=2", "--seed=1", "--jobs=2",
                      f"--output_dir={out}", env={"PID_FILE": str(tmp_path / "pid")})
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = proc.stdout.splitlines()
    assert table[0].startswith("| program ") and table[1].startswith("|----")
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:]]
            for line in table[2:6]}
    assert list(rows) == ["ends.py", "models/missing_api.py", "models/never_ends.py",
                          "py2/print_statements.py"]
    assert rows["ends.py"][0] == "ended" and rows["ends.py"][2] == "sum 5"
    assert rows["models/missing_api.py"][0] == "error"
    assert rows["models/missing_api.py"][2].startswith(
        "missing_api.py:6: tf.contrib.tensor_forest is not provided by tf.compat.v1")
    assert rows["models/never_ends.py"][0] == "timeout"
    assert rows["models/never_ends.py"][2] == "waiting for the queue"
    assert rows["py2/print_statements.py"][:3:2] == ["ended", "step 1 0.333333333333"]
    assert re.fullmatch(r"4 programs in [\d.]+ s: 2 ended, 1 error, 1 timeout", table[-1])

    progress = [line for line in proc.stderr.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in progress] == ["[1/4", "[2/4", "[3/4", "[4/4"]
    assert all(re.match(r"\[\d/4\] (ended|error|timeout) \d+\.\d s  \S+\.py", line)
               for line in progress), progress

    with open(out / "results.json") as f:
        results = json.load(f)
    assert results["script"] == "run_original" and results["index"] is None
    assert results["summary"]["programs"] == 4
    assert {k: results["summary"][k] for k in corpus.OUTCOMES} == {
        "ended": 2, "error": 1, "timeout": 1}
    assert results["config"]["seed"] == 1 and results["config"]["timeout"] == 2
    assert "--seed=1" in results["command"] and "--timeout=2" in results["command"]
    by_name = {row["program"]: row for row in results["programs"]}
    assert by_name["models/missing_api.py"]["exit_status"] == 2
    assert by_name["models/never_ends.py"]["exit_status"] == 124
    assert all(row["seconds"] >= 0 for row in results["programs"])
    # Each program ran in its own folder, its output kept beside results.json.
    assert (out / by_name["ends.py"]["stdout"]).read_text() == "sum 5\n"
    assert "missing_api.py:6:" in (out / by_name["models/missing_api.py"]["stderr"]).read_text()
    assert results["fingerprint"]["tensorflow"]


@pytest.mark.parametrize("args, message", [
    ([], "give either --program=FILE (one program) or --corpus=DIR"),
    (["--corpus={tmp}", "--program=x.py"], "give either --program=FILE (one program) or"),
    (["--corpus={tmp}/nowhere"], "--corpus={tmp}/nowhere: no such folder"),
    (["--corpus={tmp}"], "--corpus={tmp}: no programs in it"),
    (["--corpus={tmp}/file.txt"], "not a folder"),
    (["--program=x.py", "--output_dir={tmp}/out"], "--output_dir is for --corpus=DIR"),
    (["--corpus={tmp}", "--numpy=1.x"], "--numpy=1.x: not a NumPy version"),
])
def test_bad_input_is_one_line_and_runs_nothing(tmp_path, args, message):
    (tmp_path / "file.txt").write_text("")
    if "--numpy=1.x" in args:
        write(tmp_path, "p.py", "x = 1\n")
    args = [a.format(tmp=tmp_path) for a in args]
    proc = run_corpus(*args, f"--output_dir={tmp_path / 'out'}" if "--corpus" in str(args) else
                      "--seed=0", timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("run_original.py: error: ") and message.format(tmp=tmp_path) in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("signum, status, word", [(signal.SIGTERM, 143, "terminated"),
                                                  (signal.SIGINT, 130, "interrupted")])
def test_a_signal_stops_the_running_program_and_writes_nothing(tmp_path, signum, status, word):
    folder = tmp_path / "corpus"
    write(folder, "never_ends.py", NEVER_ENDS)
    pid_file = tmp_path / "pid"
    env = dict(os.environ, PID_FILE=str(pid_file))
    env.setdefault("TF1_REPRO_DATA_DIR", data_dir())
    proc = subprocess.Popen([sys.executable, SCRIPT, f"--corpus={folder}", "--timeout=120",
                             f"--output_dir={tmp_path / 'out'}"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL,
                            # As from a terminal: a suite started as a background job
                            # hands its children SIGINT ignored, and the runner keeps
                            # a signal its caller chose to ignore.
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        program_pid = int(pid_file.read_text())
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == status
    assert stdout == ""
    assert stderr.strip().splitlines()[-1] == (
        f"run_original.py: {word}; the running program was stopped and nothing was written")
    assert not alive(program_pid)
    assert sorted(os.listdir(tmp_path)) == ["corpus", "pid"]  # no output, no staging folder


# ---------------------------------------------------------------------------
# Against the outputs the authors recorded
# ---------------------------------------------------------------------------

RECORDED = """\
# Out[2]:
Extracting /tmp/data/train-images-idx3-ubyte.gz
WARNING:tensorflow:From x.py:3: initialize_all_variables (from tensorflow.python.ops.variables) is deprecated.
Instructions for updating:
Use `tf.global_variables_initializer` instead.
# Out[4]:
/usr/lib/python2.7/site-packages/tensorflow/python/ops/gradients_impl.py:93: UserWarning: Converting sparse
  "Converting sparse IndexedSlices to a dense Tensor of unknown shape. "
Epoch: 0001 cost= 1.182138961
INFO:tensorflow:Restoring parameters from /tmp/model.ckpt
Accuracy: 0.889667  
# Out[5]:
[display_data] <matplotlib.figure.Figure at 0x7f3d>
# Out[6]:
[execute_result] Estimator(params={'head': 1,
  'n_classes': 10})
# Out[7]:
Done!
"""


def test_recorded_lines_are_what_the_program_printed():
    assert corpus.recorded_lines(RECORDED) == [
        "Extracting /tmp/data/train-images-idx3-ubyte.gz", "Epoch: 0001 cost= 1.182138961",
        "Accuracy: 0.889667", "Done!"]


def test_numbers_are_masked_and_nothing_else():
    assert corpus.numbers_masked("Epoch: 0001 cost= 1.182138961 W= -0.78 b= 1e-05, nan") == (
        "Epoch: # cost= # W= # b= #, #")
    assert corpus.numbers_masked("time: 0:00:11.833497 [[ 12.]]") == "time: #:#:# [[ #]]"
    # Numbers inside names and file names stay: they are not figures of the run.
    assert corpus.numbers_masked("conv2d_1 /tmp/data/t10k-images-idx3.gz v1.5") == (
        "conv2d_1 /tmp/data/t10k-images-idx3.gz v1.5")


@pytest.mark.parametrize("ours, verdict, line, recorded_line, our_line", [
    (["a=2", "cost= 0.5 ", "Done!"], "same", None, None, None),
    (["a=2", "cost= 0.49", "Done!"], "numbers", 2, "cost= 0.5", "cost= 0.49"),
    (["a=2", "cost= 0.49", "Finished"], "differs", 3, "Done!", "Finished"),
    (["a=2", "cost= 0.5"], "differs", 3, "Done!", None),  # stopped early: never the same
    (["a=2", "cost= 0.5", "Done!", ""], "differs", 4, None, ""),  # printed more
    (["a=3", "cost: 0.5", "Done!"], "differs", 2, "cost= 0.5", "cost: 0.5"),
])
def test_compare_says_same_numbers_or_where_it_first_differs(ours, verdict, line,
                                                            recorded_line, our_line):
    assert corpus.compare(["a=2", "cost= 0.5", "Done!"], ours) == {
        "verdict": verdict, "line": line, "recorded_line": recorded_line, "our_line": our_line}


def test_recorded_outputs_from_the_index(tmp_path):
    write(tmp_path, "a.py", "x = 1\n")
    write(tmp_path, "b.py", "x = 1\n")
    write(tmp_path, "_reference/a.outputs.txt", "# Out[1]:\nx\n")
    rows = [{"file": "a.py", "output": "Notebook (exact): x",
             "notebook_outputs": "_reference/a.outputs.txt"},
            {"file": "b.py", "notebook_outputs": None}]
    (tmp_path / "index.json").write_text(json.dumps(rows))
    assert corpus.recorded_outputs(str(tmp_path)) == {
        "a.py": corpus.Recording("_reference/a.outputs.txt", True)}
    rows[1]["notebook_outputs"] = "_reference/gone.txt"
    (tmp_path / "index.json").write_text(json.dumps(rows))
    with pytest.raises(UsageError, match="names the recorded output '_reference/gone.txt', "
                                         "which is not a file under"):
        corpus.recorded_outputs(str(tmp_path))
    assert corpus.recorded_outputs(str(tmp_path / "_reference")) == {}  # no index


TRAINS = """\
    import tensorflow as tf
    x = tf.Variable(4.0)
    cost = tf.square(x - 1.0)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        for epoch in range(2):
            c, _ = sess.run([cost, train])
            print("Epoch:", '%04d' % (epoch + 1), "cost=", "{:.9f}".format(c))
        print("Optimization Finished!")
"""


def test_a_corpus_run_judges_each_transcript_against_its_recorded_output(tmp_path):
    folder = tmp_path / "corpus"
    write(folder, "ends.py", ENDS)
    write(folder, "trains.py", TRAINS)
    write(folder, "py2/print_statements.py", PYTHON2)
    write(folder, "missing_api.py", MISSING_API)
    write(folder, "_reference/ends.outputs.txt", "# Out[3]:\nsum 5\n# Out[4]:\n"
                                                 "[execute_result] <tf.Tensor 'Add:0'>\n")
    # The author's training ran on another machine: the same lines, other figures.
    write(folder, "_reference/trains.outputs.txt", "# Out[2]:\nEpoch: 0001 cost= 9.000000000\n"
                                                   "Epoch: 0002 cost= 5.700000000\n"
                                                   "Optimization Finished!\n")
    write(folder, "_reference/print_statements.outputs.txt",
          "# Out[1]:\nstep 0 0.333333333333\nstep 1 0.333333333333\nstep 2 0.333333333333\n")
    rows = [{"file": "ends.py", "output": "Notebook (exact): sum 5",
             "notebook_outputs": "_reference/ends.outputs.txt"},
            {"file": "trains.py", "output": "prints: Epoch:",
             "notebook_outputs": "_reference/trains.outputs.txt"},
            {"file": "py2/print_statements.py", "output": "Notebook (exact)",
             "notebook_outputs": "_reference/print_statements.outputs.txt"},
            {"file": "missing_api.py", "output": "prints: built", "notebook_outputs": None}]
    (folder / "index.json").write_text(json.dumps(rows))
    out = tmp_path / "out"
    proc = run_corpus(f"--corpus={folder}", "--timeout=60", "--seed=1", "--jobs=2",
                      f"--output_dir={out}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].split("|")[4].strip() == "recorded"
    verdicts = {line.split("|")[1].strip(): line.split("|")[4].strip() for line in lines[2:6]}
    assert verdicts == {"ends.py": "same", "missing_api.py": "none recorded",
                        "py2/print_statements.py": "differs (line 3)",
                        "trains.py": "numbers differ (line 2)"}
    assert lines[7:11] == [
        "Where a transcript first differs from the recorded output:", "",
        "- py2/print_statements.py: differs at line 3: recorded 'step 2 0.333333333333', "
        "ours (no line)",
        "- trains.py: numbers differ at line 2: recorded 'Epoch: 0002 cost= 5.700000000', "
        "ours 'Epoch: 0002 cost= 5.760000229'"]
    assert re.fullmatch(r"4 programs in [\d.]+ s: 3 ended, 1 error, 0 timeout; against the "
                        r"recorded outputs: 1 same, 1 same apart from numbers, 1 differ, "
                        r"1 none recorded", lines[-1])
    with open(out / "results.json") as f:
        results = json.load(f)
    assert results["index"] == "index.json"
    assert results["summary"]["recorded"] == {"same": 1, "numbers": 1, "differs": 1, "none": 1}
    by_name = {row["program"]: row["recorded"] for row in results["programs"]}
    assert by_name["ends.py"] == {"verdict": "same", "file": "_reference/ends.outputs.txt",
                                  "exact": True, "lines": 1, "line": None,
                                  "recorded_line": None, "our_line": None}
    assert by_name["trains.py"]["verdict"] == "numbers" and by_name["trains.py"]["exact"] is False
    assert by_name["py2/print_statements.py"] == {
        "verdict": "differs", "file": "_reference/print_statements.outputs.txt", "exact": True,
        "lines": 3, "line": 3, "recorded_line": "step 2 0.333333333333", "our_line": None}
    assert by_name["missing_api.py"]["verdict"] == "none"


@pytest.mark.slow
def test_the_shared_corpus_introductions(tmp_path):
    """The first programs of ../shared/corpus (TensorFlow-Examples, 2016), read where they are."""
    folder = os.path.join(SHARED_CORPUS, "aymericdamien", "2016-08_60dc7c1", "examples",
                          "1_Introduction")
    if not os.path.isdir(folder):
        pytest.skip(f"{folder}: not here (the corpus is beside the checkout, not in it)")
    proc = run_corpus(f"--corpus={folder}", "--seed=0", "--timeout=60",
                      f"--output_dir={tmp_path / 'out'}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(tmp_path / "out" / "results.json") as f:
        rows = {row["program"]: row for row in json.load(f)["programs"]}
    assert set(rows) == {"basic_operations.py", "helloworld.py"}
    assert all(row["outcome"] == "ended" for row in rows.values()), rows
    assert rows["helloworld.py"]["line"] == "Hello, TensorFlow!"  # the notebook's output
    assert rows["basic_operations.py"]["line"] == "[[ 12.]]"
