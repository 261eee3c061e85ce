# A TF 1.x program, written for tests/test_run_original.py, that reaches on
# line 6 for a piece of tf.contrib that the runner does not provide.
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
kmeans = tf.contrib.factorization.KMeans(x, 3)
print("not reached")
