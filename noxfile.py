"""The release matrix: the default goldens under each supported TensorFlow release.

    python -m nox -s matrix            # every release below, then the report (~1 h here)
    python -m nox -s "matrix(release='2.17')"
    python -m nox -s matrix_report     # golden/releases.json and the pages again

Each release gets its own environment (.nox/) with the tf-keras and NumPy it
needs; nothing is installed into the environment that runs nox.  The
archive's own package is not installed there either: its scripts import this
checkout (scripts/_checkout.py).  The data come from --data_dir's default,
``$TF1_REPRO_DATA_DIR`` or ``MNIST_data/``.  What the statuses mean and how
the goldens use the result: tf1_repro/matrix.py.
"""
import json
import os

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["matrix"]

# Each release with the tf-keras made for it and the NumPy it installs with on
# Python 3.11 (TF 2.15-2.17 require NumPy 1.x; 2.18 and 2.19 cap NumPy 2).
RELEASES = {
    "2.15": ["tensorflow==2.15.1", "tf-keras==2.15.1", "numpy==1.26.4"],
    "2.16": ["tensorflow==2.16.2", "tf-keras==2.16.0", "numpy==1.26.4"],
    "2.17": ["tensorflow==2.17.1", "tf-keras==2.17.0", "numpy==1.26.4"],
    "2.18": ["tensorflow==2.18.1", "tf-keras==2.18.0", "numpy==2.0.2"],
    "2.19": ["tensorflow==2.19.1", "tf-keras==2.19.0", "numpy==2.1.3"],
    "2.20": ["tensorflow==2.20.0", "tf-keras==2.20.1", "numpy==2.4.6"],
    # The same TensorFlow under NumPy 1: what NumPy alone changes.
    "2.20-numpy1": ["tensorflow==2.20.0", "tf-keras==2.20.1", "numpy==1.26.4"],
    # TensorFlow 2.21 no longer requires TensorBoard; the scripts write its events.
    "2.21": ["tensorflow==2.21.0", "tf-keras==2.21.0", "numpy==2.4.6", "tensorboard==2.21.0"],
    # Informational: measured and shown when it installs, never evidence.
    "nightly": ["tf-nightly", "tf-keras-nightly", "numpy", "tensorboard"],
}
# What the scripts need besides TensorFlow (setup.py's other requirements).
SCRIPT_REQUIREMENTS = ["absl-py>=2.1", "matplotlib>=3.8", "fissix>=24.4"]
OUTPUT_DIR = os.path.join("build", "matrix")


@nox.session
@nox.parametrize("release", list(RELEASES))
def matrix(session, release):
    """Run the default goldens under one release; the report follows the last one."""
    output = os.path.join(OUTPUT_DIR, f"{release}.json")
    informational = release == "nightly"
    try:
        session.install(*RELEASES[release], *SCRIPT_REQUIREMENTS)
    except nox.command.CommandFailed:
        if not informational:
            raise
        # The nightly column says it did not install rather than vanish.
        os.makedirs(OUTPUT_DIR, exist_ok=True)
        with open(output, "w") as f:
            json.dump({"label": "tf-nightly", "informational": True, "measured": None,
                       "seconds": 0, "goldens": {}, "install_error": "did not install"}, f)
        session.notify("matrix_report")
        return
    version = session.run("python", "-c", "import tensorflow as tf; print(tf.__version__)",
                          silent=True, env={"TF_CPP_MIN_LOG_LEVEL": "3"}).strip().splitlines()[-1]
    label = f"tf-nightly {version}" if informational else f"TF {version}"
    if release.endswith("-numpy1"):
        label += " with NumPy 1.26.4"
    args = ["python", "scripts/release_matrix.py", "--measure", f"--label={label}",
            f"--output={output}"]
    if informational:
        args.append("--informational")
    session.run(*args)
    session.notify("matrix_report")


@nox.session(venv_backend="none")
def matrix_report(session):
    """Merge build/matrix/*.json into golden/releases.json and regenerate the pages."""
    session.run("python", "scripts/release_matrix.py", "--report",
                f"--inputs={OUTPUT_DIR}/*.json")
