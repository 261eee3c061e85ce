"""Post 004's run as ``scripts/tf2_backprop.py`` makes it: every example and exercise in order.

tf1_repro/posts/tf2_backprop.py holds the post's own code (the file to read
beside the post), tf1_repro/posts/tf2_backprop_exercises.py its exercises and
tf1_repro/posts/tf2_backprop_archive.py what the archive adds (the seed
studies, the TF1 twin); this module runs them (and the gradient checks the
tests use), writes one figure per example, TensorBoard events and
results.json.  The claims: tf1_repro/claims/tf2_backprop.py.
"""
import dataclasses
import time

import numpy as np
from absl import logging

from tf1_repro import claims, report, study
from tf1_repro.graph_session import fingerprint
from tf1_repro.posts import tf2_backprop as post
from tf1_repro.posts import tf2_backprop_archive as archive
from tf1_repro.posts import tf2_backprop_exercises as ex
from tf1_repro.posts.tf2_backprop import tf


def gradient_checks(seed=0, trials=5):
    """Every hand-written gradient of post 004's code against autodiff, as plain numbers.

    For ``trials`` random weight sets of the XOR network (N(0, 1), so some
    ReLUs are off and the mask matters): the twin's hand-written gradients
    against ``tf.gradients`` in its own graph and against GradientTape on a
    Keras model holding the same weights, all float64.  Then the custom
    activation (tape and finite differences) and BPTT (tape).  ``*_scale``
    entries are the gradients' largest magnitudes, so a comparison of zeros
    with zeros cannot pass unnoticed.
    """
    rng = np.random.default_rng(seed)
    shapes = [(2, 4), (4,), (4, 1), (1,)]
    err_graph = err_tape = scale = 0.0
    relu_off = 0
    for _ in range(trials):
        weights = [rng.normal(size=s) for s in shapes]
        hand, autodiff, _ = archive.twin_gradients(weights, tf.float64)
        tape_grads, _ = archive.keras_tape_gradients(weights, "float64")
        err_graph = max([err_graph] + [float(np.max(np.abs(h - a))) for h, a in zip(hand, autodiff)])
        err_tape = max([err_tape] + [float(np.max(np.abs(h - g))) for h, g in zip(hand, tape_grads)])
        scale = max([scale] + [float(np.max(np.abs(h))) for h in hand])
        relu_off += int(np.sum(post.X_XOR @ weights[0] + weights[1] <= 0))
    grid, hand_act, auto_act, fd_act = ex.activation_checks()
    bptt_err, bptt_loss_gap, bptt_hand, _ = ex.bptt_check(seed)
    return {
        "twin_vs_tf_gradients": err_graph,
        "twin_vs_tape": err_tape,
        "twin_scale": scale,
        "twin_relu_off": relu_off,
        "activation_vs_tape": float(np.max(np.abs(hand_act - auto_act))),
        "activation_vs_finite_diff": float(np.max(np.abs(hand_act - fd_act))),
        "activation_scale": float(np.max(np.abs(hand_act))),
        "bptt_vs_tape": bptt_err,
        "bptt_loss_gap": bptt_loss_gap,
        "bptt_scale": max(float(np.max(np.abs(g.numpy()))) for g in bptt_hand),
    }


def runners():
    return {
        "tape": post.tape_basics, "xor_fit": post.xor_fit, "xor_seeds": archive.xor_seeds,
        "cnn_seeds": archive.cnn_seeds,
        "xor_loop": post.xor_loop, "twin": archive.twin, "visualise": post.visualise, "cnn": post.cnn,
        "clipping": post.clipping,
        "gradient_flow": ex.gradient_flow, "custom_activation": ex.custom_activation,
        "clipping_study": ex.clipping_study, "lr_schedule": ex.lr_schedule, "bptt": ex.bptt,
    }


def run(config, data_dir, emit=print, log=print, study_runner=None):
    """Run ``config.examples`` in order; return the results dictionary (no files written).

    ``study_runner``: the seed-study runner's keywords for ``xor_seeds``
    (:func:`tf1_repro.study.run_seeds`).
    Each example's figures are named ``<example>.<figure>``; ``sections``
    holds every example's plot data and TensorBoard scalars for the script.
    """
    config.validate()
    table = runners()
    t0 = time.time()
    sections = []
    for name in config.examples:
        t1 = time.time()
        emit(f"== {name} ==")
        if name == "cnn":
            sec = post.cnn(config, emit=emit, log=log, data_dir=data_dir)
        elif name == "xor_seeds":
            sec = archive.xor_seeds(config, emit=emit, log=log, runner=study_runner)
        elif name == "cnn_seeds":
            sec = archive.cnn_seeds(config, emit=emit, log=log, runner=study_runner, data_dir=data_dir)
        else:
            sec = table[name](config, emit=emit, log=log)
        sections.append(sec)
        emit("")
        log(f"{name}: {time.time() - t1:.1f} s")
    figures, tolerances = {}, {}
    for sec in sections:
        figures.update(sec.figures)
        tolerances.update(sec.tolerances)
    return {
        "figures": figures,
        "tolerances": tolerances,
        "sections": sections,
        "wall_time_s": time.time() - t0,
        "fingerprint": dict(fingerprint(config.threads), keras=tf.keras.__name__.split(".")[0],
                            tf_keras=_tf_keras_version()),
    }


def _tf_keras_version():
    import tf_keras
    return getattr(tf_keras, "__version__", "unknown")


# ---------------------------------------------------------------------------
# Figures: one PNG per example
# ---------------------------------------------------------------------------

def _save(fig, path):
    report.save_figure(fig, path, dpi=72)


def plot_history(plt, path, history, title):
    """The post's two-panel plot: loss and accuracy over epochs."""
    fig = plt.figure(figsize=(12, 4))
    fig.suptitle(title)
    for i, (key, label) in enumerate((("loss", "Loss"), ("accuracy", "Accuracy"))):
        ax = fig.add_subplot(1, 2, i + 1)
        ax.plot(history[key])
        ax.set_title(f"{label} over time")
        ax.set_xlabel("Epoch")
        ax.set_ylabel(label)
    _save(fig, path)


def plot_curves(plt, path, curves, title, ylabel, logy=False):
    fig, ax = plt.subplots(figsize=(7, 4))
    for label, values in curves.items():
        ax.plot(values, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel("Epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    _save(fig, path)


def plot_snapshots(plt, path, snapshots):
    """The post's gradient images (hidden kernel, output kernel), one row per epoch."""
    fig = plt.figure(figsize=(10, 3 * len(snapshots)))
    for row, (epoch, grads) in enumerate(sorted(snapshots.items())):
        ax = fig.add_subplot(len(snapshots), 2, 2 * row + 1)
        im = ax.imshow(grads[0], cmap="coolwarm")
        fig.colorbar(im, ax=ax)
        ax.set_title(f"Hidden Layer Weights Gradients (Epoch {epoch})")
        ax = fig.add_subplot(len(snapshots), 2, 2 * row + 2)
        im = ax.imshow(grads[2].reshape(-1, 1), cmap="coolwarm")
        fig.colorbar(im, ax=ax)
        ax.set_title(f"Output Layer Weights Gradients (Epoch {epoch})")
    _save(fig, path)


def plot_cnn(plt, path, history):
    """The post's CNN plot: train and test loss, train and test accuracy per epoch."""
    fig = plt.figure(figsize=(12, 4))
    for i, key in enumerate(("loss", "accuracy")):
        ax = fig.add_subplot(1, 2, i + 1)
        ax.plot(history[f"train_{key}"], label=f"Train {key.capitalize()}")
        ax.plot(history[f"test_{key}"], label=f"Test {key.capitalize()}")
        ax.set_title(f"{key.capitalize()} over epochs")
        ax.set_xlabel("Epoch")
        ax.set_ylabel(key.capitalize())
        ax.legend()
    _save(fig, path)


def plot_seeds(plt, path, data):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    axes[0].bar([str(s) for s in data["seeds"]], data["loss"])
    axes[0].set_title("Final loss per seed")
    axes[0].set_xlabel("seed")
    axes[0].tick_params(axis="x", labelsize=6, rotation=90)
    levels, counts = np.unique(np.round(data["accuracy"], 2), return_counts=True)
    axes[1].bar([f"{v:.2f}" for v in levels], counts)
    axes[1].set_title("Final accuracy: number of seeds")
    axes[1].set_xlabel("accuracy after fit")
    _save(fig, path)


def plot_flow(plt, path, data):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for i, name in enumerate(data["names"]):
        axes[0].plot(data["norms"][:, i], label=name)
    axes[0].set_yscale("log")
    axes[0].set_title("Gradient norm per tensor")
    axes[0].set_xlabel("Epoch")
    axes[0].legend()
    axes[1].plot(data["loss"])
    axes[1].set_yscale("log")
    axes[1].set_title("Loss")
    axes[1].set_xlabel("Epoch")
    _save(fig, path)


def plot_activation(plt, path, data):
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    axes[0].plot(data["x"], data["f"], label="f(x)")
    axes[0].plot(data["x"], data["hand"], label="f'(x), by hand")
    axes[0].set_title("Custom activation and its gradient")
    axes[0].legend()
    axes[1].semilogy(data["x"], np.maximum(data["fd_err"], 1e-18))
    axes[1].set_title("|hand - finite differences|")
    axes[2].plot(data["loss"])
    axes[2].set_title("XOR loss sum with the custom activation")
    axes[2].set_xlabel("Epoch")
    _save(fig, path)


def plot_schedule(plt, path, data):
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    axes[0].plot(data["scheduled"], label="gradient-norm schedule")
    axes[0].plot(data["fixed"], label="fixed 0.1")
    axes[0].set_title("Loss sum")
    axes[0].legend()
    axes[1].plot(data["lr"])
    axes[1].set_title("Learning rate")
    axes[2].semilogy(data["norm"])
    axes[2].set_title("Global gradient norm")
    for ax in axes:
        ax.set_xlabel("Epoch")
    _save(fig, path)


def plot_bptt(plt, path, data):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    axes[0].semilogy(data["losses"])
    axes[0].set_title("Training loss (hand-written BPTT)")
    axes[0].set_xlabel("SGD step")
    axes[1].plot(data["target"], "o-", label="target (next value)")
    axes[1].plot(data["prediction"], "x-", label="RNN prediction")
    axes[1].set_title("First test window")
    axes[1].set_xlabel("t")
    axes[1].legend()
    _save(fig, path)


def write_plots(out, sections):
    plt = report.pyplot()
    for sec in sections:
        path = out.path(f"{sec.name}.png")
        p = sec.plots
        if sec.name == "xor_fit":
            plot_history(plt, path, p["history"], "XOR, model.fit")
        elif sec.name in ("xor_loop", "twin", "clipping"):
            plot_curves(plt, path, p["loss"], sec.name, "loss sum over the 4 rows", logy=True)
        elif sec.name == "xor_seeds":
            plot_seeds(plt, path, p["seeds"])
        elif sec.name == "visualise":
            plot_snapshots(plt, path, p["snapshots"])
        elif sec.name == "cnn":
            plot_cnn(plt, path, p["history"])
        elif sec.name == "gradient_flow":
            plot_flow(plt, path, p["flow"])
        elif sec.name == "custom_activation":
            plot_activation(plt, path, p["activation"])
        elif sec.name == "clipping_study":
            plot_curves(plt, path, p["curves"], "Clipping study (features ~ N(0, 100^2))",
                        "mean loss", logy=True)
        elif sec.name == "lr_schedule":
            plot_schedule(plt, path, p["schedule"])
        elif sec.name == "bptt":
            plot_bptt(plt, path, p["bptt"])


def write_events(logdir, sections):
    # At most ~200 points a curve: enough for TensorBoard, quick to write.
    scalars = {}
    for sec in sections:
        for tag, points in sec.events.items():
            scalars[tag] = points
    report.write_events(logdir, scalars=scalars, max_points=200)


def main(config, options):
    """Run ``config.examples`` into ``options.output_dir`` (``xor_seeds`` through tf1_repro/study.py)."""
    config.validate()
    # Only the seed studies keep (and resume from) a progress file, one study a run.
    progress = study.Progress(None, None)
    seed_fn = (archive.study_seed if "xor_seeds" in config.examples
               else archive.cnn_study_seed if "cnn_seeds" in config.examples else None)
    if seed_fn is not None:
        progress = study.progress_for(options.output_dir, seed_fn, dataclasses.asdict(config),
                                      fingerprint(config.threads))
    with study.kept_on_failure(progress, config.seeds), report.OutputDir(options.output_dir) as out:
        result = run(config, options.data_dir, emit=print, log=logging.info,
                     study_runner=options.runner(progress))
        write_plots(out, result["sections"])
        write_events(out.path("tensorboard"), result["sections"])
        report.write_json(out.path("results.json"), report.results_payload(
            post.NAME, post.POST, dataclasses.asdict(config), result["figures"],
            claims.published_record(post.NAME, result["figures"]), result["fingerprint"],
            result["wall_time_s"],
            tolerances=result["tolerances"]))
    logging.info("wrote %s/results.json (%.1f s)", options.output_dir, result["wall_time_s"])
