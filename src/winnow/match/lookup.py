"""`winnow lookup FILE|HASH`: answers from the library alone, without a case."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import numpy as np

from winnow.evidence.opener import open_stream
from winnow.hashsets.library import Library
from winnow.hashsets.records import BadValue, guess_type, normalise
from winnow.match.hamming import distances, to_codes
from winnow.signals.crypto import MultiHash
from winnow.signals.pdq import DIHEDRAL
from winnow.store import hashset_library as hsdb


def hashes_of_file(path: Path) -> dict[str, Any]:
    hasher = MultiHash()
    head = b""
    # read-only, atime untouched (evidence/opener.py); a link the examiner named is followed to its file
    with open_stream(str(Path(path).resolve())) as f:
        while chunk := f.read(1 << 20):
            if len(head) < 64 << 20:
                head += chunk
            hasher.update(chunk)
    found: dict[str, Any] = dict(hasher.hexdigests())
    try:
        from PIL import Image

        from winnow.signals.image import register_formats
        from winnow.signals.pdq import pdq_dihedral

        register_formats()
        with Image.open(io.BytesIO(head)) as im:
            im.load()
            hashes, quality = pdq_dihedral(im)
        found["pdq"], found["pdq_quality"], found["pdq_dihedral"] = hashes[0], quality, hashes
    except Exception:  # not an image (or a broken one): crypto hashes only
        pass
    return found


def lookup(library: Library, query: str, max_distance: int = 31, dihedral: bool = False) -> dict[str, Any]:
    path = Path(query)
    if path.is_file():
        hashes = hashes_of_file(path)
        targets = [(k, hashes[k]) for k in ("md5", "sha1", "sha256")]
        pdqs = hashes.get("pdq_dihedral", [])[: 8 if dihedral else 1]
        source = {"file": str(path.absolute()), **{k: v for k, v in hashes.items() if k != "pdq_dihedral"}}
    else:
        kind = guess_type(query)
        if kind is None:
            raise ValueError(f"{query!r} is neither a file nor an MD5/SHA-1/SHA-256/PDQ hex value")
        try:
            value = normalise(kind, query)
        except BadValue as exc:
            raise ValueError(str(exc)) from exc
        targets = [(kind, value)]
        pdqs = [value] if kind == "sha256" else []  # 64 hex digits: SHA-256 or PDQ, both looked up
        source = {kind: value}
    hits: list[dict[str, Any]] = []
    for info in library.sets():
        with contextlib.closing(hsdb.open_readonly(info.path)) as conn:
            for kind, value in targets:
                for r in hsdb.records(conn, kind, value):
                    hits.append({"set": info.name, "kind": info.kind, "hash_type": kind, "distance": 0,
                                 **_attrs(r)})
            if pdqs and info.pdq_path.exists():
                codes = np.load(info.pdq_path)
                for t, pdq in enumerate(pdqs):
                    d = distances(codes, to_codes([pdq]))
                    for row in np.nonzero(d <= max_distance)[0][:100]:
                        value = codes[row].tobytes().hex()
                        found = hsdb.records(conn, "pdq", value)
                        hits.append({"set": info.name, "kind": info.kind, "hash_type": "pdq", "distance": int(d[row]),
                                     "transform": DIHEDRAL[t], **(_attrs(found[0]) if found else {"value": value})})
    hits.sort(key=lambda h: (h["distance"], h["set"]))
    return {"query": source, "matches": hits, "library": str(library.root)}


def _attrs(row: hsdb.Row) -> dict[str, Any]:
    return {k: row[k] for k in ("value", "category", "category_raw", "series", "victim_identified",
                                "offender_identified", "is_distributed", "media_id")}
