# A 2016-style TensorFlow 0.x program written for tests/test_run_original.py:
# Python 2, LSTMs from tensorflow.python.ops.rnn / rnn_cell (TF 0.x's
# rnn.rnn and rnn.bidirectional_rnn), TF 0.x tf.split(dim, num, value) and
# tf.contrib.layers.  tf1_rnn.py is its TF 1.x twin.
import numpy as np
import tensorflow as tf
from tensorflow.python.ops import rnn, rnn_cell

x = tf.placeholder(tf.float32, [None, 4, 3])
steps = tf.split(0, 4, tf.reshape(tf.transpose(x, [1, 0, 2]), [-1, 3]))
cell = rnn_cell.BasicLSTMCell(5, forget_bias=1.0)
outputs, state = rnn.rnn(cell, steps, dtype=tf.float32)
with tf.variable_scope("both_ways"):
    forward, backward = rnn_cell.BasicLSTMCell(2), rnn_cell.BasicLSTMCell(2)
    both, _, _ = rnn.bidirectional_rnn(forward, backward, steps, dtype=tf.float32)
dense = tf.contrib.layers.fully_connected(tf.contrib.layers.flatten(x), 2)

sess = tf.Session()
sess.run(tf.initialize_all_variables())
feed = {x: np.arange(24, dtype=np.float32).reshape(2, 4, 3) / 24}
print "steps", len(outputs), "last %.6f" % sess.run(tf.reduce_sum(outputs[-1]), feed)
print "both ways", len(both), "%.6f" % sess.run(tf.reduce_sum(both[-1]), feed)
print "dense %.6f" % sess.run(tf.reduce_sum(dense), feed)
