# A TF2 program written for tests/test_run_original.py in the style of 2019-2020
# Keras code: optimizers given `lr=` (and `decay=`), as TF 2.0-2.10 took them.
# One SGD step on loss = (w * 1 - 0)^2 from w = 1: the gradient is 2, so
# lr=0.5 gives w = 0.0; the default rate 0.01 would give 0.98.
import numpy as np
import tensorflow as tf
from tensorflow.keras.optimizers import SGD

for make in (lambda: tf.keras.optimizers.SGD(lr=0.5), lambda: SGD(lr=0.5, decay=0.0),
             lambda: tf.keras.optimizers.SGD(learning_rate=0.5)):
    w = tf.Variable(1.0)
    opt = make()
    with tf.GradientTape() as tape:
        loss = (w * 1.0 - 0.0) ** 2
    opt.apply_gradients([(tape.gradient(loss, w), w)])
    print("w", float(w.numpy()), type(opt).__name__)
