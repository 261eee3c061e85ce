"""Post 004's run: every example and exercise in order, and the gradient checks.

tf1_repro/posts/tf2_backprop.py holds the post's own code (the file to read
beside the post) and tf1_repro/posts/tf2_backprop_exercises.py its
exercises; this module runs them for scripts/tf2_backprop.py and the tests,
so neither of the two imports the other's caller.
"""
import time

import numpy as np

from tf1_repro.graph_session import fingerprint
from tf1_repro.posts import tf2_backprop as post
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
        hand, autodiff, _ = post.twin_gradients(weights, tf.float64)
        tape_grads, _ = post.keras_tape_gradients(weights, "float64")
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
        "tape": post.tape_basics, "xor_fit": post.xor_fit, "xor_seeds": post.xor_seeds,
        "xor_loop": post.xor_loop, "twin": post.twin, "visualise": post.visualise, "cnn": post.cnn,
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
            sec = post.xor_seeds(config, emit=emit, log=log, runner=study_runner)
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

