r"""Run a TensorFlow 0.x/1.x program (or a TF2 one) unmodified on today's TensorFlow.

    python scripts/run_original.py --program=backprop.py --seed=0

runs the file as its author wrote it: Python 2 is converted in memory, ``import
tensorflow as tf`` gives the TF1 API (``tf.compat.v1`` with v2 behaviour
disabled, plus the names TF 1.0 removed), and ``from
tensorflow.examples.tutorials.mnist import input_data`` reads MNIST through the
archive's loader from --data_dir, in the batch order of --batch_order.
The program's own code (and the helper modules beside it) gets the rules of
the NumPy it was written for (--numpy, 1.11 for TF1 programs) and, when it is
Python 2, Python 2's print of floats.  Standard output is the program's own;
the runner's diagnostics go to standard error.  Nobody needs to be at the
screen: plt.show(), plt.waitforbuttonpress() and input() return at once (a
note each), --timeout=SECONDS stops a program that never ends, and a package
the program imports but nobody installed is named in one line with its pip
name.  A TF1 name the archive does not provide stops the run with one line
naming the program's line.  What is provided, and how --seed and --threads
act: tf1_repro/original/.

    python scripts/run_original.py --corpus=../shared/corpus --seed=0 --output_dir=runs/corpus

runs every program of a folder instead (the files its index.json lists, else
every .py file not in a _ or . folder), each as --program=NAME in its own
folder and process, with the other flags passed on and --timeout defaulting
to 60 s.  A line per program on standard error as it finishes, then a table
on standard output (program, ended / error / timeout, seconds, the last line
it printed or its error line), and --output_dir/results.json with the same
rows, the counts and the flags, beside logs/ of each program's output.
Where the index.json row names the output its author recorded
("notebook_outputs"), the transcript is compared with it: same, same apart
from numbers (a training log), where it first differs, or none recorded.  Exit
status 0 once the corpus has run, whatever the programs did; 2 for a folder
that is missing or holds no programs.  Details: tf1_repro/original/corpus.py.
"""
import os
import sys
import time

from absl import app, flags, logging

import _checkout  # noqa: F401  (this checkout's tf1_repro, not another clone's)
from tf1_repro.errors import ReproError
from tf1_repro.mnist import BATCH_ORDERS, DATA_DIR_ENV
from tf1_repro.original import corpus

flags.DEFINE_string("program", None, "The program to run (a .py file; never modified).")
flags.DEFINE_string("corpus", None, "Instead of --program: run every program in this folder "
                    "(each as --program in its own folder and process, with the other flags), "
                    "print a table of how each ended and write it to --output_dir/results.json.  "
                    "Which files: tf1_repro/original/corpus.py.")
flags.DEFINE_string("output_dir", None, "With --corpus: where results.json and each program's "
                    "logs/ go (default runs/run_original/; the folder is replaced as a whole "
                    "when the corpus has run).")
flags.DEFINE_integer("jobs", 1, "With --corpus: programs run side by side (each one's seconds "
                     "then include waiting for the CPU).", lower_bound=1)
flags.DEFINE_integer("seed", None, "Seed the program as the archive's --seed does: TF1 programs "
                     "get tf.set_random_seed(S) on every graph they build plus random.seed(S) and "
                     "np.random.seed(S) before their first statement; TF2 programs get "
                     "tf.keras.utils.set_random_seed(S).  Unset: the program's own seeding.")
flags.DEFINE_string("data_dir", None,
                    f"Folder of the four MNIST .gz files, read instead of the folder the program "
                    f"names (its MNIST_data/).  Default: ${DATA_DIR_ENV} if set, else the "
                    f"program's own folder.")
flags.DEFINE_integer("threads", 1, "Session threads: 1 is the archive's deterministic schedule, "
                     "N > 1 uses N threads each way, 0 leaves the program's own session "
                     "configuration and TensorFlow's defaults.", lower_bound=0)
flags.DEFINE_enum("batch_order", "tf1.0", BATCH_ORDERS,
                  "MNIST next_batch order of the TF release: tf1.0 (TF <= 1.0, first epoch in "
                  "file order) or tf1.1 (TF >= 1.1, shuffled from the first batch).")
flags.DEFINE_enum("api", "auto", ("auto", "tf1", "tf2"),
                  "Which TensorFlow the program was written for.  auto: TF1 when it uses any "
                  "graph-and-session name (placeholder, Session, input_data, ...), TF2 when it "
                  "uses only GradientTape / keras / tf.function.")
flags.DEFINE_string("numpy", "auto",
                    "The NumPy release whose rules the program's own code gets (its list-of-arrays "
                    "indexing, np.int/np.float aliases, value-based scalar promotion, array "
                    "printing, floats as sizes): a version such as 1.11, 1.13 or 1.16, or 2 for "
                    "today's.  auto: 1.11 "
                    "for TF1 programs, today's for TF2 ones.  See tf1_repro/original/era.py.")
flags.DEFINE_enum("print_floats", "auto", ("auto", "py2", "py3"),
                  "How print shows a float: py2 as Python 2 did (str, 12 significant digits: "
                  "0.92), py3 as today (0.9200000000000007).  auto: py2 for Python 2 programs "
                  "and for programs that import print_function from __future__.")
flags.DEFINE_float("timeout", None, "Stop the program after this many seconds with one error "
                   "line and exit status 124.  Unset: no limit (with --corpus: "
                   f"{corpus.DEFAULT_TIMEOUT_S:g} s for each program).", lower_bound=0.001)
FLAGS = flags.FLAGS

_OWN_FLAGS = ("program", "corpus", "output_dir", "jobs", "seed", "data_dir", "threads",
              "batch_order", "api", "numpy", "print_floats", "timeout")
# Passed on to every program's run by --corpus (besides --seed, --timeout, --data_dir).
_PASSED_ON = ("threads", "batch_order", "api", "numpy", "print_floats")


def main(argv):
    prog = "run_original.py"
    if len(argv) > 1:
        sys.stderr.write(f"{prog}: error: unexpected arguments {' '.join(argv[1:])!r} "
                         "(flags are written --name=value)\n")
        return 2
    if (FLAGS.program is None) == (FLAGS.corpus is None):
        sys.stderr.write(f"{prog}: error: give either --program=FILE (one program) or "
                         "--corpus=DIR (every program in a folder)\n")
        return 2
    if FLAGS.corpus is not None:
        return run_corpus(prog)
    for name in ("output_dir", "jobs"):
        if FLAGS[name].present:
            sys.stderr.write(f"{prog}: error: --{name} is for --corpus=DIR; a --program run "
                             "writes only its own output\n")
            return 2
    from tf1_repro.original import runner
    data_dir = FLAGS.data_dir or os.environ.get(DATA_DIR_ENV) or None
    options = runner.Options(program=FLAGS.program, seed=FLAGS.seed, data_dir=data_dir,
                             threads=FLAGS.threads, batch_order=FLAGS.batch_order, api=FLAGS.api,
                             numpy=FLAGS.numpy, print_floats=FLAGS.print_floats,
                             timeout=FLAGS.timeout)
    # The program may define flags of the same names (tf.app.flags is absl's).
    for name in _OWN_FLAGS:
        delattr(FLAGS, name)
    try:
        return runner.run_program(options, log=logging.info)
    except runner.ProgramFailed as e:
        sys.stderr.write(f"{prog}: error: {e}\n")
        return e.exit_code
    except ReproError as e:
        sys.stderr.write(f"{prog}: error: {e}\n")
        return 2


def run_corpus(prog):
    """--corpus=DIR: every program, a table on standard output, results.json (corpus.py)."""
    from tf1_repro import interrupts, report
    interrupts.install(prog, guarded=True)
    try:
        programs, index_used = corpus.find_programs(FLAGS.corpus)
        recordings = corpus.recorded_outputs(FLAGS.corpus) if index_used else None
        if FLAGS.numpy != "auto":
            from tf1_repro.original import era
            era.parse(FLAGS.numpy)  # bad input stops here, not in every program
        timeout = FLAGS.timeout if FLAGS.timeout is not None else corpus.DEFAULT_TIMEOUT_S
        data_dir = FLAGS.data_dir or os.environ.get(DATA_DIR_ENV) or None
        passed = {name: FLAGS[name].value for name in _PASSED_ON}
        arguments = corpus.runner_arguments(seed=FLAGS.seed, timeout=timeout,
                                            data_dir=FLAGS.data_dir, **passed)
        config = {"corpus": FLAGS.corpus, "seed": FLAGS.seed, "timeout": timeout,
                  "data_dir": os.path.abspath(data_dir) if data_dir else None, "jobs": FLAGS.jobs,
                  **passed}
        output_dir = FLAGS.output_dir or os.path.join("runs", "run_original")
        command = ["run_original.py", "--program=NAME", *arguments]  # in NAME's folder
        started = time.monotonic()
        with report.OutputDir(output_dir) as out:
            results = corpus.run_all(FLAGS.corpus, programs,
                                     [sys.executable, os.path.abspath(__file__)], arguments,
                                     out.path("logs"), timeout=timeout, jobs=FLAGS.jobs,
                                     recordings=recordings)
            counts = corpus.summary(results, time.monotonic() - started)
            report.write_json(out.path(report.RESULTS_NAME),
                              corpus.payload(FLAGS.corpus, index_used, config, command, results,
                                             counts))
        sys.stdout.write(corpus.table(results, counts))
        sys.stdout.flush()
        logging.info("results.json and logs/ in %s", output_dir)
        return 0
    except ReproError as e:
        sys.stderr.write(f"{prog}: error: {e}\n")
        return 2
    except (KeyboardInterrupt, interrupts.Terminated) as e:
        interrupts.unguard()  # a second signal now ends the process at once
        status = interrupts.exit_status(e)
        sys.stderr.write(f"{prog}: {'interrupted' if status == 130 else 'terminated'}; "
                         "the running program was stopped and nothing was written\n")
        return status


if __name__ == "__main__":
    app.run(lambda argv: sys.exit(main(argv)))
