"""The Impdrop connection: forward, the post's custom backward in both forms, and its demo."""
import numpy as np
import pytest
import tensorflow as tf

from scriptrun import data_dir
from tf1_repro import mnist
from tf1_repro.graph_session import new_session
from tf1_repro.posts import impdrop
from tf1_repro.pyfunc_grad import EagerOverrideError

tf1 = tf.compat.v1

RNG = np.random.default_rng(7)
A = RNG.uniform(0.05, 0.95, size=(4, 6))
F = RNG.normal(size=(4, 6))
U = RNG.uniform(size=(4, 6))
W = RNG.normal(size=(4, 6))
M = (U < A).astype(np.float64)


def values(form, attention=A, features=F, noise=U):
    """out and d(sum(W * out))/d(A, F) for one form, in float64."""
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(attention)
        f = tf.constant(features)
        u = tf.constant(noise)
        if form == "impdrop":
            out = impdrop.impdrop(a, f, noise=u)
        elif form == "impdrop_tf":
            out = impdrop.impdrop_tf(a, f, noise=u)
        else:
            out = impdrop.impdrop_blocked(a, f, noise=u)
        da, df = tf.gradients(tf.reduce_sum(W * out), [a, f])
    with new_session(g) as sess:
        return sess.run(out), None if da is None else sess.run(da), sess.run(df), out


@pytest.mark.parametrize("form", ["impdrop", "impdrop_tf"])
def test_forward_and_custom_backward_equal_numpy(form):
    out, da, df, tensor = values(form)
    np.testing.assert_array_equal(out, M * F)
    # The post's rule: incoming gradient x feature map for the attention,
    # x mask for the features.
    np.testing.assert_allclose(da, W * F, rtol=0, atol=1e-15)
    np.testing.assert_allclose(df, W * M, rtol=0, atol=1e-15)
    assert tensor.shape.as_list() == [4, 6]


def test_both_forms_agree_and_mask_is_not_trivial():
    a = values("impdrop")
    b = values("impdrop_tf")
    for x, y in zip(a[:3], b[:3]):
        np.testing.assert_array_equal(x, y)
    assert 0 < M.sum() < M.size


def test_without_the_override_the_attention_gets_no_gradient():
    out, da, df, _ = values("impdrop_blocked")
    np.testing.assert_array_equal(out, M * F)
    assert da is None
    np.testing.assert_allclose(df, W * M, atol=1e-15)


def test_features_gradient_matches_finite_differences():
    # For a fixed mask, out = M * F is linear in F: its true gradient is M,
    # which the override gives; finite differences see through py_func.
    g = tf.Graph()
    with g.as_default():
        f = tf1.placeholder(tf.float64, [4, 6])
        out = impdrop.impdrop(tf.constant(A), f, noise=tf.constant(U))
        with new_session(g):
            err = tf1.test.compute_gradient_error(f, [4, 6], out, [4, 6], x_init_value=F)
    assert err < 1e-8


def test_mask_keeps_with_the_attention_probability():
    g = tf.Graph()
    with g.as_default():
        a = tf.fill([200000], tf.constant(0.3, tf.float64))
        out = impdrop.impdrop(a, tf.ones_like(a), seed=5)
    with new_session(g) as sess:
        first = sess.run(out)
    assert abs(first.mean() - 0.3) < 0.005
    assert set(np.unique(first)) == {0.0, 1.0}


def test_draws_are_seeded():
    def draw():
        g = tf.Graph()
        with g.as_default():
            tf1.set_random_seed(1)
            a = tf.fill([1000], tf.constant(0.5, tf.float64))
            out = impdrop.impdrop(a, tf.ones_like(a), seed=3)
        with new_session(g) as sess:
            return sess.run(out)
    np.testing.assert_array_equal(draw(), draw())


def test_eager_mode():
    a, f = tf.constant(A), tf.constant(F)
    with pytest.raises(EagerOverrideError, match="only while a graph is being built"):
        impdrop.impdrop(a, f, noise=tf.constant(U))
    with tf.GradientTape() as tape:
        tape.watch([a, f])
        out = impdrop.impdrop_tf(a, f, noise=tf.constant(U))
        y = tf.reduce_sum(W * out)
    da, df = tape.gradient(y, [a, f])
    np.testing.assert_allclose(da.numpy(), W * F, atol=1e-15)
    np.testing.assert_allclose(df.numpy(), W * M, atol=1e-15)


# ---------------------------------------------------------------------------
# The demonstration
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def data():
    return mnist.read_data_sets(data_dir(), one_hot=True, log=lambda _: None)


def test_demo_trains_and_both_forms_agree(data):
    config = impdrop.Config(steps=40, train_size=1000, eval_every=20, batch_size=50, hidden=32)
    runs = {kind: impdrop.train_classifier(kind, config, data) for kind in impdrop.CONNECTIONS}
    assert runs["impdrop"] == runs["impdrop_tf"]
    assert runs["impdrop_blocked"]["initial_attention_grad_norm"] == 0.0
    for kind in ("product", "impdrop"):
        assert runs[kind]["initial_attention_grad_norm"] > 0
        assert runs[kind]["train_loss"][-1] < runs[kind]["train_loss"][0]
        assert runs[kind]["test_accuracy"][-1] > 0.5
    assert runs["impdrop"] != runs["product"]


def test_demo_rejects_a_batch_larger_than_the_subset(data):
    from tf1_repro.errors import UsageError
    with pytest.raises(UsageError, match="--impdrop_train_size=60000"):
        impdrop.demo(impdrop.Config(train_size=60000), data)
