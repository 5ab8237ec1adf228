"""Connections to the hash-set library's SQLite files: the catalog (`library.sqlite`), one file per imported set,
and foreign SQLite inputs (NSRL RDSv3). Only this module knows the driver; the statements themselves still live in
`hashsets/` (moving them here is the store-layer work of issue #13)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

Row = sqlite3.Row


def open_catalog(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.row_factory = sqlite3.Row
    return conn


def open_readonly(path: Path) -> sqlite3.Connection:
    """A set file (or a foreign SQLite input) opened read-only; rows addressable by name and by index."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def create_set(path: Path) -> sqlite3.Connection:
    """A new set file being written in one pass (no journal: a failed import deletes the file)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    return conn
