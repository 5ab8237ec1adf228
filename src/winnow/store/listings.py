"""What the listing commands show (`winnow calls`, `leads`, `chats list|problems`, `video list|export`): the SQL
lives here, so the CLI only parses, calls and prints."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from winnow.store.case import Case

_FIRST_CHAIN = "(SELECT min(chain) FROM instances i WHERE i.sha256 = {t}.sha256)"


def ranked_calls(case: Case, min_score: float, limit: int, flag: float) -> list[dict[str, Any]]:
    """Videos and images by call-recording score, with their first path, size, leads and reasons."""
    conn = case.connect(readonly=True)
    try:
        rows = conn.execute(
            "SELECT c.sha256, c.score, c.cheap_score, c.reasons, c.ocr_frames, c.cpu_seconds, "
            "CASE WHEN v.sha256 IS NOT NULL THEN 'video' ELSE 'image' END AS kind, "
            "coalesce(v.width, g.width) AS width, coalesce(v.height, g.height) AS height, v.duration, "
            f"{_FIRST_CHAIN.format(t='c')} AS chain, "
            "(SELECT count(*) FROM leads l WHERE l.sha256 = c.sha256) AS leads FROM calls c "
            "LEFT JOIN videos v ON v.sha256 = c.sha256 LEFT JOIN images g ON g.sha256 = c.sha256 "
            "WHERE c.score >= ? ORDER BY c.score DESC, c.sha256 LIMIT ?", (min_score, limit)).fetchall()
    finally:
        conn.close()
    return [{"sha256": r["sha256"], "kind": r["kind"], "path": r["chain"], "score": r["score"],
             "flagged": r["score"] >= flag, "cheap_score": r["cheap_score"],
             "size": f"{r['width']}x{r['height']}", "duration": r["duration"], "ocr_frames": r["ocr_frames"],
             "leads": r["leads"], "reasons": json.loads(r["reasons"])} for r in rows]


def leads(case: Case, kind: str | None = None) -> list[dict[str, Any]]:
    """Identifiers read on screen, best call score first, with the crop's path in the case."""
    conn = case.connect(readonly=True)
    try:
        rows = conn.execute(
            f"SELECT l.*, c.score, {_FIRST_CHAIN.format(t='l')} AS chain "
            "FROM leads l LEFT JOIN calls c ON c.sha256 = l.sha256 " + ("WHERE l.kind = ? " if kind else "")
            + "ORDER BY c.score DESC, l.sha256, l.seconds", (kind,) if kind else ()).fetchall()
    finally:
        conn.close()
    return [{"video": r["chain"], "sha256": r["sha256"], "call_score": r["score"], "seconds": r["seconds"],
             "kind": r["kind"], "value": r["value"], "raw": r["raw"], "confidence": r["confidence"],
             "text": r["text"], "box": json.loads(r["box"]), "crop": str(case.root / r["crop"]) if r["crop"] else None}
            for r in rows]


def chat_threads(case: Case) -> list[dict[str, Any]]:
    conn = case.connect(readonly=True)
    try:
        return [dict(r) for r in conn.execute(
            "SELECT t.id, t.app, t.title, t.kind, t.participants, s.path AS source, s.format, "
            "(SELECT count(*) FROM chat_messages m WHERE m.thread_id = t.id) AS messages, "
            "(SELECT min(time_utc) FROM chat_messages m WHERE m.thread_id = t.id) AS first, "
            "(SELECT max(time_utc) FROM chat_messages m WHERE m.thread_id = t.id) AS last "
            "FROM chat_threads t JOIN chat_sources s ON s.id = t.source_id ORDER BY t.id")]
    finally:
        conn.close()


def chat_problems(case: Case) -> list[dict[str, Any]]:
    conn = case.connect(readonly=True)
    try:
        return [dict(r) for r in conn.execute(
            "SELECT s.path AS source, s.format, p.position, p.message FROM chat_problems p "
            "JOIN chat_sources s ON s.id = p.source_id ORDER BY s.id, p.id")]
    finally:
        conn.close()


def videos(case: Case) -> dict[str, Any]:
    """Every video (without its binary signature), the links between videos and the frame grabs."""
    conn = case.connect(readonly=True)
    try:
        found = []
        for r in conn.execute(f"SELECT v.*, {_FIRST_CHAIN.format(t='v')} AS chain FROM videos v ORDER BY chain"):
            item = {k: r[k] for k in r.keys() if k not in ("signature", "tags")}  # noqa: SIM118 (a Row)
            item["tags"] = json.loads(r["tags"]) if r["tags"] else {}
            found.append(item)
        links = [dict(r) for r in conn.execute("SELECT * FROM video_links ORDER BY relation, a")]
        grabs = [dict(r) for r in conn.execute("SELECT * FROM frame_grabs ORDER BY image_sha256")]
    finally:
        conn.close()
    return {"videos": found, "links": links, "frame_grabs": grabs}


def video_signatures(case: Case) -> Iterator[tuple[str, bytes]]:
    """(sha256, packed vPDQ signature) of every video that has one."""
    conn = case.connect(readonly=True)
    try:
        yield from ((str(sha), bytes(blob)) for sha, blob in
                    conn.execute("SELECT sha256, signature FROM videos WHERE signature IS NOT NULL"))
    finally:
        conn.close()


def has_users(case: Case) -> bool:
    conn = case.connect(readonly=True)
    try:
        return conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
    finally:
        conn.close()
