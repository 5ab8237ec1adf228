"""Known video hashes: Meta's vPDQ per-video text form (`frame,quality,pdq_hex,timestamp` lines, one file per
video) and JSON lists (ThreatExchange/HMA style: the frames of one video, or a list of videos with frames)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from winnow.hashsets.records import BadValue, HashRecord, normalise
from winnow.problems import Problem
from winnow.signals import vpdq


def video_id(features: list[vpdq.Feature]) -> str:
    """A stable id for a known video: SHA-256 of its canonical vPDQ text."""
    return hashlib.sha256(vpdq.to_text(features).encode()).hexdigest()


def _record(name: str, features: list[vpdq.Feature]) -> HashRecord:
    return HashRecord(hash_type="vpdq", value=video_id(features), extra={"name": name, "frames": len(features),
                                                                          "features": features})


def read_text(path: Path) -> Iterator[HashRecord | Problem]:
    features, problems = vpdq.from_text(path.read_text(encoding="utf-8-sig", errors="replace"))
    for line, message in problems:
        yield Problem(f"line {line}", message)
    if features:
        yield _record(path.name, features)
    else:
        yield Problem("file", "no vPDQ frame")


def _feature(item: Any, where: str) -> vpdq.Feature:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: a frame is not an object")
    pdq = item.get("pdq", item.get("hash", item.get("pdq_hex")))
    frame: Any = item.get("frame_number", item.get("frame", 0))
    seconds: Any = item.get("timestamp", item.get("timestamp_sec", item.get("seconds", 0.0)))
    try:
        return vpdq.Feature(int(frame), int(item.get("quality", 100)), normalise("pdq", pdq), float(seconds))
    except (BadValue, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from exc


def read_json(path: Path) -> Iterator[HashRecord | Problem]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        yield Problem(f"line {exc.lineno} column {exc.colno}", f"broken JSON: {exc.msg}")
        return
    videos: list[tuple[str, Any]]
    if isinstance(document, list) and document and isinstance(document[0], dict) and (
            "frames" in document[0] or "features" in document[0]):
        videos = [(str(v.get("name") or v.get("video_id") or f"video {i + 1}"), v.get("frames", v.get("features")))
                  for i, v in enumerate(document)]
    elif isinstance(document, dict) and ("frames" in document or "features" in document):
        videos = [(str(document.get("name") or document.get("video_id") or path.name),
                   document.get("frames", document.get("features")))]
    elif isinstance(document, list):
        videos = [(path.name, document)]
    else:
        yield Problem("document", "expected a list of frames, an object with 'frames', or a list of videos")
        return
    for name, frames in videos:
        features = []
        for i, item in enumerate(frames or []):
            try:
                features.append(_feature(item, f"{name}, frame {i + 1}"))
            except ValueError as exc:
                yield Problem(str(exc).split(":")[0], str(exc))
        if features:
            yield _record(name, features)
        else:
            yield Problem(name, "no vPDQ frame")
