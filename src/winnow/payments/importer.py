"""`winnow payments import FILE --case PATH --format mto [--mapping FILE.yaml]`: a money-transfer-operator
CSV through a column mapping (shipped generic preset), normalised into the transactions table. Each row is
validated (amount, currency, date); a bad row is an error with its line number, counted and stored, never dropped
silently. Re-importing the same file (same SHA-256) changes nothing."""

from __future__ import annotations

import csv
import io
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from winnow.identifiers import normalise as parties
from winnow.payments import fx
from winnow.payments.shared import CHANNELS, COUNTRY_ZONE, ImportResult, open_import
from winnow.payments.store import COLUMNS
from winnow.problems import SHOWN, Problem
from winnow.store.case import Case
from winnow.timeutil import utc_now


class RowError(ValueError):
    pass


def load_mapping(path: Path | None) -> dict[str, Any]:
    import yaml

    text = path.read_text(encoding="utf-8") if path else \
        resources.files("winnow.payments").joinpath("presets/generic_mto.yaml").read_text(encoding="utf-8")
    mapping = yaml.safe_load(text)
    if not isinstance(mapping, dict) or not isinstance(mapping.get("columns"), dict):
        raise ValueError("a mapping file needs a 'columns' section (see the generic preset)")
    for required in ("time", "amount", "currency"):
        if required not in mapping["columns"]:
            raise ValueError(f"the mapping names no column for {required!r}")
    return mapping



def mto_fields(raw: dict[str, str], mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapped columns of one export row, by field name."""
    cols = mapping["columns"]
    return {key: (raw.get(column) or "").strip() for key, column in cols.items() if column}


def normalise_row(fields: dict[str, Any], rates: dict[str, float], *, time_format: str = "%Y-%m-%d %H:%M:%S",
                  time_is: str = "sender_local", default_channel: str = "money_transfer") -> dict[str, Any]:
    def get(key: str) -> str:
        value = fields.get(key)
        return "" if value is None else str(value).strip()

    try:
        amount = float(get("amount").replace(",", "")) if get("amount") else None
    except ValueError as exc:
        raise RowError(f"amount {get('amount')!r} is not a number") from exc
    if amount is None or amount != amount or amount < 0:
        raise RowError(f"missing or negative amount {get('amount')!r}")
    currency = get("currency").upper()
    if currency not in rates:
        raise RowError(f"unknown currency {currency!r}")
    if isinstance(fields.get("time"), datetime):
        moment = fields["time"]
    else:
        try:
            moment = datetime.strptime(get("time"), time_format)
        except ValueError as exc:
            raise RowError(f"impossible date/time {get('time')!r}") from exc
    sender_country = get("sender_country").upper()[:2] or None
    zone = ZoneInfo(COUNTRY_ZONE.get(sender_country or "", "UTC"))
    if time_is == "utc":
        utc = moment.replace(tzinfo=UTC)
        local = utc.astimezone(zone).replace(tzinfo=None)
    else:
        local = moment
        utc = moment.replace(tzinfo=zone).astimezone(UTC)
    channel = (get("channel") or default_channel).lower().replace(" ", "_")
    if channel not in CHANNELS:
        channel = "other"
    row: dict[str, Any] = {
        "txn_id": get("txn_id") or None, "time_utc": utc.replace(tzinfo=None), "sender_local_time": local,
        "amount": amount, "currency": currency, "amount_eur": round(amount * rates[currency], 4),
        "channel": "crypto" if currency in fx.CRYPTO else channel, "reference": get("reference") or None,
        "agent": get("agent") or None,
    }
    for side in ("sender", "receiver"):
        country = get(f"{side}_country").upper()[:2] or None
        row[f"{side}_name"] = parties.name(get(f"{side}_name"))
        row[f"{side}_name_raw"] = " ".join(get(f"{side}_name").split()) or None
        row[f"{side}_phone"] = parties.phone(get(f"{side}_phone"), country)
        row[f"{side}_iban"] = parties.iban(get(f"{side}_iban"))
        row[f"{side}_account"] = get(f"{side}_account") or None
        row[f"{side}_wallet"] = get(f"{side}_wallet") or None
        row[f"{side}_country"] = country
        row[f"{side}_address"] = parties.name(get(f"{side}_address"))
    return row


def _xlsx_rows(path: Path, mapping: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """The first sheet of an Excel export, read in streaming mode; cells become text as a CSV would give them."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)  # any file name
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
        time_format = mapping.get("time_format", "%Y-%m-%d %H:%M:%S")
        for number, values in enumerate(rows, 2):
            if not any(v not in (None, "") for v in values):
                continue
            raw = {}
            for column, value in zip(header, values, strict=False):
                if isinstance(value, datetime):
                    raw[column] = value.strftime(time_format)
                else:
                    raw[column] = "" if value is None else str(value)
            fields = mto_fields(raw, mapping)
            fields["position"] = f"row {number}"
            yield "row", fields
    finally:
        workbook.close()


def is_workbook(path: Path) -> bool:
    """An Excel export (a ZIP), told by its content as the sniffer tells it, not by its name."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return True
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04"


def check_header(path: Path, mapping: dict[str, Any]) -> None:
    """Refuse, before anything is written, an export whose header lacks the columns the mapping needs (the wrong
    --mapping, or another operator's export): every row would be a problem otherwise."""
    if is_workbook(path):
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
        try:
            first = next(workbook.worksheets[0].iter_rows(values_only=True), ())
        finally:
            workbook.close()
        header = [str(c).strip() for c in first if c is not None]
    else:
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
            header = [h.strip() for h in next(csv.reader(f, delimiter=mapping.get("delimiter", ",")), [])]
    named = {column for column in mapping["columns"].values() if column}
    needed = [mapping["columns"][k] for k in ("time", "amount", "currency")]
    shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
    if not named & set(header):
        raise ValueError(f"{path.name}: none of the mapping's columns is in its header ({shown}); pass --mapping "
                         "FILE.yaml naming this export's columns (see docs/payments.md)")
    missing = [c for c in needed if c not in header]
    if missing:
        raise ValueError(f"{path.name}: its header ({shown}) lacks {', '.join(repr(c) for c in missing)}, which the "
                         "mapping needs for time, amount and currency")


def mto_rows(path: Path, mapping: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any] | str]]:
    if is_workbook(path):
        yield from _xlsx_rows(path, mapping)
        return
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.DictReader(f, delimiter=mapping.get("delimiter", ","))
        for raw in reader:
            fields = mto_fields(raw, mapping)
            fields["position"] = f"line {reader.line_num}"
            yield "row", fields


def store_rows(case: Case, path: Path, format_name: str, rows: Iterator[tuple[str, dict[str, Any] | str]],
           rates: dict[str, float], options: dict[str, Any]) -> ImportResult:
    conn, result = open_import(case, path)
    sha = result.sha256
    try:
        if result.skipped_as_duplicate:
            return result
        names = [c for c, _ in COLUMNS]
        errors: list[tuple[str, str]] = []
        with tempfile.NamedTemporaryFile("w", suffix=".csv", dir=case.root / "tmp", delete=False, newline="",
                                         encoding="utf-8") as staging:
            writer = csv.writer(staging)
            number = 0
            try:
                for kind, item in rows:
                    number += 1
                    if kind == "error":
                        position, _, message = str(item).partition(": ")
                        errors.append((position, message))
                        continue
                    assert isinstance(item, dict)
                    position = str(item.pop("position", f"record {number}"))
                    try:
                        row = normalise_row(item, rates, **options)
                    except RowError as exc:
                        errors.append((position, str(exc)))
                        continue
                    row["source_file"] = str(path.absolute())
                    digits = "".join(c for c in position.split(",")[0] if c.isdigit())
                    row["source_row"] = int(digits) if digits else number
                    writer.writerow(["" if row.get(c) is None else row[c] for c in names])
                    result.rows += 1
            except ET.ParseError as exc:
                errors.append((f"byte position {exc.position}", f"broken XML, reading stopped: {exc}"))
        staged = Path(staging.name)
        try:
            if not result.rows:  # not one row could be read (a wrong time format, say): nothing is recorded, so
                result.recorded = False  # the corrected import is not refused as "already imported"
            else:
                conn.execute("BEGIN TRANSACTION")
                try:
                    conn.execute(f"INSERT INTO transactions SELECT * FROM read_csv(?, header=false, columns="
                                 f"{{{', '.join(repr(c) + ': ' + repr(t) for c, t in COLUMNS)}}}, nullstr='')",
                                 [str(staged)])
                    if errors:
                        conn.executemany("INSERT INTO import_errors VALUES (?, ?, ?)",
                                         [[sha, p, m] for p, m in errors])
                    conn.execute("INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?)",
                                 [sha, result.file, format_name, result.rows, len(errors), utc_now()])
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        finally:
            staged.unlink(missing_ok=True)
        result.problems = len(errors)
        result.first_problems = [Problem(p, m) for p, m in errors[:SHOWN]]
        return result
    finally:
        conn.close()
