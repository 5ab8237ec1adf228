"""What every route of the review app needs, in one place: the case, the templates, a connection per request, the
logged-in user (a FastAPI dependency) and the CSRF-checked user of a change (another). Routers reach it through
`request.app.state.web`, so a new area of the app is one router module (see `routes/__init__.py`)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates

from winnow.store import sessions
from winnow.store.case import Case

SESSION_COOKIE = "winnow_session"
LOGIN_COOKIE = "winnow_login"
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Web:
    case: Case
    templates: Jinja2Templates
    secure_cookies: bool

    @contextmanager
    def db(self) -> Iterator[Any]:
        conn = self.case.connect()
        try:
            yield conn
        finally:
            conn.close()

    def page(self, request: Request, name: str, user: dict[str, Any] | None, **context: Any) -> Any:
        return self.templates.TemplateResponse(request, name, {"user": user, **context})


def web(request: Request) -> Web:
    found: Web = request.app.state.web
    return found


def user(request: Request) -> dict[str, Any]:
    """The session's user; a browser asking for a page is sent to the login form, anything else gets 401."""
    with web(request).db() as conn:
        found = sessions.lookup(conn, request.cookies.get(SESSION_COOKIE))
    if found is None:
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            raise HTTPException(303, headers={"Location": "/login"})
        raise HTTPException(401, "log in first")
    return found


async def checked_user(request: Request) -> dict[str, Any]:
    """The user of a change whose CSRF token (header or form field) matches the session's."""
    found = user(request)
    token = request.headers.get("x-csrf-token")
    if token is None:
        form = await request.form()
        token = str(form.get("csrf") or "")
    if not secrets.compare_digest(token or "", found["csrf"]):
        raise HTTPException(403, "missing or wrong CSRF token")
    return found


def require_role(found: dict[str, Any], *roles: str, why: str) -> None:
    if found["role"] not in roles:
        raise HTTPException(403, why)


def content_id(sha256: str) -> str:
    """A content id from a URL, or 404: no other string from a request reaches a query or the file system."""
    if not SHA256.match(sha256):
        raise HTTPException(404, "no such item")
    return sha256


User = Annotated[dict[str, Any], Depends(user)]
Checked = Annotated[dict[str, Any], Depends(checked_user)]
