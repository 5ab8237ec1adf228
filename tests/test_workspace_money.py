"""The workspace's chats, payments, network and timeline pages, on one generated case: a WhatsApp export in which a
buyer orders and pays (sample/chats.py), the payments generator's scenario plus the buyer's transfers to the
seller's number, the chat's attachments and a call recording as case items. Through the HTTP interface (sessions,
roles, the stored ranking and its freshness, escaping) and in Chromium (each page drawn, the network panned, zoomed
and clicked, planted HTML/JS inert, no request leaving 127.0.0.1); each browser test saves a screenshot
(WINNOW_SCREENSHOTS=DIR puts them there; docs/screenshots holds copies)."""

from __future__ import annotations

import csv
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from conftest import invoke
from test_web import client, invoke_stdin, login
from winnow.store.case import Case

XSS_CHAT = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> order confirmed'
XSS_REFERENCE = "<img src=x onerror=window.__xss=3>tuition"
XSS_FILE = "<svg/onload=window.__xss=4>.jpg"  # an attachment's file name as an export could write it
SHOTS = Path(os.environ.get("WINNOW_SCREENSHOTS") or Path(__file__).resolve().parents[1] / ".artifacts" /
             "screenshots")
CHROMIUM = Path("/usr/bin/chromium")


def _photo(path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:240, 0:320]
    base = np.stack([x * 255 // 320, y * 255 // 240, np.full_like(x, 90 + 40 * seed % 160)], axis=-1)
    noise = rng.integers(0, 30, base.shape)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(base + noise, 0, 255).astype("uint8")).save(path, quality=85)


def build(root: Path) -> dict[str, Any]:
    """The case (CLI all the way) and the values the tests pin."""
    from winnow.payments.generator import FIELDS, generate
    from winnow.sample.chats import Line, conversation, whatsapp
    from winnow.sample.videos import pan_frames, write

    scenario = conversation(seed=3, messages=40, start=datetime(2025, 3, 14, 9, 0))
    paid = next(line.time for line in scenario.lines if line.text.startswith("sent "))
    scenario.lines.append(Line(scenario.seller, paid + timedelta(minutes=5), XSS_CHAT))
    scenario.lines.append(Line(scenario.seller, paid + timedelta(minutes=6), "", attachment=XSS_FILE))
    scenario.lines.sort(key=lambda line: line.time)
    work = root.parent / "inputs"
    export = whatsapp(scenario, work / "chat" / "WhatsApp Chat with Rosa Seller.txt")
    media = work / "media"
    attachments = [line.attachment for line in scenario.lines if line.attachment and line.attachment != XSS_FILE]
    for k, name in enumerate(attachments):
        _photo(media / name, k + 1)
    recorded = paid + timedelta(hours=2)
    write(media / "call_recording.mp4", pan_frames(2, (160, 120), 2.0, 8.0), (160, 120), 8.0,
          metadata={"creation_time": recorded.strftime("%Y-%m-%dT%H:%M:%S.000000Z")})
    generate(work / "payments", seed=1, senders=300, buyers=12, facilitators=4)
    planted = work / "planted.csv"
    with planted.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        senders = [(scenario.buyer, scenario.buyer_phone)] + [(f"Payer {n}", f"+3361000000{n}") for n in range(5)]
        for k in range(18):
            name, phone = senders[k % 6]
            writer.writerow({"Transaction ID": f"X{k:04d}", "Send Amount": f"{scenario.amount_eur:.2f}",
                             "Date Time": (paid + timedelta(minutes=20, days=3 * k)).strftime("%Y-%m-%d %H:%M:%S"),
                             "Send Currency": "EUR", "Sender Name": name,
                             "Sender Phone": phone, "Sender Country": "FR", "Sender Account": f"AC7{k % 6}",
                             "Receiver Name": scenario.seller, "Receiver Phone": scenario.seller_phone,
                             "Receiver Country": "PH", "Receiver Wallet": "", "Channel": "money_transfer",
                             "Message": XSS_REFERENCE if k == 0 else "tuition", "Agent Location": "Online"})
    invoke("case", "create", root, "--name", "Workspace", "--examiner", "e")
    invoke("ingest", media, "--case", root, "--workers", "1")
    invoke("chats", "import", export, "--case", root, "--tz", "UTC", "--region", "PH", "--dayfirst")
    invoke("payments", "import", work / "payments" / "transactions.csv", "--case", root)
    invoke("payments", "import", planted, "--case", root)
    invoke("payments", "score", "--case", root, "--json")
    for name, role in (("alice", "reviewer"), ("rita", "readonly")):
        assert invoke_stdin(["user", "add", name, "--case", root, "--role", role, "--password-stdin"],
                            f"{name}-secret-pass\n").exit_code == 0
    return {"scenario": scenario, "attachments": attachments, "paid": paid, "work": work}


@pytest.fixture(scope="module")
def money(tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, dict[str, Any]]:
    root = tmp_path_factory.mktemp("money") / "case"
    return Case(root), build(root)


def _html(c: Any, path: str) -> str:
    response = c.get(path, headers={"accept": "text/html"})
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return str(response.text)


def test_chats_search_thread_identifiers_and_attachments(money: tuple[Case, dict[str, Any]]) -> None:
    case, facts = money
    scenario = facts["scenario"]
    c, _ = login(case, "rita")
    listing = _html(c, "/chats")
    assert "Rosa Seller" in listing and "<td>43</td>" in listing  # 40 lines, two planted ones, the banner
    # a phone typed in international form finds the message that wrote it in national form
    hits = _html(c, f"/chats?q={scenario.seller_phone.replace('+', '%2B')}")
    assert f"phone {scenario.seller_phone}" in hits and scenario.seller_local in hits
    text = _html(c, "/chats?q=western+union")
    assert "Hits for “western union”: 1" in text
    thread = re.search(r'href="/chats/(\d+)\?at=(\d+)#m(\d+)"', text)
    assert thread
    page = _html(c, f"/chats/{thread.group(1)}?at={thread.group(2)}")
    assert f'<mark class="id id-phone" title="phone {scenario.seller_phone}">{scenario.seller_local}</mark>' in page
    assert 'class="message message hit"' in page
    assert page.count('class="media-item" data-sha="') == len(facts["attachments"]) == 3
    assert page.count('<img src="/thumb/') == 3 and 'class="blur gray' in page  # blurred by default
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in page and "<script>window.__xss" not in page
    assert '<img src=x' not in page and "<svg" not in page
    assert "&lt;svg/onload=window.__xss=4&gt;.jpg <small>(not among the case items)</small>" in page
    redirect = c.get(f"/chats/message/{thread.group(3)}")
    assert redirect.status_code == 303 and redirect.headers["location"].startswith(f"/chats/{thread.group(1)}?at=")
    assert c.get("/chats/999999", headers={"accept": "text/html"}).status_code == 404
    assert "needs 3 characters" in _html(c, "/chats?q=ok")


def test_payments_ranking_is_stored_filtered_and_explained(money: tuple[Case, dict[str, Any]]) -> None:
    case, facts = money
    scenario = facts["scenario"]
    conn = sqlite3.connect(case.store)
    stored = conn.execute("SELECT role, count(*), sum(flagged) FROM ranked_parties GROUP BY role ORDER BY role")
    counts = stored.fetchall()
    seller = conn.execute("SELECT score, flagged, rules, rank FROM ranked_parties WHERE role = 'receiver' "
                          "AND entity = ?", (f"phone:{scenario.seller_phone}",)).fetchone()
    conn.close()
    assert counts == [("receiver", 5, 4), ("sender", 93, 12)]
    assert seller == (2.0, 0, ",R5,", 4)  # fan-in from the buyer and five other payers; not flagged on one rule
    c, _ = login(case, "rita")
    page = _html(c, "/payments?role=receiver")
    assert "Possible facilitators (receivers): 5" in page and scenario.seller_phone in page
    assert _html(c, "/payments?role=sender&flagged=1").count('class="party"') == 12
    assert "Possible buyers (senders): 0" in _html(c, "/payments?role=sender&min_score=99")
    by_rule = _html(c, "/payments?role=sender&rule=R1&country=FR")
    assert "Possible buyers (senders): 33" in by_rule and by_rule.count('class="party"') == 33
    assert "Possible buyers (senders): 68" in _html(c, "/payments?role=sender&rule=R1")
    second = _html(c, "/payments?role=sender&offset=50")
    assert second.count('class="party"') == 43 and 'id="prev-page"' in second and 'id="next-page"' not in second
    assert c.get("/payments?min_score=abc", headers={"accept": "text/html"}).status_code == 400
    party = _html(c, f"/payments/party/receiver/phone:{scenario.seller_phone.replace('+', '%2B')}")
    assert "X0000" in party and "&lt;img src=x onerror=window.__xss=3&gt;tuition" in party
    assert "<img src=x" not in party and 'id="timeline-link"' in party
    assert c.get("/payments/party/receiver/phone:nobody", headers={"accept": "text/html"}).status_code == 404
    picture = c.get("/payments/network.json").json()
    assert len(picture["nodes"]) == 114 and len(picture["edges"]) == 96
    assert f"phone:{scenario.seller_phone}" in {n["entity"] for n in picture["nodes"]}
    assert "Communities (" in _html(c, "/payments/network")


def test_stored_ranking_follows_the_payment_records(money: tuple[Case, dict[str, Any]], tmp_path: Path) -> None:
    """A page never scores while the records are unchanged; after an import it scores once and stores."""
    from winnow.payments import scoring, stored

    case, facts = money
    calls: list[int] = []
    original = scoring.score

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    scoring.score = counting  # type: ignore[assignment]
    try:
        before = stored.current(case)
        assert before is not None and stored.current(case) == before and calls == []
        extra = tmp_path / "more.csv"
        lines = (facts["work"] / "planted.csv").read_text(encoding="utf-8").splitlines()
        extra.write_text("\n".join([lines[0]] + [lines[1].replace("X0000", "Y0000")]) + "\n", encoding="utf-8")
        invoke("payments", "import", extra, "--case", case.root)
        after = stored.current(case)
        assert calls == [1] and after is not None and after["transactions"] == before["transactions"] + 1
        assert stored.current(case) == after and calls == [1]
        # another process writing the records (DuckDB has one writer): the stored ranking, marked busy
        holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                                   "print('locked', flush=True); time.sleep(60)", str(case.root / "payments.duckdb")],
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            conn = sqlite3.connect(case.store)
            conn.execute("UPDATE case_settings SET value = json_set(value, '$.files', json('[]')) "
                         "WHERE key = 'payments_ranking'")
            conn.commit()
            conn.close()
            busy = stored.current(case)
            assert busy is not None and busy["busy"] is True and calls == [1]
            c, _ = login(case, "rita")
            assert "being written by another process" in _html(c, "/payments")
        finally:
            holder.kill()
            holder.wait()
            if holder.stdout is not None:
                holder.stdout.close()
        assert stored.current(case) is not None and calls == [1]  # the same records: no new scoring
    finally:
        scoring.score = original  # type: ignore[assignment]


def test_timeline_links_order_payment_recording(money: tuple[Case, dict[str, Any]]) -> None:
    case, facts = money
    scenario = facts["scenario"]
    c, _ = login(case, "alice")
    page = _html(c, f"/timeline?party={scenario.seller_phone.replace('+', '%2B')}")
    assert "Sequences (2)" in page and "order -&gt; payment -&gt; recording" in page
    assert 'href="/chats/message/' in page and 'href="/payments/transaction/X0000"' in page
    assert re.search(r'href="/item/[0-9a-f]{64}">video ', page)
    assert "&lt;script&gt;" in page and "<script>window" not in page
    assert "X0000" in _html(c, "/payments/transaction/X0000")


def test_workspace_routes_need_a_session_and_reveals_a_role(money: tuple[Case, dict[str, Any]]) -> None:
    case, _ = money
    anonymous = client(case)
    for path in ("/chats", "/chats/1", "/chats/message/1", "/payments", "/payments/network", "/payments/network.json",
                 "/payments/party/sender/x", "/payments/transaction/X0000", "/timeline?party=x"):
        assert anonymous.get(path).status_code == 401, path
    conn = sqlite3.connect(case.store)
    sha = conn.execute("SELECT sha256 FROM images LIMIT 1").fetchone()[0]
    conn.close()
    rita, r_csrf = login(case, "rita")
    assert rita.post(f"/reveal/{sha}", headers={"x-csrf-token": r_csrf}).status_code == 403
    alice, a_csrf = login(case, "alice")
    assert alice.post(f"/reveal/{sha}").status_code == 403  # no CSRF token
    assert alice.post(f"/reveal/{sha}", headers={"x-csrf-token": a_csrf}).status_code == 204


# --- in Chromium -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(money: tuple[Case, dict[str, Any]]) -> Any:
    case, facts = money
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "winnow.cli", "serve", "--case", str(case.root), "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", facts
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def page(served: Any) -> Any:
    from playwright.sync_api import sync_playwright

    url, _ = served
    assert CHROMIUM.exists(), "make test installs Debian's chromium"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        tab = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        outside: list[str] = []
        tab.on("request", lambda r: outside.append(r.url) if not r.url.startswith(url) else None)
        tab.goto(f"{url}/login")
        tab.fill("input[name=name]", "alice")
        tab.fill("input[name=password]", "alice-secret-pass")
        tab.click("button[type=submit]")
        tab.wait_for_url(f"{url}/queue")
        yield tab
        assert not outside, outside  # nothing leaves this server
        browser.close()


def test_chat_pages_in_chromium(served: Any, page: Any) -> None:
    url, facts = served
    page.goto(f"{url}/chats?q=western+union")
    page.screenshot(path=str(SHOTS / "chats-search.png"))
    page.click(".hit a")
    page.wait_for_selector(".message.hit")
    assert page.evaluate("window.__xss") is None  # the planted script and onerror never ran
    item = page.locator(".media-item[data-sha]").first
    item.scroll_into_view_if_needed()
    assert "blur(" in page.evaluate("getComputedStyle(document.querySelector('.media-item img')).filter")
    page.screenshot(path=str(SHOTS / "chat-thread.png"))
    item.click()
    with page.expect_response(lambda r: "/reveal/" in r.url) as revealed:
        item.click()
    assert revealed.value.status == 204
    page.wait_for_selector(".media-item.revealed")
    assert page.evaluate("getComputedStyle(document.querySelector('.media-item.revealed img')).filter") == "none"
    assert page.locator("mark.id-phone").count() >= 1


def test_payment_pages_and_network_in_chromium(served: Any, page: Any) -> None:
    url, facts = served
    phone = facts["scenario"].seller_phone
    page.goto(f"{url}/payments?role=receiver")
    page.screenshot(path=str(SHOTS / "payments.png"))
    page.click(f"a.party:text('{phone}')")
    page.wait_for_selector("#reason-R5")
    assert page.evaluate("window.__xss") is None
    assert "<img" in page.inner_text("#reason-R5 .evidence") or "onerror" in page.inner_text("body")
    page.screenshot(path=str(SHOTS / "party.png"))
    page.click("#timeline-link")
    page.wait_for_selector("#sequences li")
    assert "order -> payment -> recording" in page.inner_text("#sequences")
    assert page.evaluate("window.__xss") is None
    page.screenshot(path=str(SHOTS / "timeline.png"))
    page.goto(f"{url}/payments/network")
    page.wait_for_selector("#network[data-ready='114']")
    before = page.get_attribute("#network", "viewBox")
    page.click("#zoom-in")
    zoomed = page.get_attribute("#network", "viewBox")
    page.locator("#network").scroll_into_view_if_needed()
    box = page.locator("#network").bounding_box()
    page.mouse.move(box["x"] + 4, box["y"] + 4)  # a corner: no party under the pointer
    page.mouse.down()
    page.mouse.move(box["x"] + 104, box["y"] + 44, steps=5)
    page.mouse.up()
    assert before == "0 0 1000 640" and zoomed != before and page.get_attribute("#network", "viewBox") != zoomed
    page.click("#zoom-reset")
    page.locator(f"#network circle[data-entity='phone:{phone}']").click()
    assert phone in page.inner_text("#network-detail")
    page.screenshot(path=str(SHOTS / "network.png"))
    page.click("#network-party-link")
    page.wait_for_selector("#party-name")
    assert page.inner_text("#party-name") == phone
