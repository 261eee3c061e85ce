"""Post 003's network: the override takes effect, equals its formula, and is not the true gradient."""
import os

import numpy as np
import pytest
import tensorflow as tf

from scriptrun import run_script
from tf1_repro.graph_session import new_session
from tf1_repro.posts import gradient_override as go

tf1 = tf.compat.v1

B = np.array(go.B, dtype=np.float64)
ONEHOT = np.array(go.LABELS, dtype=np.float64)


# ---------------------------------------------------------------------------
# NumPy reference, written from the maths and not from the library
# ---------------------------------------------------------------------------

def numpy_forward(c, k):
    d = B + c
    e = c + k
    a = d * e
    p = np.exp(a - a.max())
    p /= p.sum()
    loss = -np.sum(ONEHOT * np.log(p))
    return d, e, a, p, loss


def numpy_true_gradient(c, k):
    """dL/dc, dL/dk of L = CE(softmax((b + c)(c + k)))."""
    d, e, _, p, _ = numpy_forward(c, k)
    g_a = p - ONEHOT
    return g_a * (e + d), g_a * d


def numpy_post_gradient(c, k):
    """What tf.gradients gives with the post's backprop_func on e = add_grad(c, k, d).

    The py_func gets g_e = g_a d and returns ((e + d) g_e, d g_e, e g_e) for
    (c, k, d); d = b + c sends its two incoming gradients (g_a e from
    a = d e, and e g_e from the py_func) on to c.
    """
    d, e, _, p, _ = numpy_forward(c, k)
    g_a = p - ONEHOT
    g_e = g_a * d
    g_d = g_a * e + e * g_e
    return (e + d) * g_e + g_d, d * g_e


def graph_values(variant, dtype=tf.float64, seed=0):
    """c, k, loss and (dc, dk) of one variant of the post's network."""
    g = tf.Graph()
    with g.as_default():
        tf1.set_random_seed(seed)
        t = go.build_graph(variant, dtype=dtype)
        init = tf1.global_variables_initializer()
    grads = [gr for gr, _ in t["grads"]]
    with new_session(g) as sess:
        sess.run(init)
        c, k, e, loss = sess.run([t["c"], t["k"], t["e"], t["loss"]], go.feed(t))
        values = [None if gr is None else sess.run(gr, go.feed(t)) for gr in grads]
    return c, k, e, loss, values, t


# ---------------------------------------------------------------------------
# Forward: the post's check
# ---------------------------------------------------------------------------

def test_forward_equal_with_tf_add_and_add_grad():
    c1, k1, e1, loss1, _, _ = graph_values("tf.add", tf.float32)
    c2, k2, e2, loss2, _, t = graph_values("add_grad", tf.float32)
    np.testing.assert_array_equal(c1, c2)
    np.testing.assert_array_equal(k1, k2)
    np.testing.assert_array_equal(e1, e2)
    assert loss1 == loss2
    assert t["e"].op.type == "PyFunc" and t["e"].shape.as_list() == [2]
    np.testing.assert_allclose(loss1, numpy_forward(c1.astype(np.float64), k1.astype(np.float64))[4],
                               rtol=1e-6)


def test_initial_values_are_truncated_normal_and_seeded():
    c, k, *_ = graph_values("tf.add", tf.float32, seed=0)
    c2, k2, *_ = graph_values("tf.add", tf.float32, seed=0)
    c3, *_ = graph_values("tf.add", tf.float32, seed=1)
    np.testing.assert_array_equal(c, c2)
    np.testing.assert_array_equal(k, k2)
    assert not np.array_equal(c, c3)
    assert c.shape == k.shape == (2,)
    assert np.all(np.abs(np.concatenate([c, k])) <= 2 * go.STDDEV)


# ---------------------------------------------------------------------------
# Backward: the override takes effect and equals its formula
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["add_grad", "add_grad_stateless", "custom_gradient"])
def test_override_gradient_equals_numpy_formula(variant):
    c, k, _, _, (dc, dk), t = graph_values(variant)
    assert dc is not None and dk is not None, "override not applied"
    if variant == "add_grad_stateless":
        assert t["e"].op.type == "PyFuncStateless"
    want_dc, want_dk = numpy_post_gradient(c, k)
    np.testing.assert_allclose(dc, want_dc, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dk, want_dk, rtol=0, atol=1e-12)


@pytest.mark.parametrize("variant", ["tf.add", "true_add_grad"])
def test_true_gradient_equals_numpy(variant):
    c, k, _, _, (dc, dk), _ = graph_values(variant)
    want_dc, want_dk = numpy_true_gradient(c, k)
    np.testing.assert_allclose(dc, want_dc, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dk, want_dk, rtol=0, atol=1e-12)


def test_post_formula_is_not_the_true_gradient():
    c, k, *_ = graph_values("add_grad")
    post = np.concatenate(numpy_post_gradient(c, k))
    true = np.concatenate(numpy_true_gradient(c, k))
    assert np.max(np.abs(post - true)) > 0.1


def test_custom_gradient_matches_py_func_in_float32():
    # The modern form: same forward values and the same gradients, bit for bit.
    _, _, e1, loss1, g1, _ = graph_values("add_grad", tf.float32)
    _, _, e2, loss2, g2, _ = graph_values("custom_gradient", tf.float32)
    np.testing.assert_array_equal(e1, e2)
    assert loss1 == loss2
    for a, b in zip(g1, g2):
        np.testing.assert_array_equal(a, b)


def test_custom_gradient_works_in_eager_mode_too():
    c = tf.constant([0.1, 0.2], tf.float64)
    k = tf.constant([0.3, -0.1], tf.float64)
    d = tf.constant([1.1, 2.2], tf.float64)
    w = tf.constant([1.0, -2.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([c, k, d])
        e = go.add_grad_tf(c, k, d)
        y = tf.reduce_sum(w * e)
    dc, dk, dd = tape.gradient(y, [c, k, d])
    ev = c.numpy() + k.numpy()
    np.testing.assert_allclose(e.numpy(), ev)
    np.testing.assert_allclose(dc.numpy(), (ev + d.numpy()) * w.numpy(), atol=1e-15)
    np.testing.assert_allclose(dk.numpy(), d.numpy() * w.numpy(), atol=1e-15)
    np.testing.assert_allclose(dd.numpy(), ev * w.numpy(), atol=1e-15)


def test_add_grad_in_eager_mode_says_why_it_cannot():
    from tf1_repro.pyfunc_grad import EagerOverrideError
    c = tf.constant([0.1, 0.2])
    with pytest.raises(EagerOverrideError, match="only while a graph is being built"):
        go.add_grad(c, c, c)


# ---------------------------------------------------------------------------
# Finite differences tell the post's override from a correct one
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("grad,correct", [(go.backprop_func, False), (go.true_backprop_func, True)])
def test_finite_differences(grad, correct):
    values = {"c": [0.1, 0.2], "k": [0.3, -0.1], "d": [1.1, 2.2]}
    g = tf.Graph()
    with g.as_default():
        ph = {n: tf1.placeholder(tf.float64, [2], name=n) for n in values}
        e = go.add_grad(ph["c"], ph["k"], ph["d"], grad=grad)
        with new_session(g):
            err = tf1.test.compute_gradient_error(
                [ph["c"], ph["k"], ph["d"]], [[2]] * 3, e, [2],
                x_init_value=[np.array(values[n]) for n in ("c", "k", "d")],
                extra_feed_dict={ph[n]: values[n] for n in values})
    if correct:
        assert err < 1e-8
    else:
        assert err > 0.5


# ---------------------------------------------------------------------------
# stop_gradient, training, building twice
# ---------------------------------------------------------------------------

def test_stop_gradient_stops_at_that_op_only():
    c, k, _, _, (dc, dk), _ = graph_values("stop_gradient")
    assert dk is None
    # c still gets its whole gradient: k never depended on c.
    np.testing.assert_allclose(dc, numpy_true_gradient(c, k)[0], atol=1e-12)
    # And where one path is stopped, the other still flows: y = x * stop(x).
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(3.0, tf.float64)
        (dx,) = tf.gradients(x * tf.stop_gradient(x), [x])
    with new_session(g) as sess:
        assert sess.run(dx) == 3.0  # not 2x = 6


def test_first_adam_step_uses_the_override():
    config = go.Config(steps=1, print_every=1)
    out = go.run_variant("add_grad", config)
    c, k = out["c"].astype(np.float64), out["k"].astype(np.float64)
    lr, b2, eps = config.learning_rate, config.beta2, config.epsilon
    for start, grad, final in ((c, numpy_post_gradient(c, k)[0], out["final_c"]),
                               (k, numpy_post_gradient(c, k)[1], out["final_k"])):
        # Adam's first step: lr sqrt(1-b2)/(1-b1) * m / (sqrt(v) + eps), m = (1-b1) g, v = (1-b2) g^2.
        step = lr * np.sqrt(1 - b2) * grad / (np.sqrt(1 - b2) * np.abs(grad) + eps)
        np.testing.assert_allclose(final, start - step, rtol=0, atol=1e-6)


def test_building_twice_gives_the_same_numbers():
    config = go.Config(steps=20, print_every=10)
    first = go.run_variant("add_grad", config)
    second = go.run_variant("add_grad", config)
    assert first["losses"] == second["losses"]
    np.testing.assert_array_equal(first["final_c"], second["final_c"])
    assert first["losses"][-1][1] < first["losses"][0][1]


# ---------------------------------------------------------------------------
# The script
# ---------------------------------------------------------------------------

def test_script_small_run(tmp_path):
    # Both parts in one process (each script start costs a TensorFlow import).
    out = str(tmp_path / "run")
    proc, results = run_script("gradient_override", "--steps=20", "--print_every=10",
                               "--impdrop_steps=20", "--impdrop_eval_every=10",
                               "--impdrop_train_size=500", output_dir=out)
    assert "same result: yes" in proc.stdout
    assert "tf.add (autodiff, the true gradient)" in proc.stdout
    assert "add_grad (the post's backprop_func)" in proc.stdout
    assert "illustrative" in proc.stdout
    assert "test accuracy:" in proc.stdout
    assert "Extracting" not in proc.stdout  # the loader's lines are diagnostics here
    figs = results["figures"]
    assert figs["forward_loss_difference"] == 0.0
    assert figs["grad_custom_gradient_equals_add_grad"] is True
    assert figs["stop_gradient_grad_k_is_none"] is True
    assert figs["grad_max_abs_difference"] > 0.1
    assert len(figs["train_losses_add_grad"]) == 3
    assert len(figs["impdrop_demo_impdrop_test_accuracy"]) == 2
    assert figs["impdrop_demo_impdrop_blocked_initial_attention_grad_norm"] == 0.0
    assert results["published"]["same_forward_result"]["published"] == 0.0
    assert results["config"]["part"] == "all"
    for name in ("post_training.png", "impdrop.png", "results.json"):
        assert os.path.exists(os.path.join(out, name)), name
    assert os.listdir(os.path.join(out, "tensorboard"))


@pytest.mark.parametrize("args,needle", [
    (["--steps=-1"], "--steps"),
    (["--part=impdrop", "--impdrop_train_size=10", "--impdrop_batch_size=50"], "--impdrop_batch_size"),
])
def test_script_bad_flags(tmp_path, args, needle):
    out = str(tmp_path / "run")
    proc, results = run_script("gradient_override", *args, output_dir=out, check=False)
    assert proc.returncode != 0
    assert needle in proc.stderr
    if "--part=impdrop" in args:
        # A UsageError: exactly one line, naming the flag.
        assert proc.returncode == 2
        assert proc.stderr.strip().splitlines()[-1].startswith("gradient_override.py: error: --impdrop")
    assert results is None
    assert not os.path.exists(out) or not os.listdir(out)
