"""The case store's chat tables: sources (one per imported export, by SHA-256), threads, messages, problems and
the sightings of identifiers in messages. `chats/importer.py` parses; these functions write."""

from __future__ import annotations

import json
from typing import Any

from winnow.store import db
from winnow.store.db import Connection
from winnow.store.identifiers import add_sightings
from winnow.timeutil import utc_now


def source_imported(conn: Connection, sha256: str) -> bool:
    return conn.execute("SELECT 1 FROM chat_sources WHERE sha256 = ?", (sha256,)).fetchone() is not None


def add_source(conn: Connection, sha256: str, path: str, fmt: str, options: dict[str, Any]) -> int:
    return int(conn.execute("INSERT INTO chat_sources (sha256, path, format, options, imported_utc) "
                            "VALUES (?, ?, ?, ?, ?) RETURNING id",
                            (sha256, path, fmt, json.dumps(options), utc_now())).fetchone()[0])


def next_message_id(conn: Connection) -> int:
    return int(conn.execute("SELECT max(id) FROM chat_messages").fetchone()[0] or 0) + 1


def add_thread(conn: Connection, source_id: int, key: str, values: tuple[Any, ...]) -> int:
    """A new thread: `values` are (title, app, kind, participants JSON, notes JSON)."""
    return int(conn.execute("INSERT INTO chat_threads (source_id, key, title, app, kind, participants, notes) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", (source_id, key, *values)).fetchone()[0])


def update_thread(conn: Connection, thread_id: int, values: tuple[Any, ...]) -> None:
    conn.execute("UPDATE chat_threads SET title = ?, app = ?, kind = ?, participants = ?, notes = ? WHERE id = ?",
                 (*values, thread_id))


def add_messages(conn: Connection, messages: list[tuple[Any, ...]], sightings: list[tuple[Any, ...]]) -> int:
    """Insert a batch of messages and their sightings; returns how many sightings were new."""
    conn.executemany("INSERT INTO chat_messages (id, thread_id, seq, sender, time_utc, time_original, tz_resolution, "
                     "kind, text, text_raw, attachments, deleted, position, raw) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", messages)
    return add_sightings(conn, sightings)


def finish_source(conn: Connection, source_id: int, problems: list[tuple[int, str, str]], threads: int,
                  messages: int) -> None:
    """The source's problems, the participants of threads that named none (from their senders), the counts."""
    conn.executemany("INSERT INTO chat_problems (source_id, position, message) VALUES (?, ?, ?)", problems)
    conn.execute(f"UPDATE chat_threads SET participants = (SELECT {db.json_array_agg('sender')} FROM "
                 "(SELECT DISTINCT sender FROM chat_messages m WHERE m.thread_id = chat_threads.id "
                 "AND sender IS NOT NULL) AS senders) WHERE source_id = ? AND participants = '[]'", (source_id,))
    conn.execute("UPDATE chat_sources SET threads = ?, messages = ?, problems = ? WHERE id = ?",
                 (threads, messages, len(problems), source_id))
