"""The case report for court (admins and supervisors). The payments pages are in `routes/payments.py`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request

from winnow.web.context import Checked, require_role, web

router = APIRouter()


@router.post("/report")
def make_report(request: Request, who: Checked) -> Any:
    """The case report (HTML and PDF in CASE/reports)."""
    require_role(who, "admin", "supervisor", why="reports are made by admins and supervisors")
    from winnow.web.report import write

    result = write(web(request).case)
    return {"html": Path(result["html"]).name, "pdf": Path(result["pdf"]).name, "items": result["items"]}
