"""tf1_repro.mnist: TF1's read_data_sets, its two batch orders, downloads and bad files."""
import functools
import gzip
import http.server
import os
import shutil
import struct
import threading

import numpy as np
import pytest

from scriptrun import data_dir, run_script
from tf1_repro import mnist
from tf1_repro.errors import DataError, UsageError

QUIET = dict(log=lambda *_: None)


# ---------------------------------------------------------------------------
# The batch orders, against a literal re-statement of TF1's next_batch
# (arrays permuted in place, as TF1 did), on small synthetic data.
# ---------------------------------------------------------------------------

class TF10Oracle:
    """tensorflow/examples/tutorials/mnist/input_data.py DataSet.next_batch, TF <= 1.0."""

    def __init__(self, x):
        self.x, self.n, self.index, self.epochs = x.copy(), len(x), 0, 0

    def next_batch(self, b):
        start = self.index
        self.index += b
        if self.index > self.n:
            self.epochs += 1
            perm = np.arange(self.n)
            np.random.shuffle(perm)
            self.x = self.x[perm]
            start = 0
            self.index = b
        return self.x[start:self.index]


class TF11Oracle:
    """tensorflow/contrib/learn/python/learn/datasets/mnist.py DataSet.next_batch, TF >= 1.1."""

    def __init__(self, x, seed):
        np.random.seed(seed)
        self.x, self.n, self.index, self.epochs = x.copy(), len(x), 0, 0

    def next_batch(self, b):
        start = self.index
        if self.epochs == 0 and start == 0:
            perm0 = np.arange(self.n)
            np.random.shuffle(perm0)
            self.x = self.x[perm0]
        if start + b > self.n:
            self.epochs += 1
            rest = self.x[start:self.n]
            perm = np.arange(self.n)
            np.random.shuffle(perm)
            self.x = self.x[perm]
            self.index = b - len(rest)
            return np.concatenate((rest, self.x[:self.index]))
        self.index += b
        return self.x[start:self.index]


def _toy(n):
    images = np.arange(n * 784, dtype=np.uint8).reshape(n, 28, 28, 1)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


@pytest.mark.parametrize("n,b", [(23, 5), (20, 5), (7, 7), (55, 10)])
def test_tf10_order_matches_tf1(n, b):
    # Both draw from the global NumPy RNG, as TF1 did: run one, then the other.
    images, labels = _toy(n)
    np.random.seed(3)
    ds = mnist.DataSet(images, labels, batch_order="tf1.0")
    ours = [ds.next_batch_indices(b) for _ in range(40)]
    np.random.seed(3)
    oracle = TF10Oracle(np.arange(n))
    theirs = [oracle.next_batch(b) for _ in range(40)]
    np.testing.assert_array_equal(np.array(ours), np.array(theirs))
    assert ds.epochs_completed == oracle.epochs > 0


def test_tf10_first_epoch_is_file_order_and_tail_is_dropped():
    images, labels = _toy(23)
    ds = mnist.DataSet(images, labels, batch_order="tf1.0")
    first = [ds.next_batch_indices(5) for _ in range(4)]
    np.testing.assert_array_equal(np.concatenate(first), np.arange(20))
    assert ds.epochs_completed == 0
    ds.next_batch_indices(5)  # would run past 23: indices 20..22 are never served
    assert ds.epochs_completed == 1


@pytest.mark.parametrize("n,b", [(23, 5), (20, 5), (7, 3)])
def test_tf11_order_matches_tf1(n, b):
    images, labels = _toy(n)
    np.random.seed(99)  # the constructor's reseed must override this
    ds = mnist.DataSet(images, labels, batch_order="tf1.1", seed=11)
    ours = [ds.next_batch_indices(b) for _ in range(40)]
    oracle = TF11Oracle(np.arange(n), seed=11)
    theirs = [oracle.next_batch(b) for _ in range(40)]
    np.testing.assert_array_equal(np.array(ours), np.array(theirs))
    assert ds.epochs_completed == oracle.epochs > 0


def test_next_batch_returns_the_rows_it_indexes():
    images, labels = _toy(12)
    ds = mnist.DataSet(images, mnist.dense_to_one_hot(labels, 10), batch_order="tf1.1", seed=0)
    idx = ds.next_batch_indices(5)
    ds2 = mnist.DataSet(images, mnist.dense_to_one_hot(labels, 10), batch_order="tf1.1", seed=0)
    x, y = ds2.next_batch(5)
    assert sorted(idx) != list(range(5))  # the first tf1.1 batch is shuffled
    np.testing.assert_array_equal(x, images[idx].reshape(5, 784).astype(np.float32) * np.float32(1 / 255))
    np.testing.assert_array_equal(np.argmax(y, 1), labels[idx])


def test_images_are_scaled_like_tf1():
    images, labels = _toy(3)
    ds = mnist.DataSet(images, labels)
    assert ds.images.dtype == np.float32 and ds.images.shape == (3, 784)
    np.testing.assert_array_equal(ds.images, images.reshape(3, 784).astype(np.float32) * np.float32(1 / 255))


def test_batch_size_out_of_range():
    ds = mnist.DataSet(*_toy(5))
    for b in (0, 6):
        with pytest.raises(UsageError, match="batch size"):
            ds.next_batch(b)


# ---------------------------------------------------------------------------
# The real files
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _real():
    return mnist.read_data_sets(data_dir(), one_hot=True, **QUIET)


def test_real_splits_and_extracting_lines(capsys):
    data = mnist.read_data_sets(data_dir(), one_hot=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Extracting {os.path.join(data_dir(), f)}" for f in mnist.FILES]
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == (55000, 5000, 10000)
    assert data.train.labels.dtype == np.float64 and data.train.labels.shape == (55000, 10)
    # Validation is the first 5000 training images in file order; train the rest.
    raw = mnist.extract_images(os.path.join(data_dir(), mnist.TRAIN_IMAGES), **QUIET)
    scale = np.float32(1 / 255)
    np.testing.assert_array_equal(data.validation.images[:3], raw[:3].reshape(3, 784).astype(np.float32) * scale)
    np.testing.assert_array_equal(data.train.images[0], raw[5000].reshape(784).astype(np.float32) * scale)
    # The label counts every MNIST user knows.
    assert int(data.test.labels[:, 0].sum()) == 980 and int(data.test.labels[:, 1].sum()) == 1135


def test_read_only_data_dir_is_only_read():
    before = {f: os.path.getmtime(os.path.join(data_dir(), f)) for f in os.listdir(data_dir())}
    _real()
    after = {f: os.path.getmtime(os.path.join(data_dir(), f)) for f in os.listdir(data_dir())}
    assert before == after


# ---------------------------------------------------------------------------
# Bad files: one clear error naming the file and the problem
# ---------------------------------------------------------------------------

def _idx_images(n, rows=28, cols=28, magic=2051, extra=b""):
    return struct.pack(">IIII", magic, n, rows, cols) + bytes(n * rows * cols) + extra


def _idx_labels(n, magic=2049):
    return struct.pack(">II", magic, n) + bytes(n)


def _write_set(folder, overrides=None):
    """Four small, valid IDX files (checksums off), with some replaced by raw bytes."""
    files = {
        mnist.TRAIN_IMAGES: gzip.compress(_idx_images(6)),
        mnist.TRAIN_LABELS: gzip.compress(_idx_labels(6)),
        mnist.TEST_IMAGES: gzip.compress(_idx_images(4)),
        mnist.TEST_LABELS: gzip.compress(_idx_labels(4)),
    }
    files.update(overrides or {})
    os.makedirs(folder, exist_ok=True)
    for name, raw in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(raw)
    return folder


def _read(folder, **kw):
    return mnist.read_data_sets(str(folder), verify_checksums=False, validation_size=2, **QUIET, **kw)


def test_small_valid_set_reads(tmp_path):
    data = _read(_write_set(tmp_path))
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == (4, 2, 4)


CORRUPT = {
    "empty file": (mnist.TRAIN_IMAGES, b""),
    "not a gzip file": (mnist.TRAIN_LABELS, b"plain bytes, not gzip"),
    "truncated or damaged gzip stream": (mnist.TEST_IMAGES, gzip.compress(_idx_images(4))[:-30]),
    "bad magic number 2049, expected 2051": (mnist.TRAIN_IMAGES, gzip.compress(_idx_images(6, magic=2049))),
    "wrong count: header says 6 images": (mnist.TRAIN_IMAGES, gzip.compress(_idx_images(6)[:-100])),
    "wrong count: header says 9 labels": (mnist.TEST_LABELS, gzip.compress(_idx_labels(9)[:-5])),
    "truncated: 3 bytes": (mnist.TEST_LABELS, gzip.compress(b"abc")),
}


@pytest.mark.parametrize("problem", sorted(CORRUPT))
def test_corrupt_file_names_file_and_problem(tmp_path, problem):
    name, raw = CORRUPT[problem]
    folder = _write_set(tmp_path, {name: raw})
    with pytest.raises(DataError) as e:
        _read(folder)
    message = str(e.value)
    assert name in message and problem in message and "\n" not in message


def test_images_and_labels_count_mismatch(tmp_path):
    folder = _write_set(tmp_path, {mnist.TEST_LABELS: gzip.compress(_idx_labels(5))})
    with pytest.raises(DataError, match=r"4 images but .*t10k-labels-idx1-ubyte.gz has 5 labels"):
        _read(folder)


def test_checksum_mismatch_on_real_names(tmp_path):
    folder = _write_set(tmp_path)  # valid structure, wrong bytes for the published files
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: checksum mismatch"):
        mnist.read_data_sets(str(folder), **QUIET)


# ---------------------------------------------------------------------------
# Downloads, from a server on this machine's loopback
# ---------------------------------------------------------------------------

@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_download_verifies_and_lands_atomically(server, tmp_path, capsys):
    root, url = server
    for name in mnist.FILES:
        shutil.copy(os.path.join(data_dir(), name), root / name)
    target = tmp_path / "MNIST_data"
    data = mnist.read_data_sets(str(target), source_url=url, **QUIET)
    assert data.test.num_examples == 10000
    assert sorted(os.listdir(target)) == sorted(mnist.FILES)  # no .part files left
    captured = capsys.readouterr()
    assert "Successfully downloaded train-images-idx3-ubyte.gz 9912422 bytes." in captured.out
    assert "Downloading t10k-labels-idx1-ubyte.gz: 4542/4542 bytes (100%)" in captured.err


def test_download_with_wrong_bytes_leaves_nothing(server, tmp_path):
    root, url = server
    for name in mnist.FILES:
        shutil.copy(os.path.join(data_dir(), name), root / name)
    with open(root / mnist.TEST_LABELS, "r+b") as f:
        f.seek(100)
        f.write(b"\x00\x01\x02")
    target = tmp_path / "MNIST_data"
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte.gz: checksum mismatch: md5"):
        mnist.read_data_sets(str(target), source_url=url, **QUIET)
    # The call created the folder, so a failure takes it (and the three good files) away again.
    assert not target.exists()


def test_offline_message_names_folder_and_files(tmp_path):
    target = tmp_path / "nowhere"
    with pytest.raises(DataError) as e:
        mnist.read_data_sets(str(target), source_url="http://127.0.0.1:9/", **QUIET)
    message = str(e.value)
    assert str(target) in message and all(f in message for f in mnist.FILES)
    assert not target.exists()  # a mistyped --data_dir is not created by a failed download


def test_read_only_folder_is_never_written(tmp_path, monkeypatch):
    target = tmp_path / "ro"
    target.mkdir()
    # Permission bits do not stop root, so ask the question the loader asks.
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(target) else real_access(p, mode))
    with pytest.raises(DataError, match="read-only"):
        mnist.read_data_sets(str(target), source_url="http://127.0.0.1:9/", **QUIET)
    assert os.listdir(target) == []


# ---------------------------------------------------------------------------
# The same errors at the command line: one line, exit 2, nothing written
# ---------------------------------------------------------------------------

def test_script_reports_corrupt_file_in_one_line(tmp_path):
    folder = _write_set(tmp_path / "data", {mnist.TRAIN_LABELS: b"junk"})
    out = tmp_path / "out"
    proc, results = run_script("nielsen_mlp", f"--data_dir={folder}", "--steps=5", output_dir=str(out),
                               check=False)
    assert proc.returncode == 2
    ours = [line for line in proc.stderr.splitlines() if line.startswith("nielsen_mlp.py:")]
    assert ours == [f"nielsen_mlp.py: error: {folder}/{mnist.TRAIN_LABELS}: not a gzip file"]
    assert proc.stderr.rstrip().endswith(ours[0])
    assert results is None and not out.exists()


def test_script_offline_without_data(tmp_path):
    out = tmp_path / "out"
    proc, results = run_script("nielsen_mlp", f"--data_dir={tmp_path / 'empty'}", "--steps=5",
                               output_dir=str(out), check=False,
                               env={"TF1_REPRO_MNIST_URL": "http://127.0.0.1:9/"})
    assert proc.returncode == 2
    assert "MNIST files missing from" in proc.stderr and mnist.TRAIN_IMAGES in proc.stderr
    assert results is None
