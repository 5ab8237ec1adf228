"""The payments table of a case: DuckDB (`payments.duckdb` in the case folder), one row per transaction, with
the import bookkeeping (file hashes, for idempotent re-imports) and the rows that could not be imported."""

from __future__ import annotations

from typing import Any

from winnow.store.case import Case

COLUMNS: tuple[tuple[str, str], ...] = (
    ("txn_id", "VARCHAR"), ("time_utc", "TIMESTAMP"), ("sender_local_time", "TIMESTAMP"), ("amount", "DOUBLE"),
    ("currency", "VARCHAR"), ("amount_eur", "DOUBLE"), ("channel", "VARCHAR"), ("reference", "VARCHAR"),
    ("agent", "VARCHAR"),
    ("sender_name", "VARCHAR"), ("sender_phone", "VARCHAR"), ("sender_iban", "VARCHAR"), ("sender_account", "VARCHAR"),
    ("sender_wallet", "VARCHAR"), ("sender_country", "VARCHAR"), ("sender_address", "VARCHAR"),
    ("receiver_name", "VARCHAR"), ("receiver_phone", "VARCHAR"), ("receiver_iban", "VARCHAR"),
    ("receiver_account", "VARCHAR"), ("receiver_wallet", "VARCHAR"), ("receiver_country", "VARCHAR"),
    ("receiver_address", "VARCHAR"), ("source_file", "VARCHAR"), ("source_row", "INTEGER"),
    # the names as the record wrote them, for display only (never scored; `*_name` is the normalised form)
    ("sender_name_raw", "VARCHAR"), ("receiver_name_raw", "VARCHAR"),
)
ADDED_COLUMNS = ("sender_name_raw", "receiver_name_raw")  # absent from cases imported before they existed


def connect(case: Case) -> Any:
    import duckdb

    conn = duckdb.connect(str(case.root / "payments.duckdb"))
    conn.execute("SET enable_progress_bar = false")  # it would print on stdout, which --json keeps for JSON only
    conn.execute("SET TimeZone = 'UTC'")  # casts between TIMESTAMP and TIMESTAMPTZ never use the machine's zone
    conn.execute(f"CREATE TABLE IF NOT EXISTS transactions ({', '.join(f'{c} {t}' for c, t in COLUMNS)})")
    for column in ADDED_COLUMNS:
        conn.execute(f"ALTER TABLE transactions ADD COLUMN IF NOT EXISTS {column} VARCHAR")
    conn.execute("CREATE TABLE IF NOT EXISTS imports (file_sha256 VARCHAR PRIMARY KEY, path VARCHAR, "
                 "format VARCHAR, rows INTEGER, errors INTEGER, imported_utc VARCHAR)")
    conn.execute("CREATE TABLE IF NOT EXISTS import_errors (file_sha256 VARCHAR, position VARCHAR, message VARCHAR)")
    # identifiers found in case evidence (chats, screens): rule R10's input; `source` says where each was seen
    conn.execute("CREATE TABLE IF NOT EXISTS evidence_identifiers (identifier VARCHAR, kind VARCHAR, source VARCHAR, "
                 "UNIQUE (identifier, kind, source))")
    return conn
