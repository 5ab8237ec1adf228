"""The world the family's scenarios live in: countries with their currencies and time zones (several zones for the
large countries, as real customers live outside the capital), valid mobile numbers, opaque customer/wallet/bank
identifiers, names, and a `Party` per identity. Nothing here knows who is a buyer: roles live only in the labels.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# EUR per unit, rounded public reference levels (independent of winnow's own table on purpose: an operator's export
# carries the customer's currency, and the investigator's rate table is never exactly the operator's)
EUR_PER = {"EUR": 1.0, "GBP": 1.16, "USD": 0.93, "AUD": 0.60, "CAD": 0.67, "SEK": 0.088, "NOK": 0.085,
           "CHF": 1.06, "AED": 0.25, "SGD": 0.70, "JPY": 0.0061, "NZD": 0.55, "PHP": 0.0160, "INR": 0.0110,
           "THB": 0.026, "COP": 0.00023, "RON": 0.20}

# country -> (currency, zones with weights, mobile number pattern: prefixes and the digits after them)
COUNTRIES: dict[str, tuple[str, tuple[tuple[str, float], ...], tuple[tuple[str, ...], int]]] = {
    "AU": ("AUD", (("Australia/Sydney", .4), ("Australia/Melbourne", .3), ("Australia/Brisbane", .15),
                   ("Australia/Perth", .15)), (("+614",), 8)),
    "GB": ("GBP", (("Europe/London", 1.0),), (("+4477", "+4478", "+4479", "+4475"), 8)),
    "US": ("USD", (("America/New_York", .35), ("America/Chicago", .25), ("America/Denver", .1),
                   ("America/Los_Angeles", .3)),
           (("+1212", "+1415", "+1312", "+1713", "+1305", "+1206", "+1617", "+1702", "+1619", "+1718"), 7)),
    "CA": ("CAD", (("America/Toronto", .55), ("America/Vancouver", .3), ("America/Edmonton", .15)),
           (("+1416", "+1604", "+1403", "+1514", "+1613", "+1780"), 7)),
    "DE": ("EUR", (("Europe/Berlin", 1.0),), (("+49151", "+49160", "+49170", "+49176"), 8)),
    "FR": ("EUR", (("Europe/Paris", 1.0),), (("+336", "+337"), 8)),
    "NL": ("EUR", (("Europe/Amsterdam", 1.0),), (("+316",), 8)),
    "SE": ("SEK", (("Europe/Stockholm", 1.0),), (("+4670", "+4672", "+4673"), 7)),
    "NO": ("NOK", (("Europe/Oslo", 1.0),), (("+479", "+474"), 7)),
    "ES": ("EUR", (("Europe/Madrid", 1.0),), (("+346",), 8)),
    "IT": ("EUR", (("Europe/Rome", 1.0),), (("+39347", "+39333", "+39320"), 7)),
    "CH": ("CHF", (("Europe/Zurich", 1.0),), (("+4178", "+4179", "+4176"), 7)),
    "AE": ("AED", (("Asia/Dubai", 1.0),), (("+97150", "+97155", "+97156"), 7)),
    "SG": ("SGD", (("Asia/Singapore", 1.0),), (("+658", "+659"), 7)),
    "JP": ("JPY", (("Asia/Tokyo", 1.0),), (("+8190", "+8180"), 8)),
    "NZ": ("NZD", (("Pacific/Auckland", 1.0),), (("+6421",), 7)),
    "PH": ("PHP", (("Asia/Manila", 1.0),),
           (("+63917", "+63918", "+63919", "+63920", "+63926", "+63927", "+63935", "+63945", "+63955", "+63966",
             "+63977", "+63995", "+63998", "+63908", "+63939", "+63961"), 7)),
    "IN": ("INR", (("Asia/Kolkata", 1.0),), (("+9198", "+9199", "+9197"), 8)),
    "TH": ("THB", (("Asia/Bangkok", 1.0),), (("+668",), 8)),
    "CO": ("COP", (("America/Bogota", 1.0),), (("+57300", "+57310", "+57320"), 7)),
    "RO": ("RON", (("Europe/Bucharest", 1.0),), (("+4072", "+4074", "+4075"), 7)),
}
PH_CITIES = ("Manila", "Quezon City", "Caloocan", "Cebu City", "Davao City", "Pasay", "Taguig", "Angeles",
             "Lapu-Lapu", "Cagayan de Oro", "Bacolod", "Iloilo City", "Zamboanga", "Antipolo", "Tacloban")
GIVEN = ("James", "Michael", "David", "Robert", "Daniel", "Thomas", "Peter", "Mark", "Paul", "Andrew", "Steven",
         "Kevin", "Brian", "Gary", "Anna", "Sarah", "Laura", "Emma", "Julia", "Claire", "Nina", "Sofia", "Elena",
         "Lars", "Henrik", "Jan", "Pieter", "Klaus", "Jürgen", "Stefan", "François", "Olivier", "Luc", "José",
         "Carlos", "Luis", "Marco", "Giulia", "Ahmed", "Omar", "Priya", "Rahul", "Kenji", "Yuki", "Wei", "Mei",
         "Liam", "Noah", "Olivia", "Chloe", "Grace", "Ethan", "Lucas", "Hannah", "Erik", "Ingrid", "Raj", "Chen")
FAMILY = ("Smith", "Jones", "Brown", "Taylor", "Wilson", "Miller", "Anderson", "Martin", "Thompson", "White",
          "Walker", "Müller", "Schmidt", "Fischer", "Weber", "Dubois", "Lefèvre", "Moreau", "de Vries", "Jansen",
          "Bakker", "Johansson", "Nilsson", "Hansen", "Olsen", "García", "Martínez", "Rossi", "Russo", "Bianchi",
          "Khan", "Patel", "Sharma", "Tanaka", "Suzuki", "Wang", "Li", "Nguyen", "Kowalski", "O'Brien", "Murphy",
          "Campbell", "Stewart", "Clarke", "Evans", "Hughes", "Wright", "Baker", "Young", "King", "Scott")
PH_GIVEN = ("Maria", "Jose", "Juan", "Angel", "Mark", "Joy", "Kristine", "Rowena", "Jerome", "Marites", "Ricardo",
            "Jasmine", "Michelle", "Ronaldo", "Jenny", "Rodel", "Lorna", "Arnel", "Cristina", "Rey", "Analyn",
            "Jonathan", "Grace", "Ramil", "Shiela", "Noel", "Liza", "Dennis", "Mary Ann", "John Paul", "Rhea",
            "Edgar", "Divina", "Romeo", "Princess", "Bong", "Jomar", "Aileen", "Ma. Luisa", "Renato")
PH_FAMILY = ("Reyes", "Santos", "Cruz", "Bautista", "García", "Mendoza", "Dela Cruz", "Villanueva", "Ramos",
             "Aquino", "Castillo", "Navarro", "Flores", "Gonzales", "Torres", "López", "Rivera", "Tan", "Lim",
             "Manalo", "Pascual", "Soriano", "Del Rosario", "Domingo", "Salazar", "Aguilar", "Valdez", "Fernandez",
             "Mercado", "Santiago", "Cabrera", "Lacson", "Padilla", "Ocampo", "Dizon", "Macaraeg", "Buenaventura")
OTHER_GIVEN = {"IN": ("Amit", "Sunita", "Vijay", "Lakshmi"), "TH": ("Somchai", "Nok", "Anan", "Malee"),
               "CO": ("Andrés", "Camila", "Jorge", "Valentina"), "RO": ("Ion", "Elena", "Mihai", "Ana")}
OTHER_FAMILY = {"IN": ("Kumar", "Singh", "Reddy", "Nair"), "TH": ("Saetang", "Srisuk", "Wongsa", "Chaiyaporn"),
                "CO": ("Gómez", "Rodríguez", "Vargas", "Restrepo"), "RO": ("Popescu", "Ionescu", "Dumitru", "Stan")}


@dataclass
class Party:
    """One identity as an operator records it. A person may have several (rotation, a second registration)."""

    person: str                     # the labelled person this identity belongs to (labels only, never written)
    name: str
    country: str
    zone: str
    phone: str | None = None        # E.164
    account: str | None = None      # operator customer number (senders) or bank account (receivers)
    wallet: str | None = None       # e-wallet id (receivers)
    payout: str = "Cash"            # Cash | E Wallet | Bank (receivers)
    city: str | None = None
    tags: dict[str, object] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return COUNTRIES[self.country][0]

    def identifiers(self) -> list[str]:
        """The identifiers in the form winnow's ranking reports them (`kind:value`)."""
        out = []
        if self.account:
            out.append(f"account:{self.account}")
        if self.phone:
            out.append(f"phone:{self.phone}")
        if self.wallet:
            out.append(f"wallet:{self.wallet}")
        return out


class World:
    """Identifier factories sharing one seeded random source; every identifier is unique within a scenario."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._used: set[str] = set()
        self._people = 0

    def _unique(self, make: object) -> str:
        assert callable(make)
        for _ in range(1000):
            value = str(make())
            if value not in self._used:
                self._used.add(value)
                return value
        raise RuntimeError("identifier space exhausted")

    def person_id(self) -> str:
        """Opaque: a running number hashed with the seed, so ids say nothing of the role or of the order."""
        self._people += 1
        return self._unique(lambda: f"p{self.rng.getrandbits(40):010x}")

    def phone(self, country: str) -> str:
        """A mobile number that is valid (allocated range) by libphonenumber's metadata, as real customers' are."""
        import phonenumbers

        prefixes, digits = COUNTRIES[country][2]
        for _ in range(100):
            number = self._unique(lambda: self.rng.choice(prefixes) + str(self.rng.randrange(10 ** (digits - 1) * 2,
                                                                                             10 ** digits)))
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                return number
        raise RuntimeError(f"no valid mobile number drawn for {country}")

    def customer(self) -> str:
        return self._unique(lambda: f"{self.rng.randrange(10 ** 9, 10 ** 10)}")

    def bank_account(self) -> str:
        return self._unique(lambda: f"{self.rng.randrange(10 ** 11, 10 ** 12)}")

    def wallet(self) -> str:
        """E-wallet ids in the Philippines are mostly the registered SIM's number in national form (09...)."""
        return self._unique(lambda: "09" + f"{self.rng.randrange(10 ** 8, 10 ** 9)}"
                            if self.rng.random() < 0.75 else f"EW{self.rng.randrange(10 ** 9, 10 ** 10)}")

    def zone(self, country: str) -> str:
        zones = COUNTRIES[country][1]
        return self.rng.choices([z for z, _ in zones], [w for _, w in zones])[0]

    def name(self, country: str, family: str | None = None) -> str:
        given: tuple[str, ...]
        fam: tuple[str, ...]
        if country == "PH":
            given, fam = PH_GIVEN, PH_FAMILY
        elif country in OTHER_GIVEN:
            given, fam = OTHER_GIVEN[country], OTHER_FAMILY[country]
        else:
            given, fam = GIVEN, FAMILY
        first = self.rng.choice(given)
        if self.rng.random() < 0.25:
            first = f"{first} {self.rng.choice(given)}"
        return f"{first} {family or self.rng.choice(fam)}"

    def sender(self, person: str, country: str, *, phone: bool = True, name: str | None = None) -> Party:
        return Party(person, name or self.name(country), country, self.zone(country),
                     self.phone(country) if phone else None, self.customer())

    def receiver(self, person: str, country: str = "PH", *, payout: str | None = None, name: str | None = None,
                 family: str | None = None) -> Party:
        payout = payout or self.rng.choices(["Cash", "E Wallet", "Bank"], [0.4, 0.45, 0.15])[0]
        party = Party(person, name or self.name(country, family), country, self.zone(country), self.phone(country),
                      city=self.rng.choice(PH_CITIES) if country == "PH" else None, payout=payout)
        if payout == "E Wallet":
            party.wallet = self.wallet()
        elif payout == "Bank":
            party.account = self.bank_account()
        return party


def local_to_utc(local: datetime, zone: str) -> datetime:
    """A wall-clock moment in a zone, as naive UTC (what the export's UTC column holds)."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)


def local_amount(rng: random.Random, eur: float, currency: str, style: str) -> float:
    """The amount the sender typed. `round`: a round figure in their own currency; `payout`: a round PHP figure
    the recipient asked for, so the sent amount has cents; `exact`: the EUR value converted, with cents."""
    if style == "payout":
        php = max(100, round(eur / EUR_PER["PHP"] / 100) * 100)
        return round(php * EUR_PER["PHP"] / EUR_PER[currency], 2)
    value = eur / EUR_PER[currency]
    if style == "round":
        step = 5 if value < 200 else 10 if value < 1000 else 50
        if currency == "JPY":
            step = 500
        return float(max(step, round(value / step) * step))
    return round(value * rng.uniform(0.98, 1.02), 2)
