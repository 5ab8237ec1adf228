"""The EXIF facts investigators use: camera make/model, software, DateTimeOriginal, orientation, GPS position.
The full tag set is kept as JSON too (printable values only)."""

from __future__ import annotations

from typing import Any

from PIL import Image

_MAKE, _MODEL, _SOFTWARE, _ORIENTATION, _DATETIME = 0x010F, 0x0110, 0x0131, 0x0112, 0x0132
_EXIF_IFD, _GPS_IFD, _DATETIME_ORIGINAL = 0x8769, 0x8825, 0x9003


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text or None


def _to_float(value: Any) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        return float(value[0]) / float(value[1])
    return float(value)


def _dms(values: Any, ref: Any) -> float | None:
    try:
        d, m, s = (_to_float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60.0 + s / 3600.0
    if _text(ref) in ("S", "W"):
        result = -result
    if result != result or abs(result) > 180:  # NaN or impossible
        return None
    return round(result, 7)


def _printable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex() if len(value) <= 64 else f"<{len(value)} bytes>"
    if isinstance(value, tuple):
        return [_printable(v) for v in value]
    if isinstance(value, str | int | bool) or value is None:
        return value.replace("\x00", "") if isinstance(value, str) else value
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return str(value)


def extract(image: Image.Image) -> dict[str, Any]:
    """Return the typed EXIF facts plus `tags` (all tags, by hex id). Empty dict when there is no EXIF."""
    exif = image.getexif()
    if not exif:
        return {}
    sub = exif.get_ifd(_EXIF_IFD)
    gps = exif.get_ifd(_GPS_IFD)
    facts: dict[str, Any] = {
        "make": _text(exif.get(_MAKE)),
        "model": _text(exif.get(_MODEL)),
        "software": _text(exif.get(_SOFTWARE)),
        "datetime_original": _text(sub.get(_DATETIME_ORIGINAL)) or _text(exif.get(_DATETIME)),
        "orientation": exif.get(_ORIENTATION) if isinstance(exif.get(_ORIENTATION), int) else None,
        "gps_lat": None,
        "gps_lon": None,
    }
    if gps:
        if 2 in gps:
            facts["gps_lat"] = _dms(gps.get(2), gps.get(1))
        if 4 in gps:
            facts["gps_lon"] = _dms(gps.get(4), gps.get(3))
    tags: dict[str, Any] = {f"0x{k:04x}": _printable(v) for k, v in exif.items() if k not in (_EXIF_IFD, _GPS_IFD)}
    tags.update({f"exif.0x{k:04x}": _printable(v) for k, v in sub.items()})
    tags.update({f"gps.0x{k:04x}": _printable(v) for k, v in gps.items()})
    facts["tags"] = tags
    return facts
