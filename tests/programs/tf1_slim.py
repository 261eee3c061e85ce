# A 2017-style TF 1.x program written for tests/test_run_original.py:
# tf.contrib.slim's layers, arg_scope, batch_norm, losses and train op, and
# tf.contrib.layers.batch_norm (fused, as it is for 2-D inputs).
import numpy as np
import tensorflow as tf

slim = tf.contrib.slim
tf.set_random_seed(0)
x = tf.placeholder(tf.float32, [None, 8, 8, 1])
y = tf.placeholder(tf.int64, [None])
with slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=tf.nn.relu,
                    weights_regularizer=slim.l2_regularizer(0.01)):
    net = slim.conv2d(x, 4, [3, 3], scope="conv1")
    net = slim.batch_norm(net, is_training=True, scope="bn1")
    net = slim.flatten(slim.max_pool2d(net, [2, 2], scope="pool1"))
    logits = slim.fully_connected(net, 3, activation_fn=None, scope="logits")
tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
total_loss = slim.losses.get_total_loss()
train_op = slim.learning.create_train_op(total_loss, tf.train.GradientDescentOptimizer(0.1))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    feed = {x: np.ones((2, 8, 8, 1)), y: [0, 1]}
    first = sess.run(train_op, feed)
    for _ in range(20):
        last = sess.run(train_op, feed)
print(logits.get_shape().as_list(), "loss falls", bool(last < first))
print(sorted(v.op.name for v in slim.get_model_variables()))
normed = tf.contrib.layers.batch_norm(tf.ones([2, 3]), is_training=False, scope="contrib_bn")
print("contrib.layers", normed.get_shape().as_list(),
      sorted(v.op.name for v in tf.global_variables("contrib_bn")))
