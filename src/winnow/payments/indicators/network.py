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


def _flagged_table(ctx: RuleContext) -> None:
    ctx.once("flagged_senders", _build_flagged)


def _build_flagged(ctx: RuleContext) -> None:
    """Temp tables `flagged_senders` (by the stage-1 hits) and `net_pay` (the payments, less those to shops)."""
    ctx.conn.execute("CREATE OR REPLACE TEMP TABLE flagged_senders AS SELECT unnest($1::VARCHAR[]) AS s",
                     [sorted(ctx.flagged("sender"))])
    counter.shops(ctx)
    ctx.conn.execute("CREATE OR REPLACE TEMP TABLE net_pay AS SELECT * FROM pay WHERE r NOT IN (SELECT r FROM shops)")


def r12(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """A receiver paid by several senders that their own behaviour flags, and they are a fair share of all who
    pay it (a shop or a charity paid by thousands is not a facilitator because a few of its payers are)."""
    conn = ctx.conn
    _flagged_table(ctx)
    rows = conn.execute(
        "WITH per AS (SELECT r, count(DISTINCT s) AS senders, count(DISTINCT s) FILTER (WHERE s IN "
        "(SELECT s FROM flagged_senders)) AS k FROM net_pay GROUP BY r) "
        f"SELECT x.r, per.k, per.senders, {evidence('x.txn_id', 'x.t')}, count(*) FROM net_pay x JOIN per USING (r) "
        "WHERE x.s IN (SELECT s FROM flagged_senders) AND per.k >= $1 AND per.k >= $2 * per.senders "
        "GROUP BY x.r, per.k, per.senders", [p["min_flagged_senders"], p["min_flagged_share"]]).fetchall()
    return [Hit(r, "receiver", "R12", f"paid by {k} senders flagged on their own behaviour ({k} of its {m} senders)",
                ids, n) for r, k, m, ids, n in rows]


def r13(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """A sender who paid receivers that other flagged senders also paid (the sender itself not counted)."""
    conn = ctx.conn
    _flagged_table(ctx)
    rows = conn.execute(
        "WITH pairs AS (SELECT DISTINCT s, r FROM net_pay), "
        "fp AS (SELECT DISTINCT p.s, p.r FROM pairs p JOIN flagged_senders f USING (s)), "
        # for each (sender, receiver): how many flagged senders other than this sender pay the receiver
        "rs AS (SELECT r, count(*) AS senders FROM pairs GROUP BY r), "
        "shared AS (SELECT a.s, a.r, count(DISTINCT b.s) AS others FROM pairs a JOIN fp b ON b.r = a.r "
        "AND b.s <> a.s JOIN rs ON rs.r = a.r GROUP BY a.s, a.r, rs.senders "
        "HAVING count(DISTINCT b.s) >= $1 AND count(DISTINCT b.s) >= $2 * rs.senders), "
        "per AS (SELECT s, count(*) AS receivers, max(others) AS most FROM shared GROUP BY s) "
        f"SELECT per.s, per.receivers, per.most, {evidence('net_pay.txn_id', 'net_pay.t')}, count(*) FROM per "
        "JOIN shared USING (s) JOIN net_pay ON net_pay.s = shared.s AND net_pay.r = shared.r "
        "GROUP BY per.s, per.receivers, per.most", [p["min_flagged_senders"], p["min_flagged_share"]]).fetchall()
    return [Hit(s, "sender", "R13", f"paid {k} recipient{'s' if k > 1 else ''} also paid by up to {most} other "
                "flagged senders", ids, n) for s, k, most, ids, n in rows]
