"""scripts/run_original.py: a TF 0.x/1.x program run unmodified.

The programs in tests/programs/ used here were written for these tests in the
styles the runner exists for (Python 2, TF 0.x names, input_data,
InteractiveSession, update lists, tf.app.flags, a TF2 tape).  The posts' own
programs, as the project reconstructed them, are compared with the archive's
scripts in tests/test_own_programs.py.  The library parts (conversion, API
detection, the TF1 module) are tested in this process; running a program
needs a process of its own (v2 behaviour is disabled process-wide), so those
tests run the script as users do.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import forkserver
from scriptrun import REPO, data_dir
from tf1_repro.errors import UsageError
from tf1_repro.original import api, source

PROGRAMS = os.path.join(REPO, "tests", "programs")


def run_original(*args, cwd=None, extra_env=None):
    env = dict(os.environ)
    env.setdefault("TF1_REPRO_DATA_DIR", data_dir())
    env.update(extra_env or {})
    cmd = [sys.executable, os.path.join(REPO, "scripts", "run_original.py"), *args]
    return forkserver.run("run_original", cmd, env, cwd or REPO, 600)


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


PY2_DIVISION = """\
import numpy as np
n = 10
print range(n / 4), n / 4, -7 / 2, 7 / 2.0, 7.0 / 2, 2 ** -1
a = np.arange(6)
print a / 4, a / 4.0, a.reshape(n / 5, 3).shape
b = np.arange(6, dtype=np.float32)
print b / 4
print np.int64(7) / 2, np.int32(7) / np.int32(2), np.float32(7) / 2
x = 9
x /= 2
print x
arr = np.ones(4, dtype=np.int64) * 7
arr /= 2
print arr
print True / 2, 7 // 2, 7 % 3, divmod(7, 2), -7 / 2.0
print map(lambda v: v / 2, [1, 2, 3]), zip([1], [2]), filter(None, [0, 1])
print 10 / 3 * 3, (10 / 3) * 3.0, 1 / 2 + 1 / 2.0
print "%d %s" % (7 / 2, 7 / 2.0)
print np.zeros(n / 2).shape, int(np.float64(2.7)), np.float64(1) / 3
print round(2.5), round(0.125, 2), round(-2.5), round(7), round(2.675, 2), round(np.float32(0.5))
print 2 ** 70 / 3, 7L / 2
import math
from math import floor
print math.floor(2.5), math.ceil(2.1), math.floor(-7 / 2.0), floor(3), math.sqrt(4), math.trunc(2.5), math.ceil(7) / 2
"""


def test_python2_division_and_round_are_python_2_7s(tmp_path):
    """What Python 2.7.18 with NumPy 1.11.3 printed for these lines: ``/`` floors two
    integers (ints, NumPy integer scalars and arrays, ``x /= 2``) and nothing else,
    ``round`` gives a float rounded half away from zero, and so do ``math.floor`` and
    ``math.ceil`` (``math.ceil(7) / 2`` is 3.5)."""
    path = tmp_path / "division.py"
    path.write_text(PY2_DIVISION)
    proc = run_original(f"--program={path}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        '[0, 1] 2 -4 3.5 3.5 0.5',
        '[0 0 0 0 1 1] [ 0.    0.25  0.5   0.75  1.    1.25] (2, 3)',
        '[ 0.    0.25  0.5   0.75  1.    1.25]',
        '3 3 3.5',
        '4',
        '[3 3 3 3]',
        '0 3 1 (3, 1) -3.5',
        '[0, 1, 1] [(1, 2)] [1]',
        '9 9.0 0.5',
        '3 3.5',
        '(5,) 2 0.333333333333',
        '3.0 0.13 -3.0 7.0 2.67 1.0',
        '393530540239137101141 3',
        '2.0 3.0 -4.0 3.0 2.0 2 3.5',
    ]


@pytest.mark.parametrize("args, python2, python3", [
    ((2.5,), 3.0, 2), ((0.125, 2), 0.13, 0.12), ((-2.5,), -3.0, -2), ((2.675, 2), 2.67, 2.67),
    ((1234.5, -1), 1230.0, 1230.0), ((7,), 7.0, 7), ((np.float32(0.5),), 1.0, 0.0),
    ((float("inf"),), float("inf"), None),
])
def test_python2_round(args, python2, python3):
    got = source.py2_round(*args)
    assert got == python2 and type(got) is float
    if python3 is not None:
        assert round(*args) == python3  # what Python 3 gives instead


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
    with pytest.raises(api.MissingAttribute, match=r"^tf\.contrib\.tensor_forest is not provided"):
        shim.contrib.tensor_forest
    with pytest.raises(api.MissingAttribute,
                       match=r"^tf\.contrib\.factorization\.WALSModel is not provided"):
        shim.contrib.factorization.WALSModel
    try:
        import tf_slim  # noqa: F401
    except ImportError:
        with pytest.raises(api.MissingAttribute, match=r"pip install tf-slim\)$"):
            shim.contrib.slim
    with pytest.raises(api.MissingModule, match=r"^tf\.contrib\.estimator .*TensorFlow >= 2\.16$"):
        api.resolve_import(shim, "tensorflow.contrib.estimator", ("DNNClassifier",))
    if not hasattr(tf.compat.v1, "estimator"):
        eager_shim = api.build(tf, eager=True)  # graph mode only: an eager program has none
        with pytest.raises(api.MissingAttribute, match=r"^tf\.estimator .*TensorFlow >= 2\.16 "):
            eager_shim.estimator
    with pytest.raises(api.MissingAttribute, match=r"^tf\.estimator\.DNNClassifier is not provided"
                       r".*; TensorFlow >= 2\.16 has no tf\.estimator; tf1_repro's stand-in has "):
        shim.estimator.DNNClassifier
    estimator = shim.estimator.Estimator(lambda features, labels, mode: None)
    with pytest.raises(api.MissingAttribute, match=r"^tf\.estimator\.Estimator\.export_savedmodel "):
        estimator.export_savedmodel
    with pytest.raises(api.MissingAttribute, match=r"^tf\.estimator\.Estimator\.train\(hooks=\.\.\.\) "):
        estimator.train(lambda: None, hooks=[object()])
    with pytest.raises(api.MissingAttribute, match=r"^tf\.nn\.no_such_op is not provided"):
        shim.nn.no_such_op
    assert not hasattr(shim, "no_such_name")  # still an AttributeError for hasattr


def test_estimator_graphs_and_sessions_are_the_runners(tf, tmp_path):
    """Each Estimator call builds a graph with the runner's seed (unless the program's RunConfig
    sets one) and opens its session through the runner's configuration, given the program's
    RunConfig(session_config=...)."""
    seen, seeds = [], []

    def configure(config):
        seen.append(config)
        return config
    shim = api.build(tf, session_config=configure, seed=11)
    estimator = shim.estimator

    def model_fn(features, labels, mode):
        seeds.append((mode, tf.compat.v1.get_default_graph().seed))
        w = tf.compat.v1.get_variable("w", [], initializer=tf.compat.v1.zeros_initializer())
        loss = tf.reduce_mean(tf.square(features * w - labels))
        step = tf.compat.v1.train.get_global_step()
        train = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
        return estimator.EstimatorSpec(mode, predictions=features * w, loss=loss, train_op=train)

    own = tf.compat.v1.ConfigProto(inter_op_parallelism_threads=1)
    data = estimator.inputs.numpy_input_fn(np.ones(3, np.float32), np.ones(3, np.float32),
                                           batch_size=3, num_epochs=None, shuffle=False)
    model = estimator.Estimator(model_fn, str(tmp_path / "a"),
                                estimator.RunConfig(session_config=own))
    assert model.train(data, max_steps=2) is model
    result = model.evaluate(data, steps=1)
    assert result["global_step"] == 2 and sorted(result) == ["global_step", "loss"]
    own_seed = estimator.Estimator(model_fn, str(tmp_path / "b"),
                                   estimator.RunConfig(tf_random_seed=7))
    own_seed.train(data, steps=1)
    assert seeds == [("train", 11), ("eval", 11), ("train", 7)]
    assert seen == [own, own, None]


def test_numpy_input_fn_batches(tf):
    """TF 1.x's numpy_input_fn: rows in order, the last partial batch kept, num_epochs=None
    forever with a static batch size, a dict x, and shuffle a permutation of each epoch's rows."""
    shim = api.build(tf)
    numpy_input_fn = shim.estimator.inputs.numpy_input_fn
    x = np.arange(10, dtype=np.float32).reshape(5, 2)
    y = np.arange(5)

    def batches(input_fn, count):
        g = shim.Graph()
        with g.as_default():
            g.seed = 3
            tensors = input_fn()
            with shim.Session(graph=g) as sess:
                out = []
                for _ in range(count):
                    try:
                        out.append(sess.run(tensors))
                    except tf.errors.OutOfRangeError:
                        break
                return tensors, out

    tensors, out = batches(numpy_input_fn({"a": x}, y, batch_size=2, num_epochs=1, shuffle=False), 9)
    assert tensors[0]["a"].shape.as_list() == [None, 2]
    assert [b[0]["a"][:, 0].tolist() for b in out] == [[0.0, 2.0], [4.0, 6.0], [8.0]]
    assert [b[1].tolist() for b in out] == [[0, 1], [2, 3], [4]]
    assert out[0][1].dtype == y.dtype and out[0][0]["a"].dtype == np.float32
    tensors, out = batches(numpy_input_fn(x, batch_size=3, num_epochs=None, shuffle=False), 4)
    assert tensors.shape.as_list() == [3, 2]
    assert [b[:, 1].tolist() for b in out] == [[1, 3, 5], [7, 9, 1], [3, 5, 7], [9, 1, 3]]
    _, out = batches(numpy_input_fn(x, y, batch_size=5, num_epochs=2, shuffle=True), 3)
    assert len(out) == 2 and sorted(np.concatenate([b[1] for b in out]).tolist()) == [
        0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert [b[1].tolist() for b in out] != [[0, 1, 2, 3, 4]] * 2
    assert [b[1].tolist() for b in batches(numpy_input_fn(x, y, batch_size=5, num_epochs=2,
                                                          shuffle=True), 3)[1]] == [
        b[1].tolist() for b in out]  # the graph's seed decides the order
    with pytest.raises(ValueError, match="shuffle must be provided"):
        numpy_input_fn(x, y)


def test_tf0_nce_loss_argument_order(tf):
    """TF 0.x's nce_loss(weights, biases, inputs, labels, ...) equals TF 1.x's (..., labels, inputs)."""
    shim = api.build(tf)
    values = []
    for old_order in (True, False):
        g = tf.Graph()
        with g.as_default():
            tf.compat.v1.set_random_seed(3)
            weights = tf.constant(np.arange(20.0, dtype=np.float32).reshape(10, 2) / 20)
            biases = tf.zeros([10])
            inputs = tf.constant([[0.5, -1.0], [1.0, 2.0]])
            labels = tf.constant([[1], [7]], dtype=tf.int64)
            args = (inputs, labels) if old_order else (labels, inputs)
            loss = shim.nn.nce_loss(weights, biases, *args, 3, 10)
            with tf.compat.v1.Session(graph=g) as sess:
                values.append(sess.run(loss).tolist())
    assert values[0] == values[1]


def test_contrib_seq2seq_sequence_loss(tf):
    """Uniform logits over 3 classes: every step's cross entropy is log 3."""
    shim = api.build(tf)
    g = tf.Graph()
    with g.as_default():
        logits = tf.zeros([2, 4, 3])
        targets = tf.constant([[0, 1, 2, 0], [1, 1, 1, 1]])
        weights = tf.constant([[1.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0]])
        fetches = [shim.contrib.seq2seq.sequence_loss(logits, targets, weights),
                   shim.contrib.seq2seq.sequence_loss(logits, targets, weights,
                                                      average_across_batch=False),
                   shim.contrib.seq2seq.sequence_loss(logits, targets, weights,
                                                      average_across_timesteps=False,
                                                      average_across_batch=False)]
        with tf.compat.v1.Session(graph=g) as sess:
            mean, per_sequence, per_step = sess.run(fetches)
    assert mean == pytest.approx(np.log(3), rel=1e-6)
    assert per_sequence == pytest.approx([np.log(3)] * 2, rel=1e-6)
    np.testing.assert_allclose(per_step, np.log(3) * np.array([[1, 1, 1, 0], [1, 1, 0, 0]]),
                               rtol=1e-6)


def test_contrib_names_from_tensorflows_upgrade_tables(tf):
    """tf_upgrade_v2's renames of tf.contrib names, resolved on today's TensorFlow."""
    shim = api.build(tf)
    assert shim.contrib.data.AUTOTUNE is tf.data.experimental.AUTOTUNE
    assert shim.contrib.framework.nest.flatten([1, [2, 3]]) == [1, 2, 3]
    assert shim.contrib.util.constant_value is tf.get_static_value
    assert shim.contrib.layers.recompute_grad is tf.recompute_grad  # beside the hand-made ones
    table, _ = api.upgrade_table()
    assert len(table) > 50


def test_input_data_imports_resolve(tf, tmp_path):
    shim = api.build(tf, input_data=api.make_input_data(str(tmp_path), "tf1.0"))
    found = api.resolve_import(shim, "tensorflow.examples.tutorials.mnist", ("input_data",))
    assert callable(found.input_data.read_data_sets)
    assert api.resolve_import(shim, "tensorflow", ()) is shim
    assert api.resolve_import(shim, "tensorflow.python.framework", ("ops",)) is None
    with pytest.raises(api.MissingModule, match=r"tf\.contrib\.tensor_forest"):
        api.resolve_import(shim, "tensorflow.contrib", ("tensor_forest",))


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


@pytest.mark.parametrize("threads", ["1", "0"])
def test_gpu_devices_run_on_the_cpu_with_a_note(threads):
    """Without soft placement TF stops at 'Cannot assign a device for operation' here."""
    proc = run_original(f"--program={program('tf1_gpu_device.py')}", f"--threads={threads}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout == "[[7.0, 10.0], [15.0, 22.0]] 54.0\n"
    assert proc.stderr.count("run_original.py: note: the program's GPU devices") == 1


def test_tf0_rnn_modules_and_contrib_rnn_build_the_same_graph():
    """tf0_rnn.py (TF 0.x rnn.rnn, rnn_cell, bidirectional_rnn) with --seed=4 prints what its
    tf.contrib.rnn twin, seeding itself with 4, prints: the same cells, variables and numbers."""
    old = run_original(f"--program={program('tf0_rnn.py')}", "--seed=4")
    new = run_original(f"--program={program('tf1_rnn.py')}")
    assert old.returncode == 0, old.stderr[-2000:]
    assert new.returncode == 0, new.stderr[-2000:]
    assert old.stdout == new.stdout
    lines = old.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["steps", "both", "dense"]
    assert lines[0].startswith("steps 4 last ") and lines[1].startswith("both ways 4 ")
    assert "deprecated" not in old.stderr


def test_tf1_eager_program_runs_eagerly_with_contrib_eager():
    """Expected by hand: loss = (3*1+1-2)^2 + (3*2+1-3)^2, so dL/dw = 2*2*1 + 2*4*2 = 20 and
    dL/db = 2*2 + 2*4 = 12; one step of 0.01 gives w = 2.8, b = 0.88.  NumPy 1.14's printing
    ([1. 2.]): an eager program is of 2018 or later."""
    proc = run_original(f"--program={program('tf1_eager.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == ["grads [12.0, 20.0]", "after 2.8 0.88", "d(t*t) at 3: 6.0",
                                        "first [1. 2.] eager True", "network [[3.]]"]
    assert "NumPy 1.14 rules" in proc.stderr


def test_tf1_estimator_trains_evaluates_and_predicts():
    """tf1_estimator.py, by hand (lr 0.02, y = 2x but y = 7 at x = 3, batches of 2 in order):
    w = 0 -> 0.2 ([1, 2]) -> 1.1 ([3, 4]) -> 1.244 ([1, 2]); the second train() reads its input
    from the first row again: -> 1.3352 -> 1.7198.  max_steps=4 after step 5 trains nothing.
    Evaluation against y = 2x in batches [1, 2, 3] and [4]: loss is the mean of the two
    batches' losses ((2 - w)^2 * 14/3 and (2 - w)^2 * 16), TF 1.x's dict; predict yields a
    dict a row."""
    proc = run_original(f"--program={program('tf1_estimator.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    w = 1.7198
    loss = ((2 - w) ** 2 * 14 / 3 + (2 - w) ** 2 * 16) / 2
    assert proc.stdout.splitlines() == [
        "w after 3 steps: 1.244000", "w after 5 steps: 1.719800",
        f"['accuracy', 'global_step', 'loss'] 5 accuracy 1.00 loss {loss:.6f}",
        "1.719800 False", "3.439600 False", "5.159400 True", "6.879200 True"]


ESTIMATOR_SEEDED = """\
import numpy as np
import tensorflow as tf


def model_fn(features, labels, mode, config):
    out = tf.layers.dense(features, 2)
    return tf.estimator.EstimatorSpec(mode, predictions={"row": features[:, 0], "out": out})


model = tf.estimator.Estimator(model_fn, config=CONFIG)
x = np.arange(10, dtype=np.float32).reshape(10, 1)
rows, outs = [], []
for p in model.predict(tf.estimator.inputs.numpy_input_fn(x, batch_size=4, num_epochs=1,
                                                          shuffle=True)):
    rows.append(int(p["row"]))
    outs.append(p["out"])
print(sorted(rows) == list(range(10)), rows != sorted(rows), rows)
print("%.6f %.6f" % tuple(outs[rows.index(1)]))
"""


def test_tf1_estimator_graphs_get_the_runners_seed(tmp_path):
    """--seed=5 reaches the graphs the Estimator builds (the shuffled order, the initial
    weights): the same as the program's own RunConfig(tf_random_seed=5)."""
    runs = []
    for config, args in (("None", ["--seed=5"]), ("tf.estimator.RunConfig(tf_random_seed=5)", [])):
        path = tmp_path / f"seeded_{len(runs)}.py"
        path.write_text(ESTIMATOR_SEEDED.replace("CONFIG", config))
        runs.append(run_original(f"--program={path}", *args))
        assert runs[-1].returncode == 0, runs[-1].stderr[-2000:]
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stdout.startswith("True True [")


def test_private_keras_paths_are_tf_keras_with_its_version():
    """tensorflow.python.keras (and TF 1.4-1.6's ._impl.keras) answer from tf.keras, so
    SGD(lr=0.5) is TF1-Keras's optimizer: one step on (2 - w.x)^2 from w = 0 gives w0 = 2;
    tf.keras.__version__ is tf-keras's."""
    import tf_keras
    proc = run_original(f"--program={program('tf1_private_keras.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [f"keras {tf_keras.__version__} True",
                                        "kernel [2.0, 0.0] float32"]


def test_contrib_tensorboard_projector_is_tensorboards():
    proc = run_original(f"--program={program('tf1_projector.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "embeddings {", '  tensor_name: "word_embedding:0"', '  metadata_path: "metadata.tsv"',
        "}"]


def test_contrib_layers_with_a_normalizer_are_contribs_order():
    """conv2d / fully_connected with normalizer_fn: the layer without biases, the normalizer
    with its normalizer_params, then the activation (checked against the same graph by hand)."""
    proc = run_original(f"--program={program('tf1_contrib_normalizer.py')}", "--seed=0")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "['fully_connected/dense/kernel:0', 'norm/conv2d/kernel:0']",
        "conv, no biases, then the normalizer: True",
        "dense, no biases, the normalizer, then relu: True True"]


def test_contrib_layers_names_without_a_stand_in_point_to_tf_slim(tf):
    try:
        import tf_slim  # noqa: F401
        pytest.skip("tf-slim is installed: it provides tf.contrib.layers.batch_norm")
    except ImportError:
        pass
    shim = api.build(tf)
    with pytest.raises(api.MissingAttribute,
                       match=r"^tf\.contrib\.layers\.batch_norm is not provided .*pip install tf-slim"):
        shim.contrib.layers.batch_norm


def test_contrib_factorization_kmeans_is_tensorflows_own():
    """tf.contrib.factorization.KMeans (TensorFlow's clustering_ops, where TF 1.12 moved it):
    Lloyd's iterations find the three blobs, whose mean squared distance to their own
    means is 0.1466 (NumPy, on the same points); training_graph() unpacks into the seven
    tensors of TF 1.4-1.8 and into the six of the other releases."""
    proc = run_original(f"--program={program('tf1_kmeans.py')}", "--seed=0")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "training graph 7",
        "clusters per blob [1, 1, 1] blobs per cluster [1, 1, 1]",
        "centers are the clusters' means True",
        "average squared distance 0.1466",
        "six: initialized is a bool"]


def test_kmeans_training_graph_unpacks_as_the_program_does():
    from tf1_repro.original import factorization
    graph = factorization.TrainingGraph(["s", "i", "c", "ok", "init", "train"], "var")
    a, b, c, ok, init, train = graph
    assert (ok, init, train) == ("ok", "init", "train")
    a, b, c, ok, var, init, train = graph
    assert (var, init, train) == ("var", "init", "train")
    assert len(graph) == 7 and graph[4] == "var" and list(graph)[-1] == "train"
    first, *rest = graph
    assert len(rest) == 6


def test_contrib_slim_is_the_tf_slim_package():
    """Where tf-slim is installed (pip install tf-slim), tf.contrib.slim is it (batch_norm and
    its fused form, which reach TensorFlow internals that have moved, too), and the
    tf.contrib.layers names the archive does not stand in for come from it."""
    pytest.importorskip("tf_slim")
    proc = run_original(f"--program={program('tf1_slim.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "[None, 3] loss falls True",
        "['bn1/beta', 'bn1/moving_mean', 'bn1/moving_variance', 'conv1/biases', "
        "'conv1/weights', 'logits/biases', 'logits/weights']",
        "contrib.layers [2, 3] ['contrib_bn/beta', 'contrib_bn/moving_mean', "
        "'contrib_bn/moving_variance']"]


def test_tf1_mnist_tutorial_library_is_served():
    """fully_connected_feed.py's import: the tutorial's inference/loss/training/evaluation."""
    proc = run_original(f"--program={program('tf1_mnist_feed.py')}", "--seed=1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines()[4:] == [
        "names ['hidden1/biases', 'hidden1/weights'] 10", "loss falls True correct True",
        "global step 200"]


def test_input_data_py_beside_the_program_is_the_archives_loader():
    """A copy of TF1's input_data.py (Python 2, downloading from a dead server) is not run."""
    proc = run_original(f"--program={program(os.path.join('own_input_data', 'program.py'))}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines()[-1] == "(55000, 784) (10000, 10)"
    assert "downloading" not in proc.stdout
    assert proc.stderr.count("run_original.py: note: input_data.py beside the program") == 1


def test_missing_api_is_one_line_naming_the_program_line():
    proc = run_original(f"--program={program('tf1_missing_api.py')}")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last == (f"run_original.py: error: {program('tf1_missing_api.py')}:6: "
                    "tf.contrib.tensor_forest is not provided by tf.compat.v1 on this "
                    "TensorFlow nor by tf1_repro's TF1 stand-ins")


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
    ([f"--program={program('np_era_rules.py')}", "--numpy=1.x"], "--numpy=1.x: not a NumPy version"),
    ([], "give either --program=FILE (one program) or --corpus=DIR"),
])
def test_bad_input_fails_before_running_anything(args, message):
    proc = run_original(*args)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------
# The era's NumPy and Python 2 printing (tf1_repro/original/era.py)
# ---------------------------------------------------------------------------
# Expected values are what NumPy 1.22 (promotion, indexing, aliases), NumPy
# 1.13.3 (printing) and Python 2.7 (print) gave for the same lines, run
# outside the suite; each is also what the rule's reasoning gives.

from tf1_repro.original import era as era_rules  # noqa: E402


@pytest.mark.parametrize("a, b, expected", [
    (0, np.float32(0.5), np.float64),                     # scalars promote as types
    (np.float32(1.5), 2.0, np.float64),
    (np.uint8(200), 100, np.int64),
    (np.array(1.0, np.float32), 1e-14, np.float64),       # a 0-d array is a scalar
    (np.ones(3, np.float32), np.float64(0.1), np.float32),  # an array keeps its type...
    (np.array([1], np.uint8), 300, np.uint16),              # ...unless the value needs more
    (np.array([1], np.int8), 200, np.int16),
    (np.array([1], np.int8), 100, np.int8),                 # 100 fits int8 ("small unsigned")
    (np.array([1], np.uint8), -1, np.int16),
    (np.array([1], np.int32), 2.5, np.float64),             # a higher kind promotes as a type
])
def test_value_based_promotion_is_numpy_1x(a, b, expected):
    assert era_rules.legacy_result_type(a, b) == np.dtype(expected)
    add = era_rules._BINOPS[__import__("operator").add]
    assert np.asarray(add(a, b)).dtype == np.dtype(expected)
    assert np.asarray(add(b, a)).dtype == np.dtype(expected)


def test_promotion_leaves_everything_else_alone():
    add = era_rules._BINOPS[__import__("operator").add]
    assert era_rules.legacy_result_type(np.ones(2), np.ones(2, np.float32)) is None
    assert era_rules.legacy_result_type(np.array(["a"]), "b") is None
    assert add([1], [2]) == [1, 2] and add("a", "b") == "ab" and add(1, 2) == 3
    assert era_rules.legacy_result_type(2 ** 70, np.int64(1)) is None  # beyond int64: NumPy 2 decides


def test_list_holding_sequences_is_a_tuple_index():
    a = np.arange(12).reshape(6, 2)
    rows = np.array([1, 2, 4])
    assert era_rules.getitem(a, [rows]).shape == (3, 2)
    assert era_rules.getitem(a, [rows, [1]]).tolist() == [3, 5, 9]
    assert era_rules.getitem(a, [slice(1, 3), 0]).tolist() == [2, 4]
    assert era_rules.getitem(a, [np.array(1), 0]) == 2  # a 0-d array counts as a sequence
    assert era_rules.getitem(a, [0, 5]).shape == (2, 2)  # plain ints: still an array index
    assert era_rules.getitem(a, [np.int64(0), np.int64(5)]).shape == (2, 2)
    assert era_rules.legacy_index([10, 20], [rows]) == [rows]  # only arrays are indexed so
    fields = np.zeros(2, dtype=[("x", float), ("y", float)])
    assert era_rules.legacy_index(fields, ["x", "y"]) == ["x", "y"]


def test_rewrite_reaches_operators_and_subscripts_only_where_needed():
    import ast
    era = era_rules.parse("1.13")
    code = "a = b + c\na += 1\nd = e[[f]]\ne[[f]] = 0\ng = e[0] + e[1:] + e[1, 2] + e[-1]\n"
    text = ast.unparse(era_rules.rewrite(ast.parse(code), era))
    assert "__tf1_repro_era_add__(b, c)" in text
    assert "a = __tf1_repro_era_iadd__(a, 1)" in text
    assert "d = __tf1_repro_era_getitem__(e, [f])" in text
    assert "e[__tf1_repro_era_index__(e, [f])] = 0" in text
    assert "e[0]" in text and "e[1:]" in text and "e[1, 2]" in text and "e[-1]" in text
    assert ast.unparse(era_rules.rewrite(ast.parse(code), era_rules.parse("2"))) == \
        ast.unparse(ast.parse(code))


@pytest.mark.parametrize("version, index, aliases, promotion, printing", [
    ("1.13", True, True, True, "1.13"), ("1.16", True, True, True, "1.25"),
    ("1.23", False, True, True, "1.25"), ("1.26", False, False, True, "1.25"),
    ("2", False, False, False, None), ("2.1", False, False, False, None),
])
def test_each_rule_ends_with_its_numpy_release(version, index, aliases, promotion, printing):
    era = era_rules.parse(version)
    assert (era.index, era.aliases, era.promotion, era.legacy_print) == \
        (index, aliases, promotion, printing)


def test_era_defaults_and_bad_values():
    assert era_rules.default("tf1").label == "1.11"
    assert era_rules.default("tf1", eager=True).label == "1.14"
    assert era_rules.default("tf2").label == "2"
    for bad in ("1.x", "3", "", "0.9", "1.2"):
        with pytest.raises(UsageError, match="--numpy="):
            era_rules.parse(bad)


FLOAT_SIZES = """\
import numpy as np
from numpy.random import rand
import numpy.random as npr
n = 10
A = np.random.rand(1e2, 3.0)
print(A.shape, A.dtype)
print(np.zeros(n / 4).shape, np.ones((2.0, 3)).shape, np.empty(4.0).shape, np.full((2.0, 2), 7).shape)
print(np.eye(3.0).shape, np.eye(2, 3.0).shape, np.identity(2.0).shape)
a = np.arange(12)
print(np.reshape(a, (n / 2 + 1, 2)).shape, a.reshape(6.0, 2).shape, a.reshape((4.5, 3)).shape, a.reshape([6.0, 2]).shape)
print(np.random.random(3.0).shape, np.random.normal(0.0, 1.5, size=2.0).shape, np.random.normal(0, 1, 3.0).shape)
print(np.random.randint(0, 5, 3.0).shape, np.random.choice(5, 2.0, replace=False).shape, np.random.uniform(size=(2.0, 3)).shape)
print(np.random.randn(2.0, 3).shape, rand(2.7).shape, npr.standard_normal(2.0).shape, np.random.binomial(1, .5, 3.0).shape)
print(np.tile(a, (2.0, 1)).shape, np.linspace(0, 1, 5.0).shape, np.linspace(0, 1, num=5.5).shape, np.ones(np.float32(3)).shape)
print(np.zeros(2.0, dtype=int), np.random.normal(1.5, 1.0, 2.0).shape)
print(n / 4, 7 / 2, -7 / 2)
"""


def test_floats_as_sizes_are_numpy_1_11s(tmp_path):
    """A Python 3 program of 2016 passing floats as sizes: what NumPy 1.11.3 (Python 3.6)
    printed for these lines, the runner's default for TF1 programs; NumPy 1.13 stopped."""
    path = tmp_path / "float_sizes.py"
    path.write_text("import tensorflow as tf\n" + FLOAT_SIZES)
    proc = run_original(f"--program={path}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "(100, 3) float64",
        "(2,) (2, 3) (4,) (2, 2)",
        "(3, 3) (2, 3) (2, 2)",
        "(6, 2) (6, 2) (4, 3) (6, 2)",
        "(3,) (2,) (3,)",
        "(3,) (2,) (2, 3)",
        "(2, 3) (2,) (2,) (3,)",
        "(2, 12) (5,) (5,) (3,)",
        "[0 0] (2,)",
        "2.5 3.5 -3.5",  # a Python 3 program keeps Python 3's division
    ]
    proc = run_original(f"--program={path}", "--numpy=1.13")
    assert proc.returncode == 1
    assert "TypeError: 'float' object cannot be interpreted as an integer" in proc.stderr


def test_float_sizes_reach_sizes_only():
    old = era_rules.numpy_module(era_rules.parse("1.11"))
    assert old.random.normal(2.5, 0.0, size=1.0).tolist() == [2.5]  # loc and scale stay floats
    assert old.full(2.0, 0.5).tolist() == [0.5, 0.5]
    assert old.random.seed is np.random.seed
    class NotAnArray:
        def reshape(self, *shape):
            return shape
    assert era_rules.method_reshape(NotAnArray(), 2.0, 3) == (2.0, 3)  # only arrays' sizes
    assert era_rules.method_reshape(np.arange(6), (2.0, 3), order="F").shape == (2, 3)
    with pytest.raises(TypeError):
        era_rules.numpy_module(era_rules.parse("1.12")).zeros(2.0)
    assert era_rules.numpy_module(era_rules.parse("1.17")).linspace(0, 1, 3.0).tolist() == [
        0.0, 0.5, 1.0]
    with pytest.raises(TypeError):
        era_rules.numpy_module(era_rules.parse("1.18")).linspace(0, 1, 3.0)


def test_numpy_view_has_the_removed_names():
    old = era_rules.numpy_module(era_rules.parse("1.13"))
    assert old.int is int and old.float is float and old.bool is bool and old.object is object
    assert old.str is str and old.long is int and old.unicode is str and old.complex is complex
    assert old.asscalar(np.array([3.5])) == 3.5 and old.float_ is np.float64
    assert old.ndarray is np.ndarray and old.random is np.random  # 1.13: no float sizes
    assert old.reshape(np.arange(4), newshape=[2, 2]).shape == (2, 2)
    assert old.reshape(np.arange(4), (4, 1)).shape == (4, 1)
    assert era_rules.numpy_module(era_rules.parse("2")) is np
    assert not hasattr(era_rules.numpy_module(era_rules.parse("1.23")), "asscalar")


@pytest.mark.parametrize("value, text", [
    (0.92 + 7e-15, "0.92"), (1.0 / 3, "0.333333333333"), (2.0, "2.0"), (1e16, "1e+16"),
    (-0.5, "-0.5"), (1e-7, "1e-07"), (float("inf"), "inf"), (123456789012345.0, "1.23456789012e+14"),
])
def test_python2_str_of_a_float(value, text):
    assert era_rules.py2_str(value) == text


def test_python2_that_parses_as_python3_is_detected():
    assert source.is_python2("import os\nclasses = sorted(os.walk('.').next()[1])\n")
    assert source.is_python2("pairs = zip([1], [2]).next()\n")
    assert source.is_python2("d = {1: 2}\nfirst = d.keys()[0]\n")
    assert source.is_python2("import sys\nprint >>sys.stderr, 'x'\n")
    assert not source.is_python2("batch = dataset_iter.next()\n")  # tfe.Iterator had next()
    assert not source.is_python2("x = d.keys()\ny = arr[0]\nz = a >> 2\n")
    converted = source.convert_python2("import os\nwalk = os.walk('.').next()\n", "p.py")
    assert "walk = next(os.walk('.'))" in converted


def test_python2_generators_next_and_exec_strings_are_detected():
    assert source.is_python2("def batches():\n    yield 1\ngen = batches()\nx = gen.next()\n")
    assert source.is_python2("def batches():\n    yield 1\nx = batches().next()\n")
    assert source.is_python2("g = (i for i in range(3))\nprint(g.next())\n")
    assert source.is_python2("it = iter([1])\nfirst = it.next()\n")
    # Kept on an object: ``self.gen = ...`` and a method that is a generator.
    assert source.is_python2("class Data:\n    def __init__(self, x):\n"
                             "        self.gen = iter(x)\n"
                             "    def batch(self):\n        return self.gen.next()\n")
    assert source.is_python2("class Data:\n    def batches(self):\n        yield 1\n"
                             "    def first(self):\n        return self.batches().next()\n")
    assert not source.is_python2("class Data:\n    def __init__(self, it):\n"
                                 "        self.gen = it\n"
                                 "    def batch(self):\n        return self.gen.next()\n")
    assert source.is_python2("exec(\"print 'x'\")\n")
    assert source.is_python2("y = eval('`1`')\n")
    assert not source.is_python2("exec('print(1)')\n")
    # Not a generator of the file's own: left as Python 3 (tfe.Iterator had next()).
    assert not source.is_python2("gen = make()\nbatch = gen.next()\n")
    assert not source.is_python2("def f():\n    def g():\n        yield 1\n    return g\n"
                                 "x = f()\nx.next()\n")


PY2_HELPER_PARSES_AS_PY3 = """\
# A Python 2 helper that Python 3 parses: only its meaning is Python 2's.
def batches(data, size):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def first_two(data):
    gen = batches(data, 4)
    first = gen.next()
    return first, gen.next(), len(data) / 4, eval("7 / 2")


exec("def shout(x): print 'helper says', x, 1 / 3.0")
"""


def test_python2_helper_that_parses_as_python3_is_converted(tmp_path):
    """What Python 2.7.18 printed for the same helper, called from a Python 2 program."""
    (tmp_path / "batching.py").write_text(PY2_HELPER_PARSES_AS_PY3)
    (tmp_path / "main.py").write_text(
        "import tensorflow as tf\nimport batching\n"
        "first, second, steps, half = batching.first_two(list(range(10)))\n"
        "print(first, second, steps, half)\nbatching.shout(3)\n")
    proc = run_original(f"--program={tmp_path / 'main.py'}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == ["[0, 1, 2, 3] [4, 5, 6, 7] 2 3",
                                        "helper says 3 0.333333333333"]


def test_numpy_np_unicode_is_not_python2():
    assert not source.is_python2("import numpy as np\nx = np.unicode\n")
    assert source.is_python2("import itertools\nz = itertools.izip([1], [2])\n")
    assert source.is_python2("d = {}\nok = d.has_key(1)\n")


NP_ERA_RULES_OUTPUT = """\
list of one array: (3, 2) [3.0, 5.0, 9.0]
list of two: [3.0, 5.0, 9.0]
list of ints: (2, 2)
list with a slice: [2.0, 4.0]
held in a name: (3, 2)
stacked: (6, 2)
assigned: [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]
aliases: int64 2.5 True True x 7 True (1+2j)
asscalar: 4.0 float_: True NaN: True product: 6
accumulated: float64 0.6000000163912773
augmented: float64 0.10000000149011612
scalar times float: float64 divided: 0.3333333333333333
uint8 scalar: 300 int64
0-d array: float64 False
array times float64: float32
uint8 array + 300: uint16 int8 array + 200: int16 uint8 array - 1: uint8 uint8 array + -1: int16
in place: float32 1.100000023841858
int array + 2.5: float64
lists still add: [1, 2] strings: aa sets: [1, 2]
builtin sum: float64 0.6000000163912773
"""


def test_program_gets_numpy_1x_rules_and_says_so():
    """np_era_rules.py printed these lines under NumPy 1.22; NumPy 2 reads line 13 otherwise."""
    proc = run_original(f"--program={program('np_era_rules.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout == NP_ERA_RULES_OUTPUT
    notes = [line for line in proc.stderr.splitlines() if "NumPy 1.11 rules" in line]
    assert len(notes) == 1


def test_numpy_2_flag_gives_todays_rules():
    proc = run_original(f"--program={program('np_era_rules.py')}", "--numpy=2")
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == "list of one array: (1, 3, 2) [[4.0, 5.0]]"
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"run_original.py: error: {program('np_era_rules.py')}:15: ValueError: "
                           "setting an array element with a sequence."), last


def test_printing_is_numpy_1_13s():
    proc = run_original(f"--program={program('np_printing.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "[[ 12.]]",
        "[  5.00000000e-01   9.99999975e-06   1.23250000e+02]",
        "[[ 0.99714959]] [[ 1.]]",
        "0.3 0.1 0.333333",
        "923.0 0.33333333333333331",
        "[0 1 2] [ True False] [  1.00000000e+10   1.00000000e+00]",
        "cost: 0.47500000149",
    ]


def test_future_print_function_prints_floats_as_python2_unless_told():
    """A program importing print_function from __future__ was written to run on Python 2."""
    proc = run_original(f"--program={program('future_print.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == ["Accuracy: 0.92", "Hello, TensorFlow!"]
    proc = run_original(f"--program={program('future_print.py')}", "--print_floats=py3")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == ["Accuracy: 0.9200000000000006", "b'Hello, TensorFlow!'"]


def test_python2_prints_floats_as_python2_and_helpers_beside_are_converted():
    proc = run_original(f"--program={program('py2_print.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "Accuracy: 0.92",
        "0.92 0.3 0.333333333333 2.0 1e+16 -0.5 1e-07 inf",
        "list keeps repr: [0.30000000000000004]",
        "formatted: 0.333 2.0",
        "3 3.5 -4",
        "epoch 1 loss= 0.142857143",
        "Hello, TensorFlow!",
    ]
    proc = run_original(f"--program={program('uses_py2_helper.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "batches of 3 over 2 steps", "[1.0, 4.0]", "float64 0.30000000447034836 float64"]


# ---------------------------------------------------------------------------
# Nobody at the screen: waits answered, --timeout, missing packages
# ---------------------------------------------------------------------------

def test_waits_for_a_person_return_at_once_with_one_note_each():
    proc = run_original(f"--program={program('waits_for_a_person.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == ["shown", "pressed None None",
                                        "Press Enter to go on: answer ''", "done"]
    notes = [line for line in proc.stderr.splitlines() if line.startswith("run_original.py: note:")]
    assert [n.split(": ")[2].split("(")[0].strip() for n in notes] == [
        "plt.show", "plt.waitforbuttonpress", "input"]


def test_timeout_ends_a_program_stuck_in_tensorflow():
    proc = run_original(f"--program={program('never_ends.py')}", "--timeout=5")
    assert proc.returncode == 124
    assert proc.stdout == "waiting for the queue\n"  # what it printed before is kept
    assert proc.stderr.strip().splitlines()[-1] == (
        f"run_original.py: error: {program('never_ends.py')} was still running after 5 s "
        "(--timeout=5); stopped")


def run_without(tmp_path, hidden, *args, cwd=None):
    """run_original.py as on a machine without the packages ``hidden`` (this one may have them)."""
    (tmp_path / "hide.py").write_text(HIDE_PACKAGES)
    env = dict(os.environ, HIDDEN=",".join(hidden))
    env.setdefault("TF1_REPRO_DATA_DIR", data_dir())
    return subprocess.run([sys.executable, str(tmp_path / "hide.py"),
                           os.path.join(REPO, "scripts", "run_original.py"), *args],
                          capture_output=True, text=True, cwd=cwd or REPO, env=env, timeout=600,
                          stdin=subprocess.DEVNULL)


def test_missing_package_is_one_line_naming_what_to_install(tmp_path):
    proc = run_without(tmp_path, ["sklearn"], f"--program={program('needs_sklearn.py')}")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f"run_original.py: error: {program('needs_sklearn.py')}:5: the program imports "
        "sklearn, which is not installed: pip install scikit-learn")


HIDE_PACKAGES = """\
import importlib.machinery, os, runpy, sys
hidden, find = os.environ["HIDDEN"].split(","), importlib.machinery.PathFinder.find_spec


def find_spec(cls, name, path=None, target=None):
    # Not found, as on a machine where it is not installed.
    return None if name.split(".")[0] in hidden else find(name, path, target)


importlib.machinery.PathFinder.find_spec = classmethod(find_spec)
script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(script))
runpy.run_path(script, run_name="__main__")
"""


def test_numpy_era_names_and_printing_then_a_missing_package_in_a_helper(tmp_path):
    """np.int & co. and NumPy 1.11's printing (what NumPy 1.11.3 printed for these lines),
    then a helper beside the program imports scikit-learn, which the user has not
    installed (hidden here when this machine has it): one line with the pip name."""
    (tmp_path / "features.py").write_text("import numpy as np\n"
                                          "from sklearn.preprocessing import scale\n")
    (tmp_path / "prog.py").write_text(
        "import numpy as np\nimport tensorflow as tf\n"
        "print(np.zeros(2, dtype=np.int).dtype, np.float(2), np.bool(1), np.object, np.str(3), "
        "np.array([1.5]).astype(np.int))\n"
        "print(np.array([[12.]]), np.array([0.5, 1e-5], dtype=np.float32), np.float64(1) / 3)\n"
        "import features\n")
    proc = run_without(tmp_path, ["sklearn"], "--program=prog.py", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "int64 2.0 True <class 'object'> 3 [1]",
        "[[ 12.]] [  5.00000000e-01   9.99999975e-06] 0.333333333333"]
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        "run_original.py: error: prog.py:5: the program imports sklearn, which is not "
        "installed: pip install scikit-learn")


def test_missing_tf0_module_is_a_missing_api_line():
    """tensorflow.models.rnn's rnn and rnn_cell are served (line 5), its ptb reader is not."""
    proc = run_original(f"--program={program('tf0_models_rnn.py')}")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f"run_original.py: error: {program('tf0_models_rnn.py')}:7: tf.models.rnn.ptb is not "
        "provided by tf.compat.v1 on this TensorFlow nor by tf1_repro's TF1 stand-ins")


def test_private_keras_imports_resolve(tf):
    """tensorflow.python.keras's modules and names are tf.keras's (tf-keras), or tf-keras's
    private ones; what neither has is a missing name."""
    shim = api.build(tf)
    keras = shim.keras
    layers = api.resolve_import(shim, "tensorflow.python.keras.layers", ("Dense", "LSTM"))
    assert layers.Dense is keras.layers.Dense and layers.LSTM is keras.layers.LSTM
    assert api.resolve_import(shim, "tensorflow.python.keras._impl.keras.models",
                              ("Sequential",)).Sequential is keras.models.Sequential
    assert api.resolve_import(shim, "tensorflow.python.keras.engine",
                              ("Layer",)).Layer is keras.layers.Layer
    assert api.resolve_import(shim, "tensorflow.python", ("keras",)).keras is keras
    utils = api.resolve_import(shim, "tensorflow.python.keras.utils", ("np_utils",))
    assert utils.np_utils.to_categorical([1], 2).tolist() == [[0.0, 1.0]]
    with pytest.raises(api.MissingModule, match=r"^tf\.python\.keras\.no_such is not provided"):
        api.resolve_import(shim, "tensorflow.python.keras.no_such", ("x",))


def test_tf0_models_rnn_is_tf0_ops_rnn(tf):
    """TF 0.5-0.8's tensorflow.models.rnn held the rnn and rnn_cell of tensorflow.python.ops."""
    shim = api.build(tf)
    both = api.resolve_import(shim, "tensorflow.models.rnn", ("rnn", "rnn_cell"))
    ops = api.resolve_import(shim, "tensorflow.python.ops", ("rnn", "rnn_cell"))
    assert both.rnn is ops.rnn and both.rnn_cell is ops.rnn_cell
    assert both.rnn.rnn is tf.compat.v1.nn.static_rnn
    assert api.resolve_import(shim, "tensorflow.models.rnn.rnn_cell", ("BasicLSTMCell",)) is ops.rnn_cell
    with pytest.raises(api.MissingModule, match=r"^tf\.models\.rnn\.seq2seq is not provided"):
        api.resolve_import(shim, "tensorflow.models.rnn", ("rnn", "seq2seq"))


def test_pip_names_of_common_imports():
    from tf1_repro.original import unattended

    def raised(name):
        try:
            exec(f"import {name}", {})
        except ModuleNotFoundError as e:
            return e
    own = lambda filename: filename == "<string>"  # noqa: E731
    assert unattended.missing_package(raised("sklearn_not_here.utils"), own) == (
        "sklearn_not_here", "sklearn-not-here")
    e = ModuleNotFoundError("No module named 'cv2'", name="cv2")
    assert unattended.missing_package(e, own) is None  # not raised by the program's import


def _idx(name, offset):
    import gzip
    with gzip.open(os.path.join(data_dir(), name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def test_keras_mnist_load_data_is_served_from_the_data_folder():
    """tf.keras.datasets.mnist.load_data() gives Keras' arrays, read from --data_dir's IDX files."""
    train_images = _idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    test_images = _idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    first, last = int(_idx("train-labels-idx1-ubyte.gz", 8)[0]), int(_idx("t10k-labels-idx1-ubyte.gz", 8)[-1])
    proc = run_original(f"--program={program('tf2_keras_mnist.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "train (60000, 28, 28) uint8 (60000,) uint8", "test (10000, 28, 28) (10000,)",
        f"first {first} {int(train_images[0].sum())} last {last} {int(test_images[-1].sum())}",
        "scaled float64 1.0", "same True"]


def test_keras_mnist_offline_without_files_is_one_line(tmp_path):
    env_dir = tmp_path / "empty"
    proc = run_original(f"--program={program('tf2_keras_mnist.py')}", f"--data_dir={env_dir}",
                        extra_env={"TF1_REPRO_MNIST_URL": "http://127.0.0.1:9/"})  # offline
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"run_original.py: error: {program('tf2_keras_mnist.py')}:7: MNIST files "
                           f"missing from '{env_dir}'")
    assert not env_dir.exists()


def test_failed_download_of_the_programs_own_data_is_one_line(tmp_path):
    proc = run_original(f"--program={program('downloads_its_data.py')}", cwd=str(tmp_path))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f"run_original.py: error: {program('downloads_its_data.py')}:9: the program downloads "
        "http://127.0.0.1:9/text8.zip itself, and that failed ([Errno 111] Connection refused)")


def test_tf2_optimizers_given_lr_or_decay_are_the_ones_that_took_them():
    """``SGD(lr=0.5)`` trains at 0.5, as Keras 2.0-2.10 did (tf-keras 2.21 would train at
    0.01 and only warn), with one note per call; ``learning_rate=`` stays today's optimizer."""
    proc = run_original(f"--program={program('tf2_keras_lr.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == ["w 0.0 SGD", "w 0.0 SGD", "w 0.0 SGD"]
    assert proc.stderr.count("Keras 2.0-2.10's optimizer") == 2
    assert "tf.keras.optimizers.SGD(lr=..., decay=...)" in proc.stderr


def test_standalone_keras_is_keras_2():
    """``import keras`` in an old program is Keras 2 (tf-keras), with one note, and its
    ``SGD(lr=0.5)`` trains at 0.5."""
    proc = run_original(f"--program={program('keras_standalone.py')}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == ["keras 2", "w [[0.0]]"]
    assert proc.stderr.count("import keras: Keras 2") == 1
