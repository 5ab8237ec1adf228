"""`winnow serve`: the review app (FastAPI, Jinja2 templates, htmx and one small script, all vendored). Every
page, thumbnail and action needs a session; every POST needs the session's CSRF token; a Content-Security-Policy
allows nothing but this server. Thumbnails are looked up by content id (a SHA-256) in the case store — no path
from the request ever reaches the file system."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from winnow.store import audit
from winnow.store.case import Case
from winnow.web import review, sessions, users

SESSION_COOKIE = "winnow_session"
LOGIN_COOKIE = "winnow_login"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; "
       "connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def create_app(case: Case, secure_cookies: bool = True) -> Any:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    web = resources.files("winnow.web")
    templates = Jinja2Templates(directory=str(web.joinpath("templates")))
    app.mount("/static", StaticFiles(directory=str(web.joinpath("static"))), name="static")

    @contextmanager
    def db() -> Iterator[Any]:
        conn = case.connect()
        try:
            yield conn
        finally:
            conn.close()

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    def current(request: Request) -> dict[str, Any]:
        with db() as conn:
            user = sessions.lookup(conn, request.cookies.get(SESSION_COOKIE))
        if user is None:
            if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                raise HTTPException(303, headers={"Location": "/login"})
            raise HTTPException(401, "log in first")
        return user

    async def checked(request: Request) -> dict[str, Any]:
        """The user of a POST whose CSRF token (header or form field) matches the session's."""
        user = current(request)
        token = request.headers.get("x-csrf-token")
        if token is None:
            form = await request.form()
            token = str(form.get("csrf") or "")
        if not secrets.compare_digest(token or "", user["csrf"]):
            raise HTTPException(403, "missing or wrong CSRF token")
        return user

    def page(request: Request, name: str, user: dict[str, Any] | None, **context: Any) -> Any:
        return templates.TemplateResponse(request, name, {"user": user, **context})

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Any:
        token = secrets.token_urlsafe(24)
        response = page(request, "login.html", None, login_csrf=token, error=request.query_params.get("error"))
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies)
        return response

    @app.post("/login")
    def login(request: Request, name: str = Form(...), password: str = Form(...), csrf: str = Form(...)) -> Any:
        if not secrets.compare_digest(csrf, request.cookies.get(LOGIN_COOKIE) or "-"):
            raise HTTPException(403, "missing or wrong CSRF token")
        address = request.client.host if request.client else "?"
        with db() as conn:
            if sessions.throttled(conn, name, address):
                return RedirectResponse("/login?error=too+many+failed+logins%2C+wait+15+minutes", 303)
            user = users.verify(conn, name, password)
            if user is None:
                sessions.failed(conn, name, address)
                return RedirectResponse("/login?error=wrong+name+or+password", 303)
            token, _ = sessions.create(conn, user["name"])
            audit.append(conn, "review login", {"user": user["name"], "address": address})
        response = RedirectResponse("/queue", 303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies)
        response.delete_cookie(LOGIN_COOKIE)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Any:
        await checked(request)
        with db() as conn:
            sessions.end(conn, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", 303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/")
    def root(request: Request) -> Any:
        current(request)
        return RedirectResponse("/queue", 303)

    @app.get("/queue", response_class=HTMLResponse)
    def queue(request: Request, offset: int = 0) -> Any:
        user = current(request)
        with db() as conn:
            found = review.groups(conn, user["name"], max(0, offset), 100)
            today = review.viewed_today(conn, user["name"])
        return page(request, "queue.html", user, groups=found, offset=max(0, offset), today=today)

    @app.get("/next")
    def next_group(request: Request) -> Any:
        user = current(request)
        with db() as conn:
            key = review.next_unseen(conn, user["name"])
        return RedirectResponse(f"/group/{key}" if key else "/queue", 303)

    @app.get("/group/{key:path}", response_class=HTMLResponse)
    def group(request: Request, key: str, page_number: int = 0) -> Any:
        user = current(request)
        page_number = int(request.query_params.get("page", page_number) or 0)
        with db() as conn:
            try:
                found = review.group_items(conn, key, max(0, page_number))
            except ValueError as exc:
                raise HTTPException(404, str(exc)) from exc
            review.mark_seen(conn, user["name"], key)
            codes = review.SCHEMES[review.scheme(conn)]
            tags = review.tag_keys(conn)
        return page(request, "group.html", user, group=found, codes=codes, tag_keys=tags)

    @app.get("/item/{sha256}", response_class=HTMLResponse)
    def item_view(request: Request, sha256: str) -> Any:
        user = current(request)
        if not SHA256.match(sha256):
            raise HTTPException(404, "no such item")
        with db() as conn:
            found = review.item(conn, sha256)
            codes = review.SCHEMES[review.scheme(conn)]
            tags = review.tag_keys(conn)
            playable = found is not None and found["kind"] == "video" and review.media_path(conn, sha256) is not None
        if found is None:
            raise HTTPException(404, "no such item")
        return page(request, "item.html", user, item=found, codes=codes, tag_keys=tags, playable=playable)

    @app.get("/media/{sha256}")
    def media(request: Request, sha256: str) -> Any:
        """A video for playback on request (the page never autoplays it, and mutes it): the evidence file holding
        this content, found by content id; archive members are not served."""
        user = current(request)
        if user["role"] == "readonly" or not SHA256.match(sha256):
            raise HTTPException(404, "not available")
        with db() as conn:
            chain = review.media_path(conn, sha256)
            if chain is None:
                raise HTTPException(404, "not on disk (an archive member): no playback")
            audit.append(conn, "review play", {"user": user["name"], "content": sha256})
        path = Path(chain)
        if not path.is_file():
            raise HTTPException(404, "the evidence file is not reachable from here")
        return FileResponse(path, media_type="video/mp4" if path.suffix.lower() in (".mp4", ".m4v", ".mov")
                            else "application/octet-stream")

    @app.get("/admin", response_class=HTMLResponse)
    def admin_page(request: Request) -> Any:
        user = current(request)
        if user["role"] != "admin":
            raise HTTPException(403, "admins only")
        with db() as conn:
            context = {"users": users.listing(conn), "scheme": review.scheme(conn), "schemes": list(review.SCHEMES),
                       "tag_keys": review.tag_keys(conn), "defaults": review.default_prefs(conn)}
        return page(request, "admin.html", user, error=request.query_params.get("error"), **context)

    @app.post("/admin")
    async def admin_save(request: Request) -> Any:
        user = await checked(request)
        if user["role"] != "admin":
            raise HTTPException(403, "admins only")
        form = await request.form()
        action = str(form.get("action") or "")
        with db() as conn:
            try:
                if action == "add_user":
                    users.add(conn, str(form.get("name") or ""), str(form.get("role") or ""),
                              str(form.get("password") or ""))
                elif action == "remove_user":
                    if form.get("name") == user["name"]:
                        raise ValueError("an admin cannot remove themself")
                    users.remove(conn, str(form.get("name") or ""))
                elif action == "scheme":
                    review.set_scheme(conn, str(form.get("scheme") or ""))
                elif action == "tag_keys":
                    pairs = [p.split("=", 1) for p in str(form.get("tag_keys") or "").split(",") if "=" in p]
                    review.set_tag_keys(conn, {k.strip(): v.strip() for k, v in pairs})
                elif action == "defaults":
                    review.set_default_prefs(conn, form.get("blur") == "on", form.get("grayscale") == "on",
                                             int(str(form.get("break_minutes") or 0)))
                else:
                    raise ValueError(f"unknown action {action!r}")
            except ValueError as exc:
                from urllib.parse import quote

                return RedirectResponse(f"/admin?error={quote(str(exc))}", 303)
            audit.append(conn, "review admin", {"user": user["name"], "action": action,
                                                "name": form.get("name"), "role": form.get("role"),
                                                "scheme": form.get("scheme"), "tag_keys": form.get("tag_keys")})
        return RedirectResponse("/admin", 303)

    def _media_file(sha256: str, kind: str) -> Path:
        if not SHA256.match(sha256):
            raise HTTPException(404, "no such item")
        query = ("SELECT thumbnail FROM images WHERE sha256 = ? UNION ALL SELECT thumbnail FROM videos WHERE "
                 "sha256 = ?" if kind == "thumbnail" else
                 "SELECT contact_sheet FROM videos WHERE sha256 = ? AND ? IS NOT NULL")
        with db() as conn:
            row = conn.execute(query, (sha256, sha256)).fetchone()
        if row is None or not row[0]:
            raise HTTPException(404, "no thumbnail")
        path = (case.root / row[0]).resolve()
        if not path.is_relative_to(case.root.resolve()) or not path.is_file():
            raise HTTPException(404, "no thumbnail")
        return path

    @app.get("/thumb/{sha256}")
    def thumbnail(request: Request, sha256: str) -> Any:
        current(request)
        return FileResponse(_media_file(sha256, "thumbnail"), media_type="image/jpeg")

    @app.get("/sheet/{sha256}")
    def sheet(request: Request, sha256: str) -> Any:
        current(request)
        return FileResponse(_media_file(sha256, "sheet"), media_type="image/jpeg")

    @app.post("/reveal/{sha256}")
    async def reveal(request: Request, sha256: str) -> Any:
        user = await checked(request)
        if user["role"] == "readonly":
            raise HTTPException(403, "the read-only role sees decisions, not reveals")
        if not SHA256.match(sha256):
            raise HTTPException(404, "no such item")
        with db() as conn:
            audit.append(conn, "review reveal", {"user": user["name"], "content": sha256})
        return Response(status_code=204)

    @app.post("/decide")
    async def decide(request: Request) -> Any:
        user = await checked(request)
        data = await request.json()
        items = [s for s in data.get("items", []) if isinstance(s, str) and SHA256.match(s)]
        if not items:
            raise HTTPException(400, "no items")
        versions = {k: int(v) for k, v in (data.get("versions") or {}).items()}
        with db() as conn:
            try:
                changed = review.decide(conn, user, items, data.get("category"), versions,
                                        data.get("add_tags"), data.get("remove_tags"), data.get("reason"))
            except review.Conflict as exc:
                return JSONResponse({"conflict": str(exc), "current": exc.current}, 409)
            except PermissionError as exc:
                raise HTTPException(403, str(exc)) from exc
            except ValueError as exc:
                raise HTTPException(400, str(exc)) from exc
        return {"changed": changed}

    @app.get("/group-count/{key:path}")
    def group_count(request: Request, key: str) -> Any:
        """How many items a whole-group decision would change (the confirmation shows it)."""
        current(request)
        with db() as conn:
            try:
                return {"group": key, "items": len(review.group_versions(conn, key))}
            except ValueError as exc:
                raise HTTPException(404, str(exc)) from exc

    @app.post("/decide-group")
    async def decide_group(request: Request) -> Any:
        """One category for every item of a group (all pages); the client states the count it confirmed, and a
        group that changed size since is refused."""
        user = await checked(request)
        data = await request.json()
        with db() as conn:
            try:
                versions = review.group_versions(conn, str(data.get("group", "")))
            except ValueError as exc:
                raise HTTPException(404, str(exc)) from exc
            if int(data.get("confirmed_count", -1)) != len(versions):
                raise HTTPException(409, f"the group now holds {len(versions)} items; confirm again")
            try:
                changed = review.decide(conn, user, list(versions), data.get("category"), versions)
            except review.Conflict as exc:
                return JSONResponse({"conflict": str(exc), "current": exc.current}, 409)
            except PermissionError as exc:
                raise HTTPException(403, str(exc)) from exc
            except ValueError as exc:
                raise HTTPException(400, str(exc)) from exc
        return {"changed": len(changed)}

    @app.post("/report")
    async def make_report(request: Request) -> Any:
        """The case report (HTML and PDF in CASE/reports), for admins and supervisors."""
        user = await checked(request)
        if user["role"] not in ("admin", "supervisor"):
            raise HTTPException(403, "reports are made by admins and supervisors")
        from winnow.web.report import write

        result = write(case)
        return {"html": Path(result["html"]).name, "pdf": Path(result["pdf"]).name, "items": result["items"]}

    @app.get("/payments", response_class=HTMLResponse)
    def payments_page(request: Request, top: int = 50) -> Any:
        """Ranked possible buyers and facilitators with names as recorded, totals and every indicator's
        explanation and evidence (read-only: every role may look)."""
        user = current(request)
        from winnow.payments.scoring import ranking_for_case

        result = ranking_for_case(case.root)
        top = max(1, min(top, 500))
        return page(request, "payments.html", user, result=result, top=top)

    @app.get("/settings", response_class=HTMLResponse)
    def settings_page(request: Request) -> Any:
        user = current(request)
        return page(request, "settings.html", user, saved=request.query_params.get("saved"))

    @app.post("/settings")
    async def save_settings(request: Request) -> Any:
        user = await checked(request)
        form = await request.form()
        with db() as conn:
            try:
                review.set_prefs(conn, user["name"], form.get("blur") == "on", form.get("grayscale") == "on",
                                 int(str(form.get("break_minutes") or 0)))
            except ValueError as exc:
                raise HTTPException(400, str(exc)) from exc
            audit.append(conn, "review settings", {"user": user["name"], "blur": form.get("blur") == "on",
                                                   "grayscale": form.get("grayscale") == "on"})
        return RedirectResponse("/settings?saved=1", 303)

    return app


def serve(case: Case, host: str = "127.0.0.1", port: int = 8765) -> None:
    import uvicorn

    # Secure cookies: browsers send them over https, and over plain http only to localhost
    uvicorn.run(create_app(case, secure_cookies=True), host=host, port=port, log_level="warning")
