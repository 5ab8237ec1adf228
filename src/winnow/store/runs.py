"""Runs and sources: which command, tool and library versions and settings produced the case's rows."""

from __future__ import annotations

import json
import sqlite3
from typing import Literal, get_args

from winnow import __version__
from winnow.settings import Settings
from winnow.timeutil import utc_now
from winnow.versions import library_versions

# the one vocabulary of a run's state (runs.status): running until it ends completed, interrupted or failed
RunStatus = Literal["running", "completed", "interrupted", "failed"]
RUN_STATUSES: tuple[str, ...] = get_args(RunStatus)


def start_run(conn: sqlite3.Connection, command: str, settings: Settings) -> int:
    conn.execute("BEGIN IMMEDIATE")
    cur = conn.execute(
        "INSERT INTO runs(started_utc, command, status, tool_version, versions, settings) VALUES (?,?,?,?,?,?)",
        (utc_now(), command, "running", __version__, json.dumps(library_versions(), sort_keys=True),
         json.dumps(settings.as_dict(), sort_keys=True)),
    )
    conn.execute("COMMIT")
    return int(cur.lastrowid or 0)


def finish_run(conn: sqlite3.Connection, run_id: int, status: RunStatus) -> None:
    if status not in RUN_STATUSES[1:]:
        raise ValueError(f"a run ends {', '.join(RUN_STATUSES[1:])}, not {status!r}")
    conn.execute("UPDATE runs SET finished_utc=?, status=? WHERE id=?", (utc_now(), status, run_id))


def register_source(conn: sqlite3.Connection, path: str, kind: str, run_id: int) -> int:
    row = conn.execute("SELECT id FROM sources WHERE path=?", (path,)).fetchone()
    if row:
        return int(row[0])
    conn.execute("BEGIN IMMEDIATE")
    cur = conn.execute("INSERT INTO sources(path, kind, added_utc, run_id) VALUES (?,?,?,?)",
                       (path, kind, utc_now(), run_id))
    conn.execute("COMMIT")
    return int(cur.lastrowid or 0)
