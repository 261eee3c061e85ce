# A TF 1.x program, written for tests/test_run_original.py, that reaches on
# line 6 for a piece of tf.contrib that the runner does not provide.
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
hparams = tf.contrib.tensor_forest.python.tensor_forest.ForestHParams(num_classes=3)
print("not reached")
