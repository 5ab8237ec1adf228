"""The audit trail: every command that changes a case appends a row; rows are hash-chained (each row's hash
covers its fields and the previous row's hash) and the head (count, last hash) is kept in `meta`, so an edited,
inserted or deleted row is detected by `verify`."""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from winnow import __version__
from winnow.store import db
from winnow.store.db import Connection
from winnow.timeutil import utc_now

GENESIS = "0" * 64


def _row_hash(prev_hash: str, time_utc: str, os_user: str, command: str, arguments: str, tool_version: str) -> str:
    canonical = json.dumps([prev_hash, time_utc, os_user, command, arguments, tool_version],
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): still audit, with a marker
        return "unknown"


def append(conn: Connection, command: str, arguments: dict[str, Any]) -> str:
    """Append one audit row inside its own transaction; returns its hash."""
    with db.write(conn):
        digest = append_in_transaction(conn, command, arguments)
    return digest


def append_in_transaction(conn: Connection, command: str, arguments: dict[str, Any]) -> str:
    """Append one audit row in the caller's open (immediate) transaction, so that the row and the change it
    records commit together."""
    args = json.dumps(arguments, ensure_ascii=False, sort_keys=True, default=str)
    last = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    prev = last["hash"] if last else GENESIS
    next_id = (last["id"] + 1) if last else 1
    now, user = utc_now(), os_user()
    digest = _row_hash(prev, now, user, command, args, __version__)
    conn.execute(
        "INSERT INTO audit(id, time_utc, os_user, command, arguments, tool_version, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (next_id, now, user, command, args, __version__, prev, digest),
    )
    conn.execute(db.upsert("meta", ("key", "value"), ("key",)),
                 ("audit_head", json.dumps({"count": next_id, "hash": digest})))
    return digest


@dataclass
class Verification:
    rows: int
    ok: bool
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "ok": self.ok, "problems": self.problems}


def verify(conn: Connection) -> Verification:
    problems: list[str] = []
    prev = GENESIS
    expected_id = 1
    count = 0
    for row in conn.execute("SELECT * FROM audit ORDER BY id"):
        count += 1
        if row["id"] != expected_id:
            problems.append(f"row {expected_id}..{row['id'] - 1} missing (deleted rows)")
        if row["prev_hash"] != prev:
            problems.append(f"row {row['id']}: chain broken (previous hash does not match)")
        digest = _row_hash(row["prev_hash"], row["time_utc"], row["os_user"], row["command"],
                           row["arguments"], row["tool_version"])
        if digest != row["hash"]:
            problems.append(f"row {row['id']}: content edited (hash does not match its fields)")
        prev = row["hash"]
        expected_id = row["id"] + 1
    head_row = conn.execute("SELECT value FROM meta WHERE key='audit_head'").fetchone()
    if head_row is None:
        if count:
            problems.append("audit head missing from meta")
    else:
        head = json.loads(head_row["value"])
        if head.get("count") != expected_id - 1 or head.get("hash") != prev:
            problems.append(
                f"head mismatch: meta says {head.get('count')} rows ending {str(head.get('hash'))[:12]}, "
                f"table ends at row {expected_id - 1} ({prev[:12]}): rows deleted or added at the end"
            )
    return Verification(rows=count, ok=not problems, problems=problems)


def rows(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute("SELECT * FROM audit ORDER BY id")]
