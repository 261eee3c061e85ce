# A program written for tests/test_run_original.py that fetches a data set of
# its own (as the word2vec tutorials fetched text8) from a server that does
# not answer.
import urllib.request

import tensorflow as tf

url = "http://127.0.0.1:9/text8.zip"
filename, _ = urllib.request.urlretrieve(url, "text8.zip")
print("not reached", tf.constant(1))
