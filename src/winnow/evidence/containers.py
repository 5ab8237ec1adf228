"""Container openers: how the members of a file that holds files are listed — a ZIP, a TAR (plain or compressed,
read as a stream), a single compressed stream (gzip, bzip2, xz). Each is one `ContainerOpener`; `CONTAINERS` is
the explicit registry, asked in order (the compressed stream last: it takes whatever the sniffer called a
container and is not a tar). Nothing is extracted to disk; members come with a way to open their bytes. Disk
images are the other container kind: their formats are `evidence/disk/formats.py` `OPENERS`, read in work units."""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Protocol

from winnow.evidence import archives
from winnow.evidence.limits import CountingReader


@dataclass
class Listing:
    """The members of one opened container. `declared`: the container states member names and sizes (a ZIP
    or TAR directory), so a mismatch is a finding; `compressed`: the counting reader of a single stream (its ratio
    is the bomb check)."""

    members: Iterator[archives.Member]
    declared: bool = True
    compressed: CountingReader | None = None


class ContainerOpener(Protocol):
    @property
    def name(self) -> str: ...

    def handles(self, container: str, source: IO[bytes]) -> bool:
        """Is this the opener for a file the sniffer called `container` (zip, tar, gz, bz2, xz)?"""
        ...

    def open(self, source: IO[bytes], stack: contextlib.ExitStack, *, outer_name: str, container: str,
             head: bytes) -> Listing: ...


class ZipOpener:
    name = "zip"

    def handles(self, container: str, source: IO[bytes]) -> bool:
        return container == "zip"

    def open(self, source: IO[bytes], stack: contextlib.ExitStack, *, outer_name: str, container: str,
             head: bytes) -> Listing:
        return Listing(archives.zip_members(stack.enter_context(zipfile.ZipFile(source))))


class TarOpener:
    name = "tar"

    def handles(self, container: str, source: IO[bytes]) -> bool:
        return container == "tar" or archives.wraps_tar(container, source)

    def open(self, source: IO[bytes], stack: contextlib.ExitStack, *, outer_name: str, container: str,
             head: bytes) -> Listing:
        source.seek(0)
        return Listing(archives.tar_members(source))


class StreamOpener:
    name = "compressed stream"

    def handles(self, container: str, source: IO[bytes]) -> bool:
        return True

    def open(self, source: IO[bytes], stack: contextlib.ExitStack, *, outer_name: str, container: str,
             head: bytes) -> Listing:
        source.seek(0)
        raw = CountingReader(source)
        stream = archives.decompressor(container, raw)
        name = archives.single_member_name(outer_name, container, head)
        member = archives.Member(name=name, raw_name=None, kind="file", size=None, compressed_size=None,
                                 mtime=None, time_source="none (compressed stream)", opener=lambda: stream)
        return Listing(iter([member]), declared=False, compressed=raw)


CONTAINERS: tuple[ContainerOpener, ...] = (ZipOpener(), TarOpener(), StreamOpener())


def opener_for(container: str, source: IO[bytes], registry: tuple[ContainerOpener, ...] = CONTAINERS
               ) -> ContainerOpener:
    for opener in registry:
        if opener.handles(container, source):
            return opener
    raise archives.ArchiveError(f"no container opener for {container!r}")
