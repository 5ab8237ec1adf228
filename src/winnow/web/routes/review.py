"""Media review: the queue of groups, a group's items, one item, and decisions (single, batch, whole group) with
optimistic versions: a decision on an item someone changed since it was shown is a 409 with the current state."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from winnow.calls.explain import sentences
from winnow.store import review
from winnow.web.context import SHA256, Checked, User, content_id, web

router = APIRouter()


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, who: User, offset: int = 0) -> Any:
    site = web(request)
    with site.db() as conn:
        found = review.groups(conn, who["name"], max(0, offset), 100)
        today = review.viewed_today(conn, who["name"])
    return site.page(request, "queue.html", who, groups=found, offset=max(0, offset), today=today)


@router.get("/next")
def next_group(request: Request, who: User) -> Any:
    with web(request).db() as conn:
        key = review.next_unseen(conn, who["name"])
    return RedirectResponse(f"/group/{key}" if key else "/queue", 303)


@router.get("/group/{key:path}", response_class=HTMLResponse)
def group(request: Request, key: str, who: User, page_number: int = 0) -> Any:
    site = web(request)
    page_number = int(request.query_params.get("page", page_number) or 0)
    with site.db() as conn:
        try:
            found = review.group_items(conn, key, max(0, page_number))
        except ValueError as exc:
            raise HTTPException(404, str(exc)) from exc
        review.mark_seen(conn, who["name"], key)
        codes = review.SCHEMES[review.scheme(conn)]
        tags = review.tag_keys(conn)
    return site.page(request, "group.html", who, group=found, codes=codes, tag_keys=tags)


@router.get("/item/{sha256}", response_class=HTMLResponse)
def item_view(request: Request, sha256: str, who: User) -> Any:
    site = web(request)
    content_id(sha256)
    with site.db() as conn:
        found = review.item(conn, sha256)
        codes = review.SCHEMES[review.scheme(conn)]
        tags = review.tag_keys(conn)
        playable = found is not None and found["kind"] == "video" and review.media_path(conn, sha256) is not None
    if found is None:
        raise HTTPException(404, "no such item")
    call_reasons = sentences(found["calls"]["reasons"]) if found["calls"] else []
    triage_reasons = _reasons(found["triage"]["reasons"]) if found["triage"] else []
    return site.page(request, "item.html", who, item=found, codes=codes, tag_keys=tags, playable=playable,
                     call_reasons=call_reasons, triage_reasons=triage_reasons)


def _reasons(stored: str | None) -> list[str]:
    """Triage reasons (a JSON list of sentences) as a list; anything else as one line."""
    try:
        found = json.loads(stored or "[]")
    except ValueError:
        return [str(stored)]
    return [str(r) for r in found] if isinstance(found, list) else [str(found)]


@router.post("/decide")
async def decide(request: Request, who: Checked) -> Any:
    data = await request.json()
    items = [s for s in data.get("items", []) if isinstance(s, str) and SHA256.match(s)]
    if not items:
        raise HTTPException(400, "no items")
    versions = {k: int(v) for k, v in (data.get("versions") or {}).items()}
    with web(request).db() as conn:
        try:
            changed = review.decide(conn, who, items, data.get("category"), versions,
                                    data.get("add_tags"), data.get("remove_tags"), data.get("reason"))
        except review.Conflict as exc:
            return JSONResponse({"conflict": str(exc), "current": exc.current}, 409)
    return {"changed": changed}


@router.get("/group-count/{key:path}")
def group_count(request: Request, key: str, who: User) -> Any:
    """How many items a whole-group decision would change (the confirmation shows it)."""
    with web(request).db() as conn:
        try:
            return {"group": key, "items": len(review.group_versions(conn, key))}
        except ValueError as exc:
            raise HTTPException(404, str(exc)) from exc


@router.post("/decide-group")
async def decide_group(request: Request, who: Checked) -> Any:
    """One category for every item of a group (all pages); the client states the count it confirmed, and a group
    that changed size since is refused."""
    data = await request.json()
    with web(request).db() as conn:
        try:
            versions = review.group_versions(conn, str(data.get("group", "")))
        except ValueError as exc:
            raise HTTPException(404, str(exc)) from exc
        if int(data.get("confirmed_count", -1)) != len(versions):
            raise HTTPException(409, f"the group now holds {len(versions)} items; confirm again")
        try:
            changed = review.decide(conn, who, list(versions), data.get("category"), versions)
        except review.Conflict as exc:
            return JSONResponse({"conflict": str(exc), "current": exc.current}, 409)
    return {"changed": len(changed)}
