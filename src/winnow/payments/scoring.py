"""Scoring: rule hits add up with the ruleset's weights; a party is flagged from `flag_score` on and only with
two or more distinct rules (no single rule ranks a party on its own). Every score keeps its explanations, and each
entity its identifiers and why they were merged."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from winnow.payments.rules import EVIDENCE_CAP, RULES, Hit, evaluate, load_ruleset, order, register_entities
from winnow.payments.store import connect

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


def score(case_root: Path, ruleset_path: Path | None = None, seeds: list[str] | None = None,
          memory_limit: str | None = None) -> dict[str, Any]:
    ruleset = load_ruleset(ruleset_path)
    conn = connect(case_root)
    try:
        if memory_limit:
            conn.execute(f"SET memory_limit = '{memory_limit}'")
        register_entities(conn)
        hits = evaluate(conn, ruleset, seeds)
        total = conn.execute("SELECT count(*) FROM transactions").fetchone()[0]
        members, why = _entity_details(conn, sorted({h.party for h in hits}))
        facts = _party_facts(conn, sorted({h.party for h in hits}))
    finally:
        conn.close()
    return rank(hits, ruleset, members, why, total, facts)


def rank(hits: list[Hit], ruleset: dict[str, Any], members: dict[str, list[str]],
         why: dict[str, list[dict[str, str]]], total: int,
         facts: dict[tuple[str, str], dict[str, Any]] | None = None) -> dict[str, Any]:
    weights = {rule: float(params.get("weight", 1.0)) for rule, params in ruleset["rules"].items()}
    threshold = float(ruleset.get("flag_score", 3.0))
    parties: dict[tuple[str, str], list[Hit]] = defaultdict(list)
    for hit in hits:
        parties[(hit.role, hit.party)].append(hit)
    ranked: dict[str, list[dict[str, Any]]] = {"senders": [], "receivers": []}
    set_aside = {r.id: set(r.set_aside_by) for r in RULES if r.set_aside_by}
    for (role, party), party_hits in parties.items():
        party_hits.sort(key=lambda h: order(h.rule))
        fired = {h.rule for h in party_hits}
        reasons, points = [], 0.0
        for h in party_hits:
            weight = weights.get(h.rule, 1.0)
            explanation = h.explanation
            outweighed = sorted(set_aside.get(h.rule, set()) & fired, key=order)
            if outweighed:
                weight = 0.0
                explanation += f" (set aside: the party also trips {', '.join(outweighed)})"
            points += weight
            reasons.append({"rule": h.rule, "weight": weight, "explanation": explanation,
                            "evidence": h.evidence[:EVIDENCE_CAP], "evidence_count": h.evidence_count})
        rules = sorted(fired, key=order)
        ranked["senders" if role == "sender" else "receivers"].append({
            "party": party.split(":", 1)[1] if party.startswith(("account:", "iban:", "phone:", "wallet:"))
            else party, "entity": party, "identifiers": members.get(party, []),
            "merged_because": why.get(party, []), "score": round(points, 3), "rules": rules,
            **(facts or {}).get((role, party), {}),
            "flagged": points >= threshold and sum(weights.get(r, 1.0) > 0 for r in rules) >= 2,
            "reasons": reasons})
    for key in ranked:
        ranked[key].sort(key=lambda p: (-p["score"], p["party"]))
    return {"transactions": total, "flag_score": threshold, "weights": weights, **ranked}


def ranking_for_case(case_root: Path) -> dict[str, Any] | None:
    """The ranking of a case that holds payments, or None when none were imported (the review app's page)."""
    if not (case_root / "payments.duckdb").exists():
        return None
    conn = connect(case_root)
    try:
        if not conn.execute("SELECT count(*) FROM transactions").fetchone()[0]:
            return None
    finally:
        conn.close()
    return score(case_root)
