"""What the case overview asks: warnings by code and the items behind one code (paged), the hash sets matched
(their match state), and the audit chain's head. Every query reads an index or a small table, so the overview
stays fast at a million items; a full audit verification is a separate request (it reads every row)."""

from __future__ import annotations

import json
from typing import Any

from winnow.store.db import Connection


def warnings_by_code(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT code, count(*) AS n, min(stage) AS stage FROM warnings GROUP BY code "
                        "ORDER BY n DESC, code").fetchall()
    return [dict(r) for r in rows]


def warnings_for(conn: Connection, code: str, offset: int = 0, limit: int = 100) -> dict[str, Any]:
    """One code's warnings with the item each is about (its content id when the file was hashed)."""
    total = conn.execute("SELECT count(*) FROM warnings WHERE code = ?", (code,)).fetchone()[0]
    rows = conn.execute(
        "SELECT w.id, w.chain, w.stage, w.message, w.run_id, i.sha256, c.kind FROM warnings w "
        "LEFT JOIN instances i ON i.chain = w.chain LEFT JOIN content c ON c.sha256 = i.sha256 "
        "WHERE w.code = ? ORDER BY w.id LIMIT ? OFFSET ?", (code, limit, offset)).fetchall()
    return {"code": code, "total": total, "offset": offset, "limit": limit, "rows": [dict(r) for r in rows]}


def hash_sets(conn: Connection) -> list[dict[str, Any]]:
    """Each hash set the case was matched against: its version and fingerprint, when, the search radius, and
    how many contents it matched (the matches index makes each count cheap)."""
    rows = conn.execute(
        "SELECT s.set_name, s.set_version, s.set_sha256, s.max_distance, s.dihedral, s.matched_utc, "
        "(SELECT count(DISTINCT m.sha256) FROM matches m WHERE m.set_name = s.set_name) AS matched, "
        "(SELECT min(m.set_kind) FROM matches m WHERE m.set_name = s.set_name) AS kind "
        "FROM match_state s ORDER BY s.set_name").fetchall()
    return [dict(r) for r in rows]


def audit_head(conn: Connection) -> dict[str, Any]:
    """The chain's recorded head (row count, last hash) and the last row's time and command."""
    head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
    last = conn.execute("SELECT id, time_utc, command FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    recorded = json.loads(head[0]) if head else {"count": 0, "hash": None}
    return {"rows": recorded.get("count", 0), "hash": recorded.get("hash"),
            "last_time": last["time_utc"] if last else None, "last_command": last["command"] if last else None,
            "head_matches": (last["id"] if last else 0) == recorded.get("count", 0)}


def case_name(conn: Connection) -> dict[str, str]:
    return {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM meta WHERE key IN "
                                                        "('name', 'examiner', 'created_utc', 'case_id')")}
