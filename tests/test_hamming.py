import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winnow.match.hamming import HammingIndex, brute_force, distances, layout_for, to_codes


def _flip(code: np.ndarray, bits: np.ndarray) -> np.ndarray:
    out = code.copy()
    for b in bits:
        out[b // 8] ^= 1 << (b % 8)
    return out


def _planted(n: int, nq: int, seed: int, max_d: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    queries = np.stack([_flip(codes[i % n], rng.choice(256, i % (max_d + 1), replace=False)) for i in range(nq)])
    return codes, queries


@pytest.mark.parametrize("radius,large", [(31, False), (31, True), (52, False), (10, False), (0, False)])
def test_equals_brute_force(radius: int, large: bool) -> None:
    codes, queries = _planted(20_000, 300, seed=radius, max_d=60)
    index = HammingIndex(codes, max_radius=radius, layout=layout_for(radius, 1 << 30 if large else 0))
    q, ids, d = index.search(queries, batch=37)
    got = set(zip(q.tolist(), ids.tolist(), strict=True))
    assert got == brute_force(codes, queries, radius)
    assert len(got) >= 5
    assert (d == distances(codes[ids], queries[q])).all() and (d <= radius).all()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 300), flips=st.lists(st.integers(0, 255), max_size=40), seed=st.integers(0, 999))
def test_property_every_true_match_found(n: int, flips: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    query = _flip(codes[seed % n], np.array(sorted(set(flips)), dtype=np.int64))[None, :]
    index = HammingIndex(codes, max_radius=31)
    q, ids, _ = index.search(query, threads=1)
    assert set(zip(q.tolist(), ids.tolist(), strict=True)) == brute_force(codes, query, 31)


def test_layouts_guarantee_exactness() -> None:
    for radius in (0, 10, 31, 40, 52, 63):
        for size in (10, 1 << 24):
            assert sum(t + 1 for _, _, t in layout_for(radius, size)) > radius
            assert sum(w for _, w, _ in layout_for(radius, size)) == 32  # every byte covered once
    with pytest.raises(ValueError):
        HammingIndex(np.zeros((1, 32), np.uint8), max_radius=40, layout=[(0, 32, 1)])


def test_empty_inputs_and_radius_limit() -> None:
    empty = HammingIndex(np.zeros((0, 32), np.uint8))
    assert len(empty.search(to_codes(["0" * 64]))[0]) == 0
    index = HammingIndex(to_codes(["f" * 64]), max_radius=31)
    assert len(index.search(np.zeros((0, 32), np.uint8))[0]) == 0
    with pytest.raises(ValueError):
        index.search(to_codes(["0" * 64]), radius=40)
    q, ids, d = index.search(to_codes(["f" * 63 + "0"]))
    assert q.tolist() == [0] and d.tolist() == [4]
