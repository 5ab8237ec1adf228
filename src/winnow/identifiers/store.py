"""The case's identifiers table: one row per (kind, value), interned through a per-run dictionary."""

from __future__ import annotations

import sqlite3


def intern(conn: sqlite3.Connection, kind: str, value: str, cache: dict[tuple[str, str], int]) -> int:
    """The id of (kind, value), inserted when new; `cache` spares the lookups within one run."""
    key = (kind, value)
    found = cache.get(key)
    if found is None:
        conn.execute("INSERT OR IGNORE INTO identifiers (kind, value) VALUES (?, ?)", key)
        found = int(conn.execute("SELECT id FROM identifiers WHERE kind = ? AND value = ?", key).fetchone()[0])
        cache[key] = found
    return found
