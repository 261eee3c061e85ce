"""MNIST as TensorFlow 1 served it: ``read_data_sets`` and ``DataSet``.

TensorFlow 2 removed ``tensorflow.examples.tutorials.mnist.input_data`` (and
``tf.contrib.learn.datasets.mnist``), which every TF1 post called.  This module
re-implements it from the four original IDX files as a drop-in: the same
positional arguments, ``read_data_sets(train_dir, fake_data, one_hot, dtype,
reshape, validation_size, seed, source_url)`` and ``DataSet(images, labels,
fake_data, one_hot, dtype, reshape, seed)``, the same dtype rules, validation
edges, fake data and ``next_batch(batch_size, fake_data, shuffle)``, checked
against ``tensorflow/contrib/learn/python/learn/datasets/mnist.py`` of the TF
1.0, 1.1, 1.2 and 1.12 wheels.  Both of the batch orders that TF1 releases
produced are here, because the posts' transcripts depend on which one ran:

``tf1.0`` (TF 0.x to 1.0, the default here)
    The first epoch is read in file order.  When a batch would run past the
    end, the tail is dropped, the whole set is reshuffled with the global
    ``numpy.random`` and the batch starts again at index 0.  The DataSet never
    reseeds NumPy, and has neither ``seed`` nor ``next_batch(shuffle=...)``:
    asking for them is refused, as TF 1.0 refused them.  This is what produced
    Aloni's transcript (post 002).

``tf1.1`` (TF 1.1 and later, with TF 1.2's reseeding)
    The first call to ``next_batch`` shuffles the set (PR tensorflow#7071), and
    a batch that runs past the end takes the tail of this epoch plus the head
    of the next, reshuffled one; ``shuffle=False`` does neither.  Every DataSet
    constructor reseeds the global NumPy RNG (PR tensorflow#8548, TF >= 1.2)
    with ``seed1, seed2 = random_seed.get_seed(seed)`` and
    ``numpy.random.seed(seed1 if seed is None else seed2)``.  TF1 read the
    graph-level seed from the default graph; here it is the keyword-only
    ``graph_seed``.  With neither seed, NumPy is reseeded from the operating
    system, exactly as TF1 did.  (TF 1.1.0 itself shuffled first but did not
    reseed yet.)

Internally a DataSet keeps an index order instead of permuting its arrays; it
draws the same permutations from the same RNG calls, so the batches are
identical, and the index of every batch is available for replay
(:meth:`DataSet.next_batch_indices`).

Missing files are downloaded from the mirror TF 1.x used (or
``$TF1_REPRO_MNIST_URL``), with a stall timeout and an overall deadline, and
checked against the published sizes and md5 sums before they land, each
atomically.  A failed download leaves no partial file, and no data folder if
this call created it.  Every problem (unreadable folder, read-only folder,
stalled, late, truncated or refused download, empty file, not gzip, bad magic
number, count or checksum mismatch) raises
:class:`~tf1_repro.errors.DataError` whose one-line message names the file or
URL and the problem.
"""
import collections
import errno
import gzip
import hashlib
import http.client
import math
import operator
import os
import pathlib
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
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
URL_ENV = "TF1_REPRO_MNIST_URL"  # another mirror, e.g. a local one (trailing "/" optional)
STALL_ENV = "TF1_REPRO_DOWNLOAD_STALL_TIMEOUT"  # seconds without a byte before giving up
DEADLINE_ENV = "TF1_REPRO_DOWNLOAD_DEADLINE"  # seconds for all the downloads of one call
DEFAULT_STALL_TIMEOUT = 30.0
DEFAULT_DEADLINE = 600.0  # 11.6 MB at 20 kB/s

# tensorflow/python/framework/random_seed.py (TF 1.0 to 1.12).
DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1


class ArgumentValueError(UsageError, ValueError):
    """A value TF1's loader refused with ``ValueError``: one line at the command line too."""


class ArgumentTypeError(UsageError, TypeError):
    """An argument TF1's loader refused with ``TypeError`` (a bad dtype, an argument
    the chosen TF release did not have): one line at the command line too."""


def default_data_dir():
    """The data folder: ``$TF1_REPRO_DATA_DIR`` if set, else the posts' ``MNIST_data/``."""
    return os.environ.get(DATA_DIR_ENV) or "MNIST_data/"


# ---------------------------------------------------------------------------
# TF1's argument rules: seeds and dtypes
# ---------------------------------------------------------------------------

def _integer(value, name):
    try:
        return operator.index(value)
    except TypeError:
        raise ArgumentTypeError(f"{name}={value!r}: must be an integer") from None


def get_seed(op_seed, graph_seed=None, last_id=0):
    """TF1's ``random_seed.get_seed``, with the graph-level seed passed in.

    tensorflow/python/framework/random_seed.py, ``get_seed`` (TF 1.2 to 1.12):
    with a graph seed, (graph % (2**31-1), op % (2**31-1)), where a missing op
    seed is the graph's op counter ``last_id``; with only an op seed,
    (DEFAULT_GRAPH_SEED, op % (2**31-1)); with neither, (None, None); and
    (0, 0), which the C++ kernels read as "nondeterministic", becomes
    (0, 2**31-1).  Python's ``%`` maps negative seeds into [0, 2**31-2] too.
    """
    if graph_seed is not None:
        graph_seed = _integer(graph_seed, "graph_seed")
        op_seed = last_id if op_seed is None else _integer(op_seed, "seed")
        seeds = graph_seed % _MAXINT32, op_seed % _MAXINT32
    elif op_seed is not None:
        seeds = DEFAULT_GRAPH_SEED, _integer(op_seed, "seed") % _MAXINT32
    else:
        seeds = None, None
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds


def numpy_seed(seed=None, graph_seed=None):
    """What TF >= 1.2's DataSet passed to ``numpy.random.seed``.

    tensorflow/contrib/learn/python/learn/datasets/mnist.py, ``DataSet.__init__``
    (TF 1.2 to 1.12): ``seed1, seed2 = random_seed.get_seed(seed)`` then
    ``numpy.random.seed(seed1 if seed is None else seed2)``.
    """
    seed1, seed2 = get_seed(seed, graph_seed)
    return seed1 if seed is None else seed2


# DataType enum values (tensorflow/core/framework/types.proto) of the two
# image dtypes and their reference forms: DT_FLOAT 1, DT_UINT8 4, +100 for _ref.
_ENUMS = {1: "float32", 4: "uint8", 101: "float32", 104: "uint8"}
_NAMES = {"float32": "float32", "float": "float32", "uint8": "uint8"}


def image_dtype(dtype):
    """``"float32"`` or ``"uint8"``, from any form TF1's ``dtypes.as_dtype`` took.

    tensorflow/contrib/learn/python/learn/datasets/mnist.py, ``DataSet.__init__``:
    ``dtype = dtypes.as_dtype(dtype).base_dtype``, then ``TypeError`` unless it
    is uint8 or float32.  ``as_dtype`` (tensorflow/python/framework/dtypes.py)
    accepts a TensorFlow DType, a DataType enum value, a type name (with the
    aliases "float" and "_ref" forms), Python's ``float`` (float32, TF 1.12's
    ``_PYTHON_TO_TF``), and NumPy scalar types or dtypes equal to np.float32 or
    np.uint8.  Everything else (None, np.float64, "float64", tf.int32, ...)
    raises :class:`ArgumentTypeError`, a ``TypeError`` as in TF1.
    """
    name = None
    base = getattr(dtype, "base_dtype", None)
    if base is not None and isinstance(getattr(base, "name", None), str):
        name = base.name  # a TensorFlow DType (TF1's or TF2's)
    elif isinstance(dtype, str):
        name = _NAMES.get(dtype[:-4] if dtype.endswith("_ref") else dtype)
    elif isinstance(dtype, int):
        name = _ENUMS.get(dtype)
    elif dtype is float:
        name = "float32"
    elif isinstance(dtype, (type, np.dtype)):
        for candidate in ("float32", "uint8"):
            try:
                if np.dtype(candidate) == dtype:
                    name = candidate
            except TypeError:
                pass
    if name not in ("float32", "uint8"):
        raise ArgumentTypeError(f"dtype={dtype!r}: invalid image dtype, expected uint8 or float32")
    return name


def _check_batch_order(batch_order):
    if batch_order not in BATCH_ORDERS:
        raise UsageError(f"batch_order {batch_order!r}: expected one of {', '.join(BATCH_ORDERS)}")


def _check_seed_for_order(seed, batch_order):
    if seed is not None and batch_order == "tf1.0":
        raise ArgumentTypeError(
            f"seed={seed!r}: TF 1.0's read_data_sets and DataSet had no seed argument (its "
            "DataSet never reseeded NumPy); use batch_order='tf1.1' for TF >= 1.2's seeding")


# ---------------------------------------------------------------------------
# Files: download, checksums, IDX parsing
# ---------------------------------------------------------------------------

def _missing_message(work_directory, reason):
    names = ", ".join(FILES)
    return (f"MNIST files missing from {os.fspath(work_directory)!r} and could not be downloaded "
            f"({reason}); put the four files {names} there, or point --data_dir "
            f"(or ${DATA_DIR_ENV}) at the folder that holds them")


def _seconds(value, keyword, env, default):
    """A positive number of seconds: the keyword if given, else ``$env``, else ``default``."""
    if value is None:
        raw = os.environ.get(env)
        if not raw:
            return default
        shown, value = f"${env}={raw!r}", raw
    else:
        shown = f"{keyword}={value!r}"
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not (seconds > 0 and math.isfinite(seconds)):
        raise UsageError(f"{shown}: must be a number of seconds above 0")
    return seconds


def source_folder_url(source_url=None):
    """The mirror's folder URL, normalised, and the query string to append to each file.

    ``source_url`` (or, when it is None or empty, ``$TF1_REPRO_MNIST_URL``, else
    TF1's mirror; TF 1.12 also fell back on the mirror for an empty string)
    may be given with or without its trailing slash, with surrounding blanks,
    as the URL of one of the four files (TF1's ``base.maybe_download`` took
    whole file URLs), or as a local folder, which becomes a ``file://`` URL.
    Characters a URL cannot hold (spaces) are quoted.  Anything else is one
    :class:`DataError` naming the setting.
    """
    shown = "source_url"
    raw = source_url
    if not raw:
        raw, shown = os.environ.get(URL_ENV), f"${URL_ENV}"
    if not raw:
        return SOURCE_URL, ""
    raw = os.fspath(raw)
    url = raw.strip()
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if len(scheme) <= 1:  # no scheme (or a Windows drive letter): a local folder?
        if os.path.isdir(url):
            return pathlib.Path(url).resolve().as_uri().rstrip("/") + "/", ""
        raise DataError(f"{shown}={raw!r}: not a URL (expected http://, https://, file:// "
                        "or an existing folder)")
    if scheme not in ("http", "https", "file", "ftp"):
        raise DataError(f"{shown}={raw!r}: unsupported URL scheme {parts.scheme!r} "
                        "(expected http, https, file or ftp)")
    if scheme != "file" and not parts.hostname:
        raise DataError(f"{shown}={raw!r}: the URL names no host")
    try:
        parts.port
    except ValueError:
        raise DataError(f"{shown}={raw!r}: the URL's port is not a number from 0 to 65535") from None
    path = parts.path
    last = path.rsplit("/", 1)[-1]
    if last in FILES:
        path = path[:-len(last)]
    if not path.endswith("/"):
        path += "/"
    path = urllib.parse.quote(path, safe="/%:@!$&'()*+,;=~")
    return urllib.parse.urlunsplit((scheme, parts.netloc, path, "", "")), parts.query


class _Fetch:
    """One HTTP(S)/file GET into memory, in a daemon thread the caller can walk away from.

    The calling thread watches the clock: a read blocked on a silent server,
    a slow name lookup or a dribbled header cannot hold it past the stall
    timeout or the deadline, and a signal turned into an exception reaches it
    at once.  The body is capped just above the published size, so a wrong
    mirror cannot fill memory.
    """

    def __init__(self, url, limit, timeout):
        self.url, self.limit, self.timeout = url, limit, timeout
        self.chunks, self.received, self.total = [], 0, None
        self.last_byte = time.monotonic()
        self.error = None
        self.cancelled = False
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"download {url}")

    def _run(self):
        try:
            with urllib.request.urlopen(self.url, timeout=self.timeout) as response:
                length = response.headers.get("Content-Length")
                self.total = int(length) if length and length.strip().isdigit() else None
                self.last_byte = time.monotonic()
                read = getattr(response, "read1", None) or response.read
                while not self.cancelled:
                    chunk = read(1 << 16)
                    if not chunk:
                        break
                    self.chunks.append(chunk)
                    self.received += len(chunk)
                    self.last_byte = time.monotonic()
                    if self.received > self.limit:
                        break
        except BaseException as e:  # reported by the watching thread
            self.error = e
        finally:
            self.finished.set()


class _Downloader:
    """Fetches missing files into one folder, and can undo everything it made.

    Each file is verified in memory, then written as a ``.part`` file and
    renamed into place, so a reader never sees half a file; the ``.part`` file
    is removed in ``finally`` on every exit path.  :meth:`undo` removes the
    files this downloader wrote and the folders it created, for a call that
    fails after creating them (a mistyped data folder must not be left behind).
    """

    def __init__(self, work_directory, source_url, stall_timeout, deadline, log_progress=True):
        self.work_directory = os.fspath(work_directory)
        self.folder_url, self.query = source_folder_url(source_url)
        self.stall = _seconds(stall_timeout, "stall_timeout", STALL_ENV, DEFAULT_STALL_TIMEOUT)
        self.deadline = _seconds(deadline, "deadline", DEADLINE_ENV, DEFAULT_DEADLINE)
        self.deadline_at = time.monotonic() + self.deadline
        self.created, self.written = [], []
        self.log_progress = log_progress
        self._check_writable()

    def url(self, filename):
        return self.folder_url + filename + (f"?{self.query}" if self.query else "")

    def _fail(self, reason):
        return DataError(_missing_message(self.work_directory, reason))

    def _check_writable(self):
        """Refuse before downloading anything if the files could not be kept."""
        existing = os.path.abspath(self.work_directory)
        while not os.path.lexists(existing) and os.path.dirname(existing) != existing:
            existing = os.path.dirname(existing)
        if not os.path.isdir(existing):
            raise self._fail(f"{existing} is not a folder")
        if not os.access(existing, os.W_OK | os.X_OK):
            if existing == os.path.abspath(self.work_directory):
                raise self._fail("the folder is read-only")
            raise self._fail(f"cannot create the folder: {existing} is read-only")

    def _make_folder(self):
        chain, p = [], os.path.abspath(self.work_directory)
        while not os.path.isdir(p) and os.path.dirname(p) != p:
            chain.append(p)
            p = os.path.dirname(p)
        for d in reversed(chain):
            try:
                os.mkdir(d)
            except FileExistsError:
                if not os.path.isdir(d):
                    raise self._fail(f"{d} is not a folder")
                continue
            except OSError as e:
                raise self._fail(f"cannot create the folder {d}: {e.strerror}")
            self.created.append(d)

    def fetch(self, filename):
        """Download, verify and place ``filename``; return its path."""
        url = self.url(filename)
        data = self._get(filename, url)
        self._make_folder()
        path = os.path.join(self.work_directory, filename)
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix="." + filename + ".", suffix=".part",
                                       dir=self.work_directory)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, default_file_mode())
            os.replace(tmp, path)
            tmp = None
            self.written.append(path)
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise self._fail(f"the folder is read-only: {e.strerror}")
            raise self._fail(f"cannot write {path}: {e.strerror}")
        finally:
            if tmp is not None:
                try:
                    os.remove(tmp)
                except OSError:
                    pass
        print(f"Successfully downloaded {filename} {len(data)} bytes.")
        return path

    def undo(self):
        """Remove what this downloader made, if it made the folder (best effort)."""
        if not self.created:
            return
        for path in self.written:
            try:
                os.remove(path)
            except OSError:
                pass
        for d in reversed(self.created):
            try:
                os.rmdir(d)
            except OSError:
                pass

    def _get(self, filename, url):
        size, md5, _ = FILES[filename]
        # The socket's own timeout only lets an abandoned thread end; the
        # watching loop below decides, a little sooner, with the clearer message.
        fetch = _Fetch(url, size, min(self.stall, max(self.deadline_at - time.monotonic(), 0)) + 1)
        tty = self.log_progress and sys.stderr.isatty()
        fetch.thread.start()
        problem = None
        try:
            while not fetch.finished.wait(0.05):
                now = time.monotonic()
                if now >= self.deadline_at:
                    problem = (f"download deadline of {self.deadline:g} s (${DEADLINE_ENV}) passed "
                               f"after {fetch.received} of {size} bytes")
                    break
                if now - fetch.last_byte >= self.stall:
                    problem = (f"download stalled: no data for {self.stall:g} s (${STALL_ENV}) "
                               f"after {fetch.received} of {size} bytes")
                    break
                if tty:
                    _progress(filename, fetch.received, fetch.total or size, end="")
        finally:
            fetch.cancelled = True
        received = fetch.received
        if problem is None:
            problem = _content_problem(fetch, size, md5, self.stall)
        if problem is not None:
            if tty:
                sys.stderr.write("\n")
            raise self._fail(f"{url}: {problem}")
        if self.log_progress:
            _progress(filename, received, fetch.total or size, end="\n")
        return b"".join(fetch.chunks)


def _content_problem(fetch, size, md5, stall):
    """What is wrong with a finished fetch, or None: truncation before checksums."""
    received = fetch.received
    if fetch.error is not None:
        return _describe(fetch.error, received, size, stall)
    if fetch.total is not None and received < fetch.total:
        return (f"truncated download: {received} of the {fetch.total} bytes "
                "the server announced (Content-Length)")
    if received < size:
        return f"truncated download: {received} of the published {size} bytes"
    if received > size:
        return f"not the published file: longer than its {size} bytes"
    actual = hashlib.md5(b"".join(fetch.chunks)).hexdigest()
    if actual != md5:
        return f"checksum mismatch: md5 {actual}, expected {md5}"
    return None


def _describe(error, received, size, stall):
    """One phrase for what went wrong in a download thread."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP error {error.code} {error.reason}"
    if isinstance(error, http.client.IncompleteRead):
        return f"truncated download: the connection closed after {received} of {size} bytes"
    if isinstance(error, (TimeoutError, OSError)) and "timed out" in str(error):
        return (f"download stalled: no data for {stall:g} s (${STALL_ENV}) "
                f"after {received} of {size} bytes")
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        if isinstance(reason, OSError) and reason.strerror:
            return f"cannot connect: {reason.strerror}"
        return f"cannot connect: {reason}"
    if isinstance(error, (http.client.HTTPException, OSError)) and 0 < received < size:
        return (f"truncated download: {type(error).__name__} after {received} of {size} bytes"
                + (f" ({error})" if str(error) else ""))
    if isinstance(error, http.client.InvalidURL) or isinstance(error, ValueError):
        return f"invalid URL: {error}"
    if isinstance(error, OSError) and error.strerror:
        return f"download failed: {error.strerror}"
    return f"download failed: {type(error).__name__}" + (f": {error}" if str(error) else "")


def _progress(filename, done, total, end):
    if total:
        sys.stderr.write(f"\rDownloading {filename}: {done}/{total} bytes ({100 * done // total}%){end}")
    else:
        sys.stderr.write(f"\rDownloading {filename}: {done} bytes{end}")
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


def _present(path, work_directory):
    """Whether ``path`` exists; an unsearchable folder is a permission error, not a missing file."""
    try:
        os.stat(path)
        return True
    except FileNotFoundError:
        return False
    except NotADirectoryError:
        raise DataError(f"{os.fspath(work_directory)}: not a folder") from None
    except PermissionError as e:
        raise DataError(f"{path}: permission denied ({e.strerror}): the data folder "
                        f"{os.fspath(work_directory)!r} or a folder above it cannot be read") from None


def maybe_download(filename, work_directory, source_url=None, *, stall_timeout=None, deadline=None):
    """Return the path of ``filename`` in ``work_directory``, downloading it if missing.

    ``source_url`` is the mirror's folder (or the file's own URL, as TF1's
    ``base.maybe_download`` took it); it defaults to ``$TF1_REPRO_MNIST_URL``,
    else TF1's mirror.  ``stall_timeout`` and ``deadline`` are in seconds
    (defaults ``$TF1_REPRO_DOWNLOAD_STALL_TIMEOUT`` / ``..._DEADLINE``, else 30
    and 600).  A failure leaves neither a ``.part`` file nor a folder this call
    created.
    """
    path = os.path.join(work_directory, filename)
    if _present(path, work_directory):
        return path
    downloader = _Downloader(work_directory, source_url, stall_timeout, deadline)
    try:
        return downloader.fetch(filename)
    except BaseException:
        downloader.undo()
        raise


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

    The constructor is TF1's, argument for argument: ``images`` [N, rows,
    cols, 1] become [N, rows*cols] with ``reshape``; ``dtype`` float32 (in any
    form TF1 took, see :func:`image_dtype`) scales them to [0, 1] in float32,
    uint8 leaves them as given, anything else is a ``TypeError``; ``fake_data``
    makes the 10 000-example stand-in whose ``next_batch(n, fake_data=True)``
    serves rows of ones; ``seed`` is the op-level seed of TF >= 1.2.  The
    archive's own extras are keyword-only: ``batch_order`` (see the module
    doc) and ``graph_seed``, the graph-level seed TF1 read from the default
    graph.  ``images`` and ``labels`` are in the current epoch's order,
    exactly as TF1's attributes were.
    """

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype=np.float32,
                 reshape=True, seed=None, *, graph_seed=None, batch_order="tf1.0"):
        _check_batch_order(batch_order)
        _check_seed_for_order(seed, batch_order)
        if batch_order == "tf1.1":
            np.random.seed(numpy_seed(seed, graph_seed))
        kind = image_dtype(dtype)
        self._batch_order = batch_order
        self._fake = bool(fake_data)
        if self._fake:
            self.one_hot = one_hot
            self._setup(images, labels, 10000)
            return
        images, labels = np.asarray(images), np.asarray(labels)
        if images.shape[:1] != labels.shape[:1]:
            raise DataError(f"images and labels disagree: {images.shape[0]} images, "
                            f"{labels.shape[0] if labels.ndim else 0} labels")
        if reshape:
            if images.ndim != 4 or images.shape[3] != 1:
                raise ArgumentValueError(f"reshape=True: images must have shape [N, rows, cols, 1], "
                                         f"not {list(images.shape)}")
            images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
        if kind == "float32":
            # numpy.multiply(images.astype(float32), 1.0 / 255.0) in TF1: float32 arithmetic.
            images = images.astype(np.float32) * np.float32(1.0 / 255.0)
        self._setup(images, labels, images.shape[0])

    @classmethod
    def from_arrays(cls, images, labels, *, batch_order="tf1.0", graph_seed=None, seed=None):
        """A DataSet on arrays already in their final shape and scale (no reshape, no scaling).

        The archive's own: for a subset of a split's ``images``, which TF1's
        constructor would have scaled a second time.  Seeding is the constructor's.
        """
        _check_batch_order(batch_order)
        _check_seed_for_order(seed, batch_order)
        if images.shape[0] != labels.shape[0]:
            raise DataError(f"images and labels disagree: {images.shape[0]} images, {labels.shape[0]} labels")
        if batch_order == "tf1.1":
            np.random.seed(numpy_seed(seed, graph_seed))
        self = cls.__new__(cls)
        self._batch_order = batch_order
        self._fake = False
        self._setup(images, labels, images.shape[0])
        return self

    def _setup(self, images, labels, num_examples):
        self._images = images
        self._labels = labels
        self._num_examples = num_examples
        self._order = np.arange(num_examples)
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

    def next_batch_indices(self, batch_size, shuffle=True):
        """Advance as ``next_batch`` does; return the batch's indices in file order."""
        if self._fake:
            raise ArgumentValueError("this DataSet holds fake data (read_data_sets(fake_data=True)): "
                                     "call next_batch(batch_size, fake_data=True)")
        if self._batch_order == "tf1.0" and not shuffle:
            raise ArgumentTypeError("next_batch(shuffle=False): TF 1.0's next_batch had no shuffle "
                                    "argument (it came with TF 1.1); use batch_order='tf1.1'")
        if not 0 < batch_size <= self._num_examples:
            raise UsageError(f"batch size {batch_size}: must be between 1 and the "
                             f"{self._num_examples} examples of the split")
        if self._batch_order == "tf1.0":
            return self._next_tf10(batch_size)
        return self._next_tf11(batch_size, shuffle)

    def _next_tf10(self, batch_size):
        start = self._index_in_epoch
        self._index_in_epoch += batch_size
        if self._index_in_epoch > self._num_examples:
            self._epochs_completed += 1
            self._reshuffle()
            start = 0
            self._index_in_epoch = batch_size
        return self._order[start:self._index_in_epoch]

    def _next_tf11(self, batch_size, shuffle):
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._reshuffle()
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            rest = self._order[start:]
            if shuffle:
                self._reshuffle()
            self._index_in_epoch = batch_size - rest.shape[0]
            return np.concatenate((rest, self._order[:self._index_in_epoch]))
        self._index_in_epoch += batch_size
        return self._order[start:self._index_in_epoch]

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next ``batch_size`` (images, labels), in this DataSet's batch order.

        ``fake_data=True`` serves TF1's stand-in batch: lists of ``batch_size``
        rows of 784 ones, labels ``[1, 0, ..., 0]`` (one-hot) or 0, from a
        DataSet made with ``fake_data=True`` (a real one had no ``one_hot`` to
        consult in TF1).  ``shuffle=False`` (TF >= 1.1) keeps file order:
        no first-epoch shuffle, no reshuffle at the end of an epoch.
        """
        if fake_data:
            if not self._fake:
                raise ArgumentValueError("next_batch(fake_data=True): this DataSet holds real images; "
                                         "TF1 served fake batches from read_data_sets(fake_data=True)")
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return [fake_image for _ in range(batch_size)], [fake_label for _ in range(batch_size)]
        idx = self.next_batch_indices(batch_size, shuffle)
        return self._images[idx], self._labels[idx]

    def restarted(self, graph_seed=None, *, seed=None):
        """A new DataSet on the same arrays, back at epoch 0 in file order.

        ``graph_seed`` and ``seed`` are the graph- and op-level seeds, as for
        the constructor (they matter only to the ``tf1.1`` batch order).
        """
        return DataSet.from_arrays(self._images, self._labels, batch_order=self._batch_order,
                                   graph_seed=graph_seed, seed=seed)

    def gather(self, indices):
        """(images, labels) at ``indices`` in file order (for replaying a batch plan)."""
        return self._images[indices], self._labels[indices]


Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=np.float32, reshape=True,
                   validation_size=5000, seed=None, source_url=None, *, graph_seed=None,
                   batch_order="tf1.0", verify_checksums=True, log=print,
                   stall_timeout=None, deadline=None):
    """TF1's ``read_data_sets``: train / validation / test DataSets.

    The positional arguments are TF1's, in TF1's order
    (tensorflow/contrib/learn/python/learn/datasets/mnist.py, TF 1.12).  The
    first ``validation_size`` training images, in file order, are the
    validation split (0 and all 60 000 both work, as in TF1; outside that
    range, TF1's message as an :class:`ArgumentValueError`); the train split
    is the rest (55 000 by default); test is all 10 000 in file order.
    ``seed`` is TF >= 1.2's op-level seed and ``graph_seed`` the graph-level
    seed TF1 read from the default graph (both used only by the ``tf1.1``
    batch order, see the module doc).  ``fake_data=True`` touches no file and
    returns three 10 000-example fakes.  ``source_url`` None or empty means
    ``$TF1_REPRO_MNIST_URL``, else TF1's mirror.

    Files are downloaded if missing (``stall_timeout`` and ``deadline`` in
    seconds, see :func:`maybe_download`); with ``verify_checksums`` each file
    must also match the published md5 (switch it off for hand-made test
    files).  If the call fails after creating the data folder, the folder and
    the files it downloaded are removed again.
    """
    _check_batch_order(batch_order)
    _check_seed_for_order(seed, batch_order)
    image_dtype(dtype)  # a bad dtype fails before any download, as TypeError
    if seed is not None:
        _integer(seed, "seed")
    if graph_seed is not None:
        _integer(graph_seed, "graph_seed")
    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed,
                           graph_seed=graph_seed, batch_order=batch_order)
        return Datasets(train=fake(), validation=fake(), test=fake())
    # The range is checked once the training images are counted, as TF1 did.
    validation_size = _integer(validation_size, "validation_size")

    train_dir = os.fspath(train_dir)
    paths = {f: os.path.join(train_dir, f) for f in FILES}
    missing = [f for f in FILES if not _present(paths[f], train_dir)]
    if missing and os.path.exists(train_dir) and not os.path.isdir(train_dir):
        raise DataError(f"{train_dir}: not a folder")
    downloader = None
    try:
        if missing:
            downloader = _Downloader(train_dir, source_url, stall_timeout, deadline)
            for f in missing:
                downloader.fetch(f)
        return _load(paths, one_hot, dtype, reshape, validation_size, seed, graph_seed,
                     batch_order, verify_checksums, log)
    except BaseException:
        if downloader is not None:
            downloader.undo()
        raise


def _validation_error(n, validation_size):
    # TF1's own words (read_data_sets, TF 1.0 to 1.12), as one line naming the argument.
    return ArgumentValueError(f"validation_size: Validation size should be between 0 and {n}. "
                              f"Received: {validation_size}.")


def _load(paths, one_hot, dtype, reshape, validation_size, seed, graph_seed, batch_order,
          verify_checksums, log):
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
        raise _validation_error(len(train_images), validation_size)
    kwargs = dict(dtype=dtype, reshape=reshape, seed=seed, graph_seed=graph_seed,
                  batch_order=batch_order)
    train = DataSet(train_images[validation_size:], train_labels[validation_size:], **kwargs)
    validation = DataSet(train_images[:validation_size], train_labels[:validation_size], **kwargs)
    test = DataSet(test_images, test_labels, **kwargs)
    return Datasets(train=train, validation=validation, test=test)
