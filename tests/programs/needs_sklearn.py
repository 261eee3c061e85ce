# A TF 1.x program written for tests/test_run_original.py that imports a
# package of its own (scikit-learn) on line 5, as Seo's programs did.
import numpy as np
import tensorflow as tf
from sklearn.utils import shuffle

print(shuffle(np.arange(3)))
