"""How winnow's worker processes start: each with one BLAS/OpenMP thread (the workers already use every core;
OpenBLAS 0.3.31 threads even 64 x 64 matrix products, and two workers with two threads each ran slower than
one process, 2026-12-07), set in os.environ only while the process starts (numpy reads it at import)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
ONE_THREAD: dict[str, str | None] = dict.fromkeys(THREAD_VARS, "1")


@contextmanager
def environment(changes: Mapping[str, str | None]) -> Iterator[None]:
    """os.environ with `changes` (None: unset) while a worker process starts from it, then as it was."""
    saved = {key: os.environ.get(key) for key in changes}
    try:
        _apply(changes)
        yield
    finally:
        _apply(saved)


def _apply(values: Mapping[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
