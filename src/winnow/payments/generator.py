"""A labelled synthetic payments scenario (generic money-transfer-operator CSV + a separate labels file):
a realistic background — domestic payments, e-commerce, and legitimate diaspora remittances to the same countries
(monthly-ish, larger amounts, one or two stable recipients sharing the sender's surname) — with planted buyers
and facilitators at several intensities, including subtle ones, and noise. Names are drawn from one neutral pool
for every role: nothing about a person's origin distinguishes the planted parties."""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

GIVEN = ["alex", "sam", "jo", "chris", "maria", "ana", "luis", "marc", "lea", "nina", "omar", "paul", "rosa",
         "tom", "ivan", "eva", "noel", "ben", "kim", "lina", "joel", "ruth", "dan", "mila", "hugo", "ines"]
FAMILY = ["martin", "bernard", "dubois", "garcia", "santos", "reyes", "cruz", "morel", "petit", "silva", "lopez",
          "mendoza", "ramos", "torres", "navarro", "leroy", "roux", "flores", "castro", "perez", "moreau", "lambert",
          "bautista", "aquino", "villa", "fontaine", "girard", "blanc", "simon", "laurent", "michel", "david"]
SENDER_COUNTRIES = ["FR", "FR", "FR", "DE", "GB", "AU", "US"]
HIGH_RISK = ["PH", "PH", "PH", "TH", "CO", "RO"]
COVER = ["tuition", "school fees", "load", "pang load", "allowance", "gift", "help", "for the kids", "baon"]
FIELDS = ["Transaction ID", "Date Time", "Send Amount", "Send Currency", "Sender Name", "Sender Phone",
          "Sender Country", "Sender Account", "Receiver Name", "Receiver Phone", "Receiver Country",
          "Receiver Wallet", "Channel", "Message", "Agent Location"]
PHONE = {"FR": ("+336", 8), "DE": ("+49151", 8), "GB": ("+447", 9), "AU": ("+614", 8), "US": ("+1415", 7),
         "PH": ("+639", 9), "TH": ("+668", 8), "CO": ("+573", 9), "RO": ("+407", 8)}
CURRENCY = {"FR": "EUR", "DE": "EUR", "GB": "GBP", "AU": "AUD", "US": "USD"}
EUR_PER = {"EUR": 1.0, "GBP": 1.17, "AUD": 0.61, "USD": 0.92}


class _World:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.rows: list[dict[str, Any]] = []
        self.start = datetime(2025, 1, 1)
        self.serial = 0

    def person(self, country: str, family: str | None = None) -> dict[str, str]:
        r = self.rng
        name = f"{r.choice(GIVEN)} {family or r.choice(FAMILY)}"
        return {"name": name.title(), "country": country,
                "phone": PHONE[country][0] + f"{r.randrange(10 ** PHONE[country][1]):0{PHONE[country][1]}d}",
                "account": f"AC{r.randrange(10**9):09d}"}

    def pay(self, sender: dict[str, str], receiver: dict[str, str], when: datetime, eur: float, message: str = "",
            channel: str = "money_transfer") -> None:
        self.serial += 1
        currency = CURRENCY.get(sender["country"], "EUR")
        amount = round(eur / EUR_PER[currency], 2)
        self.rows.append({
            "Transaction ID": f"T{self.serial:08d}", "Date Time": when.strftime("%Y-%m-%d %H:%M:%S"),
            "Send Amount": f"{amount:.2f}", "Send Currency": currency, "Sender Name": sender["name"],
            "Sender Phone": sender["phone"], "Sender Country": sender["country"], "Sender Account": sender["account"],
            "Receiver Name": receiver["name"], "Receiver Phone": receiver["phone"],
            "Receiver Country": receiver["country"],
            "Receiver Wallet": receiver.get("wallet", ""), "Channel": channel, "Message": message,
            "Agent Location": self.rng.choice(["Paris 10", "Lyon 3", "Online", "Marseille 1", "Online"])})

    def when(self, day: float, night: bool = False) -> datetime:
        hour = self.rng.choice([22, 23, 0, 1, 2, 3, 4]) if night else self.rng.randint(8, 20)
        base = self.start + timedelta(days=day)
        return base.replace(hour=hour, minute=self.rng.randint(0, 59), second=self.rng.randint(0, 59))


def generate(out: Path, seed: int = 1, senders: int = 2000, buyers: int = 40, facilitators: int = 12) -> dict[str, Any]:
    """Write `transactions.csv` and `labels.json` under `out`; returns the label summary."""
    w = _World(seed)
    r = w.rng
    out.mkdir(parents=True, exist_ok=True)
    labels: dict[str, Any] = {"buyers": [], "facilitators": [], "diaspora": [], "background": []}
    merchants = [w.person("FR") | {"name": f"Shop {i}"} for i in range(30)]
    # background: domestic payments and e-commerce
    for _ in range(senders):
        s = w.person(r.choice(SENDER_COUNTRIES))
        labels["background"].append(s["account"])
        friends = [w.person(s["country"]) for _ in range(r.randint(1, 4))]
        for _ in range(r.randint(2, 20)):
            day = r.uniform(0, 360)
            if r.random() < 0.5:
                w.pay(s, r.choice(merchants), w.when(day, night=r.random() < 0.1), r.uniform(8, 180),
                      r.choice(["order", "", "invoice", "subscription"]), "e_wallet")
            else:
                w.pay(s, r.choice(friends), w.when(day), r.choice([20, 25, 30, 50, 100, r.uniform(5, 300)]),
                      r.choice(["", "dinner", "rent share", "thanks"]), "bank")
    # legitimate diaspora remittances: monthly-ish, larger, one or two stable recipients sharing the surname
    for _ in range(senders // 4):
        family = r.choice(FAMILY)
        s = w.person(r.choice(SENDER_COUNTRIES), family)
        country = r.choice(HIGH_RISK)
        kin = [w.person(country, family) for _ in range(r.randint(1, 2))]
        labels["diaspora"].append(s["account"])
        for month in range(r.randint(6, 12)):
            w.pay(s, r.choice(kin), w.when(month * 30 + r.uniform(-4, 4), night=r.random() < 0.15),
                  r.uniform(120, 450), r.choice(["", "family support", "for mama", "monthly", "allowance"]))
    # facilitators and buyers at several intensities
    facs = []
    for _ in range(facilitators):
        f = w.person(r.choice(["PH", "PH", "PH", "TH", "CO"]))
        f["wallet"] = f"GC{r.randrange(10**10):010d}" if f["country"] == "PH" else ""
        facs.append(f)
        labels["facilitators"].append(f["phone"])
    for b in range(buyers):
        s = w.person(r.choice(SENDER_COUNTRIES))
        labels["buyers"].append(s["account"])
        intensity = ["strong", "medium", "subtle"][b % 3]
        count = {"strong": r.randint(12, 30), "medium": r.randint(7, 12), "subtle": r.randint(5, 7)}[intensity]
        mine = r.sample(facs, min(len(facs), {"strong": 4, "medium": 3, "subtle": 2}[intensity]))
        day = r.uniform(0, 120)
        for k in range(count):
            day += r.uniform(2, 18 if intensity == "subtle" else 12)
            eur = r.choice([15, 20, 25, 30, 35, 40, 50]) * (1 + 0.15 * k / count if intensity == "strong" else 1)
            message = r.choice(COVER) if r.random() < {"strong": 0.6, "medium": 0.4, "subtle": 0.2}[intensity] else ""
            w.pay(s, r.choice(mine), w.when(day, night=r.random() < {"strong": 0.7, "medium": 0.5,
                                                                       "subtle": 0.3}[intensity]),
                  round(eur), message, r.choice(["money_transfer", "money_transfer", "e_wallet"]))
        labels.setdefault("intensity", {})[s["account"]] = intensity
    # a few strong buyers also pay in stablecoin to one address (rule R11, when the address is listed); drawn from
    # a second generator so that the rest of the scenario does not depend on it
    crypto = random.Random(seed * 7919 + 1)
    address = "T" + "".join(crypto.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789")
                            for _ in range(33))
    labels["crypto_addresses"] = [address]
    for account in [a for a, level in labels.get("intensity", {}).items() if level == "strong"][::4]:
        payer = next(row for row in w.rows if row["Sender Account"] == account)
        sender = {"name": payer["Sender Name"], "country": payer["Sender Country"], "phone": payer["Sender Phone"],
                  "account": account}
        for _ in range(crypto.randint(3, 5)):
            w.serial += 1
            when = w.start + timedelta(days=crypto.uniform(0, 360), hours=crypto.randint(0, 23))
            w.rows.append({**dict.fromkeys(FIELDS, ""), "Transaction ID": f"T{w.serial:08d}",
                           "Date Time": when.strftime("%Y-%m-%d %H:%M:%S"),
                           "Send Amount": f"{crypto.choice([20, 25, 30, 40, 50])}.00", "Send Currency": "USDT",
                           "Sender Name": sender["name"], "Sender Phone": sender["phone"],
                           "Sender Country": sender["country"], "Sender Account": account,
                           "Receiver Wallet": address, "Channel": "crypto"})
    r.shuffle(w.rows)
    with (out / "transactions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(w.rows)
    (out / "labels.json").write_text(json.dumps(labels, indent=1), encoding="utf-8")
    return {"transactions": len(w.rows), "buyers": len(labels["buyers"]),
            "facilitators": len(labels["facilitators"]), "diaspora": len(labels["diaspora"])}


def generate_parquet(out: Path, rows: int, seed: int = 1, senders: int = 4000, buyers: int = 80,
                     facilitators: int = 16) -> dict[str, Any]:
    """A large labelled scenario for scale runs: the scenario of `generate` (normalised through the importer) tiled
    into `rows` transactions in `transactions.parquet`, with `labels.json`. Copy k of every party gets the suffix
    `-k` on accounts and wallets and k's digits appended to phone numbers (still E.164 up to 1,000 copies), so the
    copies are disjoint populations with the same structure."""
    import tempfile

    import duckdb

    from winnow.payments.loaders import import_file
    from winnow.payments.parquet import export_parquet
    from winnow.store.case import create_case

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="winnow-scale-") as scratch:
        base = Path(scratch)
        generate(base / "data", seed=seed, senders=senders, buyers=buyers, facilitators=facilitators)
        case = create_case(base / "case", name="scale", examiner="generator")
        import_file(case, base / "data" / "transactions.csv", "mto")
        base_parquet = export_parquet(case, base / "base.parquet")
        size = base_parquet["rows"]
        copies = -(-rows // size)
        if copies > 1000:
            raise ValueError(f"{rows} rows need {copies} copies of the {size}-row scenario (at most 1,000): "
                             "raise --senders")
        width = len(str(copies - 1))
        suffix = f"lpad(k::VARCHAR, {width}, '0')"
        conn = duckdb.connect()
        try:
            conn.execute("SET enable_progress_bar = false")
            conn.execute(f"CREATE TABLE base AS SELECT * RENAME (file_row_number AS i) FROM read_parquet("
                         f"'{base / 'base.parquet'}', file_row_number = true)")
            columns = [c[0] for c in conn.execute("DESCRIBE base").fetchall() if c[0] != "i"]
            select = []
            for c in columns:
                if c == "txn_id":
                    select.append("txn_id || '-' || k AS txn_id")
                elif c.endswith("_phone"):
                    select.append(f"{c} || {suffix} AS {c}")
                elif c.endswith(("_account", "_wallet", "_iban")):
                    select.append(f"{c} || '-' || k AS {c}")
                else:
                    select.append(c)
            target = out / "transactions.parquet"
            partial = target.with_name(target.name + ".partial")
            conn.execute(f"COPY (SELECT {', '.join(select)} FROM base, range({copies}) AS copies(k) "
                         f"WHERE k * {size} + i < {rows}) TO '{partial}' (FORMAT parquet, COMPRESSION zstd)")
            partial.replace(target)
        finally:
            conn.close()
        labels = json.loads((base / "data" / "labels.json").read_text(encoding="utf-8"))
    tiled: dict[str, Any] = {}
    full, extra = divmod(rows, size)
    used = copies if extra else full
    for key in ("buyers", "diaspora", "background"):
        tiled[key] = [f"{a}-{k}" for k in range(used) for a in labels[key]]
    tiled["facilitators"] = [f"{p}{k:0{width}d}" for k in range(used) for p in labels["facilitators"]]
    tiled["crypto_addresses"] = [f"{a}-{k}" for k in range(used) for a in labels["crypto_addresses"]]
    tiled["intensity"] = {f"{a}-{k}": level for k in range(used) for a, level in labels["intensity"].items()}
    tiled["note"] = (f"{used} copies of a {size}-row scenario; the last copy is cut at {rows} rows, so some of its "
                     "labelled parties have fewer transactions" if extra else f"{used} copies of a {size}-row scenario")
    (out / "labels.json").write_text(json.dumps(tiled), encoding="utf-8")
    return {"transactions": rows, "copies": used, "scenario_rows": size, "buyers": len(tiled["buyers"]),
            "facilitators": len(tiled["facilitators"]), "diaspora": len(tiled["diaspora"])}
