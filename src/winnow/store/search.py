"""Global search: one box for a hash (SHA-256, MD5, SHA-1 or PDQ hex: exact, through each column's index), an
identifier (normalised the way the extractors normalise it, so "+63 917 123 4567" finds +639171234567), a file
name (prefix through the name index, then a bounded substring scan) and text (OCR'd screen text, chat messages).
Each hit says what it is and where it leads; every list is capped so a common word cannot stall the page."""

from __future__ import annotations

import re
from typing import Any

from winnow.store import db
from winnow.store.db import Connection

HEX = re.compile(r"^[0-9a-f]+$")
CAP = 50
SCAN_ROWS = 2_000_000  # a substring search reads at most this many rows of a table (the newest)


def _ascii_lower(text: str) -> str:
    """ASCII letters lowered, the rest as it is (what SQLite's NOCASE and lower() under COLLATE "C" fold)."""
    return "".join(c.lower() if c.isascii() else c for c in text)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def hashes(conn: Connection, text: str) -> list[dict[str, Any]]:
    value = text.strip().lower()
    if not HEX.match(value):
        return []
    column = {64: "sha256", 32: "md5", 40: "sha1"}.get(len(value))
    out = []
    if column:
        for r in conn.execute(f"SELECT sha256, kind, size FROM content WHERE {column} = ?", (value,)):
            out.append({"what": f"{column.upper().replace('SHA', 'SHA-')} match", "sha256": r["sha256"],
                        "detail": f"{r['kind']}, {r['size']} bytes"})
    if len(value) == 64:
        for r in conn.execute("SELECT sha256 FROM images WHERE pdq = ? LIMIT ?", (value, CAP)):
            out.append({"what": "PDQ match (identical perceptual hash)", "sha256": r["sha256"], "detail": ""})
        for r in conn.execute("SELECT DISTINCT sha256, set_name FROM matches WHERE matched_value = ? LIMIT ?",
                              (value, CAP)):
            out.append({"what": f"matched hash-set entry of {r['set_name']}", "sha256": r["sha256"], "detail": ""})
    return out


def identifiers(conn: Connection, text: str, normalised: set[str] | None = None) -> list[dict[str, Any]]:
    """Identifiers whose stored value is the text as typed, without a leading @, or one of the `normalised` forms
    the caller read from it (identifiers.extract: a phone written nationally, an IBAN with spaces)."""
    wanted = {text.strip()} | set(normalised or ()) | {text.strip().lstrip("@")}
    wanted.discard("")
    rows = conn.execute(
        f"SELECT i.id, i.kind, i.value, (SELECT count(*) FROM sightings s WHERE s.identifier_id = i.id) AS places "
        f"FROM identifiers i WHERE i.value IN ({', '.join('?' * len(wanted))}) LIMIT ?", (*wanted, CAP)).fetchall()
    return [dict(r) for r in rows]


def files(conn: Connection, text: str) -> list[dict[str, Any]]:
    name = text.strip()
    if len(name) < 2:
        return []
    nocase = db.nocase("name")
    low = _ascii_lower(name)  # the same bounds under NOCASE; on PostgreSQL nocase is lower(name)
    rows = conn.execute(f"SELECT chain, sha256, status FROM instances WHERE {nocase} >= ? AND {nocase} < ? "
                        f"ORDER BY {nocase} LIMIT ?",
                        (low, low + "\U0010ffff", CAP)).fetchall()
    out = [dict(r) for r in rows]
    if len(out) < CAP:  # then names that contain it (bounded: the newest SCAN_ROWS items)
        seen = {r["chain"] for r in out}
        for r in conn.execute("SELECT chain, sha256, status FROM instances WHERE id > (SELECT coalesce(max(id), 0) "
                              "FROM instances) - ? AND name LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?",
                              (SCAN_ROWS, _like(name), CAP)):
            if r["chain"] not in seen and len(out) < CAP:
                out.append(dict(r))
    return out


def texts(conn: Connection, text: str) -> dict[str, list[dict[str, Any]]]:
    words = text.strip()
    if len(words) < 3:
        return {"screen": [], "chat": []}
    pattern = _like(words)
    screen = [dict(r) for r in conn.execute(
        "SELECT sha256, seconds, kind, value, text FROM leads WHERE text LIKE ? ESCAPE '\\' LIMIT ?",
        (pattern, CAP))]
    chat = [dict(r) for r in conn.execute(
        "SELECT m.id, m.thread_id, m.seq, m.sender, m.time_utc, m.text, t.title, t.app FROM chat_messages m "
        "JOIN chat_threads t ON t.id = m.thread_id WHERE m.id > (SELECT coalesce(max(id), 0) FROM chat_messages) - ? "
        "AND m.text LIKE ? ESCAPE '\\' ORDER BY m.id DESC LIMIT ?", (SCAN_ROWS, pattern, CAP))]
    return {"screen": screen, "chat": chat}


def everything(conn: Connection, text: str, normalised: set[str] | None = None) -> dict[str, Any]:
    """Every kind of hit; a query that is a whole hash (32, 40 or 64 hex digits) is looked up as a hash only."""
    text = text[:200]
    value = text.strip().lower()
    if HEX.match(value) and len(value) in (32, 40, 64):
        return {"query": text, "hashes": hashes(conn, text), "identifiers": [], "files": [], "screen": [],
                "chat": []}
    return {"query": text, "hashes": [], "identifiers": identifiers(conn, text, normalised), "files": files(conn, text),
            **texts(conn, text)}
