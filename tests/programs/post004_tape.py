# Post 004's first listing ("Basic Example: Manual Gradient Calculation"), the
# project's copy of it for tests/test_own_programs.py: the post's code as its
# page shows it (the page lost the indentation; it is restored here).
import tensorflow as tf
import numpy as np

# Define a simple model: y = W * x + b
x = tf.Variable(2.0)
W = tf.Variable(3.0)
b = tf.Variable(1.0)

# Define a function to compute y
def compute_y():
    return W * x + b

# Using gradient tape to record operations for automatic differentiation
with tf.GradientTape() as tape:
    y = compute_y()

# Calculate the gradient of y with respect to W and b
[dW, db] = tape.gradient(y, [W, b])

print(f"y = {y.numpy()}")
print(f"Gradient of y with respect to W: {dW.numpy()}")
print(f"Gradient of y with respect to b: {db.numpy()}")
