"""vPDQ signatures (Meta's semantics): a bag of per-frame PDQ hashes with frame number, quality and time;
consecutive identical hashes collapsed. Stored compactly (41 bytes a frame) and exchanged in Meta's text form:
one `frame_number,quality,pdq_hex,timestamp_seconds` line per frame."""

from __future__ import annotations

import struct
from dataclasses import dataclass

_FRAME = struct.Struct("<IIB32s")  # frame number, milliseconds, quality, hash


@dataclass(frozen=True)
class Feature:
    frame: int
    quality: int
    pdq: str
    seconds: float


def collapse(features: list[Feature]) -> list[Feature]:
    out: list[Feature] = []
    for f in features:
        if not out or out[-1].pdq != f.pdq:
            out.append(f)
    return out


def pack(features: list[Feature]) -> bytes:
    return b"".join(_FRAME.pack(f.frame, int(round(f.seconds * 1000)), f.quality, bytes.fromhex(f.pdq))
                    for f in features)


def unpack(blob: bytes | None) -> list[Feature]:
    if not blob:
        return []
    return [Feature(frame, quality, digest.hex(), ms / 1000) for frame, ms, quality, digest in
            _FRAME.iter_unpack(blob)]


def to_text(features: list[Feature]) -> str:
    return "".join(f"{f.frame},{f.quality},{f.pdq},{f.seconds:.3f}\n" for f in features)


def from_text(text: str) -> tuple[list[Feature], list[tuple[int, str]]]:
    """Parse Meta's per-video text form; returns features and (line, problem) for bad lines."""
    from winnow.hashes import BadValue, normalise

    features: list[Feature] = []
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        try:
            if len(parts) != 4:
                raise ValueError("expected frame,quality,pdq,timestamp")
            features.append(Feature(int(parts[0]), int(float(parts[1])), normalise("pdq", parts[2]),
                                    float(parts[3])))
        except (ValueError, BadValue) as exc:
            problems.append((number, str(exc)))
    return features, problems
