"""A worker process: receives FileTasks on its own pipe, sends Records back on it. One pipe per worker, so a
worker that crashes or is killed never leaves a shared lock held."""

from __future__ import annotations

import ctypes
import os
import signal
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from winnow.messages import DiskUnitTask, FileTask, MemberRangeTask, Progress
from winnow.pipeline.process import Processor
from winnow.pipeline.tasks import CRASH_ENV, HANG_ENV, SLOW_ENV, run_task
from winnow.settings import Settings
from winnow.store import db, resume

__all__ = ["CRASH_ENV", "HANG_ENV", "SLOW_ENV", "DIE_ENV", "worker_main"]
DIE_ENV = "WINNOW_FAULT_DIE_AT_START"  # a worker that cannot start (broken installation)


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the runner dies (kill -9 of the runner leaves no orphans)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def worker_main(conn: Connection, config: dict[str, Any], parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner decides how to stop
    if os.environ.get(DIE_ENV):
        os._exit(3)
    _die_with_parent()
    if os.getppid() != parent_pid:
        return
    settings = Settings(**config["settings"])
    if settings.worker_memory_mb > 0:  # a decoder that balloons fails on its file, not the machine
        import resource

        cap = settings.worker_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    store = db.connect(_location(config["store"]), readonly=True)

    def known_signals(sha256: str, tables: tuple[str, ...]) -> set[str]:
        return resume.signals_known(store, sha256, tables)

    def done_under(chain: str) -> dict[str, str]:
        return resume.statuses_under(store, chain)

    thumbs = Path(config["thumbs"]) if config.get("thumbs") else None
    buffer: list[Any] = []

    def emit(item: Any) -> None:
        """Results travel with the file's 'end' message (one message per small file); a big archive sends
        them on in chunks, so that a crash keeps what was done."""
        if isinstance(item, Progress):
            if buffer:
                conn.send(("items", buffer[:]))
                buffer.clear()
            conn.send(("progress", item.nbytes))
            return
        buffer.append(item)
        if len(buffer) >= 256:
            conn.send(("items", buffer[:]))
            buffer.clear()

    processor = Processor(settings, thumbs, Path(config["tmp"]), emit, known_signals, done_under)
    conn.send(("ready",))
    while True:
        try:
            task: FileTask | MemberRangeTask | DiskUnitTask | None = conn.recv()
        except EOFError:
            return
        if task is None:
            conn.send(("bye",))
            return
        run_task(processor, task)
        conn.send(("end", task.task_id, buffer[:]))
        buffer.clear()


def _location(store: str) -> Path | str:
    """The case store the planner named: a PostgreSQL URL as it is, a SQLite file as a path."""
    return store if db.is_url(store) else Path(store)
