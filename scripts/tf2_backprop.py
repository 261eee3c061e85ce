r"""Post 004, "TensorFlow Backpropagation": GradientTape, Keras 2 loops, exercises, a TF1 twin.

    python scripts/tf2_backprop.py --example=all
    python scripts/tf2_backprop.py --example=tape
    python scripts/tf2_backprop.py --example=xor_seeds --seeds=50

prints each example's transcript in the post's format under an ``== <example>
==`` line (``y = 7.0`` ... for ``tape``; the model summary and predictions
for ``xor_fit``; ``Epoch 0: Loss = [...]`` for ``xor_loop``; the CNN's
``Epoch 1, Loss: ...`` lines), and writes results.json, one PNG per example
and TensorBoard events to --output_dir.  ``--example`` takes ``all`` (every
section and exercise; not the seed study) or a comma-separated list of:
tape, xor_fit, xor_loop, twin, visualise, cnn, clipping, gradient_flow,
custom_activation, clipping_study, lr_schedule, bptt, xor_seeds.  The code and
what changed from the post: tf1_repro/posts/tf2_backprop.py and
tf1_repro/posts/tf2_backprop_exercises.py.
"""
import os

# The post is Keras 2 code: tf.keras must be tf-keras, chosen before TensorFlow
# is first imported (the library refuses to run on Keras 3).
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import dataclasses  # noqa: E402

import numpy as np  # noqa: E402
from absl import flags, logging  # noqa: E402

import _checkout  # noqa: E402,F401  (this checkout's tf1_repro, not another clone's)
from tf1_repro import claims, cli, report, study  # noqa: E402
from tf1_repro.errors import UsageError  # noqa: E402

NAME = "tf2_backprop"
EXAMPLE_NAMES = ("tape", "xor_fit", "xor_loop", "twin", "visualise", "cnn", "clipping",
                 "gradient_flow", "custom_activation", "clipping_study", "lr_schedule", "bptt",
                 "xor_seeds")

flags.DEFINE_list("example", ["all"], "'all' (every section and exercise, not xor_seeds) or a "
                  "comma-separated list of: " + ", ".join(EXAMPLE_NAMES))
flags.register_validator(
    "example", lambda v: bool(v) and (v == ["all"] or all(e in EXAMPLE_NAMES for e in v)),
    message="expected 'all' or a comma-separated list of: " + ", ".join(EXAMPLE_NAMES))
flags.DEFINE_integer("xor_epochs", 1000, "model.fit epochs of the XOR example (the post: 1000).",
                     lower_bound=1)
flags.DEFINE_integer("loop_epochs", 200, "Epochs of the tf.function loop, the twin and the "
                     "clipping example (the post: 200).", lower_bound=1)
flags.DEFINE_integer("seeds", 50, "The XOR seed study (--example=xor_seeds): runs with "
                     "--seed, --seed + 1, ..., each the post's code with that seed.", lower_bound=1)
flags.DEFINE_integer("cnn_epochs", 5, "Epochs of the MNIST CNN (the post: 5).", lower_bound=1)
flags.DEFINE_integer("cnn_train_size", 60000, "First N training images for the CNN (the post: "
                     "all 60000).", lower_bound=1, upper_bound=60000)
flags.DEFINE_integer("cnn_test_size", 10000, "First N test images for the CNN (the post: all "
                     "10000).", lower_bound=1, upper_bound=10000)
flags.DEFINE_float("clip_norm", 1.0, "Global norm of the clipping example (the post: 1.0).",
                   lower_bound=1e-12)
flags.DEFINE_integer("flow_epochs", 500, "Epochs of the gradient-flow exercise (500).", lower_bound=1)
flags.DEFINE_integer("study_epochs", 200, "Epochs of the clipping and learning-rate exercises.",
                     lower_bound=1)
flags.DEFINE_integer("bptt_epochs", 300, "SGD steps of the BPTT exercise.", lower_bound=1)
cli.define_common_flags(NAME)
cli.define_study_flags()
FLAGS = flags.FLAGS


def config_from_flags(post):
    examples = post.ALL if FLAGS.example == ["all"] else tuple(FLAGS.example)
    return post.Config(examples=examples, seed=FLAGS.seed, threads=FLAGS.threads,
                       xor_epochs=FLAGS.xor_epochs, loop_epochs=FLAGS.loop_epochs,
                       seeds=FLAGS.seeds, cnn_epochs=FLAGS.cnn_epochs,
                       cnn_train_size=FLAGS.cnn_train_size, cnn_test_size=FLAGS.cnn_test_size,
                       clip_norm=FLAGS.clip_norm, flow_epochs=FLAGS.flow_epochs,
                       study_epochs=FLAGS.study_epochs, bptt_epochs=FLAGS.bptt_epochs)


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


def main():
    # Checked before TensorFlow loads, so a wrong path fails at once.
    if ("cnn" in FLAGS.example or FLAGS.example == ["all"]) \
            and os.path.exists(FLAGS.data_dir) and not os.path.isdir(FLAGS.data_dir):
        raise UsageError(f"--data_dir={FLAGS.data_dir}: not a folder")
    from tf1_repro.posts import tf2_backprop as post
    from tf1_repro.posts import tf2_backprop_run
    from tf1_repro.graph_session import fingerprint
    post.configure_runtime(FLAGS.threads)
    config = config_from_flags(post)
    config.validate()
    # Only the XOR seed study keeps (and resumes from) a progress file.
    progress = study.Progress(None, None)
    if "xor_seeds" in config.examples:
        progress = study.progress_for(FLAGS.output_dir, post.study_seed, dataclasses.asdict(config),
                                      fingerprint(config.threads))
    with study.kept_on_failure(progress, config.seeds), report.OutputDir(FLAGS.output_dir) as out:
        runner = dict(workers=FLAGS.workers, dask_scheduler=FLAGS.dask_scheduler, progress=progress)
        result = tf2_backprop_run.run(config, FLAGS.data_dir, emit=print, log=logging.info,
                                      study_runner=runner)
        write_plots(out, result["sections"])
        write_events(out.path("tensorboard"), result["sections"])
        report.write_json(out.path("results.json"), report.results_payload(
            post.NAME, post.POST, dataclasses.asdict(config), result["figures"],
            claims.published_record(post.NAME, result["figures"]), result["fingerprint"],
            result["wall_time_s"],
            tolerances=result["tolerances"]))
    logging.info("wrote %s/results.json (%.1f s)", FLAGS.output_dir, result["wall_time_s"])


if __name__ == "__main__":
    cli.run(main)
