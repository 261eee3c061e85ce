# A TF 1.x program written for tests/test_run_original.py that never ends:
# it waits inside TensorFlow's C++ for a queue nobody fills.
import tensorflow as tf

queue = tf.FIFOQueue(1, tf.float32)
with tf.Session() as sess:
    print("waiting for the queue")
    sess.run(queue.dequeue())
print("not reached")
