"""The hash-set library's SQLite files and every statement on them: the catalog (`library.sqlite`, one row per
set), one file per imported set (`records`, `issues`, `vpdq_frames`), and foreign SQLite inputs (NSRL RDSv3).
`hashsets/library.py` decides what to import and when; matching reads a set through `records_for` on the set's
own connection (no ATTACH of the set to the case store: a PostgreSQL case reads the same SQLite set files)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from winnow.store import db

Row = db.Row
Connection = db.Connection

ATTRS = ("category", "category_raw", "series", "victim_identified", "offender_identified", "is_distributed")
RECORD_COLUMNS = ("hash_type", "value", *ATTRS, "tags", "comments", "media_id", "extra")
CHUNK = 500  # values per IN (...) lookup: under SQLite's and PostgreSQL's parameter limits, measured in
# benchmarks/store_layer.py against a temporary table of the wanted values

_CATALOG = """
CREATE TABLE IF NOT EXISTS sets (
    name TEXT PRIMARY KEY, kind TEXT NOT NULL, format TEXT NOT NULL, file TEXT NOT NULL, source_path TEXT NOT NULL,
    source_sha256 TEXT NOT NULL, imported_utc TEXT NOT NULL, version INTEGER NOT NULL, counts TEXT NOT NULL,
    issues INTEGER NOT NULL, max_distance INTEGER NOT NULL DEFAULT 31
)"""
_CATALOG_COLUMNS = ("name", "kind", "format", "file", "source_path", "source_sha256", "imported_utc", "version",
                    "counts", "issues", "max_distance")
_SET_SCHEMA = (
    "CREATE TABLE records (hash_type TEXT NOT NULL, value TEXT NOT NULL, category TEXT, category_raw TEXT, "
    "series TEXT, victim_identified INTEGER, offender_identified INTEGER, is_distributed INTEGER, tags TEXT, "
    "comments TEXT, media_id TEXT, extra TEXT)",
    "CREATE TABLE issues (position TEXT NOT NULL, message TEXT NOT NULL)",
    "CREATE TABLE vpdq_frames (video TEXT NOT NULL, frame INTEGER NOT NULL, quality INTEGER NOT NULL, "
    "pdq TEXT NOT NULL, seconds REAL NOT NULL)",
)


# ---------------------------------------------------------------------------------------------- connections
def open_catalog(path: Path) -> Connection:
    return db.connect_file(path, "wal")


def open_readonly(path: Path) -> Connection:
    """A set file (or a foreign SQLite input) opened read-only; rows addressable by name and by index."""
    return db.connect_file(path, "readonly")


def create_set(path: Path) -> Connection:
    """A new set file being written in one pass (no journal: a failed import deletes the file)."""
    conn = db.connect_file(path, "bulk")
    for statement in _SET_SCHEMA:
        conn.execute(statement)
    return conn


def create_catalog(conn: Connection) -> None:
    conn.execute(_CATALOG)


# ---------------------------------------------------------------------------------------------- the catalog
def catalog_sets(conn: Connection) -> list[Row]:
    return conn.execute(f"SELECT {', '.join(_CATALOG_COLUMNS)} FROM sets ORDER BY name").fetchall()


def catalog_get(conn: Connection, name: str) -> Row | None:
    row: Row | None = conn.execute(f"SELECT {', '.join(_CATALOG_COLUMNS)} FROM sets WHERE name = ?",
                                   (name,)).fetchone()
    return row


def catalog_put(conn: Connection, values: dict[str, Any]) -> Row | None:
    """Insert or replace the set named values["name"] in one transaction, its version one more than the old
    one's; returns the old row (its file is the caller's to delete) or None."""
    with db.write(conn):
        old = catalog_get(conn, values["name"])
        values = values | {"version": (old["version"] + 1) if old else 1}
        conn.execute(db.upsert("sets", _CATALOG_COLUMNS, ("name",)), tuple(values[c] for c in _CATALOG_COLUMNS))
    return old


def catalog_remove(conn: Connection, name: str) -> None:
    conn.execute("DELETE FROM sets WHERE name = ?", (name,))


# ---------------------------------------------------------------------------------------------- writing a set
def writing(conn: Connection) -> AbstractContextManager[None]:
    """The one transaction a new set file's rows are written in."""
    return db.write(conn)


def add_issue(conn: Connection, position: str, message: str) -> None:
    conn.execute("INSERT INTO issues (position, message) VALUES (?, ?)", (position, message))


def add_vpdq_frames(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows of (video, frame, quality, pdq, seconds)."""
    conn.executemany("INSERT INTO vpdq_frames (video, frame, quality, pdq, seconds) VALUES (?, ?, ?, ?, ?)", rows)


def add_records(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows in RECORD_COLUMNS order."""
    conn.executemany(f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) VALUES "
                     f"({', '.join('?' * len(RECORD_COLUMNS))})", rows)


def index_records(conn: Connection) -> None:
    """Index the committed rows for lookups by value (one pass after the rows: faster than keeping it meanwhile)."""
    conn.execute("CREATE INDEX records_value ON records(value, hash_type)")


# ---------------------------------------------------------------------------------------------- reading a set
def issues(conn: Connection, limit: int) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute("SELECT position, message FROM issues LIMIT ?", (limit,))]


def records(conn: Connection, hash_type: str, value: str) -> list[Row]:
    return conn.execute(f"SELECT {', '.join(RECORD_COLUMNS)} FROM records WHERE value = ? AND hash_type = ?",
                        (value, hash_type)).fetchall()


def records_for(conn: Connection, hash_type: str, values: Sequence[str],
                columns: Sequence[str] = ATTRS) -> dict[str, list[tuple[Any, ...]]]:
    """value -> the `columns` of every record of `hash_type` with that value (in the set's order), for the
    values that have one; looked up CHUNK values at a time."""
    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    unique = sorted(set(values))  # in index order: each chunk reads neighbouring pages (measured 1.8x faster)
    sql = f"SELECT {', '.join(('value', *columns))} FROM records WHERE hash_type = ? AND value IN ({{}})"
    full = sql.format(", ".join("?" * CHUNK))
    for start in range(0, len(unique), CHUNK):
        part = unique[start:start + CHUNK]
        for row in conn.execute(full if len(part) == CHUNK else sql.format(", ".join("?" * len(part))),
                                (hash_type, *part)):
            found[row[0]].append(row[1:])
    return dict(found)


def vpdq_frames(conn: Connection) -> Iterator[tuple[str, int, int, str, float]]:
    """(video, frame, quality, pdq, seconds) of every known video's frames, by video and frame."""
    for row in conn.execute("SELECT video, frame, quality, pdq, seconds FROM vpdq_frames ORDER BY video, frame"):
        yield row[0], row[1], row[2], row[3], row[4]


# ---------------------------------------------------------------------------------------------- foreign inputs
def nsrl_columns(conn: Connection) -> set[str]:
    """The lower-cased column names of an NSRL RDSv3 database's FILE table (empty when it has none)."""
    return {c.lower() for c in db.table_columns(conn, "FILE")}


def nsrl_rows(conn: Connection, wanted: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """(position, *wanted columns) of every FILE row, in the file's order (the position names a bad row)."""
    cursor = conn.execute(f"SELECT rowid, {', '.join(wanted)} FROM FILE")
    yield from cursor


# ---------------------------------------------------------------------------------------------- reference pictures
# A set built from a folder of pictures (`winnow hashset build`) also keeps, per picture, what near-duplicate
# matching needs when it has the reference's pixels: the picture's PDQ and size, its thumbnail (a file beside the
# set), and its stored variants (centre crops, rotations, the border-removed picture), whose hashes are the rows
# of the set's `.variants.npy` in `position` order.
_PICTURE_SCHEMA = (
    "CREATE TABLE pictures (sha256 TEXT PRIMARY KEY, pdq TEXT NOT NULL, quality INTEGER NOT NULL, "
    "width INTEGER NOT NULL, height INTEGER NOT NULL, thumbnail TEXT NOT NULL, source TEXT NOT NULL)",
    "CREATE TABLE picture_variants (position INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, variant TEXT NOT NULL, "
    "radius INTEGER NOT NULL)",
)
PICTURE_COLUMNS = ("sha256", "pdq", "quality", "width", "height", "thumbnail", "source")
VARIANT_COLUMNS = ("position", "sha256", "variant", "radius")


def open_set(path: Path) -> Connection:
    """A set file being completed in the same pass that wrote it (the reference pictures of a built set)."""
    return db.connect_file(path, "bulk")


def add_pictures(conn: Connection, pictures: Sequence[tuple[Any, ...]],
                 variants: Sequence[tuple[Any, ...]]) -> None:
    """The pictures (PICTURE_COLUMNS rows) and their variants (VARIANT_COLUMNS rows) of a built set, in one
    transaction."""
    with db.write(conn):
        for statement in _PICTURE_SCHEMA:
            conn.execute(statement)
        conn.executemany(f"INSERT INTO pictures ({', '.join(PICTURE_COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(PICTURE_COLUMNS))})", pictures)
        conn.executemany(f"INSERT INTO picture_variants ({', '.join(VARIANT_COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(VARIANT_COLUMNS))})", variants)


def has_pictures(conn: Connection) -> bool:
    return "sha256" in {c.lower() for c in db.table_columns(conn, "pictures")}


def pictures(conn: Connection) -> dict[str, Row]:
    """sha256 -> the picture's row (PICTURE_COLUMNS) of a built set."""
    return {r["sha256"]: r for r in conn.execute(f"SELECT {', '.join(PICTURE_COLUMNS)} FROM pictures")}


def picture_variants(conn: Connection) -> list[Row]:
    """The stored variants of a built set's pictures, in the order of the set's `.variants.npy`."""
    return conn.execute(f"SELECT {', '.join(VARIANT_COLUMNS)} FROM picture_variants ORDER BY position").fetchall()
