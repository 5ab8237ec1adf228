"""Parties that share an identifier are one entity: union-find over the identifiers seen together on the same
side of a transaction (account, IBAN, phone, e-wallet). Each merge keeps why: the two identifiers and the
transaction that tied them. Names alone never merge parties (too many people share a name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("account", "iban", "phone", "wallet")


@dataclass
class Entities:
    parent: dict[str, str] = field(default_factory=dict)
    reasons: list[tuple[str, str, str]] = field(default_factory=list)  # (identifier, identifier, transaction)

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str, txn: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
            self.reasons.append((a, b, txn))


def identifiers(row: dict[str, Any], side: str) -> list[str]:
    """Typed identifiers of one side of a transaction, e.g. 'phone:+639171234567'."""
    return [f"{kind}:{row[f'{side}_{kind}']}" for kind in KINDS if row.get(f"{side}_{kind}")]


def build(conn: Any) -> Entities:
    entities = Entities()
    cols = ", ".join(f"{side}_{kind}" for side in ("sender", "receiver") for kind in KINDS)
    cursor = conn.execute(f"SELECT txn_id, {cols} FROM transactions")
    names = ["txn_id"] + [f"{side}_{kind}" for side in ("sender", "receiver") for kind in KINDS]
    while batch := cursor.fetchmany(100_000):
        for values in batch:
            row = dict(zip(names, values, strict=True))
            for side in ("sender", "receiver"):
                ids = identifiers(row, side)
                for other in ids[1:]:
                    entities.union(ids[0], other, row["txn_id"] or "")
                if ids:
                    entities.find(ids[0])
    return entities


def entity_of(entities: Entities, row: dict[str, Any], side: str, fallback: str) -> str:
    ids = identifiers(row, side)
    return entities.find(ids[0]) if ids else fallback
