"""Every golden of tf1_repro/registry.py, re-derived by a fresh run of its command.

Two tests per golden: regression (every fresh figure equals the golden's,
exactly under the same environment fingerprint and under every release the
matrix measured, by the evidence of tf1_repro/releases.py elsewhere) and fidelity (every claim judged on this
golden's run keeps the verdict its declaration gives: reproduced, or its
declared known gap; tf1_repro/claims/).
"""
import functools
import os

import pytest

from scriptrun import copy_checkout, run_script
from tf1_repro import claims, golden, registry
from tf1_repro.errors import GoldenError

_RUN_ROOT = None


@functools.lru_cache(maxsize=None)
def fresh_run(name):
    spec = next(s for s in registry.GOLDENS if s.name == name)
    out = os.path.join(_RUN_ROOT, name)
    _, results = run_script(spec.post, *spec.args, output_dir=out)
    return results


@pytest.fixture(scope="session", autouse=True)
def _run_root(tmp_path_factory):
    global _RUN_ROOT
    _RUN_ROOT = str(tmp_path_factory.mktemp("golden_runs"))


def _params():
    out = []
    for spec in registry.GOLDENS:
        marks = [pytest.mark.slow] if spec.slow else []
        out.append(pytest.param(spec.name, marks=marks, id=spec.name))
    return out


# One line per golden run here: which kernel family, and how its figures were
# judged (printed at the end of the session by conftest.py).
JUDGEMENTS = []


@pytest.mark.parametrize("name", _params())
def test_regression(name):
    pinned = golden.load(name)
    results = fresh_run(name)
    JUDGEMENTS.append(golden.judgement_line(pinned, results))
    failures = golden.regression_failures(pinned, results)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", _params())
def test_fidelity(name):
    results = fresh_run(name)
    failures = [f"{claim.name}: {status}: {why}"
                for claim, _, status, why in claims.judge(name, results["figures"])
                if claims.is_failure(status)]
    assert not failures, "\n".join(failures)


def test_every_registered_golden_exists_and_validates():
    for spec in registry.GOLDENS:
        g = golden.load(spec.name)
        assert g["script"] == spec.post and g["args"] == spec.args, spec.name


def test_corrupt_golden_is_one_clear_error(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"schema": 2, "name": "x", "script": "s", "args": [], "fingerprint": {},'
                    ' "figures": {"f": {"reproduced": 1, "other_env": {"atol": "wide"}}}}')
    with pytest.raises(GoldenError, match=r"x.json: figure 'f': other_env.atol must be a finite number"):
        golden.load("x", str(tmp_path))
    path.write_text('{"schema": 1, "name": ')
    with pytest.raises(GoldenError, match="x.json: not readable JSON"):
        golden.load("x", str(tmp_path))
    with pytest.raises(GoldenError, match="no such golden"):
        golden.load("missing", str(tmp_path))


def test_regression_check_catches_a_changed_count():
    pinned = golden.load("nielsen_mlp")
    results = {"figures": {k: v["reproduced"] for k, v in pinned["figures"].items()},
               "fingerprint": pinned["fingerprint"]}
    assert golden.regression_failures(pinned, results) == []
    pinned_final = pinned["figures"]["final_count"]["reproduced"]
    results["figures"]["final_count"] = pinned_final + 1
    assert golden.regression_failures(pinned, results) == [
        f"final_count (the golden's own family): {pinned_final + 1} vs {pinned_final}: off by 1 > 0"]
    # The CPU's name is not evidence of other bits; another kernel family is,
    # and there each count is a draw from the post's seed study.
    results["fingerprint"] = dict(pinned["fingerprint"], cpu="another")
    assert golden.regression_failures(pinned, results)
    # (Another machine: the release matrix measured this one, where its
    # releases' agreement would still judge the count exactly.)
    other_machine = dict(pinned["fingerprint"]["causes"], cache={"L1d": "48K", "L2": "2048K"})
    results["fingerprint"] = dict(pinned["fingerprint"], family="k-another", causes=other_machine)
    assert golden.regression_failures(pinned, results) == []


def test_reproduce_refuses_a_corrupt_golden_before_running(tmp_path):
    """One line naming the file, exit 2, and no run started (it would take seconds)."""
    import subprocess
    import sys
    repo = tmp_path / "repo"
    copy_checkout(str(repo))
    (repo / "golden" / "gradient_override.json").write_text("{not json")
    proc = subprocess.run([sys.executable, str(repo / "scripts" / "reproduce.py"), "--post=gradient_override"],
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=str(repo)))
    assert proc.returncode == 2
    ours = [line for line in proc.stderr.splitlines() if line.startswith("reproduce.py:")]
    assert len(ours) == 1 and "gradient_override.json: not readable JSON" in ours[0]
    assert "gradient_override:" not in proc.stderr  # no run was timed
