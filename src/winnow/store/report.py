"""What the court report reads from the case store (`web/report.py`): sources, triage and decision counts, the
decided items, the hash sets matched, the runs, the audit's commands, and a thumbnail per item."""

from __future__ import annotations

from collections import Counter
from typing import Any

from winnow.store.db import Connection


def sources(conn: Connection) -> list[dict[str, Any]]:
    """Each source with the SHA-256 of its file when it is one (a folder has none)."""
    return [dict(r) for r in conn.execute(
        "SELECT s.path, s.kind, s.added_utc, (SELECT i.sha256 FROM instances i WHERE i.chain = s.path) AS sha256 "
        "FROM sources s ORDER BY s.id")]


def triage_states(conn: Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute("SELECT state, count(*) FROM triage GROUP BY state ORDER BY state")}


def decision_categories(conn: Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute(
        "SELECT coalesce(category, '-'), count(*) FROM decisions GROUP BY coalesce(category, '-') "
        "ORDER BY coalesce(category, '-')")}


def decided_items(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The decided contents with their decision, hashes, first path and earliest modification time."""
    return [dict(r) for r in conn.execute(
        "SELECT d.category, d.tags, d.user, d.time_utc AS decided_utc, d.reviewed_by, c.sha256, c.md5, c.sha1, "
        "c.size, (SELECT min(chain) FROM instances i WHERE i.sha256 = d.sha256) AS path, "
        "(SELECT min(mtime) FROM instances i WHERE i.sha256 = d.sha256) AS mtime FROM decisions d "
        "JOIN content c ON c.sha256 = d.sha256 ORDER BY d.category, c.sha256 LIMIT ?", (limit,))]


def matched_sets(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(
        "SELECT set_name, set_version, set_kind, count(DISTINCT sha256) AS items FROM matches "
        "GROUP BY set_name, set_version, set_kind ORDER BY set_name")]


def runs(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(
        "SELECT id, command, status, started_utc, finished_utc, tool_version, versions FROM runs ORDER BY id")]


def audit_commands(conn: Connection) -> Counter[str]:
    return Counter(r[0] for r in conn.execute("SELECT command FROM audit"))


def thumbnail(conn: Connection, sha256: str) -> str | None:
    """The stored thumbnail (a path under the case folder) of an image or a video."""
    row = conn.execute("SELECT thumbnail FROM images WHERE sha256 = ? UNION ALL SELECT thumbnail FROM "
                       "videos WHERE sha256 = ?", (sha256, sha256)).fetchone()
    return str(row[0]) if row and row[0] else None
