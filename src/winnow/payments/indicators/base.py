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

    def once(self, name: str, build: Callable[[RuleContext], None]) -> None:
        """Build a temp table that several rules read (shops, flagged senders) once per run."""
        if name not in self.prepared:
            build(self)
            self.prepared.add(name)

    def flagged(self, role: str = "sender") -> set[str]:
        """Parties flagged by the hits so far: score at least `flag_score` with two or more distinct indicators
        (counter-indicators subtract points but never count as one of the two)."""
        points: dict[str, float] = {}
        rules: dict[str, set[str]] = {}
        for hit in self.hits:
            if hit.role == role:
                weight = self.weights.get(hit.rule, 1.0)
                points[hit.party] = points.get(hit.party, 0.0) + weight
                if weight > 0:
                    rules.setdefault(hit.party, set()).add(hit.rule)
        return {p for p, s in points.items() if s >= self.flag_score and len(rules.get(p, ())) >= 2}


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

