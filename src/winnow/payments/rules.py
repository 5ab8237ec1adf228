"""The registry of payment indicators (`RULES`, an explicit tuple: adding an indicator is one `Rule` in one
module of `indicators/` plus its parameters in `presets/ruleset.yaml`) and the run over a case's transactions.

Senders are possible buyers, receivers possible facilitators; a party is its entity (parties sharing an identifier
are merged, see entities.py). Every rule is one DuckDB query, so 10M transactions run through all of them in
under a minute on two cores; Python only formats the explanations. Rules of stage 2 read the hits of stage 1 (who
is already flagged), so the network indicators build on the behaviour indicators without a circle."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from winnow.payments import entities
from winnow.payments.indicators import behaviour, counter, fan, links, network, rotation
from winnow.payments.indicators.base import EVIDENCE_CAP, Hit, Rule, RuleContext

__all__ = ["EVIDENCE_CAP", "Hit", "RULES", "RULE_BY_ID", "Rule", "by_id", "docs_table", "evaluate", "load_ruleset",
           "register_entities"]

RULES: tuple[Rule, ...] = (
    Rule("R1", "sender", "small cross-border transfers",
         "≥ {min_payments} cross-border transfers of ≤ {max_eur} EUR to a high-risk country", behaviour.r1),
    Rule("R2", "sender", "round amounts",
         "≥ {min_share:.0%} of ≥ {min_payments} such transfers are round amounts (multiples of {multiple_of} in the "
         "sent currency)", behaviour.r2),
    Rule("R3", "sender", "prolific cadence",
         "≥ {min_payments} transfers with median ≤ {max_median_eur} EUR and median gap ≤ {max_median_gap_days} days",
         behaviour.r3),
    Rule("R4", "sender", "fan-out",
         "≥ {min_recipients} distinct recipients (by entity and by address) in high-risk countries "
         "within {window_days} days", fan.r4),
    Rule("R5", "receiver", "fan-in",
         "paid by ≥ {min_senders} distinct foreign senders within {window_days} days (facilitator)", fan.r5),
    Rule("R6", "sender", "night-time transfers",
         "≥ {min_share:.0%} of ≥ {min_payments} transfers between {night_from}:00 and {night_to}:00 sender local time",
         behaviour.r6),
    Rule("R7", "sender", "cover narrative or handle in the reference",
         "a reference with a cover narrative or a platform/handle word (editable EN/FR/Filipino list)", behaviour.r7),
    Rule("R8", "sender", "escalation",
         "frequency and median amount both rising over {windows} windows (≥ {min_payments} transfers)", behaviour.r8),
    Rule("R9", "both", "near a known facilitator",
         "within {max_hops} hops (payer/payee links) of an entity holding a `--seed` identifier (known facilitator)",
         links.r9),
    Rule("R10", "both", "identifier found in case evidence",
         "a party identifier or reference number (e.g. a transfer control number) also found in case evidence "
         "(`winnow payments evidence IDENT --kind ... --source ...`, fed by chat and screen leads)", links.r10),
    Rule("R11", "sender", "crypto micro-payments to listed addresses",
         "≥ {min_payments} crypto payments of ≤ {max_eur} EUR to the addresses listed in the ruleset", links.r11),
    Rule("R12", "receiver", "shared by flagged senders",
         "paid by ≥ {min_flagged_senders} senders that stage-1 indicators flag on their own behaviour, ≥ "
         "{min_flagged_share:.0%} of all who pay it", network.r12,
         stage=2),
    Rule("R13", "sender", "pays a receiver shared by flagged senders",
         "paid a recipient that ≥ {min_flagged_senders} other senders flagged by stage-1 indicators also paid (≥ "
         "{min_flagged_share:.0%} of its payers), ≥ {min_in_period:.0%} of the payments within {slack_days} days of "
         "one of theirs and at a median ≤ {max_amount_ratio}× theirs",
         network.r13, stage=2),
    Rule("R14", "sender", "family-like remittances (counter-indicator)",
         "≥ {min_payments} transfers over ≥ {min_days} days, ≥ {min_share:.0%} of them to ≤ {max_recipients} "
         "recipients each paid by ≤ {max_senders_per_recipient} senders, at regular intervals (gap variation ≤ "
         "{max_gap_variation})", counter.r14, set_aside_by=("R9", "R10", "R13"), explains=("R3", "R4", "R8")),
    Rule("R15", "sender", "payroll-like payments (counter-indicator)",
         "≥ {min_recipients} recipients each paid ≥ {min_payments_each} times every {min_gap_days}–{max_gap_days} "
         "days a stable amount (largest ≤ {max_amount_spread}× smallest, median ≥ {min_median_eur} EUR)",
         counter.r15, set_aside_by=("R9", "R10", "R13")),
    Rule("R16", "sender", "micro-payments (counter-indicator)",
         "≥ {min_payments} transfers with a median below {below_eur} EUR, or most of them to shops: receivers paid by "
         "≥ {shop_min_senders} senders with a median below {below_eur} EUR (a session costs 15–50 EUR in published "
         "cases; game top-ups and mobile load are smaller). Shops never count for R12/R13", counter.r16,
         set_aside_by=("R9", "R10", "R13"), explains=("R1", "R3", "R6")),
    Rule("R17", "receiver", "shop-like receiver (counter-indicator)",
         "a receiver that R16 calls a shop (paid by ≥ R16's shop_min_senders senders with a median below its "
         "below_eur)", counter.r17),
    Rule("R18", "receiver", "paid by a collector",
         "≥ {min_payments} onward payments (in-country too) from a receiver that R12 finds paid by flagged senders, "
         "made after the first flagged payment reached it, to a payee that fewer than {max_other_senders} other "
         "unflagged senders pay (a money mule passing the money on)", rotation.r18, stage=3),
    Rule("R19", "receiver", "rotating account",
         "≥ {min_movers} senders (each with ≤ {max_recipients} recipients), ≥ {min_mover_share:.0%} of the payers a "
         "receiver had in its last {active_days} days, whose last payment to it is followed within {max_gap_days} "
         "days by their first to another, and nobody pays the first later than {quiet_days} days after; the "
         "accounts are ranked as one row",
         rotation.r19, stage=2),
)


RULE_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def _check(rules: tuple[Rule, ...]) -> None:
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise ValueError(f"payment rule ids must be unique: {ids}")


def by_id(rule_id: str) -> Rule:
    for rule in RULES:
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)


def order(rule_id: str) -> int:
    """A rule's place in the registry (unknown ids last): explanations are listed in this order."""
    for i, rule in enumerate(RULES):
        if rule.id == rule_id:
            return i
    return len(RULES)


def load_ruleset(path: Path | None = None) -> dict[str, Any]:
    import yaml

    text = path.read_text(encoding="utf-8") if path else \
        resources.files("winnow.payments").joinpath("presets/ruleset.yaml").read_text(encoding="utf-8")
    ruleset = yaml.safe_load(text)
    if not isinstance(ruleset, dict) or not isinstance(ruleset.get("rules"), dict):
        raise ValueError("a ruleset needs a 'rules' section (see the shipped default)")
    known = {r.id for r in RULES}
    unknown = sorted(set(ruleset["rules"]) - known)
    if unknown:
        raise ValueError(f"unknown rule(s) in the ruleset: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return ruleset


def register_entities(conn: Any) -> None:
    """Entities (temp tables `entity_map`, `entity_reasons`) and the temp view `keyed` (transactions with their
    sender entity `s` and receiver entity `r`) for this connection."""
    entities.register(conn)
    entities.keyed_view(conn)


def _cross_border(conn: Any, high_risk: list[str]) -> None:
    """Temp table `pay`: cross-border payments to high-risk countries, the input of the behaviour rules."""
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE pay AS SELECT s, r, txn_id, time_utc AS t, sender_local_time AS lt, amount, "
        "amount_eur AS eur, reference, receiver_address, sender_country, receiver_country FROM keyed "
        "WHERE receiver_country IN (SELECT unnest($1::VARCHAR[])) "
        "AND coalesce(sender_country, '') <> coalesce(receiver_country, '')", [high_risk])


def weights(ruleset: Mapping[str, Any]) -> dict[str, float]:
    return {rule: float(params.get("weight", 1.0)) for rule, params in ruleset["rules"].items()}


def evaluate(conn: Any, ruleset: dict[str, Any], seeds: list[str] | None = None) -> list[Hit]:
    """All rule hits, stage by stage; `register_entities(conn)` must have run on this connection."""
    _check(RULES)
    high_risk = [str(c).upper() for c in ruleset.get("high_risk_countries", [])]
    params = ruleset["rules"]
    _cross_border(conn, high_risk)
    ctx = RuleContext(conn, list(seeds or []), weights(ruleset), float(ruleset.get("flag_score", 3.0)), params,
                      rules=RULE_BY_ID)
    for stage in sorted({r.stage for r in RULES}):
        found: list[Hit] = []
        for rule in RULES:
            if rule.stage == stage and rule.id in params:
                found.extend(rule.run(ctx, params[rule.id]))
        ctx.hits.extend(found)
    return ctx.hits


def docs_table(ruleset: Mapping[str, Any] | None = None) -> str:
    """The markdown table of the indicators with the shipped (or given) parameters: docs/payments.md carries it
    between markers and a test keeps the two equal."""
    ruleset = ruleset or load_ruleset()
    params = ruleset["rules"]
    lines = ["| rule | for | fires when (default parameters) | weight |", "|---|---|---|---|"]
    for rule in RULES:
        p = params.get(rule.id, {})
        aside = f"; set aside when {' or '.join(rule.set_aside_by)} fires" if rule.set_aside_by else ""
        aside += f"; when it stands, {', '.join(rule.explains)} give no points" if rule.explains else ""
        lines.append(f"| {rule.id} | {rule.role} | {rule.describe(p)}{aside} | {float(p.get('weight', 1.0)):g} |")
    return "\n".join(lines)
