r"""Run the archive's posts and print the published-vs-reproduced table.

    python scripts/reproduce.py --post=all
    python scripts/reproduce.py --post=nielsen_mlp
    python scripts/reproduce.py --post=all --bless --include_slow   # regenerate golden/ and README
    python scripts/reproduce.py --golden=nielsen_mlp --bless          # one golden
    python scripts/reproduce.py --readme   # README blocks from golden/ and the declarations

Each golden command of tf1_repro/registry.py runs as its own process (posts
set process-wide TensorFlow state differently), its results.json is read, and
every figure is checked against its golden (regression: exact under the same
fingerprint), and every claim judged on that golden's run gets its verdict
from its declaration (tf1_repro/claims/).  ``--bless`` writes
golden/<name>.json from the fresh runs instead, then regenerates the
README's results table; it writes nothing unless every run succeeded and no
claim changed its verdict (a claim that newly fails, or a known gap that
newly holds, is for a person to decide in the declaration, not for a run).
``--readme`` runs nothing: it regenerates the README's blocks from golden/ and
the claim declarations (after a declaration's evidence is reworded, say).
"""
import sys
import tempfile
import time

from absl import flags

import _checkout  # noqa: F401  (this checkout's tf1_repro, not another clone's)
from tf1_repro import claims, cli, golden, readme, registry
from tf1_repro.errors import GoldenError, ReproError

flags.DEFINE_enum("post", "all", ["all"] + registry.POSTS, "Which post to run.")
flags.DEFINE_string("golden", None, "Only this golden (a name from tf1_repro/registry.py).")
flags.DEFINE_bool("bless", False, "Write golden/ and the README table from this run.")
flags.DEFINE_bool("readme", False, "Run nothing: regenerate the README's blocks from golden/ and "
                  "the claim declarations.")
flags.DEFINE_bool("include_slow", False, "Also run the slow goldens (seed studies, full runs).")
flags.DEFINE_string("data_dir", None, "Passed on to every script (default: theirs).")
FLAGS = flags.FLAGS

def run_spec(spec, workdir):
    """Run one golden command; return its results.json dictionary."""
    t0 = time.time()
    results = golden.run_command(spec, workdir, FLAGS.data_dir)
    sys.stderr.write(f"{spec.name}: {time.time() - t0:.1f} s\n")
    return results


def main():
    if FLAGS.readme:
        if FLAGS.bless:
            raise ReproError("--readme runs nothing, so it cannot --bless")
        readme.update(golden.all_goldens())
        sys.stderr.write("README blocks regenerated from golden/\n")
        return
    specs = [s for s in registry.specs_for(FLAGS.post) if FLAGS.include_slow or not s.slow]
    if FLAGS.golden:
        specs = [s for s in specs if s.name == FLAGS.golden]
    if not specs:
        raise ReproError(f"--post={FLAGS.post} --golden={FLAGS.golden}: no such golden "
                         "(slow ones need --include_slow)")
    # Read every golden before running anything: a corrupt one stops the run at
    # once, and --bless never leaves golden/ and the README half updated.
    if FLAGS.bless:
        # Those about to be rewritten may be anything; the rest must be sound,
        # though they may still be of an older schema (blessed one at a time).
        rewritten = {spec.name for spec in specs}
        for name in golden.golden_names():
            if name not in rewritten:
                try:
                    golden.load(name)
                except golden.GoldenSchemaError:
                    pass
        pinned = {}
    else:
        pinned = {spec.name: golden.load(spec.name) for spec in specs}
    fresh, regressions, broken = [], [], []
    with tempfile.TemporaryDirectory(prefix="reproduce-") as workdir:
        for spec in specs:
            results = run_spec(spec, workdir)
            fresh.append(golden.golden_from_results(spec.name, spec.post, spec.args, results))
            if spec.name in pinned:
                for msg in golden.regression_failures(pinned[spec.name], results):
                    regressions.append(f"{spec.name}: {msg}")
                    print(f"REGRESSION {spec.name}: {msg}")
            for claim, value, status, why in claims.judge(spec.name, results["figures"]):
                if claims.is_failure(status):
                    broken.append(claim.name)
                    print(f"CLAIM {claim.name} ({spec.name}): {status}: {why}")
    print(golden.results_markdown(fresh))
    # No run can bless a verdict away: a claim that newly fails or newly holds
    # stops here, before anything is written, until its declaration is edited.
    if broken:
        raise ReproError(f"{len(broken)} claim(s) changed verdict ({', '.join(broken)}): edit their "
                         "declarations in tf1_repro/claims/ if that is right; nothing was written")
    if FLAGS.bless:
        for g in fresh:
            golden.save(g)
        try:
            goldens = golden.all_goldens()
        except GoldenError as e:
            # Another golden still has an older schema: bless it too, then the
            # README's tables regenerate (a stale README fails the test suite).
            sys.stderr.write(f"blessed {len(fresh)} golden(s); README not updated: {e}\n")
            return
        readme.update(goldens)
        sys.stderr.write(f"blessed {len(fresh)} golden(s) and the README table\n")
        return
    if regressions:
        raise ReproError(f"{len(regressions)} figure(s) differ from golden/ (see above)")


if __name__ == "__main__":
    cli.run(main)
