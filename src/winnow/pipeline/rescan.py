"""`winnow calls --rescan`: score the videos and images of a case that have no call-recording score yet (a case
ingested before the detector existed), reading each from the evidence file on disk (read-only, through
evidence/opener.py). Archive members cannot be re-read from here: they are counted and named, and a re-ingest
of their archive scores them."""

from __future__ import annotations

from typing import Any

from winnow.calls.detector import call_options, score_image
from winnow.evidence.opener import open_stream, read_evidence
from winnow.settings import Settings
from winnow.store import audit, db
from winnow.store.case import Case
from winnow.store.db import Connection
from winnow.store.queries import image_facts, unscored_for_calls
from winnow.store.runs import finish_run, start_run
from winnow.store.writer import call_rows, write_calls


def rescan(case: Case, settings: Settings | None = None) -> dict[str, Any]:
    from winnow.signals.video import analyse

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
                values = _video(analyse, chain, sha, case, s) if kind == "video" else _image(conn, chain, sha, case, s)
            except (OSError, ValueError) as exc:
                done["unreadable"] += 1
                audit.append(conn, "calls rescan skipped", {"content": sha, "path": chain, "error": str(exc)})
                continue
            calls, leads = call_rows(sha, values, run_id)
            with db.write(conn):
                write_calls(conn, calls, leads)
            done["videos" if kind == "video" else "images"] += 1
        finish_run(conn, run_id, "completed")
        audit.append(conn, "calls rescan", done)
    finally:
        conn.close()
    return done


def _video(analyse: Any, path: str, sha: str, case: Case, s: Settings) -> dict[str, Any]:
    with open_stream(path) as source:
        result = analyse(source, sha256=sha, thumbs=case.thumbnails, mode=s.video_mode, interval=s.video_interval,
                         min_frames=s.video_min_frames, fps=s.video_fps, max_pixels=s.video_max_pixels,
                         thumbnail_size=s.thumbnail_size, call=call_options(s))
    if "call" not in result.values:
        raise ValueError("; ".join(message for _, message in result.warnings) or "no frame decoded")
    return dict(result.values)


def _image(conn: Connection, path: str, sha: str, case: Case, s: Settings) -> dict[str, Any]:
    return score_image(image_facts(conn, sha), read_evidence(path), sha, case.thumbnails, call_options(s))
