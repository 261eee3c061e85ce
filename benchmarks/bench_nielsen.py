r"""Post 002's cost per training step: the post's loop, the in-graph loop, NumPy, the floor.

    python benchmarks/bench_nielsen.py            # table on stdout, JSON to benchmarks/nielsen.json
    python benchmarks/bench_nielsen.py --repeats=7 --steps=8000

Every variant trains the post's network on the post's batches (784-30-10,
mini-batches of 10) in its own process, so that its peak resident memory is
its own.  What is timed is training steps and nothing else: the graph is
built, the session started, the data loaded and the batches drawn before the
clock starts, and one untimed repeat runs first (kernels, allocators and
Grappler's rewrite of the graph happen on a first call).

* Feed loops and NumPy: a repeat is ``--steps`` steps of the loop, on
  batches drawn beforehand (the feeding of each batch, ``feed_dict`` or the
  callable's arguments, is part of the post's step and is timed); its figure
  is the repeat's time over ``--steps``.
* In-graph loops: the training set sits in the graph (two variables loaded
  once) and one ``Session.run`` trains as many steps as the batch plan it is
  fed has rows.  A repeat is one run of ``--steps`` / 4 steps and one of
  ``--steps``; its figure is the slope between the two (the time of the
  extra steps over their number), which cancels what a run costs besides
  its steps (the call, one count of the test images, writing the weights
  back).  The JSON also holds the least-squares slope over all runs.

Both lengths run once untimed first: XLA (``graph_xla``) compiles the loop
once per plan length.

Each variant reports the median of its ``--repeats`` figures and every
repeat.  A repeat that is not a positive time, or repeats spread more than
``--max_spread`` times apart, stop the benchmark with one ``error:`` line
(exit 2) instead of a table (benchmarks/timing.py).  Ratios are against the
NumPy twin (tf1_repro/reference/nielsen_numpy.py) and against the arithmetic
floor: the step's floating-point operations at the rate a large
single-threaded matrix product reaches, both measured in the same invocation.

Variants
  numpy              the NumPy twin, float32, same batches
  feed_as_published  the post: ``sess.run(step, feed_dict)``, fetching the four assigned weights
  feed_group         the same graph, fetching ``tf.group(*step)`` (no weights copied back)
  feed_callable      ``Session.make_callable`` on the group: no per-call feed/fetch parsing
  graph              ``--loop=graph``: the whole loop in one ``Session.run``, same bits as the feed loop
  graph_as_written   the same loop with every Grappler rewrite off (the feed loop's session)
  graph_all_rewrites the same loop with every rewrite on, constant folding included (other bits)
  graph_xla          ``--loop=graph --xla``: the whole loop compiled by XLA (another kernel family)
"""
import json
import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import timing  # noqa: E402  (this checkout, one-thread BLAS, the package's defaults)

from absl import app, flags  # noqa: E402


VARIANTS = ["numpy", "feed_as_published", "feed_group", "feed_callable", "graph",
            "graph_as_written", "graph_all_rewrites", "graph_xla"]
DESCRIPTIONS = {
    "numpy": "NumPy twin, same algorithm and batches",
    "feed_as_published": "the post's loop: `sess.run(step, feed_dict)`, fetching the 4 assigned weights",
    "feed_group": "the same, fetching `tf.group(*step)` (what `scripts/nielsen_mlp.py` runs)",
    "feed_callable": "the same through `Session.make_callable`",
    "graph": "`--loop=graph`: the whole loop in one `Session.run`, same bits as the feed loop",
    "graph_as_written": "the in-graph loop with every Grappler rewrite off (the graph as written)",
    "graph_all_rewrites": "the in-graph loop with constant folding on too (other bits)",
    "graph_xla": "`--loop=graph --xla`: the whole loop compiled by XLA (another kernel family)",
}
COMMAND = "python benchmarks/bench_nielsen.py"

flags.DEFINE_integer("steps", 4000, "Steps per timed repeat (in-graph loops: the long run; the short "
                     "one is a quarter).", lower_bound=40)
flags.DEFINE_integer("repeats", 5, "Timed repeats per variant; the median is reported, every one kept.",
                     lower_bound=2)
flags.DEFINE_float("max_spread", 1.5, "Largest accepted ratio of a variant's slowest repeat to its fastest.",
                   lower_bound=1.0)
flags.DEFINE_enum("clock", "cpu", timing.CLOCKS, "cpu: the process's CPU time; wall: the wall clock.")
flags.DEFINE_list("variants", VARIANTS, "Variants to run (numpy always runs: the ratios need it).")
flags.DEFINE_string("variant", None, "Run one variant in this process and print its JSON (internal).")
flags.DEFINE_string("data_dir", None, "MNIST folder (default: $TF1_REPRO_DATA_DIR, else MNIST_data/).")
flags.DEFINE_string("output", os.path.join(os.path.dirname(os.path.abspath(__file__)), "nielsen.json"),
                    "Where the JSON of the table goes.")
FLAGS = flags.FLAGS


def step_flops(batch=10, n_in=784, hidden=30, n_out=10):
    """Multiply-adds of one step counted as 2 FLOP each (matrix products dominate)."""
    forward = 2 * batch * (n_in * hidden + hidden * n_out)
    backward = 2 * batch * (hidden * n_out) * 2 + 2 * batch * n_in * hidden  # d_w_2, d_a_1; d_w_1
    update = 2 * (n_in * hidden + hidden * n_out)
    return forward + backward + update


def feed_runner(name, data, steps):
    """A function () -> None that trains ``steps`` steps of a feed loop or NumPy, batches drawn now."""
    import numpy as np
    import tensorflow as tf
    from tf1_repro.graph_session import new_session, seed_everything
    from tf1_repro.posts import nielsen_mlp as post
    from tf1_repro.reference import nielsen_numpy as ref
    tf1 = tf.compat.v1
    cfg = post.Config(steps=steps)
    seed_everything(cfg.seed)
    ds = data.train.restarted()
    batches = [ds.next_batch(10) for _ in range(steps)]

    if name == "numpy":
        rng = np.random.RandomState(0)
        net = ref.Network([rng.randn(30, 784), rng.randn(10, 30)], [rng.randn(30, 1), rng.randn(10, 1)])
        batches = [(xs.T, ys.T.astype(np.float32)) for xs, ys in batches]

        def run():
            for xs, ys in batches:
                net.update_mini_batch(xs, ys, cfg.eta)
        return run

    graph = tf.Graph()
    with graph.as_default():
        t = post.build_graph(cfg)
        group = tf.group(*t["step"])
        init = tf1.global_variables_initializer()
    graph.finalize()
    sess = new_session(graph)
    sess.run(init)
    if name == "feed_callable":
        call = sess.make_callable(group, feed_list=[t["a_0"], t["y"]])

        def run():
            for xs, ys in batches:
                call(xs, ys)
        return run
    fetch = t["step"] if name == "feed_as_published" else group
    a_0, y = t["a_0"], t["y"]

    def run():
        for xs, ys in batches:
            sess.run(fetch, feed_dict={a_0: xs, y: ys})
    return run


def graph_runner(name, data, steps):
    """A function n -> None that trains n steps (n <= ``steps``) in one Session.run, data resident."""
    import numpy as np
    import tensorflow as tf
    from tf1_repro.posts import nielsen_mlp as post
    from tf1_repro.posts import nielsen_mlp_archive as archive
    tf1 = tf.compat.v1
    # One count of the test images per run (step 0), the same in both lengths.
    cfg = post.Config(steps=steps, eval_every=10 ** 9, xla=name == "graph_xla")
    plan = archive.batch_plan(cfg, data.train)
    train_x, train_y = data.train.gather(np.arange(data.train.num_examples))
    graph, t = archive.build_graph_loop(cfg, train_x.shape, train_y.shape, data.test)
    config = archive.loop_session_config(cfg)
    if name == "graph_as_written":
        from tf1_repro.graph_session import session_config
        config = session_config(1)
    elif name == "graph_all_rewrites":
        config.graph_options.rewrite_options.constant_folding = 0  # DEFAULT: on
    sess = tf1.Session(graph=graph, config=config)
    sess.run(t["init"])
    sess.run(t["load_data"], feed_dict={t["images_in"]: train_x, t["labels_in"]: train_y})
    plans = {n: plan[:n] for n in (steps // 4, steps)}

    def run(n):
        sess.run(t["counts"], feed_dict={t["plan"]: plans[n]})
    return run


def child(name):
    if name == "matmul_rate":
        print(json.dumps({"variant": name, "flops_per_s": timing.matmul_rate()}))
        return
    from tf1_repro import mnist
    from tf1_repro.posts import nielsen_mlp as post
    data = post.load_data(FLAGS.data_dir or mnist.default_data_dir(), post.Config(), log=lambda *_: None)
    steps = FLAGS.steps
    repeats = []
    if name.startswith("graph"):
        run = graph_runner(name, data, steps)
        short = steps // 4
        # Untimed, both lengths: Grappler, first-call allocations, and XLA's
        # compilation, once for each plan length it is run with.
        run(short)
        run(steps)
        lengths, seconds = [], []
        for _ in range(FLAGS.repeats):
            with timing.Stopwatch() as s_short:
                run(short)
            with timing.Stopwatch() as s_long:
                run(steps)
            cpu = (s_long.cpu - s_short.cpu) / (steps - short)
            wall = (s_long.wall - s_short.wall) / (steps - short)
            repeats.append({"cpu": cpu, "wall": wall, "runs": {"steps": [short, steps],
                            "cpu_s": [s_short.cpu, s_long.cpu], "wall_s": [s_short.wall, s_long.wall]}})
            lengths += [short, steps]
            seconds.append((s_short, s_long))
        fit = {c: timing.slope(lengths, [getattr(s, c) for pair in seconds for s in pair])
               for c in timing.CLOCKS}
    else:
        run = feed_runner(name, data, steps)
        run()  # untimed: first-call costs
        for _ in range(FLAGS.repeats):
            with timing.Stopwatch() as s:
                run()
            repeats.append({"cpu": s.cpu / steps, "wall": s.wall / steps})
        fit = None
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"variant": name, "repeats": repeats, "fit_s_per_step": fit, "peak_rss_mib": rss_mib}))


def run_child(name):
    cmd = [sys.executable, os.path.abspath(__file__), f"--variant={name}", f"--steps={FLAGS.steps}",
           f"--repeats={FLAGS.repeats}"]
    if FLAGS.data_dir:
        cmd.append(f"--data_dir={FLAGS.data_dir}")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **timing.ONE_THREAD))
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise timing.MeasurementError(f"variant {name} failed: {last}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def us(seconds):
    return f"{1e6 * seconds:.1f}"


def readme_block(doc):
    """The Speed page's table of this run, every figure from ``doc`` (the JSON written beside it)."""
    table = timing.variant_table(doc, DESCRIPTIONS, "step", us, "µs")
    return (f"`{doc['command']}`: {doc['steps']} steps a repeat, median of {doc['repeats']} repeats, "
            f"{doc['clock']} time, repeats within {doc['max_spread']:g}x of each other; the floor ({us(doc['floor_s_per_step'])} µs) is "
            f"{doc['flop_per_step'] / 1e6:.2f} MFLOP a step at the "
            f"{doc['matmul_flops_per_s'] / 1e9:.1f} GFLOP/s of a one-thread 1024×1024 product.\n\n" + table)


def parent():
    names = ["numpy"] + [v for v in FLAGS.variants if v != "numpy"]
    unknown = sorted(set(names) - set(VARIANTS))
    if unknown:
        raise timing.MeasurementError(f"--variants: unknown {', '.join(unknown)} "
                                      f"(expected some of {', '.join(VARIANTS)})")
    rows = []
    for name in names:
        r = run_child(name)
        row = timing.variant_row(name, r["repeats"], FLAGS.clock, FLAGS.max_spread, "step")
        rows.append(dict(row, fit_s_per_step=r["fit_s_per_step"], peak_rss_mib=r["peak_rss_mib"]))
        sys.stderr.write(f"{name}: {us(row['s_per_step'])} us/step ({FLAGS.clock}; repeats "
                         f"{' '.join(us(x) for x in row['repeats_s_per_step'])})\n")
    flops = step_flops()
    rate = run_child("matmul_rate")["flops_per_s"]
    floor = flops / rate
    timing.add_ratios(rows, "step", floor)
    from tf1_repro.graph_session import fingerprint
    from tf1_repro.report import write_json
    doc = {"benchmark": "nielsen_mlp per-step cost", "command": COMMAND, "clock": FLAGS.clock,
           "steps": FLAGS.steps, "repeats": FLAGS.repeats, "max_spread": FLAGS.max_spread,
           "flop_per_step": flops, "matmul_flops_per_s": rate, "floor_s_per_step": floor,
           "variants": rows, "fingerprint": fingerprint(1)}
    doc["readme"] = readme_block(doc)
    print(f"post 002, 784-30-10, batch 10: {flops / 1e6:.2f} MFLOP/step; single-thread matmul "
          f"{rate / 1e9:.1f} GFLOP/s -> floor {us(floor)} us/step; {FLAGS.clock} time, "
          f"median of {FLAGS.repeats}")
    print(f"{'variant':<18} {'us/step':>9} {'x numpy':>8} {'x floor':>8} {'RSS MiB':>8}  every repeat (us/step)")
    for r in rows:
        print(f"{r['variant']:<18} {us(r['s_per_step']):>9} {r['ratio_to_numpy']:>8.2f} "
              f"{r['ratio_to_floor']:>8.1f} {r['peak_rss_mib']:>8.0f}  "
              f"{' '.join(us(x) for x in r['repeats_s_per_step'])}")
    write_json(FLAGS.output, doc)


def main(argv):
    del argv
    try:
        if FLAGS.variant:
            child(FLAGS.variant)
        else:
            parent()
    except timing.MeasurementError as e:
        timing.fail("bench_nielsen", e)


if __name__ == "__main__":
    app.run(main)
