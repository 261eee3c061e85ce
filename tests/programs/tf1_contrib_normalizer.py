# A 2017-style TF 1.x program written for tests/test_run_original.py:
# tf.contrib.layers with a normalizer_fn (no biases, the normalizer between the
# layer and its activation), as CNN tutorials passed tf.nn.dropout or batch_norm.
from __future__ import print_function

import numpy as np
import tensorflow as tf


def doubled(inputs, factor):
    return inputs * factor


x = tf.placeholder(tf.float32, [None, 6, 6, 1])
a = tf.contrib.layers.conv2d(x, 2, [3, 3], normalizer_fn=doubled,
                             normalizer_params={"factor": 2.0}, activation_fn=None, scope="norm")
flat = tf.contrib.layers.flatten(a)
h = tf.contrib.layers.fully_connected(flat, 3, normalizer_fn=tf.nn.l2_normalize,
                                      normalizer_params={"axis": 1})
print(sorted(v.name for v in tf.trainable_variables()))

sess = tf.Session()
sess.run(tf.global_variables_initializer())
images = np.arange(2 * 36, dtype=np.float32).reshape(2, 6, 6, 1) / 72.0
kernel, weights = [v for v in tf.trainable_variables() if v.name.startswith("norm/")][0], \
    [v for v in tf.trainable_variables() if v.name.startswith("fully")][0]
conv_by_hand = 2.0 * tf.nn.conv2d(x, kernel, strides=[1, 1, 1, 1], padding="SAME")
fc_by_hand = tf.nn.relu(tf.nn.l2_normalize(tf.matmul(flat, weights), axis=1))
got = sess.run([a, conv_by_hand, h, fc_by_hand], feed_dict={x: images})
print("conv, no biases, then the normalizer:", bool(np.allclose(got[0], got[1], rtol=0, atol=1e-6)))
print("dense, no biases, the normalizer, then relu:",
      bool(np.allclose(got[2], got[3], rtol=0, atol=1e-6)), bool((got[2] == 0).any()))
