"""The TF1 API a 2016-2018 program expects, built on ``tf.compat.v1``.

:func:`build` returns a module object that a program gets for ``import
tensorflow as tf``.  It is ``tf.compat.v1`` (in a process where v2 behaviour
is disabled, so variables are TF1 reference variables), plus:

* the names TensorFlow 1.0 removed or renamed (``tf.sub``, ``tf.mul``,
  ``tf.neg``, ``tf.select``, ``tf.pack``, ``tf.scalar_summary``,
  ``tf.train.SummaryWriter``, ...), each mapped to its successor;
* TF 0.x argument orders: ``tf.nn.nce_loss(weights, biases, inputs,
  labels, ...)`` (and ``sampled_softmax_loss``), ``tf.concat(dim, values)`` and
  ``tf.split(dim, num, value)`` (told apart from TF1's by the type of the
  first argument), and the positional ``(logits, labels)`` of the three
  cross-entropy functions (TF 1.0 made them keyword-only, so a positional
  call can only be TF 0.x's), with ``targets=`` for ``labels=``;
* ``tf.Session`` / ``tf.InteractiveSession`` that run with the configuration
  the runner chose (the archive's deterministic one by default);
* ``tf.Graph`` and ``tf.reset_default_graph`` that give every graph the
  runner's graph-level seed, as ``tf.set_random_seed(S)`` at the top of the
  program would have for its first graph;
* ``tf.contrib.rnn`` (TF 1.x's cells and static RNNs), the
  ``tf.contrib.layers`` pieces tutorials used (``flatten``,
  ``fully_connected``, ``conv2d``, ``max_pool2d``, Xavier initialisers,
  ``l2_regularizer``), ``tf.contrib.seq2seq.sequence_loss``, and TF 0.x's ``tensorflow.python.ops.rnn``
  (``rnn.rnn``, ``rnn.bidirectional_rnn``) and ``rnn_cell``;
* ``tensorflow.models.rnn`` (TF 0.5-0.8's home of ``rnn`` and ``rnn_cell``,
  the same two modules);
* ``tf.contrib.factorization.KMeans``: TensorFlow's own copy of contrib's
  ``clustering_ops`` (moved into TensorFlow in 1.12, still there);
* ``tf.contrib.tensorboard.plugins.projector``: the tensorboard package's
  ``projector`` (same ``ProjectorConfig``, ``visualize_embeddings``);
* ``tensorflow.python.keras`` (and TF 1.4-1.6's ``._impl.keras``), the
  private path programs imported Keras from: answered from ``tf.keras``
  (tf-keras), whose objects the program mixes them with;
* ``tensorflow.examples.tutorials.mnist.mnist``, the tutorial's model
  library (``inference``, ``loss``, ``training``, ``evaluation``);
* ``tf.estimator`` (gone from TensorFlow >= 2.16): the graph-mode stand-in
  of tf1_repro.original.estimator (``Estimator``, ``EstimatorSpec``,
  ``ModeKeys``, ``RunConfig``, ``inputs.numpy_input_fn``) for TF1 programs;
* ``tensorflow.examples.tutorials.mnist.input_data`` (and
  ``tf.contrib.learn.datasets.mnist``), served by tf1_repro.mnist in the
  batch order of the TF release chosen.

Other ``tf.contrib`` names come from TensorFlow's own upgrade tables
(``tf_upgrade_v2``'s renames: ``tf.contrib.data``, ``framework``,
``summary``, ...), and ``tf.contrib.slim`` from the tf-slim package when it is
installed (with the TensorFlow internals tf-slim 1.1 uses and TensorFlow has
moved since given back under their old names, :func:`_tf_slim_compat`); where
tf-slim is installed, the ``tf.contrib.layers`` names not stood in for here
come from it too.  Whatever is neither in ``tf.compat.v1`` nor here raises :class:`MissingAPI`
naming the dotted name the program asked for (``tf.contrib.rnn``); the runner
turns it into one line naming the program's file and line.
"""
import os
import types

import numpy as np


class MissingAPI(Exception):
    """Mixin of the errors for a TF1 name the archive does not provide."""

    def __init__(self, api, hint=None):
        hint = hint or _hint(api)
        super().__init__(f"{api} is not provided by tf.compat.v1 on this TensorFlow "
                         "nor by tf1_repro's TF1 stand-ins" + (f"; {hint}" if hint else ""))
        self.api = api


class MissingAttribute(MissingAPI, AttributeError):
    """``tf.<name>``: an AttributeError, so ``hasattr(tf, name)`` still answers False."""


class MissingModule(MissingAPI, ImportError):
    """``from tensorflow.<module> import ...``: an ImportError."""


class ApiModule(types.ModuleType):
    """A view of one ``tf.compat.v1`` module under the TF1 name the program uses.

    Attributes come from ``extra`` first, then from the real module; a
    submodule comes back as another ApiModule, so ``tf.nn.foo`` and ``tf.foo``
    fail the same way when missing.
    """

    def __init__(self, dotted, real, extra, sub_extra):
        super().__init__(dotted.replace("tf", "tensorflow", 1))
        self.__dict__["_dotted"] = dotted
        self.__dict__["_real"] = real
        self.__dict__["_extra"] = extra
        self.__dict__["_sub_extra"] = sub_extra
        self.__dict__.update(extra)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            return getattr(self._real, name)
        try:
            value = getattr(self._real, name)
        except AttributeError:
            dotted = f"{self._dotted}.{name}"
            raise MissingAttribute(dotted, _HINTS.get(dotted)) from None
        if isinstance(value, types.ModuleType) and value.__name__.startswith("tensorflow"):
            dotted = f"{self._dotted}.{name}"
            value = ApiModule(dotted, value, self._sub_extra.get(dotted, {}), self._sub_extra)
        self.__dict__[name] = value
        return value

    def __dir__(self):
        return sorted(set(dir(self._real)) | set(self._extra))


class Namespace(types.ModuleType):
    """A package path that only holds what the archive provides (``tf.examples``)."""

    def __init__(self, dotted, children):
        super().__init__(dotted.replace("tf", "tensorflow", 1))
        self.__dict__["_dotted"] = dotted
        self.__dict__.update(children)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        dotted = f"{self._dotted}.{name}"
        found = _from_upgrade_tables(dotted)
        if found is None:
            raise MissingAttribute(dotted, _HINTS.get(dotted))
        self.__dict__[name] = found
        return found


# Where a removed TF1 name went, when it went to a package of its own.
_HINTS = {
    "tf.contrib.slim": "its successor is the tf-slim package (pip install tf-slim)",
    "tf.contrib.estimator": "tf.estimator is gone from TensorFlow >= 2.16",
    "tf.contrib.learn.Estimator": "tf.estimator is gone from TensorFlow >= 2.16",
    "tf.estimator": "it is gone from TensorFlow >= 2.16 (run the program on TensorFlow <= 2.15)",
}

_ESTIMATOR_HINT = ("TensorFlow >= 2.16 has no tf.estimator; tf1_repro's stand-in has "
                   "Estimator (train, evaluate, predict), EstimatorSpec, ModeKeys, RunConfig "
                   "and inputs.numpy_input_fn")


def _hint(dotted):
    """Where a missing name went, or what the archive has instead (None: nothing to say)."""
    if dotted in _HINTS:
        return _HINTS[dotted]
    if dotted.startswith(("tf.estimator.", "tf.estimator(")):
        return _ESTIMATOR_HINT
    if dotted.startswith("tf.contrib.layers."):
        try:
            import tf_slim  # noqa: F401
        except ImportError:
            return ("the rest of tf.contrib.layers is in the tf-slim package (pip install tf-slim, "
                    "or the archive's [originals] extra)")
    return None


_TABLES = {}


def upgrade_table():
    """TensorFlow's own ``tf_upgrade_v2`` renames of ``tf.contrib`` names (name -> TF2 name)."""
    if "contrib" not in _TABLES:
        try:
            from tensorflow.tools.compatibility import all_renames_v2
            renames = dict(all_renames_v2.symbol_renames)
        except ImportError:  # a TensorFlow without the upgrade tool
            renames = {}
        table = {k: v for k, v in renames.items() if k.startswith("tf.contrib.")}
        prefixes = set()
        for key in table:
            parts = key.split(".")
            prefixes.update(".".join(parts[:i]) for i in range(2, len(parts)))
        _TABLES["contrib"] = (table, prefixes)
    return _TABLES["contrib"]


def _from_upgrade_tables(dotted):
    """``tf.contrib.<name>`` from TensorFlow's upgrade tables: the object, a namespace, or None."""
    if not dotted.startswith("tf.contrib."):
        return None
    table, prefixes = upgrade_table()
    if dotted in table:
        import tensorflow as real_tf
        node = real_tf
        for part in table[dotted].split(".")[1:]:
            node = getattr(node, part, None)
            if node is None:
                return None
        return node
    if dotted in prefixes:
        return Namespace(dotted, {})
    return None


class _SlimFallback(Namespace):
    """``tf.contrib.layers``: the archive's stand-ins, then tf-slim's copy of the rest.

    tf-slim (``pip install tf-slim``) is TF 1.x's ``tf.contrib.layers`` kept as a
    package; where it is installed, the names the archive does not stand in
    for (``batch_norm``, ``dropout``, ``embed_sequence``, ``optimize_loss``,
    ...) come from ``tf_slim.layers``.
    """

    def __getattr__(self, name):
        if not (name.startswith("__") and name.endswith("__")):
            try:
                import tf_slim
            except ImportError:
                tf_slim = None
            if tf_slim is not None and hasattr(tf_slim.layers, name):
                _tf_slim_compat()
                value = getattr(tf_slim.layers, name)
                self.__dict__[name] = value
                return value
        return super().__getattr__(name)


class LazyNamespace(Namespace):
    """A Namespace filled on first use (``tf.nn.rnn_cell`` loads Keras 2 when first touched)."""

    def __init__(self, dotted, fill):
        super().__init__(dotted, {})
        self.__dict__["_fill"] = fill

    def __getattr__(self, name):
        fill = self.__dict__.pop("_fill", None)
        if fill is not None:
            self.__dict__.update(fill())
            if name in self.__dict__:
                return self.__dict__[name]
        return super().__getattr__(name)

    def __dir__(self):
        fill = self.__dict__.pop("_fill", None)
        if fill is not None:
            self.__dict__.update(fill())
        return sorted(k for k in self.__dict__ if not k.startswith("_"))


# ---------------------------------------------------------------------------
# input_data
# ---------------------------------------------------------------------------

def make_input_data(data_dir, batch_order, emit=print):
    """The ``input_data`` module: TF1's ``read_data_sets`` on tf1_repro.mnist.

    ``data_dir`` (when not None) replaces the folder the program names, so
    ``read_data_sets("MNIST_data/")`` reads the archive's copy; the
    ``Extracting ...`` lines still name the program's folder, as its
    transcript did.  The arguments are TF1's, passed on as they are (dtype
    rules, fake data and validation edges are the loader's, TF1's); the
    graph-level seed of the default graph is passed on as TF1 read it (it
    matters only to the ``tf1.1`` batch order).
    """
    from tf1_repro import mnist

    def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=np.float32, reshape=True,
                       validation_size=5000, seed=None, source_url=None):
        import tensorflow as real_tf
        folder = data_dir if data_dir else train_dir

        def log(message):
            if message.startswith("Extracting ") and data_dir:
                message = "Extracting " + os.path.join(train_dir, os.path.basename(message[11:]))
            emit(message)

        return mnist.read_data_sets(folder, fake_data, one_hot, dtype, reshape, validation_size,
                                    seed, source_url or None,
                                    graph_seed=real_tf.compat.v1.get_default_graph().seed,
                                    batch_order=batch_order, log=log)

    module = types.ModuleType("tensorflow.examples.tutorials.mnist.input_data")
    module.read_data_sets = read_data_sets
    module.DataSet = mnist.DataSet
    module.dense_to_one_hot = mnist.dense_to_one_hot
    return module


def make_tutorial_mnist(tf1):
    """``tensorflow.examples.tutorials.mnist.mnist``: the model library of TF1's MNIST tutorial.

    ``fully_connected_feed.py`` imports it: ``inference`` (two ReLU layers
    and a linear one, truncated-normal weights of stddev 1/sqrt(fan-in) in
    the name scopes ``hidden1``, ``hidden2``, ``softmax_linear``), ``loss``
    (mean sparse softmax cross entropy), ``training`` (a ``loss`` scalar
    summary, plain gradient descent and a ``global_step``) and
    ``evaluation`` (the count of top-1 hits).
    """
    import math

    num_classes, image_size = 10, 28
    image_pixels = image_size * image_size

    def layer(scope, inputs, fan_in, units, relu):
        with tf1.name_scope(scope):
            weights = tf1.Variable(
                tf1.truncated_normal([fan_in, units], stddev=1.0 / math.sqrt(float(fan_in))),
                name="weights")
            biases = tf1.Variable(tf1.zeros([units]), name="biases")
            out = tf1.matmul(inputs, weights) + biases
            return tf1.nn.relu(out) if relu else out

    def inference(images, hidden1_units, hidden2_units):
        """Logits of the tutorial's two-hidden-layer network."""
        hidden1 = layer("hidden1", images, image_pixels, hidden1_units, True)
        hidden2 = layer("hidden2", hidden1, hidden1_units, hidden2_units, True)
        return layer("softmax_linear", hidden2, hidden2_units, num_classes, False)

    def loss(logits, labels):
        """Mean cross entropy of the logits against integer labels."""
        labels = tf1.cast(labels, tf1.int64)
        cross_entropy = tf1.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits, name="xentropy")
        return tf1.reduce_mean(cross_entropy, name="xentropy_mean")

    def training(loss, learning_rate):
        """The training op: gradient descent on ``loss``, counting ``global_step``."""
        tf1.summary.scalar("loss", loss)
        optimizer = tf1.train.GradientDescentOptimizer(learning_rate)
        global_step = tf1.Variable(0, name="global_step", trainable=False)
        return optimizer.minimize(loss, global_step=global_step)

    def evaluation(logits, labels):
        """How many of the batch's labels are the logits' top class."""
        correct = tf1.nn.in_top_k(logits, labels, 1)
        return tf1.reduce_sum(tf1.cast(correct, tf1.int32))

    module = types.ModuleType("tensorflow.examples.tutorials.mnist.mnist")
    module.__dict__.update(NUM_CLASSES=num_classes, IMAGE_SIZE=image_size,
                           IMAGE_PIXELS=image_pixels, inference=inference, loss=loss,
                           training=training, evaluation=evaluation)
    return module


# ---------------------------------------------------------------------------
# Renamed and re-ordered API
# ---------------------------------------------------------------------------

def _is_axis(x):
    return isinstance(x, (int, np.integer))


def _renames(tf1):
    """Top-level names TF 1.0 removed, mapped to their TF1 successors."""
    return {
        "sub": tf1.subtract, "mul": tf1.multiply, "neg": tf1.negative,
        "inv": tf1.math.reciprocal, "select": tf1.where, "pack": tf1.stack,
        "unpack": tf1.unstack, "batch_matmul": tf1.matmul, "listdiff": tf1.setdiff1d,
        "complex_abs": tf1.abs, "concat_v2": tf1.concat,
        "scalar_summary": tf1.summary.scalar, "histogram_summary": tf1.summary.histogram,
        "image_summary": tf1.summary.image, "audio_summary": tf1.summary.audio,
        "merge_summary": tf1.summary.merge, "merge_all_summaries": tf1.summary.merge_all,
    }


def _tf0_concat(tf1):
    def concat(values, axis=None, name="concat", concat_dim=None):
        """TF1's ``concat(values, axis)``, or TF 0.x's ``concat(concat_dim, values)``."""
        if concat_dim is not None:
            values, axis = axis if axis is not None else values, concat_dim
        elif _is_axis(values) and not _is_axis(axis):
            values, axis = axis, values
        return tf1.concat(values, axis, name=name)
    return concat


def _tf0_split(tf1):
    def split(value=None, num_or_size_splits=None, axis=0, num=None, name="split",
              split_dim=None, num_split=None):
        """TF1's ``split(value, n, axis)``, or TF 0.x's ``split(split_dim, num_split, value)``."""
        if split_dim is not None or num_split is not None:
            return tf1.split(value, num_split, axis=split_dim, name=name)
        if _is_axis(value) and _is_axis(num_or_size_splits) and not _is_axis(axis):
            value, num_or_size_splits, axis = axis, num_or_size_splits, value
        return tf1.split(value, num_or_size_splits, axis=axis, num=num, name=name)
    return split


def _cross_entropy(fn, positional):
    def wrapped(*args, **kwargs):
        """TF 0.x's positional ``(logits, labels)`` and ``targets=``, else TF1's keywords."""
        if "targets" in kwargs:
            kwargs["labels"] = kwargs.pop("targets")
        for name, value in zip(positional, args):
            if name in kwargs:
                raise TypeError(f"{fn.__name__}() got multiple values for argument {name!r}")
            kwargs[name] = value
        return fn(**kwargs)
    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


def _contrib_rnn(tf1):
    """``tf.contrib.rnn`` of TF 1.x: its cells and static RNNs, all in ``tf.compat.v1``."""
    def fill():
        cells = tf1.nn.rnn_cell
        names = {n: getattr(cells, n) for n in dir(cells) if not n.startswith("_")}
        names.update(static_rnn=tf1.nn.static_rnn,
                     static_bidirectional_rnn=tf1.nn.static_bidirectional_rnn,
                     static_state_saving_rnn=tf1.nn.static_state_saving_rnn)
        return names
    return LazyNamespace("tf.contrib.rnn", fill)


def _quietly(fn, *args, **kwargs):
    """``fn(...)`` without its deprecation warning (the program called contrib, not tf.layers)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _contrib_layers(tf1):
    """The ``tf.contrib.layers`` pieces tutorials used, on ``tf.compat.v1.layers``.

    The arguments and defaults are contrib's (``fully_connected`` and
    ``conv2d`` apply ReLU unless told otherwise; Xavier initialisation,
    zero biases; with a ``normalizer_fn``, no biases and the normalizer
    between the layer and its activation); variable names are ``tf.layers``'.
    """
    def normalized(layer_fn, default_name, inputs, args, layer, activation_fn, normalizer_fn,
                   normalizer_params, scope, reuse):
        """contrib's order with a ``normalizer_fn``: the layer without biases, the normalizer
        (its variables in the layer's scope), then the activation."""
        with tf1.variable_scope(scope, default_name=default_name, values=[inputs], reuse=reuse):
            outputs = _quietly(layer_fn, inputs, *args, activation=None, use_bias=False, **layer)
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
            return activation_fn(outputs) if activation_fn is not None else outputs

    def flatten(inputs, outputs_collections=None, scope=None):
        return _quietly(tf1.layers.flatten, inputs, name=scope)

    def fully_connected(inputs, num_outputs, activation_fn=tf1.nn.relu, normalizer_fn=None,
                        normalizer_params=None, weights_initializer=None,
                        weights_regularizer=None, biases_initializer=tf1.zeros_initializer(),
                        biases_regularizer=None, reuse=None, variables_collections=None,
                        outputs_collections=None, trainable=True, scope=None):
        layer = dict(kernel_initializer=weights_initializer or tf1.glorot_uniform_initializer(),
                     bias_initializer=biases_initializer or tf1.zeros_initializer(),
                     kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
                     trainable=trainable)
        if normalizer_fn is not None:
            return normalized(tf1.layers.dense, "fully_connected", inputs, (num_outputs,), layer,
                              activation_fn, normalizer_fn, normalizer_params, scope, reuse)
        return _quietly(
            tf1.layers.dense, inputs, num_outputs, activation=activation_fn,
            use_bias=biases_initializer is not None, name=scope, reuse=reuse, **layer)

    def conv2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
               rate=1, activation_fn=tf1.nn.relu, normalizer_fn=None, normalizer_params=None,
               weights_initializer=None, weights_regularizer=None,
               biases_initializer=tf1.zeros_initializer(), biases_regularizer=None, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               scope=None):
        fmt = "channels_first" if data_format and data_format.startswith("NC") else "channels_last"
        layer = dict(strides=stride, padding=padding.lower(), data_format=fmt, dilation_rate=rate,
                     kernel_initializer=weights_initializer or tf1.glorot_uniform_initializer(),
                     bias_initializer=biases_initializer or tf1.zeros_initializer(),
                     kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
                     trainable=trainable)
        if normalizer_fn is not None:
            return normalized(tf1.layers.conv2d, "Conv", inputs, (num_outputs, kernel_size), layer,
                              activation_fn, normalizer_fn, normalizer_params, scope, reuse)
        return _quietly(
            tf1.layers.conv2d, inputs, num_outputs, kernel_size, activation=activation_fn,
            use_bias=biases_initializer is not None, name=scope, reuse=reuse, **layer)

    def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC",
                   outputs_collections=None, scope=None):
        fmt = "channels_first" if data_format.startswith("NC") else "channels_last"
        return _quietly(tf1.layers.max_pooling2d, inputs, kernel_size, stride, padding=padding.lower(),
                                        data_format=fmt, name=scope)

    def xavier_initializer(uniform=True, seed=None, dtype=tf1.float32):
        if uniform:
            return tf1.glorot_uniform_initializer(seed=seed, dtype=dtype)
        return tf1.glorot_normal_initializer(seed=seed, dtype=dtype)

    def l2_regularizer(scale, scope=None):
        def l2(weights):
            return tf1.multiply(scale, tf1.nn.l2_loss(weights), name=scope)
        return l2

    return _SlimFallback("tf.contrib.layers", {
        "flatten": flatten, "fully_connected": fully_connected, "conv2d": conv2d,
        "max_pool2d": max_pool2d, "xavier_initializer": xavier_initializer,
        "xavier_initializer_conv2d": xavier_initializer, "l2_regularizer": l2_regularizer})


def _contrib_seq2seq(tf1):
    """``tf.contrib.seq2seq.sequence_loss``: weighted cross entropy of [batch, time, classes] logits."""

    def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                      average_across_batch=True, softmax_loss_function=None, name=None):
        with tf1.name_scope(name, "sequence_loss", [logits, targets, weights]):
            num_classes = tf1.shape(logits)[2]
            logits_flat = tf1.reshape(logits, [-1, num_classes])
            targets_flat = tf1.reshape(targets, [-1])
            if softmax_loss_function is None:
                crossent = tf1.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=targets_flat, logits=logits_flat)
            else:
                crossent = softmax_loss_function(labels=targets_flat, logits=logits_flat)
            crossent *= tf1.reshape(weights, [-1])
            if average_across_timesteps and average_across_batch:
                return tf1.reduce_sum(crossent) / (tf1.reduce_sum(weights) + 1e-12)
            crossent = tf1.reshape(crossent, tf1.shape(logits)[:2])
            if average_across_timesteps:
                return tf1.reduce_sum(crossent, axis=[1]) / (tf1.reduce_sum(weights, axis=[1]) + 1e-12)
            if average_across_batch:
                return tf1.reduce_sum(crossent, axis=[0]) / (tf1.reduce_sum(weights, axis=[0]) + 1e-12)
            return crossent

    return Namespace("tf.contrib.seq2seq", {"sequence_loss": sequence_loss})


def tf0_ops(tf1):
    """``tensorflow.python.ops.rnn`` and ``rnn_cell`` as TF 0.x programs imported them.

    TF 0.x's ``rnn.rnn`` and ``rnn.bidirectional_rnn`` are TF 1.x's
    ``static_rnn`` and ``static_bidirectional_rnn``; its ``rnn_cell`` is
    ``tf.nn.rnn_cell``.
    """
    from tensorflow.python.ops import rnn as real_rnn
    rnn = ApiModule("tf.python.ops.rnn", real_rnn, {
        "rnn": tf1.nn.static_rnn, "bidirectional_rnn": tf1.nn.static_bidirectional_rnn,
        "static_rnn": tf1.nn.static_rnn,
        "static_bidirectional_rnn": tf1.nn.static_bidirectional_rnn,
        "dynamic_rnn": tf1.nn.dynamic_rnn,
        "bidirectional_dynamic_rnn": tf1.nn.bidirectional_dynamic_rnn}, {})
    def cells():
        real = tf1.nn.rnn_cell
        return {n: getattr(real, n) for n in dir(real) if not n.startswith("_")}
    rnn_cell = LazyNamespace("tf.python.ops.rnn_cell", cells)
    return {"rnn": rnn, "rnn_cell": rnn_cell}


def _contrib_eager(tf):
    """``tf.contrib.eager`` (``tfe``) of TF 1.5-1.13: the pieces its tutorials used, on ``tf``."""

    def implicit_value_and_gradients(f):
        def value_and_grads(*args, **kwargs):
            with tf.GradientTape() as tape:
                value = f(*args, **kwargs)
            variables = tape.watched_variables()
            return value, list(zip(tape.gradient(value, variables), variables))
        return value_and_grads

    def implicit_gradients(f):
        value_and_grads = implicit_value_and_gradients(f)
        return lambda *args, **kwargs: value_and_grads(*args, **kwargs)[1]

    def value_and_gradients_function(f, params=None):
        def value_and_grads(*args, **kwargs):
            args = [tf.convert_to_tensor(a) for a in args]
            chosen = range(len(args)) if params is None else params
            with tf.GradientTape() as tape:
                for i in chosen:
                    tape.watch(args[i])
                value = f(*args, **kwargs)
            return value, tape.gradient(value, [args[i] for i in chosen])
        return value_and_grads

    def gradients_function(f, params=None):
        value_and_grads = value_and_gradients_function(f, params)
        return lambda *args, **kwargs: value_and_grads(*args, **kwargs)[1]

    class Iterator:
        """``tfe.Iterator(dataset)``: Python iteration, with TF 1.x's ``next()``."""

        def __init__(self, dataset):
            self._it = iter(dataset)

        def __iter__(self):
            return self

        def __next__(self):
            return next(self._it)

        next = __next__
        get_next = __next__

    def fill():
        class Network(tf.keras.Model):
            """``tfe.Network`` (TF 1.4-1.7): a model whose layers are ``track_layer``-ed."""

            def track_layer(self, layer):
                return layer

        return {
            "Variable": tf.Variable, "implicit_gradients": implicit_gradients,
            "implicit_value_and_gradients": implicit_value_and_gradients,
            "gradients_function": gradients_function,
            "value_and_gradients_function": value_and_gradients_function,
            "GradientTape": tf.GradientTape, "Iterator": Iterator, "Network": Network,
            "enable_eager_execution": lambda *args, **kwargs: None,
            "executing_eagerly": tf.executing_eagerly, "defun": tf.function,
            "num_gpus": lambda: len(tf.config.list_physical_devices("GPU")),
            "Checkpoint": tf.train.Checkpoint, "seterr": lambda *args, **kwargs: None}

    return LazyNamespace("tf.contrib.eager", fill)


def _contrib_tensorboard():
    """``tf.contrib.tensorboard.plugins.projector``: TensorBoard's own projector module.

    The embedding tutorials of 2017 (word2vec, MNIST embeddings) wrote a
    ``ProjectorConfig`` with ``projector.visualize_embeddings(writer,
    config)``; the tensorboard package keeps the same protocol buffer and
    function (which still takes a ``FileWriter``).
    """
    def projector():
        from tensorboard.plugins import projector as real
        return {name: getattr(real, name) for name in dir(real) if not name.startswith("_")}
    plugins = Namespace("tf.contrib.tensorboard.plugins", {
        "projector": LazyNamespace("tf.contrib.tensorboard.plugins.projector", projector)})
    return Namespace("tf.contrib.tensorboard", {"plugins": plugins})


def _contrib_factorization():
    """``tf.contrib.factorization``'s ``KMeans``: the same graph, from TensorFlow itself.

    TF 1.12 moved contrib's ``clustering_ops`` (the ``KMeans`` graph builder
    and its ``nearest_neighbors`` / k-means++ / k-MC2 kernels) into TensorFlow
    as ``tensorflow.python.ops.clustering_ops``, where it still is; contrib's
    module was that code.  ``training_graph()`` returns the six tensors of TF
    1.1-1.3 and >= 1.9 or the seven of TF 1.4-1.8, as the program unpacks it
    (tf1_repro.original.factorization).  The rest of contrib.factorization (``WALSModel``, ``GMM``, the
    ``KMeansClustering`` estimator) is not provided.
    """
    def fill():
        from tensorflow.python.ops import clustering_ops

        from tf1_repro.original import factorization
        names = {n: getattr(clustering_ops, n) for n in (
            "COSINE_DISTANCE", "SQUARED_EUCLIDEAN_DISTANCE", "RANDOM_INIT",
            "KMEANS_PLUS_PLUS_INIT", "KMC2_INIT")}
        names["KMeans"] = factorization.kmeans_class()
        module = Namespace("tf.contrib.factorization.python.ops.clustering_ops",
                           {**names, "nearest_neighbors": clustering_ops.nearest_neighbors})
        names["python"] = Namespace("tf.contrib.factorization.python", {"ops": Namespace(
            "tf.contrib.factorization.python.ops", {"clustering_ops": module})})
        return names
    return LazyNamespace("tf.contrib.factorization", fill)


def _private_keras(shim, parts, fromlist):
    """``from tensorflow.python.keras[._impl.keras].X import Y``: TF 1.x's private path to Keras.

    TF 1.4-1.6 kept Keras in ``tensorflow.python.keras._impl.keras``, later
    ones in ``tensorflow.python.keras``; programs imported from there
    (``from tensorflow.python.keras.optimizers import SGD``).  Today that
    path holds a frozen Keras of its own, without most of those names, and its
    objects do not mix with ``tf.keras``'s.  The import is answered from
    the program's ``tf.keras`` (tf-keras, Keras 2), or from tf-keras's
    private modules (``engine``, ...) where the public API has no such module.
    """
    import importlib
    if parts[:2] == ["_impl", "keras"]:
        parts = parts[2:]
    dotted = "tf.python.keras" + "".join("." + p for p in parts)

    def find(path):
        node = shim.keras
        try:
            for part in path:
                node = getattr(node, part)
            return node
        except AttributeError:
            pass
        try:
            return importlib.import_module(".".join(["tf_keras", "src", *path]))
        except ImportError:
            return None

    node = find(parts)
    if node is None:
        raise MissingModule(dotted)
    if not fromlist:
        return None
    view = types.ModuleType("tensorflow.python.keras" + "".join("." + p for p in parts))
    for item in fromlist:
        if item == "*":
            view.__dict__.update({k: v for k, v in vars(node).items() if not k.startswith("_")})
            continue
        value = getattr(node, item, None)
        if value is None:
            value = find(parts + [item])
        for public in (shim.keras, shim.keras.layers):
            # What TF 1.x's package __init__s re-exported (engine's Layer, InputSpec, ...).
            value = value if value is not None else getattr(public, item, None)
        if value is None:
            raise MissingModule(f"{dotted}.{item}")
        setattr(view, item, value)
    return view


def _tf0_sampled_loss(tf1, fn):
    """TF 0.x's ``(weights, biases, inputs, labels, ...)``, or TF 1.x's ``(..., labels, inputs, ...)``.

    TF 1.0 swapped the third and fourth arguments of ``nce_loss`` and
    ``sampled_softmax_loss``; labels are integers and inputs floats, so the
    dtypes tell which order a positional call used.
    """
    def is_integer(x):
        try:
            return tf1.convert_to_tensor(x).dtype.is_integer
        except (TypeError, ValueError):
            return False

    def wrapped(weights, biases, *args, **kwargs):
        args = list(args)
        if len(args) >= 2 and is_integer(args[1]) and not is_integer(args[0]):
            args[0], args[1] = args[1], args[0]
        return fn(weights, biases, *args, **kwargs)
    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


# Names tf-slim 1.1 reaches in TensorFlow's private modules that TensorFlow
# has since moved (module, name, where it lives now, its name there).
_TF_SLIM_MOVED = (
    ("tensorflow.python.framework.ops", "Tensor", "tensorflow.python.framework.tensor", "Tensor"),
    ("tensorflow.python.framework.ops", "IndexedSlices",
     "tensorflow.python.framework.indexed_slices", "IndexedSlices"),
    ("tensorflow.python.ops.array_ops", "stack", "tensorflow.python.ops.array_ops_stack", "stack"),
    ("tensorflow.python.ops.array_ops", "unstack", "tensorflow.python.ops.array_ops_stack",
     "unstack"),
    ("tensorflow.python.ops.control_flow_ops", "cond", "tensorflow.python.ops.cond", "cond"),
    ("tensorflow.python.ops.control_flow_ops", "case", "tensorflow.python.ops.control_flow_case",
     "case"),
    ("tensorflow.python.ops.control_flow_ops", "while_loop", "tensorflow.python.ops.while_loop",
     "while_loop"),
    ("tensorflow.python.ops.control_flow_ops", "Assert",
     "tensorflow.python.ops.control_flow_assert", "Assert"),
    ("tensorflow.python.ops.variable_scope", "variable", "tensorflow.python.ops.variables",
     "VariableV1"),
)


def _tf_slim_compat():
    """Let tf-slim 1.1 (written for TF 1.15-2.x) find what it uses in TensorFlow 2.21.

    tf-slim reaches into TensorFlow's private modules; TensorFlow has since
    moved some of those names (``ops.Tensor``, ``array_ops.stack``,
    ``control_flow_ops.cond``, ...: :data:`_TF_SLIM_MOVED`), each is given
    back under its old name where it is missing.  And TensorFlow 2.21's
    ``tensorflow.python.layers.normalization`` (``slim.batch_norm``) loads
    ``tf_keras.legacy_tf_layers.normalization``, which tf-keras keeps at
    ``tf_keras.src.legacy_tf_layers``: the old name is pointed there.
    """
    import importlib
    import sys
    for old, name, new, new_name in _TF_SLIM_MOVED:
        try:
            module = importlib.import_module(old)
            if not hasattr(module, name):
                setattr(module, name, getattr(importlib.import_module(new), new_name))
        except (ImportError, AttributeError):
            pass
    try:
        importlib.import_module("tf_keras.legacy_tf_layers.normalization")
        return
    except ImportError:
        pass
    try:
        package = importlib.import_module("tf_keras.src.legacy_tf_layers")
        normalization = importlib.import_module("tf_keras.src.legacy_tf_layers.normalization")
    except ImportError:
        return
    sys.modules.setdefault("tf_keras.legacy_tf_layers", package)
    sys.modules.setdefault("tf_keras.legacy_tf_layers.normalization", normalization)


def _estimator(tf1, session, graph):
    """``tf.estimator`` (and ``tf.estimator.inputs``): tf1_repro.original.estimator's stand-in."""
    from tf1_repro.original.estimator import make_estimator
    names = make_estimator(tf1, session, graph, MissingAttribute)
    inputs = Namespace("tf.estimator.inputs", {"numpy_input_fn": names.pop("numpy_input_fn")})
    return Namespace("tf.estimator", dict(names, inputs=inputs))


def build(tf, session_config=None, seed=None, input_data=None, eager=False):
    """The module a program gets for ``import tensorflow``.

    ``session_config(config)`` returns the ConfigProto to run a session with,
    given the program's own (or None); ``seed`` is the graph-level seed given
    to every graph (None: the program's own seeding); ``input_data`` is the
    module from :func:`make_input_data` (default: the program's own folder,
    TF 1.0's batch order).  ``eager``: a TF 1.x eager program (the process
    runs eagerly; its ``tf.enable_eager_execution()`` is already done).
    """
    tf1 = tf.compat.v1
    configure = session_config or (lambda config: config)

    class Session(tf1.Session):
        __doc__ = tf1.Session.__doc__

        def __init__(self, target="", graph=None, config=None):
            super().__init__(target, graph, configure(config))

    class InteractiveSession(tf1.InteractiveSession):
        __doc__ = tf1.InteractiveSession.__doc__

        def __init__(self, target="", graph=None, config=None):
            super().__init__(target, graph, configure(config))

    class Graph(tf1.Graph):
        __doc__ = tf1.Graph.__doc__

        def __init__(self):
            super().__init__()
            if seed is not None:
                self.seed = seed

    def reset_default_graph():
        """``tf.reset_default_graph``; the new default graph gets the runner's seed."""
        tf1.reset_default_graph()
        if seed is not None:
            tf1.set_random_seed(seed)

    extra = _renames(tf1)
    extra.update(Session=Session, InteractiveSession=InteractiveSession, Graph=Graph,
                 reset_default_graph=reset_default_graph,
                 concat=_tf0_concat(tf1), split=_tf0_split(tf1))
    nn = tf1.nn
    sub_extra = {
        "tf.nn": {
            "softmax_cross_entropy_with_logits": _cross_entropy(
                nn.softmax_cross_entropy_with_logits, ("logits", "labels", "dim", "name")),
            "sparse_softmax_cross_entropy_with_logits": _cross_entropy(
                nn.sparse_softmax_cross_entropy_with_logits, ("logits", "labels", "name")),
            "sigmoid_cross_entropy_with_logits": _cross_entropy(
                nn.sigmoid_cross_entropy_with_logits, ("logits", "labels", "name")),
            "deconv2d": nn.conv2d_transpose,
            "nce_loss": _tf0_sampled_loss(tf1, nn.nce_loss),
            "sampled_softmax_loss": _tf0_sampled_loss(tf1, nn.sampled_softmax_loss),
            "rnn": nn.static_rnn,
            "bidirectional_rnn": nn.static_bidirectional_rnn,
        },
        "tf.train": {"SummaryWriter": tf1.summary.FileWriter},
    }
    if input_data is None:
        input_data = make_input_data(None, "tf1.0")
    mnist_ns = Namespace("tf.examples.tutorials.mnist", {
        "input_data": input_data, "mnist": make_tutorial_mnist(tf1)})
    extra["examples"] = Namespace("tf.examples", {
        "tutorials": Namespace("tf.examples.tutorials", {"mnist": mnist_ns})})
    datasets_mnist = Namespace("tf.contrib.learn.datasets.mnist", {
        "read_data_sets": input_data.read_data_sets, "DataSet": input_data.DataSet})
    datasets = Namespace("tf.contrib.learn.datasets", {"mnist": datasets_mnist})
    learn_python = Namespace("tf.contrib.learn.python", {"learn": Namespace(
        "tf.contrib.learn.python.learn", {"datasets": datasets})})
    extra["contrib"] = Namespace("tf.contrib", {
        "tensorboard": _contrib_tensorboard(),
        "learn": Namespace("tf.contrib.learn", {"datasets": datasets, "python": learn_python}),
        "rnn": _contrib_rnn(tf1), "layers": _contrib_layers(tf1), "eager": _contrib_eager(tf),
        "seq2seq": _contrib_seq2seq(tf1), "factorization": _contrib_factorization()})
    if not eager:
        extra["estimator"] = _estimator(tf1, Session, Graph)
    if eager:
        # The program enables eager execution; the runner started it so.
        extra["enable_eager_execution"] = lambda *args, **kwargs: None
    try:
        import tf_slim
        extra["contrib"].__dict__["slim"] = tf_slim
        _tf_slim_compat()
    except ImportError:
        pass
    shim = ApiModule("tf", tf1, extra, sub_extra)
    shim.__dict__["_tf0_ops"] = tf0_ops(tf1)
    return shim


def resolve_import(shim, name, fromlist):
    """What ``__import__(name, fromlist=...)`` returns for a ``tensorflow...`` name, or None.

    None means: not the TF1 API's, let Python import the real module (for
    ``tensorflow.python...`` and the like).
    """
    parts = name.split(".")[1:]
    if not parts:
        return shim
    tf0_ops = shim.__dict__.get("_tf0_ops", {})
    if parts[:2] == ["python", "ops"] and tf0_ops:
        if len(parts) == 3 and parts[2] in tf0_ops and fromlist:
            return tf0_ops[parts[2]]
        if len(parts) == 2 and fromlist and any(item in tf0_ops for item in fromlist):
            import importlib
            real = importlib.import_module("tensorflow.python.ops")
            view = types.ModuleType("tensorflow.python.ops")
            for item in fromlist:
                if item in tf0_ops:
                    setattr(view, item, tf0_ops[item])
                elif item != "*":
                    try:
                        setattr(view, item, getattr(real, item))
                    except AttributeError:
                        importlib.import_module(f"tensorflow.python.ops.{item}")
                        setattr(view, item, getattr(real, item))
            return view
    if parts[:2] == ["python", "keras"]:
        return _private_keras(shim, parts[2:], fromlist)
    if parts == ["python"] and fromlist and "keras" in fromlist:
        import importlib
        view = types.ModuleType("tensorflow.python")
        for item in fromlist:
            setattr(view, item, shim.keras if item == "keras"
                    else importlib.import_module(f"tensorflow.python.{item}"))
        return view
    if parts[:2] == ["models", "rnn"] and tf0_ops:
        # TF 0.5-0.8 kept the RNN library in tensorflow.models.rnn: the same rnn and rnn_cell.
        if len(parts) == 2 and fromlist and all(item in tf0_ops for item in fromlist):
            view = types.ModuleType("tensorflow.models.rnn")
            for item in fromlist:
                setattr(view, item, tf0_ops[item])
            return view
        if len(parts) == 3 and parts[2] in tf0_ops and fromlist:
            return tf0_ops[parts[2]]
        missing = [item for item in fromlist or () if len(parts) == 2 and item not in tf0_ops]
        raise MissingModule("tf." + ".".join(parts[:3] + missing[:1]))
    if parts[0] not in ("examples", "contrib", "estimator"):
        return None
    node = shim
    for i, part in enumerate(parts):
        try:
            node = getattr(node, part)
        except AttributeError:
            dotted = "tf." + ".".join(parts[:i + 1])
            raise MissingModule(dotted, _HINTS.get(dotted)) from None
    if fromlist:
        for item in fromlist:
            if item != "*" and not hasattr(node, item):
                raise MissingModule(f"tf.{'.'.join(parts)}.{item}")
        return node
    return shim
