"""Chats: the case's conversations, text and identifier search, a thread read around a message with identifiers
highlighted and attachments shown as media items (blurred and grayscale by the user's settings, revealed one at a
time through the audited /reveal). Read-only: nothing here changes the case."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from winnow.chats.highlight import segments
from winnow.store import chat_views
from winnow.web.context import User, web

router = APIRouter()
PAGE = 40
BEFORE = 10
SEARCH_LIMIT = 50
MIN_QUERY = 3


def _decorate(conn: Any, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each message with its highlighted pieces and its attachments matched to case items."""
    seen = chat_views.sightings(conn, [m["id"] for m in messages])
    names = sorted({a for m in messages for a in json.loads(m["attachments"] or "[]")})
    items = chat_views.attachments(conn, names)
    for m in messages:
        m["pieces"] = segments(m["text"], seen.get(m["id"], []))
        m["identifiers"] = seen.get(m["id"], [])
        m["files"] = [{"name": a, "item": items.get(a)} for a in json.loads(m["attachments"] or "[]")]
    return messages


def _search(conn: Any, text: str) -> list[dict[str, Any]]:
    """Text hits (substring) and, when the query is an identifier (a phone in any notation, a handle, an MTCN),
    the messages where that identifier was seen however it was written."""
    from winnow.identifiers.extract import extract

    hits = {m["id"]: m | {"how": "text"} for m in chat_views.search(conn, text, SEARCH_LIMIT)} \
        if len(text) >= MIN_QUERY else {}
    for found in extract(text):
        if found.kind in ("amount", "date"):
            continue
        for m in chat_views.by_identifier(conn, found.kind, found.value, SEARCH_LIMIT):
            hits.setdefault(m["id"], m | {"how": f"{found.kind} {found.value}"})
    return sorted(hits.values(), key=lambda m: m["id"])[:SEARCH_LIMIT]


@router.get("/chats", response_class=HTMLResponse)
def chats(request: Request, who: User, q: str = "", offset: int = 0) -> Any:
    site = web(request)
    q = q.strip()[:200]
    offset = max(0, offset)
    with site.db() as conn:
        found, total = chat_views.threads(conn, offset, 100)
        hits, count, short = [], 0, False
        if q:
            short = len(q) < MIN_QUERY
            hits = _decorate(conn, _search(conn, q))
            count = chat_views.search_count(conn, q) if not short else len(hits)
    for t in found:
        t["participants"] = json.loads(t["participants"] or "[]")
    return site.page(request, "chats.html", who, threads=found, total=total, offset=offset, q=q, hits=hits,
                     count=count, short=short, limit=SEARCH_LIMIT)


@router.get("/chats/message/{message_id}")
def chat_message(request: Request, message_id: int, who: User) -> Any:
    """A message by id (the timeline and search link here): its thread, opened around it."""
    with web(request).db() as conn:
        found = chat_views.message(conn, message_id)
    if found is None:
        raise HTTPException(404, "no such message")
    return RedirectResponse(f"/chats/{found['thread_id']}?at={found['seq']}#m{found['id']}", 303)


@router.get("/chats/{thread_id}", response_class=HTMLResponse)
def chat_thread(request: Request, thread_id: int, who: User, at: int = 0) -> Any:
    site = web(request)
    at = max(0, at)
    first = max(0, at - BEFORE)
    with site.db() as conn:
        found = chat_views.thread(conn, thread_id)
        if found is None:
            raise HTTPException(404, "no such conversation")
        messages = _decorate(conn, chat_views.window(conn, thread_id, first, PAGE))
    found["participants"] = json.loads(found["participants"] or "[]")
    total = int(found["messages"] or 0)
    return site.page(request, "chat_thread.html", who, thread=found, messages=messages, at=at, first=first,
                     previous=max(0, first - PAGE + BEFORE) if first else None,
                     next=first + PAGE + BEFORE if first + PAGE < total else None, total=total)
