"""`winnow calls --rescan`: score the videos and images of a case that have no call-recording score yet (a case
ingested before the detector existed), reading each from the evidence file on disk (read-only, through
evidence/opener.py). Archive members cannot be re-read from here: they are counted and named, and a re-ingest
of their archive scores them."""

from __future__ import annotations

from typing import Any

from winnow.evidence.opener import open_stream, read_evidence
from winnow.settings import Settings
from winnow.signals.base import Job
from winnow.signals.call import CallSignal
from winnow.signals.video import VideoSignal
from winnow.store import audit
from winnow.store.case import Case
from winnow.store.db import Connection
from winnow.store.queries import image_facts, unscored_for_calls
from winnow.store.runs import finish_run, start_run
from winnow.store.writer import write_output

CALL = CallSignal()


def rescan(case: Case, settings: Settings | None = None) -> dict[str, Any]:
    s = settings or Settings()
    conn = case.connect()
    run_id = start_run(conn, "calls rescan", s)
    done = {"videos": 0, "images": 0, "archive_members": 0, "unreadable": 0}
    try:
        todo = unscored_for_calls(conn)
        for sha, kind, chain in todo:
            if chain is None:
                done["archive_members"] += 1
                continue
            try:
                values = _video(chain, sha, case, s) if kind == "video" else _image(conn, chain, sha, case, s)
            except (OSError, ValueError) as exc:
                done["unreadable"] += 1
                audit.append(conn, "calls rescan skipped", {"content": sha, "path": chain, "error": str(exc)})
                continue
            out = CALL.output(sha, values)
            write_output(conn, out.rows, out.sightings, run_id)
            done["videos" if kind == "video" else "images"] += 1
        finish_run(conn, run_id, "completed")
        audit.append(conn, "calls rescan", done)
    finally:
        conn.close()
    return done


def _video(path: str, sha: str, case: Case, s: Settings) -> dict[str, Any]:
    """The video signal again (for its sampled frames; its row is already stored), then the call signal."""
    job = Job(sha, "video", None, s, case.thumbnails, open=lambda: open_stream(path))
    video = VideoSignal().compute(job)
    job.found["video"] = video.values
    result = CALL.compute(job)
    if result is None or "call" not in result.values:
        raise ValueError("; ".join(message for _, message in video.warnings) or "no frame decoded")
    return result.values


def _image(conn: Connection, path: str, sha: str, case: Case, s: Settings) -> dict[str, Any]:
    job = Job(sha, "image", None, s, case.thumbnails, data=read_evidence(path),
              found={"image": image_facts(conn, sha)})
    result = CALL.compute(job)
    if result is None or "call" not in result.values:
        raise ValueError("; ".join(message for _, message in result.warnings) if result else "no PDQ hash")
    return result.values
