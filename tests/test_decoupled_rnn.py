"""Post 000/001 (Seo's decoupled RNN): data, hand-written gradients, orderings, NumPy twin.

Library-level tests; the command line is tested in test_decoupled_rnn_script.py.
Every hand-written gradient piece is compared with ``tf.gradients`` in float64.
"""
import functools

import numpy as np
import pytest
import tensorflow as tf

from scriptrun import data_dir
from tf1_repro.errors import UsageError
from tf1_repro.graph_session import new_session
from tf1_repro.posts import decoupled_rnn as post
from tf1_repro.posts import decoupled_rnn_archive as archive
from tf1_repro.reference import seo_numpy

tf1 = tf.compat.v1
LR = {"lr_x": 1e-3, "lr_rec": 1e-6, "lr_sg": 1e-4}


@functools.lru_cache(maxsize=None)
def pool():
    return post.load_pool(data_dir(), 678, log=lambda s: None)


def random_weights(seed=0):
    """Weights on the post's scales (float64), and a random initial state."""
    rng = np.random.RandomState(seed)
    return {"hidden_states": rng.randn(784, 3), "W_x": rng.randn(784, 784) * 0.09,
            "W_rec": rng.randn(784, 784) * 0.007, "W_fc": rng.randn(784, 1) * 0.19,
            "W_sg_1": rng.randn(784, 784) * 0.07, "W_sg_2": rng.randn(784, 784) * 0.07}


def graph_session(config, dtype=tf.float64):
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        t = post.build_graph(config, dtype=dtype)
        init = tf1.global_variables_initializer()
    sess = new_session(graph, config.threads)
    sess.run(init)
    return t, sess


def load(t, sess, weights):
    for k, v in weights.items():
        t[k].load(v, sess)


def fetch_weights(t, sess):
    return {k: sess.run(t[k]) for k in post.WEIGHTS}


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def test_pool_is_zeros_and_ones_of_the_test_split_shuffled_with_seed_678():
    images, labels = pool()
    assert images.shape == (2115, 784) and images.dtype == np.float32
    assert labels.shape == (2115, 1)
    assert int(np.sum(labels == 0)) == 980 and int(np.sum(labels == 1)) == 1135
    # Unshuffled pool: zeros (file order) above ones; the post's shuffle is one
    # np.random.shuffle of the row indices right after seeding with 678.
    from tf1_repro import mnist
    test = mnist.read_data_sets(data_dir(), log=lambda s: None).test
    zero, one = np.where(test.labels == 0)[0], np.where(test.labels == 1)[0]
    rows = np.concatenate([zero, one])
    np.random.seed(678)
    perm = np.arange(2115)
    np.random.shuffle(perm)
    np.testing.assert_array_equal(images, test.images[rows[perm]])
    np.testing.assert_array_equal(labels[:, 0], test.labels[rows[perm]])


def test_loader_reseeds_numpy_like_tf_1_2_so_earlier_draws_do_not_move_the_split():
    """With the graph seed, TF >= 1.2's DataSet reseeded NumPy: draws made before
    loading do not change the shuffle that follows, and the seed does."""
    from tf1_repro import mnist
    np.random.seed(123)
    np.random.rand(5)
    mnist.read_data_sets(data_dir(), one_hot=False, graph_seed=678, batch_order="tf1.1", log=lambda s: None)
    after_load = np.arange(2115)
    np.random.shuffle(after_load)
    np.random.seed(678)
    seeded = np.arange(2115)
    np.random.shuffle(seeded)
    np.testing.assert_array_equal(after_load, seeded)
    images, _ = pool()
    other, _ = post.load_pool(data_dir(), 679, log=lambda s: None)
    assert not np.array_equal(other[:20], images[:20])


def test_split_is_20_test_then_100_train():
    images, labels = pool()
    te, tl, tr, trl = post.split(images, labels, 20, 100)
    np.testing.assert_array_equal(te, images[:20])
    np.testing.assert_array_equal(tr, images[20:120])
    assert tl.shape == (20, 1) and trl.shape == (100, 1)


def test_config_rejects_bad_values():
    for bad in (dict(epochs=0), dict(num_train=0), dict(num_test=0),
                dict(num_train=2100, num_test=20), dict(mode="x"), dict(ordering="x"),
                dict(lr_rec=float("nan")), dict(lr_sg=-1.0), dict(seed=-1)):
        with pytest.raises(UsageError):
            post.Config(**bad).validate()
    post.Config().validate()


# ---------------------------------------------------------------------------
# Hand-written gradients against tf.gradients (float64)
# ---------------------------------------------------------------------------

def test_true_gradient_pieces_equal_tf_gradients():
    """The deltas, the output-layer update, grad_2_from_3 and grad_1_from_2 of the
    unrolled two-step network, with the true upstream gradient in place of the
    oracles', equal tf.gradients of the post's cost."""
    images, labels = pool()
    w = random_weights(1)
    with tf.Graph().as_default():
        x = tf.constant(images[:1].astype(np.float64))
        y = tf.constant(labels[:1].astype(np.float64))
        W_x, W_rec, W_fc = (tf.constant(w[k]) for k in ("W_x", "W_rec", "W_fc"))
        h0 = tf.constant(w["hidden_states"][None, :, 0])
        l1, l1A = post.time_box(x, h0, W_x, W_rec)
        l2, l2A = post.time_box(x, l1A, W_x, W_rec)
        l3, l3A = post.classifier(l2A, W_fc)
        cost = post.cost_of(l3A, y)

        delta_3 = post.fc_delta(l3A, l3, y)
        grad_fc = post.outer(l2A, delta_3)
        grad_2_from_3 = post.backward_through(delta_3, W_fc)
        delta_2 = post.delta_of(grad_2_from_3, l2)
        grad_1_from_2 = post.backward_through(delta_2, W_rec)
        delta_1 = post.delta_of(grad_1_from_2, l1)
        grad_rec = post.outer(h0, delta_1) + post.outer(l1A, delta_2)
        grad_x = post.outer(x, delta_1) + post.outer(x, delta_2)

        auto = tf.gradients(cost, [l3, W_fc, l2A, l2, l1A, l1, W_rec, W_x])
        hand = [delta_3, grad_fc, grad_2_from_3, delta_2, grad_1_from_2, delta_1, grad_rec, grad_x]
        with tf1.Session() as sess:
            hand_v, auto_v = sess.run([hand, auto])
    names = ["delta_3", "grad_fc", "grad_2_from_3", "delta_2", "grad_1_from_2", "delta_1",
             "grad W_rec", "grad W_x"]
    for name, a, b in zip(names, hand_v, auto_v):
        assert a.shape == b.shape, name
        assert np.abs(b).max() > 0, name
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14 * np.abs(b).max(), err_msg=name)


def test_sigmoid_and_tanh_derivatives_equal_tf_gradients():
    with tf.Graph().as_default():
        z = tf.constant(np.linspace(-6, 6, 101))
        hand = [post.d_tf_log(z), post.d_tf_tanh(z)]
        auto = [tf.gradients(post.tf_log(z), z)[0], tf.gradients(post.tf_tanh(z), z)[0]]
        with tf1.Session() as sess:
            h, a = sess.run([hand, auto])
    np.testing.assert_allclose(h[0], a[0], rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(h[1], a[1], rtol=1e-12, atol=1e-16)


def test_oracle_update_is_the_gradient_of_its_regression_loss():
    """h^T (g - target) = d/dW_sg of 0.5 ||h W_sg - target||^2 with the target held fixed."""
    rng = np.random.RandomState(2)
    with tf.Graph().as_default():
        h = tf.constant(np.tanh(rng.randn(1, 784)))
        W_sg = tf.constant(rng.randn(784, 784) * 0.07)
        target = tf.constant(rng.randn(1, 784) * 1e-3)
        g = tf.matmul(h, W_sg)
        loss = 0.5 * tf.reduce_sum(tf.square(g - tf.stop_gradient(target)))
        hand = post.oracle_gradient(h, g, target)
        auto = tf.gradients(loss, W_sg)[0]
        with tf1.Session() as sess:
            a, b = sess.run([hand, auto])
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_graph_pieces_equal_tf_gradients_of_the_graphs_own_cost():
    """In the post's graph as built (as_published), the FC update direction,
    delta_3 and grad_2_from_3 are the gradients of ``cost`` with respect to
    W_fc, l3 and the h2 the classifier read, and the SG update of W_rec uses
    the outer product h^T delta (784 x 784)."""
    images, labels = pool()
    t, sess = graph_session(post.Config())
    with sess:
        load(t, sess, random_weights(3))
        with t["cost"].graph.as_default():
            auto = tf.gradients(t["cost"], [t["W_fc"], t["l3"], t["h2"]])
        feed = {t["x"]: images[:1], t["y"]: labels[:1]}
        hand_v, auto_v, h1, d2 = sess.run(
            [[t["grad_fc"], t["delta_3"], t["grad_2_from_3"]], auto, t["h1"], t["delta_2"]], feed)
        rec = sess.run(t["grad_2sg_rec"], feed)
    for a, b in zip(hand_v, auto_v):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-15)
    assert rec.shape == (784, 784)
    np.testing.assert_allclose(rec, np.outer(h1, d2), rtol=1e-12, atol=1e-18)


# ---------------------------------------------------------------------------
# Orderings
# ---------------------------------------------------------------------------

def _as_published_numpy_step(w, x, y):
    """What the as-published graph computes under --threads=1: every read sees
    the value from before the run, and time box 2's SG update of W_rec and W_x
    overwrites time box 1's."""
    d_tanh = lambda z: 1 - np.tanh(z) ** 2  # noqa: E731
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    hs = w["hidden_states"]
    h0, h1, h2 = hs[:, 0], hs[:, 1], hs[:, 2]
    l1 = x @ w["W_x"] + h0 @ w["W_rec"]
    g1 = np.tanh(l1) @ w["W_sg_1"]
    l2 = x @ w["W_x"] + h1 @ w["W_rec"]
    g2 = np.tanh(l2) @ w["W_sg_2"]
    d2 = g2 * d_tanh(l2)
    l3 = h2 @ w["W_fc"]
    cost = 0.5 * (sig(l3) - y) ** 2
    d3 = (sig(l3) - y) * sig(l3) * (1 - sig(l3))
    new = {"W_rec": w["W_rec"] + LR["lr_rec"] * np.outer(h1, d2),
           "W_x": w["W_x"] + LR["lr_rec"] * np.outer(x, d2),
           "W_sg_1": w["W_sg_1"] - LR["lr_sg"] * np.outer(h1, g1 - d2 @ w["W_rec"].T),
           "W_fc": w["W_fc"] - LR["lr_x"] * np.outer(h2, d3),
           "W_sg_2": w["W_sg_2"] - LR["lr_sg"] * np.outer(h2, g2 - d3 @ w["W_fc"].T)}
    hs = hs.copy()
    hs[:, 1], hs[:, 2] = np.tanh(l1), np.tanh(l2)
    new["hidden_states"] = hs
    return new, float(cost.sum())


@pytest.mark.parametrize("step", ["update", "train_step"])
def test_as_published_reads_see_the_values_from_before_the_run(step):
    """Pins the semantics the module header documents for --ordering=as_published,
    for the post's whole update list (``update``) and for what a run executes
    (``train_step``: without time box 1's overwritten updates of W_rec and W_x)."""
    images, labels = pool()
    w = random_weights(4)
    t, sess = graph_session(post.Config())
    fetch = [u.op for u in t["update"]] if step == "update" else t["train_step"]
    with sess:
        load(t, sess, w)
        for i in range(3):
            cost = sess.run([t["cost"], fetch, t["h_update_ops"]],
                            {t["x"]: images[i:i + 1], t["y"]: labels[i:i + 1]})[0]
            w, expected = _as_published_numpy_step(w, images[i].astype(np.float64),
                                                   labels[i].astype(np.float64))
            assert abs(float(cost.sum()) - expected) <= 1e-12
            got = fetch_weights(t, sess)
            for k in post.WEIGHTS:
                np.testing.assert_allclose(got[k], w[k], rtol=1e-12, atol=1e-14, err_msg=f"step {i} {k}")


def test_probe_reports_the_reads_of_each_ordering():
    images, labels = pool()
    for ordering, seen in (("as_published", "before the run (previous image)"),
                           ("sequential", "written in this run")):
        sem = archive.probe_read_semantics(post.Config(ordering=ordering), images, labels, steps=2)
        assert sem[-1] == {"time box 2 reads h1": seen, "classifier reads h2": seen}, ordering


@pytest.mark.parametrize("steps", [6])
def test_sequential_graph_agrees_with_numpy_twin_step_for_step(steps):
    """The TF graph under --ordering=sequential and seo_numpy.train_step with
    outer products, on the same images and initial weights, in float64."""
    images, labels = pool()
    w0 = random_weights(5)
    t, sess = graph_session(post.Config(ordering="sequential"))
    np_w = {"wx": w0["W_x"].copy(), "w_rec": w0["W_rec"].copy(), "w_fc": w0["W_fc"].copy(),
            "w_sg_1": w0["W_sg_1"].copy(), "w_sg_2": w0["W_sg_2"].copy()}
    h = w0["hidden_states"].copy()
    names = {"W_x": "wx", "W_rec": "w_rec", "W_fc": "w_fc", "W_sg_1": "w_sg_1", "W_sg_2": "w_sg_2"}
    with sess:
        load(t, sess, w0)
        for i in range(steps):
            x, y = images[i].astype(np.float64), labels[i].astype(np.float64)
            cost = sess.run([t["cost"], t["train_step"], t["h_update_ops"]],
                            {t["x"]: x[None], t["y"]: y[None]})[0]
            out = seo_numpy.train_step(np_w, h, x, y, lr_wx=LR["lr_x"], lr_wrec=LR["lr_rec"],
                                       lr_sg=LR["lr_sg"], outer=True)
            assert abs(float(cost.sum()) - out["cost"]) <= 1e-12 * max(1.0, out["cost"])
            got = fetch_weights(t, sess)
            np.testing.assert_allclose(got["hidden_states"], h, rtol=1e-11, atol=1e-13)
            for k, n in names.items():
                np.testing.assert_allclose(got[k], np_w[n], rtol=1e-11, atol=1e-13,
                                           err_msg=f"step {i} {k}")
        # The test loop: forward only, state carried over.
        for i in range(20, 23):
            x = images[i].astype(np.float64)
            l3A = sess.run([t["test_l3A"], t["test_h_update"]], {t["x"]: x[None]})[0]
            expected = seo_numpy.test_forward(np_w, h, x)
            np.testing.assert_allclose(l3A.ravel(), expected, rtol=1e-11)
        got = fetch_weights(t, sess)
        np.testing.assert_allclose(got["W_rec"], np_w["w_rec"], rtol=1e-11, atol=1e-13)


def test_the_orderings_differ():
    images, labels = pool()
    costs = {}
    for ordering in post.ORDERINGS:
        t, sess = graph_session(post.Config(ordering=ordering))
        with sess:
            load(t, sess, random_weights(6))
            costs[ordering] = [float(sess.run([t["cost"], t["train_step"], t["h_update_ops"]],
                                              {t["x"]: images[i:i + 1], t["y"]: labels[i:i + 1]})[0].sum())
                               for i in range(3)]
    assert costs["as_published"][0] != costs["sequential"][0]


def test_fetching_assigns_as_ops_changes_no_number():
    """The post fetched the values of its assigns; the archive fetches the ops."""
    images, labels = pool()
    results = []
    for as_ops in (False, True):
        t, sess = graph_session(post.Config(), dtype=tf.float32)
        with sess:
            step = t["train_step"] if as_ops else t["update"]
            hu = t["h_update_ops"] if as_ops else t["h_update"]
            costs = [sess.run([t["cost"], step, hu], {t["x"]: images[i:i + 1],
                                                      t["y"]: labels[i:i + 1]})[0] for i in range(4)]
            results.append((costs, fetch_weights(t, sess)))
    for a, b in zip(results[0][0], results[1][0]):
        np.testing.assert_array_equal(a, b)
    for k in post.WEIGHTS:
        np.testing.assert_array_equal(results[0][1][k], results[1][1][k])


def _as_written(monkeypatch):
    """Build graphs with the post's ops exactly as it wrote them: explicit
    two-dimensional transposes before each product, every update a
    ``tf.assign`` of a ``tf.add``/``tf.subtract`` (no in-place kernel), and
    the whole update list run, time box 1's overwritten assigns included."""
    monkeypatch.setattr(post, "outer", lambda a, delta: tf.matmul(tf.transpose(a), delta))
    monkeypatch.setattr(post, "backward_through", lambda delta, W: tf.matmul(delta, tf.transpose(W)))
    monkeypatch.setattr(post, "oracle_gradient",
                        lambda h, g, target: tf.matmul(tf.transpose(h), tf.subtract(g, target)))
    step = post._Order.step
    monkeypatch.setattr(post._Order, "step",
                        lambda self, *args, **kw: step(self, *args, **dict(kw, in_place=False)))
    monkeypatch.setattr(post, "one_thread_step", lambda update, *args, **kw: [u.op for u in update])


def _trained_bits(config, steps=5, tests=3):
    """Costs, test outputs and weights (as bytes) after a few images from the post's start."""
    images, labels = pool()
    t, sess = graph_session(config, dtype=tf.float32)
    out = []
    with sess:
        for i in range(20, 20 + steps):
            out.append(sess.run([t["cost"], t["train_step"], t["h_update_ops"]],
                                {t["x"]: images[i:i + 1], t["y"]: labels[i:i + 1]})[0].tobytes())
        out += [sess.run(t[k]).tobytes() for k in post.WEIGHTS]
        for i in range(tests):
            out.append(sess.run([t["test_l3A"], t["test_h_update"]], {t["x"]: images[i:i + 1]})[0].tobytes())
        out += [sess.run(t[k]).tobytes() for k in post.WEIGHTS]
    return out


@pytest.mark.parametrize("mode", post.MODES)
@pytest.mark.parametrize("ordering", post.ORDERINGS)
def test_execution_rewrites_change_no_bit(monkeypatch, ordering, mode):
    """The graph's execution-level rewrites (the module doc's "what changed"):
    transposes passed to the outer products, the 3-D transpose, the in-place
    gradient-descent kernel, one thread's update list without its overwritten
    assigns.  Each run equals the post's ops as written, bit
    for bit, in every ordering and mode."""
    config = post.Config(ordering=ordering, mode=mode)
    ours = _trained_bits(config)
    with monkeypatch.context() as m:
        _as_written(m)
        written = _trained_bits(config)
    assert len(ours) == len(written)
    for k, (a, b) in enumerate(zip(ours, written)):
        assert a == b, f"item {k} differs"


# ---------------------------------------------------------------------------
# Autodiff
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("ordering", post.ORDERINGS)
def test_autodiff_reaches_only_hidden_states_and_W_fc(ordering):
    images, labels = pool()
    config = post.Config(mode="autodiff", ordering=ordering)
    t, sess = graph_session(config, dtype=tf.float32)
    with sess.graph.as_default():
        assert archive.gradient_receivers(t) == ["W_fc", "hidden_states"]
    with sess:
        before = fetch_weights(t, sess)
        for i in range(3):
            sess.run([t["cost"], t["train_step"], t["h_update_ops"]],
                     {t["x"]: images[i:i + 1], t["y"]: labels[i:i + 1]})
        after = fetch_weights(t, sess)
    for k in ("W_x", "W_rec", "W_sg_1", "W_sg_2"):
        np.testing.assert_array_equal(after[k], before[k], err_msg=k)
    assert not np.array_equal(after["W_fc"], before["W_fc"])
    np.testing.assert_array_equal(after["hidden_states"][:, 0], before["hidden_states"][:, 0])


def test_manual_mode_gradient_receivers_are_reported_too():
    t, sess = graph_session(post.Config(), dtype=tf.float32)
    sess.close()
    with sess.graph.as_default():
        assert archive.gradient_receivers(t) == ["W_fc", "hidden_states"]


# ---------------------------------------------------------------------------
# Whole runs, small
# ---------------------------------------------------------------------------

def small_run(**kw):
    config = post.Config(epochs=2, num_train=8, num_test=4, **kw)
    lines = []
    result = archive.run(config, data_dir(), emit=lines.append, log=lines.append)
    return result, lines


def test_a_run_is_deterministic_and_prints_the_post_transcript():
    a, lines_a = small_run()
    b, lines_b = small_run()
    assert lines_a == lines_b
    assert a["figures"] == b["figures"]
    assert sum(line.startswith("Extracting ") for line in lines_a) == 4
    epochs = [line for line in lines_a if line.startswith("Current Iter:  ")]
    assert len(epochs) == 2 and "  current cost:  " in epochs[0]
    rows = [line for line in lines_a if line.split("  :  ")[0].isdigit()]
    assert len(rows) == 4 and rows[0].startswith("0  :  [[") and rows[0].endswith("]")
    assert lines_a[-1] == f"correct: {a['figures']['correct']} of 4"
    assert len(a["oracle_quality"]) == 3
    assert a["read_semantics"]["classifier reads h2"] == "before the run (previous image)"


@pytest.mark.parametrize("kw", [{}, dict(ordering="sequential"), dict(mode="autodiff")])
def test_the_archives_measurements_leave_the_posts_loop_bit_for_bit(kw):
    """archive.train (oracle probe, gradient receivers, a log line per epoch) equals the post's loop alone."""
    config = post.Config(epochs=2, num_train=8, num_test=4, **kw)
    te, tl, tr, trl = post.split(*pool(), config.num_test, config.num_train)
    lines_post, lines_archive = [], []
    alone = post.train(config, tr, trl, te, tl, emit=lines_post.append)
    measured = archive.train(config, tr, trl, te, tl, emit=lines_archive.append, log=lambda _: None,
                             measure=(tr, trl))
    assert lines_post == lines_archive
    assert len(measured["oracle_quality"]) == 3 and measured["gradient_receivers"]
    for key in ("costs", "test_outputs", "test_rounded", "correct"):
        assert alone[key] == measured[key], key
    for weights in ("initial_weights", "trained_weights", "final_weights"):
        for k in post.WEIGHTS:
            assert alone[weights][k].tobytes() == measured[weights][k].tobytes(), (weights, k)


def test_sequential_and_autodiff_runs_are_deterministic():
    for kw in (dict(ordering="sequential"), dict(mode="autodiff")):
        a, lines_a = small_run(**kw)
        b, lines_b = small_run(**kw)
        assert lines_a == lines_b, kw
        assert a["figures"] == b["figures"], kw


def test_agreement_metric():
    g = np.array([[1.0, 0.0], [0.0, 2.0]])
    cos, rel = archive.agreement(g, g)
    assert cos == pytest.approx(1.0) and rel == 0.0
    cos, rel = archive.agreement(-g, g)
    assert cos == pytest.approx(-1.0) and rel == pytest.approx(2.0)


# ---------------------------------------------------------------------------
# The NumPy predecessor
# ---------------------------------------------------------------------------

def test_numpy_predecessor_runs_and_its_1d_dot_adds_a_constant():
    images, labels = pool()
    np.random.seed(0)
    lines = []
    out = seo_numpy.run_predecessor(images, labels, test_image_num=3, train_image_num=4,
                                    num_epoch=2, emit=lines.append)
    assert lines[0].startswith("current iter :  0  Total current cost:  ")
    assert sum(line.startswith("Results :  ") for line in lines) == 3
    assert len(out["costs"]) == 2 and 0 <= out["correct"] <= 3

    # One step from zero state: the inner-product reading leaves w_rec's time
    # box 1 step at zero and adds one constant to every entry of wx.
    np.random.seed(1)
    w = seo_numpy.init_weights()
    w0 = {k: v.copy() for k, v in w.items()}
    h = np.zeros((784, 3))
    seo_numpy.train_step(w, h, images[0], labels[0])
    dwx = w["wx"] - w0["wx"]
    assert np.ptp(dwx) <= 1e-12 * max(1.0, np.abs(dwx).max()) and np.abs(dwx).max() > 0
    dwrec = w["w_rec"] - w0["w_rec"]
    assert np.ptp(dwrec) <= 1e-15  # only time box 2's scalar, constant over the matrix

    w = {k: v.copy() for k, v in w0.items()}
    h = np.zeros((784, 3))
    seo_numpy.train_step(w, h, images[0], labels[0], outer=True)
    assert np.ptp(w["wx"] - w0["wx"]) > 0  # outer products: a rank-2 change


def test_a_thread_pool_runs_the_posts_whole_update_list():
    """One thread needs only the updates that survive; a pool races over all seven assigns."""
    for threads, expected in ((1, 5), (2, 7)):
        graph = tf.Graph()
        with graph.as_default():
            t = post.build_graph(post.Config(threads=threads))
        assert len(t["update"]) == 7
        assert len(t["train_step"]) == expected, threads
        if threads > 1:
            assert t["train_step"] == [u.op for u in t["update"]]
