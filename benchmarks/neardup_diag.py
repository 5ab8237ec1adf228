"""Diagnostics behind `benchmarks/neardup.py`'s real-photo figures: where PDQ itself loses bits, and whether a
C++ index (faiss) would lift the lookup throughput.

1. **Per photograph** (scikit-image's, the held-out set): distance between winnow's ingest PDQ and Meta's
   `pdqhash` of the same reference, and, for resize 50 % and mirror, the distance each gets to its reference
   with Meta's `pdqhash` (resize) and with ingest's mirror hash (`flipy` of the query's DCT, as `--dihedral`
   and `--robust` look it up). The question was whether ingest's PDQ loses bits (a bug): if the first column
   is 0 everywhere and Meta's own resize distance is the same as ours, it does not.
2. **Index**: winnow's `HammingIndex` against faiss's `IndexBinaryMultiHash` (exact in C++ when
   nhash x (nflip + 1) > radius) on the same random codes and queries, radius 31 and 26 (the probe radius).

Prediction (written before the first run): ingest's PDQ equals Meta's on the references (0 bits, as
`tests/test_image_signals.py` pins on other images); the resize misses are Meta's own; faiss's multi-hash
within 2x of ours either way.

Result (2026-12-02, loaded machine, load average ~3.5 on 2 cores): see `docs/neardup.md`, "Why PDQ misses
on the real photographs" and "A C++ index instead".
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import neardup_data as data  # noqa: E402
from neardup import ingest  # noqa: E402

from winnow.match.hamming import HammingIndex  # noqa: E402


def bits(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def photos() -> None:
    print("| photograph | PDQ quality | ingest PDQ vs Meta's (bits) | resize 50 %: Meta's PDQ | mirror: ingest flipy |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "thumbs"
        folder.mkdir()
        for i, (name, im) in enumerate(data.real_photos()):
            ref = ingest(data.reference_bytes(im), folder)
            resized = ingest(data.TRANSFORMS["resize 50%"](im, i), folder)
            mirrored = ingest(data.TRANSFORMS["mirror"](im, i), folder)
            r, m = bits(resized.plain, ref.plain), bits(mirrored.mirror, ref.pdq)
            print(f"| {name} | {ref.quality} | {bits(ref.pdq, ref.plain)} | {r}{' (miss)' if r > 31 else ''} | "
                  f"{m}{' (miss)' if m > 31 else ''} |")


def index(size: int, queries: int) -> None:
    import faiss

    faiss.omp_set_num_threads(2)
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    q = codes[rng.integers(0, size, queries)].copy()
    for row in q:  # each query 20 bits from a stored code: one true hit each
        for b in rng.choice(256, 20, replace=False):
            row[b // 8] ^= np.uint8(1 << (b % 8))
    print(f"\n{size:,} random codes, {queries:,} queries (20 bits from a stored code)\n")
    print("| index | build s | radius | queries/s | hits | ratio to winnow |")
    print("|---|---|---|---|---|---|")
    start = time.perf_counter()
    ours = HammingIndex(codes, 31)
    build = time.perf_counter() - start
    base = {}
    for radius in (31, 26):
        start = time.perf_counter()
        hits = len(ours.search(q, radius=radius)[0])
        base[radius] = queries / (time.perf_counter() - start)
        print(f"| winnow HammingIndex (numpy) | {build:.1f} | {radius} | {base[radius]:,.0f} | {hits} | 1.0x |")
    for nhash, width, nflip in ((10, 24, 2), (8, 32, 3), (16, 16, 1)):
        idx = faiss.IndexBinaryMultiHash(256, nhash, width)
        idx.nflip = nflip
        start = time.perf_counter()
        idx.add(codes)
        build = time.perf_counter() - start
        for radius in (31, 26):
            if nhash * (nflip + 1) <= radius:
                continue  # not exact at this radius: never approximate
            start = time.perf_counter()
            lims, _, _ = idx.range_search(q, radius + 1)  # faiss keeps d < radius
            rate = queries / (time.perf_counter() - start)
            print(f"| faiss MultiHash {nhash} x {width} bits, nflip {nflip} | {build:.1f} | {radius} | {rate:,.0f} | "
                  f"{int(lims[-1])} | {rate / base[radius]:.2f}x |")
        del idx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=2_000_000, help="random codes in the index comparison")
    parser.add_argument("--queries", type=int, default=3000)
    args = parser.parse_args()
    photos()
    index(args.size, args.queries)


if __name__ == "__main__":
    main()
