"""VICS / Project VIC JSON, 1.3 (`odata.metadata`) and 2.0 (`@odata.context`; Default, US, UK), in both the
hash-set shape (`value[]` of Media) and the case shape (`value[].Media[]`). Streamed with ijson: memory does not
grow with the file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import ijson

from winnow.hashsets.categories import label, scheme_of
from winnow.hashsets.records import BadValue, HashRecord, normalise, truthy
from winnow.problems import Problem

_DIRECT = (("MD5", "md5"), ("SHA1", "sha1"), ("SHA256", "sha256"), ("PhotoDNA", "photodna"), ("PDQ", "pdq"))
_ALT_NAMES = {"md5": "md5", "sha1": "sha1", "sha-1": "sha1", "sha256": "sha256", "sha-256": "sha256",
              "photodna": "photodna", "pdq": "pdq"}


def _open(path: Path) -> IO[bytes]:
    f = path.open("rb")
    if f.read(3) != b"\xef\xbb\xbf":  # a UTF-8 BOM is tolerated
        f.seek(0)
    return f


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def sniff_header(path: Path) -> tuple[str, str, str]:
    """(version, scheme, shape) from the first events: context URL and the first value item's keys."""
    version, scheme, shape = "2.0", "US", "media"
    with _open(path) as f:
        depth_keys: list[str] = []
        for prefix, event, value in ijson.parse(f):
            if prefix in ("odata.metadata", "@odata.context") and event == "string":
                version = "1.3" if prefix == "odata.metadata" else "2.0"
                for part in ("/US/", "/UK/", "/Default/"):
                    if part.lower() in str(value).lower():
                        scheme = scheme_of(part.strip("/"))
            elif prefix == "value.item" and event == "map_key":
                depth_keys.append(str(value))
                if value == "Media":
                    shape = "case"
                    break
            elif prefix == "value.item" and event == "end_map":
                break
    return version, scheme, shape


def read(path: Path, scheme: str | None = None) -> Iterator[HashRecord | Problem]:
    version, found_scheme, shape = sniff_header(path)
    use_scheme = scheme_of(scheme) if scheme else found_scheme
    prefix = "value.item.Media.item" if shape == "case" else "value.item"
    with _open(path) as f:
        n = 0
        try:
            for media in ijson.items(f, prefix):
                n += 1
                yield from _media(_plain(media), n, use_scheme, version)
        except ijson.JSONError as exc:
            yield Problem(f"byte {f.tell()} (after media {n})", f"broken JSON, reading stopped: {exc}")


def _media(media: Any, n: int, scheme: str, version: str) -> Iterator[HashRecord | Problem]:
    where = f"media {n}"
    if not isinstance(media, dict):
        yield Problem(where, "a media entry is not a JSON object")
        return
    category, raw = label(scheme, media.get("Category"))
    if raw is not None and category is None:
        yield Problem(where, f"unknown {scheme} category code {raw!r}: kept raw")
    tags = media.get("Tags")
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.replace(";", ",").split(",") if t.strip()]
    base = dict(category=category, category_raw=raw, series=_text(media.get("Series")),
                victim_identified=truthy(media.get("VictimIdentified")),
                offender_identified=truthy(media.get("OffenderIdentified")),
                is_distributed=truthy(media.get("IsDistributed")), tags=tags or None,
                comments=_text(media.get("Comments")), media_id=_text(media.get("MediaID")))
    extra: dict[str, Any] = {"vics_version": version, "scheme": scheme}
    for key in ("MediaSize", "MediaFiles", "Segment", "DateUpdated", "IsPrecategorized"):
        if media.get(key) not in (None, [], ""):
            extra[key] = media[key]
    hashes: list[tuple[str, Any]] = [(t, media.get(k)) for k, t in _DIRECT if media.get(k) not in (None, "")]
    for alt in media.get("AlternativeHashes") or []:
        if isinstance(alt, dict):
            kind = _ALT_NAMES.get(str(alt.get("HashName", "")).strip().lower())
            if kind:
                hashes.append((kind, alt.get("HashValue")))
            else:
                yield Problem(where, f"alternative hash {alt.get('HashName')!r} not supported: skipped")
    if not hashes:
        yield Problem(where, "no MD5, SHA1, SHA256, PhotoDNA or PDQ value")
        return
    for kind, value in hashes:
        try:
            yield HashRecord(hash_type=kind, value=normalise(kind, value), extra=extra, **base)  # type: ignore[arg-type]
        except BadValue as exc:
            yield Problem(where, str(exc))


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict | list) else str(value)
