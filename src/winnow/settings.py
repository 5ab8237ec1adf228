"""Settings, declared once: name, default, help. The docs table is generated from here and a test keeps
`docs/settings.md` in step, so what a user reads is what the code does."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


DECLARED: tuple[Setting, ...] = (
    Setting("workers", 0, "Worker processes that compute signals; 0 means one per CPU core."),
    Setting("batch_size", 500, "Results committed per store transaction by the single writer."),
    Setting("batch_seconds", 1.0, "Longest time a result waits before the writer commits it."),
    Setting("archive_depth", 5, "How deep nested archives are opened; deeper archives are hashed, not opened."),
    Setting("archive_max_ratio", 200, "A member whose size exceeds its compressed size this many times (and "
            "archive_ratio_floor_bytes) is treated as a compression bomb and not read."),
    Setting("archive_ratio_floor_bytes", 64 * 1024 * 1024,
            "Below this uncompressed size, a high compression ratio is normal and never a bomb."),
    Setting("archive_max_total_bytes", 64 * 1024**3,
            "Most bytes one top-level archive may expand to (all nested members together)."),
    Setting("archive_max_members", 1_000_000, "Most members read from one archive."),
    Setting("image_max_pixels", 178_956_970, "Images above this many pixels are not decoded (Pillow's own "
            "bomb limit, kept deliberately); their size and hashes are still recorded."),
    Setting("image_max_bytes", 256 * 1024 * 1024, "Image files larger than this are hashed but not decoded."),
    Setting("pdq_size", 256, "JPEGs are decoded at 1/2, 1/4 or 1/8 scale (DCT scaling) while both sides stay "
            "at least this size; PDQ (with the full-size filter geometry) and the thumbnail use that decode."),
    Setting("thumbnail_size", 256, "Longest side of stored thumbnails, in pixels."),
    Setting("thumbnail_quality", 80, "JPEG quality of stored thumbnails."),
    Setting("task_timeout", 900.0, "Seconds one file may take in a worker before the worker is replaced and "
            "the file gets a timeout warning."),
    Setting("chunk_bytes", 1024 * 1024, "Read size when streaming evidence through the hashes."),
    Setting("zip_split_members", 64, "A top-level ZIP (over 1 MB) with more members than this is read by all "
            "workers in ranges of at least this many members, at most 32 ranges (0: never split)."),
    Setting("video_mode", "triage", "Video sampling: 'triage' (keyframes only, fast) or 'vpdq' (one frame per "
            "1/video_fps s, Meta-compatible signatures for exchange)."),
    Setting("video_interval", 1.0, "triage mode: at most one keyframe per this many seconds."),
    Setting("video_min_frames", 8, "triage mode: at least this many samples per video (seeking when keyframes "
            "are rare)."),
    Setting("video_fps", 1.0, "vpdq mode: frames hashed per second."),
    Setting("video_max_pixels", 8192 * 8192, "Videos with larger frames are described, not decoded."),
    Setting("call_ocr", "auto", "Call-recording detector: OCR a few frames 'auto' (when the cheaper signals give at "
            "least call_ocr_threshold), 'always' or 'never'."),
    Setting("call_ocr_threshold", 0.2, "Cheap-signal score from which OCR runs in 'auto' mode."),
    Setting("call_ocr_frames", 4, "Frames read by OCR per video."),
    Setting("call_regions", "PH,FR,GB,US", "Countries whose national phone formats are read in on-screen leads."),
    Setting("worker_memory_mb", 6144, "Address-space cap of each worker process; a decoder that balloons past it "
            "fails on that file only (0: no cap)."),
    Setting("disk_verify", "auto", "Disk images: hash the whole medium and check it against the hashes the image "
            "stores, 'auto' (when it stores some: E01/Ex01), 'always' (also record the hashes of raw, VMDK, VHD, "
            "QCOW media) or 'never'. `--verify-image` means 'always'."),
    Setting("disk_file_units", 4, "Disk images: work units each file system is split into (entries dealt out in "
            "turn), so that every worker reads the same image."),
    Setting("disk_carve", 1, "Disk images: carve unallocated space for JPEG, PNG, GIF, WebP, MP4/MOV, AVI and "
            "ZIP (1) or not (0)."),
    Setting("disk_carve_unit_bytes", 256 * 1024 * 1024, "Disk images: bytes of a volume one carving work unit "
            "scans."),
    Setting("carve_max_bytes", 1024**3, "Longest item the carver follows from its first byte."),
)


@dataclass(frozen=True)
class Settings:
    workers: int = 0
    batch_size: int = 500
    batch_seconds: float = 1.0
    archive_depth: int = 5
    archive_max_ratio: int = 200
    archive_ratio_floor_bytes: int = 64 * 1024 * 1024
    archive_max_total_bytes: int = 64 * 1024**3
    archive_max_members: int = 1_000_000
    image_max_pixels: int = 178_956_970
    image_max_bytes: int = 256 * 1024 * 1024
    pdq_size: int = 256
    thumbnail_size: int = 256
    thumbnail_quality: int = 80
    task_timeout: float = 900.0
    chunk_bytes: int = 1024 * 1024
    zip_split_members: int = 64
    video_mode: str = "triage"
    video_interval: float = 1.0
    video_min_frames: int = 8
    video_fps: float = 1.0
    video_max_pixels: int = 8192 * 8192
    call_ocr: str = "auto"
    call_ocr_threshold: float = 0.2
    call_ocr_frames: int = 4
    call_regions: str = "PH,FR,GB,US"
    worker_memory_mb: int = 6144
    disk_verify: str = "auto"
    disk_file_units: int = 4
    disk_carve: int = 1
    disk_carve_unit_bytes: int = 256 * 1024 * 1024
    carve_max_bytes: int = 1024**3

    def __post_init__(self) -> None:
        if self.video_mode not in ("triage", "vpdq"):
            raise ValueError(f"video_mode must be 'triage' or 'vpdq', not {self.video_mode!r}")
        if self.call_ocr not in ("auto", "always", "never"):
            raise ValueError(f"call_ocr must be 'auto', 'always' or 'never', not {self.call_ocr!r}")
        if self.disk_verify not in ("auto", "always", "never"):
            raise ValueError(f"disk_verify must be 'auto', 'always' or 'never', not {self.disk_verify!r}")
        if self.disk_file_units < 1 or self.disk_carve_unit_bytes < 1 << 20 or self.carve_max_bytes < 1:
            raise ValueError("disk_file_units must be >= 1, disk_carve_unit_bytes >= 1 MiB, carve_max_bytes >= 1")
        if self.video_fps <= 0 or self.video_interval <= 0 or self.video_min_frames < 1:
            raise ValueError("video_fps and video_interval must be > 0, video_min_frames >= 1")

    def effective_workers(self) -> int:
        return self.workers if self.workers > 0 else max(1, os.cpu_count() or 1)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def replace(self, **changes: Any) -> Settings:
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return Settings(**{**self.as_dict(), **changes})


def check_declared() -> None:
    """The dataclass and the declarations must agree (name and default)."""
    declared = {s.name: s.default for s in DECLARED}
    actual = Settings().as_dict()
    if declared != actual:
        raise AssertionError(f"settings drift: declared={declared} actual={actual}")


def markdown_table() -> str:
    lines = ["| setting | default | meaning |", "| --- | --- | --- |"]
    for s in DECLARED:
        lines.append(f"| `{s.name}` | `{s.default!r}` | {s.help} |")
    return "\n".join(lines) + "\n"
