"""One seed-study runner for every post.

A post's seed study runs its program once per seed, ``--seed``,
``--seed + 1``, ..., ``--seed + --seeds - 1``, and summarises the runs.  The
post supplies one module-level function, ``study_seed(config, data_dir,
seed)``, that makes the run ``--seed=seed`` would make (with ``config``, a
plain dict of the script's configuration) and returns a small JSON-able
record of it; this module decides where the seeds run and keeps what they
return:

* ``workers=1``: one after another in this process;
* ``workers=N``: over N worker processes (``spawn``ed, so each imports
  TensorFlow afresh and sets the archive's session settings itself);
* ``dask_scheduler=ADDRESS``: over a Dask cluster (``dask.distributed``, an
  optional extra: ``pip install -e ".[dask]"``); its workers must run this
  checkout in the same environment and see ``--data_dir``.

Every seed builds its own graph and seeds it itself, so a record is the
same bits whichever executor ran it and in whatever order
(tests/test_study.py).  One progress line per seed goes to standard error.

Resuming.  Each finished seed is appended, as one complete JSON line, to
``<output_dir>.study.jsonl`` beside the output folder (written and synced
before the next line).  If the study is interrupted, or fails, that file is
kept and said so on standard error; the same command then runs only the
seeds still missing.  The file's first line names the study (the function
and the configuration without the seed range), so a file left by another
command is refused, not mixed in.  When the study's outputs are written, the
file is removed.
"""
import concurrent.futures
import contextlib
import importlib
import json
import multiprocessing
import os
import signal
import sys
import time

from tf1_repro.errors import ReproError, UsageError

PROGRESS_SUFFIX = ".study.jsonl"


def default_workers():
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def function_name(fn):
    return f"{fn.__module__}:{fn.__qualname__}"


def resolve(name):
    module, _, qualname = name.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


# ---------------------------------------------------------------------------
# The progress file
# ---------------------------------------------------------------------------

class Progress:
    """Finished seeds of one study, kept line by line in ``path`` (None: in memory only)."""

    def __init__(self, path, key):
        self.path = path
        self.key = key
        self.records = {}
        if path and os.path.exists(path):
            self._read()

    def _read(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                lines = f.read().split("\n")
        except OSError as e:
            raise UsageError(f"{self.path}: cannot read the study's progress file: {e.strerror}")
        # A line is complete once its newline is written: a run killed while
        # writing leaves at most a torn last line, which is dropped.
        complete = lines[:-1]
        try:
            header = json.loads(complete[0]) if complete else None
            entries = [json.loads(line) for line in complete[1:]]
        except ValueError:
            raise UsageError(f"{self.path}: not a progress file of this archive's seed studies "
                             "(unreadable line); remove it to start the study afresh")
        if header is None:
            return
        if not isinstance(header, dict) or header.get("study") != self.key:
            raise UsageError(f"{self.path}: left by a study of another command or configuration; "
                             "remove it to start afresh, or use another --output_dir")
        for entry in entries:
            self.records[int(entry["seed"])] = entry["record"]

    def add(self, seed, record):
        self.records[seed] = record
        if not self.path:
            return
        new = not os.path.exists(self.path) or os.path.getsize(self.path) == 0
        with open(self.path, "a", encoding="utf-8") as f:
            if new:
                f.write(json.dumps({"study": self.key}, sort_keys=True) + "\n")
            f.write(json.dumps({"seed": seed, "record": record}, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def remove(self):
        if self.path and os.path.exists(self.path):
            os.unlink(self.path)


def progress_path(output_dir):
    return os.path.normpath(output_dir) + PROGRESS_SUFFIX


def progress_for(output_dir, seed_fn, config, fingerprint):
    """The progress file of a study writing to ``output_dir``.

    Its key is the function, the configuration without the seed (a record
    does not depend on which other seeds are studied) and the environment
    fingerprint, so only runs of the same command in the same environment
    are resumed from it.
    """
    key = {"function": function_name(seed_fn),
           "config": {k: v for k, v in config.items() if k != "seed"},
           "fingerprint": fingerprint}
    return Progress(progress_path(output_dir), json.loads(json.dumps(key, sort_keys=True)))


@contextlib.contextmanager
def kept_on_failure(progress, total, prog=None):
    """Remove the progress file when the block succeeds; keep it, and say so, when it does not."""
    prog = prog or os.path.basename(sys.argv[0])
    try:
        yield progress
    except BaseException:
        done = len(progress.records)
        if progress.path and done and os.path.exists(progress.path):
            sys.stderr.write(f"{prog}: {done} of {total} seeds kept in {progress.path}; "
                             "the same command resumes from them\n")
        raise
    progress.remove()


# ---------------------------------------------------------------------------
# Running the seeds
# ---------------------------------------------------------------------------

def _worker_init():
    # Ctrl-C at a terminal reaches the whole process group: the parent
    # handles it (and ends the workers); the workers stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent that dies without cleaning up (SIGKILL, the OOM killer, a
    # signal during its own shutdown) must not leave workers training on:
    # on Linux the kernel ends a worker when its parent goes.
    _die_with_parent()


def _die_with_parent():
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    PR_SET_PDEATHSIG = 1
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    # The parent may have gone before the call took effect.
    if os.getppid() == 1:
        os._exit(1)


def _call(name, config, data_dir, seed):
    """In a worker: the post's study_seed by name, and how long it took."""
    t = time.time()
    record = resolve(name)(config, data_dir, seed)
    return record, time.time() - t


def run_seeds(seed_fn, config, data_dir, seeds, *, workers=1, dask_scheduler=None,
              progress=None, describe=None, prog=None):
    """Run ``seed_fn(config, data_dir, s)`` for every seed in ``seeds``; records in seed order.

    Seeds already in ``progress`` (a :class:`Progress`) are not run again.
    ``describe(record)`` gives the tail of each seed's progress line.
    """
    seeds = list(seeds)
    prog = prog or os.path.basename(sys.argv[0])
    progress = progress or Progress(None, None)
    pending = [s for s in seeds if s not in progress.records]
    if len(pending) < len(seeds):
        sys.stderr.write(f"{prog}: resuming: {len(seeds) - len(pending)} of {len(seeds)} seeds "
                         f"already done ({progress.path})\n")
    name = function_name(seed_fn)

    def finished(seed, result):
        record, seconds = result
        progress.add(seed, record)
        tail = f": {describe(record)}" if describe else ""
        sys.stderr.write(f"{prog}: seed {seed} done ({len(progress.records)} of {len(seeds)}, "
                         f"{seconds:.1f} s){tail}\n")
        sys.stderr.flush()

    if not pending:
        pass
    elif dask_scheduler:
        _run_dask(name, config, data_dir, pending, dask_scheduler, finished)
    elif workers <= 1 or len(pending) == 1:
        for s in pending:
            finished(s, _call(name, config, data_dir, s))
    else:
        _run_processes(name, config, data_dir, pending, min(workers, len(pending)), finished)
    return [progress.records[s] for s in seeds]


def _run_processes(name, config, data_dir, pending, workers, finished):
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init)
    try:
        futures = {pool.submit(_call, name, config, data_dir, s): s for s in pending}
        for fut in concurrent.futures.as_completed(futures):
            try:
                result = fut.result()
            except concurrent.futures.process.BrokenProcessPool:
                # A worker was killed from outside (a signal, the OOM killer):
                # one line, and the seeds done so far stay in the progress file.
                raise ReproError(f"seed {futures[fut]}: a worker process died before finishing "
                                 "it (killed from outside?); run the same command again to "
                                 "resume from the seeds done")
            finished(futures[fut], result)
    except BaseException:
        # An error, Ctrl-C or SIGTERM: end the workers now, not after their seeds.
        for proc in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _run_dask(name, config, data_dir, pending, address, finished):
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise UsageError(f"--dask_scheduler={address}: needs dask.distributed, the optional "
                         "extra: pip install -e \".[dask]\"")
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as e:
        raise UsageError(f"--dask_scheduler={address}: cannot connect ({e})")
    futures = []
    try:
        futures = client.map(_call, [name] * len(pending), [config] * len(pending),
                             [data_dir] * len(pending), pending, pure=False)
        seed_of = {f.key: s for f, s in zip(futures, pending)}
        for fut in as_completed(futures):
            finished(seed_of[fut.key], fut.result())
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(futures)
        raise
    finally:
        with contextlib.suppress(Exception):
            client.close()

