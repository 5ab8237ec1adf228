"""Call recordings for review: videos (and screenshot-like images) ranked by call score with their leads, the
reviewer's verdict ("call" or "not-call", versioned like media decisions: a verdict based on an old version is a
conflict) and the parties a recording is linked to. Every change and its audit row commit together."""

from __future__ import annotations

from typing import Any

from winnow.store import audit, db
from winnow.store.db import Connection
from winnow.timeutil import utc_now

VERDICTS = ("call", "not-call")
DECIDERS = ("admin", "reviewer", "supervisor")


class Stale(Exception):
    """The verdict changed since the reviewer saw it."""


def ranked(conn: Connection, offset: int = 0, limit: int = 25, min_score: float = 0.0) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT c.sha256, c.score, c.cheap_score, c.reasons, c.ocr_frames, "
        "CASE WHEN v.sha256 IS NOT NULL THEN 'video' ELSE 'image' END AS kind, v.duration, v.contact_sheet, "
        "coalesce(v.width, g.width) AS width, coalesce(v.height, g.height) AS height, "
        "(SELECT min(chain) FROM instances i WHERE i.sha256 = c.sha256) AS chain, "
        "r.verdict, r.user AS verdict_user, r.time_utc AS verdict_time, coalesce(r.version, 0) AS version "
        "FROM calls c LEFT JOIN videos v ON v.sha256 = c.sha256 LEFT JOIN images g ON g.sha256 = c.sha256 "
        "LEFT JOIN call_reviews r ON r.sha256 = c.sha256 WHERE c.score >= ? "
        "ORDER BY c.score DESC, c.sha256 LIMIT ? OFFSET ?", (min_score, limit, offset)).fetchall()
    out = [dict(r) for r in rows]
    for row in out:
        row["leads"] = leads(conn, row["sha256"])
        row["parties"] = parties(conn, row["sha256"])
    return out


def total(conn: Connection, min_score: float = 0.0) -> int:
    return int(conn.execute("SELECT count(*) FROM calls WHERE score >= ?", (min_score,)).fetchone()[0])


def leads(conn: Connection, sha256: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT id, seconds, kind, value, raw, confidence, text, crop IS NOT NULL AS "
                        "has_crop FROM leads WHERE sha256 = ? ORDER BY seconds, kind, value LIMIT 40",
                        (sha256,)).fetchall()
    return [dict(r) for r in rows]


def lead_crop(conn: Connection, lead_id: int) -> str | None:
    row = conn.execute("SELECT crop FROM leads WHERE id = ?", (lead_id,)).fetchone()
    return str(row[0]) if row and row[0] else None


def parties(conn: Connection, sha256: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute("SELECT party, user, time_utc FROM call_parties WHERE sha256 = ? "
                                          "ORDER BY time_utc, party", (sha256,))]


def _check(conn: Connection, user: dict[str, Any], sha256: str) -> None:
    if user["role"] not in DECIDERS:
        raise PermissionError("this role cannot review calls")
    if conn.execute("SELECT 1 FROM calls WHERE sha256 = ?", (sha256,)).fetchone() is None:
        raise ValueError("no call-recording score for this content")


def decide(conn: Connection, user: dict[str, Any], sha256: str, verdict: str, expected_version: int) -> dict[str, Any]:
    """Record "call" or "not-call" for a scored recording, if its verdict is still the version the user saw."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
    _check(conn, user, sha256)
    with db.write(conn):
        old = conn.execute("SELECT * FROM call_reviews WHERE sha256 = ?", (sha256,)).fetchone()
        version = old["version"] if old else 0
        if version != expected_version:
            raise Stale(f"changed by {old['user']} at {old['time_utc']} (now {old['verdict']})")
        now = utc_now()
        conn.execute(db.upsert("call_reviews", ("sha256", "verdict", "version", "user", "time_utc"), ("sha256",)),
                     (sha256, verdict, version + 1, user["name"], now))
        audit.append_in_transaction(conn, "calls review", {"user": user["name"], "content": sha256,
                                                           "old": old["verdict"] if old else None, "new": verdict})
    return {"sha256": sha256, "verdict": verdict, "version": version + 1, "user": user["name"], "time_utc": now}


def link_party(conn: Connection, user: dict[str, Any], sha256: str, party: str) -> dict[str, Any]:
    """Tie a recording to a party (an identifier read on its screen, a payment party, a name the investigator
    types); 1-120 printable characters."""
    party = " ".join(party.split())
    if not 1 <= len(party) <= 120 or not party.isprintable():
        raise ValueError("a party is 1-120 printable characters")
    _check(conn, user, sha256)
    with db.write(conn):
        now = utc_now()
        cur = conn.execute("INSERT INTO call_parties (sha256, party, user, time_utc) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT DO NOTHING", (sha256, party, user["name"], now))
        if cur.rowcount:
            audit.append_in_transaction(conn, "calls link party", {"user": user["name"], "content": sha256,
                                                                   "party": party})
    return {"sha256": sha256, "party": party, "added": bool(cur.rowcount)}
