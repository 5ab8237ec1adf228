"""The review app in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium, installed by the
Makefile; never a downloaded browser) against `winnow serve` on a generated case — log in, review a group with the
keyboard, reveal and re-blur, bulk-categorize a group after confirming its count, see a conflict between two users,
write the report. Screenshots of the main views go to .artifacts/screenshots (docs/review.md shows copies)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke
from test_web import invoke_stdin

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[1] / ".artifacts" / "screenshots"


@pytest.fixture(scope="module")
def server(collection: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    from winnow.sample.videos import pan_frames, write

    root = tmp_path_factory.mktemp("browser") / "case"
    clip = write(root.parent / "media" / "clip.mp4", pan_frames(5, (160, 120), 2.0, 8.0), (160, 120), 8.0)
    invoke("case", "create", root, "--name", "Browser", "--examiner", "e")
    invoke("ingest", collection["root"], clip.parent, "--case", root, "--workers", "2")
    invoke("triage", "--case", root)
    for name, role in (("alice", "reviewer"), ("bob", "reviewer"), ("sue", "supervisor")):
        assert invoke_stdin(["user", "add", name, "--case", root, "--role", role, "--password-stdin"],
                            f"{name}-secret-pass\n").exit_code == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "winnow.cli", "serve", "--case", str(root), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    yield url, root
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


def _login(browser: Any, url: str, name: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{url}/queue")
    assert page.url.endswith("/login")  # no page without a session
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", f"{name}-secret-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/queue")
    return page


def test_review_with_the_keyboard(server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    url, _ = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _login(browser, url, "alice")
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(url) else None)
    page.screenshot(path=str(SHOTS / "queue.png"))
    page.click("#next-unseen")
    page.wait_for_selector(".cell.selected")
    page.screenshot(path=str(SHOTS / "group-blurred.png"))
    cells = page.locator(".cell")
    assert "blur(" in page.evaluate("getComputedStyle(document.querySelector('.cell img')).filter")
    page.keyboard.press("Space")
    page.wait_for_selector(".cell.revealed")
    assert page.evaluate("getComputedStyle(document.querySelector('.cell.revealed img')).filter") == "none"
    if cells.count() > 1:
        page.keyboard.press("ArrowRight")
        assert page.locator(".cell.revealed").count() == 0  # re-blurred on leaving
        assert "selected" in (cells.nth(1).get_attribute("class") or "")
    page.keyboard.press("1")
    expect(page.locator(".cell.selected .cat")).to_have_text("1")  # (the CSP forbids string-evaluated waits)
    page.keyboard.press("t")  # a bound tag key
    expect(page.locator(".cell.selected .tags")).to_have_text("timer-visible")
    page.keyboard.press("Shift+T")  # the same key with Shift removes it
    expect(page.locator(".cell.selected .tags")).to_have_text("")
    selected = page.url
    page.reload()
    expect(page.locator(".cell.selected")).to_have_count(1)
    assert page.url == selected and "#i=" in selected  # the position survives a reload and back/forward
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/item/*")
    page.screenshot(path=str(SHOTS / "item.png"))
    assert "1 (version 1)" in page.inner_text("#decision") or "by alice" in page.inner_text("#decision")
    page.go_back()
    page.wait_for_selector(".grid")
    messages = []
    page.on("dialog", lambda d: (messages.append(d.message), d.accept()))
    count = page.locator(".cat").count()
    page.keyboard.press("Alt+Digit0")
    page.wait_for_load_state("load")
    expect(page.locator(".cat")).to_have_text(["0"] * count)
    assert messages and "Categorize all" in messages[0]
    assert not external, external  # the CSP and the vendored assets keep everything on this server


def test_video_plays_only_on_request_and_muted(server: Any, browser: Any) -> None:
    url, root = server
    import sqlite3

    conn = sqlite3.connect(root / "case.sqlite")
    sha = conn.execute("SELECT v.sha256 FROM videos v JOIN instances i ON i.sha256 = v.sha256 "
                       "WHERE i.chain LIKE '%clip.mp4'").fetchone()[0]
    conn.close()
    page = _login(browser, url, "alice")
    page.goto(f"{url}/item/{sha}")
    video = page.locator("#video")
    assert video.get_attribute("src") is None and video.is_hidden()  # nothing loads before a click
    page.click("#play")
    for _ in range(50):  # the CSP forbids string-evaluated waits: poll the element
        if page.evaluate("document.getElementById('video').readyState") >= 1:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("document.getElementById('video').readyState") >= 1  # the evidence file streams
    assert page.evaluate("document.getElementById('video').muted") is True
    assert video.get_attribute("src") == f"/media/{sha}"


def test_conflict_between_two_users_and_the_report(server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    url, root = server
    bob = _login(browser, url, "bob")
    bob.goto(f"{url}/next")
    bob.wait_for_selector(".cell.selected")
    group = bob.url
    sue = _login(browser, url, "sue")
    sue.goto(group)
    sue.wait_for_selector(".cell.selected")
    sue.keyboard.press("2")
    expect(sue.locator(".cell.selected .cat")).to_have_text("2")
    bob.keyboard.press("3")  # bob still sees the old version
    bob.wait_for_selector("#message.conflict")
    assert "Conflict" in bob.inner_text("#message")
    bob.screenshot(path=str(SHOTS / "conflict.png"))
    assert bob.inner_text(".cell.selected .cat") != "3"
    sue.goto(f"{url}/queue")
    with sue.expect_response(f"{url}/report") as response:
        sue.click("#make-report")
    assert response.value.status == 200
    assert list((root / "reports").glob("*.pdf"))


def test_security_in_the_browser(server: Any, browser: Any) -> None:
    """Without a session nothing is served; with one, a POST without the CSRF token is refused and a crafted
    thumbnail id cannot reach a file outside the case."""
    url, root = server
    import sqlite3

    conn = sqlite3.connect(root / "case.sqlite")
    sha = conn.execute("SELECT sha256 FROM images WHERE thumbnail IS NOT NULL LIMIT 1").fetchone()[0]
    conn.close()
    anonymous = browser.new_context().request
    for path in ("/queue", f"/thumb/{sha}", f"/item/{sha}", f"/media/{sha}", "/admin"):
        assert anonymous.get(f"{url}{path}", max_redirects=0).status == 401, path
    assert anonymous.post(f"{url}/decide", data={}).status == 401
    page = _login(browser, url, "alice")
    request = page.context.request
    assert request.get(f"{url}/thumb/{sha}").status == 200
    assert request.post(f"{url}/decide", data={"items": [sha], "category": "0"}).status == 403  # no CSRF token
    for crafted in ("..%2F..%2Fcase.sqlite", "..%2Fcase.sqlite", "%2Fetc%2Fpasswd", "0" * 64):
        response = request.get(f"{url}/thumb/{crafted}")
        assert response.status == 404 and b"SQLite" not in response.body(), crafted
