"""The case-store queries behind `winnow findings` and the court report's investigation sections: likely call
recordings with their on-screen leads, where each lead was seen, the latest report and the audit summary."""

from __future__ import annotations

import json
from typing import Any

from winnow.store.db import Connection


def recordings(conn: Connection, min_score: float, limit: int = 200) -> list[dict[str, Any]]:
    """The selected recordings, best first, with their stored reasons and the reviewers' verdict: those a reviewer
    confirmed as a call, and those scored at least `min_score` that no reviewer called "not a call"."""
    rows = conn.execute(
        "SELECT c.sha256, c.score, c.reasons, c.ocr_frames, CASE WHEN v.sha256 IS NOT NULL THEN 'video' ELSE 'image' "
        "END AS kind, coalesce(v.width, g.width) AS width, coalesce(v.height, g.height) AS height, v.duration, "
        "(SELECT min(chain) FROM instances i WHERE i.sha256 = c.sha256) AS path, "
        "(SELECT min(mtime) FROM instances i WHERE i.sha256 = c.sha256) AS mtime, r.verdict, r.user AS reviewer "
        "FROM calls c LEFT JOIN videos v ON v.sha256 = c.sha256 LEFT JOIN images g ON g.sha256 = c.sha256 "
        "LEFT JOIN call_reviews r ON r.sha256 = c.sha256 "
        "WHERE (r.verdict = 'call' OR (c.score >= ? AND r.verdict IS NULL)) "
        "ORDER BY r.verdict = 'call' DESC, c.score DESC, c.sha256 LIMIT ?", (min_score, limit)).fetchall()
    out = []
    for r in rows:
        try:
            reasons = json.loads(r["reasons"] or "[]")
        except ValueError:
            reasons = None  # shown as "the stored reasons could not be read", never as raw text
        out.append({"sha256": r["sha256"], "score": float(r["score"]), "kind": r["kind"], "path": r["path"],
                    "mtime": r["mtime"], "size": f"{r['width']}x{r['height']}", "duration": r["duration"],
                    "ocr_frames": r["ocr_frames"], "reasons": reasons,
                    "verdict": r["verdict"], "reviewer": r["reviewer"]})
    return out


def scored_count(conn: Connection) -> dict[str, int]:
    row = conn.execute("SELECT count(*) AS n, coalesce(sum(v.sha256 IS NOT NULL), 0) AS videos FROM calls c "
                       "LEFT JOIN videos v ON v.sha256 = c.sha256").fetchone()
    return {"scored": int(row["n"]), "videos": int(row["videos"])}


def leads_of(conn: Connection, sha256: str) -> list[dict[str, Any]]:
    """The identifiers read on one recording's screen (the first reading of each), in order of time."""
    rows = conn.execute(
        "SELECT g.kind, g.value, g.seconds, g.confidence, l.text FROM (SELECT kind, value, min(seconds) AS seconds, "
        "max(confidence) AS confidence FROM leads WHERE sha256 = ? GROUP BY kind, value) g JOIN leads l "
        "ON l.sha256 = ? AND l.kind = g.kind AND l.value = g.value AND l.seconds = g.seconds "
        "ORDER BY g.seconds, g.kind, g.value", (sha256, sha256)).fetchall()
    return [dict(r) for r in rows]


def sightings(conn: Connection, kind: str, value: str) -> list[dict[str, Any]]:
    """Every place an identifier was seen, with the chat thread and message text for chat sightings."""
    rows = conn.execute(
        "SELECT s.origin, s.ref, s.raw, s.note, s.time_utc, s.context, t.id AS thread_id, t.title, t.app, m.seq, "
        "m.sender, m.text FROM identifiers i JOIN sightings s ON s.identifier_id = i.id "
        "LEFT JOIN chat_messages m ON s.origin = 'chat' AND m.id = CAST(s.ref AS INTEGER) "
        "LEFT JOIN chat_threads t ON t.id = m.thread_id WHERE i.kind = ? AND i.value = ? "
        "ORDER BY s.origin, s.time_utc, s.ref", (kind, value)).fetchall()
    return [dict(r) for r in rows]


def latest_report(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute("SELECT arguments, time_utc FROM audit WHERE command = 'report' ORDER BY id DESC LIMIT 1"
                       ).fetchone()
    if row is None:
        return None
    try:
        arguments = json.loads(row["arguments"])
    except ValueError:
        return None
    return {"html": arguments.get("html"), "pdf": arguments.get("pdf"), "time_utc": row["time_utc"]}


def message_texts(conn: Connection, ids: list[int]) -> dict[int, str]:
    """Whole chat messages by id (a sighting keeps only an excerpt around the identifier)."""
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        out.update((int(r[0]), str(r[1])) for r in conn.execute(
            f"SELECT id, text FROM chat_messages WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
    return out
