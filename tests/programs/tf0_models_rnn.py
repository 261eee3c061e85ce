# A TF 0.5-0.8 program written for tests/test_run_original.py: the RNN
# library from tensorflow.models.rnn (rnn.rnn and rnn_cell), and on line 7
# the PTB reader that lived beside it, which the archive does not serve.
import tensorflow as tf
from tensorflow.models.rnn import rnn, rnn_cell

from tensorflow.models.rnn.ptb import reader
