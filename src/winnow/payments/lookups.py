"""The payment records read by the parts above payments (links, timeline, findings, court report): each query
here, on the case's DuckDB (`payments/store.py`), so that no module outside `payments/` and `store/` issues SQL.
Every function returns raw rows; the caller words them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from winnow.payments.store import connect
from winnow.store.case import Case

# the identifier columns a party (a phone, wallet, IBAN, account or transaction id) is looked up in
PARTY_COLUMNS = ("sender_phone", "receiver_phone", "sender_account", "receiver_account", "sender_wallet",
                 "receiver_wallet", "sender_iban", "receiver_iban", "txn_id")


def transactions(case: Case, txn_ids: Sequence[str], select: str) -> list[tuple[Any, ...]]:
    """The `select` expressions (SQL over the transactions table) of the given transactions."""
    conn = connect(case)
    try:
        return [tuple(r) for r in conn.execute(
            f"SELECT {select} FROM transactions WHERE txn_id IN (SELECT unnest($1::VARCHAR[]))",
            [list(txn_ids)]).fetchall()]
    finally:
        conn.close()


def party_transactions(case: Case, party: str | None, limit: int) -> list[tuple[Any, ...]]:
    """(txn_id, time_utc, amount, currency, amount_eur, sender_name, receiver_name, channel) of a party's
    transactions (by any identifier column, or by normalised name), or of all when `party` is None; by time."""
    conn = connect(case)
    select = ("SELECT txn_id, time_utc, amount, currency, amount_eur, sender_name, receiver_name, channel "
              "FROM transactions")
    try:
        if party:
            where = " OR ".join(f"{c} = $1" for c in PARTY_COLUMNS) + \
                " OR sender_name = lower($1) OR receiver_name = lower($1)"
            rows = conn.execute(f"{select} WHERE {where} ORDER BY time_utc LIMIT {int(limit)}", [party]).fetchall()
        else:
            rows = conn.execute(f"{select} ORDER BY time_utc LIMIT {int(limit)}").fetchall()
    finally:
        conn.close()
    return [tuple(r) for r in rows]


def identifier_hits(case: Case, columns: Sequence[str], values: Sequence[str],
                    evidence: Sequence[Sequence[str]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The transactions where one of `values` is in one of `columns` — (column, value, txn_id, time_utc, amount,
    currency, amount_eur, sender_name, receiver_name) — and those whose reference may hold an identifier —
    (txn_id, reference, time_utc, amount, currency, amount_eur, sender_name, receiver_name); `evidence`
    rows (identifier, kind, where seen) are recorded for rule R10 meanwhile (a row already there kept)."""
    conn = connect(case)
    try:
        selects = " UNION ALL ".join(
            f"SELECT '{column}' AS col, {column} AS value, txn_id, time_utc, amount, currency, amount_eur, "
            "sender_name, receiver_name FROM transactions WHERE " + column + " IN (SELECT unnest($1::VARCHAR[]))"
            for column in columns)
        hits = conn.execute(selects, [list(values)]).fetchall() if values else []
        references = conn.execute("SELECT txn_id, reference, time_utc, amount, currency, amount_eur, sender_name, "
                                  "receiver_name FROM transactions WHERE regexp_matches(reference, '[0-9@/]')"
                                  ).fetchall()
        if evidence:
            conn.executemany("INSERT OR IGNORE INTO evidence_identifiers VALUES (?, ?, ?)", [list(e) for e in evidence])
    finally:
        conn.close()
    return [tuple(r) for r in hits], [tuple(r) for r in references]
