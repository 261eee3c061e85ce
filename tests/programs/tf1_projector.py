# A 2017-style TF 1.x program written for tests/test_run_original.py: an
# embedding shown in TensorBoard's projector through
# tf.contrib.tensorboard.plugins.projector, as the word2vec tutorials did.
import os
import shutil
import tempfile

import tensorflow as tf
from tensorflow.contrib.tensorboard.plugins import projector

embedding = tf.Variable(tf.zeros([4, 2]), name="word_embedding")
log_dir = tempfile.mkdtemp()
writer = tf.summary.FileWriter(log_dir)
config = projector.ProjectorConfig()
entry = config.embeddings.add()
entry.tensor_name = embedding.name
entry.metadata_path = "metadata.tsv"
projector.visualize_embeddings(writer, config)
writer.close()
with open(os.path.join(log_dir, "projector_config.pbtxt")) as f:
    print(f.read().strip())
shutil.rmtree(log_dir)
