"""The workspace's chats, payments, network and timeline pages at scale: first-paint server time (the full
response of each page, through the app with FastAPI's test client) on a synthetic case with ~100k payment parties
(the payments generator, tiled) and 1M chat messages (bulk inserts through the same INSERT as the importer, so the
FTS5 triggers index them), against the goals (300 ms a page, 500 ms a chat search), and the baseline: today's
/payments, which scored the whole payments store on every request (`ranking_for_case`).

Prediction before the first run: the baseline costs tens of seconds per request at 100k parties; each stored page
20-80 ms (indexed SQLite reads; the party page opens DuckDB for its evidence rows, ~30 ms more); chat search by
text 20-100 ms for a rare word through the trigram index, the thread page < 30 ms; the timeline of a party is the
risk: identifiers/timeline.py filters messages by sender with lower() (a full scan of 1M messages).

Result (two runs, 2 shared cores; docs/benchmarks.md): baseline 2.9-7.0 s per request; stored /payments 55-65 ms
(53-108x); party page 189-209 ms; chat pages and searches 7-29 ms; timeline 340 ms in the first run, 92-247 ms once
indexed (migration 9). Every goal met.

Run: python benchmarks/workspace_money.py [--rows 600000] [--messages 1000000]"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _chats(case: Any, messages: int) -> dict[str, Any]:
    """1M messages in 1,000 threads: small talk, a phone and an MTCN in one message out of 5,000, a handle in
    one out of 20 (50k sightings)."""
    from winnow.sample.chats import SMALL_TALK
    from winnow.store import chats as chat_store
    from winnow.store.identifiers import intern

    rng = random.Random(7)
    conn = case.connect()
    conn.execute("BEGIN")
    source = chat_store.add_source(conn, "0" * 64, "bench.txt", "whatsapp", {})
    threads = [chat_store.add_thread(conn, source, f"t{k}", (f"thread {k}", "whatsapp", "chat", "[]", "{}"))
               for k in range(1000)]
    batch: list[tuple[Any, ...]] = []
    seen: list[tuple[Any, ...]] = []
    ids: dict[tuple[str, str], int] = {}
    rare = 0
    for i in range(messages):
        t = threads[i % 1000]
        text = rng.choice(SMALL_TALK)
        when = f"2025-03-{1 + i % 28:02d} 10:00:00"
        if i % 5000 == 17:  # a phone (national form) and an MTCN, with their sightings as the importer writes them
            raw = f"0917 555 {rare:04d}"
            text, rare = f"send to gcash {raw} mtcn {rng.randrange(10**10):010d}", rare + 1
            seen.append((intern(conn, "phone", f"+63917555{rare - 1:04d}", ids), "chat", str(i + 1), raw, 0.9, "",
                         when, text))
        elif i % 20 == 3:  # background identifiers: a handle in one message out of 20
            text = f"{text} @user{i % 5000}"
            seen.append((intern(conn, "handle", f"@user{i % 5000}", ids), "chat", str(i + 1), f"@user{i % 5000}",
                         0.6, "", when, text))
        batch.append((i + 1, t, i // 1000, "Sam" if i % 2 else "Rosa", when, "", "UTC", "message", text, text,
                      "[]", 0, f"line {i}", text))
        if len(batch) == 50_000:
            chat_store.add_messages(conn, batch, seen)
            batch, seen = [], []
    chat_store.add_messages(conn, batch, seen)
    conn.execute("COMMIT")
    conn.close()
    return {"threads": len(threads), "rare": rare}


def _time(c: Any, path: str, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = c.get(path, headers={"accept": "text/html"})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.text[:200])
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=600_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    from conftest import invoke
    from test_web import client, invoke_stdin, login
    from winnow.payments import stored
    from winnow.payments.generator import generate_parquet
    from winnow.payments.scoring import ranking_for_case
    from winnow.store.case import Case

    with tempfile.TemporaryDirectory(prefix="winnow-bench-money-") as scratch:
        base = Path(scratch)
        root = base / "case"
        invoke("case", "create", root, "--name", "bench", "--examiner", "b")
        case = Case(root)
        start = time.perf_counter()
        generate_parquet(base / "pay", args.rows, senders=4000)
        invoke("payments", "import", base / "pay" / "transactions.parquet", "--case", root, "--format", "parquet")
        from winnow.payments.store import connect

        pay = connect(case)
        all_parties = pay.execute("SELECT count(*) FROM (SELECT coalesce(sender_phone, sender_account) FROM "
                                  "transactions UNION SELECT coalesce(receiver_phone, receiver_wallet, "
                                  "receiver_account) FROM transactions)").fetchone()[0]
        pay.close()
        print(f"payments generated and imported in {time.perf_counter() - start:.0f} s: {all_parties:,} parties "
              "(distinct phones or accounts) in the records")
        start = time.perf_counter()
        info = _chats(case, args.messages)
        print(f"{args.messages:,} chat messages inserted (FTS triggers on) in {time.perf_counter() - start:.0f} s")
        assert invoke_stdin(["user", "add", "bench", "--case", root, "--role", "reviewer", "--password-stdin"],
                            "bench-secret-pass\n").exit_code == 0
        start = time.perf_counter()
        baseline = ranking_for_case(case)
        baseline_ms = (time.perf_counter() - start) * 1000
        assert baseline is not None
        parties = len(baseline["senders"]) + len(baseline["receivers"])
        start = time.perf_counter()
        state = stored.store(case)
        store_s = time.perf_counter() - start
        conn = case.connect()
        distinct = conn.execute("SELECT count(*) FROM ranked_parties").fetchone()[0]
        conn.close()
        print(f"{baseline['transactions']:,} transactions, {parties:,} ranked parties ({distinct:,} stored), "
              f"{state['communities']} communities; storing the ranking took {store_s:.0f} s (once, after an import)")
        c, _ = login(case, "bench", "bench-secret-pass")
        top = c.get("/payments?role=receiver", headers={"accept": "text/html"}).text
        entity = re.search(r'href="/payments/party/receiver/([^"]+)"', top).group(1)  # type: ignore[union-attr]
        phone = re.search(r"phone%3A(%2B\d+)", entity)
        chat = c.get("/chats?q=gcash+0917", headers={"accept": "text/html"}).text
        hit = re.search(r'href="(/chats/\d+\?at=\d+)', chat).group(1)  # type: ignore[union-attr]
        pages = [("payments (ranking, stored)", "/payments", 300),
                 ("payments, filtered (rule R1, country FR, min score 2)",
                  "/payments?role=sender&rule=R1&country=FR&min_score=2", 300),
                 ("party with evidence rows", f"/payments/party/receiver/{entity}", 300),
                 ("network page (communities)", "/payments/network", 300),
                 ("network picture data", "/payments/network.json", 300),
                 ("chats (conversations)", "/chats", 300),
                 ("chat thread around a hit", hit, 300),
                 ("chat search, rare text (20 hits)", "/chats?q=gcash+0917", 500),
                 ("chat search, common word (capped)", "/chats?q=thanks", 500),
                 ("chat search, a phone number (international form)", "/chats?q=%2B639175550003", 500),
                 ("timeline of a party (payments)", f"/timeline?party={phone.group(1) if phone else entity}", 300),
                 ("timeline of a chat identifier", "/timeline?party=%2B639175550003", 300)]
        # the pages measured find what they should (a fast empty page proves nothing)
        assert "phone +639175550003" in c.get("/chats?q=%2B639175550003", headers={"accept": "text/html"}).text
        assert "Hits for “gcash 0917”: 200" in chat
        assert "Events (0" not in c.get("/timeline?party=%2B639175550003", headers={"accept": "text/html"}).text
        anonymous = client(case)
        assert anonymous.get("/payments").status_code == 401
        print(f"\n| page ({args.messages:,} messages, {distinct:,} ranked parties) | server ms (median of 5) | goal "
              f"| within |")
        print("|---|---:|---:|---|")
        print(f"| baseline: today's /payments, re-scoring per request | {baseline_ms:,.0f} | 300 | "
              f"{'yes' if baseline_ms <= 300 else 'no'} |")
        results = {}
        for name, path, goal in pages:
            ms = _time(c, path)
            results[name] = ms
            print(f"| {name} | {ms:,.1f} | {goal} | {'yes' if ms <= goal else 'NO'} |")
        ours = results["payments (ranking, stored)"]
        print(f"\n/payments: {baseline_ms / ours:,.0f}x faster than re-scoring per request "
              f"({baseline_ms:,.0f} ms -> {ours:.1f} ms); {info['rare']} planted rare messages")


if __name__ == "__main__":
    main()
