"""``tf.estimator`` of TF 1.x, for the tutorials that trained with it (TF >= 2.16 has none).

TensorFlow 2.16 dropped the ``tensorflow_estimator`` package, and with it
``tf.estimator``; a 2017-2018 tutorial built on it (a ``model_fn``, an
``Estimator``, ``numpy_input_fn``) stopped at its first line of it.
:func:`make_estimator` returns a graph-mode stand-in for the path those
tutorials took:

* ``Estimator(model_fn, model_dir=None, config=None, params=None)``
  (TF 1.x's argument order) with ``train(input_fn, steps=None,
  max_steps=None)``, ``evaluate(input_fn, steps=None)`` and
  ``predict(input_fn)``, ``model_dir``, ``config``, ``params``,
  ``latest_checkpoint()``, ``get_variable_names()`` and
  ``get_variable_value(name)``;
* ``EstimatorSpec``, ``ModeKeys``, ``RunConfig`` (its settings kept; of
  them only ``model_dir``, ``tf_random_seed`` and ``session_config`` change
  what runs) and ``inputs.numpy_input_fn``.

Each call builds a graph of its own, as TF 1.x did: the global step first,
then the ``input_fn``'s tensors, then the ``model_fn`` (given ``features``,
``labels``, ``mode`` and, when it asks for them, ``params`` and
``config``).  ``train`` starts from the latest checkpoint in ``model_dir``
(a temporary folder when none is given, removed at exit) and saves one
there when it ends; ``steps`` counts on from the global step,
``max_steps`` is where it stops, and an input that runs out ends it.
``evaluate`` restores the checkpoint, runs the ``eval_metric_ops`` updates
until the input runs out (or ``steps`` batches) and returns TF 1.x's dict:
each metric, ``loss`` (the mean of the batches' losses) and
``global_step``.  ``predict`` yields one prediction per example (a dict
when the ``model_fn`` predicts a dict).  A NaN loss stops training with
TF 1.x's ``NaN loss during training.``

Seeds and threads: every graph gets the program's ``RunConfig(tf_random_seed=...)``
when it sets one, else the runner's ``--seed`` (as a ``tf.set_random_seed``
at the top of the program would have reached every graph);
sessions are the runner's (``--threads``: the archive's configuration).

``numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None,
queue_capacity=1000, num_threads=1)``: ``x`` an array or a dict of arrays,
rows taken in order, ``num_epochs=None`` repeating forever, the last
partial batch kept, and with ``shuffle`` the rows mixed through a
1000-row buffer seeded by the graph's seed (TF 1.x's queue of capacity
1000; its queue runner started at a random row of Python's unseeded
``random`` and raced its reader thread, so TF 1.x's own order was not
repeatable: the order here is, for a given seed).  With ``num_epochs=None``
the batch dimension is static, as TF 1.x's ``dequeue_many`` made it.

What a program uses beyond this (hooks, canned estimators such as
``DNNClassifier``, ``export_savedmodel``, ``train_and_evaluate``, ...)
raises :class:`~tf1_repro.original.api.MissingAttribute` naming it, which
the runner reports as one line.
"""
import atexit
import collections
import inspect
import os
import shutil
import tempfile

import numpy as np


class ModeKeys:
    """``tf.estimator.ModeKeys``: the three modes a ``model_fn`` is called in."""
    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


def make_estimator(tf, session, graph, missing):
    """The ``tf.estimator`` names: a dict for a Namespace.

    ``tf`` is ``tf.compat.v1``; ``session(graph=..., config=...)`` opens a
    session with the runner's configuration; ``graph()`` makes a graph with
    the runner's seed (if any); ``missing(name)`` is the exception for a feature not provided.
    """

    class RunConfig:
        """``tf.estimator.RunConfig``: the settings are kept, as TF 1.x's were."""

        def __init__(self, model_dir=None, tf_random_seed=None, save_summary_steps=100,
                     save_checkpoints_steps=None, save_checkpoints_secs=600,
                     session_config=None, keep_checkpoint_max=5,
                     keep_checkpoint_every_n_hours=10000, log_step_count_steps=100,
                     train_distribute=None, device_fn=None, protocol=None,
                     eval_distribute=None, experimental_distribute=None,
                     experimental_max_worker_delay_secs=None, session_creation_timeout_secs=7200):
            if train_distribute is not None or eval_distribute is not None:
                raise missing("tf.estimator.RunConfig(train_distribute=...)")
            self.model_dir = model_dir
            self.tf_random_seed = tf_random_seed
            self.save_summary_steps = save_summary_steps
            self.save_checkpoints_steps = save_checkpoints_steps
            self.save_checkpoints_secs = save_checkpoints_secs
            self.session_config = session_config
            self.keep_checkpoint_max = keep_checkpoint_max
            self.keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
            self.log_step_count_steps = log_step_count_steps
            self.is_chief = True
            self.num_ps_replicas = 0
            self.num_worker_replicas = 1
            self.task_type = "worker"
            self.task_id = 0
            self.master = ""
            self.cluster_spec = None

        def replace(self, **kwargs):
            """A copy with some settings changed."""
            new = RunConfig.__new__(RunConfig)
            new.__dict__.update(self.__dict__)
            for key, value in kwargs.items():
                if key not in self.__dict__:
                    raise ValueError(f"RunConfig has no setting {key!r}")
                new.__dict__[key] = value
            return new

    _SpecBase = collections.namedtuple("EstimatorSpec", [
        "mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs",
        "training_chief_hooks", "training_hooks", "scaffold", "evaluation_hooks",
        "prediction_hooks"])

    class EstimatorSpec(_SpecBase):
        """``tf.estimator.EstimatorSpec``: what a ``model_fn`` returns for a mode."""

        def __new__(cls, mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None,
                    export_outputs=None, training_chief_hooks=None, training_hooks=None,
                    scaffold=None, evaluation_hooks=None, prediction_hooks=None):
            if mode == ModeKeys.TRAIN and train_op is None:
                raise ValueError("Missing train_op.")
            if mode in (ModeKeys.TRAIN, ModeKeys.EVAL) and loss is None:
                raise ValueError("Missing loss.")
            if mode == ModeKeys.PREDICT and predictions is None:
                raise ValueError("Missing predictions.")
            for name, hooks in (("training_chief_hooks", training_chief_hooks),
                                ("training_hooks", training_hooks),
                                ("evaluation_hooks", evaluation_hooks),
                                ("prediction_hooks", prediction_hooks)):
                if hooks:
                    raise missing(f"tf.estimator.EstimatorSpec({name}=...)")
            if scaffold is not None:
                raise missing("tf.estimator.EstimatorSpec(scaffold=...)")
            return super().__new__(cls, mode, predictions, loss, train_op,
                                   dict(eval_metric_ops or {}), export_outputs, (), (),
                                   None, (), ())

    class Estimator:
        """``tf.estimator.Estimator``: train, evaluate and predict with a ``model_fn``."""

        def __init__(self, model_fn, model_dir=None, config=None, params=None,
                     warm_start_from=None):
            if warm_start_from is not None:
                raise missing("tf.estimator.Estimator(warm_start_from=...)")
            if not callable(model_fn):
                raise ValueError(f"model_fn must be callable, not {model_fn!r}")
            config = config if config is not None else RunConfig()
            model_dir = model_dir or config.model_dir
            if model_dir is None:
                model_dir = tempfile.mkdtemp()
                atexit.register(shutil.rmtree, model_dir, ignore_errors=True)
            self._model_fn = model_fn
            self._model_dir = model_dir
            self._config = config.replace(model_dir=model_dir)
            self._params = dict(params or {})

        model_dir = property(lambda self: self._model_dir)
        config = property(lambda self: self._config)
        params = property(lambda self: dict(self._params))
        model_fn = property(lambda self: self._model_fn)

        def __getattr__(self, name):
            if name.startswith("_"):
                raise AttributeError(name)
            raise missing(f"tf.estimator.Estimator.{name}")

        # -- one graph per call ------------------------------------------------

        def _graph(self):
            g = graph()
            if self._config.tf_random_seed is not None:
                g.seed = self._config.tf_random_seed
            return g

        def _session(self, g):
            return session(graph=g, config=self._config.session_config)

        def _inputs(self, input_fn, mode):
            kwargs = {}
            wanted = _arguments(input_fn)
            for name, value in (("mode", mode), ("params", self._params),
                                ("config", self._config)):
                if name in wanted:
                    kwargs[name] = value
            result = input_fn(**kwargs)
            if isinstance(result, tf.data.Dataset):
                result = tf.data.make_one_shot_iterator(result).get_next()
            if isinstance(result, (tuple, list)):
                if len(result) != 2:
                    raise ValueError("input_fn should return (features, labels) or features, "
                                     f"not {len(result)} values")
                return result[0], result[1]
            return result, None

        def _spec(self, features, labels, mode):
            wanted = _arguments(self._model_fn)
            kwargs = {}
            named = {"features": features, "labels": labels, "mode": mode,
                     "params": self._params, "config": self._config}
            if "features" in wanted:
                kwargs = {name: value for name, value in named.items() if name in wanted}
                spec = self._model_fn(**kwargs)
            else:  # other names: TF 1.x's order
                args = [features, labels, mode, self._params, self._config]
                spec = self._model_fn(*args[:max(len(wanted), 3)])
            if not isinstance(spec, EstimatorSpec):
                raise ValueError("model_fn should return an EstimatorSpec, "
                                 f"not {type(spec).__name__}")
            return spec

        def latest_checkpoint(self):
            """The newest checkpoint in ``model_dir``, or None."""
            return tf.train.latest_checkpoint(self._model_dir)

        def get_variable_names(self):
            """The names of the variables in the newest checkpoint."""
            return [name for name, _ in tf.train.list_variables(self._model_dir)]

        def get_variable_value(self, name):
            """The value of one variable in the newest checkpoint."""
            return tf.train.load_variable(self._model_dir, name)

        def _restorer(self, checkpoint_path=None):
            """Build (in the current graph) what sets the variables; returns ``restore(sess)``.

            The variables come from ``checkpoint_path``, else the newest
            checkpoint, else their initialisers; metric totals start at zero.
            """
            saver = tf.train.Saver(sharded=True, max_to_keep=self._config.keep_checkpoint_max,
                                   allow_empty=True)
            local_init = tf.local_variables_initializer()
            global_init = tf.global_variables_initializer()
            tables = tf.tables_initializer()
            checkpoint = checkpoint_path or self.latest_checkpoint()

            def restore(sess):
                sess.run(local_init)
                if checkpoint:
                    saver.restore(sess, checkpoint)
                else:
                    sess.run(global_init)
                sess.run(tables)
                return saver
            return restore

        def train(self, input_fn, hooks=None, steps=None, max_steps=None,
                  saving_listeners=None):
            """Train from the newest checkpoint for ``steps`` more steps or up to ``max_steps``."""
            if hooks:
                raise missing("tf.estimator.Estimator.train(hooks=...)")
            if saving_listeners:
                raise missing("tf.estimator.Estimator.train(saving_listeners=...)")
            if steps is not None and max_steps is not None:
                raise ValueError("Can not provide both steps and max_steps.")
            if steps is not None and steps <= 0:
                raise ValueError(f"Must specify steps > 0, given: {steps}")
            if max_steps is not None and max_steps <= 0:
                raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
            checkpoint = self.latest_checkpoint()
            if max_steps is not None and checkpoint:
                done = int(tf.train.load_variable(checkpoint, "global_step"))
                if done >= max_steps:
                    return self
            g = self._graph()
            with g.as_default():
                global_step = tf.train.get_or_create_global_step()
                features, labels = self._inputs(input_fn, ModeKeys.TRAIN)
                spec = self._spec(features, labels, ModeKeys.TRAIN)
                restore = self._restorer()
                with self._session(g) as sess:
                    saver = restore(sess)
                    step = int(sess.run(global_step))
                    last = max_steps if max_steps is not None else (
                        step + steps if steps is not None else None)
                    runs = 0
                    while last is None or step < last:
                        try:
                            _, loss = sess.run([spec.train_op, spec.loss])
                        except tf.errors.OutOfRangeError:
                            break
                        step = int(sess.run(global_step))  # read after the update, not beside it
                        runs += 1
                        if np.isnan(loss):
                            raise RuntimeError("NaN loss during training.")
                        if steps is not None and runs >= steps:
                            break  # a train_op that leaves the global step alone
                    os.makedirs(self._model_dir, exist_ok=True)
                    saver.save(sess, os.path.join(self._model_dir, "model.ckpt"),
                               global_step=int(sess.run(global_step)))
            return self

        def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
            """TF 1.x's dict: each metric, ``loss`` (mean over batches) and ``global_step``."""
            if hooks:
                raise missing("tf.estimator.Estimator.evaluate(hooks=...)")
            if steps is not None and steps <= 0:
                raise ValueError(f"Must specify steps > 0, given: {steps}")
            g = self._graph()
            with g.as_default():
                global_step = tf.train.get_or_create_global_step()
                features, labels = self._inputs(input_fn, ModeKeys.EVAL)
                spec = self._spec(features, labels, ModeKeys.EVAL)
                metrics = dict(spec.eval_metric_ops)
                if "loss" not in metrics:
                    metrics["loss"] = tf.metrics.mean(spec.loss)
                values = {key: value for key, (value, _) in metrics.items()}
                updates = [update for _, update in metrics.values()]
                restore = self._restorer(checkpoint_path)
                with self._session(g) as sess:
                    restore(sess)
                    batches = 0
                    while steps is None or batches < steps:
                        try:
                            sess.run(updates)
                        except tf.errors.OutOfRangeError:
                            break
                        batches += 1
                    results = sess.run(values)
                    results["global_step"] = sess.run(global_step)
            return results

        def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None,
                    yield_single_examples=True):
            """One prediction per example (per batch with ``yield_single_examples=False``)."""
            if hooks:
                raise missing("tf.estimator.Estimator.predict(hooks=...)")
            g = self._graph()
            with g.as_default():
                tf.train.get_or_create_global_step()
                features, _ = self._inputs(input_fn, ModeKeys.PREDICT)
                spec = self._spec(features, None, ModeKeys.PREDICT)
                predictions = spec.predictions
                if isinstance(predictions, dict) and predict_keys is not None:
                    keys = [predict_keys] if isinstance(predict_keys, str) else predict_keys
                    predictions = {key: predictions[key] for key in keys}
                restore = self._restorer(checkpoint_path)
                sess = self._session(g)
            try:
                restore(sess)
                while True:
                    try:
                        batch = sess.run(predictions)
                    except tf.errors.OutOfRangeError:
                        return
                    if not yield_single_examples:
                        yield batch
                    elif isinstance(batch, dict):
                        rows = len(next(iter(batch.values())))
                        for i in range(rows):
                            yield {key: value[i] for key, value in batch.items()}
                    else:
                        yield from batch
            finally:
                sess.close()

    def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None,
                       queue_capacity=1000, num_threads=1):
        """``tf.estimator.inputs.numpy_input_fn``: batches of the rows of ``x`` (and ``y``)."""
        if shuffle is None or not isinstance(shuffle, bool):
            raise ValueError(f"shuffle must be provided and explicitly set as boolean "
                             f"(it is recommended to set it as True for training); got {shuffle}")
        features = dict(x) if isinstance(x, dict) else {None: x}
        columns = {key: np.asarray(value) for key, value in features.items()}
        targets = None
        if y is not None:
            targets = ({key: np.asarray(value) for key, value in y.items()}
                       if isinstance(y, dict) else {None: np.asarray(y)})
            overlap = set(targets) & set(columns) - {None}
            if overlap:
                raise ValueError(f"{sorted(overlap)} duplicate keys are found in both x and y")
        arrays = list(columns.items()) + list((targets or {}).items())
        sizes = {len(value) for _, value in arrays}
        if len(sizes) != 1:
            raise ValueError("Length of tensors in x and y is mismatched: "
                             f"{sorted(len(v) for _, v in arrays)}")
        rows = sizes.pop()

        def input_fn():
            data = tf.data.Dataset.range(rows)
            data = data.repeat() if num_epochs is None else data.repeat(num_epochs)
            if shuffle:
                data = data.shuffle(queue_capacity)
            data = data.batch(batch_size)
            index = tf.data.make_one_shot_iterator(data).get_next()
            values = tf.numpy_function(
                lambda i: [value[i] for _, value in arrays], [index],
                [tf.as_dtype(value.dtype) for _, value in arrays], stateful=True)
            batch = batch_size if num_epochs is None else None
            tensors = {}
            for (key, value), tensor in zip(arrays, values):
                tensor.set_shape((batch,) + value.shape[1:])
                tensors[key] = tensor
            out_x = {key: tensors[key] for key in columns}
            out_x = out_x[None] if None in out_x else out_x
            if targets is None:
                return out_x
            out_y = {key: tensors[key] for key in targets}
            return out_x, (out_y[None] if None in out_y else out_y)
        return input_fn

    return {"Estimator": Estimator, "EstimatorSpec": EstimatorSpec, "ModeKeys": ModeKeys,
            "RunConfig": RunConfig, "numpy_input_fn": numpy_input_fn}


def _arguments(fn):
    """The parameter names of a function (of ``__call__`` for an object)."""
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return []
