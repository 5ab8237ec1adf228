"""Wall and CPU seconds of a command and every process it starts, for the benchmarks.

`resource.getrusage(RUSAGE_CHILDREN)` counts only descendants that their parent waited for: Dask's forkserver
workers are orphaned to init when the forkserver exits, so their CPU would be missed. Here the whole tree is
sampled from /proc (psutil) every 20 ms and each process's last user + system time summed; a process that lives
less than a sample is missed (a few ms at most)."""

from __future__ import annotations

import subprocess
import time

import psutil


def run(cmd: list[str], interval: float = 0.02) -> tuple[float, float, bytes]:
    """(wall s, CPU s of the process tree, stdout); raises CalledProcessError as subprocess.run(check=True)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen: dict[tuple[int, float], float] = {}
    root = psutil.Process(proc.pid)
    import threading

    out: dict[str, bytes] = {}
    reader = threading.Thread(target=lambda: out.update(zip(("stdout", "stderr"), proc.communicate(), strict=True)))
    reader.start()
    while reader.is_alive():
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            tree = []
        for p in tree:
            try:
                with p.oneshot():
                    t = p.cpu_times()
                    seen[(p.pid, p.create_time())] = t.user + t.system
            except psutil.Error:
                pass
        reader.join(interval)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd, out.get("stdout"), out.get("stderr"))
    return wall, sum(seen.values()), out.get("stdout", b"")
