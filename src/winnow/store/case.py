"""A case folder: `case.sqlite` (the store) or `case.json` naming the PostgreSQL database that holds the case's
rows (docs/postgresql.md), `thumbnails/`, `logs/` and `tmp/` (the only place winnow ever writes extracted bytes);
on PostgreSQL the folder is on storage every user of the case reaches."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from winnow import __version__
from winnow.store import db
from winnow.store.db import Connection, StoreError, connect, migrate
from winnow.timeutil import utc_now

STORE_NAME = "case.sqlite"
POINTER_NAME = "case.json"  # {"format": "winnow-case", "db": "postgresql://..."}


class CaseError(Exception):
    """A user-facing problem with a case folder (missing, already exists, not a case)."""


@dataclass(frozen=True)
class Case:
    root: Path

    @property
    def store(self) -> Path:
        return self.root / STORE_NAME

    @property
    def thumbnails(self) -> Path:
        return self.root / "thumbnails"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def pointer(self) -> Path:
        return self.root / POINTER_NAME

    @cached_property
    def db_url(self) -> str | None:
        """The PostgreSQL URL of a case stored there (from case.json), None for a SQLite case."""
        if not self.pointer.exists():
            return None
        try:
            url = json.loads(self.pointer.read_text(encoding="utf-8")).get("db")
        except (OSError, ValueError, AttributeError) as exc:
            raise CaseError(f"cannot read {self.pointer}: {exc}") from exc
        if not isinstance(url, str):
            raise CaseError(f"{self.pointer} names no database (a \"db\" entry with a postgresql:// URL)")
        return url

    @property
    def location(self) -> Path | str:
        """What db.connect() opens: the SQLite file or the PostgreSQL URL."""
        return self.db_url if self.db_url is not None else self.store

    def exists(self) -> bool:
        return self.pointer.exists() or self.store.exists()

    def connect(self, readonly: bool = False) -> Connection:
        return connect(self.location, readonly=readonly)

    def meta(self) -> dict[str, str]:
        conn = self.connect(readonly=True)
        try:
            return {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM meta")}
        finally:
            conn.close()


def create_case(path: Path, name: str, examiner: str, db_url: str | None = None) -> Case:
    """A new case folder; its rows in `path`/case.sqlite, or in the empty PostgreSQL database `db_url`."""
    path = Path(path).absolute()
    if Case(path).exists():
        raise CaseError(f"a case already exists at {path}")
    if path.exists() and not path.is_dir():
        raise CaseError(f"{path} exists and is not a folder")
    if not name.strip():
        raise CaseError("a case needs a name (--name)")
    if not examiner.strip():
        raise CaseError("a case needs an examiner (--examiner)")
    case = Case(path)
    if db_url is not None:
        return _create_on_postgres(case, name, examiner, db_url)
    for folder in (case.root, case.thumbnails, case.logs, case.tmp):
        folder.mkdir(parents=True, exist_ok=True)
    conn = connect(case.store)
    try:
        migrate(conn)
        _fill_meta(conn, name, examiner)
    finally:
        conn.close()
    return case


def _fill_meta(conn: Connection, name: str, examiner: str) -> None:
    with db.write(conn):
        conn.executemany(
            "INSERT INTO meta(key, value) VALUES (?, ?)",
            [("case_id", str(uuid.uuid4())), ("name", name.strip()), ("examiner", examiner.strip()),
             ("created_utc", utc_now()), ("created_with", __version__)],
        )


def _create_on_postgres(case: Case, name: str, examiner: str, url: str) -> Case:
    """The database is checked (reachable, holds no case) before anything is written; a failure later removes
    what this call made (the folder if it made it, the case's tables by a rollback of each migration)."""
    try:
        conn = connect(url)
    except StoreError as exc:
        raise CaseError(str(exc)) from exc
    made_root = not case.root.exists()
    try:
        version = db.schema_version(conn)
        if version:
            raise CaseError(f"the database {db.safe_url(url)} already holds a winnow case (schema version "
                            f"{version}): give each case its own database")
        for folder in (case.root, case.thumbnails, case.logs, case.tmp):
            folder.mkdir(parents=True, exist_ok=True)
        write_pointer(case, url)
        migrate(conn)
        _fill_meta(conn, name, examiner)
    except BaseException:
        if made_root:
            shutil.rmtree(case.root, ignore_errors=True)
        else:
            case.pointer.unlink(missing_ok=True)
        raise
    finally:
        conn.close()
    return case


def write_pointer(case: Case, url: str) -> None:
    """case.json naming the PostgreSQL database that holds the case's rows."""
    case.pointer.write_text(json.dumps({"format": "winnow-case", "db": url}, indent=2) + "\n", encoding="utf-8")


def open_case(path: Path | str | None) -> Case:
    """Open an existing case (migrating it to the current schema). `path` falls back to WINNOW_CASE."""
    if path is None or str(path) == "":
        env = os.environ.get("WINNOW_CASE")
        if not env:
            raise CaseError("no case given: pass --case PATH or set WINNOW_CASE")
        path = env
    root = Path(path).absolute()
    case = Case(root)
    if not case.exists():
        raise CaseError(f"no case at {root} (create it with: winnow case create {root} --name ... --examiner ...)")
    for folder in (case.thumbnails, case.logs, case.tmp):
        folder.mkdir(parents=True, exist_ok=True)
    try:
        conn = connect(case.location)
    except StoreError as exc:
        raise CaseError(str(exc)) from exc
    try:
        migrate(conn)
    except (StoreError, db.DatabaseError) as exc:
        where = db.safe_url(case.db_url) if case.db_url else case.store
        raise CaseError(f"cannot open the case store {where}: {exc}") from exc
    finally:
        conn.close()
    return case
