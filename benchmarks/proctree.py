"""Wall and CPU seconds of a command and of every process it starts, for the benchmarks.

`resource.getrusage(RUSAGE_CHILDREN)` counts the descendants that were waited for. Dask's forkserver workers are
orphaned when the forkserver exits, and init would reap them: their CPU would be lost. So this process makes
itself a child subreaper (Linux `prctl(PR_SET_CHILD_SUBREAPER)`): every orphan of the command's tree is
re-parented here, and is reaped here once the command has ended, so RUSAGE_CHILDREN counts the whole tree exactly,
with no sampling and no load of its own."""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import time

PR_SET_CHILD_SUBREAPER = 36
_ready = False


def _subreaper() -> None:
    global _ready
    if not _ready:
        if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
        _ready = True


def _reap(deadline: float) -> None:
    """Wait for every remaining descendant (re-parented orphans) until none is left or the deadline passes."""
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.01)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], linger: float = 30.0) -> tuple[float, float, bytes]:
    """(wall s until the command exits, CPU s of its whole process tree, stdout); raises CalledProcessError like
    subprocess.run(check=True). Descendants still alive after the command are waited for (up to `linger` s)."""
    _subreaper()
    _reap(time.monotonic() + linger)  # nothing of an earlier run left to be counted here
    before = _cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True)
    wall = time.perf_counter() - start
    _reap(time.monotonic() + linger)
    if done.returncode:
        raise subprocess.CalledProcessError(done.returncode, cmd, done.stdout, done.stderr)
    return wall, _cpu() - before, done.stdout
