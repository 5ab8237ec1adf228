"""The ingest-signal extension point. A `Signal` is computed once per content (by SHA-256) for the content kinds
it declares, from the bytes in memory (`reads = "bytes"`) or from a seekable stream (`reads = "stream"`); it
returns its values and warnings, and turns its values into the rows it fills (`Rows`, `Sighting`, declared in
`winnow.messages`). The Processor runs the registered signals in order (`signals/registry.py`), the writer inserts
whatever rows arrive without knowing which signal made them, and the "already computed" check asks for a row of
the signal's own `table`. The rows of a signal may fill only the tables and columns it declares (`tables`). A
signal that raises loses only its own values (a `signal_failed` warning; the content, its hashes and the other
signals' rows are kept). Adding a signal: one module with one class, one entry in `SIGNALS`, one migration for
its tables (docs/architecture.md shows one)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from winnow.messages import Rows, Sighting
from winnow.settings import Settings


@dataclass
class Job:
    """What a signal gets for one content: its SHA-256 and sniffed type, the bytes (for `bytes` signals), a
    read-only opener of a seekable stream (for `stream` signals), where thumbnails go, the case settings, the
    values of the signals computed before it for this content, and `shared`: in-process hand-over between
    signals (decoded frames), never sent to the writer."""

    sha256: str
    kind: str
    detected: str | None
    settings: Settings
    thumbs: Path | None
    data: bytes | None = None
    open: Callable[[], AbstractContextManager[IO[bytes]]] | None = None
    found: dict[str, dict[str, Any]] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    values: dict[str, Any] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    stage: str | None = None  # the warnings' stage when it is not the signal's name


@dataclass
class Output:
    """A signal's values as store rows: rows per table, and identifiers it read (which join the case's
    identifiers as sightings)."""

    rows: list[Rows] = field(default_factory=list)
    sightings: list[Sighting] = field(default_factory=list)


class Signal(Protocol):
    name: str  # unique; the warnings' stage and the key in `Job.found`
    version: int  # recorded with every run (runs.versions: "signal:<name>")
    kinds: tuple[str, ...]  # content kinds (evidence/sniff.py) it is computed for
    reads: Literal["bytes", "stream", "found"]  # "found": only from what earlier signals found and shared
    table: str  # one row per content (sha256 primary key): a row there means "already computed"
    tables: Mapping[str, tuple[str, ...]]  # every table its rows fill, with their columns (the writer adds run_id)

    def compute(self, job: Job) -> Result | None:
        """The values for this content, or None when the signal does not apply (nothing is stored)."""
        ...

    def output(self, sha256: str, values: dict[str, Any]) -> Output: ...


def plain(value: Any) -> Any:
    """A value as SQLite and PostgreSQL both store it (booleans as 0/1)."""
    return int(value) if isinstance(value, bool) else value
