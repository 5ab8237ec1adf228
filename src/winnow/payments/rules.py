"""Indicators over the transactions table, each a rule with an id, parameters (ruleset YAML), an explanation and
the evidence transaction ids. Senders are possible buyers (R1-R4, R6-R8); receivers possible facilitators (R5).
Parties are keyed by their strongest identifier (account, IBAN, phone or wallet; name and country last)."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from winnow.payments.entities import Entities, build


def _side_id(side: str) -> str:
    return (f"CASE WHEN {side}_account IS NOT NULL THEN 'account:' || {side}_account "
            f"WHEN {side}_iban IS NOT NULL THEN 'iban:' || {side}_iban "
            f"WHEN {side}_phone IS NOT NULL THEN 'phone:' || {side}_phone "
            f"WHEN {side}_wallet IS NOT NULL THEN 'wallet:' || {side}_wallet END")


# a party is its entity (parties sharing an identifier are merged, see entities.py); name and country only
# when a side carries no identifier at all
SENDER_KEY = (f"coalesce((SELECT entity FROM entity_map WHERE identifier = {_side_id('sender')}), "
              "'name:' || coalesce(sender_name, '') || '|' || coalesce(sender_country, ''))")
RECEIVER_KEY = (f"coalesce((SELECT entity FROM entity_map WHERE identifier = {_side_id('receiver')}), "
                "'name:' || coalesce(receiver_name, '') || '|' || coalesce(receiver_country, ''))")


@dataclass
class Hit:
    party: str
    role: str  # sender | receiver
    rule: str
    explanation: str
    evidence: list[str] = field(default_factory=list)


def load_ruleset(path: Path | None = None) -> dict[str, Any]:
    import yaml

    text = path.read_text(encoding="utf-8") if path else \
        resources.files("winnow.payments").joinpath("presets/ruleset.yaml").read_text(encoding="utf-8")
    ruleset = yaml.safe_load(text)
    if not isinstance(ruleset, dict) or "rules" not in ruleset:
        raise ValueError("a ruleset needs a 'rules' section (see the shipped default)")
    return ruleset


def _payments(conn: Any, high_risk: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Cross-border payments to high-risk countries, per sender, in time order."""
    rows = conn.execute(
        f"SELECT {SENDER_KEY} AS s, {RECEIVER_KEY} AS r, txn_id, time_utc, sender_local_time, amount, amount_eur, "
        "reference, sender_name, receiver_name, receiver_address, sender_country, receiver_country "
        "FROM transactions WHERE receiver_country IN (SELECT unnest(?)) "
        "AND coalesce(sender_country, '') <> coalesce(receiver_country, '') ORDER BY s, time_utc",
        [high_risk]).fetchall()
    names = ("s", "r", "txn_id", "time", "local", "amount", "eur", "reference", "sender_name", "receiver_name",
             "receiver_address", "sender_country", "receiver_country")
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        item = dict(zip(names, row, strict=True))
        out[item["s"]].append(item)
    return out


def _surname(name: str | None) -> str | None:
    return name.split()[-1] if name else None


def register_entities(conn: Any) -> Entities:
    entities = build(conn)
    identifiers = list(entities.parent)
    roots = [entities.find(identifier) for identifier in identifiers]
    # one statement with two list parameters (row-by-row executemany is ~100x slower in DuckDB)
    conn.execute("CREATE OR REPLACE TEMP TABLE entity_map AS SELECT unnest(?::VARCHAR[]) AS identifier, "
                 "unnest(?::VARCHAR[]) AS entity", [identifiers, roots])
    return entities


def _proximity(conn: Any, params: dict[str, Any], seeds: list[str]) -> list[Hit]:
    """R9: parties within `max_hops` of an entity holding a seed identifier (a known facilitator)."""
    from collections import deque

    seed_entities = set()
    for seed in seeds:
        row = conn.execute("SELECT entity FROM entity_map WHERE identifier LIKE '%:' || ?", [seed]).fetchone()
        if row:
            seed_entities.add(row[0])
    if not seed_entities:
        return []
    graph: dict[str, set[str]] = defaultdict(set)
    roles: dict[str, str] = {}
    for s, r in conn.execute(f"SELECT DISTINCT {SENDER_KEY}, {RECEIVER_KEY} FROM transactions").fetchall():
        graph[s].add(r)
        graph[r].add(s)
        roles.setdefault(s, "sender")
        roles.setdefault(r, "receiver")
    hops = {e: 0 for e in seed_entities}
    queue = deque(seed_entities)
    while queue:
        node = queue.popleft()
        if hops[node] >= params["max_hops"]:
            continue
        for other in graph.get(node, ()):
            if other not in hops:
                hops[other] = hops[node] + 1
                queue.append(other)
    return [Hit(party, roles.get(party, "sender"), "R9", f"{distance} hop(s) from a known facilitator identifier",
                []) for party, distance in hops.items() if distance > 0]


def _evidence_match(conn: Any) -> list[Hit]:
    """R10: a transaction whose party identifier (phone, account, IBAN, wallet) or reference number (e.g. a
    transfer control number) was also found in case evidence."""
    rows = conn.execute(
        f"SELECT {SENDER_KEY}, {RECEIVER_KEY}, t.txn_id, e.identifier, e.kind, e.source, "
        "CASE WHEN e.identifier IN (t.sender_phone, t.sender_account, t.sender_iban, t.sender_wallet) THEN 'sender' "
        "ELSE 'receiver' END FROM transactions t JOIN evidence_identifiers e ON e.identifier IN "
        "(t.sender_phone, t.sender_account, t.sender_iban, t.sender_wallet, t.receiver_phone, t.receiver_account, "
        "t.receiver_iban, t.receiver_wallet, t.txn_id)").fetchall()
    found: dict[tuple[str, str], Hit] = {}
    for s, r, txn, identifier, kind, source, side in rows:
        party = s if side == "sender" else r
        hit = found.setdefault((party, side), Hit(party, side, "R10", "", []))
        hit.evidence.append(txn)
        note = f"{kind} {identifier} seen in {source}"
        if note not in hit.explanation:
            hit.explanation = f"{hit.explanation}; {note}" if hit.explanation else f"evidence match: {note}"
    return list(found.values())


def _crypto(conn: Any, params: dict[str, Any]) -> list[Hit]:
    """R11: repeated small crypto payments to listed addresses."""
    addresses = [a.strip() for a in params.get("addresses", []) if a and a.strip()]
    if not addresses:
        return []
    rows = conn.execute(
        f"SELECT {SENDER_KEY} AS s, list(txn_id), count(*) FROM transactions WHERE channel = 'crypto' "
        "AND amount_eur <= ? AND (receiver_wallet IN (SELECT unnest(?)) OR receiver_account IN (SELECT unnest(?))) "
        "GROUP BY s HAVING count(*) >= ?",
        [params["max_eur"], addresses, addresses, params["min_payments"]]).fetchall()
    return [Hit(s, "sender", "R11", f"{n} crypto payments of at most {params['max_eur']} EUR to listed addresses",
                list(ids)) for s, ids, n in rows]


def evaluate(conn: Any, ruleset: dict[str, Any], seeds: list[str] | None = None) -> list[Hit]:
    high_risk = [c.upper() for c in ruleset.get("high_risk_countries", [])]
    rules = ruleset["rules"]
    hits: list[Hit] = []
    for sender, pays in _payments(conn, high_risk).items():
        ids = [p["txn_id"] for p in pays]
        if "R1" in rules:
            p1 = rules["R1"]
            low = [p for p in pays if p["eur"] <= p1["max_eur"]]
            if len(low) >= p1["min_payments"]:
                hits.append(Hit(sender, "sender", "R1", f"{len(low)} cross-border transfers of at most "
                                f"{p1['max_eur']} EUR to high-risk countries", [p["txn_id"] for p in low]))
        if "R2" in rules and len(pays) >= rules["R2"]["min_payments"]:
            p2 = rules["R2"]
            rounds = [p for p in pays if abs(p["amount"] / p2["multiple_of"] - round(p["amount"] / p2["multiple_of"]))
                      < 1e-9]
            if len(rounds) / len(pays) >= p2["min_share"]:
                hits.append(Hit(sender, "sender", "R2", f"{len(rounds)} of {len(pays)} transfers are round amounts "
                                f"(multiples of {p2['multiple_of']})", [p["txn_id"] for p in rounds]))
        if "R3" in rules and len(pays) >= rules["R3"]["min_payments"]:
            p3 = rules["R3"]
            median_eur = statistics.median(p["eur"] for p in pays)
            gaps = [(b["time"] - a["time"]).total_seconds() / 86400 for a, b in zip(pays, pays[1:], strict=False)]
            median_gap = statistics.median(gaps) if gaps else 1e9
            if median_eur <= p3["max_median_eur"] and median_gap <= p3["max_median_gap_days"]:
                hits.append(Hit(sender, "sender", "R3", f"{len(pays)} transfers, median {median_eur:.0f} EUR every "
                                f"{median_gap:.1f} days (prolific cadence)", ids))
        if "R4" in rules:
            p4 = rules["R4"]
            window = timedelta(days=p4["window_days"])
            family = _surname(pays[0]["sender_name"])
            unrelated = [p for p in pays if _surname(p["receiver_name"]) != family]
            best: list[dict[str, Any]] = []
            for i, first in enumerate(unrelated):
                inside = [p for p in unrelated[i:] if p["time"] - first["time"] <= window]
                recipients = {p["r"] for p in inside}
                addresses = {p["receiver_address"] for p in inside if p["receiver_address"]}
                surnames = {_surname(p["receiver_name"]) for p in inside}
                distinct = min(len(recipients), len(surnames) if surnames else len(recipients),
                               len(addresses) if addresses else len(recipients))
                if distinct >= p4["min_recipients"] and len(inside) > len(best):
                    best = inside
            if best:
                hits.append(Hit(sender, "sender", "R4", f"{len({p['r'] for p in best})} unrelated recipients in "
                                f"high-risk countries within {p4['window_days']} days (fan-out)",
                                [p["txn_id"] for p in best]))
        if "R6" in rules and len(pays) >= rules["R6"]["min_payments"]:
            p6 = rules["R6"]
            night = [p for p in pays if p["local"] is not None and (p["local"].hour >= p6["night_from"]
                                                                    or p["local"].hour < p6["night_to"])]
            if len(night) / len(pays) >= p6["min_share"]:
                hits.append(Hit(sender, "sender", "R6", f"{len(night)} of {len(pays)} transfers between "
                                f"{p6['night_from']}:00 and {p6['night_to']}:00 sender local time",
                                [p["txn_id"] for p in night]))
        if "R7" in rules:
            p7 = rules["R7"]
            pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in p7["terms"]) + r")\b", re.IGNORECASE)
            flagged = [p for p in pays if p["reference"] and pattern.search(p["reference"])]
            if len(flagged) >= p7["min_payments"]:
                found = sorted({pattern.search(p["reference"]).group(1).lower() for p in flagged})  # type: ignore[union-attr]
                hits.append(Hit(sender, "sender", "R7", f"references with cover narratives or handles: "
                                f"{', '.join(found)}", [p["txn_id"] for p in flagged]))
        if "R8" in rules and len(pays) >= rules["R8"]["min_payments"]:
            p8 = rules["R8"]
            n = p8["windows"]
            span = (pays[-1]["time"] - pays[0]["time"]).total_seconds() or 1.0
            buckets: list[list[dict[str, Any]]] = [[] for _ in range(n)]
            for p in pays:
                k = min(n - 1, int((p["time"] - pays[0]["time"]).total_seconds() / span * n))
                buckets[k].append(p)
            counts = [len(b) for b in buckets]
            medians = [statistics.median(p["eur"] for p in b) if b else 0.0 for b in buckets]
            if all(b for b in buckets) and counts == sorted(counts) and counts[-1] > counts[0] \
                    and medians == sorted(medians) and medians[-1] > medians[0]:
                hits.append(Hit(sender, "sender", "R8", f"frequency {counts} and median amount "
                                f"{[round(m) for m in medians]} EUR rising over {n} windows", ids))
    if "R5" in rules:
        hits.extend(_fan_in(conn, rules["R5"], high_risk))
    if "R9" in rules and seeds:
        hits.extend(_proximity(conn, rules["R9"], seeds))
    if "R10" in rules:
        hits.extend(_evidence_match(conn))
    if "R11" in rules:
        hits.extend(_crypto(conn, rules["R11"]))
    return hits


def _fan_in(conn: Any, p5: dict[str, Any], high_risk: list[str]) -> list[Hit]:
    rows = conn.execute(
        f"SELECT {RECEIVER_KEY} AS r, {SENDER_KEY} AS s, txn_id, time_utc FROM transactions "
        "WHERE receiver_country IN (SELECT unnest(?)) AND coalesce(sender_country, '') <> "
        "coalesce(receiver_country, '') ORDER BY r, time_utc", [high_risk]).fetchall()
    by_receiver: dict[str, list[tuple[str, str, Any]]] = defaultdict(list)
    for r, s, txn, t in rows:
        by_receiver[r].append((s, txn, t))
    window = timedelta(days=p5["window_days"])
    hits = []
    for receiver, pays in by_receiver.items():
        best: list[tuple[str, str, Any]] = []
        for i, first in enumerate(pays):
            inside = [p for p in pays[i:] if p[2] - first[2] <= window]
            if len({p[0] for p in inside}) >= p5["min_senders"] and len(inside) > len(best):
                best = inside
        if best:
            hits.append(Hit(receiver, "receiver", "R5", f"paid by {len({p[0] for p in best})} distinct foreign "
                            f"senders within {p5['window_days']} days (fan-in)", [p[1] for p in best]))
    return hits
