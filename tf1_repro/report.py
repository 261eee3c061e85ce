"""results.json, figures, and the published-vs-reproduced table.

Every run writes ``<output_dir>/results.json``::

    {"script": ..., "post": {"seed": ..., "title": ..., "url": ...},
     "config": {flag: value}, "figures": {name: value},
     "published": {name: {"value": ..., "band": {...}, "note": ...}},
     "fingerprint": {...}, "wall_time_s": ...}

``figures`` holds every number the run printed or pinned; ``published`` the
figures the post itself printed (or claimed) with the band that counts as
reproducing them.  A number that is not finite (training diverged) is written
as ``null`` and its place listed under ``"non_finite"`` (e.g.
``"costs[57]"``), figures first; the script then exits with status 3
(see :mod:`tf1_repro.cli`).  The folder is swapped in whole
(:class:`OutputDir`).  Goldens are built from these files alone
(:mod:`tf1_repro.golden`).
"""
import errno
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


def nonfinite_paths(value, where=""):
    """Where ``value`` holds NaN or an infinity: a list like ``["figures.costs[3]"]``."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            found += nonfinite_paths(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found += nonfinite_paths(v, f"{where}[{i}]")
    elif isinstance(value, float) and not math.isfinite(value):
        found.append(where)
    return found


def _null_nonfinite(value):
    if isinstance(value, dict):
        return {k: _null_nonfinite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_null_nonfinite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path, obj, nonfinite="null"):
    """Write ``obj`` as indented JSON, atomically (a reader never sees half a file).

    JSON has no NaN or infinity (Python's ``NaN`` token is not JSON; other
    readers reject it).  ``nonfinite="null"`` writes each as ``null``, so a
    run that diverged still leaves a valid file; :func:`results_payload` lists
    where they were.  ``nonfinite="error"`` refuses instead (goldens: a
    reference value must be a number).
    """
    data = to_jsonable(obj)
    bad = nonfinite_paths(data)
    if bad:
        if nonfinite == "error":
            raise ReproError(f"{path}: {bad[0]} is not a finite number; not written")
        data = _null_nonfinite(data)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1, sort_keys=False, allow_nan=False)
            f.write("\n")
        os.chmod(tmp, default_file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


# Non-finite figures of the runs written by this process (see results_payload);
# tf1_repro.cli.run reports them in one line and exits with DIVERGED_STATUS.
_divergences = []


def divergences():
    """The non-finite figures recorded by :func:`results_payload` in this process."""
    return list(_divergences)


RESULTS_NAME = "results.json"


def is_run_folder(path):
    """True if ``path`` is an empty folder or holds a results.json this archive wrote."""
    try:
        names = os.listdir(path)
    except OSError:
        return False
    if not names:
        return True
    try:
        with open(os.path.join(path, RESULTS_NAME)) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "script" in data and "fingerprint" in data


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a, b):
    """Swap two paths atomically with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # kernel or filesystem without RENAME_EXCHANGE
    raise OSError(err, os.strerror(err), b)


class OutputDir:
    """Build a run's output folder aside and swap it in, whole, when the run succeeds.

    ``with OutputDir(path) as out:`` gives ``out.path(name)`` paths inside a
    staging folder ``.staging-<name>-*`` beside ``path`` (in its nearest
    existing ancestor, so on the same filesystem).  On a clean exit the
    staging folder *becomes* ``path``:

    * if ``path`` does not exist, by one ``rename`` (its missing parents are
      created only now);
    * if it holds an earlier run, by Linux ``renameat2(RENAME_EXCHANGE)``,
      which swaps the two folders in one step, then the old run is removed.
      Where the kernel or filesystem lacks it, the old folder is renamed
      away first: for that instant ``path`` is absent, never mixed.

    So afterwards ``path`` holds the new run or the old one, never files of
    both (an earlier run's ``accuracy.png`` or TensorBoard events beside a
    new ``results.json``).  On an exception, Ctrl-C or SIGTERM the staging
    folder is removed and nothing is created.

    An existing ``path`` must be a folder that this archive wrote (it holds a
    results.json with the archive's keys) or an empty one: anything else is
    refused, never replaced, since replacing means deleting it.
    """

    def __init__(self, path, flag="--output_dir"):
        self.final = os.path.abspath(path)
        self.label = f"{flag}={path}"
        self.staging = None
        self._cleanup_key = None

    def _check_target(self):
        final = self.final
        if not os.path.basename(final):
            raise ReproError(f"{self.label}: not a folder name")
        if os.path.islink(final):
            raise ReproError(f"{self.label}: is a symbolic link; give the folder itself")
        if os.path.exists(final):
            if not os.path.isdir(final):
                raise ReproError(f"{self.label}: is a file, not a folder")
            if not is_run_folder(final):
                raise ReproError(f"{self.label}: exists and is not a run folder of tf1_repro "
                                 f"(no {RESULTS_NAME} of ours in it); refusing to replace it")

    def _anchor(self):
        """The nearest existing ancestor of the target (where staging goes)."""
        parent = os.path.dirname(self.final)
        while not os.path.isdir(parent):
            if os.path.lexists(parent):
                raise ReproError(f"{self.label}: {parent} is a file, not a folder")
            up = os.path.dirname(parent)
            if up == parent:
                break
            parent = up
        return parent

    def __enter__(self):
        from tf1_repro import interrupts
        self._check_target()
        anchor = self._anchor()
        with interrupts.critical():
            try:
                self.staging = tempfile.mkdtemp(
                    prefix=f".staging-{os.path.basename(self.final)}-", dir=anchor)
            except OSError as e:
                raise ReproError(f"{self.label}: cannot create a folder in {anchor}: "
                                 f"{e.strerror}") from None
            staging = self.staging
            self._cleanup_key = interrupts.register_cleanup(
                lambda: shutil.rmtree(staging, ignore_errors=True))
        os.chmod(self.staging, 0o777 & ~_umask())
        return self

    def path(self, name):
        full = os.path.join(self.staging, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        return full

    def _make_parents(self):
        """Create the target's missing parents; return those made (deepest last)."""
        made = []
        parent = os.path.dirname(self.final)
        missing = []
        while not os.path.isdir(parent):
            missing.append(parent)
            parent = os.path.dirname(parent)
        for p in reversed(missing):
            try:
                os.mkdir(p)
            except OSError as e:
                self._remove_parents(made)
                raise ReproError(f"{self.label}: cannot create {p}: {e.strerror}") from None
            made.append(p)
        return made

    @staticmethod
    def _remove_parents(made):
        for p in reversed(made):
            try:
                os.rmdir(p)
            except OSError:
                pass

    def _commit(self):
        made = self._make_parents()
        try:
            if not os.path.lexists(self.final):
                try:
                    os.rename(self.staging, self.final)
                    return
                except OSError as e:
                    if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                        raise
            self._check_target()  # it appeared or changed while we ran
            if _exchange(self.staging, self.final):
                return  # the old run is now at self.staging, removed below
            old = tempfile.mkdtemp(prefix=f".old-{os.path.basename(self.final)}-",
                                   dir=os.path.dirname(self.final))
            os.rmdir(old)
            os.rename(self.final, old)
            try:
                os.rename(self.staging, self.final)
            except OSError:
                os.rename(old, self.final)
                raise
            os.rename(old, self.staging)  # removed with the staging folder below
        except OSError as e:
            self._remove_parents(made)
            raise ReproError(f"{self.label}: cannot move the new run into place: "
                             f"{e.strerror}") from None
        except BaseException:
            self._remove_parents(made)
            raise

    def __exit__(self, exc_type, exc, tb):
        from tf1_repro import interrupts
        with interrupts.critical():
            try:
                if exc_type is None:
                    self._commit()
            finally:
                shutil.rmtree(self.staging, ignore_errors=True)
                interrupts.unregister_cleanup(self._cleanup_key)
        return False


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
    if isinstance(fingerprint, dict) and "family" in fingerprint:
        # Which kernel family the numbers come from (tf1_repro/family.py); the
        # goldens say whether they hold it (scripts/reproduce.py judges).
        from absl import logging
        from tf1_repro.families import family_label
        logging.info("kernel family %s", family_label(fingerprint))
    payload = to_jsonable(payload)
    # Figures first (they are what the run claims), then the rest (per-epoch lists).
    bad = nonfinite_paths(payload.get("figures", {}), "figures") + [
        p for k, v in payload.items() if k not in ("figures", "config", "published", "fingerprint")
        for p in nonfinite_paths(v, k)]
    if bad:
        # Training diverged (or a figure is undefined): keep what the run can
        # report, say where numbers went non-finite; write_json writes null there.
        payload["non_finite"] = bad
        _divergences.append({"script": script, "first": bad[0], "count": len(bad)})
    return payload


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


def write_events(logdir, scalars=None, histograms=None, max_points=None):
    """The archive's one TensorBoard convention: every script's events go through here.

    ``scalars``: {tag: [(step, value), ...]}; ``histograms``: {tag: [(step,
    array), ...]}.  Tags are ``<group>/<name>`` (``accuracy/correct_of_1000``,
    ``weights/w_1``), steps the post's own (training step or epoch).
    Non-finite values are left out (a diverged run still gets its curves up to
    there); ``max_points`` thins a long curve evenly.  The events go to
    ``logdir`` (inside the run's staging folder, so they are swapped in with
    the rest of the run, never appended to an earlier run's).
    """
    import numpy as np
    import tensorflow as tf
    writer = tf.summary.create_file_writer(logdir)
    with writer.as_default():
        for tag, points in (scalars or {}).items():
            points = list(points)
            if max_points:
                points = points[::max(1, len(points) // max_points)]
            for step, value in points:
                if value is not None and np.isfinite(value):
                    tf.summary.scalar(tag, float(value), step=int(step))
        for tag, points in (histograms or {}).items():
            for step, value in points:
                value = np.asarray(value)
                if np.all(np.isfinite(value)):
                    tf.summary.histogram(tag, value, step=int(step))
    writer.close()


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
