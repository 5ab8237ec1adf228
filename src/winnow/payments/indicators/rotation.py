"""Facilitators change accounts: a new SIM and e-wallet in a relative's name, a name recorded differently, a paid
account holder (AUSTRAC's and AMLC's typologies of rotating receiving accounts and money mules). Nothing in the
identifiers ties the old account to the new one, but the payments do: the same senders stop paying one receiver
and start paying another within days (R19), and collectors pass on what flagged senders paid them (R18).

R19 hits carry the receivers they tie (`Hit.linked`): the ranking shows a chain of successive accounts as one row
with every account it holds, so a facilitator's five accounts take one place in the ranking, not five."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from winnow.payments.indicators.base import Hit, RuleContext, evidence


def r18(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """A receiver paid, domestically or not, by a party that is itself a receiver paid by flagged senders (R12):
    a collector forwarding the money. Counted on all payments (`keyed`), since onward transfers stay in-country."""
    conn = ctx.conn
    collectors = sorted({h.party for h in ctx.hits if h.rule == "R12"})
    if not collectors:
        return []
    conn.execute("CREATE OR REPLACE TEMP TABLE collectors AS SELECT unnest($1::VARCHAR[]) AS c", [collectors])
    rows = conn.execute(
        "WITH onward AS (SELECT k.r, k.s, k.txn_id, k.time_utc AS t, k.amount_eur AS eur FROM keyed k "
        "JOIN collectors c ON c.c = k.s WHERE k.r <> k.s AND k.r NOT IN (SELECT c FROM collectors)) "
        f"SELECT r, count(DISTINCT s), round(sum(eur), 2), {evidence('txn_id', 't')}, count(*) FROM onward "
        "GROUP BY r HAVING count(*) >= $1", [int(p["min_payments"])]).fetchall()
    return [Hit(r, "receiver", "R18", f"received {n} onward payments ({eur:g} EUR) from {k} collector"
                f"{'s' if k > 1 else ''} that flagged senders pay (R12)", ids, n) for r, k, eur, ids, n in rows]


def r19(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """Receivers that take over each other's payers: at least `min_movers` senders whose last payment to receiver A
    is followed within `max_gap_days` by their first payment to receiver B. Shops are left out (their customers
    change shops), and so are senders with more than `max_recipients` recipients (a payroll, a remittance firm)."""
    from winnow.payments.indicators import network

    conn = ctx.conn
    network.prepare(ctx)
    rows = conn.execute(
        "WITH sr AS (SELECT s, r, min(t) AS first_t, max(t) AS last_t FROM net_pay GROUP BY s, r), "
        "few AS (SELECT s FROM sr GROUP BY s HAVING count(*) <= $3), "
        "moves AS (SELECT a.r AS ra, b.r AS rb, a.s FROM sr a JOIN sr b ON a.s = b.s AND a.r <> b.r "
        "AND b.first_t > a.last_t AND b.first_t <= a.last_t + to_days($2) WHERE a.s IN (SELECT s FROM few)), "
        "links AS (SELECT ra, rb, list(DISTINCT s ORDER BY s) AS movers FROM moves GROUP BY ra, rb "
        "HAVING count(DISTINCT s) >= $1) "
        f"SELECT l.ra, l.rb, len(l.movers), {evidence('x.txn_id', 'x.t')}, count(*) FROM links l "
        "JOIN net_pay x ON (x.r = l.ra OR x.r = l.rb) AND list_contains(l.movers, x.s) GROUP BY l.ra, l.rb, l.movers "
        "ORDER BY l.ra, l.rb", [int(p["min_movers"]), int(p["max_gap_days"]), int(p["max_recipients"])]).fetchall()
    hits: list[Hit] = []
    for ra, rb, k, ids, n in rows:
        hits.append(Hit(rb, "receiver", "R19", f"{k} senders moved to it from {_short(ra)} (a rotating account?)",
                        ids, n, linked=[ra]))
        hits.append(Hit(ra, "receiver", "R19", f"{k} of its senders moved on to {_short(rb)} (a rotating account?)",
                        ids, n, linked=[rb]))
    return hits


def _short(party: str) -> str:
    return party.split(":", 1)[1] if party.startswith(("account:", "iban:", "phone:", "wallet:")) else party
