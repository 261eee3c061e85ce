# A TF 1.x program, written for tests/test_run_original.py, that reaches for
# tf.contrib (gone from TensorFlow 2) on line 6.
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
cell = tf.contrib.rnn.BasicLSTMCell(8)
print("not reached")
