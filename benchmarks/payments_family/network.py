"""The exploitation side of a scenario: facilitators with rotating receiving identities and their collectors
(money mules), and buyers of four behaviours paying them. See the package docstring for the typology behind each
choice."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .world import Party, World

Event = tuple[float, str, Party, Party, float, str, str]  # day, hour profile, sender, receiver, EUR, style, reference

BUYER_COUNTRIES = {"AU": 20, "US": 20, "GB": 14, "CA": 10, "DE": 7, "NL": 5, "SE": 5, "NO": 4, "FR": 4, "CH": 3,
                   "NZ": 3, "ES": 2, "IT": 2, "JP": 1}
BUYER_REFERENCES = ("", "", "", "", "", "gift", "help", "family support", "for food", "allowance", "pang load",
                    "for rent", "medicine", "school", "ok", "thanks", "birthday")


@dataclass
class Facilitator:
    person: str
    identities: list[tuple[float, Party]]          # (from day, identity) in order
    mules: list[Mule] = field(default_factory=list)
    weight: float = 1.0
    price: float = 30.0
    mule_share: float = 0.0

    def at(self, day: float) -> Party:
        current = self.identities[0][1]
        for start, party in self.identities:
            if start <= day:
                current = party
        return current


@dataclass
class Mule:
    person: str
    receiving: list[tuple[float, Party]]
    sending: Party
    received: list[tuple[float, float]] = field(default_factory=list)  # (day, EUR) collected for the facilitator

    def at(self, day: float) -> Party:
        current = self.receiving[0][1]
        for start, party in self.receiving:
            if start <= day:
                current = party
        return current


def _variant_name(rng: random.Random, name: str) -> str:
    """The same person under a slightly different recorded name (nickname, dropped middle name, initial)."""
    parts = name.split()
    choice = rng.random()
    if choice < 0.35 and len(parts) > 2:
        return f"{parts[0]} {parts[-1]}"
    if choice < 0.6:
        return f"{parts[0]} {parts[-1][0]}. {parts[-1]}" if len(parts) == 2 else name.upper()
    return name.replace("Ma.", "Maria") if "Ma." in name else f"{parts[0]} {parts[-1]}"


def make_facilitators(world: World, params: dict[str, float], days: float, count: int,
                      labels: dict[str, dict[str, object]]) -> list[Facilitator]:
    rng = world.rng
    out = []
    for _ in range(count):
        person = world.person_id()
        family = rng.choice(("Reyes", "Santos", "Cruz", "Bautista", "Mendoza", "Ramos", "Flores", "Torres", "Lim",
                             "Garcia", "Villanueva", "Aquino", "Pascual", "Dizon", "Ocampo", "Valdez"))
        first = world.receiver(person, family=family, payout=rng.choice(["Cash", "E Wallet", "E Wallet", "Bank"]))
        identities = [(-30.0, first)]
        period = rng.uniform(params["rotate_min"], params["rotate_max"])
        day = rng.uniform(0.3, 1.0) * period
        while day < days:
            prev = identities[-1][1]
            roll = rng.random()
            if roll < 0.45:            # a relative's name on a new SIM and wallet
                new = world.receiver(person, family=family, payout=rng.choice(["Cash", "E Wallet"]))
            elif roll < 0.75:          # own name recorded differently, new number
                new = world.receiver(person, name=_variant_name(rng, first.name), payout=prev.payout)
            else:                      # an unrelated name (a neighbour, a paid account holder)
                new = world.receiver(person, payout=rng.choice(["Cash", "E Wallet", "Bank"]))
            if rng.random() < params["rotate_link"]:   # one identifier carried over links old and new
                if prev.wallet and new.payout == "E Wallet" and rng.random() < 0.5:
                    new.wallet = prev.wallet
                else:
                    new.phone = prev.phone
            identities.append((day, new))
            day += rng.uniform(params["rotate_min"], params["rotate_max"])
        fac = Facilitator(person, identities, weight=rng.lognormvariate(0, 0.8), price=rng.uniform(18, 45))
        labels[person] = {"role": "facilitator", "kind": "facilitator", "side": "receiver"}
        if rng.random() < params["p_mules"]:
            fac.mule_share = rng.uniform(0.2, 0.6)
            for _ in range(rng.choice((1, 1, 2, 3))):
                mperson = world.person_id()
                receiving = world.receiver(mperson, payout=rng.choice(["Cash", "E Wallet"]))
                rec = [(-30.0, receiving)]
                if rng.random() < 0.4:
                    rec.append((rng.uniform(0.3, 0.8) * days, world.receiver(mperson, name=receiving.name,
                                                                             payout="E Wallet")))
                sending = Party(mperson, receiving.name, "PH", "Asia/Manila", receiving.phone, world.customer(),
                                city=receiving.city)
                fac.mules.append(Mule(mperson, rec, sending))
                labels[mperson] = {"role": "mule", "kind": "mule", "side": "both", "facilitator": person}
        out.append(fac)
    return out


def _pay(rng: random.Random, fac: Facilitator, day: float) -> Party:
    if fac.mules and rng.random() < fac.mule_share:
        mule = rng.choice(fac.mules)
        mule_party = mule.at(day)
        return mule_party
    return fac.at(day)


def buyer_events(world: World, params: dict[str, float], days: float, facs: list[Facilitator], count: int,
                 labels: dict[str, dict[str, object]]) -> list[Event]:
    rng = world.rng
    shares = {"subscriber": params["share_subscriber"], "bursty": params["share_bursty"],
              "escalating": params["share_escalating"], "subtle": params["share_subtle"]}
    kinds = [k for k, v in shares.items() for _ in range(round(v * count))]
    rng.shuffle(kinds)
    weights = [f.weight for f in facs]
    # every facilitator serves at least two buyers; the rest follow popularity
    firsts: list[Facilitator | None] = []
    firsts.extend([f for f in facs for _ in range(2)][: len(kinds)])
    firsts += [None] * (len(kinds) - len(firsts))
    rng.shuffle(firsts)
    events: list[Event] = []
    by_mule: dict[str, tuple[Mule, Facilitator]] = {m.receiving[0][1].person: (m, f) for f in facs for m in f.mules}
    for kind, first in zip(kinds, firsts, strict=True):
        country = rng.choices(list(BUYER_COUNTRIES), list(BUYER_COUNTRIES.values()))[0]
        person = world.person_id()
        me = world.sender(person, country, phone=rng.random() < 0.9)
        second: Party | None = None
        if rng.random() < params["p_second_account"]:   # a second registration, linked by phone half the time
            second = Party(person, me.name, country, me.zone, me.phone if rng.random() < 0.5 else None,
                           world.customer())
        labels[person] = {"role": "buyer", "kind": kind, "side": "sender", "country": country}
        primary = first or rng.choices(facs, weights)[0]
        style = rng.choices(["round", "payout", "exact"], [0.5, 0.35, 0.15])[0]
        hours = rng.choices(["night", "evening", "day", "ph_evening"],
                            [params["buyer_night"], 0.3, 0.2, 0.5 - params["buyer_night"] / 2])[0]
        refs = rng.random() < params["buyer_refs"]
        payments: list[tuple[float, Facilitator, float, bool]] = []  # bool: minutes after the previous
        if kind == "subscriber":
            start = rng.uniform(-30, days * 0.5)
            end = min(days, start + rng.uniform(100, days))
            gap = rng.uniform(5, 16)
            amount = rng.uniform(0.8, 1.25) * primary.price
            others = [primary] + ([rng.choices(facs, weights)[0]] if rng.random() < 0.5 else [])
            day = max(0.0, start)
            while day < end:
                fac = primary if rng.random() < 0.85 else rng.choice(others)
                payments.append((day, fac, amount * rng.choice((1, 1, 1, 0.8, 1.25)), False))
                day += gap * rng.uniform(0.6, 1.4)
        elif kind == "bursty":
            chosen = [primary] + rng.choices(facs, weights, k=rng.choice((0, 1, 2)))
            for _ in range(rng.randint(2, 6)):
                day = rng.uniform(0, days - 3)
                fac = rng.choice(chosen)
                for k in range(rng.randint(2, 6)):
                    payments.append((day, fac, rng.uniform(15, 50), k > 0))
                    day += rng.uniform(0.007, 0.25)
        elif kind == "escalating":
            n = rng.randint(8, 30)
            growth = rng.uniform(2.0, 4.0)
            start_amount = rng.uniform(10, 20)
            chosen = [primary]
            day = rng.uniform(0, days * 0.4)
            for i in range(n):
                if i in (n // 3, 2 * n // 3) and rng.random() < 0.6:
                    chosen.append(rng.choices(facs, weights)[0])
                payments.append((day, rng.choice(chosen[-2:]), start_amount * growth ** (i / max(1, n - 1)), False))
                day += max(0.3, 20 * (1 - i / n) * rng.uniform(0.6, 1.3))
                if day >= days:
                    break
        else:  # subtle: two or three payments within a few weeks to one facilitator
            day = rng.uniform(0, days - 25)
            for _ in range(rng.choice((2, 2, 3))):
                payments.append((day, primary, rng.uniform(20, 60), False))
                day += rng.uniform(0.5, 21)
        cut = rng.uniform(0.3, 0.7)
        for i, (day, fac, eur, follows) in enumerate(payments):
            sender = second if second is not None and i >= cut * len(payments) else me
            receiver = _pay(rng, fac, day)
            ref = rng.choice(BUYER_REFERENCES) if refs else ""
            events.append((day, "+" if follows else hours, sender, receiver, eur, style, ref))
            if receiver.person in by_mule:
                by_mule[receiver.person][0].received.append((day, eur))
        if rng.random() < params["p_buyer_cover"]:   # a genuine monthly remittance beside the payments
            partner = world.receiver(world.person_id(), payout="Bank")
            labels[partner.person] = {"role": "negative", "kind": "family_recipient", "side": "receiver"}
            level = rng.uniform(80, 300)
            day = rng.uniform(0, 30)
            while day < days:
                events.append((day, "day", me, partner, level * rng.uniform(0.9, 1.1), "round", ""))
                day += rng.uniform(27, 33)
    events.extend(mule_forwards(rng, facs))
    return events


def mule_forwards(rng: random.Random, facs: list[Facilitator]) -> list[Event]:
    """A collector passes what it received on to the facilitator's current identity every few days, keeping a cut."""
    events: list[Event] = []
    for fac in facs:
        for mule in fac.mules:
            pending = 0.0
            due: float | None = None
            for day, eur in sorted(mule.received):
                pending += eur
                if due is None:
                    due = day + rng.uniform(0.2, 4)
                if day >= due:
                    events.append((day + rng.uniform(0.01, 0.3), "any", mule.sending, fac.at(day),
                                   pending * rng.uniform(0.85, 0.95), "round", rng.choice(("", "", "padala", "bayad"))))
                    pending, due = 0.0, None
            if pending:
                last = max(d for d, _ in mule.received)
                events.append((last + 1, "any", mule.sending, fac.at(last), pending * 0.9, "round", ""))
    return events
