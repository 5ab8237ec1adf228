"""`make demo` end to end on a small collection: the Makefile's own demo commands (read from the Makefile, so the
demo and this test cannot drift apart) tell the story — a call recording among the videos, the number on its
screen, the chat that booked it, the payments to that number and the other buyers — and `winnow findings` says
so in figures pinned here. Then the court report: its investigation sections, the PDF and the HTML rendered to
images (not blank), and evidence text planted with HTML/JS (a chat message, a file name, a payment reference,
a stored reason) shown escaped, with nothing run in a real browser."""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import invoke, invoke_json
from winnow.cli import cli
from winnow.sample.story import STORY_PHONE

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / ".artifacts" / "screenshots"
SMALL = ["--images", "4", "--max-megapixels", "1", "--videos", "0"]  # a small collection; the story is unchanged
PASSWORD = "demo-test-password"


def demo_commands(demo: Path) -> list[list[str]]:
    """The `winnow ...` commands of the Makefile's demo recipe, with $(DEMO) replaced (the account line, which
    pipes a generated password, is left to the test)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = text.split("\ndemo:", 1)[1].split("\n\n", 1)[0].replace("\\\n", " ")
    commands = []
    for line in recipe.splitlines():
        for part in re.split(r"&&|;", line.strip().lstrip("@")):
            part = part.strip()
            if part.startswith("$(BIN)/winnow ") and "|" not in part and "$$" not in part:
                commands.append(shlex.split(part.removeprefix("$(BIN)/winnow ").replace("$(DEMO)", str(demo))))
    return commands


def _snapshot(*folders: Path) -> dict[str, tuple[int, int, str]]:
    import hashlib

    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    demo = tmp_path_factory.mktemp("story") / "demo"
    commands = demo_commands(demo)
    names = [c[0] for c in commands]
    assert names[:3] == ["sample-data", "case", "ingest"] and names[-1] == "findings", names
    for required in ("match", "triage", "calls", "chats", "payments", "links", "report"):
        assert required in names, f"the demo does not run '{required}'"
    before: dict[str, tuple[int, int, str]] = {}
    for command in commands[:-1]:
        invoke(*command, *(SMALL if command[0] == "sample-data" else []))
        if command[0] == "sample-data":
            before = _snapshot(demo / "evidence", demo / "records")
    assert _snapshot(demo / "evidence", demo / "records") == before  # evidence and records read, never written
    add = CliRunner().invoke(cli, ["user", "add", "demo", "--role", "admin", "--case", str(demo / "case"),
                                   "--password-stdin"], input=PASSWORD + "\n")
    assert add.exit_code == 0, add.output
    manifest = json.loads((demo / "records" / "payments" / "labels.json").read_text(encoding="utf-8"))
    return {"demo": demo, "case": demo / "case", "findings_command": commands[-1], "labels": manifest}


def test_the_demo_tells_the_story(story: dict[str, Any]) -> None:
    case = story["case"]
    found = invoke_json(*story["findings_command"])
    recording, = found["recordings"]
    assert Path(recording["path"]).name == "Screen_Recording_20250811_070200.mp4"
    assert recording["score"] >= found["call_flag"] == 0.5
    lead, = recording["leads"]
    assert (lead["kind"], lead["value"]) == ("phone", STORY_PHONE)
    chat, = lead["chats"]
    assert (chat["app"], chat["thread"]) == ("whatsapp", "Rosa")
    assert [(m["seq"], m["sender"], m["text"]) for m in chat["messages"]] == [
        (18, "Rosa", "ok booked. send by gcash to 0917 555 0142 first")]
    assert lead["payments"] == {"count": 42, "total_eur": 1229.0, "senders": 9, "first": "2025-02-18 19:55:50",
                                "last": "2025-11-17 00:46:26"}
    flagged = [b for b in lead["buyers"] if b["flagged"]]
    assert len(flagged) == 9 and len(story["labels"]["buyers"]) == 12
    assert [(b["party"], b["payments_to_lead"], b["eur_to_lead"]) for b in flagged[:3]] == [
        ("AC876207294", 10, 329.0), ("AC122626166", 7, 180.0), ("AC579219929", 6, 177.99)]
    assert flagged[0]["names"] == ["Sam Fontaine"]  # the buyer of the chat is the first of them
    assert set(story["labels"]["buyers"]) >= {b["party"] for b in flagged}  # every one a planted buyer
    assert found["payments"] == {"transactions": 4181, "flagged_senders": 12, "flagged_receivers": 4}
    assert found["audit"]["ok"] and found["accounts"] == [{"name": "demo", "role": "admin"}]
    assert Path(found["report"]["html"]).is_file() and Path(found["report"]["pdf"]).is_file()
    # the chat's amount agrees with the payment the buyer made that day: the link is strong and says why
    link = next(x for x in invoke_json("links", "--case", case)["links"] if x["identifier"] == STORY_PHONE)
    assert link["origins"] == ["chat", "payment", "screen"] and link["strength"] == "strong"
    assert any("payment T00004029 of 32.00 EUR on 2025-08-11" in reason for reason in link["reasons"])
    # the thread in time: the chat's price message, the buyer's payment within 48 h, the recording 3 h later
    assert [(q["order"], q["order_time"], q["payment"], q["payment_time"], q["recording_time"])
            for q in lead["sequences"]] == [
        ("chat message 17", "2025-08-09 20:34:00", "transaction T00004029", "2025-08-11 02:09:58",
         "2025-08-11 05:02:00"),
        ("chat message 19", "2025-08-09 21:09:00", "transaction T00004029", "2025-08-11 02:09:58",
         "2025-08-11 05:02:00")]
    lines = invoke(*story["findings_command"]).output.splitlines()
    assert lines[1:10] == [
        f"  Screen_Recording_20250811_070200.mp4 (score {recording['score']:.2f}): on screen phone +639175550142 "
        f"(at {lead['seconds']:.0f} s)",
        "    +639175550142 linked to whatsapp chat 'Rosa' (1 message) and 42 payments (1,229 EUR) from 9 senders",
        "    order -> payment -> recording: chat message 17 (2025-08-09 20:34 UTC) -> transaction T00004029 "
        "(2025-08-11 02:09) -> this recording (2025-08-11 05:02)",
        "    top buyers paying it (9 flagged by the payment indicators):",
        lines[5], lines[6], lines[7],
        "  payments: 4,181 transactions; 12 possible buyers and 4 possible facilitators flagged",
        lines[9]]
    assert lines[5].startswith("      Sam Fontaine (AC876207294): 10 payments, 329 EUR; score ")
    assert re.fullmatch(r"  audit trail: \d+ rows, intact", lines[9])
    assert lines[-1].startswith(f"  open it: winnow serve --case {case}  then http://127.0.0.1:8765/")
    assert lines[-1].endswith("accounts: demo (admin))")


def _not_blank(png: Path) -> float:
    """The share of the page's pixels that are clearly darker than the paper."""
    import numpy as np
    from PIL import Image

    with Image.open(png) as image:
        gray = np.asarray(image.convert("L"), dtype=np.float32)
    return float((gray < 160).mean())


def test_report_for_court(story: dict[str, Any], tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    result = invoke_json("report", "--case", story["case"], "--out", tmp_path)
    assert result["recordings"] == 1 and result["links"] == 2 and result["audit_ok"]
    html_text = Path(result["html"]).read_text(encoding="utf-8")
    for heading in ("Findings in brief", "Selected recordings", "Leads read on screen", "Links between identifiers",
                    "Identifiers and where they were seen", "Payment evidence", "Audit trail"):
        assert f"<h2>{heading}" in html_text, heading
    section = html_text.split("<h2>Selected recordings", 1)[1].split("<h2>", 1)[0]
    assert "Screen_Recording_20250811_070200.mp4" in section
    assert re.search(r"A picture-in-picture inset \(a call&#x27;s self view\): inset at the [a-z-]+ corner[^<]* — "
                     r"adds \d\.\d\d points\.", section), section
    assert '"signal"' not in html_text and "&quot;signal&quot;" not in html_text  # never the stored JSON
    section = html_text.split("<h2>Leads read on screen", 1)[1].split("<h2>", 1)[0]
    assert STORY_PHONE in section and "ok booked. send by gcash to 0917 555 0142 first" in section
    assert "payments: 42 (1229.00 EUR) from 9 senders" in section
    assert ("order -&gt; payment -&gt; recording: chat message 17 (2025-08-09 20:34:00) [whatsapp &#x27;Rosa&#x27;] "
            "Rosa: price is 32 EUR -&gt; transaction T00004029 (2025-08-11 02:09:58)") in section
    section = html_text.split("<h2>Links between", 1)[1].split("<h2>", 1)[0]
    assert section.count("<tr>") == 3 and "strong" in section and "screen — read on screen" in section
    section = html_text.split("<h2>Payment evidence", 1)[1].split("<h2>", 1)[0]
    assert section.count("<tr>") == 1 + 12 + 4  # every flagged party, each with its rules and rows
    assert "AC876207294<br>(Sam Fontaine)" in section and "(Lea Dubois)" in section
    assert re.search(r"T\d{8} 2025-\d\d-\d\d \d\d:\d\d UTC: \d+\.\d\d EUR \(\d+\.\d\d EUR\) Sam Fontaine -&gt; "
                     r"Lea Dubois \(\+639175550142\)", section)
    audit_section = html_text.split("<h2>Audit trail", 1)[1]
    assert "<td>verification</td><td>intact</td>" in audit_section
    pdf = pdfium.PdfDocument(result["pdf"])
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    for needle in ("Selected recordings", "A picture-in-picture inset", STORY_PHONE, "Payment evidence",
                   "AC876207294", "intact"):
        assert needle in text, needle
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = SHOTS / "report-pdf-page2.png"
    pdf[1].render(scale=1.5).to_pil().save(page)
    assert _not_blank(page) > 0.01


def _planted_case(root: Path) -> Path:
    """A tiny case whose evidence carries HTML/JS: a file name, a chat message and a payment reference naming one
    number, and (written into the store, as a hostile case file could) a call score's reason."""
    from PIL import Image

    evidence = root / "evidence"
    evidence.mkdir(parents=True)
    name = evidence / '<img src=x onerror="window.planted=1">.png'
    Image.new("RGB", (64, 48), (200, 30, 30)).save(name)
    chat = root / "chat.txt"
    chat.write_text("14/03/25, 10:00 - Sam: hello\n"
                    "14/03/25, 10:05 - Rosa: <script>window.planted=2</script> send to 0917 555 0199\n"
                    "15/03/25, 10:05 - Sam: sent\n", encoding="utf-8")
    payments = root / "transactions.csv"
    payments.write_text(
        "Transaction ID,Date Time,Send Amount,Send Currency,Sender Name,Sender Phone,Sender Country,Sender Account,"
        "Receiver Name,Receiver Phone,Receiver Country,Receiver Wallet,Channel,Message,Agent Location\n"
        'T1,2025-03-14 11:00:00,25.00,EUR,Sam,+33612345678,FR,AC1,Rosa,+639175550199,PH,,money_transfer,'
        '"<svg onload=window.planted=3> +63 917 555 0199",Online\n', encoding="utf-8")
    case = root / "case"
    invoke("case", "create", case, "--name", "<b>planted</b>", "--examiner", "e")
    invoke("ingest", name, "--case", case, "--workers", "1")
    invoke("chats", "import", chat, "--case", case, "--region", "PH")
    invoke("payments", "import", payments, "--case", case)
    invoke("links", "--case", case)
    conn = sqlite3.connect(case / "case.sqlite")
    try:
        reasons = json.dumps([{"signal": "<i>x</i>", "points": 2.0, "evidence": "<script>window.planted=4</script>"}])
        conn.execute("UPDATE calls SET score = 0.9, reasons = ?", (reasons,))
        conn.commit()
    finally:
        conn.close()
    return case


def test_report_escapes_evidence_and_renders(story: dict[str, Any], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    case = _planted_case(tmp_path)
    result = invoke_json("report", "--case", case, "--out", tmp_path / "reports")
    html_text = Path(result["html"]).read_text(encoding="utf-8")
    for raw in ("<script>window", "<img src=x", "<svg onload", "<i>x</i>", "<b>planted</b>"):
        assert raw not in html_text, raw
    for shown in ("&lt;script&gt;window.planted=2&lt;/script&gt; send to 0917 555 0199",  # chat message
                  "&lt;img src=x onerror=&quot;window.planted=1&quot;&gt;.png",  # file name
                  "&lt;svg onload=window.planted=3&gt; +63 917 555 0199",  # payment reference
                  "&lt;script&gt;window.planted=4&lt;/script&gt;"):  # a stored reason
        assert shown in html_text, shown
    story_report = invoke_json("report", "--case", story["case"], "--out", tmp_path / "story")
    assert CHROMIUM.exists(), "make test installs Debian's chromium"
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("file://") else None)
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(Path(result["html"]).as_uri())
            assert page.evaluate("window.planted") is None and dialogs == []  # nothing ran
            assert page.locator("h2", has_text="Leads read on screen").count() == 1
            page.goto(Path(story_report["html"]).as_uri())
            page.locator("h2", has_text="Findings in brief").evaluate("e => e.scrollIntoView()")
            SHOTS.mkdir(parents=True, exist_ok=True)
            shot = SHOTS / "report-html.png"
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    assert outside == []  # the report is self-contained: no request leaves the file
    assert _not_blank(shot) > 0.01


def test_findings_and_report_of_a_case_with_nothing_yet(tmp_path: Path) -> None:
    from winnow.calls.explain import sentences
    from winnow.web.report_findings import _reasons

    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "empty", "--examiner", "e")
    found = invoke_json("findings", "--case", case)
    assert found["recordings"] == [] and found["payments"] is None and found["report"] is None
    lines = invoke("findings", "--case", case).output.splitlines()
    assert lines[0] == "empty: 0 likely call recordings (score >= 0.5) among 0 videos and images scored"
    assert lines[-1].endswith("(local only; accounts: none yet (winnow user add))")
    result = invoke_json("report", "--case", case, "--out", tmp_path / "r")
    assert result["recordings"] == 0 and result["links"] == 0
    assert "<h2>Payment evidence" in Path(result["html"]).read_text(encoding="utf-8")
    # stored reasons that cannot be read become sentences that say so
    assert _reasons(None) == "The stored reasons could not be read."
    assert [r["sentence"] for r in sentences(["junk", {"signal": "timer", "points": "x"}])] == [
        "A stored reason could not be read.", "A running call timer read on screen: no detail — adds nothing."]


def test_a_pdf_row_taller_than_a_page_continues_and_loses_nothing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2 as pdfium

    from winnow.web import report

    evidence = "\n".join(f"T{i:08d} 2025-03-0{i % 9 + 1} 10:00 UTC: 25.00 EUR a -> b" for i in range(150))
    ids = ", ".join(f"X{i:07d}" for i in range(400))
    monkeypatch.setattr(report, "sections", lambda data: [("Payment evidence", ["party", "rows", "ids"],
                                                           [["AC1", evidence, ids], ["AC2", "short", "one"]])])
    path = report.write_pdf({"case": {"name": "tall"}}, tmp_path / "tall.pdf")
    pdf = pdfium.PdfDocument(path)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert len(pdf) > 1 and all(f"T{i:08d}" in text for i in range(150))
    assert all(f"X{i:07d}" in text for i in range(400)) and "short" in text


def test_selected_recordings_follow_the_reviewers_verdicts(tmp_path: Path) -> None:
    """The court report's selection: scored recordings a reviewer has not called "not a call", and every one a
    reviewer confirmed (even below the score), confirmed ones first."""
    from winnow.store import findings as queries
    from winnow.store.case import create_case

    case = create_case(tmp_path / "case", name="c", examiner="e")
    conn = case.connect()
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        for sha, score in (("a" * 64, 0.9), ("b" * 64, 0.8), ("c" * 64, 0.3), ("d" * 64, 0.2)):
            conn.execute("INSERT INTO calls VALUES (?, ?, ?, '[]', 0, NULL, 1)", (sha, score, score))
        conn.execute("INSERT INTO call_reviews VALUES (?, 'not-call', 1, 'alice', '2026-01-01T00:00:00Z')",
                     ("b" * 64,))
        conn.execute("INSERT INTO call_reviews VALUES (?, 'call', 1, 'alice', '2026-01-01T00:00:00Z')", ("c" * 64,))
        conn.commit()
        picked = [(r["sha256"][0], r["verdict"]) for r in queries.recordings(conn, 0.5)]
    finally:
        conn.close()
    assert picked == [("c", "call"), ("a", None)]
