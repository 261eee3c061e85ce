"""The "real problem" of post 003: an Impdrop connection, trained through a custom gradient.

Post:     "Override Tensorflow Backward-Propagation" (seed 003_349beaa0d4a6687e.txt),
          section "Real problem".  The post describes, without code, the
          attention network of Wang, Gu, Zhang, Zhou and Gu, "Clothing Retrieval
          with Visual Attention Model" (arXiv:1710.11446, 2017): an attention map
          gives the keep-probabilities of a Bernoulli mask that multiplies
          another feature map (the paper's "Impdrop" connection, against a plain
          "Product" connection, feature x attention).  A Bernoulli draw has no
          gradient, so the post overrides it: "in backprop function I implement
          custom gradient - it was just multiplication between intermediate
          layer (another feature map) and coming gradient".
Written for: TensorFlow 1.x.

The connection, for attention ``A`` in [0, 1] and features ``F``::

    M = Bernoulli(A)            (drawn as M = [U < A], U uniform in [0, 1))
    out = M * F
    dL/dA = dL/dout * F         (the post's rule: a straight-through estimator;
                                 it is the Product connection's gradient)
    dL/dF = dL/dout * M         (the true gradient for F, given M)

Two forms, with the same forward and backward: :func:`impdrop` (the post's
way: ``py_func`` forward in NumPy, gradient through
``gradient_override_map``) and :func:`impdrop_tf` (``tf.custom_gradient``,
forward in TF ops).  :func:`demo` trains a small attention-gated MNIST
classifier with Product, with Impdrop through the override, and with
Impdrop whose Bernoulli draw blocks the gradient (no override: the attention
branch never learns).

Claims:   none with numbers.  The paper reports Impdrop as more robust than
          Product with small training sets; the demonstration here shows only
          that the overridden gradient trains (its accuracy beside Product's).

What changed and why (the post has no code for this part)
-----------------------------------------------------------
* The uniform noise ``U`` is drawn by a seeded ``tf.random.uniform`` op and
  passed to the py_func, which draws the Bernoulli mask from it in NumPy.
  The draws are then reproducible, never touch NumPy's global RNG, and are
  identical in both forms, so the forms can be compared number for number.
* Inference uses the mask's expectation, ``A * F`` (as dropout does); the
  paper's test-time rule could not be retrieved.
* The classifier is ours (the paper's network is a clothing-retrieval CNN):
  features ``F = relu(x W_f + b_f)`` and attention ``A = sigmoid(x W_a + b_a)``
  from the same image, ``h = connect(A, F)``, ``logits = h W_o + b_o``;
  Adam(1e-3), soft-max cross-entropy, MNIST through tf1_repro.mnist, a
  training subset of ``train_size`` images (the paper's small-data setting),
  explicit op seeds, deterministic sessions.
"""
import dataclasses
import time

import numpy as np
import tensorflow as tf

from tf1_repro import mnist, pyfunc_grad, resources
from tf1_repro.errors import UsageError
from tf1_repro.graph_session import new_session

tf1 = tf.compat.v1

CONNECTIONS = ("product", "impdrop", "impdrop_tf", "impdrop_blocked")


# ---------------------------------------------------------------------------
# The connection
# ---------------------------------------------------------------------------

def bernoulli_mask(attention, noise):
    """NumPy: the Bernoulli mask ``[noise < attention]`` in the attention's dtype."""
    return (noise < attention).astype(attention.dtype)


def impdrop_forward(attention, features, noise):
    """The py_func forward, in NumPy: the Bernoulli mask times the features."""
    return (bernoulli_mask(attention, noise) * features).astype(features.dtype)


def impdrop_backprop(op, grad):
    """The post's custom gradient: grad * F for the attention, grad * M for the features.

    The mask is recomputed from the op's inputs (``U < A``), so the backward
    uses exactly the forward's draw.  The noise gets no gradient.
    """
    attention, features, noise = op.inputs[0], op.inputs[1], op.inputs[2]
    mask = tf.cast(tf.less(noise, attention), features.dtype)
    return grad * features, grad * mask, None


def uniform_noise(attention, seed):
    """U ~ uniform[0, 1) with ``attention``'s shape, from a seeded op."""
    return tf1.random_uniform(tf.shape(attention), seed=seed, dtype=attention.dtype, name="impdrop_noise")


def impdrop(attention, features, seed=None, noise=None, graph=None, stateful=True, name=None):
    """The Impdrop connection as the post built it: py_func forward, overridden gradient.

    ``noise`` (uniform [0, 1), attention's shape) defaults to a fresh
    ``tf.random.uniform`` op with op seed ``seed``.  Must be called while a
    graph is being built (see tf1_repro.pyfunc_grad).
    """
    if noise is None:
        noise = uniform_noise(attention, seed)
    out = pyfunc_grad.py_func(impdrop_forward, [attention, features, noise],
                              features.dtype.base_dtype, graph, stateful=stateful,
                              name=name or "Impdrop", grad=impdrop_backprop,
                              shapes=features.shape)
    return out


@tf.custom_gradient
def _impdrop_tf(attention, features, noise):
    mask = tf.cast(tf.less(noise, attention), features.dtype)

    def grad(g):
        return g * features, g * mask, tf.zeros_like(noise)

    return mask * features, grad


def impdrop_tf(attention, features, seed=None, noise=None):
    """The Impdrop connection with ``tf.custom_gradient``: the same maths, forward in TF ops."""
    if noise is None:
        noise = uniform_noise(attention, seed)
    return _impdrop_tf(attention, features, noise)


def impdrop_blocked(attention, features, seed=None, noise=None):
    """Impdrop without the override: the Bernoulli draw in plain TF ops.

    ``tf.less`` has no gradient, so nothing reaches the attention (the
    post's problem); the features still get ``grad * M``.
    """
    if noise is None:
        noise = uniform_noise(attention, seed)
    return tf.cast(tf.less(noise, attention), features.dtype) * features


def product(attention, features):
    """The paper's Product connection, ``A * F`` (and Impdrop's expectation)."""
    return tf.multiply(attention, features)


def connect(kind, attention, features, seed=None):
    """The training-time connection ``kind`` (one of CONNECTIONS)."""
    if kind == "product":
        return product(attention, features)
    if kind == "impdrop":
        return impdrop(attention, features, seed=seed)
    if kind == "impdrop_tf":
        return impdrop_tf(attention, features, seed=seed)
    if kind == "impdrop_blocked":
        return impdrop_blocked(attention, features, seed=seed)
    raise UsageError(f"connection {kind!r}: expected one of {', '.join(CONNECTIONS)}")


# ---------------------------------------------------------------------------
# The demonstration: an attention-gated MNIST classifier
# ---------------------------------------------------------------------------

@dataclasses.dataclass
class Config:
    """The demonstration's settings."""
    steps: int = 1000
    batch_size: int = 50
    hidden: int = 100
    learning_rate: float = 1e-3
    train_size: int = 5000
    eval_every: int = 100
    seed: int = 0
    threads: int = 1

    def validate(self, available=None):
        for name in ("steps", "batch_size", "hidden", "train_size", "eval_every"):
            if getattr(self, name) < 1:
                raise UsageError(f"--impdrop_{name}={getattr(self, name)}: must be at least 1")
        if not np.isfinite(self.learning_rate) or self.learning_rate <= 0:
            raise UsageError(f"--impdrop_learning_rate={self.learning_rate}: must be a positive number")
        if available is not None and self.train_size > available:
            raise UsageError(f"--impdrop_train_size={self.train_size}: larger than the "
                             f"{available} training images")
        if self.batch_size > self.train_size:
            raise UsageError(f"--impdrop_batch_size={self.batch_size}: larger than "
                             f"--impdrop_train_size={self.train_size}")
        # Floor: feature and attention weights with Adam's two slots, activations of a batch.
        resources.require_memory(f"--impdrop_hidden={self.hidden}", 4 * self.hidden * (
            2 * 4 * (784 + 1 + 10) + 4 * max(self.batch_size, 10000)))


def build_classifier(kind, config):
    """The attention-gated classifier in the default graph; its tensors by name.

    ``logits`` uses the training-time connection ``kind``; ``eval_logits``
    shares every weight and uses the Product connection (Impdrop's
    expectation), so it is deterministic.
    """
    x = tf1.placeholder(tf.float32, [None, 784], name="x")
    y = tf1.placeholder(tf.float32, [None, 10], name="y")

    def weight(shape, op_seed, name):
        return tf1.Variable(tf1.truncated_normal(shape, stddev=0.1, seed=op_seed), name=name,
                            use_resource=False)

    def bias(n, name):
        return tf1.Variable(tf.zeros([n]), name=name, use_resource=False)

    w_f, b_f = weight([784, config.hidden], 1, "w_f"), bias(config.hidden, "b_f")
    w_a, b_a = weight([784, config.hidden], 2, "w_a"), bias(config.hidden, "b_a")
    w_o, b_o = weight([config.hidden, 10], 3, "w_o"), bias(10, "b_o")
    features = tf.nn.relu(tf.matmul(x, w_f) + b_f, name="features")
    attention = tf.sigmoid(tf.matmul(x, w_a) + b_a, name="attention")
    h = connect(kind, attention, features, seed=4)
    logits = tf.matmul(h, w_o) + b_o
    eval_logits = tf.matmul(product(attention, features), w_o) + b_o
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train_op = tf1.train.AdamOptimizer(config.learning_rate).minimize(loss)
    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(eval_logits, 1), tf.argmax(y, 1)), tf.int32))
    grads = tf.gradients(loss, [w_a, b_a])
    return dict(x=x, y=y, features=features, attention=attention, h=h, logits=logits,
                eval_logits=eval_logits, loss=loss, train_op=train_op, correct=correct,
                attention_grads=grads, weights=dict(w_f=w_f, b_f=b_f, w_a=w_a, b_a=b_a,
                                                    w_o=w_o, b_o=b_o))


def train_classifier(kind, config, data, log=None):
    """Train one connection on the first ``train_size`` training images; return its curves.

    Every connection sees the same batches (a fresh ``tf1.1`` DataSet seeded
    with ``config.seed``) and starts from the same weights.
    """
    images = data.train.images[:config.train_size]
    labels = data.train.labels[:config.train_size]
    train = mnist.DataSet.from_arrays(images, labels, batch_order="tf1.1",
                                      graph_seed=config.seed)
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        t = build_classifier(kind, config)
        init = tf1.global_variables_initializer()
    graph.finalize()
    test = {t["x"]: data.test.images, t["y"]: data.test.labels}
    steps, losses, accuracies = [], [], []
    with new_session(graph, config.threads) as sess:
        sess.run(init)
        # A finite, non-zero gradient for the attention weights is what the
        # override buys: without it the Bernoulli draw would block it.
        xs, ys = images[:config.batch_size], labels[:config.batch_size]
        grads = [g for g in t["attention_grads"] if g is not None]
        grad_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in sess.run(grads, {t["x"]: xs, t["y"]: ys}))))
        window = []
        for step in range(1, config.steps + 1):
            xs, ys = train.next_batch(config.batch_size)
            _, loss = sess.run([t["train_op"], t["loss"]], {t["x"]: xs, t["y"]: ys})
            window.append(loss)
            if step % config.eval_every == 0 or step == config.steps:
                accuracy = sess.run(t["correct"], test) / data.test.num_examples
                steps.append(step)
                losses.append(float(np.mean(window)))
                accuracies.append(float(accuracy))
                window = []
                if log:
                    log(f"{kind} step {step}: train loss {losses[-1]:.4f}, test accuracy {accuracy:.4f}")
        attention = sess.run(t["attention"], {t["x"]: data.test.images[:1000]})
    return {"steps": steps, "train_loss": losses, "test_accuracy": accuracies,
            "initial_attention_grad_norm": grad_norm,
            "mean_attention": float(attention.mean()),
            "attention_std_over_units": float(attention.mean(axis=0).std())}


def load_data(data_dir, log=print):
    """MNIST through tf1_repro.mnist, one-hot labels."""
    return mnist.read_data_sets(data_dir, one_hot=True, log=log)


DEMO_CONNECTIONS = ("product", "impdrop", "impdrop_blocked")


def demo(config, data, log=None, connections=DEMO_CONNECTIONS):
    """Train each connection; return {connection: curves} and the figures."""
    config.validate(data.train.num_examples)
    t0 = time.time()
    runs = {kind: train_classifier(kind, config, data, log=log) for kind in connections}
    figs = {}
    for kind, r in runs.items():
        figs[f"impdrop_demo_{kind}_test_accuracy"] = r["test_accuracy"]
        figs[f"impdrop_demo_{kind}_train_loss"] = r["train_loss"]
        figs[f"impdrop_demo_{kind}_final_test_accuracy"] = r["test_accuracy"][-1]
        figs[f"impdrop_demo_{kind}_initial_attention_grad_norm"] = r["initial_attention_grad_norm"]
        figs[f"impdrop_demo_{kind}_mean_attention"] = r["mean_attention"]
    figs["impdrop_demo_steps"] = runs[connections[0]]["steps"]
    # Another machine or library: accuracies move by a few test images, losses
    # by float noise; the demonstration is not a claim of the post.
    tolerances = {name: {"other_env": {"atol": 0.02} if "accuracy" in name
                         else {"rtol": 0.05, "atol": 1e-3}} for name in figs}
    return {"runs": runs, "figures": figs, "tolerances": tolerances,
            "wall_time_s": time.time() - t0}
