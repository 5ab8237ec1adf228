"""Reading chats for the review app: threads (paged), a window of messages around one, text search through the
FTS5 trigram index `chat_fts` (pg_trgm's GIN index on PostgreSQL; any substring of three characters or more,
case-insensitive, in rowid order so a common word stops at the page limit), the identifiers seen in given
messages, and attachments matched to case items by file name. Every query is indexed: none reads all messages."""

from __future__ import annotations

from typing import Any

from winnow.store import db
from winnow.store.db import Connection

MESSAGE_COLUMNS = ("m.id, m.thread_id, m.seq, m.sender, m.time_utc, m.time_original, m.kind, m.text, m.attachments, "
                   "m.deleted, m.position")


def threads(conn: Connection, offset: int = 0, limit: int = 100) -> tuple[list[dict[str, Any]], int]:
    """Threads with their source, app and message count (the count from the (thread, seq) index)."""
    total = int(conn.execute("SELECT count(*) FROM chat_threads").fetchone()[0])
    rows = conn.execute(
        "SELECT t.id, t.title, t.app, t.kind, t.participants, s.path AS source, "
        "(SELECT max(seq) + 1 FROM chat_messages m WHERE m.thread_id = t.id) AS messages, "
        "(SELECT min(time_utc) FROM chat_messages m WHERE m.thread_id = t.id AND m.seq = 0) AS started "
        "FROM chat_threads t JOIN chat_sources s ON s.id = t.source_id ORDER BY t.id LIMIT ? OFFSET ?",
        (limit, offset)).fetchall()
    return [dict(r) for r in rows], total


def thread(conn: Connection, thread_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT t.*, s.path AS source, s.format, (SELECT max(seq) + 1 FROM chat_messages m "
                       "WHERE m.thread_id = t.id) AS messages FROM chat_threads t JOIN chat_sources s "
                       "ON s.id = t.source_id WHERE t.id = ?", (thread_id,)).fetchone()
    return dict(row) if row else None


def window(conn: Connection, thread_id: int, first_seq: int, count: int) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT {MESSAGE_COLUMNS} FROM chat_messages m WHERE m.thread_id = ? AND m.seq >= ? "
                        "ORDER BY m.seq LIMIT ?", (thread_id, first_seq, count)).fetchall()
    return [dict(r) for r in rows]


def message(conn: Connection, message_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT id, thread_id, seq FROM chat_messages WHERE id = ?", (message_id,)).fetchone()
    return dict(row) if row else None


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _contains(text: str) -> str:
    """A LIKE pattern for `text` anywhere, its wildcards taken literally (ESCAPE '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(conn: Connection, text: str, limit: int = 50, after_id: int = 0) -> list[dict[str, Any]]:
    """Messages containing `text` (three characters or more), oldest message id first, from `after_id` on. On
    PostgreSQL the pg_trgm GIN index on the text answers the same case-insensitive substring query."""
    if db.dialect(conn) == "postgresql":
        rows = conn.execute(
            f"SELECT {MESSAGE_COLUMNS}, t.title, t.app FROM chat_messages m JOIN chat_threads t ON t.id = m.thread_id "
            "WHERE m.text LIKE ? ESCAPE '\\' AND m.id > ? ORDER BY m.id LIMIT ?",
            (_contains(text), after_id, limit)).fetchall()
        return [dict(r) for r in rows]
    rows = conn.execute(
        f"SELECT {MESSAGE_COLUMNS}, t.title, t.app FROM chat_fts f JOIN chat_messages m ON m.id = f.rowid "
        "JOIN chat_threads t ON t.id = m.thread_id WHERE chat_fts MATCH ? AND f.rowid > ? ORDER BY f.rowid LIMIT ?",
        (_phrase(text), after_id, limit)).fetchall()
    return [dict(r) for r in rows]


def search_count(conn: Connection, text: str, cap: int = 1000) -> int:
    """How many messages match, counted up to `cap` (a common word does not cost a full count)."""
    if db.dialect(conn) == "postgresql":
        return int(conn.execute("SELECT count(*) FROM (SELECT 1 FROM chat_messages WHERE text LIKE ? ESCAPE '\\' "
                                "LIMIT ?) AS hits", (_contains(text), cap)).fetchone()[0])
    return int(conn.execute("SELECT count(*) FROM (SELECT rowid FROM chat_fts WHERE chat_fts MATCH ? LIMIT ?)",
                            (_phrase(text), cap)).fetchone()[0])


def by_identifier(conn: Connection, kind: str, value: str, limit: int = 50) -> list[dict[str, Any]]:
    """Messages in which an identifier was seen (however it was written: the national form of a phone too)."""
    rows = conn.execute(
        f"SELECT {MESSAGE_COLUMNS}, t.title, t.app FROM identifiers i JOIN sightings s ON s.identifier_id = i.id "
        "AND s.origin = 'chat' JOIN chat_messages m ON m.id = CAST(s.ref AS INTEGER) "
        "JOIN chat_threads t ON t.id = m.thread_id WHERE i.kind = ? AND i.value = ? ORDER BY m.id LIMIT ?",
        (kind, value, limit)).fetchall()
    return [dict(r) for r in rows]


def sightings(conn: Connection, message_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The identifiers seen in each of the given messages: raw text as written, kind, normalised value."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not message_ids:
        return out
    rows = conn.execute(
        "SELECT s.ref, s.raw, i.kind, i.value, s.confidence FROM sightings s JOIN identifiers i "
        f"ON i.id = s.identifier_id WHERE s.origin = 'chat' AND s.ref IN ({', '.join('?' * len(message_ids))})",
        [str(m) for m in message_ids]).fetchall()
    for r in rows:
        out.setdefault(int(r["ref"]), []).append(dict(r))
    return out


def attachments(conn: Connection, names: list[str]) -> dict[str, dict[str, Any]]:
    """Case items whose file name is one of `names` (an attachment the export names), with kind and thumbnail."""
    out: dict[str, dict[str, Any]] = {}
    if not names:
        return out
    rows = conn.execute(
        "SELECT i.name, i.sha256, min(i.chain) AS chain, c.kind, coalesce(im.thumbnail, v.thumbnail) AS thumbnail "
        "FROM instances i JOIN content c ON c.sha256 = i.sha256 LEFT JOIN images im ON im.sha256 = i.sha256 "
        f"LEFT JOIN videos v ON v.sha256 = i.sha256 WHERE i.name IN ({', '.join('?' * len(names))}) "
        "GROUP BY i.name, i.sha256 ORDER BY i.name, i.sha256", names).fetchall()
    for r in rows:
        out.setdefault(r["name"], dict(r))
    return out
