"""The case store's side of `winnow triage`: what the states, stacks and queue are computed from, the triage
table they are written to (replaced whole, in one transaction), and its summary and queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from winnow.store import db
from winnow.store.db import Connection, Row

TRIAGE_COLUMNS = ("sha256", "state", "best_distance", "category", "series", "stack_id", "stack_size", "queue_rank",
                  "reasons")
_QUEUE = ("SELECT t.queue_rank, t.state, t.sha256, t.best_distance, t.category{more}, "
          "(SELECT MIN(chain) FROM instances i WHERE i.sha256 = t.sha256) AS chain, t.reasons "
          "FROM triage t WHERE queue_rank IS NOT NULL ORDER BY queue_rank")


def content_kinds(conn: Connection) -> dict[str, str]:
    """sha256 -> kind of every content, by SHA-256."""
    return {r[0]: r[1] for r in conn.execute("SELECT sha256, kind FROM content ORDER BY sha256")}


def matches(conn: Connection) -> list[tuple[Any, ...]]:
    """Every match with what deciding a state needs, closest first."""
    return [tuple(r) for r in conn.execute(
        "SELECT sha256, set_name, set_kind, hash_type, distance, transform, category, series, query_share, "
        "index_share, evidence FROM matches ORDER BY distance, set_name")]


_STACK_COLUMNS = ("SELECT sha256, pdq, COALESCE(width * height, 0), pdq_quality, pdq_dihedral, thumbnail, width, "
                  "height, pdq_borders FROM images WHERE pdq IS NOT NULL AND ")


def stack_images(conn: Connection, min_quality: int) -> list[Row]:
    """The images whose PDQ is good enough to stack, by SHA-256: sha256, pdq, pixels, quality, and what the robust
    variants need (pdq_dihedral, thumbnail, width, height, pdq_borders)."""
    return conn.execute(_STACK_COLUMNS + "pdq_quality >= ? ORDER BY sha256", (min_quality,)).fetchall()


def weak_images(conn: Connection, min_quality: int) -> list[Row]:
    """The images whose PDQ is below `min_quality` but that have a thumbnail (`triage --robust` confirms their
    links by pixels only), by SHA-256, with the columns of `stack_images`."""
    return conn.execute(_STACK_COLUMNS + "COALESCE(pdq_quality, 0) < ? AND thumbnail IS NOT NULL ORDER BY sha256",
                        (min_quality,)).fetchall()


def video_links(conn: Connection) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute("SELECT a, b FROM video_links")]


def video_durations(conn: Connection) -> dict[str, float]:
    return {r[0]: r[1] for r in conn.execute("SELECT sha256, COALESCE(duration, 0) FROM videos")}


def occurrences(conn: Connection) -> list[tuple[str, str, str]]:
    """(sha256, parent, chain) of every item with a content, by chain."""
    return [(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT sha256, parent, chain FROM instances WHERE sha256 IS NOT NULL ORDER BY chain")]


def replace(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """The whole triage table replaced by `rows` (TRIAGE_COLUMNS order), in one transaction."""
    with db.write(conn):
        conn.execute("DELETE FROM triage")
        conn.executemany(f"INSERT INTO triage ({', '.join(TRIAGE_COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(TRIAGE_COLUMNS))})", rows)


def counts_by_state(conn: Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute("SELECT state, COUNT(*) FROM triage GROUP BY state")}


def alert_categories(conn: Connection) -> dict[str, int]:
    return {r[0] or "none": r[1] for r in conn.execute(
        "SELECT category, COUNT(*) FROM triage WHERE state LIKE 'alert%' GROUP BY category ORDER BY category")}


def states_by_source(conn: Connection) -> list[tuple[str, str, int]]:
    """(source path, state, distinct contents)."""
    return [(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT s.path, t.state, COUNT(DISTINCT t.sha256) FROM triage t JOIN instances i ON i.sha256 = t.sha256 "
        "JOIN sources s ON s.id = i.source_id GROUP BY s.path, t.state")]


def stack_count(conn: Connection) -> int:
    return int(conn.execute("SELECT COUNT(DISTINCT stack_id) FROM triage WHERE stack_id IS NOT NULL").fetchone()[0])


def queue_length(conn: Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM triage WHERE queue_rank IS NOT NULL").fetchone()[0])


def queue_head(conn: Connection, top: int) -> list[Row]:
    return conn.execute(_QUEUE.format(more="") + " LIMIT ?", (top,)).fetchall()


def queue(conn: Connection) -> list[Row]:
    """The whole review queue, with series and stack."""
    return conn.execute(_QUEUE.format(more=", t.series, t.stack_id")).fetchall()
