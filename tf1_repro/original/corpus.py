"""A folder of programs at once: ``run_original.py --corpus=DIR``.

Which programs (:func:`find_programs`), sorted by their path under DIR:

* if DIR holds an ``index.json`` that is a list of rows with a ``"file"``
  key (as ``../shared/corpus/index.json``), exactly the files it lists, each
  relative to DIR;
* otherwise every ``.py`` file under DIR, at any depth, except a package's
  ``__init__.py`` and anything inside a folder whose name starts with ``_``
  or ``.`` (``__pycache__``, ``_reference``, ``.git``).  A helper module
  beside a program (``input_data.py``, ``utils.py``) is run too, as a
  program of its own: it usually defines functions and ends at once.  An
  ``index.json`` leaves such helpers out.

Each program runs as its own process, ``run_original.py --program=NAME``
with the other runner flags passed on, in the program's own folder (so
``NAME`` is its file name, and a relative path the program reads, such as
``MNIST_data/`` when there is no ``--data_dir``, is found beside it, as when
its user typed ``python NAME`` there).  Its standard output and error go to
``logs/<program>.stdout`` and ``.stderr`` in the output folder.

Time limits: every program gets ``--timeout`` (default
:data:`DEFAULT_TIMEOUT_S`), which the runner counts from the program's first
statement and ends with exit status 124.  In case a program holds on past
that (TensorFlow's import and the runner's set-up do not count; a C
extension may keep the runner's watchdog from running), the corpus run kills
the program's whole process group (it runs in a session of its own, with
whatever it started) :data:`KILL_GRACE_S` seconds after the limit.  Nothing a
program does can make the corpus run wait longer.  After every program its
process group is killed, so nothing it left running outlives it.

Outcome of a program (:func:`classify`):

``ended``
    exit status 0; the line is the last non-empty line of its standard
    output (its transcript).
``error``
    any other exit status; the line is the runner's one-line error (``NAME:6:
    tf.contrib.tensor_forest is not provided ...``) or, when the program
    raised, its final exception line at the program's line (``NAME:57:
    ValueError: ...``).
``timeout``
    exit status 124 (the runner's --timeout) or killed by the corpus run;
    the line is the last transcript line it printed.

Seconds are wall time from start to exit, by the monotonic clock.

What its author recorded (:func:`recorded_outputs`, :func:`compare`): a row
of ``index.json`` may name, in ``"notebook_outputs"``, a text file of what
the author's notebook printed when it ran (cells separated by lines
``# Out[n]:``).  The program's transcript (its standard output) is compared
with it, line by line in order, after leaving out of the recording what a
script does not print: the ``# Out[n]:`` lines, a value the notebook
displayed (``[execute_result] ...``, to the end of its cell, and
``[display_data] ...``), and TensorFlow's logging (``INFO:tensorflow:...``,
``WARNING:tensorflow:...`` and its ``Instructions for updating:`` line with
the one after) and Python's warnings (``file.py:93: UserWarning: ...`` and
the indented source line under it): both went to standard error, which the
transcript leaves out.  Trailing
spaces do not count.  The verdict:

``same``
    as many lines as recorded, each equal to the recorded one.
``numbers``
    same apart from numbers: every line equal once each number in it
    (``0.92``, ``1e-05``, ``-3``, ``nan``) is replaced by ``#``, but some
    number differs.  That is what a training log (costs, accuracies,
    timings: they vary from run to run and machine to machine) can show:
    the same program printing the same things at the same steps.  It is
    never counted as ``same``.
``differs``
    a line differs in more than numbers, or one transcript is longer: the
    first such line (``line``, from 1), the recorded line and ours (None
    past the end of one of them).
``none``
    no recorded output for this program (no ``notebook_outputs`` in its
    row, or a recording with no printed line in it: nothing to compare
    with).

Without an index.json nothing is compared: each row's ``recorded`` is None
(``null``), and the table has no ``recorded`` column.

Whether the recording is of a deterministic output is the row's
``"output"`` field (``Notebook (exact): ...``); results.json keeps it as
``exact`` beside the verdict.
"""
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time

from tf1_repro.errors import UsageError

DEFAULT_TIMEOUT_S = 60.0
# Beyond --timeout before the corpus run kills a program itself: start-up
# (Python 2 conversion, TensorFlow's import) is not counted by the runner.
KILL_GRACE_S = 30.0
INDEX_NAME = "index.json"
OUTCOMES = ("ended", "error", "timeout")
TIMEOUT_STATUS = 124  # the runner's --timeout (tf1_repro.original.unattended.Deadline)
LINE_WIDTH = 100  # of a line in the table and in the progress lines
PROG = "run_original.py"
_RUNNER_ERROR = f"{PROG}: error: "
_POLL_S = 0.05


@dataclasses.dataclass
class Result:
    """One program's row."""
    program: str       # path relative to the corpus folder, with /
    outcome: str       # "ended", "error" or "timeout"
    exit_status: int | None  # None: killed by the corpus run; negative: killed by that signal
    seconds: float
    line: str          # last transcript line, or the error line
    stdout: str        # the logs, relative to the output folder
    stderr: str
    recorded: dict | None = None  # compared with the author's recorded output (compare())


# ---------------------------------------------------------------------------
# Which programs
# ---------------------------------------------------------------------------

def find_programs(folder, flag="--corpus"):
    """``(sorted paths relative to folder, index used)``; a UsageError for bad input."""
    label = f"{flag}={folder}"
    if not os.path.exists(folder):
        raise UsageError(f"{label}: no such folder")
    if not os.path.isdir(folder):
        raise UsageError(f"{label}: not a folder")
    index = os.path.join(folder, INDEX_NAME)
    if os.path.isfile(index):
        programs = _from_index(folder, index)
        used = True
    else:
        programs = _walk(folder)
        used = False
    if not programs:
        raise UsageError(f"{label}: no programs in it (.py files, or the files its "
                         f"{INDEX_NAME} lists)")
    return programs, used


def _walk(folder):
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        for name in files:
            if name.endswith(".py") and name != "__init__.py":
                found.append(os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/"))
    return sorted(found)


def _index_rows(index):
    try:
        with open(index, encoding="utf-8") as f:
            rows = json.load(f)
    except (OSError, ValueError) as e:
        raise UsageError(f"{index}: not readable JSON ({e})") from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and isinstance(r.get("file"), str)
                                             for r in rows):
        raise UsageError(f'{index}: not a list of rows with a "file" key')
    return rows


def _under(folder, index, rel, what="lists"):
    """``rel`` normalised with /; a UsageError unless it is a file under ``folder``."""
    root = os.path.realpath(folder)
    full = os.path.realpath(os.path.join(folder, rel))
    if os.path.isabs(rel) or not full.startswith(root + os.sep) or not os.path.isfile(full):
        raise UsageError(f"{index}: {what} {rel!r}, which is not a file under {folder}")
    return os.path.normpath(rel).replace(os.sep, "/")


def _from_index(folder, index):
    return sorted({_under(folder, index, row["file"]) for row in _index_rows(index)})


@dataclasses.dataclass(frozen=True)
class Recording:
    """The output an author recorded for a program (a row's ``notebook_outputs``)."""
    path: str    # relative to the corpus folder, with /
    exact: bool  # the row's "output" says the recorded output is exact (deterministic)


def recorded_outputs(folder):
    """``{program: Recording}`` from DIR's index.json (empty without one).

    A UsageError when a row names a recorded output that is not a file under DIR.
    """
    index = os.path.join(folder, INDEX_NAME)
    if not os.path.isfile(index):
        return {}
    found = {}
    for row in _index_rows(index):
        rel = row.get("notebook_outputs")
        if rel is None:
            continue
        if not isinstance(rel, str):
            raise UsageError(f'{index}: "notebook_outputs" of {row["file"]!r} is not a path')
        program = _under(folder, index, row["file"])
        exact = "(exact)" in str(row.get("output", ""))
        found[program] = Recording(_under(folder, index, rel, "names the recorded output"), exact)
    return found


# ---------------------------------------------------------------------------
# What a program's run ended in
# ---------------------------------------------------------------------------

def last_line(text):
    """The last non-empty line of ``text`` (a ``\\r`` progress bar counts its last state)."""
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.rstrip()
    return ""


_EXCEPTION = re.compile(r"((?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*))(?::\s?(.*))?")
_FRAME = re.compile(r'\s+File "(.*)", line (\d+)')
_TRACEBACK = "Traceback (most recent call last):"


def _exception(lines, name=None):
    """``(index, "Type: message")`` of the final exception line of the last traceback in ``lines``."""
    start = max((i for i, line in enumerate(lines) if line.startswith(_TRACEBACK)), default=None)
    if start is None:
        return None
    found = None
    for i in range(start + 1, len(lines)):
        m = _EXCEPTION.fullmatch(lines[i].rstrip())
        if m is None or lines[i][:1].isspace():
            continue
        short = m.group(2)
        if name is not None and short != name:
            continue
        if name is None and not re.search(r"(Error|Exception|Exit|Interrupt)$", short):
            continue
        found = i, short + (f": {m.group(3)}" if m.group(3) else "")
        break  # the first such line after the last traceback header: its message follows
    return found


def _program_frame(lines, end, program_path):
    """The line number of the innermost frame of the program's own file in the last traceback."""
    start = max((i for i, line in enumerate(lines[:end]) if line.startswith(_TRACEBACK)), default=0)
    number = None
    for line in lines[start:end]:
        m = _FRAME.match(line)
        if m and os.path.abspath(m.group(1)) == program_path:
            number = m.group(2)
    return number


def error_line(stderr, exit_status, program_path):
    """The one line that says why a program's run failed (see the module doc)."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.strip()]
    runner = [i for i, line in enumerate(lines) if line.startswith(_RUNNER_ERROR)]
    if runner:
        i = runner[-1]
        message = lines[i][len(_RUNNER_ERROR):]
        raised = re.fullmatch(r"(.*) raised ([A-Za-z_]\w*)", message)
        if raised:
            found = _exception(lines[:i], raised.group(2))
            if found is not None:
                number = _program_frame(lines, found[0], program_path)
                where = raised.group(1) + (f":{number}" if number else "")
                return f"{where}: {found[1]}"
        return message
    found = _exception(lines)
    if found is not None:
        return found[1]
    if exit_status is not None and exit_status < 0:
        try:
            return f"killed by {signal.Signals(-exit_status).name}"
        except ValueError:
            return f"killed by signal {-exit_status}"
    return f"exit status {exit_status}"


def classify(exit_status, stdout, stderr, program_path, killed_after=None):
    """``(outcome, line)`` of a finished program.  ``killed_after``: seconds, when the corpus run killed it."""
    if killed_after is not None:
        line = last_line(stdout)
        return "timeout", line or f"killed after {killed_after:g} s"
    if exit_status == 0:
        return "ended", last_line(stdout)
    if exit_status == TIMEOUT_STATUS:
        return "timeout", last_line(stdout)
    return "error", error_line(stderr, exit_status, program_path)


def shorten(text, width=LINE_WIDTH):
    return text if len(text) <= width else text[:width - 3] + "..."


# ---------------------------------------------------------------------------
# Compared with what the author recorded
# ---------------------------------------------------------------------------

VERDICTS = ("same", "numbers", "differs", "none")
_CELL = re.compile(r"# Out\[\d*\]:")
_TF_LOG = re.compile(r"(INFO|WARNING|ERROR|DEBUG):tensorflow:")
_PY_WARNING = re.compile(r"\S.*\.py:\d+: \w*Warning: ")
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])"
                     r"|\b(?:nan|inf)\b")


def recorded_lines(text):
    """The lines of a recorded notebook output that the program itself printed (module doc)."""
    lines = []
    skip_cell = skip_next = in_warning = False
    for line in text.splitlines():
        if _CELL.fullmatch(line.strip()):
            skip_cell = skip_next = in_warning = False
            continue
        if skip_cell:
            continue
        if skip_next:
            skip_next = False
            continue
        if in_warning and line[:1].isspace():
            continue  # the source line Python's warning shows under it
        in_warning = bool(_PY_WARNING.match(line))
        if in_warning:
            continue
        if line.startswith("[execute_result]"):
            skip_cell = True
            continue
        if line.startswith("[display_data]") or _TF_LOG.match(line):
            continue
        if line.startswith("Instructions for updating:"):
            skip_next = True
            continue
        lines.append(line.rstrip())
    return lines


def numbers_masked(line):
    """The line with each number replaced by ``#`` (what a training log keeps run to run)."""
    return _NUMBER.sub("#", line)


def compare(recorded, ours):
    """The verdict of our transcript lines against the recorded ones (module doc), a dict."""
    ours = [line.rstrip() for line in ours]
    first_number = None
    for k in range(max(len(recorded), len(ours))):
        a = recorded[k] if k < len(recorded) else None
        b = ours[k] if k < len(ours) else None
        if a == b:
            continue
        if a is not None and b is not None and numbers_masked(a) == numbers_masked(b):
            if first_number is None:
                first_number = k
            continue
        return {"verdict": "differs", "line": k + 1, "recorded_line": a, "our_line": b}
    if first_number is not None:
        return {"verdict": "numbers", "line": first_number + 1,
                "recorded_line": recorded[first_number], "our_line": ours[first_number]}
    return {"verdict": "same", "line": None, "recorded_line": None, "our_line": None}


def judge(recording, folder, stdout):
    """results.json's ``recorded`` of one program: its verdict, where, and which file."""
    if recording is None:
        return {"verdict": "none", "file": None, "exact": None, "lines": 0, "line": None,
                "recorded_line": None, "our_line": None}
    recorded = recorded_lines(_read(os.path.join(folder, recording.path)))
    if not recorded:
        return {"verdict": "none", "file": recording.path, "exact": recording.exact, "lines": 0,
                "line": None, "recorded_line": None, "our_line": None}
    return {**compare(recorded, stdout.splitlines()), "file": recording.path,
            "exact": recording.exact, "lines": len(recorded)}


def verdict_cell(recorded):
    """The table's short word for a ``recorded`` dict."""
    if recorded is None or recorded["verdict"] == "none":
        return "none recorded"
    if recorded["verdict"] == "same":
        return "same"
    if recorded["verdict"] == "numbers":
        return f"numbers differ (line {recorded['line']})"
    return f"differs (line {recorded['line']})"


def _quoted(line, width=45):
    return "(no line)" if line is None else repr(shorten(line, width))


def differences(results):
    """One line per program whose transcript is not the recorded one: where, and both lines."""
    out = []
    for r in results:
        rec = r.recorded
        if rec is None or rec["verdict"] in ("same", "none"):
            continue
        what = "numbers differ" if rec["verdict"] == "numbers" else "differs"
        out.append(f"{r.program}: {what} at line {rec['line']}: recorded "
                   f"{_quoted(rec['recorded_line'])}, ours {_quoted(rec['our_line'])}")
    return out


# ---------------------------------------------------------------------------
# Running them
# ---------------------------------------------------------------------------

def kill_group(pid):
    """SIGKILL the process group ``pid`` leads (a program and whatever it started)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class _Running:
    """One program's process: started in a session of its own, output to two log files."""

    def __init__(self, number, program, folder, command, log_dir, env, limit, recordings=None):
        self.number = number
        self.program = program
        self.folder = folder
        self.recordings = recordings
        self.path = os.path.abspath(os.path.join(folder, program))
        self.stdout = os.path.join("logs", program + ".stdout")
        self.stderr = os.path.join("logs", program + ".stderr")
        self.out_path = os.path.join(log_dir, program + ".stdout")
        self.err_path = os.path.join(log_dir, program + ".stderr")
        os.makedirs(os.path.dirname(self.out_path), exist_ok=True)
        self.limit = limit
        self.killed_after = None
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.start = time.monotonic()
            self.proc = subprocess.Popen(command, cwd=os.path.dirname(self.path), env=env,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         start_new_session=True)

    def exited(self):
        """True once the program has exited (still a zombie: its process group id stays ours)."""
        if hasattr(os, "waitid"):
            try:
                return os.waitid(os.P_PID, self.proc.pid,
                                 os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
            except ChildProcessError:
                return True
        return self.proc.poll() is not None

    def check(self, now):
        """None while running (killing it when over its limit), else its :class:`Result`."""
        if not self.exited():
            if now - self.start > self.limit:
                self.killed_after = round(now - self.start, 1)
                kill_group(self.proc.pid)
            return None
        seconds = max(0.0, time.monotonic() - self.start)
        kill_group(self.proc.pid)  # what it left running
        status = self.proc.wait()
        stdout, stderr = (_read(p) for p in (self.out_path, self.err_path))
        outcome, line = classify(None if self.killed_after is not None else status, stdout,
                                 stderr, self.path, self.killed_after)
        recorded = (None if self.recordings is None else
                    judge(self.recordings.get(self.program), self.folder, stdout))
        return Result(self.program, outcome, None if self.killed_after is not None else status,
                      round(seconds, 3), line, self.stdout.replace(os.sep, "/"),
                      self.stderr.replace(os.sep, "/"), recorded)

    def stop(self):
        kill_group(self.proc.pid)
        self.proc.wait()


def _read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def runner_arguments(seed=None, timeout=DEFAULT_TIMEOUT_S, data_dir=None, **flags):
    """The flags every program's run gets (``--name=value``, None left out)."""
    args = []
    if seed is not None:
        args.append(f"--seed={seed}")
    args.append(f"--timeout={timeout:g}")
    if data_dir:
        args.append(f"--data_dir={os.path.abspath(data_dir)}")
    for name, value in flags.items():
        if value is not None:
            args.append(f"--{name}={value}")
    return args


def run_all(folder, programs, runner_command, arguments, log_dir, timeout=DEFAULT_TIMEOUT_S,
            jobs=1, progress=None, env=None, recordings=None):
    """Run every program (``jobs`` at a time); return their :class:`Result` rows in ``programs``' order.

    ``runner_command`` is how to start run_original.py (``[python, path]``);
    ``arguments`` the flags each gets besides ``--program`` (with its
    ``--timeout``).  ``progress(line)`` gets a line per program as it
    finishes.  ``recordings`` (:func:`recorded_outputs`; None: no index, no
    comparison) gives each row its ``recorded`` verdict.  On any exception
    (Ctrl-C, SIGTERM) every running program's process group is killed before
    it propagates.
    """
    from tf1_repro import interrupts
    progress = progress or (lambda line: sys.stderr.write(line + "\n"))
    env = dict(os.environ if env is None else env)
    limit = timeout + KILL_GRACE_S
    waiting = list(enumerate(programs, 1))
    running = []
    results = {}
    cleanup = interrupts.register_cleanup(lambda: [kill_group(r.proc.pid) for r in running])
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                number, program = waiting.pop(0)
                command = [*runner_command, f"--program={os.path.basename(program)}", *arguments]
                running.append(_Running(number, program, folder, command, log_dir, env, limit,
                                        recordings))
            time.sleep(_POLL_S)
            now = time.monotonic()
            for run in list(running):
                result = run.check(now)
                if result is None:
                    continue
                running.remove(run)
                results[run.number] = result
                tail = f": {shorten(result.line)}" if result.outcome == "error" else ""
                progress(f"[{len(results)}/{len(programs)}] {result.outcome} "
                         f"{result.seconds:.1f} s  {result.program}{tail}")
    finally:
        for run in running:
            run.stop()
        interrupts.unregister_cleanup(cleanup)
    return [results[number] for number in range(1, len(programs) + 1)]


# ---------------------------------------------------------------------------
# The table and results.json
# ---------------------------------------------------------------------------

def summary(results, wall_time_s):
    """The counts; with ``recorded`` the verdicts' too, when the rows were compared."""
    counts = {outcome: sum(r.outcome == outcome for r in results) for outcome in OUTCOMES}
    out = {"programs": len(results), **counts, "wall_time_s": round(wall_time_s, 3)}
    if any(r.recorded is not None for r in results):
        out["recorded"] = {v: sum((r.recorded or {"verdict": "none"})["verdict"] == v
                                  for r in results) for v in VERDICTS}
    return out


def summary_line(counts):
    line = (f"{counts['programs']} programs in {counts['wall_time_s']:.1f} s: "
            f"{counts['ended']} ended, {counts['error']} error, {counts['timeout']} timeout")
    if "recorded" in counts:
        v = counts["recorded"]
        line += (f"; against the recorded outputs: {v['same']} same, {v['numbers']} same apart "
                 f"from numbers, {v['differs']} differ, {v['none']} none recorded")
    return line


def table(results, counts):
    """A Markdown table, columns aligned, then the summary line.

    When the rows were compared with recorded outputs, a ``recorded`` column
    holds each verdict, and after the table a line per program that is not
    ``same`` says where it first differs, with both lines.
    """
    def cell(text):
        return text.replace("|", "\\|")

    compared = any(r.recorded is not None for r in results)
    rows = [(cell(r.program), r.outcome, f"{r.seconds:.1f}",
             *((verdict_cell(r.recorded),) if compared else ()), cell(shorten(r.line)))
            for r in results]
    head = ("program", "outcome", "seconds", *(("recorded",) if compared else ()),
            "last transcript line, or the error")
    n = len(head) - 1
    widths = [max(len(head[i]), *(len(row[i]) for row in rows)) for i in range(n)]

    def line(row, rule=False):
        if rule:
            cells = [("-" * (w + 1) + ":") if i == 2 else "-" * (w + 2)
                     for i, w in enumerate(widths)]
            return "|" + "|".join(cells) + f"|{'-' * (len(head[-1]) + 2)}"
        cells = [f"{c:>{w}}" if i == 2 else f"{c:<{w}}"
                 for i, (c, w) in enumerate(zip(row, widths))]
        return ("| " + " | ".join(cells) + f" | {row[-1]}").rstrip()

    out = [line(head), line(head, rule=True), *(line(r) for r in rows)]
    if compared:
        diffs = differences(results)
        if diffs:
            out += ["", "Where a transcript first differs from the recorded output:", "",
                    *(f"- {d}" for d in diffs)]
    out += ["", summary_line(counts)]
    return "\n".join(out) + "\n"


def environment():
    """What a corpus run's outcomes depend on besides the programs (no TensorFlow import)."""
    import importlib.metadata
    import platform

    def version(*names):
        for name in names:
            try:
                return importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                continue
        return None
    return {"tensorflow": version("tensorflow", "tensorflow-cpu", "tf-nightly"),
            "tf_keras": version("tf-keras", "tf_keras"), "numpy": version("numpy"),
            "python": platform.python_version(), "machine": platform.machine(),
            "system": platform.system()}


def payload(folder, index_used, config, command, results, counts):
    """The corpus run's results.json dictionary."""
    return {
        "script": "run_original",
        "corpus": os.path.abspath(folder),
        "index": INDEX_NAME if index_used else None,
        "config": config,
        "command": command,
        "summary": counts,
        "programs": [dataclasses.asdict(r) for r in results],
        "fingerprint": environment(),
        "wall_time_s": counts["wall_time_s"],
    }
