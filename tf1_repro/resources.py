"""Refuse, before anything runs, work that cannot fit in this machine's memory.

A flag such as ``--hidden=1000000000`` (a 784 x 10**9 weight matrix, 3 TB) or
a step count whose batch plan is an array of 10**20 indices does not fail
cleanly on its own: NumPy raises a bare ``MemoryError``, TensorFlow aborts
the process, or the kernel's OOM killer ends it (and whatever else is
running) minutes later.  Each post's config estimates the bytes its largest
allocations need from its flags and calls :func:`require_memory`, which
compares them with what the machine can give this process and raises a
one-line :class:`~tf1_repro.errors.UsageError` naming the flag.

The estimate is a floor (the arrays the flag makes, not every temporary), so
a refusal is always right; a run that passes may still be slow.
"""
import os
import resource

from tf1_repro.errors import UsageError


def _meminfo_available():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_limit():
    """The cgroup (v2, else v1) memory limit of this process, if any."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                text = f.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            return int(text)
    return None


def available_memory():
    """Bytes this process can still allocate: the least of free RAM, the cgroup and RLIMIT_AS limits.

    ``None`` when none of them can be read (not Linux): then nothing is refused.
    """
    limits = [v for v in (_meminfo_available(), _cgroup_limit()) if v]
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft not in (resource.RLIM_INFINITY, -1) and soft > 0:
            limits.append(soft)
    except (ValueError, OSError):
        pass
    if not limits:
        sysconf = _sysconf_total()
        return sysconf
    return min(limits)


def _sysconf_total():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _gib(n):
    return f"{n / 2**30:.3g} GiB"


def require_memory(what, nbytes, available=None):
    """Raise UsageError if ``nbytes`` (an estimate) cannot fit in memory.

    ``what`` names the flags responsible, as the user wrote them (e.g.
    ``"--hidden=1000000000"``); the message says how much the run needs and
    how much there is.
    """
    if available is None:
        available = available_memory()
    if available is not None and nbytes > available:
        raise UsageError(f"{what}: needs at least {_gib(nbytes)} of memory, more than the "
                         f"{_gib(available)} available")
