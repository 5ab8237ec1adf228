"""Login sessions: a random token in an HttpOnly, SameSite=Strict, Secure cookie (only its SHA-256 is stored), a
CSRF token per session that every form and htmx request sends back, idle expiry, and login throttling: after 5
failures for a name, or 20 from one address (a team behind one address should not lock itself out), within 15
minutes, logins wait."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from winnow.store.db import Connection
from winnow.timeutil import utc_now

IDLE = timedelta(hours=8)
FAILURES = 5
ADDRESS_FAILURES = 20
WINDOW = timedelta(minutes=15)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def create(conn: Connection, user: str) -> tuple[str, str]:
    """(cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utc_now()
    conn.execute("INSERT INTO web_sessions (token_hash, user, csrf, created_utc, last_utc) "
                 "VALUES (?, ?, ?, ?, ?)", (_digest(token), user, csrf, now, now))
    return token, csrf


def lookup(conn: Connection, token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    row = conn.execute("SELECT s.user, s.csrf, s.last_utc, u.role, u.prefs FROM web_sessions s JOIN users u "
                       "ON u.name = s.user WHERE s.token_hash = ?", (_digest(token),)).fetchone()
    if row is None:
        return None
    if _now() - datetime.fromisoformat(row["last_utc"]) > IDLE:
        conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_digest(token),))
        return None
    conn.execute("UPDATE web_sessions SET last_utc = ? WHERE token_hash = ?", (utc_now(), _digest(token)))
    import json

    from winnow.store.users import DEFAULT_PREFS

    return {"name": row["user"], "role": row["role"], "csrf": row["csrf"],
            "prefs": {**DEFAULT_PREFS, **json.loads(row["prefs"])}}


def end(conn: Connection, token: str | None) -> None:
    if token:
        conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_digest(token),))


def throttled(conn: Connection, user: str, address: str) -> bool:
    since = (_now() - WINDOW).isoformat()
    by_name = conn.execute("SELECT count(*) FROM login_failures WHERE user = ? AND time_utc > ?",
                           (user, since)).fetchone()[0]
    by_address = conn.execute("SELECT count(*) FROM login_failures WHERE address = ? AND time_utc > ?",
                              (address, since)).fetchone()[0]
    return int(by_name) >= FAILURES or int(by_address) >= ADDRESS_FAILURES


def failed(conn: Connection, user: str, address: str) -> None:
    conn.execute("INSERT INTO login_failures (user, address, time_utc) VALUES (?, ?, ?)", (user, address, utc_now()))
