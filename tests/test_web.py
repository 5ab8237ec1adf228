"""The review app through its HTTP interface (FastAPI's test client over https, so Secure cookies are sent):
accounts and roles, sessions, CSRF, login throttling, the Content-Security-Policy, thumbnails by content id only,
the queue, decisions with conflicts and supervisor overrides, audit rows for reveals and decisions."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import ENGINES, db_args, invoke
from winnow.store.case import Case


@pytest.fixture(scope="module", params=ENGINES)
def review_case(collection: dict[str, Any], tmp_path_factory: pytest.TempPathFactory,
                request: pytest.FixtureRequest) -> Case:
    """The review app's case, on SQLite and on PostgreSQL (every test of this module runs on both)."""
    root = tmp_path_factory.mktemp("web") / "case"
    invoke("case", "create", root, "--name", "Review", "--examiner", "e", *db_args(request.param, request))
    invoke("ingest", collection["root"], "--case", root, "--workers", "2")
    invoke("triage", "--case", root)
    for name, role in (("alice", "reviewer"), ("bob", "reviewer"), ("sue", "supervisor"), ("rita", "readonly")):
        result = invoke_stdin(["user", "add", name, "--case", root, "--role", role, "--password-stdin"],
                              f"{name}-secret-pass\n")
        assert result.exit_code == 0, result.output
    return Case(root)


def invoke_stdin(args: list[Any], text: str) -> Any:
    from click.testing import CliRunner

    from winnow.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], input=text, catch_exceptions=False)


def client(case: Case) -> Any:
    from fastapi.testclient import TestClient

    from winnow.web.app import create_app

    return TestClient(create_app(case), base_url="https://testserver", follow_redirects=False)


def login(case: Case, name: str, password: str | None = None) -> tuple[Any, str]:
    c = client(case)
    form = c.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    response = c.post("/login", data={"name": name, "password": password or f"{name}-secret-pass", "csrf": token})
    assert response.status_code == 303 and response.headers["location"] == "/queue", response.text
    queue = c.get("/queue", headers={"accept": "text/html"})
    csrf = re.search(r'data-csrf="([^"]+)"', queue.text).group(1)  # type: ignore[union-attr]
    return c, csrf


def _items(case: Case) -> list[str]:
    conn = case.connect()
    try:
        return [r[0] for r in conn.execute("SELECT sha256 FROM images WHERE thumbnail IS NOT NULL ORDER BY sha256")]
    finally:
        conn.close()


def test_nothing_is_served_without_a_session(review_case: Case) -> None:
    c = client(review_case)
    sha = _items(review_case)[0]
    for path in ("/", "/queue", "/next", "/group/stack:1", f"/item/{sha}", f"/thumb/{sha}", f"/sheet/{sha}",
                 "/payments"):
        assert c.get(path).status_code == 401, path
        page = c.get(path, headers={"accept": "text/html"})
        assert page.status_code == 303 and page.headers["location"] == "/login", path
    for path in (f"/reveal/{sha}", "/decide", "/logout"):
        assert c.post(path, json={}).status_code == 401, path
    login_page = c.get("/login")
    assert "default-src 'none'" in login_page.headers["content-security-policy"]
    assert "script-src 'self'" in login_page.headers["content-security-policy"]
    assert not re.search(r'(src|href)="https?://', login_page.text)  # nothing external, ever


def test_login_throttling_and_wrong_passwords(review_case: Case) -> None:
    c = client(review_case)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    assert c.post("/login", data={"name": "bob", "password": "x", "csrf": "forged"}).status_code == 403
    for _ in range(5):
        wrong = c.post("/login", data={"name": "nobody", "password": "wrong-password", "csrf": token})
        assert "wrong+name+or+password" in wrong.headers["location"]
    blocked = c.post("/login", data={"name": "nobody", "password": "wrong-password", "csrf": token})
    assert "too+many" in blocked.headers["location"]


def test_csrf_and_thumbnails_by_content_id_only(review_case: Case) -> None:
    c, csrf = login(review_case, "alice")
    sha = _items(review_case)[0]
    assert c.post(f"/reveal/{sha}").status_code == 403  # no CSRF token
    assert c.post(f"/reveal/{sha}", headers={"x-csrf-token": "forged"}).status_code == 403
    assert c.post(f"/reveal/{sha}", headers={"x-csrf-token": csrf}).status_code == 204
    thumb = c.get(f"/thumb/{sha}")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    for crafted in ("../case.sqlite", "..%2F..%2Fcase.sqlite", "0" * 64, sha[:63], sha.upper(), f"{sha}/../x"):
        assert c.get(f"/thumb/{crafted}").status_code == 404, crafted


def test_queue_groups_and_next_unseen(review_case: Case) -> None:
    c, _ = login(review_case, "bob")
    queue = c.get("/queue", headers={"accept": "text/html"})
    keys = re.findall(r'href="/group/([^"]+)"', queue.text)
    assert keys and all(k.startswith(("stack:", "folder:")) for k in keys)
    first = c.get("/next")
    assert first.headers["location"] == f"/group/{keys[0]}"
    page = c.get(first.headers["location"], headers={"accept": "text/html"})
    assert page.status_code == 200 and 'class="grid"' in page.text and "data-sha=" in page.text
    assert c.get("/next").headers["location"] != first.headers["location"]  # the opened group is seen now


def test_decisions_conflicts_overrides_and_audit(review_case: Case) -> None:
    sha = _items(review_case)[1]
    alice, a_csrf = login(review_case, "alice")
    bob, b_csrf = login(review_case, "bob")
    done = alice.post("/decide", headers={"x-csrf-token": a_csrf},
                      json={"items": [sha], "category": "0", "versions": {sha: 0}})
    assert done.status_code == 200 and done.json()["changed"][0]["version"] == 1
    late = bob.post("/decide", headers={"x-csrf-token": b_csrf},
                    json={"items": [sha], "category": "3", "versions": {sha: 0}})
    assert late.status_code == 409 and "alice" in late.json()["conflict"]
    sue, s_csrf = login(review_case, "sue")
    override = sue.post("/decide", headers={"x-csrf-token": s_csrf},
                        json={"items": [sha], "category": "3", "versions": {sha: 0}, "reason": "CGI, second review"})
    assert override.status_code == 200 and override.json()["changed"][0]["category"] == "3"
    bad = alice.post("/decide", headers={"x-csrf-token": a_csrf},
                     json={"items": [sha], "category": "Z", "versions": {sha: 2}})
    assert bad.status_code == 400
    rita, r_csrf = login(review_case, "rita")
    assert rita.post(f"/reveal/{sha}", headers={"x-csrf-token": r_csrf}).status_code == 403
    assert rita.post("/decide", headers={"x-csrf-token": r_csrf},
                     json={"items": [sha], "category": "0", "versions": {sha: 2}}).status_code == 403
    item = rita.get(f"/item/{sha}", headers={"accept": "text/html"})
    assert item.status_code == 200 and "by sue" in item.text  # read-only sees decisions
    conn = review_case.connect()
    rows = [json.loads(a) for (a,) in conn.execute(
        "SELECT arguments FROM audit WHERE command = 'review decide' ORDER BY id")]
    conn.close()
    mine = [r for r in rows if r["content"] == sha]
    assert [(r["user"], r["old"], r["new"]) for r in mine] == [("alice", None, "0"), ("sue", "0", "3")]
    assert mine[1]["reason"] == "CGI, second review"
    assert invoke("audit", "verify", "--case", review_case.root).exit_code == 0


def test_user_commands(review_case: Case, tmp_path: Path) -> None:
    short = invoke_stdin(["user", "add", "tom", "--case", review_case.root, "--role", "reviewer", "--password-stdin"],
                         "short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    changed = invoke_stdin(["user", "passwd", "bob", "--case", review_case.root, "--password-stdin"],
                           "a-brand-new-password\n")
    assert changed.exit_code == 0
    login(review_case, "bob", "a-brand-new-password")
    assert invoke("user", "remove", "rita", "--case", review_case.root).exit_code == 0
    empty = tmp_path / "empty"
    invoke("case", "create", empty, "--name", "x", "--examiner", "e")
    assert "no user yet" in invoke("serve", "--case", empty, expect=1).output


def test_whole_group_decision_needs_the_confirmed_count_and_settings_persist(review_case: Case) -> None:
    c, csrf = login(review_case, "sue")
    queue = c.get("/queue", headers={"accept": "text/html"})
    key = re.findall(r'href="/group/([^"]+)"', queue.text)[-1]
    count = c.get(f"/group-count/{key}").json()["items"]
    assert count >= 1
    wrong = c.post("/decide-group", headers={"x-csrf-token": csrf},
                   json={"group": key, "category": "0", "confirmed_count": count + 1})
    assert wrong.status_code == 409 and "confirm again" in wrong.json()["detail"]
    done = c.post("/decide-group", headers={"x-csrf-token": csrf},
                  json={"group": key, "category": "0", "confirmed_count": count})
    assert done.status_code == 200 and done.json()["changed"] == count
    page = c.get(f"/group/{key}", headers={"accept": "text/html"})
    assert page.text.count('<span class="cat">0</span>') == min(count, 120)
    assert 'class="blur gray' in page.text
    saved = c.post("/settings", data={"csrf": csrf, "grayscale": "on", "break_minutes": "30"})
    assert saved.status_code == 303
    again = c.get("/queue", headers={"accept": "text/html"})
    assert 'class=" gray' in again.text and 'data-break-minutes="30"' in again.text
    assert c.post("/settings", data={"csrf": "forged", "blur": "on"}).status_code == 403


def test_case_report_html_and_pdf(review_case: Case, tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    from conftest import invoke_json

    c, csrf = login(review_case, "alice")
    for sha in _items(review_case)[-2:]:
        current = c.get(f"/item/{sha}", headers={"accept": "text/html"}).text
        version = int(re.search(r'data-version="(\d+)"', current).group(1))  # type: ignore[union-attr]
        decided = c.post("/decide", headers={"x-csrf-token": csrf},
                         json={"items": [sha], "category": "4", "versions": {sha: version}})
        assert decided.status_code == 200
    result = invoke_json("report", "--case", review_case.root, "--out", tmp_path)
    assert result["items"] >= 2 and result["audit_ok"]
    page = Path(result["html"]).read_text()
    for needle in ("Sources", "Counts by category", "Categorized items", "Tool and library versions", "intact"):
        assert needle in page
    assert "<img" not in page and "http" not in page.replace("https://", "")  # no imagery, nothing external
    conn = review_case.connect()
    decided = [r[0] for r in conn.execute("SELECT sha256 FROM decisions")]
    conn.close()
    assert all(sha in page for sha in decided)
    pdf = pdfium.PdfDocument(result["pdf"])
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "winnow case report" in text and "Categorized items" in text and decided[0][:20] in text.replace("\n", "")
    image = pdf[0].render(scale=1).to_pil()
    pdf.close()
    grey = np.asarray(image.convert("L"))
    assert image.width > 500 and len(np.unique(grey)) > 2 and (grey < 128).mean() > 0.005  # text drawn, not blank
    sue, s_csrf = login(review_case, "sue")
    made = sue.post("/report", headers={"x-csrf-token": s_csrf})
    assert made.status_code == 200 and made.json()["pdf"].endswith(".pdf")
    assert (review_case.root / "reports" / made.json()["pdf"]).is_file()
    assert c.post("/report", headers={"x-csrf-token": csrf}).status_code == 403  # a reviewer makes no report
    with_thumbs = invoke_json("report", "--case", review_case.root, "--out", tmp_path / "t", "--with-thumbnails")
    assert "data:image/jpeg;base64," in Path(with_thumbs["html"]).read_text()


def test_admin_scheme_tags_defaults_and_playback(review_case: Case, tmp_path: Path) -> None:
    from winnow.sample.videos import pan_frames, write

    assert invoke_stdin(["user", "add", "ada", "--case", review_case.root, "--role", "admin", "--password-stdin"],
                        "ada-secret-pass\n").exit_code == 0
    alice, a_csrf = login(review_case, "alice")
    assert alice.get("/admin", headers={"accept": "text/html"}).status_code == 403
    assert alice.post("/admin", headers={"x-csrf-token": a_csrf}, data={"action": "scheme"}).status_code == 403
    ada, csrf = login(review_case, "ada")
    assert "Case administration" in ada.get("/admin", headers={"accept": "text/html"}).text
    ada.post("/admin", data={"csrf": csrf, "action": "defaults", "grayscale": "on", "break_minutes": "20"})
    ada.post("/admin", data={"csrf": csrf, "action": "add_user", "name": "neo", "role": "reviewer",
                             "password": "neo-secret-pass"})
    neo, n_csrf = login(review_case, "neo")
    queue = neo.get("/queue", headers={"accept": "text/html"}).text
    assert 'class=" gray' in queue and 'data-break-minutes="20"' in queue  # the case's defaults for new users
    bad = ada.post("/admin", data={"csrf": csrf, "action": "tag_keys", "tag_keys": "a=oops"})
    assert "error=" in bad.headers["location"]
    ada.post("/admin", data={"csrf": csrf, "action": "tag_keys", "tag_keys": "t=timer-visible,w=wallet-visible"})
    sha = _items(review_case)[2]
    version = int(re.search(r'data-version="(\d+)"',  # type: ignore[union-attr]
                            neo.get(f"/item/{sha}", headers={"accept": "text/html"}).text).group(1))
    tagged = neo.post("/decide", headers={"x-csrf-token": n_csrf},
                      json={"items": [sha], "category": None, "versions": {sha: version},
                            "add_tags": ["wallet-visible"]})
    assert tagged.status_code == 200 and tagged.json()["changed"][0]["tags"] == ["wallet-visible"]
    ada.post("/admin", data={"csrf": csrf, "action": "scheme", "scheme": "uk"})
    uk = neo.post("/decide", headers={"x-csrf-token": n_csrf},
                  json={"items": [sha], "category": "A", "versions": {sha: version + 1},
                        "remove_tags": ["wallet-visible"]})
    assert uk.status_code == 200 and uk.json()["changed"][0] == {"sha256": sha, "category": "A", "tags": [],
                                                                  "version": version + 2}
    assert neo.post("/decide", headers={"x-csrf-token": n_csrf},
                    json={"items": [sha], "category": "1", "versions": {sha: version + 2}}).status_code == 400
    ada.post("/admin", data={"csrf": csrf, "action": "scheme", "scheme": "vics-us"})
    ada.post("/admin", data={"csrf": csrf, "action": "remove_user", "name": "neo"})
    assert neo.get("/queue").status_code == 401  # a removed user's session ends
    # playback on request: the evidence file of a video, found by content id; never an archive member
    media = tmp_path / "media"
    write(media / "clip.mp4", pan_frames(3, (160, 120), 2.0, 8.0), (160, 120), 8.0)
    invoke("ingest", media, "--case", review_case.root, "--workers", "1")
    conn = review_case.connect()
    video = conn.execute("SELECT sha256 FROM videos WHERE sha256 IN (SELECT sha256 FROM instances WHERE chain = ?)",
                         (str(media / "clip.mp4"),)).fetchone()[0]
    member = conn.execute("SELECT sha256 FROM instances WHERE instr(chain, '!') > 0 AND sha256 IS NOT NULL AND "
                          "sha256 NOT IN (SELECT sha256 FROM instances WHERE instr(chain, '!') = 0)").fetchone()
    conn.close()
    page = alice.get(f"/item/{video}", headers={"accept": "text/html"}).text
    assert 'id="play"' in page and "muted" in page and "autoplay" not in page
    played = alice.get(f"/media/{video}")
    assert played.status_code == 200 and played.content == (media / "clip.mp4").read_bytes()
    assert member is not None  # the sample collection nests archives
    assert "archive member" in alice.get(f"/media/{member[0]}").json()["detail"]
    conn = review_case.connect()
    plays = conn.execute("SELECT count(*) FROM audit WHERE command = 'review play'").fetchone()[0]
    conn.close()
    assert plays == 1


def test_hash_sets_form_groups(review_case: Case) -> None:
    conn = review_case.connect()
    sha = _items(review_case)[3]
    conn.execute("INSERT INTO matches (sha256, set_name, set_version, set_kind, hash_type, matched_value, distance, "
                 "transform, category) VALUES (?, 'agency-set', 1, 'alert', 'md5', 'x', 0, 'exact', '1')", (sha,))
    conn.commit()
    conn.close()
    c, _ = login(review_case, "alice")
    queue = c.get("/queue?offset=0", headers={"accept": "text/html"}).text
    keys = re.findall(r'href="/group/([^"]+)"', queue)
    assert keys[-1] == "set:agency-set"  # after the stacks and folders
    group = c.get("/group/set:agency-set", headers={"accept": "text/html"}).text
    assert f'data-sha="{sha}"' in group and 'data-suggested="1"' in group  # the set's category is a suggestion


def test_payments_page_shows_the_ranking_escaped(review_case: Case, tmp_path: Path) -> None:
    """The ranking with names as recorded, totals and explanations, for every role (read-only), and the text of
    a record (a name, a reference) never becomes markup."""
    added = invoke_stdin(["user", "add", "rose", "--case", review_case.root, "--role", "readonly", "--password-stdin"],
                         "rose-secret-pass\n")
    assert added.exit_code == 0, added.output
    c, _ = login(review_case, "rose")
    assert "No payment records" in c.get("/payments", headers={"accept": "text/html"}).text
    rows = ["Transaction ID,Date Time,Send Amount,Send Currency,Sender Name,Sender Phone,Sender Country,"
            "Sender Account,Receiver Name,Receiver Phone,Receiver Country,Receiver Wallet,Channel,Agent Location,"
            "Message"]
    for k in range(8):
        rows.append(f"T{k},2025-0{1 + k // 4}-{1 + 7 * (k % 4):02d} 23:10:00,30.00,EUR,<script>x()</script> Kim,"
                    f"+33612345678,FR,AC1,Rosa {k % 4},+63917123450{k % 4},PH,,money_transfer,Online,"
                    "<img src=x onerror=alert(1)>")
    export = tmp_path / "pay.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    invoke("payments", "import", export, "--case", review_case.root)
    page = c.get("/payments", headers={"accept": "text/html"}).text
    assert "AC1" in page and "240.00 EUR" in page and "R1" in page and "flagged" in page
    assert "&lt;script&gt;x()&lt;/script&gt; Kim" in page and "<script>x()" not in page
    assert "<img src=x" not in page


def test_every_route_refuses_a_request_without_a_session(review_case: Case) -> None:
    """Enumerates the app's routes (so a new page cannot forget its session check): each one, with its path
    parameters filled by a valid-looking value, answers 401 without a session; only the login form and the static
    assets are public."""
    from fastapi.routing import APIRoute
    from starlette.routing import Mount

    from winnow.web.app import create_app
    from winnow.web.routes import ROUTERS
    from winnow.web.routes.auth import PUBLIC

    app = create_app(review_case)
    # nothing is routed around the registry: the app holds the static mount and the registered routers only
    assert [r for r in app.routes if not isinstance(r, Mount)].__len__() == len(ROUTERS)
    c = client(review_case)
    checked = 0
    for route in (r for router in ROUTERS for r in router.routes):
        if not isinstance(route, APIRoute) or route.path in PUBLIC:
            continue
        path = re.sub(r"\{[^}]+\}", "a" * 64, route.path)
        for method in route.methods:
            response = c.request(method, path, json={})
            assert response.status_code == 401, (method, route.path, response.status_code)
            checked += 1
    assert checked >= 29  # 19 routes before the workspace pages, 29 with the case, calls, leads and search pages
