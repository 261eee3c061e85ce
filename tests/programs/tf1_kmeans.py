# A 2017-style TF 1.x program written for tests/test_run_original.py: k-means
# with tf.contrib.factorization.KMeans (TF 1.4+'s seven-tensor training graph),
# as the MNIST k-means tutorials used it, on three blobs of points.
from __future__ import print_function

import numpy as np
import tensorflow as tf
from tensorflow.contrib.factorization import KMeans

rng = np.random.RandomState(1)
means = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 5.0]], dtype=np.float32)
blob = np.repeat(np.arange(3), 30)
points = (means[blob] + 0.3 * rng.randn(90, 2)).astype(np.float32)

X = tf.placeholder(tf.float32, shape=[None, 2])
kmeans = KMeans(inputs=X, num_clusters=3, initial_clusters="kmeans_plus_plus",
                distance_metric="squared_euclidean", use_mini_batch=False)
graph = kmeans.training_graph()
print("training graph", len(graph))
(all_scores, cluster_idx, scores, cluster_centers_initialized,
 cluster_centers_var, init_op, train_op) = graph
cluster_idx = cluster_idx[0]  # fix for cluster_idx being a tuple
avg_distance = tf.reduce_mean(scores)

sess = tf.Session()
sess.run(tf.global_variables_initializer(), feed_dict={X: points})
sess.run(init_op, feed_dict={X: points})
for step in range(1, 6):
    _, d, idx = sess.run([train_op, avg_distance, cluster_idx], feed_dict={X: points})
centers = sess.run(cluster_centers_var)
print("clusters per blob", [len(set(idx[blob == b])) for b in range(3)],
      "blobs per cluster", [len(set(blob[idx == c])) for c in range(3)])
found = np.array([points[idx == c].mean(axis=0) for c in range(3)])
print("centers are the clusters' means", bool(np.abs(centers - found).max() < 1e-5))
print("average squared distance %.4f" % d)

# Unpacked as TF 1.1-1.3 and >= 1.9 returned it: six tensors.
(all_scores, cluster_idx, scores, cluster_centers_initialized, init_op,
 train_op) = KMeans(inputs=X, num_clusters=3, use_mini_batch=True).training_graph()
print("six: initialized is a", cluster_centers_initialized.dtype.base_dtype.name)
