"""`winnow identifiers --case`: every identifier with where it was seen (chat message, payment, screen lead)."""

from __future__ import annotations

from typing import Any

from winnow.store import identifiers as store_identifiers
from winnow.store.case import Case


def listing(case: Case, kind: str | None = None, min_places: int = 1, limit: int | None = None) -> list[dict[str, Any]]:
    conn = case.connect(readonly=True)
    try:
        rows = store_identifiers.listing(conn, kind, min_places, limit)
    finally:
        conn.close()
    import json

    return [{"kind": r["kind"], "value": r["value"], "places": r["places"], "confidence": r["confidence"],
             "origins": sorted(set((r["origins"] or "").split(","))), "first_seen": r["first_seen"],
             "last_seen": r["last_seen"], "seen": json.loads(r["seen"])[:50]} for r in rows]
