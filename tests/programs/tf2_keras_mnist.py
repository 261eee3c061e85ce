# A TF2 program written for tests/test_run_original.py that loads MNIST as
# the TF2 tutorials of 2019 did, through Keras (which downloads mnist.npz),
# and scales it as they did.
import tensorflow as tf
from tensorflow.keras.datasets import mnist

(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
print("train", x_train.shape, x_train.dtype, y_train.shape, y_train.dtype)
print("test", x_test.shape, y_test.shape)
print("first", int(y_train[0]), int(x_train[0].sum()), "last", int(y_test[-1]), int(x_test[-1].sum()))
x_train = x_train / 255.0
print("scaled", x_train.dtype, repr(float(x_train[0].max())))
again = mnist.load_data()
print("same", bool((again[0][0][:5] == (x_train[:5] * 255).round()).all()))
