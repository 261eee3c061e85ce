r"""Run the archive's posts and print the published-vs-reproduced table.

    python scripts/reproduce.py --post=all
    python scripts/reproduce.py --post=nielsen_mlp
    python scripts/reproduce.py --post=all --bless --include_slow   # regenerate golden/ and README
    python scripts/reproduce.py --golden=nielsen_mlp --bless          # one golden

Each golden command of tf1_repro/registry.py runs as its own process (posts
set process-wide TensorFlow state differently), its results.json is read, and
every figure is checked against its golden: regression (same fingerprint:
exact) and fidelity (the post's published value and band).  ``--bless``
writes golden/<name>.json from the fresh runs instead, then regenerates the
README's results table; it writes nothing unless every run succeeded.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from absl import flags

from tf1_repro import cli, golden, readme, registry
from tf1_repro.errors import ReproError

flags.DEFINE_enum("post", "all", ["all"] + registry.POSTS, "Which post to run.")
flags.DEFINE_string("golden", None, "Only this golden (a name from tf1_repro/registry.py).")
flags.DEFINE_bool("bless", False, "Write golden/ and the README table from this run.")
flags.DEFINE_bool("include_slow", False, "Also run the slow goldens (seed studies, full runs).")
flags.DEFINE_string("data_dir", None, "Passed on to every script (default: theirs).")
FLAGS = flags.FLAGS

REPO = golden.REPO_ROOT


def run_spec(spec, workdir):
    """Run one golden command; return its results.json dictionary."""
    out = os.path.join(workdir, spec.name)
    cmd = [sys.executable, os.path.join(REPO, "scripts", f"{spec.post}.py"), *spec.args,
           f"--output_dir={out}"]
    if FLAGS.data_dir:
        cmd.append(f"--data_dir={FLAGS.data_dir}")
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise ReproError(f"{spec.name}: {' '.join(cmd[1:])} failed: {last}")
    sys.stderr.write(f"{spec.name}: {time.time() - t0:.1f} s\n")
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)


def main():
    specs = [s for s in registry.specs_for(FLAGS.post) if FLAGS.include_slow or not s.slow]
    if FLAGS.golden:
        specs = [s for s in specs if s.name == FLAGS.golden]
    if not specs:
        raise ReproError(f"--post={FLAGS.post} --golden={FLAGS.golden}: no such golden "
                         "(slow ones need --include_slow)")
    fresh = []
    with tempfile.TemporaryDirectory(prefix="reproduce-") as workdir:
        for spec in specs:
            results = run_spec(spec, workdir)
            fresh.append(golden.golden_from_results(spec.name, spec.post, spec.args, results))
            if not FLAGS.bless:
                try:
                    pinned = golden.load(spec.name)
                except ReproError as e:
                    sys.stderr.write(f"{spec.name}: {e}\n")
                    continue
                for msg in golden.regression_failures(pinned, results):
                    print(f"REGRESSION {spec.name}: {msg}")
    print(golden.results_markdown(fresh))
    failed = [f"{g['name']}.{fig}" for g in fresh for fig, *_, ok in golden.table_rows(g) if ok is False]
    if FLAGS.bless:
        for g in fresh:
            golden.save(g)
        readme.update(golden.all_goldens())
        sys.stderr.write(f"blessed {len(fresh)} golden(s) and the README table\n")
    if failed:
        print(f"not reproduced: {', '.join(failed)}")


if __name__ == "__main__":
    cli.run(main)
