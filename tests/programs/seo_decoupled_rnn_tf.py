"""Posts 000/001's TensorFlow program, as its author ran it: the project's reconstruction.

Jae Duk Seo, "Manual Back Prop with TensorFlow: Decoupled Recurrent Neural
Network" (February 2018, TensorFlow 1.5).  The post shows its code only as
screenshots, and the archive does not ship the author's file.  This program
was written for tests/test_own_programs.py from the post's text and
tf1_repro/posts/decoupled_rnn.py's header (shared/reference/posts.md §1.3 to
§1.5): the same graph, names, hyper-parameters and order of operations, in
the post's own style, run unmodified by scripts/run_original.py:

* TF 1.x names (``tf.placeholder``, ``tf.random_normal``, ``tf.div``,
  ``tf.assign``, ``tf.Session``) and TF1's ``input_data``;
* ``sklearn.utils.shuffle`` on the pool of test images of the digits 0 and 1;
* NumPy 1.x idioms: ``images[[only_zero_index]]`` (a tuple index before
  NumPy 1.23) and ``total_cost = 0`` plus a float32 scalar (float64 on
  NumPy 1.x);
* the three code sections of the post (weights and learning rates, network
  and manual back-prop, training), the auto-diff line commented out as the
  post describes, one unordered ``sess.run([cost, update, h_update])`` per
  image, the per-epoch cost line and one line per test image.

The order in which the graph creates its ops matters: with a graph seed,
every ``tf.random_normal`` takes an op seed from the ops built before it.
"""
import numpy as np
import sys
from sklearn.utils import shuffle
from tensorflow.examples.tutorials.mnist import input_data
import tensorflow as tf
import matplotlib.pyplot as plt

np.random.seed(678)
tf.set_random_seed(678)


def tf_log(x):
    return tf.div(tf.constant(1.0), tf.add(tf.constant(1.0), tf.exp(tf.negative(x))))


def d_tf_log(x):
    return tf.multiply(tf_log(x), tf.subtract(tf.constant(1.0), tf_log(x)))


def tf_tanh(x):
    return tf.tanh(x)


def d_tf_tanh(x):
    return tf.subtract(tf.constant(1.0), tf.square(tf.tanh(x)))


# 0. Data: the test split, only the zeros and the ones, shuffled
mnist = input_data.read_data_sets("MNIST_data/", one_hot=False)
pool = mnist.test
images, labels = pool.images, pool.labels
only_zero_index, only_one_index = np.where(labels == 0)[0], np.where(labels == 1)[0]
zero_images = images[[only_zero_index]]
zero_labels = np.expand_dims(labels[[only_zero_index]], axis=1)
one_images = images[[only_one_index]]
one_labels = np.expand_dims(labels[[only_one_index]], axis=1)
images = np.vstack((zero_images, one_images))
labels = np.vstack((zero_labels, one_labels))
images, labels = shuffle(images, labels)

num_test, num_train = 20, 100
testing_images, testing_labels = images[:num_test, :], labels[:num_test, :]
training_images = images[num_test:num_test + num_train, :]
training_labels = labels[num_test:num_test + num_train, :]

num_epoch = 100
cost_array = []
graph = tf.Graph()

# 1. Weights and learning rates
with graph.as_default():
    lr_x = tf.Variable(tf.constant(0.001))
    lr_rec = tf.Variable(tf.constant(0.000001))
    lr_sg = tf.Variable(tf.constant(0.0001))

    hidden_states = tf.Variable(tf.random_normal([784, 3]))

    w_x = tf.Variable(tf.random_normal([784, 784], stddev=0.45) * tf.constant(0.2))
    w_rec = tf.Variable(tf.random_normal([784, 784], stddev=0.035) * tf.constant(0.2))
    w_fc = tf.Variable(tf.random_normal([784, 1], stddev=0.95) * tf.constant(0.2))
    w_sg_1 = tf.Variable(tf.random_normal([784, 784], stddev=0.35) * tf.constant(0.2))
    w_sg_2 = tf.Variable(tf.random_normal([784, 784], stddev=0.35) * tf.constant(0.2))

# 2. The network and its manual back propagation
with graph.as_default():
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 1])
    update, h_update = [], []

    # time box 1
    h_0 = tf.expand_dims(hidden_states[:, 0], axis=0)
    l1 = tf.add(tf.matmul(x, w_x), tf.matmul(h_0, w_rec))
    l1A = tf_tanh(l1)
    h_update.append(tf.assign(hidden_states[:, 1], tf.squeeze(l1A)))

    # time box 1: the oracle's gradient updates w_rec and w_x
    sg_1 = tf.matmul(l1A, w_sg_1)
    delta_1 = tf.multiply(sg_1, d_tf_tanh(l1))
    grad_1sg_rec = tf.matmul(tf.transpose(h_0), delta_1)
    grad_1sg_x = tf.matmul(tf.transpose(x), delta_1)
    update.append(tf.assign(w_rec, tf.add(w_rec, tf.multiply(lr_rec, grad_1sg_rec))))
    update.append(tf.assign(w_x, tf.add(w_x, tf.multiply(lr_rec, grad_1sg_x))))
    grad_true_0 = tf.matmul(delta_1, tf.transpose(w_rec))

    # time box 2
    h_1 = tf.expand_dims(hidden_states[:, 1], axis=0)
    l2 = tf.add(tf.matmul(x, w_x), tf.matmul(h_1, w_rec))
    l2A = tf_tanh(l2)
    h_update.append(tf.assign(hidden_states[:, 2], tf.squeeze(l2A)))

    # time box 2: the oracle's gradient updates w_rec and w_x
    sg_2 = tf.matmul(l2A, w_sg_2)
    delta_2 = tf.multiply(sg_2, d_tf_tanh(l2))
    grad_2sg_rec = tf.matmul(tf.transpose(h_1), delta_2)
    grad_2sg_x = tf.matmul(tf.transpose(x), delta_2)
    update.append(tf.assign(w_rec, tf.add(w_rec, tf.multiply(lr_rec, grad_2sg_rec))))
    update.append(tf.assign(w_x, tf.add(w_x, tf.multiply(lr_rec, grad_2sg_x))))
    grad_1_from_2 = tf.matmul(delta_2, tf.transpose(w_rec))

    # oracle 1 learns from what time box 2 sends back
    h_1_again = tf.expand_dims(hidden_states[:, 1], axis=0)
    grad_sg_1 = tf.matmul(tf.transpose(h_1_again), tf.subtract(sg_1, grad_1_from_2))
    update.append(tf.assign(w_sg_1, tf.subtract(w_sg_1, tf.multiply(lr_sg, grad_sg_1))))

    # the classifier on the last hidden state
    h_2 = tf.expand_dims(hidden_states[:, 2], axis=0)
    l3 = tf.matmul(h_2, w_fc)
    l3A = tf_log(l3)
    cost = tf.multiply(tf.square(tf.subtract(l3A, y)), tf.constant(0.5))
    cost_auto = tf.train.GradientDescentOptimizer(0.1).minimize(cost)

    # its update, and the true gradient for oracle 2
    delta_3 = tf.multiply(tf.subtract(l3A, y), d_tf_log(l3))
    grad_fc = tf.matmul(tf.transpose(h_2), delta_3)
    update.append(tf.assign(w_fc, tf.subtract(w_fc, tf.multiply(lr_x, grad_fc))))
    grad_2_from_3 = tf.matmul(delta_3, tf.transpose(w_fc))

    # oracle 2 learns from the classifier
    h_2_again = tf.expand_dims(hidden_states[:, 2], axis=0)
    grad_sg_2 = tf.matmul(tf.transpose(h_2_again), tf.subtract(sg_2, grad_2_from_3))
    update.append(tf.assign(w_sg_2, tf.subtract(w_sg_2, tf.multiply(lr_sg, grad_sg_2))))

# 3. Training, then the test images
with tf.Session(graph=graph) as sess:
    sess.run(tf.global_variables_initializer())
    total_cost = 0

    for iter in range(num_epoch):
        for current_image_index in range(len(training_images)):
            current_image = np.expand_dims(training_images[current_image_index], axis=0)
            current_label = np.expand_dims(training_labels[current_image_index], axis=0)

            # manual back propagation
            output = sess.run([cost, update, h_update],
                              feed_dict={x: current_image, y: current_label})
            # automatic differentiation instead:
            # output = sess.run([cost, cost_auto, h_update],
            #                   feed_dict={x: current_image, y: current_label})

            total_cost = total_cost + output[0].sum()
        print("Current Iter: ", iter, " current cost: ", total_cost)
        cost_array.append(total_cost)
        total_cost = 0

    plt.plot(np.arange(num_epoch), cost_array)
    plt.show()

    for current_image_index in range(len(testing_images)):
        current_image = np.expand_dims(testing_images[current_image_index], axis=0)
        current_label = testing_labels[current_image_index]
        output = sess.run([l3A, h_update], feed_dict={x: current_image})
        print(current_image_index, ' : ', output[0], ' : ', np.round(output[0]), " : ", current_label)
