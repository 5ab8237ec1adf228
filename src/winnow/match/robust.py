"""`winnow match --robust`: the query side of near-duplicate matching against hash-only sets.

Agency sets carry only the PDQ of each known image, so everything robust happens to the case image: besides its
PDQ it is looked up as its mirror (Meta's `flipy`, at the set's distance), its border-removed pictures (at the
set's distance) and its rotation probes (read from the corners' wedges: at `neardup.WEDGE_RADIUS`; blind, when the
corners are unclear: at `neardup.PROBE_RADIUS`, closer, each of the twelve one more chance of a chance match),
all computed from the thumbnail the case store keeps — evidence is not read again. Against a set built from
pictures (`winnow hashset build`), `reference_matches` also confirms pairs found through the pictures' stored
variants by their pixels. Every match
stores its evidence (stage, variant, distance, radius) as JSON in `matches.evidence`; `docs/neardup.md` says
which transforms this reaches and which need the reference pixels. `case_links` is `winnow triage --robust`:
the case's images against each other, where the thumbnails are the reference pixels (stored crops and
rotations, SIFT verification).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from winnow.signals import neardup
from winnow.signals.pdq import DIHEDRAL, MIN_QUALITY

MIRROR = DIHEDRAL.index("flipy") - 1  # position of the left-right mirror in images.pdq_dihedral


def query_rows(case_root: Path, rows: list[Any], distance: int, skipped: dict[str, int],
               min_quality: int, chunk: int = 20_000, cache: dict[str, Any] | None = None
               ) -> list[tuple[str, str, str, int, str]]:
    """(sha256, transform, pdq hex, radius, stage) for every extra lookup of the case images `rows`; their
    thumbnails are read and hashed `chunk` at a time (`neardup.query_variants_many`: worker processes for
    large batches). `cache` (sha256 -> variants) keeps them for the other sets of the same `winnow match`."""
    cache = {} if cache is None else cache
    out: list[tuple[str, str, str, int, str]] = []
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        todo = [r for r in part if r["sha256"] not in cache]
        pictures = [(str(case_root / r["thumbnail"]) if r["thumbnail"] else None, _size(r)) for r in todo]
        for r, found in zip(todo, neardup.query_variants_many(pictures), strict=True):
            cache[r["sha256"]] = found
        for r in part:
            if r["pdq_dihedral"]:
                out.append((r["sha256"], "mirror", r["pdq_dihedral"][MIRROR * 64:(MIRROR + 1) * 64], distance,
                            "dihedral"))
            stored = borders(r)  # read at ingest on the decode: there even without a thumbnail
            variants = cache[r["sha256"]]
            if variants is None:
                skipped["no_thumbnail"] = skipped.get("no_thumbnail", 0) + 1
            for v in neardup.with_borders(stored, variants or []):
                if v.quality < min_quality:
                    continue
                stage = "border" if v.radius == neardup.TRIM_RADIUS and "rotate" not in v.name else "probe"
                out.append((r["sha256"], v.name, v.pdq, min(v.radius, distance), stage))
    return out


def borders(row: Any) -> list[neardup.Variant]:
    """The border-removed hashes ingest read on its decode (`images.pdq_borders`; none for images without a
    flat edge, or ingested before winnow stored them). A value winnow did not write (not a list of [name, 64-hex
    PDQ, quality 0-100]) gives nothing to look up, and the thumbnail's boxes stay."""
    keys = row.keys() if hasattr(row, "keys") else ()
    text = row["pdq_borders"] if "pdq_borders" in keys else None
    if not text:
        return []
    try:
        entries = json.loads(text)
        out = [neardup.Variant(name, pdq, q, neardup.TRIM_RADIUS) for name, pdq, q in entries
               if isinstance(name, str) and isinstance(pdq, str) and _HEX64.fullmatch(pdq)
               and type(q) is int and 0 <= q <= 100]
    except (ValueError, TypeError, RecursionError):
        return []
    return out if len(out) == len(entries) else []


def _size(row: Any) -> tuple[int, int] | None:
    """(height, width) of a case image's stored pixels, when the row has them."""
    keys = row.keys() if hasattr(row, "keys") else ()
    if "width" in keys and "height" in keys and row["width"] and row["height"]:
        return int(row["height"]), int(row["width"])
    return None


def _original(row: Any, gray: np.ndarray) -> tuple[int, int] | None:
    """(height, width) of the image the thumbnail shows (`neardup.oriented`)."""
    return neardup.oriented(_size(row), gray)


def _thumbnail(case_root: Path, relative: str | None) -> np.ndarray | None:
    if not relative:
        return None
    return neardup.gray_of_file(case_root / relative)


_HEX64 = re.compile("[0-9a-f]{64}")
MIRRORED = frozenset({"mirror", "flipx", "flipy", "flipplus1", "flipminus1"})  # the lookups that reflect


def reference_matches(library: Any, info: Any, case_root: Path, rows: list[Any],
                      owners: list[tuple[str, str, int, str | None]], hexes: list[str],
                      seen: set[tuple[str, str]], features: bool = False
                      ) -> tuple[list[tuple[str, str, int, str, str]], dict[str, int]]:
    """`winnow match --robust` against a set built from pictures (`winnow hashset build`): the case images'
    lookups (`owners`/`hexes`: PDQ, mirror, border-removed pictures, probes) against the set pictures' stored
    variants (centre crops, rotations, border-removed) and own PDQs in one exact index; each (case image,
    picture) pair found only that way (not already in `seen` as (sha256, the picture's PDQ)) is confirmed by
    SIFT + RANSAC and the pixel check on the case thumbnail and the picture's (`verify.verify`, with the close-
    distance rule for pairs within `verify.CLOSE_DISTANCE`), as `case_links` confirms the case's items against
    each other. With `features` (`--features`), also the local-feature candidate stage: every case image's SIFT
    descriptors vote for the pictures theirs match (`verify.FeatureIndex`), for where every hash of a copy moved
    (a resize of a fine texture, a screenshot, a watermark). Returns the confirmed matches as (sha256, the
    picture's PDQ, distance, transform, evidence JSON) and the counts of candidates and rejections."""
    import cv2

    from winnow.match import verify
    from winnow.match.hamming import HammingIndex, distances, to_codes
    from winnow.store import hashset_library as hsdb

    pictures = hsdb.pictures(library)
    # the stored variants, then each picture's own PDQ: an image whose PDQ quality is too low to be matched by
    # hash (owner stage "weak") reaches a picture's PDQ here as a candidate, verified like the variants' ones (a
    # good image within its radius of it was matched by the set's own index already: `seen`)
    variants: list[Any] = [*hsdb.picture_variants(library),
                           *({"sha256": sha, "variant": "pdq", "radius": neardup.TRIM_RADIUS} for sha in pictures)]
    codes = np.load(info.variants_path)
    if pictures:
        codes = np.concatenate([codes.reshape(-1, 32), to_codes([p["pdq"] for p in pictures.values()])])
    counts = {"reference_candidates": 0, "reference_rejected": 0}
    if features:
        counts["feature_candidates"] = 0
    if not len(codes) or not (hexes or features):
        return [], counts
    # per (case sha256, picture sha256): (distance, query, row) of the closest hash pair, or (None, votes, -1)
    best: dict[tuple[str, str], tuple[int | None, int, int]] = {}
    if hexes:
        index = HammingIndex(codes, max_radius=neardup.TRIM_RADIUS)
        q, ids, d = index.search(to_codes(hexes), radius=neardup.TRIM_RADIUS)
        for qi, vi, dist in zip(q.tolist(), ids.tolist(), d.tolist(), strict=True):
            sha, _, qradius, _ = owners[qi]
            stored = variants[vi]
            picture = pictures.get(stored["sha256"])
            if picture is None or dist > min(qradius, stored["radius"]) or (sha, picture["pdq"]) in seen:
                continue
            key = (sha, stored["sha256"])
            if key not in best or (dist, qi, vi) < best[key]:
                best[key] = (dist, qi, vi)
    by_sha = {r["sha256"]: r for r in rows}
    found: list[tuple[str, str, int, str, str]] = []
    grays: dict[str, np.ndarray | None] = {}
    feats: dict[tuple[str, bool], verify.Features] = {}

    def gray(sha: str, picture: Any | None = None) -> np.ndarray | None:
        if sha not in grays:
            grays[sha] = (neardup.gray_of_file(info.pictures_dir / picture["thumbnail"]) if picture is not None
                          else _thumbnail(case_root, by_sha[sha]["thumbnail"]))
        return grays[sha]

    def feature(sha: str, g: np.ndarray, mirrored: bool = False) -> verify.Features:
        if (sha, mirrored) not in feats:
            feats[(sha, mirrored)] = verify.features(g, mirrored=mirrored)
        return feats[(sha, mirrored)]

    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        if features:
            order = [ref for ref in pictures if gray(ref, pictures[ref]) is not None]
            voting = verify.FeatureIndex([feature(ref, gray(ref, pictures[ref])) for ref in order])  # type: ignore[arg-type]
            for r in rows:
                g = gray(r["sha256"])
                if g is None:
                    continue
                for j, votes in voting.candidates(feature(r["sha256"], g)):
                    key = (r["sha256"], order[j])
                    if key not in best and (r["sha256"], pictures[order[j]]["pdq"]) not in seen:
                        best[key] = (None, votes, -1)
                        counts["feature_candidates"] += 1
        for (sha, ref), (dist, qi, vi) in sorted(best.items(), key=lambda kv: kv[0]):
            counts["reference_candidates"] += 1
            picture = pictures[ref]
            if dist is None:  # a feature vote: the case image as it is against the picture
                transform, qradius, variant_name, mirrored, stage = "original", None, "votes", False, None
            else:
                _, transform, qradius, stage = owners[qi]
                variant_name, mirrored = variants[vi]["variant"], transform in MIRRORED
            ga, gb = gray(sha), gray(ref, picture)
            if ga is None or gb is None:
                counts["reference_rejected"] += 1
                continue
            verdict = verify.verify(feature(sha, ga, mirrored), feature(ref, gb), ga, gb, mirrored)
            # the close-distance rule leans on the hashes: not for a PDQ too flat to be trusted on either side
            trusted = stage != "weak" and (picture["quality"] or 0) >= MIN_QUALITY
            if not verdict.confirmed_at(dist if trusted else None):
                counts["reference_rejected"] += 1
                continue
            qname = "pdq" if transform == "original" else transform
            variant = "features~votes" if dist is None else f"{qname}~{variant_name}"
            why = {"stage": "reference", "variant": variant, "distance": dist,
                   "radius": None if qradius is None else min(qradius, variants[vi]["radius"]),
                   "inliers": verdict.inliers, "spread": verdict.spread, "scale": verdict.scale,
                   "degrees": verdict.degrees, "overlap": verdict.overlap, "agreement": verdict.agreement,
                   "rule": verdict.rule, "reference": picture["source"]}
            if dist is None:  # the votes are the evidence; the match row keeps the two PDQs' distance
                why["votes"] = qi
                pair = to_codes([by_sha[sha]["pdq"], picture["pdq"]])
                dist = int(distances(pair[0], pair[1]))
            found.append((sha, picture["pdq"], dist, variant, json.dumps(why)))
    finally:
        cv2.setNumThreads(threads)
    return found, counts


def evidence(stage: str, variant: str, dist: int, radius: int) -> str:
    return json.dumps({"stage": stage, "variant": variant, "distance": dist, "radius": radius})


def describe(transform: str, evidence_json: str | None) -> str:
    """One line for triage reasons and the review page."""
    if not evidence_json:
        return transform
    e: dict[str, Any] = json.loads(evidence_json)
    if e.get("distance") is None or e.get("radius") is None:  # a feature vote: no hash pair within a radius
        text = f"{e.get('stage')} {e.get('variant')} ({e.get('votes')} SIFT votes)"
    else:
        text = f"{e.get('stage')} {e.get('variant')}, distance {e.get('distance')} <= {e.get('radius')}"
    if e.get("inliers") is not None:
        text += f", {e['inliers']} SIFT inliers" + (" (close-distance rule)" if e.get("rule") == "close" else "")
        if e.get("degrees") is not None:
            text += (f" (scale {e.get('scale')}, {e.get('degrees')} degrees, spread {e.get('spread')}, "
                     f"agreement {e.get('agreement')})")
    return text


def case_links(case_root: Path, rows: list[Any], stacked: set[tuple[int, int]] | None = None,
               weak_from: int | None = None) -> list[tuple[int, int, dict[str, Any]]]:
    """`winnow triage --robust`: pairs (i, j) of the case images `rows` (sha256, pdq, pdq_dihedral, thumbnail,
    width, height) that are copies of each other through geometry, with the evidence.

    Here winnow has the reference pixels (the case's own thumbnails), so both sides get their variants: each
    image is looked up as its PDQ, mirror, border-removed pictures and rotation probes, against every image's
    PDQ and stored variants (centre crops on a 1 % grid, rotations on a 1 degree grid, border-removed). A pair
    found the way `match --robust` finds it (a query variant within its radius of the other's PDQ) stands as
    there; a pair found only through a stored variant is confirmed by SIFT + RANSAC (`verify`), whose inliers,
    spread, scale and angle are the evidence. Pairs in `stacked` (already within plain PDQ's stack distance)
    are skipped. Rows from `weak_from` on are images below PDQ quality 50: they are looked up and stored like
    the others (so two low-quality copies find each other), but every pair they are in is confirmed by pixels,
    without the close-distance rule (their hashes are not trusted). A weak image with fewer SIFT keypoints than
    a confirmation needs (a black screen, a blank placeholder: all its hashes alike) could never be confirmed
    and is left out, so a thousand of them cost a thousand keypoint readings, not a million checks."""
    import cv2

    from winnow.match import verify
    from winnow.match.hamming import HammingIndex, to_codes

    stacked = stacked or set()
    weak_from = len(rows) if weak_from is None else weak_from
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        grays = [_thumbnail(case_root, r["thumbnail"]) for r in rows]
        feats: dict[tuple[int, bool], verify.Features] = {}
        store_hex: list[str] = []
        store_meta: list[tuple[int, str, int]] = []  # (image, variant, radius)
        query_hex: list[str] = []
        query_meta: list[tuple[int, str, int]] = []
        for i, (r, gray) in enumerate(zip(rows, grays, strict=True)):
            if i >= weak_from:
                if gray is None:
                    continue
                feats[(i, False)] = verify.features(gray)
                if len(feats[(i, False)].points) < verify.MIN_INLIERS:
                    continue
            store_hex.append(r["pdq"])
            store_meta.append((i, "pdq", neardup.TRIM_RADIUS))
            query_hex.append(r["pdq"])
            query_meta.append((i, "pdq", neardup.TRIM_RADIUS))
            if r["pdq_dihedral"]:
                query_hex.append(r["pdq_dihedral"][MIRROR * 64:(MIRROR + 1) * 64])
                query_meta.append((i, "mirror", neardup.TRIM_RADIUS))
            original = None if gray is None else _original(r, gray)
            for v in [] if gray is None else neardup.store_variants(gray, original):
                store_hex.append(v.pdq)
                store_meta.append((i, v.name, v.radius))
            for v in neardup.with_borders(borders(r), [] if gray is None else neardup.query_variants(gray, original)):
                query_hex.append(v.pdq)
                query_meta.append((i, v.name, v.radius))
        if not query_hex:
            return []
        index = HammingIndex(to_codes(store_hex), max_radius=neardup.TRIM_RADIUS)
        q, ids, d = index.search(to_codes(query_hex))
        # per pair (low, high): the best way found, hash-only ways (store side plain PDQ) first
        best: dict[tuple[int, int], tuple[bool, int, int, int]] = {}
        for qi, si, dist in zip(q.tolist(), ids.tolist(), d.tolist(), strict=True):
            a, qname, qradius = query_meta[qi]
            b, sname, sradius = store_meta[si]
            radius = min(qradius, sradius)
            pair = (min(a, b), max(a, b))
            weak = pair[1] >= weak_from
            if a == b or dist > radius or (qname == "pdq" and sname == "pdq" and not weak) or pair in stacked:
                continue
            key = (sname != "pdq" or weak, dist, qi, si)
            if pair not in best or key < best[pair]:
                best[pair] = key
        links: list[tuple[int, int, dict[str, Any]]] = []
        for pair in sorted(best):
            needs_check, dist, qi, si = best[pair]
            a, qname, qradius = query_meta[qi]
            b, sname, sradius = store_meta[si]
            why: dict[str, Any] = {"stage": "reference" if needs_check else _stage(qname),
                                   "variant": qname if sname == "pdq" else f"{qname}~{sname}",
                                   "distance": dist, "radius": min(qradius, sradius)}
            if needs_check:
                ga, gb = grays[a], grays[b]
                if ga is None or gb is None:
                    continue
                mirrored = qname == "mirror"
                if (a, mirrored) not in feats:
                    feats[(a, mirrored)] = verify.features(ga, mirrored=mirrored)
                if (b, False) not in feats:
                    feats[(b, False)] = verify.features(gb)
                verdict = verify.verify(feats[(a, mirrored)], feats[(b, False)], ga, gb, mirrored)
                if not verdict.confirmed_at(None if max(a, b) >= weak_from else dist):  # close rule: trusted hashes
                    continue
                why.update({"inliers": verdict.inliers, "spread": verdict.spread, "scale": verdict.scale,
                            "degrees": verdict.degrees, "overlap": verdict.overlap,
                            "agreement": verdict.agreement, "rule": verdict.rule})
            links.append((a, b, why))
        return links
    finally:
        cv2.setNumThreads(threads)


def _stage(variant: str) -> str:
    if variant == "mirror":
        return "dihedral"
    return "probe" if "rotate" in variant else "border"
