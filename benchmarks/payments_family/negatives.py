"""The legitimate side of a scenario: hard negatives that each resemble buyers or facilitators on one axis
(family remittances, payroll and freelance payments, donations, game top-ups, tuition) and plain background."""

from __future__ import annotations

from collections.abc import Callable

from .network import Event
from .world import PH_FAMILY, Party, World

Labels = dict[str, dict[str, object]]

DIASPORA_COUNTRIES = {"AE": 15, "US": 17, "CA": 10, "GB": 8, "IT": 7, "AU": 8, "JP": 7, "SG": 8, "DE": 4, "ES": 4,
                      "CH": 3, "NO": 2, "SE": 2, "NL": 2, "FR": 2, "NZ": 1}
EMPLOYER_COUNTRIES = {"US": 40, "AU": 25, "GB": 15, "CA": 10, "NZ": 4, "DE": 3, "NL": 3}
WESTERN = {"AU": 20, "US": 20, "GB": 14, "CA": 10, "DE": 7, "NL": 5, "SE": 5, "NO": 4, "FR": 4, "CH": 3, "NZ": 3,
           "ES": 2, "IT": 2}
FAMILY_REFS = ("", "", "", "", "family support", "allowance", "for bills", "padala", "tuition", "for medicine",
               "birthday", "grocery", "pang load", "rent")


def _pick(world: World, table: dict[str, int]) -> str:
    return world.rng.choices(list(table), list(table.values()))[0]


def _label(labels: Labels, party: Party, role: str, kind: str, side: str) -> Party:
    labels.setdefault(party.person, {"role": role, "kind": kind, "side": side})
    return party


def diaspora(world: World, p: dict[str, float], days: float, count: int, labels: Labels,
             recipients_pool: list[Party]) -> list[Event]:
    """Migrant workers and mixed families: one to three stable recipients, paid around paydays all year; some on
    night shifts, some sending small weekly amounts. A few also send to a facilitator's identity (a relative)."""
    rng = world.rng
    events: list[Event] = []
    for _ in range(count):
        country = _pick(world, DIASPORA_COUNTRIES)
        filipino = rng.random() < 0.7
        family = rng.choice(PH_FAMILY) if filipino else None
        me = world.sender(world.person_id(), country, name=world.name("PH", family) if filipino else None)
        roll = rng.random()
        kind = "diaspora_small" if roll < p["diaspora_small"] else \
            "diaspora_night" if roll < p["diaspora_small"] + p["diaspora_night"] else "diaspora_regular"
        _label(labels, me, "negative", kind, "sender")
        n_rec = rng.choices((1, 2, 3), (0.65, 0.27, 0.08))[0]
        recs = [_label(labels, world.receiver(world.person_id(), family=family if rng.random() < 0.7 else None),
                       "negative", "family_recipient", "receiver") for _ in range(n_rec)]
        if recipients_pool and rng.random() < p["diaspora_to_facilitator"]:
            recs[0] = rng.choice(recipients_pool)
        style = rng.choices(["round", "payout", "exact"], [0.45, 0.45, 0.1])[0]
        hours = "night" if kind == "diaspora_night" or rng.random() < 0.05 else rng.choice(("day", "evening"))
        if kind == "diaspora_small":
            gap, level = rng.uniform(6, 16), rng.uniform(15, 60)
        else:
            gap, level = rng.choice((14.0, 30.4, 30.4, 30.4)), rng.uniform(100, 600)
        day = rng.uniform(0, gap)
        missed = rng.uniform(0, 0.15)
        while day < days:
            if rng.random() > missed:
                rec = recs[0] if rng.random() < 0.7 else rng.choice(recs)
                eur = level * rng.uniform(0.85, 1.15) * (1.8 if day % 365 > 335 and rng.random() < 0.5 else 1)
                events.append((day, hours, me, rec, eur, style, rng.choice(FAMILY_REFS)))
            day += gap * rng.uniform(0.9, 1.1)
        if rng.random() < 0.2:  # an occasional extra: a new relative's emergency or a godchild's birthday
            extra = _label(labels, world.receiver(world.person_id()), "negative", "family_recipient", "receiver")
            events.append((rng.uniform(0, days), hours, me, extra, rng.uniform(30, 200), style,
                           rng.choice(("birthday", "for medicine", "", "help"))))
    return events


def payroll(world: World, p: dict[str, float], days: float, count: int, labels: Labels) -> list[Event]:
    """Small firms paying Philippine virtual assistants: several unrelated recipients, regular, some churn."""
    rng = world.rng
    events: list[Event] = []
    for _ in range(count):
        boss = _label(labels, world.sender(world.person_id(), _pick(world, EMPLOYER_COUNTRIES)), "negative",
                      "payroll", "sender")
        gap = rng.choice((7.0, 14.0, 15.2, 30.4))
        hours = "night" if rng.random() < 0.25 else "day"   # batches scheduled for Manila's morning
        staff: list[tuple[float, float, Party, float]] = []
        for _ in range(rng.choices((1, 2, 3, 4, 6, 8), (25, 25, 20, 15, 10, 5))[0]):
            start = rng.uniform(-60, days * 0.7)
            end = start + rng.uniform(60, 500)
            va = _label(labels, world.receiver(world.person_id(), payout=rng.choice(("Bank", "E Wallet"))),
                        "negative", "va", "receiver")
            staff.append((start, end, va, rng.uniform(60, 250) * gap / 7 ** 0.9))
        day = rng.uniform(0, gap)
        while day < days:
            for start, end, va, pay in staff:
                if start <= day <= end:
                    events.append((day, hours, boss, va, pay * rng.uniform(0.9, 1.1), "exact",
                                   rng.choice(("salary", "VA services", f"invoice {int(day)}", "wages", ""))))
            day += gap
    return events


def freelance(world: World, p: dict[str, float], days: float, count: int, labels: Labels) -> list[Event]:
    """Clients paying a freelancer for one job: a deposit and a final payment, sometimes a third."""
    rng = world.rng
    events: list[Event] = []
    for _ in range(count):
        client = _label(labels, world.sender(world.person_id(), _pick(world, WESTERN)), "negative", "freelance",
                        "sender")
        for _ in range(rng.choice((1, 1, 2))):
            worker = _label(labels, world.receiver(world.person_id(), payout=rng.choice(("E Wallet", "Bank"))),
                            "negative", "freelancer", "receiver")
            day = rng.uniform(0, days - 30)
            for _ in range(rng.choice((1, 2, 2, 3))):
                events.append((day, rng.choice(("day", "evening", "night")), client, worker, rng.uniform(30, 300),
                               rng.choice(("round", "exact")), rng.choice(("invoice", "logo design", "project",
                                                                           "services", "deposit", ""))))
                day += rng.uniform(1, 25)
    return events


def _fan_in(world: World, days: float, donors: int, orgs: list[Party], labels: Labels, kind: str,
            one: Callable[[Party, Party, float], list[Event]]) -> list[Event]:
    events: list[Event] = []
    for _ in range(donors):
        me = _label(labels, world.sender(world.person_id(), _pick(world, WESTERN)), "negative", kind, "sender")
        events.extend(one(me, world.rng.choice(orgs), days))
    return events


def charity(world: World, p: dict[str, float], days: float, count: int, labels: Labels) -> list[Event]:
    """Donors to Philippine foundations: monthly pledges, and one-off gifts clustered after a typhoon appeal."""
    rng = world.rng
    suffixes = ("Foundation Inc", "Childrens Fund", "Mission", "Relief Center")
    orgs = [_label(labels, world.receiver(world.person_id(), payout="Bank",
                                          name=f"{rng.choice(PH_FAMILY)} {rng.choice(suffixes)}"),
                   "negative", "charity_org", "receiver") for _ in range(rng.randint(3, 8))]
    appeal = rng.uniform(30, days - 30)

    def one(me: Party, org: Party, days: float) -> list[Event]:
        if rng.random() < 0.4:
            level, out, day = float(rng.choice((10, 15, 20, 25, 30, 50))), [], rng.uniform(0, 30)
            while day < days:
                out.append((day, "day", me, org, level, "round", rng.choice(("donation", "monthly pledge", ""))))
                day += 30.4
            return out
        day = appeal + rng.expovariate(1 / 4) if rng.random() < 0.6 else rng.uniform(0, days)
        return [(day + 40 * i, rng.choice(("day", "evening", "night")), me, org, rng.uniform(20, 100), "round",
                 rng.choice(("donation", "typhoon relief", ""))) for i in range(rng.choice((1, 1, 2)))]

    return _fan_in(world, days, count, orgs, labels, "charity", one)


def gaming(world: World, p: dict[str, float], days: float, count: int, labels: Labels) -> list[Event]:
    """Players buying game credit from Philippine resellers' e-wallets: small, bursty, late at night; resellers
    change wallets when they hit limits."""
    rng = world.rng
    sellers: list[list[tuple[float, Party]]] = []
    for _ in range(rng.randint(8, 25)):
        person = world.person_id()
        ids = [(-30.0, _label(labels, world.receiver(person, payout="E Wallet"), "negative", "game_reseller",
                              "receiver"))]
        for _ in range(rng.choice((0, 1, 2))):
            ids.append((rng.uniform(0, days), world.receiver(person, name=ids[0][1].name, payout="E Wallet")))
        sellers.append(sorted(ids, key=lambda x: x[0]))
    events: list[Event] = []
    for _ in range(count):
        me = _label(labels, world.sender(world.person_id(), _pick(world, WESTERN | {"SG": 5, "JP": 3, "AE": 3})),
                    "negative", "gaming", "sender")
        mine = rng.sample(sellers, rng.choice((1, 1, 2)))
        for _ in range(rng.randint(1, 6)):
            day = rng.uniform(0, days)
            ids = rng.choice(mine)
            hours = "night" if rng.random() < 0.6 else "evening"
            for k in range(rng.choice((1, 1, 2, 3, 4))):
                seller = [party for start, party in ids if start <= day][-1]
                events.append((day, "+" if k else hours, me, seller,
                               float(rng.choice((2, 5, 5, 10, 10, 15, 20, 25))), "round",
                               rng.choice(("diamonds", "top up", "load", "UC", "", "", "gems"))))
                day += rng.uniform(0.005, 0.08)
    return events


def tuition(world: World, p: dict[str, float], days: float, count: int, labels: Labels) -> list[Event]:
    """Relatives paying a Philippine school each term, some also a monthly allowance to the student."""
    rng = world.rng
    schools = [_label(labels, world.receiver(world.person_id(), payout="Bank", name=f"{name} {kind}"), "negative",
                      "school", "receiver")
               for name, kind in ((rng.choice(("St.", "Holy", "Our Lady of", "San")) + " " + rng.choice(PH_FAMILY),
                                   rng.choice(("College", "Academy", "University", "School Inc")))
                                  for _ in range(rng.randint(10, 30)))]
    events: list[Event] = []
    for _ in range(count):
        me = _label(labels, world.sender(world.person_id(), _pick(world, DIASPORA_COUNTRIES)), "negative", "tuition",
                    "sender")
        school = rng.choice(schools)
        for term in (rng.uniform(0, 20), rng.uniform(150, 170), rng.uniform(210, 240)):
            if term < days and rng.random() < 0.9:
                events.append((term, "day", me, school, rng.uniform(200, 1500), rng.choice(("round", "exact")),
                               rng.choice(("tuition", "school fees", "enrollment fee", "2nd sem"))))
        if rng.random() < 0.3:
            student = _label(labels, world.receiver(world.person_id()), "negative", "family_recipient", "receiver")
            day = rng.uniform(0, 30)
            while day < days:
                events.append((day, "evening", me, student, rng.uniform(50, 150), "round", "allowance"))
                day += 30.4
    return events


CORRIDORS = (("ES", "CO"), ("US", "CO"), ("GB", "IN"), ("AE", "IN"), ("US", "IN"), ("IT", "RO"), ("ES", "RO"),
             ("DE", "RO"), ("AU", "TH"), ("SG", "IN"), ("CA", "IN"))


def background(world: World, p: dict[str, float], days: float, count: int, labels: Labels) -> list[Event]:
    """Everything else an operator moves: other corridors, domestic transfers, one-off payments to Philippine
    businesses (resorts, online shops) and domestic Philippine transfers."""
    rng = world.rng
    shops = [_label(labels, world.receiver(world.person_id(), payout=rng.choice(("Bank", "E Wallet"))), "negative",
                    "business", "receiver") for _ in range(rng.randint(20, 50))]
    events: list[Event] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.35:
            src, dst = rng.choice(CORRIDORS)
        elif roll < 0.7:
            src = _pick(world, WESTERN | {"AE": 5, "SG": 3})
            dst = src
        elif roll < 0.85:
            src, dst = _pick(world, WESTERN), "PH"
        else:
            src = dst = "PH"
        me = _label(labels, world.sender(world.person_id(), src, phone=rng.random() < 0.8), "background",
                    "background", "sender")
        recs = [_label(labels, world.receiver(world.person_id(), dst, payout=rng.choice(("Cash", "Bank", "E Wallet"))),
                       "background", "background", "receiver") for _ in range(rng.choice((1, 1, 2)))]
        if src != "PH" and dst == "PH" and rng.random() < 0.6:
            recs = [rng.choice(shops)]
        n = rng.choices((1, 2, 3, 5, 10), (40, 25, 15, 12, 8))[0]
        level = rng.lognormvariate(4.3, 0.9) if src != "PH" else rng.uniform(8, 80)
        for _ in range(n):
            events.append((rng.uniform(0, days), rng.choice(("day", "day", "evening", "night")), me,
                           rng.choice(recs), level * rng.uniform(0.7, 1.3), rng.choice(("round", "exact")),
                           rng.choice(("", "", "", "gift", "rent", "loan", "family support", "booking", "order"))))
    return events
