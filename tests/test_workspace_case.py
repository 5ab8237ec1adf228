"""The workspace pages (case overview, calls, leads and identifiers, search) and the item page, on one generated
case: photos, a call-like screen recording whose screen shows the seller's number (read by OCR at ingest), a
camera video, a corrupt file, a file whose name is HTML/JS, a WhatsApp export that names the same number, and
payment records in which it receives payments. HTTP tests pin what each page shows and check sessions, roles and
CSRF; browser tests (Playwright, Debian's Chromium) check blur by default, audited reveals, verdicts, live
progress, nothing external, nothing planted running, and no horizontal scroll at 1366x768. Each browser test
saves a screenshot (.artifacts/screenshots, or $WINNOW_SCREENSHOTS)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke
from test_web import client, invoke_stdin, login
from winnow.store.case import Case

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("WINNOW_SCREENSHOTS") or Path(__file__).resolve().parents[1] / ".artifacts" / "screenshots")
HOSTILE_NAME = "<img src=x onerror=alert(1)>.png"
HOSTILE_OCR = "<script>window.pwned=1</script><img src=x onerror=window.pwned=2>"
HOSTILE_CHAT = "<b onmouseover=alert(3)>order</b> <script>window.pwned=3</script> call me"


@pytest.fixture(scope="module")
def ws_case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from PIL import Image

    from winnow.messages import Rows, Sighting
    from winnow.sample import calls as sample_calls
    from winnow.sample import chats as sample_chats
    from winnow.sample.photos import photo
    from winnow.signals.call import LEAD_COLUMNS
    from winnow.store.writer import write_output

    base = tmp_path_factory.mktemp("workspace")
    media = base / "media"
    media.mkdir()
    scenario = sample_chats.conversation(seed=7, messages=12)
    phone = scenario.seller_phone  # +63917...
    caption = f"{phone[:3]} {phone[3:6]} {phone[6:9]} {phone[9:]}"
    sample_calls.call_video(media / "call_a.mp4", 1, style=1, seconds=8, caption=caption)
    sample_calls.camera_video(media / "holiday.mp4", 3, style=0, seconds=4)
    for n in range(3):
        photo(20 + n, (640, 480)).save(media / f"photo_{n}.jpg", quality=85)
    photo(30, (320, 240)).save(media / HOSTILE_NAME)
    (media / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 40)
    root = base / "case"
    invoke("case", "create", root, "--name", "Workspace", "--examiner", "e")
    invoke("ingest", media, "--case", root, "--workers", "1")
    known = base / "known.txt"  # an agency set that knows one photo
    known.write_text(hashlib.sha256((media / "photo_0.jpg").read_bytes()).hexdigest() + "\n")
    invoke("hashset", "import", known, "--name", "agency-test", "--library", base / "lib")
    invoke("match", "--case", root, "--library", base / "lib")
    invoke("triage", "--case", root, "--library", base / "lib")
    scenario.lines.append(sample_chats.Line(scenario.seller, scenario.lines[-1].time, HOSTILE_CHAT))
    chat = sample_chats.whatsapp(scenario, base / "chat.txt")
    rows = ["Transaction ID,Date Time,Send Amount,Send Currency,Sender Name,Sender Phone,Sender Country,"
            "Sender Account,Receiver Name,Receiver Phone,Receiver Country,Receiver Wallet,Channel,Agent Location,"
            "Message"]
    for k in range(4):
        rows.append(f"T{k},2025-03-{14 + k:02d} 23:10:00,30.00,EUR,Buyer {k},+3361234567{k},FR,AC{k},"
                    f"Rosa Seller,{phone},PH,,money_transfer,Online,order {k}")
    payments = base / "pay.csv"
    payments.write_text("\n".join(rows) + "\n", encoding="utf-8")
    invoke("payments", "import", payments, "--case", root)
    invoke("chats", "import", chat, "--case", root, "--format", "whatsapp", "--region", "PH")
    case = Case(root)
    conn = sqlite3.connect(case.store)
    call = conn.execute("SELECT i.sha256 FROM instances i WHERE i.name = 'call_a.mp4'").fetchone()[0]
    crop = root / "thumbnails" / call[:2] / f"{call}.planted.png"
    Image.new("RGB", (120, 24), (200, 200, 200)).save(crop)
    lead = (call, 5.5, "handle", "@planted_lead", "@planted_lead", 0.9, HOSTILE_OCR, "[0, 0, 1, 1]",
            str(crop.relative_to(root)))
    write_output(conn, [Rows("leads", LEAD_COLUMNS, (lead,))],
                 [Sighting("handle", "@planted_lead", "screen", f"{call}@5.5", "@planted_lead", 0.9, "read on screen",
                           HOSTILE_OCR[:200])], 1)
    conn.close()
    for name, role in (("alice", "reviewer"), ("rita", "readonly")):
        assert invoke_stdin(["user", "add", name, "--case", root, "--role", role, "--password-stdin"],
                            f"{name}-secret-pass\n").exit_code == 0
    return {"case": case, "root": root, "call": call, "phone": phone, "media": media}


def _sha(case: Case, name: str) -> str:
    conn = sqlite3.connect(case.store)
    try:
        return str(conn.execute("SELECT sha256 FROM instances WHERE name = ?", (name,)).fetchone()[0])
    finally:
        conn.close()


def test_overview_counts_warnings_sets_and_audit(ws_case: dict[str, Any]) -> None:
    case = ws_case["case"]
    c, _ = login(case, "rita")  # every role may look
    page = c.get("/case", headers={"accept": "text/html"})
    assert page.status_code == 200
    text = page.text
    assert re.search(r'data-state="unknown">(\d+)<', text).group(1) == "6"  # type: ignore[union-attr]
    assert re.search(r'data-state="alert">(\d+)<', text).group(1) == "1"  # type: ignore[union-attr]
    assert 'id="run-rows"' in text and "ingest" in text
    sets = text[text.index('id="hash-sets"'):text.index("</table>", text.index('id="hash-sets"'))]
    assert "agency-test" in sets and '<td class="num">1</td>' in sets
    codes = re.findall(r'href="/case/warnings/([^"]+)"', text)
    assert codes, text
    drill = c.get(f"/case/warnings/{codes[0]}", headers={"accept": "text/html"}).text
    assert "broken.jpg" in drill
    progress = c.get("/case/progress").json()
    ingest = next(r for r in progress["runs"] if r["command"].startswith("ingest"))
    assert progress["running"] is False and ingest["status"] == "completed"
    assert ingest["files_done"] == 7 and ingest["total_files"] == 7 and ingest["percent"] == 100.0
    verified = c.get("/case/audit").json()
    assert verified["ok"] is True and verified["rows"] >= 5
    assert c.get("/", headers={"accept": "text/html"}).headers["location"] == "/case"


def test_calls_page_reasons_verdicts_and_parties(ws_case: dict[str, Any]) -> None:
    case, call, phone = ws_case["case"], ws_case["call"], ws_case["phone"]
    c, csrf = login(case, "alice")
    page = c.get("/calls", headers={"accept": "text/html"}).text
    order = re.findall(r'<article class="call" id="call-[0-9a-f]+" data-sha="([0-9a-f]+)"', page)
    assert order[0] == call and _sha(case, "holiday.mp4") in order  # the call recording first
    scores = [float(x) for x in re.findall(r'<span class="score">([0-9.]+)</span>', page)]
    assert scores[0] == 0.94 and len(scores) == 6 and scores == sorted(scores, reverse=True) and scores[1] < 0.1
    assert "A picture-in-picture inset" in page and "points</span>" in page
    assert '"signal"' not in page and "[{" not in page  # never the stored JSON
    assert phone in page and "/lead-crop/" in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page and "<script>window.pwned" not in page
    version = int(re.search(rf'data-sha="{call}" data-version="(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert c.post(f"/calls/{call}/verdict", json={"verdict": "call", "version": version}).status_code == 403
    done = c.post(f"/calls/{call}/verdict", headers={"x-csrf-token": csrf}, json={"verdict": "call",
                                                                                   "version": version})
    assert done.status_code == 200 and done.json()["version"] == version + 1
    stale = c.post(f"/calls/{call}/verdict", headers={"x-csrf-token": csrf}, json={"verdict": "not-call",
                                                                                    "version": version})
    assert stale.status_code == 409 and "alice" in stale.json()["conflict"]
    assert c.post(f"/calls/{call}/verdict", headers={"x-csrf-token": csrf},
                  json={"verdict": "maybe", "version": version + 1}).status_code == 400
    assert c.post(f"/calls/{call}/party", json={"party": phone}).status_code == 403  # no CSRF token
    assert c.post(f"/calls/{call}/party", headers={"x-csrf-token": csrf}, json={"party": "<"}).status_code == 200
    assert c.post(f"/calls/{call}/party", headers={"x-csrf-token": csrf}, json={"party": " "}).status_code == 400
    linked = c.post(f"/calls/{call}/party", headers={"x-csrf-token": csrf}, json={"party": phone})
    assert linked.status_code == 200 and linked.json()["added"] is True
    rita, r_csrf = login(case, "rita")
    assert rita.post(f"/calls/{call}/verdict", headers={"x-csrf-token": r_csrf},
                     json={"verdict": "not-call", "version": version + 1}).status_code == 403
    assert rita.post(f"/calls/{call}/party", headers={"x-csrf-token": r_csrf},
                     json={"party": "x"}).status_code == 403
    readonly = rita.get("/calls", headers={"accept": "text/html"}).text
    assert 'class="decide"' not in readonly and "a call recording (alice" in readonly
    conn = sqlite3.connect(case.store)
    audited = [(cmd, json.loads(args)) for cmd, args in conn.execute(
        "SELECT command, arguments FROM audit WHERE command LIKE 'calls %' ORDER BY id")]
    conn.close()
    assert [(cmd, a["user"], a.get("new") or a.get("party")) for cmd, a in audited] == [
        ("calls review", "alice", "call"), ("calls link party", "alice", "<"), ("calls link party", "alice", phone)]
    lead = re.search(r'/lead-crop/(\d+)', page).group(1)  # type: ignore[union-attr]
    assert c.get(f"/lead-crop/{lead}").headers["content-type"] == "image/png"
    for crafted in ("..%2Fcase.sqlite", "-1", "99999999"):
        assert c.get(f"/lead-crop/{crafted}").status_code == 404


def test_item_page_shows_reasons_as_sentences(ws_case: dict[str, Any]) -> None:
    c, _ = login(ws_case["case"], "alice")
    page = c.get(f"/item/{ws_case['call']}", headers={"accept": "text/html"}).text
    cell = page[page.index('id="call-score"'):page.index("on-screen leads")]
    assert "points</span>" in cell and '"signal"' not in cell and "A picture-in-picture inset" in cell


def test_leads_show_where_each_identifier_was_seen(ws_case: dict[str, Any]) -> None:
    c, _ = login(ws_case["case"], "rita")
    phone = ws_case["phone"]
    page = c.get("/leads?linked=1", headers={"accept": "text/html"}).text
    row = page[page.index(f"<b>{phone}</b>"):]
    row = row[:row.index("</tr>")]
    assert "linked: chat + payment + screen" in row and "on screen at" in row and "whatsapp chat" in row
    assert "payment: 4" in row and "phonenumbers" in row
    screen_only = c.get("/leads?origin=screen&kind=handle", headers={"accept": "text/html"}).text
    assert "@planted_lead" in screen_only and "&lt;script&gt;window.pwned=1" in screen_only


def test_search_finds_hashes_identifiers_names_and_text(ws_case: dict[str, Any]) -> None:
    case, call = ws_case["case"], ws_case["call"]
    c, _ = login(case, "rita")
    conn = sqlite3.connect(case.store)
    md5, sha1 = conn.execute("SELECT md5, sha1 FROM content WHERE sha256 = ?", (call,)).fetchone()
    photo, pdq = conn.execute("SELECT sha256, pdq FROM images WHERE pdq IS NOT NULL ORDER BY sha256").fetchone()
    conn.close()
    for query, expected in ((call.upper(), f"/item/{call}"), (md5, f"/item/{call}"), (sha1, f"/item/{call}"),
                            (pdq, f"/item/{photo}"), ("call_a", f"/item/{call}"), ("a.mp4", f"/item/{call}")):
        page = c.get("/search", params={"q": query}, headers={"accept": "text/html"}).text
        assert expected in page, query
    phone = ws_case["phone"]
    spaced = f"{phone[:3]} {phone[3:6]} {phone[6:9]} {phone[9:]}"
    page = c.get("/search", params={"q": spaced}, headers={"accept": "text/html"}).text
    assert f"<b>{phone}</b></a>, seen in" in page
    only = c.get("/leads", params={"value": phone}, headers={"accept": "text/html"}).text
    assert only.count('<tr class="linked">') == 1 and f"<b>{phone}</b><br><small>phone" in only
    hostile = c.get("/search", params={"q": "pwned"}, headers={"accept": "text/html"}).text
    assert "Text read on screen" in hostile and "Chat messages" in hostile
    assert "<script>window.pwned" not in hostile and "&lt;script&gt;window.pwned=3" in hostile
    named = c.get("/search", params={"q": "<img src=x"}, headers={"accept": "text/html"}).text
    assert "&lt;img src=x onerror=alert(1)&gt;.png" in named and "<img src=x" not in named


def test_queue_summary_follows_decisions_and_triage(ws_case: dict[str, Any]) -> None:
    from winnow.store import queue

    case = ws_case["case"]
    c, csrf = login(case, "alice")
    conn = case.connect()
    try:
        before = {r["group_key"]: dict(r) for r in conn.execute("SELECT * FROM queue_summary")}
        fresh = {r["group_key"]: dict(r) for r in conn.execute(queue.GROUPS_SQL)}
        assert before == fresh and not queue.is_stale(conn)
        sha = _sha(case, "photo_1.jpg")
        done = c.post("/decide", headers={"x-csrf-token": csrf},
                      json={"items": [sha], "category": "0", "versions": {sha: 0}})
        again = c.post("/decide", headers={"x-csrf-token": csrf},
                       json={"items": [sha], "category": "4", "versions": {sha: 1}})
        assert done.status_code == 200 and again.status_code == 200
        after = {r["group_key"]: dict(r) for r in conn.execute("SELECT * FROM queue_summary")}
        assert after == {r["group_key"]: dict(r) for r in conn.execute(queue.GROUPS_SQL)}  # kept by triggers
        assert sum(g["decided"] for g in after.values()) == sum(g["decided"] for g in before.values()) + 1
        assert not queue.is_stale(conn)
        conn.execute("UPDATE triage SET state = 'alert' WHERE sha256 = ?", (sha,))
        assert queue.is_stale(conn)  # a triage change marks it; the next page rebuilds it
    finally:
        conn.close()
    page = c.get("/queue", headers={"accept": "text/html"}).text
    conn = case.connect()
    try:
        assert not queue.is_stale(conn)
        assert {r["group_key"]: dict(r) for r in conn.execute("SELECT * FROM queue_summary")} == \
            {r["group_key"]: dict(r) for r in conn.execute(queue.GROUPS_SQL)}
    finally:
        conn.close()
    assert "href=\"/group/" in page


def test_workspace_routes_need_a_session(ws_case: dict[str, Any]) -> None:
    anonymous = client(ws_case["case"])
    sha = ws_case["call"]
    for path in ("/case", "/case/progress", "/case/audit", "/case/warnings/x", "/calls", "/leads", "/search?q=a",
                 "/lead-crop/1"):
        assert anonymous.get(path).status_code == 401, path
    for path in (f"/calls/{sha}/verdict", f"/calls/{sha}/party"):
        assert anonymous.post(path, json={}).status_code == 401, path


# --- in the browser ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(ws_case: dict[str, Any]) -> Any:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "winnow.cli", "serve", "--case", str(ws_case["root"]), "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Any:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "make test installs Debian's chromium"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield instance
        instance.close()


def _page(browser: Any, url: str, name: str) -> tuple[Any, list[str], list[str]]:
    """A logged-in page at 1366x768 that records requests leaving this server and any dialog."""
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    external: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(url) else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", f"{name}-secret-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/queue")
    return page, external, dialogs


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"page is {width} px wide at a 1366 px viewport"


def test_browser_overview_with_live_progress(server: Any, browser: Any, ws_case: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    page, external, dialogs = _page(browser, server, "alice")
    conn = sqlite3.connect(ws_case["case"].store)  # a running ingest, as `winnow ingest` records it each second
    conn.execute("INSERT INTO runs (started_utc, command, status, tool_version, versions, settings) VALUES "
                 "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'ingest', 'running', 'x', '{}', '{}')")
    run = conn.execute("SELECT max(id) FROM runs").fetchone()[0]
    conn.execute("INSERT INTO run_progress VALUES (?, 10, 1000, 12, 1, 40, 4000, 1, strftime('%Y-%m-%dT%H:%M:%fZ', "
                 "'now'))", (run,))
    conn.commit()
    page.click("#nav-case")
    page.wait_for_url(f"{server}/case")
    expect(page.locator(f'tr[data-run="{run}"] .progress')).to_contain_text("10 of 40 files (25%)")
    expect(page.locator("#live")).to_contain_text("an ingest is running")
    conn.execute("UPDATE run_progress SET files_done = 30, updated_utc = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                 "WHERE run_id = ?", (run,))
    conn.commit()
    expect(page.locator(f'tr[data-run="{run}"] .progress')).to_contain_text("30 of 40 files (75%)", timeout=6000)
    conn.execute("UPDATE runs SET status = 'completed' WHERE id = ?", (run,))
    conn.execute("UPDATE run_progress SET files_done = 40 WHERE run_id = ?", (run,))
    conn.commit()
    conn.close()
    expect(page.locator(f'tr[data-run="{run}"] .status')).to_have_text("completed", timeout=6000)
    page.click("#verify-audit")
    expect(page.locator("#audit-result")).to_contain_text("intact")
    _no_horizontal_scroll(page)
    _shot(page, "case-overview.png")
    page.click("#warnings a >> nth=0")
    page.wait_for_url(f"{server}/case/warnings/*")
    _no_horizontal_scroll(page)
    assert not external and not dialogs


def test_browser_calls_blurred_reveal_verdict_and_party(server: Any, browser: Any, ws_case: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    page, external, dialogs = _page(browser, server, "alice")
    page.click("#nav-calls")
    page.wait_for_url(f"{server}/calls")
    first = page.locator("article.call").first
    assert first.get_attribute("data-sha") == ws_case["call"]
    sheet = first.locator(".shot img").first
    assert "blur(" in sheet.evaluate("e => getComputedStyle(e).filter")
    assert "grayscale(" in sheet.evaluate("e => getComputedStyle(e).filter")
    assert page.evaluate("window.pwned") is None  # the planted OCR text did not run
    _no_horizontal_scroll(page)
    _shot(page, "calls.png")
    first.locator("button.reveal").click()
    expect(first).to_have_class(re.compile("revealed"))
    assert sheet.evaluate("e => getComputedStyle(e).filter") == "none"
    first.locator("button.reveal").click()
    assert "blur(" in sheet.evaluate("e => getComputedStyle(e).filter")
    before = int(first.get_attribute("data-version") or 0)
    first.locator("button.decide[data-verdict=not-call]").click()
    expect(first.locator(".verdict-text")).to_contain_text("not a call (alice")
    assert int(first.get_attribute("data-version") or 0) == before + 1
    first.locator(".party-input").fill("Rosa Seller")
    first.locator("button.link-party").click()
    expect(first.locator(".party-list")).to_contain_text("Rosa Seller")
    conn = sqlite3.connect(ws_case["case"].store)
    reveals = conn.execute("SELECT count(*) FROM audit WHERE command = 'review reveal' AND arguments LIKE ?",
                           (f"%{ws_case['call']}%",)).fetchone()[0]
    conn.close()
    assert reveals == 1
    assert not external and not dialogs


def test_browser_leads_search_and_item_fit_the_screen(server: Any, browser: Any, ws_case: dict[str, Any]) -> None:
    page, external, dialogs = _page(browser, server, "alice")
    page.click("#nav-leads")
    page.wait_for_url(f"{server}/leads")
    page.check("input[name=linked]")
    page.click(".filters button[type=submit]")
    page.wait_for_url(re.compile(r".*linked=1.*"))
    assert page.locator("#identifiers tr.linked").count() >= 1
    _no_horizontal_scroll(page)
    _shot(page, "leads.png")
    page.fill(".nav-search input[name=q]", "onerror")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/search\?q=onerror"))
    assert "onerror=alert(1)>.png" in page.inner_text("main")  # shown as text
    assert page.evaluate("window.pwned") is None
    _no_horizontal_scroll(page)
    _shot(page, "search.png")
    page.click(f'main a[href="/item/{_sha(ws_case["case"], HOSTILE_NAME)}"]')
    page.wait_for_url(f"{server}/item/*")
    page.goto(f"{server}/item/{ws_case['call']}")
    page.wait_for_selector("#call-score")
    _no_horizontal_scroll(page)
    _shot(page, "item-call.png")
    assert not external and not dialogs
