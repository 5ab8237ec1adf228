"""Read-only questions the CLI and the web app ask of a case."""

from __future__ import annotations

from typing import Any

from winnow.store.case import Case
from winnow.store.db import Connection


def warnings(case: Case, code: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    conn = case.connect(readonly=True)
    try:
        sql = "SELECT id, chain, stage, code, message, run_id FROM warnings"
        args: list[Any] = []
        if code:
            sql += " WHERE code=?"
            args.append(code)
        sql += " ORDER BY id"
        if limit:
            sql += " LIMIT ?"
            args.append(limit)
        return [dict(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def instance(case: Case, chain: str) -> dict[str, Any] | None:
    conn = case.connect(readonly=True)
    try:
        row = conn.execute(
            "SELECT i.*, c.md5, c.sha1, c.mime, c.kind, im.width, im.height, im.pdq, im.pdq_quality, im.thumbnail, "
            "im.make, im.model, im.datetime_original, im.gps_lat, im.gps_lon FROM instances i "
            "LEFT JOIN content c ON c.sha256 = i.sha256 LEFT JOIN images im ON im.sha256 = i.sha256 "
            "WHERE i.chain = ?", (chain,)).fetchone()
        return dict(row) if row else None
    finally:
        conn.close()


# An instance is a file on the evidence file system when nothing contains it: depth 0 (archive members, disk
# entries and carved ranges sit one level or more below their container). Structural, never a search for '!' in the
# chain text: '!' is a legal character in file and folder names (evidence/provenance.py).
ON_DISK = "depth = 0 AND status != 'segment'"


def file_on_disk(conn: Connection, sha256: str) -> str | None:
    """A path on disk holding this content (never an archive member or an entry of a disk image), or None."""
    row = conn.execute(f"SELECT chain FROM instances WHERE sha256 = ? AND {ON_DISK} ORDER BY chain LIMIT 1",
                       (sha256,)).fetchone()
    return str(row[0]) if row else None


def unscored_for_calls(conn: Connection) -> list[tuple[str, str, str | None]]:
    """Videos and images (with a PDQ) that have no call-recording score, each with a file on disk or None."""
    on_disk = f"(SELECT min(chain) FROM instances i WHERE i.sha256 = m.sha256 AND {ON_DISK})"
    rows = conn.execute(
        f"SELECT m.sha256, 'video' AS kind, {on_disk} AS chain FROM videos m "
        "WHERE m.sha256 NOT IN (SELECT sha256 FROM calls) "
        f"UNION ALL SELECT m.sha256, 'image', {on_disk} FROM images m WHERE m.sha256 NOT IN (SELECT sha256 FROM calls) "
        "AND m.pdq IS NOT NULL").fetchall()
    return [(str(r[0]), str(r[1]), r[2]) for r in rows]


def image_facts(conn: Connection, sha256: str) -> dict[str, Any]:
    row = conn.execute("SELECT format, width, height, make, model, software, pdq FROM images WHERE sha256 = ?",
                       (sha256,)).fetchone()
    return dict(row) if row else {}
