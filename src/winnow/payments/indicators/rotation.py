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
    """A receiver paid, domestically or not, by a receiver that R12 finds paid by flagged senders: a collector
    passing the money on. Only onward payments made after the collector's first payment from a flagged sender
    count, and never to a payee that many other unflagged senders pay (a utility, a shop, a school): on all
    payments (`keyed`), since onward transfers stay in-country."""
    conn = ctx.conn
    from winnow.payments.indicators import network

    network.prepare(ctx)
    collectors = sorted({h.party for h in ctx.hits if h.rule == "R12"})
    if not collectors:
        return []
    conn.execute("CREATE OR REPLACE TEMP TABLE collectors AS SELECT unnest($1::VARCHAR[]) AS c", [collectors])
    rows = conn.execute(
        "WITH since AS (SELECT x.r AS c, min(x.t) AS t0 FROM net_pay x JOIN flagged_senders f USING (s) "
        "JOIN collectors ON collectors.c = x.r GROUP BY x.r), "
        "onward AS (SELECT k.r, k.s, k.txn_id, k.time_utc AS t, k.amount_eur AS eur FROM keyed k "
        "JOIN since ON since.c = k.s WHERE k.time_utc >= since.t0 AND k.r <> k.s "
        "AND k.r NOT IN (SELECT c FROM collectors)), "
        "busy AS (SELECT k.r FROM keyed k WHERE k.r IN (SELECT r FROM onward) "
        "AND k.s NOT IN (SELECT c FROM collectors) AND k.s NOT IN (SELECT s FROM flagged_senders) "
        "GROUP BY k.r HAVING count(DISTINCT k.s) >= $2) "
        f"SELECT r, count(DISTINCT s), round(sum(eur), 2), {evidence('txn_id', 't')}, count(*) FROM onward "
        "WHERE r NOT IN (SELECT r FROM busy) GROUP BY r HAVING count(*) >= $1",
        [int(p["min_payments"]), int(p["max_other_senders"])]).fetchall()
    return [Hit(r, "receiver", "R18", f"received {n} onward payments ({eur:g} EUR) from {k} receiver"
                f"{'s' if k > 1 else ''} that flagged senders pay (R12), after that money arrived", ids, n)
            for r, k, eur, ids, n in rows]


def r19(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """Receiver B takes over receiver A: at least `min_movers` senders (each with at most `max_recipients`
    recipients: not a payroll or a remittance firm) whose last payment to A is followed within `max_gap_days` by
    their first to B; they are at least `min_mover_share` of A's payers active in its last `active_days`; and A
    goes quiet — nobody pays it later than `quiet_days` after the last of them moved. Two facilitators that buyers
    both keep paying are not one (A never goes quiet); nor are a facilitator and its collector. Shops are left
    out (their customers change shops)."""
    from winnow.payments.indicators import network

    conn = ctx.conn
    network.prepare(ctx)
    rows = conn.execute(
        "WITH sr AS (SELECT s, r, min(t) AS first_t, max(t) AS last_t FROM net_pay GROUP BY s, r), "
        "few AS (SELECT s FROM sr GROUP BY s HAVING count(*) <= $3), "
        "rl AS (SELECT r, max(last_t) AS last_any FROM sr GROUP BY r), "
        "active AS (SELECT sr.r, count(*) AS n FROM sr JOIN rl USING (r) "
        "WHERE sr.last_t >= rl.last_any - to_days($5) GROUP BY sr.r), "
        "moves AS (SELECT a.r AS ra, b.r AS rb, a.s, b.first_t FROM sr a JOIN sr b ON a.s = b.s AND a.r <> b.r "
        "AND b.first_t > a.last_t AND b.first_t <= a.last_t + to_days($2) WHERE a.s IN (SELECT s FROM few)), "
        "links AS (SELECT ra, rb, list(DISTINCT s ORDER BY s) AS movers, max(first_t) AS moved FROM moves "
        "GROUP BY ra, rb HAVING count(DISTINCT s) >= $1), "
        "ok AS (SELECT l.ra, l.rb, l.movers FROM links l JOIN rl ON rl.r = l.ra JOIN active ON active.r = l.ra "
        "WHERE rl.last_any <= l.moved + to_days($4) AND len(l.movers) >= $6 * active.n), "
        "mv AS (SELECT ra, rb, unnest(movers) AS s FROM ok), "
        "ev AS (SELECT mv.ra, mv.rb, x.txn_id, x.t FROM mv JOIN net_pay x ON x.s = mv.s AND x.r = mv.ra "
        "UNION ALL SELECT mv.ra, mv.rb, x.txn_id, x.t FROM mv JOIN net_pay x ON x.s = mv.s AND x.r = mv.rb) "
        f"SELECT ok.ra, ok.rb, len(ok.movers), {evidence('ev.txn_id', 'ev.t')}, count(*) FROM ok "
        "JOIN ev ON ev.ra = ok.ra AND ev.rb = ok.rb GROUP BY ok.ra, ok.rb, ok.movers ORDER BY ok.ra, ok.rb",
        [int(p["min_movers"]), int(p["max_gap_days"]), int(p["max_recipients"]), int(p["quiet_days"]),
         int(p["active_days"]), float(p["min_mover_share"])]).fetchall()
    hits: list[Hit] = []
    for ra, rb, k, ids, n in rows:
        hits.append(Hit(rb, "receiver", "R19", f"{k} senders moved to it from {_short(ra)}, which then went quiet "
                        "(a rotating account?)", ids, n, linked=[ra]))
        hits.append(Hit(ra, "receiver", "R19", f"{k} of its senders moved on to {_short(rb)}, and it went quiet "
                        "(a rotating account?)", ids, n, linked=[rb]))
    return hits


def _short(party: str) -> str:
    return party.split(":", 1)[1] if party.startswith(("account:", "iban:", "phone:", "wallet:")) else party
