"""`winnow triage`: a state for every content (alert, alert-near, ignorable, unknown), near-duplicate stacks of
the case's images (connected components at PDQ <= 31), and the review queue: unknown first, ordered so that what
most likely shows new material comes first. The rules are in docs/triage.md; each row keeps its reasons."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from winnow.hashsets.library import Library
from winnow.match.hamming import HammingIndex, to_codes
from winnow.match.matcher import MIN_QUALITY
from winnow.match.robust import describe
from winnow.store import audit
from winnow.store import triage as store
from winnow.store.case import Case

STACK_DISTANCE = 31
NEAR_MISS = (32, 52)
STATE_ORDER = {"unknown": 0, "alert-near": 1, "alert": 2}
REVIEWED_KINDS = ("image", "video")  # the queue is for media; other contents get a state, not a place


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _states(conn: Any, kinds: dict[str, str]) -> dict[str, dict[str, Any]]:
    states: dict[str, dict[str, Any]] = {}
    for sha in kinds:
        states[sha] = {"state": "unknown", "distance": None, "category": None, "series": None, "reasons": []}
    rows = store.matches(conn)
    for sha, set_name, kind, hash_type, distance, transform, category, series, q_share, i_share, why in rows:
        s = states.get(sha)
        if s is None:
            continue
        exact = transform == "exact"
        if kind == "alert" and exact:
            new = "alert"
        elif kind == "alert":
            new = "alert-near"
        elif exact:
            new = "ignorable"
        else:
            continue  # a near match to known-good material decides nothing
        rank = {"unknown": 0, "ignorable": 1, "alert-near": 2, "alert": 3}
        if hash_type == "vpdq":
            how = f"video: {q_share:.0%} of its frames in a known video ({i_share:.0%} of that video's frames)"
        elif hash_type == "vpdq-frame":
            how = f"frame grab of a known video (PDQ distance {distance})"
        elif why:
            how = f"near-duplicate ({describe(transform, why)})"
        else:
            how = "exact " + hash_type if exact else f"PDQ distance {distance}" + (
                f" ({transform})" if transform != "original" else "")
        s["reasons"].append(f"{how} in {kind} set {set_name!r}" + (f", category {category}" if category else ""))
        if rank[new] > rank[s["state"]]:
            s["state"] = new
        if kind == "alert":
            if s["distance"] is None or distance < s["distance"]:
                s["distance"] = distance
            s["category"] = s["category"] or category
            s["series"] = s["series"] or series
    return states


def _stacks(images: list[tuple[str, str, int, int]],
            links: list[tuple[int, int, dict[str, Any]]] | None = None,
            pairs: set[tuple[int, int]] | None = None, plain: int | None = None) -> dict[str, tuple[int, int, bool]]:
    """sha256 -> (stack id, stack size, is representative) for images in stacks of two or more; `links` are
    extra edges (`triage --robust`); `pairs`, when given, receives the plain-PDQ edges; only the first `plain`
    images (default: all) are stacked by PDQ (the rest, below PDQ quality 50, only through `links`)."""
    if not images:
        return {}
    codes = to_codes([pdq for _, pdq, _, _ in images[:plain]])
    index = HammingIndex(codes, max_radius=STACK_DISTANCE)
    q, ids, _ = index.search(codes)
    uf = _UnionFind(len(images))
    for a, b in zip(q.tolist(), ids.tolist(), strict=True):
        if a != b:
            uf.union(a, b)
            if pairs is not None:
                pairs.add((min(a, b), max(a, b)))
    for a, b, _ in links or ():
        uf.union(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(images)):
        groups[uf.find(i)].append(i)
    result: dict[str, tuple[int, int, bool]] = {}
    stack_id = 0
    for members in sorted(groups.values(), key=lambda m: min(images[i][0] for i in m)):
        if len(members) < 2:
            continue
        stack_id += 1
        # representative: most pixels, then lowest SHA-256 (deterministic)
        rep = max(members, key=lambda i: (images[i][2], -int(images[i][0][:8], 16)))
        for i in members:
            result[images[i][0]] = (stack_id, len(members), i == rep)
    return result


def _robust_links(case: Case, rows: list[Any], images: list[tuple[str, str, int, int]], good: int
                  ) -> list[tuple[int, int, dict[str, Any]]]:
    from winnow.match.robust import case_links

    plain: set[tuple[int, int]] = set()
    _stacks(images, pairs=plain, plain=good)
    return case_links(case.root, rows, plain, weak_from=good)


def _video_groups(conn: Any, first_id: int) -> dict[str, tuple[int, int, bool]]:
    """Videos linked as duplicates or clips form a stack too (reviewed once): the longest is the representative."""
    links = store.video_links(conn)
    if not links:
        return {}
    durations = store.video_durations(conn)
    members = sorted({x for pair in links for x in pair})
    index = {sha: i for i, sha in enumerate(members)}
    uf = _UnionFind(len(members))
    for a, b in links:
        uf.union(index[a], index[b])
    groups: dict[int, list[str]] = defaultdict(list)
    for sha in members:
        groups[uf.find(index[sha])].append(sha)
    result: dict[str, tuple[int, int, bool]] = {}
    for n, group in enumerate(sorted(groups.values())):
        rep = max(group, key=lambda s: (durations.get(s, 0), s))
        for sha in group:
            result[sha] = (first_id + n, len(group), sha == rep)
    return result


NEAR_MISS_BUDGET = 300_000_000  # candidate checks allowed for the near-miss tier (a few minutes at most)


def _near_misses(library: Library | None, unknown: list[tuple[str, str]],
                 skipped: list[str]) -> dict[str, tuple[int, str]]:
    """sha256 -> (distance, set) for unknown images 32..52 bits from an alert set's PDQ. A radius of 52 needs
    far more probes than 31; sets too large for the budget are skipped and named in the summary."""
    found: dict[str, tuple[int, str]] = {}
    if library is None or not unknown:
        return found
    queries = to_codes([pdq for _, pdq in unknown])
    for info in library.sets():
        if info.kind != "alert" or not info.pdq_path.exists():
            continue
        size = info.counts.get("pdq", 0)
        if len(unknown) * 16 * 697 * max(1.0, size / 65536) > NEAR_MISS_BUDGET:
            skipped.append(info.name)
            continue
        index = HammingIndex(np.load(info.pdq_path), max_radius=NEAR_MISS[1])
        q, _, d = index.search(queries)
        for qi, dist in zip(q.tolist(), d.tolist(), strict=True):
            if dist >= NEAR_MISS[0]:
                sha = unknown[qi][0]
                if sha not in found or dist < found[sha][0]:
                    found[sha] = (dist, info.name)
    return found


def triage(case: Case, library: Library | None = None, robust: bool = False) -> dict[str, Any]:
    conn = case.connect()
    try:
        audit.append(conn, "triage", {"library": str(library.root) if library else None, "robust": robust})
        kinds = store.content_kinds(conn)
        states = _states(conn, kinds)
        image_rows = store.stack_images(conn, MIN_QUALITY)
        good = len(image_rows)  # --robust: images below PDQ quality 50 follow, linked by their pixels only
        if robust:
            image_rows = [*image_rows, *store.weak_images(conn, MIN_QUALITY)]
        images = [(r[0], r[1], r[2] or 0, r[3]) for r in image_rows]
        links = _robust_links(case, image_rows, images, good) if robust else []
        stacks = _stacks(images, links, plain=good)
        stacks.update(_video_groups(conn, 1 + max((s[0] for s in stacks.values()), default=0)))
        unknown_images = [(sha, pdq) for sha, pdq, _, _ in images[:good] if states[sha]["state"] == "unknown"]
        near_skipped: list[str] = []
        near = _near_misses(library, unknown_images, near_skipped)
        # where each content occurs: parents (folders, archives) and first chain
        parents: dict[str, set[str]] = defaultdict(set)
        first_chain: dict[str, str] = {}
        for sha, parent, chain in store.occurrences(conn):
            parents[sha].add(parent)
            first_chain.setdefault(sha, chain)
        alert_parents: dict[str, list[str]] = defaultdict(list)
        for sha, s in states.items():
            if s["state"] in ("alert", "alert-near"):
                for p in parents[sha]:
                    alert_parents[p].append(s["series"] or "")
        stack_alert = {stacks[sha][0] for sha, s in states.items()
                       if sha in stacks and s["state"] in ("alert", "alert-near")}
        for a, b, why in links:
            text = describe(why["variant"], json.dumps(why))
            states[images[a][0]]["reasons"].append(f"near-duplicate of {images[b][0][:12]} in this case ({text})")
            states[images[b][0]]["reasons"].append(f"near-duplicate of {images[a][0][:12]} in this case ({text})")
        keys: list[tuple[Any, ...]] = []
        for sha, s in states.items():
            stack = stacks.get(sha)
            if stack:
                s["reasons"].append(f"near-duplicate stack {stack[0]} ({stack[1]} items"
                                    + (", representative)" if stack[2] else ")"))
            if s["state"] == "ignorable" or kinds.get(sha) not in REVIEWED_KINDS:
                continue
            tier = 3
            if s["state"] == "unknown":
                tier = 2
                hot = [p for p in parents[sha] if p in alert_parents]
                if hot:
                    tier = 0
                    series = sorted({x for p in hot for x in alert_parents[p] if x})
                    s["reasons"].append(f"in {hot[0]!r} with {len(alert_parents[hot[0]])} alert items"
                                        + (f" (series {', '.join(series)})" if series else ""))
                if stack and stack[0] in stack_alert:
                    tier = 0
                    s["reasons"].append("in a near-duplicate stack with alert content")
                if sha in near:
                    tier = min(tier, 1)
                    s["reasons"].append(f"near miss: PDQ distance {near[sha][0]} to alert set {near[sha][1]!r}")
            member = 1 if stack and not stack[2] else 0
            keys.append((STATE_ORDER[s["state"]], tier, member, first_chain.get(sha, "~"), sha))
        keys.sort()
        rank_of = {k[-1]: i + 1 for i, k in enumerate(keys)}
        rows = []
        for sha, s in states.items():
            stack = stacks.get(sha)
            rows.append((sha, s["state"], s["distance"], s["category"], s["series"],
                         stack[0] if stack else None, stack[1] if stack else None, rank_of.get(sha),
                         json.dumps(s["reasons"], ensure_ascii=False)))
        store.replace(conn, rows)
        summary = summarize(case)
        if robust:
            summary["robust_links"] = len(links)
        if near_skipped:
            summary["near_miss_skipped_sets"] = near_skipped
        return summary
    finally:
        conn.close()


def summarize(case: Case, top: int = 20) -> dict[str, Any]:
    conn = case.connect(readonly=True)
    try:
        by_state = Counter(store.counts_by_state(conn))
        by_category = store.alert_categories(conn)
        by_source: dict[str, dict[str, int]] = defaultdict(dict)
        for path, state, n in store.states_by_source(conn):
            by_source[path][state] = n
        queue = [dict(r) | {"reasons": json.loads(r["reasons"])} for r in store.queue_head(conn, top)]
        return {"case": str(case.root), "by_state": dict(by_state), "by_category": by_category,
                "by_source": dict(by_source), "stacks": store.stack_count(conn),
                "queue_length": store.queue_length(conn), "queue_head": queue}
    finally:
        conn.close()


def queue_rows(case: Case) -> list[dict[str, Any]]:
    conn = case.connect(readonly=True)
    try:
        return [dict(r) for r in store.queue(conn)]
    finally:
        conn.close()
