"""Opening the case store: WAL mode, foreign keys, migrations to the current schema version; and the one place
that knows the engine. Every statement of `store/` is written in a portable subset (docs/architecture.md, "Store
layer"); what cannot be said portably is a helper here (`write`, `dialect`, `json_array_agg`, `contains`,
`IntegrityError`, ...), so an adapter for another engine changes this module, not the queries."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast
from urllib.parse import urlsplit, urlunsplit

from winnow.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    from winnow.store.pg import PgConnection

class Cursor(Protocol):
    """What the store reads from a statement's result, on either engine (sqlite3.Cursor, store.pg.PgCursor)."""

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchmany(self, size: int = ..., /) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...
    def close(self) -> None: ...
    @property
    def rowcount(self) -> int: ...
    @property
    def lastrowid(self) -> int | None: ...
    @property
    def description(self) -> Any: ...


class Connection(Protocol):
    """The case store's connection as every part annotates it (none imports a driver): the subset of
    sqlite3.Connection that store.pg.PgConnection also presents. Type-checking against this, not sqlite3's full
    API, is what keeps an engine-specific call out of the queries (mypy finds it)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...
    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def close(self) -> None: ...
    @property
    def in_transaction(self) -> bool: ...
    @property
    def total_changes(self) -> int: ...


Row = sqlite3.Row
IntegrityError = sqlite3.IntegrityError  # a constraint refused a row (a duplicate name, a reference to nothing)
DatabaseError = sqlite3.DatabaseError  # the file is not a store, or is corrupt


class StoreError(Exception):
    """The case store cannot be used (missing, newer than this tool, corrupt)."""


URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(location: Path | str) -> bool:
    """True when a case's location is a PostgreSQL database URL rather than a SQLite file."""
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def safe_url(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def check_url(url: str) -> None:
    """A one-line StoreError for a database URL winnow cannot use (empty, another engine, no database name)."""
    if not url.strip():
        raise StoreError("empty database URL: give --db postgresql://USER@HOST:PORT/DBNAME (or leave --db out "
                         "for a SQLite case)")
    if not url.startswith(URL_SCHEMES):
        raise StoreError(f"unsupported database URL {safe_url(url)!r}: a case is stored in SQLite (no --db) or "
                         "PostgreSQL (postgresql://USER@HOST:PORT/DBNAME)")
    if not urlsplit(url).path.strip("/"):
        raise StoreError(f"database URL {safe_url(url)!r} names no database: postgresql://USER@HOST:PORT/DBNAME")


def _connect_pg(url: str, readonly: bool, timeout: float) -> PgConnection:
    check_url(url)
    try:
        from winnow.store import pg
    except ImportError as exc:
        raise StoreError(f"this case is stored in PostgreSQL and psycopg is not installed ({exc.name}): "
                         "pip install 'winnow[pg]'") from exc
    try:
        return pg.open_url(url, readonly=readonly, timeout=min(timeout, 10.0))
    except pg.Error as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise StoreError(f"cannot connect to the case database {safe_url(url)}: {detail}") from exc


def connect(location: Path | str, *, readonly: bool = False, timeout: float = 60.0) -> Connection:
    """A connection to the case store at `location`: a SQLite file, or a postgresql:// URL (store/pg.py)."""
    if isinstance(location, str):
        if is_url(location) or "://" in location or not location.strip():
            return _connect_pg(location, readonly, timeout)
        location = Path(location)
    path = location
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


def connect_file(path: Path, mode: Literal["wal", "readonly", "bulk"]) -> sqlite3.Connection:
    """A SQLite file other than a case store (the hash-set library's catalog and set files, a foreign input):
    "wal" for the catalog (readers beside one writer), "readonly" for reading a set or an input, "bulk" for a
    new set file written in one pass (no journal: a failed import deletes the file)."""
    if mode == "readonly":
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    elif mode == "wal":
        conn = sqlite3.connect(path, timeout=60, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
    else:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        return conn
    conn.row_factory = sqlite3.Row
    return conn


def user_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _is_pg(conn: object) -> bool:
    return type(conn) is not sqlite3.Connection and getattr(conn, "dialect", "") == "postgresql"


def schema_version(conn: Connection) -> int:
    """The store's schema version (PRAGMA user_version on SQLite, the schema_version table on PostgreSQL)."""
    if _is_pg(conn):
        from winnow.store import pg

        return pg.schema_version(cast("PgConnection", conn))
    return user_version(conn)


_ADD_COLUMN = re.compile(r"\s*ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)", re.IGNORECASE)


def _added_already(conn: Connection, statement: str) -> bool:
    """An ADD COLUMN whose column exists (a migration run again: a copied case, an interrupted upgrade) is
    skipped: SQLite has no ADD COLUMN IF NOT EXISTS."""
    found = _ADD_COLUMN.match(statement)
    if found is None:
        return False
    table, column = found.groups()
    return any(row[1] == column for row in conn.execute(f"PRAGMA table_info({table})"))


def migrate(conn: Connection) -> int:
    """Bring the store to SCHEMA_VERSION, one migration per transaction; returns the version reached."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"case store has schema version {current}, newer than this tool's {SCHEMA_VERSION}: upgrade winnow"
        )
    if current == SCHEMA_VERSION:
        return SCHEMA_VERSION
    if _is_pg(conn):
        from winnow.store import pg

        try:
            pg.migrate(cast("PgConnection", conn), current)
        except pg.MigrationFailed as exc:
            raise StoreError(str(exc)) from exc
        return SCHEMA_VERSION
    # a migration may rebuild a table (a new primary key): foreign keys are off meanwhile (SQLite ignores the
    # switch inside a transaction), and checked before each migration commits
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        for version in range(current + 1, SCHEMA_VERSION + 1):
            script = MIGRATIONS[version - 1]
            with write(conn):
                for statement in _statements(script):
                    if not _added_already(conn, statement):
                        conn.execute(statement)
                broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(f"migration {version} left {len(broken)} rows that refer to nothing "
                                     f"(first in table {broken[0][0]})")
                conn.execute(f"PRAGMA user_version={version}")
    finally:
        conn.execute("PRAGMA foreign_keys=ON")
    return SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    """The script's statements; a trigger body's inner semicolons stay inside its statement."""
    out: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                out.append(pending.strip().rstrip(";").strip())
            pending = ""
    if pending.strip(" \n;"):
        out.append(pending.strip().rstrip(";").strip())
    return out


@contextmanager
def write(conn: Connection) -> Iterator[None]:
    """One write transaction, its lock taken at once (BEGIN IMMEDIATE on SQLite: a second writer waits here, not
    halfway through), committed on success, rolled back on any error. The only way `store/` opens a write.
    On PostgreSQL: BEGIN and the case's advisory write lock (store/pg.py), the same queueing of writers."""
    try:
        begin(conn)  # inside the try: Ctrl-C while the lock is awaited must not leave the transaction open
        yield
        conn.execute("COMMIT")
    except BaseException:
        abandon(conn)
        raise


def begin(conn: Connection) -> None:
    """BEGIN a write transaction with its lock (see `write`, the one caller outside tests)."""
    if _is_pg(conn):
        from winnow.store import pg

        pg.begin_write(cast("PgConnection", conn))
    else:
        conn.execute("BEGIN IMMEDIATE")


def abandon(conn: Connection) -> None:
    """Roll back whatever transaction is open on the connection (none: nothing to do), even one an interrupt
    left mid-statement (PostgreSQL: `PgConnection.abandon`)."""
    if _is_pg(conn):
        cast("PgConnection", conn).abandon()
    elif conn.in_transaction:
        conn.execute("ROLLBACK")


def upsert(table: str, columns: tuple[str, ...], key: tuple[str, ...]) -> str:
    """INSERT of one row that replaces the non-key columns of the row with the same `key` (portable SQL: SQLite
    >= 3.24 and PostgreSQL both read ON CONFLICT ... DO UPDATE)."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT ({', '.join(key)}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING"))


def dialect(conn: Connection) -> str:
    """The engine behind a connection: "sqlite" or "postgresql"."""
    return "postgresql" if _is_pg(conn) else "sqlite"


def engine_version(conn: Connection | None = None) -> str:
    """The database engine's version, recorded with every run (the server's on PostgreSQL)."""
    if conn is not None and _is_pg(conn):
        from winnow.store import pg

        return pg.server_version(cast("PgConnection", conn))
    return sqlite3.sqlite_version


def table_columns(conn: Connection, table: str) -> list[str]:
    """A table's column names in their order (also of a foreign SQLite input, e.g. NSRL's FILE table)."""
    if _is_pg(conn):
        from winnow.store import pg

        return pg.table_columns(cast("PgConnection", conn), table)
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")]


# the engine's own tables a case store holds beside winnow's: SQLite's FTS5 index of chat messages (kept by
# triggers from chat_messages) and its internal tables; PostgreSQL's schema_version (SQLite: PRAGMA user_version)
_ENGINE_TABLES = ("sqlite_", "chat_fts", "schema_version")


def case_tables(conn: Connection) -> set[str]:
    """The names of winnow's tables in a case store (the engine's own tables left out)."""
    if _is_pg(conn):
        from winnow.store import pg

        names = pg.table_names(cast("PgConnection", conn))
    else:
        names = [str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n for n in names if not n.startswith(_ENGINE_TABLES)}


@contextmanager
def snapshot(conn: Connection) -> Iterator[None]:
    """One read-only transaction: every read inside it sees the store as it was at the first read, whatever
    other connections commit meanwhile (SQLite's WAL read snapshot; REPEATABLE READ on PostgreSQL), so a copy
    read table by table is one consistent state. Writers are not held up."""
    try:
        if _is_pg(conn):
            from winnow.store import pg

            pg.begin_snapshot(cast("PgConnection", conn))
        else:
            conn.execute("BEGIN")
        yield
    finally:
        abandon(conn)


def stream(conn: Connection, sql: str, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of one query as plain tuples, `size` at a time, never all in memory (a server-side cursor on
    PostgreSQL: call it inside `snapshot` or `write`)."""
    if _is_pg(conn):
        from winnow.store import pg

        yield from pg.stream(cast("PgConnection", conn), sql, size)
        return
    cursor = cast(sqlite3.Connection, conn).cursor()  # SQLite here: plain tuples, not Rows
    cursor.row_factory = None
    cursor.execute(sql)
    while batch := cursor.fetchmany(size):
        yield batch
    cursor.close()


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Rows appended to `table` as they are (no conflict handling, column names quoted): COPY on PostgreSQL,
    executemany on SQLite. For a table the caller knows holds none of them (a new case being filled)."""
    if _is_pg(conn):
        from winnow.store import pg

        pg.copy_in(cast("PgConnection", conn), table, columns, rows)
        return
    names = ", ".join(f'"{c}"' for c in columns)
    conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)


def reset_sequences(conn: Connection) -> dict[str, int]:
    """After rows were inserted with their ids given, the next generated id of every identity column is the one
    after the largest stored (PostgreSQL; SQLite's INTEGER PRIMARY KEY takes max + 1 by itself). Returns
    {"table.column": next id} of the columns set."""
    if _is_pg(conn):
        from winnow.store import pg

        return pg.reset_identities(cast("PgConnection", conn))
    return {}


def create_schema_in_transaction(conn: Connection) -> None:
    """The whole current schema created inside the caller's open write transaction on an empty PostgreSQL
    database (a rollback leaves the database empty again). SQLite's migrations rebuild tables with foreign
    keys off, which SQLite allows only outside a transaction: there, `migrate` a new file instead."""
    if not _is_pg(conn):
        raise StoreError("a SQLite store is created by migrate(), outside a transaction")
    from winnow.store import pg

    pg.create_schema(cast("PgConnection", conn))


def writer_active(location: Path | str) -> bool:
    """True when another connection holds the store's write lock at this moment (a write transaction is open:
    an ingest's batch, a decision). Tried without waiting; a store this process may not write to has no
    writer it could see and says False."""
    if is_url(location):
        from winnow.store import pg

        conn = cast("PgConnection", _connect_pg(str(location), True, 10.0))
        try:
            return not pg.try_write_lock(conn)
        finally:
            conn.close()
    probe = sqlite3.connect(Path(location), timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    finally:
        probe.close()


def nocase(expr: str) -> str:
    """SQL comparing and ordering `expr` without regard to ASCII case, through the index on it (migration 9's
    `instances_name`: COLLATE NOCASE on SQLite; the PostgreSQL adapter indexes lower(expr))."""
    return f"{expr} COLLATE NOCASE"


def json_array_agg(expr: str) -> str:
    """SQL for the JSON array of `expr` over a group (json_group_array on SQLite, json_agg on PostgreSQL)."""
    return f"json_group_array({expr})"


def json_object(*pairs: tuple[str, str]) -> str:
    """SQL for a JSON object of (key, SQL expression) pairs (json_object / json_build_object)."""
    return "json_object(" + ", ".join(f"'{key}', {expr}" for key, expr in pairs) + ")"


def string_agg_distinct(expr: str) -> str:
    """SQL for the comma-joined distinct values of `expr` over a group (group_concat / string_agg)."""
    return f"group_concat(DISTINCT {expr})"


def contains(haystack: str) -> str:
    """SQL that is true when `haystack` holds the next parameter as a substring, case-sensitively (instr/strpos);
    LIKE would treat % and _ in the parameter as wildcards."""
    return f"instr({haystack}, ?) > 0"


def changes(conn: Connection) -> int:
    """Rows changed by this connection so far (a difference of two readings counts a statement's effect)."""
    return int(conn.total_changes)


