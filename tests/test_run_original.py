"""scripts/run_original.py: a TF 0.x/1.x program run unmodified.

The programs in tests/programs/ were written for these tests in the styles
the runner exists for (Python 2, TF 0.x names, input_data, InteractiveSession,
update lists, tf.app.flags, a TF2 tape); they are not the posts' programs,
which the archive does not ship.  The library parts (conversion, API
detection, the TF1 module) are tested in this process; running a program
needs a process of its own (v2 behaviour is disabled process-wide), so those
tests run the script as users do.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

from scriptrun import REPO, data_dir
from tf1_repro.errors import UsageError
from tf1_repro.original import api, source

PROGRAMS = os.path.join(REPO, "tests", "programs")


def run_original(*args, cwd=None):
    env = dict(os.environ)
    env.setdefault("TF1_REPRO_DATA_DIR", data_dir())
    cmd = [sys.executable, os.path.join(REPO, "scripts", "run_original.py"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd or REPO, env=env,
                          timeout=600)


def program(name):
    return os.path.join(PROGRAMS, name)


# ---------------------------------------------------------------------------
# Python 2 conversion (in process)
# ---------------------------------------------------------------------------

PY2 = """\
import math
print "a", 1
for i in xrange(2):
    print i
d = {"k": 1}
for k, v in d.iteritems():
    print k, v
total = reduce(lambda a, b: a + b, [1, 2, 3])
x = 7 / 2
y = 7.0 / 2
x /= 2
raise_here = undefined_name
"""


def test_python2_is_detected_and_python3_left_alone():
    assert source.is_python2(PY2)
    assert source.is_python2("for i in xrange(3):\n    pass\n")  # compiles, but Python 2's xrange
    assert not source.is_python2("print('a', 1)\nx = 7 / 2\n")
    assert not source.is_python2("s = 'xrange in a string'  # and xrange in a comment\n")


def test_conversion_keeps_every_line_where_it_was():
    """An error in the converted program must name the line of the user's file."""
    converted = source.convert_python2(PY2, "prog.py")
    assert len(converted.splitlines()) == len(PY2.splitlines())
    lines = converted.splitlines()
    assert lines[1] == 'print("a", 1)'
    assert lines[2] == "for i in range(2):"
    assert "d.items()" in lines[5]
    assert lines[11] == "raise_here = undefined_name"


def run_converted(text, python2=True):
    code = source.compile_program(text, "prog.py", python2)
    namespace = {"__builtins__": dict(__builtins__ if isinstance(__builtins__, dict)
                                      else vars(__builtins__))}
    namespace["__builtins__"][source.PY2_DIV_NAME] = source.py2_div
    namespace["__builtins__"]["reduce"] = __import__("functools").reduce
    exec(code, namespace)
    return namespace


def test_python2_division_floors_integers_only():
    ns = run_converted(source.convert_python2(PY2.replace("raise_here = undefined_name", ""),
                                              "prog.py"))
    assert ns["x"] == 1 and isinstance(ns["x"], int)  # 7 / 2 = 3, then 3 /= 2 = 1
    assert ns["y"] == 3.5
    assert ns["total"] == 6
    assert source.py2_div(np.arange(5), 2).tolist() == [0, 0, 1, 1, 2]
    assert source.py2_div(np.arange(5.0), 2).tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert source.py2_div(True, 2) == 0


def test_future_division_keeps_true_division():
    ns = run_converted("from __future__ import division\nx = 7 / 2\n")
    assert ns["x"] == 3.5


def test_python3_programs_keep_true_division():
    ns = run_converted("x = 7 / 2\n", python2=False)
    assert ns["x"] == 3.5


def test_api_detection():
    assert source.detect_api("import tensorflow as tf\nx = tf.placeholder(tf.float32)\n") == "tf1"
    assert source.detect_api("from tensorflow.examples.tutorials.mnist import input_data\n") == "tf1"
    assert source.detect_api("import tensorflow as tf\nwith tf.GradientTape() as t:\n    pass\n") == "tf2"
    assert source.detect_api("@tf.function\ndef f():\n    pass\n") == "tf2"
    # Both: graph-and-session names win (a TF1 program that also uses Keras layers).
    assert source.detect_api("m = tf.keras.layers.Dense(3)\ns = tf.Session()\n") == "tf1"
    assert source.detect_api("import tensorflow as tf\nprint(tf.constant(1))\n") == "tf1"


def test_unreadable_programs_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="cannot read"):
        source.read_program(str(tmp_path / "missing.py"))
    bad = "def f(:\n    print 'x'\n"
    with pytest.raises(UsageError, match="prog.py"):
        source.convert_python2(bad, "prog.py")


# ---------------------------------------------------------------------------
# The TF1 module (in process: nothing process-wide is changed by build())
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tf():
    import tensorflow
    return tensorflow


def test_removed_names_map_to_their_successors(tf):
    shim = api.build(tf)
    g = tf.Graph()
    with g.as_default():
        a = tf.constant([[1.0, 2.0]])
        b = tf.constant([[3.0, 5.0]])
        fetches = [shim.sub(a, b), shim.mul(a, b), shim.neg(a), shim.pack([a, b]),
                   shim.concat(0, [a, b]), shim.concat([a, b], 1),
                   shim.reduce_sum(b, reduction_indices=[1], keep_dims=True),
                   shim.split(1, 2, b)[1],
                   shim.nn.softmax_cross_entropy_with_logits(a, tf.constant([[0.0, 1.0]])),
                   shim.nn.sigmoid_cross_entropy_with_logits(logits=a, targets=b)]
        with shim.Session(graph=g) as sess:
            out = sess.run(fetches)
    assert out[0].tolist() == [[-2.0, -3.0]]
    assert out[1].tolist() == [[3.0, 10.0]]
    assert out[2].tolist() == [[-1.0, -2.0]]
    assert out[3].shape == (2, 1, 2)
    assert out[4].tolist() == [[1.0, 2.0], [3.0, 5.0]]
    assert out[5].tolist() == [[1.0, 2.0, 3.0, 5.0]]
    assert out[6].tolist() == [[8.0]]
    assert out[7].tolist() == [[5.0]]
    assert out[8][0] == pytest.approx(np.log(1 + np.exp(-1.0)), rel=1e-6)
    expected = np.maximum(1.0, 0) - 1.0 * 3.0 + np.log1p(np.exp(-1.0))
    assert out[9][0][0] == pytest.approx(expected, rel=1e-6)


def test_sessions_get_the_runners_config_and_graphs_its_seed(tf):
    from tf1_repro.graph_session import session_config
    seen = []

    def configure(config):
        seen.append(config)
        return session_config(1)
    shim = api.build(tf, session_config=configure, seed=11)
    g = shim.Graph()
    assert isinstance(g, tf.Graph) and g.seed == 11
    own = tf.compat.v1.ConfigProto(log_device_placement=False, allow_soft_placement=True)
    with shim.Session(graph=g, config=own) as sess:
        assert sess._config.inter_op_parallelism_threads == -1
    assert seen == [own]


def test_missing_names_say_which(tf):
    shim = api.build(tf)
    with pytest.raises(api.MissingAttribute, match=r"^tf\.contrib\.rnn is not provided"):
        shim.contrib.rnn
    with pytest.raises(api.MissingAttribute, match=r"^tf\.nn\.no_such_op is not provided"):
        shim.nn.no_such_op
    assert not hasattr(shim, "no_such_name")  # still an AttributeError for hasattr


def test_input_data_imports_resolve(tf, tmp_path):
    shim = api.build(tf, input_data=api.make_input_data(str(tmp_path), "tf1.0"))
    found = api.resolve_import(shim, "tensorflow.examples.tutorials.mnist", ("input_data",))
    assert callable(found.input_data.read_data_sets)
    assert api.resolve_import(shim, "tensorflow", ()) is shim
    assert api.resolve_import(shim, "tensorflow.python.framework", ("ops",)) is None
    with pytest.raises(api.MissingModule, match=r"tf\.contrib\.layers"):
        api.resolve_import(shim, "tensorflow.contrib", ("layers",))


# ---------------------------------------------------------------------------
# The script (each run a process of its own)
# ---------------------------------------------------------------------------

def test_tf0_program_with_seed_prints_what_its_self_seeded_twin_prints():
    """--seed=S is the program with its seeds set at the top (DESIGN.md), name for name.

    tf0_softmax.py (Python 2, TF 0.x names, InteractiveSession, a new
    tf.Graph) run with --seed=3 must print, digit for digit, what
    tf1_softmax.py (Python 3, TF 1.x names, seeding itself with 3 at the top
    and on its graph) prints without --seed.  An ignored --seed, a seed not
    given to the new graph, a wrong Python 2 division (range(60.0)) or a
    conversion that changed the arithmetic would make them differ.
    """
    old = run_original(f"--program={program('tf0_softmax.py')}", "--seed=3")
    new = run_original(f"--program={program('tf1_softmax.py')}")
    assert old.returncode == 0, old.stderr[-2000:]
    assert new.returncode == 0, new.stderr[-2000:]
    assert old.stdout == new.stdout
    lines = old.stdout.splitlines()
    assert lines[0] == "Extracting MNIST_data/train-images-idx3-ubyte.gz"  # the program's folder
    assert [line.split()[0] for line in lines[4:7]] == ["0", "20", "40"]
    assert lines[-1] == "numpy draw %.6f" % np.random.RandomState(3).rand()


def test_missing_api_is_one_line_naming_the_program_line():
    proc = run_original(f"--program={program('tf1_missing_api.py')}")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last == (f"run_original.py: error: {program('tf1_missing_api.py')}:6: tf.contrib.rnn "
                    "is not provided by tf.compat.v1 on this TensorFlow nor by tf1_repro's TF1 "
                    "stand-ins")


def test_program_sees_only_its_own_argv_and_flags():
    proc = run_original(f"--program={program('tf1_app_flags.py')}", "--seed=1",
                        "--data_dir=/nowhere")
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == ["argv 1 True", "data_dir /tmp/the_programs_own seed 7",
                                        "graph mode True"]


def test_tf2_program_runs_eagerly_with_keras_seeding(tf):
    proc = run_original(f"--program={program('tf2_tape.py')}", "--seed=5")
    assert proc.returncode == 0, proc.stderr[-2000:]
    tf.random.set_seed(5)  # what tf.keras.utils.set_random_seed(5) does for TensorFlow
    expected = float(tf.random.uniform([]))
    assert proc.stdout.splitlines() == ["y = 7.0 dW = 2.0 db = 1.0", "eager True",
                                        "draw %.6f" % expected]


@pytest.mark.parametrize("args, message", [
    (["--program=/no/such/file.py"], "--program=/no/such/file.py: cannot read"),
    ([], "Flag --program must have a value other than None"),  # absl's own wording
])
def test_bad_input_fails_before_running_anything(args, message):
    proc = run_original(*args)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
