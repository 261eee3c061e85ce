"""Post 004, what the archive adds to it: the seed studies, the XOR network's TF1 twin and its gradient checks.

The post's own code (its listings, from the tape basics to the MNIST CNN's
custom loop, with the header that says what changed from the post and why)
is tf1_repro/posts/tf2_backprop.py; the five exercises the post sets at its
end, worked, are tf1_repro/posts/tf2_backprop_exercises.py.  Nothing here is
in the post.  This module builds on the post's functions and changes none of
them: every run below starts as the post's does (:func:`post.fresh_start`),
builds the post's models (:func:`post.xor_model`, the CNN of
:func:`post.cnn`) and trains them with the post's steps, so each addition
computes the post's bits.

What it adds
------------
* The seed studies.  The post never seeds, so one run is one draw; its
  claims that the XOR network and the CNN learn are judged on many seeds
  (tf1_repro/claims/tf2_backprop.py).  ``--example=xor_seeds``
  (:func:`xor_seeds`, golden ``tf2_backprop_xor_seeds``): the post's
  ``model.fit`` XOR example over ``--seeds`` seeds, the share that reaches
  100% accuracy.  ``--example=cnn_seeds`` (:func:`cnn_seeds`, golden
  ``tf2_backprop_cnn_seeds``): the post's CNN and custom loop over seeds,
  which is also the evidence a full ``--example=cnn`` run is judged by on a
  kernel family its golden does not hold.  Seed S of either study is exactly
  ``--example=xor_fit --seed=S`` (:func:`train_xor_fit`) or ``--example=cnn
  --seed=S``.  tf1_repro/study.py runs :func:`study_seed` and
  :func:`cnn_study_seed` in worker processes, which find them by their
  module path (``tf1_repro.posts.tf2_backprop_archive:study_seed``).
* ``--example=twin``, the archive's theme: the XOR network of the post's
  ``xor_loop`` as a ``tf.compat.v1`` graph with placeholders, hand-written
  back-prop (``d_z_2 ... d_W_1``) and an ``assign`` update list
  (:func:`build_twin_graph`), started from the Keras model's weights.  Its
  gradients equal ``tf.gradients`` in its own graph (:func:`twin_gradients`)
  and GradientTape on a Keras model holding the same weights
  (:func:`keras_tape_gradients`), and its 200-epoch loss curve
  (:func:`train_twin`) matches the post's ``tf.function`` loop's
  (:func:`twin`).  tf1_repro/runs/tf2_backprop.py's ``gradient_checks``
  (tests/test_tf2_backprop.py) repeats the gradient checks on random
  weights.
"""
import dataclasses

import numpy as np

from tf1_repro import families
from tf1_repro.graph_session import new_session
from tf1_repro.posts import tf2_backprop as post
from tf1_repro.posts.tf2_backprop import Section, X_XOR, Y_XOR, tf  # tf: after the post's Keras 2 check

tf1 = tf.compat.v1


# ---------------------------------------------------------------------------
# The seed studies: the post's XOR fit and its CNN over many seeds
# ---------------------------------------------------------------------------

def train_xor_fit(seed, epochs):
    """Build, compile and ``fit`` the XOR network; return (model, history dict)."""
    post.fresh_start(seed)
    model = post.xor_model()
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1),
                  loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(X_XOR, Y_XOR, epochs=epochs, verbose=0)
    return model, history.history


def study_seed(config, data_dir, seed):
    """One seed of the XOR study (tf1_repro/study.py): ``--example=xor_fit --seed=seed``'s fit."""
    post.configure_runtime(config["threads"])
    _, hist = train_xor_fit(seed, config["xor_epochs"])
    return {"loss": float(hist["loss"][-1]), "accuracy": float(hist["accuracy"][-1])}


def xor_seeds(config, emit=print, log=print, runner=None):
    """``model.fit`` XOR over ``config.seeds`` seeds: how many learn XOR.

    Seed S's run is ``--example=xor_fit --seed=S``'s (the same fresh start),
    run by the archive's seed-study runner (``runner``: the keywords of
    :func:`tf1_repro.study.run_seeds`: workers, dask_scheduler, progress).

    A seed "reaches 100%" when the final ``fit`` accuracy over the 4 rows is
    1.0 (every prediction on the right side of 0.5).
    """
    from tf1_repro import study
    sec = Section("xor_seeds")
    records = study.run_seeds(
        study_seed, dataclasses.asdict(config), None, range(config.seed, config.seed + config.seeds),
        describe=lambda r: f"loss {r['loss']:.4f}, accuracy {r['accuracy']:.2f}", **(runner or {}))
    finals = [r["loss"] for r in records]
    accs = [r["accuracy"] for r in records]
    accs_arr = np.asarray(accs)
    share = float(np.mean(accs_arr == 1.0))
    emit(f"XOR with model.fit, {config.xor_epochs} epochs, seeds {config.seed}.."
         f"{config.seed + config.seeds - 1}:")
    for level in sorted(set(accs), reverse=True):
        n = int(np.sum(accs_arr == level))
        emit(f"  final accuracy {level:.2f}: {n} of {len(accs)} seeds")
    emit(f"share reaching 100%: {share:.2f}")
    n = len(accs)
    sec.figure("seeds", n, other_env={"atol": 0})
    sec.figure("share_100", share, families.study_rule("share", n)["other_env"])
    sec.figure("final_losses", finals, families.study_rule("per_seed", n)["other_env"])
    sec.figure("final_accuracies", accs, families.study_rule("per_seed", n)["other_env"])
    sec.plots["seeds"] = {"seeds": list(range(config.seed, config.seed + config.seeds)),
                          "loss": finals, "accuracy": accs}
    return sec


def cnn_study_seed(config, data_dir, seed):
    """One seed of the CNN study (tf1_repro/study.py): ``--example=cnn --seed=seed``'s metrics."""
    post.configure_runtime(config["threads"])
    cfg = post.Config(**dict(config, seed=seed, examples=("cnn",)))
    sec = post.cnn(cfg, emit=lambda *_: None, log=lambda *_: None, data_dir=data_dir)
    return {k.split(".", 1)[1]: v for k, v in sec.figures.items()}


def cnn_seeds(config, emit=print, log=print, runner=None, data_dir=None):
    """The post's CNN over ``config.seeds`` seeds: what its test accuracy is for most starts.

    Seed S's run is ``--example=cnn --seed=S``'s.  One run is one draw, and
    which draw ``--seed=0`` is depends on the machine's kernel family, so the
    post's "the CNN learns" is judged on these seeds (tf1_repro/claims/tf2_backprop.py).
    """
    from tf1_repro import study
    sec = Section("cnn_seeds")
    records = study.run_seeds(
        cnn_study_seed, dataclasses.asdict(config), data_dir,
        range(config.seed, config.seed + config.seeds),
        describe=lambda r: f"test accuracy {r['final_test_accuracy']:.4f}", **(runner or {}))
    finals = [r["final_test_accuracy"] for r in records]
    n = len(records)
    emit(f"MNIST CNN, {config.cnn_epochs} epochs, seeds {config.seed}..{config.seed + n - 1}:")
    for s, acc in zip(range(config.seed, config.seed + n), finals):
        emit(f"  seed {s}: test accuracy {acc * 100:.2f}")
    emit(f"median test accuracy: {float(np.median(finals)) * 100:.2f}")
    rule = families.study_rule
    sec.figure("seeds", list(range(config.seed, config.seed + n)), rule("exact", n)["other_env"])
    sec.figure("final_test_accuracies", finals, rule("per_seed", n)["other_env"])
    for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
        sec.figure(key, [r[key] for r in records], rule("per_seed", n)["other_env"])
    return sec

# ---------------------------------------------------------------------------
# The archive's theme: the XOR network as a TF1 graph with hand-written back-prop
# ---------------------------------------------------------------------------

def build_twin_graph(dtype=tf.float32, eta=0.1):
    """Build the XOR network of ``xor_loop`` as a TF1 graph into the default graph.

    Placeholders ``X`` [None, 2] and ``y`` [None, 1]; ref variables ``W_1``
    [2, 4], ``b_1`` [4], ``W_2`` [4, 1], ``b_2`` [1] (Keras' shapes, loaded
    from the Keras model).  The loss is Keras' binary cross-entropy of a
    sigmoid output, which tf-keras computes from the logits:
    ``sigmoid_cross_entropy_with_logits(y, z_2)`` per sample.  Its gradient
    with respect to the logits is ``sigmoid(z_2) - y``; the gradient of the
    loss *vector* is that of its sum, so no 1/N appears.
    """
    X = tf1.placeholder(dtype, [None, 2], name="X")
    y = tf1.placeholder(dtype, [None, 1], name="y")

    def variable(shape, name):
        return tf1.Variable(tf.zeros(shape, dtype=dtype), name=name, use_resource=False)

    W_1 = variable([2, 4], "W_1")
    b_1 = variable([4], "b_1")
    W_2 = variable([4, 1], "W_2")
    b_2 = variable([1], "b_2")

    # Forward.
    z_1 = tf.add(tf.matmul(X, W_1), b_1)
    a_1 = tf.nn.relu(z_1)
    z_2 = tf.add(tf.matmul(a_1, W_2), b_2)
    a_2 = tf.sigmoid(z_2)
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z_2), axis=-1)

    # Backward, by hand.
    d_z_2 = tf.subtract(a_2, y)
    d_W_2 = tf.matmul(tf.transpose(a_1), d_z_2)
    d_b_2 = tf.reduce_sum(d_z_2, axis=0)
    d_a_1 = tf.matmul(d_z_2, tf.transpose(W_2))
    d_z_1 = tf.multiply(d_a_1, tf.cast(tf.greater(z_1, 0), dtype))
    d_W_1 = tf.matmul(tf.transpose(X), d_z_1)
    d_b_1 = tf.reduce_sum(d_z_1, axis=0)

    # The update list: every gradient is computed before any assign, as SGD
    # does (the post's optimizer reads all gradients, then applies them).
    eta_t = tf.constant(eta, dtype=dtype, name="eta")
    grads = [d_W_1, d_b_1, d_W_2, d_b_2]
    with tf.control_dependencies(grads + [loss]):
        step = [tf1.assign(v, tf.subtract(v, tf.multiply(eta_t, g)))
                for v, g in zip((W_1, b_1, W_2, b_2), grads)]
    return dict(X=X, y=y, W_1=W_1, b_1=b_1, W_2=W_2, b_2=b_2, z_1=z_1, a_1=a_1, z_2=z_2,
                a_2=a_2, loss=loss, d_z_2=d_z_2, d_W_2=d_W_2, d_b_2=d_b_2, d_a_1=d_a_1,
                d_z_1=d_z_1, d_W_1=d_W_1, d_b_1=d_b_1, step=step, eta=eta_t)


TWIN_VARS = ("W_1", "b_1", "W_2", "b_2")
TWIN_GRADS = ("d_W_1", "d_b_1", "d_W_2", "d_b_2")


def twin_gradients(weights, dtype=tf.float64, X=X_XOR, Y=Y_XOR):
    """Hand-written and ``tf.gradients`` gradients of the twin graph at ``weights``.

    Returns (hand, autodiff, loss): two lists in ``TWIN_VARS`` order.
    """
    graph = tf.Graph()
    with graph.as_default():
        t = build_twin_graph(dtype)
        auto = tf.gradients(t["loss"], [t[k] for k in TWIN_VARS])
        init = tf1.global_variables_initializer()
    np_dtype = dtype.as_numpy_dtype
    with new_session(graph) as sess:
        sess.run(init)
        for k, w in zip(TWIN_VARS, weights):
            t[k].load(np.asarray(w, np_dtype), sess)
        feed = {t["X"]: X.astype(np_dtype), t["y"]: Y.astype(np_dtype)}
        hand, autodiff, loss = sess.run([[t[g] for g in TWIN_GRADS], auto, t["loss"]], feed)
    return hand, autodiff, loss


def keras_tape_gradients(weights, dtype="float64", X=X_XOR, Y=Y_XOR):
    """GradientTape gradients of the post's loss for a Keras XOR model holding ``weights``."""
    # Zero initialisers: no random op runs, the weights come from ``weights``.
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(4, input_shape=(2,), activation="relu", dtype=dtype,
                              kernel_initializer="zeros"),
        tf.keras.layers.Dense(1, activation="sigmoid", dtype=dtype, kernel_initializer="zeros"),
    ])
    model.set_weights([np.asarray(w, dtype) for w in weights])
    with tf.GradientTape() as tape:
        loss = post.loss_function(tf.constant(Y, dtype), model(tf.constant(X, dtype)))
    return [g.numpy() for g in tape.gradient(loss, model.trainable_variables)], loss.numpy()


def train_twin(weights, epochs, threads=1):
    """Run the twin's update list ``epochs`` times from ``weights``; per-epoch loss sums."""
    graph = tf.Graph()
    with graph.as_default():
        t = build_twin_graph(tf.float32)
        init = tf1.global_variables_initializer()
    graph.finalize()
    sums = []
    with new_session(graph, threads) as sess:
        sess.run(init)
        for k, w in zip(TWIN_VARS, weights):
            t[k].load(np.asarray(w, np.float32), sess)
        feed = {t["X"]: X_XOR, t["y"]: Y_XOR}
        for _ in range(epochs):
            loss, _ = sess.run([t["loss"], t["step"]], feed)
            sums.append(float(np.sum(loss)))
        final = sess.run([t[k] for k in TWIN_VARS])
    return sums, final


def twin(config, emit=print, log=print):
    """The TF1 twin beside the ``tf.function`` loop, from the same Keras weights."""
    sec = Section("twin")
    post.fresh_start(config.seed)
    model = post.xor_model()
    start = [w.copy() for w in model.get_weights()]
    hand, autodiff, _ = twin_gradients(start, tf.float64)
    tape_grads, _ = keras_tape_gradients(start, "float64")
    err_autodiff = max(float(np.max(np.abs(h - a))) for h, a in zip(hand, autodiff))
    err_tape = max(float(np.max(np.abs(h - g))) for h, g in zip(hand, tape_grads))

    keras_sums = post.run_loop(model, post.make_train_step(model, tf.keras.optimizers.SGD(learning_rate=0.1)),
                          config.loop_epochs)
    twin_sums, twin_final = train_twin(start, config.loop_epochs, config.threads)
    curve_gap = float(np.max(np.abs(np.asarray(twin_sums) - np.asarray(keras_sums))))
    weight_gap = max(float(np.max(np.abs(a - b))) for a, b in zip(twin_final, model.get_weights()))
    emit("TF1 graph twin of the XOR network (hand-written back-prop, tf.assign updates):")
    emit(f"  max |hand - tf.gradients| at the start (float64): {err_autodiff:.3g}")
    emit(f"  max |hand - GradientTape| at the start (float64): {err_tape:.3g}")
    emit(f"  loss sum after {config.loop_epochs} epochs: twin {twin_sums[-1]:.6f}, "
         f"tf.function loop {keras_sums[-1]:.6f}")
    emit(f"  max |twin - tf.function loop| over the loss curve: {curve_gap:.3g}; "
         f"over the final weights: {weight_gap:.3g}")
    tight = {"max": 1e-12}
    sec.figure("grad_err_tf_gradients", err_autodiff, other_env=tight)
    sec.figure("grad_err_tape", err_tape, other_env=tight)
    curve_band = {"max": 1e-4}
    sec.figure("curve_gap", curve_gap, other_env=curve_band)
    sec.figure("loss_sum", twin_sums[-1])
    sec.plots["loss"] = {"tf.function loop (GradientTape)": keras_sums,
                         "TF1 graph twin (hand-written)": twin_sums}
    return sec
