"""Chats at scale (issue #8): 1M WhatsApp messages parsed, scanned for identifiers and stored in the case by
`winnow chats import`, beside the straightforward way in the same run — the same line parser, then every
identifier pattern run on every message and the phone library's matcher over every message (regex per message),
with no store. Both find the same identifiers (compared on kind and value).

Goal: <= 2 minutes on 2 cores.

Prediction: winnow ~ 60 s (parse ~ 10 s, scan ~ 10 s since ~90 % of chat lines hold no digit, @ or /, SQLite
~ 30 s for 1M rows + raw text); the baseline ~ 4 min (PhoneNumberMatcher costs ~ 150 us on every message).
Result (1M): winnow 16.9 s (59k messages/s, 132 MB) including the store; the baseline 17.2 s without storing
anything. Wrong on the baseline: PhoneNumberMatcher gives up fast on the 90 % of messages without digits, so the
straightforward way is as fast as ours; it also reads 1,800 MTCNs as French landlines, which ours does not.

Usage: python benchmarks/chats.py [--messages 1000000]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

CACHE = Path(__file__).resolve().parents[1] / ".bench" / "chats"
TALK = ["hello", "how are you", "ok", "good morning", "thanks", "see you later", "are you there?", "yes",
        "no problem", "what time is it there", "sorry, busy today", "ok noted", "haha", "sure", "I will check",
        "wait", "done", "later tonight?", "fine", "talk tomorrow", "did you eat already", "miss you",
        "the weather is hot today", "going to the market", "my phone battery is low", "send photo later"]


def generate(path: Path, messages: int, seed: int = 1) -> None:
    """An Android 24-hour WhatsApp export: small talk, 8 % of lines with an identifier (phones in national and
    international form, wallets, MTCNs, links, handles, amounts), continuation lines and attachments."""
    r = random.Random(seed)
    moment = datetime(2024, 1, 1, 8, 0)
    people = ["Sam Buyer", "Rosa Seller", "Alex", "Maria"]
    with path.open("w", encoding="utf-8") as f:
        f.write("01/01/24, 08:00 - Messages and calls are end-to-end encrypted.\n")
        for i in range(messages - 1):
            moment += timedelta(seconds=r.randint(5, 600))
            stamp = f"{moment:%d/%m/%y, %H:%M} - {r.choice(people)}: "
            roll = r.random()
            if roll < 0.02:
                body = f"gcash 09{r.randrange(10**9):09d} po"
            elif roll < 0.035:
                body = f"sent {r.choice([15, 20, 25, 30, 50])} EUR, MTCN {r.randrange(10**10):010d}"
            elif roll < 0.05:
                body = f"my number +33 6 {r.randrange(10**8):08d}"
            elif roll < 0.06:
                body = f"add me https://t.me/user{r.randrange(10**6)} or @handle{r.randrange(10**5)}"
            elif roll < 0.08:
                body = f"price is {r.choice([500, 1000, 1500])} pesos"
            elif roll < 0.10:
                body = f"IMG-{moment:%Y%m%d}-WA{i % 10000:04d}.jpg (file attached)"
            elif roll < 0.12:
                body = f"{r.choice(TALK)}\n{r.choice(TALK)}"
            else:
                body = r.choice(TALK)
            f.write(stamp + body + "\n")


def run_winnow(path: Path) -> tuple[float, set[tuple[str, str]], int]:
    from winnow.chats.importer import import_chats
    from winnow.store.case import create_case

    base = Path(tempfile.mkdtemp(prefix="bench-chats-", dir=CACHE))
    case = create_case(base / "case", name="bench", examiner="bench")
    start = time.perf_counter()
    result = import_chats(case, path, "whatsapp", regions=("PH", "FR"))
    elapsed = time.perf_counter() - start
    conn = case.connect(readonly=True)
    found = {(k, v) for k, v in conn.execute("SELECT kind, value FROM identifiers")}
    conn.close()
    shutil.rmtree(base, ignore_errors=True)
    return elapsed, found, result.messages


PATTERNS = {  # the straightforward way: one pattern per kind, each run on every message
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"),
    "url": re.compile(r"(?:https?://|www\.)[^\s<>\"']+"),
    "handle": re.compile(r"(?<![\w@/])@[A-Za-z0-9_][A-Za-z0-9_.]{2,31}"),
    "eth": re.compile(r"\b0[xX][0-9a-fA-F]{40}\b"),
    "btc": re.compile(r"\b(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{11,71}\b|\b[13][1-9A-HJ-NP-Za-km-z]{24,34}\b"),
    "tron": re.compile(r"\bT[1-9A-HJ-NP-Za-km-z]{33}\b"),
    "iban": re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"),
    "mtcn": re.compile(r"(?i)(?:mtcn|western union|control number)\D{0,20}(\d{3}-?\d{3}-?\d{4})"),
    "amount": re.compile(r"(?i)\d{1,7}(?:[.,]\d{1,2})? ?(?:eur|euros?|usd|php|pesos?)\b"),
    "date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
}


def run_baseline(path: Path) -> tuple[float, set[tuple[str, str]], int]:
    import phonenumbers

    from winnow.chats import whatsapp
    from winnow.chats.model import Message

    def lines():  # type: ignore[no-untyped-def]
        with path.open(encoding="utf-8") as f:
            yield from f

    start = time.perf_counter()
    found: set[tuple[str, str]] = set()
    count = 0
    for event in whatsapp.parse(lines, path.name):
        if not isinstance(event, Message):
            continue
        count += 1
        text = event.text
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                found.add((kind, match.group(match.lastindex or 0)))
        for region in ("PH", "FR"):
            for match in phonenumbers.PhoneNumberMatcher(text, region):
                found.add(("phone", phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)))
    return time.perf_counter() - start, found, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"whatsapp-{args.messages}.txt"
    if not path.exists():
        generate(path, args.messages)
    size = path.stat().st_size / 1e6
    ours, our_ids, count = run_winnow(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    theirs, their_ids, their_count = run_baseline(path)
    print(f"{count:,} messages ({size:.0f} MB export)\n")
    print("| implementation | what it does | s | messages/s | identifiers |")
    print("|---|---|---|---|---|")
    print(f"| winnow chats import | parse + validate + scan + store (SQLite) | {ours:.1f} | {count / ours:,.0f} | "
          f"{len(our_ids):,} |")
    print(f"| regex per message | parse + every pattern and PhoneNumberMatcher on every message, no store | "
          f"{theirs:.1f} | {their_count / theirs:,.0f} | {len(their_ids):,} |")
    print(f"\nratio: {theirs / ours:.1f}x; winnow peak RSS {peak:,.0f} MB")
    kinds = ("phone", "mtcn", "url", "email")
    for kind in kinds:
        a = {v for k, v in our_ids if k == kind}
        b = {v for k, v in their_ids if k == kind}
        print(f"{kind}: winnow {len(a):,}, baseline {len(b):,}, both {len(a & b):,}")


if __name__ == "__main__":
    main()
