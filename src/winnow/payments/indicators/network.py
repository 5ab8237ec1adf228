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
    # receivers most of whose payers are micro-payers (R16) sell something cheap even when no single account of
    # theirs is busy enough to be a shop (a game reseller's fresh wallet): their payers share no behaviour
    ctx.conn.execute(
        "CREATE OR REPLACE TEMP TABLE micro_sold AS WITH m AS (SELECT unnest($1::VARCHAR[]) AS s) "
        "SELECT r FROM (SELECT DISTINCT s, r FROM pay) GROUP BY r "
        "HAVING count(*) FILTER (WHERE s IN (SELECT s FROM m)) >= greatest(2, 0.5 * count(*))", [micro])
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
    way they paid it: most of the sender's payments to it fall in the period the flagged others paid it (± the
    slack), at a median no more than `max_amount_ratio` times theirs. A relative abroad who sends a monthly
    allowance all year to someone whose account a facilitator also uses for a few weeks shares the account, not
    the behaviour (the family-like remittances of R14 are then not set aside)."""
    conn = ctx.conn
    prepare(ctx)
    rows = conn.execute(
        "WITH pairs AS (SELECT s, r, count(*) AS n, median(eur) AS med FROM net_pay GROUP BY s, r), "
        "fp AS (SELECT p.s, p.r FROM pairs p JOIN flagged_senders f USING (s)), "
        "rs AS (SELECT r, count(*) AS senders FROM pairs GROUP BY r), "
        # for each (sender, receiver): the flagged senders other than this sender who pay the receiver, their
        # period and their median amount there
        "shared AS (SELECT a.s, a.r, a.n, a.med, count(DISTINCT b.s) AS others FROM pairs a JOIN fp b ON b.r = a.r "
        "AND b.s <> a.s JOIN rs ON rs.r = a.r GROUP BY a.s, a.r, a.n, a.med, rs.senders "
        "HAVING count(DISTINCT b.s) >= $1 AND count(DISTINCT b.s) >= $2 * rs.senders), "
        "way AS (SELECT sh.s, sh.r, min(x.t) AS t0, max(x.t) AS t1, median(x.eur) AS med FROM shared sh "
        "JOIN net_pay x ON x.r = sh.r AND x.s <> sh.s AND x.s IN (SELECT s FROM flagged_senders) "
        "GROUP BY sh.s, sh.r), "
        "alike AS (SELECT sh.s, sh.r, sh.others FROM shared sh JOIN way w ON w.s = sh.s AND w.r = sh.r "
        "JOIN net_pay y ON y.s = sh.s AND y.r = sh.r GROUP BY sh.s, sh.r, sh.others, sh.n, sh.med, w.med, w.t0, w.t1 "
        "HAVING count(*) FILTER (WHERE y.t BETWEEN w.t0 - to_days($3) AND w.t1 + to_days($3)) "
        ">= $4 * sh.n AND sh.med <= $5 * w.med), "
        "per AS (SELECT s, count(*) AS receivers, max(others) AS most FROM alike GROUP BY s) "
        f"SELECT per.s, per.receivers, per.most, {evidence('net_pay.txn_id', 'net_pay.t')}, count(*) FROM per "
        "JOIN alike USING (s) JOIN net_pay ON net_pay.s = alike.s AND net_pay.r = alike.r "
        "GROUP BY per.s, per.receivers, per.most",
        [p["min_flagged_senders"], p["min_flagged_share"], int(p.get("slack_days", 14)),
         float(p.get("min_in_period", 0.5)), float(p.get("max_amount_ratio", 2.5))]).fetchall()
    return [Hit(s, "sender", "R13", f"paid {k} recipient{'s' if k > 1 else ''} also paid by up to {most} other "
                "flagged senders, at their prices and in the weeks they paid", ids, n)
            for s, k, most, ids, n in rows]
