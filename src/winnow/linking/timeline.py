"""`winnow timeline --case [--party X]`: chat messages, payments, video recordings and media timestamps of a party
in one chronological view (text or a self-contained HTML file), with "order -> payment -> recording" sequences
flagged: a message that speaks of paying or names an amount, a payment to or from the party within 48 hours after
it, and a video (or photo) timestamped within 48 hours after the payment.

A party is an identifier (phone, handle, wallet, MTCN, ...) or a name: its messages are those of the chat threads
where the identifier was seen (or that the named person wrote in), its payments those carrying the identifier (or
the name) on either side. Media have no owner in the case: those timestamped within the party's span are shown as
context, marked so. Times are UTC."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from winnow.store import links as store
from winnow.store.case import Case

PAY_WORDS = re.compile(r"\b(?:send|sent|pay|paid|payment|transfer|mtcn|gcash|maya|western union|moneygram|"
                       r"remit|load|envoy[ée]|pay[ée]|bayad|padala)\b", re.IGNORECASE)
SEQUENCE_WINDOW = timedelta(hours=48)
LIMIT = 5000


def _time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    if re.match(r"^\d{4}:\d{2}:\d{2} ", text):  # EXIF
        text = text.replace(":", "-", 2)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo:
        from datetime import UTC

        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _messages(conn: Any, party: str | None) -> list[dict[str, Any]]:
    rows = store.party_messages(conn, party, LIMIT)
    return [{"time": _time(r["time_utc"]), "type": "message", "ref": f"chat message {r['id']}",
             "message_id": r["id"],
             "summary": f"[{r['app']} '{r['title']}'] {r['sender'] or '(system)'}: {r['text'][:200]}",
             "pay_talk": bool(PAY_WORDS.search(r["text"]) or re.search(r"\d+ ?(?:eur|€|php|₱|usd)", r["text"], re.I))}
            for r in rows if r["time_utc"]]


def _payments(case: Case, party: str | None) -> list[dict[str, Any]]:
    if not (case.root / "payments.duckdb").exists():
        return []
    from winnow.payments.lookups import party_transactions

    value = party.split(":", 1)[1] if party and party.startswith(("gcash:", "maya:")) else party
    rows = party_transactions(case, value, LIMIT)
    return [{"time": _time(t), "type": "payment", "ref": f"transaction {txn}", "txn_id": txn,
             "summary": f"{amount:.2f} {currency} ({eur:.2f} EUR) {s or '?'} -> {r or '?'} by {channel}"}
            for txn, t, amount, currency, eur, s, r, channel in rows if t]


def _media(conn: Any, start: datetime | None, end: datetime | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if start is None or end is None:
        return out
    low, high = (start - SEQUENCE_WINDOW).isoformat(sep=" "), (end + SEQUENCE_WINDOW).isoformat(sep=" ")
    # the day of each timestamp (ISO for videos, EXIF's colons for photos) narrows the rows through an index;
    # the exact window is checked on the parsed time (a day either side covers zone offsets)
    days = ((start - SEQUENCE_WINDOW - timedelta(days=1)).date().isoformat(),
            (end + SEQUENCE_WINDOW + timedelta(days=1)).date().isoformat())
    sources = ((*store.MEDIA_DAYS[0], "recording", "video",
                "video created {when} ({chain}) — context: not linked to the party"),
               (*store.MEDIA_DAYS[1], "media", "image", "photo taken {when} (EXIF, camera clock) ({chain}) — context"))
    for table, column, day, kind, label, summary in sources:
        for sha, when, chain in store.media_between_days(conn, table, column, day, days):
            moment = _time(when)
            if moment and low <= moment.isoformat(sep=" ") <= high:
                out.append({"time": moment, "type": kind, "ref": f"{label} {sha[:16]}", "sha256": sha,
                            "summary": summary.format(when=when, chain=chain)})
    return out


def timeline(case: Case, party: str | None = None) -> dict[str, Any]:
    conn = case.connect(readonly=True)
    try:
        events = _messages(conn, party) + _payments(case, party)
        times = [e["time"] for e in events]
        events += _media(conn, min(times) if times else None, max(times) if times else None)
    finally:
        conn.close()
    events.sort(key=lambda e: (e["time"], e["type"]))
    sequences = []
    for i, order in enumerate(events):
        if order["type"] != "message" or not order.get("pay_talk"):
            continue
        payment = next((e for e in events[i + 1:] if e["type"] == "payment"
                        and e["time"] - order["time"] <= SEQUENCE_WINDOW), None)
        if payment is None:
            continue
        after = [e for e in events if e["type"] in ("recording", "media") and
                 timedelta(0) <= e["time"] - payment["time"] <= SEQUENCE_WINDOW]
        flag = "order -> payment -> recording" if any(e["type"] == "recording" for e in after) else \
            "order -> payment -> media" if after else "order -> payment"
        for e in (order, payment, *after[:3]):
            e.setdefault("flags", []).append(flag)
        sequences.append({"flag": flag, "order": order["ref"], "payment": payment["ref"],
                          "after": [e["ref"] for e in after[:3]], "start": order["time"].isoformat(sep=" ")})
    for e in events:
        e["time"] = e["time"].isoformat(sep=" ")
        e.pop("pay_talk", None)
        e.setdefault("flags", [])
    return {"party": party, "events": events, "sequences": sequences,
            "truncated": len([e for e in events if e["type"] in ("message", "payment")]) >= LIMIT}


def write_html(result: dict[str, Any], out: Path) -> Path:
    colours = {"message": "#eef", "payment": "#efe", "recording": "#fee", "media": "#fff6e0"}
    rows = "".join(
        f"<tr style='background:{colours.get(e['type'], '#fff')}'><td>{html.escape(e['time'])}</td>"
        f"<td>{html.escape(e['type'])}</td><td>{html.escape(e['summary'])}</td><td>{html.escape(e['ref'])}</td>"
        f"<td><b>{html.escape(', '.join(sorted(set(e['flags']))))}</b></td></tr>" for e in result["events"])
    sequences = "".join(f"<li><b>{html.escape(s['flag'])}</b> from {html.escape(s['start'])}: {html.escape(s['order'])}"
                        f" → {html.escape(s['payment'])} → {html.escape(', '.join(s['after']) or '-')}</li>"
                        for s in result["sequences"])
    title = f"Timeline of {result['party']}" if result["party"] else "Timeline"
    document = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>"
                "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
                "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px;vertical-align:top}</style></head><body>"
                f"<h1>{html.escape(title)}</h1><p>Times in UTC. Media without an owner are context only.</p>"
                f"<h2>Flagged sequences ({len(result['sequences'])})</h2><ul>{sequences}</ul>"
                "<h2>Events</h2><table><tr><th>time (UTC)</th><th>type</th><th>what</th><th>evidence</th>"
                f"<th>flags</th></tr>{rows}</table></body></html>")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document, encoding="utf-8")
    return out
