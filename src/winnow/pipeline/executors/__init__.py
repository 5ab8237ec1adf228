"""Executors: where an ingest's tasks run. The runner (`pipeline/ingest.py`) plans tasks and is the one writer; an
executor takes tasks from it (`Job.next_task`) and hands every result back (`Job.add`, `Job.ended`,
`Job.failed`), whatever runs them: the local process pool (`local`, the default) or a Dask cluster (`dask`).

The registry is the tuple `EXECUTORS`; an executor's module is imported only when it is chosen, so `winnow --help`
and a local ingest never import Dask."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from winnow.messages import DiskUnitTask, FileTask, MemberRangeTask
from winnow.settings import Settings

Task = FileTask | MemberRangeTask | DiskUnitTask


class ExecutorError(Exception):
    """The executor cannot be used (unreachable scheduler, workers of another version, evidence not visible on a
    worker, bad certificates...): raised before any work starts, with one line that says what to do."""


class WorkersFailed(Exception):
    """Worker processes die before doing any work (a broken installation, or a memory cap too small to start)."""


@dataclass(frozen=True)
class ExecutorOptions:
    """`--executor NAME [--scheduler ADDRESS] [--tls-ca/--tls-cert/--tls-key FILE]`."""

    name: str = "local"
    scheduler: str | None = None  # tcp://host:8786 or tls://host:8786; None: a LocalCluster on 127.0.0.1 (dask)
    tls_ca: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    connect_timeout: float = 5.0

    def __post_init__(self) -> None:
        if self.name not in names():
            raise ExecutorError(f"unknown executor {self.name!r} (choose one of: {', '.join(names())})")
        if self.name == "local" and (self.scheduler or self.tls_ca or self.tls_cert or self.tls_key):
            raise ExecutorError("--scheduler and --tls-* need --executor dask")
        tls = (self.tls_ca, self.tls_cert, self.tls_key)
        if any(tls) and not all(tls):
            raise ExecutorError("TLS needs all three of --tls-ca, --tls-cert and --tls-key")
        if self.scheduler and self.scheduler.startswith("tls://") and not all(tls):
            raise ExecutorError(f"{self.scheduler} is a TLS address: give --tls-ca, --tls-cert and --tls-key")
        if all(tls) and self.scheduler and not self.scheduler.startswith("tls://"):
            raise ExecutorError(f"--tls-* given but the scheduler address {self.scheduler} is not tls://")


class Job(Protocol):
    """What the runner offers an executor: the tasks, and the sink for their results (the one writer)."""

    settings: Settings
    config: dict[str, Any]  # what a worker needs: settings, case store path, thumbnails and tmp folders

    def next_task(self) -> Task | None:
        """The next task to run (retries first), or None when there is none now."""

    def exhausted(self) -> bool:
        """True when the plan is read to its end and no task waits for a retry."""

    def remaining(self) -> int | None:
        """Files not yet done, once the background pre-count has finished (None before)."""

    def retry(self, tasks: Sequence[Task]) -> None:
        """Tasks given out that did not run (their worker died outside them): given out again."""

    def add(self, message: Any) -> None:
        """A Record, Warn or other writer message from a worker."""

    def progress(self, nbytes: int) -> None:
        """A long task read this many more bytes."""

    def ended(self, task: Task) -> None:
        """The task finished normally (its messages were added)."""

    def failed(self, task: Task, code: str, message: str) -> None:
        """The task's worker crashed or hung on it: an error record and a warning row for it, the run goes on."""

    def worker_replaced(self) -> None:
        """A worker was replaced after a crash or hang (counted in the summary)."""

    def tick(self) -> None:
        """Called often by the executor's loop: the writer flushes by size and time, progress is reported."""


class Executor(Protocol):
    name: str

    def start(self, sources: Sequence[str], config: dict[str, Any]) -> None:
        """Start (or connect to) the workers and check them; raise ExecutorError before any work is written."""

    def run(self, job: Job) -> None:
        """Run every task of the job to its end (returns when the job is exhausted and every result was added)."""

    def close(self) -> None:
        """Stop what start() started (idempotent)."""


# name, module, class, and what to start before importing the module ("module:function" of the options, or
# ""): the explicit registry
EXECUTORS: tuple[tuple[str, str, str, str], ...] = (
    ("local", "winnow.pipeline.executors.local", "LocalExecutor", ""),
    ("dask", "winnow.pipeline.executors.dask", "DaskExecutor", "winnow.pipeline.executors.forkserver:prepare"),
)


def names() -> list[str]:
    return [name for name, _, _, _ in EXECUTORS]


def make_executor(options: ExecutorOptions, settings: Settings) -> Executor:
    for name, module, cls, prepare in EXECUTORS:
        if name == options.name:
            if prepare:  # e.g. worker processes that import while this process imports the executor
                where, function = prepare.split(":")
                getattr(importlib.import_module(where), function)(options)
            try:
                factory = getattr(importlib.import_module(module), cls)
            except ImportError as exc:
                raise ExecutorError(f"the {name} executor needs an optional package ({exc.name}): "
                                    f"pip install 'winnow[{name}]'") from exc
            executor: Executor = factory(options, settings)
            return executor
    raise ExecutorError(f"unknown executor {options.name!r} (choose one of: {', '.join(names())})")
