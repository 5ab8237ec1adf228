import bz2
import gzip
import io
import lzma
import tarfile
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from winnow.evidence.archives import gzip_original_name, single_member_name
from winnow.evidence.names import display_name, extension, suspicious_member
from winnow.evidence.sniff import is_tar_header, sniff
from winnow.sample.photos import encode


def _image(fmt: str) -> bytes:
    return encode(Image.new("RGB", (64, 48), (10, 120, 200)), fmt)


@pytest.mark.parametrize("fmt,ext", [("JPEG", "jpg"), ("PNG", "png"), ("GIF", "gif"), ("WEBP", "webp"),
                                     ("BMP", "bmp"), ("TIFF", "tif"), ("HEIF", "heic")])
def test_images_are_recognised_from_bytes(fmt: str, ext: str) -> None:
    detected = sniff(_image(fmt)[:65536])
    assert detected.kind == "image" and detected.type == ext and detected.container is None


def test_containers_are_recognised_whatever_their_name() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a.txt", b"a")
    assert sniff(buffer.getvalue()).container == "zip"
    assert sniff(gzip.compress(b"x")).container == "gz"
    assert sniff(bz2.compress(b"x")).container == "bz2"
    assert sniff(lzma.compress(b"x")).container == "xz"
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w") as tf:
        info = tarfile.TarInfo("a.txt")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"a"))
    assert sniff(tar.getvalue()).container == "tar" and is_tar_header(tar.getvalue()[:512])
    assert not is_tar_header(b"\x00" * 512) and not is_tar_header(b"hello" * 200)


def test_empty_and_unknown() -> None:
    assert sniff(b"").kind == "empty"
    unknown = sniff(b"just some text\n")
    assert unknown.type is None and unknown.kind == "other"


def test_extension_acceptance() -> None:
    jpeg = sniff(_image("JPEG"))
    assert jpeg.accepts("jpeg") and jpeg.accepts("jpg") and not jpeg.accepts("dat") and not jpeg.accepts("")
    assert extension("a/b/IMG.JPG") == "jpg" and extension(".bashrc") == "" and extension("noext") == ""


@pytest.mark.parametrize("name,bad", [("../../etc/passwd", True), ("/abs/path", True), ("C:/win.ini", True),
                                      ("a\\..\\b", True), ("photos/a.jpg", False), ("..hidden/a", False),
                                      ("a/b..c", False)])
def test_suspicious_member_names(name: str, bad: bool) -> None:
    assert (suspicious_member(name) is not None) is bad


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="/\\:\x00"), min_size=1, max_size=8)
                .filter(lambda p: p not in ("..",)), min_size=1, max_size=5))
def test_relative_names_without_dotdot_are_safe(parts: list[str]) -> None:
    assert suspicious_member("/".join(parts)) is None


@given(st.binary(min_size=1, max_size=30).filter(lambda b: b"/" not in b and b"\x00" not in b))
def test_display_name_keeps_raw_bytes_exactly_when_not_utf8(raw: bytes) -> None:
    import os

    shown, kept = display_name(os.fsdecode(raw))
    try:
        raw.decode("utf-8")
        assert kept is None and shown == raw.decode("utf-8")
    except UnicodeDecodeError:
        assert kept == raw and shown.encode("utf-8")  # printable, storable


def test_gzip_member_names() -> None:
    data = gzip.compress(b"x")  # no FNAME
    assert gzip_original_name(data) is None
    assert single_member_name("photo.jpg.gz", "gz", data) == "photo.jpg"
    assert single_member_name("backup.tgz", "gz", data) == "backup.tar"
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="inner.png", mode="wb", fileobj=buffer) as g:
        g.write(b"x")
    assert single_member_name("whatever.gz", "gz", buffer.getvalue()) == "inner.png"
