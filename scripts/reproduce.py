r"""Run the archive's posts and print the published-vs-reproduced table.

    python scripts/reproduce.py --post=all
    python scripts/reproduce.py --post=nielsen_mlp
    python scripts/reproduce.py --post=all --bless --include_slow   # regenerate golden/ and the pages
    python scripts/reproduce.py --golden=nielsen_mlp --bless          # one golden
    python scripts/reproduce.py --readme   # README, docs/ and docs/figures/ from golden/, no run
    python scripts/reproduce.py --bless --from_results=DIR   # add another machine's family

A golden holds each kernel family's exact values (tf1_repro/families.py).
``--bless`` on a family the golden does not hold adds that family and leaves
the others alone; on a family it holds with other values (the code changed)
the golden starts again from this run.  ``--from_results=DIR`` runs nothing:
it reads the results.json that this archive's own commands wrote on another
machine (``DIR/NAME.results.json`` or ``DIR/NAME/results.json`` for each
golden NAME, its ``script`` that of the registry's command) and checks
(without --bless) or adds (with --bless) them as that machine's family.
Every run prints, per golden, which family it ran on and how its figures
were judged (exact, within a band, inside a seed study's draw).

Each golden command of tf1_repro/registry.py runs as its own process (posts
set process-wide TensorFlow state differently), its results.json is read, and
every figure is checked against its golden (regression: exact under the same
fingerprint), and every claim judged on that golden's run gets its verdict
from its declaration (tf1_repro/claims/).  ``--bless`` writes
golden/<name>.json from the fresh runs instead, then regenerates the
pages; it writes nothing unless every run succeeded and no
claim changed its verdict (a claim that newly fails, or a known gap that
newly holds, is for a person to decide in the declaration, not for a run).
``--readme`` runs nothing: it regenerates the pages (README.md's generated
blocks, docs/*.md, docs/figures/*.svg: tf1_repro/pages.py) from golden/, the
release matrix's record and the claim declarations (after a declaration's
evidence is reworded, say).
"""
import json
import os
import sys
import tempfile
import time

from absl import flags

import _checkout  # noqa: F401  (this checkout's tf1_repro, not another clone's)
from tf1_repro import claims, cli, families, golden, pages, registry
from tf1_repro.errors import GoldenError, ReproError

flags.DEFINE_enum("post", "all", ["all"] + registry.POSTS, "Which post to run.")
flags.DEFINE_string("golden", None, "Only this golden (a name from tf1_repro/registry.py).")
flags.DEFINE_bool("bless", False, "Write golden/ and the pages from this run.")
flags.DEFINE_bool("readme", False, "Run nothing: regenerate the README, docs/ and docs/figures/ from "
                  "golden/ and the claim declarations.")
flags.DEFINE_bool("include_slow", False, "Also run the slow goldens (seed studies, full runs).")
flags.DEFINE_string("data_dir", None, "Passed on to every script (default: theirs).")
flags.DEFINE_string("from_results", None, "Run nothing: judge (or with --bless, add as their "
                    "family) the results.json files another machine wrote into this folder.")
FLAGS = flags.FLAGS

def results_from(spec, folder):
    """The results.json another machine wrote for ``spec``, or None if the folder has none."""
    for path in (os.path.join(folder, f"{spec.name}.results.json"),
                 os.path.join(folder, spec.name, "results.json")):
        if os.path.exists(path):
            try:
                with open(path) as f:
                    results = json.load(f)
            except (OSError, ValueError) as e:
                raise ReproError(f"{path}: not readable JSON: {e}")
            if (not isinstance(results, dict) or results.get("script") != spec.post
                    or not isinstance(results.get("figures"), dict)
                    or not isinstance(results.get("fingerprint"), dict)):
                raise ReproError(f"{path}: not a results.json of scripts/{spec.post}.py")
            return results
    return None


def run_spec(spec, workdir):
    """Run one golden command; return its results.json dictionary."""
    if FLAGS.from_results:
        return results_from(spec, FLAGS.from_results)
    t0 = time.time()
    results = golden.run_command(spec, workdir, FLAGS.data_dir)
    sys.stderr.write(f"{spec.name}: {time.time() - t0:.1f} s\n")
    return results


def main():
    if FLAGS.readme:
        if FLAGS.bless:
            raise ReproError("--readme runs nothing, so it cannot --bless")
        changed = pages.update(golden.all_goldens(), pages.load_release_record())
        sys.stderr.write(f"pages regenerated from golden/: {len(changed)} file(s) changed\n")
        for path in changed:
            sys.stderr.write(f"  {os.path.relpath(path, golden.REPO_ROOT)}\n")
        return
    specs = [s for s in registry.specs_for(FLAGS.post)
             if FLAGS.include_slow or FLAGS.from_results or not s.slow]
    if FLAGS.golden:
        specs = [s for s in specs if s.name == FLAGS.golden]
    if FLAGS.from_results:
        if not os.path.isdir(FLAGS.from_results):
            raise ReproError(f"--from_results={FLAGS.from_results}: no such folder")
        specs = [s for s in specs if results_from(s, FLAGS.from_results) is not None]
    if not specs:
        raise ReproError(f"--post={FLAGS.post} --golden={FLAGS.golden}: no such golden "
                         "(slow ones need --include_slow)")
    # Read every golden before running anything: a corrupt one stops the run at
    # once, and --bless never leaves golden/ and the pages half updated.
    if FLAGS.bless:
        # Those about to be rewritten may be anything but must be sound if
        # they are to keep their other families; the rest must be sound,
        # though they may still be of an older schema (blessed one at a time).
        rewritten = {spec.name for spec in specs}
        previous = {}
        for name in golden.golden_names():
            try:
                g = golden.load(name)
            except golden.GoldenSchemaError:
                continue
            except GoldenError:
                if name not in rewritten:
                    raise
                continue
            if name in rewritten:
                previous[name] = g
        pinned = {}
    else:
        pinned = {spec.name: golden.load(spec.name) for spec in specs}
    fresh, regressions, broken = [], [], []
    with tempfile.TemporaryDirectory(prefix="reproduce-") as workdir:
        for spec in specs:
            results = run_spec(spec, workdir)
            fresh.append(golden.golden_from_results(spec.name, spec.post, spec.args, results))
            if spec.name in pinned:
                sys.stderr.write(golden.judgement_line(pinned[spec.name], results) + "\n")
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
            merged, message = families.merge(previous.get(g["name"]), g)
            golden.save(merged)
            sys.stderr.write(f"{g['name']}: {message}\n")
        try:
            goldens = golden.all_goldens()
        except GoldenError as e:
            # Another golden still has an older schema: bless it too, then the
            # pages regenerate (a stale page fails the test suite).
            sys.stderr.write(f"blessed {len(fresh)} golden(s); pages not updated: {e}\n")
            return
        pages.update(goldens, pages.load_release_record())
        sys.stderr.write(f"blessed {len(fresh)} golden(s) and regenerated the pages\n")
        return
    if regressions:
        raise ReproError(f"{len(regressions)} figure(s) differ from golden/ (see above)")


if __name__ == "__main__":
    cli.run(main)
