"""Leads and identifiers: every identifier with where it was seen (on a screen, in a chat, in a payment), how it
was validated, and whether it links two origins; filters by kind, origin, "linked only" and one value (the search
links there). Read-only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from winnow.store import leads
from winnow.web.context import User, web

router = APIRouter()
PAGE = 50


@router.get("/leads", response_class=HTMLResponse)
def leads_page(request: Request, who: User, kind: str = "", origin: str = "", linked: int = 0,
               offset: int = 0, value: str = "") -> Any:
    site = web(request)
    with site.db() as conn:
        kinds = leads.kinds(conn)
        kind = kind if kind in kinds else ""
        origin = origin if origin in leads.ORIGINS else ""
        found = leads.page(conn, kind or None, origin or None, bool(linked), max(0, offset), PAGE, value[:200] or None)
    return site.page(request, "leads.html", who, identifiers=found, kinds=kinds, origins=leads.ORIGINS,
                     kind=kind, origin=origin, linked=bool(linked), offset=max(0, offset), page=PAGE,
                     value=value[:200])
