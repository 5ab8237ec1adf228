"""An exact Hamming range index for 256-bit PDQ hashes: multi-index hashing (Norouzi et al.) over numpy.

The 256 bits are cut into `chunks` substrings. Two hashes within distance r agree to within floor(r / chunks)
bits on at least one substring (pigeonhole), so probing every substring's table with the query substring and its
neighbours up to that many flipped bits finds every true match; candidates are then checked with the full
distance. Nothing is approximate: recall is 100 % by construction (and measured against brute force in tests and
`benchmarks/pdq_index.py`).

Memory: the codes (32 B each) plus one int32 permutation per chunk (16 x 4 B each): ~100 B per hash, ~1 GB at
10 M. Queries run in batches, vectorised, on a thread per core (numpy releases the GIL).
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

BITS = 256


def to_codes(hex_values: list[str]) -> np.ndarray:
    if not hex_values:
        return np.zeros((0, 32), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(hex_values)), dtype=np.uint8).reshape(-1, 32).copy()


def distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise Hamming distance between (n, 32) uint8 arrays (broadcasting allowed)."""
    x = np.bitwise_xor(a.view(np.uint64), b.view(np.uint64))
    return np.bitwise_count(x).sum(axis=-1, dtype=np.int32)


class HammingIndex:
    def __init__(self, codes: np.ndarray, max_radius: int = 31, chunks: int | None = None) -> None:
        codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, 32)
        self.codes = codes
        self.n = len(codes)
        self.max_radius = max_radius
        self.chunks = chunks or (16 if max_radius < 48 else 32)
        if BITS % self.chunks or self.chunks not in (16, 32):
            raise ValueError("chunks must be 16 (16-bit substrings) or 32 (8-bit substrings)")
        self.width = BITS // self.chunks
        self.probe_radius = max_radius // self.chunks
        dtype = np.uint16 if self.width == 16 else np.uint8
        keys = codes.view(dtype).reshape(self.n, self.chunks) if self.n else np.zeros((0, self.chunks), dtype)
        self.key_dtype = dtype
        size = 1 << self.width
        self.order = np.empty((self.chunks, self.n), dtype=np.int32)
        self.starts = np.empty((self.chunks, size + 1), dtype=np.int64)
        for c in range(self.chunks):
            column = keys[:, c]
            self.order[c] = np.argsort(column, kind="stable")
            self.starts[c, 0] = 0
            np.cumsum(np.bincount(column, minlength=size), out=self.starts[c, 1:])
        masks = [0]
        for k in range(1, self.probe_radius + 1):
            for bits in itertools.combinations(range(self.width), k):
                masks.append(sum(1 << b for b in bits))
        self.masks = np.array(masks, dtype=np.int64)

    def search(self, queries: np.ndarray, radius: int | None = None, batch: int = 64,
               threads: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All (query row, index row, distance) with distance <= radius, sorted by query then distance."""
        radius = self.max_radius if radius is None else radius
        if radius > self.max_radius:
            raise ValueError(f"index built for radius <= {self.max_radius}")
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, 32)
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32))
        if self.n == 0 or len(queries) == 0:
            return empty
        spans = [(s, min(s + batch, len(queries))) for s in range(0, len(queries), batch)]
        workers = threads or min(len(spans), os.cpu_count() or 1)
        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:
                parts = list(pool.map(lambda span: self._batch(queries, span[0], span[1], radius), spans))
        else:
            parts = [self._batch(queries, s, e, radius) for s, e in spans]
        q = np.concatenate([p[0] for p in parts])
        ids = np.concatenate([p[1] for p in parts])
        d = np.concatenate([p[2] for p in parts])
        order = np.lexsort((ids, d, q))
        return q[order], ids[order], d[order]

    def _batch(self, queries: np.ndarray, start: int, end: int,
               radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        block = queries[start:end]
        nq = len(block)
        keys = block.view(self.key_dtype).reshape(nq, self.chunks).astype(np.int64)
        probes = keys[:, :, None] ^ self.masks[None, None, :]  # (nq, chunks, masks)
        chunk_ids = np.broadcast_to(np.arange(self.chunks)[None, :, None], probes.shape)
        lo = self.starts[chunk_ids, probes]
        hi = self.starts[chunk_ids, probes + 1]
        lengths = (hi - lo).ravel()
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32)
        flat_offsets = (lo + chunk_ids * self.n).ravel()  # positions in the flattened order table
        query_of = np.broadcast_to(np.arange(nq)[:, None, None], probes.shape).ravel()
        begins = np.repeat(flat_offsets - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        positions = begins + np.arange(total)
        candidates = self.order.ravel()[positions].astype(np.int64)
        owners = np.repeat(query_of, lengths)
        dist = distances(self.codes[candidates], block[owners])
        keep = dist <= radius
        owners, candidates, dist = owners[keep], candidates[keep], dist[keep]
        if len(owners):  # one pair may be found through several substrings
            pair = owners * self.n + candidates
            _, first = np.unique(pair, return_index=True)
            owners, candidates, dist = owners[first], candidates[first], dist[first]
        return owners + start, candidates, dist


def brute_force(codes: np.ndarray, queries: np.ndarray, radius: int) -> set[tuple[int, int]]:
    """Reference for tests: every (query, row) pair within radius."""
    found = set()
    for qi, q in enumerate(np.asarray(queries, dtype=np.uint8).reshape(-1, 32)):
        d = distances(codes, q[None, :])
        for row in np.nonzero(d <= radius)[0]:
            found.add((qi, int(row)))
    return found
