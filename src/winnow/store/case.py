"""A case folder: `case.sqlite` (the store), `thumbnails/`, `logs/` and `tmp/` (the only place winnow ever
writes extracted bytes)."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from winnow import __version__
from winnow.store import db
from winnow.store.db import Connection, StoreError, connect, migrate
from winnow.timeutil import utc_now

STORE_NAME = "case.sqlite"


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

    def connect(self, readonly: bool = False) -> Connection:
        return connect(self.store, readonly=readonly)

    def meta(self) -> dict[str, str]:
        conn = self.connect(readonly=True)
        try:
            return {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM meta")}
        finally:
            conn.close()


def create_case(path: Path, name: str, examiner: str) -> Case:
    path = Path(path).absolute()
    if (path / STORE_NAME).exists():
        raise CaseError(f"a case already exists at {path}")
    if path.exists() and not path.is_dir():
        raise CaseError(f"{path} exists and is not a folder")
    if not name.strip():
        raise CaseError("a case needs a name (--name)")
    if not examiner.strip():
        raise CaseError("a case needs an examiner (--examiner)")
    case = Case(path)
    for folder in (case.root, case.thumbnails, case.logs, case.tmp):
        folder.mkdir(parents=True, exist_ok=True)
    conn = connect(case.store)
    try:
        migrate(conn)
        with db.write(conn):
            conn.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [("case_id", str(uuid.uuid4())), ("name", name.strip()), ("examiner", examiner.strip()),
                 ("created_utc", utc_now()), ("created_with", __version__)],
            )
    finally:
        conn.close()
    return case


def open_case(path: Path | str | None) -> Case:
    """Open an existing case (migrating it to the current schema). `path` falls back to WINNOW_CASE."""
    if path is None or str(path) == "":
        env = os.environ.get("WINNOW_CASE")
        if not env:
            raise CaseError("no case given: pass --case PATH or set WINNOW_CASE")
        path = env
    root = Path(path).absolute()
    case = Case(root)
    if not case.store.exists():
        raise CaseError(f"no case at {root} (create it with: winnow case create {root} --name ... --examiner ...)")
    for folder in (case.thumbnails, case.logs, case.tmp):
        folder.mkdir(parents=True, exist_ok=True)
    conn = connect(case.store)
    try:
        migrate(conn)
    except (StoreError, db.DatabaseError) as exc:
        raise CaseError(f"cannot open the case store {case.store}: {exc}") from exc
    finally:
        conn.close()
    return case
