# A stand-in, written for tests/test_run_original.py, for the copy of TF1's
# input_data.py that 2016 programs kept beside them: Python 2, and it
# downloads MNIST itself from a server that no longer serves it.
import urllib

SOURCE_URL = 'http://yann.lecun.com/exdb/mnist/'


def read_data_sets(train_dir, fake_data=False, one_hot=False):
    print "downloading from", SOURCE_URL
    urllib.urlretrieve(SOURCE_URL + 'train-images-idx3-ubyte.gz', train_dir)
