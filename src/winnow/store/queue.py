"""The review queue's maintained summary: one row per review group (stack, folder, hash set) with its counts, so
the queue page reads 100 rows instead of aggregating every item of the case on each load (181 ms at 100k items,
seconds at 1M). Triggers (schema migration 9) mark the summary stale whenever ingest, matching or triage change
the items, their groups or their matches, and keep the `decided` counts right as decisions are added; a stale
summary is rebuilt once, by `winnow triage` or by the first page that reads it. The overview's counts by state
and kind are computed in the same rebuild."""

from __future__ import annotations

import json
from typing import Any

from winnow.store import db
from winnow.store.db import Connection
from winnow.timeutil import utc_now

# the groups of the review queue, as store/review.py defined them before the summary (one aggregate over the case;
# triage and decisions have one row per content, so grouping by their columns too groups by content, portably)
GROUPS_SQL = (
    "WITH items AS (SELECT i.sha256, min(i.parent) AS parent, t.stack_id, t.queue_rank, t.state, "
    "CASE WHEN d.sha256 IS NOT NULL THEN 1 ELSE 0 END AS decided "
    "FROM instances i JOIN content c ON c.sha256 = i.sha256 "
    "LEFT JOIN triage t ON t.sha256 = i.sha256 LEFT JOIN decisions d ON d.sha256 = i.sha256 "
    "WHERE c.kind IN ('image', 'video') GROUP BY i.sha256, t.stack_id, t.queue_rank, t.state, d.sha256), "
    "keyed AS (SELECT *, CASE WHEN stack_id IS NOT NULL THEN 'stack:' || stack_id ELSE 'folder:' || parent END "
    "AS group_key FROM items), "
    "grouped AS (SELECT group_key, count(*) AS items, min(coalesce(queue_rank, 1e12)) AS rank, "
    "coalesce(sum(CASE WHEN state IN ('alert', 'alert-near') THEN 1 ELSE 0 END), 0) AS alerts, "
    "sum(CASE WHEN state = 'unknown' OR state IS NULL THEN 1 ELSE 0 END) AS unknown, "
    "sum(decided) AS decided FROM keyed GROUP BY group_key), "
    "sets AS (SELECT 'set:' || m.set_name AS group_key, count(DISTINCT m.sha256) AS items, 1e12 AS rank, "
    "count(DISTINCT m.sha256) AS alerts, 0 AS unknown, count(DISTINCT d.sha256) AS decided FROM matches m "
    "LEFT JOIN decisions d ON d.sha256 = m.sha256 GROUP BY m.set_name) "
    "SELECT group_key, items, rank, alerts, unknown, decided FROM grouped UNION ALL SELECT * FROM sets")


def is_stale(conn: Connection) -> bool:
    row = conn.execute("SELECT stale FROM queue_summary_state WHERE id = 1").fetchone()
    return row is None or bool(row[0])


def refresh(conn: Connection, force: bool = False) -> bool:
    """Rebuild the summary if it is stale (or `force`); True when it was rebuilt. One immediate transaction, so
    a writer that changes the items meanwhile waits and then marks it stale again."""
    if not force and not is_stale(conn):
        return False
    with db.write(conn):
        if not force and not is_stale(conn):  # another request rebuilt it while this one waited
            return False
        conn.execute("DELETE FROM queue_summary")
        conn.execute(f"INSERT INTO queue_summary (group_key, items, rank, alerts, unknown, decided) {GROUPS_SQL}")
        counts = {
            "by_state": {r[0]: r[1] for r in conn.execute("SELECT state, count(*) FROM triage GROUP BY state")},
            "by_kind": {r[0]: r[1] for r in conn.execute("SELECT kind, count(*) FROM content GROUP BY kind")},
            "items": conn.execute("SELECT count(*) FROM instances").fetchone()[0],
            "contents": conn.execute("SELECT count(*) FROM content").fetchone()[0],
        }
        conn.execute("UPDATE queue_summary_state SET stale = 0, refreshed_utc = ?, counts = ? WHERE id = 1",
                     (utc_now(), json.dumps(counts)))
    return True


def refresh_case(case: Any) -> bool:
    """Rebuild a case's summary now (after `winnow triage`), so the first queue page after it is fast too."""
    conn = case.connect()
    try:
        return refresh(conn)
    finally:
        conn.close()


def groups(conn: Connection, user: str, offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Review groups in queue order (unknown first, then density of hash hits; hash sets after), with whether
    this user has opened each one."""
    refresh(conn)
    rows = conn.execute(
        "SELECT q.group_key, q.items, q.rank, q.alerts, q.unknown, q.decided, s.user IS NOT NULL AS opened "
        "FROM queue_summary q LEFT JOIN seen s ON s.user = ? AND s.group_key = q.group_key "
        "ORDER BY q.rank, q.group_key LIMIT ? OFFSET ?", (user, limit, offset)).fetchall()
    return [dict(r) for r in rows]


def next_unseen(conn: Connection, user: str) -> str | None:
    refresh(conn)
    row = conn.execute(
        "SELECT group_key FROM queue_summary q WHERE NOT EXISTS (SELECT 1 FROM seen s WHERE s.user = ? AND "
        "s.group_key = q.group_key) ORDER BY rank, group_key LIMIT 1", (user,)).fetchone()
    return str(row[0]) if row else None


def counts(conn: Connection) -> dict[str, Any]:
    """Counts by triage state and content kind as of the last rebuild (with its time)."""
    refresh(conn)
    row = conn.execute("SELECT refreshed_utc, counts FROM queue_summary_state WHERE id = 1").fetchone()
    out: dict[str, Any] = json.loads(row["counts"])
    out["refreshed_utc"] = row["refreshed_utc"]
    out["groups"] = conn.execute("SELECT count(*) FROM queue_summary").fetchone()[0]
    out["decided"] = conn.execute("SELECT count(*) FROM decisions").fetchone()[0]
    return out
