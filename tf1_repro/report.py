"""results.json, figures, and the published-vs-reproduced table.

Every run writes ``<output_dir>/results.json``::

    {"script": ..., "post": {"seed": ..., "title": ..., "url": ...},
     "config": {flag: value}, "figures": {name: value},
     "published": {name: {"value": ..., "band": {...}, "note": ...}},
     "fingerprint": {...}, "wall_time_s": ...}

``figures`` holds every number the run printed or pinned; ``published`` the
figures the post itself printed (or claimed) with the band that counts as
reproducing them.  Goldens are built from these files alone
(:mod:`tf1_repro.golden`).
"""
import json
import math
import os
import shutil
import tempfile

import numpy as np

from tf1_repro.errors import ReproError


def to_jsonable(value):
    """NumPy scalars and arrays to plain Python, recursively."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def default_file_mode():
    """The mode an ordinary ``open(path, "w")`` would give a new file (mkstemp gives 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_json(path, obj):
    """Write ``obj`` as indented JSON, atomically (a reader never sees half a file)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(to_jsonable(obj), f, indent=1, sort_keys=False, allow_nan=False)
            f.write("\n")
        os.chmod(tmp, default_file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class OutputDir:
    """Stage a run's outputs and move them into ``path`` only when it succeeds.

    ``with OutputDir(path) as out:`` gives ``out.path(name)`` paths inside a
    staging folder beside ``path``; on a clean exit every staged file replaces
    its namesake in ``path`` (results.json last), on an exception the staging
    folder is removed and ``path`` is left as it was.
    """

    def __init__(self, path):
        self.final = path
        self.staging = None

    def __enter__(self):
        try:
            os.makedirs(self.final, exist_ok=True)
        except OSError as e:
            raise ReproError(f"--output_dir={self.final}: cannot create it: {e.strerror}")
        if not os.access(self.final, os.W_OK):
            raise ReproError(f"--output_dir={self.final}: not writable")
        self.staging = tempfile.mkdtemp(prefix=".staging-", dir=self.final)
        return self

    def path(self, name):
        full = os.path.join(self.staging, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        return full

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                names = []
                for root, _, files in os.walk(self.staging):
                    for f in files:
                        names.append(os.path.relpath(os.path.join(root, f), self.staging))
                names.sort(key=lambda n: (n == "results.json", n))
                for name in names:
                    dest = os.path.join(self.final, name)
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    os.replace(os.path.join(self.staging, name), dest)
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
        return False


def results_payload(script, post, config, figures, published, fingerprint, wall_time_s, **extra):
    """The results.json dictionary (see the module doc)."""
    payload = {
        "script": script,
        "post": post,
        "config": config,
        "figures": figures,
        "published": published,
        "fingerprint": fingerprint,
        "wall_time_s": round(float(wall_time_s), 3),
    }
    payload.update(extra)
    return to_jsonable(payload)


def pyplot():
    """matplotlib's pyplot on the non-interactive Agg backend."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure(fig, path, dpi=100):
    """Lay out, write and close a matplotlib figure (closed figures free their memory)."""
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    pyplot().close(fig)


def format_value(value):
    """A figure for a table cell: integers as such, floats to 4 significant digits."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        if len(value) > 6:
            return ", ".join(format_value(v) for v in value[:3]) + ", …, " + format_value(value[-1])
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e6:
            return str(int(value))
        return f"{value:.4g}"
    return str(value)


def markdown_table(rows, header):
    """A GitHub markdown table from a list of row lists."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
    return "\n".join(lines)
