"""The case store's review-app accounts (`users`) and the case's default exposure settings; `web/users.py` checks
names, roles and passwords (argon2) and calls these."""

from __future__ import annotations

import json
from typing import Any

from winnow.store.db import Connection
from winnow.timeutil import utc_now

# exposure controls a new account starts with: blurred, grayscale, a break reminder every 45 minutes
DEFAULT_PREFS = {"blur": True, "grayscale": True, "break_minutes": 45}


def exists(conn: Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is not None


def insert(conn: Connection, name: str, role: str, password_hash: str, prefs: dict[str, Any]) -> None:
    conn.execute("INSERT INTO users (name, role, password, created_utc, prefs) VALUES (?, ?, ?, ?, ?)",
                 (name, role, password_hash, utc_now(), json.dumps(prefs)))


def case_prefs(conn: Connection) -> dict[str, Any]:
    """The case's default exposure settings an admin saved (empty when none)."""
    row = conn.execute("SELECT value FROM case_settings WHERE key = 'default_prefs'").fetchone()
    return dict(json.loads(row[0])) if row else {}


def delete(conn: Connection, name: str) -> None:
    """The account and its sessions."""
    conn.execute("DELETE FROM web_sessions WHERE user = ?", (name,))
    conn.execute("DELETE FROM users WHERE name = ?", (name,))


def set_password(conn: Connection, name: str, password_hash: str) -> None:
    """A new password hash; the account's sessions end (they were opened with the old password)."""
    conn.execute("UPDATE users SET password = ? WHERE name = ?", (password_hash, name))
    conn.execute("DELETE FROM web_sessions WHERE user = ?", (name,))


def account(conn: Connection, name: str) -> dict[str, Any] | None:
    """name, role, password hash and stored prefs (a dict) of one account, or None."""
    row = conn.execute("SELECT name, role, password, prefs FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        return None
    return {"name": row[0], "role": row[1], "password": row[2], "prefs": json.loads(row[3])}


def listing(conn: Connection) -> list[dict[str, Any]]:
    return [{"name": r[0], "role": r[1], "created_utc": r[2]}
            for r in conn.execute("SELECT name, role, created_utc FROM users ORDER BY name")]
