"""Chat exports end to end through the CLI: every parser on generated exports in its real format (locale variants,
continuation lines, attachments, calls, deleted messages, mojibake, reverse file order, broken records), idempotent
re-import, identifiers with where they were seen, links to payments (rule R10), the timeline."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke, invoke_json
from winnow.sample import chats as sample

SCENARIO = sample.conversation(seed=3, messages=30)


def _case(tmp_path: Path) -> Path:
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "chats", "--examiner", "e")
    return case


def _messages(case: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(case / "case.sqlite")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT m.*, t.title, t.app FROM chat_messages m JOIN chat_threads t "
                                              "ON t.id = m.thread_id ORDER BY t.id, m.seq")]
    finally:
        conn.close()


def _identifiers(case: Path) -> set[tuple[str, str]]:
    return {(r["kind"], r["value"]) for r in invoke_json("identifiers", "--case", case)}


def _expected_utc(line: sample.Line, offset_hours: int = 1) -> str:
    return (line.time - timedelta(hours=offset_hours)).isoformat(sep=" ")


@pytest.mark.parametrize("style,order,sep", [("android24", "dmy", "/"), ("android12", "mdy", "/"),
                                             ("ios24", "dmy", "."), ("ios12", "mdy", "/")])
def test_whatsapp_variants(tmp_path: Path, style: str, order: str, sep: str) -> None:
    case = _case(tmp_path)
    name = f"WhatsApp Chat with Rosa Seller.{'zip' if style == 'ios12' else 'txt'}"
    path = sample.whatsapp(SCENARIO, tmp_path / name, style=style, order=order, sep=sep, zipped=style == "ios12")
    result = invoke_json("chats", "import", path, "--case", case, "--tz", "Europe/Paris", "--region", "PH")
    zipped = style == "ios12"
    assert result["format"] == "whatsapp" and result["messages"] == len(SCENARIO.lines) + 1 + zipped
    everything = _messages(case)
    rows = [r for r in everything if r["title"] == "Rosa Seller"]
    if zipped:  # the contact card shared in the zip
        card = next(r for r in everything if r["kind"] == "contact")
        assert card["position"] == "Rosa Seller.vcf card 1" and SCENARIO.seller_phone in card["text"]
    assert rows[0]["kind"] == "system" and rows[0]["title"] == "Rosa Seller"
    for line, row in zip(SCENARIO.lines, rows[1:], strict=True):
        assert row["time_utc"] == _expected_utc(line), (line, row)
        assert row["tz_resolution"] == "zone Europe/Paris (--tz)" and row["sender"] == line.sender
        if line.attachment:
            assert row["kind"] == "media" and json.loads(row["attachments"]) == [line.attachment]
        elif line.kind == "message":
            assert row["text"] == line.text  # continuation lines joined back
    conn = sqlite3.connect(case / "case.sqlite")
    notes = json.loads(conn.execute("SELECT notes FROM chat_threads").fetchone()[0])
    conn.close()
    assert notes["date_order"] == order and notes["date_order_reason"].startswith("inferred")
    ids = _identifiers(case)
    assert (("email", "rosa.seller@example.org") in ids) == zipped
    assert ("phone", SCENARIO.seller_phone) in ids and ("mtcn", SCENARIO.mtcn) in ids
    assert ("wallet", f"gcash:{SCENARIO.seller_phone}") in ids and ("phone", SCENARIO.buyer_phone) in ids
    again = invoke_json("chats", "import", path, "--case", case)
    assert again["already_imported"] and len(_messages(case)) == len(everything)


def test_whatsapp_undecidable_dates_and_broken_lines(tmp_path: Path) -> None:
    early = sample.conversation(seed=5, messages=12, start=datetime(2025, 3, 1, 9, 0))
    early.lines = [line for line in early.lines if line.time.day <= 12]
    case = _case(tmp_path)
    path = sample.whatsapp(early, tmp_path / "chat.txt")
    assumed = invoke_json("chats", "import", path, "--case", case)
    problems = {p["position"]: p["message"] for p in assumed["first_problems"]}
    assert "assumed day-first" in problems["export"]
    assert _messages(case)[1]["tz_resolution"].startswith("assumed UTC")
    given = _case(tmp_path / "b")
    invoke_json("chats", "import", path, "--case", given, "--monthfirst")
    conn = sqlite3.connect(given / "case.sqlite")
    notes = json.loads(conn.execute("SELECT notes FROM chat_threads").fetchone()[0])
    conn.close()
    assert notes["date_order"] == "mdy" and "given (monthfirst)" in notes["date_order_reason"]
    broken = _case(tmp_path / "c")
    result = invoke_json("chats", "import", sample.whatsapp(SCENARIO, tmp_path / "broken.txt", broken_line=True),
                         "--case", broken)
    assert result["first_problems"] == [{"position": "line 6", "message": "impossible date/time 31/02/25 10:00: "
                                         "day is out of range for month"}]
    listed = invoke_json("chats", "problems", "--case", broken)
    assert [(p["position"], p["format"]) for p in listed] == [("line 6", "whatsapp")]
    kept = [r for r in _messages(broken) if "does not exist" in r["text"]]
    assert len(kept) == 1 and kept[0]["time_utc"] is None and kept[0]["position"] == "line 6"


def test_telegram_full_and_single_exports(tmp_path: Path) -> None:
    case = _case(tmp_path)
    full = invoke_json("chats", "import", sample.telegram(SCENARIO, tmp_path / "full" / "result.json"), "--case", case)
    assert full["format"] == "telegram" and full["threads"] == 3 and full["problems"] == 0
    rows = _messages(case)
    chat = [r for r in rows if r["title"] == SCENARIO.seller]
    assert [r["time_utc"] for r in chat] == [_expected_utc(line) for line in SCENARIO.lines]
    assert all(r["tz_resolution"] == "unix time (date_unixtime)" for r in chat)
    calls = [r for r in chat if r["kind"] == "call"]
    assert calls and all("phone_call, 300 s" in r["text"] for r in calls)
    link = next(r for r in chat if "t.me" in r["text"])
    assert link["text"] == [line.text for line in SCENARIO.lines if "t.me" in line.text][0]
    contact = next(r for r in rows if r["kind"] == "contact" and r["title"] == "Contacts")
    session = next(r for r in rows if r["kind"] == "session")
    assert SCENARIO.seller_phone in contact["text"] and "203.0.113.7" in session["text"]
    ids = _identifiers(case)
    assert ("ip", "203.0.113.7") in ids and ("handle", "telegram:@rosa_seller_ph") in ids
    assert ("phone", "+639181112222") in ids  # a contact card shared in the chat
    assert ("phone", SCENARIO.seller_phone) in ids  # from the text_entities phone, written nationally
    single = invoke_json("chats", "import", sample.telegram(SCENARIO, tmp_path / "one" / "result.json", full=False),
                         "--case", case)
    assert single["threads"] == 1 and single["messages"] == len(SCENARIO.lines)


def test_telegram_truncated_file_keeps_what_was_read(tmp_path: Path) -> None:
    case = _case(tmp_path)
    path = sample.telegram(SCENARIO, tmp_path / "result.json", full=False)
    text = path.read_text()
    path.write_text(text[:len(text) // 2])
    result = invoke_json("chats", "import", path, "--case", case)
    assert 0 < result["messages"] < len(SCENARIO.lines)
    assert result["problems"] == 1 and "broken JSON" in result["first_problems"][0]["message"]


def test_skype_facebook_ufdr_csv(tmp_path: Path) -> None:
    case = _case(tmp_path)
    skype = invoke_json("chats", "import", sample.skype(SCENARIO, tmp_path / "s" / "messages.json"), "--case", case,
                        "--region", "PH")
    fb = invoke_json("chats", "import", sample.facebook(SCENARIO, tmp_path / "fb", per_file=11), "--case", case,
                     "--region", "PH")
    ufdr = invoke_json("chats", "import", sample.ufdr(SCENARIO, tmp_path / "r.ufdr", zipped=True), "--case", case,
                       "--region", "PH")
    csv_path, mapping = sample.csv_export(SCENARIO, tmp_path / "c.csv")
    csv = invoke_json("chats", "import", csv_path, "--case", case, "--mapping", mapping, "--region", "PH")
    assert [r["format"] for r in (skype, fb, ufdr, csv)] == ["skype", "facebook", "ufdr", "csv"]
    assert all(r["messages"] == len(SCENARIO.lines) and r["problems"] == 0 for r in (skype, fb, ufdr, csv))
    rows = _messages(case)
    by_app: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_app.setdefault(row["app"], []).append(row)
    expected = [_expected_utc(line) for line in SCENARIO.lines]
    for app in ("skype", "facebook", "ufdr:whatsapp", "csv"):
        assert [r["time_utc"] for r in by_app[app]] == expected, app  # reverse orders restored, zones resolved
    skype_call = next(r for r in by_app["skype"] if r["kind"] == "call")
    assert "call ended, 312 s (Rosa Seller)" in skype_call["text"] and "&lt;" not in by_app["skype"][0]["text"]
    fb_rows = by_app["facebook"]
    assert "café ☕" in fb_rows[1]["text"] and "Ã" in fb_rows[1]["text_raw"]  # mojibake repaired, raw kept
    assert fb_rows[3]["deleted"] == 1 and fb_rows[3]["position"].startswith("messages/inbox/rosaseller_123/message_")
    ufdr_rows = by_app["ufdr:whatsapp"]
    assert ufdr_rows[2]["deleted"] == 1 and ufdr_rows[0]["tz_resolution"] == "offset in source"
    assert "<model" in ufdr_rows[0]["raw"] and ufdr_rows[0]["sender"].startswith(SCENARIO.lines[0].sender)
    media = next(r for r in by_app["ufdr:whatsapp"] if r["kind"] == "media")
    assert json.loads(media["attachments"])[0].startswith("IMG-")
    assert ("phone", SCENARIO.buyer_phone) in _identifiers(case)  # from the UFDR party id (a WhatsApp JID)


def test_bad_sources_get_clear_messages(tmp_path: Path) -> None:
    case = _case(tmp_path)
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": "world"}')
    assert "no known chat export" in invoke("chats", "import", junk, "--case", case, expect=1).output
    fake_zip = tmp_path / "export.zip"
    fake_zip.write_bytes(b"PK\x03\x04 not a zip at all")
    out = invoke("chats", "import", fake_zip, "--case", case, expect=1).output
    assert "Error" in out and "Traceback" not in out
    csv_path, _ = sample.csv_export(SCENARIO, tmp_path / "c.csv")
    assert "needs --mapping" in invoke("chats", "import", csv_path, "--case", case, expect=1).output
    assert "unknown time zone" in invoke("chats", "import", junk, "--case", case, "--tz", "Mars/Olympus",
                                         expect=1).output
    assert invoke_json("chats", "list", "--case", case) == []


def _payments(tmp_path: Path, case: Path, rows: list[dict[str, str]]) -> None:
    import csv

    from winnow.payments.generator import FIELDS

    path = tmp_path / "mto.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in FIELDS})
    invoke("payments", "import", path, "--case", case)


def test_links_to_payments_feed_rule_r10_and_the_timeline(tmp_path: Path) -> None:
    case = _case(tmp_path)
    sent = next(line for line in SCENARIO.lines if "MTCN" in line.text)
    pay_time = sent.time + timedelta(minutes=5)  # the chat's local time (Paris); the MTO export is local too
    base = {"Send Currency": "EUR", "Sender Name": "Sam Buyer", "Sender Phone": SCENARIO.buyer_phone,
            "Sender Country": "FR", "Sender Account": "AC77", "Receiver Name": "Rosa Seller",
            "Receiver Phone": SCENARIO.seller_phone, "Receiver Country": "PH", "Channel": "money_transfer"}
    _payments(tmp_path, case, [
        {**base, "Transaction ID": SCENARIO.mtcn, "Date Time": pay_time.strftime("%Y-%m-%d %H:%M:%S"),
         "Send Amount": f"{SCENARIO.amount_eur}.00"},
        {**base, "Transaction ID": "X2", "Date Time": (pay_time + timedelta(days=20)).strftime("%Y-%m-%d %H:%M:%S"),
         "Send Amount": "99.00", "Message": "for t.me/rosa_seller_ph"}])
    before = invoke_json("payments", "score", "--case", case)
    assert not any(r["rule"] == "R10" for p in before["receivers"] for r in p["reasons"])
    result = invoke_json("chats", "import", sample.whatsapp(SCENARIO, tmp_path / "chat.txt"), "--case", case,
                         "--tz", "Europe/Paris", "--region", "PH")
    assert result["payments"]["payment_sightings"] >= 3
    after = invoke_json("payments", "score", "--case", case)
    r10 = [r for p in after["receivers"] + after["senders"] for r in p["reasons"] if r["rule"] == "R10"]
    assert r10 and any("whatsapp chat" in r["explanation"] for r in r10)
    found = invoke_json("links", "--case", case, "--graphml", tmp_path / "links.graphml")
    links = {(link["kind"], link["identifier"]): link for link in found["links"]}
    seller = links[("phone", SCENARIO.seller_phone)]
    assert seller["origins"] == ["chat", "payment"] and seller["strength"] == "strong"
    assert any(f"{SCENARIO.amount_eur}.00 EUR" in reason for reason in seller["reasons"])
    assert links[("mtcn", SCENARIO.mtcn)]["origins"] == ["chat", "payment"]
    handle = links[("handle", "telegram:@rosa_seller_ph")]  # in a chat and in a payment reference
    assert handle["origins"] == ["chat", "payment"] and any(e["ref"] == "X2" for e in handle["evidence"])
    import networkx as nx

    graph = nx.read_graphml(tmp_path / "links.graphml")
    node = f"phone:{SCENARIO.seller_phone}"
    assert any(graph.nodes[n]["type"] == "chat thread" for n in graph[node])
    assert any(graph.nodes[n]["type"] == "payment" for n in graph[node])
    timeline = invoke_json("timeline", "--case", case, "--party", SCENARIO.seller_phone, "--html",
                           tmp_path / "t.html")
    kinds = [e["type"] for e in timeline["events"]]
    assert kinds.count("payment") == 2 and kinds.count("message") == len(SCENARIO.lines) + 1
    assert timeline["sequences"] and timeline["sequences"][0]["flag"].startswith("order -> payment")
    assert timeline["sequences"][0]["payment"] == f"transaction {SCENARIO.mtcn}"
    page = (tmp_path / "t.html").read_text()
    assert "Flagged sequences" in page and "http" not in page.split("<body>")[1].replace("https://t.me", "")
    listed = {r["value"]: r for r in invoke_json("identifiers", "--case", case, "--kind", "phone")}
    assert listed[SCENARIO.seller_phone]["origins"] == ["chat", "payment"]


def test_timeline_flags_order_payment_recording(tmp_path: Path) -> None:
    from winnow.sample.videos import pan_frames, write

    case = _case(tmp_path)
    sent = next(line for line in SCENARIO.lines if "MTCN" in line.text)
    paid = sent.time + timedelta(minutes=30)  # Paris local time, as the export writes it
    _payments(tmp_path, case, [{"Transaction ID": SCENARIO.mtcn, "Date Time": paid.strftime("%Y-%m-%d %H:%M:%S"),
                                "Send Amount": f"{SCENARIO.amount_eur}.00", "Send Currency": "EUR",
                                "Sender Name": "Sam Buyer", "Sender Country": "FR", "Sender Account": "AC77",
                                "Receiver Name": "Rosa Seller", "Receiver Phone": SCENARIO.seller_phone,
                                "Receiver Country": "PH"}])
    recorded = paid - timedelta(hours=1) + timedelta(hours=3)  # UTC, three hours after the payment
    media = tmp_path / "media"
    write(media / "rec.mp4", pan_frames(7, (160, 120), 2.0, 8.0), (160, 120), 8.0,
          metadata={"creation_time": recorded.strftime("%Y-%m-%dT%H:%M:%S.000000Z")})
    invoke("ingest", media, "--case", case, "--workers", "1")
    invoke("chats", "import", sample.whatsapp(SCENARIO, tmp_path / "chat.txt"), "--case", case, "--tz",
           "Europe/Paris", "--region", "PH")
    result = invoke_json("timeline", "--case", case, "--party", SCENARIO.seller_phone)
    flags = [s["flag"] for s in result["sequences"]]
    assert "order -> payment -> recording" in flags
    recording = next(e for e in result["events"] if e["type"] == "recording")
    assert recording["time"] == recorded.isoformat(sep=" ") and "order -> payment -> recording" in recording["flags"]


def test_a_large_telegram_export_streams(tmp_path: Path) -> None:
    """20,000 messages in one chat: read in one pass, every message stored, memory kept flat by the stream (the
    truncated-file test shows messages arrive before the end of the file is read)."""
    big = sample.conversation(seed=9, messages=20_000, start=datetime(2024, 1, 1))
    case = _case(tmp_path)
    result = invoke_json("chats", "import", sample.telegram(big, tmp_path / "result.json", full=False), "--case",
                         case, "--region", "PH")
    assert result["messages"] == 20_000 and result["problems"] == 0
    conn = sqlite3.connect(case / "case.sqlite")
    first, last = conn.execute("SELECT min(time_utc), max(time_utc) FROM chat_messages").fetchone()
    conn.close()
    assert first == _expected_utc(big.lines[0]) and last == _expected_utc(big.lines[-1])
