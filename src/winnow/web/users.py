"""Accounts of the review app, stored in the case: name, role, argon2 password hash, preferences. Roles: admin
(users, category scheme, settings), reviewer (categorise, tag), supervisor (second review, override with a reason),
readonly (sees decisions, never reveals)."""

from __future__ import annotations

import re
from typing import Any

from winnow.store import users as accounts
from winnow.store.db import Connection

ROLES = ("admin", "reviewer", "supervisor", "readonly")
NAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
MIN_PASSWORD = 10
DEFAULT_PREFS = accounts.DEFAULT_PREFS


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def add(conn: Connection, name: str, role: str, password: str, prefs: dict[str, Any] | None = None) -> None:
    if not NAME.match(name):
        raise ValueError("a user name is 2-64 letters, digits or . _ @ -")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
    if accounts.exists(conn, name):
        raise ValueError(f"user {name!r} exists (use 'winnow user passwd')")
    accounts.insert(conn, name, role, _hasher().hash(password), prefs or _case_prefs(conn))


def _case_prefs(conn: Connection) -> dict[str, Any]:
    """The case's default exposure settings (set by an admin), else the shipped ones."""
    return {**DEFAULT_PREFS, **accounts.case_prefs(conn)}


def remove(conn: Connection, name: str) -> None:
    if not accounts.exists(conn, name):
        raise ValueError(f"no user {name!r}")
    accounts.delete(conn, name)


def passwd(conn: Connection, name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
    if not accounts.exists(conn, name):
        raise ValueError(f"no user {name!r}")
    accounts.set_password(conn, name, _hasher().hash(password))


def verify(conn: Connection, name: str, password: str) -> dict[str, Any] | None:
    """The user when the password is right, else None (the same work is done for unknown names)."""
    from argon2.exceptions import VerificationError

    row = accounts.account(conn, name)
    hasher = _hasher()
    stored = row["password"] if row else hasher.hash("no such user, same cost")
    try:
        hasher.verify(stored, password)
    except VerificationError:
        return None
    if row is None:
        return None
    return {"name": row["name"], "role": row["role"], "prefs": {**DEFAULT_PREFS, **row["prefs"]}}


def listing(conn: Connection) -> list[dict[str, Any]]:
    return accounts.listing(conn)
