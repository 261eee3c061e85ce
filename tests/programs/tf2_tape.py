# A TensorFlow 2 program, written for tests/test_run_original.py: eager,
# GradientTape, no TF1 API.  The runner must leave v2 behaviour on and seed it
# with tf.keras.utils.set_random_seed.
import tensorflow as tf

x = tf.Variable(2.0)
W = tf.Variable(3.0)
b = tf.Variable(1.0)
with tf.GradientTape() as tape:
    y = W * x + b
dW, db = tape.gradient(y, [W, b])
print(f"y = {y.numpy()} dW = {dW.numpy()} db = {db.numpy()}")
print("eager", tf.executing_eagerly())
print("draw %.6f" % float(tf.random.uniform([])))
