"""The hash-set library shared by all cases: a catalog (`library.sqlite`) and one SQLite file per set under
`sets/`, plus the set's PDQ hashes as a numpy array for the Hamming index. Importing writes a new file and then
swaps the catalog row in one transaction: a re-import replaces a set atomically, and an interrupted import
leaves the old set untouched."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from winnow.hashes import file_sha256
from winnow.hashsets import formats
from winnow.hashsets.records import HashRecord
from winnow.problems import Problem
from winnow.store import hashset_db
from winnow.store.db import Connection
from winnow.timeutil import utc_now

KINDS = ("alert", "ignorable")
MAX_ISSUES_KEPT = 10_000
BATCH = 50_000

_CATALOG = """
CREATE TABLE IF NOT EXISTS sets (
    name TEXT PRIMARY KEY, kind TEXT NOT NULL, format TEXT NOT NULL, file TEXT NOT NULL, source_path TEXT NOT NULL,
    source_sha256 TEXT NOT NULL, imported_utc TEXT NOT NULL, version INTEGER NOT NULL, counts TEXT NOT NULL,
    issues INTEGER NOT NULL, max_distance INTEGER NOT NULL DEFAULT 31
)"""
_SET_SCHEMA = (
    "CREATE TABLE records (hash_type TEXT NOT NULL, value TEXT NOT NULL, category TEXT, category_raw TEXT, "
    "series TEXT, victim_identified INTEGER, offender_identified INTEGER, is_distributed INTEGER, tags TEXT, "
    "comments TEXT, media_id TEXT, extra TEXT)",
    "CREATE TABLE issues (position TEXT NOT NULL, message TEXT NOT NULL)",
    "CREATE TABLE vpdq_frames (video TEXT NOT NULL, frame INTEGER NOT NULL, quality INTEGER NOT NULL, "
    "pdq TEXT NOT NULL, seconds REAL NOT NULL)",
)


class ImportFailed(Exception):
    """--strict import with bad rows, or an unreadable file: nothing was imported."""


def default_library() -> Path:
    env = os.environ.get("WINNOW_LIBRARY")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("winnow")) / "library"


@dataclass
class ImportResult:
    name: str
    kind: str
    format: str
    version: int
    counts: dict[str, int]
    problems: int
    first_problems: list[Problem] = field(default_factory=list)
    replaced: bool = False

    @property
    def issues(self) -> int:  # the name before one vocabulary (kept for scripts)
        return self.problems

    @property
    def first_issues(self) -> list[Problem]:
        return self.first_problems

    def as_dict(self) -> dict[str, Any]:
        first = [p.as_dict() for p in self.first_problems]
        return {"name": self.name, "kind": self.kind, "format": self.format, "version": self.version,
                "counts": self.counts, "records": sum(self.counts.values()), "problems": self.problems,
                "first_problems": first, "issues": self.problems, "first_issues": first, "replaced": self.replaced}


@dataclass(frozen=True)
class SetInfo:
    name: str
    kind: str
    format: str
    path: Path
    version: int
    source_sha256: str
    counts: dict[str, int]
    issues: int
    imported_utc: str
    max_distance: int

    @property
    def pdq_path(self) -> Path:
        return self.path.with_suffix(".pdq.npy")


class Library:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else default_library()
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "sets").mkdir(exist_ok=True)
        self.catalog = self.root / "library.sqlite"
        with contextlib.closing(self._connect()) as conn:
            conn.execute(_CATALOG)

    def _connect(self) -> Connection:
        return hashset_db.open_catalog(self.catalog)

    # ------------------------------------------------------------------ reading the catalog
    def sets(self) -> list[SetInfo]:
        with contextlib.closing(self._connect()) as conn:
            return [self._info(r) for r in conn.execute("SELECT * FROM sets ORDER BY name")]

    def get(self, name: str) -> SetInfo:
        with contextlib.closing(self._connect()) as conn:
            row = conn.execute("SELECT * FROM sets WHERE name=?", (name,)).fetchone()
        if row is None:
            raise ValueError(f"no hash set named {name!r} in {self.root}")
        return self._info(row)

    def _info(self, row: hashset_db.Row) -> SetInfo:
        return SetInfo(row["name"], row["kind"], row["format"], self.root / "sets" / row["file"], row["version"],
                       row["source_sha256"], json.loads(row["counts"]), row["issues"], row["imported_utc"],
                       row["max_distance"])

    def issues(self, name: str, limit: int = 100) -> list[Problem]:
        info = self.get(name)
        with contextlib.closing(hashset_db.open_readonly(info.path)) as conn:
            return [Problem(p, m) for p, m in conn.execute("SELECT position, message FROM issues LIMIT ?", (limit,))]

    # ------------------------------------------------------------------ import / remove
    def import_file(self, path: Path, name: str, kind: str | None = None, format_name: str = "auto",
                    strict: bool = False, max_distance: int = 31, **options: Any) -> ImportResult:
        path = Path(path)
        if not path.is_file():
            raise ImportFailed(f"{path} is not a readable file")
        if not name.strip():
            raise ImportFailed("a hash set needs a name (--name)")
        fmt = formats.detect(path) if format_name == "auto" else format_name
        kind = kind or formats.DEFAULT_KIND.get(fmt, "alert")
        if kind not in KINDS:
            raise ImportFailed(f"kind must be one of {KINDS}")
        if not 0 <= max_distance <= 64:
            raise ImportFailed("max distance must be between 0 and 64")
        file_name = f"{uuid.uuid4().hex}.sqlite"
        target = self.root / "sets" / file_name
        partial = target.with_name(file_name + ".partial")
        try:
            counts, issues, first = self._write_set(partial, formats.reader(fmt, path, **options), strict)
        except BaseException:
            for leftover in (partial, partial.with_suffix(".pdq.npy")):
                leftover.unlink(missing_ok=True)
            raise
        os.replace(partial, target)
        pdq_partial = partial.with_suffix(".pdq.npy")
        if pdq_partial.exists():
            os.replace(pdq_partial, target.with_suffix(".pdq.npy"))
        source_sha = file_sha256(path)
        with contextlib.closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            old = conn.execute("SELECT file, version FROM sets WHERE name=?", (name,)).fetchone()
            version = (old["version"] + 1) if old else 1
            conn.execute("INSERT OR REPLACE INTO sets(name, kind, format, file, source_path, source_sha256, "
                         "imported_utc, version, counts, issues, max_distance) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         (name, kind, fmt, file_name, str(path.absolute()), source_sha, utc_now(), version,
                          json.dumps(counts, sort_keys=True), issues, max_distance))
            conn.execute("COMMIT")
        if old:
            self._delete_files(self.root / "sets" / old["file"])
        return ImportResult(name, kind, fmt, version, counts, issues, first, replaced=bool(old))

    def remove(self, name: str) -> None:
        info = self.get(name)
        with contextlib.closing(self._connect()) as conn:
            conn.execute("DELETE FROM sets WHERE name=?", (name,))
        self._delete_files(info.path)

    @staticmethod
    def _delete_files(path: Path) -> None:
        for p in (path, path.with_suffix(".pdq.npy")):
            p.unlink(missing_ok=True)

    def _write_set(self, target: Path, records: Iterator[HashRecord | Problem],
                   strict: bool) -> tuple[dict[str, int], int, list[Problem]]:
        conn = hashset_db.create_set(target)
        for statement in _SET_SCHEMA:
            conn.execute(statement)
        counts: Counter[str] = Counter()
        issues = 0
        first: list[Problem] = []
        rows: list[tuple[Any, ...]] = []
        pdq_chunks: list[np.ndarray] = []
        pdq_batch: list[str] = []
        conn.execute("BEGIN")
        try:
            for item in records:
                if isinstance(item, Problem):
                    issues += 1
                    if len(first) < 20:
                        first.append(item)
                    if issues <= MAX_ISSUES_KEPT:
                        conn.execute("INSERT INTO issues VALUES (?, ?)", (item.position, item.message))
                    continue
                counts[item.hash_type] += 1
                if item.hash_type == "vpdq":
                    features = item.extra.pop("features", [])
                    conn.executemany("INSERT INTO vpdq_frames VALUES (?,?,?,?,?)",
                                     [(item.value, f.frame, f.quality, f.pdq, f.seconds) for f in features])
                rows.append((item.hash_type, item.value, item.category, item.category_raw, item.series,
                             _flag(item.victim_identified), _flag(item.offender_identified),
                             _flag(item.is_distributed), json.dumps(item.tags) if item.tags else None,
                             item.comments, item.media_id, json.dumps(item.extra, default=str) if item.extra else None))
                if item.hash_type == "pdq":
                    pdq_batch.append(item.value)
                if len(rows) >= BATCH:
                    conn.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
                    rows.clear()
                    if pdq_batch:
                        pdq_chunks.append(_pdq_array(pdq_batch))
                        pdq_batch = []
            if strict and issues:
                raise ImportFailed(f"--strict: {issues} bad rows, nothing imported; first: "
                                   f"{first[0].position}: {first[0].message}")
            conn.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            conn.execute("COMMIT")
            conn.execute("CREATE INDEX records_value ON records(value, hash_type)")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()
        if pdq_batch:
            pdq_chunks.append(_pdq_array(pdq_batch))
        if pdq_chunks:
            np.save(target.with_suffix(".pdq.npy"), np.concatenate(pdq_chunks))
        return dict(counts), issues, first


def _pdq_array(values: list[str]) -> np.ndarray:
    return np.frombuffer(bytes.fromhex("".join(values)), dtype=np.uint8).reshape(-1, 32)


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)

