"""Post 003's program, as its author could have run it: the project's reconstruction.

"Override Tensorflow Backward-Propagation" (Medium / Data Driven Investor,
TensorFlow 1.x) shows its code in pieces and no output.  This program was
written for tests/test_own_programs.py from those pieces (shared/seeds/003_*.txt,
with the shapes and ``op.inputs`` indices its surviving text lost restored as
shared/reference/posts.md section 3.1 and tf1_repro/posts/gradient_override.py's
header describe them), in the post's own style: ``tf.py_func`` with a
gradient registered under a random name (``np.random.randint``) and mapped by
``graph.gradient_override_map``, ``tf.losses.softmax_cross_entropy``, Adam
through ``compute_gradients`` and ``apply_gradients``.

Two things are the project's, not the post's:

* the post defines ``add_grad(c, k, d, graph)`` and calls ``add_grad(c, k, d)``,
  which raises; here the call passes the default graph;
* the post says to "call tf.add instead of add_grad and remember values, and
  then call add_grad to compare"; here one run does both, each in a fresh
  default graph (``tf.reset_default_graph``), and trains each for
  ``num_steps`` Adam steps, printing the loss every 100.  It prints Python
  floats (their repr), so every digit of the float32 values shows.
"""
import numpy as np
import tensorflow as tf

num_steps = 1000


def py_func(func, inp, Tout, graph, stateful=True, name=None, grad=None):
    # Need to generate a unique name to avoid duplicates
    # if you have more than one custom gradients:
    rnd_name = 'PyFuncGrad' + str(np.random.randint(0, 1E+8))
    tf.RegisterGradient(rnd_name)(grad)
    with graph.gradient_override_map({"PyFunc": rnd_name}):
        return tf.py_func(func, inp, Tout, stateful=stateful, name=name)


def add_grad(c, k, d, graph, name=None):
    with tf.name_scope(name, "AddGrad", [c, k, d]) as name:
        return py_func(forward_func, [c, k, d], [np.float32], graph, name=name,
                       grad=backprop_func)


def forward_func(c, k, d):
    e = np.add(c, k)
    return e.astype(np.float32)


def backprop_func(op, grad):
    c = op.inputs[0]
    k = op.inputs[1]
    d = op.inputs[2]
    e = tf.add(c, k)
    return (e + d) * grad, d * grad, e * grad


def run(use_add_grad):
    tf.reset_default_graph()
    stddev = 1e-1
    labels = [0, 1]
    b = [1, 2]
    labels_ph = tf.placeholder(shape=(2), dtype=tf.int32)
    b_ph = tf.placeholder(shape=(2), dtype=tf.float32)
    c = tf.Variable(tf.truncated_normal(shape=[2], stddev=stddev))
    k = tf.Variable(tf.truncated_normal(shape=[2], stddev=stddev))
    d = tf.add(b_ph, c)
    if use_add_grad:
        e = add_grad(c, k, d, tf.get_default_graph())
    else:
        e = tf.add(c, k)
    a = tf.multiply(d, e)
    loss = tf.losses.softmax_cross_entropy(logits=a, onehot_labels=labels_ph)
    opt = tf.train.AdamOptimizer(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=0.1)
    grads = opt.compute_gradients(loss, tf.trainable_variables())
    grads = list(grads)
    train_op = opt.apply_gradients(grads_and_vars=grads)

    feed = {b_ph: b, labels_ph: labels}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print("e =", "add_grad(c, k, d)" if use_add_grad else "tf.add(c, k)")
        print("c", [float(v) for v in sess.run(c)], "k", [float(v) for v in sess.run(k)])
        print("loss", float(sess.run(loss, feed)))
        print("dc", [float(v) for v in sess.run(grads[0][0], feed)],
              "dk", [float(v) for v in sess.run(grads[1][0], feed)])
        for step in range(1, num_steps + 1):
            sess.run(train_op, feed)
            if step % 100 == 0:
                print(step, float(sess.run(loss, feed)))


run(use_add_grad=False)
run(use_add_grad=True)
