r"""Posts 000/001's cost per training image, against NumPy and the floor, and where it goes.

    python benchmarks/bench_decoupled_rnn.py      # table on stdout, JSON to benchmarks/decoupled_rnn.json
    python benchmarks/bench_decoupled_rnn.py --images=200 --repeats=7

The post trains at batch 1: one ``sess.run([cost, update, h_update])`` per
image, on 784x784 weight matrices.  Each variant is timed on what a training
image costs and nothing else: the graph is built, the session started and
the images cut into the post's [1, 784] and [1, 1] feeds before the clock
starts, and one untimed pass runs first.  A repeat is one pass over
``--images`` training images, exactly the call of the post's training loop
(``train`` in tf1_repro/posts/decoupled_rnn.py); its figure is the pass's time over the
images.  Each variant reports the median of its ``--repeats`` figures and
every repeat; a repeat that is not a positive time, or repeats spread more
than ``--max_spread`` times apart, stop the benchmark with one ``error:``
line (exit 2) instead of a table (benchmarks/timing.py).

Ratios are against the NumPy twin of the same maths measured in the same
run (tf1_repro/reference/seo_numpy.py, outer products, float32; the twin of
``--ordering=sequential``) and against the floor: the larger of an image's
floating-point operations at the rate of a large one-thread matrix product
and its least memory traffic (every 784x784 matrix read once per product
with it and read and written once per update) at the rate of a one-thread
copy of the five weight matrices, both measured here.  Then 20 images of the
as-published graph are traced (``RunOptions.FULL_TRACE``) and the kernels'
time summed by op type: where an image's time goes.

Variants
  numpy_twin    the NumPy twin, float32, outer products
  as_published  the post's graph, ``--ordering=as_published`` (the default)
  sequential    ``--ordering=sequential``, the twin's own order
  autodiff      ``--mode=autodiff`` (it updates only ``W_fc`` and the state)
"""
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import timing  # noqa: E402  (this checkout, one-thread BLAS, the package's defaults)

from absl import app, flags  # noqa: E402


VARIANTS = ("numpy_twin", "as_published", "sequential", "autodiff")
DESCRIPTIONS = {
    "numpy_twin": "NumPy twin (outer products, float32)",
    "as_published": "the post's graph (`--ordering=as_published`, the default)",
    "sequential": "`--ordering=sequential`, the twin's order",
    "autodiff": "`--mode=autodiff` (updates only `W_fc` and the state)",
}
COMMAND = "python benchmarks/bench_decoupled_rnn.py"
N = 784

flags.DEFINE_integer("images", 300, "Training images per timed repeat.", lower_bound=5)
flags.DEFINE_integer("repeats", 5, "Timed repeats per variant; the median is reported, every one kept.",
                     lower_bound=2)
flags.DEFINE_float("max_spread", 1.5, "Largest accepted ratio of a variant's slowest repeat to its fastest.",
                   lower_bound=1.0)
flags.DEFINE_enum("clock", "cpu", timing.CLOCKS, "cpu: the process's CPU time; wall: the wall clock.")
flags.DEFINE_integer("trace_images", 20, "Images of the as-published graph traced for the kernel profile "
                     "(0: none).", lower_bound=0)
flags.DEFINE_string("data_dir", None, "MNIST folder (default: $TF1_REPRO_DATA_DIR, else MNIST_data/).")
flags.DEFINE_string("output", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                           "decoupled_rnn.json"), "Where the JSON goes.")
FLAGS = flags.FLAGS


def image_flops():
    """Floating-point operations of one image of the twin: 8 vector-matrix products
    (2 N^2 each), 6 outer products (N^2) and 6 updates (rate times gradient, then
    the sum: 2 N^2)."""
    return (8 * 2 + 6 + 6 * 2) * N * N


def image_bytes():
    """Least memory traffic of one image: each of the 8 products reads an N x N
    float32 matrix, each of the 6 updates reads and writes one."""
    return (8 + 6 * 2) * N * N * 4


def copy_rate(tries=5):
    """Bytes per second (read plus written) of a one-thread copy of five N x N float32 matrices."""
    import numpy as np
    src = np.random.RandomState(0).rand(5, N, N).astype(np.float32)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(tries):
        with timing.Stopwatch() as s:
            np.copyto(dst, src)
        best = min(best, s.wall)
    return 2 * src.nbytes / best


def timed_passes(name, one_pass):
    """Every repeat's seconds per image (one untimed pass first), both clocks."""
    one_pass()
    repeats = []
    for _ in range(FLAGS.repeats):
        with timing.Stopwatch() as s:
            one_pass()
        repeats.append({"cpu": s.cpu / FLAGS.images, "wall": s.wall / FLAGS.images})
    return repeats


def tf_variant(post, config, images, labels):
    """(a pass over the images, session, tensors, fetches) for one graph variant."""
    import tensorflow as tf
    from tf1_repro.graph_session import new_session
    tf1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(config.seed)
        t = post.build_graph(config)
        init = tf1.global_variables_initializer()
    graph.finalize()
    sess = new_session(graph, config.threads)
    sess.run(init)
    # The post's loop: sess.run([cost, train_step, h_update], feed_dict) per image.
    fetches = [t["cost"], t["train_step"], t["h_update_ops"]]
    x, y = t["x"], t["y"]
    feeds = [{x: images[i:i + 1], y: labels[i:i + 1]} for i in range(len(images))]

    def one_pass():
        for feed in feeds:
            sess.run(fetches, feed_dict=feed)
    return one_pass, sess, fetches, feeds


def numpy_variant(images, labels):
    import numpy as np
    from tf1_repro.reference import seo_numpy
    rng = np.random.RandomState(0)
    w = {k: v.astype(np.float32) for k, v in seo_numpy.init_weights(rng).items()}
    h = np.zeros((N, 3), dtype=np.float32)
    pairs = [(images[i], labels[i].astype(np.float32)) for i in range(len(images))]

    def one_pass():
        for image, label in pairs:
            seo_numpy.train_step(w, h, image, label, outer=True)
    return one_pass


def trace_by_op_type(sess, fetches, feeds, n):
    """Kernel time per op type over ``n`` traced images, as {type: microseconds per image}."""
    import tensorflow as tf
    tf1 = tf.compat.v1
    options = tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE)
    totals = defaultdict(float)
    for feed in feeds[:n]:
        meta = tf1.RunMetadata()
        sess.run(fetches, feed_dict=feed, options=options, run_metadata=meta)
        for dev in meta.step_stats.dev_stats:
            for node in dev.node_stats:
                op = node.timeline_label.split("=", 1)[-1].split("(", 1)[0].strip() or node.node_name
                totals[op] += node.all_end_rel_micros
    n = min(n, len(feeds))
    return {op: us / n for op, us in sorted(totals.items(), key=lambda kv: -kv[1])}


def ms(seconds):
    return f"{1e3 * seconds:.2f}"


def readme_block(doc):
    """The Speed page's table of this run, every figure from ``doc`` (the JSON written beside it)."""
    table = timing.variant_table(doc, DESCRIPTIONS, "image", ms, "ms")
    text = (f"`{doc['command']}`: {doc['images']} images a repeat, median of {doc['repeats']} repeats, "
            f"{doc['clock']} time, repeats within {doc['max_spread']:g}x of each other; the floor ({ms(doc['floor_s_per_image'])} ms) is an image's "
            f"{doc['bytes_per_image'] / 1e6:.0f} MB of least memory traffic at the "
            f"{doc['copy_bytes_per_s'] / 1e9:.1f} GB/s of a one-thread copy (its "
            f"{doc['flop_per_image'] / 1e6:.1f} MFLOP at the {doc['matmul_flops_per_s'] / 1e9:.1f} GFLOP/s "
            f"of a one-thread product would take {ms(doc['arithmetic_floor_s_per_image'])} ms).\n\n" + table)
    if doc.get("kernel_us_per_image_by_op"):
        total = doc["kernel_time_us_per_image"]
        top = ", ".join(f"{op} {100 * us / total:.0f}%"
                        for op, us in list(doc["kernel_us_per_image_by_op"].items())[:6])
        text += (f"\n\nKernel time of the as-published graph, {ms(total / 1e6)} ms an image "
                 f"(traced, {doc['trace_images']} images): {top}.")
    return text


def main(argv):
    del argv
    from tf1_repro import mnist
    from tf1_repro.graph_session import fingerprint
    from tf1_repro.posts import decoupled_rnn as post
    from tf1_repro.report import write_json
    images, labels = post.load_pool(FLAGS.data_dir or mnist.default_data_dir(), log=lambda *_: None)
    images, labels = images[20:20 + FLAGS.images], labels[20:20 + FLAGS.images]

    rows, traced = [], {}
    try:
        for name in VARIANTS:
            if name == "numpy_twin":
                repeats = timed_passes(name, numpy_variant(images, labels))
            else:
                kwargs = {"as_published": {}, "sequential": {"ordering": "sequential"},
                          "autodiff": {"mode": "autodiff"}}[name]
                one_pass, sess, fetches, feeds = tf_variant(post, post.Config(**kwargs), images, labels)
                repeats = timed_passes(name, one_pass)
                if name == "as_published" and FLAGS.trace_images:
                    traced = trace_by_op_type(sess, fetches, feeds, FLAGS.trace_images)
                sess.close()
            row = timing.variant_row(name, repeats, FLAGS.clock, FLAGS.max_spread, "image")
            rows.append(row)
            sys.stderr.write(f"{name}: {ms(row['s_per_image'])} ms/image ({FLAGS.clock}; repeats "
                             f"{' '.join(ms(x) for x in row['repeats_s_per_image'])})\n")
    except timing.MeasurementError as e:
        timing.fail("bench_decoupled_rnn", e)

    rate, bandwidth = timing.matmul_rate(), copy_rate()
    arithmetic_floor = image_flops() / rate
    floor = max(arithmetic_floor, image_bytes() / bandwidth)
    timing.add_ratios(rows, "image", floor)
    doc = {"benchmark": "decoupled_rnn per-image cost", "command": COMMAND, "clock": FLAGS.clock,
           "images": FLAGS.images, "repeats": FLAGS.repeats, "max_spread": FLAGS.max_spread,
           "flop_per_image": image_flops(), "matmul_flops_per_s": rate,
           "arithmetic_floor_s_per_image": arithmetic_floor, "bytes_per_image": image_bytes(),
           "copy_bytes_per_s": bandwidth, "floor_s_per_image": floor, "variants": rows,
           "trace_images": FLAGS.trace_images if traced else 0,
           "kernel_time_us_per_image": sum(traced.values()),
           "kernel_us_per_image_by_op": dict(list(traced.items())[:10]), "fingerprint": fingerprint(1)}
    doc["readme"] = readme_block(doc)

    print(f"posts 000/001, one image per step, 784x784 weights ({FLAGS.images} images a repeat, "
          f"median of {FLAGS.repeats}, {FLAGS.clock} time); floor {ms(floor)} ms/image")
    print(f"{'variant':<14} {'ms/image':>9} {'x numpy':>8} {'x floor':>8}  every repeat (ms/image)")
    for r in rows:
        print(f"{r['variant']:<14} {ms(r['s_per_image']):>9} {r['ratio_to_numpy']:>8.2f} "
              f"{r['ratio_to_floor']:>8.1f}  {' '.join(ms(x) for x in r['repeats_s_per_image'])}")
    if traced:
        total = sum(traced.values())
        print(f"\nas_published, kernel time by op type ({total / 1e3:.2f} ms of kernels per image):")
        for op, us in list(traced.items())[:10]:
            print(f"  {op:<24} {us / 1e3:>7.3f} ms  {100 * us / total:>5.1f}%")
    write_json(FLAGS.output, doc)


if __name__ == "__main__":
    app.run(main)
