"""Post 002: the hand-written gradients, the NumPy twin, determinism and the command line."""
import dataclasses
import functools
import os

import numpy as np
import pytest
import tensorflow as tf

from scriptrun import data_dir, run_script
from tf1_repro.errors import UsageError
from tf1_repro.graph_session import new_session
from tf1_repro.posts import nielsen_mlp as post
from tf1_repro.posts import nielsen_mlp_archive as archive
from tf1_repro.reference import nielsen_numpy as ref

tf1 = tf.compat.v1
WEIGHTS = ("w_1", "b_1", "w_2", "b_2")


@functools.lru_cache(maxsize=1)
def _data():
    return post.load_data(data_dir(), post.Config(), log=lambda *_: None)


def data():
    """The post's datasets with the training batch order back at its start."""
    d = _data()
    return d._replace(train=d.train.restarted())


# ---------------------------------------------------------------------------
# (a) The hand-written backward pass against tf.gradients, in float64
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graph64():
    cfg = post.Config(dtype="float64")
    g = tf.Graph()
    with g.as_default():
        tf1.set_random_seed(0)
        t = post.build_graph(cfg, dtype=tf.float64)
        # The quadratic cost the manual pass differentiates: 1/2 sum over batch and classes.
        cost = 0.5 * tf.reduce_sum(tf.square(t["diff"]))
        n = tf.cast(tf.shape(t["a_0"])[0], tf.float64)
        auto = dict(zip(WEIGHTS, tf.gradients(cost, [t[k] for k in WEIGHTS])))
        auto_mean_b = dict(zip(("b_1", "b_2"), tf.gradients(cost / n, [t["b_1"], t["b_2"]])))
        init = tf1.global_variables_initializer()
    xs, ys = data().train.next_batch(10)
    feed = {t["a_0"]: xs.astype(np.float64), t["y"]: ys}
    with new_session(g) as sess:
        sess.run(init)
        manual = sess.run({k: t["d_" + k] for k in WEIGHTS}, feed)
        autodiff = sess.run(auto, feed)
        autodiff_mean = sess.run(auto_mean_b, feed)
    return manual, autodiff, autodiff_mean


def test_weight_gradients_equal_autodiff(graph64):
    manual, autodiff, _ = graph64
    for k in ("w_1", "w_2"):
        assert np.abs(autodiff[k]).max() > 1e-3  # a real, non-vanishing gradient
        np.testing.assert_allclose(manual[k], autodiff[k], rtol=1e-10, atol=1e-12)


def test_bias_gradients_are_per_example_and_sum_to_autodiff(graph64):
    manual, autodiff, autodiff_mean = graph64
    for k in ("b_1", "b_2"):
        assert manual[k].shape[0] == 10  # d_b = d_z: one row per example
        np.testing.assert_allclose(manual[k].sum(axis=0, keepdims=True), autodiff[k], rtol=1e-10, atol=1e-12)
        # The post's bias rule, reduce_mean over the batch, is the gradient of the mean cost.
        np.testing.assert_allclose(manual[k].mean(axis=0, keepdims=True), autodiff_mean[k],
                                   rtol=1e-10, atol=1e-12)


def _one_step(config, initial):
    out = post.train(dataclasses.replace(config, steps=1), data(), emit=lambda _: None,
                     initial_weights=initial)
    return out["final_weights"]


def test_autodiff_mode_is_eta_two_tenths_on_the_summed_gradient():
    """minimize(diff * diff) differentiates the sum: every parameter moves by 0.1 * 2 * sum."""
    start = post.train(post.Config(steps=1, dtype="float64"), data(), emit=lambda _: None)["initial_weights"]
    manual_cfg = post.Config(dtype="float64", eta=1.0)
    # The v1 optimizer holds its rate as a float32 tensor and casts it to the
    # variable's dtype: 0.1 arrives as float64(float32(0.1)).
    rate = 2 * float(np.float32(0.1))
    after_manual = _one_step(manual_cfg, start)
    after_auto = _one_step(post.Config(dtype="float64", mode="autodiff"), start)
    for k in ("w_1", "w_2"):
        grad_sum = start[k] - after_manual[k]  # eta = 1: the summed gradient itself
        np.testing.assert_allclose(start[k] - after_auto[k], rate * grad_sum, rtol=1e-9, atol=1e-12)
    for k in ("b_1", "b_2"):
        grad_sum = 10 * (start[k] - after_manual[k])  # the manual rule used the mean of 10
        np.testing.assert_allclose(start[k] - after_auto[k], rate * grad_sum, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------
# (b) The graph and Nielsen's NumPy network, same start, same batches
# ---------------------------------------------------------------------------

def _both(steps, dtype, ordering="as_published"):
    cfg = post.Config(steps=steps, dtype=dtype, eval_every=100, ordering=ordering)
    graph = post.train(cfg, data(), emit=lambda _: None)
    net = ref.Network.from_graph_weights(**graph["initial_weights"], dtype=np.dtype(dtype).type)
    np.random.seed(cfg.seed)  # the DataSet reshuffles with NumPy's global RNG
    counts = ref.train_like_graph(net, data(), steps, cfg.batch_size, cfg.eta, eval_every=100)
    return graph, net.graph_weights(), counts


def test_graph_equals_numpy_twin_for_1000_steps_in_float64():
    """Counts equal, and weights within float32 resolution, after 1000 steps.

    In float64 the two differ only by summation order (1e-16); the training is
    chaotic enough that this grows about a decade every 100 steps, to ~1e-7
    after 1000 (measured: 1.5e-7 on w_1).
    """
    graph, numpy_weights, counts = _both(1000, "float64")
    assert graph["counts"] == counts and len(counts) == 10
    for k in WEIGHTS:
        np.testing.assert_allclose(graph["final_weights"][k], numpy_weights[k], rtol=0, atol=2e-6)


def test_graph_equals_numpy_twin_in_float32_while_rounding_is_small():
    """In the post's float32, one-ulp differences grow to ~0.4 by step 1000: compare early."""
    graph, numpy_weights, counts = _both(100, "float32")
    assert graph["counts"] == counts
    for k in WEIGHTS:
        np.testing.assert_allclose(graph["final_weights"][k], numpy_weights[k], rtol=0, atol=1e-4)


# ---------------------------------------------------------------------------
# Determinism and the two orderings
# ---------------------------------------------------------------------------

def test_same_run_twice_gives_the_same_bits_and_orderings_agree():
    runs = [post.train(post.Config(steps=1500, ordering=o), data(), emit=lambda _: None)
            for o in ("as_published", "as_published", "sequential")]
    for other in runs[1:]:
        assert other["counts"] == runs[0]["counts"]
        for k in WEIGHTS:
            np.testing.assert_array_equal(other["final_weights"][k], runs[0]["final_weights"][k])


def test_variables_are_tf1_reference_variables():
    g = tf.Graph()
    with g.as_default():
        t = post.build_graph(post.Config())
    assert all(t[k].dtype == tf.float32._as_ref for k in WEIGHTS)
    assert len(t["step"]) == 4  # the post's list of four assigns


# ---------------------------------------------------------------------------
# (c) The seed study's arithmetic
# ---------------------------------------------------------------------------

def test_seed_summary_percentiles():
    runs = [[90, 700], [95, 750], [100, 760], [93, 741]]
    s = archive.summarise_runs(runs, [0, 1000])
    assert s["mean"] == [94.5, 737.75] and s["min"] == [90, 700] and s["max"] == [100, 760]
    # Published 93 at step 0: one run below, one tie -> (1 + 0.5) / 4.
    # Published 741 at step 1000: one run below, one tie -> 37.5 as well.
    assert s["published_percentiles"] == [37.5, 37.5]
    assert s["seeds_at_or_below_published"] == [2, 2]
    assert s["median"] == [94.0, 745.5] and s["q025"][0] == 90.22 and s["q975"][1] == 759.25


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------

def test_script_prints_the_transcript_and_writes_outputs(tmp_path):
    proc, results = run_script("nielsen_mlp", "--steps=2001", output_dir=str(tmp_path))
    lines = proc.stdout.splitlines()
    assert [line.split()[0] for line in lines[:4]] == ["Extracting"] * 4
    assert lines[4:] == [f"{c:.1f}" for c in results["figures"]["counts"]] and len(lines) == 7
    assert sorted(os.listdir(tmp_path)) == ["accuracy.png", "results.json", "tensorboard"]
    assert os.listdir(tmp_path / "tensorboard")
    assert results["config"]["steps"] == 2001 and results["fingerprint"]["threads"] == 1
    assert results["post"]["seed"] == "002_fae5042b14f1d3da.txt"


# Each case starts a process that imports TensorFlow (about 7 s here): the default
# suite keeps one absl-parsed and one validated flag, the rest run with -m slow.
@pytest.mark.parametrize("flag,needle", [
    pytest.param("--steps=0", "--steps", marks=pytest.mark.slow),
    pytest.param("--batch_size=0", "--batch_size", marks=pytest.mark.slow),
    ("--batch_size=55001", "--batch_size=55001: larger than the 55000 training images"),
    ("--mode=backwards", "--mode"),
    pytest.param("--eta=-1", "--eta=-1.0: must be a positive number", marks=pytest.mark.slow),
    pytest.param("--batch_order=tf2", "--batch_order", marks=pytest.mark.slow),
    pytest.param("--threads=0", "--threads", marks=pytest.mark.slow),
])
def test_nonsense_flags_fail_cleanly(tmp_path, flag, needle):
    out = tmp_path / "out"
    proc, results = run_script("nielsen_mlp", flag, output_dir=str(out), check=False)
    assert proc.returncode != 0 and needle in proc.stderr
    assert "Traceback" not in proc.stderr and results is None
    assert not out.exists() or not [f for f in os.listdir(out) if not f.startswith(".")]


# ---------------------------------------------------------------------------
# --loop=graph: the same training inside one Session.run
# ---------------------------------------------------------------------------

def test_graph_loop_equals_feed_loop_bit_for_bit():
    cfg = post.Config(steps=2503, eval_every=500)  # 250 unrolled iterations and 3 single steps
    feed = post.train(cfg, data(), emit=lambda _: None)
    graph = archive.train_graph_loop(cfg, data(), emit=lambda _: None)
    assert graph["counts"] == feed["counts"] and len(feed["counts"]) == 6
    for k in WEIGHTS:
        np.testing.assert_array_equal(graph["initial_weights"][k], feed["initial_weights"][k])
        np.testing.assert_array_equal(graph["final_weights"][k], feed["final_weights"][k])


def test_study_loop_equals_feed_loop_bit_for_bit_seed_after_seed():
    # One loop built once and run for three seeds, as a study's worker runs
    # them: every seed starts, trains and counts as its own single run does.
    cfg = post.Config(steps=2503, eval_every=500)
    loop = archive.StudyLoop(cfg, data())
    for seed in (3, 0, 7):
        seeded = dataclasses.replace(cfg, seed=seed)
        feed = post.train(seeded, data(), emit=lambda _: None)
        study = loop.run(seeded, data().train)
        assert study["counts"] == feed["counts"] and len(feed["counts"]) == 6
        for k in WEIGHTS:
            np.testing.assert_array_equal(study["initial_weights"][k], feed["initial_weights"][k])
            np.testing.assert_array_equal(study["final_weights"][k], feed["final_weights"][k])
    with pytest.raises(ValueError, match="other than the loop's"):
        loop.run(dataclasses.replace(cfg, eta=0.25), data().train)


def test_a_study_process_builds_one_loop_for_all_its_seeds():
    config = dataclasses.asdict(post.Config(steps=20, eval_every=10))
    archive._study_loop_for.cache_clear()
    records = [archive.study_seed(config, data_dir(), seed) for seed in (0, 1, 2)]
    info = archive._study_loop_for.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    single = post.train(post.Config(steps=20, eval_every=10, seed=2), data(), emit=lambda _: None)
    assert records[2]["counts"] == single["counts"]


def test_studies_use_the_study_loop_only_where_it_gives_the_feed_loops_bits(monkeypatch):
    assert archive.study_in_graph(post.Config()) and archive.study_in_graph(post.Config(loop="graph"))
    for other in (post.Config(mode="autodiff"), post.Config(threads=2),
                  post.Config(loop="graph", xla=True, threads=2)):
        assert not archive.study_in_graph(other)
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")  # the two loops part after a few hundred steps
    assert not archive.study_in_graph(post.Config())
    # The compiled loop is the single run --loop=graph --xla itself, whatever oneDNN does.
    assert archive.study_in_graph(post.Config(loop="graph", xla=True))


# ---------------------------------------------------------------------------
# --loop=graph --xla: the whole loop compiled by XLA
# ---------------------------------------------------------------------------

def test_xla_needs_the_in_graph_loop():
    with pytest.raises(UsageError, match="--xla compiles the in-graph loop: use it with --loop=graph"):
        post.Config(xla=True).validate()
    post.Config(xla=True, loop="graph").validate()


def test_xla_loop_is_compiled_deterministic_and_the_study_loop_gives_its_bits():
    # 2001 steps: 200 unrolled iterations, one single step, three counts.
    cfg = post.Config(steps=2001, loop="graph", xla=True)
    first = archive.train_graph_loop(cfg, data(), emit=lambda _: None)
    again = archive.train_graph_loop(cfg, data(), emit=lambda _: None)
    default = archive.train_graph_loop(dataclasses.replace(cfg, xla=False), data(), emit=lambda _: None)
    assert first["counts"] == again["counts"] and len(first["counts"]) == 3
    for k in WEIGHTS:
        np.testing.assert_array_equal(again["final_weights"][k], first["final_weights"][k])
        np.testing.assert_array_equal(first["initial_weights"][k], default["initial_weights"][k])
    # XLA computed it (another kernel family): the trained weights are not the default loop's bits.
    assert any(not np.array_equal(first["final_weights"][k], default["final_weights"][k])
               for k in WEIGHTS)
    # A study's loop, built once and run seed after seed, gives each seed its single run's bits.
    loop = archive.StudyLoop(cfg, data())
    for seed in (2, 0):
        seeded = dataclasses.replace(cfg, seed=seed)
        single = first if seed == 0 else archive.train_graph_loop(seeded, data(), emit=lambda _: None)
        study = loop.run(seeded, data().train)
        assert study["counts"] == single["counts"]
        for k in WEIGHTS:
            np.testing.assert_array_equal(study["final_weights"][k], single["final_weights"][k])


def test_batch_plan_replays_next_batch():
    cfg = post.Config(steps=6000, batch_order="tf1.0")
    plan = archive.batch_plan(cfg, data().train)
    # First epoch in file order (tf1.0), then 500 batches of a reshuffled epoch.
    np.testing.assert_array_equal(plan[:5500].ravel(), np.arange(55000))
    assert sorted(plan[5500:].ravel()) != list(range(5000)) and len(set(plan[5500:].ravel())) == 5000
    np.random.seed(cfg.seed)
    ds = data().train
    np.testing.assert_array_equal(np.stack([ds.next_batch_indices(10) for _ in range(6000)]), plan)


def test_graph_loop_golden_counts_equal_the_feed_loop_golden():
    from tf1_repro import golden
    feed = golden.load("nielsen_mlp")["figures"]["counts"]["reproduced"]
    graph = golden.load("nielsen_mlp_graph_loop")["figures"]["counts"]["reproduced"]
    assert graph == feed


def test_an_xla_run_names_its_own_kernel_family():
    """XLA's compiled loop computes other bits than this machine's kernels: its results say so,
    so a golden of the default family never takes an --xla run for one of its own."""
    from tf1_repro.graph_session import fingerprint
    plain, xla = fingerprint(1), fingerprint(1, xla=True)
    assert xla["family"] == plain["family"] + "+xla"
    assert "xla" in xla["causes"] and "xla" not in plain["causes"]
    assert {k: v for k, v in xla.items() if k not in ("family", "causes")} == \
        {k: v for k, v in plain.items() if k not in ("family", "causes")}
