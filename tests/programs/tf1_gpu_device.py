# A TF 1.x program written for tests/test_run_original.py for a machine with
# two GPUs: its ops are pinned to /gpu:0 and /gpu:1, with device placement
# logged, as the multi-GPU tutorials of 2016-2017 did.
import tensorflow as tf

with tf.device('/gpu:0'):
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    square_a = tf.matmul(a, a)
with tf.device("/device:GPU:1"):
    total = tf.reduce_sum(square_a)
with tf.Session(config=tf.ConfigProto(log_device_placement=False)) as sess:
    print(sess.run(square_a).tolist(), sess.run(total))
