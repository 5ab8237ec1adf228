"""Identifiers for the leads page: a page of identifiers (by kind and value, or only those seen on a screen, in a
chat or in a payment, or only those linked across origins) and, for each, the places it was seen. A page reads
its identifiers through the (kind, value) index and their sightings through the (identifier, origin, ...) one,
so it costs the same at a million sightings as at a hundred; the "linked" filter aggregates every sighting."""

from __future__ import annotations

from typing import Any

from winnow.store.db import Connection

ORIGINS = ("screen", "chat", "payment")
VALIDATION = {
    "phone": "a valid number for its country (phonenumbers), normalised to E.164",
    "iban": "IBAN country format and check digits verified",
    "btc": "Bitcoin address checksum verified", "eth": "Ethereum address (EIP-55 checksum where mixed case)",
    "tron": "TRON address checksum verified", "email": "e-mail address form", "url": "web address",
    "handle": "@handle form", "mtcn": "10-digit Western Union MTCN next to a transfer keyword",
    "moneygram": "8-digit MoneyGram reference next to a keyword", "wallet": "Philippine mobile number next to a "
    "wallet word (GCash, Maya, ...)", "amount": "an amount with its currency", "date": "a calendar date",
}


def page(conn: Connection, kind: str | None = None, origin: str | None = None, linked: bool = False,
         offset: int = 0, limit: int = 50, value: str | None = None) -> list[dict[str, Any]]:
    where, params = [], []
    if value:
        where.append("i.value = ?")
        params.append(value)
    if kind:
        where.append("i.kind = ?")
        params.append(kind)
    if origin in ORIGINS:
        where.append("i.id IN (SELECT identifier_id FROM sightings WHERE origin = ?)")
        params.append(origin)
    if linked:
        where.append("i.id IN (SELECT identifier_id FROM sightings GROUP BY identifier_id "
                     "HAVING count(DISTINCT origin) >= 2)")
    sql = ("SELECT i.id, i.kind, i.value FROM identifiers i" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY i.kind, i.value LIMIT ? OFFSET ?")
    rows = [dict(r) for r in conn.execute(sql, (*params, limit, offset)).fetchall()]
    for row in rows:
        row.update(places(conn, row["id"]))
        row["validation"] = VALIDATION.get(row["kind"], "form checked by the extractor")
    return rows


def places(conn: Connection, identifier_id: int, limit: int = 12) -> dict[str, Any]:
    counts = {r[0]: r[1] for r in conn.execute(
        "SELECT origin, count(*) FROM sightings WHERE identifier_id = ? GROUP BY origin", (identifier_id,))}
    seen = conn.execute(
        "SELECT s.origin, s.ref, s.raw, s.confidence, s.note, s.time_utc, s.context, t.title, t.app, m.seq, "
        "m.thread_id FROM sightings s LEFT JOIN chat_messages m ON s.origin = 'chat' AND m.id = "
        "CAST(s.ref AS INTEGER) LEFT JOIN chat_threads t ON t.id = m.thread_id WHERE s.identifier_id = ? "
        "ORDER BY s.origin DESC, s.time_utc LIMIT ?", (identifier_id, limit)).fetchall()
    out = []
    for s in seen:
        place = dict(s)
        if s["origin"] == "screen":
            sha, _, seconds = s["ref"].partition("@")
            place["where"] = f"on screen at {seconds} s"
            place["sha256"] = sha
        elif s["origin"] == "chat":
            place["where"] = (f"{s['app']} chat '{s['title']}', message {s['seq']}" if s["title"] is not None
                              else f"chat message {s['ref']}")
        else:
            place["where"] = f"payment {s['ref']} ({s['note']})"
        out.append(place)
    return {"counts": counts, "places": sum(counts.values()), "origins": sorted(counts),
            "linked": len(counts) >= 2, "seen": out}


def kinds(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT kind FROM identifiers ORDER BY kind")]
