"""Post 003's claims ("Override Tensorflow Backward-Propagation").

The post prints no number.  It states that its ``add_grad`` (``tf.py_func``
forward, a gradient registered with ``RegisterGradient`` and applied through
``gradient_override_map``) computes the same forward result as ``tf.add``
("I got the same result"), and that the registered function replaces the
op's backward pass (its formula is illustrative, not the true gradient).
"""
from tf1_repro.claims import Claim

CLAIMS = [
    Claim(
        name="same_forward_result",
        golden="gradient_override",
        figure="forward_loss_difference",
        said="call tf.add instead of add_grad and compare the outputs: 'I got the same result'",
        published=0.0,
        band={"atol": 0.0},
        evidence="both forward passes add the same two float32 vectors, so 'the same result' is "
                 "bit for bit: no tolerance",
        counterexample=5.96e-08,
        counterexample_source="a loss one float32 ulp away (at 0.57)",
    ),
    Claim(
        name="override_replaces_backward",
        golden="gradient_override",
        figure="grad_max_abs_difference",
        said="gradient_override_map makes TensorFlow use the registered function as the op's "
             "backward pass",
        published=None,
        band={"min": 1e-3},
        evidence="the post's formula ((e+d) g, d g, e g) is not the true gradient of c + k, so "
                 "if the override applied, the gradients of c and k differ from tf.add's by far "
                 "more than float32 noise (1e-3 is about 10^4 ulps at these magnitudes)",
        counterexample=0.0,
        counterexample_source="the override ignored: the true gradient, difference 0",
    ),
]
