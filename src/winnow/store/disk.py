"""Case-store SQL for disk images: image, volume and file-system rows, work units done, verification results,
and the end-of-image step that folds carved copies of listed files into those files (dedup by SHA-256)."""

from __future__ import annotations

import json
from typing import Any

from winnow.messages import DiskImageRow, ImageHashes, Record, UnitDone, VolumeRow
from winnow.store.db import Connection


def fs_entry_row(rec: Record, run_id: int) -> tuple[Any, ...]:
    d = rec.disk or {}
    return (rec.chain, d["image"], d["volume"], d.get("fs_type"), d.get("partition_offset", 0), d.get("inode"),
            int(bool(d.get("deleted"))), int(bool(d.get("orphan"))), int(bool(d.get("carved"))),
            d.get("carve_offset"), d.get("carve_length"), d.get("mtime"), d.get("atime"), d.get("ctime"),
            d.get("crtime"), run_id)


def write(c: Connection, batch: list[Any], run_id: int) -> None:
    """Rows of one writer batch (inside the caller's transaction); every statement is idempotent."""
    entries = [fs_entry_row(m, run_id) for m in batch if isinstance(m, Record) and m.disk is not None]
    c.executemany("INSERT INTO fs_entries(chain, image, volume, fs_type, partition_offset, inode, "
                  "deleted, orphan, carved, carve_offset, carve_length, mtime, atime, ctime, crtime, run_id) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING", entries)
    for m in batch:
        if isinstance(m, DiskImageRow):
            c.execute("INSERT INTO disk_images(chain, format, segments, media_size, stored_md5, stored_sha1, "
                      "verification, volume_system, details, run_id) VALUES (?,?,?,?,?,?,?,?,?,?) "
                      "ON CONFLICT DO NOTHING",
                      (m.chain, m.format, json.dumps(list(m.segments)), m.media_size, m.stored_md5, m.stored_sha1,
                       m.verification, m.volume_system, m.details, run_id))
        elif isinstance(m, VolumeRow):
            c.execute("INSERT INTO volumes (image, chain, slot, start_offset, length, description, fs_type, "
                      "encryption, status, run_id) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                      (m.image, m.chain, m.slot, m.start, m.length, m.description, m.fs_type, m.encryption,
                       m.status, run_id))
        elif isinstance(m, ImageHashes):
            c.execute("UPDATE disk_images SET computed_md5=?, computed_sha1=?, computed_sha256=?, bytes_hashed=?, "
                      "verification=? WHERE chain=?",
                      (m.md5, m.sha1, m.sha256, m.bytes_read, m.verification, m.chain))
        elif isinstance(m, UnitDone):
            c.execute("INSERT INTO disk_units (image, unit, run_id) VALUES (?,?,?) ON CONFLICT DO NOTHING",
                      (m.image, m.unit, run_id))


def units_done(c: Connection, image: str) -> set[str]:
    return {r[0] for r in c.execute("SELECT unit FROM disk_units WHERE image=?", (image,))}


def fold_carved_duplicates(c: Connection, image: str) -> int:
    """A carved item whose SHA-256 is also a listed (allocated or deleted) file of the same image is that file
    again: its fs_entries row keeps where it was found (duplicate_of), its instance (and anything opened
    inside it) is removed. Runs once every work unit of the image has ended; idempotent."""
    rows = c.execute(
        "SELECT e.chain, (SELECT MIN(f.chain) FROM fs_entries f JOIN instances j ON j.chain = f.chain "
        "                 WHERE f.image = e.image AND f.carved = 0 AND j.sha256 = i.sha256) "
        "FROM fs_entries e JOIN instances i ON i.chain = e.chain "
        "WHERE e.image = ? AND e.carved = 1 AND i.sha256 IS NOT NULL", (image,)).fetchall()
    folded = 0
    for chain, original in rows:
        if original is None:
            continue
        c.execute("UPDATE fs_entries SET duplicate_of=? WHERE chain=?", (original, chain))
        for table in ("instances", "warnings"):
            c.execute(f"DELETE FROM {table} WHERE chain=? OR (chain >= ? AND chain < ?)",
                      (chain, chain + "!/", chain + "!0"))
        folded += 1
    return folded


def image_summary(c: Connection) -> list[dict[str, Any]]:
    """One entry per disk image of the case: format, verification, volumes, deleted/carved counts."""
    out: list[dict[str, Any]] = []
    for chain, fmt, size, s_md5, s_sha1, c_md5, c_sha1, verification, vs in c.execute(
            "SELECT chain, format, media_size, stored_md5, stored_sha1, computed_md5, computed_sha1, "
            "verification, volume_system FROM disk_images ORDER BY chain"):
        vols = [dict(zip(("slot", "start", "length", "fs_type", "encryption", "status"), r, strict=True))
                for r in c.execute("SELECT slot, start_offset, length, fs_type, encryption, status FROM volumes "
                                   "WHERE image=? ORDER BY start_offset", (chain,))]
        def one(sql: str, chain: str = chain) -> int:
            return int(c.execute(sql, (chain,)).fetchone()[0])

        out.append({
            "image": chain, "format": fmt, "media_size": size, "volume_system": vs, "verification": verification,
            "stored_md5": s_md5, "stored_sha1": s_sha1, "computed_md5": c_md5, "computed_sha1": c_sha1,
            "volumes": vols,
            "files": one("SELECT COUNT(*) FROM fs_entries WHERE image=? AND carved=0"),
            "deleted": one("SELECT COUNT(*) FROM fs_entries WHERE image=? AND deleted=1"),
            "carved": one("SELECT COUNT(*) FROM fs_entries WHERE image=? AND carved=1 AND duplicate_of IS NULL"),
            "carved_duplicates": one("SELECT COUNT(*) FROM fs_entries WHERE image=? AND duplicate_of IS NOT NULL"),
        })
    return out


def integrity_text(d: dict[str, Any]) -> str:
    """How the report and the summary state an image's verification (a mismatch is said loudly)."""
    return {"verified": "verified: the stored hashes match the medium",
            "mismatch": "MISMATCH: the medium does not match the hashes stored at acquisition",
            "computed": "hashes computed (the image stores none)",
            "failed": "NOT VERIFIED: the medium could not be read to the end",
            "pending": "NOT VERIFIED: verification did not finish (re-run ingest)",
            "not_checked": "not checked (the image stores no hash; --verify-image computes them)"}.get(
        d["verification"], d["verification"])


def volume_text(v: dict[str, Any]) -> str:
    what = v["fs_type"] or (f"ENCRYPTED ({v['encryption']})" if v["encryption"] else v["status"])
    return f"{v['slot'] or 'fs'}@{v['start']}: {what}"
