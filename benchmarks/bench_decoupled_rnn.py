r"""Posts 000/001's cost per training image, and what dominates it.

    python benchmarks/bench_decoupled_rnn.py      # table on stdout, JSON to benchmarks/decoupled_rnn.json

The post trains at batch 1: one ``sess.run([cost, update, h_update])`` per
image, on 784x784 weight matrices.  This measures, in one invocation, the time
per image of the as-published graph, the sequential ordering, the autodiff
variant and the NumPy twin of the same maths (tf1_repro/reference/seo_numpy.py,
outer products, float32), each as a ratio against the NumPy twin; then it
traces 20 images of the as-published graph (``RunOptions.FULL_TRACE``) and
sums the kernels' time by op type, which says where an image's time goes.
"""
import os
import statistics
import time
from collections import defaultdict

from absl import app, flags

import tf1_repro  # noqa: F401  (environment defaults before TensorFlow)

flags.DEFINE_integer("images", 100, "Training images per timed pass.", lower_bound=10)
flags.DEFINE_integer("repeats", 3, "Timed passes per variant; the median is reported.", lower_bound=1)
flags.DEFINE_string("data_dir", None, "MNIST folder (default: $TF1_REPRO_DATA_DIR, else MNIST_data/).")
flags.DEFINE_string("output", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                           "decoupled_rnn.json"), "Where the JSON goes.")
FLAGS = flags.FLAGS


def tf_variant(post, config, images, labels):
    """(seconds per image, session, graph tensors) for one graph variant."""
    import numpy as np
    import tensorflow as tf
    from tf1_repro.graph_session import new_session
    tf1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        t = post.build_graph(config)
        init = tf1.global_variables_initializer()
    sess = new_session(graph, config.threads)
    sess.run(init)
    fetches = [t["cost"], t["train_step"], t["h_update_ops"]]

    def one_pass():
        t0 = time.perf_counter()
        for i in range(len(images)):
            sess.run(fetches, feed_dict={t["x"]: np.expand_dims(images[i], 0),
                                         t["y"]: np.expand_dims(labels[i], 0)})
        return (time.perf_counter() - t0) / len(images)

    one_pass()  # warm-up
    per_image = statistics.median(one_pass() for _ in range(FLAGS.repeats))
    return per_image, sess, t, fetches


def numpy_variant(images, labels):
    import numpy as np
    from tf1_repro.reference import seo_numpy
    rng = np.random.RandomState(0)
    w = {k: v.astype(np.float32) for k, v in seo_numpy.init_weights(rng).items()}
    h = np.zeros((784, 3), dtype=np.float32)

    def one_pass():
        t0 = time.perf_counter()
        for i in range(len(images)):
            seo_numpy.train_step(w, h, images[i], labels[i].astype(np.float32), outer=True)
        return (time.perf_counter() - t0) / len(images)

    one_pass()
    return statistics.median(one_pass() for _ in range(FLAGS.repeats))


def trace_by_op_type(sess, t, fetches, images, labels, n=20):
    """Kernel time per op type over ``n`` traced images, as {type: microseconds per image}."""
    import numpy as np
    import tensorflow as tf
    tf1 = tf.compat.v1
    options = tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE)
    totals = defaultdict(float)
    for i in range(n):
        meta = tf1.RunMetadata()
        sess.run(fetches, feed_dict={t["x"]: np.expand_dims(images[i], 0),
                                     t["y"]: np.expand_dims(labels[i], 0)},
                 options=options, run_metadata=meta)
        for dev in meta.step_stats.dev_stats:
            for node in dev.node_stats:
                op = node.timeline_label.split("=", 1)[-1].split("(", 1)[0].strip() or node.node_name
                totals[op] += node.all_end_rel_micros
    return {op: us / n for op, us in sorted(totals.items(), key=lambda kv: -kv[1])}


def main(argv):
    del argv
    from tf1_repro import mnist
    from tf1_repro.graph_session import fingerprint
    from tf1_repro.posts import decoupled_rnn as post
    from tf1_repro.report import write_json
    images, labels = post.load_pool(FLAGS.data_dir or mnist.default_data_dir(), log=lambda *_: None)
    images, labels = images[20:20 + FLAGS.images], labels[20:20 + FLAGS.images]

    results = {"numpy_twin": numpy_variant(images, labels)}
    traced = None
    for name, kwargs in (("as_published", {}), ("sequential", {"ordering": "sequential"}),
                         ("autodiff", {"mode": "autodiff"})):
        per_image, sess, t, fetches = tf_variant(post, post.Config(**kwargs), images, labels)
        results[name] = per_image
        if name == "as_published":
            traced = trace_by_op_type(sess, t, fetches, images, labels)
        sess.close()

    base = results["numpy_twin"]
    print(f"posts 000/001, one image per step, 784x784 weights ({FLAGS.images} images x {FLAGS.repeats})")
    print(f"{'variant':<14} {'ms/image':>9} {'x numpy':>8}")
    rows = []
    for name in ("numpy_twin", "as_published", "sequential", "autodiff"):
        rows.append({"variant": name, "ms_per_image": 1e3 * results[name],
                     "ratio_to_numpy": results[name] / base})
        print(f"{name:<14} {1e3 * results[name]:>9.2f} {results[name] / base:>8.2f}")
    total = sum(traced.values())
    print(f"\nas_published, kernel time by op type ({total / 1e3:.2f} ms of kernels per image):")
    top = list(traced.items())[:10]
    for op, us in top:
        print(f"  {op:<24} {us / 1e3:>7.3f} ms  {100 * us / total:>5.1f}%")
    write_json(FLAGS.output, {"benchmark": "decoupled_rnn per-image cost", "images": FLAGS.images,
                              "repeats": FLAGS.repeats, "variants": rows,
                              "kernel_us_per_image_by_op": dict(top), "fingerprint": fingerprint(1)})


if __name__ == "__main__":
    app.run(main)
