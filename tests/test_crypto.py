import hashlib

from hypothesis import given
from hypothesis import strategies as st

from winnow.signals.crypto import MultiHash


def test_known_vectors() -> None:
    h = MultiHash()
    h.update(b"abc")
    assert h.hexdigests() == {
        "md5": "900150983cd24fb0d6963f7d28e17f72",
        "sha1": "a9993e364706816aba3e25717850c26c9cd0d89d",
        "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    }
    empty = MultiHash().hexdigests()
    assert empty["sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert empty["md5"] == "d41d8cd98f00b204e9800998ecf8427e"


@given(st.binary(max_size=5000), st.lists(st.integers(min_value=0, max_value=5000), max_size=6))
def test_chunking_never_changes_the_digests(data: bytes, cuts: list[int]) -> None:
    h = MultiHash()
    points = sorted({0, len(data), *[c % (len(data) + 1) for c in cuts]})
    for a, b in zip(points, points[1:], strict=False):
        h.update(data[a:b])
    assert h.size == len(data)
    assert h.hexdigests() == {"md5": hashlib.md5(data).hexdigest(), "sha1": hashlib.sha1(data).hexdigest(),
                              "sha256": hashlib.sha256(data).hexdigest()}
