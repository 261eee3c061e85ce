# A Python 2 helper module written for tests/test_run_original.py, imported
# by uses_py2_helper.py from the same folder, as 2016 programs imported
# their own input_data.py or utils.py.
import numpy as np


def batch_means(rows, size):
    """Means of consecutive batches, as a Python 2 helper computed them."""
    means = []
    for start in xrange(0, len(rows), size):
        means.append(rows[[np.arange(start, start + size)]].mean())
    print "batches of", size, "over", len(rows) / size, "steps"
    return means


def running_total(values):
    total = 0
    for v in values:
        total = total + v
    return total, np.zeros(1, dtype=np.float).dtype
