"""The case overview: counts by state and kind, ingest runs with a live progress view (the page polls a small
JSON endpoint), warnings by code with the affected files, the hash sets matched, and the audit chain (its head on
the page; a full verification on request). Every role may look; nothing here changes the case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from winnow.store import audit, overview, queue, runs
from winnow.web.context import User, web

router = APIRouter()
STALLED_SECONDS = 60  # a "running" run whose progress is older than this is shown as stalled (killed, or hung)


def _runs(conn: Any) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    out = []
    for run in runs.recent(conn, 15):
        last = run["updated_utc"] or run["started_utc"]
        age = (now - datetime.fromisoformat(last.replace("Z", "+00:00"))).total_seconds() if last else 0.0
        run["stalled"] = run["status"] == "running" and run["command"].startswith("ingest") and age > STALLED_SECONDS
        total = run["total_files"] or 0
        run["percent"] = round(100 * (run["files_done"] or 0) / total, 1) if total and run["total_known"] else None
        out.append(run)
    return out


@router.get("/", include_in_schema=False)
def root(who: User) -> Any:
    return RedirectResponse("/case", 303)


@router.get("/case", response_class=HTMLResponse)
def case_page(request: Request, who: User) -> Any:
    site = web(request)
    with site.db() as conn:
        context = {"meta": overview.case_name(conn), "counts": queue.counts(conn), "runs": _runs(conn),
                   "warnings": overview.warnings_by_code(conn), "sets": overview.hash_sets(conn),
                   "audit": overview.audit_head(conn)}
    return site.page(request, "case.html", who, **context)


@router.get("/case/progress")
def progress(request: Request, who: User) -> Any:
    """The latest runs with their counters, for the overview's live view (polled while a run is going)."""
    with web(request).db() as conn:
        found = _runs(conn)
    return {"running": any(r["status"] == "running" and not r["stalled"] for r in found), "runs": found}


@router.get("/case/warnings/{code}", response_class=HTMLResponse)
def warnings_page(request: Request, code: str, who: User, offset: int = 0) -> Any:
    if not 1 <= len(code) <= 80:
        raise HTTPException(404, "no such warning code")
    site = web(request)
    with site.db() as conn:
        found = overview.warnings_for(conn, code, max(0, offset), 100)
    return site.page(request, "warnings.html", who, found=found)


@router.get("/case/audit")
def audit_check(request: Request, who: User) -> Any:
    """Verify the whole hash chain now (reads every audit row)."""
    with web(request).db() as conn:
        return audit.verify(conn).as_dict()
