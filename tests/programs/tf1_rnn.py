# The TF 1.x twin of tf0_rnn.py, written for tests/test_run_original.py:
# Python 3, tf.contrib.rnn's cells and static RNNs, seeding itself with 4 at
# the top as the runner's --seed=4 seeds tf0_rnn.py.
import random

import numpy as np
import tensorflow as tf
from tensorflow.contrib import rnn

random.seed(4)
np.random.seed(4)
tf.set_random_seed(4)
x = tf.placeholder(tf.float32, [None, 4, 3])
steps = tf.split(tf.reshape(tf.transpose(x, [1, 0, 2]), [-1, 3]), 4, 0)
cell = tf.contrib.rnn.BasicLSTMCell(5, forget_bias=1.0)
outputs, state = tf.contrib.rnn.static_rnn(cell, steps, dtype=tf.float32)
with tf.variable_scope("both_ways"):
    forward, backward = rnn.BasicLSTMCell(2), rnn.BasicLSTMCell(2)
    both, _, _ = rnn.static_bidirectional_rnn(forward, backward, steps, dtype=tf.float32)
dense = tf.contrib.layers.fully_connected(tf.contrib.layers.flatten(x), 2)

sess = tf.Session()
sess.run(tf.global_variables_initializer())
feed = {x: np.arange(24, dtype=np.float32).reshape(2, 4, 3) / 24}
print("steps", len(outputs), "last %.6f" % sess.run(tf.reduce_sum(outputs[-1]), feed))
print("both ways", len(both), "%.6f" % sess.run(tf.reduce_sum(both[-1]), feed))
print("dense %.6f" % sess.run(tf.reduce_sum(dense), feed))
