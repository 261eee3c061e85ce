"""Ctrl-C and SIGTERM: one line, a conventional exit status, nothing left behind.

A user who presses Ctrl-C wants the run to stop, not a 39-line traceback
through TensorFlow; a batch system that sends SIGTERM wants the process gone
and its disk clean.  :func:`install` (called by :func:`tf1_repro.cli.run` for
every script) therefore turns

* SIGINT into ``KeyboardInterrupt`` (exit 130 = 128 + 2, the shell's own), and
* SIGTERM into :class:`Terminated` (exit 143 = 128 + 15),

both raised in the main thread, so every ``finally`` and ``with`` block on the
way out runs: staging folders and partial files are removed by the code that
made them.  ``cli.run`` catches both and prints one line.

Two gaps need more than an exception:

* **Python cannot run a signal handler while the main thread is inside C++.**
  A ``Session.run`` of an in-graph loop may not return for minutes.  A
  watchdog thread sees every signal (through :func:`signal.set_wakeup_fd`);
  if the main thread has not finished within :data:`GRACE_S` seconds, the
  watchdog runs the registered clean-ups itself (:func:`register_cleanup`),
  prints the same line and ends the process with the same status.
* **A signal must not cut a commit in half.**  Inside :func:`critical` (the
  rename that swaps an output folder in, the removal of a staging folder)
  signals are only recorded; the exception is raised when the block ends.

Before :func:`install` runs under ``cli.run`` (while the script is still
importing TensorFlow) there is nothing to clean up; a signal then prints the
line and exits at once.
"""
import contextlib
import os
import select
import signal
import sys
import threading
import time

# Seconds the main thread gets to unwind after a signal before the watchdog
# cleans up and exits for it.
GRACE_S = 5.0

EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}
WORDS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


class Terminated(BaseException):
    """SIGTERM, raised in the main thread (a BaseException, like KeyboardInterrupt,
    so that ``except Exception`` in library code does not swallow it)."""


_state = {
    "prog": os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "tf1_repro",
    "guarded": False,      # True once cli.run's try block is active
    "critical": 0,         # depth of critical() blocks
    "pending": None,       # a signal recorded inside critical()
    "received": None,      # the first signal, for the watchdog
    "installed": False,
}
_cleanups = {}
_cleanups_lock = threading.Lock()
_next_id = [0]


def register_cleanup(fn):
    """Run ``fn()`` if the watchdog has to end the process; returns a key for :func:`unregister_cleanup`."""
    with _cleanups_lock:
        _next_id[0] += 1
        key = _next_id[0]
        _cleanups[key] = fn
    return key


def unregister_cleanup(key):
    with _cleanups_lock:
        _cleanups.pop(key, None)


def _run_cleanups():
    with _cleanups_lock:
        fns = list(_cleanups.values())
        _cleanups.clear()
    for fn in reversed(fns):
        try:
            fn()
        except Exception:  # noqa: BLE001  (best effort while exiting)
            pass


def _line(signum):
    return f"{_state['prog']}: {WORDS[signum]}\n"


def _raise_for(signum):
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated


def _handler(signum, frame):
    if _state["received"] is None:
        _state["received"] = (signum, time.monotonic())
    if not _state["guarded"]:
        # Still importing (nothing of ours to clean up yet): leave at once.
        _exit_now(signum, cleanup=False)
    if _state["critical"]:
        if _state["pending"] is None:
            _state["pending"] = signum
        return
    _raise_for(signum)


def _exit_now(signum, cleanup=True):
    if cleanup:
        _run_cleanups()
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001
        pass
    os.write(2, _line(signum).encode())
    os._exit(EXIT_STATUS[signum])


@contextlib.contextmanager
def critical():
    """Defer SIGINT/SIGTERM until the block ends (then raise as usual)."""
    _state["critical"] += 1
    try:
        yield
    finally:
        _state["critical"] -= 1
        if _state["critical"] == 0 and _state["pending"] is not None:
            signum, _state["pending"] = _state["pending"], None
            _raise_for(signum)


def _watchdog(read_fd):
    while True:
        try:
            select.select([read_fd], [], [])
            data = os.read(read_fd, 64)
        except InterruptedError:
            continue
        except OSError:
            return
        if not data:
            return
        signum = data[0]
        if signum not in EXIT_STATUS:
            continue
        deadline = time.monotonic() + GRACE_S
        while time.monotonic() < deadline or _state["critical"]:
            time.sleep(0.05)
        # The main thread did not get out in time (stuck in C++): do it for it.
        first = _state["received"][0] if _state["received"] else signum
        _exit_now(first)


def install(prog=None, guarded=False):
    """Install the handlers and the watchdog (idempotent).

    ``guarded=True`` says the caller is inside a block that turns
    ``KeyboardInterrupt``/:class:`Terminated` into the one-line exit.
    """
    if prog:
        _state["prog"] = prog
    if guarded:
        _state["guarded"] = True
    if _state["installed"] or threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        # A signal the caller chose to ignore (nohup, a background job) stays ignored.
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _handler)
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    threading.Thread(target=_watchdog, args=(read_fd,), name="tf1_repro-signals",
                     daemon=True).start()
    _state["installed"] = True


def unguard():
    """From now on a signal ends the process at once (the caller is already exiting)."""
    _state["guarded"] = False


def exit_status(exc):
    """The exit status for an exception raised by a signal, else None."""
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_STATUS[signal.SIGINT]
    if isinstance(exc, Terminated):
        return EXIT_STATUS[signal.SIGTERM]
    return None
