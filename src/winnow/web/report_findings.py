"""The court report's investigation sections: the findings in brief, the recordings the call detector selected
with its reasons as sentences (with their points, never the stored JSON), the identifiers read on their screens
and where else each was seen, the links between identifiers across screens, chats and payments, every identifier
with its places, and the payment evidence (each flagged party's rules with the transactions behind them).

Sections are (title, headers, rows) like the rest of the report, so the HTML and the PDF show the same content;
cells are plain text (the writers escape them) and a cell's lines are separated by newlines."""

from __future__ import annotations

from typing import Any

from winnow.store.case import Case

IDENTIFIER_LIMIT = 500
LINK_LIMIT = 200
PLACES_SHOWN = 8  # evidence rows per identifier or link in a cell
PARTIES_SHOWN = 20  # flagged parties per side
TXNS_SHOWN = 5  # transactions shown in full per party; the others by id
MESSAGE_CHARS = 400  # a chat message quoted in the report
def _reasons(reasons: list[Any] | None) -> str:
    """The call score's reasons as sentences (`calls.explain`, the same words as the review app's pages)."""
    from winnow.calls import explain

    if reasons is None:
        return "The stored reasons could not be read."
    return "\n".join(f"• {r['sentence']}" for r in explain.sentences(reasons))


def _cap(lines: list[str], total: int | None = None, shown: int = PLACES_SHOWN) -> str:
    total = len(lines) if total is None else total
    more = f"\n… and {total - shown} more" if total > shown else ""
    return "\n".join(lines[:shown]) + more


def _transactions(case: Case, txns: list[str]) -> dict[str, str]:
    """One line per transaction id: time, amount, parties, reference (the rows behind a rule)."""
    if not txns or not (case.root / "payments.duckdb").exists():
        return {}
    from winnow.payments.lookups import transactions

    rows = transactions(case, sorted(set(txns)),
                        "txn_id, time_utc, amount, currency, amount_eur, coalesce(sender_name_raw, sender_name), "
                        "coalesce(receiver_name_raw, receiver_name), coalesce(receiver_phone, receiver_wallet, "
                        "receiver_account, receiver_iban), reference")
    out = {}
    for txn, time, amount, currency, eur, sender, receiver, to, reference in rows:
        when = time.isoformat(sep=" ", timespec="minutes") if time else "no time"
        ref = f", reference {reference!r}" if reference else ""
        out[str(txn)] = (f"{txn} {when} UTC: {amount:.2f} {currency} ({eur:.2f} EUR) {sender or '?'} -> "
                         f"{receiver or '?'} ({to or '?'}){ref}")
    return out


def payment_evidence(case: Case, ranking: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each flagged party with its rules (weight, explanation, how many transactions) and the transactions behind
    them: the first few in full (time, amount, parties, reference), the rest by id."""
    if not ranking:
        return []
    picked = [(side, p) for side in ("senders", "receivers") for p in
              [p for p in ranking[side] if p["flagged"]][:PARTIES_SHOWN]]
    ids = {side + p["entity"]: sorted({t for r in p["reasons"] for t in r["evidence"]}) for side, p in picked}
    lines = _transactions(case, [t for txns in ids.values() for t in txns])
    out = []
    for side, party in picked:
        txns = sorted(ids[side + party["entity"]], key=lambda t: (lines.get(t, "~").split(" ", 1)[-1], t))
        rows = [lines.get(t, t) for t in txns[:TXNS_SHOWN]]
        if txns[TXNS_SHOWN:]:
            rows.append("also: " + ", ".join(txns[TXNS_SHOWN:]))
        rules = [f"• {r['rule']} (weight {r['weight']:g}): {r['explanation']} [{r['evidence_count']} "
                 f"transaction{'' if r['evidence_count'] == 1 else 's'}]" for r in party["reasons"]]
        out.append({"party": party["party"], "names": party.get("names", []),
                    "side": "sender (possible buyer)" if side == "senders" else "receiver (possible facilitator)",
                    "score": party["score"], "rules": rules, "rows": rows})
    return out


def gather(case: Case) -> dict[str, Any]:
    from winnow.findings import findings
    from winnow.identifiers.listing import listing
    from winnow.linking.links import links
    from winnow.payments.scoring import ranking_for_case

    ranking = ranking_for_case(case)
    linked = links(case)[:LINK_LIMIT]
    identifiers = listing(case, limit=IDENTIFIER_LIMIT)
    _whole_messages(case, [p for x in linked for p in x["evidence"]] + [p for x in identifiers for p in x["seen"]])
    return {"findings": findings(case, ranking), "links": linked, "identifiers": identifiers,
            "payment_evidence": payment_evidence(case, ranking)}


def _whole_messages(case: Case, places: list[dict[str, Any]]) -> None:
    """Chat sightings carry an excerpt around the identifier; the report quotes the whole message (to a limit)."""
    from winnow.store import findings as queries

    chats = [p for p in places if p["origin"] == "chat" and str(p["ref"]).isdigit()]
    if not chats:
        return
    conn = case.connect(readonly=True)
    try:
        texts = queries.message_texts(conn, sorted({int(p["ref"]) for p in chats}))
    finally:
        conn.close()
    for p in chats:
        text = texts.get(int(p["ref"]))
        if text is not None:
            p["context"] = text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + " …"


ORIGIN_ORDER = {"screen": 0, "chat": 1, "payment": 2}


def _places(places: list[dict[str, Any]]) -> list[str]:
    """Evidence rows with the screen and chat sightings first (few, and the start of the thread), then payments."""
    ordered = sorted(places, key=lambda p: (ORIGIN_ORDER.get(p["origin"], 3), p.get("time") or ""))
    return [_place(p) for p in ordered]


def _place(p: dict[str, Any]) -> str:
    where = p.get("where") or p.get("note") or p["origin"]
    context = f": {p['context']}" if p.get("context") else ""
    return f"{p['origin']} — {where} ({p.get('time') or 'no time'}){context}"


def _lead_rows(found: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for recording in found["recordings"]:
        for lead in recording["leads"]:
            seen = [f"chat: {c['app']} '{c['thread']}' message {m['seq']} ({m['time_utc'] or 'no time'}) "
                    f"{m['sender'] or '?'}: {m['text']}" for c in lead["chats"] for m in c["messages"]]
            seen[:0] = [f"order -> payment -> recording: {q['order']} ({q['order_time']}) {q['order_text']} -> "
                        f"{q['payment']} ({q['payment_time']}) {q['payment_text']} -> this recording "
                        f"({q['recording_time']})" for q in lead["sequences"][:3]]
            paid = lead["payments"]
            if paid["count"]:
                seen.append(f"payments: {paid['count']} ({paid['total_eur']:.2f} EUR) from {paid['senders']} senders, "
                            f"{(paid['first'] or '')[:10]} to {(paid['last'] or '')[:10]}")
            rows.append([lead["value"], lead["kind"], recording["path"] or recording["sha256"],
                         f"{lead['seconds']:.1f} s", lead["text"], f"{lead['confidence']:.2f}",
                         _cap(seen) or "nowhere else yet"])
    return rows


def sections(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    from winnow.findings import summary

    found = data["findings"]
    return [
        ("Findings in brief", ["finding"], [[line.strip()] for line in summary(found, how_to_open=False)]),
        ("Selected recordings (likely recordings of live video calls; a reviewer's \"not a call\" leaves one out)",
         ["recording", "SHA-256", "score", "kind, size, duration", "why (each reason with its points)"],
         [[r["path"] or "", r["sha256"], f"{r['score']:.2f}" + (f"\nconfirmed by {r['reviewer']}"
                                                              if r.get("verdict") == "call" else ""),
           f"{r['kind']}, {r['size']}" + (f", {r['duration']:.1f} s" if r["duration"] else ""), _reasons(r["reasons"])]
          for r in found["recordings"]]),
        ("Leads read on screen", ["identifier", "kind", "recording", "at", "text read", "confidence",
                                  "also seen in"], _lead_rows(found)),
        ("Links between identifiers across screens, chats and payments",
         ["identifier", "kind", "seen in", "strength", "why", "evidence"],
         [[link["identifier"], link["kind"], ", ".join(link["origins"]), link["strength"],
           "\n".join(link["reasons"]) or f"seen in {link['places']} places",
           _cap(_places(link["evidence"]), link["places"])] for link in data["links"]]),
        ("Identifiers and where they were seen", ["identifier", "kind", "seen in", "places", "first seen",
                                                  "last seen", "where"],
         [[i["value"], i["kind"], ", ".join(i["origins"]), i["places"], i["first_seen"], i["last_seen"],
           _cap(_places(i["seen"]), i["places"])] for i in data["identifiers"]]),
        ("Payment evidence (flagged parties: each rule with its transactions)",
         ["party", "side", "score", "rules (weight): explanation", "evidence rows"],
         [[e["party"] + (f"\n({'; '.join(e['names'])})" if e["names"] else ""), e["side"], f"{e['score']:.2f}",
           "\n".join(e["rules"]), "\n".join(e["rows"])] for e in data["payment_evidence"]]),
    ]
