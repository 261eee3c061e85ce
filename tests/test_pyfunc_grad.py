"""tf1_repro.pyfunc_grad: py_func with a custom gradient, and its four traps."""
import itertools

import numpy as np
import pytest
import tensorflow as tf

from tf1_repro import pyfunc_grad
from tf1_repro.graph_session import new_session

tf1 = tf.compat.v1


def square(x):
    return (x * x).astype(x.dtype)


def square_grad(op, grad):
    return 2.0 * op.inputs[0] * grad


X = np.array([0.5, -1.5, 3.0])


def build_square(stateful=True, grad=square_grad, **kwargs):
    x = tf1.placeholder(tf.float64, [3], name="x")
    y = pyfunc_grad.py_func(square, [x], tf.float64, stateful=stateful, grad=grad, **kwargs)
    return x, y


def run_square(stateful=True, grad=square_grad):
    g = tf.Graph()
    with g.as_default():
        x, y = build_square(stateful, grad, shapes=[3])
        w = tf.constant([1.0, 2.0, -3.0], tf.float64)
        (dx,) = tf.gradients(tf.reduce_sum(w * y), [x])
    op_type = y.op.type
    if dx is None:
        return op_type, None, None
    with new_session(g) as sess:
        yv, dxv = sess.run([y, dx], {x: X})
    return op_type, yv, dxv


@pytest.mark.parametrize("stateful,op_type", [(True, "PyFunc"), (False, "PyFuncStateless")])
def test_override_takes_effect_for_both_op_types(stateful, op_type):
    got_type, y, dx = run_square(stateful)
    assert got_type == op_type
    assert dx is not None, "the override was not applied: the py_func has no gradient"
    np.testing.assert_array_equal(y, X * X)
    np.testing.assert_allclose(dx, 2.0 * X * np.array([1.0, 2.0, -3.0]), rtol=0, atol=1e-15)


@pytest.mark.parametrize("stateful", [True, False])
def test_without_grad_there_is_no_gradient(stateful):
    # The control for the test above: a plain py_func is opaque to tf.gradients.
    _, _, dx = run_square(stateful, grad=None)
    assert dx is None


def test_gradient_matches_finite_differences():
    g = tf.Graph()
    with g.as_default():
        x, y = build_square(shapes=[3])
        with new_session(g):
            err = tf1.test.compute_gradient_error(x, [3], y, [3], x_init_value=X)
    assert err < 1e-6


def test_building_twice_in_one_process_and_no_global_rng():
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    # The post's recipe would raise "Registering two gradient with name" on a
    # repeated name, and drew its names from the global NumPy RNG.
    for _ in range(2):
        _, _, dx = run_square()
        np.testing.assert_allclose(dx, 2.0 * X * np.array([1.0, 2.0, -3.0]))
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_gradient_names_are_fresh():
    a = pyfunc_grad.register_gradient(square_grad)
    b = pyfunc_grad.register_gradient(square_grad)
    assert a != b


def test_a_taken_name_is_skipped(monkeypatch):
    monkeypatch.setattr(pyfunc_grad, "_counter", itertools.count(0))
    tf.RegisterGradient("TakenByOthers0")(square_grad)
    assert pyfunc_grad.register_gradient(square_grad, prefix="TakenByOthers") == "TakenByOthers1"


def test_shape_restored_and_unpacked():
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float64, [3])
        single = pyfunc_grad.py_func(square, [x], tf.float64, grad=square_grad, shapes=[3])
        listed = pyfunc_grad.py_func(square, [x], [tf.float64], grad=square_grad, shapes=[[3]])
        bare = pyfunc_grad.py_func(square, [x], tf.float64, grad=square_grad)
    assert isinstance(single, tf.Tensor) and single.shape.as_list() == [3]
    assert isinstance(listed, list) and len(listed) == 1 and listed[0].shape.as_list() == [3]
    assert bare.shape.rank is None  # what tf.py_func gives without shapes=
    with pytest.raises(ValueError, match="shapes"):
        with g.as_default():
            pyfunc_grad.py_func(square, [x], [tf.float64], grad=square_grad, shapes=[[3], [3]])


def test_explicit_graph_outside_its_context():
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float64, [3])
    # Built from eager code, into the graph given (the post's `graph` argument).
    y = pyfunc_grad.py_func(square, [x], tf.float64, g, grad=square_grad, shapes=[3])
    assert y.graph is g
    with g.as_default():
        (dx,) = tf.gradients(y, [x])
    with new_session(g) as sess:
        np.testing.assert_allclose(sess.run(dx, {x: X}), 2 * X)


def test_eager_mode_raises_clear_error():
    assert tf.executing_eagerly()
    with pytest.raises(pyfunc_grad.EagerOverrideError,
                       match="overrides apply only while a graph is being built"):
        pyfunc_grad.py_func(square, [tf.constant(X)], tf.float64, grad=square_grad)


def test_tf_function_raises_clear_error():
    # autograph=False: autograph would wrap the same message in a StagingError.
    @tf.function(autograph=False)
    def f(x):
        return pyfunc_grad.py_func(square, [x], tf.float64, grad=square_grad)

    with pytest.raises(pyfunc_grad.EagerOverrideError, match="tf.function"):
        f(tf.constant(X))


def test_plain_py_func_still_works_eagerly():
    # Without grad= nothing is overridden, so eager mode is fine (py_func just calls Python).
    y = pyfunc_grad.py_func(square, [tf.constant(X)], tf.float64)
    np.testing.assert_array_equal(np.asarray(y), X * X)
