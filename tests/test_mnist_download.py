"""Downloads that go wrong, from a real HTTP server on 127.0.0.1 (and nowhere else).

The server serves the real MNIST files (from the data folder) and, per file,
a fault: 404, a body cut short of its Content-Length, a chunked body cut
mid-file, a server that goes silent, or one that dribbles a byte at a time.
Each test is bounded by short stall timeouts and deadlines; every handler
waits on an event the fixture sets, so nothing outlives the test.  Permission
cases run in a child process without CAP_DAC_OVERRIDE when run as root (root
ignores permission bits), and signal cases send real SIGTERM/SIGINT to a child.
"""
import ctypes
import http.server
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from scriptrun import REPO, data_dir
from tf1_repro import mnist
from tf1_repro.errors import DataError, UsageError

QUIET = dict(log=lambda *_: None)
SMALL = mnist.TEST_LABELS  # 4542 bytes: the quickest file to fetch


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """Loopback only: no proxy setting may route a request anywhere else (children inherit this)."""
    for var in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.upper(), raising=False)


def _real_bytes(name):
    with open(os.path.join(data_dir(), name), "rb") as f:
        return f.read()


class _FaultyHandler(http.server.BaseHTTPRequestHandler):
    """Serves /<name> (any folder prefix) with the fault set for that name."""
    faults = {}
    stop = None
    requests = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        name = self.path.split("?")[0].rsplit("/", 1)[-1]
        self.requests.append(self.path)
        fault = self.faults.get(name, "ok")
        if name not in mnist.FILES or fault == "404":
            self.send_error(404, "Not Found")
            return
        body = _real_bytes(name)
        if fault == "chunked-cut":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = body[:len(body) // 2]
            self.wfile.write(b"%x\r\n" % len(body) + half)  # announces the whole, sends half
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if fault == "ok":
            self.wfile.write(body)
        elif fault == "truncate":
            self.wfile.write(body[:1000])
            self.close_connection = True
        elif fault == "no-length-short":
            pass  # handled below
        elif fault == "stall":
            self.wfile.write(body[:100])
            self.wfile.flush()
            self.stop.wait(20)
        elif fault == "slow":
            for i in range(0, len(body), 500):
                if self.stop.wait(0.1):
                    return
                self.wfile.write(body[i:i + 500])
                self.wfile.flush()
        elif fault == "dribble":
            for i in range(len(body)):
                if self.stop.wait(0.05):
                    return
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()


class _NoLengthHandler(_FaultyHandler):
    """HTTP/1.0 style: no Content-Length, the body ends when the connection closes."""

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        body = _real_bytes(name)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body[:-10] if self.faults.get(name) == "short" else body)
        self.close_connection = True


def _serve(handler_base, faults):
    stop = threading.Event()
    handler = type("Handler", (handler_base,), {"faults": dict(faults), "stop": stop, "requests": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def close():
        stop.set()
        httpd.shutdown()
        httpd.server_close()
    return f"http://127.0.0.1:{httpd.server_address[1]}/mnist/", handler, close


@pytest.fixture
def serve():
    closers = []

    def start(faults=(), base=_FaultyHandler):
        url, handler, close = _serve(base, dict(faults))
        closers.append(close)
        return url, handler
    yield start
    for close in closers:
        close()


def _leftovers(folder):
    return sorted(os.listdir(folder)) if os.path.exists(folder) else None


# ---------------------------------------------------------------------------
# Each fault: one DataError line naming the URL and what went wrong, no .part left
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fault,expected", [
    ("404", "HTTP error 404"),
    ("truncate", "truncated download"),
    ("chunked-cut", "truncated download"),
    ("stall", "download stalled: no data for 0.5 s"),
])
def test_fault_is_one_line_naming_url_and_problem(serve, tmp_path, fault, expected):
    url, _ = serve({SMALL: fault})
    folder = tmp_path / "data"
    folder.mkdir()
    t0 = time.monotonic()
    with pytest.raises(DataError) as e:
        mnist.maybe_download(SMALL, str(folder), url, stall_timeout=0.5, deadline=10)
    elapsed = time.monotonic() - t0
    message = str(e.value)
    assert f"{url}{SMALL}: {expected}" in message, message
    assert "checksum" not in message and "\n" not in message
    assert _leftovers(folder) == []  # the folder existed: it stays, empty
    assert elapsed < 5


def test_slow_but_steady_download_succeeds(serve, tmp_path, capsys):
    # 500 bytes every 100 ms: never 1 s without data, done well inside the deadline.
    url, _ = serve({SMALL: "slow"})
    t0 = time.monotonic()
    path = mnist.maybe_download(SMALL, str(tmp_path), url, stall_timeout=1, deadline=20)
    assert time.monotonic() - t0 > 0.8  # it really was slow
    mnist._verify_checksum(path, SMALL)
    assert _leftovers(tmp_path) == [SMALL]
    assert "Downloading t10k-labels-idx1-ubyte.gz: 4542/4542 bytes (100%)" in capsys.readouterr().err


def test_truncation_without_content_length_is_still_truncation(serve, tmp_path):
    url, _ = serve({SMALL: "short"}, base=_NoLengthHandler)
    with pytest.raises(DataError, match=r"truncated download: 4532 of the published 4542 bytes"):
        mnist.maybe_download(SMALL, str(tmp_path), url)


def test_dribbling_server_meets_the_deadline(serve, tmp_path):
    # One byte every 50 ms never trips a 1 s stall timeout; the deadline ends it.
    url, _ = serve({SMALL: "dribble"})
    t0 = time.monotonic()
    with pytest.raises(DataError, match=r"download deadline of 0.8 s .* passed after \d+ of 4542 bytes"):
        mnist.maybe_download(SMALL, str(tmp_path), url, stall_timeout=1, deadline=0.8)
    assert time.monotonic() - t0 < 3
    assert _leftovers(tmp_path) == []


def test_timeouts_from_the_environment(serve, tmp_path, monkeypatch):
    url, _ = serve({SMALL: "stall"})
    monkeypatch.setenv(mnist.STALL_ENV, "0.3")
    with pytest.raises(DataError, match=r"no data for 0.3 s \(\$TF1_REPRO_DOWNLOAD_STALL_TIMEOUT\)"):
        mnist.maybe_download(SMALL, str(tmp_path), url)
    monkeypatch.setenv(mnist.DEADLINE_ENV, "soon")
    with pytest.raises(UsageError, match=r"\$TF1_REPRO_DOWNLOAD_DEADLINE='soon': must be a number"):
        mnist.maybe_download(SMALL, str(tmp_path), url)


@pytest.mark.parametrize("value", [0, -1, float("inf"), float("nan")])
def test_timeout_keyword_must_be_positive_seconds(tmp_path, value):
    with pytest.raises(UsageError, match="stall_timeout="):
        mnist.maybe_download(SMALL, str(tmp_path), "http://127.0.0.1:9/", stall_timeout=value)


def test_connection_refused_names_url(tmp_path):
    with pytest.raises(DataError, match=r"http://127.0.0.1:9/t10k-labels-idx1-ubyte.gz: cannot connect"):
        mnist.maybe_download(SMALL, str(tmp_path), "http://127.0.0.1:9/")


# ---------------------------------------------------------------------------
# URL forms
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["{url}", "{bare}", "  {url}  ", "{url}" + SMALL, "{url}?x=1"])
def test_url_forms_from_the_environment(serve, tmp_path, monkeypatch, form):
    url, handler = serve()
    monkeypatch.setenv(mnist.URL_ENV, form.format(url=url, bare=url.rstrip("/")))
    path = mnist.maybe_download(SMALL, str(tmp_path))
    assert os.path.getsize(path) == 4542
    assert handler.requests[-1].split("?")[0] == "/mnist/" + SMALL


def test_local_folder_as_mirror(tmp_path, monkeypatch):
    mirror = tmp_path / "a mirror"
    mirror.mkdir()
    shutil.copy(os.path.join(data_dir(), SMALL), mirror / SMALL)
    monkeypatch.setenv(mnist.URL_ENV, str(mirror))
    assert os.path.getsize(mnist.maybe_download(SMALL, str(tmp_path / "data"))) == 4542


@pytest.mark.parametrize("bad,expected", [
    ("127.0.0.1:8000/mnist", "not a URL"),
    ("gopher://127.0.0.1/", "unsupported URL scheme"),
    ("http://127.0.0.1:port/", "port is not a number"),
    ("http:///mnist/", "names no host"),
])
def test_bad_url_forms_are_one_line(tmp_path, monkeypatch, bad, expected):
    monkeypatch.setenv(mnist.URL_ENV, bad)
    with pytest.raises(DataError, match=expected) as e:
        mnist.read_data_sets(str(tmp_path / "data"), **QUIET)
    assert "$TF1_REPRO_MNIST_URL" in str(e.value)
    assert not (tmp_path / "data").exists()


# ---------------------------------------------------------------------------
# A failed run leaves no folder it created, and no partial file anywhere
# ---------------------------------------------------------------------------

def test_failed_download_does_not_create_a_mistyped_folder(serve, tmp_path):
    url, _ = serve({SMALL: "truncate"})  # three files arrive, the fourth is cut short
    target = tmp_path / "typo" / "MNIST_dta"
    with pytest.raises(DataError, match="truncated download"):
        mnist.read_data_sets(str(target), source_url=url, **QUIET)
    assert not (tmp_path / "typo").exists()


def test_failed_download_into_an_existing_folder_keeps_only_verified_files(serve, tmp_path):
    url, _ = serve({SMALL: "truncate"})
    with pytest.raises(DataError, match="truncated download"):
        mnist.read_data_sets(str(tmp_path), source_url=url, **QUIET)
    assert _leftovers(tmp_path) == sorted([mnist.TRAIN_IMAGES, mnist.TRAIN_LABELS, mnist.TEST_IMAGES])
    for name in _leftovers(tmp_path):
        mnist._verify_checksum(str(tmp_path / name), name)
    # The next run fetches only what is missing.
    url2, handler = serve()
    mnist.read_data_sets(str(tmp_path), source_url=url2, **QUIET)
    assert handler.requests == ["/mnist/" + SMALL]


def test_interrupt_while_writing_removes_part_file_and_folder(serve, tmp_path, monkeypatch):
    url, _ = serve()
    real_replace = os.replace

    def interrupted(src, dst):
        assert src.endswith(".part") and os.path.exists(src)
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", interrupted)
    target = tmp_path / "new"
    with pytest.raises(KeyboardInterrupt):
        mnist.maybe_download(SMALL, str(target), url)
    monkeypatch.setattr(os, "replace", real_replace)
    assert not target.exists()
    existing = tmp_path / "old"
    existing.mkdir()
    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        mnist.maybe_download(SMALL, str(existing), url)
    assert _leftovers(existing) == []


CHILD = textwrap.dedent("""
    import signal, sys
    sys.path.insert(0, {repo!r})
    from tf1_repro import mnist
    # What the scripts' signal handling does: SIGTERM becomes an exception.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    mnist.read_data_sets({target!r}, source_url={url!r}, log=lambda *_: None, stall_timeout=30)
""")


# An uncaught KeyboardInterrupt ends Python (3.8+) by SIGINT itself: exit status -2.
@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGINT, -signal.SIGINT)])
@pytest.mark.parametrize("precreated", [False, True])
def test_signal_mid_download_leaves_nothing_behind(serve, tmp_path, signum, code, precreated):
    url, _ = serve({SMALL: "stall"})  # the last file hangs until the signal comes
    target = tmp_path / "data"
    if precreated:
        target.mkdir()
    # SIGINT at its default, as from a terminal, even when this test process runs
    # as a background job (which starts with SIGINT ignored, and so would the child).
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(repo=REPO, target=str(target), url=url)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 30
        while len(_leftovers(target) or []) < 3 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert len(_leftovers(target)) == 3, child.poll()
        time.sleep(0.2)  # now inside the stalled fourth download
        child.send_signal(signum)
        _, err = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == code, err
    if precreated:
        assert _leftovers(target) == sorted([mnist.TRAIN_IMAGES, mnist.TRAIN_LABELS, mnist.TEST_IMAGES])
    else:
        assert not target.exists()


# ---------------------------------------------------------------------------
# Permissions, with real permission bits
# ---------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


def _drop_dac_capabilities():
    # PR_CAPBSET_DROP (24) of CAP_DAC_OVERRIDE (1) and CAP_DAC_READ_SEARCH (2):
    # root then meets permission bits as any user does.
    for cap in (1, 2):
        if _libc.prctl(24, cap, 0, 0, 0) != 0:
            os._exit(97)


def _load_in_child(target):
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {REPO!r})
        from tf1_repro import mnist
        try:
            mnist.read_data_sets({str(target)!r}, source_url="http://127.0.0.1:9/", log=lambda *_: None)
        except mnist.DataError as e:
            print(e)
            sys.exit(2)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          preexec_fn=_drop_dac_capabilities if os.geteuid() == 0 else None)
    if proc.returncode == 97:
        pytest.skip("cannot drop CAP_DAC_OVERRIDE in this container")
    assert proc.returncode == 2, proc.stderr
    return proc.stdout.strip()


@pytest.fixture
def restore_modes():
    changed = []
    yield changed
    for path in changed:
        os.chmod(path, 0o755)


def test_unreadable_folder_is_permission_denied_not_missing(tmp_path, restore_modes):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in mnist.FILES:
        shutil.copy(os.path.join(data_dir(), name), folder / name)
    os.chmod(folder, 0)
    restore_modes.append(folder)
    message = _load_in_child(folder)
    assert "permission denied" in message and str(folder) in message
    assert "missing" not in message


def test_unreadable_file_is_permission_denied(tmp_path, restore_modes):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in mnist.FILES:
        shutil.copy(os.path.join(data_dir(), name), folder / name)
    os.chmod(folder / mnist.TRAIN_LABELS, 0)
    restore_modes.append(folder / mnist.TRAIN_LABELS)
    assert _load_in_child(folder) == f"{folder / mnist.TRAIN_LABELS}: cannot read: Permission denied"


def test_read_only_folder_says_read_only(tmp_path, restore_modes):
    folder = tmp_path / "data"
    folder.mkdir()
    os.chmod(folder, 0o555)
    restore_modes.append(folder)
    message = _load_in_child(folder)
    assert "read-only" in message and str(folder) in message
    assert os.listdir(folder) == []


def test_folder_under_read_only_parent_is_not_created(tmp_path, restore_modes):
    parent = tmp_path / "ro"
    parent.mkdir()
    os.chmod(parent, 0o555)
    restore_modes.append(parent)
    message = _load_in_child(parent / "MNIST_data")
    assert f"cannot create the folder: {parent} is read-only" in message
    assert os.listdir(parent) == []
