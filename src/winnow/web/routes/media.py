"""Pixels and playback, by content id only: thumbnails and contact sheets from the case folder, a video's evidence
file for muted playback on request (audited), and the audit row of a reveal (the unblurred view)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from winnow.store import audit, review
from winnow.web.context import SHA256, Checked, User, content_id, web

router = APIRouter()


def _case_file(request: Request, sha256: str, kind: str) -> Path:
    site = web(request)
    with site.db() as conn:
        relative = review.media_file(conn, content_id(sha256), kind)
    if not relative:
        raise HTTPException(404, "no thumbnail")
    path = (site.case.root / relative).resolve()
    if not path.is_relative_to(site.case.root.resolve()) or not path.is_file():
        raise HTTPException(404, "no thumbnail")
    return path


@router.get("/thumb/{sha256}")
def thumbnail(request: Request, sha256: str, who: User) -> Any:
    return FileResponse(_case_file(request, sha256, "thumbnail"), media_type="image/jpeg")


@router.get("/sheet/{sha256}")
def sheet(request: Request, sha256: str, who: User) -> Any:
    return FileResponse(_case_file(request, sha256, "sheet"), media_type="image/jpeg")


@router.get("/media/{sha256}")
def media(request: Request, sha256: str, who: User) -> Any:
    """A video for playback on request (the page never autoplays it, and mutes it): the evidence file holding this
    content, found by content id; archive members are not served."""
    if who["role"] == "readonly" or not SHA256.match(sha256):
        raise HTTPException(404, "not available")
    with web(request).db() as conn:
        chain = review.media_path(conn, sha256)
        if chain is None:
            raise HTTPException(404, "not on disk (an archive member): no playback")
        audit.append(conn, "review play", {"user": who["name"], "content": sha256})
    path = Path(chain)
    if not path.is_file():
        raise HTTPException(404, "the evidence file is not reachable from here")
    return FileResponse(path, media_type="video/mp4" if path.suffix.lower() in (".mp4", ".m4v", ".mov")
                        else "application/octet-stream")


@router.post("/reveal/{sha256}")
def reveal(request: Request, sha256: str, who: Checked) -> Any:
    if who["role"] == "readonly":
        raise HTTPException(403, "the read-only role sees decisions, not reveals")
    with web(request).db() as conn:
        audit.append(conn, "review reveal", {"user": who["name"], "content": content_id(sha256)})
    return Response(status_code=204)
