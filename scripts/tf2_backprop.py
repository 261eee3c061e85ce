r"""Post 004, "TensorFlow Backpropagation": GradientTape, Keras 2 loops, exercises, a TF1 twin.

    python scripts/tf2_backprop.py --example=all
    python scripts/tf2_backprop.py --example=tape
    python scripts/tf2_backprop.py --example=xor_seeds --seeds=50

prints each example's transcript in the post's format under an ``== <example>
==`` line (``y = 7.0`` ... for ``tape``; the model summary and predictions
for ``xor_fit``; ``Epoch 0: Loss = [...]`` for ``xor_loop``; the CNN's
``Epoch 1, Loss: ...`` lines), and writes results.json, one PNG per example
and TensorBoard events to --output_dir.  ``--example`` takes ``all`` (every
section and exercise; not the seed studies) or a comma-separated list of:
tape, xor_fit, xor_loop, twin, visualise, cnn, clipping, gradient_flow,
custom_activation, clipping_study, lr_schedule, bptt, xor_seeds, cnn_seeds.
The post's code and what changed from the post: tf1_repro/posts/tf2_backprop.py;
its exercises, worked: tf1_repro/posts/tf2_backprop_exercises.py; what the
archive adds (the seed studies, the TF1 twin): tf1_repro/posts/tf2_backprop_archive.py.
"""
import os

# The post is Keras 2 code: tf.keras must be tf-keras, chosen before TensorFlow
# is first imported (the library refuses to run on Keras 3).
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from absl import flags  # noqa: E402

import _checkout  # noqa: E402,F401  (this checkout's tf1_repro, not another clone's)
from tf1_repro import cli  # noqa: E402
from tf1_repro.errors import UsageError  # noqa: E402

NAME = "tf2_backprop"
EXAMPLE_NAMES = ("tape", "xor_fit", "xor_loop", "twin", "visualise", "cnn", "clipping",
                 "gradient_flow", "custom_activation", "clipping_study", "lr_schedule", "bptt",
                 "xor_seeds", "cnn_seeds")

flags.DEFINE_list("example", ["all"], "'all' (every section and exercise, not the seed studies "
                  "xor_seeds and cnn_seeds) or a "
                  "comma-separated list of: " + ", ".join(EXAMPLE_NAMES))
flags.register_validator(
    "example", lambda v: bool(v) and (v == ["all"] or all(e in EXAMPLE_NAMES for e in v)),
    message="expected 'all' or a comma-separated list of: " + ", ".join(EXAMPLE_NAMES))
flags.DEFINE_integer("xor_epochs", 1000, "model.fit epochs of the XOR example (the post: 1000).",
                     lower_bound=1)
flags.DEFINE_integer("loop_epochs", 200, "Epochs of the tf.function loop, the twin and the "
                     "clipping example (the post: 200).", lower_bound=1)
flags.DEFINE_integer("seeds", 50, "The seed studies (--example=xor_seeds, cnn_seeds): runs with "
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


def main():
    # Checked before TensorFlow loads, so a wrong path fails at once.
    if ("cnn" in FLAGS.example or "cnn_seeds" in FLAGS.example or FLAGS.example == ["all"]) \
            and os.path.exists(FLAGS.data_dir) and not os.path.isdir(FLAGS.data_dir):
        raise UsageError(f"--data_dir={FLAGS.data_dir}: not a folder")
    from tf1_repro.posts import tf2_backprop as post
    from tf1_repro.runs import tf2_backprop as runs
    post.configure_runtime(FLAGS.threads)
    runs.main(config_from_flags(post), cli.options())


if __name__ == "__main__":
    cli.run(main)
