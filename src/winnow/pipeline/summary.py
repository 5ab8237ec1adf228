"""The ingest summary: what this run did (speed) and what the case now holds."""

from __future__ import annotations

import resource
from typing import Any

from winnow.pipeline.stats import Stats
from winnow.store import disk as disk_store
from winnow.store.case import Case


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of the runner and of the largest worker (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"runner": round(own, 1), "largest_worker": round(children, 1)}


def case_totals(case: Case) -> dict[str, Any]:
    conn = case.connect(readonly=True)
    try:
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
            "disk_images": disk_store.image_summary(conn),
        }
    finally:
        conn.close()


def summarize(case: Case, run_id: int, stats: Stats) -> dict[str, Any]:
    seconds = stats.elapsed()
    return {
        "case": str(case.root),
        "run_id": run_id,
        "this_run": {
            "seconds": round(seconds, 3),
            "source_files": stats.files_done,
            "source_bytes": stats.bytes_done,
            "items_written": stats.items,
            "warnings": stats.warnings,
            "files_per_second": round(stats.files_done / seconds, 2),
            "mb_per_second": round(stats.bytes_done / seconds / 1e6, 2),
            "replaced_workers": stats.replaced_workers,
            "archives_read_in_parallel": stats.split_archives,
            "peak_rss_mb": peak_rss_mb(),
        },
        "case_totals": case_totals(case),
    }
