# A Python 3 program written for tests/test_run_original.py that imports a
# Python 2 helper from its own folder: the helper gets the program's
# conversion and NumPy rules.
import numpy as np

import py2_helper

rows = np.arange(6, dtype=np.float32)
print(py2_helper.batch_means(rows, 3))
total, dtype = py2_helper.running_total(np.array([0.1, 0.2], dtype=np.float32))
print(type(total).__name__, repr(float(total)), dtype)
