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
from winnow.store import hashset_library as hsdb
from winnow.timeutil import utc_now

KINDS = ("alert", "ignorable")
MAX_ISSUES_KEPT = 10_000
BATCH = 50_000

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
    pictures: int | None = None  # a set built from pictures: how many, and their stored variants
    variants: int | None = None

    @property
    def issues(self) -> int:  # the name before one vocabulary (kept for scripts)
        return self.problems

    @property
    def first_issues(self) -> list[Problem]:
        return self.first_problems

    def as_dict(self) -> dict[str, Any]:
        first = [p.as_dict() for p in self.first_problems]
        out = {"name": self.name, "kind": self.kind, "format": self.format, "version": self.version,
               "counts": self.counts, "records": sum(self.counts.values()), "problems": self.problems,
               "first_problems": first, "issues": self.problems, "first_issues": first, "replaced": self.replaced}
        if self.pictures is not None:
            out |= {"pictures": self.pictures, "variants": self.variants}
        return out


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

    @property
    def variants_path(self) -> Path:
        """A set built from pictures (`build_from_folder`): its pictures' stored variants' PDQ hashes."""
        return self.path.with_suffix(".variants.npy")

    @property
    def pictures_dir(self) -> Path:
        """A set built from pictures: the pictures' thumbnails."""
        return self.path.with_suffix(".pictures")


class Library:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else default_library()
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "sets").mkdir(exist_ok=True)
        self.catalog = self.root / "library.sqlite"
        with contextlib.closing(self._connect()) as conn:
            hsdb.create_catalog(conn)

    def _connect(self) -> hsdb.Connection:
        return hsdb.open_catalog(self.catalog)

    # ------------------------------------------------------------------ reading the catalog
    def sets(self) -> list[SetInfo]:
        with contextlib.closing(self._connect()) as conn:
            return [self._info(r) for r in hsdb.catalog_sets(conn)]

    def get(self, name: str) -> SetInfo:
        with contextlib.closing(self._connect()) as conn:
            row = hsdb.catalog_get(conn, name)
        if row is None:
            raise ValueError(f"no hash set named {name!r} in {self.root}")
        return self._info(row)

    def _info(self, row: hsdb.Row) -> SetInfo:
        return SetInfo(row["name"], row["kind"], row["format"], self.root / "sets" / row["file"], row["version"],
                       row["source_sha256"], json.loads(row["counts"]), row["issues"], row["imported_utc"],
                       row["max_distance"])

    def issues(self, name: str, limit: int = 100) -> list[Problem]:
        info = self.get(name)
        with contextlib.closing(hsdb.open_readonly(info.path)) as conn:
            return [Problem(p, m) for p, m in hsdb.issues(conn, limit)]

    # ------------------------------------------------------------------ import / remove
    def import_file(self, path: Path, name: str, kind: str | None = None, format_name: str = "auto",
                    strict: bool = False, max_distance: int = 31, **options: Any) -> ImportResult:
        path = Path(path)
        if not path.is_file():
            raise ImportFailed(f"{path} is not a readable file")
        _require_name(name)  # before the format is detected: the name is what the user forgot
        fmt = formats.detect(path) if format_name == "auto" else format_name
        kind = kind or formats.DEFAULT_KIND.get(fmt, "alert")
        file_name, target, partial = self._new_set(kind, max_distance)
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
            old = hsdb.catalog_put(conn, {"name": name, "kind": kind, "format": fmt, "file": file_name,
                                          "source_path": str(path.absolute()), "source_sha256": source_sha,
                                          "imported_utc": utc_now(), "counts": json.dumps(counts, sort_keys=True),
                                          "issues": issues, "max_distance": max_distance})
        version = (old["version"] + 1) if old else 1
        if old:
            self._delete_files(self.root / "sets" / old["file"])
        return ImportResult(name, kind, fmt, version, counts, issues, first, replaced=bool(old))

    def _new_set(self, kind: str, max_distance: int) -> tuple[str, Path, Path]:
        """The kind and distance checked (refused in one line) and a new set file's name, target and partial
        path (the name is checked first, by the caller)."""
        if kind not in KINDS:
            raise ImportFailed(f"kind must be one of {KINDS}")
        if not 0 <= max_distance <= 64:
            raise ImportFailed("max distance must be between 0 and 64")
        file_name = f"{uuid.uuid4().hex}.sqlite"
        target = self.root / "sets" / file_name
        return file_name, target, target.with_name(file_name + ".partial")

    def build_from_folder(self, folder: Path, name: str, kind: str = "alert", category: str | None = None,
                          max_distance: int = 31) -> ImportResult:
        """A set made from a folder of reference pictures (`hashsets/pictures.py`): their exact hashes and PDQ
        as records, and their thumbnails and stored variants for matching with the reference's pixels. Files
        that are not pictures are stored problems of the set. Written beside the catalog and swapped in like an
        import: a rebuild replaces the set atomically."""
        from winnow.hashsets import pictures

        folder = Path(folder)
        if not folder.is_dir():
            raise ImportFailed(f"{folder} is not a folder")
        _require_name(name)
        file_name, target, partial = self._new_set(kind, max_distance)
        thumbs = partial.with_suffix(".pictures")
        built = pictures.Built()
        try:
            counts, issues, first = self._write_set(partial, pictures.records(folder, thumbs, built, category), False)
            if not built.pictures:
                raise ImportFailed(f"no picture winnow can decode in {folder}"
                                   + (f" ({issues} problems; first: {first[0].position}: {first[0].message})"
                                      if first else ""))
            with contextlib.closing(hsdb.open_set(partial)) as conn:
                hsdb.add_pictures(conn, built.pictures, built.variants)
            np.save(partial.with_suffix(".variants.npy"), pictures.variant_codes(built))
        except BaseException:
            self._delete_files(partial)
            raise
        os.replace(thumbs, target.with_suffix(".pictures"))
        for suffix in (".pdq.npy", ".variants.npy"):
            os.replace(partial.with_suffix(suffix), target.with_suffix(suffix))
        os.replace(partial, target)
        with contextlib.closing(self._connect()) as conn:
            old = hsdb.catalog_put(conn, {"name": name, "kind": kind, "format": pictures.FORMAT, "file": file_name,
                                          "source_path": str(folder.absolute()), "source_sha256": built.source_sha256,
                                          "imported_utc": utc_now(), "counts": json.dumps(counts, sort_keys=True),
                                          "issues": issues, "max_distance": max_distance})
        version = (old["version"] + 1) if old else 1
        if old:
            self._delete_files(self.root / "sets" / old["file"])
        result = ImportResult(name, kind, pictures.FORMAT, version, counts, issues, first, replaced=bool(old))
        result.pictures = len(built.pictures)
        result.variants = len(built.variants)
        return result

    def remove(self, name: str) -> None:
        info = self.get(name)
        with contextlib.closing(self._connect()) as conn:
            hsdb.catalog_remove(conn, name)
        self._delete_files(info.path)

    @staticmethod
    def _delete_files(path: Path) -> None:
        import shutil

        for p in (path, path.with_suffix(".pdq.npy"), path.with_suffix(".variants.npy")):
            p.unlink(missing_ok=True)
        shutil.rmtree(path.with_suffix(".pictures"), ignore_errors=True)

    def _write_set(self, target: Path, records: Iterator[HashRecord | Problem],
                   strict: bool) -> tuple[dict[str, int], int, list[Problem]]:
        conn = hsdb.create_set(target)
        counts: Counter[str] = Counter()
        issues = 0
        first: list[Problem] = []
        rows: list[tuple[Any, ...]] = []
        pdq_chunks: list[np.ndarray] = []
        pdq_batch: list[str] = []
        try:
            with hsdb.writing(conn):
                for item in records:
                    if isinstance(item, Problem):
                        issues += 1
                        if len(first) < 20:
                            first.append(item)
                        if issues <= MAX_ISSUES_KEPT:
                            hsdb.add_issue(conn, item.position, item.message)
                        continue
                    counts[item.hash_type] += 1
                    if item.hash_type == "vpdq":
                        features = item.extra.pop("features", [])
                        hsdb.add_vpdq_frames(conn, [(item.value, f.frame, f.quality, f.pdq, f.seconds)
                                                    for f in features])
                    rows.append((item.hash_type, item.value, item.category, item.category_raw, item.series,
                                 _flag(item.victim_identified), _flag(item.offender_identified),
                                 _flag(item.is_distributed), json.dumps(item.tags) if item.tags else None,
                                 item.comments, item.media_id,
                                 json.dumps(item.extra, default=str) if item.extra else None))
                    if item.hash_type == "pdq":
                        pdq_batch.append(item.value)
                    if len(rows) >= BATCH:
                        hsdb.add_records(conn, rows)
                        rows.clear()
                        if pdq_batch:
                            pdq_chunks.append(_pdq_array(pdq_batch))
                            pdq_batch = []
                if strict and issues:
                    raise ImportFailed(f"--strict: {issues} bad rows, nothing imported; first: "
                                       f"{first[0].position}: {first[0].message}")
                hsdb.add_records(conn, rows)
            hsdb.index_records(conn)
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


def _require_name(name: str) -> None:
    if not name.strip():
        raise ImportFailed("a hash set needs a name (--name)")
