"""`ingest`: the runner. Plans tasks, hands them to worker processes (replacing any that crash or hang), and is
the one writer of the case store. Re-running after any interruption skips what is done and redoes the rest."""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from winnow.messages import DiskUnitTask, Expanded, FileTask, MemberRangeTask, Record, SplitArchive, Warn
from winnow.pipeline.executors import Executor, ExecutorOptions, Task, WorkersFailed, make_executor
from winnow.pipeline.plan import Planner, SourceError, count_files, source_kind
from winnow.pipeline.stats import Stats
from winnow.settings import Settings
from winnow.store import audit
from winnow.store.case import Case
from winnow.store.db import Connection as StoreConnection
from winnow.store.runs import RunStatus, finish_run, register_source, save_progress, start_run
from winnow.store.writer import Writer

if TYPE_CHECKING:
    from winnow.pipeline.summary import Summary

__all__ = ["Interrupted", "WorkersFailed", "ingest"]


class Interrupted(Exception):
    """The run was stopped (Ctrl-C); everything committed stays and a re-run resumes."""


def worker_config(case: Case, settings: Settings) -> dict[str, Any]:
    """What every worker (a local process or a Dask worker) needs to process tasks of this case."""
    return {"settings": settings.as_dict(), "store": str(case.location), "thumbs": str(case.thumbnails),
            "tmp": str(case.tmp)}


def ingest(case: Case, sources: list[str], settings: Settings, *, command: str = "ingest",
           on_progress: Callable[[Stats], None] | None = None,
           executor: ExecutorOptions | None = None) -> Summary:
    """Ingest sources into the case; returns the summary (see `summary.summarize`). The executor (default: the
    local process pool) is started and checked before anything is written: a scheduler that cannot be reached or
    workers that cannot see the sources stop the run with an ExecutorError and an untouched case."""
    from winnow.pipeline.summary import summarize

    if not sources:
        raise SourceError("no source given")
    kinds = [(os.path.abspath(s), source_kind(os.path.abspath(s))) for s in sources]
    config = worker_config(case, settings)
    runner = make_executor(executor or ExecutorOptions(), settings)
    try:
        runner.start([p for p, _ in kinds], config)
    except BaseException:
        runner.close()
        raise
    try:
        return _ingest(case, kinds, settings, command, on_progress, runner, config, summarize)
    finally:
        runner.close()


def _ingest(case: Case, kinds: list[tuple[str, str]], settings: Settings, command: str,
            on_progress: Callable[[Stats], None] | None, runner: Executor, config: dict[str, Any],
            summarize: Callable[[Case, int, Stats], Summary]) -> Summary:
    from winnow.signals.registry import versions  # here, not at import: the workers are already starting

    conn = case.connect()
    stats = Stats()
    run_id = start_run(conn, command, settings, versions())
    audit.append(conn, "ingest", {"sources": [p for p, _ in kinds], "settings": settings.as_dict(), "run": run_id})
    source_ids = [(p, register_source(conn, p, k, run_id)) for p, k in kinds]
    stop_count = threading.Event()
    totals = {"files": 0, "bytes": 0, "complete": 0}
    counter = threading.Thread(target=count_files, args=([p for p, _ in kinds], totals, stop_count), daemon=True)
    counter.start()
    status: RunStatus = "failed"
    try:
        _Run(case, conn, run_id, source_ids, settings, stats, totals, on_progress, config).run(runner)
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
    """One ingest run: the plan (and the retry queue) feeds the executor; every message the executor hands back
    goes to the one writer, which flushes by size and time; progress is reported. It is the executor's `Job`."""

    def __init__(self, case: Case, conn: StoreConnection, run_id: int, source_ids: list[tuple[str, int]],
                 settings: Settings, stats: Stats, totals: dict[str, int],
                 on_progress: Callable[[Stats], None] | None, config: dict[str, Any]) -> None:
        self.settings, self.stats, self.totals, self.on_progress = settings, stats, totals, on_progress
        self.conn, self.run_id = conn, run_id
        self.writer = Writer(conn, run_id)
        self.planner = Planner(case.connect(readonly=True), settings)
        self.plan: Iterator[Any] = (item for path, sid in source_ids for item in self.planner.plan(path, sid))
        self.retries: deque[Task] = deque()
        self.groups: dict[str, set[int]] = {}  # archives read in ranges, disk images in units: task ids running
        self.group_status: dict[str, str] = {}
        self.group_of: dict[int, str] = {}
        self.failed_groups: set[str] = set()
        self.config = config
        self.plan_done = False
        now = time.monotonic()
        self.last_flush = self.last_progress = self.last_saved = now

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

    # ------------------------------------------------------------------ the Job protocol (executors/__init__.py)
    def add(self, message: Any) -> None:
        self.writer.add(message)
        if isinstance(message, Record):
            self.stats.items += 1
            self.stats.warnings += len(message.warnings)
        elif isinstance(message, Warn):
            self.stats.warnings += 1

    def exhausted(self) -> bool:
        return self.plan_done and not self.retries

    def remaining(self) -> int | None:
        if not self.totals["complete"]:
            return None
        return max(0, self.totals["files"] - self.stats.files_done)

    def retry(self, tasks: Sequence[Task]) -> None:
        self.retries.extend(tasks)

    def progress(self, nbytes: int) -> None:
        self.stats.bytes_done += nbytes

    def ended(self, task: Task) -> None:
        if isinstance(task, FileTask):
            self.stats.files_done += 1
            self.stats.bytes_done += task.size
        self.finished(task, True)

    def worker_replaced(self) -> None:
        self.stats.replaced_workers += 1

    def next_task(self) -> Task | None:
        if self.retries:
            return self.retries.popleft()
        while not self.plan_done:
            try:
                item = next(self.plan)
            except StopIteration:
                self.plan_done = True
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

    def failed(self, task: Task, code: str, message: str) -> None:
        """The task's worker died or hung on it: the task becomes an error record (a file) or a warning (a range
        of archive members, a disk-image unit: the next run does them again)."""
        if isinstance(task, MemberRangeTask):
            self.add(Warn(task.chain, "worker", code, f"{message} (members {task.start}-{task.end - 1})"))
        elif isinstance(task, DiskUnitTask):
            self.add(Warn(task.chain, "worker", code, f"{message} ({task.describe()}; the next run does it again)"))
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

    def tick(self) -> None:
        s = self.settings
        now = time.monotonic()
        if len(self.writer.pending) >= s.batch_size or now - self.last_flush >= s.batch_seconds:
            self.writer.flush()
            self.last_flush = now
        if now - self.last_progress >= 0.25:
            save = now - self.last_saved >= 1.0
            self._progress(save)
            self.last_progress = now
            self.last_saved = now if save else self.last_saved

    # ------------------------------------------------------------------
    def _progress(self, save: bool) -> None:
        self.stats.total_files, self.stats.total_bytes = self.totals["files"], self.totals["bytes"]
        self.stats.total_known = bool(self.totals["complete"])
        if self.on_progress:
            self.on_progress(self.stats)
        if save:  # the review app's live progress view reads it
            save_progress(self.conn, self.run_id, self.stats)

    def run(self, executor: Executor) -> None:
        try:
            executor.run(self)
            self.writer.flush()
        except BaseException:
            self.writer.flush()  # keep every finished result: the re-run then redoes only what is missing
            raise
        finally:
            executor.close()
            self.planner.store.close()
        self.stats.total_files, self.stats.total_bytes, self.stats.total_known = \
            self.totals["files"], self.totals["bytes"], True
        save_progress(self.conn, self.run_id, self.stats)
        if self.on_progress:
            self.on_progress(self.stats)
