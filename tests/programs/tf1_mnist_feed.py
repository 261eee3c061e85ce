# A TF 1.x program written for tests/test_run_original.py in the style of
# TF1's fully_connected_feed.py: the model comes from the tutorial's own
# library, tensorflow.examples.tutorials.mnist.mnist.
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data, mnist

data = input_data.read_data_sets("MNIST_data/", one_hot=False)
images = tf.placeholder(tf.float32, [None, mnist.IMAGE_PIXELS])
labels = tf.placeholder(tf.int32, [None])
logits = mnist.inference(images, 32, 16)
loss = mnist.loss(logits, labels)
train_op = mnist.training(loss, 0.1)
correct = mnist.evaluation(logits, labels)
print("names", sorted(v.op.name for v in tf.trainable_variables())[:2], mnist.NUM_CLASSES)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    test = {images: data.test.images[:500], labels: data.test.labels[:500]}
    before = sess.run(loss, test)
    for step in range(200):
        xs, ys = data.train.next_batch(50)
        sess.run(train_op, {images: xs, labels: ys})
    print("loss falls", sess.run(loss, test) < before / 2, "correct", sess.run(correct, test) > 350)
    print("global step", sess.run(tf.train.get_global_step()))
