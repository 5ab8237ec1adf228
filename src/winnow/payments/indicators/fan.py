"""Fan-out (a sender paying many unrelated recipients, R4) and fan-in (a receiver paid by many foreign senders,
R5), counted over sliding 90-day windows in DuckDB; the busiest qualifying window is the evidence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from winnow.payments.indicators.base import Hit, RuleContext, evidence


def r4(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """Fan-out: the 90-day window (from each payment on) with the most payments among those reaching
    `min_recipients` distinct recipients — distinct by entity and by address (when addresses are known, so a
    household's members count once). Names are never read: a shared surname is no proof of kinship, and a name is
    not a scoring input (the family pattern is R14's, from the payments themselves)."""
    conn = ctx.conn
    rows = conn.execute(
        "WITH w AS (SELECT s, t, count(*) OVER win AS n, count(DISTINCT r) OVER win AS nr, "
        "count(DISTINCT receiver_address) OVER win AS na FROM pay "
        f"WINDOW win AS (PARTITION BY s ORDER BY t RANGE BETWEEN CURRENT ROW AND to_days({int(p['window_days'])}) "
        "FOLLOWING)), "
        "q AS (SELECT *, row_number() OVER (PARTITION BY s ORDER BY n DESC, t) AS k FROM w "
        "WHERE least(nr, CASE WHEN na > 0 THEN na ELSE nr END) >= $2) "
        f"SELECT q.s, q.nr, {evidence('u.txn_id', 'u.t')}, count(*) FROM q JOIN pay u ON u.s = q.s "
        "AND u.t >= q.t AND u.t <= q.t + to_days($1) WHERE q.k = 1 GROUP BY q.s, q.nr",
        [int(p["window_days"]), p["min_recipients"]]).fetchall()
    return [Hit(s, "sender", "R4", f"{nr} distinct recipients in high-risk countries within {p['window_days']} days "
                "(fan-out)", ids, n) for s, nr, ids, n in rows]


def r5(ctx: RuleContext, p: Mapping[str, Any]) -> list[Hit]:
    """Fan-in: a receiver paid by `min_senders` distinct foreign senders within a 90-day window."""
    conn = ctx.conn
    rows = conn.execute(
        "WITH w AS (SELECT r, t, count(*) OVER win AS n, count(DISTINCT s) OVER win AS ns FROM pay "
        f"WINDOW win AS (PARTITION BY r ORDER BY t RANGE BETWEEN CURRENT ROW AND to_days({int(p['window_days'])}) "
        "FOLLOWING)), "
        "q AS (SELECT *, row_number() OVER (PARTITION BY r ORDER BY n DESC, t) AS k FROM w WHERE ns >= $2) "
        f"SELECT q.r, q.ns, {evidence('pay.txn_id', 'pay.t')}, count(*) FROM q JOIN pay ON pay.r = q.r "
        "AND pay.t >= q.t AND pay.t <= q.t + to_days($1) WHERE q.k = 1 GROUP BY q.r, q.ns",
        [int(p["window_days"]), p["min_senders"]]).fetchall()
    return [Hit(r, "receiver", "R5", f"paid by {ns} distinct foreign senders within {p['window_days']} days (fan-in)",
                ids, n) for r, ns, ids, n in rows]
