"""Video matching with vPDQ rules: frames match at PDQ <= 31 with quality >= 50; a query video matches a known
video when the share of its frames that match (query share) and the share of the known video's frames that are
matched (index share) pass thresholds (defaults 80 % / 0 %). Both shares are stored. Within the case: duplicate
videos (both shares pass) and clips (a shorter video whose frames are in a longer one); frame grabs: still
images whose PDQ matches a frame of a case or known video."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from winnow.hashsets.library import Library
from winnow.match.hamming import HammingIndex, to_codes
from winnow.signals import vpdq
from winnow.signals.pdq import MIN_QUALITY
from winnow.store import db, matching
from winnow.store import hashset_library as hsdb
from winnow.store.db import Connection

FRAME_DISTANCE = 31


@dataclass
class Frames:
    """All frames of many videos, flattened: owner video of each row."""

    owners: list[str]
    codes: np.ndarray
    seconds: list[float]
    counts: dict[str, int]


def _frames(videos: dict[str, list[vpdq.Feature]]) -> Frames:
    owners, hexes, seconds = [], [], []
    counts: dict[str, int] = {}
    for video, features in videos.items():
        good = [f for f in features if f.quality >= MIN_QUALITY]
        counts[video] = len(good)
        for f in good:
            owners.append(video)
            hexes.append(f.pdq)
            seconds.append(f.seconds)
    return Frames(owners, to_codes(hexes), seconds, counts)


Shares = dict[tuple[str, str], tuple[float, float, int, int]]


def shares(query: Frames, index: Frames, distance: int = FRAME_DISTANCE) -> Shares:
    """(query video, index video) -> (query share, index share, best frame distance, index row of that frame)."""
    if not len(query.codes) or not len(index.codes):
        return {}
    q, ids, d = HammingIndex(index.codes, max_radius=distance).search(query.codes, radius=distance)
    matched_q: dict[tuple[str, str], set[int]] = defaultdict(set)
    matched_i: dict[tuple[str, str], set[int]] = defaultdict(set)
    best: dict[tuple[str, str], tuple[int, int]] = {}
    for qi, ii, dist in zip(q.tolist(), ids.tolist(), d.tolist(), strict=True):
        pair = (query.owners[qi], index.owners[ii])
        matched_q[pair].add(qi)
        matched_i[pair].add(ii)
        if pair not in best or dist < best[pair][0]:
            best[pair] = (dist, ii)
    return {pair: (len(matched_q[pair]) / max(1, query.counts[pair[0]]),
                   len(matched_i[pair]) / max(1, index.counts[pair[1]]), *best[pair]) for pair in matched_q}


def case_videos(conn: Connection) -> tuple[dict[str, list[vpdq.Feature]], dict[str, float]]:
    videos, durations = {}, {}
    for sha, blob, duration in matching.video_signatures(conn):
        features = vpdq.unpack(blob)
        if features:
            videos[sha] = features
            durations[sha] = duration or (features[-1].seconds if features else 0.0)
    return videos, durations


def known_videos(library: Library) -> list[tuple[Any, dict[str, list[vpdq.Feature]]]]:
    found = []
    for info in library.sets():
        if not info.counts.get("vpdq"):
            continue
        with contextlib.closing(hsdb.open_readonly(info.path)) as conn:
            videos: dict[str, list[vpdq.Feature]] = defaultdict(list)
            for video, frame, quality, pdq, seconds in hsdb.vpdq_frames(conn):
                videos[video].append(vpdq.Feature(frame, quality, pdq, seconds))
        found.append((info, dict(videos)))
    return found


def match_videos(conn: Connection, library: Library, query_threshold: float = 0.8,
                 index_threshold: float = 0.0) -> dict[str, Any]:
    """Writes video matches (hash_type 'vpdq'), frame-grab matches ('vpdq-frame'), video_links and frame_grabs;
    recomputed from scratch each time (cheap next to decoding)."""
    videos, durations = case_videos(conn)
    case_frames = _frames(videos)
    images = matching.image_pdqs(conn, MIN_QUALITY)
    image_frames = Frames([r[0] for r in images], to_codes([r[1] for r in images]), [0.0] * len(images),
                          {r[0]: 1 for r in images})
    summary: dict[str, Any] = {"case_videos": len(videos), "known_video_matches": 0, "duplicates": 0, "clips": 0,
                               "frame_grabs": 0}
    with db.write(conn):
        matching.clear_video_matches(conn)
        for info, known in known_videos(library):
            known_frames = _frames(known)
            for (sha, video), (q_share, i_share, best, _) in shares(case_frames, known_frames).items():
                if q_share >= query_threshold and i_share >= index_threshold:
                    matching.add_video_match(conn, (sha, info.name, info.version, info.kind, "vpdq", video, best,
                                                    "original", round(q_share, 4), round(i_share, 4)))
                    summary["known_video_matches"] += 1
            for (image, video), (_, _, best, row) in shares(image_frames, known_frames).items():
                matching.add_video_match(conn, (image, info.name, info.version, info.kind, "vpdq-frame", video, best,
                                                "original", None, None))
                matching.add_frame_grab(conn, (image, info.name, video, known_frames.seconds[row], best))
                summary["frame_grabs"] += 1
        for (a, b), (share_a, share_b, _, _) in shares(case_frames, case_frames).items():
            if a >= b:
                continue
            similar = abs(durations[a] - durations[b]) <= max(1.0, 0.1 * max(durations[a], durations[b]))
            if share_a >= query_threshold and share_b >= query_threshold and similar:
                relation = "duplicate"
            elif share_a >= query_threshold and durations[a] < durations[b]:
                relation = "clip"  # a is contained in b
            elif share_b >= query_threshold and durations[b] < durations[a]:
                a, b, share_a, share_b = b, a, share_b, share_a
                relation = "clip"
            else:
                continue
            matching.add_video_link(conn, (a, b, relation, round(share_a, 4), round(share_b, 4)))
            summary["duplicates" if relation == "duplicate" else "clips"] += 1
        grab_pairs = shares(image_frames, case_frames)
        for (image, video), (_, _, best, row) in grab_pairs.items():
            matching.add_frame_grab(conn, (image, "case", video, case_frames.seconds[row], best))
            summary["frame_grabs"] += 1
    return summary
