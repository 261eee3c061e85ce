"""Override Tensorflow Backward-Propagation: ``gradient_override_map`` with ``py_func``.

Post:     "Override Tensorflow Backward-Propagation", Medium / Data Driven
          Investor (author's name not recorded).  Seed: shared/seeds/003_349beaa0d4a6687e.txt
URL:      https://medium.com/datadriveninvestor/override-tensorflow-backward-propagation-1a7e2bb3f516
Written for: TensorFlow 1.x (``tf.py_func``, ``tf.RegisterGradient``,
          ``Graph.gradient_override_map``, ``tf.train.AdamOptimizer``).

The post's network: ``c``, ``k`` = ``tf.Variable(tf.truncated_normal([2],
stddev=0.1))``; placeholders ``b_ph`` (float32, fed ``b = [1, 2]``) and
``labels_ph`` (int32, fed ``labels = [0, 1]``); ``d = b + c``; ``e = c + k``;
``a = d * e``; ``loss = tf.losses.softmax_cross_entropy(logits=a,
onehot_labels=labels_ph)``; ``AdamOptimizer(0.001, 0.9, 0.999, epsilon=0.1)``
through ``compute_gradients(loss, tf.trainable_variables())`` and
``apply_gradients``.  It then pretends ``e = tf.add(c, k)`` has no gradient
and replaces it with ``e = add_grad(c, k, d)``: a ``py_func`` whose forward is
``np.add(c, k)`` and whose backward (``backprop_func``) returns
``((e + d) * grad, d * grad, e * grad)`` for ``(c, k, d)``.

Claims:   the forward outputs of ``tf.add`` and ``add_grad`` are the same ("I
          got the same result"); no number is printed.  The backward formula
          is, in the post's words, one the reader should derive "by yourself":
          it is illustrative, not the gradient of ``c + k`` (which is
          ``(grad, grad, 0)``).  We print both and how far apart they are.

What changed and why
--------------------
* API renames for TF 2.x: ``tf.compat.v1`` for ``placeholder``, ``Variable``,
  ``truncated_normal``, ``py_func``, ``losses.softmax_cross_entropy``,
  ``train.AdamOptimizer``, ``trainable_variables``, ``Session``.
* The shapes and list indices the post's surviving text lost are restored:
  ``shape=[2]`` and ``op.inputs[0], [1], [2]`` (posts.md §3.1).
* ``py_func`` is tf1_repro.pyfunc_grad.py_func: gradient names from a counter
  instead of ``np.random.randint`` (collisions, and the global NumPy RNG);
  both ``PyFunc`` and ``PyFuncStateless`` mapped; ``graph`` optional, because
  the post defines ``add_grad(c, k, d, graph)`` but calls ``add_grad(c, k, d)``;
  the output unpacked from its list with its static shape ``[2]`` restored (the
  post multiplied ``d`` by a one-element list, which broadcasts to ``[1, 2]``).
* ``forward_func`` returns ``e.astype(c.dtype)`` rather than
  ``e.astype(np.float32)``: the same for the post's float32 graph, and it
  lets the float64 gradient checks reuse the function.
* Each graph is built in its own ``tf.Graph``; variables are TF1 reference
  variables (``use_resource=False``) with the post's names.
* Seeds: the post's initial values were unseeded.  ``--seed=S`` is the
  post's program with ``tf.set_random_seed(S)`` (and ``np.random.seed(S)``)
  at its top: ``c`` and ``k`` take TF1's implicit op seeds, which depend only
  on the ops built before them (the two placeholders, as in the post), so
  every variant starts from the same ``c`` and ``k``, the ones the post's
  code draws with that seed.  Sessions are deterministic (threads=1).
* Added, answering the post's open question ("how to implement forward
  propagation using Tensorflow operations"): ``add_grad_tf``, the same
  override with ``tf.custom_gradient`` and the forward in TF ops; and
  ``tf.stop_gradient`` on the post's network.
"""
import dataclasses
import time

import numpy as np
import tensorflow as tf

from tf1_repro import pyfunc_grad
from tf1_repro.errors import UsageError
from tf1_repro.graph_session import fingerprint, new_session

tf1 = tf.compat.v1

NAME = "gradient_override"
POST = {
    "seed": "003_349beaa0d4a6687e.txt",
    "title": "Override Tensorflow Backward-Propagation",
    "author": "not recorded",
    "date": "not recorded",
    "url": "https://medium.com/datadriveninvestor/override-tensorflow-backward-propagation-1a7e2bb3f516",
}

STDDEV = 1e-1
LABELS = [0, 1]
B = [1, 2]

# How ``e`` is computed; "tf.add" is the post's graph before the override.
VARIANTS = (
    "tf.add",            # e = tf.add(c, k): autodiff, the true gradient
    "add_grad",          # e = add_grad(c, k, d): the post's py_func + backprop_func
    "add_grad_stateless",  # the same with stateful=False (op type PyFuncStateless)
    "custom_gradient",   # e = add_grad_tf(c, k, d): the post's formula, forward in TF ops
    "true_add_grad",     # py_func with the true gradient of c + k, for contrast
    "stop_gradient",     # e = tf.add(c, tf.stop_gradient(k))
)


@dataclasses.dataclass
class Config:
    """One run of the post's network; defaults are the post's."""
    seed: int = 0
    steps: int = 1000
    print_every: int = 100
    learning_rate: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 0.1
    threads: int = 1

    def validate(self):
        if self.steps < 0:
            raise UsageError(f"--steps={self.steps}: must be at least 0")
        if self.print_every < 1:
            raise UsageError(f"--print_every={self.print_every}: must be at least 1")
        for name in ("learning_rate", "epsilon"):
            value = getattr(self, name)
            if not np.isfinite(value) or value <= 0:
                raise UsageError(f"--{name}={value}: must be a positive number")
        for name in ("beta1", "beta2"):
            value = getattr(self, name)
            if not 0 <= value < 1:
                raise UsageError(f"--{name}={value}: must be in [0, 1)")


# ---------------------------------------------------------------------------
# The post's override
# ---------------------------------------------------------------------------

def forward_func(c, k, d):
    """The forward pass in NumPy: ``e = c + k`` (``d`` is unused, but backprop_func needs it)."""
    e = np.add(c, k)
    return e.astype(c.dtype)


def backprop_func(op, grad):
    """The post's custom gradient for ``(c, k, d)``: ((e + d) grad, d grad, e grad).

    Illustrative, as the post says: the true gradient of ``c + k`` is
    ``(grad, grad, 0)`` (:func:`true_backprop_func`).
    """
    c = op.inputs[0]
    k = op.inputs[1]
    d = op.inputs[2]
    e = tf.add(c, k)
    return (e + d) * grad, d * grad, e * grad


def true_backprop_func(op, grad):
    """The true gradient of ``e = c + k`` for ``(c, k, d)``: (grad, grad, 0)."""
    return grad, grad, tf.zeros_like(op.inputs[2])


def py_func(func, inp, Tout, graph=None, stateful=True, name=None, grad=None):
    """The post's helper: tf1_repro.pyfunc_grad.py_func (see its module doc for the fixes)."""
    return pyfunc_grad.py_func(func, inp, Tout, graph, stateful=stateful, name=name, grad=grad)


def add_grad(c, k, d, graph=None, name=None, stateful=True, grad=backprop_func):
    """The post's ``add_grad``: ``e = c + k`` by py_func, with ``backprop_func`` as its gradient.

    Returns one tensor with ``c``'s static shape (the post got a list of one
    tensor of unknown shape).
    """
    with tf.name_scope(name or "AddGrad"):
        e = pyfunc_grad.py_func(forward_func, [c, k, d], [c.dtype.base_dtype], graph,
                                stateful=stateful, name=name, grad=grad)[0]
    e.set_shape(c.shape)
    return e


@tf.custom_gradient
def add_grad_tf(c, k, d):
    """The post's override with ``tf.custom_gradient``: forward in TF ops, same backward.

    Works in graph and eager mode alike, needs no gradient registry and keeps
    the forward pass in TensorFlow (the post's open question).
    """
    e = tf.add(c, k)

    def grad(g):
        return (e + d) * g, d * g, e * g

    return e, grad


# ---------------------------------------------------------------------------
# The post's network
# ---------------------------------------------------------------------------

def build_graph(variant="add_grad", config=None, dtype=tf.float32):
    """Build the post's network into the default graph; return its tensors by name.

    ``variant`` (one of VARIANTS) chooses how ``e`` is computed.  ``dtype``
    float64 builds the same network in double precision for gradient checks.
    """
    if variant not in VARIANTS:
        raise UsageError(f"variant {variant!r}: expected one of {', '.join(VARIANTS)}")
    config = config or Config()
    labels_ph = tf1.placeholder(shape=(2), dtype=tf.int32, name="labels_ph")
    b_ph = tf1.placeholder(shape=(2), dtype=dtype, name="b_ph")
    c = tf1.Variable(tf1.truncated_normal(shape=[2], stddev=STDDEV, dtype=dtype),
                     name="c", use_resource=False)
    k = tf1.Variable(tf1.truncated_normal(shape=[2], stddev=STDDEV, dtype=dtype),
                     name="k", use_resource=False)
    d = tf.add(b_ph, c, name="d")
    if variant == "tf.add":
        e = tf.add(c, k, name="e")
    elif variant == "add_grad":
        e = add_grad(c, k, d)
    elif variant == "add_grad_stateless":
        e = add_grad(c, k, d, stateful=False)
    elif variant == "custom_gradient":
        e = add_grad_tf(c, k, d)
    elif variant == "true_add_grad":
        e = add_grad(c, k, d, grad=true_backprop_func)
    else:
        e = tf.add(c, tf.stop_gradient(k), name="e")
    a = tf.multiply(d, e, name="a")
    loss = tf1.losses.softmax_cross_entropy(logits=a, onehot_labels=labels_ph)
    opt = tf1.train.AdamOptimizer(learning_rate=config.learning_rate, beta1=config.beta1,
                                  beta2=config.beta2, epsilon=config.epsilon)
    grads = opt.compute_gradients(loss, tf1.trainable_variables())
    grads = list(grads)
    # stop_gradient leaves k without a gradient; apply_gradients skips it.
    train_op = opt.apply_gradients(grads_and_vars=grads)
    return dict(labels_ph=labels_ph, b_ph=b_ph, c=c, k=k, d=d, e=e, a=a, loss=loss,
                grads=grads, train_op=train_op)


def feed(t):
    """The post's feed: ``b = [1, 2]``, ``labels = [0, 1]``."""
    return {t["b_ph"]: B, t["labels_ph"]: LABELS}


def run_variant(variant, config, emit=None):
    """Build one variant, read its forward pass and gradients, then train ``config.steps`` steps.

    Returns c, k, d, e, a and the loss at the start, the gradients of the loss
    for (c, k) (``None`` where there is none), the loss every
    ``config.print_every`` steps, and the final c, k.
    """
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        t = build_graph(variant, config)
        init = tf1.global_variables_initializer()
    graph.finalize()
    out = {"variant": variant}
    with new_session(graph, config.threads) as sess:
        sess.run(init)
        fd = feed(t)
        for name in ("c", "k", "d", "e", "a", "loss"):
            out[name] = sess.run(t[name], fd)
        grad_tensors = [g for g, _ in t["grads"]]
        values = sess.run([g for g in grad_tensors if g is not None], fd)
        values = iter(values)
        out["grads"] = [None if g is None else next(values) for g in grad_tensors]
        losses = [(0, float(out["loss"]))]
        trainable = any(g is not None for g in grad_tensors)
        for step in range(1, config.steps + 1):
            if not trainable:
                break
            sess.run(t["train_op"], fd)
            if step % config.print_every == 0 or step == config.steps:
                losses.append((step, float(sess.run(t["loss"], fd))))
                if emit:
                    emit(step, losses[-1][1])
        out["losses"] = losses
        out["final_c"], out["final_k"] = sess.run([t["c"], t["k"]])
    return out


def run(config, emit=print, log=print):
    """Every variant of the post's network; the results dictionary (no files written).

    ``emit`` receives the transcript's lines, ``log`` the diagnostics.
    """
    config.validate()
    t0 = time.time()
    runs = {}
    for variant in VARIANTS:
        t1 = time.time()
        steps = config.steps if variant in ("tf.add", "add_grad") else 0
        runs[variant] = run_variant(variant, dataclasses.replace(config, steps=steps))
        log(f"{variant}: {time.time() - t1:.2f} s")
    true, post = runs["tf.add"], runs["add_grad"]
    true_g = np.concatenate(true["grads"])
    post_g = np.concatenate(post["grads"])
    cg_g = np.concatenate(runs["custom_gradient"]["grads"])
    stateless_g = np.concatenate(runs["add_grad_stateless"]["grads"])
    diff = post_g - true_g
    figs = {
        "c": true["c"].tolist(),
        "k": true["k"].tolist(),
        "loss_tf_add": float(true["loss"]),
        "loss_add_grad": float(post["loss"]),
        "forward_loss_difference": float(abs(post["loss"] - true["loss"])),
        "grad_true": true_g.tolist(),
        "grad_post": post_g.tolist(),
        "grad_max_abs_difference": float(np.max(np.abs(diff))),
        "grad_relative_difference": float(np.linalg.norm(diff) / np.linalg.norm(true_g)),
        "grad_custom_gradient_equals_add_grad": bool(np.array_equal(cg_g, post_g)),
        "grad_stateless_equals_add_grad": bool(np.array_equal(stateless_g, post_g)),
        "grad_true_add_grad_equals_tf_add": bool(
            np.allclose(np.concatenate(runs["true_add_grad"]["grads"]), true_g, rtol=1e-6, atol=1e-7)),
        "stop_gradient_grad_c": runs["stop_gradient"]["grads"][0].tolist(),
        "stop_gradient_grad_k_is_none": runs["stop_gradient"]["grads"][1] is None,
        "train_losses_tf_add": [v for _, v in true["losses"]],
        "train_losses_add_grad": [v for _, v in post["losses"]],
        "final_loss_tf_add": true["losses"][-1][1],
        "final_loss_add_grad": post["losses"][-1][1],
    }
    # Booleans must agree everywhere; floats within float32 noise elsewhere.
    tolerances = {name: {"other_env": {"atol": 0} if isinstance(value, bool)
                         else {"rtol": 1e-5, "atol": 1e-6}}
                  for name, value in figs.items()}
    tolerances["forward_loss_difference"] = {"other_env": {"atol": 0.0}}
    return {"figures": figs, "tolerances": tolerances, "runs": runs,
            "wall_time_s": time.time() - t0, "fingerprint": fingerprint(config.threads)}


def transcript(result, config, emit=print):
    """The post's checks, as text: forward equality, both gradients, training."""
    f, runs = result["figures"], result["runs"]
    fmt = lambda v: np.array2string(np.asarray(v, dtype=np.float64), precision=6,  # noqa: E731
                                    floatmode="fixed", separator=", ")
    emit(f"c = {fmt(f['c'])}   k = {fmt(f['k'])}   "
         f"(truncated_normal([2], stddev={STDDEV}), seed {config.seed})")
    emit(f"b = {B}   labels = {LABELS}")
    emit("")
    emit("forward: loss with e = tf.add(c, k)       = %.8f" % f["loss_tf_add"])
    emit("forward: loss with e = add_grad(c, k, d)  = %.8f" % f["loss_add_grad"])
    emit("same result: %s" % ("yes" if f["forward_loss_difference"] == 0 else
                              "no (differ by %.3g)" % f["forward_loss_difference"]))
    emit("")
    emit("gradients of the loss for (c, k):")
    emit("  tf.add (autodiff, the true gradient)   dc = %s  dk = %s"
         % (fmt(f["grad_true"][:2]), fmt(f["grad_true"][2:])))
    emit("  add_grad (the post's backprop_func)    dc = %s  dk = %s"
         % (fmt(f["grad_post"][:2]), fmt(f["grad_post"][2:])))
    emit("  the post's backward formula ((e+d)*grad, d*grad, e*grad) is illustrative, not the")
    emit("  gradient of c + k, which is (grad, grad, 0): max |difference| = %.6f, relative %.1f%%"
         % (f["grad_max_abs_difference"], 100 * f["grad_relative_difference"]))
    emit("  tf.custom_gradient (forward in TF ops) gives the same gradients as add_grad: %s"
         % ("yes" if f["grad_custom_gradient_equals_add_grad"] else "NO"))
    emit("  py_func(stateful=False) gives the same gradients as add_grad: %s"
         % ("yes" if f["grad_stateless_equals_add_grad"] else "NO"))
    emit("  py_func with the true backward (grad, grad, 0) agrees with tf.add: %s"
         % ("yes" if f["grad_true_add_grad_equals_tf_add"] else "NO"))
    emit("")
    emit("e = tf.add(c, tf.stop_gradient(k)): dc = %s  dk = %s"
         % (fmt(f["stop_gradient_grad_c"]), "None" if f["stop_gradient_grad_k_is_none"] else "?"))
    emit("  (the gradient stops at k only; it still reaches c through both d and e)")
    emit("")
    emit(f"training, AdamOptimizer({config.learning_rate}, {config.beta1}, {config.beta2}, "
         f"epsilon={config.epsilon}), loss:")
    emit(f"{'step':>6} {'tf.add':>12} {'add_grad':>12}")
    for (step, lt), (_, lp) in zip(runs["tf.add"]["losses"], runs["add_grad"]["losses"]):
        emit(f"{step:>6} {lt:>12.8f} {lp:>12.8f}")
