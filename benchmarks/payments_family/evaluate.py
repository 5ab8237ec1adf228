"""Score a scenario as an investigator would (fresh case, `payments import` with the operator's mapping, `payments
score`) and measure the ranking against the labels, which winnow never sees.

A ranked row is an entity (parties merged on shared identifiers); it is matched to labelled persons through the
identifiers it lists (a name-only entity through its name, when that name belongs to one person only). Measures:
- precision@50: share of the top 50 senders that belong to the exploitation network (buyer, facilitator or mule);
- buyer recall@N (N = planted buyers): share of buyers with an identity among the top N senders, overall and per
  behaviour;
- look-alikes@N: top-N senders that are hard negatives, per kind (plain background counted apart);
- facilitator recall@2F: share of facilitators with an identity among the top 2F receivers (mules and look-alike
  receivers in the top 2F counted apart)."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NETWORK = ("buyer", "facilitator", "mule")
BEHAVIOURS = ("subscriber", "bursty", "escalating", "subtle")
LOOKALIKES = ("diaspora_regular", "diaspora_night", "diaspora_small", "payroll", "freelance", "charity", "gaming",
              "tuition")


@dataclass
class Truth:
    roles: dict[str, tuple[str, str]] = field(default_factory=dict)        # person -> (role, kind)
    by_value: dict[str, str] = field(default_factory=dict)                # identifier value -> person
    by_name: dict[str, set[str]] = field(default_factory=dict)            # normalised name -> persons

    def add(self, person: str, role: str, kind: str, identifiers: list[str],
            names: list[str] | None = None) -> None:
        from winnow.identifiers.normalise import name as normalise

        self.roles[person] = (role, kind)
        for identifier in identifiers:
            self.by_value[identifier.split(":", 1)[-1]] = person
        for raw in names or []:
            key = normalise(raw)
            if key:
                self.by_name.setdefault(key, set()).add(person)

    def persons(self, identifiers: list[str]) -> list[str]:
        """The labelled persons behind one ranked entity (its identifiers, `kind:value`)."""
        found = [self.by_value[v] for v in (i.split(":", 1)[-1] for i in identifiers) if v in self.by_value]
        if not found:
            for identifier in identifiers:
                kind, _, value = identifier.partition(":")
                owners = self.by_name.get(value, set()) if kind == "name" else set()
                if len(owners) == 1:
                    found.append(next(iter(owners)))
        return list(dict.fromkeys(found))

    def count(self, role: str, kind: str | None = None) -> int:
        return sum(1 for r, k in self.roles.values() if r == role and (kind is None or k == kind))


def family_truth(labels_path: Path) -> Truth:
    truth = Truth()
    for person, label in json.loads(labels_path.read_text(encoding="utf-8"))["persons"].items():
        truth.add(person, label["role"], label["kind"], label["identifiers"], label["names"])
    return truth


def project_truth(labels_path: Path) -> Truth:
    """The labels of `winnow payments sample-data` (identifier lists per role) in the same shape."""
    data = json.loads(labels_path.read_text(encoding="utf-8"))
    truth = Truth()
    intensity = data.get("intensity", {})
    for value in data.get("buyers", []):
        truth.add(f"b:{value}", "buyer", str(intensity.get(value, "buyer")), [value])
    for value in data.get("facilitators", []):
        truth.add(f"f:{value}", "facilitator", "facilitator", [value])
    for value in data.get("diaspora", []):
        truth.add(f"d:{value}", "negative", "diaspora_regular", [value])
    for value in data.get("background", []):
        truth.add(f"g:{value}", "background", "background", [value])
    return truth


def _role(truth: Truth, persons: list[str]) -> tuple[str, str]:
    """One entity's label: a network role wins over a negative one (the merge found the offender)."""
    labels = [truth.roles[p] for p in persons]
    for wanted in NETWORK:
        for role, kind in labels:
            if role == wanted:
                return role, kind
    return labels[0] if labels else ("unknown", "unknown")


def metrics(senders: list[list[str]], receivers: list[list[str]], truth: Truth) -> dict[str, Any]:
    """The measures for one ranking; `senders`/`receivers` are the ranked entities' identifier lists, best first."""
    n_buyers = truth.count("buyer")
    n_fac = truth.count("facilitator")
    top50 = [_role(truth, truth.persons(ids))[0] for ids in senders[:50]]
    found: set[str] = set()
    looks: Counter[str] = Counter()
    for ids in senders[:n_buyers]:
        persons = truth.persons(ids)
        found.update(p for p in persons if truth.roles[p][0] == "buyer")
        role, kind = _role(truth, persons)
        if role in ("negative", "background", "unknown"):
            looks[kind if role == "negative" else role] += 1
    per: dict[str, list[int]] = {}
    for person, (role, kind) in truth.roles.items():
        if role == "buyer":
            entry = per.setdefault(kind, [0, 0])
            entry[1] += 1
            entry[0] += person in found
    fac_found: set[str] = set()
    receivers_top: Counter[str] = Counter()
    for ids in receivers[: 2 * n_fac]:
        persons = truth.persons(ids)
        fac_found.update(p for p in persons if truth.roles[p][0] == "facilitator")
        role, kind = _role(truth, persons)
        receivers_top[kind if role == "negative" else role] += 1
    negatives = sum(v for k, v in looks.items() if k not in ("background", "unknown"))
    return {
        "buyers": n_buyers, "facilitators": n_fac,
        "precision_at_50": sum(r in NETWORK for r in top50) / 50,
        "buyer_recall": len(found) / n_buyers if n_buyers else 0.0,
        "recall_by_behaviour": {k: (v[0] / v[1], v[0], v[1]) for k, v in sorted(per.items())},
        "lookalikes": negatives, "lookalike_share": negatives / n_buyers if n_buyers else 0.0,
        "lookalikes_by_kind": dict(sorted(looks.items())),
        "facilitator_recall": len(fac_found) / n_fac if n_fac else 0.0,
        "receivers_top_2f": dict(sorted(receivers_top.items())),
    }


def run_case(csv_path: Path, mapping: Path | None, truth: Truth, work: Path) -> dict[str, Any]:
    """Fresh case, import through the mapping, score with the shipped ruleset, measure."""
    from winnow.payments.loaders import import_file
    from winnow.payments.scoring import score
    from winnow.store.case import create_case

    case = create_case(work / "case", name="independent evaluation", examiner="benchmark")
    start = time.perf_counter()
    imported = import_file(case, csv_path, "mto", mapping)
    import_s = time.perf_counter() - start
    start = time.perf_counter()
    result = score(case, None, [])
    score_s = time.perf_counter() - start
    out = metrics([p["identifiers"] + [p["entity"]] for p in result["senders"]],
                  [p["identifiers"] + [p["entity"]] for p in result["receivers"]], truth)
    out.update({"rows": imported.rows, "import_errors": imported.errors, "import_s": import_s, "score_s": score_s,
                "ranked_senders": len(result["senders"]), "ranked_receivers": len(result["receivers"])})
    return out


def run_seed(seed: int, work: Path, scale: float = 1.0) -> dict[str, Any]:
    from .generator import generate

    start = time.perf_counter()
    summary = generate(work / "data", seed, scale)
    generate_s = time.perf_counter() - start
    out = run_case(work / "data" / "transactions.csv", work / "data" / "mapping.yaml",
                   family_truth(work / "data" / "labels.json"), work)
    out.update({"seed": seed, "generate_s": generate_s, "sha256": summary["sha256"]})
    return out


def _pct(value: float) -> str:
    return f"{value:.2f}"


def table(results: list[dict[str, Any]], title: str) -> str:
    """Per-seed rows and the mean and spread (sd, min-max) over the seeds, as Markdown."""
    seen = {b for r in results for b in r["recall_by_behaviour"]}
    behaviours = [b for b in BEHAVIOURS if b in seen] + sorted(seen - set(BEHAVIOURS))
    head = ["seed", "rows", "B", "F", "P@50", "recall@N", *behaviours, "look-alikes@N", "fac@2F"]
    lines = [f"**{title}**", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        per = r["recall_by_behaviour"]
        cells = [str(r["seed"]), str(r["rows"]), str(r["buyers"]), str(r["facilitators"]),
                 _pct(r["precision_at_50"]), _pct(r["buyer_recall"]),
                 *[f"{per[b][0]:.2f} ({per[b][1]}/{per[b][2]})" if b in per else "-" for b in behaviours],
                 f"{r['lookalikes']} ({100 * r['lookalike_share']:.0f} %)", _pct(r["facilitator_recall"])]
        lines.append("| " + " | ".join(cells) + " |")
    if len(results) > 1:
        def spread(values: list[float]) -> str:
            if len(values) < 2:
                return f"{statistics.mean(values):.2f}" if values else "-"
            mean, sd = statistics.mean(values), statistics.stdev(values)
            return f"{mean:.2f} ± {sd:.2f} [{min(values):.2f}-{max(values):.2f}]"

        cells = ["mean ± sd [min-max]", "", "", "", spread([r["precision_at_50"] for r in results]),
                 spread([r["buyer_recall"] for r in results]),
                 *[spread([r["recall_by_behaviour"][b][0] for r in results if b in r["recall_by_behaviour"]])
                   for b in behaviours],
                 spread([100 * r["lookalike_share"] for r in results]) + " %",
                 spread([r["facilitator_recall"] for r in results])]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "look-alike senders in the top N by kind, and the top 2F receivers by role:", ""]
    for r in results:
        looks = ", ".join(f"{k} {v}" for k, v in r["lookalikes_by_kind"].items()) or "none"
        recv = ", ".join(f"{k} {v}" for k, v in r["receivers_top_2f"].items())
        lines.append(f"- seed {r['seed']}: senders: {looks}; receivers: {recv} "
                     f"(import {r['import_s']:.1f} s, {r['import_errors']} bad rows; score {r['score_s']:.1f} s)")
    return "\n".join(lines)
