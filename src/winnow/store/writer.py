"""The single writer: batches of worker results, each batch one transaction. Inserts are idempotent (a re-run
after a crash rewrites nothing that is already there), so a killed run loses at most one uncommitted batch."""

from __future__ import annotations

import json
from typing import Any

from winnow.messages import Expanded, Record, Warn
from winnow.store import db, disk
from winnow.store.db import Connection
from winnow.store.identifiers import SIGHTING_COLUMNS

_VIDEO_COLUMNS = ("container", "duration", "video_codec", "audio_codec", "width", "height", "rotation", "avg_fps",
                  "real_fps", "variable_frame_rate", "timing_jitter", "bitrate", "has_audio", "creation_time",
                  "packets", "signature", "signature_mode", "frames_hashed", "signature_frames", "thumbnail",
                  "contact_sheet")
_IMAGE_COLUMNS = ("format", "width", "height", "mode", "frames", "pdq", "pdq_quality", "thumbnail", "make",
                  "model", "software", "datetime_original", "orientation", "gps_lat", "gps_lon", "pdq_dihedral")


class Writer:
    def __init__(self, conn: Connection, run_id: int) -> None:
        self.conn = conn
        self.run_id = run_id
        self.pending: list[Any] = []

    def add(self, message: Any) -> None:
        self.pending.append(message)

    def flush(self) -> int:
        if not self.pending:
            return 0
        batch, self.pending = self.pending, []
        contents: list[tuple[Any, ...]] = []
        images: list[tuple[Any, ...]] = []
        instances: list[tuple[Any, ...]] = []
        warnings: list[tuple[Any, ...]] = []
        expanded: list[tuple[str, str]] = []
        videos: list[tuple[Any, ...]] = []
        calls: list[tuple[Any, ...]] = []
        leads: list[tuple[Any, ...]] = []
        for m in batch:
            if isinstance(m, Record):
                if m.content is not None:
                    ct = m.content
                    contents.append((ct["sha256"], ct["md5"], ct["sha1"], ct["size"], ct["mime"], ct["kind"],
                                     self.run_id))
                    if m.video is not None:
                        vid = m.video
                        videos.append((ct["sha256"], *[_plain(vid.get(k)) for k in _VIDEO_COLUMNS],
                                       json.dumps(vid.get("tags"), sort_keys=True, default=str), self.run_id))
                    for media in (m.video, m.image):
                        more_calls, more_leads = call_rows(ct["sha256"], media, self.run_id)
                        calls.extend(more_calls)
                        leads.extend(more_leads)
                    if m.image is not None:
                        img = m.image
                        exif = img.get("exif")
                        images.append((ct["sha256"], *[img.get(k) for k in _IMAGE_COLUMNS],
                                       json.dumps(exif, sort_keys=True) if exif else None, self.run_id))
                instances.append((m.chain, m.parent, m.name, m.name_raw, m.depth, m.source_id, m.status,
                                  m.content["sha256"] if m.content else None, m.size, m.mtime, m.atime, m.ctime,
                                  m.time_source, m.extension, m.detected_type, int(m.extension_mismatch),
                                  m.link_target, self.run_id))
                warnings.extend((m.chain, st, code, msg, self.run_id) for st, code, msg in m.warnings)
            elif isinstance(m, Warn):
                warnings.append((m.chain, m.stage, m.code, m.message, self.run_id))
            elif isinstance(m, Expanded):
                expanded.append((m.status, m.chain))
        c = self.conn
        with db.write(c):
            c.executemany("INSERT INTO content(sha256, md5, sha1, size, mime, kind, run_id) "
                          "VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING", contents)
            c.executemany(f"INSERT INTO images(sha256, {', '.join(_IMAGE_COLUMNS)}, exif, run_id) "
                          f"VALUES ({', '.join('?' * (len(_IMAGE_COLUMNS) + 3))}) ON CONFLICT DO NOTHING", images)
            c.executemany(f"INSERT INTO videos(sha256, {', '.join(_VIDEO_COLUMNS)}, tags, run_id) "
                          f"VALUES ({', '.join('?' * (len(_VIDEO_COLUMNS) + 3))}) ON CONFLICT DO NOTHING", videos)
            write_calls(c, calls, leads)
            c.executemany(
                "INSERT INTO instances(chain, parent, name, name_raw, depth, source_id, status, sha256, "
                "size, mtime, atime, ctime, time_source, extension, detected_type, extension_mismatch, "
                "link_target, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING", instances)
            c.executemany("INSERT INTO warnings(chain, stage, code, message, run_id) VALUES (?,?,?,?,?) "
                          "ON CONFLICT DO NOTHING", warnings)
            disk.write(c, batch, self.run_id)
            c.executemany("UPDATE instances SET status=? WHERE chain=? AND status='expanding'", expanded)
            for status, chain in expanded:
                if status == "image":
                    disk.fold_carved_duplicates(c, chain)
        return len(batch)


def call_rows(sha256: str, media: dict[str, Any] | None, run_id: int) -> tuple[list[tuple[Any, ...]],
                                                                              list[tuple[Any, ...]]]:
    """The `calls` and `leads` rows of one video's or image's call-recording result."""
    call = (media or {}).get("call")
    calls = [(sha256, call["score"], call["cheap_score"], json.dumps(call["reasons"], ensure_ascii=False),
              call["ocr_frames"], call.get("cpu_seconds"), run_id)] if call else []
    leads = [(sha256, lead["seconds"], lead["kind"], lead["value"], lead["raw"], lead["confidence"], lead["text"],
              json.dumps(lead["box"]), lead["crop"], run_id) for lead in (media or {}).get("call_leads") or []]
    return calls, leads


def write_calls(c: Connection, calls: list[tuple[Any, ...]], leads: list[tuple[Any, ...]]) -> None:
    """Store call scores and leads (in the caller's transaction); on-screen identifiers join the case's
    identifiers as `screen` sightings."""
    c.executemany("INSERT INTO calls(sha256, score, cheap_score, reasons, ocr_frames, cpu_seconds, run_id) "
                  "VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING", calls)
    c.executemany("INSERT INTO leads(sha256, seconds, kind, value, raw, confidence, text, box, crop, run_id) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING", leads)
    for lead in leads:
        if lead[2] == "time":
            continue
        c.execute("INSERT INTO identifiers (kind, value) VALUES (?, ?) ON CONFLICT DO NOTHING", (lead[2], lead[3]))
        c.execute(f"INSERT INTO sightings ({SIGHTING_COLUMNS}) SELECT id, 'screen', ?, ?, ?, 'read on screen', NULL, ? "
                  "FROM identifiers WHERE kind = ? AND value = ? ON CONFLICT DO NOTHING",
                  (f"{lead[0]}@{lead[1]}", lead[4], lead[5], lead[6][:200], lead[2], lead[3]))


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value
