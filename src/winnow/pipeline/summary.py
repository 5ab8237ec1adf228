"""The ingest summary: what this run did (speed) and what the case now holds."""

from __future__ import annotations

import resource
from typing import Any, TypedDict

from winnow.pipeline.stats import Stats
from winnow.store import totals
from winnow.store.case import Case


class PeakRss(TypedDict):
    runner: float
    largest_worker: float


class ThisRun(TypedDict):
    seconds: float
    source_files: int
    source_bytes: int
    items_written: int
    warnings: int
    files_per_second: float
    mb_per_second: float
    replaced_workers: int
    archives_read_in_parallel: int
    peak_rss_mb: PeakRss


class Summary(TypedDict):
    """What `winnow ingest --json` prints and `ingest()` returns."""

    case: str
    run_id: int
    this_run: ThisRun
    case_totals: dict[str, Any]  # table -> count, as store/totals.py reads them


def peak_rss_mb() -> PeakRss:
    """Peak resident memory of the runner and of the largest worker (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"runner": round(own, 1), "largest_worker": round(children, 1)}


def case_totals(case: Case) -> dict[str, Any]:
    conn = case.connect(readonly=True)
    try:
        return totals.case_totals(conn)
    finally:
        conn.close()


def summarize(case: Case, run_id: int, stats: Stats) -> Summary:
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
