"""The PostgreSQL engine of the case store (psycopg 3, imported only when a case lives on PostgreSQL).

`PgConnection` presents the small sqlite3-like API the store modules use: `execute` / `executemany` returning a
cursor with `fetchone`, `fetchall`, iteration and `rowcount`; rows readable by index and by name (`PgRow`);
`in_transaction`; `total_changes`. The store's portable SQL is translated once per statement text (`translate`,
cached): `?` placeholders become `%s` (a literal `%` doubles), the column name `user` is quoted (a reserved word
on PostgreSQL), SQLite's `LIKE` (case-insensitive for ASCII) becomes `ILIKE`, and the few SQLite functions the
store names (`json_group_array`, `json_object`, `group_concat`, `instr`) become PostgreSQL's. Values come back as
the sqlite3 module gives them: JSON as text, sums of integers as int, booleans sent as 0/1.

One case is one PostgreSQL database (docs/postgresql.md says why); `db.write()` takes a transaction-level
advisory lock first, so writers queue as they do on SQLite's BEGIN IMMEDIATE and sequence values (content.seq,
the matching watermark) are committed in the order they were drawn."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import adapt, pq
from psycopg import sql as pgsql
from psycopg.rows import RowMaker, tuple_row

from winnow.store.schema import MIGRATIONS, PG_BASELINE_VERSION, PG_MIGRATIONS, SCHEMA_VERSION

WRITE_LOCK = 0x77696E6E6F77  # "winnow": the advisory lock key every write transaction of a case takes
Error = psycopg.Error
IntegrityError = psycopg.IntegrityError
DatabaseError = psycopg.DatabaseError
# psycopg logs the clean-up of a cancelled pipeline as warnings ("query not terminated after cancellation"): winnow
# says what the interrupt did itself, so they reach stderr only through an application's own logging set-up
logging.getLogger("psycopg").addHandler(logging.NullHandler())


class MigrationFailed(Exception):
    """A migration script failed on the server (rolled back; db.migrate words it as a StoreError)."""


class PgRow(tuple):
    """A result row read by index (`row[0]`) or by column name (`row["sha256"]`), like sqlite3.Row."""

    _names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor: psycopg.Cursor[Any]) -> RowMaker[PgRow]:
    names = [d.name for d in cursor.description or ()]
    cls = type("Row", (PgRow,), {"_names": {n: i for i, n in enumerate(names)}, "__slots__": ()})

    def make(values: Sequence[Any]) -> PgRow:
        return cls(values)

    return make


class _Numeric(adapt.Loader):
    """numeric (what sum() of integers gives on PostgreSQL) as int when whole, else float, as SQLite gives."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return float(text) if ("." in text or "e" in text.lower() or "N" in text) else int(text)


class _JsonText(adapt.Loader):
    """json as its text (the store json.loads() what SQLite returns as a string)."""

    def load(self, data: Any) -> str:
        return bytes(data).decode()


class _BoolLoader(adapt.Loader):
    """boolean (a condition selected as a value) as 1/0, as SQLite gives."""

    def load(self, data: Any) -> int:
        return 1 if bytes(data) == b"t" else 0


class _BoolAsInt(adapt.Dumper):
    """True/False sent as 1/0 (the store's flag columns are integers, as on SQLite)."""

    oid = 20  # int8

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


_STRING = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_CAST_INT = re.compile(r"CAST\((\w+(?:\.\w+)?) AS INTEGER\)", re.IGNORECASE)
_CROSS_ON = re.compile(r"CROSS JOIN (\w+(?: AS)? \w+) ON", re.IGNORECASE)  # SQLite's join-order hint
_NOCASE = re.compile(r"(\w+(?:\.\w+)?) COLLATE NOCASE", re.IGNORECASE)  # db.nocase: the lower(x) index
_FUNCS = {"json_group_array": "json_agg", "json_object": "json_build_object", "instr": "strpos"}
_WORDS = re.compile(r"\b(user|LIKE|json_group_array|json_object|instr|group_concat|AS REAL)\b|\?|%", re.IGNORECASE)


@lru_cache(maxsize=4096)
def translate(sql: str, with_params: bool = True) -> str:
    """The PostgreSQL text of one store statement (see the module docstring)."""
    out: list[str] = []
    pos = 0
    for m in _STRING.finditer(sql):
        out.append(_translate_code(sql[pos:m.start()], with_params))
        literal = m.group(0)
        out.append(literal.replace("%", "%%") if with_params else literal)
        pos = m.end()
    out.append(_translate_code(sql[pos:], with_params))
    text = _CAST_INT.sub(r"winnow_int(\1)", "".join(out))
    text = _CROSS_ON.sub(r"JOIN \1 ON", text)
    text = _NOCASE.sub(r"lower(\1)", text)
    return _group_concat(text)


def _translate_code(code: str, with_params: bool) -> str:
    def repl(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if word == "?":
            return "%s" if with_params else word
        if word == "%":
            return "%%" if with_params else word
        if low == "user":
            return '"user"'
        if low == "like":
            return "ILIKE"
        if low == "as real":
            return "AS DOUBLE PRECISION"
        return _FUNCS.get(low, word)

    return _WORDS.sub(repl, code)


def _group_concat(sql: str) -> str:
    """group_concat(X) -> string_agg(CAST(X AS TEXT), ',') (DISTINCT kept), with X's parentheses matched."""
    while True:
        start = sql.lower().find("group_concat(")
        if start < 0:
            return sql
        i = start + len("group_concat(")
        depth = 1
        j = i
        while depth and j < len(sql):
            depth += {"(": 1, ")": -1}.get(sql[j], 0)
            j += 1
        inner = sql[i:j - 1].strip()
        distinct = inner.upper().startswith("DISTINCT ")
        expr = inner[9:] if distinct else inner
        sql = (sql[:start] + f"string_agg({'DISTINCT ' if distinct else ''}CAST({expr} AS TEXT), ',')" + sql[j:])


def _as_sqlite_error(exc: psycopg.Error) -> sqlite3.Error:
    """psycopg's error as the sqlite3 exception the store catches (db.IntegrityError, db.DatabaseError)."""
    message = " ".join(str(exc).split())
    if isinstance(exc, psycopg.IntegrityError):
        return sqlite3.IntegrityError(message)
    if isinstance(exc, psycopg.OperationalError):
        return sqlite3.OperationalError(message)
    if isinstance(exc, psycopg.ProgrammingError | psycopg.DataError | psycopg.NotSupportedError):
        return sqlite3.ProgrammingError(message)
    return sqlite3.DatabaseError(message)


_CHANGES = ("INSERT", "UPDATE", "DELETE")


class PgCursor:
    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description else []

    def fetchmany(self, size: int = 1) -> list[Any]:
        return self._cursor.fetchmany(size) if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor) if self._cursor.description else iter(())

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def description(self) -> Any:
        return self._cursor.description

    lastrowid = None  # the store reads new ids through RETURNING

    def close(self) -> None:
        self._cursor.close()


class PgConnection:
    """A case store on PostgreSQL with the sqlite3.Connection subset the store uses (autocommit outside
    `db.write()`)."""

    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any], reopen: Callable[[], psycopg.Connection[Any]]) -> None:
        self._conn = conn
        self._reopen = reopen
        self._closed = False
        self.total_changes = 0

    @property
    def raw(self) -> psycopg.Connection[Any]:
        return self._conn

    @property
    def in_transaction(self) -> bool:
        return self._conn.info.transaction_status != pq.TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> PgCursor:
        cur = self._conn.cursor()
        try:
            if params:
                cur.execute(translate(sql, True), params)
            else:
                cur.execute(translate(sql, False))
        except psycopg.Error as exc:
            raise _as_sqlite_error(exc) from exc
        if cur.rowcount > 0 and (cur.statusmessage or "").startswith(_CHANGES):
            self.total_changes += cur.rowcount  # rows inserted, updated or deleted (with RETURNING too)
        return PgCursor(cur)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> PgCursor:
        cur = self._conn.cursor()
        batch = seq if isinstance(seq, list) else list(seq)
        if batch:
            try:
                cur.executemany(translate(sql, True), batch)
            except psycopg.Error as exc:
                raise _as_sqlite_error(exc) from exc
            if cur.rowcount > 0:
                self.total_changes += cur.rowcount
        return PgCursor(cur)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Rows appended through COPY (no conflict handling: for tables the caller knows are new rows)."""
        with self._conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                self.total_changes += 1

    def abandon(self) -> None:
        """Rolls back the open transaction. An interrupt that landed inside a statement (Ctrl-C in the middle of
        `executemany`'s pipeline) can leave the connection mid-protocol, refusing every statement: then it is
        closed, which makes the server roll its transaction back and free its locks, and a new one takes its
        place, so the caller can still record the run's end. A connection closed on purpose stays closed, and
        when no new one can be opened (the server gone) the caller's own error is the one that propagates."""
        if self._closed:
            return
        try:
            if self.in_transaction:
                self._conn.execute("ROLLBACK")
            return
        except psycopg.Error:
            pass
        self._conn.close()
        try:
            self._conn = self._reopen()
        except psycopg.Error:
            pass  # the next statement says the connection is closed

    def commit(self) -> None:
        self._conn.commit()

    def rollback(self) -> None:
        self._conn.rollback()

    def close(self) -> None:
        self._closed = True
        self._conn.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_url(url: str, *, readonly: bool = False, timeout: float = 10.0) -> PgConnection:
    """A connection to the case database at `url`; psycopg's errors propagate (db.connect words them)."""
    options = "-c default_transaction_read_only=on" if readonly else ""

    def connect() -> psycopg.Connection[Any]:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(timeout)), options=options,
                               application_name="winnow")
        conn.row_factory = _row_factory
        conn.adapters.register_loader("numeric", _Numeric)
        conn.adapters.register_loader("json", _JsonText)
        conn.adapters.register_loader("jsonb", _JsonText)
        conn.adapters.register_dumper(bool, _BoolAsInt)
        conn.adapters.register_loader("bool", _BoolLoader)
        return conn

    return PgConnection(connect(), connect)


def begin_write(conn: PgConnection) -> None:
    conn.raw.execute("BEGIN")
    conn.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))


def schema_version(conn: PgConnection) -> int:
    """The case's schema version from `schema_version` (0: an empty database, no winnow tables)."""
    found = conn.raw.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return 0
    row = conn.raw.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def pending(current: int) -> list[tuple[int, str]]:
    """The scripts that bring a database at `current` to SCHEMA_VERSION: the baseline (the whole schema of
    PG_BASELINE_VERSION) for an empty database, then one script per later version."""
    if len(PG_MIGRATIONS) + PG_BASELINE_VERSION - 1 != len(MIGRATIONS):
        raise RuntimeError("every SQLite migration after the PostgreSQL baseline needs its PostgreSQL text")
    start = PG_BASELINE_VERSION if current == 0 else current + 1
    return [(v, PG_MIGRATIONS[v]) for v in range(start, SCHEMA_VERSION + 1)]


def _apply(conn: PgConnection, version: int, script: str) -> None:
    conn.raw.execute(script)
    conn.raw.execute("INSERT INTO schema_version (version, applied_utc) VALUES (%s, "
                     "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))", (version,))


def create_schema(conn: PgConnection) -> None:
    """Every script from an empty database to SCHEMA_VERSION, in the caller's open transaction."""
    for version, script in pending(0):
        try:
            _apply(conn, version, script)
        except psycopg.Error as exc:
            raise MigrationFailed(f"migration {version} failed on PostgreSQL: {' '.join(str(exc).split())}") from exc


def migrate(conn: PgConnection, current: int) -> None:
    for version, script in pending(current):
        begin_write(conn)
        try:
            _apply(conn, version, script)
            conn.raw.execute("COMMIT")
        except psycopg.Error as exc:
            conn.raw.execute("ROLLBACK")
            raise MigrationFailed(f"migration {version} failed on PostgreSQL: {' '.join(str(exc).split())}") from exc
        except BaseException:
            conn.raw.execute("ROLLBACK")
            raise


def server_version(conn: PgConnection) -> str:
    return str(conn.raw.info.parameter_status("server_version") or "")


def table_columns(conn: PgConnection, table: str) -> list[str]:
    return [str(r[0]) for r in conn.raw.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = %s ORDER BY ordinal_position", (table.lower(),))]


def table_names(conn: PgConnection) -> list[str]:
    return [str(r[0]) for r in conn.raw.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE'")]


def begin_snapshot(conn: PgConnection) -> None:
    conn.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")


def try_write_lock(conn: PgConnection) -> bool:
    """True when the case's write lock is free (taken and given back at once; nobody is writing)."""
    conn.raw.execute("BEGIN")
    try:
        row = conn.raw.execute("SELECT pg_try_advisory_xact_lock(%s)", (WRITE_LOCK,)).fetchone()
        return bool(row and row[0])
    finally:
        conn.raw.execute("ROLLBACK")


_streams = 0


def stream(conn: PgConnection, sql: str, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """A query's rows `size` at a time through a server-side cursor, inside the caller's transaction (else in a
    read-only one of its own)."""
    global _streams
    _streams += 1
    own = not conn.in_transaction
    try:
        if own:
            conn.raw.execute("BEGIN READ ONLY")
        with conn.raw.cursor(name=f"winnow_stream_{_streams}", row_factory=tuple_row) as cursor:
            cursor.itersize = size
            cursor.execute(translate(sql, False))
            while batch := cursor.fetchmany(size):
                yield batch
    except psycopg.Error as exc:
        raise _as_sqlite_error(exc) from exc
    finally:
        if own:
            conn.abandon()


def copy_in(conn: PgConnection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Rows appended through COPY, column names quoted (`user`)."""
    statement = pgsql.SQL("COPY {} ({}) FROM STDIN").format(pgsql.Identifier(table),
                                                          pgsql.SQL(", ").join(map(pgsql.Identifier, columns)))
    try:
        with conn.raw.cursor().copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                conn.total_changes += 1
    except psycopg.Error as exc:
        raise _as_sqlite_error(exc) from exc


def reset_identities(conn: PgConnection) -> dict[str, int]:
    """Each identity column's sequence set to continue after the largest stored id."""
    out: dict[str, int] = {}
    found = conn.raw.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND is_identity = 'YES' ORDER BY table_name").fetchall()
    for table, column in found:
        query = pgsql.SQL("SELECT setval(pg_get_serial_sequence({t}, {c}), coalesce(max({col}), 0) + 1, false) "
                        "FROM {tab}").format(t=pgsql.Literal(table), c=pgsql.Literal(column),
                                             col=pgsql.Identifier(column), tab=pgsql.Identifier(table))
        row = conn.raw.execute(query).fetchone()
        out[f"{table}.{column}"] = int(row[0]) if row else 1
    return out
