"""Runs and sources: which command, tool and library versions and settings produced the case's rows."""

from __future__ import annotations

import json
from typing import Any, Literal, get_args

from winnow import __version__
from winnow.settings import Settings
from winnow.store import db
from winnow.store.db import Connection
from winnow.timeutil import utc_now
from winnow.versions import library_versions

# the one vocabulary of a run's state (runs.status): running until it ends completed, interrupted or failed
RunStatus = Literal["running", "completed", "interrupted", "failed"]
RUN_STATUSES: tuple[str, ...] = get_args(RunStatus)


def start_run(conn: Connection, command: str, settings: Settings, signals: dict[str, int] | None = None) -> int:
    """A new run, with the tool's, the libraries' and the database engine's versions (and the versions of the
    signals it computes)."""
    versions = library_versions() | {db.dialect(conn): db.engine_version(conn)} | (signals or {})
    with db.write(conn):
        row = conn.execute(
            "INSERT INTO runs(started_utc, command, status, tool_version, versions, settings) VALUES (?,?,?,?,?,?) "
            "RETURNING id", (utc_now(), command, "running", __version__, json.dumps(versions, sort_keys=True),
                             json.dumps(settings.as_dict(), sort_keys=True))).fetchone()
    return int(row[0])


def finish_run(conn: Connection, run_id: int, status: RunStatus) -> None:
    if status not in RUN_STATUSES[1:]:
        raise ValueError(f"a run ends {', '.join(RUN_STATUSES[1:])}, not {status!r}")
    if status == "completed" and conn.in_transaction:
        raise RuntimeError(f"run {run_id} cannot be recorded completed inside an open transaction")
    db.abandon(conn)  # a batch an interrupt or an error cut short: rolled back, not committed with the run's end
    conn.execute("UPDATE runs SET finished_utc=?, status=? WHERE id=?", (utc_now(), status, run_id))


def register_source(conn: Connection, path: str, kind: str, run_id: int) -> int:
    row = conn.execute("SELECT id FROM sources WHERE path=?", (path,)).fetchone()
    if row:
        return int(row[0])
    with db.write(conn):
        found = conn.execute("INSERT INTO sources(path, kind, added_utc, run_id) VALUES (?,?,?,?) RETURNING id",
                             (path, kind, utc_now(), run_id)).fetchone()
    return int(found[0])


def save_progress(conn: Connection, run_id: int, stats: Any) -> None:
    """A running ingest's counters (about once a second, outside the writer's batches), for the live view."""
    conn.execute(db.upsert("run_progress", ("run_id", "files_done", "bytes_done", "items", "warnings", "total_files",
                                            "total_bytes", "total_known", "updated_utc"), ("run_id",)),
                 (run_id, stats.files_done, stats.bytes_done, stats.items, stats.warnings, stats.total_files,
                  stats.total_bytes, int(stats.total_known), utc_now()))


def recent(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    """The latest runs with their progress (ingest runs save it; other commands have none)."""
    rows = conn.execute(
        "SELECT r.id, r.command, r.status, r.started_utc, r.finished_utc, r.tool_version, p.files_done, "
        "p.bytes_done, p.items, p.warnings, p.total_files, p.total_bytes, p.total_known, p.updated_utc "
        "FROM runs r LEFT JOIN run_progress p ON p.run_id = r.id ORDER BY r.id DESC LIMIT ?", (limit,)).fetchall()
    return [dict(r) for r in rows]


def running(conn: Connection) -> list[dict[str, Any]]:
    """The runs still marked running, each with its last sign of life (its progress row, else its start)."""
    rows = conn.execute(
        "SELECT r.id, r.command, r.started_utc, p.updated_utc FROM runs r LEFT JOIN run_progress p "
        "ON p.run_id = r.id WHERE r.status = 'running' ORDER BY r.id").fetchall()
    return [{"id": r[0], "command": r[1], "last_utc": r[3] or r[2]} for r in rows]
