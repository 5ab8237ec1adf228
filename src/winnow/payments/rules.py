"""Indicators over the transactions table, each a rule with an id, parameters (ruleset YAML), an explanation and
the evidence transaction ids. Senders are possible buyers (R1-R4, R6-R8, R11); receivers possible facilitators
(R5). A party is its entity (parties sharing an identifier are merged, see entities.py).

Every rule is one DuckDB query (window functions for the sliding 90-day distinct counts of R4 and R5), so 10M
transactions run through all of them in under a minute on two cores; Python only formats the explanations.
Evidence lists are kept whole up to `EVIDENCE_CAP` transaction ids per hit (the count is always exact)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from winnow.payments import entities

EVIDENCE_CAP = 200



@dataclass
class Hit:
    party: str
    role: str  # sender | receiver
    rule: str
    explanation: str
    evidence: list[str] = field(default_factory=list)
    evidence_count: int = 0

    def __post_init__(self) -> None:
        self.evidence_count = max(self.evidence_count, len(self.evidence))


def load_ruleset(path: Path | None = None) -> dict[str, Any]:
    import yaml

    text = path.read_text(encoding="utf-8") if path else \
        resources.files("winnow.payments").joinpath("presets/ruleset.yaml").read_text(encoding="utf-8")
    ruleset = yaml.safe_load(text)
    if not isinstance(ruleset, dict) or not isinstance(ruleset.get("rules"), dict):
        raise ValueError("a ruleset needs a 'rules' section (see the shipped default)")
    return ruleset


def register_entities(conn: Any) -> None:
    """Entities (temp tables `entity_map`, `entity_reasons`) and the temp view `keyed` (transactions with their
    sender entity `s` and receiver entity `r`) for this connection."""
    entities.register(conn)
    entities.keyed_view(conn)


def _surname(column: str) -> str:
    return f"nullif(list_last(string_split(trim({column}), ' ')), '')"


def _evidence(expr: str = "txn_id", order: str = "t") -> str:
    return f"list({expr} ORDER BY {order})[1:{EVIDENCE_CAP}]"


def _cross_border(conn: Any, high_risk: list[str]) -> None:
    """Temp table `pay`: cross-border payments to high-risk countries, the input of R1-R8 and R5."""
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE pay AS SELECT s, r, txn_id, time_utc AS t, sender_local_time AS lt, amount, "
        f"amount_eur AS eur, reference, {_surname('sender_name')} AS sender_surname, "
        f"{_surname('receiver_name')} AS receiver_surname, receiver_address FROM keyed "
        "WHERE receiver_country IN (SELECT unnest($1::VARCHAR[])) "
        "AND coalesce(sender_country, '') <> coalesce(receiver_country, '')", [high_risk])


def _r1(conn: Any, p: dict[str, Any]) -> list[Hit]:
    rows = conn.execute(f"SELECT s, {_evidence()}, count(*) FROM pay WHERE eur <= $1 GROUP BY s "
                        "HAVING count(*) >= $2", [p["max_eur"], p["min_payments"]]).fetchall()
    return [Hit(s, "sender", "R1", f"{n} cross-border transfers of at most {p['max_eur']} EUR to high-risk countries",
                ids, n) for s, ids, n in rows]


def _r2(conn: Any, p: dict[str, Any]) -> list[Hit]:
    rows = conn.execute(
        "SELECT s, count(*) AS n, count(*) FILTER (WHERE round_) AS k, "
        f"list(txn_id ORDER BY t) FILTER (WHERE round_)[1:{EVIDENCE_CAP}] FROM "
        "(SELECT *, abs(amount / $1 - round(amount / $1)) < 1e-9 AS round_ FROM pay) GROUP BY s "
        "HAVING n >= $2 AND k / n >= $3", [float(p["multiple_of"]), p["min_payments"], p["min_share"]]).fetchall()
    return [Hit(s, "sender", "R2", f"{k} of {n} transfers are round amounts (multiples of {p['multiple_of']})", ids, k)
            for s, n, k, ids in rows]


def _r3(conn: Any, p: dict[str, Any]) -> list[Hit]:
    rows = conn.execute(
        f"SELECT s, count(*) AS n, median(eur) AS m, coalesce(median(gap), 1e9) AS g, {_evidence()} FROM "
        "(SELECT *, epoch(t - lag(t) OVER (PARTITION BY s ORDER BY t)) / 86400.0 AS gap FROM pay) GROUP BY s "
        "HAVING n >= $1 AND m <= $2 AND g <= $3",
        [p["min_payments"], p["max_median_eur"], p["max_median_gap_days"]]).fetchall()
    return [Hit(s, "sender", "R3", f"{n} transfers, median {m:.0f} EUR every {g:.1f} days (prolific cadence)", ids, n)
            for s, n, m, g, ids in rows]


def _r4(conn: Any, p: dict[str, Any]) -> list[Hit]:
    """Fan-out: the 90-day window (from each payment on) with the most payments among those reaching
    `min_recipients` unrelated recipients — distinct by entity, by surname and by address (when addresses are
    known). Unrelated: the recipient's surname differs from the sender's."""
    rows = conn.execute(
        "WITH family AS (SELECT s, arg_min(sender_surname, t) AS surname FROM pay GROUP BY s), "
        "u AS (SELECT p.* FROM pay p JOIN family f USING (s) WHERE p.receiver_surname IS DISTINCT FROM f.surname), "
        "w AS (SELECT s, t, count(*) OVER win AS n, count(DISTINCT r) OVER win AS nr, "
        "count(DISTINCT coalesce(receiver_surname, '')) OVER win AS ns, "
        "count(DISTINCT receiver_address) OVER win AS na FROM u "
        f"WINDOW win AS (PARTITION BY s ORDER BY t RANGE BETWEEN CURRENT ROW AND to_days({int(p['window_days'])}) "
        "FOLLOWING)), "
        "q AS (SELECT *, row_number() OVER (PARTITION BY s ORDER BY n DESC, t) AS k FROM w "
        "WHERE least(nr, ns, CASE WHEN na > 0 THEN na ELSE nr END) >= $2) "
        f"SELECT q.s, q.nr, {_evidence('u.txn_id', 'u.t')}, count(*) FROM q JOIN u ON u.s = q.s "
        "AND u.t >= q.t AND u.t <= q.t + to_days($1) WHERE q.k = 1 GROUP BY q.s, q.nr",
        [int(p["window_days"]), p["min_recipients"]]).fetchall()
    return [Hit(s, "sender", "R4", f"{nr} unrelated recipients in high-risk countries within {p['window_days']} days "
                "(fan-out)", ids, n) for s, nr, ids, n in rows]


def _r5(conn: Any, p: dict[str, Any]) -> list[Hit]:
    """Fan-in: a receiver paid by `min_senders` distinct foreign senders within a 90-day window."""
    rows = conn.execute(
        "WITH w AS (SELECT r, t, count(*) OVER win AS n, count(DISTINCT s) OVER win AS ns FROM pay "
        f"WINDOW win AS (PARTITION BY r ORDER BY t RANGE BETWEEN CURRENT ROW AND to_days({int(p['window_days'])}) "
        "FOLLOWING)), "
        "q AS (SELECT *, row_number() OVER (PARTITION BY r ORDER BY n DESC, t) AS k FROM w WHERE ns >= $2) "
        f"SELECT q.r, q.ns, {_evidence('pay.txn_id', 'pay.t')}, count(*) FROM q JOIN pay ON pay.r = q.r "
        "AND pay.t >= q.t AND pay.t <= q.t + to_days($1) WHERE q.k = 1 GROUP BY q.r, q.ns",
        [int(p["window_days"]), p["min_senders"]]).fetchall()
    return [Hit(r, "receiver", "R5", f"paid by {ns} distinct foreign senders within {p['window_days']} days (fan-in)",
                ids, n) for r, ns, ids, n in rows]


def _r6(conn: Any, p: dict[str, Any]) -> list[Hit]:
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


def _r7(conn: Any, p: dict[str, Any]) -> list[Hit]:
    pattern = term_pattern(p["terms"])
    rows = conn.execute(
        f"SELECT s, list_sort(list_distinct(list(lower(regexp_extract(reference, $1, 1))))), {_evidence()}, count(*) "
        "FROM pay WHERE regexp_matches(reference, $1) GROUP BY s HAVING count(*) >= $2",
        [pattern, p["min_payments"]]).fetchall()
    return [Hit(s, "sender", "R7", f"references with cover narratives or handles: {', '.join(found)}", ids, n)
            for s, found, ids, n in rows]


def _r8(conn: Any, p: dict[str, Any]) -> list[Hit]:
    """Escalation: the sender's span cut into `windows` equal parts; payment counts and median amounts both rise
    (never fall, and end higher than they start) across them."""
    rows = conn.execute(
        "WITH b AS (SELECT s, txn_id, t, eur, least($1 - 1, floor(epoch(t - t0) / span * $1))::INTEGER AS k FROM "
        "(SELECT *, min(t) OVER (PARTITION BY s) AS t0, count(*) OVER (PARTITION BY s) AS n, coalesce(nullif("
        "epoch(max(t) OVER (PARTITION BY s)) - epoch(min(t) OVER (PARTITION BY s)), 0), 1.0) AS span FROM pay) "
        "WHERE n >= $2), "
        "per AS (SELECT s, k, count(*) AS c, median(eur) AS m FROM b GROUP BY s, k), "
        "agg AS (SELECT s, list(c ORDER BY k) AS counts, list(m ORDER BY k) AS medians, count(*) AS buckets "
        "FROM per GROUP BY s) "
        f"SELECT a.s, a.counts, a.medians, {_evidence('b.txn_id', 'b.t')}, count(*) FROM agg a JOIN b USING (s) "
        "WHERE a.buckets = $1 AND list_sort(a.counts) = a.counts AND a.counts[-1] > a.counts[1] "
        "AND list_sort(a.medians) = a.medians AND a.medians[-1] > a.medians[1] GROUP BY a.s, a.counts, a.medians",
        [p["windows"], p["min_payments"]]).fetchall()
    return [Hit(s, "sender", "R8", f"frequency {list(counts)} and median amount {[round(m) for m in medians]} EUR "
                f"rising over {p['windows']} windows", ids, n) for s, counts, medians, ids, n in rows]


def _r9(conn: Any, p: dict[str, Any], seeds: list[str]) -> list[Hit]:
    """Proximity: parties within `max_hops` of an entity holding a seed identifier (a known facilitator), over
    the who-paid-whom graph; the evidence is the transactions of the hop that reached the party."""
    conn.execute("CREATE OR REPLACE TEMP TABLE seed_entities AS SELECT DISTINCT m.entity AS party FROM entity_map m "
                 "JOIN (SELECT unnest($1::VARCHAR[]) AS seed) ON m.identifier LIKE '%:' || seed", [seeds])
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


def _r10(conn: Any) -> list[Hit]:
    """Evidence match: a transaction whose party identifier (phone, account, IBAN, wallet) or reference number
    (e.g. a transfer control number) was also found in case evidence."""
    joins = []
    for side, party in (("sender", "s"), ("receiver", "r")):
        for kind in entities.KINDS:
            joins.append(f"SELECT k.{party} AS party, '{side}' AS role, k.txn_id, k.time_utc AS t, e.identifier, "
                         f"e.kind, e.source FROM keyed k JOIN evidence_identifiers e ON e.identifier = k.{side}_{kind}")
    joins.append("SELECT k.r, 'receiver', k.txn_id, k.time_utc, e.identifier, e.kind, e.source FROM keyed k "
                 "JOIN evidence_identifiers e ON e.identifier = k.txn_id")
    rows = conn.execute(
        f"SELECT party, role, {_evidence('DISTINCT txn_id', 'txn_id')}, count(DISTINCT txn_id), "
        "list_sort(list_distinct(list(kind || ' ' || identifier || ' seen in ' || source))) "
        f"FROM ({' UNION ALL '.join(joins)}) GROUP BY party, role").fetchall()
    return [Hit(party, role, "R10", "evidence match: " + "; ".join(notes), ids, n)
            for party, role, ids, n, notes in rows]


def _r11(conn: Any, p: dict[str, Any]) -> list[Hit]:
    """Repeated small crypto payments to listed addresses."""
    addresses = [a.strip() for a in p.get("addresses") or [] if a and a.strip()]
    if not addresses:
        return []
    rows = conn.execute(
        f"SELECT s, {_evidence('txn_id', 'time_utc')}, count(*) FROM keyed WHERE channel = 'crypto' "
        "AND amount_eur <= $1 AND (receiver_wallet IN (SELECT unnest($2::VARCHAR[])) "
        "OR receiver_account IN (SELECT unnest($2::VARCHAR[]))) GROUP BY s HAVING count(*) >= $3",
        [p["max_eur"], addresses, p["min_payments"]]).fetchall()
    return [Hit(s, "sender", "R11", f"{n} crypto payments of at most {p['max_eur']} EUR to listed addresses", ids, n)
            for s, ids, n in rows]


PAY_RULES = {"R1": _r1, "R2": _r2, "R3": _r3, "R4": _r4, "R5": _r5, "R6": _r6, "R7": _r7, "R8": _r8}


def evaluate(conn: Any, ruleset: dict[str, Any], seeds: list[str] | None = None) -> list[Hit]:
    """All rule hits; `register_entities(conn)` must have run on this connection."""
    high_risk = [str(c).upper() for c in ruleset.get("high_risk_countries", [])]
    rules = ruleset["rules"]
    _cross_border(conn, high_risk)
    hits: list[Hit] = []
    for rule, run in PAY_RULES.items():
        if rule in rules:
            hits.extend(run(conn, rules[rule]))
    if "R9" in rules and seeds:
        hits.extend(_r9(conn, rules["R9"], seeds))
    if "R10" in rules:
        hits.extend(_r10(conn))
    if "R11" in rules:
        hits.extend(_r11(conn, rules["R11"]))
    return hits
