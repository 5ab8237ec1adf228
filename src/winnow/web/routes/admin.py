"""Administration (accounts, category scheme, tag keys, exposure defaults) and each user's own settings; every
change is audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from winnow.store import audit, review
from winnow.web import users
from winnow.web.context import Checked, User, require_role, web

router = APIRouter()


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, who: User) -> Any:
    require_role(who, "admin", why="admins only")
    site = web(request)
    with site.db() as conn:
        context = {"users": users.listing(conn), "scheme": review.scheme(conn), "schemes": list(review.SCHEMES),
                   "tag_keys": review.tag_keys(conn), "defaults": review.default_prefs(conn)}
    return site.page(request, "admin.html", who, error=request.query_params.get("error"), **context)


def _apply(conn: Any, who: dict[str, Any], action: str, form: Any) -> None:
    if action == "add_user":
        users.add(conn, str(form.get("name") or ""), str(form.get("role") or ""), str(form.get("password") or ""))
    elif action == "remove_user":
        if form.get("name") == who["name"]:
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


@router.post("/admin")
async def admin_save(request: Request, who: Checked) -> Any:
    require_role(who, "admin", why="admins only")
    form = await request.form()
    action = str(form.get("action") or "")
    with web(request).db() as conn:
        try:
            _apply(conn, who, action, form)
        except ValueError as exc:
            return RedirectResponse(f"/admin?error={quote(str(exc))}", 303)
        audit.append(conn, "review admin", {"user": who["name"], "action": action, "name": form.get("name"),
                                            "role": form.get("role"), "scheme": form.get("scheme"),
                                            "tag_keys": form.get("tag_keys")})
    return RedirectResponse("/admin", 303)


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, who: User) -> Any:
    return web(request).page(request, "settings.html", who, saved=request.query_params.get("saved"))


@router.post("/settings")
async def save_settings(request: Request, who: Checked) -> Any:
    form = await request.form()
    with web(request).db() as conn:
        review.set_prefs(conn, who["name"], form.get("blur") == "on", form.get("grayscale") == "on",
                         int(str(form.get("break_minutes") or 0)))
        audit.append(conn, "review settings", {"user": who["name"], "blur": form.get("blur") == "on",
                                               "grayscale": form.get("grayscale") == "on"})
    return RedirectResponse("/settings?saved=1", 303)
