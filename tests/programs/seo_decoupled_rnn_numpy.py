"""Seo's NumPy decoupled RNN (the predecessor of posts 000/001): the project's reconstruction.

Jae Duk Seo, "Only Numpy: Decoupled Recurrent Neural Network" (3 February
2018).  Written for tests/test_own_programs.py from what
tf1_repro/reference/seo_numpy.py documents of it (and
shared/reference/posts.md §1.8), in its own style, and run unmodified by
scripts/run_original.py:

* ``np.random.seed(678)`` and no TensorFlow seed; TF1's ``input_data`` for
  MNIST, the test split's zeros and ones, ``images[[index]]`` (NumPy < 1.23)
  and ``sklearn.utils.shuffle``;
* 10 test and 50 training images, 50 epochs; every weight ``randn * 0.2``
  drawn after the shuffle in the order wx, w_rec, w_fc, w_sg_1, w_sg_2; the
  hidden state h [784, 3] starts at zeros;
* each image runs strictly in order (time box 1 and its synthetic-gradient
  update of w_rec and wx, time box 2 with the new weights and its update,
  oracle 1, the classifier and its update, oracle 2), with the post's
  ``h.T.dot(delta)`` on 1-D arrays (an inner product, so one number added
  to every weight);
* a cost line per epoch and, after training, one line per test image.
"""
import numpy as np, sys
from sklearn.utils import shuffle
from tensorflow.examples.tutorials.mnist import input_data

np.random.seed(678)


def log(x):
    return 1 / (1 + np.exp(-1 * x))


def d_log(x):
    return log(x) * (1 - log(x))


def tanh(x):
    return np.tanh(x)


def d_tanh(x):
    return 1 - np.tanh(x) ** 2


# 0. Data: the test split, only the zeros and the ones, shuffled
mnist = input_data.read_data_sets("MNIST_data/", one_hot=False)
pool = mnist.test
images, labels = pool.images, pool.labels
only_zero_index, only_one_index = np.where(labels == 0)[0], np.where(labels == 1)[0]
zero_images, zero_labels = images[[only_zero_index]], np.expand_dims(labels[[only_zero_index]], axis=1)
one_images, one_labels = images[[only_one_index]], np.expand_dims(labels[[only_one_index]], axis=1)
images = np.vstack((zero_images, one_images))
labels = np.vstack((zero_labels, one_labels))
images, labels = shuffle(images, labels)

num_test = 10
testing_images, testing_labels = images[:num_test, :], labels[:num_test, :]
training_images, training_labels = images[num_test:num_test + 50, :], labels[num_test:num_test + 50, :]

# 1. Hidden states, weights and learning rates
num_epoch = 50
h = np.zeros((images.shape[1], 3))
wx = np.random.randn(784, 784) * 0.2
w_rec = np.random.randn(784, 784) * 0.2
w_fc = np.random.randn(784, 1) * 0.2
w_sg_1 = np.random.randn(784, 784) * 0.2
w_sg_2 = np.random.randn(784, 784) * 0.2

lr_wx = 0.001
lr_wrec = 0.00001
lr_sg = 0.0001
total_cost = 0

for iter in range(num_epoch):
    for current_image_index in range(len(training_images)):
        current_image = training_images[current_image_index]
        current_label = training_labels[current_image_index]

        # time box 1
        l1 = h[:, 0].dot(w_rec) + current_image.dot(wx)
        l1A = tanh(l1)
        h[:, 1] = l1A

        # time box 1: the oracle's gradient updates w_rec and wx
        sg_1 = l1A.dot(w_sg_1)
        delta_1 = sg_1 * d_tanh(l1)
        w_rec = w_rec + lr_wrec * h[:, 0].T.dot(delta_1)
        wx = wx + lr_wrec * current_image.T.dot(delta_1)
        grad_true_0 = delta_1.dot(w_rec.T)

        # time box 2
        l2 = h[:, 1].dot(w_rec) + current_image.dot(wx)
        l2A = tanh(l2)
        h[:, 2] = l2A

        # time box 2: the oracle's gradient updates w_rec and wx
        sg_2 = l2A.dot(w_sg_2)
        delta_2 = sg_2 * d_tanh(l2)
        w_rec = w_rec + lr_wrec * h[:, 1].T.dot(delta_2)
        wx = wx + lr_wrec * current_image.T.dot(delta_2)
        grad_1_from_2 = delta_2.dot(w_rec.T)

        # oracle 1 learns from what time box 2 sends back
        grad_sg_1 = np.expand_dims(h[:, 1], axis=0).T.dot(np.expand_dims(sg_1 - grad_1_from_2, axis=0))
        w_sg_1 = w_sg_1 - lr_sg * grad_sg_1

        # the classifier on this image's last hidden state
        l3 = h[:, 2].dot(w_fc)
        l3A = log(l3)
        cost = np.square(l3A - current_label).sum() * 0.5
        total_cost = total_cost + cost

        # its update, and the true gradient for oracle 2
        delta_3 = (l3A - current_label) * d_log(l3)
        grad_fc = np.expand_dims(h[:, 2], axis=0).T.dot(np.expand_dims(delta_3, axis=0))
        w_fc = w_fc - lr_wx * grad_fc
        grad_2_from_3 = delta_3.dot(w_fc.T)

        # oracle 2 learns from the classifier
        grad_sg_2 = np.expand_dims(h[:, 2], axis=0).T.dot(np.expand_dims(sg_2 - grad_2_from_3, axis=0))
        w_sg_2 = w_sg_2 - lr_sg * grad_sg_2

    print("current iter : ", iter, " Total current cost: ", total_cost)
    total_cost = 0

print('\n-------------------')
print("Training Done Final Results")
predict = np.array([])
for current_image_index in range(len(testing_images)):
    current_image = testing_images[current_image_index]
    l1 = h[:, 0].dot(w_rec) + current_image.dot(wx)
    h[:, 1] = tanh(l1)
    l2 = h[:, 1].dot(w_rec) + current_image.dot(wx)
    h[:, 2] = tanh(l2)
    predict = np.append(predict, log(h[:, 2].dot(w_fc)))

for i in range(len(predict)):
    print("Results : ", predict[i], "Results Rounded: ", np.round(predict[i]), " GT: ", testing_labels[i])
print('-------------------\n')
