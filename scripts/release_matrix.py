r"""The release matrix's two steps (``nox -s matrix`` runs both; noxfile.py).

    python scripts/release_matrix.py --measure --label="TF 2.17.1" --output=build/matrix/2.17.json
    python scripts/release_matrix.py --report --inputs="build/matrix/*.json"

``--measure`` runs every default golden's command under the TensorFlow of
this environment and writes what each gave; ``--report`` merges such files
into golden/releases.json and regenerates the pages (docs/releases.md, the release grids).  What
the statuses mean and how the goldens use the record: tf1_repro/matrix.py
and tf1_repro/releases.py.
"""
import glob
import json
import os
import sys

from absl import flags

import _checkout  # noqa: F401  (this checkout's tf1_repro, not another clone's)
from tf1_repro import cli, golden, matrix, pages, releases, report
from tf1_repro.errors import ReproError

flags.DEFINE_bool("measure", False, "Run the default goldens here and write --output.")
flags.DEFINE_bool("report", False, "Merge the measurement files of --inputs into "
                  "golden/releases.json and the pages.")
flags.DEFINE_string("inputs", "build/matrix/*.json", "With --report: the measurement files, a glob "
                    "pattern relative to the checkout (or comma-separated patterns).")
flags.DEFINE_string("label", None, "With --measure: the release's name, e.g. 'TF 2.17.1'.")
flags.DEFINE_bool("informational", False, "With --measure: shown in the table, never used as "
                  "evidence (tf-nightly).")
flags.DEFINE_string("output", None, "With --measure: where the measurement goes (JSON).")
flags.DEFINE_string("data_dir", None, "Passed on to every script (default: theirs).")
flags.DEFINE_list("goldens", None, "With --measure: only these default goldens (a golden blessed "
                  "again since the matrix ran); merged, they replace that release's values of "
                  "them only.")
FLAGS = flags.FLAGS


def main():
    if FLAGS.measure == FLAGS.report:
        raise ReproError("say --measure or --report (one of them)")
    if FLAGS.measure:
        if not FLAGS.label or not FLAGS.output:
            raise ReproError("--measure takes --label and --output")
        specs = None
        if FLAGS.goldens:
            known = {s.name: s for s in matrix.default_specs()}
            unknown = [n for n in FLAGS.goldens if n not in known]
            if unknown:
                raise ReproError(f"--goldens: not a default golden: {', '.join(unknown)}")
            specs = [known[n] for n in FLAGS.goldens]
        record = matrix.measure(FLAGS.label, FLAGS.informational, FLAGS.data_dir, specs=specs,
                                log=lambda msg: sys.stderr.write(msg + "\n"))
        os.makedirs(os.path.dirname(os.path.abspath(FLAGS.output)), exist_ok=True)
        report.write_json(FLAGS.output, record)
        failed = [n for n, run in record["goldens"].items() if "error" in run]
        sys.stderr.write(f"{FLAGS.label}: {len(record['goldens']) - len(failed)} golden(s) ran, "
                         f"{len(failed)} failed; {FLAGS.output}\n")
        return
    paths = sorted({p for pattern in FLAGS.inputs.split(",") if pattern
                    for p in glob.glob(os.path.join(golden.REPO_ROOT, pattern))})
    if not paths:
        raise ReproError(f"--inputs={FLAGS.inputs}: no measurement files (run the matrix: nox -s matrix)")
    measurements = []
    for path in paths:
        try:
            with open(path) as f:
                measurements.append(json.load(f))
        except (OSError, ValueError) as e:
            raise ReproError(f"{path}: not a readable measurement: {e}")
    goldens = golden.all_goldens()
    merged, warnings = matrix.merge(releases.load(), measurements, goldens)
    for w in warnings:
        sys.stderr.write(f"warning: {w}\n")
    report.write_json(releases.RELEASES_PATH, merged)
    pages.update(goldens, merged)
    sys.stderr.write(f"golden/releases.json: {len(merged['environments'])} environment(s); "
                     "the release pages and grids regenerated\n")


if __name__ == "__main__":
    cli.run(main)
