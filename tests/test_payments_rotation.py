"""Payment indicators for rotating accounts and collectors (R18, R19), the period-and-price test of R13, R14's main
recipients and counter-indicators that explain behaviour rules — each on a hand-built case, hit and near miss."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_payments import BUYER, _row, _score


def _buyer(i: int) -> dict[str, str]:
    return {**BUYER, "Sender Account": f"B{i}", "Sender Name": f"Sam {i}", "Sender Phone": f"+3361230{i:04d}"}


def _to(receiver: str, name: str = "Rosa Cruz", country: str = "PH") -> dict[str, str]:
    return {"Receiver Phone": receiver, "Receiver Name": name, "Receiver Country": country}


def _weekly(i: int, receiver: str, start: int, n: int = 5, eur: float = 30.0) -> list[dict[str, str]]:
    """A buyer the behaviour rules flag on their own: five round 30 EUR transfers a week apart (R1, R2, R3)."""
    return [{**_row(start + 7 * k, eur), **_buyer(i), **_to(receiver)} for k in range(n)]


def _row_of(result: dict[str, Any], party: str, side: str = "receivers") -> dict[str, Any]:
    return next(p for p in result[side] if p["party"] == party
                or party in {a["party"] for a in p.get("accounts_linked", [])})


A, B, C, D = "+639171110001", "+639171110002", "+639171110003", "+639171110004"


def test_senders_moving_together_link_two_accounts_into_one_row(tmp_path: Path) -> None:
    rows = [r for i in range(3) for r in _weekly(i, A, 0, 4) + _weekly(i, B, 40, 4)]
    result = _score(tmp_path / "hit", rows)
    row = _row_of(result, A)
    assert [a["party"] for a in row["accounts_linked"]] == sorted([A, B], key=lambda p: p)  # equal scores: by name
    assert row is _row_of(result, B) and sum(1 for p in result["receivers"] if p["party"] in (A, B)) == 1
    explanations = [r["explanation"] for r in row["reasons"] if r["rule"] == "R19"]
    assert explanations == [f"3 of its senders moved on to {B}, and it went quiet (a rotating account?)",
                            f"account {B}: 3 senders moved to it from {A}, which then went quiet (a rotating account?)"]
    assert [r["weight"] for r in row["reasons"] if r["rule"] == "R19"] == [1.0, 0.0]  # a rule counts once a row
    assert row["payments"] == 24 and row["phones"] == sorted([A, B]) and row["counterparties"] == 3
    # one sender moving is no rotation; nor is a move after a long pause
    single = _score(tmp_path / "one", _weekly(0, A, 0, 4) + _weekly(0, B, 40, 4) + _weekly(1, A, 0, 4))
    assert "R19" not in {r for p in single["receivers"] for r in p["rules"]}
    late = _score(tmp_path / "late", [r for i in range(3) for r in _weekly(i, A, 0, 4) + _weekly(i, B, 120, 4)])
    assert "R19" not in {r for p in late["receivers"] for r in p["rules"]}


def test_a_collector_passing_money_on_makes_its_payee_a_suspect(tmp_path: Path) -> None:
    buyers = [r for i in range(3) for r in _weekly(i, C, 0)]
    onward = [{**_row(10 + 10 * k, 80), "Sender Account": "", "Sender Name": "Collector", "Sender Phone": C,
               "Sender Country": "PH", **_to(D, "Dan Reyes")} for k in range(2)]
    result = _score(tmp_path / "hit", buyers + onward)
    assert "R12" in _row_of(result, C)["rules"]
    reasons = [r for r in _row_of(result, D)["reasons"] if r["rule"] == "R18"]
    assert [r["explanation"] for r in reasons] == ["received 2 onward payments (160 EUR) from 1 receiver that "
                                                   "flagged senders pay (R12), after that money arrived"]
    assert reasons[0]["evidence_count"] == 2
    once = _score(tmp_path / "once", buyers + onward[:1])
    assert "R18" not in {r for p in once["receivers"] for r in p["rules"]}


def test_sharing_an_account_is_not_sharing_the_behaviour(tmp_path: Path) -> None:
    """R13 for a sender who pays a flagged senders' receiver in their weeks and at their price; not for a relative
    who sends a monthly allowance all year to the same account."""
    buyers = [r for i in range(3) for r in _weekly(i, A, 100)]
    subtle = [{**_row(day, 35), **_buyer(7), **_to(A)} for day in (105, 112)]
    relative = [{**_row(28 * k + 3, 250), **_buyer(8), **_to(A)} for k in range(12)]
    result = _score(tmp_path, buyers + subtle + relative)
    assert "R13" in _row_of(result, "B7", "senders")["rules"]
    assert "R13" not in _row_of(result, "B8", "senders")["rules"]
    assert [r["explanation"] for r in _row_of(result, "B7", "senders")["reasons"] if r["rule"] == "R13"] == [
        "paid 1 recipient also paid by up to 3 other flagged senders, at their prices and within days of their "
        "payments"]
    # the period alone: a relative at the buyers' price, but all year round
    cheap = [{**_row(28 * k + 3, 30), **_buyer(9), **_to(A)} for k in range(12)]
    assert "R13" not in _row_of(_score(tmp_path / "cheap", buyers + subtle + cheap), "B9", "senders")["rules"]


def test_family_remittances_with_an_occasional_extra_recipient(tmp_path: Path) -> None:
    """Most transfers to two relatives, and one to each of three others (five recipients in all): still family-like,
    R14 counting the four most paid, as its condition says."""
    rows = [{**_row(14 * k, 120), **_to([A, B][k % 2])} for k in range(24)]
    rows += [{**_row(3 + 100 * k, 60), **_to(p)} for k, p in enumerate((C, D, "+639171110005"))]
    result = _score(tmp_path, rows)
    reasons = [r["explanation"] for r in result["senders"][0]["reasons"] if r["rule"] == "R14"]
    assert reasons and reasons[0].startswith("family-like: 27 transfers over 348 days, 26 of them to 4 recipients")


def test_micro_payments_explain_small_frequent_transfers(tmp_path: Path) -> None:
    rows = [{**_row(2 * k, 10, hour=23), **_to(A)} for k in range(8)]
    row = _score(tmp_path, rows)["senders"][0]
    weights = {r["rule"]: r["weight"] for r in row["reasons"]}
    assert weights["R16"] == -2.5 and weights["R1"] == 0.0 and weights["R3"] == 0.0 and weights["R6"] == 0.0
    assert weights["R2"] == 0.5 and not row["flagged"]
    assert any(r["explanation"].endswith("(explained by R16: micro-payments (counter-indicator))")
               for r in row["reasons"] if r["rule"] == "R1")


def test_rotating_accounts_show_as_one_row_in_the_report_and_the_table(tmp_path: Path) -> None:
    from conftest import invoke
    from test_payments import _write

    rows = [r for i in range(3) for r in _weekly(i, A, 0, 4) + _weekly(i, B, 40, 4)]
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "p", "--examiner", "e")
    invoke("payments", "import", _write(tmp_path / "t.csv", rows), "--case", case)
    table = invoke("payments", "score", "--case", case, env={"COLUMNS": "200"}).output
    assert f"│ 3.0   │ {A} (+1 account) │ Rosa Cruz" in table
    invoke("payments", "report", "--case", case, "--out", tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"ranked as one with 1 other account (R19): {B}" in html


def test_a_buyer_whose_family_remittances_are_set_aside_still_counts_as_flagged(tmp_path: Path) -> None:
    """Found by the independent pandas baseline: a sender the ranking flags (R14 set aside by R10) must count as a
    flagged payer for the network rules, since they flag by the ranking's own sum."""
    from conftest import invoke
    from test_payments import _write

    b1 = [{**_row(3 * k, 30, message="session"), **_buyer(1), **_to(A)} for k in range(6)]
    home = [{**_row(20 * k, 150, message="family"), **_buyer(2), **_to(B, "Ana Cruz")} for k in range(10)]
    h1 = [{**_row(day, 30, message="session"), **_buyer(2), **_to(A)} for day in (2, 5)]
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "p", "--examiner", "e")
    invoke("payments", "import", _write(tmp_path / "t.csv", b1 + home + h1), "--case", case)
    invoke("payments", "evidence", "B2", "--case", case, "--kind", "account", "--source", "chat export")
    from winnow.payments.scoring import score
    from winnow.store.case import Case

    result = score(Case(case))
    h = _row_of(result, "B2", "senders")
    assert h["flagged"] and {r["rule"]: r["weight"] for r in h["reasons"]}["R14"] == 0.0
    assert "R12" in _row_of(result, A)["rules"]


def test_two_facilitators_that_buyers_keep_paying_stay_two_rows(tmp_path: Path) -> None:
    """Review finding: buyers who also start paying a second facilitator do not make it the first one's next
    account while the first is still paid (it never goes quiet)."""
    rows = [r for i in range(3) for r in _weekly(i, A, 0, 4)] + _weekly(2, A, 35, 5)  # buyer 2 stays with A
    rows += [r for i in range(3, 6) for r in _weekly(i, B, 0, 6)] + [r for i in range(2) for r in _weekly(i, B, 40)]
    result = _score(tmp_path, rows)
    assert "R19" not in {r for p in result["receivers"] for r in p["rules"]}
    assert {p["party"] for p in result["receivers"]} >= {A, B}


def test_a_collectors_bills_paid_before_the_money_came_are_not_onward_payments(tmp_path: Path) -> None:
    buyers = [r for i in range(3) for r in _weekly(i, C, 100)]
    bills = [{**_row(day, 25), "Sender Account": "", "Sender Name": "Collector", "Sender Phone": C,
              "Sender Country": "PH", **_to(D, "Power Co")} for day in (5, 35)]
    result = _score(tmp_path / "before", buyers + bills)
    assert "R18" not in {r for p in result["receivers"] for r in p["rules"]}
    # after the money came, but to a payee that many unflagged households pay: a utility, not a facilitator
    later = [{**b, "Date Time": b["Date Time"].replace("2025-01", "2025-06").replace("2025-02", "2025-07")}
             for b in bills]
    households = [{**_row(10 + k, 30), **_buyer(100 + k), "Sender Country": "PH", **_to(D, "Power Co")}
                  for k in range(6)]
    busy = _score(tmp_path / "busy", buyers + later + households)
    assert "R18" not in {r for p in busy["receivers"] for r in p["rules"]}
    assert "R18" in {r for p in _score(tmp_path / "quiet", buyers + later)["receivers"] for r in p["rules"]}


def test_r13_counts_payments_near_flagged_ones_not_the_whole_span(tmp_path: Path) -> None:
    """Review finding: flagged buyers in January and in December do not make a relative's monthly allowance in
    between "in their weeks"."""
    buyers = [r for i in range(3) for r in _weekly(i, A, 0)] + [r for i in range(3, 6) for r in _weekly(i, A, 330)]
    relative = [{**_row(28 * k + 3, 30), **_buyer(9), **_to(A)} for k in range(12)]
    assert "R13" not in _row_of(_score(tmp_path, buyers + relative), "B9", "senders")["rules"]


def test_the_price_test_alone(tmp_path: Path) -> None:
    buyers = [r for i in range(3) for r in _weekly(i, A, 100)]
    dearer = [{**_row(day, 120), **_buyer(7), **_to(A)} for day in (105, 112)]  # in their weeks, 4x their price
    assert "R13" not in _row_of(_score(tmp_path, buyers + dearer), "B7", "senders")["rules"]


def test_micro_payments_are_set_aside_by_direct_evidence(tmp_path: Path) -> None:
    from conftest import invoke
    from test_payments import _write

    rows = [{**_row(3 * k, 12, hour=23), **_to(A)} for k in range(8)]
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "p", "--examiner", "e")
    invoke("payments", "import", _write(tmp_path / "t.csv", rows), "--case", case)
    invoke("payments", "evidence", "AC1", "--case", case, "--kind", "account", "--source", "chat export")
    from winnow.payments.scoring import score
    from winnow.store.case import Case

    row = score(Case(case))["senders"][0]
    weights = {r["rule"]: r["weight"] for r in row["reasons"]}
    assert weights["R16"] == 0.0 and weights["R10"] == 2.0 and weights["R1"] == 1.0 and row["flagged"]


def test_a_few_cheap_payers_do_not_hide_a_facilitator(tmp_path: Path) -> None:
    """Review finding: four payers of 12 EUR top-ups (R16) beside three buyers at session prices leave the
    receiver in the network evidence: its own median is a session's price."""
    buyers = [r for i in range(3) for r in _weekly(i, A, 0)]
    cheap = [{**_row(2 * k + j, 12), **_buyer(20 + j), **_to(A)} for j in range(4) for k in range(3)]
    assert "R12" in _row_of(_score(tmp_path, buyers + cheap), A)["rules"]


def test_placeholder_and_foreign_unlisted_numbers_name_nobody() -> None:
    from winnow.identifiers.normalise import phone

    assert phone("00000000000", "PH") is None and phone("1111111111", "US") is None
    assert phone("0000000000", "CO") is None and phone("1212121212", "US") is None
    assert phone("+573340188232", "CO") == "+573340188232" and phone("+573340188232", "PH") is None


def test_parquet_import_applies_the_phone_checks_to_canonical_looking_numbers(tmp_path: Path) -> None:
    """Found by the independent baseline: E.164-shaped values skipped the normaliser on the Parquet path."""
    import duckdb

    from winnow.payments.parquet import import_parquet
    from winnow.payments.store import connect
    from winnow.store.case import create_case

    raw = tmp_path / "raw.parquet"
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES "
                "('P1', TIMESTAMP '2025-01-01 12:00:00', 30.0, 'EUR', 'a', 'GB', '+631111111111', 'x', 'PH', "
                "'+639171230001'), "
                "('P2', TIMESTAMP '2025-01-02 12:00:00', 30.0, 'EUR', 'b', 'GB', '+639001234567', 'y', 'PH', "
                "'+639171230002'), "
                "('P3', TIMESTAMP '2025-01-03 12:00:00', 30.0, 'EUR', 'c', 'GB', '+447700900123', 'z', 'PH', "
                "'+639001234567')) AS v(txn_id, time_utc, amount, currency, sender_name, sender_country, "
                "sender_phone, receiver_name, receiver_country, receiver_phone)")
    con.execute(f"COPY t TO '{raw}' (FORMAT parquet)")
    case = create_case(tmp_path / "case", name="p", examiner="e")
    import_parquet(case, raw)
    conn = connect(case)
    try:
        got = conn.execute("SELECT txn_id, sender_phone, receiver_phone FROM transactions ORDER BY txn_id").fetchall()
    finally:
        conn.close()
    # a placeholder and a foreign unlisted number name nobody; a GB number for a GB sender and an unlisted PH
    # range for a PH receiver are kept
    assert got == [("P1", None, "+639171230001"), ("P2", None, "+639171230002"), ("P3", "+447700900123",
                                                                                   "+639001234567")]
