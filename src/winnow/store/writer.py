"""The single writer: batches of worker results, each batch one transaction. Inserts are idempotent (a re-run
after a crash rewrites nothing that is already there), so a killed run loses at most one uncommitted batch.
The writer knows no signal: it inserts the `Rows` each record carries (in the order their tables first arrive,
after the content row they reference) and the identifiers they read as sightings."""

from __future__ import annotations

from typing import Any

from winnow.messages import NAME, Expanded, Record, Rows, Sighting, Warn
from winnow.store import db, disk
from winnow.store.db import Connection
from winnow.store.identifiers import SIGHTING_COLUMNS


class Writer:
    def __init__(self, conn: Connection, run_id: int) -> None:
        self.conn = conn
        self.run_id = run_id
        self.pending: list[Any] = []

    def add(self, message: Any) -> None:
        self.pending.append(message)

    def flush(self) -> int:
        if not self.pending:
            return 0
        batch, self.pending = self.pending, []
        contents: list[tuple[Any, ...]] = []
        instances: list[tuple[Any, ...]] = []
        warnings: list[tuple[Any, ...]] = []
        expanded: list[tuple[str, str]] = []
        rows: list[Rows] = []
        sightings: list[Sighting] = []
        for m in batch:
            if isinstance(m, Record):
                if m.content is not None:
                    ct = m.content
                    contents.append((ct["sha256"], ct["md5"], ct["sha1"], ct["size"], ct["mime"], ct["kind"],
                                     self.run_id))
                    rows.extend(m.rows)
                    sightings.extend(m.sightings)
                instances.append((m.chain, m.parent, m.name, m.name_raw, m.depth, m.source_id, m.status,
                                  m.content["sha256"] if m.content else None, m.size, m.mtime, m.atime, m.ctime,
                                  m.time_source, m.extension, m.detected_type, int(m.extension_mismatch),
                                  m.link_target, self.run_id))
                warnings.extend((m.chain, st, code, msg, self.run_id) for st, code, msg in m.warnings)
            elif isinstance(m, Warn):
                warnings.append((m.chain, m.stage, m.code, m.message, self.run_id))
            elif isinstance(m, Expanded):
                expanded.append((m.status, m.chain))
        c = self.conn
        with db.write(c):
            c.executemany("INSERT INTO content(sha256, md5, sha1, size, mime, kind, run_id) "
                          "VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING", contents)
            write_rows(c, rows, sightings, self.run_id)
            c.executemany(
                "INSERT INTO instances(chain, parent, name, name_raw, depth, source_id, status, sha256, "
                "size, mtime, atime, ctime, time_source, extension, detected_type, extension_mismatch, "
                "link_target, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING", instances)
            c.executemany("INSERT INTO warnings(chain, stage, code, message, run_id) VALUES (?,?,?,?,?) "
                          "ON CONFLICT DO NOTHING", warnings)
            disk.write(c, batch, self.run_id)
            c.executemany("UPDATE instances SET status=? WHERE chain=? AND status='expanding'", expanded)
            for status, chain in expanded:
                if status == "image":
                    disk.fold_carved_duplicates(c, chain)
        return len(batch)


def write_rows(c: Connection, rows: list[Rows], sightings: list[Sighting], run_id: int) -> None:
    """Signal rows (each with the run's id added) and sightings, in the caller's transaction; rows already
    stored are kept as they are."""
    grouped: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]] = {}
    for r in rows:
        grouped.setdefault((r.table, r.columns), []).extend((*v, run_id) for v in r.values)
    for (table, columns), values in grouped.items():
        if not all(NAME.fullmatch(n) for n in (table, *columns)):
            raise ValueError(f"not a table or column name: {table} {columns}")
        c.executemany(f"INSERT INTO {table}({', '.join(columns)}, run_id) "
                      f"VALUES ({', '.join('?' * (len(columns) + 1))}) ON CONFLICT DO NOTHING", values)
    for s in sightings:
        c.execute("INSERT INTO identifiers (kind, value) VALUES (?, ?) ON CONFLICT DO NOTHING", (s.kind, s.value))
        c.execute(f"INSERT INTO sightings ({SIGHTING_COLUMNS}) SELECT id, ?, ?, ?, ?, ?, NULL, ? FROM identifiers "
                  "WHERE kind = ? AND value = ? ON CONFLICT DO NOTHING",
                  (s.origin, s.ref, s.raw, s.confidence, s.note, s.context, s.kind, s.value))


def write_output(c: Connection, rows: list[Rows], sightings: list[Sighting], run_id: int) -> None:
    """`write_rows` in a transaction of its own (`winnow calls --rescan`, one content at a time)."""
    with db.write(c):
        write_rows(c, rows, sightings, run_id)
