"""Global search: a hash (SHA-256, MD5, SHA-1, PDQ), an identifier, a file name or text; each hit links to the
page that shows it (item, leads, warnings). Read-only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from winnow.store import search
from winnow.web.context import User, web

router = APIRouter()


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, who: User, q: str = "") -> Any:
    site = web(request)
    found = None
    if q.strip():
        from winnow.identifiers.extract import extract

        normalised = {f.value for f in extract(q[:200])}
        with site.db() as conn:
            found = search.everything(conn, q, normalised)
    return site.page(request, "search.html", who, q=q[:200], found=found)
