"""Running a 2016-2018 TensorFlow program unmodified on today's TensorFlow.

scripts/run_original.py is the command line; the pieces are here:

* :mod:`tf1_repro.original.source`: reading the file, converting Python 2 in
  memory (fissix), telling TF1 programs from TF2 ones;
* :mod:`tf1_repro.original.api`: the TF1 API (``tf.compat.v1`` plus the names
  TF 1.0 removed, TF 0.x argument orders, seeded graphs, configured sessions,
  ``input_data``);
* :mod:`tf1_repro.original.estimator`: ``tf.estimator`` (TF >= 2.16 has
  none), the ``model_fn`` / ``Estimator`` / ``numpy_input_fn`` path of the
  2017-2018 tutorials, in graph mode;
* :mod:`tf1_repro.original.era`: the NumPy release the program was written
  for (its indexing, aliases, scalar promotion, floats as sizes and
  printing) and Python 2's print of floats, given to the program's own
  code only;
* :mod:`tf1_repro.original.runner`: seeding, ``__main__`` and ``sys.argv``,
  helper modules beside the program (read like the program), and the
  one-line report of a missing API;
* :mod:`tf1_repro.original.corpus`: ``--corpus=DIR``, a folder of programs,
  each run by the command line in a process of its own, and the table and
  results.json of how each ended and how its transcript compares with the
  output its author recorded.
"""
