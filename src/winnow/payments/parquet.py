"""Transactions in Parquet: winnow's normalised columns (`store.COLUMNS`), for bulk exchange and scale.

`import_parquet` reads a Parquet file with (at least) `time_utc`, `amount` and `currency` and any other normalised
column, entirely in DuckDB: rows with an impossible time, a missing or negative amount or an unknown currency are
errors with their row number (stored, counted, never dropped silently); EUR amounts are recomputed from the rate
table; the sender's local time is derived from the country when missing. Values already in canonical form (E.164
phones, normalised names) pass as they are; the others are normalised in Python once per distinct value, so 10M
rows cost seconds. Re-importing the same file (same SHA-256) changes nothing. `export_parquet` writes the case's
table (`transactions.parquet` in the case folder by default)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from winnow.identifiers import normalise as parties
from winnow.payments import fx
from winnow.payments.shared import CHANNELS, COUNTRY_ZONE, ImportResult, open_import
from winnow.payments.store import COLUMNS, connect
from winnow.problems import SHOWN, Problem
from winnow.store.case import Case
from winnow.timeutil import utc_now

REQUIRED = ("time_utc", "amount", "currency")
CANONICAL_NAME = r"^[a-z0-9_'-]+( [a-z0-9_'-]+)*$"
CANONICAL_PHONE = r"^\+[1-9][0-9]{6,14}$"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _normalise_distinct(conn: Any, source: str, column: str, function: Callable[..., str | None], canonical: str | None,
                        hint: str | None = None, also: str | None = None) -> str:
    """A temp table mapping the column's non-canonical distinct values (with the hint column, e.g. the country)
    to their normalised form — and the canonical-looking ones that `also` (SQL) picks for the full check; returns
    its name."""
    table = f"norm_{column}"
    hint_sql = f"upper(left({hint}, 2))" if hint else "NULL"
    keep = (f"WHERE NOT regexp_matches(v, {_sql_text(canonical)}){f' OR {also}' if also else ''}" if canonical
            else "")
    # the tests run once per distinct (value, hint), not once per row
    values = conn.execute(f"SELECT v, h FROM (SELECT DISTINCT {column} AS v, {hint_sql} AS h FROM {source} "
                          f"WHERE {column} IS NOT NULL) d LEFT JOIN calling_codes c ON c.region = d.h "
                          f"{keep}").fetchall()
    raw = [v for v, _ in values]
    hints = [h for _, h in values]
    normalised = [function(v, h) if hint else function(v) for v, h in values]
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT unnest($1::VARCHAR[]) AS raw, "
                 "unnest($2::VARCHAR[]) AS hint, unnest($3::VARCHAR[]) AS norm", [raw, hints, normalised])
    return table


def _phone_doubt() -> str:
    """SQL (over the distinct values `v` with the party's country `h` and its calling code `c.code`) picking
    E.164-looking phones that still need `normalise.phone`'s checks: placeholders (three digits or fewer in all,
    e.g. +631111111111) and numbers whose calling code is not the party's country's (an unlisted range abroad is
    no identifier). Every other canonical value keeps the fast path."""
    return ("length(list_distinct(string_split(regexp_replace(v, '[^0-9]', '', 'g'), ''))) <= 3 OR "
            "(c.code IS NOT NULL AND NOT starts_with(v, '+' || c.code))")


def _calling_codes(conn: Any) -> None:
    import phonenumbers

    pairs = sorted({region: str(code) for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()
                    for region in regions}.items())  # one calling code a region
    conn.execute("CREATE OR REPLACE TEMP TABLE calling_codes AS SELECT unnest($1::VARCHAR[]) AS region, "
                 "unnest($2::VARCHAR[]) AS code", [[r for r, _ in pairs], [c for _, c in pairs]])


def import_parquet(case: Case, path: Path, fx_path: Path | None = None) -> ImportResult:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path} is not a readable file")
    conn, result = open_import(case, path)
    sha = result.sha256
    try:
        if result.skipped_as_duplicate:
            return result
        try:
            present = {row[0] for row in conn.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()}
        except Exception as exc:  # duckdb raises its own error types for a file that is not Parquet
            raise ValueError(f"{path} is not a readable Parquet file: {str(exc).splitlines()[0]}") from exc
        missing = [c for c in REQUIRED if c not in present]
        if missing:
            raise ValueError(f"{path} lacks the column(s) {', '.join(missing)} (winnow's normalised transaction "
                             f"columns: {', '.join(c for c, _ in COLUMNS)})")
        rates = fx.load(fx_path)
        conn.execute("CREATE OR REPLACE TEMP TABLE rates AS SELECT unnest($1::VARCHAR[]) AS currency, "
                     "unnest($2::DOUBLE[]) AS eur_per_unit", [list(rates), list(rates.values())])
        types = dict(COLUMNS)

        def col(name: str) -> str:
            return f"TRY_CAST({name} AS {types[name]})" if name in present else f"NULL::{types[name]}"

        conn.execute(
            "CREATE OR REPLACE TEMP VIEW src AS SELECT file_row_number + 1 AS row_number_, "
            + ", ".join(f"{col(c)} AS {c}" for c, _ in COLUMNS if c not in ("currency",))
            + ", upper(trim(TRY_CAST(currency AS VARCHAR))) AS currency, "
            + ("TRY_CAST(time_utc AS VARCHAR)" if "time_utc" in present else "NULL") + " AS time_raw, "
            + ("TRY_CAST(amount AS VARCHAR)" if "amount" in present else "NULL") + " AS amount_raw "
            + "FROM read_parquet(?, file_row_number = true)".replace("?", _sql_text(str(path))))
        problem = ("CASE WHEN time_utc IS NULL THEN 'impossible date/time ' "
                   "|| coalesce('''' || time_raw || '''', 'NULL') "
                   "WHEN amount IS NULL OR isnan(amount) OR amount < 0 THEN 'missing or negative amount ' "
                   "|| coalesce('''' || amount_raw || '''', 'NULL') "
                   "WHEN currency IS NULL OR currency = '' THEN 'missing currency' "
                   "WHEN currency NOT IN (SELECT currency FROM rates) THEN 'unknown currency ''' || currency || '''' "
                   "END")
        conn.execute(f"CREATE OR REPLACE TEMP TABLE bad AS SELECT row_number_, {problem} AS message FROM src "
                     f"WHERE {problem} IS NOT NULL")
        maps = {}
        _calling_codes(conn)
        for side in ("sender", "receiver"):
            maps[f"{side}_name"] = _normalise_distinct(conn, "src", f"{side}_name", parties.name, CANONICAL_NAME)
            maps[f"{side}_address"] = _normalise_distinct(conn, "src", f"{side}_address", parties.name,
                                                          CANONICAL_NAME)
            maps[f"{side}_phone"] = _normalise_distinct(conn, "src", f"{side}_phone", parties.phone, CANONICAL_PHONE,
                                                        hint=f"{side}_country", also=_phone_doubt())
            maps[f"{side}_iban"] = _normalise_distinct(conn, "src", f"{side}_iban", parties.iban, None)
        zones = " ".join(f"WHEN {_sql_text(c)} THEN {_sql_text(z)}" for c, z in COUNTRY_ZONE.items())
        channels = ", ".join(_sql_text(c) for c in sorted(CHANNELS))
        select = []
        joins = []
        for name, _ in COLUMNS:
            if name in maps:
                alias = f"m_{name}"
                hint = f"upper(left(s.{name.split('_')[0]}_country, 2))" if name.endswith("_phone") else "NULL"
                joins.append(f"LEFT JOIN {maps[name]} {alias} ON {alias}.raw = s.{name} "
                             f"AND {alias}.hint IS NOT DISTINCT FROM {hint}")
                select.append(f"CASE WHEN {alias}.raw IS NULL THEN s.{name} ELSE {alias}.norm END")
            elif name == "sender_local_time":
                select.append(f"coalesce(s.sender_local_time, (s.time_utc AT TIME ZONE 'UTC') AT TIME ZONE "
                              f"(CASE upper(left(s.sender_country, 2)) {zones} ELSE 'UTC' END))")
            elif name == "amount_eur":
                select.append("round(s.amount * r.eur_per_unit, 4)")
            elif name == "channel":
                select.append(f"CASE WHEN s.currency IN ({', '.join(_sql_text(c) for c in sorted(fx.CRYPTO))}) "
                              "THEN 'crypto' WHEN replace(lower(trim(s.channel)), ' ', '_') IN "
                              f"({channels}) THEN replace(lower(trim(s.channel)), ' ', '_') ELSE 'other' END")
            elif name in ("sender_country", "receiver_country"):
                select.append(f"nullif(upper(left(trim(s.{name}), 2)), '')")
            elif name == "source_file":
                select.append(f"coalesce(s.source_file, {_sql_text(str(path.absolute()))})")
            elif name == "source_row":
                select.append("coalesce(s.source_row, s.row_number_)")
            else:
                select.append(f"s.{name}")
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute(f"INSERT INTO transactions SELECT {', '.join(select)} FROM src s JOIN rates r "
                         f"ON r.currency = s.currency {' '.join(joins)} "
                         "WHERE s.row_number_ NOT IN (SELECT row_number_ FROM bad)")
            conn.execute("INSERT INTO import_errors SELECT $1, 'row ' || row_number_, message FROM bad", [sha])
            result.rows = conn.execute("SELECT count(*) FROM src").fetchone()[0] - \
                conn.execute("SELECT count(*) FROM bad").fetchone()[0]
            result.problems = conn.execute("SELECT count(*) FROM bad").fetchone()[0]
            result.first_problems = [Problem(f"row {n}", m) for n, m in conn.execute(
                "SELECT row_number_, message FROM bad ORDER BY row_number_ LIMIT ?", [SHOWN]).fetchall()]
            conn.execute("INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?)",
                         [sha, result.file, "parquet", result.rows, result.problems, utc_now()])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return result
    finally:
        conn.close()


def export_parquet(case: Case, out: Path | None = None) -> dict[str, Any]:
    """The case's transactions as one Parquet file (zstd); returns the path and the row count."""
    out = Path(out) if out else case.root / "transactions.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(case)
    try:
        rows = conn.execute("SELECT count(*) FROM transactions").fetchone()[0]
        partial = out.with_name(out.name + ".partial")
        conn.execute(f"COPY (SELECT * FROM transactions ORDER BY time_utc, txn_id) TO {_sql_text(str(partial))} "
                     "(FORMAT parquet, COMPRESSION zstd)")
        partial.replace(out)
    finally:
        conn.close()
    return {"path": str(out), "rows": int(rows)}
