r"""Post 003, "Override Tensorflow Backward-Propagation": py_func gradients and Impdrop.

    python scripts/gradient_override.py                 # --part=all
    python scripts/gradient_override.py --part=post     # the post's network only (no MNIST)
    python scripts/gradient_override.py --part=impdrop  # the Impdrop demonstration only

``--part=post`` prints the post's checks: the forward loss with
``e = tf.add(c, k)`` and with ``e = add_grad(c, k, d)`` (equal, the post's
"I got the same result"), the gradients for ``c`` and ``k`` both ways and how
far the post's illustrative backward formula is from the true gradient, the
``tf.custom_gradient`` and ``stateful=False`` forms, ``tf.stop_gradient``, and
``--steps`` Adam steps of the ``tf.add`` and ``add_grad`` networks side by side.

``--part=impdrop`` trains an attention-gated MNIST classifier (the post's "real
problem", arXiv:1710.11446) with the Product connection, with Impdrop through
the overridden gradient, and with Impdrop without the override, and prints
their test accuracy every ``--impdrop_eval_every`` steps.

Writes results.json, post_training.png and/or impdrop.png, and TensorBoard
events to --output_dir.  The graphs and what changed from the post:
tf1_repro/posts/gradient_override.py and tf1_repro/posts/impdrop.py.
"""
from absl import flags

import _checkout  # noqa: F401  (this checkout's tf1_repro, not another clone's)
from tf1_repro import cli
from tf1_repro.posts import gradient_override as post
from tf1_repro.posts import impdrop
from tf1_repro.runs import gradient_override as runs

PARTS = ("all", "post", "impdrop")

flags.DEFINE_enum("part", "all", PARTS,
                  "post: the post's network; impdrop: the Impdrop MNIST demonstration; all: both.")
flags.DEFINE_integer("steps", 1000, "Adam steps for the post's network (each of tf.add, add_grad).",
                     lower_bound=0)
flags.DEFINE_integer("print_every", 100, "Print the post network's loss every this many steps.",
                     lower_bound=1)
flags.DEFINE_integer("impdrop_steps", 1000, "Training steps per connection in the Impdrop demo.",
                     lower_bound=1)
flags.DEFINE_integer("impdrop_train_size", 5000,
                     "Training images for the Impdrop demo (the first N of the 55 000).",
                     lower_bound=1)
flags.DEFINE_integer("impdrop_batch_size", 50, "Mini-batch size of the Impdrop demo.", lower_bound=1)
flags.DEFINE_integer("impdrop_hidden", 100, "Feature and attention units of the Impdrop demo.",
                     lower_bound=1)
flags.DEFINE_integer("impdrop_eval_every", 100, "Test the Impdrop demo every this many steps.",
                     lower_bound=1)
cli.define_common_flags(post.NAME)
FLAGS = flags.FLAGS


def post_config():
    return post.Config(seed=FLAGS.seed, steps=FLAGS.steps, print_every=FLAGS.print_every,
                       threads=FLAGS.threads)


def impdrop_config():
    return impdrop.Config(steps=FLAGS.impdrop_steps, batch_size=FLAGS.impdrop_batch_size,
                          hidden=FLAGS.impdrop_hidden, train_size=FLAGS.impdrop_train_size,
                          eval_every=FLAGS.impdrop_eval_every, seed=FLAGS.seed,
                          threads=FLAGS.threads)


def main():
    runs.main(FLAGS.part, post_config(), impdrop_config(), cli.options())


if __name__ == "__main__":
    cli.run(main)
