# A TF 1.x eager program (TF 1.5-1.13 style) written for
# tests/test_run_original.py: it enables eager execution itself and uses
# tf.contrib.eager (tfe) as the 2018 eager tutorials did.
import numpy as np
import tensorflow as tf

tf.enable_eager_execution()
tfe = tf.contrib.eager

w = tfe.Variable(3.0)
b = tfe.Variable(1.0)


def loss(x, y):
    return tf.reduce_sum(tf.square(x * w + b - y))


grad = tfe.implicit_gradients(loss)
pairs = grad(tf.constant([1.0, 2.0]), tf.constant([2.0, 3.0]))
print("grads", sorted(float(g) for g, v in pairs))
tf.train.GradientDescentOptimizer(0.01).apply_gradients(pairs)
print("after", w.numpy(), b.numpy())
square_grad = tfe.gradients_function(lambda t: t * t)
print("d(t*t) at 3:", square_grad(3.0)[0].numpy())
batches = tfe.Iterator(tf.data.Dataset.from_tensor_slices(np.array([[1.0, 2.0], [3.0, 4.0]])))
print("first", batches.next().numpy(), "eager", tf.executing_eagerly())


class Doubler(tfe.Network):
    def __init__(self):
        super(Doubler, self).__init__()
        self.dense = self.track_layer(tf.layers.Dense(
            1, use_bias=False, kernel_initializer=tf.constant_initializer(2.0)))

    def call(self, x):
        return self.dense(x)


print("network", Doubler()(tf.constant([[1.5]])).numpy())
