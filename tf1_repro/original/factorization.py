"""``tf.contrib.factorization.KMeans`` for old programs, on TensorFlow's own k-means graph.

TF 1.12 moved contrib's ``clustering_ops`` (the ``KMeans`` graph builder and
its ``nearest_neighbors`` / k-means++ / k-MC2 kernels) into TensorFlow as
``tensorflow.python.ops.clustering_ops``, where it still is: the same graph,
the same kernels.  One thing changed over the releases, what
``training_graph()`` returns:

* TF 1.1-1.3 and TF >= 1.9: six tensors, ``(all_scores, cluster_idx, scores,
  cluster_centers_initialized, init_op, training_op)``;
* TF 1.4-1.8: seven, with the centres' variable ``cluster_centers_var`` before
  ``init_op``, the form most k-means tutorials of 2017-2018 unpack.

:class:`TrainingGraph` gives each program the form it unpacks: six when the
program unpacks it into six names at once, seven otherwise (``len()`` is 7,
so a program that checks ``len(training_graph) > 6``, as the tutorials that
ran on both did, takes its TF 1.4+ branch).
"""
import dis
import sys

SIX, SEVEN = 6, 7


def _unpacked_into(frame):
    """How many names the instruction ``frame`` is running unpacks into, or None."""
    for instruction in dis.get_instructions(frame.f_code):
        if instruction.offset == frame.f_lasti:
            return instruction.arg if instruction.opname == "UNPACK_SEQUENCE" else None
    return None


class TrainingGraph:
    """``KMeans.training_graph()``'s tuple, as TF 1.4-1.8 (seven) or as the other releases (six)."""

    def __init__(self, six, cluster_centers_var):
        self.six = tuple(six)
        self.seven = self.six[:4] + (cluster_centers_var,) + self.six[4:]

    def __iter__(self):
        frame = sys._getframe(1)
        try:
            return iter(self.six if _unpacked_into(frame) == SIX else self.seven)
        finally:
            del frame

    def __len__(self):
        return SEVEN

    def __getitem__(self, index):
        return self.seven[index]

    def __repr__(self):
        return repr(self.seven)


def kmeans_class():
    """contrib's ``KMeans``: TensorFlow's, with :class:`TrainingGraph` from ``training_graph()``."""
    from tensorflow.python.ops import clustering_ops

    class KMeans(clustering_ops.KMeans):
        __doc__ = clustering_ops.KMeans.__doc__

        def _create_variables(self, num_clusters):
            made = super()._create_variables(num_clusters)
            self._cluster_centers_var = made[0]
            return made

        def training_graph(self):
            six = super().training_graph()
            return TrainingGraph(six, self._cluster_centers_var)

    KMeans.__module__ = "tensorflow.contrib.factorization"
    return KMeans
