"""The forkserver that the Dask executor's own LocalCluster forks its worker processes from, started before the
runner imports Dask (`prepare`, named in the executor registry), so the two imports run side by side on two
cores: the forkserver loads Dask, numpy, Pillow and winnow's task code once, and each worker (and each
replacement after a crash) is a fork of it, ready at once. It starts with the workers' environment (one BLAS
thread, no Dask MALLOC_TRIM_THRESHOLD_): what it imports keeps the settings it was imported with. A fork has the
forkserver's environment, so the executor hands each worker the runner's environment of the moment as well
(a process that runs several ingests, a test suite, changes it in between). The forkserver lives until the
process that started it ends.
Measured in benchmarks/startup.py (a single-file Dask ingest)."""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import multiprocessing.forkserver
import os
from typing import Any

from winnow.processes import THREAD_VARS, environment

# one BLAS thread each, as the local pool's workers, and without Dask's default MALLOC_TRIM_THRESHOLD_=65536, which
# costs video decoding + call scoring ~30 % more CPU (measured: 3.92 -> 5.08 s for a 30 s call video);
# docs/scale.md says how to do the same for `dask worker`
WORKER_ENVIRON = dict.fromkeys(THREAD_VARS, 1)
NOT_PASSED = ("MALLOC_TRIM_THRESHOLD_",)  # Dask's nanny leaves it in the os.environ of a process that ran a cluster


def worker_environment() -> dict[str, str]:
    """This process's environment as each worker gets it: the workers' settings on top, Dask's malloc trim out."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    return env | {k: str(v) for k, v in WORKER_ENVIRON.items()}
PRELOAD = ("distributed", "numpy", "PIL.Image", "winnow.pipeline.batch", "winnow.pipeline.tasks")


def prepare(options: Any) -> None:
    """Start the forkserver for a LocalCluster (no `--scheduler`: the workers are elsewhere otherwise). Idempotent;
    a forkserver that cannot start leaves Dask to start one itself."""
    if getattr(options, "scheduler", None) or importlib.util.find_spec("distributed") is None:
        return  # workers elsewhere; or no Dask here (make_executor then says which package is missing)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    changes: dict[str, str | None] = {key: str(value) for key, value in WORKER_ENVIRON.items()}
    with environment(changes | dict.fromkeys(NOT_PASSED)), contextlib.suppress(OSError):
        multiprocessing.forkserver.ensure_running()
