"""Scoring: rule hits add up with the ruleset's weights; a party is flagged from `flag_score` on and only with
two or more distinct rules (no single rule ranks a party on its own). Every score keeps its explanations."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from winnow.payments.rules import Hit, evaluate, load_ruleset, register_entities
from winnow.payments.store import connect


def score(case_root: Path, ruleset_path: Path | None = None, seeds: list[str] | None = None) -> dict[str, Any]:
    ruleset = load_ruleset(ruleset_path)
    conn = connect(case_root)
    try:
        entities = register_entities(conn)
        hits = evaluate(conn, ruleset, seeds)
        total = conn.execute("SELECT count(*) FROM transactions").fetchone()[0]
    finally:
        conn.close()
    weights = {rule: float(params.get("weight", 1.0)) for rule, params in ruleset["rules"].items()}
    threshold = float(ruleset.get("flag_score", 3.0))
    parties: dict[tuple[str, str], list[Hit]] = defaultdict(list)
    for hit in hits:
        parties[(hit.role, hit.party)].append(hit)
    ranked: dict[str, list[dict[str, Any]]] = {"senders": [], "receivers": []}
    members: dict[str, list[str]] = defaultdict(list)
    for identifier in entities.parent:
        members[entities.find(identifier)].append(identifier)
    why: dict[str, list[dict[str, str]]] = defaultdict(list)
    for a, b, txn in entities.reasons:
        why[entities.find(a)].append({"identifiers": f"{a} + {b}", "transaction": txn})
    for (role, party), party_hits in parties.items():
        points = sum(weights.get(h.rule, 1.0) for h in party_hits)
        rules = sorted({h.rule for h in party_hits})
        ranked["senders" if role == "sender" else "receivers"].append({
            "party": party.split(":", 1)[1] if party.startswith(("account:", "iban:", "phone:", "wallet:"))
            else party, "entity": party, "identifiers": sorted(members.get(party, [])),
            "merged_because": why.get(party, [])[:20], "score": round(points, 3), "rules": rules,
            "flagged": points >= threshold and len(rules) >= 2,
            "reasons": [{"rule": h.rule, "weight": weights.get(h.rule, 1.0), "explanation": h.explanation,
                         "evidence": h.evidence[:50], "evidence_count": len(h.evidence)} for h in party_hits]})
    for key in ranked:
        ranked[key].sort(key=lambda p: (-p["score"], p["party"]))
    return {"transactions": total, "flag_score": threshold, "weights": weights, **ranked}
