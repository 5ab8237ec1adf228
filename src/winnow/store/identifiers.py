"""The case's identifiers (one row per kind and value, interned through a per-run dictionary) and the sightings
that say where each was seen (chat message, payment, screen lead)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from winnow.store import db
from winnow.store.db import Connection

SIGHTING_COLUMNS = "identifier_id, origin, ref, raw, confidence, note, time_utc, context"


def intern(conn: Connection, kind: str, value: str, cache: dict[tuple[str, str], int]) -> int:
    """The id of (kind, value), inserted when new; `cache` spares the lookups within one run."""
    key = (kind, value)
    found = cache.get(key)
    if found is None:
        conn.execute("INSERT INTO identifiers (kind, value) VALUES (?, ?) ON CONFLICT DO NOTHING", key)
        found = int(conn.execute("SELECT id FROM identifiers WHERE kind = ? AND value = ?", key).fetchone()[0])
        cache[key] = found
    return found


def add_sightings(conn: Connection, rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert sightings (SIGHTING_COLUMNS order) in the caller's transaction, a sighting already there kept;
    returns how many were new."""
    before = db.changes(conn)
    conn.executemany(f"INSERT INTO sightings ({SIGHTING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT DO NOTHING", rows)
    return db.changes(conn) - before


def listing(conn: Connection, kind: str | None, min_places: int, limit: int | None) -> list[db.Row]:
    """Every identifier seen at least `min_places` times with its places (a JSON array) and distinct origins."""
    seen = db.json_array_agg(db.json_object(("origin", "s.origin"), ("ref", "s.ref"), ("raw", "s.raw"),
                                            ("note", "s.note"), ("time", "s.time_utc"), ("context", "s.context")))
    return conn.execute(
        "SELECT i.kind, i.value, count(*) AS places, max(s.confidence) AS confidence, "
        f"{db.string_agg_distinct('s.origin')} AS origins, min(s.time_utc) AS first_seen, "
        f"max(s.time_utc) AS last_seen, {seen} AS seen FROM identifiers i JOIN sightings s "
        "ON s.identifier_id = i.id " + ("WHERE i.kind = ? " if kind else "")
        + "GROUP BY i.id, i.kind, i.value HAVING count(*) >= ? ORDER BY count(*) DESC, i.kind, i.value"
        + (" LIMIT ?" if limit else ""),
        tuple(x for x in (kind, min_places, limit) if x is not None)).fetchall()
