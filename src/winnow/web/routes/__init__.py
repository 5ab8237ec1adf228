"""The review app's areas, one router module each. Adding an area: write `routes/<area>.py` with a `router`
(every route depends on `context.user` or, for a change, `context.checked_user`) and add it to `ROUTERS`; the
route test enumerates every route and checks that it refuses a request without a session."""

from __future__ import annotations

from fastapi import APIRouter

from winnow.web.routes import admin, auth, calls, case, chats, leads, media, payments, reports, review, search

ROUTERS: tuple[APIRouter, ...] = (auth.router, review.router, media.router, admin.router, reports.router,
                                  case.router, calls.router, leads.router, search.router, chats.router,
                                  payments.router)
