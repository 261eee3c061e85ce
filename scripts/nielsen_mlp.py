r"""Post 002, Aloni's "Back Propagation with TensorFlow": the 784-30-10 MNIST network.

    python scripts/nielsen_mlp.py --steps=10000

prints the post's transcript: the four ``Extracting ...`` lines, then the count
of correct answers on the first 1000 test images after steps 0, 1000, ..., 9000
(``923.0`` style).  Writes results.json, accuracy.png and TensorBoard events to
--output_dir.  ``--seeds=N`` runs the seed study instead: N seeds from --seed
on, their mean and spread at each checkpoint, and where each published count
falls among them.  The graph and what changed from the post:
tf1_repro/posts/nielsen_mlp.py; the in-graph loop and the seed study, which
the archive adds: tf1_repro/posts/nielsen_mlp_archive.py.
"""
from absl import flags

import _checkout  # noqa: F401  (this checkout's tf1_repro, not another clone's)
from tf1_repro import cli
from tf1_repro.posts import nielsen_mlp as post
from tf1_repro.runs import nielsen_mlp as runs

flags.DEFINE_integer("steps", 10000, "Mini-batches to train on (the post: 10000).", lower_bound=1)
flags.DEFINE_integer("batch_size", 10, "Images per mini-batch (the post: 10).", lower_bound=1)
flags.DEFINE_float("eta", 0.5, "The post's eta for the manual update list.")
flags.DEFINE_integer("hidden", 30, "Hidden units, the post's `middle`.", lower_bound=1)
flags.DEFINE_enum("mode", "manual", post.MODES,
                  "manual: the post's hand-written update list; autodiff: its "
                  "GradientDescentOptimizer(0.1) on cost = diff * diff.")
flags.DEFINE_enum("ordering", "as_published", post.ORDERINGS,
                  "as_published: the post's unordered update list; sequential: all "
                  "gradients before any assign (control dependencies).")
flags.DEFINE_enum("batch_order", "tf1.0", ("tf1.0", "tf1.1"),
                  "tf1.0: first epoch in file order (the post's TF); tf1.1: first-epoch "
                  "shuffle and batches straddling epochs.")
flags.DEFINE_enum("loop", "feed", post.LOOPS,
                  "feed: the post's Python loop, one Session.run per mini-batch; graph: the "
                  "whole loop inside the graph (same batches, same counts under --threads=1).")
flags.DEFINE_bool("xla", False, "With --loop=graph: compile the whole loop with XLA (about a quarter "
                  "less CPU time; another kernel family, so other bits).")
flags.DEFINE_integer("seeds", 1, "Run a seed study over this many seeds (1: a single run).",
                     lower_bound=1)
cli.define_common_flags(post.NAME)
cli.define_study_flags()
FLAGS = flags.FLAGS


def config_from_flags():
    return post.Config(steps=FLAGS.steps, batch_size=FLAGS.batch_size, eta=FLAGS.eta,
                       hidden=FLAGS.hidden, seed=FLAGS.seed, mode=FLAGS.mode,
                       ordering=FLAGS.ordering, batch_order=FLAGS.batch_order,
                       threads=FLAGS.threads, loop=FLAGS.loop, xla=FLAGS.xla)


def main():
    runs.main(config_from_flags(), cli.options())


if __name__ == "__main__":
    cli.run(main)
