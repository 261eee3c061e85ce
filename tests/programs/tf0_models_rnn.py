# A TF 0.x program written for tests/test_run_original.py: it imports a
# module TensorFlow 0.x had (tensorflow.models.rnn) and 1.0 removed, on line 5.
import tensorflow as tf

from tensorflow.models.rnn import rnn_cell

print(rnn_cell)
