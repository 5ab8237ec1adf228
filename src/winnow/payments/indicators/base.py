"""What every payment indicator shares: the hit it produces, the context it runs in, and the `Rule` declaration
the registry (`winnow.payments.rules.RULES`) lists. A rule is an id, the side it judges, a plain-language
condition written with its parameters, and one function from the context and its parameters to hits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

EVIDENCE_CAP = 50  # the ranked rows show 50 per indicator; the count is always exact

Role = Literal["sender", "receiver", "both"]


@dataclass
class Hit:
    party: str
    role: str  # sender | receiver
    rule: str
    explanation: str
    evidence: list[str] = field(default_factory=list)
    evidence_count: int = 0
    linked: list[str] = field(default_factory=list)  # parties of the same side this hit ties to it (R19)

    def __post_init__(self) -> None:
        self.evidence_count = max(self.evidence_count, len(self.evidence))


@dataclass
class RuleContext:
    """One scoring run: the DuckDB connection (with the temp tables `keyed`, `pay`, `entity_map`), the seed
    identifiers (R9), and the hits of the earlier stages with the weights, for the rules that build on them."""

    conn: Any
    seeds: list[str]
    weights: Mapping[str, float]
    flag_score: float
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # every rule's, by id
    hits: list[Hit] = field(default_factory=list)
    prepared: set[str] = field(default_factory=set)
    rules: Mapping[str, Rule] = field(default_factory=dict)  # the registry by id, for `points`

    def once(self, name: str, build: Callable[[RuleContext], None]) -> None:
        """Build a temp table that several rules read (shops, flagged senders) once per run."""
        if name not in self.prepared:
            build(self)
            self.prepared.add(name)

    def flagged(self, role: str = "sender") -> set[str]:
        """Parties flagged by the hits so far, by the ranking's own sum (`points`, `flags`): counter-indicators
        subtract unless direct evidence sets them aside, explained rules give nothing, and a flag needs the
        threshold and two or more rules that gave points."""
        by_party: dict[str, list[Hit]] = {}
        for hit in self.hits:
            if hit.role == role:
                by_party.setdefault(hit.party, []).append(hit)
        out = set()
        for party, hits in by_party.items():
            total, reasons, _ = points(hits, self.weights, self.rules)
            if flags(total, reasons, self.flag_score):
                out.add(party)
        return out

    def countered(self, role: str = "sender") -> set[str]:
        """Parties with a counter-indicator that stands (not set aside by direct evidence)."""
        by_party: dict[str, list[Hit]] = {}
        for hit in self.hits:
            if hit.role == role:
                by_party.setdefault(hit.party, []).append(hit)
        return {party for party, hits in by_party.items()
                if any(r["weight"] < 0 for r in points(hits, self.weights, self.rules)[1])}


@dataclass(frozen=True)
class Rule:
    """One indicator. `condition` is a sentence with `{parameter}` fields, filled from the ruleset for the docs
    and the report; `stage` orders rules that read earlier hits (network rules run after the behaviour rules);
    `set_aside_by` lets direct evidence outweigh a counter-indicator (a buyer who also supports a family at home
    still paid a recipient that flagged senders share): the hit stays in the explanation with no points.
    `explains` is the other way round: a counter-indicator that stands is the plain reason for some behaviour
    rules (a player's micro-payments explain his small, frequent, night-time transfers), which then keep their
    explanation but give no points."""

    id: str
    role: Role
    title: str
    condition: str
    run: Callable[[RuleContext, Mapping[str, Any]], list[Hit]]
    stage: int = 1
    set_aside_by: tuple[str, ...] = ()  # a counter-indicator gives no points to a party that trips one of these
    explains: tuple[str, ...] = ()  # a counter-indicator that stands takes the points of these rules away

    def describe(self, params: Mapping[str, Any]) -> str:
        shown = {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in params.items()}
        try:
            return self.condition.format(**shown)
        except (KeyError, IndexError, ValueError):
            return self.condition


def evidence(expr: str = "txn_id", order: str = "t") -> str:
    """SQL aggregate keeping the first `EVIDENCE_CAP` evidence transaction ids in time order."""
    return f"list({expr} ORDER BY {order})[1:{EVIDENCE_CAP}]"



def points(hits: list[Hit], weights: Mapping[str, float], rules: Mapping[str, Rule], named: str | None = None
           ) -> tuple[float, list[dict[str, Any]], list[str]]:
    """One party's (or one row's) points, its reasons in registry order and its rules. Each rule counts once; a
    counter-indicator gives no points when direct evidence of `set_aside_by` fires; a counter-indicator that stands
    takes the points of the rules it `explains`. `named` puts that account's own hits first in a row of several."""
    index = {rule_id: i for i, rule_id in enumerate(rules)}

    def rank(rule_id: str) -> int:
        return index.get(rule_id, len(index))

    hits = sorted(hits, key=lambda h: (rank(h.rule), h.party != named, h.party))
    fired = {h.rule for h in hits}

    def set_aside(rule_id: str) -> list[str]:
        rule = rules.get(rule_id)
        return sorted(set(rule.set_aside_by) & fired, key=rank) if rule else []

    explained = {e: r for r in fired if r in rules and not set_aside(r) for e in rules[r].explains}
    reasons: list[dict[str, Any]] = []
    total, counted = 0.0, set()
    for h in hits:
        weight = float(weights.get(h.rule, 1.0))
        explanation = h.explanation
        outweighed = set_aside(h.rule)
        if outweighed:
            weight = 0.0
            explanation += f" (set aside: the party also trips {', '.join(outweighed)})"
        elif h.rule in explained and weight > 0:
            weight = 0.0
            explanation += f" (explained by {explained[h.rule]}: {rules[explained[h.rule]].title})"
        if h.rule in counted:
            weight = 0.0  # a rule counts once per row, however many of its accounts trip it
        counted.add(h.rule)
        total += weight
        reasons.append({"rule": h.rule, "weight": weight, "explanation": explanation,
                        "evidence": h.evidence[:EVIDENCE_CAP], "evidence_count": h.evidence_count})
    return total, reasons, sorted(fired, key=rank)


def flags(total: float, reasons: list[dict[str, Any]], threshold: float) -> bool:
    """Flagged: the threshold reached with two or more distinct rules that gave points (no rule flags alone)."""
    return total >= threshold and len({r["rule"] for r in reasons if r["weight"] > 0}) >= 2
