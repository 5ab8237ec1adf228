"""`winnow match`: the case's contents against the library's hash sets — exact on MD5/SHA-1/SHA-256 (SQL joins
on the set's index) and PDQ within each set's distance (the exact Hamming index), skipping PDQ quality < 50,
optionally with the 8 rotations/flips of each case image. Idempotent; incremental when a set is added or
re-imported, and for contents ingested since the last match."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from winnow.hashsets.library import Library, SetInfo
from winnow.match.hamming import HammingIndex, to_codes
from winnow.match.robust import evidence
from winnow.signals.pdq import DIHEDRAL
from winnow.store import audit
from winnow.store.case import Case
from winnow.timeutil import utc_now

MIN_QUALITY = 50
_ATTRS = "category, category_raw, series, victim_identified, offender_identified, is_distributed"


def match(case: Case, library: Library, set_names: list[str] | None = None, *, dihedral: bool = False,
          max_distance: int | None = None, video_shares: tuple[float, float] = (0.8, 0.0),
          robust: bool = False) -> dict[str, Any]:
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
                                     "max_distance": max_distance, "library": str(library.root)})
        if not set_names:  # sets removed from the library: their matches go too
            gone = [r[0] for r in conn.execute("SELECT set_name FROM match_state")] + \
                   [r[0] for r in conn.execute("SELECT DISTINCT set_name FROM matches")]
            for name in sorted(set(gone) - set(available)):
                _forget(conn, name)
                summary.setdefault("removed_sets", []).append(name)
        top = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM content").fetchone()[0]
        for info in chosen:
            summary["sets"].append(_match_set(conn, info, top, dihedral, max_distance, robust, case.root))
        from winnow.match.videos import match_videos

        summary["videos"] = match_videos(conn, library, *video_shares)
        summary["matched_contents"] = conn.execute("SELECT COUNT(DISTINCT sha256) FROM matches").fetchone()[0]
        summary["near_duplicates"] = [dict(r) | {"evidence": json.loads(r["evidence"])} for r in conn.execute(
            "SELECT sha256, set_name, matched_value, distance, transform, category, evidence FROM matches "
            "WHERE evidence IS NOT NULL ORDER BY sha256, set_name, distance")]
    finally:
        conn.close()
    return summary


def _forget(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("DELETE FROM matches WHERE set_name=?", (name,))
    conn.execute("DELETE FROM match_state WHERE set_name=?", (name,))
    conn.execute("COMMIT")


def _match_set(conn: sqlite3.Connection, info: SetInfo, top: int, dihedral: bool,
               max_distance: int | None, robust: bool = False, root: Path | None = None) -> dict[str, Any]:
    distance = info.max_distance if max_distance is None else max_distance
    state = conn.execute("SELECT * FROM match_state WHERE set_name=?", (info.name,)).fetchone()
    same = (state is not None and state["set_version"] == info.version and state["set_sha256"] == info.source_sha256
            and state["max_distance"] == distance and state["dihedral"] == int(dihedral) + 2 * int(robust))
    since = state["content_rowid"] if same else 0
    result: dict[str, Any] = {"set": info.name, "kind": info.kind, "version": info.version,
                              "mode": "incremental" if same else "full", "new_contents": top - since}
    if not same:
        _forget(conn, info.name)
    conn.execute("ATTACH DATABASE ? AS hs", (f"file:{info.path}?mode=ro",))
    try:
        conn.execute("BEGIN IMMEDIATE")
        before = conn.execute("SELECT COUNT(*) FROM matches WHERE set_name=?", (info.name,)).fetchone()[0]
        for column in ("md5", "sha1", "sha256"):
            conn.execute(
                f"INSERT OR IGNORE INTO matches(sha256, set_name, set_version, set_kind, hash_type, matched_value, "
                f"distance, transform, {_ATTRS}) SELECT c.sha256, ?, ?, ?, r.hash_type, r.value, 0, 'exact', "
                f"{', '.join('r.' + a.strip() for a in _ATTRS.split(','))} FROM content c "
                f"JOIN hs.records r ON r.value = c.{column} AND r.hash_type = '{column}' "
                f"WHERE c.rowid > ? AND c.rowid <= ?", (info.name, info.version, info.kind, since, top))
        exact = conn.execute("SELECT COUNT(*) FROM matches WHERE set_name=?", (info.name,)).fetchone()[0] - before
        near, skipped, robust_counts = _pdq(conn, info, since, top, distance, dihedral, robust, root)
        conn.execute("INSERT OR REPLACE INTO match_state(set_name, set_version, set_sha256, content_rowid, "
                     "max_distance, dihedral, matched_utc) VALUES (?,?,?,?,?,?,?)",
                     (info.name, info.version, info.source_sha256, top, distance, int(dihedral) + 2 * int(robust),
                      utc_now()))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("DETACH DATABASE hs")
    result.update({"exact_matches": exact, "pdq_matches": near, "pdq_skipped_low_quality": skipped,
                   "max_distance": distance})
    if robust:
        result["robust"] = robust_counts
    return result


def _pdq(conn: sqlite3.Connection, info: SetInfo, since: int, top: int, distance: int, dihedral: bool,
         robust: bool = False, root: Path | None = None) -> tuple[int, int, dict[str, int]]:
    rows = conn.execute("SELECT i.sha256, i.pdq, i.pdq_quality, i.pdq_dihedral, i.thumbnail, i.width, i.height "
                        "FROM images i JOIN content c USING(sha256) "
                        "WHERE i.pdq IS NOT NULL AND c.rowid > ? AND c.rowid <= ?",
                        (since, top)).fetchall()
    skipped = sum(1 for r in rows if (r["pdq_quality"] or 0) < MIN_QUALITY)
    rows = [r for r in rows if (r["pdq_quality"] or 0) >= MIN_QUALITY]
    counts: dict[str, int] = {}
    if not rows or not info.pdq_path.exists():
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

        for sha, transform, pdq, radius, stage in query_rows(root, rows, distance, counts, MIN_QUALITY):
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
    if len(q) == 0:
        return 0, skipped, counts
    matched_hex = [codes[i].tobytes().hex() for i in ids.tolist()]
    attrs: dict[str, tuple[Any, ...]] = {}
    unique = sorted(set(matched_hex))
    for start in range(0, len(unique), 500):
        part = unique[start:start + 500]
        for row in conn.execute(f"SELECT value, {_ATTRS} FROM hs.records WHERE hash_type='pdq' AND value IN "
                                f"({','.join('?' * len(part))})", part):
            attrs.setdefault(row[0], tuple(row[1:]))
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
        cur = conn.execute(
            f"INSERT OR IGNORE INTO matches(sha256, set_name, set_version, set_kind, hash_type, matched_value, "
            f"distance, transform, {_ATTRS}, evidence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (sha, info.name, info.version, info.kind, "pdq", value, dist, transform,
             *attrs.get(value, (None,) * 6), why))
        inserted += cur.rowcount
        if stage is not None and cur.rowcount:
            counts[stage] = counts.get(stage, 0) + 1
    return inserted, skipped, counts
