r"""Posts 000/001, Seo's "Manual Back Prop with TensorFlow: Decoupled RNN".

    python scripts/decoupled_rnn.py

prints the post's transcript: the four ``Extracting ...`` lines, the summed
cost of each of the 100 epochs (``Current Iter:  0  current cost:  ...``,
the program's own line), then one row per test image (``index  :  [[output]]  :  [[rounded]]
:  [label]``) and the count right out of 20.  Variants:

    --ordering=sequential   each time box reads what the one before wrote
    --mode=autodiff         the post's GradientDescentOptimizer(0.1) instead
    --side_by_side          also train the other mode (same data and start)
                            for the cost figure and the comparison

Writes results.json, cost.png (the post's left figure), test_images.png (its
right figure), oracles.png (synthetic against true gradient per epoch) and
TensorBoard events to --output_dir.  The post's graph and loops, and what
changed from the post: tf1_repro/posts/decoupled_rnn.py; what the archive
adds (the oracles' quality, the side-by-side run, the seed study):
tf1_repro/posts/decoupled_rnn_archive.py.
"""
from absl import flags

import _checkout  # noqa: F401  (this checkout's tf1_repro, not another clone's)
from tf1_repro import cli
from tf1_repro.posts import decoupled_rnn as post
from tf1_repro.runs import decoupled_rnn as runs

flags.DEFINE_integer("epochs", 100, "Passes over the training images (the post: 100).", lower_bound=1)
flags.DEFINE_integer("num_train", 100, "Training images, pool rows after the test rows "
                     "(the post: 100).", lower_bound=1)
flags.DEFINE_integer("num_test", 20, "Test images, the first pool rows (the post: 20).",
                     lower_bound=1)
flags.DEFINE_enum("mode", "manual", post.MODES,
                  "manual: the post's update list; autodiff: its GradientDescentOptimizer(0.1) "
                  "on the cost, the update list not run.")
flags.DEFINE_enum("ordering", "as_published", post.ORDERINGS,
                  "as_published: the post's unordered graph (run deterministically); "
                  "sequential: control dependencies in the NumPy post's order.")
flags.DEFINE_float("lr_x", 1e-3, "Learning rate of W_fc (the post: 1e-3).", lower_bound=0)
flags.DEFINE_float("lr_rec", 1e-6, "Learning rate of W_rec and W_x (the post: 1e-6).", lower_bound=0)
flags.DEFINE_float("lr_sg", 1e-4, "Learning rate of the oracles (the post: 1e-4).", lower_bound=0)
flags.DEFINE_bool("side_by_side", False, "Also train the other mode on the same data from the "
                  "same start, for the cost figure and the manual/autodiff comparison.")
flags.DEFINE_bool("oracle_quality", True, "Measure the oracles against the true gradient "
                  "after every epoch.")
flags.DEFINE_integer("seeds", 1, "Test the post's two claims over this many seeds (--seed, "
                     "--seed+1, ...: each the post's program with that seed, its split and its "
                     "weights), manual and autodiff each (1: a single run).", lower_bound=1)
cli.define_study_flags()
cli.define_common_flags(post.NAME, seed=678)
flags.register_validator("seed", lambda v: v >= 0, "--seed must be >= 0")
FLAGS = flags.FLAGS


def config_from_flags():
    return post.Config(epochs=FLAGS.epochs, num_train=FLAGS.num_train, num_test=FLAGS.num_test,
                       seed=FLAGS.seed, mode=FLAGS.mode, ordering=FLAGS.ordering,
                       lr_x=FLAGS.lr_x, lr_rec=FLAGS.lr_rec, lr_sg=FLAGS.lr_sg,
                       threads=FLAGS.threads)


def main():
    runs.main(config_from_flags(), cli.options(), side_by_side=FLAGS.side_by_side,
              oracle_quality=FLAGS.oracle_quality)


if __name__ == "__main__":
    cli.run(main)
