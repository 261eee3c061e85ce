"""Running the archive's scripts as users do: in their own process.

absl flags do not share a process (tf1-on-tf2.md), and some posts set
process-wide TensorFlow state, so tests run scripts as subprocesses and read
what they wrote.  The posts' scripts start as a fork of a process that has
already imported TensorFlow under the same environment (tests/forkserver.py);
``TF1_REPRO_TEST_FRESH_PROCESSES=1`` starts a fresh interpreter for every run.
"""
import json
import os
import subprocess
import sys

import forkserver

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def data_dir():
    return os.environ.get("TF1_REPRO_DATA_DIR") or os.path.join(REPO, "MNIST_data")


def run_script(name, *args, output_dir=None, check=True, env=None, timeout=1800):
    """Run scripts/<name>.py; return (CompletedProcess, results dict or None).

    ``env`` adds to this process's environment; a value of None removes that variable.
    """
    cmd = [sys.executable, os.path.join(REPO, "scripts", f"{name}.py"), *args]
    if output_dir is not None:
        cmd.append(f"--output_dir={output_dir}")
    full_env = dict(os.environ)
    full_env.setdefault("TF1_REPRO_DATA_DIR", data_dir())
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    server = forkserver.server_for(name, full_env)
    if server is not None:
        proc = server.run(cmd, full_env, REPO, timeout)
    else:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=full_env,
                              timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    results = None
    if output_dir is not None and os.path.exists(os.path.join(output_dir, "results.json")):
        with open(os.path.join(output_dir, "results.json")) as f:
            results = json.load(f)
    return proc, results


def copy_checkout(dest):
    """Copy this checkout as a clone would hold it: its tracked and new, not ignored, files."""
    import shutil
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                                cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout: everything but the run and data folders at the top.
        top = {"runs", "MNIST_data", ".git"}
        shutil.copytree(REPO, dest, ignore=lambda d, names: [
            n for n in names if (d == REPO and n in top) or n.endswith(".egg-info") or n == "__pycache__"])
        return
    for rel in filter(None, listed):
        src = os.path.join(REPO, rel)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))
