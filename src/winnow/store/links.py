"""The case store's side of the links and the timeline (`linking/`): identifiers to look up in the payment
records, where each was seen, the chat messages and threads behind a sighting, and the media of a time span."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from winnow.store.db import Connection, Row

MESSAGE_COLUMNS = "m.id, m.time_utc, m.sender, m.text, m.kind, t.title, t.app"
# media with a timestamp: (table, column, its day as YYYY-MM-DD, the expression indexed by migration 10)
MEDIA_DAYS = (("videos", "creation_time", "substr(m.creation_time, 1, 10)"),
              ("images", "datetime_original", "replace(substr(m.datetime_original, 1, 10), ':', '-')"))


def message_place(conn: Connection, message_id: int) -> Row | None:
    """The thread (title, app) and position (seq) of one chat message."""
    row: Row | None = conn.execute("SELECT t.title, t.app, m.seq FROM chat_messages m JOIN chat_threads t ON t.id = "
                                   "m.thread_id WHERE m.id = ?", (message_id,)).fetchone()
    return row


def message_thread(conn: Connection, message_id: int) -> Row | None:
    """The thread (id, title, app, participants) of one chat message."""
    row: Row | None = conn.execute("SELECT t.id, t.title, t.app, t.participants FROM chat_messages m JOIN "
                                   "chat_threads t ON t.id = m.thread_id WHERE m.id = ?", (message_id,)).fetchone()
    return row


def identifiers_seen_outside_payments(conn: Connection, kinds: Sequence[str]) -> list[Row]:
    """(id, kind, value, first ref, first time) of the identifiers of `kinds` seen somewhere but in payments."""
    return conn.execute(
        "SELECT i.id, i.kind, i.value, min(s.ref) AS ref, min(s.time_utc) AS time FROM identifiers i "
        "JOIN sightings s ON s.identifier_id = i.id WHERE s.origin <> 'payment' AND i.kind IN "
        f"({', '.join('?' * len(kinds))}) GROUP BY i.id, i.kind, i.value", tuple(kinds)).fetchall()


def threads_of(conn: Connection, message_ids: Sequence[int]) -> set[int]:
    return {row[0] for row in conn.execute(
        f"SELECT DISTINCT thread_id FROM chat_messages WHERE id IN ({', '.join('?' * len(message_ids))})",
        tuple(message_ids))}


def amounts_in_threads(conn: Connection, thread_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """(amount value, time, message id, message seq) of the amounts said in the threads' messages."""
    return [tuple(r) for r in conn.execute(
        "SELECT i.value, s.time_utc, m.id, m.seq FROM sightings s JOIN identifiers i ON i.id = s.identifier_id "
        "JOIN chat_messages m ON m.id = CAST(s.ref AS INTEGER) WHERE s.origin = 'chat' AND i.kind = 'amount' "
        f"AND m.thread_id IN ({', '.join('?' * len(thread_ids))})", tuple(thread_ids)).fetchall()]


def places(conn: Connection, kind: str | None) -> list[Row]:
    """Every sighting of every identifier (of `kind`), with the chat thread of a chat sighting; by identifier."""
    return conn.execute(
        "SELECT i.id, i.kind, i.value, s.origin, s.ref, s.raw, s.confidence, s.note, s.time_utc, s.context, "
        "m.thread_id FROM identifiers i JOIN sightings s ON s.identifier_id = i.id "
        "LEFT JOIN chat_messages m ON s.origin = 'chat' AND m.id = CAST(s.ref AS INTEGER) "
        + ("WHERE i.kind = ? " if kind else "") + "ORDER BY i.id, s.time_utc",
        (kind,) if kind else ()).fetchall()


def party_messages(conn: Connection, party: str | None, limit: int) -> list[Row]:
    """Chat messages of the threads where `party` (an identifier, or a wallet's number) was seen or that it
    wrote in (all messages when None), by time."""
    if party:
        return conn.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM chat_messages m "
            "JOIN chat_threads t ON t.id = m.thread_id WHERE m.thread_id IN (SELECT m2.thread_id FROM identifiers i "
            "CROSS JOIN sightings s ON i.id = s.identifier_id JOIN chat_messages m2 ON s.origin = 'chat' "
            "AND m2.id = CAST(s.ref AS INTEGER) "
            "WHERE i.value = ? OR i.value LIKE '%:' || ?) OR m.thread_id IN (SELECT thread_id FROM chat_messages "
            "WHERE lower(sender) = lower(?)) ORDER BY m.time_utc LIMIT ?", (party, party, party, limit)).fetchall()
    return conn.execute(f"SELECT {MESSAGE_COLUMNS} FROM chat_messages m "
                        "JOIN chat_threads t ON t.id = m.thread_id ORDER BY m.time_utc LIMIT ?", (limit,)).fetchall()


def media_between_days(conn: Connection, table: str, column: str, day: str,
                       days: tuple[str, str]) -> list[tuple[str, str, str]]:
    """(sha256, timestamp, first chain) of the videos or images (one of MEDIA_DAYS) dated within `days`."""
    return [(r[0], r[1], r[2]) for r in conn.execute(
        f"SELECT m.sha256, m.{column}, (SELECT min(i.chain) FROM instances i WHERE i.sha256 = m.sha256) "
        f"FROM {table} m WHERE {day} BETWEEN ? AND ?", days).fetchall()]
