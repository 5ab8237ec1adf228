"""`ingest`: the runner. Plans tasks, hands them to worker processes (replacing any that crash or hang), and is
the one writer of the case store. Re-running after any interruption skips what is done and redoes the rest."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from winnow.messages import DiskUnitTask, Expanded, FileTask, MemberRangeTask, Record, SplitArchive, Warn
from winnow.pipeline.plan import Planner, SourceError, count_files, source_kind
from winnow.pipeline.stats import Stats
from winnow.pipeline.worker import worker_main
from winnow.settings import Settings
from winnow.store import audit
from winnow.store.case import Case
from winnow.store.db import Connection as StoreConnection
from winnow.store.runs import RunStatus, finish_run, register_source, save_progress, start_run
from winnow.store.writer import Writer

PREFETCH = 2  # tasks queued per worker, so a worker never waits for the runner
Task = FileTask | MemberRangeTask | DiskUnitTask
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class Interrupted(Exception):
    """The run was stopped (Ctrl-C); everything committed stays and a re-run resumes."""


class WorkersFailed(Exception):
    """Worker processes die before doing any work (a broken installation, or a memory cap too small to start)."""


MAX_IDLE_DEATHS = 3  # consecutive worker deaths with no task begun before the run gives up


@dataclass
class _Worker:
    process: Any
    conn: Connection
    queue: deque[tuple[Task, float]] = field(default_factory=deque)  # sent, not yet ended
    began: float | None = None  # when the task at the head of the queue (the one being read) began
    closing: bool = False
    ready: bool = False  # the worker started (a death before that is a start-up failure, not a file's)


class _Pool:
    def __init__(self, n: int, config: dict[str, Any]) -> None:
        self.ctx = mp.get_context("spawn")
        self.config = config
        self.workers: list[_Worker] = [self._start() for _ in range(n)]

    def _start(self) -> _Worker:
        parent, child = self.ctx.Pipe(duplex=True)
        process = self.ctx.Process(target=worker_main, args=(child, self.config, os.getpid()), daemon=True)
        # one BLAS thread per worker: the workers already use every core
        saved = {k: os.environ.get(k) for k in _THREAD_VARS}
        os.environ.update({k: "1" for k in _THREAD_VARS})
        try:
            process.start()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        child.close()
        return _Worker(process, parent)

    def replace(self, w: _Worker) -> _Worker:
        self.workers.remove(w)
        try:
            w.conn.close()
        except OSError:
            pass
        new = self._start()
        self.workers.append(new)
        return new

    def stop(self) -> None:
        for w in self.workers:
            if w.process.is_alive():
                w.process.kill()
        for w in self.workers:
            w.process.join(timeout=5)


def ingest(case: Case, sources: list[str], settings: Settings, *, command: str = "ingest",
           on_progress: Callable[[Stats], None] | None = None) -> dict[str, Any]:
    """Ingest sources into the case; returns the summary (see `summary.summarize`)."""
    from winnow.pipeline.summary import summarize

    if not sources:
        raise SourceError("no source given")
    kinds = [(os.path.abspath(s), source_kind(os.path.abspath(s))) for s in sources]
    conn = case.connect()
    stats = Stats()
    run_id = start_run(conn, command, settings)
    audit.append(conn, "ingest", {"sources": [p for p, _ in kinds], "settings": settings.as_dict(), "run": run_id})
    source_ids = [(p, register_source(conn, p, k, run_id)) for p, k in kinds]
    stop_count = threading.Event()
    totals = {"files": 0, "bytes": 0, "complete": 0}
    counter = threading.Thread(target=count_files, args=([p for p, _ in kinds], totals, stop_count), daemon=True)
    counter.start()
    status: RunStatus = "failed"
    try:
        _Run(case, conn, run_id, source_ids, settings, stats, totals, on_progress).run()
        status = "completed"
    except KeyboardInterrupt as exc:
        status = "interrupted"
        raise Interrupted("interrupted: everything committed is kept; run the same command again to resume") from exc
    finally:
        stop_count.set()
        finish_run(conn, run_id, status)
        conn.close()
    return summarize(case, run_id, stats)


class _Run:
    """One ingest run's loop: feed the workers from the plan (and the retry queue), take their messages to the
    one writer, replace dead or hung workers, flush by size and time, and report progress. The state that the
    callbacks share is the instance's, not closures over `nonlocal`s."""

    def __init__(self, case: Case, conn: StoreConnection, run_id: int, source_ids: list[tuple[str, int]],
                 settings: Settings, stats: Stats, totals: dict[str, int],
                 on_progress: Callable[[Stats], None] | None) -> None:
        self.settings, self.stats, self.totals, self.on_progress = settings, stats, totals, on_progress
        self.conn, self.run_id = conn, run_id
        self.writer = Writer(conn, run_id)
        self.planner = Planner(case.connect(readonly=True), settings)
        self.plan: Iterator[Any] = (item for path, sid in source_ids for item in self.planner.plan(path, sid))
        self.retry: deque[Task] = deque()
        self.groups: dict[str, set[int]] = {}  # archives read in ranges, disk images in units: task ids running
        self.group_status: dict[str, str] = {}
        self.group_of: dict[int, str] = {}
        self.failed_groups: set[str] = set()
        self.config = {"settings": settings.as_dict(), "store": str(case.location), "thumbs": str(case.thumbnails),
                       "tmp": str(case.tmp)}
        self.exhausted = False
        self.idle_deaths = 0

    def finished(self, task: Task, ok: bool) -> None:
        chain = self.group_of.pop(task.task_id, None)
        if chain is None:
            return
        if not ok:
            self.failed_groups.add(chain)  # stays 'expanding': the next run reads the missing members
        remaining = self.groups[chain]
        remaining.discard(task.task_id)
        if not remaining:
            del self.groups[chain]
            status = self.group_status.pop(chain, "archive")
            if status == "image":
                self.stats.files_done += 1  # the image file itself: its bytes were counted by its units' progress
            if chain not in self.failed_groups:
                self.add(Expanded(chain, status))
            self.failed_groups.discard(chain)

    def add(self, message: Any) -> None:
        self.writer.add(message)
        if isinstance(message, Record):
            self.stats.items += 1
            self.stats.warnings += len(message.warnings)
        elif isinstance(message, Warn):
            self.stats.warnings += 1

    def next_task(self) -> Task | None:
        if self.retry:
            return self.retry.popleft()
        while not self.exhausted:
            try:
                item = next(self.plan)
            except StopIteration:
                self.exhausted = True
                return None
            if isinstance(item, FileTask | MemberRangeTask | DiskUnitTask):
                return item
            if isinstance(item, SplitArchive):
                if item.status == "archive":
                    self.stats.split_archives += 1
                else:
                    self.stats.disk_images += 1
                self.groups[item.chain] = set(item.task_ids)
                self.group_status[item.chain] = item.status
                self.group_of.update({t: item.chain for t in item.task_ids})
                continue
            self.add(item)
        return None

    def fail(self, w: _Worker, code: str, message: str) -> None:
        """The worker died or hung: its current task becomes an error record, the rest are retried."""
        if not w.ready or not w.queue:  # died outside any file: nothing to blame, its queued files are retried
            self.idle_deaths = 0 if w.ready else self.idle_deaths + 1
            if self.idle_deaths >= MAX_IDLE_DEATHS:
                raise WorkersFailed(f"worker processes die before reading any file ({message}); check the "
                                    "installation and the worker_memory_mb setting")
            self.retry.extend(t for t, _ in w.queue)
            w.queue.clear()
            self.pool.replace(w)
            return
        self.idle_deaths = 0
        if w.queue:
            task, _ = w.queue.popleft()
            if isinstance(task, MemberRangeTask):
                self.add(Warn(task.chain, "worker", code, f"{message} (members {task.start}-{task.end - 1})"))
            elif isinstance(task, DiskUnitTask):
                self.add(Warn(task.chain, "worker", code,
                              f"{message} ({task.describe()}; the next run does it again)"))
            else:
                rec = Record(chain=task.chain, parent=task.parent, name=task.name, name_raw=task.name_raw, depth=0,
                             source_id=task.source_id, size=task.size, mtime=task.mtime, atime=task.atime,
                             ctime=task.ctime, time_source="filesystem", status="error")
                rec.warn("worker", code, message)
                self.add(rec)
                self.add(Warn(task.chain, "worker", code, message))  # kept even when a partial record was committed
                self.stats.files_done += 1
                self.stats.bytes_done += task.size
            self.finished(task, ok=False)
        self.retry.extend(t for t, _ in w.queue)
        self.stats.replaced_workers += 1
        self.pool.replace(w)

    def _feed(self) -> None:
        for w in list(self.pool.workers):
            while not w.closing and len(w.queue) < PREFETCH:
                task = self.next_task()
                if task is None:
                    break
                w.conn.send(task)
                if not w.queue and w.ready:
                    w.began = time.monotonic()
                w.queue.append((task, time.monotonic()))
            if self.exhausted and not self.retry and not w.queue and not w.closing:
                w.conn.send(None)
                w.closing = True

    def _collect(self) -> None:
        pool = self.pool
        ready = wait([w.conn for w in pool.workers] + [w.process.sentinel for w in pool.workers], timeout=0.2)
        for w in list(pool.workers):
            if w.conn in ready or (w.process.sentinel in ready and not w.conn.poll()):
                if _receive(w, self.add, self.stats, self.fail, self.finished):
                    w.process.join(timeout=5)
                    pool.workers.remove(w)

    def _watch(self, now: float) -> None:
        timeout = self.settings.task_timeout
        for w in list(self.pool.workers):
            if w.queue and w.began is not None and now - w.began > timeout:
                w.process.kill()
                w.process.join(timeout=5)
                self.fail(w, "worker_timeout", f"no result after {timeout:.0f} s; worker replaced")

    def _progress(self, save: bool) -> None:
        self.stats.total_files, self.stats.total_bytes = self.totals["files"], self.totals["bytes"]
        self.stats.total_known = bool(self.totals["complete"])
        if self.on_progress:
            self.on_progress(self.stats)
        if save:  # the review app's live progress view reads it
            save_progress(self.conn, self.run_id, self.stats)

    def run(self) -> None:
        s = self.settings
        self.pool = _Pool(s.effective_workers(), self.config)
        last_flush = last_progress = last_saved = time.monotonic()
        try:
            while True:
                self._feed()
                if self.exhausted and not self.retry and not self.pool.workers:
                    break
                self._collect()
                now = time.monotonic()
                self._watch(now)
                if len(self.writer.pending) >= s.batch_size or now - last_flush >= s.batch_seconds:
                    self.writer.flush()
                    last_flush = now
                if now - last_progress >= 0.25:
                    save = now - last_saved >= 1.0
                    self._progress(save)
                    last_progress = now
                    last_saved = now if save else last_saved
            self.writer.flush()
        except BaseException:
            self.writer.flush()  # keep every finished result: the re-run then redoes only what is missing
            raise
        finally:
            self.pool.stop()
            self.planner.store.close()
        self.stats.total_files, self.stats.total_bytes, self.stats.total_known = \
            self.totals["files"], self.totals["bytes"], True
        save_progress(self.conn, self.run_id, self.stats)
        if self.on_progress:
            self.on_progress(self.stats)


def _receive(w: _Worker, add: Callable[[Any], None], stats: Stats, fail: Callable[[_Worker, str, str], None],
             finished: Callable[[Any, bool], None]) -> bool:
    """Take one message from the worker (or notice its death); True when it has finished normally."""
    try:
        message = w.conn.recv()
    except (EOFError, OSError):
        if w.closing and not w.queue:
            return True
        w.process.join(timeout=5)
        fail(w, "worker_crashed", f"worker process died (exit code {w.process.exitcode}) while reading this file")
        return False
    kind = message[0]
    if kind == "items":
        for item in message[1]:
            add(item)
    elif kind == "end":
        for item in message[2]:
            add(item)
        task, _ = w.queue.popleft()
        if isinstance(task, FileTask):
            stats.files_done += 1
            stats.bytes_done += task.size
        finished(task, True)
        w.began = time.monotonic() if w.queue else None
    elif kind == "progress":
        stats.bytes_done += message[1]
        w.began = time.monotonic()  # a long work unit that reports progress is alive
    elif kind == "ready":
        w.ready = True
        w.began = time.monotonic() if w.queue else None
    elif kind == "bye":
        w.closing = True
    return False
