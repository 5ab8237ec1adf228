"""The demo's story, all benign and synthetic: among the seized videos a screen recording of a video call whose
screen shows the facilitator's phone number; a WhatsApp export in which a buyer books a live video call with that
facilitator, agrees a price and pays to that number; and money-transfer records in which that number receives
payments from the buyer and from the other planted buyers of the payments scenario. One thread an investigator
can follow: recording -> number on screen -> chat that ordered it -> payment -> the other buyers.

The payments come from `winnow.payments.generator` (its labelled scenario, unchanged) with one planted
facilitator's phone number replaced by the story's number, so the ranking finds the story's buyers among a
realistic background. The manifest returned is the ground truth the end-to-end test checks."""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

STORY_PHONE = "+639175550142"  # the number on the recording's screen, in the chat, and receiving the payments
SELLER_NAME = "Rosa"
CHAT_FILE = "WhatsApp Chat with Rosa.txt"
RECORDING = "Screen_Recording_{:%Y%m%d_%H%M%S}.mp4"
EUR_COUNTRIES = ("FR", "DE")
BUYER_ZONE = "Europe/Paris"  # the buyer's clock (FR or DE: the same zone): chat times, recorder file names


def national(phone: str) -> str:
    """+639175550142 -> '0917 555 0142' (how a Philippine number is written in a chat)."""
    digits = phone.removeprefix("+63")
    return f"0{digits[:3]} {digits[3:6]} {digits[6:]}"


def spaced(phone: str) -> str:
    """+639175550142 -> '+63 917 555 0142' (how a call app's screen shows it)."""
    digits = phone.removeprefix("+63")
    return f"+63 {digits[:3]} {digits[3:6]} {digits[6:]}"


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _payments(records: Path, seed: int, senders: int, buyers: int, facilitators: int) -> dict[str, Any]:
    """The generator's scenario with the busiest planted facilitator's phone replaced by STORY_PHONE; returns the
    facilitator, the buyer whose payment the chat arranges, and that payment."""
    from winnow.payments.generator import generate

    folder = records / "payments"
    generate(folder, seed=seed, senders=senders, buyers=buyers, facilitators=facilitators)
    fields, rows = _read(folder / "transactions.csv")
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    planted_buyers = set(labels["buyers"])
    reach: Counter[str] = Counter()
    for row in rows:
        if row["Sender Account"] in planted_buyers and row["Receiver Phone"] in labels["facilitators"]:
            reach[row["Receiver Phone"]] += 1
    facilitator = max(sorted(reach), key=lambda phone: reach[phone])
    for row in rows:
        for column in ("Receiver Phone", "Sender Phone"):
            if row[column] == facilitator:
                row[column] = STORY_PHONE
    labels["facilitators"] = [STORY_PHONE if p == facilitator else p for p in labels["facilitators"]]
    labels["story_facilitator"] = STORY_PHONE
    to_story = [r for r in rows if r["Receiver Phone"] == STORY_PHONE and r["Sender Account"] in planted_buyers]
    per_buyer = Counter(r["Sender Account"] for r in to_story if r["Sender Country"] in EUR_COUNTRIES)
    buyer = max(sorted(per_buyer), key=lambda account: per_buyer[account])
    theirs = sorted((r for r in to_story if r["Sender Account"] == buyer), key=lambda r: r["Date Time"])
    payment = theirs[len(theirs) // 2]
    with (folder / "transactions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    (folder / "labels.json").write_text(json.dumps(labels, indent=1), encoding="utf-8")
    return {"facilitator_name": payment["Receiver Name"], "buyer_account": buyer, "buyer_name": payment["Sender Name"],
            "buyer_phone": payment["Sender Phone"], "payment": payment,
            "payments_to_story": sum(r["Receiver Phone"] == STORY_PHONE for r in rows),
            "buyers_of_story": sorted({r["Sender Account"] for r in to_story}), "transactions": len(rows)}


def _chat(records: Path, seed: int, facts: dict[str, Any]) -> tuple[Path, datetime]:
    """A WhatsApp export (Android, 24-hour clock, day/month) in which the buyer books a live video call, agrees
    the price and pays the amount to the story's number on the day of the payment."""
    import random

    from winnow.sample.chats import SMALL_TALK, Line, Scenario, whatsapp

    r = random.Random(seed)
    paid = datetime.strptime(facts["payment"]["Date Time"], "%Y-%m-%d %H:%M:%S")
    amount = float(facts["payment"]["Send Amount"])
    price = f"{amount:.0f}" if amount == int(amount) else f"{amount:.2f}"
    buyer, seller = facts["buyer_name"], SELLER_NAME
    session = (paid + timedelta(hours=3)).replace(minute=0, second=0)
    story = [
        (paid - timedelta(hours=30), buyer, "hello, I saw your page. can I book a live show this week?"),
        (paid - timedelta(hours=29, minutes=40), seller, "yes, a private video call, 30 minutes"),
        (paid - timedelta(hours=29, minutes=35), seller, f"price is {price} EUR"),
        (paid - timedelta(hours=29, minutes=20), buyer, f"ok. {session:%A} {session:%H}:00 my time?"),
        (paid - timedelta(hours=29), seller, f"ok booked. send by gcash to {national(STORY_PHONE)} first"),
        (paid + timedelta(minutes=4), buyer, f"sent {price} EUR now"),
        (paid + timedelta(minutes=30), seller, f"received, thanks. I call you at {session:%H}:00"),
        (session + timedelta(minutes=40), buyer, "thanks, same next week?"),
    ]
    lines = [Line(sender, moment, text) for moment, sender, text in story]
    for day in range(14, 0, -1):  # small talk on the two weeks before (over 12 days: the dates decide dd/mm)
        moment = (paid - timedelta(days=day)).replace(hour=r.randint(8, 22), minute=r.randint(0, 59), second=0)
        lines.append(Line(r.choice([buyer, seller]), moment, r.choice(SMALL_TALK)))
    lines.sort(key=lambda line: line.time)
    scenario = Scenario(buyer, facts["buyer_phone"], seller, STORY_PHONE, national(STORY_PHONE), "", int(amount),
                        lines[0].time, lines)
    path = whatsapp(scenario, records / "chats" / CHAT_FILE)
    return path, session


def _recordings(evidence: Path, seed: int, session: datetime) -> dict[str, str]:
    """The call recording (the story's number under the caller's name), made by the buyer at the booked time, and
    a screen recording of slides (a screen recording that is not a call), named like a phone's recorder names
    them (local time), with their creation time tag and modification time in UTC."""
    from winnow.sample.calls import call_video, screen_video

    def utc(local: datetime) -> datetime:
        return local.replace(tzinfo=ZoneInfo(BUYER_ZONE)).astimezone(UTC)

    folder = evidence / "Videos" / "Screen recordings"
    started = session + timedelta(minutes=2)
    call = call_video(folder / RECORDING.format(started), seed, style=1, seconds=8, caption=spaced(STORY_PHONE),
                      creation_time=utc(started).strftime("%Y-%m-%dT%H:%M:%S.000000Z"))
    slides = screen_video(folder / RECORDING.format(session - timedelta(days=9, hours=5)), seed + 1, "slides",
                          style=1, seconds=6)
    for path, when in ((call, session + timedelta(minutes=32)), (slides, session - timedelta(days=9, hours=4))):
        stamp = utc(when).timestamp()
        os.utime(path, (stamp, stamp))
    return {"call_recording": str(call), "screen_recording": str(slides)}


def generate(evidence: Path, records: Path, seed: int = 1, senders: int = 300, buyers: int = 12,
             facilitators: int = 4) -> dict[str, Any]:
    """Write the recordings into the seized collection at `evidence` and the chat export and payment records under
    `records` (`chats/`, `payments/`); returns the ground truth."""
    records = Path(records)
    if records.exists() and any(records.iterdir()):
        raise ValueError(f"{records} is not empty; the story writes its records into a new or empty folder")
    facts = _payments(records, seed, senders, buyers, facilitators)
    chat, session = _chat(records, seed, facts)
    videos = _recordings(Path(evidence), seed, session)
    return {"phone": STORY_PHONE, "chat": str(chat), "payments": str(records / "payments" / "transactions.csv"),
            "session_local": session.isoformat(), **videos,
            **{k: v for k, v in facts.items() if k != "payment"}, "payment_txn": facts["payment"]["Transaction ID"]}
