"""Payments: import (generic MTO CSV through the shipped mapping), every rule on hand-built cases (hit and
near-miss), scoring without demographics, the labelled scenario end to end."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke, invoke_json
from winnow.payments.generator import FIELDS
from winnow.payments.loaders import import_mto
from winnow.payments.scoring import score
from winnow.store.case import create_case

BUYER = {"Sender Name": "Alex Martin", "Sender Phone": "+33612345678", "Sender Country": "FR",
         "Sender Account": "AC1", "Channel": "money_transfer", "Send Currency": "EUR", "Agent Location": "Online"}
RECEIVERS = [{"Receiver Name": f"Rosa {s}", "Receiver Phone": f"+6391712345{i:02d}", "Receiver Country": "PH"}
             for i, s in enumerate(["Cruz", "Reyes", "Santos", "Flores", "Ramos", "Aquino"])]


def _row(day: int, eur: float, receiver: int = 0, hour: int = 14, message: str = "", **extra: str) -> dict[str, str]:
    row = {**BUYER, **RECEIVERS[receiver], "Date Time": f"2025-{1 + day // 28:02d}-{1 + day % 28:02d} {hour:02d}:10:00",
           "Send Amount": f"{eur:.2f}", "Message": message, "Receiver Wallet": ""}
    row.update(extra)
    return row


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    """A generic MTO export (the shipped mapping's columns) of the given rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow({"Transaction ID": f"T{i}", **row})
    return path


def _score(tmp_path: Path, rows: list[dict[str, str]]) -> dict[str, Any]:
    case = create_case(tmp_path / "case", name="p", examiner="e")
    path = _write(tmp_path / "t.csv", rows)
    import_mto(case, path)
    return score(case)


def _rules(result: dict[str, Any], role: str = "senders") -> set[str]:
    return {r for p in result[role] for r in p["rules"]}


@pytest.mark.parametrize("rule,hit,miss", [
    ("R1", [_row(1, 150), _row(9, 160)], [_row(1, 250), _row(9, 260)]),
    ("R2", [_row(1, 25), _row(9, 30), _row(19, 45)], [_row(1, 27.3), _row(9, 31.1), _row(19, 44.9)]),
    ("R3", [_row(7 * k, 30) for k in range(5)], [_row(30 * k, 30) for k in range(5)]),
    ("R4", [_row(1, 60, 0), _row(20, 60, 1), _row(40, 60, 2)],
     [_row(1, 60, 0), _row(20, 60, 0), _row(150, 60, 1)]),
    ("R6", [_row(1, 60, hour=23), _row(9, 60, hour=2), _row(19, 60, hour=23), _row(29, 60)],
     [_row(1, 60, hour=23), _row(9, 60), _row(19, 60), _row(29, 60)]),
    ("R7", [_row(1, 60, message="school fees")], [_row(1, 60, message="rent march")]),
    ("R8", [_row(1, 20), _row(60, 25), _row(70, 25), _row(100, 40), _row(105, 40), _row(110, 45)],
     [_row(1, 40), _row(40, 40), _row(60, 40), _row(80, 40), _row(100, 40), _row(119, 40)]),
])
def test_each_rule_hits_and_misses(tmp_path: Path, rule: str, hit: list[dict[str, str]],
                                   miss: list[dict[str, str]]) -> None:
    assert rule in _rules(_score(tmp_path / "hit", hit))
    assert rule not in _rules(_score(tmp_path / "miss", miss))


def test_fan_in_to_a_receiver(tmp_path: Path) -> None:
    def senders(n: int) -> list[dict[str, str]]:
        return [_row(3 * i, 40, **{"Sender Account": f"AC{i}", "Sender Name": f"Sam {i}",
                                   "Sender Phone": f"+3361234{i:04d}"}) for i in range(n)]

    hit = _score(tmp_path / "hit", senders(5))
    assert "R5" in _rules(hit, "receivers") and hit["receivers"][0]["party"] == RECEIVERS[0]["Receiver Phone"]
    assert "R5" not in _rules(_score(tmp_path / "miss", senders(4)), "receivers")


def test_family_remittances_are_not_fan_out(tmp_path: Path) -> None:
    family = [{**r, "Receiver Name": f"Rosa Martin{'' if i < 3 else ' Jr'}"} for i, r in enumerate(RECEIVERS)]
    rows = [{**_row(30 * k, 300), **family[k % 2]} for k in range(10)]
    result = _score(tmp_path, rows)
    assert not any(p["flagged"] for p in result["senders"])


def test_no_demographic_input(tmp_path: Path) -> None:
    """Scores do not change when every name is replaced by an unrelated pseudonym (not even surname equality is
    kept: no rule reads a name); no rule reads anything about who a person is."""
    rows = [_row(7 * k, 30, k % 4, hour=23 if k % 2 else 12, message="load" if k == 3 else "") for k in range(8)]
    rows += [{**_row(30 * k, 300), "Receiver Name": "Rosa Martin", "Receiver Phone": "+639170000001"}
             for k in range(8)]  # a family-like sender: same surname as the recipient
    renamed = [{**r, "Sender Name": f"Person {i}", "Receiver Name": f"Someone {i * 7}"} for i, r in enumerate(rows)]
    a, b = _score(tmp_path / "a", rows), _score(tmp_path / "b", renamed)
    for role in ("senders", "receivers"):
        assert [(p["party"], p["score"], p["rules"]) for p in a[role]] == \
               [(p["party"], p["score"], p["rules"]) for p in b[role]]
    ruleset = (Path(__file__).parents[1] / "src/winnow/payments/presets/ruleset.yaml").read_text().lower()
    for word in ("nationality", "gender", "sex:", "age:", "birth", "ethnic"):
        assert word not in ruleset.split("#")[0]


def test_import_is_idempotent_and_reports_bad_rows(tmp_path: Path) -> None:
    rows = [_row(1, 30), _row(2, 30, **{"Send Currency": "XYZ"}), {**_row(3, 30), "Date Time": "2025-02-30 10:00:00"},
            {**_row(4, 30), "Send Amount": "abc"}, {**_row(5, 30), "Send Amount": "-5"}, _row(6, 40)]
    path = _write(tmp_path / "t.csv", rows)
    invoke("case", "create", tmp_path / "case", "--name", "p", "--examiner", "e")
    first = invoke_json("payments", "import", path, "--case", tmp_path / "case")
    assert first["rows"] == 2 and first["errors"] == 4
    messages = {e["position"]: e["message"] for e in first["first_errors"]}
    assert "unknown currency" in messages["line 3"] and "impossible date" in messages["line 4"]
    assert "not a number" in messages["line 5"] and "negative" in messages["line 6"]
    again = invoke_json("payments", "import", path, "--case", tmp_path / "case")
    assert again["already_imported"] and again["rows"] == 0


def test_labelled_scenario_end_to_end(tmp_path: Path) -> None:
    summary = invoke_json("payments", "sample-data", tmp_path / "data", "--seed", "5", "--senders", "400",
                          "--buyers", "24", "--facilitators", "8")
    assert summary["buyers"] == 24
    invoke("case", "create", tmp_path / "case", "--name", "p", "--examiner", "e")
    invoke("payments", "import", tmp_path / "data" / "transactions.csv", "--case", tmp_path / "case")
    result = invoke_json("payments", "score", "--case", tmp_path / "case")
    labels = json.loads((tmp_path / "data" / "labels.json").read_text())
    buyers, diaspora = set(labels["buyers"]), set(labels["diaspora"])
    top = [p["party"] for p in result["senders"][:10]]
    assert sum(p in buyers for p in top) >= 9
    flagged_diaspora = [p for p in result["senders"] if p["party"] in diaspora and p["flagged"]]
    assert len(flagged_diaspora) <= max(1, len(diaspora) // 50)
    assert all(len(p["rules"]) >= 2 for p in result["senders"] if p["flagged"])  # never one rule alone
    assert all(r["evidence"] for p in result["senders"][:10] for r in p["reasons"])
    text = invoke("payments", "score", "--case", tmp_path / "case", "--top", "3").output
    assert "possible buyers" in text and "possible facilitators" in text


def test_parties_sharing_an_identifier_are_one_entity(tmp_path: Path) -> None:
    """Two accounts used with the same phone are one party: their transfers together fan out to 3 recipients."""
    rows = [_row(1, 60, 0), _row(20, 60, 1, **{"Sender Account": "AC2"}), _row(40, 60, 2, **{"Sender Account": "AC2"})]
    result = _score(tmp_path, rows)
    party = next(p for p in result["senders"] if "R4" in p["rules"])
    assert {"account:AC1", "account:AC2", "phone:+33612345678"} <= set(party["identifiers"])
    assert party["merged_because"] and party["merged_because"][0]["transaction"]
    alone = _score(tmp_path / "apart", [_row(1, 60, 0), _row(20, 60, 1, **{"Sender Account": "AC2",
                                                                            "Sender Phone": "+33699999999"}),
                                        _row(40, 60, 2, **{"Sender Account": "AC3", "Sender Phone": "+33688888888"})])
    assert "R4" not in _rules(alone)


def test_proximity_to_a_known_facilitator(tmp_path: Path) -> None:
    rows = [_row(1, 300, 0), _row(5, 300, 1),  # AC1 pays the seed (receiver 0) and receiver 1
            _row(9, 300, 1, **{"Sender Account": "AC9", "Sender Phone": "+33677777777"})]  # AC9 pays receiver 1
    case = create_case(tmp_path / "case", name="p", examiner="e")
    path = _write(tmp_path / "t.csv", rows)
    import_mto(case, path)
    seed = RECEIVERS[0]["Receiver Phone"]
    result = score(case, seeds=[seed])
    near = {p["party"]: p for p in result["senders"] + result["receivers"] if "R9" in p["rules"]}
    assert "AC1" in near and RECEIVERS[1]["Receiver Phone"] in near and "AC9" not in near  # 1, 2 and 3 hops
    assert "R9" not in _rules(score(case))  # no seed, no R9


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId></GrpHdr>
  <Stmt><Id>S1</Id>
   <Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id><Ownr><Nm>Alex Martin</Nm>
     <PstlAdr><Ctry>FR</Ctry></PstlAdr></Ownr></Acct>
   {entries}
  </Stmt>
 </BkToCstmrStmt>
</Document>"""
ENTRY = """<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>
    <BookgDt><DtTm>2025-03-0{day}T23:15:00+01:00</DtTm></BookgDt><AcctSvcrRef>R{day}</AcctSvcrRef>
    <NtryDtls><TxDtls><Refs><EndToEndId>E2E{day}</EndToEndId></Refs>
     <RltdPties><{other}><Nm>Rosa Cruz</Nm><PstlAdr><Ctry>PH</Ctry></PstlAdr></{other}>
      <{other}Acct><Id><Othr><Id>PH-ACC-{day}</Id></Othr></Id></{other}Acct></RltdPties>
     <RmtInf><Ustrd>school fees</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""


def test_camt_053_statement(tmp_path: Path) -> None:
    entries = [ENTRY.format(amount="25.00", direction="DBIT", day=d, other="Cdtr") for d in (1, 2, 3)]
    entries.append(ENTRY.format(amount="40.00", direction="CRDT", day=4, other="Dbtr"))
    entries.append("<Ntry><Amt Ccy='EUR'>5</Amt><CdtDbtInd>SIDEWAYS</CdtDbtInd></Ntry>")
    path = tmp_path / "camt053.xml"
    path.write_text(CAMT.format(entries="\n".join(entries)), encoding="utf-8")
    invoke("case", "create", tmp_path / "case", "--name", "p", "--examiner", "e")
    result = invoke_json("payments", "import", path, "--case", tmp_path / "case", "--format", "camt")
    assert result["rows"] == 4 and result["errors"] == 1 and "entry 5" in result["first_errors"][0]["position"]
    import duckdb

    conn = duckdb.connect(str(tmp_path / "case" / "payments.duckdb"))
    rows = conn.execute("SELECT txn_id, time_utc, amount_eur, sender_iban, receiver_account, receiver_country, "
                        "reference FROM transactions ORDER BY txn_id").fetchall()
    conn.close()
    first = rows[0]
    assert first[0] == "E2E1" and str(first[1]) == "2025-03-01 22:15:00" and first[2] == 25.0
    assert first[3] == "FR7630006000011234567890189" and first[4] == "PH-ACC-1" and first[5] == "PH"
    assert first[6] == "school fees"
    credit = rows[3]
    assert credit[3] is None and credit[4] is None  # a credit: the related party sent it to the statement account
    broken = tmp_path / "broken.xml"
    document = CAMT.format(entries="\n".join(entries[:2]))
    broken.write_text(document[: document.index("</Stmt>")] + "<Ntry><Amt", encoding="utf-8")  # cut mid-entry
    partial = invoke_json("payments", "import", broken, "--case", tmp_path / "case", "--format", "camt")
    assert partial["rows"] == 2 and "broken XML" in partial["first_errors"][-1]["message"]


GOAML = """<?xml version="1.0" encoding="UTF-8"?>
<report><rentity_id>123</rentity_id><submission_code>E</submission_code><report_code>STR</report_code>
 <currency_code_local>EUR</currency_code_local>
 <transaction><transactionnumber>G1</transactionnumber><transaction_location>Paris</transaction_location>
  <transaction_description>pang load</transaction_description>
  <date_transaction>2025-04-02T23:30:00+02:00</date_transaction>
  <amount_local>30.00</amount_local>
  <t_from_my_client><from_funds_code>K</from_funds_code>
   <from_person><first_name>Alex</first_name><last_name>Martin</last_name><nationality1>XX</nationality1>
    <phones><phone><tph_number>+33612345678</tph_number></phone></phones>
    <addresses><address><address>1 rue A</address><city>Paris</city><country_code>FR</country_code></address>
    </addresses>
   </from_person><from_country>FR</from_country></t_from_my_client>
  <t_to><to_funds_code>K</to_funds_code>
   <to_account><institution_name>Bank PH</institution_name><account>PH123</account>
    <signatory><t_person><first_name>Rosa</first_name><last_name>Cruz</last_name></t_person></signatory></to_account>
   <to_country>PH</to_country></t_to>
 </transaction>
 <transaction><transactionnumber>G2</transactionnumber><date_transaction>not a date</date_transaction>
  <amount_local>10</amount_local></transaction>
</report>"""


def test_goaml_report(tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    path.write_text(GOAML, encoding="utf-8")
    invoke("case", "create", tmp_path / "case", "--name", "p", "--examiner", "e")
    result = invoke_json("payments", "import", path, "--case", tmp_path / "case", "--format", "goaml")
    assert result["rows"] == 1 and result["errors"] == 1 and result["first_errors"][0]["position"] == "transaction 2"
    import duckdb

    conn = duckdb.connect(str(tmp_path / "case" / "payments.duckdb"))
    row = conn.execute("SELECT txn_id, time_utc, sender_name, sender_phone, sender_country, receiver_name, "
                       "receiver_account, receiver_country, reference FROM transactions").fetchone()
    conn.close()
    assert row == ("G1", datetime(2025, 4, 2, 21, 30), "alex martin", "+33612345678", "FR", "rosa cruz", "PH123",
                   "PH", "pang load")


def test_network_projections_communities_and_exports(tmp_path: Path) -> None:
    import networkx as nx

    from winnow.payments.network import build, communities, projections

    other = {"Sender Account": "AC2", "Sender Phone": "+33698765432"}
    rows = [_row(1, 30, 0), _row(8, 30, 1), _row(15, 30, 0), _row(3, 30, 0, **other), _row(9, 30, 1, **other),
            _row(2, 300, 5, **{"Sender Account": "AC7", "Sender Phone": "+33655555555"})]
    case = create_case(tmp_path / "case", name="p", examiner="e")
    path = _write(tmp_path / "t.csv", rows)
    import_mto(case, path)
    graph = build(case)
    buyers, facilitators = projections(graph)
    assert buyers["account:AC1"]["account:AC2"]["weight"] == 2
    r0, r1 = (f"phone:{RECEIVERS[i]['Receiver Phone']}" for i in (0, 1))
    assert facilitators[r0][r1]["weight"] == 2
    assert graph["account:AC1"][r0]["transactions"] == 2 and graph["account:AC1"][r0]["total_eur"] == 60.0
    ring = next(c for c in communities(graph) if "account:AC1" in c)
    assert {"account:AC2", r0, r1} <= ring and "account:AC7" not in ring
    summary = invoke_json("payments", "network", "--case", case.root, "--out", tmp_path / "net")
    assert summary["parties"] == graph.number_of_nodes()
    loaded = nx.read_graphml(tmp_path / "net" / "network.graphml")
    assert loaded.nodes["account:AC1"]["role"] == "sender" and "community" in loaded.nodes["account:AC1"]
    assert (tmp_path / "net" / "edges.csv").read_text().count("\n") == graph.number_of_edges() + 1


def test_evidence_match_and_crypto_rules(tmp_path: Path) -> None:
    crypto = {"Channel": "crypto", "Send Currency": "USDT", "Receiver Wallet": "TXyzListedAddress1"}
    rows = [_row(1, 30), _row(3, 20, **crypto), _row(6, 20, **crypto), _row(9, 25, **crypto)]
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "p", "--examiner", "e")
    path = _write(tmp_path / "t.csv", rows)
    invoke("payments", "import", path, "--case", case)
    assert "R10" not in _rules(invoke_json("payments", "score", "--case", case))
    invoke("payments", "evidence", "0917 123 4500", "--case", case, "--kind", "phone", "--country", "PH",
           "--source", "chat export msg 12")  # the first receiver's number, written locally in a chat
    result = invoke_json("payments", "score", "--case", case)
    hit = next(r for p in result["receivers"] for r in p["reasons"] if r["rule"] == "R10")
    assert "chat export msg 12" in hit["explanation"] and hit["evidence"]
    assert "not a valid phone" in invoke("payments", "evidence", "12", "--case", case, "--kind", "phone",
                                         "--source", "x", expect=1).output
    ruleset = tmp_path / "rules.yaml"
    shipped = (Path(__file__).parents[1] / "src/winnow/payments/presets/ruleset.yaml").read_text()
    ruleset.write_text(shipped.replace("addresses: []", "addresses: [TXyzListedAddress1]"))
    listed = invoke_json("payments", "score", "--case", case, "--ruleset", ruleset)
    assert "R11" in _rules(listed) and "R11" not in _rules(result)


def test_html_report_is_self_contained(tmp_path: Path) -> None:
    import re

    invoke_json("payments", "sample-data", tmp_path / "data", "--seed", "7", "--senders", "150", "--buyers", "8",
                "--facilitators", "4")
    invoke("case", "create", tmp_path / "case", "--name", "p", "--examiner", "e")
    invoke("payments", "import", tmp_path / "data" / "transactions.csv", "--case", tmp_path / "case")
    result = invoke_json("payments", "report", "--case", tmp_path / "case", "--out", tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert result["charts"] >= 1 and "Possible buyers" in text and "Possible facilitators" in text
    assert "fan-out" in text or "prolific cadence" in text  # rule explanations are in the report
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", text)  # no external asset, ever
    assert text.count("data:image/png;base64,") == result["charts"] + 1  # charts + the network picture
    assert "payments report" in [r["command"] for r in invoke_json("audit", "show", "--case", tmp_path / "case")]


def test_excel_export_through_the_same_mapping(tmp_path: Path) -> None:
    from datetime import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(FIELDS)
    for i, row in enumerate([_row(1, 30), _row(9, 35), _row(12, 40, **{"Send Currency": "???"})]):
        values = {"Transaction ID": f"X{i}", **row}
        values["Date Time"] = dt.strptime(values["Date Time"], "%Y-%m-%d %H:%M:%S")  # a real Excel date cell
        values["Send Amount"] = float(values["Send Amount"])
        sheet.append([values.get(f, "") for f in FIELDS])
    sheet.append([None] * len(FIELDS))
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    invoke("case", "create", tmp_path / "case", "--name", "p", "--examiner", "e")
    result = invoke_json("payments", "import", path, "--case", tmp_path / "case")
    assert result["rows"] == 2 and result["errors"] == 1 and result["first_errors"][0]["position"] == "row 4"


def test_parquet_round_trip_keeps_rows_and_scores(tmp_path: Path) -> None:
    import duckdb

    invoke_json("payments", "sample-data", tmp_path / "data", "--seed", "3", "--senders", "150", "--buyers", "9",
                "--facilitators", "4")
    first, second = tmp_path / "a", tmp_path / "b"
    for case in (first, second):
        invoke("case", "create", case, "--name", "p", "--examiner", "e")
    invoke("payments", "import", tmp_path / "data" / "transactions.csv", "--case", first)
    exported = invoke_json("payments", "export", "--case", first)
    assert exported["path"] == str(first / "transactions.parquet") and exported["rows"] > 1000
    imported = invoke_json("payments", "import", first / "transactions.parquet", "--case", second,
                           "--format", "parquet")
    assert imported["rows"] == exported["rows"] and imported["errors"] == 0

    def table(case: Path) -> list[tuple[Any, ...]]:
        conn = duckdb.connect(str(case / "payments.duckdb"))
        try:
            return conn.execute("SELECT * FROM transactions ORDER BY txn_id").fetchall()
        finally:
            conn.close()

    assert table(first) == table(second)  # provenance (source file and row) kept from the original import
    a, b = (invoke_json("payments", "score", "--case", c) for c in (first, second))
    assert a["senders"] == b["senders"] and a["receivers"] == b["receivers"]
    again = invoke_json("payments", "import", first / "transactions.parquet", "--case", second, "--format", "parquet")
    assert again["already_imported"] and again["rows"] == 0


def test_parquet_import_reports_bad_rows_and_normalises(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "in.parquet"
    conn = duckdb.connect()
    conn.execute(f"""COPY (SELECT * FROM (VALUES
        ('P1', '2025-03-01 23:30:00', 30.0, 'eur', '  ÉLODIE   Martin ', '06 12 34 56 78', 'fr', '0917 123 4567', 'PH',
         'Money Transfer', 'tuition'),
        ('P2', '2025-02-30 10:00:00', 30.0, 'EUR', 'a', NULL, 'FR', NULL, 'PH', 'bank', NULL),
        ('P3', '2025-03-02 10:00:00', -1.0, 'EUR', 'a', NULL, 'FR', NULL, 'PH', 'bank', NULL),
        ('P4', '2025-03-03 10:00:00', 10.0, 'XYZ', 'a', NULL, 'FR', NULL, 'PH', 'bank', NULL),
        ('P5', '2025-03-04 10:00:00', 10.0, NULL, 'a', NULL, 'FR', NULL, 'PH', 'bank', NULL),
        ('P6', '2025-03-05 10:00:00', 0.001, 'BTC', 'b', '+33698765432', 'FR', NULL, 'PH', 'whatever', NULL))
        AS t(txn_id, time_utc, amount, currency, sender_name, sender_phone, sender_country, receiver_phone,
             receiver_country, channel, reference)) TO '{path}' (FORMAT parquet)""")
    conn.close()
    invoke("case", "create", tmp_path / "case", "--name", "p", "--examiner", "e")
    result = invoke_json("payments", "import", path, "--case", tmp_path / "case", "--format", "parquet")
    assert result["rows"] == 2 and result["errors"] == 4
    assert [e["position"] for e in result["first_errors"]] == ["row 2", "row 3", "row 4", "row 5"]
    messages = [e["message"] for e in result["first_errors"]]
    assert messages[0].startswith("impossible date/time '2025-02-30") and "negative" in messages[1]
    assert messages[2] == "unknown currency 'XYZ'" and messages[3] == "missing currency"
    conn = duckdb.connect(str(tmp_path / "case" / "payments.duckdb"))
    rows = conn.execute("SELECT txn_id, sender_local_time, amount_eur, currency, sender_name, sender_phone, "
                        "sender_country, receiver_phone, channel, source_row FROM transactions "
                        "ORDER BY txn_id").fetchall()
    stored = conn.execute("SELECT count(*) FROM import_errors").fetchone()[0]
    conn.close()
    assert rows[0] == ("P1", datetime(2025, 3, 2, 0, 30), 30.0, "EUR", "elodie martin", "+33612345678", "FR",
                       "+639171234567", "money_transfer", 1)
    assert rows[1][0] == "P6" and rows[1][2] == 85.0 and rows[1][8] == "crypto"
    assert stored == 4


def test_parquet_import_refuses_wrong_files(tmp_path: Path) -> None:
    import duckdb

    invoke("case", "create", tmp_path / "case", "--name", "p", "--examiner", "e")
    text = tmp_path / "not.parquet"
    text.write_text("txn_id,amount\n1,2\n")
    out = invoke("payments", "import", text, "--case", tmp_path / "case", "--format", "parquet", expect=1).output
    assert "not a readable Parquet file" in out and "Traceback" not in out
    partial = tmp_path / "partial.parquet"
    conn = duckdb.connect()
    conn.execute(f"COPY (SELECT 'T1' AS txn_id, 5.0 AS amount) TO '{partial}' (FORMAT parquet)")
    conn.close()
    out = invoke("payments", "import", partial, "--case", tmp_path / "case", "--format", "parquet", expect=1).output
    assert "lacks the column(s) time_utc, currency" in out


def test_scale_generator_tiles_disjoint_copies(tmp_path: Path) -> None:
    import duckdb

    summary = invoke_json("payments", "sample-data", tmp_path / "big", "--senders", "60", "--buyers", "6",
                          "--facilitators", "3", "--rows", "5000")
    assert summary["transactions"] == 5000 and summary["copies"] >= 3
    conn = duckdb.connect()
    path = tmp_path / "big" / "transactions.parquet"
    count, ids, senders = conn.execute(
        f"SELECT count(*), count(DISTINCT txn_id), count(DISTINCT sender_account) FROM '{path}'").fetchone()
    copy0 = conn.execute(f"SELECT count(DISTINCT sender_account) FROM '{path}' WHERE txn_id LIKE '%-0'").fetchone()[0]
    conn.close()
    assert count == ids == 5000 and senders > copy0 * (summary["copies"] - 1)
    labels = json.loads((tmp_path / "big" / "labels.json").read_text())
    assert len(labels["buyers"]) == 6 * summary["copies"] and labels["buyers"][0].endswith("-0")


def test_rule_registry_ids_unique_and_docs_table_in_step() -> None:
    from winnow.payments.rules import RULES, docs_table, load_ruleset

    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert set(load_ruleset()["rules"]) <= set(ids)  # every shipped parameter block names a registered rule
    docs = (Path(__file__).parent.parent / "docs" / "payments.md").read_text(encoding="utf-8")
    assert docs_table() in docs, "regenerate the rules table in docs/payments.md from rules.docs_table()"


def test_unknown_rule_in_a_ruleset_is_refused(tmp_path: Path) -> None:
    from winnow.payments.rules import load_ruleset

    path = tmp_path / "r.yaml"
    path.write_text("rules:\n  R99: {weight: 1}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown rule.*R99"):
        load_ruleset(path)


def test_ranked_rows_carry_what_an_investigator_reads(tmp_path: Path) -> None:
    """Names as recorded (display only), phones, accounts, countries, first/last payment, totals."""
    rows = [_row(1, 60, 0, **{"Sender Name": "Álex  Martin"}), _row(20, 60, 1), _row(40, 65, 2)]
    sender = next(p for p in _score(tmp_path, rows)["senders"] if p["party"] == "AC1")
    assert sender["names"] == ["Alex Martin", "Álex Martin"]
    assert (sender["phones"], sender["accounts"], sender["countries"]) == (["+33612345678"], ["AC1"], ["FR"])
    assert (sender["first_payment"], sender["last_payment"]) == ("2025-01-02T13:10:00Z", "2025-02-13T13:10:00Z")
    assert (sender["payments"], sender["total_eur"], sender["counterparties"]) == (3, 185.0, 3)


def test_phone_numbers_in_ranges_the_metadata_does_not_list_are_kept() -> None:
    """A full-length mobile number in an unlisted range still names one party (the sample scenario's Colombian
    facilitators were name-only entities before); short or local-only numbers are still no identifier."""
    from winnow.identifiers.normalise import phone

    assert phone("+573340188232") == "+573340188232"  # not 'valid' for phonenumbers: an unlisted range
    assert phone("0917 123 4567", "PH") == "+639171234567"
    assert phone("+6391234") is None and phone("+1 555 0100") is None and phone("12") is None


def test_an_export_whose_columns_the_mapping_does_not_name_is_refused_clearly(tmp_path: Path) -> None:
    """A CSV with none of the mapping's columns (the wrong --mapping) is a one-line error, nothing imported; a
    file whose every row is bad reports its problems and records nothing, so the corrected file imports."""
    invoke("case", "create", tmp_path / "case", "--name", "p", "--examiner", "e")
    wrong = tmp_path / "other.csv"
    wrong.write_text("date,payer,payee,sum\n2026-01-01 10:00:00,a,b,20\n")
    out = invoke("payments", "import", wrong, "--case", tmp_path / "case", expect=1).output
    assert out == ("Error: other.csv: none of the mapping's columns is in its header (date, payer, payee, sum); pass "
                   "--mapping FILE.yaml naming this export's columns (see docs/payments.md)\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("Date Time,Send Amount,Send Currency,Sender Name,Receiver Name\n"
                   "2026-01-01 10:00:00,lots,EUR,a,b\n")
    result = invoke_json("payments", "import", bad, "--case", tmp_path / "case")
    assert (result["rows"], result["problems"], result["recorded"]) == (0, 1, False)
    assert result["first_problems"] == [{"position": "line 2", "message": "amount 'lots' is not a number"}]
    again = invoke_json("payments", "import", bad, "--case", tmp_path / "case")  # e.g. with a corrected --mapping
    assert (again["already_imported"], again["problems"]) == (False, 1)
    bad.write_text("Date Time,Send Amount,Send Currency,Sender Name,Receiver Name\n"  # the corrected export
                   "2026-01-01 10:00:00,25,EUR,a,b\n")
    fixed = invoke_json("payments", "import", bad, "--case", tmp_path / "case")
    assert (fixed["rows"], fixed["problems"], fixed["already_imported"]) == (1, 0, False)


def test_auto_format_tells_every_export_by_its_content(tmp_path: Path) -> None:
    """With the default `--format auto`: camt and goAML by their XML, an Excel export without its suffix by its
    ZIP content, and an export in a delimiter only its mapping names because a mapping is given."""
    import shutil

    invoke("case", "create", tmp_path / "case", "--name", "p", "--examiner", "e")
    camt = tmp_path / "statement.dat"
    camt.write_text(CAMT.format(entries=ENTRY.format(amount="25.00", direction="DBIT", day=1, other="Cdtr")),
                    encoding="utf-8")
    goaml = tmp_path / "report.dat"
    goaml.write_text(GOAML, encoding="utf-8")
    assert invoke_json("payments", "import", camt, "--case", tmp_path / "case")["rows"] == 1
    assert invoke_json("payments", "import", goaml, "--case", tmp_path / "case")["rows"] == 1
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(FIELDS)
    workbook.active.append([{"Transaction ID": "W1", **_row(1, 30)}.get(f, "") for f in FIELDS])
    workbook.save(tmp_path / "export.xlsx")
    shutil.copy(tmp_path / "export.xlsx", tmp_path / "x_xlsx_download")
    assert invoke_json("payments", "import", tmp_path / "x_xlsx_download", "--case", tmp_path / "case")["rows"] == 1
    mapping = tmp_path / "tilde.yaml"
    mapping.write_text('delimiter: "~"\ncolumns: {time: When, amount: Sum, currency: Cur, sender_name: From, '
                       'receiver_name: To}\n')
    tilde = tmp_path / "tilde.txt"
    tilde.write_text("When~Sum~Cur~From~To\n2026-01-05 10:00:00~30~EUR~Ann~Bo\n")
    result = invoke_json("payments", "import", tilde, "--case", tmp_path / "case", "--mapping", mapping)
    assert (result["rows"], result["problems"]) == (1, 0)
