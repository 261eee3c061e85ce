r"""Post 002's cost per training step: the post's loop, the in-graph loop, NumPy, the floor.

    python benchmarks/bench_nielsen.py            # table on stdout, JSON to benchmarks/nielsen.json
    python benchmarks/bench_nielsen.py --repeats=5 --steps=4000

Every variant trains the post's network on the post's batches (784-30-10,
mini-batches of 10) and runs in its own process, so that its peak resident
memory is its own.  Its time per step is the slope between a short and a long
run (``--steps`` / 4 and ``--steps``), which cancels graph building, data
loading and start-up; the median over ``--repeats`` pairs is reported.  All
figures are ratios against the NumPy twin (tf1_repro/reference/nielsen_numpy.py)
measured in the same invocation, and against the arithmetic floor: the
step's floating-point operations divided by the rate a large single-threaded
matrix product reaches on this machine, also measured here.

Variants
  feed_as_published  the post: ``sess.run(step, feed_dict)``, fetching the four assigned weights
  feed_group         the same graph, fetching ``tf.group(*step)`` (no weights copied back)
  feed_callable      ``Session.make_callable`` on the group: no per-call feed/fetch parsing
  graph              ``--loop=graph``: the whole loop in one ``Session.run``, same bits as the feed loop
  graph_as_written   the same loop with every Grappler rewrite off (the feed loop's session)
  graph_all_rewrites the same loop with every rewrite on, constant folding included (other bits)
  graph_xla          ``--loop=graph --xla``: XLA auto-clustering (other bits)
  numpy              the NumPy twin, float32, same batches
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time

from absl import app, flags

flags.DEFINE_integer("steps", 4000, "Steps of the long run (the short one is a quarter).", lower_bound=400)
flags.DEFINE_integer("repeats", 3, "Short/long pairs per variant; the median slope is reported.",
                     lower_bound=1)
flags.DEFINE_string("variant", None, "Run one variant in this process and print its JSON (internal).")
flags.DEFINE_string("data_dir", None, "MNIST folder (default: $TF1_REPRO_DATA_DIR, else MNIST_data/).")
flags.DEFINE_string("output", os.path.join(os.path.dirname(os.path.abspath(__file__)), "nielsen.json"),
                    "Where the JSON of the table goes.")
FLAGS = flags.FLAGS

VARIANTS = ["numpy", "feed_as_published", "feed_group", "feed_callable", "graph",
            "graph_as_written", "graph_all_rewrites", "graph_xla"]
FLOP_PER_STEP = None  # set in floor(): forward, backward and update of one mini-batch of 10


def step_flops(batch=10, n_in=784, hidden=30, n_out=10):
    """Multiply-adds of one step counted as 2 FLOP each (matrix products dominate)."""
    forward = 2 * batch * (n_in * hidden + hidden * n_out)
    backward = 2 * batch * (hidden * n_out) * 2 + 2 * batch * n_in * hidden  # d_w_2, d_a_1; d_w_1
    update = 2 * (n_in * hidden + hidden * n_out)
    return forward + backward + update


def matmul_rate():
    """FLOP/s of a large float32 matrix product on one thread (best of 5; runs in a child)."""
    import numpy as np
    a = np.random.rand(1024, 1024).astype(np.float32)
    b = np.random.rand(1024, 1024).astype(np.float32)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * 1024 ** 3 / best


def _timed(fn, steps):
    t0 = time.perf_counter()
    fn(steps)
    return time.perf_counter() - t0


def variant_runner(name, data):
    """A function steps -> None that trains a fresh network for ``steps`` steps."""
    import numpy as np
    import tensorflow as tf
    from tf1_repro.graph_session import new_session, seed_everything
    from tf1_repro.posts import nielsen_mlp as post
    from tf1_repro.reference import nielsen_numpy as ref
    tf1 = tf.compat.v1

    if name == "numpy":
        def run(steps):
            cfg = post.Config(steps=steps)
            rng = np.random.RandomState(0)
            net = ref.Network([rng.randn(30, 784), rng.randn(10, 30)], [rng.randn(30, 1), rng.randn(10, 1)])
            seed_everything(cfg.seed)
            ds = data.train.restarted()
            for _ in range(steps):
                xs, ys = ds.next_batch(10)
                net.update_mini_batch(xs.T, ys.T.astype(np.float32), cfg.eta)
        return run

    if name.startswith("graph"):
        from tf1_repro import graph_session

        def session_config(threads=1, rewrites=False):
            config = graph_session.session_config(threads, rewrites=name != "graph_as_written")
            if name == "graph_all_rewrites":
                config.graph_options.rewrite_options.constant_folding = 0  # DEFAULT: on
            return config

        post.session_config = session_config  # this process runs this variant only

        def run(steps):
            cfg = post.Config(steps=steps, eval_every=steps, xla=name == "graph_xla")
            post.train_graph_loop(cfg, data, emit=lambda _: None)
        return run

    def run(steps):
        cfg = post.Config(steps=steps)
        seed_everything(cfg.seed)
        ds = data.train.restarted()
        g = tf.Graph()
        with g.as_default():
            t = post.build_graph(cfg)
            group = tf.group(*t["step"])
            init = tf1.global_variables_initializer()
        with new_session(g) as sess:
            sess.run(init)
            if name == "feed_callable":
                call = sess.make_callable(group, feed_list=[t["a_0"], t["y"]])
                for _ in range(steps):
                    xs, ys = ds.next_batch(10)
                    call(xs, ys)
            else:
                fetch = t["step"] if name == "feed_as_published" else group
                for _ in range(steps):
                    xs, ys = ds.next_batch(10)
                    sess.run(fetch, feed_dict={t["a_0"]: xs, t["y"]: ys})
    return run


def child(name):
    if name == "matmul_rate":
        print(json.dumps({"variant": name, "flops_per_s": matmul_rate()}))
        return
    from tf1_repro import mnist
    from tf1_repro.posts import nielsen_mlp as post
    data = post.load_data(FLAGS.data_dir or mnist.default_data_dir(), post.Config(), log=lambda *_: None)
    run = variant_runner(name, data)
    short, long_ = FLAGS.steps // 4, FLAGS.steps
    run(short)  # warm-up: first-call costs (kernels, allocators, XLA compilation caches)
    slopes = []
    for _ in range(FLAGS.repeats):
        t_short = _timed(run, short)
        t_long = _timed(run, long_)
        slopes.append((t_long - t_short) / (long_ - short))
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"variant": name, "us_per_step": 1e6 * statistics.median(slopes),
                      "us_per_step_runs": [1e6 * s for s in slopes], "peak_rss_mib": rss_mib}))


# Every variant, NumPy's BLAS included, computes on one thread: the archive's
# deterministic sessions use one intra-op thread, and a comparison of one
# thread against two would measure the core count, not the code.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_child(name):
    cmd = [sys.executable, os.path.abspath(__file__), f"--variant={name}", f"--steps={FLAGS.steps}",
           f"--repeats={FLAGS.repeats}"]
    if FLAGS.data_dir:
        cmd.append(f"--data_dir={FLAGS.data_dir}")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **ONE_THREAD))
    if proc.returncode != 0:
        sys.exit(f"bench_nielsen: variant {name} failed: {proc.stderr.strip().splitlines()[-1]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def parent():
    results = {}
    for name in VARIANTS:
        results[name] = run_child(name)
        sys.stderr.write(f"{name}: {results[name]['us_per_step']:.1f} us/step\n")
    flops = step_flops()
    rate = run_child("matmul_rate")["flops_per_s"]
    floor_us = 1e6 * flops / rate
    base = results["numpy"]["us_per_step"]
    rows = []
    print(f"post 002, 784-30-10, batch 10: {flops / 1e6:.2f} MFLOP/step; single-thread matmul "
          f"{rate / 1e9:.1f} GFLOP/s -> floor {floor_us:.1f} us/step")
    print(f"{'variant':<18} {'us/step':>9} {'x numpy':>8} {'x floor':>8} {'peak RSS MiB':>13}")
    for name in VARIANTS:
        r = results[name]
        r["ratio_to_numpy"] = r["us_per_step"] / base
        r["ratio_to_floor"] = r["us_per_step"] / floor_us
        rows.append(r)
        print(f"{name:<18} {r['us_per_step']:>9.1f} {r['ratio_to_numpy']:>8.2f} "
              f"{r['ratio_to_floor']:>8.1f} {r['peak_rss_mib']:>13.0f}")
    from tf1_repro.graph_session import fingerprint
    from tf1_repro.report import write_json
    write_json(FLAGS.output, {"benchmark": "nielsen_mlp per-step cost", "steps": FLAGS.steps,
                              "repeats": FLAGS.repeats, "flop_per_step": flops,
                              "matmul_flops_per_s": rate, "floor_us_per_step": floor_us,
                              "variants": rows, "fingerprint": fingerprint(1)})


def main(argv):
    del argv
    if FLAGS.variant:
        child(FLAGS.variant)
    else:
        parent()


if __name__ == "__main__":
    app.run(main)
