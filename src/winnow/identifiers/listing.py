"""`winnow identifiers --case`: every identifier with where it was seen (chat message, payment, screen lead)."""

from __future__ import annotations

from typing import Any

from winnow.store.case import Case


def listing(case: Case, kind: str | None = None, min_places: int = 1, limit: int | None = None) -> list[dict[str, Any]]:
    conn = case.connect(readonly=True)
    try:
        rows = conn.execute(
            "SELECT i.kind, i.value, count(*) AS places, max(s.confidence) AS confidence, "
            "group_concat(DISTINCT s.origin) AS origins, min(s.time_utc) AS first_seen, max(s.time_utc) AS last_seen, "
            "json_group_array(json_object('origin', s.origin, 'ref', s.ref, 'raw', s.raw, 'note', s.note, "
            "'time', s.time_utc, 'context', s.context)) AS seen FROM identifiers i JOIN sightings s "
            "ON s.identifier_id = i.id " + ("WHERE i.kind = ? " if kind else "")
            + "GROUP BY i.id HAVING count(*) >= ? ORDER BY count(*) DESC, i.kind, i.value"
            + (" LIMIT ?" if limit else ""),
            tuple(x for x in (kind, min_places, limit) if x is not None)).fetchall()
    finally:
        conn.close()
    import json

    return [{"kind": r["kind"], "value": r["value"], "places": r["places"], "confidence": r["confidence"],
             "origins": sorted(set((r["origins"] or "").split(","))), "first_seen": r["first_seen"],
             "last_seen": r["last_seen"], "seen": json.loads(r["seen"])[:50]} for r in rows]
