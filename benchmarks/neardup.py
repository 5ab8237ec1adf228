"""Near-duplicate benchmark (issue #16): recall per transform and false matches, plain PDQ beside winnow, on real
photographs that scikit-image ships (and tiles of them) and, separately, on winnow's synthetic photos.

Every image goes through what ingest does (`winnow.signals.image.analyse`: PDQ of the full image, the 256-px
thumbnail) and what `winnow match` does with it, in three settings:
- **plain PDQ**: Meta's `pdqhash` of the query against `pdqhash` of the references, distance <= 31;
- **winnow, hash-only set** (agency hash sets: only the references' PDQ is known): the query's PDQ and mirror
  (<= 31), its border-removed pictures (<= 31) and its probes (<= PROBE_RADIUS);
- **winnow, reference pixels** (case items against each other, or a reference set winnow built): what the
  hash-only setting accepts, plus candidates through the references' stored variants (crops, rotations,
  border-removed; any pair within 31) and through SIFT votes (`verify.FeatureIndex`), each confirmed by SIFT +
  RANSAC and the pixel check on the thumbnails (`verify.Verdict.confirmed`).
A false match is a query matched to any reference other than its own; all (query, other reference) pairs count.

Goals: recall >= 0.99 on resize/JPEG/gray/mirror/letterbox, >= 0.95 on crop 5 % and rotate 3 deg, >= 0.85 on crop
10 % and rotate 5 deg, 0 false matches; >= 1,000 query images/s against 10M stored hashes with the cheap stages.

Prediction (written before the first winnow run, after the plain-PDQ baseline): plain PDQ ~1.0 on resize, JPEG,
gray, watermark; 0 on mirror, ~0 on letterbox/crop/rotate (the issue's figures). Hash-only winnow: letterbox
and screenshot ~0.95 (border removal), rotate 3 deg ~0.9, crop 5 % ~0.7, crop 10 % / rotate 5 deg ~0.5 (query
probes cannot bring back a cropped margin). With reference pixels: >= 0.95 everywhere, 0 false matches after
verification. Throughput ~2,000 images/s (two radius-31 lookups plus ~10 cheap radius-21 probes per image).
Result (docs/neardup.md): the synthetic set met the goals (crops only with reference pixels); the real photographs
did not (plain PDQ itself is fragile there: resize 0.88); 2 false matches on the tiles (a mirror look-alike);
~62 images/s on a loaded machine, ~18x a plain PDQ lookup.

Third session (2026-12-03). Parameters were set on the synthetic set and on scikit-image's photographs and tiles,
which earlier sessions had already looked at (so they are a development set now, not held out); the second set
(`--set second`) is the held-out one, run once at the end. Changes: variants hashed with PDQ's own tent at the
original's scale (`neardup.Sampler`), symmetric border removal, store-side crops of the picture as it is, SIFT
verification with a pixel check, a SIFT-vote candidate stage in the reference setting, rotation probes chosen
from the corners' wedges. Prediction for the second set, written before its run: full photos hash-only 1.00 on
resize/JPEG/gray/mirror/letterbox/rotate 3 deg, rotate 5 deg ~0.7-1.0, crops 0; reference pixels 1.00 on all
(crops, screenshot included); tiles hash-only letterbox ~0.9, rotate 3 deg ~0.75, rotate 5 deg ~0.65; reference
crop 5 % ~0.95, crop 10 % ~0.9, rotations >= 0.95, letterbox >= 0.95; 0 false matches. Throughput: the cheap
stages ~4-8x the cost of a plain PDQ lookup (wedge-chosen probes: ~1 probe lookup per image instead of 12).
Results: docs/neardup.md ("Third session").

Fourth session (2026-12-03): throughput of the cheap stages (merged bucket table, shared blurs and band counts,
thumbnails hashed in worker processes), corners read on the whole picture first (a rotation on its own canvas is
probed without border removal, its wedges filled, trusted at 31; blind probes at 21), and `winnow hashset build`.
Tuned on the development set only (synthetic + scikit-image). Prediction for the second (held-out) set, written
before its run: reference-pixel figures unchanged (store side and verification did not change); hash-only
rotate 3 deg tiles 0.71 -> ~0.85 and rotate 5 deg tiles 0.71 -> ~0.80, full photos 0.67 -> 0.67-1.00 (three
photos); letterbox unchanged (tiles 0.94, full 1.00); 0 false matches. Throughput at 10M stored hashes: ~1,000
images/s on a quiet machine, ~9x a plain lookup. Results: docs/neardup.md ("Fourth session").

Sixth session (2026-12-07): verification's close-distance rule (a hash pair within 16 bits needs 6 inliers and
no spread, the pixel check unchanged), queries below PDQ quality 50 verified with reference pixels (never matched
by hash), the border-removed hashes read at ingest on the decode (`images.pdq_borders`, looked up as `trim@full`).
Set on the development set only (synthetic + scikit-image). Prediction for the third (held-out) set, written
before its only run: full photos (5) plain PDQ ~1.0 on resize/JPEG/gray (aero, an aerial texture, may miss the
resize), hash-only mirror and letterbox 1.00, rotate 3/5 deg ~0.8, crops 0; reference pixels 1.00 on every
transform. Tiles: hash-only letterbox ~0.9 (dark-edged micrograph tiles), rotate 3/5 deg ~0.8/~0.75; reference
pixels crop 5/10 % ~0.95/~0.9, rotations and letterbox >= 0.95, resize ~0.95; 0 false matches everywhere.
Results: docs/neardup.md ("Sixth session"): better than predicted (tiles: hash-only rotations 0.92 / 0.96, crops
with reference pixels 1.00 in the blind run), 0 false matches.

Usage: python benchmarks/neardup.py [--set real|synthetic|both|second|third|none] [--scale N] [--synthetic N]
    [--no-features]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the `winnow` command sets it, before numpy loads

import argparse
import hashlib
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

import neardup_data as data  # noqa: E402

from winnow.match import verify  # noqa: E402
from winnow.match.hamming import HammingIndex, to_codes  # noqa: E402
from winnow.signals import neardup  # noqa: E402
from winnow.signals.image import analyse, bits_to_hex  # noqa: E402
from winnow.signals.pdq import DIHEDRAL, MIN_QUALITY  # noqa: E402

PLAIN = 31
FEATURE_STAGE = True  # --no-features: the reference setting without the local-feature candidate stage


@dataclass
class Seen:
    """One image as ingest leaves it: winnow's PDQ, the mirror's, Meta's PDQ, the thumbnail's gray pixels."""
    pdq: str
    quality: int
    mirror: str
    plain: str
    plain_quality: int
    gray: np.ndarray
    size: tuple[int, int]  # (height, width) of the image the thumbnail shows
    variants: list[neardup.Variant] = field(default_factory=list)
    feats: verify.Features | None = None
    borders: list[neardup.Variant] = field(default_factory=list)  # ingest's border-removed hashes (on the decode)


def ingest(blob: bytes, folder: Path) -> Seen:
    import pdqhash

    sha = hashlib.sha256(blob).hexdigest()
    result = analyse(blob, sha256=sha, thumbs=folder, max_pixels=200_000_000, pdq_size=256, thumbnail_size=256,
                     thumbnail_quality=80)
    v = result.values
    flips = v["pdq_dihedral"]
    k = DIHEDRAL.index("flipy") - 1  # Meta's flipy is the left-right mirror
    with Image.open(folder.parent / v["thumbnail"]) as t:
        gray = neardup.gray_of(t)
    import io

    with Image.open(io.BytesIO(blob)) as im:
        bits, q = pdqhash.compute(np.asarray(im.convert("RGB")))
    borders = [neardup.Variant(n, h, int(bq), neardup.TRIM_RADIUS) for n, h, bq in
               __import__("json").loads(v.get("pdq_borders") or "[]")]
    return Seen(v["pdq"], v["pdq_quality"], flips[k * 64:(k + 1) * 64], bits_to_hex(bits), int(q), gray,
                (v["height"], v["width"]), borders=borders)


def hamming(a: list[str], b: list[str]) -> np.ndarray:
    from winnow.match.hamming import distances

    ca, cb = to_codes(a), to_codes(b)
    return distances(ca[:, None, :], cb[None, :, :])


def evaluate(name: str, images: list[tuple[str, Image.Image]], folder: Path) -> dict[str, object]:
    refs_all = [ingest(data.reference_bytes(im), folder) for _, im in images]
    keep = [i for i, r in enumerate(refs_all) if r.plain_quality >= MIN_QUALITY]
    refs = [refs_all[i] for i in keep]
    names = [images[i][0] for i in keep]
    for r in refs:
        r.variants = neardup.store_variants(r.gray, r.size)
        r.feats = verify.features(r.gray)
    features_stage = verify.FeatureIndex([r.feats for r in refs if r.feats is not None]) if FEATURE_STAGE else None
    vote_seconds, vote_calls = 0.0, 0
    ref_plain = [r.plain for r in refs]
    # stored hashes with reference pixels: plain PDQ (radius 31) + the stored variants
    store_hex, store_owner, store_radius, store_name = [], [], [], []
    for j, r in enumerate(refs):
        for v in [neardup.Variant("pdq", r.plain, r.plain_quality, PLAIN), *r.variants]:
            if v.quality >= MIN_QUALITY:
                store_hex.append(v.pdq)
                store_owner.append(j)
                store_radius.append(v.radius)
                store_name.append(v.name)
    owner = np.array(store_owner)
    rows: dict[str, dict[str, float]] = {}
    false = {"plain": 0, "hash-only": 0, "reference": 0, "reference-unverified": 0}
    pairs = 0
    verify_seconds, verify_calls = 0.0, 0
    wrong: list[str] = []
    true_verdicts: list[verify.Verdict] = []
    false_verdicts: list[verify.Verdict] = []
    low_quality_queries = 0
    true_distances: list[int] = []  # aligned with the verdicts: the candidate's closest hash distance (999: votes)
    false_distances: list[int] = []
    feature_seconds, feature_calls = 0.0, 0
    for tname, fn in data.TRANSFORMS.items():
        hits = {"plain": 0, "hash-only": 0, "reference": 0}
        for i, nm in enumerate(names):
            im = dict(images)[nm]
            q = ingest(fn(im, i), folder)
            pairs += len(refs) - 1
            # plain PDQ
            d = hamming([q.plain], ref_plain)[0]
            found = set(np.nonzero(d <= PLAIN)[0].tolist())
            hits["plain"] += i in found
            false["plain"] += len(found - {i})
            # a query below PDQ quality 50 is not looked up by its hashes (Meta's rule: they are unreliable);
            # with reference pixels its hash and vote candidates are still verified like any other
            low = q.quality < MIN_QUALITY
            variants = [neardup.Variant("pdq", q.pdq, q.quality, PLAIN),
                        neardup.Variant("mirror", q.mirror, q.quality, PLAIN),
                        *[v for v in neardup.with_borders(q.borders, neardup.query_variants(q.gray, q.size))
                          if low or v.quality >= MIN_QUALITY]]
            qd = hamming([v.pdq for v in variants], ref_plain)
            radius = np.array([v.radius for v in variants])[:, None]
            found = set() if low else set(np.nonzero((qd <= radius).any(axis=0))[0].tolist())
            low_quality_queries += low
            hits["hash-only"] += i in found
            false["hash-only"] += len(found - {i})
            for j in sorted(found - {i}):
                a = int(np.argmin(np.where(qd[:, j] <= radius[:, 0], qd[:, j], 999)))
                wrong.append(f"hash-only: {tname} of {nm} -> {names[j]} via {variants[a].name} at {qd[a, j]}")
            # reference pixels: every pair within 31 is a candidate, verified by local features
            sd = hamming([v.pdq for v in variants], store_hex)
            cand_rows, cand_cols = np.nonzero(sd <= PLAIN)
            candidates: dict[int, tuple[str, bool]] = {}
            closest: dict[int, int] = {}  # per candidate reference: the smallest distance of any variant pair
            for a, b in zip(cand_rows.tolist(), cand_cols.tolist(), strict=True):
                j = int(owner[b])
                why = f"{variants[a].name}~{store_name[b]}"
                within = sd[a, b] <= min(variants[a].radius, store_radius[b])
                closest[j] = min(closest.get(j, 999), int(sd[a, b]))
                if j not in candidates or (within and not candidates[j][1]):
                    candidates[j] = (why, bool(within))
            # the local-feature candidate stage: references whose SIFT descriptors the query's vote for
            q_feats: dict[bool, verify.Features] = {}
            if features_stage is not None:
                start = time.perf_counter()
                q_sift = q_feats[False] = verify.features(q.gray)
                feature_seconds += time.perf_counter() - start
                feature_calls += 1
                start = time.perf_counter()
                for j, _votes in features_stage.candidates(q_sift):
                    if j not in candidates:
                        candidates[j] = ("features~votes", False)
                vote_seconds += time.perf_counter() - start
                vote_calls += 1
            false["reference-unverified"] += len(set(candidates) - {i})
            # what the hash-only setting accepts (the query's PDQ, mirror, border-removed pictures and probes
            # within their radius of a reference's PDQ) stands here too; the candidates that exist only through
            # a stored variant or beyond a probe's radius are verified
            confirmed = set(found)
            for j, (why, _within) in candidates.items():
                if j in confirmed:
                    continue
                qv, _sv = why.split("~")
                mirrored = qv.startswith("mirror")
                if mirrored not in q_feats:
                    start = time.perf_counter()
                    q_feats[mirrored] = verify.features(q.gray, mirrored=mirrored)
                    feature_seconds += time.perf_counter() - start
                    feature_calls += 1
                start = time.perf_counter()
                verdict = verify.verify(q_feats[mirrored], refs[j].feats, q.gray, refs[j].gray,  # type: ignore[arg-type]
                                        mirrored)
                verify_seconds += time.perf_counter() - start
                verify_calls += 1
                (true_verdicts if j == i else false_verdicts).append(verdict)
                (true_distances if j == i else false_distances).append(999 if low else closest.get(j, 999))
                if verdict.confirmed_at(None if low else closest.get(j)):  # the close rule needs trusted hashes
                    confirmed.add(j)
            hits["reference"] += i in confirmed
            false["reference"] += len(confirmed - {i})
            for j in sorted(confirmed - {i}):
                wrong.append(f"reference: {tname} of {nm} -> {names[j]} via {candidates[j][0]}")
        rows[tname] = {k: v / len(refs) for k, v in hits.items()}
        print(f"  [{name}] {tname}: " + ", ".join(f"{k} {v:.2f}" for k, v in rows[tname].items()), file=sys.stderr,
              flush=True)
    return {"name": name, "images": len(refs), "skipped_low_quality": len(refs_all) - len(refs), "rows": rows,
            "false": false, "pairs": pairs, "verify_ms": 1000 * verify_seconds / max(1, verify_calls),
            "verify_calls": verify_calls, "wrong": wrong, "features_ms": 1000 * feature_seconds / max(1, feature_calls),
            "true_verdicts": true_verdicts, "false_verdicts": false_verdicts,
            "true_distances": true_distances, "false_distances": false_distances,
            "low_quality_queries": low_quality_queries,
            "vote_ms": 1000 * vote_seconds / max(1, vote_calls)}


def report(result: dict[str, object]) -> None:
    rows = result["rows"]
    false = result["false"]
    assert isinstance(rows, dict) and isinstance(false, dict)
    print(f"\n### {result['name']}: {result['images']} references ({result['skipped_low_quality']} left out: PDQ "
          f"quality < 50), {len(rows)} transforms, {result['pairs']:,} distinct (query, other reference) pairs\n")
    print("| transform | goal | plain PDQ | winnow hash-only set | ratio | winnow with reference pixels | ratio |")
    print("|---|---|---|---|---|---|---|")
    for tname, r in rows.items():
        goal = data.GOALS.get(tname)

        def ratio(x: float, base: float = r["plain"]) -> str:
            return f"{x / base:.1f}x" if base else ("—" if not x else "∞")
        print(f"| {tname} | {f'≥ {goal:.2f}' if goal else '—'} | {r['plain']:.3f} | {r['hash-only']:.3f} | "
              f"{ratio(r['hash-only'])} | {r['reference']:.3f} | {ratio(r['reference'])} |")
    print(f"| **false matches** | 0 | {false['plain']} | {false['hash-only']} | | {false['reference']} "
          f"({false['reference-unverified']} candidates rejected or kept by verification) | |")
    for line in result["wrong"]:  # type: ignore[attr-defined]
        print(f"- false match, {line}")
    print(f"\nqueries below PDQ quality 50: {result['low_quality_queries']} (not looked up by hash; with reference "
          "pixels their candidates are verified)")
    print(f"verification: {result['verify_calls']:,} candidate pairs, {result['verify_ms']:.2f} ms per pair "
          f"(ratio test + RANSAC), SIFT features {result['features_ms']:.1f} ms per image (once per image), "
          f"feature-index vote {result['vote_ms']:.1f} ms per query")
    true_v, false_v = result["true_verdicts"], result["false_verdicts"]
    true_d, false_d = result["true_distances"], result["false_distances"]
    assert isinstance(true_v, list) and isinstance(false_v, list)
    assert isinstance(true_d, list) and isinstance(false_d, list)
    kept = [v for v, d in zip(true_v, true_d, strict=True) if v.confirmed_at(d)]
    rejected = [v for v, d in zip(true_v, true_d, strict=True) if not v.confirmed_at(d)]
    by_close = sum(not v.confirmed for v in kept)
    nearest_false = min(false_d, default=None)
    print(f"verified true pairs: {len(kept)} of {len(true_v)} confirmed"
          + (f" (fewest inliers {min(v.inliers for v in kept)}, least spread {min(v.spread for v in kept):.2f}, "
             f"least overlap {min(v.overlap for v in kept):.2f}, least agreement "
             f"{min(v.agreement for v in kept):.2f})" if kept else "")
          + f"; rejected true pairs: {len(true_v) - len(kept)}"
          + (f" ({sum(v.inliers < verify.MIN_INLIERS for v in rejected)} with too few inliers)" if rejected else "")
          + f"; confirmed only by the close-distance rule (<= {verify.CLOSE_DISTANCE} bits): {by_close}"
          + f"; other-photo candidates: {len(false_v)}"
          + (f", most inliers {max(v.inliers for v in false_v)}, confirmed "
             f"{sum(v.confirmed_at(d) for v, d in zip(false_v, false_d, strict=True))}, nearest {nearest_false} bits, "
             f"within {verify.CLOSE_DISTANCE} bits {sum(d <= verify.CLOSE_DISTANCE for d in false_d)}"
             if false_v else "")
          + "".join(f"; other photo with {v.inliers} inliers: spread {v.spread:.2f}, overlap {v.overlap:.2f}, "
                    f"agreement {v.agreement:.2f}" for v in
                    [v for v in false_v if v.inliers >= verify.MIN_INLIERS][:6])
          + f" ({sum(v.inliers >= verify.MIN_INLIERS for v in false_v)} other-photo candidates with >= "
            f"{verify.MIN_INLIERS} inliers in all)")


def _profile(pictures: list[neardup.Picture]) -> dict[str, float]:
    """Single-thread milliseconds per picture of the steps `query_variants` takes (for the split table)."""
    grays = []
    out: dict[str, float] = {}
    start = time.perf_counter()
    for picture in pictures:
        grays.append(neardup.load_picture(picture)[0])
    out["decode"] = time.perf_counter() - start
    start = time.perf_counter()
    for g in grays:
        neardup.rotation_reading(g)
    out["corner reading"] = time.perf_counter() - start
    start = time.perf_counter()
    for g in grays:
        neardup.trims(g)
    out["border removal"] = time.perf_counter() - start
    start = time.perf_counter()
    found = [neardup.query_variants(g, p[1]) for g, p in zip(grays, pictures, strict=True)]
    out["all of query_variants"] = time.perf_counter() - start
    result = {k: 1000 * v / len(pictures) for k, v in out.items()}
    result["probes per picture"] = sum(1 for vs in found for v in vs if "rotate" in v.name) / len(pictures)
    result["border-removed pictures per picture"] = sum(1 for vs in found for v in vs if "rotate" not in v.name) / len(
        pictures)
    return result


def throughput(scale: int, images: list[tuple[str, Image.Image]], folder: Path, repeat: int = 120) -> None:
    """Query images/s against `scale` stored hashes (random, plus the real references), the way `winnow match
    --robust` runs: thumbnails decoded and hashed on a thread per core (`neardup.query_variants_many`), then one
    index call per radius for all images (PDQ, mirror and border-removed pictures at 31, probes at
    PROBE_RADIUS). The baseline, plain PDQ (one lookup per image at 31), is timed in the same run."""

    refs = [ingest(data.reference_bytes(im), folder) for _, im in images]
    rng = np.random.default_rng(16)
    codes = np.concatenate([rng.integers(0, 256, (scale - len(refs), 32), dtype=np.uint8),
                            to_codes([r.plain for r in refs])])
    start = time.perf_counter()
    index = HammingIndex(codes, max_radius=31)
    build = time.perf_counter() - start
    kinds = ("rotate 3°", "letterbox 33%", "crop 5%")
    queries = [ingest(data.TRANSFORMS[kinds[i % 3]](im, i), folder) for i, (_, im) in enumerate(images)] * repeat
    index.search(to_codes([q.pdq for q in queries[:256]]), radius=31)  # warm the tables' pages
    pictures: list[neardup.Picture] = []
    for q in queries:
        buf = __import__("io").BytesIO()
        Image.fromarray(q.gray.astype(np.uint8)).save(buf, "JPEG", quality=80)
        pictures.append((buf.getvalue(), q.size))
    profile = _profile(pictures[:len(images) * 10])

    n = len(queries)
    best: dict[str, float] = {}
    first = 0.0
    for _ in range(3):  # best of three: the machine is shared (the first also starts the worker processes)
        start = time.perf_counter()
        variants = neardup.query_variants_many(pictures)
        first = first or time.perf_counter() - start
        best["variants"] = min(best.get("variants", 1e9), time.perf_counter() - start)
        by_radius: dict[int, list[str]] = {31: []}  # as `winnow match` does: one index call per radius
        for q, vs in zip(queries, variants, strict=True):
            by_radius[31] += [q.pdq, q.mirror]
            for v in neardup.with_borders([b for b in q.borders if b.quality >= MIN_QUALITY], vs or []):
                by_radius.setdefault(min(v.radius, 31), []).append(v.pdq)
        hits = 0
        for radius, hexes in sorted(by_radius.items(), reverse=True):
            start = time.perf_counter()
            hits += len(index.search(to_codes(hexes), radius=radius)[0])
            best[f"r{radius}"] = min(best.get(f"r{radius}", 1e9), time.perf_counter() - start)
        start = time.perf_counter()
        index.search(to_codes([q.pdq for q in queries]), radius=31)
        best["plain"] = min(best.get("plain", 1e9), time.perf_counter() - start)
    total = best["variants"] + sum(v for k, v in best.items() if k.startswith("r"))
    lookups = sum(len(h) for h in by_radius.values())
    stored = sum(1 for q in queries for v in q.borders if v.quality >= MIN_QUALITY)  # read at ingest: no work here
    replaced = sum(1 for q, vs in zip(queries, variants, strict=True) if q.borders
                   for v in vs or [] if v.name in neardup.REPLACED)  # computed, then not looked up
    print(f"\n### throughput against {scale:,} stored hashes (index build {build:.0f} s), {n} query images, "
          f"best of 3\n")
    print("Single-thread split of the variant computation (ms per picture): "
          + ", ".join(f"{k} {v:.3f}" for k, v in profile.items() if "per picture" not in k)
          + f"; probes per picture {profile['probes per picture']:.2f}, border-removed pictures per picture "
            f"{profile['border-removed pictures per picture']:.2f}\n")
    print("| stage | lookups per image | seconds | images/s |")
    print("|---|---|---|---|")
    print(f"| thumbnail decode + border removal + wedge check + variant hashes ({os.cpu_count()} processes) | "
          f"{(lookups - stored + replaced) / n - 2:.1f} hashes | {best['variants']:.2f} | "
          f"{n / best['variants']:,.0f} |")
    for radius, hexes in sorted(by_radius.items(), reverse=True):
        what = ("PDQ, mirror, border-removed (ingest's and the thumbnail's), wedge-read probes" if radius == 31 else
                "blind probes (unclear corners)" if radius == neardup.PROBE_RADIUS else "variants")
        t = best[f"r{radius}"]
        print(f"| index: {what} at radius {radius} | {len(hexes) / n:.1f} | {t:.2f} | {n / t:,.0f} |")
    print(f"| **all cheap stages** | {lookups / n:.1f} | {total:.2f} | **{n / total:,.0f}** |")
    print(f"| plain PDQ lookup only (baseline, same run) | 1 | {best['plain']:.2f} | {n / best['plain']:,.0f} |")
    print(f"| **ratio: robust cost / plain cost** | | | **{total / best['plain']:.1f}x** |")
    print(f"\n(hits: {hits}; the variant stage's first run, which also started the worker processes: "
          f"{first:.2f} s)")


def main() -> None:
    import cv2

    cv2.setNumThreads(1)  # one thread per process: the small warps cost more to hand out than to run
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=["real", "synthetic", "both", "second", "third", "none"], default="both")
    parser.add_argument("--synthetic", type=int, default=60, help="synthetic photos")
    parser.add_argument("--scale", type=int, default=10_000_000, help="stored hashes for the throughput run (0: skip)")
    parser.add_argument("--no-features", action="store_true", help="no local-feature candidate stage")
    args = parser.parse_args()
    global FEATURE_STAGE
    FEATURE_STAGE = not args.no_features
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "thumbs"
        folder.mkdir()
        if args.set in ("synthetic", "both"):
            report(evaluate("synthetic photos (tuning set)", data.synthetic(args.synthetic), folder))
        if args.set in ("real", "both"):
            photos = data.real_photos()
            report(evaluate("real photographs (scikit-image, development set)", photos, folder))
            report(evaluate("tiles of the real photographs (development set)", data.tiles(photos), folder))
        if args.set == "second":  # the second held-out set: run once, never tuned on
            second = data.second_photos()
            report(evaluate("second held-out set (scikit-learn china/flower, matplotlib grace_hopper)", second,
                            folder))
            report(evaluate("tiles of the second held-out set", data.tiles(second), folder))
        if args.set == "third":  # the third held-out set (sixth session): run once, never tuned on
            third = data.third_photos()
            report(evaluate("third held-out set (mahotas DepartmentStore/luispedro/nuclear, PyWavelets aero/ascent)",
                            third, folder))
            report(evaluate("tiles of the third held-out set", data.tiles(third), folder))
        if args.scale:
            throughput(args.scale, data.real_photos(), folder)


if __name__ == "__main__":
    main()
