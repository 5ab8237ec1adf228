"""`winnow match --robust`: the query side of near-duplicate matching against hash-only sets.

Agency sets carry only the PDQ of each known image, so everything robust happens to the case image: besides its
PDQ it is looked up as its mirror (Meta's `flipy`, at the set's distance), its border-removed pictures (at the
set's distance) and its rotation probes (at `neardup.PROBE_RADIUS`, closer: each probe is one more chance of a
chance match), all computed from the thumbnail the case store keeps — evidence is not read again. Every match
stores its evidence (stage, variant, distance, radius) as JSON in `matches.evidence`; `docs/neardup.md` says
which transforms this reaches and which need the reference pixels.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from winnow.match import neardup
from winnow.signals.pdq import DIHEDRAL

MIRROR = DIHEDRAL.index("flipy") - 1  # position of the left-right mirror in images.pdq_dihedral


def query_rows(case_root: Path, rows: list[Any], distance: int, skipped: dict[str, int],
               min_quality: int) -> list[tuple[str, str, str, int, str]]:
    """(sha256, transform, pdq hex, radius, stage) for every extra lookup of the case images `rows`."""
    import cv2

    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)  # the warps are tiny: handing them to threads costs more than running them
    out: list[tuple[str, str, str, int, str]] = []
    try:
        for r in rows:
            if r["pdq_dihedral"]:
                out.append((r["sha256"], "mirror", r["pdq_dihedral"][MIRROR * 64:(MIRROR + 1) * 64], distance,
                            "dihedral"))
            gray = _thumbnail(case_root, r["thumbnail"])
            if gray is None:
                skipped["no_thumbnail"] = skipped.get("no_thumbnail", 0) + 1
                continue
            for v in neardup.query_variants(gray, _original(r, gray)):
                if v.quality < min_quality:
                    continue
                stage = "border" if v.radius == neardup.TRIM_RADIUS and "rotate" not in v.name else "probe"
                out.append((r["sha256"], v.name, v.pdq, min(v.radius, distance), stage))
    finally:
        cv2.setNumThreads(threads)
    return out


def _original(row: Any, gray: np.ndarray) -> tuple[int, int] | None:
    """(height, width) of the image the thumbnail shows: the stored pixels' size, turned when the thumbnail was
    turned upright (EXIF orientation); None when unknown (the variants then assume a large image)."""
    keys = row.keys() if hasattr(row, "keys") else ()
    width, height = (row["width"], row["height"]) if "width" in keys and "height" in keys else (None, None)
    if not width or not height:
        return None
    if (width > height) != (gray.shape[1] > gray.shape[0]) and width != height:
        width, height = height, width
    return int(height), int(width)


def _thumbnail(case_root: Path, relative: str | None) -> np.ndarray | None:
    if not relative:
        return None
    return neardup.gray_of_file(case_root / relative)


def evidence(stage: str, variant: str, dist: int, radius: int) -> str:
    return json.dumps({"stage": stage, "variant": variant, "distance": dist, "radius": radius})


def describe(transform: str, evidence_json: str | None) -> str:
    """One line for triage reasons and the review page."""
    if not evidence_json:
        return transform
    e: dict[str, Any] = json.loads(evidence_json)
    text = f"{e.get('stage')} {e.get('variant')}, distance {e.get('distance')} <= {e.get('radius')}"
    if e.get("inliers") is not None:
        text += f", {e['inliers']} ORB inliers"
    return text
