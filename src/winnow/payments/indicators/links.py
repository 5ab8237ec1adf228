"""Indicators from outside the payment pattern: proximity to a known facilitator (R9), identifiers also found in
case evidence (R10), small crypto payments to investigated addresses (R11)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from winnow.payments import entities
from winnow.payments.indicators.base import Hit, RuleContext, evidence


def r9(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """Proximity: parties within `max_hops` of an entity holding a seed identifier (a known facilitator), over
    the who-paid-whom graph; the evidence is the transactions of the hop that reached the party."""
    conn = ctx.conn
    if not ctx.seeds:
        return []
    conn.execute("CREATE OR REPLACE TEMP TABLE seed_entities AS SELECT DISTINCT m.entity AS party FROM entity_map m "
                 "JOIN (SELECT unnest($1::VARCHAR[]) AS seed) ON m.identifier LIKE '%:' || seed", [ctx.seeds])
    conn.execute("CREATE OR REPLACE TEMP TABLE edges AS SELECT s, r, min(txn_id) AS txn FROM keyed GROUP BY s, r")
    conn.execute("CREATE OR REPLACE TEMP TABLE reached AS SELECT party, 0 AS hops, NULL::VARCHAR AS txn, "
                 "NULL::VARCHAR AS role FROM seed_entities")
    for hop in range(1, int(p["max_hops"]) + 1):
        conn.execute(
            "INSERT INTO reached SELECT party, $1, min(txn), min(role) FROM ("
            "SELECT e.r AS party, e.txn, 'receiver' AS role FROM edges e JOIN reached x ON x.party = e.s "
            "WHERE x.hops = $1 - 1 UNION ALL "
            "SELECT e.s, e.txn, 'sender' FROM edges e JOIN reached x ON x.party = e.r WHERE x.hops = $1 - 1) "
            "WHERE party NOT IN (SELECT party FROM reached) GROUP BY party", [hop])
    rows = conn.execute("SELECT party, role, hops, txn FROM reached WHERE hops > 0").fetchall()
    return [Hit(party, role, "R9", f"{hops} hop(s) from a known facilitator identifier", [txn])
            for party, role, hops, txn in rows]


def r10(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """Evidence match: a transaction whose party identifier (phone, account, IBAN, wallet) or reference number
    (e.g. a transfer control number) was also found in case evidence."""
    conn = ctx.conn
    joins = []
    for side, party in (("sender", "s"), ("receiver", "r")):
        for kind in entities.KINDS:
            joins.append(f"SELECT k.{party} AS party, '{side}' AS role, k.txn_id, k.time_utc AS t, e.identifier, "
                         f"e.kind, e.source FROM keyed k JOIN evidence_identifiers e ON e.identifier = k.{side}_{kind}")
    joins.append("SELECT k.r, 'receiver', k.txn_id, k.time_utc, e.identifier, e.kind, e.source FROM keyed k "
                 "JOIN evidence_identifiers e ON e.identifier = k.txn_id")
    rows = conn.execute(
        f"SELECT party, role, {evidence('DISTINCT txn_id', 'txn_id')}, count(DISTINCT txn_id), "
        "list_sort(list_distinct(list(kind || ' ' || identifier || ' seen in ' || source))) "
        f"FROM ({' UNION ALL '.join(joins)}) GROUP BY party, role").fetchall()
    return [Hit(party, role, "R10", "evidence match: " + "; ".join(notes), ids, n)
            for party, role, ids, n, notes in rows]


def r11(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """Repeated small crypto payments to listed addresses."""
    conn = ctx.conn
    addresses = [a.strip() for a in p.get("addresses") or [] if a and a.strip()]
    if not addresses:
        return []
    rows = conn.execute(
        f"SELECT s, {evidence('txn_id', 'time_utc')}, count(*) FROM keyed WHERE channel = 'crypto' "
        "AND amount_eur <= $1 AND (receiver_wallet IN (SELECT unnest($2::VARCHAR[])) "
        "OR receiver_account IN (SELECT unnest($2::VARCHAR[]))) GROUP BY s HAVING count(*) >= $3",
        [p["max_eur"], addresses, p["min_payments"]]).fetchall()
    return [Hit(s, "sender", "R11", f"{n} crypto payments of at most {p['max_eur']} EUR to listed addresses", ids, n)
            for s, ids, n in rows]
