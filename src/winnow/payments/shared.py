"""What every payments loader shares: the accepted channels, the zone of a country's local time, the result of one
import and the duplicate check (one module, so the CSV/XML importer and the Parquet loader do not import each
other)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from winnow.hashes import file_sha256
from winnow.payments.store import connect
from winnow.problems import Problem
from winnow.store.case import Case

# the zone used for a sender's local time when an export gives local times (one zone per country: the
# capital's; good enough to tell night from day)
COUNTRY_ZONE = {"FR": "Europe/Paris", "DE": "Europe/Berlin", "GB": "Europe/London", "NL": "Europe/Amsterdam",
                "BE": "Europe/Brussels", "ES": "Europe/Madrid", "IT": "Europe/Rome", "CH": "Europe/Zurich",
                "SE": "Europe/Stockholm", "NO": "Europe/Oslo", "DK": "Europe/Copenhagen", "PL": "Europe/Warsaw",
                "RO": "Europe/Bucharest", "AU": "Australia/Sydney", "NZ": "Pacific/Auckland", "US": "America/New_York",
                "CA": "America/Toronto", "PH": "Asia/Manila", "TH": "Asia/Bangkok", "CO": "America/Bogota",
                "JP": "Asia/Tokyo", "SG": "Asia/Singapore", "IN": "Asia/Kolkata", "AE": "Asia/Dubai"}
CHANNELS = {"money_transfer", "bank", "e_wallet", "crypto", "card", "cash"}


@dataclass
class ImportResult:
    file: str
    sha256: str
    rows: int = 0
    problems: int = 0
    skipped_as_duplicate: bool = False
    first_problems: list[Problem] = field(default_factory=list)
    recorded: bool = True  # False: no row could be read, nothing was stored (the same file may be imported again)

    @property
    def errors(self) -> int:  # the name before one vocabulary (kept for scripts)
        return self.problems

    @property
    def first_errors(self) -> list[tuple[str, str]]:
        return [(p.position, p.message) for p in self.first_problems]

    def as_dict(self) -> dict[str, Any]:
        first = [p.as_dict() for p in self.first_problems]
        return {"file": self.file, "sha256": self.sha256, "rows": self.rows, "problems": self.problems,
                "first_problems": first, "errors": self.problems, "already_imported": self.skipped_as_duplicate,
                "first_errors": first, "recorded": self.recorded}


def open_import(case: Case, path: Path) -> tuple[Any, ImportResult]:
    """The case's payments connection and the import's result, marked as a duplicate when a file with the same
    SHA-256 was imported before (the caller closes the connection)."""
    sha = file_sha256(path)
    result = ImportResult(str(path.absolute()), sha)
    conn = connect(case)
    if conn.execute("SELECT 1 FROM imports WHERE file_sha256 = ?", [sha]).fetchone():
        result.skipped_as_duplicate = True
    return conn, result
