"""Log in (throttled, CSRF-protected by a login cookie) and log out (the root redirect is the case overview's)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from winnow.store import audit, sessions
from winnow.web import users
from winnow.web.context import LOGIN_COOKIE, SESSION_COOKIE, Checked, web

router = APIRouter()
PUBLIC = ("/login",)  # the only paths served without a session (besides /static)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Any:
    site = web(request)
    token = secrets.token_urlsafe(24)
    response = site.page(request, "login.html", None, login_csrf=token, error=request.query_params.get("error"))
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=site.secure_cookies)
    return response


@router.post("/login")
def login(request: Request, name: str = Form(...), password: str = Form(...), csrf: str = Form(...)) -> Any:
    site = web(request)
    if not secrets.compare_digest(csrf, request.cookies.get(LOGIN_COOKIE) or "-"):
        raise HTTPException(403, "missing or wrong CSRF token")
    address = request.client.host if request.client else "?"
    with site.db() as conn:
        if sessions.throttled(conn, name, address):
            return RedirectResponse("/login?error=too+many+failed+logins%2C+wait+15+minutes", 303)
        found = users.verify(conn, name, password)
        if found is None:
            sessions.failed(conn, name, address)
            return RedirectResponse("/login?error=wrong+name+or+password", 303)
        token, _ = sessions.create(conn, found["name"])
        audit.append(conn, "review login", {"user": found["name"], "address": address})
    response = RedirectResponse("/queue", 303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=site.secure_cookies)
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, who: Checked) -> Any:
    with web(request).db() as conn:
        sessions.end(conn, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response
