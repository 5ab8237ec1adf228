"""`winnow calls --rescan`: score the videos and images of a case that have no call-recording score yet (a case
ingested before the detector existed), reading each from the evidence file on disk (read-only, through
evidence/opener.py). Archive members cannot be re-read from here: they are counted and named, and a re-ingest
of their archive scores them. The scoring runs here (local) or on a Dask cluster (`--executor dask`, batches of
items, results written here as they come); the writes are idempotent either way."""

from __future__ import annotations

import errno
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from winnow.pipeline.executors import ExecutorOptions
from winnow.pipeline.stats import Stats
from winnow.settings import Settings
from winnow.signals.base import Job
from winnow.signals.call import CallSignal
from winnow.signals.video import VideoSignal
from winnow.store import audit
from winnow.store.case import Case
from winnow.store.queries import image_facts, unscored_for_calls
from winnow.store.runs import finish_run, save_progress, start_run
from winnow.store.writer import write_output

CALL = CallSignal()

Item = tuple[str, str, str, dict[str, Any]]  # sha256, kind, evidence path, the image's stored facts


def rescan(case: Case, settings: Settings | None = None, executor: ExecutorOptions | None = None) -> dict[str, Any]:
    s = settings or Settings()
    options = executor or ExecutorOptions()
    conn = case.connect()
    done = {"videos": 0, "images": 0, "archive_members": 0, "unreadable": 0}
    remote = None
    try:
        if options.name != "local":  # connected and checked before anything is written
            from winnow.pipeline.executors import make_executor
            from winnow.pipeline.ingest import worker_config

            remote = make_executor(options, s)
            remote.start([], worker_config(case, s))
        run_id = start_run(conn, "calls rescan", s, {f"signal:{CALL.name}": CALL.version})
        items: list[Item] = []
        for sha, kind, chain in unscored_for_calls(conn):
            if chain is None:
                done["archive_members"] += 1
                continue
            items.append((sha, kind, chain, image_facts(conn, sha) if kind != "video" else {}))
        thumbs = str(case.thumbnails)
        progress = Stats(total_files=len(items), total_known=True)
        save_progress(conn, run_id, progress)  # the run's sign of life: the live view, `case copy`'s running check
        saved = time.monotonic()
        results: Iterator[tuple[Item, dict[str, Any] | str]]
        if remote is not None:
            results = remote.map_items(score_items, items, thumbs, s.as_dict())  # type: ignore[attr-defined]
        else:
            results = ((item, score) for item in items for score in score_items([item], thumbs, s.as_dict()))
        for (sha, kind, chain, _), values in results:
            progress.files_done += 1
            if time.monotonic() - saved >= 1.0:
                save_progress(conn, run_id, progress)
                saved = time.monotonic()
            if isinstance(values, str):
                done["unreadable"] += 1
                progress.warnings += 1
                audit.append(conn, "calls rescan skipped", {"content": sha, "path": chain, "error": values})
                continue
            out = CALL.output(sha, values)
            write_output(conn, out.rows, out.sightings, run_id)
            progress.items += 1
            done["videos" if kind == "video" else "images"] += 1
        save_progress(conn, run_id, progress)
        finish_run(conn, run_id, "completed")
        audit.append(conn, "calls rescan", done)
    finally:
        if remote is not None:
            remote.close()
        conn.close()
    return done


def score_items(items: list[Item], thumbs: str, settings: dict[str, Any]) -> list[dict[str, Any] | str]:
    """The call values of each item, or the one-line reason it could not be read (runs where the executor runs
    it: this process, or a Dask worker)."""
    s = Settings(**settings)
    out: list[dict[str, Any] | str] = []
    for sha, kind, chain, facts in items:
        try:
            out.append(_video(chain, sha, Path(thumbs), s) if kind == "video" else
                       _image(facts, chain, sha, Path(thumbs), s))
        except Exception as exc:  # a decoder's or the OCR's fault on one file: named, the rescan goes on
            if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                raise
            out.append(str(exc))
    return out


def _video(path: str, sha: str, thumbs: Path, s: Settings) -> dict[str, Any]:
    """The video signal again (for its sampled frames; its row is already stored), then the call signal."""
    from winnow.evidence.opener import open_stream

    job = Job(sha, "video", None, s, thumbs, open=lambda: open_stream(path))
    video = VideoSignal().compute(job)
    job.found["video"] = video.values
    result = CALL.compute(job)
    if result is None or "call" not in result.values:
        raise ValueError("; ".join(message for _, message in video.warnings) or "no frame decoded")
    return result.values


def _image(facts: dict[str, Any], path: str, sha: str, thumbs: Path, s: Settings) -> dict[str, Any]:
    from winnow.evidence.opener import read_evidence

    result = CALL.compute(Job(sha, "image", None, s, thumbs, data=read_evidence(path), found={"image": facts}))
    if result is None or "call" not in result.values:
        raise ValueError("; ".join(message for _, message in result.warnings) if result else "no PDQ hash")
    return result.values
