"""The payments commands as library calls on a `Case`: each does its work and writes its audit row, so the CLI,
the web app and scripts leave the same trail (the CLI only parses and prints)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from winnow.identifiers import normalise
from winnow.payments.shared import ImportResult
from winnow.store import audit
from winnow.store.case import Case


def import_into(case: Case, file: Path, format_name: str = "auto", mapping: Path | None = None,
                fx_path: Path | None = None) -> ImportResult:
    """Import one export (idempotent: the same SHA-256 again changes nothing) and audit it."""
    from winnow.payments.loaders import import_file

    result = import_file(case, file, format_name, mapping, fx_path)
    entry = {k: v for k, v in result.as_dict().items() if k not in ("first_problems", "first_errors")}
    _audit(case, "payments import", entry | {"first_errors": len(result.first_problems)})
    return result


def record_evidence(case: Case, identifier: str, kind: str, source: str, country: str | None = None) -> str:
    """Record an identifier seen in case evidence (rule R10), normalised as the importers normalise parties;
    returns the stored value. A value that cannot be a `kind` is a ValueError, nothing recorded."""
    from winnow.payments.store import connect

    value = identifier.strip()
    if kind == "phone":
        value = normalise.phone(value, country) or ""
    elif kind == "iban":
        value = normalise.iban(value) or ""
    if not value:
        raise ValueError(f"{identifier!r} is not a valid {kind}")
    conn = connect(case)
    try:
        conn.execute("INSERT OR IGNORE INTO evidence_identifiers VALUES (?, ?, ?)", [value, kind, source])
    finally:
        conn.close()
    _audit(case, "payments evidence", {"identifier": value, "kind": kind, "source": source})
    return value


def write_report(case: Case, out: Path | None = None, top: int = 50) -> dict[str, Any]:
    from winnow.payments.report import write

    result = write(case, out or case.root / "payments.html", top=top)
    _audit(case, "payments report", {"file": result["file"]})
    return result


def _audit(case: Case, command: str, arguments: dict[str, Any]) -> None:
    conn = case.connect()
    try:
        audit.append(conn, command, arguments)
    finally:
        conn.close()
