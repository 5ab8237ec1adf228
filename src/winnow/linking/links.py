"""Links: an identifier seen in two places ties them — a phone in a chat and as a payment receiver, an MTCN in a
chat and in a money-transfer export, a handle on a call-recording screen and in a chat. `sync_payments` looks every
chat/screen identifier up in the case's payment records (recording each hit as a `payment` sighting) and hands them
to rule R10 (`evidence_identifiers` in payments.duckdb). `links` lists every identifier seen in two or more places
with its evidence rows; an amount in a chat message that agrees with a payment to the same identifier within a day
strengthens the link and says so. `graph` is the party <-> identifier <-> evidence graph (GraphML export)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from winnow.identifiers.extract import extract
from winnow.store import db
from winnow.store import links as store
from winnow.store.case import Case
from winnow.store.identifiers import add_sightings, intern

# identifier kinds looked up in payment columns, and the kind they take in evidence_identifiers (rule R10)
PAYMENT_KINDS = {"phone": "phone", "iban": "iban", "wallet": "phone", "mtcn": "mtcn", "moneygram": "reference",
                 "account": "account", "btc": "wallet", "eth": "wallet", "tron": "wallet"}
COLUMNS = {"sender_phone": "sender phone", "receiver_phone": "receiver phone", "sender_iban": "sender IBAN",
           "receiver_iban": "receiver IBAN", "sender_account": "sender account", "receiver_account": "receiver account",
           "sender_wallet": "sender wallet", "receiver_wallet": "receiver wallet", "txn_id": "transaction id"}
AGREEMENT_WINDOW = timedelta(days=1)


def _lookup_value(kind: str, value: str) -> str:
    return value.split(":", 1)[1] if kind == "wallet" and ":" in value else value


def _describe(conn: Any, origin: str, ref: str) -> str:
    if origin == "chat":
        row = store.message_place(conn, int(ref))
        return f"{row['app']} chat '{row['title']}' message {row['seq']}" if row else f"chat message {ref}"
    return f"{origin} {ref}"


def sync_payments(case: Case) -> dict[str, Any]:
    """Match evidence identifiers against the payment records; returns counts. Idempotent."""
    if not (case.root / "payments.duckdb").exists():
        return {"payments": False, "identifiers_checked": 0, "payment_sightings": 0, "reference_sightings": 0,
                "evidence_identifiers": 0}
    from winnow.payments.lookups import identifier_hits

    conn = case.connect()
    try:
        wanted = store.identifiers_seen_outside_payments(conn, tuple(PAYMENT_KINDS))
        values: dict[str, list[Any]] = defaultdict(list)  # a phone and its wallet ("gcash:+63...") share a value
        for r in wanted:
            values[_lookup_value(r["kind"], r["value"])].append(r)
        evidence = []
        for value, found in values.items():
            for row in found:
                where = _describe(conn, "chat", row["ref"]) if str(row["ref"]).isdigit() else str(row["ref"])
                evidence.append([value, PAYMENT_KINDS[row["kind"]], f"{where} ({row['time'] or 'no time'})"])
        hits, references = identifier_hits(case, tuple(COLUMNS), list(values), evidence)
        with db.write(conn):
            sightings = []
            for column, value, txn, time, amount, currency, eur, sender, receiver in hits:
                context = f"{amount:.2f} {currency} ({eur:.2f} EUR) {sender or '?'} -> {receiver or '?'}"
                for row in values[value]:
                    sightings.append((row["id"], "payment", str(txn), column, 1.0, COLUMNS[column],
                                      time.isoformat(sep=" ") if isinstance(time, datetime) else time, context))
            added = add_sightings(conn, sightings)
            ids: dict[tuple[str, str], int] = {}
            before = db.changes(conn)  # as before the store layer: an identifier first seen here counts too
            for txn, reference, time, amount, currency, eur, sender, receiver in references:
                for item in extract(reference, ()):
                    identifier = intern(conn, item.kind, item.value, ids)
                    context = f"reference {reference!r}: {amount:.2f} {currency} ({eur:.2f} EUR) {sender or '?'} " \
                              f"-> {receiver or '?'}"
                    add_sightings(conn, [(
                        identifier, "payment", str(txn), item.raw, item.confidence, "payment reference",
                        time.isoformat(sep=" ") if isinstance(time, datetime) else time, context)])
            from_references = db.changes(conn) - before
    finally:
        conn.close()
    return {"payments": True, "identifiers_checked": len(values), "payment_sightings": added,
            "reference_sightings": from_references, "evidence_identifiers": len(values)}


def _amount_agreement(conn: Any, identifier_id: int, places: list[dict[str, Any]]) -> list[str]:
    """Reasons where a chat message that carries this identifier — or another message of its thread within a day
    of the payment — names the amount of a payment to the identifier, within a day of it."""
    reasons: list[str] = []
    payments = [p for p in places if p["origin"] == "payment" and p["time"]]
    chats = [p for p in places if p["origin"] == "chat"]
    if not payments or not chats:
        return reasons
    threads = store.threads_of(conn, [int(c["ref"]) for c in chats])
    amounts = store.amounts_in_threads(conn, sorted(threads))
    from winnow.payments import fx

    rates = fx.load()
    for payment in payments:
        moment = datetime.fromisoformat(payment["time"])
        eur = float(payment["context"].split("(")[1].split(" EUR")[0])
        for value, time, _, seq in amounts:
            if not time:
                continue
            number, currency = value.split()
            said = float(number) * rates.get(currency, 0.0)
            if abs(datetime.fromisoformat(time) - moment) <= AGREEMENT_WINDOW and abs(said - eur) <= max(1.0,
                                                                                                     0.03 * eur):
                reasons.append(f"chat message {seq} says {value} on {time[:10]}; payment {payment['ref']} of "
                               f"{eur:.2f} EUR on {payment['time'][:10]}")
    return sorted(set(reasons))


def links(case: Case, kind: str | None = None) -> list[dict[str, Any]]:
    """Every identifier seen in two or more places (distinct origins, or distinct chat threads), with its
    evidence rows; strongest first."""
    conn = case.connect(readonly=True)
    try:
        rows = store.places(conn, kind)
        grouped: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[row["id"]].append(row)
        out = []
        for identifier_id, places in grouped.items():
            origins = {p["origin"] for p in places}
            threads = {p["thread_id"] for p in places if p["thread_id"] is not None}
            if len(origins) < 2 and len(threads) < 2:
                continue
            first = places[0]
            evidence = [{"origin": p["origin"], "ref": p["ref"], "where": _describe(conn, p["origin"], p["ref"])
                         if p["origin"] == "chat" else p["note"] or p["origin"], "time": p["time_utc"],
                         "raw": p["raw"], "confidence": p["confidence"], "context": p["context"]} for p in places]
            agreement = _amount_agreement(conn, identifier_id, evidence) if kind in (None, first["kind"]) else []
            out.append({"identifier": first["value"], "kind": first["kind"], "origins": sorted(origins),
                        "threads": len(threads), "places": len(places),
                        "strength": "strong" if agreement else "linked", "reasons": agreement,
                        "evidence": evidence[:100]})
        out.sort(key=lambda link: (link["strength"] != "strong", -len(link["origins"]), -link["places"],
                                   link["identifier"]))
        return out
    finally:
        conn.close()


def graph(case: Case) -> Any:
    """party <-> identifier <-> evidence: identifiers linked to the chat threads and payment transactions (with
    their parties) where they were seen; every edge carries its evidence rows."""
    import networkx as nx

    g = nx.Graph()
    conn = case.connect(readonly=True)
    try:
        for link in links(case):
            node = f"{link['kind']}:{link['identifier']}"
            g.add_node(node, type="identifier", kind=link["kind"], strength=link["strength"],
                       reasons=" | ".join(link["reasons"]))
            for place in link["evidence"]:
                if place["origin"] == "chat":
                    row = store.message_thread(conn, int(place["ref"]))
                    assert row is not None  # a chat sighting refers to a stored message
                    other = f"thread:{row['id']}"
                    g.add_node(other, type="chat thread", title=row["title"], app=row["app"],
                               participants=", ".join(json.loads(row["participants"])))
                else:
                    other = f"{place['origin']}:{place['ref']}"
                    g.add_node(other, type=place["origin"], context=place["context"] or "")
                    if place["origin"] == "payment" and "->" in (place["context"] or ""):
                        sender, receiver = (x.strip() for x in place["context"].split(")", 1)[1].split("->"))
                        for party, role in ((sender, "sender"), (receiver, "receiver")):
                            g.add_node(f"party:{party}", type="payment party")
                            g.add_edge(f"party:{party}", other, relation=role)
                rows = g.edges[node, other]["evidence"] + " " if g.has_edge(node, other) else ""
                g.add_edge(node, other, relation="seen in", evidence=(rows + place["ref"]).strip())
    finally:
        conn.close()
    return g


def export_graphml(case: Case, out: Path) -> dict[str, Any]:
    import networkx as nx

    g = graph(case)
    out.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(g, out)
    return {"path": str(out), "nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
