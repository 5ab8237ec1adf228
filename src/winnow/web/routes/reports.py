"""The case report for court (admins and supervisors) and the payments ranking page (every role may look)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from winnow.web.context import Checked, User, require_role, web

router = APIRouter()


@router.post("/report")
def make_report(request: Request, who: Checked) -> Any:
    """The case report (HTML and PDF in CASE/reports)."""
    require_role(who, "admin", "supervisor", why="reports are made by admins and supervisors")
    from winnow.web.report import write

    result = write(web(request).case)
    return {"html": Path(result["html"]).name, "pdf": Path(result["pdf"]).name, "items": result["items"]}


@router.get("/payments", response_class=HTMLResponse)
def payments_page(request: Request, who: User, top: int = 50) -> Any:
    """Ranked possible buyers and facilitators with names as recorded, totals and every indicator's explanation and
    evidence (read-only)."""
    from winnow.payments.scoring import ranking_for_case

    site = web(request)
    result = ranking_for_case(site.case.root)
    return site.page(request, "payments.html", who, result=result, top=max(1, min(top, 500)))
