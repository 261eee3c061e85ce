"""Running a program with nobody at the screen: waits answered, a time limit, missing packages.

Tutorial programs end in ``plt.show()``, ``plt.waitforbuttonpress()`` or an
``input("press enter")``: with no display and nobody typing they never
return.  The runner answers each without blocking and says so once on
standard error:

* ``input()`` (and Python 2's ``raw_input``, converted to it) returns ``""``,
  as if Enter were pressed;
* matplotlib runs on its non-interactive Agg backend (unless the user chose
  one with ``MPLBACKEND``); ``plt.show()`` returns at once,
  ``plt.waitforbuttonpress()`` (pyplot's and a figure's) returns None, as on
  a time-out, and ``plt.ginput()`` returns no points.

:class:`Deadline` is ``--timeout``: a program still running after it is ended
with one line, whatever it is doing (a watchdog thread, so a program stuck
inside TensorFlow's C++ ends too).

:func:`missing_package` turns a ``ModuleNotFoundError`` raised by the
program's own ``import`` into the one line a user needs: what to install;
:func:`failed_download` does the same for data the program fetches itself.
"""
import os
import sys
import threading
import traceback

# Import name -> the pip package that provides it, where they differ.
PIP_NAMES = {
    "sklearn": "scikit-learn", "cv2": "opencv-python", "PIL": "Pillow",
    "skimage": "scikit-image", "yaml": "PyYAML", "bs4": "beautifulsoup4",
    "Crypto": "pycryptodome", "dateutil": "python-dateutil", "attr": "attrs",
    "google.protobuf": "protobuf", "tensorflow_datasets": "tensorflow-datasets",
    "tensorflow_hub": "tensorflow-hub", "tensorflow_probability": "tensorflow-probability",
    "tf_slim": "tf-slim", "gym": "gym", "pydot": "pydot", "graphviz": "graphviz",
    "IPython": "ipython", "wget": "wget", "magenta": "magenta", "sounddevice": "sounddevice",
    "Levenshtein": "python-Levenshtein", "serial": "pyserial", "usb": "pyusb",
    "MySQLdb": "mysqlclient", "psycopg2": "psycopg2-binary", "lxml": "lxml",
    "pydub": "pydub", "librosa": "librosa", "nltk": "nltk", "gensim": "gensim",
}


class Notes:
    """One note on standard error per kind of answered wait."""

    def __init__(self, emit=None):
        self._seen = set()
        self._emit = emit or (lambda line: sys.stderr.write(line + "\n"))

    def once(self, key, line):
        if key not in self._seen:
            self._seen.add(key)
            self._emit(f"run_original.py: note: {line}")


def answered_input(notes):
    """The program's ``input``: Enter, at once."""
    def input(prompt=""):
        sys.stdout.write(str(prompt))
        sys.stdout.flush()
        notes.once("input", "input() answered with an empty line (no one at the keyboard)")
        return ""
    return input


def headless_matplotlib():
    """Matplotlib's Agg backend for the program, unless the user chose a backend."""
    os.environ.setdefault("MPLBACKEND", "Agg")


def quiet_pyplot(notes):
    """Replace pyplot's waits once ``matplotlib.pyplot`` is imported (by the program or a library)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None or getattr(pyplot, "_tf1_repro_quiet", False):
        return
    import matplotlib
    from matplotlib.figure import Figure

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo", "template"):
        return  # a display the user chose: the program's windows work as they did

    def show(*args, **kwargs):
        notes.once("show", "plt.show() returned at once (no display); the figures are not shown")

    def waitforbuttonpress(*args, **kwargs):
        notes.once("wait", "plt.waitforbuttonpress() answered as a time-out (no display)")
        return None

    def ginput(*args, **kwargs):
        notes.once("ginput", "plt.ginput() answered with no points (no display)")
        return []

    pyplot.show = show
    pyplot.waitforbuttonpress = waitforbuttonpress
    pyplot.ginput = ginput
    Figure.waitforbuttonpress = lambda self, *a, **k: waitforbuttonpress()
    Figure.ginput = lambda self, *a, **k: ginput()
    pyplot._tf1_repro_quiet = True


class Deadline:
    """``--timeout``: after ``seconds``, one error line and exit status 124, from a watchdog thread."""

    EXIT_CODE = 124  # as coreutils' timeout

    def __init__(self, seconds, program, prog="run_original.py"):
        self.seconds = seconds
        self.program = program
        self.prog = prog
        self._timer = None

    def _expire(self):
        try:
            sys.stdout.flush()
        except Exception:  # noqa: BLE001  (a closed or broken stdout must not keep us alive)
            pass
        sys.stderr.write(f"{self.prog}: error: {self.program} was still running after "
                         f"{self.seconds:g} s (--timeout={self.seconds:g}); stopped\n")
        sys.stderr.flush()
        os._exit(self.EXIT_CODE)

    def __enter__(self):
        if self.seconds:
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc):
        if self._timer is not None:
            self._timer.cancel()
        return False


def _own_import(exc, own_file):
    """True when the innermost frames are the program's ``import`` line and the import machinery."""
    frames = [frame.f_code.co_filename for frame, _ in traceback.walk_tb(exc.__traceback__)]
    last_own = max((i for i, f in enumerate(frames) if own_file(f)), default=None)
    if last_own is None:
        return False
    after = frames[last_own + 1:]
    return all(f.startswith("<frozen importlib") or f == __file__
               or os.path.basename(f) == "runner.py" and "original" in f for f in after)


def missing_package(exc, own_file):
    """``(module, pip package)`` for a ModuleNotFoundError of the program's own import, else None.

    ``own_file(filename)`` tells the program's files (its own and the
    helpers beside it).  A missing ``tensorflow.*`` module is not a
    package to install: it is answered as a TF1 name the archive does not
    provide, by the caller.
    """
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    if not _own_import(exc, own_file):
        return None
    name = exc.name
    for known in sorted(PIP_NAMES, key=len, reverse=True):
        if name == known or name.startswith(known + "."):
            return name, PIP_NAMES[known]
    return name, name.split(".")[0].replace("_", "-")


def failed_download(exc):
    """``(url or None, reason)`` when ``exc`` is a download that failed (no network), else None."""
    import socket
    import urllib.error
    if not isinstance(exc, (urllib.error.URLError, ConnectionError, socket.gaierror,
                            socket.timeout)):
        return None
    url = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        for name in ("fullurl", "url"):
            value = frame.f_locals.get(name)
            if isinstance(value, str) and "://" in value:
                url = value
            elif hasattr(value, "full_url"):
                url = value.full_url
    reason = getattr(exc, "reason", None) or exc
    return url, str(reason)
