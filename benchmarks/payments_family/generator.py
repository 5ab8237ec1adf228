"""One seeded scenario of the family: parameters drawn per seed, the exploitation network and the look-alikes
planted, times placed in each sender's own zone, the result written as a remittance operator's export
(`transactions.csv`, UTC times, the operator's own column names) with the column mapping an analyst writes for it
(`mapping.yaml`) and, apart, the labels (`labels.json`: who is who, keyed by the identifiers winnow reports).

Dirty data as exports have it: duplicated rows (overlapping extracts), missing phones and countries, numbers in
national or spaced formats, names recorded differently (case, accents, order, dropped middle names), a few rows
with an unusable amount."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .negatives import background, charity, diaspora, freelance, gaming, payroll, tuition
from .network import Event, buyer_events, make_facilitators
from .world import Party, World, local_amount, local_to_utc

HEADER = ("Reference No", "Created (UTC)", "Send Amount", "Send Currency", "Remitter ID", "Remitter Name",
          "Remitter Mobile", "Remitter Country", "Beneficiary Name", "Beneficiary Mobile", "Beneficiary Country",
          "Beneficiary Account", "Beneficiary Wallet", "Beneficiary City", "Payout Method", "Purpose", "Channel Point")
MAPPING = """# Column mapping for this operator's compliance export (winnow payments import --mapping mapping.yaml)
delimiter: ","
time_format: "%Y-%m-%dT%H:%M:%SZ"
time_is: utc
default_channel: money_transfer
columns:
  txn_id: Reference No
  time: Created (UTC)
  amount: Send Amount
  currency: Send Currency
  sender_account: Remitter ID
  sender_name: Remitter Name
  sender_phone: Remitter Mobile
  sender_country: Remitter Country
  receiver_name: Beneficiary Name
  receiver_phone: Beneficiary Mobile
  receiver_country: Beneficiary Country
  receiver_account: Beneficiary Account
  receiver_wallet: Beneficiary Wallet
  receiver_address: Beneficiary City
  channel: Payout Method
  reference: Purpose
  agent: Channel Point
"""
PROFILES = {"night": (22.0, 29.5), "evening": (18.0, 23.5), "day": (8.0, 18.0), "any": (7.0, 23.0)}


def draw_params(seed: int, scale: float = 1.0) -> dict[str, Any]:
    """Every knob of the scenario, drawn from the seed, so no two seeds share a shape."""
    rng = random.Random(f"params-{seed}")
    shares = [rng.uniform(0.6, 1.4) for _ in range(4)]
    shares = [s / sum(shares) for s in shares]
    rotate_min = rng.uniform(20, 60)

    def n(lo: int, hi: int, floor: int = 1) -> int:
        return max(floor, round(rng.randint(lo, hi) * scale))

    return {
        "seed": seed, "scale": scale, "start": (datetime(2025, 1, 1) + timedelta(days=rng.randint(0, 90))).isoformat(),
        "days": rng.uniform(330, 400), "buyers": n(150, 260, 8), "facilitators": n(15, 40, 3),
        "share_subscriber": shares[0], "share_bursty": shares[1], "share_escalating": shares[2],
        "share_subtle": shares[3], "rotate_min": rotate_min, "rotate_max": rotate_min + rng.uniform(30, 120),
        "rotate_link": rng.uniform(0.2, 0.6), "p_mules": rng.uniform(0.3, 0.6),
        "p_second_account": rng.uniform(0.05, 0.15), "buyer_night": rng.uniform(0.15, 0.45),
        "buyer_refs": rng.uniform(0.3, 0.7), "p_buyer_cover": rng.uniform(0.1, 0.3),
        "diaspora": n(2500, 4000), "diaspora_small": rng.uniform(0.12, 0.3), "diaspora_night": rng.uniform(0.12, 0.3),
        "diaspora_to_facilitator": rng.uniform(0.002, 0.006), "payroll": n(120, 280), "freelance": n(200, 600),
        "charity": n(800, 2000), "gaming": n(300, 900), "tuition": n(200, 500), "background": n(8000, 14000),
        "p_dup": rng.uniform(0.003, 0.015), "p_missing_phone": rng.uniform(0.03, 0.12),
        "p_name_variant": rng.uniform(0.05, 0.2), "p_bad_amount": rng.uniform(0.0002, 0.001),
        "p_national_phone": rng.uniform(0.1, 0.35),
    }


def build(seed: int, scale: float = 1.0) -> tuple[dict[str, Any], list[Event], dict[str, dict[str, object]]]:
    """The parameters, the events (in generation order) and the labels of one seed."""
    params = draw_params(seed, scale)
    world = World(random.Random(f"world-{seed}"))
    labels: dict[str, dict[str, object]] = {}
    days = params["days"]
    facs = make_facilitators(world, params, days, params["facilitators"], labels)
    events = buyer_events(world, params, days, facs, params["buyers"], labels)
    pool = [party for f in facs for _, party in f.identities]
    events += diaspora(world, params, days, params["diaspora"], labels, pool)
    events += payroll(world, params, days, params["payroll"], labels)
    events += freelance(world, params, days, params["freelance"], labels)
    events += charity(world, params, days, params["charity"], labels)
    events += gaming(world, params, days, params["gaming"], labels)
    events += tuition(world, params, days, params["tuition"], labels)
    events += background(world, params, days, params["background"], labels)
    return params, events, labels


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _recorded_name(rng: random.Random, name: str, p: float) -> str:
    if rng.random() >= p:
        return name
    parts = name.split()
    roll = rng.random()
    if roll < 0.3:
        return name.upper()
    if roll < 0.5:
        return _strip_accents(name)
    if roll < 0.75 and len(parts) > 1:
        return f"{parts[-1].upper()}, {' '.join(parts[:-1])}"
    if len(parts) > 2:
        return f"{parts[0]} {parts[-1]}"
    return name.lower()


def _recorded_phone(rng: random.Random, phone: str | None, p: dict[str, Any], missing: float) -> str:
    if not phone or rng.random() < missing:
        return ""
    if rng.random() >= p["p_national_phone"]:
        return phone
    import phonenumbers

    number = phonenumbers.parse(phone)
    style = phonenumbers.PhoneNumberFormat.NATIONAL if rng.random() < 0.6 else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def _moment(rng: random.Random, start: datetime, day: float, profile: str, sender: Party,
            last: dict[str, tuple[float, datetime]]) -> datetime:
    if profile == "+" and sender.person in last:
        prev_day, prev = last[sender.person]
        return prev + timedelta(days=max(0.002, day - prev_day))
    date = start + timedelta(days=int(day))
    if profile == "ph_evening":
        return local_to_utc(date + timedelta(hours=rng.uniform(16.0, 23.5)), "Asia/Manila")
    lo, hi = PROFILES.get(profile, PROFILES["any"])
    return local_to_utc(date + timedelta(hours=rng.uniform(lo, hi)), sender.zone)


def rows(params: dict[str, Any], events: list[Event], seed: int) -> tuple[list[list[str]], dict[str, set[str]]]:
    """Export rows in time order (with the dirty data) and, per person, the identifiers and names written."""
    rng = random.Random(f"rows-{seed}")
    start = datetime.fromisoformat(params["start"])
    end = start + timedelta(days=params["days"])
    last: dict[str, tuple[float, datetime]] = {}
    timed = []
    for day, profile, sender, receiver, eur, style, reference in events:
        moment = _moment(rng, start, day, profile, sender, last)
        last[sender.person] = (day, moment)
        if start <= moment < end:
            timed.append((moment, sender, receiver, eur, style, reference))
    timed.sort(key=lambda item: item[0])
    written: dict[str, set[str]] = {}
    out: list[list[str]] = []
    prefix = f"{random.Random(seed).randrange(100, 999)}"
    for number, (moment, sender, receiver, eur, style, reference) in enumerate(timed):
        amount = local_amount(rng, eur, sender.currency, style)
        text = f"{amount:.2f}" if amount < 1000 or rng.random() < 0.7 else f"{amount:,.2f}"
        if rng.random() < params["p_bad_amount"]:
            text = rng.choice(("", "n/a", "-"))
        s_phone = _recorded_phone(rng, sender.phone, params, params["p_missing_phone"])
        r_phone = _recorded_phone(rng, receiver.phone, params, 0.3 if receiver.payout != "Cash" else 0.01)
        s_country = sender.country if rng.random() > 0.002 else ""
        r_country = receiver.country if rng.random() > 0.003 else ""
        s_name = _recorded_name(rng, sender.name, params["p_name_variant"])
        r_name = _recorded_name(rng, receiver.name, params["p_name_variant"])
        row = [f"MT{prefix}{number:08d}", moment.strftime("%Y-%m-%dT%H:%M:%SZ"), text, sender.currency,
               sender.account or "", s_name, s_phone, s_country, r_name, r_phone, r_country,
               (receiver.account or "") if receiver.payout == "Bank" else "",
               (receiver.wallet or "") if receiver.payout == "E Wallet" else "", receiver.city or "", receiver.payout,
               reference, "Online" if (hash_int(sender.person) % 10) < 7 else f"Branch {hash_int(sender.person) % 97}"]
        out.append(row)
        if rng.random() < params["p_dup"]:
            out.append(list(row))
        for party, phone, name in ((sender, s_phone, s_name), (receiver, r_phone, r_name)):
            seen = written.setdefault(party.person, set())
            if party is sender and party.account:
                seen.add(f"account:{party.account}")
            if party is receiver and party.payout == "Bank" and party.account:
                seen.add(f"account:{party.account}")
            if party is receiver and party.payout == "E Wallet" and party.wallet:
                seen.add(f"wallet:{party.wallet}")
            if phone and party.phone:
                seen.add(f"phone:{party.phone}")
            seen.add(f"name:{name}")
    return out, written


def hash_int(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def generate(out: Path, seed: int, scale: float = 1.0) -> dict[str, Any]:
    """Write OUT/transactions.csv, OUT/mapping.yaml and OUT/labels.json for one seed; returns a summary."""
    params, events, labels = build(seed, scale)
    table, written = rows(params, events, seed)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "transactions.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(table)
    (out / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    persons = {}
    for person, seen in written.items():
        label = dict(labels.get(person, {"role": "background", "kind": "background", "side": "?"}))
        label["identifiers"] = sorted(i for i in seen if not i.startswith("name:"))
        label["names"] = sorted(i[5:] for i in seen if i.startswith("name:"))
        persons[person] = label
    counts: dict[str, int] = {}
    for label in persons.values():
        key = f"{label['role']}/{label['kind']}"
        counts[key] = counts.get(key, 0) + 1
    (out / "labels.json").write_text(json.dumps({"seed": seed, "params": params, "counts": dict(sorted(counts.items())),
                                                 "persons": persons}, indent=1, sort_keys=True), encoding="utf-8")
    digest = hashlib.sha256((out / "transactions.csv").read_bytes()).hexdigest()
    return {"seed": seed, "rows": len(table), "persons": len(persons), "sha256": digest,
            "counts": dict(sorted(counts.items()))}


