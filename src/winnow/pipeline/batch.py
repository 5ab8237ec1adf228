"""One batch of tasks, run where a cluster's worker runs it (the Dask executor's task function): the same
Processor as a local worker process, the same messages back, in the same order as the local pool's pipe would
carry them. Nothing here imports Dask or writes the case store; results go back to the one writer.

A file that hangs gets a per-file timeout inside the batch: the batch returns what it has, marks the file
'timeout' and the files after it 'not_run', and this process refuses further batches until it is restarted (the
hung thread cannot be stopped). A file that crashes the process loses the batch; the client then runs that
batch's files one per task, so only the bad file gets the warning."""

from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from winnow.messages import DiskUnitTask, FileTask, MemberRangeTask, Progress

Task = FileTask | MemberRangeTask | DiskUnitTask

_poisoned = False  # a hung thread is left in this process: refuse further work until the process is replaced
_runners: dict[int, queue.Queue[tuple[dict[str, Any], list[Task], queue.Queue[tuple[Any, ...]]]]] = {}
_lock = threading.Lock()


@dataclass
class _State:
    """The per-process processing state of one case: the Processor and the read-only store it asks what is
    already known (None when the store is not visible from this machine: then nothing is skipped)."""

    processor: Any
    store: Any
    items: list[Any] = field(default_factory=list)


def _state(states: dict[tuple[str, str, str], _State], config: dict[str, Any]) -> _State:
    """The runner thread's state for this case (made in that thread: its SQLite connection stays there)."""
    from winnow.pipeline.process import Processor
    from winnow.settings import Settings
    from winnow.store import db, resume

    key = (config["store"], config.get("run", ""), repr(sorted(config["settings"].items())))
    if key in states:
        return states[key]
    for old in states.values():  # an earlier run's state: what it analysed may never have been written
        if old.store is not None:
            old.store.close()
    states.clear()
    store = None
    if db.is_url(config["store"]) or os.path.exists(config["store"]):  # a PostgreSQL URL, or the SQLite file
        try:
            store = db.connect(config["store"], readonly=True)
        except Exception:  # not readable here: every content is analysed (writes are idempotent)
            store = None
    state = _State(None, store)

    # the store is read over shared storage from other machines: a read that fails only means "not known here"
    # (the content is analysed again, the member read again: the writes are idempotent)
    def known_signals(sha256: str, tables: tuple[str, ...]) -> set[str]:
        try:
            return resume.signals_known(store, sha256, tables) if store is not None else set()
        except Exception:  # the store driver's error (this module imports no SQL driver)
            return set()

    def done_under(chain: str) -> dict[str, str]:
        try:
            return resume.statuses_under(store, chain) if store is not None else {}
        except Exception:  # the store driver's error (this module imports no SQL driver)
            return {}

    thumbs = Path(config["thumbs"]) if config.get("thumbs") else None
    tmp = Path(config["tmp"])
    tmp.mkdir(parents=True, exist_ok=True)
    state.processor = Processor(Settings(**config["settings"]), thumbs, tmp, state.items.append,
                                known_signals, done_under)
    states[key] = state
    return state


def _process(state: _State, task: Task, out: queue.Queue[tuple[Any, ...]]) -> None:
    from winnow.pipeline.tasks import run_task

    processor = state.processor
    items = state.items
    items.clear()

    def emit(item: Any) -> None:
        if isinstance(item, Progress):
            out.put(("progress", item.nbytes))
        else:
            items.append(item)

    processor.emit = emit
    run_task(processor, task)
    out.put(("end", task.task_id, items[:]))
    items.clear()


def _serve(inbox: queue.Queue[tuple[dict[str, Any], list[Task], queue.Queue[tuple[Any, ...]]]]) -> None:
    """A runner thread (one per Dask executor thread, for the life of the process): runs the batches its
    Dask thread hands it, so that a hung file leaves the Dask thread free to return."""
    states: dict[tuple[str, str, str], _State] = {}
    while True:
        config, tasks, out = inbox.get()
        for task in tasks:
            try:
                _process(_state(states, config), task, out)
            except BaseException as exc:  # the Processor keeps a file's faults to its record: this is the tool's
                out.put(("error", task.task_id, f"{type(exc).__name__}: {exc}"))
                break


def _inbox() -> queue.Queue[tuple[dict[str, Any], list[Task], queue.Queue[tuple[Any, ...]]]]:
    caller = threading.get_ident()
    with _lock:
        if caller not in _runners:
            _runners[caller] = queue.Queue()
            threading.Thread(target=_serve, args=(_runners[caller],), daemon=True, name="winnow-batch").start()
        return _runners[caller]


def worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return ""


def run_batch(tasks: list[Task], config: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run the tasks in order; returns {"messages": [...], "timeout": task id or None, "not_run": [task ids],
    "worker": address}. The messages are the local pool's: ("progress", nbytes), ("end", task_id, items),
    ("items", items) and ("error", task_id, text). `timeout` is per task, counted again from each progress."""
    global _poisoned
    result: dict[str, Any] = {"messages": [], "timeout": None, "not_run": [], "worker": worker_address()}
    if _poisoned:
        result["not_run"] = [t.task_id for t in tasks]
        return result
    out: queue.Queue[tuple[Any, ...]] = queue.Queue()
    _inbox().put((config, tasks, out))
    pending = [t.task_id for t in tasks]
    messages: list[tuple[Any, ...]] = result["messages"]
    while pending:
        try:
            message = out.get(timeout=timeout)
        except queue.Empty:
            _poisoned = True
            result["timeout"] = pending[0]
            result["not_run"] = pending[1:]
            return result
        messages.append(message)
        if message[0] in ("end", "error"):
            pending.pop(0)
            if message[0] == "error":
                result["not_run"] = pending
                return result
    return result


def worker_facts(paths: list[str], case_folders: list[str]) -> dict[str, Any]:
    """What the client checks on every worker before a run: the winnow version, which evidence paths it cannot
    read, and which case folders (thumbnails) it cannot write."""
    import winnow

    missing = [p for p in paths if not (os.path.exists(p) and os.access(p, os.R_OK))]
    unwritable = [p for p in case_folders if not (os.path.isdir(p) and os.access(p, os.W_OK | os.X_OK))]
    return {"version": winnow.__version__, "missing": missing, "unwritable": unwritable, "pid": os.getpid()}
