"""Sender behaviour over the cross-border payments to high-risk countries (temp table `pay`): how many, how
round, how frequent, at what hour, with which words, and whether they escalate (R1-R3, R6-R8)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from winnow.payments.indicators.base import EVIDENCE_CAP, Hit, RuleContext, evidence


def r1(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    conn = ctx.conn
    rows = conn.execute(f"SELECT s, {evidence()}, count(*) FROM pay WHERE eur <= $1 GROUP BY s "
                        "HAVING count(*) >= $2", [p["max_eur"], p["min_payments"]]).fetchall()
    return [Hit(s, "sender", "R1", f"{n} cross-border transfers of at most {p['max_eur']} EUR to high-risk countries",
                ids, n) for s, ids, n in rows]


def r2(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    conn = ctx.conn
    rows = conn.execute(
        "SELECT s, count(*) AS n, count(*) FILTER (WHERE round_) AS k, "
        f"list(txn_id ORDER BY t) FILTER (WHERE round_)[1:{EVIDENCE_CAP}] FROM "
        "(SELECT *, abs(amount / $1 - round(amount / $1)) < 1e-9 AS round_ FROM pay) GROUP BY s "
        "HAVING n >= $2 AND k / n >= $3", [float(p["multiple_of"]), p["min_payments"], p["min_share"]]).fetchall()
    return [Hit(s, "sender", "R2", f"{k} of {n} transfers are round amounts (multiples of {p['multiple_of']})", ids, k)
            for s, n, k, ids in rows]


def r3(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    conn = ctx.conn
    rows = conn.execute(
        f"SELECT s, count(*) AS n, median(eur) AS m, coalesce(median(gap), 1e9) AS g, {evidence()} FROM "
        "(SELECT *, epoch(t - lag(t) OVER (PARTITION BY s ORDER BY t)) / 86400.0 AS gap FROM pay) GROUP BY s "
        "HAVING n >= $1 AND m <= $2 AND g <= $3",
        [p["min_payments"], p["max_median_eur"], p["max_median_gap_days"]]).fetchall()
    return [Hit(s, "sender", "R3", f"{n} transfers, median {m:.0f} EUR every {g:.1f} days (prolific cadence)", ids, n)
            for s, n, m, g, ids in rows]


def r6(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    conn = ctx.conn
    rows = conn.execute(
        "SELECT s, count(*) AS n, count(*) FILTER (WHERE night) AS k, "
        f"list(txn_id ORDER BY t) FILTER (WHERE night)[1:{EVIDENCE_CAP}] FROM "
        "(SELECT *, coalesce(hour(lt) >= $1 OR hour(lt) < $2, false) AS night FROM pay) GROUP BY s "
        "HAVING n >= $3 AND k / n >= $4",
        [p["night_from"], p["night_to"], p["min_payments"], p["min_share"]]).fetchall()
    return [Hit(s, "sender", "R6", f"{k} of {n} transfers between {p['night_from']}:00 and {p['night_to']}:00 sender "
                "local time", ids, k) for s, n, k, ids in rows]


def term_pattern(terms: list[str]) -> str:
    """A case-insensitive whole-word pattern over the terms (RE2 syntax, which is also Python's here)."""
    return r"(?i)\b(" + "|".join(re.escape(t).replace("\\ ", " ") for t in terms) + r")\b"


def r7(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    conn = ctx.conn
    pattern = term_pattern(p["terms"])
    rows = conn.execute(
        f"SELECT s, list_sort(list_distinct(list(lower(regexp_extract(reference, $1, 1))))), {evidence()}, count(*) "
        "FROM pay WHERE regexp_matches(reference, $1) GROUP BY s HAVING count(*) >= $2",
        [pattern, p["min_payments"]]).fetchall()
    return [Hit(s, "sender", "R7", f"references with cover narratives or handles: {', '.join(found)}", ids, n)
            for s, found, ids, n in rows]


def r8(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """Escalation: the sender's span cut into `windows` equal parts; payment counts and median amounts both rise
    (never fall, and end higher than they start) across them."""
    conn = ctx.conn
    rows = conn.execute(
        "WITH b AS (SELECT s, txn_id, t, eur, least($1 - 1, floor(epoch(t - t0) / span * $1))::INTEGER AS k FROM "
        "(SELECT *, min(t) OVER (PARTITION BY s) AS t0, count(*) OVER (PARTITION BY s) AS n, coalesce(nullif("
        "epoch(max(t) OVER (PARTITION BY s)) - epoch(min(t) OVER (PARTITION BY s)), 0), 1.0) AS span FROM pay) "
        "WHERE n >= $2), "
        "per AS (SELECT s, k, count(*) AS c, median(eur) AS m FROM b GROUP BY s, k), "
        "agg AS (SELECT s, list(c ORDER BY k) AS counts, list(m ORDER BY k) AS medians, count(*) AS buckets "
        "FROM per GROUP BY s) "
        f"SELECT a.s, a.counts, a.medians, {evidence('b.txn_id', 'b.t')}, count(*) FROM agg a JOIN b USING (s) "
        "WHERE a.buckets = $1 AND list_sort(a.counts) = a.counts AND a.counts[-1] > a.counts[1] "
        "AND list_sort(a.medians) = a.medians AND a.medians[-1] > a.medians[1] GROUP BY a.s, a.counts, a.medians",
        [p["windows"], p["min_payments"]]).fetchall()
    return [Hit(s, "sender", "R8", f"frequency {list(counts)} and median amount {[round(m) for m in medians]} EUR "
                f"rising over {p['windows']} windows", ids, n) for s, counts, medians, ids, n in rows]
