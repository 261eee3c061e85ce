# A 2016-style TensorFlow 0.x program, written for tests/test_run_original.py:
# Python 2 (print statements, xrange, integer division, iteritems), names
# TensorFlow 1.0 removed (tf.sub, tf.mul, tf.initialize_all_variables,
# reduction_indices, positional softmax_cross_entropy_with_logits, TF 0.x
# tf.concat(dim, values)), input_data, a new tf.Graph, an InteractiveSession
# and an update list of assigns.  tf1_softmax.py is its TF 1.x twin.
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)

graph = tf.Graph()
with graph.as_default():
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    w = tf.Variable(tf.truncated_normal([784, 10], stddev=0.1))
    b = tf.Variable(tf.truncated_normal([10], stddev=0.1))
    logits = tf.add(tf.matmul(x, w), b)
    p = tf.nn.softmax(logits)
    d = tf.sub(p, y)
    d_w = tf.matmul(tf.transpose(x), d)
    d_b = tf.reduce_sum(d, reduction_indices=[0])
    eta = tf.constant(0.05)
    step = [tf.assign(w, tf.sub(w, tf.mul(eta, d_w))),
            tf.assign(b, tf.sub(b, tf.mul(eta, d_b)))]
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits, y))
    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(p, 1), tf.argmax(y, 1)), tf.float32))
    flat = tf.concat(0, [tf.reshape(w, [-1]), b])

    sess = tf.InteractiveSession(graph=graph)
    tf.initialize_all_variables().run()
    test = {x: mnist.test.images[:500], y: mnist.test.labels[:500]}
    batches = 120 / 10 * 5
    for i in xrange(batches):
        xs, ys = mnist.train.next_batch(10)
        sess.run(step, feed_dict={x: xs, y: ys})
        if i % 20 == 0:
            print i, sess.run(correct, test)
    print "loss %.6f" % sess.run(loss, test)
    print "weights %.6f" % sess.run(tf.reduce_sum(tf.abs(flat)))
    for name, value in {"numpy draw": np.random.rand()}.iteritems():
        print "%s %.6f" % (name, value)
