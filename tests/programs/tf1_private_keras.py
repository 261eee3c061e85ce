# A 2018-style TF 1.x program written for tests/test_run_original.py: Keras
# imported by TensorFlow's private paths (tensorflow.python.keras, and TF
# 1.4-1.6's tensorflow.python.keras._impl.keras), mixed with tf.keras, and
# tf.keras.__version__ printed as such programs did.
import numpy as np
import tensorflow as tf
from tensorflow.python.keras.optimizers import SGD
from tensorflow.python.keras._impl.keras.layers import Dense
from tensorflow.python.keras import backend as K
from tensorflow.python import keras

tf.set_random_seed(1)
print("keras", tf.keras.__version__, keras.__version__ == tf.keras.__version__)
model = tf.keras.models.Sequential([Dense(1, input_shape=(2,), use_bias=False,
                                          kernel_initializer="zeros")])
model.compile(optimizer=SGD(lr=0.5), loss="mse")
model.fit(np.array([[1.0, 0.0]]), np.array([[2.0]]), epochs=1, verbose=0)
print("kernel", model.get_weights()[0].ravel().tolist(), K.floatx())
