"""Network indicators (stage 2): they read who is already flagged by the behaviour rules of stage 1 and look at
the receivers those senders share. Published typologies (AUSTRAC's financial crime guide, FATF 2025) describe
facilitators paid by many unrelated offenders and offenders whose only trace is a few small payments to such a
facilitator; a family remittance goes to a recipient that no unrelated flagged sender pays. One round only: a
party flagged through these rules does not flag others in turn, so every point traces back to stage-1 evidence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from winnow.payments.indicators import counter
from winnow.payments.indicators.base import Hit, RuleContext, evidence


def prepare(ctx: RuleContext) -> None:
    """The temp tables the network rules read (built once per run)."""
    ctx.once("flagged_senders", _build_flagged)


def _build_flagged(ctx: RuleContext) -> None:
    """Temp tables `flagged_senders` (flagged by the stage-1 hits, by the ranking's own sum, and with no
    counter-indicator that stands: a player whose micro-payments explain his night-time transfers is no evidence
    against the sellers he pays; a buyer whose family remittances are set aside by direct evidence is) and
    `net_pay` (the payments, less those to shops and to receivers paid mostly by micro-payers)."""
    countered = ctx.countered("sender")
    ctx.conn.execute("CREATE OR REPLACE TEMP TABLE flagged_senders AS SELECT unnest($1::VARCHAR[]) AS s",
                     [sorted(ctx.flagged("sender") - countered)])
    counter.shops(ctx)
    micro = sorted({h.party for h in ctx.hits if h.rule == "R16"})
    below = float((ctx.params.get("R16") or {}).get("below_eur", 0.0))
    # receivers most of whose payers are micro-payers (R16) and whose own median payment is below a session's
    # price sell something cheap even when no single account of theirs is busy enough to be a shop (a game
    # reseller's fresh wallet): their payers share no behaviour. The receiver's own median keeps a few cheap
    # payers from hiding a facilitator whom buyers pay session prices.
    ctx.conn.execute(
        "CREATE OR REPLACE TEMP TABLE micro_sold AS WITH m AS (SELECT unnest($1::VARCHAR[]) AS s), "
        "per AS (SELECT s, r, count(*) AS n FROM pay GROUP BY s, r), "
        "med AS (SELECT r, median(eur) AS m FROM pay GROUP BY r) "
        "SELECT per.r FROM per JOIN med USING (r) WHERE med.m < $2 GROUP BY per.r "
        "HAVING count(*) FILTER (WHERE per.s IN (SELECT s FROM m)) >= greatest(2, 0.5 * count(*))", [micro, below])
    ctx.conn.execute("CREATE OR REPLACE TEMP TABLE net_pay AS SELECT * FROM pay WHERE r NOT IN (SELECT r FROM shops) "
                     "AND r NOT IN (SELECT r FROM micro_sold)")


def r12(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """A receiver paid by several senders that their own behaviour flags, and they are a fair share of all who
    pay it (a shop or a charity paid by thousands is not a facilitator because a few of its payers are)."""
    conn = ctx.conn
    prepare(ctx)
    rows = conn.execute(
        "WITH per AS (SELECT r, count(DISTINCT s) AS senders, count(DISTINCT s) FILTER (WHERE s IN "
        "(SELECT s FROM flagged_senders)) AS k FROM net_pay GROUP BY r) "
        f"SELECT x.r, per.k, per.senders, {evidence('x.txn_id', 'x.t')}, count(*) FROM net_pay x JOIN per USING (r) "
        "WHERE x.s IN (SELECT s FROM flagged_senders) AND per.k >= $1 AND per.k >= $2 * per.senders "
        "GROUP BY x.r, per.k, per.senders", [p["min_flagged_senders"], p["min_flagged_share"]]).fetchall()
    return [Hit(r, "receiver", "R12", f"paid by {k} senders flagged on their own behaviour ({k} of its {m} senders)",
                ids, n) for r, k, m, ids, n in rows]


def r13(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """A sender who paid receivers that other flagged senders also paid (the sender itself not counted), in the
    way they paid it: at least `min_in_period` of the sender's payments to it lie within `slack_days` of a payment
    a flagged other sender made to it, at a median no more than `max_amount_ratio` times theirs. A relative abroad
    who sends a monthly allowance all year to an account a facilitator also uses for a few weeks shares the
    account, not the behaviour (the family-like remittances of R14 are then not set aside). One pass of window
    sums per receiver finds the nearby flagged payments, so a busy receiver costs a sort, not a cross product."""
    conn = ctx.conn
    prepare(ctx)
    rows = conn.execute(
        "WITH pairs AS (SELECT s, r, count(*) AS n, median(eur) AS med FROM net_pay GROUP BY s, r), "
        "fl AS (SELECT x.* FROM net_pay x JOIN flagged_senders USING (s)), "
        "per_r AS (SELECT r, count(DISTINCT s) AS k, median(eur) AS fmed FROM fl GROUP BY r), "
        "rs AS (SELECT r, count(*) AS senders FROM pairs GROUP BY r), "
        "cand AS (SELECT p.s, p.r, p.n, p.med, per_r.k - (p.s IN (SELECT s FROM flagged_senders))::INT AS others, "
        "per_r.fmed, p.s IN (SELECT s FROM flagged_senders) AS self_flagged FROM pairs p JOIN per_r USING (r) "
        "JOIN rs USING (r) "
        "WHERE per_r.k - (p.s IN (SELECT s FROM flagged_senders))::INT >= greatest($1, $2 * rs.senders)), "
        # the flagged others' median for a flagged sender leaves its own payments out
        "own AS (SELECT c.s, c.r, median(f.eur) AS fmed FROM cand c JOIN fl f ON f.r = c.r AND f.s <> c.s "
        "WHERE c.self_flagged GROUP BY c.s, c.r), "
        "priced AS (SELECT c.s, c.r, c.n, c.others FROM cand c LEFT JOIN own o ON o.s = c.s AND o.r = c.r "
        "WHERE c.med <= $5 * coalesce(o.fmed, c.fmed)), "
        "marked AS (SELECT x.s, x.r, x.t, x.txn_id, (x.s IN (SELECT s FROM flagged_senders))::INT AS f, "
        "(p.s IS NOT NULL) AS mine FROM net_pay x LEFT JOIN priced p ON p.s = x.s AND p.r = x.r "
        "WHERE x.r IN (SELECT r FROM priced)), "
        "near AS (SELECT *, sum(f) OVER (PARTITION BY r ORDER BY t RANGE BETWEEN to_days($3) PRECEDING AND "
        "to_days($3) FOLLOWING) - sum(f) OVER (PARTITION BY r, s ORDER BY t RANGE BETWEEN to_days($3) PRECEDING "
        "AND to_days($3) FOLLOWING) AS others_near FROM marked), "
        "alike AS (SELECT near.s, near.r, p.others FROM near JOIN priced p ON p.s = near.s AND p.r = near.r "
        "WHERE near.mine GROUP BY near.s, near.r, p.n, p.others "
        "HAVING count(*) FILTER (WHERE near.others_near > 0) >= $4 * p.n), "
        "per AS (SELECT s, count(*) AS receivers, max(others) AS most FROM alike GROUP BY s) "
        f"SELECT per.s, per.receivers, per.most, {evidence('net_pay.txn_id', 'net_pay.t')}, count(*) FROM per "
        "JOIN alike USING (s) JOIN net_pay ON net_pay.s = alike.s AND net_pay.r = alike.r "
        "GROUP BY per.s, per.receivers, per.most",
        [p["min_flagged_senders"], p["min_flagged_share"], int(p["slack_days"]), float(p["min_in_period"]),
         float(p["max_amount_ratio"])]).fetchall()
    return [Hit(s, "sender", "R13", f"paid {k} recipient{'s' if k > 1 else ''} also paid by up to {most} other "
                "flagged senders, at their prices and within days of their payments", ids, n)
            for s, k, most, ids, n in rows]
