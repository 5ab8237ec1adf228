"""The local executor (the default): N spawned worker processes (`pipeline/worker.py: worker_main`), one Pipe each,
PREFETCH tasks queued per worker; a worker that crashes or hangs on a file is replaced, the file gets a warning row
and the run goes on. The pool is started in `start()`, so the workers import while the runner plans."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from winnow.pipeline.executors import ExecutorOptions, Job, Task, WorkersFailed
from winnow.processes import ONE_THREAD, environment
from winnow.settings import Settings

PREFETCH = 2  # tasks queued per worker, so a worker never waits for the runner
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
        from winnow.pipeline.worker import worker_main

        parent, child = self.ctx.Pipe(duplex=True)
        process = self.ctx.Process(target=worker_main, args=(child, self.config, os.getpid()), daemon=True)
        with environment(ONE_THREAD):  # one BLAS thread per worker: the workers already use every core
            process.start()
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


class LocalExecutor:
    name = "local"

    def __init__(self, options: ExecutorOptions, settings: Settings) -> None:
        self.settings = settings
        self.pool: _Pool | None = None
        self.idle_deaths = 0

    def start(self, sources: Sequence[str], config: dict[str, Any]) -> None:
        self.pool = _Pool(self.settings.effective_workers(), config)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.stop()
            self.pool = None

    def run(self, job: Job) -> None:
        assert self.pool is not None, "start() first"
        pool = self.pool
        while True:
            self._feed(job, pool)
            if job.exhausted() and not pool.workers:
                break
            self._collect(job, pool)
            self._watch(job, pool, time.monotonic())
            job.tick()

    def _fail(self, job: Job, pool: _Pool, w: _Worker, code: str, message: str) -> None:
        """The worker died or hung: its current task becomes an error record, the rest are retried."""
        if not w.ready or not w.queue:  # died outside any file: nothing to blame, its queued files are retried
            self.idle_deaths = 0 if w.ready else self.idle_deaths + 1
            if self.idle_deaths >= MAX_IDLE_DEATHS:
                raise WorkersFailed(f"worker processes die before reading any file ({message}); check the "
                                    "installation and the worker_memory_mb setting")
            job.retry([t for t, _ in w.queue])
            w.queue.clear()
            pool.replace(w)
            return
        self.idle_deaths = 0
        task, _ = w.queue.popleft()
        job.failed(task, code, message)
        job.retry([t for t, _ in w.queue])
        job.worker_replaced()
        pool.replace(w)

    def _feed(self, job: Job, pool: _Pool) -> None:
        for w in list(pool.workers):
            while not w.closing and len(w.queue) < PREFETCH:
                task = job.next_task()
                if task is None:
                    break
                w.conn.send(task)
                if not w.queue and w.ready:
                    w.began = time.monotonic()
                w.queue.append((task, time.monotonic()))
            if job.exhausted() and not w.queue and not w.closing:
                w.conn.send(None)
                w.closing = True

    def _collect(self, job: Job, pool: _Pool) -> None:
        ready = wait([w.conn for w in pool.workers] + [w.process.sentinel for w in pool.workers], timeout=0.2)
        for w in list(pool.workers):
            if w.conn in ready or (w.process.sentinel in ready and not w.conn.poll()):
                if self._receive(job, pool, w):
                    w.process.join(timeout=5)
                    pool.workers.remove(w)

    def _watch(self, job: Job, pool: _Pool, now: float) -> None:
        timeout = self.settings.task_timeout
        for w in list(pool.workers):
            if w.queue and w.began is not None and now - w.began > timeout:
                w.process.kill()
                w.process.join(timeout=5)
                self._fail(job, pool, w, "worker_timeout", f"no result after {timeout:.0f} s; worker replaced")

    def _receive(self, job: Job, pool: _Pool, w: _Worker) -> bool:
        """Take one message from the worker (or notice its death); True when it has finished normally."""
        try:
            message = w.conn.recv()
        except (EOFError, OSError):
            if w.closing and not w.queue:
                return True
            w.process.join(timeout=5)
            self._fail(job, pool, w, "worker_crashed",
                       f"worker process died (exit code {w.process.exitcode}) while reading this file")
            return False
        kind = message[0]
        if kind == "items":
            for item in message[1]:
                job.add(item)
        elif kind == "end":
            for item in message[2]:
                job.add(item)
            task, _ = w.queue.popleft()
            job.ended(task)
            w.began = time.monotonic() if w.queue else None
        elif kind == "progress":
            job.progress(message[1])
            w.began = time.monotonic()  # a long work unit that reports progress is alive
        elif kind == "ready":
            w.ready = True
            w.began = time.monotonic() if w.queue else None
        elif kind == "bye":
            w.closing = True
        return False

