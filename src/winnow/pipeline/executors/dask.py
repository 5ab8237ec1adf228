"""The Dask executor: tasks run on a Dask cluster, many files per Dask task (`pipeline/batch.py: run_batch`), at
most a few tasks in flight per worker thread, results taken as they complete (`as_completed`) and handed to the
one writer in this process. Without `--scheduler`, a LocalCluster of `--workers` processes bound to 127.0.0.1
(no dashboard); with `tls://`, certificates from `--tls-ca/--tls-cert/--tls-key`.

Faults: a batch whose worker dies (crash, kill -9, out of memory) is run again one file per task; a file whose
own task loses its worker too is run once more alone in the cluster (a worker death also fails the tasks queued
beside it), and only a file that kills its worker then gets a `worker_crashed` warning. A file that hangs gets
`worker_timeout` from the batch's own per-file timeout and its worker is restarted. Writes are idempotent, so a
recomputed batch changes nothing. Before anything is written, every worker is checked: same winnow version,
evidence and case folders visible (docs/scale.md)."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import dask
import distributed
from distributed import Client, LocalCluster, as_completed
from distributed.security import Security

import winnow
from winnow.messages import DiskUnitTask, MemberRangeTask
from winnow.pipeline.batch import run_batch, worker_facts
from winnow.pipeline.executors import ExecutorError, ExecutorOptions, Job, Task
from winnow.pipeline.executors.forkserver import WORKER_ENVIRON, worker_environment
from winnow.settings import Settings

MAX_BATCH_FILES = 64
MAX_BATCH_BYTES = 64 * 1024 * 1024
IN_FLIGHT_PER_THREAD = 2
ALONE_BYTES = 16 * 1024 * 1024
# files that usually cost seconds, not milliseconds (videos, archives, disk images): a task of their own, so that no
# batch holds several of them in a row while other workers idle (their per-task cost, ~1-3 ms, is noise beside)
ALONE_EXTENSIONS = frozenset({
    "mp4", "m4v", "mov", "qt", "avi", "mkv", "webm", "wmv", "asf", "flv", "3gp", "3gpp", "mpg", "mpeg", "ts", "mts",
    "m2ts", "vob", "ogv", "zip", "zipx", "rar", "7z", "tar", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "cab", "e01",
    "ex01", "dd", "raw", "img", "vmdk", "vhd", "vhdx", "qcow", "qcow2", "iso", "dmg"})


def _alone(task: Task) -> bool:
    if isinstance(task, MemberRangeTask | DiskUnitTask):
        return True
    return task.size >= ALONE_BYTES or task.name.rsplit(".", 1)[-1].lower() in ALONE_EXTENSIONS


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


class DaskExecutor:
    name = "dask"

    def __init__(self, options: ExecutorOptions, settings: Settings) -> None:
        self.options = options
        self.settings = settings
        self.cluster: LocalCluster | None = None
        self.client: Client | None = None
        self.config: dict[str, Any] = {}
        self.threads = 1
        self.retry_singles: deque[list[Task]] = deque()  # batches that lost their worker, one file per task
        self.held: Task | None = None  # a task that goes in a batch of its own, taken while filling another
        self.quarantine: deque[Task] = deque()  # tasks whose own single task lost its worker: run alone
        self._method: Any = None  # the config that makes the LocalCluster's workers forks, while it lives

    # ------------------------------------------------------------------ start and checks
    def _security(self, local: bool) -> Security | None:
        o = self.options
        if not (o.tls_ca and o.tls_cert and o.tls_key):
            return None
        extra = {}
        if local:  # our own LocalCluster: its scheduler and workers use the same certificate
            extra = {"tls_scheduler_cert": o.tls_cert, "tls_scheduler_key": o.tls_key,
                     "tls_worker_cert": o.tls_cert, "tls_worker_key": o.tls_key}
        try:
            return Security(tls_ca_file=o.tls_ca, tls_client_cert=o.tls_cert, tls_client_key=o.tls_key,
                            require_encryption=True, **extra)
        except (OSError, ValueError) as exc:
            raise ExecutorError(f"cannot use the TLS certificates: {_one_line(exc)}") from exc

    def start(self, sources: Sequence[str], config: dict[str, Any]) -> None:
        self.config = {**config, "run": uuid.uuid4().hex}  # a worker's state (what it analysed) is per run
        o = self.options
        timeout = f"{o.connect_timeout}s"
        with dask.config.set({"distributed.comm.timeouts.connect": timeout}):
            if o.scheduler:
                self._connect(o.scheduler, self._security(local=False))
            else:
                self._local_cluster()
        self._check_workers(sources, config)

    def _local_cluster(self) -> None:
        security = self._security(local=True)
        n = self.settings.effective_workers()
        # a worker lost while running a batch fails that batch at once: the executor runs its files again itself
        # (one per task, then alone), so a file that crashes its worker costs three restarts, not twelve
        # worker processes come from a forkserver (executors/forkserver.py, started before Dask was imported
        # here): each worker, and each replacement after a crash, is a fork of it with Dask and winnow loaded,
        # where spawn starts every worker from scratch. Dask reads the method at every worker start, so it stays
        # set while the cluster lives (till close()). Dask's own preloading, which imports pandas & co. here, is
        # skipped (a test checks that the flag still exists). A fork inherits the forkserver's environment, not
        # this process's: the workers get this process's environment of now explicitly (as spawn gave it).
        distributed.utils._forkserver_preload_set = True
        self._method = dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})
        environment = worker_environment()
        with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                              "distributed.nanny.pre-spawn-environ": WORKER_ENVIRON}):
            try:
                self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                            dashboard_address=None, security=security,
                                            protocol="tls://" if security else None, silence_logs=logging.ERROR,
                                            # no dashboard; the scheduler's health routes on a free local port,
                                            # not 8787 (another cluster may hold it)
                                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                            env=environment)  # passed on to each Nanny
            except Exception as exc:
                self._restore_method()
                raise ExecutorError(f"cannot start a local Dask cluster: {_one_line(exc)}") from exc
        self._connect(self.cluster, security)

    def _restore_method(self) -> None:
        if self._method is not None:
            self._method.__exit__(None, None, None)
            self._method = None

    def _connect(self, address: Any, security: Security | None) -> None:
        where = address if isinstance(address, str) else "the local cluster"
        try:
            self.client = Client(address, security=security, timeout=self.options.connect_timeout,
                                 set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler at {where} within "
                                f"{self.options.connect_timeout:.0f} s ({_one_line(exc)}); is `dask scheduler` "
                                "running there, and the address and TLS options right?") from exc
        except ValueError as exc:
            raise ExecutorError(f"bad Dask scheduler address {where!r}: {_one_line(exc)}") from exc

    def _check_workers(self, sources: Sequence[str], config: dict[str, Any]) -> None:
        client = self.client
        assert client is not None
        try:
            client.wait_for_workers(1, timeout=max(self.options.connect_timeout, 30.0))
        except (TimeoutError, OSError) as exc:
            raise ExecutorError(f"the Dask scheduler at {client.scheduler_info().get('address', '?')} has no "
                                "workers") from exc
        folders = [config["thumbs"], config["tmp"]] if config.get("thumbs") else [config["tmp"]]
        facts: dict[str, dict[str, Any]] = client.run(worker_facts, list(sources), folders)
        for address, f in sorted(facts.items()):
            if f["version"] != winnow.__version__:
                raise ExecutorError(f"Dask worker {address} runs winnow {f['version']}, this client winnow "
                                    f"{winnow.__version__}: install the same version on every worker")
        for address, f in sorted(facts.items()):
            if f["missing"]:
                raise ExecutorError(f"Dask worker {address} cannot read the evidence path {f['missing'][0]}: mount "
                                    "the evidence at the same absolute path on every worker (docs/scale.md)")
            if f["unwritable"]:
                raise ExecutorError(f"Dask worker {address} cannot write the case folder {f['unwritable'][0]}: "
                                    "put the case folder on shared storage at the same path (docs/scale.md)")
        self.threads = max(1, sum(client.nthreads().values()))

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close(timeout=5)
            self.client = None
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close(timeout=10)
            self.cluster = None
        self._restore_method()

    # ------------------------------------------------------------------ the run
    def _batch_limit(self, job: Job) -> int:
        """Files per batch: MAX_BATCH_FILES, fewer near the end so that no worker is left with a long tail."""
        remaining = job.remaining()
        if remaining is None:
            return MAX_BATCH_FILES
        return max(1, min(MAX_BATCH_FILES, remaining // (3 * self.threads)))

    def _next_batch(self, job: Job) -> list[Task]:
        if self.retry_singles:
            return self.retry_singles.popleft()
        if self.held is not None:
            big, self.held = self.held, None
            return [big]
        limit = self._batch_limit(job)
        batch: list[Task] = []
        size = 0
        while len(batch) < limit and size < MAX_BATCH_BYTES:
            task = job.next_task()
            if task is None:
                break
            if _alone(task):
                if batch:  # a long unit of work runs alone
                    self.held = task
                    break
                return [task]
            batch.append(task)
            size += task.size
        return batch

    def _submit(self, batch: list[Task]) -> distributed.Future:
        assert self.client is not None
        return self.client.submit(run_batch, batch, self.config, self.settings.task_timeout, pure=False,
                                  key=f"winnow-batch-{uuid.uuid4().hex}")

    def run(self, job: Job) -> None:
        client = self.client
        assert client is not None, "start() first"
        running: dict[Any, tuple[distributed.Future, list[Task], bool]] = {}
        done = as_completed(loop=client.loop)
        limit = IN_FLIGHT_PER_THREAD * self.threads
        counted = time.monotonic()
        while True:
            if time.monotonic() - counted > 5:  # workers may join (or leave) a cluster during the run
                with contextlib.suppress(Exception):
                    self.threads = max(1, sum(client.nthreads().values()))
                    limit = IN_FLIGHT_PER_THREAD * self.threads
                counted = time.monotonic()
            if self.quarantine:  # a task that lost its worker twice runs alone in the cluster: then it is certain
                if not running:
                    task = self.quarantine.popleft()
                    future = self._submit([task])
                    running[future.key] = (future, [task], True)
                    done.add(future)
            else:
                while len(running) < limit:
                    batch = self._next_batch(job)
                    if not batch:
                        break
                    future = self._submit(batch)
                    running[future.key] = (future, batch, False)
                    done.add(future)
            if not running and job.exhausted() and not self.retry_singles and self.held is None \
                    and not self.quarantine:
                break
            with done.thread_condition:
                if not done.has_ready():
                    done.thread_condition.wait(0.2)
            for future in done.next_batch(block=False):
                _, batch, alone = running.pop(future.key)
                self._take(job, future, batch, alone)
                future.release()
            job.tick()

    def _take(self, job: Job, future: distributed.Future, batch: list[Task], alone: bool) -> None:
        by_id = {t.task_id: t for t in batch}
        if future.status != "finished":
            exc = future.exception() if future.status == "error" else None
            lost = exc is None or isinstance(exc, distributed.KilledWorker)
            if lost and len(batch) > 1:  # which file lost the worker is not known: each runs in a task of its own
                self.retry_singles.extend([t] for t in batch)
            elif lost and not alone:  # alone in its task, but other tasks shared the worker: run it alone
                self.quarantine.append(batch[0])
            elif lost:
                job.failed(batch[0], "worker_crashed", "Dask worker process died while reading this file (three "
                           "times: in its batch, in a task of its own, alone in the cluster)")
                job.worker_replaced()
            else:
                for task in batch:
                    job.failed(task, "worker_error", _one_line(exc))  # type: ignore[arg-type]
            return
        result: dict[str, Any] = future.result()
        for message in result["messages"]:
            kind = message[0]
            if kind == "progress":
                job.progress(message[1])
            elif kind == "items":
                for item in message[1]:
                    job.add(item)
            elif kind == "end":
                for item in message[2]:
                    job.add(item)
                job.ended(by_id[message[1]])
            elif kind == "error":
                job.failed(by_id[message[1]], "worker_error", message[2])
        if result["timeout"] is not None:
            job.failed(by_id[result["timeout"]], "worker_timeout",
                       f"no result after {self.settings.task_timeout:.0f} s; worker restarted")
            job.worker_replaced()
            self._restart(result["worker"])
        if result["not_run"]:
            job.retry([by_id[i] for i in result["not_run"]])

    def map_items(self, fn: Callable[..., list[Any]], items: Sequence[Any], *args: Any,
                  per_task: int = 4) -> Iterator[tuple[Any, Any]]:
        """(item, result) for every item, as tasks complete: `fn(chunk, *args)` runs on the cluster for chunks of
        `per_task` items and returns one result per item. A chunk whose worker is lost runs again one item per
        task; an item whose own task fails gets the one-line reason as its result."""
        client = self.client
        assert client is not None, "start() first"
        pending: deque[list[Any]] = deque(list(items[i:i + per_task]) for i in range(0, len(items), per_task))
        running: dict[Any, list[Any]] = {}
        done = as_completed(loop=client.loop)
        limit = IN_FLIGHT_PER_THREAD * self.threads
        while pending or running:
            while pending and len(running) < limit:
                chunk = pending.popleft()
                future = client.submit(fn, chunk, *args, pure=False, key=f"winnow-map-{uuid.uuid4().hex}")
                running[future.key] = chunk
                done.add(future)
            for future in done.next_batch(block=True):
                chunk = running.pop(future.key)
                if future.status == "finished":
                    yield from zip(chunk, future.result(), strict=True)
                elif len(chunk) > 1:
                    pending.extendleft([item] for item in reversed(chunk))
                else:
                    exc = future.exception() if future.status == "error" else None
                    yield chunk[0], f"Dask task failed: {_one_line(exc) if exc else future.status}"
                future.release()

    def _restart(self, address: str) -> None:
        """A worker left with a hung thread: the nanny replaces its process (it refuses batches till then)."""
        if self.client is None or not address:
            return
        with contextlib.suppress(Exception):
            self.client.restart_workers([address], timeout=60, raise_for_error=False)

