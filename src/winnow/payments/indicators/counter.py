"""Counter-indicators: behaviour that published typologies and AML practice (AMLC's remittance studies, FINTRAC's
guidance on ordinary remittance corridors) describe as the ordinary use of the same corridors. They subtract
points with their own explanation, so an investigator sees both sides; they never flag anyone.

R14, family remittances: a long, regular history of transfers to one or two recipients whom no other unrelated
sender pays (the household at home). A facilitator is paid by many senders, so a buyer's recipient is seldom
exclusive. R15, payroll: several recipients, each paid about monthly a stable amount over months (virtual
assistants, freelancers), the opposite of a buyer's irregular small payments to rotating recipients. R16,
micro-payments: a median transfer below the price of a live session in published cases (15–50 EUR; AIC, AUSTRAC),
the amounts of online-game top-ups and mobile load."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from winnow.payments.indicators.base import Hit, RuleContext, evidence


def r14(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """Most transfers go to the sender's few main recipients (its `max_recipients` most paid), each paid by no more
    than `max_senders_per_recipient` senders; an occasional payment elsewhere (a godchild's birthday, a relative's
    new number) does not undo the pattern."""
    conn = ctx.conn
    rows = conn.execute(
        "WITH rs AS (SELECT r, count(DISTINCT s) AS senders FROM pay GROUP BY r), "
        "sr AS (SELECT s, r, count(*) AS n, row_number() OVER (PARTITION BY s ORDER BY count(*) DESC, r) AS k "
        "FROM pay GROUP BY s, r), "
        "fam AS (SELECT sr.s, coalesce(sum(sr.n) FILTER (WHERE sr.k <= $4 AND rs.senders <= $1), 0) AS kn, "
        "count(*) FILTER (WHERE sr.k <= $4 AND rs.senders <= $1) AS nr FROM sr JOIN rs USING (r) GROUP BY sr.s), "
        "g AS (SELECT s, t, txn_id, epoch(t - lag(t) OVER (PARTITION BY s ORDER BY t)) / 86400.0 AS gap FROM pay), "
        "agg AS (SELECT s, count(*) AS n, epoch(max(t) - min(t)) / 86400.0 AS span, "
        f"coalesce(stddev_samp(gap) / nullif(avg(gap), 0), 0) AS cv, {evidence()} AS ids FROM g GROUP BY s) "
        "SELECT agg.s, agg.n, fam.kn, fam.nr, agg.span, agg.cv, agg.ids FROM agg JOIN fam USING (s) "
        "WHERE agg.n >= $2 AND fam.kn >= $3 * agg.n AND agg.span >= $5 AND agg.cv <= $6",
        [p["max_senders_per_recipient"], p["min_payments"], p["min_share"], p["max_recipients"], p["min_days"],
         p["max_gap_variation"]]).fetchall()
    return [Hit(s, "sender", "R14", f"family-like: {n} transfers over {span:.0f} days, {kn} of them to {nr} "
                f"recipient{'s' if nr > 1 else ''} whom no unrelated sender pays, at regular intervals (gap "
                f"variation {cv:.2f})", list(ids), n) for s, n, kn, nr, span, cv, ids in rows]


def r15(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    conn = ctx.conn
    rows = conn.execute(
        "WITH g AS (SELECT s, r, t, txn_id, eur, epoch(t - lag(t) OVER (PARTITION BY s, r ORDER BY t)) / 86400.0 "
        "AS gap FROM pay), "
        "per AS (SELECT s, r, count(*) AS n, median(gap) AS mg, max(eur) / nullif(min(eur), 0) AS spread, "
        "median(eur) AS m FROM g GROUP BY s, r), "
        "ok AS (SELECT * FROM per WHERE n >= $1 AND mg BETWEEN $2 AND $3 AND spread <= $4 AND m >= $5), "
        "who AS (SELECT s, count(*) AS k, median(m) AS m FROM ok GROUP BY s HAVING count(*) >= $6) "
        f"SELECT who.s, who.k, who.m, {evidence('g.txn_id', 'g.t')}, count(*) FROM who JOIN ok USING (s) "
        "JOIN g ON g.s = ok.s AND g.r = ok.r GROUP BY who.s, who.k, who.m",
        [p["min_payments_each"], p["min_gap_days"], p["max_gap_days"], p["max_amount_spread"], p["min_median_eur"],
         p["min_recipients"]]).fetchall()
    return [Hit(s, "sender", "R15", f"payroll-like: {k} recipients each paid about monthly a stable amount "
                f"(median {m:.0f} EUR)", list(ids), n) for s, k, m, ids, n in rows]


def _shops(ctx: RuleContext) -> None:
    """Temp table `shops`: receivers paid by many senders in amounts below a session's price (R16's parameters;
    empty when the ruleset has no R16). The network rules never treat a shop as a shared facilitator."""
    p = ctx.params.get("R16")
    if not p:
        ctx.conn.execute("CREATE OR REPLACE TEMP TABLE shops AS SELECT NULL::VARCHAR AS r WHERE false")
        return
    ctx.conn.execute("CREATE OR REPLACE TEMP TABLE shops AS SELECT r FROM pay GROUP BY r "
                     "HAVING count(DISTINCT s) >= $1 AND median(eur) < $2", [p["shop_min_senders"], p["below_eur"]])


def shops(ctx: RuleContext) -> None:
    ctx.once("shops", _shops)


def r16(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    conn = ctx.conn
    shops(ctx)
    rows = conn.execute(
        "SELECT s, count(*), median(eur), count(*) FILTER (WHERE r IN (SELECT r FROM shops)), "
        f"{evidence()} FROM pay GROUP BY s HAVING count(*) >= $1 AND (median(eur) < $2 OR "
        "count(*) FILTER (WHERE r IN (SELECT r FROM shops)) > 0.5 * count(*))",
        [p["min_payments"], p["below_eur"]]).fetchall()
    return [Hit(s, "sender", "R16", (f"micro-payments: median {m:.2f} EUR over {n} transfers" if m < p["below_eur"]
                                     else f"{k} of {n} transfers to shops (receivers paid by many senders in small "
                                     "amounts)") + ", below the price of a session in published cases (game top-ups, "
                "mobile load)", list(ids), n) for s, n, m, k, ids in rows]


def r17(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """The receiver side of R16: a shop is paid by many senders in amounts below a session's price."""
    conn = ctx.conn
    shops(ctx)
    rows = conn.execute(f"SELECT r, count(DISTINCT s), median(eur), {evidence()}, count(*) FROM pay "
                        "WHERE r IN (SELECT r FROM shops) GROUP BY r").fetchall()
    return [Hit(r, "receiver", "R17", f"shop-like: paid by {k} senders, median {m:.2f} EUR (game top-ups, mobile load)",
                list(ids), n) for r, k, m, ids, n in rows]
