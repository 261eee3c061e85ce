"""Nielsen's chapter 1 on post 002's graph: the start, the batches, the twin, the claims."""
import dataclasses
import functools
import os
import random

import numpy as np
import pytest

from scriptrun import data_dir, run_script
from tf1_repro import claims
from tf1_repro.posts import nielsen_book as book
from tf1_repro.posts import nielsen_book_archive as archive
from tf1_repro.reference import nielsen_numpy as ref

WEIGHTS = ("w_1", "b_1", "w_2", "b_2")


@functools.lru_cache(maxsize=None)
def data(train_size=book.TRAIN_SIZE, pixels="pickle"):
    return book.load_data(data_dir(), book.Config(train_size=train_size, pixels=pixels),
                          log=lambda *_: None)


# ---------------------------------------------------------------------------
# Nielsen's data, start and shuffles
# ---------------------------------------------------------------------------

def test_pickle_pixels_are_bytes_over_256_and_the_split_is_the_files_order():
    d = data()
    assert d.train_x.shape == (50000, 784) and d.test_x.shape == (10000, 784)
    assert d.validation_x.shape == (10000, 784)
    # mnist.pkl.gz's first training image, row 6: 3/256, 18/256, ..., 255/256.
    np.testing.assert_array_equal(d.train_x[0][152:164], np.array(
        [0.01171875, 0.0703125, 0.0703125, 0.0703125, 0.4921875, 0.53125, 0.68359375,
         0.1015625, 0.6484375, 0.99609375, 0.96484375, 0.49609375], dtype=np.float32))
    assert d.train_x.max() == np.float32(255 / 256) and d.train_x.dtype == np.float32
    assert data(pixels="idx").train_x.max() == np.float32(1.0)
    assert int(np.argmax(d.train_y[0])) == 5 and d.train_y.shape == (50000, 10)


def test_darkness_baseline_is_the_books_2225_exactly():
    """Deterministic and scale-free: it pins the 50 000 training images as the book's."""
    d = data()
    assert book.darkness_count(d.train_bytes, d.train_labels, d.test_bytes, d.test_labels) == 2225
    # Another training set (the first 10 000 only) moves it: the check can fail.
    assert book.darkness_count(d.train_bytes[:10000], d.train_labels[:10000], d.test_bytes,
                               d.test_labels) != 2225
    # --train_size limits the training, not the baseline: the book's 50 000 images.
    assert data(10000).train_bytes.shape == (50000, 784)


def test_start_is_network_py_after_np_random_seed():
    cfg = book.Config(seed=7, hidden=30)
    start = book.nielsen_start(cfg)
    np.random.seed(7)
    net = ref.nielsen_network([784, 30, 10])
    ours = ref.Network.from_graph_weights(**start, dtype=np.float64)
    for a, b in zip(net.weights + net.biases, ours.weights + ours.biases):
        np.testing.assert_array_equal(a, b)
    # Biases first: drawing weights first would give other numbers.
    np.random.seed(7)
    assert not np.array_equal(np.random.randn(30, 784).T, start["w_1"])


def test_epoch_plans_are_network_py_shuffles():
    cfg = book.Config(seed=3, train_size=1003, batch_size=10, epochs=3)
    plans = book.epoch_plans(cfg)
    random.seed(3)
    training_data = [("image", i) for i in range(1003)]
    for epoch in plans:
        random.shuffle(training_data)  # network.py: in place, every epoch
        batches = [training_data[k:k + 10] for k in range(0, 1003, 10)]
        assert [[i for _, i in b] for b in batches] == [list(b) for b in epoch]
    assert len(plans[0][-1]) == 3  # network.py's last, shorter mini-batch


# ---------------------------------------------------------------------------
# The graph and the NumPy twin, step for step in float64
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("train_size,batch_size", [(2000, 10), (1003, 10)])
def test_graph_equals_numpy_twin_in_the_books_rule(train_size, batch_size):
    """Two epochs from network.py's start on network.py's batches: counts equal, weights to 1e-10.

    (1003, 10) has a last mini-batch of 3 stepped with eta / 3, as network.py's.
    """
    cfg = book.Config(train_size=train_size, batch_size=batch_size, epochs=2, seed=1)
    d = data(train_size)
    graph = book.train(cfg, d, emit=lambda _: None)
    np.random.seed(cfg.seed)
    net = ref.nielsen_network([784, cfg.hidden, 10])
    counts = ref.train_like_book(net, d.train_x, d.train_y, book.epoch_plans(cfg), cfg.eta,
                                 d.test_x, d.test_y)
    assert graph["counts"] == counts
    ours = net.graph_weights()
    moved = np.abs(graph["final_weights"]["w_2"] - graph["initial_weights"]["w_2"]).max()
    assert moved > 0.1  # the weights did move a long way
    for k in WEIGHTS:
        np.testing.assert_allclose(graph["final_weights"][k], ours[k], rtol=0, atol=1e-10)


def test_the_books_rule_is_eta_over_m_for_weights_and_biases():
    """One mini-batch: every parameter moves by (eta / m) times its summed gradient."""
    cfg = book.Config(train_size=10, batch_size=10, epochs=1, eta=3.0)
    d = data(10)
    plans = [[np.arange(10, dtype=np.int32)]]
    start = book.nielsen_start(cfg)
    after = book.train(cfg, d, emit=lambda _: None, plans=plans)["final_weights"]
    net = ref.Network.from_graph_weights(**start, dtype=np.float64, step_rule="nielsen")
    nabla_b, nabla_w = net.backprop(d.train_x.T.astype(np.float64), d.train_y.T)
    sums = {"w_1": nabla_w[0].T, "w_2": nabla_w[1].T,
            "b_1": nabla_b[0].sum(axis=1, keepdims=True).T, "b_2": nabla_b[1].sum(axis=1, keepdims=True).T}
    for k in WEIGHTS:
        assert np.abs(sums[k]).max() > 1e-3
        np.testing.assert_allclose(start[k] - after[k], 0.3 * sums[k], rtol=1e-9, atol=1e-13)


# ---------------------------------------------------------------------------
# The claims: declared, and able to fail
# ---------------------------------------------------------------------------

# The book's claims are judged with every other post's (tests/test_claims.py:
# each band fails its counterexample, each golden keeps its declared verdict).
# Here: a run's results.json lists the claims of its own configuration only.

def test_published_lists_the_claims_of_the_runs_configuration():
    def listed(**change):
        return set(claims.published_record(book.NAME, FIGS, dict(BOOK_CONFIG, **change)))

    # The book's peaks and the shortened run's training are judged over seeds
    # (a seed study's figures), so one run lists only its own figures' claims.
    assert listed() == {"book_random_guessing", "book_darkness"}
    assert listed(hidden=100) == {"book_random_guessing", "book_darkness"}
    assert listed(eta=100.0) == {"book_eta_large_chance", "book_random_guessing", "book_darkness"}
    assert listed(eta=0.001) == {"book_eta_small_slow", "book_eta_small_learns",
                                 "book_random_guessing", "book_darkness"}
    assert listed(epochs=2, train_size=10000) == {"book_random_guessing", "book_darkness"}
    study = claims.published_record(book.NAME, {"best_of_three_peak": 95.5,
                                                "peaks_percent": [95.0, 95.5, 96.0]}, BOOK_CONFIG)
    assert set(study) == {"book_best_of_three", "book_peak"}
    assert study["book_best_of_three"]["published"] == 95.42 and study["book_peak"]["ours"] == 95.5
    quick = claims.published_record(book.NAME, {"final_percents": [78.0, 80.0, 79.0]},
                                    dict(BOOK_CONFIG, epochs=2, train_size=10000))
    assert quick["book_trains_shortened"]["ours"] == 79.0


BOOK_CONFIG = dataclasses.asdict(book.Config())
FIGS = {"peak_percent": 95.3, "final_percent": 95.2, "max_percent": 95.3, "gain_points": 4.0,
        "random_percent": 10.1, "darkness_percent": 22.25}


def test_percentile_rank():
    assert archive.percentile_rank([95.29, 95.29, 95.40], 95.42) == 100.0
    assert archive.percentile_rank([95.0, 95.42, 96.0, 94.0], 95.42) == 62.5


# ---------------------------------------------------------------------------
# The command line (the default suite's short run)
# ---------------------------------------------------------------------------

def test_script_prints_the_books_transcript_and_writes_outputs(tmp_path):
    proc, results = run_script("nielsen_book", "--epochs=2", "--train_size=10000",
                               output_dir=str(tmp_path))
    lines = proc.stdout.splitlines()
    counts = results["figures"]["counts"]
    assert lines[:2] == [f"Epoch {j}: {c} / 10000" for j, c in enumerate(counts)]
    assert sorted(os.listdir(tmp_path)) == ["accuracy.png", "results.json", "tensorboard"]
    # The claims about one run's fixed figures travel with it; that the
    # shortened book trains is a claim about 50 seeds (nielsen_book_quick_seeds).
    assert set(results["published"]) == {"book_random_guessing", "book_darkness"}
    assert results["published"]["book_darkness"]["ours"] == results["figures"]["darkness_percent"]
    assert results["figures"]["darkness_percent"] == 22.25  # fitted on all 50 000 images


def test_seed_study_reports_where_the_books_peak_falls(tmp_path):
    proc, results = run_script("nielsen_book", "--epochs=1", "--train_size=2000", "--seeds=3",
                               "--workers=1", output_dir=str(tmp_path))
    figs = results["figures"]
    assert figs["seeds"] == [0, 1, 2] and len(figs["peaks_percent"]) == 3
    assert figs["best_of_three_peak"] == max(figs["peaks_percent"])
    assert figs["book_peak_percentile"] == archive.percentile_rank(figs["peaks_percent"], 95.42)
    assert "gains, last epoch over the first" in proc.stdout
    assert "percentile" not in proc.stdout  # 95.42% is the book configuration's alone
    assert figs["gains_points"] == [round(archive.percent(c[-1]) - archive.percent(c[0]), 2) for c in figs["runs"]]


@pytest.mark.parametrize("flag,needle", [
    pytest.param("--epochs=0", "--epochs=0: must be at least 1", marks=pytest.mark.slow),
    ("--train_size=60000", "--train_size=60000: must be between 1 and 50000"),
    pytest.param("--seeds=0", "--seeds=0: must be at least 1", marks=pytest.mark.slow),
])
def test_nonsense_flags_fail_cleanly(tmp_path, flag, needle):
    out = tmp_path / "out"
    proc, results = run_script("nielsen_book", flag, output_dir=str(out), check=False)
    assert proc.returncode != 0 and needle in proc.stderr
    assert "Traceback" not in proc.stderr and results is None


@pytest.mark.parametrize("change,needle", [
    (dict(eta=0.0), "--eta=0.0: must be a positive number"),
    (dict(eta=float("nan")), "--eta=nan: must be a positive number"),
    (dict(batch_size=0), "--batch_size=0: must be between 1 and the 50000 training images"),
    (dict(train_size=100, batch_size=101), "--batch_size=101: must be between 1 and the 100"),
    (dict(hidden=0), "--hidden=0: must be at least 1"),
    (dict(pixels="jpeg"), "--pixels=jpeg: expected one of pickle, idx"),
])
def test_config_validation_names_the_flag(change, needle):
    with pytest.raises(book.UsageError, match=needle.replace("(", r"\(")):
        dataclasses.replace(book.Config(), **change).validate()


# ---------------------------------------------------------------------------
# The book's full runs
# ---------------------------------------------------------------------------

@pytest.mark.slow
def test_full_run_graph_equals_twin_on_the_first_epoch():
    """The book's configuration, one epoch on all 50 000 images: counts equal, weights close."""
    cfg = book.Config(epochs=1)
    graph = book.train(cfg, data(), emit=lambda _: None)
    np.random.seed(cfg.seed)
    net = ref.nielsen_network([784, 30, 10])
    counts = ref.train_like_book(net, data().train_x, data().train_y, book.epoch_plans(cfg), cfg.eta,
                                 data().test_x, data().test_y)
    assert graph["counts"] == counts


def test_svm_without_scikit_learn_is_one_clear_line(tmp_path):
    fake = tmp_path / "shadow" / "sklearn"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('scikit-learn is not installed')\n")
    proc, results = run_script("nielsen_book", "--svm", output_dir=str(tmp_path / "out"), check=False,
                               env={"PYTHONPATH": str(tmp_path / "shadow")})
    assert proc.returncode == 2 and results is None
    assert proc.stderr.strip().splitlines()[-1] == (
        'nielsen_book.py: error: --svm needs scikit-learn, the optional extra: pip install -e ".[svm]"')
    assert not (tmp_path / "out").exists()
