"""The review app's areas, one router module each. Adding an area: write `routes/<area>.py` with a `router`
(every route depends on `context.user` or, for a change, `context.checked_user`) and add it to `ROUTERS`; the
route test enumerates every route and checks that it refuses a request without a session."""

from __future__ import annotations

from fastapi import APIRouter

from winnow.web.routes import admin, auth, chats, media, payments, reports, review

ROUTERS: tuple[APIRouter, ...] = (auth.router, review.router, media.router, admin.router, reports.router,
                                 chats.router, payments.router)
