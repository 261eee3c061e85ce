"""MNIST as TensorFlow 1 served it: ``read_data_sets`` and ``DataSet``.

TensorFlow 2 removed ``tensorflow.examples.tutorials.mnist.input_data`` (and
``tf.contrib.learn.datasets.mnist``), which every TF1 post called.  This module
re-implements it from the four original IDX files, with both of the batch
orders that TF1 releases produced, because the posts' transcripts depend on
which one ran:

``tf1.0`` (TF 0.x to 1.0, the default here)
    The first epoch is read in file order.  When a batch would run past the
    end, the tail is dropped, the whole set is reshuffled with the global
    ``numpy.random`` and the batch starts again at index 0.  The DataSet never
    reseeds NumPy.  This is what produced Aloni's transcript (post 002).

``tf1.1`` (TF 1.1 and later)
    The first call to ``next_batch`` shuffles the set (PR tensorflow#7071), and
    a batch that runs past the end takes the tail of this epoch plus the head
    of the next, reshuffled one.  Every DataSet constructor reseeds the global
    NumPy RNG with the graph-level seed (PR tensorflow#8548, TF >= 1.2):
    ``numpy.random.seed(seed)``, where ``seed=None`` (no graph seed) reseeds
    from the operating system, exactly as TF1 did.

Internally a DataSet keeps an index order instead of permuting its arrays; it
draws the same permutations from the same RNG calls, so the batches are
identical, and the index of every batch is available for replay
(:meth:`DataSet.next_batch_indices`).

Missing files are downloaded from the mirror TF 1.x used, with a progress
line on standard error, and checked against the published md5 sums.  Every
structural problem (empty file, not gzip, truncated, bad magic number, count
mismatch, checksum mismatch) raises :class:`~tf1_repro.errors.DataError` whose
message names the file and the problem.
"""
import collections
import gzip
import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
import zlib

import numpy as np

from tf1_repro.errors import DataError, UsageError
from tf1_repro.report import default_file_mode

# The mirror tensorflow/contrib/learn/python/learn/datasets/mnist.py used
# from TF 1.1 on (LeCun's own site, the TF 0.x source, no longer serves them).
SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"

# name -> (size in bytes, md5 of the .gz, number of items)
FILES = {
    TRAIN_IMAGES: (9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873", 60000),
    TRAIN_LABELS: (28881, "d53e105ee54ea40749a09fcbcd1e9432", 60000),
    TEST_IMAGES: (1648877, "9fb629c4189551a2d022fa330f9573f3", 10000),
    TEST_LABELS: (4542, "ec29112dd5afa0611ce80d1b7f02629c", 10000),
}

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
BATCH_ORDERS = ("tf1.0", "tf1.1")

DATA_DIR_ENV = "TF1_REPRO_DATA_DIR"
URL_ENV = "TF1_REPRO_MNIST_URL"  # another mirror, e.g. a local one, ending in "/"


def default_data_dir():
    """The data folder: ``$TF1_REPRO_DATA_DIR`` if set, else the posts' ``MNIST_data/``."""
    return os.environ.get(DATA_DIR_ENV) or "MNIST_data/"


# ---------------------------------------------------------------------------
# Files: download, checksums, IDX parsing
# ---------------------------------------------------------------------------

def _missing_message(work_directory, reason):
    names = ", ".join(FILES)
    return (f"MNIST files missing from {work_directory!r} and could not be downloaded "
            f"({reason}); put the four files {names} there, or point --data_dir "
            f"(or ${DATA_DIR_ENV}) at the folder that holds them")


def _download(filename, work_directory, source_url):
    """Fetch one file into ``work_directory`` atomically; return its path."""
    try:
        os.makedirs(work_directory, exist_ok=True)
    except OSError as e:
        raise DataError(_missing_message(work_directory, f"cannot create the folder: {e.strerror}"))
    if not os.access(work_directory, os.W_OK):
        raise DataError(_missing_message(work_directory, "the folder is read-only"))
    url = source_url + filename
    path = os.path.join(work_directory, filename)
    fd, tmp = tempfile.mkstemp(prefix="." + filename + ".", suffix=".part", dir=work_directory)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    total = int(response.headers.get("Content-Length") or 0)
                    done = 0
                    while True:
                        chunk = response.read(1 << 16)
                        if not chunk:
                            break
                        out.write(chunk)
                        done += len(chunk)
                        _progress(filename, done, total)
            except (urllib.error.URLError, OSError, ValueError) as e:
                reason = getattr(e, "reason", None) or e
                raise DataError(_missing_message(work_directory, f"download of {url} failed: {reason}"))
        sys.stderr.write("\n")
        _verify_checksum(tmp, filename, shown_as=url)
        os.chmod(tmp, default_file_mode())
        os.replace(tmp, path)
        print(f"Successfully downloaded {filename} {os.path.getsize(path)} bytes.")
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _progress(filename, done, total):
    if total:
        sys.stderr.write(f"\rDownloading {filename}: {done}/{total} bytes ({100 * done // total}%)")
    else:
        sys.stderr.write(f"\rDownloading {filename}: {done} bytes")
    sys.stderr.flush()


def _md5(path):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verify_checksum(path, filename, shown_as=None):
    """Raise DataError unless ``path`` has the published size and md5 of ``filename``."""
    size, md5, _ = FILES[filename]
    shown_as = shown_as or path
    actual_size = os.path.getsize(path)
    if actual_size != size:
        raise DataError(f"{shown_as}: checksum mismatch: {actual_size} bytes, expected {size}")
    actual = _md5(path)
    if actual != md5:
        raise DataError(f"{shown_as}: checksum mismatch: md5 {actual}, expected {md5}")


def maybe_download(filename, work_directory, source_url=None):
    """Return the path of ``filename`` in ``work_directory``, downloading it if missing.

    ``source_url`` defaults to ``$TF1_REPRO_MNIST_URL``, else TF1's mirror.
    """
    path = os.path.join(work_directory, filename)
    if os.path.exists(path):
        return path
    return _download(filename, work_directory, source_url or os.environ.get(URL_ENV) or SOURCE_URL)


def _read_gz(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise DataError(f"{path}: cannot read: {e.strerror}")
    if not raw:
        raise DataError(f"{path}: empty file")
    try:
        return gzip.decompress(raw)
    except gzip.BadGzipFile:
        raise DataError(f"{path}: not a gzip file")
    except (EOFError, zlib.error):
        raise DataError(f"{path}: truncated or damaged gzip stream")


def _header(path, data, magic, words):
    if len(data) < 4 * words:
        raise DataError(f"{path}: truncated: {len(data)} bytes, shorter than the IDX header")
    values = np.frombuffer(data, dtype=">u4", count=words)
    if int(values[0]) != magic:
        raise DataError(f"{path}: bad magic number {int(values[0])}, expected {magic}")
    return [int(v) for v in values[1:]]


def extract_images(path, log=print):
    """Read an IDX3 image file into a uint8 array [N, rows, cols, 1], as TF1 did."""
    log(f"Extracting {path}")
    data = _read_gz(path)
    n, rows, cols = _header(path, data, IMAGES_MAGIC, 4)
    expected = 16 + n * rows * cols
    if len(data) != expected:
        raise DataError(f"{path}: wrong count: header says {n} images of {rows}x{cols} "
                        f"({expected} bytes) but the file holds {len(data)} bytes")
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, rows, cols, 1)


def extract_labels(path, one_hot=False, num_classes=10, log=print):
    """Read an IDX1 label file into uint8 [N] (or float64 one-hot [N, classes])."""
    log(f"Extracting {path}")
    data = _read_gz(path)
    (n,) = _header(path, data, LABELS_MAGIC, 2)
    if len(data) != 8 + n:
        raise DataError(f"{path}: wrong count: header says {n} labels but the file holds {len(data) - 8}")
    labels = np.frombuffer(data, dtype=np.uint8, offset=8)
    if labels.size and int(labels.max()) >= num_classes:
        raise DataError(f"{path}: label {int(labels.max())} out of range 0..{num_classes - 1}")
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


def dense_to_one_hot(labels_dense, num_classes):
    """Class labels to float64 one-hot rows, as TF1's ``dense_to_one_hot``."""
    one_hot = np.zeros((labels_dense.shape[0], num_classes))
    one_hot[np.arange(labels_dense.shape[0]), labels_dense] = 1
    return one_hot


# ---------------------------------------------------------------------------
# DataSet
# ---------------------------------------------------------------------------

class DataSet:
    """One split of MNIST with TF1's ``next_batch``.

    ``images`` are float32 in [0, 1] of shape [N, 784] (``reshape=True``) and
    ``labels`` uint8 [N] or float64 one-hot [N, 10], in the current epoch's
    order, exactly as TF1's attributes were.
    """

    def __init__(self, images, labels, dtype=np.float32, reshape=True,
                 batch_order="tf1.0", seed=None):
        if batch_order not in BATCH_ORDERS:
            raise UsageError(f"batch_order {batch_order!r}: expected one of {', '.join(BATCH_ORDERS)}")
        if images.shape[0] != labels.shape[0]:
            raise DataError(f"images and labels disagree: {images.shape[0]} images, {labels.shape[0]} labels")
        if batch_order == "tf1.1":
            # PR tensorflow#8548: seed1 of random_seed.get_seed(None) is the
            # graph-level seed; None reseeds NumPy from the OS.
            np.random.seed(seed)
        self._batch_order = batch_order
        if reshape:
            images = images.reshape(images.shape[0], -1)
        if dtype == np.float32:
            images = images.astype(np.float32) * np.float32(1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._num_examples = images.shape[0]
        self._order = np.arange(self._num_examples)
        self._identity = True
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self):
        return self._images if self._identity else self._images[self._order]

    @property
    def labels(self):
        return self._labels if self._identity else self._labels[self._order]

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    @property
    def batch_order(self):
        return self._batch_order

    def _reshuffle(self):
        perm = np.arange(self._num_examples)
        np.random.shuffle(perm)
        self._order = self._order[perm]
        self._identity = False

    def next_batch_indices(self, batch_size):
        """Advance as ``next_batch`` does; return the batch's indices in file order."""
        if not 0 < batch_size <= self._num_examples:
            raise UsageError(f"batch size {batch_size}: must be between 1 and the "
                             f"{self._num_examples} examples of the split")
        if self._batch_order == "tf1.0":
            return self._next_tf10(batch_size)
        return self._next_tf11(batch_size)

    def _next_tf10(self, batch_size):
        start = self._index_in_epoch
        self._index_in_epoch += batch_size
        if self._index_in_epoch > self._num_examples:
            self._epochs_completed += 1
            self._reshuffle()
            start = 0
            self._index_in_epoch = batch_size
        return self._order[start:self._index_in_epoch]

    def _next_tf11(self, batch_size):
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0:
            self._reshuffle()
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            rest = self._order[start:]
            self._reshuffle()
            self._index_in_epoch = batch_size - rest.shape[0]
            return np.concatenate((rest, self._order[:self._index_in_epoch]))
        self._index_in_epoch += batch_size
        return self._order[start:self._index_in_epoch]

    def next_batch(self, batch_size):
        """The next ``batch_size`` (images, labels), in this DataSet's batch order."""
        idx = self.next_batch_indices(batch_size)
        return self._images[idx], self._labels[idx]

    def restarted(self, seed=None):
        """A new DataSet on the same arrays, back at epoch 0 in file order.

        ``seed`` is the graph-level seed, as for the constructor (it matters
        only to the ``tf1.1`` batch order).
        """
        return DataSet(self._images, self._labels, dtype=None, reshape=False,
                       batch_order=self._batch_order, seed=seed)

    def gather(self, indices):
        """(images, labels) at ``indices`` in file order (for replaying a batch plan)."""
        return self._images[indices], self._labels[indices]


Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def read_data_sets(train_dir, one_hot=False, dtype=np.float32, reshape=True,
                   validation_size=5000, seed=None, batch_order="tf1.0",
                   source_url=None, verify_checksums=True, log=print):
    """TF1's ``input_data.read_data_sets``: train / validation / test DataSets.

    The first ``validation_size`` training images, in file order, are the
    validation split; the train split is the rest (55 000 by default); test
    is all 10 000 in file order.  ``seed`` is the graph-level seed TF1 would
    have seen (used only by the ``tf1.1`` batch order, see the module doc).
    Files are downloaded if missing; with ``verify_checksums`` each file must
    also match the published md5 (switch it off for hand-made test files).
    """
    if batch_order not in BATCH_ORDERS:
        raise UsageError(f"batch_order {batch_order!r}: expected one of {', '.join(BATCH_ORDERS)}")
    missing = [f for f in FILES if not os.path.exists(os.path.join(train_dir, f))]
    if missing and not os.path.isdir(train_dir) and os.path.exists(train_dir):
        raise DataError(f"{train_dir}: not a folder")
    paths = {f: maybe_download(f, train_dir, source_url) for f in FILES}

    train_images = extract_images(paths[TRAIN_IMAGES], log=log)
    train_labels = extract_labels(paths[TRAIN_LABELS], one_hot=one_hot, log=log)
    test_images = extract_images(paths[TEST_IMAGES], log=log)
    test_labels = extract_labels(paths[TEST_LABELS], one_hot=one_hot, log=log)

    for images, labels, img_name, lab_name in (
            (train_images, train_labels, TRAIN_IMAGES, TRAIN_LABELS),
            (test_images, test_labels, TEST_IMAGES, TEST_LABELS)):
        if images.shape[0] != labels.shape[0]:
            raise DataError(f"{paths[img_name]}: {images.shape[0]} images but "
                            f"{paths[lab_name]} has {labels.shape[0]} labels")
    if verify_checksums:
        for name, path in paths.items():
            _verify_checksum(path, name)

    if not 0 <= validation_size <= len(train_images):
        raise UsageError(f"validation_size {validation_size}: must be between 0 and {len(train_images)}")
    kwargs = dict(dtype=dtype, reshape=reshape, batch_order=batch_order, seed=seed)
    train = DataSet(train_images[validation_size:], train_labels[validation_size:], **kwargs)
    validation = DataSet(train_images[:validation_size], train_labels[:validation_size], **kwargs)
    test = DataSet(test_images, test_labels, **kwargs)
    return Datasets(train=train, validation=validation, test=test)
