"""`winnow serve`: the review app (FastAPI, Jinja2 templates, htmx and one small script, all vendored). Every
page, thumbnail and action needs a session; every POST needs the session's CSRF token; a Content-Security-Policy
allows nothing but this server. Thumbnails are looked up by content id (a SHA-256) in the case store — no path
from the request ever reaches the file system."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from winnow.store.case import Case
from winnow.web.context import LOGIN_COOKIE, SESSION_COOKIE, Web
from winnow.web.routes import ROUTERS

__all__ = ["LOGIN_COOKIE", "SESSION_COOKIE", "create_app", "serve"]

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; "
       "connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def create_app(case: Case, secure_cookies: bool = True) -> Any:
    """The app: the shared context, security headers on every response, one error mapping, and the routers."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    files = resources.files("winnow.web")
    templates = Jinja2Templates(directory=str(files.joinpath("templates")))
    app.state.web = Web(case, templates, secure_cookies)
    app.mount("/static", StaticFiles(directory=str(files.joinpath("static"))), name="static")

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

    @app.exception_handler(PermissionError)
    async def forbidden(request: Request, exc: PermissionError) -> Any:
        return JSONResponse({"detail": str(exc)}, 403)

    @app.exception_handler(ValueError)
    async def bad_request(request: Request, exc: ValueError) -> Any:
        return JSONResponse({"detail": str(exc)}, 400)

    for router in ROUTERS:
        app.include_router(router)
    return app


def serve(case: Case, host: str = "127.0.0.1", port: int = 8765) -> None:
    import uvicorn

    # Secure cookies: browsers send them over https, and over plain http only to localhost
    uvicorn.run(create_app(case, secure_cookies=True), host=host, port=port, log_level="warning")
