"""Column formats: Interpol ICSE CSV (`;`-separated), NSRL (RDSv3 SQLite and the legacy NSRLFile.txt), and any
CSV through a column mapping."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from winnow.hashsets.categories import label
from winnow.hashsets.records import BadValue, HashRecord, normalise, truthy
from winnow.problems import Problem
from winnow.store import hashset_library as hsdb

csv.field_size_limit(16 * 1024 * 1024)


def _rows(path: Path, delimiter: str) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        header = [h.strip() for h in next(reader, [])]
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            yield reader.line_num, {header[i] if i < len(header) else f"column{i + 1}": cell.strip()
                                    for i, cell in enumerate(row)}


def _get(row: dict[str, str], *names: str) -> str | None:
    lowered = {k.lower().replace(" ", "").replace("_", ""): v for k, v in row.items()}
    for name in names:
        value = lowered.get(name.lower().replace(" ", "").replace("_", ""))
        if value:
            return value
    return None


def read_icse(path: Path) -> Iterator[HashRecord | Problem]:
    """`MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;Series name;...`"""
    for line, row in _rows(path, ";"):
        base = dict(series=_get(row, "Series name", "Series"), media_id=_get(row, "Image ID", "ImageID"),
                    is_distributed=truthy(_get(row, "Is distributed")),
                    victim_identified=truthy(_get(row, "Victim identified")),
                    offender_identified=truthy(_get(row, "Offender identified")))
        known = {"md5", "sha1", "photodna", "imageid", "isdistributed", "victimidentified", "offenderidentified",
                 "seriesname"}
        extra = {k: v for k, v in row.items() if v and k.lower().replace(" ", "") not in known}
        found = False
        for kind, names in (("md5", ("MD5",)), ("sha1", ("SHA1", "SHA-1")), ("photodna", ("PhotoDNA",))):
            value = _get(row, *names)
            if value:
                found = True
                try:
                    yield HashRecord(hash_type=kind, value=normalise(kind, value), extra=extra, **base)  # type: ignore[arg-type]
                except BadValue as exc:
                    yield Problem(f"line {line}", str(exc))
        if not found:
            yield Problem(f"line {line}", "no MD5, SHA1 or PhotoDNA value")


def read_nsrl_rds(path: Path) -> Iterator[HashRecord | Problem]:
    """NSRL RDSv3 (SQLite, table FILE: sha256, sha1, md5, ...)."""
    conn = hsdb.open_readonly(path)
    try:
        columns = hsdb.nsrl_columns(conn)
        wanted = [c for c in ("md5", "sha1", "sha256") if c in columns]
        if not wanted:
            yield Problem("table FILE", "no md5, sha1 or sha256 column: not an RDSv3 database")
            return
        for row in hsdb.nsrl_rows(conn, wanted):
            for kind, value in zip(wanted, row[1:], strict=True):
                if value:
                    try:
                        yield HashRecord(hash_type=kind, value=normalise(kind, value))
                    except BadValue as exc:
                        yield Problem(f"FILE rowid {row[0]}", str(exc))
    finally:
        conn.close()


def read_nsrl_legacy(path: Path) -> Iterator[HashRecord | Problem]:
    """`"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"`"""
    for line, row in _rows(path, ","):
        for kind, key in (("sha1", "SHA-1"), ("md5", "MD5")):
            value = row.get(key)
            if value:
                try:
                    yield HashRecord(hash_type=kind, value=normalise(kind, value),
                                     extra={"file_name": row.get("FileName")} if row.get("FileName") else {})
                except BadValue as exc:
                    yield Problem(f"line {line}", str(exc))


def read_mapped_csv(path: Path, mapping: dict[str, str], delimiter: str = ",",
                    scheme: str | None = None) -> Iterator[HashRecord | Problem]:
    """Any CSV: `mapping` names the column for md5/sha1/sha256/pdq/photodna and for category/series/comments."""
    hash_columns = {k: v for k, v in mapping.items() if k in ("md5", "sha1", "sha256", "pdq", "photodna")}
    if not hash_columns:
        raise ValueError("the column mapping names no hash column (md5=..., sha1=..., sha256=..., pdq=...)")
    for line, row in _rows(path, delimiter):
        category, raw = label(scheme or "US", row.get(mapping.get("category", ""), "")) if "category" in mapping \
            else (None, None)
        if raw is not None and category is None:
            yield Problem(f"line {line}", f"unknown category code {raw!r}: kept raw")
        for kind, column in hash_columns.items():
            value = row.get(column)
            if not value:
                continue
            try:
                yield HashRecord(hash_type=kind, value=normalise(kind, value), category=category, category_raw=raw,
                                 series=row.get(mapping.get("series", "")) or None,
                                 comments=row.get(mapping.get("comments", "")) or None)
            except BadValue as exc:
                yield Problem(f"line {line}", str(exc))
