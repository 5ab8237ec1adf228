"""Call recordings: videos (and screenshot-like images) ranked by call score, each with its contact sheet
(blurred and grayscale by default; a reveal is audited), the reasons as sentences with their points, the leads
read on screen with their text crops, a "call" / "not a call" verdict and "link to party" (reviewers,
supervisors and admins; CSRF-checked; audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from winnow.calls.detector import FLAG
from winnow.calls.explain import sentences
from winnow.store import call_reviews
from winnow.web.context import Checked, User, content_id, web

router = APIRouter()
PAGE = 20


@router.get("/calls", response_class=HTMLResponse)
def calls_page(request: Request, who: User, offset: int = 0, min_score: float = 0.0) -> Any:
    site = web(request)
    offset, min_score = max(0, offset), min(1.0, max(0.0, min_score))
    with site.db() as conn:
        found = call_reviews.ranked(conn, offset, PAGE, min_score)
        total = call_reviews.total(conn, min_score)
        flagged = call_reviews.total(conn, FLAG)
    for row in found:
        row["sentences"] = sentences(row.pop("reasons"))
    return site.page(request, "calls.html", who, calls=found, total=total, flagged=flagged, flag=FLAG,
                     offset=offset, page=PAGE, min_score=min_score)


@router.get("/lead-crop/{lead_id}")
def lead_crop(request: Request, lead_id: str, who: User) -> Any:
    """The text crop of one on-screen lead, by its row number only (a path never comes from the request)."""
    if not lead_id.isdigit() or len(lead_id) > 18:
        raise HTTPException(404, "no such lead")
    site = web(request)
    with site.db() as conn:
        relative = call_reviews.lead_crop(conn, int(lead_id))
    if not relative:
        raise HTTPException(404, "no crop")
    path = (site.case.root / relative).resolve()
    if not path.is_relative_to(site.case.root.resolve()) or not path.is_file():
        raise HTTPException(404, "no crop")
    return FileResponse(path, media_type="image/png")


async def _data(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        found = await request.json()
        return found if isinstance(found, dict) else {}
    return dict(await request.form())


@router.post("/calls/{sha256}/verdict")
async def verdict(request: Request, sha256: str, who: Checked) -> Any:
    data = await _data(request)
    try:
        version = int(data.get("version", 0))
    except (TypeError, ValueError) as exc:
        raise HTTPException(400, "version must be a number") from exc
    with web(request).db() as conn:
        try:
            return call_reviews.decide(conn, who, content_id(sha256), str(data.get("verdict", "")), version)
        except call_reviews.Stale as exc:
            return JSONResponse({"conflict": str(exc)}, 409)


@router.post("/calls/{sha256}/party")
async def party(request: Request, sha256: str, who: Checked) -> Any:
    data = await _data(request)
    with web(request).db() as conn:
        return call_reviews.link_party(conn, who, content_id(sha256), str(data.get("party", "")))
