"""Scoring: rule hits add up with the ruleset's weights; a party is flagged from `flag_score` on and only with
two or more distinct rules (no single rule ranks a party on its own). Every score keeps its explanations, and each
entity its identifiers and why they were merged."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from winnow.payments.indicators.base import flags, points
from winnow.payments.rules import RULE_BY_ID, Hit, evaluate, load_ruleset, order, register_entities
from winnow.payments.store import connect
from winnow.store.case import Case

MERGE_REASONS_SHOWN = 20


def _entity_details(conn: Any, parties: list[str]) -> tuple[dict[str, list[str]], dict[str, list[dict[str, str]]]]:
    """Identifiers and merge reasons of the given entities (one query each, however many parties)."""
    members: dict[str, list[str]] = {}
    why: dict[str, list[dict[str, str]]] = {}
    conn.execute("CREATE OR REPLACE TEMP TABLE wanted AS SELECT unnest($1::VARCHAR[]) AS entity", [parties])
    for entity, ids in conn.execute("SELECT entity, list_sort(list(identifier)) FROM entity_map "
                                    "WHERE entity IN (SELECT entity FROM wanted) GROUP BY entity").fetchall():
        members[entity] = list(ids)
    for entity, a, b, txn in conn.execute(
            "SELECT entity, a, b, txn FROM (SELECT *, row_number() OVER (PARTITION BY entity ORDER BY a, b) AS k "
            "FROM entity_reasons WHERE entity IN (SELECT entity FROM wanted)) WHERE k <= $1 ORDER BY entity, k",
            [MERGE_REASONS_SHOWN]).fetchall():
        why.setdefault(entity, []).append({"identifiers": f"{a} + {b}", "transaction": txn or ""})
    return members, why


NAMES_SHOWN = 5


def _party_facts(conn: Any, parties: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """What an investigator reads first about each ranked party, per side: the names as recorded (display only,
    never scored), phones, accounts, countries, first and last payment, count, total EUR, counterparties."""
    facts: dict[tuple[str, str], dict[str, Any]] = {}
    conn.execute("CREATE OR REPLACE TEMP TABLE wanted AS SELECT unnest($1::VARCHAR[]) AS entity", [parties])
    for side, key, other in (("sender", "s", "r"), ("receiver", "r", "s")):
        rows = conn.execute(
            f"SELECT {key}, list_sort(list_distinct(list(coalesce({side}_name_raw, {side}_name))))[1:{NAMES_SHOWN}], "
            f"list_sort(list_distinct(list({side}_phone))), "
            f"list_sort(list_distinct(list(coalesce({side}_iban, {side}_account, {side}_wallet)))), "
            f"list_sort(list_distinct(list({side}_country))), min(time_utc), max(time_utc), count(*), "
            f"round(sum(amount_eur), 2), count(DISTINCT {other}) FROM keyed "
            f"WHERE {key} IN (SELECT entity FROM wanted) GROUP BY {key}").fetchall()
        for party, names, phones, accounts, countries, first, last, n, total, counterparties in rows:
            facts[(side, party)] = {
                "names": list(names), "phones": list(phones), "accounts": list(accounts),
                "countries": list(countries), "first_payment": first.isoformat() + "Z" if first else None,
                "last_payment": last.isoformat() + "Z" if last else None, "payments": int(n),
                "total_eur": float(total or 0.0), "counterparties": int(counterparties)}
    return facts


def score(case: Case, ruleset_path: Path | None = None, seeds: list[str] | None = None,
          memory_limit: str | None = None) -> dict[str, Any]:
    ruleset = load_ruleset(ruleset_path)
    conn = connect(case)
    try:
        if memory_limit:
            conn.execute(f"SET memory_limit = '{memory_limit}'")
        register_entities(conn)
        hits = evaluate(conn, ruleset, seeds)
        total = conn.execute("SELECT count(*) FROM transactions").fetchone()[0]
        members, why = _entity_details(conn, sorted({h.party for h in hits}))
        facts = _party_facts(conn, sorted({h.party for h in hits}))
        result = rank(hits, ruleset, members, why, total, facts)
        _distinct_counterparties(conn, result)
    finally:
        conn.close()
    return result


def _distinct_counterparties(conn: Any, result: dict[str, Any]) -> None:
    """A row of several accounts counts a sender who paid two of them once (one query for all such rows)."""
    pairs = [(row["entity"], a["entity"]) for row in result["receivers"] for a in row.get("accounts_linked", [])]
    if not pairs:
        return
    conn.execute("CREATE OR REPLACE TEMP TABLE row_accounts AS SELECT unnest($1::VARCHAR[]) AS row_entity, "
                 "unnest($2::VARCHAR[]) AS r", [[p[0] for p in pairs], [p[1] for p in pairs]])
    counts = dict(conn.execute("SELECT a.row_entity, count(DISTINCT k.s) FROM row_accounts a JOIN keyed k "
                               "ON k.r = a.r GROUP BY a.row_entity").fetchall())
    for row in result["receivers"]:
        if "accounts_linked" in row:
            row["counterparties"] = int(counts.get(row["entity"], row.get("counterparties", 0)))


def _groups(hits: list[Hit]) -> dict[tuple[str, str], tuple[str, str]]:
    """Each party tied to others by a hit's `linked` parties (R19's successive accounts) to its group's key: the
    smallest member (union-find over the links; parties without links are absent)."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for hit in hits:
        for other in hit.linked:
            a, b = find((hit.role, hit.party)), find((hit.role, other))
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {x: find(x) for x in list(parent)}


def _display(party: str) -> str:
    return party.split(":", 1)[1] if party.startswith(("account:", "iban:", "phone:", "wallet:")) else party


def _merged_facts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The facts of several accounts ranked as one row: lists united, first/last widened, counts and totals
    summed (`score` then counts the row's distinct counterparties)."""
    out: dict[str, Any] = {}
    for key in ("names", "phones", "accounts", "countries"):
        out[key] = sorted({v for r in rows for v in r.get(key, [])})[: NAMES_SHOWN if key == "names" else None]
    firsts = [r["first_payment"] for r in rows if r.get("first_payment")]
    lasts = [r["last_payment"] for r in rows if r.get("last_payment")]
    out["first_payment"], out["last_payment"] = (min(firsts) if firsts else None), (max(lasts) if lasts else None)
    for key in ("payments", "counterparties"):
        out[key] = sum(int(r.get(key, 0)) for r in rows)
    out["total_eur"] = round(sum(float(r.get("total_eur", 0.0)) for r in rows), 2)
    return out


def rank(hits: list[Hit], ruleset: dict[str, Any], members: dict[str, list[str]],
         why: dict[str, list[dict[str, str]]], total: int,
         facts: dict[tuple[str, str], dict[str, Any]] | None = None) -> dict[str, Any]:
    """Rows per party, best first. Accounts that R19 ties (one facilitator's successive accounts) make one row:
    each rule counts once for the row, every account's explanations and evidence are kept, marked with the account
    they are about, and `accounts_linked` lists the accounts with their own scores."""
    weights = {rule: float(params.get("weight", 1.0)) for rule, params in ruleset["rules"].items()}
    threshold = float(ruleset.get("flag_score", 3.0))
    group_of = _groups(hits)
    rows: dict[tuple[str, str], list[Hit]] = defaultdict(list)
    accounts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for hit in hits:
        row_key = group_of.get((hit.role, hit.party), (hit.role, hit.party))
        rows[row_key].append(hit)
        accounts[row_key].add(hit.party)
    ranked: dict[str, list[dict[str, Any]]] = {"senders": [], "receivers": []}
    for (role, _), row_hits in rows.items():
        own = {p: _points([h for h in row_hits if h.party == p], weights)[0] for p in accounts[(role, _)]}
        party = min(own, key=lambda p: (-own[p], p))  # the row is named by its strongest account
        row_score, reasons, rules = _points(row_hits, weights, party if len(own) > 1 else None)
        row_facts = [(facts or {}).get((role, p), {}) for p in sorted(own)]
        row: dict[str, Any] = {
            "party": _display(party), "entity": party,
            "identifiers": sorted({i for p in own for i in members.get(p, [])}),
            "merged_because": [w for p in sorted(own) for w in why.get(p, [])],
            "score": round(row_score, 3), "rules": rules,
            **(_merged_facts(row_facts) if len(own) > 1 else row_facts[0]),
            "flagged": flags(row_score, reasons, threshold),
            "reasons": reasons}
        if len(own) > 1:
            row["accounts_linked"] = [{"party": _display(p), "entity": p, "identifiers": members.get(p, []),
                                       "score": round(own[p], 3)} for p in sorted(own, key=lambda p: (-own[p], p))]
        ranked["senders" if role == "sender" else "receivers"].append(row)
    for key in ranked:
        ranked[key].sort(key=lambda p: (-p["score"], p["party"]))
    return {"transactions": total, "flag_score": threshold, "weights": weights, **ranked}


def _points(hits: list[Hit], weights: dict[str, float], named: str | None = None
            ) -> tuple[float, list[dict[str, Any]], list[str]]:
    """A row's points, reasons and rules (`indicators.base.points`, the same sum the stages flag by). With `named`
    (a row of several accounts) each explanation says which account it is about, unless it is the row's own."""
    total, reasons, fired = points(hits, weights, RULE_BY_ID, named)
    for reason, h in zip(reasons, sorted(hits, key=lambda h: (order(h.rule), h.party != named, h.party)),
                         strict=True):
        if named is not None and h.party != named:
            reason["explanation"] = f"account {_display(h.party)}: {reason['explanation']}"
    return total, reasons, fired


def ranking_for_case(case: Case) -> dict[str, Any] | None:
    """The ranking of a case that holds payments, or None when none were imported (the review app's page)."""
    if not (case.root / "payments.duckdb").exists():
        return None
    conn = connect(case)
    try:
        if not conn.execute("SELECT count(*) FROM transactions").fetchone()[0]:
            return None
    finally:
        conn.close()
    return score(case)
