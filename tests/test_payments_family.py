"""The independent payments evaluation family (benchmarks/payments_family): deterministic per seed, labels kept out
of what winnow imports, and measures that are right on a hand-made ranking."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parents[1] / "benchmarks"))

from payments_family.evaluate import Truth, family_truth, metrics  # noqa: E402
from payments_family.generator import HEADER, draw_params, generate  # noqa: E402

TINY = 0.03
LABEL_WORDS = ("buyer", "facilitator", "mule", "subscriber", "bursty", "escalating", "subtle", "diaspora",
               "payroll", "freelance", "charity", "gaming", "negative", "background", "family_recipient",
               "game_reseller", "lookalike", "look-alike", "role", "label")


def test_generator_is_deterministic_per_seed(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", seed=3, scale=TINY)
    again = generate(tmp_path / "b", seed=3, scale=TINY)
    other = generate(tmp_path / "c", seed=4, scale=TINY)
    assert first == again
    assert (tmp_path / "a" / "labels.json").read_bytes() == (tmp_path / "b" / "labels.json").read_bytes()
    assert first["rows"] == 4038
    assert first["sha256"] == "2418653045891f283c6e7585eca520f1aaaf086ca4382fcf1c1d4ef1ba6f9346"
    assert {k: v for k, v in first["counts"].items() if not k.startswith("negative/")} == {
        "background/background": 759, "buyer/bursty": 2, "buyer/escalating": 2, "buyer/subscriber": 2,
        "buyer/subtle": 3, "facilitator/facilitator": 3, "mule/mule": 3}
    assert other["sha256"] != first["sha256"]
    assert draw_params(3)["days"] != draw_params(4)["days"]  # every seed draws its own shape


def test_labels_never_reach_the_imported_file(tmp_path: Path) -> None:
    from winnow.payments.loaders import import_file
    from winnow.payments.scoring import score
    from winnow.store.case import create_case

    data = tmp_path / "data"
    summary = generate(data, seed=5, scale=TINY)
    labels = json.loads((data / "labels.json").read_text(encoding="utf-8"))
    for name in ("transactions.csv", "mapping.yaml"):
        text = (data / name).read_text(encoding="utf-8").casefold()
        for word in LABEL_WORDS:
            assert word not in text, (name, word)
        for person in labels["persons"]:
            assert person not in text
    with (data / "transactions.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        assert tuple(next(reader)) == HEADER
        unusable = sum(1 for row in reader if row[2] in ("", "n/a", "-"))
    # imported as a user would: a fresh case, the operator's mapping; the bad amounts become stored errors
    case = create_case(tmp_path / "case", name="t", examiner="t")
    result = import_file(case, data / "transactions.csv", "mto", data / "mapping.yaml")
    assert (result.rows + result.errors, result.errors, unusable) == (summary["rows"], 1, 1)
    truth = family_truth(data / "labels.json")
    ranked = score(case, None, [])
    for entity in ranked["senders"] + ranked["receivers"]:  # every ranked party is traced back to its label
        assert truth.persons(entity["identifiers"] + [entity["entity"]]), entity["entity"]


def _truth() -> Truth:
    truth = Truth()
    truth.add("b1", "buyer", "subscriber", ["account:A1", "phone:+61400000001"])
    truth.add("b2", "buyer", "subscriber", ["account:A2"])
    truth.add("b3", "buyer", "subtle", ["account:A3"])
    truth.add("b4", "buyer", "bursty", ["account:A4"])
    truth.add("f1", "facilitator", "facilitator", ["phone:+639170000001", "wallet:W1"])
    truth.add("f2", "facilitator", "facilitator", ["phone:+639170000002"])
    truth.add("m1", "mule", "mule", ["phone:+639170000003", "account:M1"])
    truth.add("d1", "negative", "diaspora_small", ["account:D1"], ["Maria  SANTOS"])
    truth.add("g1", "negative", "gaming", ["account:G1"])
    truth.add("r1", "negative", "game_reseller", ["wallet:R1"])
    truth.add("x1", "background", "background", ["account:X1"], ["John Doe"])
    truth.add("x2", "background", "background", ["account:X2"], ["john doe"])
    return truth


def test_metrics_on_a_hand_made_ranking() -> None:
    senders = [["account:A1"], ["account:D1"], ["account:A2", "phone:+61499999999"], ["name:maria santos"],
               ["account:G1", "account:A4"], ["account:A3"], ["account:M1"], ["account:X1"]]
    receivers = [["wallet:R1"], ["phone:+639170000002"], ["account:M1", "phone:+639170000003"],
                 ["name:john doe"], ["wallet:W1"]]
    m = metrics(senders, receivers, _truth())
    assert (m["buyers"], m["facilitators"]) == (4, 2)
    # top 50: b1, b2, the merged entity (a buyer inside wins), b3, the mule: 5 of 50
    assert m["precision_at_50"] == pytest.approx(0.10)
    # top N = 4: b1, b2 found; the diaspora sender twice (account, then its unique name)
    assert m["buyer_recall"] == pytest.approx(0.5)
    assert m["recall_by_behaviour"] == {"bursty": (0.0, 0, 1), "subscriber": (1.0, 2, 2), "subtle": (0.0, 0, 1)}
    assert (m["lookalikes"], m["lookalike_share"], m["lookalikes_by_kind"]) == (2, 0.5, {"diaspora_small": 2})
    # top 2F = 4 receivers: f2 found, f1 (5th) not; an ambiguous name stays unknown
    assert m["facilitator_recall"] == pytest.approx(0.5)
    assert m["receivers_top_2f"] == {"facilitator": 1, "game_reseller": 1, "mule": 1, "unknown": 1}
