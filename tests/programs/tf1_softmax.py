# The TF 1.x / Python 3 twin of tf0_softmax.py, written for
# tests/test_run_original.py: the same network and loop with TF 1.x names,
# and with its seeds set at the top as the archive's --seed=3 defines them
# (np.random.seed and random.seed before anything, tf.set_random_seed on the
# graph it builds).  Run without --seed it must print what tf0_softmax.py
# prints with --seed=3.
import random

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

random.seed(3)
np.random.seed(3)
tf.set_random_seed(3)

mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)

graph = tf.Graph()
with graph.as_default():
    tf.set_random_seed(3)
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    w = tf.Variable(tf.truncated_normal([784, 10], stddev=0.1))
    b = tf.Variable(tf.truncated_normal([10], stddev=0.1))
    logits = tf.add(tf.matmul(x, w), b)
    p = tf.nn.softmax(logits)
    d = tf.subtract(p, y)
    d_w = tf.matmul(tf.transpose(x), d)
    d_b = tf.reduce_sum(d, axis=[0])
    eta = tf.constant(0.05)
    step = [tf.assign(w, tf.subtract(w, tf.multiply(eta, d_w))),
            tf.assign(b, tf.subtract(b, tf.multiply(eta, d_b)))]
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(p, 1), tf.argmax(y, 1)), tf.float32))
    flat = tf.concat([tf.reshape(w, [-1]), b], 0)

    sess = tf.Session(graph=graph)
    sess.run(tf.global_variables_initializer())
    test = {x: mnist.test.images[:500], y: mnist.test.labels[:500]}
    for i in range(60):
        xs, ys = mnist.train.next_batch(10)
        sess.run(step, feed_dict={x: xs, y: ys})
        if i % 20 == 0:
            print(i, sess.run(correct, test))
    print("loss %.6f" % sess.run(loss, test))
    print("weights %.6f" % sess.run(tf.reduce_sum(tf.abs(flat))))
    print("%s %.6f" % ("numpy draw", np.random.rand()))
