"""The counters of one ingest run: kept by the runner, read by the summary (its own module, so summary and
ingest do not import each other)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    files_done: int = 0  # files of the sources (tasks) finished
    bytes_done: int = 0
    items: int = 0  # every occurrence written, archive members included
    warnings: int = 0
    total_files: int = 0
    total_bytes: int = 0
    total_known: bool = False
    replaced_workers: int = 0
    split_archives: int = 0  # large ZIPs read in parallel member ranges
    disk_images: int = 0  # disk images read in work units

    def elapsed(self) -> float:
        return max(1e-9, time.monotonic() - self.started)
