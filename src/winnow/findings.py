"""What the case found, as one thread an investigator can follow: the likely call recordings, the identifiers read
on their screens, the chats and payments where the same identifiers were seen, and the ranked buyers who paid
them; plus the audit status, the latest court report and how to open the review app. `winnow findings` prints
it in a few lines (the end of `make demo`); the court report shows the same facts in full.

Everything is computed from the case (store, payments, audit trail): nothing is written here."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from winnow.store import audit
from winnow.store import findings as queries
from winnow.store.case import Case

TOP_BUYERS = 3


def _payments_to(case: Case, txns: list[str]) -> dict[str, Any]:
    """Count, total and senders of the given payment transactions (the payments where a lead was seen)."""
    from winnow.payments.lookups import transactions

    rows = transactions(case, txns, "txn_id, amount_eur, sender_account, sender_phone, sender_iban, "
                                         "sender_wallet, time_utc")
    senders: dict[str, list[float]] = defaultdict(list)
    keys: dict[str, set[str]] = defaultdict(set)
    for _, eur, account, phone, iban, wallet, _ in rows:
        ids = {f"{kind}:{value}" for kind, value in (("account", account), ("phone", phone), ("iban", iban),
                                                      ("wallet", wallet)) if value}
        key = min(ids) if ids else "?"
        senders[key].append(float(eur or 0.0))
        keys[key] |= ids
    times = sorted(r[6] for r in rows if r[6] is not None)
    return {"count": len(rows), "total_eur": round(sum(float(r[1] or 0.0) for r in rows), 2),
            "senders": len(senders), "first": times[0].isoformat(sep=" ") if times else None,
            "last": times[-1].isoformat(sep=" ") if times else None,
            "by_sender": {k: {"payments": len(v), "eur": round(sum(v), 2), "identifiers": sorted(keys[k])}
                          for k, v in senders.items()}}


def _buyers(ranking: dict[str, Any] | None, by_sender: dict[str, Any]) -> list[dict[str, Any]]:
    """The ranked senders among those who paid a lead, highest score first, with what they paid it."""
    if not ranking:
        return []
    out = []
    for party in ranking["senders"]:
        mine = set(party.get("identifiers") or [party["entity"]])
        paid = [v for v in by_sender.values() if mine & set(v["identifiers"])]
        if not paid:
            continue
        out.append({"party": party["party"], "names": party.get("names", []), "score": party["score"],
                    "flagged": party["flagged"], "rules": party["rules"],
                    "payments_to_lead": sum(v["payments"] for v in paid),
                    "eur_to_lead": round(sum(v["eur"] for v in paid), 2)})
    out.sort(key=lambda b: (not b["flagged"], -b["payments_to_lead"], -b["score"], b["party"]))
    return out


def _lead(case: Case, conn: Any, sha256: str, lead: dict[str, Any], ranking: dict[str, Any] | None,
          payments: bool) -> dict[str, Any]:
    places = queries.sightings(conn, lead["kind"], lead["value"])
    threads: dict[int, dict[str, Any]] = {}
    for p in places:
        if p["origin"] == "chat" and p["thread_id"] is not None:
            thread = threads.setdefault(p["thread_id"], {"thread": p["title"], "app": p["app"], "messages": []})
            thread["messages"].append({"seq": p["seq"], "sender": p["sender"], "time_utc": p["time_utc"],
                                       "text": p["text"]})
    txns = sorted({p["ref"] for p in places if p["origin"] == "payment"})
    paid = _payments_to(case, txns) if payments and txns else {"count": 0, "total_eur": 0.0, "senders": 0,
                                                               "first": None, "last": None, "by_sender": {}}
    return {"kind": lead["kind"], "value": lead["value"], "seconds": lead["seconds"], "text": lead["text"],
            "confidence": lead["confidence"], "chats": list(threads.values()),
            "payments": {k: v for k, v in paid.items() if k != "by_sender"},
            "buyers": _buyers(ranking, paid["by_sender"]),
            "sequences": _sequences(case, lead["value"], sha256) if threads and txns else []}


def _sequences(case: Case, value: str, sha256: str) -> list[dict[str, Any]]:
    """The timeline's "order -> payment -> recording" sequences of a lead that end at this recording: the message
    that spoke of paying, the payment within 48 hours, the recording within 48 hours after it."""
    from winnow.linking.timeline import timeline

    result = timeline(case, value)
    events = {e["ref"]: e for e in result["events"]}
    mine = f"video {sha256[:16]}"
    out = []
    for sequence in result["sequences"]:
        if mine not in sequence["after"]:
            continue
        order, payment, recording = events[sequence["order"]], events[sequence["payment"]], events[mine]
        out.append({"order": order["ref"], "order_time": order["time"], "order_text": order["summary"],
                    "payment": payment["ref"], "payment_time": payment["time"], "payment_text": payment["summary"],
                    "recording_time": recording["time"]})
    return out


def _relative(path: Path) -> str:
    """The path as the user can type it from here: relative below the working folder, absolute elsewhere."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path.absolute()) if relative.startswith("..") else relative


def findings(case: Case, ranking: dict[str, Any] | None = None) -> dict[str, Any]:
    """The thread from recordings to buyers; `ranking` is the payments ranking if the caller has it already."""
    from winnow.calls.detector import FLAG
    from winnow.payments.scoring import ranking_for_case
    from winnow.store import users

    payments = (case.root / "payments.duckdb").exists()
    if ranking is None and payments:
        ranking = ranking_for_case(case)
    conn = case.connect(readonly=True)
    try:
        recordings = queries.recordings(conn, FLAG)
        for recording in recordings:
            recording["leads"] = [_lead(case, conn, recording["sha256"], lead, ranking, payments)
                                  for lead in queries.leads_of(conn, recording["sha256"]) if lead["kind"] != "time"]
        scored = queries.scored_count(conn)
        verification = audit.verify(conn)
        report = queries.latest_report(conn)
        accounts = [{"name": u["name"], "role": u["role"]} for u in users.listing(conn)]
        case_name = case.meta().get("name", "")
    finally:
        conn.close()
    totals = None
    if ranking:
        totals = {"transactions": ranking["transactions"],
                  "flagged_senders": sum(p["flagged"] for p in ranking["senders"]),
                  "flagged_receivers": sum(p["flagged"] for p in ranking["receivers"])}
    return {"case": {"name": case_name, "root": str(case.root), "shown_as": _relative(case.root)},
            "call_flag": FLAG, "scored": scored, "recordings": recordings, "payments": totals,
            "audit": {"rows": verification.rows, "ok": verification.ok}, "report": report, "accounts": accounts}


def _eur(value: float) -> str:
    return f"{value:,.0f} EUR" if value == int(value) else f"{value:,.2f} EUR"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary(found: dict[str, Any], how_to_open: bool = True) -> list[str]:
    """The findings in a few lines of plain text (what `make demo` ends with); `how_to_open` adds the latest
    report and the review app's command (the report itself leaves them out)."""
    case = found["case"]
    recordings = found["recordings"]
    lines = [f"{case['name'] or case['shown_as']}: {_plural(len(recordings), 'likely call recording')} (score >= "
             f"{found['call_flag']}) among {found['scored']['scored']} videos and images scored"]
    for recording in recordings[:5]:
        leads = recording["leads"]
        read = ", ".join(f"{lead['kind']} {lead['value']} (at {lead['seconds']:.0f} s)" for lead in leads)
        lines.append(f"  {Path(recording['path'] or recording['sha256']).name} (score {recording['score']:.2f}): "
                     + (f"on screen {read}" if leads else "no identifier read on screen"))
        for lead in leads:
            chats = [f"{c['app']} chat '{c['thread']}' ({_plural(len(c['messages']), 'message')})"
                     for c in lead["chats"]]
            paid = lead["payments"]
            if paid["count"]:
                chats.append(f"{_plural(paid['count'], 'payment')} ({_eur(paid['total_eur'])}) from "
                             f"{_plural(paid['senders'], 'sender')}")
            lines.append(f"    {lead['value']} linked to " + (" and ".join(chats) if chats else "nothing else yet"))
            for sequence in lead["sequences"][:1]:
                lines.append(f"    order -> payment -> recording: {sequence['order']} ({sequence['order_time'][:16]}"
                             f" UTC) -> {sequence['payment']} ({sequence['payment_time'][:16]}) -> this recording "
                             f"({sequence['recording_time'][:16]})")
            top = [b for b in lead["buyers"] if b["flagged"]][:TOP_BUYERS]
            if top:
                lines.append(f"    top buyers paying it ({len([b for b in lead['buyers'] if b['flagged']])} "
                             "flagged by the payment indicators):")
                lines.extend(f"      {(b['names'] or [b['party']])[0]} ({b['party']}): "
                             f"{_plural(b['payments_to_lead'], 'payment')}, {_eur(b['eur_to_lead'])}; score "
                             f"{b['score']:.1f} ({', '.join(b['rules'])})" for b in top)
    if found["payments"]:
        p = found["payments"]
        lines.append(f"  payments: {p['transactions']:,} transaction{'' if p['transactions'] == 1 else 's'}; "
                     f"{p['flagged_senders']} possible buyers and {p['flagged_receivers']} possible facilitators "
                     "flagged")
    lines.append(f"  audit trail: {found['audit']['rows']} rows, {'intact' if found['audit']['ok'] else 'ALTERED'}")
    if not how_to_open:
        return lines
    if found["report"]:
        lines.append(f"  report: {_relative(Path(found['report']['html']))} and "
                     f"{_relative(Path(found['report']['pdf']))}")
    accounts = ", ".join(f"{a['name']} ({a['role']})" for a in found["accounts"]) or "none yet (winnow user add)"
    lines.append(f"  open it: winnow serve --case {case['shown_as']}  then http://127.0.0.1:8765/ "
                 f"(local only; accounts: {accounts})")
    return lines
