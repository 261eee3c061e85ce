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
    GoldenSpec("gradient_override", "gradient_override", [], False),
    GoldenSpec("gradient_override_impdrop_full", "gradient_override",
               ["--part=impdrop", "--impdrop_train_size=55000", "--impdrop_steps=5000",
                "--impdrop_eval_every=500"], True),
]

POSTS = ["nielsen_mlp", "decoupled_rnn", "gradient_override", "tf2_backprop"]


def specs_for(post):
    """The golden specs of one post, or of all posts for ``post == 'all'``."""
    return [g for g in GOLDENS if post in ("all", g.post)]
