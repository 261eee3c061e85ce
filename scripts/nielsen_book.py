r"""Nielsen's chapter 1 (the book behind post 002) on the post's graph.

    python scripts/nielsen_book.py                      # [784,30,10], eta 3.0, 30 epochs
    python scripts/nielsen_book.py --hidden=100
    python scripts/nielsen_book.py --eta=0.001          # or --eta=100
    python scripts/nielsen_book.py --seeds=5            # "best of three": peaks over seeds

prints the book's transcript, ``Epoch 0: 9129 / 10000`` style, one line per
epoch (all 10 000 test images), then the baselines.  Writes results.json,
accuracy.png (ours beside the book's printed points) and TensorBoard events
to --output_dir.  ``--seed=S`` is network.py run with ``random.seed(S)`` and
``np.random.seed(S)`` at the top.  The graph and what changed:
tf1_repro/posts/nielsen_book.py; the book's claims: tf1_repro/claims/nielsen_book.py.
"""
from absl import flags

import _checkout  # noqa: F401  (this checkout's tf1_repro, not another clone's)
from tf1_repro import cli
from tf1_repro.posts import nielsen_book as book
from tf1_repro.runs import nielsen_book as runs

flags.DEFINE_integer("hidden", 30, "Hidden units: Network([784, hidden, 10]) (the book: 30, then 100).")
flags.DEFINE_float("eta", 3.0, "network.py's learning rate eta (the book: 3.0; also 0.001 and 100).")
flags.DEFINE_integer("epochs", 30, "Epochs of SGD (the book: 30).")
flags.DEFINE_integer("batch_size", 10, "mini_batch_size (the book: 10).")
flags.DEFINE_integer("train_size", book.TRAIN_SIZE,
                     "Train on the first N of mnist.pkl.gz's 50 000 training images (the book: all).")
flags.DEFINE_enum("pixels", "pickle", list(book.PIXELS),
                  "pickle: byte / 256, as mnist.pkl.gz holds them; idx: byte / 255.")
flags.DEFINE_bool("svm", False, "Instead of the network, the chapter's SVM baseline (mnist_svm.py: "
                  "svm.SVC() with the 2015 defaults; needs pip install -e \".[svm]\"; about 8 minutes).")
flags.DEFINE_integer("seeds", 1, "Run a seed study of the peak over this many seeds (1: one run).")
cli.define_common_flags(book.NAME)
cli.define_study_flags()
FLAGS = flags.FLAGS


def config_from_flags():
    return book.Config(hidden=FLAGS.hidden, eta=FLAGS.eta, epochs=FLAGS.epochs,
                       batch_size=FLAGS.batch_size, train_size=FLAGS.train_size, seed=FLAGS.seed,
                       pixels=FLAGS.pixels, threads=FLAGS.threads)


def main():
    runs.main(config_from_flags(), cli.options(), svm=FLAGS.svm)


if __name__ == "__main__":
    cli.run(main)
