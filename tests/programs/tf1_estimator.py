# A TF 1.x Estimator program (the model_fn style of the 2017-2018 tutorials)
# written for tests/test_run_original.py: a one-weight regression (y = 2x
# but for one row) trained by plain gradient descent from w = 0, so every
# number it prints can be worked out by hand.
from __future__ import print_function

import numpy as np
import tensorflow as tf

x_train = np.array([[1.0], [2.0], [3.0], [4.0]], dtype=np.float32)
y_train = np.array([[2.0], [4.0], [7.0], [8.0]], dtype=np.float32)


def model_fn(features, labels, mode, params):
    w = tf.get_variable("w", [1, 1], initializer=tf.zeros_initializer())
    value = tf.matmul(features["x"], w)
    predictions = {"value": value[:, 0], "big": value[:, 0] > 4.0}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.reduce_mean(tf.square(value - labels))
    optimizer = tf.train.GradientDescentOptimizer(params["learning_rate"])
    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
    accuracy = tf.metrics.accuracy(labels=labels[:, 0] > 4.0, predictions=predictions["big"])
    return tf.estimator.EstimatorSpec(mode=mode, predictions=predictions, loss=loss,
                                      train_op=train_op, eval_metric_ops={"accuracy": accuracy})


model = tf.estimator.Estimator(model_fn, params={"learning_rate": 0.02})
train_input = tf.estimator.inputs.numpy_input_fn(
    x={"x": x_train}, y=y_train, batch_size=2, num_epochs=None, shuffle=False)
model.train(train_input, steps=3)
print("w after 3 steps: %.6f" % model.get_variable_value("w")[0, 0])
model.train(train_input, steps=2)
model.train(train_input, max_steps=4)  # already past step 4: nothing to do
print("w after 5 steps: %.6f" % model.get_variable_value("w")[0, 0])

x_test = np.array([[1.0], [2.0], [3.0], [4.0]], dtype=np.float32)
test_input = tf.estimator.inputs.numpy_input_fn(
    x={"x": x_test}, y=2.0 * x_test, batch_size=3, num_epochs=1, shuffle=False)
e = model.evaluate(test_input)
print(sorted(e), e["global_step"], "accuracy %.2f loss %.6f" % (e["accuracy"], e["loss"]))

predict_input = tf.estimator.inputs.numpy_input_fn(
    x={"x": x_test}, batch_size=3, num_epochs=1, shuffle=False)
for p in model.predict(predict_input):
    print("%.6f %s" % (p["value"], p["big"]))
