"""What the exports of the case's categorized media read (`hashsets/export.py`: VICS JSON and CSV)."""

from __future__ import annotations

from winnow.store.db import Connection, Row


def alert_matches(conn: Connection) -> list[Row]:
    """Alert matches that carry a category, with the content's hashes and PDQ: closest first, then by set."""
    return conn.execute(
        "SELECT m.sha256, m.category, m.category_raw, m.series, m.victim_identified, m.offender_identified, "
        "m.is_distributed, m.set_name, m.distance, c.md5, c.sha1, c.size, im.pdq "
        "FROM matches m JOIN content c ON c.sha256 = m.sha256 LEFT JOIN images im ON im.sha256 = m.sha256 "
        "WHERE m.set_kind='alert' AND (m.category IS NOT NULL OR m.category_raw IS NOT NULL) "
        "ORDER BY m.sha256, m.distance, m.set_name").fetchall()


def files_of(conn: Connection, sha256: str) -> list[Row]:
    return conn.execute("SELECT name, chain, mtime, atime, ctime FROM instances WHERE sha256=? ORDER BY chain",
                        (sha256,)).fetchall()


def occurrences_with_triage(conn: Connection) -> list[Row]:
    """One row per occurrence of a content, with its hashes and triage (NULLs when triage has not run)."""
    return conn.execute(
        "SELECT i.chain, i.size, i.mtime, c.md5, c.sha1, c.sha256, c.kind, im.pdq, t.state, t.category, "
        "t.series, t.best_distance, t.stack_id, t.queue_rank FROM instances i JOIN content c ON c.sha256 = i.sha256 "
        "LEFT JOIN images im ON im.sha256 = c.sha256 LEFT JOIN triage t ON t.sha256 = c.sha256 "
        "ORDER BY i.chain").fetchall()
