"""Opening the case store: WAL mode, foreign keys, migrations to the current schema version."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from winnow.store.schema import MIGRATIONS, SCHEMA_VERSION

Connection = sqlite3.Connection  # the type parts outside store/ annotate with (they never import the driver)


class StoreError(Exception):
    """The case store cannot be used (missing, newer than this tool, corrupt)."""


def connect(path: Path, *, readonly: bool = False, timeout: float = 60.0) -> sqlite3.Connection:
    if readonly:
        if not path.exists():
            raise StoreError(f"no case store at {path}")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout, isolation_level=None)
    else:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.row_factory = sqlite3.Row
    return conn


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the store to SCHEMA_VERSION, one migration per transaction; returns the version reached."""
    current = user_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"case store has schema version {current}, newer than this tool's {SCHEMA_VERSION}: upgrade winnow"
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        script = MIGRATIONS[version - 1]
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    """The script's statements; a trigger body's own semicolons stay inside its statement."""
    out, pending = [], ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                out.append(pending.strip().rstrip(";"))
            pending = ""
    return out


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction taken at once (BEGIN IMMEDIATE), committed on success, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
