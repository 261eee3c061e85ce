"""Every golden the archive keeps: which script, with which flags.

``python scripts/reproduce.py --post=all --bless`` runs each entry below and
writes ``golden/<name>.json``; tests/test_goldens.py re-runs each (``slow``
ones only under ``-m slow``) and checks it against its golden.  ``post`` is
the script's name, used by ``reproduce.py --post=<post>``.
"""
import collections

GoldenSpec = collections.namedtuple("GoldenSpec", ["name", "post", "args", "slow"])

GOLDENS = [
    GoldenSpec("nielsen_mlp", "nielsen_mlp", ["--steps=10000"], False),
    GoldenSpec("nielsen_mlp_graph_loop", "nielsen_mlp", ["--steps=10000", "--loop=graph"], False),
    GoldenSpec("nielsen_mlp_autodiff", "nielsen_mlp", ["--steps=10000", "--mode=autodiff"], False),
    GoldenSpec("nielsen_mlp_seeds", "nielsen_mlp", ["--steps=10000", "--seeds=30"], True),
    # Where the post's 741 (after step 1000) falls needs more seeds than 30:
    # 1000 seeds took 68 minutes when blessed, on 2 cores shared with other work
    # (load 8 to 12); benchmarks/bench_study.py puts them at 10 to 13 minutes at load 2.
    GoldenSpec("nielsen_mlp_seeds_1000", "nielsen_mlp", ["--steps=10000", "--seeds=1000"], True),
    # On a kernel family a golden does not hold, post 002's counts are judged
    # as draws from the seed study of the same mode (tf1_repro/families.py).
    GoldenSpec("nielsen_mlp_autodiff_seeds", "nielsen_mlp",
               ["--steps=10000", "--mode=autodiff", "--seeds=100"], True),
    GoldenSpec("gradient_override", "gradient_override", [], False),
    GoldenSpec("gradient_override_impdrop_full", "gradient_override",
               ["--part=impdrop", "--impdrop_train_size=55000", "--impdrop_steps=5000",
                "--impdrop_eval_every=500"], True),
    # Post 004: every section and exercise, the CNN shortened to one epoch on
    # 2000/1000 images; the gradient pictures (201 calls of fit), the full
    # 5-epoch CNN and the XOR seed study are slow.
    GoldenSpec("tf2_backprop", "tf2_backprop",
               ["--example=tape,xor_fit,xor_loop,twin,cnn,clipping,gradient_flow,"
                "custom_activation,clipping_study,lr_schedule,bptt", "--cnn_epochs=1",
                "--cnn_train_size=2000", "--cnn_test_size=1000"], False),
    GoldenSpec("tf2_backprop_visualise", "tf2_backprop", ["--example=visualise"], True),
    GoldenSpec("tf2_backprop_cnn", "tf2_backprop", ["--example=cnn"], True),
    # The full CNN over seeds: its claim, and the draws a run on another family is judged by.
    GoldenSpec("tf2_backprop_cnn_seeds", "tf2_backprop", ["--example=cnn_seeds", "--seeds=5"], True),
    GoldenSpec("tf2_backprop_xor_seeds", "tf2_backprop", ["--example=xor_seeds", "--seeds=50"],
               True),
    # Posts 000/001: the full runs (100 epochs x 100 images) are slow; the
    # quick one (20 epochs on 20 images, both modes from the same start) keeps
    # both of the post's claims in the default suite.
    GoldenSpec("decoupled_rnn_quick", "decoupled_rnn", ["--epochs=20", "--num_train=20", "--side_by_side"],
               False),
    GoldenSpec("decoupled_rnn", "decoupled_rnn", [], True),
    GoldenSpec("decoupled_rnn_sequential", "decoupled_rnn", ["--ordering=sequential"], True),
    GoldenSpec("decoupled_rnn_autodiff", "decoupled_rnn", ["--mode=autodiff", "--side_by_side"], True),
    # The post's weights were unseeded: its two claims over 8 weight seeds (~15 min).
    GoldenSpec("decoupled_rnn_seeds", "decoupled_rnn", ["--seeds=50"], True),
    # Nielsen's chapter 1, the book behind post 002: the book's runs (about
    # 25 s each, the 100-unit one about a minute) and its "best of three" as
    # a seed study are slow; 2 epochs on 10 000 images keep it in the default suite.
    GoldenSpec("nielsen_book_quick", "nielsen_book", ["--epochs=2", "--train_size=10000"], False),
    GoldenSpec("nielsen_book", "nielsen_book", [], True),
    GoldenSpec("nielsen_book_hidden100", "nielsen_book", ["--hidden=100"], True),
    # The 100-unit network plateaus near 87% for most starts and escapes above
    # 96% for some: the book's 96.59% is judged against 10 seeds (~17 min).
    GoldenSpec("nielsen_book_hidden100_seeds", "nielsen_book", ["--hidden=100", "--seeds=10"], True),
    # The distribution the quick run's figures are drawn from on another family.
    GoldenSpec("nielsen_book_quick_seeds", "nielsen_book",
               ["--epochs=2", "--train_size=10000", "--seeds=50"], True),
    GoldenSpec("nielsen_book_eta_small", "nielsen_book", ["--eta=0.001"], True),
    GoldenSpec("nielsen_book_eta_small_seeds", "nielsen_book", ["--eta=0.001", "--seeds=10"], True),
    GoldenSpec("nielsen_book_eta_large", "nielsen_book", ["--eta=100"], True),
    GoldenSpec("nielsen_book_eta_large_seeds", "nielsen_book", ["--eta=100", "--seeds=5"], True),
    GoldenSpec("nielsen_book_seeds", "nielsen_book", ["--seeds=10"], True),
    # The chapter's SVM baseline: scikit-learn (pip install -e ".[svm]"), about 8 minutes.
    GoldenSpec("nielsen_book_svm", "nielsen_book", ["--svm"], True),
]

# Every post, in the pages' order (each gets docs/<post>.md).  A post is its modules
# (tf1_repro/posts/<post>.py, tf1_repro/runs/<post>.py,
# tf1_repro/claims/<post>.py, scripts/<post>.py), its entry here and its goldens above.
POSTS = ["nielsen_mlp", "nielsen_book", "decoupled_rnn", "gradient_override", "tf2_backprop"]


def specs_for(post):
    """The golden specs of one post, or of all posts for ``post == 'all'``."""
    return [g for g in GOLDENS if post in ("all", g.post)]
