# A program written for tests/test_run_original.py in the style of 2016-2017
# tutorials that ran on Python 2 and 3 alike: print_function from
# __future__, an accuracy summed from Python floats, a TF string printed.
from __future__ import print_function

import tensorflow as tf

accuracy = 0.
for hit in [1] * 92 + [0] * 8:
    accuracy += hit / 100.
print("Accuracy:", accuracy)
with tf.Session() as sess:
    print(sess.run(tf.constant("Hello, TensorFlow!")))
