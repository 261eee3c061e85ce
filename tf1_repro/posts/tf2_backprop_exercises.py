"""The five exercises at the end of "TensorFlow Backpropagation" (post 004), worked.

The post ends with five exercises and no solutions.  Each is an ``--example``
of scripts/tf2_backprop.py with its figure and its numbers in results.json:

``gradient_flow``      "Modify the visualization example to track gradients
                       over 500 epochs": the ``visualise`` network (Dense(3,
                       relu) -> Dense(1, sigmoid), Adam(0.1)) trained by
                       ``fit``; a callback takes the post's ``get_gradients``
                       at the start of every epoch.  One ``fit`` of 500 epochs
                       does the same arithmetic as the post's 500 one-epoch
                       calls (the optimizer's state carries over either way).
``custom_activation``  "Create a custom activation function and use
                       GradientTape to calculate its gradients": a swish with a
                       slope parameter, f(x) = x sigma(beta x), whose derivative
                       is written by hand in ``tf.custom_gradient``; checked
                       against the tape's derivative of the plain formula and
                       against central finite differences, in float64; then
                       used in the XOR network.
``clipping_study``     "Experiment with different clipping values ... on a
                       dataset with large feature values": the post's XOR
                       network and ``train_step_with_clipping`` on 200 points
                       whose features are N(0, 100^2), with clip norms none,
                       100, 10, 1 and 0.1.
``lr_schedule``        "A custom learning rate scheduler that adjusts based on
                       the magnitude of gradients": SGD whose rate is
                       ``base * target / EMA(||g||)`` clipped to [lr_min,
                       lr_max]: large gradients get smaller steps, flat
                       regions larger ones; against plain SGD(0.1) from the
                       same start.
``bptt``               "Implement backpropagation through time (BPTT) for a
                       recurrent neural network on a time-series dataset": a
                       vanilla tanh RNN predicting the next value of a noisy
                       sine wave; the forward pass and BPTT are written out
                       step by step in TensorFlow ops; the hand gradients
                       equal GradientTape's (float64), and they train it.

Data and weights here are drawn from NumPy generators seeded with ``--seed``
and from seeded Keras initialisers, so every number is reproducible.
"""
import numpy as np

from tf1_repro.posts import tf2_backprop as post
from tf1_repro.posts.tf2_backprop import Section, X_XOR, Y_XOR, fresh_start, tf

FLOW_REPORT_EPOCHS = (0, 10, 50, 100, 200, 300, 400, 499)
CLIP_NORMS = (None, 100.0, 10.0, 1.0, 0.1)


# ---------------------------------------------------------------------------
# 1. Gradient flow over 500 epochs
# ---------------------------------------------------------------------------

class GradientRecorder(tf.keras.callbacks.Callback):
    """Take the post's ``get_gradients`` at the start of every epoch."""

    def __init__(self, X, y):
        super().__init__()
        self.X, self.y = X, y
        self.norms = []

    def on_epoch_begin(self, epoch, logs=None):
        grads = post.get_gradients(self.model, self.X, self.y)
        self.norms.append([float(tf.norm(g).numpy()) for g in grads])


def gradient_flow(config, emit=print, log=print):
    sec = Section("gradient_flow")
    fresh_start(config.seed)
    model = post.visualise_model(config.seed)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.1), loss="binary_crossentropy")
    recorder = GradientRecorder(X_XOR, Y_XOR)
    history = model.fit(X_XOR, Y_XOR, epochs=config.flow_epochs, verbose=0, callbacks=[recorder])
    norms = np.asarray(recorder.norms)
    loss = history.history["loss"]
    names = ("hidden kernel", "hidden bias", "output kernel", "output bias")
    emit(f"Gradient norms over {config.flow_epochs} epochs (Dense(3, relu) -> Dense(1, sigmoid), Adam(0.1)):")
    emit(f"{'epoch':>6} {'hidden W':>10} {'hidden b':>10} {'output W':>10} {'output b':>10} {'loss':>8}")
    shown = [e for e in FLOW_REPORT_EPOCHS if e < config.flow_epochs]
    if config.flow_epochs - 1 not in shown:
        shown.append(config.flow_epochs - 1)
    for e in shown:
        emit(f"{e:>6} " + " ".join(f"{v:>10.3g}" for v in norms[e]) + f" {loss[e]:>8.4f}")
    for e in range(config.flow_epochs):
        sec.event("hidden_kernel_norm", e, norms[e, 0])
        sec.event("output_kernel_norm", e, norms[e, 2])
        sec.event("loss", e, loss[e])
    sec.figure("epochs", shown)
    sec.figure("hidden_kernel_norm", [float(norms[e, 0]) for e in shown])
    sec.figure("output_kernel_norm", [float(norms[e, 2]) for e in shown])
    sec.figure("final_loss", float(loss[-1]))
    sec.figure("norm_ratio_last_first", float(np.linalg.norm(norms[-1]) / np.linalg.norm(norms[0])))
    sec.plots["flow"] = {"norms": norms, "names": names, "loss": loss}
    return sec


# ---------------------------------------------------------------------------
# 2. A custom activation with a hand-written gradient
# ---------------------------------------------------------------------------

BETA = 1.5


def swish_formula(x, beta=BETA):
    """f(x) = x * sigmoid(beta x), in plain TensorFlow ops (the tape differentiates it)."""
    return x * tf.sigmoid(beta * x)


def swish_derivative(x, beta=BETA):
    """f'(x) = s + beta x s (1 - s) with s = sigmoid(beta x), by hand."""
    s = tf.sigmoid(beta * x)
    return s + beta * x * s * (1.0 - s)


@tf.custom_gradient
def swish(x):
    """The custom activation: forward by the formula, backward by :func:`swish_derivative`."""
    def grad(upstream):
        return upstream * swish_derivative(x)
    return swish_formula(x), grad


def activation_checks(dtype=tf.float64, h=1e-6):
    """(grid, hand, tape_of_formula, finite_differences) of f' on [-6, 6], in ``dtype``."""
    x = tf.constant(np.linspace(-6.0, 6.0, 241), dtype=dtype)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y_custom = swish(x)
        y_formula = swish_formula(x)
    hand = tape.gradient(y_custom, x).numpy()
    auto = tape.gradient(y_formula, x).numpy()
    del tape
    fd = ((swish_formula(x + h) - swish_formula(x - h)) / (2 * h)).numpy()
    return x.numpy(), hand, auto, fd


def custom_activation(config, emit=print, log=print):
    sec = Section("custom_activation")
    grid, hand, auto, fd = activation_checks()
    err_tape = float(np.max(np.abs(hand - auto)))
    err_fd = float(np.max(np.abs(hand - fd)))
    emit(f"swish(x) = x * sigmoid({BETA} x), derivative written by hand (tf.custom_gradient):")
    emit(f"  max |hand - GradientTape of the formula| on [-6, 6]: {err_tape:.3g}")
    emit(f"  max |hand - central finite differences (h=1e-6)|: {err_fd:.3g}")

    fresh_start(config.seed)
    model = post.xor_model(activation=swish)
    sums = post.run_loop(model, post.make_train_step(model, tf.keras.optimizers.SGD(learning_rate=0.1)),
                         config.loop_epochs)
    predictions = model(tf.constant(X_XOR)).numpy()
    post.print_predictions(emit, X_XOR, Y_XOR, predictions,
                           f"XOR with Dense(4, swish), {config.loop_epochs} epochs of the tf.function loop:")
    sec.figure("grad_err_tape", err_tape, other_env={"max": 1e-12})
    sec.figure("grad_err_finite_diff", err_fd, other_env={"max": 1e-8})
    sec.figure("xor_loss_sum", sums[-1])
    sec.figure("xor_predictions", [float(p) for p in predictions[:, 0]])
    sec.plots["activation"] = {"x": grid, "f": swish_formula(tf.constant(grid)).numpy(),
                               "hand": hand, "fd_err": np.abs(hand - fd), "loss": sums}
    return sec


# ---------------------------------------------------------------------------
# 3. Gradient clipping on large feature values
# ---------------------------------------------------------------------------

def large_feature_data(seed, n=200, scale=100.0):
    """Two features drawn from N(0, scale^2); the label is whether their sum is positive."""
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(n, 2)) * scale).astype(np.float32)
    y = (X.sum(axis=1, keepdims=True) > 0).astype(np.float32)
    return X, y


def clipping_study(config, emit=print, log=print):
    sec = Section("clipping_study")
    X, y = large_feature_data(config.seed)
    Xt, yt = tf.constant(X), tf.constant(y)
    curves, rows = {}, []
    first_norm = None
    for clip in CLIP_NORMS:
        fresh_start(config.seed)
        model = post.xor_model()
        if first_norm is None:
            with tf.GradientTape() as tape:
                loss = post.loss_function(yt, model(Xt))
            first_norm = float(tf.linalg.global_norm(tape.gradient(loss, model.trainable_variables)))
        step = post.make_train_step(model, tf.keras.optimizers.SGD(learning_rate=0.1), clip_norm=clip)
        means = []
        for _ in range(config.study_epochs):
            means.append(float(np.mean(step(Xt, yt).numpy())))
        pred = model(Xt).numpy()
        acc = float(np.mean((pred > 0.5) == (y > 0.5)))
        label = "none" if clip is None else f"{clip:g}"
        curves[label] = means
        rows.append((label, means[-1], acc, bool(np.all(np.isfinite(means)))))
    emit(f"Clipping study: {len(X)} points, features ~ N(0, 100^2), SGD(0.1), "
         f"{config.study_epochs} epochs; global gradient norm at the start: {first_norm:.4g}")
    emit(f"{'clip_norm':>9} {'mean loss':>10} {'accuracy':>9}")
    for label, loss, acc, finite in rows:
        emit(f"{label:>9} {loss:>10.4f} {acc:>9.3f}" + ("" if finite else "  (non-finite loss)"))
        # JSON has no NaN: a diverged run records null and diverged = true.
        # On another kernel family a clipped run is another trajectory: 200 steps
        # of SGD on features of scale 100 amplify a last-bit difference (at clip
        # 10 the final loss was 0.0013, 0.0061, 0.0139 and, under TF 2.15 to 2.20,
        # 0.047 on the families and releases measured), so its figures are judged
        # by what the exercise shows, that the run converges: a final mean loss
        # under a third of ln 2 (0.23; an untrained classifier sits at ln 2 =
        # 0.69, the unclipped run diverges) and at least 90% of the 200 points
        # right (chance: about 50%).  The unclipped run must diverge everywhere
        # (its flag, judged exactly, says so).
        converged = label != "none"
        sec.figure(f"loss_clip_{label}", loss if finite else None,
                   {"max": round(float(np.log(2)) / 3, 2)} if converged else None)
        sec.figure(f"diverged_clip_{label}", not finite)
        sec.figure(f"accuracy_clip_{label}", acc, {"min": 0.9} if converged else None)
    sec.figure("initial_global_norm", first_norm)
    sec.plots["curves"] = {k: [v if np.isfinite(v) else np.nan for v in c] for k, c in curves.items()}
    return sec


# ---------------------------------------------------------------------------
# 4. A learning-rate schedule driven by the gradient's magnitude
# ---------------------------------------------------------------------------

class GradientNormSchedule:
    """lr = clip(base * target / EMA(||g||), lr_min, lr_max), the EMA over global norms.

    Large gradients (steep, risky regions) shrink the step; small ones (a
    plateau, such as the dead-ReLU 75% state of XOR) grow it.
    """

    def __init__(self, base=0.1, target=0.5, momentum=0.9, lr_min=0.01, lr_max=1.0):
        self.base, self.target, self.momentum = base, target, momentum
        self.lr_min, self.lr_max = lr_min, lr_max
        self.ema = tf.Variable(-1.0, trainable=False)  # -1: no norm seen yet

    def __call__(self, norm):
        ema = tf.where(self.ema < 0, norm, self.momentum * self.ema + (1 - self.momentum) * norm)
        self.ema.assign(ema)
        return tf.clip_by_value(self.base * self.target / (ema + 1e-12), self.lr_min, self.lr_max)


def make_scheduled_step(model, optimizer, schedule):
    @tf.function
    def train_step(X, y):
        with tf.GradientTape() as tape:
            loss = post.loss_function(y, model(X))
        gradients = tape.gradient(loss, model.trainable_variables)
        norm = tf.linalg.global_norm(gradients)
        lr = schedule(norm)
        optimizer.learning_rate.assign(lr)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss, norm, lr
    return train_step


def lr_schedule(config, emit=print, log=print):
    sec = Section("lr_schedule")
    X, y = tf.constant(X_XOR), tf.constant(Y_XOR)
    fresh_start(config.seed)
    model = post.xor_model()
    schedule = GradientNormSchedule()
    step = make_scheduled_step(model, tf.keras.optimizers.SGD(learning_rate=0.1), schedule)
    sums, norms, lrs = [], [], []
    for _ in range(config.study_epochs):
        loss, norm, lr = step(X, y)
        sums.append(float(np.sum(loss.numpy())))
        norms.append(float(norm.numpy()))
        lrs.append(float(lr.numpy()))
    fresh_start(config.seed)
    plain = post.xor_model()
    fixed = post.run_loop(plain, post.make_train_step(plain, tf.keras.optimizers.SGD(learning_rate=0.1)),
                          config.study_epochs)

    def first_below(curve, level=0.5):
        hits = [i for i, v in enumerate(curve) if v < level]
        return hits[0] if hits else -1

    s = schedule
    emit(f"Gradient-norm learning-rate schedule: lr = clip({s.base} * {s.target} / EMA(||g||), "
         f"{s.lr_min}, {s.lr_max}), EMA momentum {s.momentum}; XOR, {config.study_epochs} epochs")
    emit(f"  scheduled: loss sum {sums[-1]:.4f}, first epoch below 0.5: {first_below(sums)}, "
         f"lr from {lrs[0]:.3g} to {lrs[-1]:.3g}")
    emit(f"  fixed 0.1: loss sum {fixed[-1]:.4f}, first epoch below 0.5: {first_below(fixed)}")
    for e in range(config.study_epochs):
        sec.event("learning_rate", e, lrs[e])
        sec.event("grad_norm", e, norms[e])
        sec.event("loss_sum", e, sums[e])
    sec.figure("scheduled_loss_sum", sums[-1])
    sec.figure("fixed_loss_sum", fixed[-1])
    sec.figure("scheduled_first_below_0.5", first_below(sums))
    sec.figure("fixed_first_below_0.5", first_below(fixed))
    sec.figure("lr_first_last", [lrs[0], lrs[-1]])
    sec.plots["schedule"] = {"scheduled": sums, "fixed": fixed, "lr": lrs, "norm": norms}
    return sec


# ---------------------------------------------------------------------------
# 5. Back-propagation through time, by hand
# ---------------------------------------------------------------------------

BPTT_HIDDEN = 8
BPTT_STEPS = 20
BPTT_LR = 0.1


def sine_series(seed, n=400, noise=0.1):
    """x_t = sin(0.3 t) + N(0, noise^2) for t = 0..n-1."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return np.sin(0.3 * t) + noise * rng.normal(size=n)


def windows(series, steps=BPTT_STEPS, stride=5):
    """Inputs [B, T, 1] and next-value targets [B, T, 1] from sliding windows."""
    starts = range(0, len(series) - steps - 1, stride)
    x = np.stack([series[s:s + steps] for s in starts])[..., None]
    y = np.stack([series[s + 1:s + steps + 1] for s in starts])[..., None]
    return x, y


def rnn_init(seed, hidden=BPTT_HIDDEN):
    """W_xh [1, H], W_hh [H, H], b_h [H], W_hy [H, 1], b_y [1] (float64)."""
    rng = np.random.default_rng(seed + 1)
    return {"W_xh": rng.normal(scale=0.5, size=(1, hidden)),
            "W_hh": rng.normal(scale=0.3, size=(hidden, hidden)),
            "b_h": np.zeros(hidden),
            "W_hy": rng.normal(scale=0.5, size=(hidden, 1)),
            "b_y": np.zeros(1)}


RNN_VARS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


def rnn_forward(p, x):
    """h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h), y_t = h_t W_hy + b_y, h_0 = 0.

    Returns (predictions [B, T, 1], hidden states h_0..h_T as a list).
    """
    batch, steps = x.shape[0], x.shape[1]
    h = [tf.zeros([batch, p["W_hh"].shape[0]], dtype=x.dtype)]
    outputs = []
    for t in range(steps):
        h.append(tf.tanh(tf.matmul(x[:, t], p["W_xh"]) + tf.matmul(h[-1], p["W_hh"]) + p["b_h"]))
        outputs.append(tf.matmul(h[-1], p["W_hy"]) + p["b_y"])
    return tf.stack(outputs, axis=1), h


def rnn_loss(y_hat, y):
    """L = mean over batch and time of (y_hat - y)^2 / 2."""
    return 0.5 * tf.reduce_mean(tf.square(y_hat - y))


def bptt_gradients(p, x, y):
    """The loss and dL/dp by back-propagation through time, step by step.

    With e_t = (y_hat_t - y_t) / (B T):
      dW_hy = sum_t h_t^T e_t,  db_y = sum_t sum_b e_t
      dh_t = e_t W_hy^T + dh_{t+1}^rec,  dz_t = dh_t (1 - h_t^2)
      dW_xh += x_t^T dz_t,  dW_hh += h_{t-1}^T dz_t,  db_h += sum_b dz_t
      dh_{t}^rec = dz_t W_hh^T  (carried to step t - 1)
    """
    y_hat, h = rnn_forward(p, x)
    batch, steps = x.shape[0], x.shape[1]
    e = (y_hat - y) / float(batch * steps)
    g = {k: tf.zeros_like(p[k]) for k in RNN_VARS}
    dh_next = tf.zeros_like(h[0])
    for t in reversed(range(steps)):
        e_t = e[:, t]
        g["W_hy"] += tf.matmul(h[t + 1], e_t, transpose_a=True)
        g["b_y"] += tf.reduce_sum(e_t, axis=0)
        dh = tf.matmul(e_t, p["W_hy"], transpose_b=True) + dh_next
        dz = dh * (1.0 - tf.square(h[t + 1]))
        g["W_xh"] += tf.matmul(x[:, t], dz, transpose_a=True)
        g["W_hh"] += tf.matmul(h[t], dz, transpose_a=True)
        g["b_h"] += tf.reduce_sum(dz, axis=0)
        dh_next = tf.matmul(dz, p["W_hh"], transpose_b=True)
    return rnn_loss(y_hat, y), [g[k] for k in RNN_VARS]


def tape_gradients(p, x, y):
    """The same loss and gradients from GradientTape, for the check."""
    variables = [tf.Variable(p[k]) for k in RNN_VARS]
    with tf.GradientTape() as tape:
        y_hat, _ = rnn_forward(dict(zip(RNN_VARS, variables)), x)
        loss = rnn_loss(y_hat, y)
    return loss, tape.gradient(loss, variables)


def bptt_check(seed=0):
    """Max |hand - tape| over every gradient entry, at the initial weights (float64)."""
    x, y = windows(sine_series(seed))
    p = {k: tf.constant(v) for k, v in rnn_init(seed).items()}
    x, y = tf.constant(x), tf.constant(y)
    loss_h, hand = bptt_gradients(p, x, y)
    loss_t, auto = tape_gradients(p, x, y)
    err = max(float(np.max(np.abs(a.numpy() - b.numpy()))) for a, b in zip(hand, auto))
    return err, float(abs(loss_h - loss_t)), hand, auto


def bptt(config, emit=print, log=print):
    sec = Section("bptt")
    series = sine_series(config.seed)
    split = 300
    x_train, y_train = windows(series[:split])
    x_test, y_test = windows(series[split - BPTT_STEPS:])
    err, loss_gap, _, _ = bptt_check(config.seed)
    p = {k: tf.Variable(v) for k, v in rnn_init(config.seed).items()}
    xt, yt = tf.constant(x_train), tf.constant(y_train)

    @tf.function
    def step():
        loss, grads = bptt_gradients(p, xt, yt)
        for k, g in zip(RNN_VARS, grads):
            p[k].assign_sub(BPTT_LR * g)
        return loss

    losses = [float(step().numpy()) for _ in range(config.bptt_epochs)]
    test_hat, _ = rnn_forward(p, tf.constant(x_test))
    test_mse = float(np.mean((test_hat.numpy() - y_test) ** 2))
    naive_mse = float(np.mean((x_test - y_test) ** 2))  # predict "same as now"
    emit(f"BPTT by hand: tanh RNN, {BPTT_HIDDEN} hidden units, windows of {BPTT_STEPS} steps "
         f"of sin(0.3 t) + N(0, 0.1^2)")
    emit(f"  max |BPTT - GradientTape| at the start (float64): {err:.3g}")
    emit(f"  training loss: {losses[0]:.5f} -> {losses[-1]:.5f} after {config.bptt_epochs} "
         f"full-batch SGD({BPTT_LR}) steps on the hand gradients")
    emit(f"  test MSE {test_mse:.5f} (repeat-the-last-value baseline {naive_mse:.5f})")
    for e, v in enumerate(losses):
        sec.event("loss", e, v)
    sec.figure("grad_err_tape", err, other_env={"max": 1e-12})
    sec.figure("loss_err_tape", loss_gap, other_env={"max": 1e-12})
    sec.figure("initial_loss", losses[0])
    sec.figure("final_loss", losses[-1])
    sec.figure("test_mse", test_mse)
    sec.figure("baseline_mse", naive_mse)
    sec.plots["bptt"] = {"losses": losses, "target": y_test[0, :, 0],
                         "prediction": test_hat.numpy()[0, :, 0],
                         "series": series, "split": split}
    return sec
