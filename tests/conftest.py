"""Import tf1_repro before any test module imports TensorFlow; make sure the MNIST files are there.

tf1_repro sets TF_ENABLE_ONEDNN_OPTS=0 on import, and TensorFlow reads it only
once, when it is first imported; a test module that imported TensorFlow first
would test other kernels (and other bits) than the scripts run.

Most tests read the four MNIST files.  Without them, and offline, the suite
used to end in dozens of failures that each said a little of the same thing;
now the session fetches them once at the start (as the scripts would: from
the mirror TF1 used, checksums verified) and, if that fails, stops at once
with one line that says where to put them.
"""
import inspect
import os
import re
import sys

import pytest

import tf1_repro  # noqa: F401  (imported for its environment defaults)

assert not tf1_repro.TENSORFLOW_IMPORTED_FIRST, "TensorFlow was imported before tf1_repro"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scriptrun import data_dir  # noqa: E402

# pytest's own status for "the command could not be carried out" (usage error).
MISSING_DATA_STATUS = 4
# Seconds to wait for the mirror before deciding we are offline.
FETCH_TIMEOUT_S = 10


def _fetch(name, folder):
    from tf1_repro import mnist
    if "timeout" in inspect.signature(mnist.maybe_download).parameters:
        return mnist.maybe_download(name, folder, timeout=FETCH_TIMEOUT_S)
    return mnist.maybe_download(name, folder)


def missing_data_message(folder):
    """None if the four files are in ``folder`` (fetching what is missing), else one line."""
    from tf1_repro import mnist
    from tf1_repro.errors import ReproError
    missing = [f for f in mnist.FILES if not os.path.isfile(os.path.join(folder, f))]
    if not missing:
        return None
    try:
        for name in missing:
            _fetch(name, folder)
    except (ReproError, OSError) as e:
        text = str(e).splitlines()[0] if str(e) else type(e).__name__
        # The loader's message already says where to put the files (for the
        # scripts' --data_dir); keep only why the fetch failed.
        why = re.search(r"\((?:download of \S+ failed: )?(.*?)\)", text)
        reason = why.group(1) if why else text[:200]
        return (f"tf1_repro tests need the MNIST files: put {', '.join(mnist.FILES)} in "
                f"{os.path.abspath(folder)} (or set ${mnist.DATA_DIR_ENV} to the folder that "
                f"holds them); fetching them failed: {reason}")
    return None


def pytest_sessionstart(session):
    message = missing_data_message(data_dir())
    if message:
        pytest.exit(message, returncode=MISSING_DATA_STATUS)


def pytest_sessionfinish(session):
    import forkserver
    forkserver.close_all()


def pytest_terminal_summary(terminalreporter):
    """Say which kernel family the golden runs were on and how their figures were judged."""
    module = sys.modules.get("test_goldens")
    lines = getattr(module, "JUDGEMENTS", [])
    if lines:
        terminalreporter.section("kernel families (tf1_repro/families.py)")
        for line in lines:
            terminalreporter.write_line(line)
