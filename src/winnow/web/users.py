"""Accounts of the review app, stored in the case: name, role, argon2 password hash, preferences. Roles: admin
(users, category scheme, settings), reviewer (categorise, tag), supervisor (second review, override with a reason),
readonly (sees decisions, never reveals)."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from winnow.timeutil import utc_now

ROLES = ("admin", "reviewer", "supervisor", "readonly")
NAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
MIN_PASSWORD = 10
DEFAULT_PREFS = {"blur": True, "grayscale": True, "break_minutes": 45}


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def add(conn: sqlite3.Connection, name: str, role: str, password: str, prefs: dict[str, Any] | None = None) -> None:
    if not NAME.match(name):
        raise ValueError("a user name is 2-64 letters, digits or . _ @ -")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
    if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
        raise ValueError(f"user {name!r} exists (use 'winnow user passwd')")
    conn.execute("INSERT INTO users (name, role, password, created_utc, prefs) VALUES (?, ?, ?, ?, ?)",
                 (name, role, _hasher().hash(password), utc_now(), json.dumps(prefs or _case_prefs(conn))))


def _case_prefs(conn: sqlite3.Connection) -> dict[str, Any]:
    """The case's default exposure settings (set by an admin), else the shipped ones."""
    row = conn.execute("SELECT value FROM case_settings WHERE key = 'default_prefs'").fetchone()
    return {**DEFAULT_PREFS, **(json.loads(row[0]) if row else {})}


def remove(conn: sqlite3.Connection, name: str) -> None:
    if not conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
        raise ValueError(f"no user {name!r}")
    conn.execute("DELETE FROM web_sessions WHERE user = ?", (name,))
    conn.execute("DELETE FROM users WHERE name = ?", (name,))


def passwd(conn: sqlite3.Connection, name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
    if not conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
        raise ValueError(f"no user {name!r}")
    conn.execute("UPDATE users SET password = ? WHERE name = ?", (_hasher().hash(password), name))
    conn.execute("DELETE FROM web_sessions WHERE user = ?", (name,))  # other sessions end with the old password


def verify(conn: sqlite3.Connection, name: str, password: str) -> dict[str, Any] | None:
    """The user when the password is right, else None (the same work is done for unknown names)."""
    from argon2.exceptions import VerificationError

    row = conn.execute("SELECT name, role, password, prefs FROM users WHERE name = ?", (name,)).fetchone()
    hasher = _hasher()
    stored = row["password"] if row else hasher.hash("no such user, same cost")
    try:
        hasher.verify(stored, password)
    except VerificationError:
        return None
    if row is None:
        return None
    return {"name": row["name"], "role": row["role"], "prefs": {**DEFAULT_PREFS, **json.loads(row["prefs"])}}


def listing(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [{"name": r["name"], "role": r["role"], "created_utc": r["created_utc"]}
            for r in conn.execute("SELECT name, role, created_utc FROM users ORDER BY name")]
