"""What every script shares: the common absl flags and the error boundary.

Scripts stay thin: they define their own flags, call :func:`define_common_flags`
once, and hand a ``main()`` without arguments to :func:`run`.  A
:class:`~tf1_repro.errors.ReproError` raised anywhere below becomes one line
on standard error and exit status 2; nothing is written by a failed run
(outputs are staged, see :class:`tf1_repro.report.OutputDir`).
"""
import os
import sys

from absl import app, flags

from tf1_repro.errors import ReproError
from tf1_repro.mnist import DATA_DIR_ENV, default_data_dir

FLAGS = flags.FLAGS


def define_common_flags(name, seed=0):
    """--data_dir, --output_dir, --seed and --threads, with the archive's defaults."""
    flags.DEFINE_string(
        "data_dir", default_data_dir(),
        f"Folder holding the four MNIST .gz files (default: ${DATA_DIR_ENV}, else MNIST_data/ "
        "as in the posts). Missing files are downloaded into it.")
    flags.DEFINE_string("output_dir", os.path.join("runs", name),
                        "Where results.json, figures and TensorBoard events are written.")
    flags.DEFINE_integer("seed", seed, "Seed for every random op and for NumPy's global RNG.")
    flags.DEFINE_integer("threads", 1, "Inter- and intra-op threads of the Session; 1 is "
                         "deterministic, more may change the bits from run to run.", lower_bound=1)


def run(main):
    """``absl.app.run`` with the archive's error boundary around ``main()``."""
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

    app.run(_main)
