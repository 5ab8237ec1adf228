"""`winnow case copy`: a case moved between SQLite and PostgreSQL (either way, or to the same engine), as a new
case; docs/postgresql.md, "Moving a case between SQLite and PostgreSQL".

The source is only read, in one read snapshot (`db.snapshot`), so the copy is one consistent state of it even
while the review app is open on it. Every table of the store is copied in dependency order (TABLES: a row is
copied after the rows it refers to, and the queue summary after the rows whose triggers would otherwise change
it), `batch` rows at a time and never a whole table in memory (a server-side cursor reads PostgreSQL, COPY
writes it). The destination's rows are written in ONE transaction: its schema (on PostgreSQL: created inside
that transaction), the rows with their ids as they were, a verification of every table (row count and an
order-independent checksum, source vs copy), the case folder's files copied and verified, the audit row of the
copy, and the identity sequences set past the stored ids; a failure anywhere rolls it all back (the PostgreSQL
database is left empty, the SQLite file goes with the folder) and removes the folder this call made.

The checksum of a table is the sum modulo 2**128 of each row's BLAKE2b-128 digest of the repr() of its values
in column-name order: independent of the order rows are stored or read in, and it tells an int from a float
from a text ("1" vs 1 vs 1.0) and None from "", so a value the other engine stores differently is a mismatch,
not a silent change."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from winnow.store import audit, db, runs
from winnow.store.case import POINTER_NAME, STORE_NAME, Case, CaseError, write_pointer
from winnow.store.db import Connection, StoreError
from winnow.store.schema import SCHEMA_VERSION

# every table of a case store, each after the tables it refers to; decisions before queue_summary (a decision's
# insert trigger counts it into a summary group that exists) and the queue tables last (inserting instances,
# triage and matches marks the summary stale: the copied state must come after them)
TABLES: tuple[str, ...] = (
    "meta", "runs", "run_progress", "sources", "content", "images", "videos", "instances", "warnings", "audit",
    "matches", "match_state", "triage", "video_links", "frame_grabs",
    "chat_sources", "chat_threads", "chat_messages", "chat_problems", "identifiers", "sightings",
    "calls", "leads", "call_reviews", "call_parties",
    "users", "web_sessions", "login_failures", "decisions", "seen", "case_settings",
    "disk_images", "volumes", "fs_entries", "disk_units",
    "ranked_parties", "ranked_nodes", "ranked_edges", "ranked_communities",
    "queue_summary", "queue_summary_state",
)
BATCH = 5000
# a run still marked running whose last sign of life (its progress row, about once a second during an ingest,
# else its start) is younger than this is in progress; an older one was killed without ending (the review app's
# "stalled", web/routes/case.py) and is copied as it is: the same command resumes it on the copy
STALLED_SECONDS = 60
# the store itself is copied as rows, not as files; tmp/ is scratch space of running commands
_STORE_FILES = {STORE_NAME, f"{STORE_NAME}-wal", f"{STORE_NAME}-shm", f"{STORE_NAME}-journal", POINTER_NAME}
_SCRATCH = "tmp"
_MOD = 1 << 128


class CopyError(CaseError):
    """The copy was refused before anything was written, or failed and kept nothing (one line)."""


class Checksum:
    """Rows and an order-independent checksum of them (see the module docstring)."""

    def __init__(self) -> None:
        self.rows = 0
        self._total = 0

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        total, blake, frombytes = self._total, hashlib.blake2b, int.from_bytes
        for row in rows:
            total += frombytes(blake(repr(tuple(row)).encode("utf-8", "surrogatepass"), digest_size=16).digest())
        self._total = total % _MOD
        self.rows += len(rows)

    def add_item(self, *parts: str) -> None:
        self.add([parts])

    def hexdigest(self) -> str:
        return f"{self._total:032x}"


@dataclass
class TableCheck:
    table: str
    source_rows: int
    source_checksum: str
    copy_rows: int = -1
    copy_checksum: str = ""

    @property
    def ok(self) -> bool:
        return self.source_rows == self.copy_rows and self.source_checksum == self.copy_checksum

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "source_rows": self.source_rows, "copy_rows": self.copy_rows,
                "source_checksum": self.source_checksum, "copy_checksum": self.copy_checksum, "ok": self.ok}


@dataclass
class CopyResult:
    source: str
    source_store: str
    destination: str
    destination_store: str
    tables: list[TableCheck]
    files: TableCheck  # the case folder's files: count, and a checksum over (relative path, SHA-256) pairs
    file_bytes: int
    seconds: float
    stalled_runs: list[int] = field(default_factory=list)
    next_ids: dict[str, int] = field(default_factory=dict)
    source_audit: dict[str, Any] = field(default_factory=dict)  # the source's audit chain, verified as copied

    @property
    def rows(self) -> int:
        return sum(t.source_rows for t in self.tables)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables) and self.files.ok

    def as_dict(self) -> dict[str, Any]:
        return {"source": {"case": self.source, "store": self.source_store},
                "destination": {"case": self.destination, "store": self.destination_store},
                "ok": self.ok, "rows": self.rows, "tables": [t.as_dict() for t in self.tables],
                "files": {**self.files.as_dict(), "bytes": self.file_bytes}, "seconds": round(self.seconds, 3),
                "rows_per_second": round(self.rows / self.seconds) if self.seconds > 0 else None,
                "stalled_runs": self.stalled_runs, "next_ids": self.next_ids, "source_audit": self.source_audit}


def where(case: Case) -> str:
    """A case's store for messages: the SQLite file, or the database URL without its password."""
    return db.safe_url(case.db_url) if case.db_url else str(case.store)


def copy_case(source: Path | str, destination: Path | str, db_url: str | None = None, batch: int = BATCH,
              on_table: Callable[[str], None] | None = None) -> CopyResult:
    """Copy the case at `source` to a new case at `destination` (its rows in `destination`/case.sqlite, or in the
    empty PostgreSQL database `db_url`), verified table by table; a CopyError (one line) when refused or failed,
    with nothing kept. `on_table(step)` hears each step as it starts ("copying TABLE", "verifying", ...)."""
    started = time.perf_counter()
    src, dst = Case(Path(source).absolute()), Case(Path(destination).absolute())
    _check_paths(src, dst)
    if db_url is not None:
        try:
            db.check_url(db_url)
        except StoreError as exc:
            raise CopyError(str(exc)) from exc
    sconn = _open_source(src)
    try:
        with db.snapshot(sconn):
            stalled = _check_runs(src, sconn)
            pg_conn = _open_database(db_url) if db_url is not None else None
            made_root = not dst.root.exists()
            try:
                for folder in (dst.root, dst.thumbnails, dst.logs, dst.tmp):
                    folder.mkdir(parents=True, exist_ok=True)
                if db_url is not None:
                    write_pointer(dst, db_url)
                dconn = pg_conn if pg_conn is not None else db.connect(dst.store)
                try:
                    result = _fill(src, dst, sconn, dconn, batch, stalled, started, on_table or _quiet)
                finally:
                    dconn.close()
            except BaseException as exc:
                if pg_conn is not None:
                    pg_conn.close()  # closed already unless the folder could not be made
                cleaned = _remove(dst, made_root)
                if db_url is not None:
                    cleaned += f"; the database {db.safe_url(db_url)} is left empty"
                if isinstance(exc, CopyError | StoreError | CaseError | db.DatabaseError | OSError):
                    raise CopyError(f"case copy failed and kept nothing ({cleaned}): {_one_line(exc)}") from exc
                raise
    finally:
        sconn.close()
    return result


def _quiet(step: str) -> None:
    return None


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or exc}"
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_paths(src: Case, dst: Case) -> None:
    if not src.exists():
        raise CopyError(f"no case at {src.root} (a case folder holds {STORE_NAME} or {POINTER_NAME})")
    if dst.exists():
        raise CopyError(f"a case already exists at {dst.root}: a copy is a new case")
    if dst.root.exists() and not dst.root.is_dir():
        raise CopyError(f"{dst.root} exists and is not a folder")
    if dst.root.is_dir() and any(dst.root.iterdir()):
        raise CopyError(f"{dst.root} is not empty: a copy goes to a new (or empty) folder")
    a, b = src.root.resolve(), dst.root.resolve()
    if a == b or b.is_relative_to(a) or a.is_relative_to(b):
        raise CopyError(f"the copy {dst.root} and the case {src.root} must be separate folders, neither inside "
                        "the other")


def _open_source(src: Case) -> Connection:
    """The source, read-only, checked: a case store of this winnow's schema version with every table."""
    try:
        conn = src.connect(readonly=True)
    except StoreError as exc:
        raise CopyError(str(exc)) from exc
    except db.DatabaseError as exc:
        raise CopyError(f"{where(src)} is not a case store: {_one_line(exc)}") from exc
    try:
        version = db.schema_version(conn)
        tables = db.case_tables(conn)
    except db.DatabaseError as exc:
        conn.close()
        raise CopyError(f"{where(src)} is not a case store: {_one_line(exc)}") from exc
    problem = None
    if version == 0 or "meta" not in tables:
        problem = f"{where(src)} is not a case store (no winnow tables)"
    elif version < SCHEMA_VERSION:
        problem = (f"the case at {src.root} has schema version {version}, this winnow's is {SCHEMA_VERSION}: "
                   f"upgrade it first (any command on it does, e.g. winnow case info --case {src.root})")
    elif version > SCHEMA_VERSION:
        problem = (f"the case at {src.root} has schema version {version}, newer than this winnow's "
                   f"{SCHEMA_VERSION}: upgrade winnow")
    elif tables != set(TABLES):
        odd = sorted(tables ^ set(TABLES))
        problem = f"the case store {where(src)} does not have the tables of schema version {version}: {odd}"
    if problem:
        conn.close()
        raise CopyError(problem)
    return conn


def _check_runs(src: Case, conn: Connection) -> list[int]:
    """Refuses a case being written; returns the runs marked running that ended without saying so."""
    if db.writer_active(src.location):
        raise CopyError(f"a run is in progress on the case at {src.root} (a writer holds its write lock): copy "
                        "it when the run has ended")
    stalled = []
    now = datetime.now(UTC)
    for run in runs.running(conn):
        last = run["last_utc"]
        age = (now - datetime.fromisoformat(last.replace("Z", "+00:00"))).total_seconds() if last else 1e9
        if age < STALLED_SECONDS:
            raise CopyError(f"run {run['id']} ({run['command']}) is in progress on the case at {src.root} (its last "
                            f"progress {age:.0f} s ago): copy it when the run has ended")
        stalled.append(int(run["id"]))
    return stalled


def _open_database(url: str) -> Connection:
    """The destination database, reachable and holding no case (checked again under its write lock)."""
    try:
        conn = db.connect(url)
    except StoreError as exc:
        raise CopyError(str(exc)) from exc
    version = db.schema_version(conn)
    if version:
        conn.close()
        raise CopyError(f"the database {db.safe_url(url)} already holds a winnow case (schema version {version}): "
                        "a copy needs an empty database")
    return conn


def _remove(dst: Case, made_root: bool) -> str:
    if made_root:
        shutil.rmtree(dst.root, ignore_errors=True)
        return f"the folder {dst.root} was removed"
    for child in list(dst.root.iterdir()) if dst.root.is_dir() else []:
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    return f"the folder {dst.root} was emptied"


def _fill(src: Case, dst: Case, sconn: Connection, dconn: Connection, batch: int, stalled: list[int],
          started: float, step: Callable[[str], None]) -> CopyResult:
    postgres = db.dialect(dconn) == "postgresql"
    step("creating the new case's tables")
    if not postgres:
        db.migrate(dconn)
    with db.write(dconn):
        if postgres:
            if db.schema_version(dconn):
                raise CopyError(f"the database {where(dst)} already holds a winnow case")
            db.create_schema_in_transaction(dconn)
        checks = []
        for table in TABLES:
            step(f"copying {table}")
            checks.append(copy_table(sconn, dconn, table, batch))
        chain = audit.verify(sconn)
        for check in checks:
            step(f"verifying {check.table}")
            found = table_checksum(dconn, check.table, batch)
            check.copy_rows, check.copy_checksum = found.rows, found.hexdigest()
        bad = [c for c in checks if not c.ok]
        if bad:
            raise CopyError("the copy does not match the source: " + "; ".join(
                f"table {c.table}: {c.source_rows} rows, checksum {c.source_checksum[:16]} in the source, "
                f"{c.copy_rows} rows, checksum {c.copy_checksum[:16]} in the copy" for c in bad))
        step("copying the case folder's files")
        files, size = copy_files(src.root, dst.root)
        if not files.ok:
            raise CopyError(f"the copied files do not match the source's: {files.source_rows} files, checksum "
                            f"{files.source_checksum[:16]} vs {files.copy_rows}, {files.copy_checksum[:16]}")
        result = CopyResult(str(src.root), where(src), str(dst.root), where(dst), checks, files, size, 0.0,
                            stalled, {}, {"rows": chain.rows, "ok": chain.ok, "problems": chain.problems})
        audit.append_in_transaction(dconn, "case copy", {
            "from": {"case": result.source, "store": result.source_store},
            "to": {"case": result.destination, "store": result.destination_store},
            "rows": result.rows, "files": files.source_rows, "bytes": size, "stalled_runs": stalled,
            "source_audit": result.source_audit,
            "verified": {c.table: [c.source_rows, c.source_checksum] for c in checks}})
        result.next_ids = db.reset_sequences(dconn)  # last: past the copy's own audit row too
    result.seconds = time.perf_counter() - started
    return result


def _select(conn: Connection, table: str) -> tuple[list[str], str]:
    columns = sorted(db.table_columns(conn, table))
    return columns, f"SELECT {', '.join(chr(34) + c + chr(34) for c in columns)} FROM {table}"


def copy_table(sconn: Connection, dconn: Connection, table: str, batch: int = BATCH) -> TableCheck:
    """One table's rows from the source to the destination (in the caller's transactions), as they are; the
    source's count and checksum of what was read."""
    columns, select = _select(sconn, table)
    theirs = sorted(db.table_columns(dconn, table))
    if theirs != columns:
        raise CopyError(f"table {table} has columns {columns} in the source and {theirs} in the copy")
    dconn.execute(f"DELETE FROM {table}")  # the rows a new store starts with (queue_summary_state's one)
    check = Checksum()

    def read() -> Iterator[Sequence[Any]]:
        for chunk in db.stream(sconn, select, batch):
            check.add(chunk)
            yield from chunk

    db.insert_rows(dconn, table, columns, read())
    return TableCheck(table, check.rows, check.hexdigest())


def table_checksum(conn: Connection, table: str, batch: int = BATCH) -> Checksum:
    """A table's row count and order-independent checksum, read `batch` rows at a time."""
    _, select = _select(conn, table)
    check = Checksum()
    for chunk in db.stream(conn, select, batch):
        check.add(chunk)
    return check


def verify(source: Connection, copy: Connection, tables: Iterable[str] = TABLES) -> list[TableCheck]:
    """Each table's count and checksum in two stores (a copy and its source, later: `winnow case copy` checks it
    as it copies)."""
    out = []
    with db.snapshot(source), db.snapshot(copy):
        for table in tables:
            a, b = table_checksum(source, table), table_checksum(copy, table)
            out.append(TableCheck(table, a.rows, a.hexdigest(), b.rows, b.hexdigest()))
    return out


def _sha256(path: Path, sink: Any = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            if sink is not None:
                sink.write(chunk)
    return digest.hexdigest()


def copy_files(source: Path, destination: Path) -> tuple[TableCheck, int]:
    """The case folder's files (thumbnails, contact sheets, logs, payments.duckdb, reports, ...) copied into the
    new folder with their times, each hashed as read and again as written: (the check, bytes). Not copied: the
    store itself (copied as rows), case.json (the copy's own), tmp/ (scratch space)."""
    theirs, ours = Checksum(), Checksum()
    size = 0
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if rel.parts[0] == _SCRATCH or (len(rel.parts) == 1 and rel.name in _STORE_FILES):
            continue
        target = destination / rel
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            link = os.readlink(path)
            os.symlink(link, target)
            theirs.add_item(rel.as_posix(), "link", link)
            ours.add_item(rel.as_posix(), "link", os.readlink(target))
        elif stat.S_ISDIR(mode):
            target.mkdir(exist_ok=True)
        elif stat.S_ISREG(mode):
            with target.open("xb") as sink:
                theirs.add_item(rel.as_posix(), _sha256(path, sink))
            shutil.copystat(path, target)
            ours.add_item(rel.as_posix(), _sha256(target))
            size += target.stat().st_size
    return TableCheck("files", theirs.rows, theirs.hexdigest(), ours.rows, ours.hexdigest()), size
