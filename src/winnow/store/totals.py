"""What the case holds after an ingest (the summary's `case_totals`): counts of items, contents, images and
warnings; each a count over one table."""

from __future__ import annotations

from typing import Any

from winnow.store import disk
from winnow.store.db import Connection


def case_totals(conn: Connection) -> dict[str, Any]:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    by_status = {r[0]: r[1] for r in conn.execute("SELECT status, COUNT(*) FROM instances GROUP BY status")}
    by_kind = {r[0]: r[1] for r in conn.execute("SELECT kind, COUNT(*) FROM content GROUP BY kind")}
    warn_codes = {r[0]: r[1] for r in conn.execute(
        "SELECT code, COUNT(*) FROM warnings GROUP BY code ORDER BY COUNT(*) DESC, code")}
    return {
        "items": one("SELECT COUNT(*) FROM instances"),
        "items_by_status": by_status,
        "unique_contents": one("SELECT COUNT(*) FROM content"),
        "unique_bytes": one("SELECT COALESCE(SUM(size), 0) FROM content"),
        "contents_by_kind": by_kind,
        "images": one("SELECT COUNT(*) FROM images"),
        "pdq_hashes": one("SELECT COUNT(*) FROM images WHERE pdq IS NOT NULL"),
        "thumbnails": one("SELECT COUNT(*) FROM images WHERE thumbnail IS NOT NULL"),
        "with_exif": one("SELECT COUNT(*) FROM images WHERE exif IS NOT NULL"),
        "with_gps": one("SELECT COUNT(*) FROM images WHERE gps_lat IS NOT NULL"),
        "extension_mismatches": one("SELECT COUNT(*) FROM instances WHERE extension_mismatch=1"),
        "archives": by_status.get("archive", 0) + by_status.get("expanding", 0),
        "warnings": one("SELECT COUNT(*) FROM warnings"),
        "warnings_by_code": warn_codes,
        "disk_images": disk.image_summary(conn),
    }
