"""Script runs for the test suite that start after TensorFlow's import: a fork server.

Importing TensorFlow costs a script about 7 s of CPU, and the default suite
runs the archive's scripts well over a hundred times: without this, most of
its time went on importing the same modules again.  A server process (this
file, run as a program) does what every script does before its first own
statement, once: this checkout's ``tf1_repro`` first on ``sys.path``, its
environment defaults, ``import tensorflow`` (with ``TF_USE_LEGACY_KERAS=1``
first for post 004's server, as scripts/tf2_backprop.py sets it).  For each
run it forks; the child takes the run's folder, environment, argv and
output files and runs the script as ``__main__`` (``runpy``), exits with the
script's status, and is reported with it, or with the signal that ended it,
as :class:`subprocess.CompletedProcess` reports them.

Only an environment the server was started in qualifies: every variable but
those read at run time (:data:`RUN_TIME_VARIABLES`) must be the server's, so
variables TensorFlow, oneDNN, OpenBLAS or NumPy read when they load
(``TF_ENABLE_ONEDNN_OPTS``, ``ONEDNN_MAX_CPU_ISA``, ``OMP_NUM_THREADS``,
``NPY_DISABLE_CPU_FEATURES`` ...) are the ones they loaded under.  Any other
run, and every script but the five posts' and the runner's (reproduce.py and
the benchmarks set up their own processes), starts a fresh interpreter, as
does every run when
``TF1_REPRO_TEST_FRESH_PROCESSES=1`` is set.  tests/test_forkserver.py
checks that a served run and a fresh one print and write the same bytes.
"""
import json
import locale
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Scripts that may be served, and which server: post 004 loads Keras 2, and so does the
# runner for every program (TF_USE_LEGACY_KERAS=1 before it imports TensorFlow).
SERVED = {"nielsen_mlp": "tf1", "nielsen_book": "tf1", "decoupled_rnn": "tf1",
          "gradient_override": "tf1", "tf2_backprop": "keras2", "run_original": "keras2"}
# Read by the scripts when they run, not when a module loads; they may differ from the server's.
RUN_TIME_VARIABLES = frozenset({"PYTEST_CURRENT_TEST", "TF1_REPRO_DATA_DIR"})
FRESH_VARIABLE = "TF1_REPRO_TEST_FRESH_PROCESSES"


# ---------------------------------------------------------------------------
# The server (this file run as a program)
# ---------------------------------------------------------------------------

def _serve(kind, requests_fd):
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(os.open(os.devnull, os.O_RDWR), 1)
    requests = os.fdopen(requests_fd, "r")
    before = dict(os.environ)
    sys.path.insert(0, REPO)
    import tf1_repro  # noqa: F401  (as scripts/_checkout.py puts it first: environment defaults)
    if kind == "keras2":
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    import tensorflow  # noqa: F401
    added = {k: v for k, v in os.environ.items() if k not in before}
    sys.path.pop(0)
    channel.write(json.dumps({"ready": True}) + "\n")
    for line in requests:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            channel.close()
            requests.close()
            _child(request, added)
        channel.write(json.dumps({"pid": pid}) + "\n")
        _, status = os.waitpid(pid, 0)
        channel.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")


def _child(request, added):
    """Become ``python <script> <args>`` as started in ``request["cwd"]``; never returns."""
    code = 1
    try:
        os.chdir(request["cwd"])
        env = dict(request["env"])
        for key, value in added.items():
            env.setdefault(key, value)
        os.environ.clear()
        os.environ.update(env)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
        os.dup2(os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
        script = request["argv"][0]
        sys.argv = list(request["argv"])
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        import runpy
        try:
            runpy.run_path(script, run_name="__main__")
            code = 0
        except SystemExit as e:
            if e.code is None:
                code = 0
            elif isinstance(e.code, int):
                code = e.code
            else:
                print(e.code, file=sys.stderr)
                code = 1
        except KeyboardInterrupt:
            import traceback
            traceback.print_exc()
            code = 128 + signal.SIGINT
        except BaseException:  # noqa: B902  (what the interpreter does with it)
            import traceback
            traceback.print_exc()
            code = 1
        import atexit
        atexit._run_exitfuncs()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code & 0xFF)


# ---------------------------------------------------------------------------
# The client (tests/scriptrun.py)
# ---------------------------------------------------------------------------

class Server:
    """One server process; :meth:`run` is ``subprocess.run(cmd, capture_output=True, text=True)``."""

    def __init__(self, kind, env):
        self.kind = kind
        read_end, self._requests = os.pipe()
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), kind, str(read_end)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     cwd=REPO, env=env, pass_fds=(read_end,))
        os.close(read_end)
        self._replies = self.proc.stdout
        self._pending = b""
        if self._reply(600) != {"ready": True}:
            raise RuntimeError(f"the {kind} fork server did not start")

    def _reply(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                return None
            chunk = os.read(self._replies.fileno(), 65536)
            if not chunk:
                raise RuntimeError(f"the {self.kind} fork server ended")
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line)

    def run(self, cmd, env, cwd, timeout):
        with tempfile.TemporaryDirectory(prefix="forkserver-") as tmp:
            out, err = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
            request = {"argv": cmd[1:], "env": env, "cwd": cwd, "stdout": out, "stderr": err}
            os.write(self._requests, (json.dumps(request) + "\n").encode())
            pid = self._reply(60)["pid"]
            reply = self._reply(timeout)
            if reply is None:
                os.kill(pid, signal.SIGKILL)
                self._reply(60)
                raise subprocess.TimeoutExpired(cmd, timeout)
            encoding = locale.getpreferredencoding(False)
            with open(out, encoding=encoding) as f:
                stdout = f.read()
            with open(err, encoding=encoding) as f:
                stderr = f.read()
        return subprocess.CompletedProcess(cmd, reply["returncode"], stdout, stderr)

    def close(self):
        try:
            os.close(self._requests)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


_servers = {}


def _import_time(env):
    """``env`` less the variables read only at run time."""
    return {k: v for k, v in env.items() if k not in RUN_TIME_VARIABLES}


def server_for(name, env):
    """The server that may run scripts/<name>.py under ``env``, or None (a fresh process)."""
    kind = SERVED.get(name)
    if kind is None or os.environ.get(FRESH_VARIABLE) == "1" or env.get(FRESH_VARIABLE) == "1":
        return None
    if _import_time(env) != _import_time(os.environ):
        return None  # servers import under the test process's own environment
    if kind not in _servers:
        _servers[kind] = Server(kind, env)
    return _servers[kind]


def run(name, cmd, env, cwd, timeout):
    """``subprocess.run(cmd, capture_output=True, text=True, stdin=DEVNULL)`` for scripts/<name>.py,
    served when it may be."""
    server = server_for(name, env)
    if server is not None:
        return server.run(cmd, env, cwd, timeout)
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def close_all():
    while _servers:
        _servers.popitem()[1].close()


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]))
