"""What every script shares: the common absl flags and the error boundary.

Scripts stay thin: they define their own flags, call :func:`define_common_flags`
once, and hand a ``main()`` without arguments to :func:`run`.  How a run ends:

====  ==================================================================
0     success: ``--output_dir`` holds the new run, whole
2     bad input: a :class:`~tf1_repro.errors.ReproError` anywhere below,
      printed as one line (``<script>: error: ...``); nothing written
3     the run finished but some figures are not finite (training
      diverged): results.json and the figures are written, with those
      numbers as ``null`` and listed under ``non_finite``; one line says
      which figure went non-finite first.  Non-zero, so that a pipeline
      (``reproduce.py``, a shell ``&&``) does not take it for a result
130   Ctrl-C: one line (``<script>: interrupted``), nothing written
143   SIGTERM: cleaned up the same way, one line (``<script>: terminated``)
====  ==================================================================

Outputs are staged and swapped in whole (:class:`tf1_repro.report.OutputDir`);
signals are turned into exceptions so every ``finally`` cleans up
(:mod:`tf1_repro.interrupts`).
"""
import os
import sys

from tf1_repro import interrupts

# Installed at import, before a script imports TensorFlow (seconds): a Ctrl-C
# while it loads gives one line, not a traceback through the import machinery.
# Only in the archive's scripts (each imports scripts/_checkout.py first): a
# test process or notebook that imports this module keeps its own handlers.
if "_checkout" in sys.modules:
    interrupts.install(os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else None)

from absl import app, flags  # noqa: E402

from tf1_repro import report  # noqa: E402
from tf1_repro.errors import ReproError  # noqa: E402
from tf1_repro.graph_session import MAX_THREADS  # noqa: E402
from tf1_repro.mnist import DATA_DIR_ENV, default_data_dir  # noqa: E402

FLAGS = flags.FLAGS

# Every seed must be one that both of the posts' seeding calls take:
# np.random.seed accepts 0 .. 2**32 - 1 (a ValueError beyond); TF1's
# set_random_seed takes any integer and reduces it modulo 2**31 - 1, as TF1's
# get_seed did, so NumPy's range is the binding one.
SEED_MIN, SEED_MAX = 0, 2**32 - 1
DIVERGED_STATUS = 3


def define_common_flags(name, seed=0):
    """--data_dir, --output_dir, --seed and --threads, with the archive's defaults.

    If the script defined a seed count (``--seeds``: a study over
    ``--seed``, ``--seed + 1``, ...), the study's last seed must be in range
    too.
    """
    flags.DEFINE_string(
        "data_dir", default_data_dir(),
        f"Folder holding the four MNIST .gz files (default: ${DATA_DIR_ENV}, else MNIST_data/ "
        "as in the posts). Missing files are downloaded into it.")
    flags.DEFINE_string("output_dir", os.path.join("runs", name),
                        "Where results.json, figures and TensorBoard events are written. The "
                        "folder is replaced as a whole when the run succeeds; an existing one "
                        "must be a run folder of this archive (or empty).")
    flags.DEFINE_integer("seed", seed, "Seed for every random op and for NumPy's global RNG "
                         f"({SEED_MIN} .. 2**32 - 1, the range np.random.seed takes).",
                         lower_bound=SEED_MIN, upper_bound=SEED_MAX)
    flags.DEFINE_integer("threads", 1, "Inter- and intra-op threads of the Session; 1 is "
                         "deterministic, more may change the bits from run to run "
                         f"(at most {MAX_THREADS}).", lower_bound=1, upper_bound=MAX_THREADS)
    for count in SEED_COUNT_FLAGS:
        if count in FLAGS:
            _check_last_seed(count)


# Flags that make a study over seeds --seed, --seed + 1, ..., --seed + N - 1,
# with the (flag, value) that selects the study in a script where it is not the
# default run (tf2_backprop's --seeds counts only under --example=xor_seeds; in
# a script without --example the count always applies).
SEED_COUNT_FLAGS = {"seeds": ("example", "xor_seeds")}


def define_study_flags():
    """--workers and --dask_scheduler, for a script whose --seeds runs a study (tf1_repro/study.py)."""
    from tf1_repro import study
    flags.DEFINE_integer("workers", study.default_workers(),
                         "Worker processes for a seed study (--seeds > 1); every seed's numbers "
                         "are the same whatever this is (default: the cores this run may use).",
                         lower_bound=1, upper_bound=256)
    flags.DEFINE_string("dask_scheduler", None,
                        "Run a seed study's seeds on this Dask cluster (host:port) instead of "
                        "--workers; needs the optional extra: pip install -e \".[dask]\".")


def options():
    """The common flags as :class:`tf1_repro.runs.Options`."""
    from tf1_repro.runs import Options
    return Options(output_dir=FLAGS.output_dir, data_dir=FLAGS.data_dir,
                   seeds=FLAGS["seeds"].value if "seeds" in FLAGS else 1,
                   workers=FLAGS["workers"].value if "workers" in FLAGS else 1,
                   dask_scheduler=FLAGS["dask_scheduler"].value if "dask_scheduler" in FLAGS else None)


def _check_last_seed(count):
    selector = SEED_COUNT_FLAGS[count]
    names = ["seed", count] + ([selector[0]] if selector and selector[0] in FLAGS else [])

    def ok(v):
        if v["seed"] is None or v[count] is None:
            return True
        if len(names) == 3 and selector[1] not in (v[selector[0]] or []):
            return True  # the study is not run
        return v["seed"] + v[count] - 1 <= SEED_MAX

    flags.register_multi_flags_validator(
        names, ok, message=f"--seed + --{count} - 1 (the study's last seed) must be at most "
                           f"2**32 - 1 = {SEED_MAX}")


def _report_divergence(prog):
    found = report.divergences()
    if not found:
        return False
    first = found[0]
    more = sum(d["count"] for d in found) - 1
    tail = f" (and {more} more number(s))" if more else ""
    sys.stderr.write(f"{prog}: diverged: {first['first']} is not finite{tail}; results.json "
                     "records non-finite figures as null (see its non_finite list)\n")
    return True


def run(main):
    """``absl.app.run`` with the archive's error boundary around ``main()`` (see the module doc)."""
    prog = os.path.basename(sys.argv[0])

    def _main(argv):
        if len(argv) > 1:
            sys.stderr.write(f"{prog}: error: unexpected arguments {' '.join(argv[1:])!r} "
                             "(flags are written --name=value)\n")
            sys.exit(2)
        try:
            main()
        except ReproError as e:
            sys.stderr.write(f"{prog}: error: {e}\n")
            sys.exit(2)
        except (KeyboardInterrupt, interrupts.Terminated) as e:
            _stop(prog, e)
        except MemoryError:
            sys.stderr.write(f"{prog}: error: out of memory (try smaller sizes or fewer steps)\n")
            sys.exit(2)
        if _report_divergence(prog):
            sys.exit(DIVERGED_STATUS)

    interrupts.install(prog, guarded=True)
    try:
        app.run(_main)
    except (KeyboardInterrupt, interrupts.Terminated) as e:
        # Raised outside main() (flag parsing, absl's own start-up).
        _stop(prog, e)


def _stop(prog, exc):
    interrupts.unguard()  # a second signal now exits at once, without a traceback
    status = interrupts.exit_status(exc)
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001  (a closed pipe: the line below still matters)
        pass
    word = "interrupted" if status == 130 else "terminated"
    sys.stderr.write(f"{prog}: {word}\n")
    sys.stderr.flush()
    os._exit(status)
