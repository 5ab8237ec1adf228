"""`winnow match`: the case's contents against the library's hash sets — exact on MD5/SHA-1/SHA-256 (batched
lookups on the set's index, `store/hashset_library.py`) and PDQ within each set's distance (the exact Hamming
index), skipping PDQ quality < 50, optionally with the 8 rotations/flips of each case image. Idempotent;
incremental when a set is added or re-imported, and for contents ingested since the last match (`content.seq`)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from winnow.hashsets.library import Library, SetInfo
from winnow.match.hamming import HammingIndex, to_codes
from winnow.match.robust import evidence
from winnow.signals.pdq import DIHEDRAL, MIN_QUALITY
from winnow.store import audit, db, matching
from winnow.store import hashset_library as hsdb
from winnow.store.case import Case
from winnow.store.db import Connection
from winnow.timeutil import utc_now

ROBUST_MODE = 2 | 8  # 8: the robust stages as of 2026-12-07 (a case matched --robust before is matched again once)


def match(case: Case, library: Library, set_names: list[str] | None = None, *, dihedral: bool = False,
          max_distance: int | None = None, video_shares: tuple[float, float] = (0.8, 0.0),
          robust: bool = False, features: bool = False) -> dict[str, Any]:
    """`features` (only with `robust`): the local-feature candidate stage against sets built from pictures."""
    if features and not robust:
        raise ValueError("--features is a stage of --robust matching: add --robust")
    available = {s.name: s for s in library.sets()}
    if set_names:
        unknown = [n for n in set_names if n not in available]
        if unknown:
            raise ValueError(f"no hash set named {', '.join(map(repr, unknown))} in the library {library.root}")
        chosen = [available[n] for n in set_names]
    else:
        chosen = list(available.values())
    conn = case.connect()
    summary: dict[str, Any] = {"case": str(case.root), "library": str(library.root), "sets": []}
    try:
        audit.append(conn, "match", {"sets": [s.name for s in chosen], "dihedral": dihedral, "robust": robust,
                                     "features": features, "max_distance": max_distance, "library": str(library.root)})
        if not set_names:  # sets removed from the library: their matches go too
            for name in sorted(matching.matched_set_names(conn) - set(available)):
                matching.forget(conn, name)
                summary.setdefault("removed_sets", []).append(name)
        top = matching.watermark(conn)
        variants: dict[str, Any] = {}  # --robust: each case image's variants, computed once for all sets
        for info in chosen:
            summary["sets"].append(_match_set(conn, info, top, dihedral, max_distance, robust, case.root,
                                              variants, features))
        from winnow.match.videos import match_videos

        summary["videos"] = match_videos(conn, library, *video_shares)
        summary["matched_contents"] = matching.matched_contents(conn)
        summary["near_duplicates"] = [dict(r) | {"evidence": json.loads(r["evidence"])}
                                      for r in matching.near_duplicates(conn)]
    finally:
        conn.close()
    return summary


def _match_set(conn: Connection, info: SetInfo, top: int, dihedral: bool,
               max_distance: int | None, robust: bool = False, root: Path | None = None,
               variants: dict[str, Any] | None = None, features: bool = False) -> dict[str, Any]:
    distance = info.max_distance if max_distance is None else max_distance
    # the mode is part of the set's match state: a run in another mode re-matches the set in full
    mode = int(dihedral) + ROBUST_MODE * int(robust) + 4 * int(features)
    state = matching.state(conn, info.name)
    same = (state is not None and state["set_version"] == info.version and state["set_sha256"] == info.source_sha256
            and state["max_distance"] == distance and state["dihedral"] == mode)
    since = state["content_seq"] if state is not None and same else 0
    result: dict[str, Any] = {"set": info.name, "kind": info.kind, "version": info.version,
                              "mode": "incremental" if same else "full", "new_contents": top - since}
    if not same:
        matching.forget(conn, info.name)
    contents = matching.contents_between(conn, since, top)
    with contextlib.closing(hsdb.open_readonly(info.path)) as library:
        exact_rows = _exact(library, info, contents)
        with db.write(conn):
            exact = matching.add(conn, exact_rows)
            near, skipped, robust_counts = _pdq(conn, library, info, since, top, distance, dihedral, robust, root,
                                                variants, features)
            matching.save_state(conn, (info.name, info.version, info.source_sha256, top, distance,
                                       mode, utc_now()))
    result.update({"exact_matches": exact, "pdq_matches": near, "pdq_skipped_low_quality": skipped,
                   "max_distance": distance})
    if robust:
        result["robust"] = robust_counts
    return result


def _exact(library: hsdb.Connection, info: SetInfo, contents: list[tuple[str, str, str]]) -> list[tuple[Any, ...]]:
    """Match rows of the contents whose MD5, SHA-1 or SHA-256 is a record of the set (hash types the set has no
    record of are not looked up), by content and then hash type: the unique index's order, so that inserting
    them appends to it; a content's rows keep the order they had when this was one SQL join (MD5, SHA-1,
    SHA-256; a value's records in the set's order)."""
    rows: list[tuple[Any, ...]] = []
    for position, column in ((1, "md5"), (2, "sha1"), (0, "sha256")):
        if not info.counts.get(column):
            continue
        found = hsdb.records_for(library, column, [c[position] for c in contents])
        if not found:
            continue
        for content in contents:
            for attrs in found.get(content[position], ()):
                rows.append((content[0], info.name, info.version, info.kind, column, content[position], 0, "exact",
                             *attrs, None))
    rows.sort(key=lambda r: (r[0], r[4]))  # stable: a value's records stay in the set's order
    return rows


def _pdq(conn: Connection, library: hsdb.Connection, info: SetInfo, since: int, top: int, distance: int, dihedral: bool,
         robust: bool = False, root: Path | None = None,
         variants: dict[str, Any] | None = None, features: bool = False) -> tuple[int, int, dict[str, int]]:
    counts: dict[str, int] = {}
    if not info.pdq_path.exists():  # a set without PDQ hashes (NSRL, most exact sets): the images are only counted
        return 0, matching.low_quality_images_between(conn, since, top, MIN_QUALITY), counts
    every = matching.images_between(conn, since, top)
    rows = [r for r in every if (r["pdq_quality"] or 0) >= MIN_QUALITY]
    weak = [r for r in every if (r["pdq_quality"] or 0) < MIN_QUALITY]  # PDQ unreliable: never matched by hash
    skipped = len(weak)
    pictured = robust and root is not None and info.variants_path.exists()
    if not rows and not (pictured and weak):
        return 0, skipped, counts
    codes = np.load(info.pdq_path)
    index = HammingIndex(codes, max_radius=max(distance, 0))
    # per query row: (sha256, transform, radius, stage or None for plain PDQ / --dihedral)
    owners: list[tuple[str, str, int, str | None]] = []
    hexes: list[str] = []
    for r in rows:
        owners.append((r["sha256"], "original", distance, None))
        hexes.append(r["pdq"])
        if dihedral and r["pdq_dihedral"]:
            for k, name in enumerate(DIHEDRAL[1:]):
                owners.append((r["sha256"], name, distance, None))
                hexes.append(r["pdq_dihedral"][k * 64:(k + 1) * 64])
    if robust and root is not None:
        from winnow.match.robust import query_rows

        for sha, transform, pdq, radius, stage in query_rows(root, rows, distance, counts, MIN_QUALITY,
                                                             cache=variants):
            if dihedral and stage == "dihedral":
                continue  # already looked up as --dihedral's flipy
            owners.append((sha, transform, radius, stage))
            hexes.append(pdq)
    queries = to_codes(hexes)
    radii = np.array([o[2] for o in owners], dtype=np.int32)
    parts = []
    for radius in sorted(set(radii.tolist())):  # one search per radius: smaller radii probe fewer keys
        rows_at = np.nonzero(radii == radius)[0]
        q, ids, d = index.search(queries[rows_at], radius=radius)
        parts.append((rows_at[q], ids, d))
    q = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    ids = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    d = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.int32)
    matched_hex = [codes[i].tobytes().hex() for i in ids.tolist()]
    attrs = {value: found[0] for value, found in hsdb.records_for(library, "pdq", matched_hex).items()}
    inserted = 0
    hits = sorted(zip(q.tolist(), matched_hex, d.tolist(), strict=True),
                  key=lambda h: (owners[h[0]][3] is not None, h[2], h[0]))
    seen: set[tuple[str, str]] = set()
    for qi, value, dist in hits:
        sha, transform, radius, stage = owners[qi]
        if stage is not None and (sha, value) in seen:
            continue  # already matched plainly or through a closer variant: one row says it
        seen.add((sha, value))
        why = None if stage is None else evidence(stage, transform, dist, radius)
        new = matching.add_one(conn, (sha, info.name, info.version, info.kind, "pdq", value, dist, transform,
                                      *attrs.get(value, (None,) * 6), why))
        inserted += new
        if stage is not None and new:
            counts[stage] = counts.get(stage, 0) + 1
    if pictured and root is not None:
        # a set built from pictures: the case images against its pictures' stored variants, confirmed by pixels;
        # images below PDQ quality 50 too (all their lookups are candidates only, verified like the others)
        from winnow.match.robust import query_rows, reference_matches

        weak = [r for r in weak if r["thumbnail"]]  # confirmed by pixels only: without a thumbnail, nothing to do
        for r in weak:
            owners.append((r["sha256"], "original", distance, "weak"))
            hexes.append(r["pdq"])
        for sha, transform, pdq, radius, _stage in query_rows(root, weak, distance, counts, 0, cache=variants):
            owners.append((sha, transform, radius, "weak"))
            hexes.append(pdq)
        found, checked = reference_matches(library, info, root, rows + weak, owners, hexes, seen, features)
        counts.update(checked)
        values = [f[1] for f in found]
        attrs = {value: rec[0] for value, rec in hsdb.records_for(library, "pdq", values).items()}
        for sha, value, dist, transform, why in found:
            new = matching.add_one(conn, (sha, info.name, info.version, info.kind, "pdq", value, dist, transform,
                                          *attrs.get(value, (None,) * 6), why))
            inserted += new
            counts["reference"] = counts.get("reference", 0) + new
    return inserted, skipped, counts
