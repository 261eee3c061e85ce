"""tf1_repro.mnist against TF1's own source, rule by rule.

Every expected value below is read off the TF1 source, not printed by the
loader: tensorflow/contrib/learn/python/learn/datasets/mnist.py (``DataSet``,
``read_data_sets``), tensorflow/python/framework/random_seed.py (``get_seed``)
and tensorflow/python/framework/dtypes.py (``as_dtype``), as shipped in the
tensorflow 1.0.0, 1.1.0, 1.2.0 and 1.12.0 wheels (cp36, manylinux1).
"""
import inspect

import numpy as np
import pytest

from test_mnist import QUIET, TF11Oracle, _toy, _write_set
from tf1_repro import mnist
from tf1_repro.errors import ReproError

M = 2**31 - 1  # random_seed._MAXINT32


# ---------------------------------------------------------------------------
# Signatures: TF1's positional order, the archive's extras keyword-only
# ---------------------------------------------------------------------------

def _positional(fn):
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.kind == p.POSITIONAL_OR_KEYWORD]


def test_read_data_sets_takes_tf1_positional_order():
    # mnist.py (TF 1.12) read_data_sets(train_dir, fake_data=False, one_hot=False,
    # dtype=dtypes.float32, reshape=True, validation_size=5000, seed=None, source_url=...)
    assert _positional(mnist.read_data_sets) == [
        "train_dir", "fake_data", "one_hot", "dtype", "reshape", "validation_size", "seed",
        "source_url"]
    params = inspect.signature(mnist.read_data_sets).parameters
    for extra in ("graph_seed", "batch_order", "verify_checksums", "log", "stall_timeout", "deadline"):
        assert params[extra].kind == params[extra].KEYWORD_ONLY


def test_dataset_takes_tf1_positional_order():
    # mnist.py (TF 1.2 to 1.12) DataSet.__init__(self, images, labels, fake_data=False,
    # one_hot=False, dtype=dtypes.float32, reshape=True, seed=None)
    assert _positional(mnist.DataSet.__init__) == [
        "self", "images", "labels", "fake_data", "one_hot", "dtype", "reshape", "seed"]
    assert _positional(mnist.DataSet.next_batch) == ["self", "batch_size", "fake_data", "shuffle"]


def test_positional_call_as_tf1_read_it(tmp_path):
    # read_data_sets(dir, False, True, uint8, False, 2): one-hot labels, uint8 images
    # left as [N, 28, 28, 1], the first 2 training images as validation.
    data = mnist.read_data_sets(str(_write_set(tmp_path)), False, True, np.uint8, False, 2,
                                verify_checksums=False, **QUIET)
    assert data.train.images.shape == (4, 28, 28, 1) and data.train.images.dtype == np.uint8
    assert data.validation.labels.shape == (2, 10) and data.validation.labels.dtype == np.float64


# ---------------------------------------------------------------------------
# Seeds: random_seed.get_seed and DataSet's numpy.random.seed(seed1 if seed is None else seed2)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("op_seed,graph_seed,last_id,expected", [
    (None, None, 0, (None, None)),          # neither: nondeterministic
    (5, None, 0, (87654321, 5)),            # op only: DEFAULT_GRAPH_SEED
    (None, 7, 3, (7, 3)),                   # graph only: the graph's _last_id as op seed
    (5, 7, 3, (7, 5)),
    (5, 2**31 - 1, 0, (0, 5)),              # _truncate_seed: seed % (2**31 - 1)
    (2**31, 2**32 - 1, 0, (1, 1)),          # 4294967295 = 2 * 2147483647 + 1
    (-1, -2, 0, (M - 2, M - 1)),            # Python's % makes negatives non-negative
    (0, 0, 0, (0, M)),                      # (0, 0) means "nondeterministic" in C++: avoided
    (None, 0, 0, (0, M)),
    (2**31 - 1, 2**31 - 1, 0, (0, M)),      # reduces to (0, 0) too
    (None, 2**40, 9, (2**40 % M, 9)),
])
def test_get_seed_as_tf1(op_seed, graph_seed, last_id, expected):
    assert mnist.get_seed(op_seed, graph_seed, last_id) == expected


@pytest.mark.parametrize("seed,graph_seed,expected", [
    (None, 2**31 - 1, 0),
    (None, 2**31, 1),
    (None, -1, M - 1),
    (None, 2**32 - 1, 1),
    (0, None, 0),            # (87654321, 0): seed2
    (0, 0, M),               # (0, 0) -> (0, 2**31 - 1): seed2
    (None, 0, 0),            # (0, _last_id) or (0, M): seed1 is 0 either way
    (3, 11, 3),              # an op seed wins over the graph seed
    (-5, None, M - 5),
])
def test_numpy_seed_as_tf1_dataset(seed, graph_seed, expected):
    assert mnist.numpy_seed(seed, graph_seed) == expected


@pytest.mark.parametrize("kw,reduced", [
    (dict(graph_seed=2**31 + 10), 11),
    (dict(graph_seed=-3), M - 3),
    (dict(graph_seed=2**40), 2**40 % M),      # numpy.random.seed(2**40) itself would refuse
    (dict(seed=2**32 + 4), (2**32 + 4) % M),
    (dict(seed=0, graph_seed=0), M),
])
def test_tf11_batches_use_the_reduced_seed(kw, reduced):
    images, labels = _toy(23)
    ds = mnist.DataSet(images, labels, batch_order="tf1.1", **kw)
    ours = [ds.next_batch_indices(5) for _ in range(12)]
    oracle = TF11Oracle(np.arange(23), seed=reduced)
    np.testing.assert_array_equal(np.array(ours), np.array([oracle.next_batch(5) for _ in range(12)]))


def test_op_seed_and_graph_seed_give_the_posts_the_same_batches():
    # The posts passed the graph seed; with no graph seed an op seed S gives
    # (87654321, S) and so numpy.random.seed(S) too: the same batches either way.
    images, labels = _toy(20)
    a = mnist.DataSet(images, labels, batch_order="tf1.1", graph_seed=42)
    from_graph_seed = [a.next_batch_indices(3) for _ in range(9)]  # before b reseeds NumPy
    b = mnist.DataSet(images, labels, batch_order="tf1.1", seed=42)
    np.testing.assert_array_equal(from_graph_seed, [b.next_batch_indices(3) for _ in range(9)])


def test_non_integer_seed_is_one_clear_type_error():
    with pytest.raises(TypeError, match=r"graph_seed=1.5: must be an integer") as e:
        mnist.DataSet(*_toy(3), batch_order="tf1.1", graph_seed=1.5)
    assert isinstance(e.value, ReproError)


def test_tf10_had_no_seed_argument():
    # TF 1.0's DataSet.__init__ and read_data_sets had no `seed` (TypeError in TF1).
    with pytest.raises(TypeError, match="TF 1.0") as e:
        mnist.DataSet(*_toy(3), seed=1)
    assert isinstance(e.value, ReproError)
    mnist.DataSet(*_toy(3), graph_seed=1)  # TF 1.0 ignored the graph seed: so do we


# ---------------------------------------------------------------------------
# dtype: dtypes.as_dtype(dtype).base_dtype, then uint8 or float32, else TypeError
# ---------------------------------------------------------------------------

FLOAT32_FORMS = [np.float32, np.dtype("float32"), "float32", "float", "float32_ref", "float_ref",
                 1, 101, float]   # DT_FLOAT = 1, DT_FLOAT_REF = 101; float: TF 1.12 _PYTHON_TO_TF
UINT8_FORMS = [np.uint8, np.dtype("uint8"), "uint8", "uint8_ref", 4, 104]  # DT_UINT8 = 4
REFUSED = [np.float64, np.dtype("float64"), "float64", "double", np.float16, np.int32, "int32",
           np.int8, None, "floa", int, bool, 3, np.dtype(">f4"), object()]


@pytest.mark.parametrize("dtype", FLOAT32_FORMS, ids=repr)
def test_float32_forms_scale_to_unit_interval(dtype):
    images, labels = _toy(4)
    ds = mnist.DataSet(images, labels, dtype=dtype)
    assert ds.images.dtype == np.float32
    # multiply(images.astype(float32), 1.0 / 255.0): float32 arithmetic.
    np.testing.assert_array_equal(ds.images, images.reshape(4, 784).astype(np.float32) * np.float32(1 / 255))


@pytest.mark.parametrize("dtype", UINT8_FORMS, ids=repr)
def test_uint8_forms_leave_images_unscaled(dtype):
    images, labels = _toy(4)
    ds = mnist.DataSet(images, labels, dtype=dtype)
    assert ds.images.dtype == np.uint8
    np.testing.assert_array_equal(ds.images, images.reshape(4, 784))


@pytest.mark.parametrize("dtype", REFUSED, ids=repr)
def test_other_dtypes_are_a_type_error(dtype):
    with pytest.raises(TypeError, match="expected uint8 or float32") as e:
        mnist.DataSet(*_toy(2), dtype=dtype)
    assert isinstance(e.value, ReproError) and "\n" not in str(e.value)


def test_tensorflow_dtypes():
    import tensorflow as tf
    assert mnist.image_dtype(tf.float32) == "float32" and mnist.image_dtype(tf.uint8) == "uint8"
    for bad in (tf.float64, tf.int32, tf.bfloat16):
        with pytest.raises(TypeError):
            mnist.image_dtype(bad)


def test_read_data_sets_refuses_a_bad_dtype_before_touching_files(tmp_path):
    target = tmp_path / "never"
    with pytest.raises(TypeError, match="float64"):
        mnist.read_data_sets(str(target), dtype=np.float64, source_url="http://127.0.0.1:9/", **QUIET)
    assert not target.exists()


# ---------------------------------------------------------------------------
# validation_size: 0 <= validation_size <= len(train_images), else TF1's ValueError
# ---------------------------------------------------------------------------

def _read(folder, validation_size, **kw):
    return mnist.read_data_sets(str(folder), validation_size=validation_size,
                                verify_checksums=False, **QUIET, **kw)


@pytest.mark.parametrize("reshape", [True, False])
def test_validation_size_zero_and_all(tmp_path, reshape):
    folder = _write_set(tmp_path)  # 6 training images
    image_shape = (784,) if reshape else (28, 28, 1)
    none = _read(folder, 0, reshape=reshape)
    assert none.validation.num_examples == 0 and none.validation.images.shape == (0, *image_shape)
    assert none.train.num_examples == 6
    everything = _read(folder, 6, reshape=reshape)
    assert everything.train.num_examples == 0 and everything.train.images.shape == (0, *image_shape)
    assert everything.validation.num_examples == 6


@pytest.mark.parametrize("size", [7, -1, 60000])
def test_validation_size_out_of_range_is_tf1s_value_error(tmp_path, size):
    folder = _write_set(tmp_path)
    with pytest.raises(ValueError) as e:
        _read(folder, size)
    # TF1: 'Validation size should be between 0 and {}. Received: {}.'
    expected = f"Validation size should be between 0 and 6. Received: {size}."
    assert expected in str(e.value) and isinstance(e.value, ReproError)


def test_validation_size_non_integer(tmp_path):
    with pytest.raises(TypeError, match="validation_size=2.5: must be an integer"):
        _read(_write_set(tmp_path), 2.5)


# ---------------------------------------------------------------------------
# fake_data
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("one_hot,label", [(False, 0), (True, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0])])
def test_fake_data_touches_no_file(tmp_path, one_hot, label):
    target = tmp_path / "no_such_folder"
    data = mnist.read_data_sets(str(target), fake_data=True, one_hot=one_hot)
    assert not target.exists()
    # read_data_sets(fake_data=True): three DataSet([], [], fake_data=True, ...), 10000 each.
    assert [d.num_examples for d in data] == [10000, 10000, 10000]
    images, labels = data.train.next_batch(3, fake_data=True)
    assert images == [[1] * 784] * 3 and labels == [label] * 3


def test_fake_data_checks_dtype_and_reseeds_like_tf1():
    with pytest.raises(TypeError):
        mnist.read_data_sets("unused", fake_data=True, dtype="int32")
    # TF >= 1.2: each of the three fake DataSets calls numpy.random.seed(seed1 or seed2).
    np.random.seed(1)
    mnist.read_data_sets("unused", fake_data=True, graph_seed=2**31 + 4, batch_order="tf1.1")
    drawn = np.random.rand(3)
    np.random.seed(5)
    np.testing.assert_array_equal(drawn, np.random.rand(3))


def test_fake_and_real_batches_do_not_mix():
    fake = mnist.read_data_sets("unused", fake_data=True).train
    with pytest.raises(ReproError, match="fake data"):
        fake.next_batch(3)
    with pytest.raises(ReproError, match="real images"):
        mnist.DataSet(*_toy(5)).next_batch(3, fake_data=True)


# ---------------------------------------------------------------------------
# next_batch(shuffle=False), TF >= 1.1; TF 1.0 had no such argument
# ---------------------------------------------------------------------------

class ShuffleOracle(TF11Oracle):
    """mnist.py (TF 1.1 to 1.12) DataSet.next_batch(batch_size, fake_data=False, shuffle=True)."""

    def next_batch(self, b, shuffle=True):
        start = self.index
        if self.epochs == 0 and start == 0 and shuffle:
            perm0 = np.arange(self.n)
            np.random.shuffle(perm0)
            self.x = self.x[perm0]
        if start + b > self.n:
            self.epochs += 1
            rest = self.x[start:self.n]
            if shuffle:
                perm = np.arange(self.n)
                np.random.shuffle(perm)
                self.x = self.x[perm]
            self.index = b - len(rest)
            return np.concatenate((rest, self.x[:self.index]))
        self.index += b
        return self.x[start:self.index]


def test_shuffle_false_is_file_order_round_and_round():
    ds = mnist.DataSet(*_toy(7), batch_order="tf1.1", graph_seed=0)
    state = np.random.get_state()[1].copy()
    got = [list(ds.next_batch_indices(3, shuffle=False)) for _ in range(4)]
    # No perm0, and the wrap takes rest [6] plus the head [0, 1] without a reshuffle.
    assert got == [[0, 1, 2], [3, 4, 5], [6, 0, 1], [2, 3, 4]]
    assert ds.epochs_completed == 1
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # no draw at all


@pytest.mark.parametrize("pattern", [[False, True, True, True, True, True, True, True],
                                     [True, False, False, True, False, True, True, False]])
def test_mixed_shuffle_matches_tf1(pattern):
    images, labels = _toy(10)
    ds = mnist.DataSet(images, labels, batch_order="tf1.1", graph_seed=8)
    ours = [ds.next_batch(4, shuffle=s)[1] for s in pattern * 2]
    oracle = ShuffleOracle(labels, seed=8)
    theirs = [oracle.next_batch(4, shuffle=s) for s in pattern * 2]
    np.testing.assert_array_equal(np.array(ours), np.array(theirs))


def test_tf10_had_no_shuffle_argument():
    ds = mnist.DataSet(*_toy(7))
    with pytest.raises(TypeError, match="TF 1.0") as e:
        ds.next_batch(3, shuffle=False)
    assert isinstance(e.value, ReproError)
    ds.next_batch(3, shuffle=True)  # the only behaviour TF 1.0 had
