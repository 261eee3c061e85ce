# A 2016-style program written for tests/test_run_original.py that imports
# the input_data.py kept beside it.
import input_data

mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
print(mnist.train.images.shape, mnist.test.labels.shape)
