"""The Sleuth Kit (pytsk3) over a winnow `Media`: the volume system (MBR, GPT, or a bare file system) and the
file system of every volume. TSK reads through a Python callback, so it never opens the evidence itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from winnow.evidence.disk.media import Media
from winnow.evidence.disk.raw import file_system_magic
from winnow.evidence.provenance import Layer

_FS_NAMES = {1: "ntfs", 2: "fat12", 4: "fat16", 8: "fat32", 10: "exfat", 16: "ufs1", 32: "ufs1b", 64: "ufs2",
             128: "ext2", 256: "ext3", 8192: "ext4", 512: "swap", 1024: "raw", 2048: "iso9660", 4096: "hfs+",
             16384: "yaffs2", 65536: "apfs"}
_VS_NAMES = {1: "mbr", 2: "bsd", 4: "sun", 8: "mac", 16: "gpt"}
_ALLOC, _UNALLOC = 0x01, 0x02


def tsk_image(media: Media) -> Any:
    """A pytsk3 image whose reads go to `media` (an external image type)."""
    import pytsk3

    class _Image(pytsk3.Img_Info):
        def __init__(self) -> None:
            self._media = media
            super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

        def read(self, offset: int, size: int) -> bytes:
            return self._media.read(offset, size)

        def get_size(self) -> int:
            return self._media.size

        def close(self) -> None:
            return None

    return _Image()


def fs_name(fs: Any) -> str:
    return _FS_NAMES.get(int(fs.info.ftype), f"type-{int(fs.info.ftype)}")


def open_fs(img: Any, offset: int) -> Any:
    import pytsk3

    return pytsk3.FS_Info(img, offset=offset)


@dataclass
class Volume:
    chain: str  # the image chain plus "!pN" (or the image chain itself for a bare file system)
    slot: str  # "p2", or "" for a bare file system, or the region name for space outside partitions
    start: int  # bytes from the start of the medium
    length: int
    description: str
    fs_type: str | None = None
    encryption: str | None = None
    status: str = "file_system"  # file_system | encrypted | no_file_system | unpartitioned


@dataclass
class Layout:
    volume_system: str  # mbr | gpt | ... | none
    volumes: list[Volume] = field(default_factory=list)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # (chain, code, message)


def _classify(img: Any, media: Media, vol: Volume, layout: Layout) -> None:
    """Open the volume's file system, or say why not (encrypted, unknown: then all of it is carved)."""
    try:
        head = media.read(vol.start, 65536)
    except OSError as exc:
        head = b""
        layout.warnings.append((vol.chain, "volume_unreadable", f"cannot read at image offset {vol.start}: {exc}"))
    magic = file_system_magic(head)
    if magic in ("bitlocker", "luks"):
        vol.status, vol.encryption = "encrypted", magic
        layout.warnings.append((vol.chain, "encrypted_volume",
                                f"{'BitLocker' if magic == 'bitlocker' else 'LUKS'} encrypted volume at image offset "
                                f"{vol.start} ({vol.length} bytes): content not read (a key is needed)"))
        return
    try:
        fs = open_fs(img, vol.start)
        vol.fs_type = fs_name(fs)
    except OSError as exc:
        vol.status = "no_file_system"
        layout.warnings.append((vol.chain, "unknown_file_system",
                                f"no file system recognised at image offset {vol.start} "
                                f"({str(exc).strip().splitlines()[0] if str(exc).strip() else 'unknown'}); "
                                "the whole volume is carved"))


def discover(media: Media, image_chain: str) -> Layout:
    """Partitions (MBR/GPT) with their file systems, or one bare file system, plus the space outside them."""
    import pytsk3

    img = tsk_image(media)
    try:
        vs = pytsk3.Volume_Info(img)
    except OSError as exc:
        vs = None
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "no volume system"
    if vs is None:
        layout = Layout("none")
        vol = Volume(chain=image_chain, slot="", start=0, length=media.size, description="bare file system")
        _classify(img, media, vol, layout)
        if vol.status != "no_file_system":
            layout.volumes.append(vol)
            return layout
        salvaged = _mbr_salvage(img, media, image_chain, reason)
        if salvaged is not None:
            return salvaged
        layout.warnings = [(image_chain, "no_volume_system",
                            f"neither a partition table nor a file system recognised ({reason}); "
                            "the whole image is carved")]
        layout.volumes.append(vol)
        return layout
    block = int(vs.info.block_size)
    layout = Layout(_VS_NAMES.get(int(vs.info.vstype), f"type-{int(vs.info.vstype)}"))
    number = 0
    for part in vs:
        flags = int(part.flags)
        start, length = int(part.start) * block, int(part.len) * block
        desc = part.desc.decode("utf-8", "replace") if isinstance(part.desc, bytes) else str(part.desc)
        if start >= media.size:
            layout.warnings.append((image_chain, "partition_out_of_bounds",
                                    f"'{desc}' starts at offset {start}, past the end of the image "
                                    f"({media.size} bytes): not read"))
            continue
        if start + length > media.size:
            layout.warnings.append((image_chain, "partition_out_of_bounds",
                                    f"'{desc}' at offset {start} claims {length} bytes, the image ends after "
                                    f"{media.size - start}: read up to the end"))
            length = media.size - start
        if flags & _ALLOC:
            number += 1
            vol = Volume(chain=image_chain + Layer("partition", f"p{number}").render(), slot=f"p{number}",
                         start=start, length=length, description=desc)
            _classify(img, media, vol, layout)
            layout.volumes.append(vol)
        elif flags & _UNALLOC and length > 0:
            layout.volumes.append(Volume(chain=image_chain, slot="unpartitioned", start=start, length=length,
                                         description=desc, status="unpartitioned"))
    if number == 0:
        layout.warnings.append((image_chain, "partition_table_empty",
                                f"{layout.volume_system} partition table lists no partition; the image is carved"))
    return layout


def _mbr_salvage(img: Any, media: Media, image_chain: str, reason: str) -> Layout | None:
    """TSK refuses a whole MBR when one entry is wrong (say, past the end of the image): read the four primary
    entries here, keep the ones that fit, and name the others with their offsets, so one bad entry loses nothing
    else."""
    import struct

    sector = media.read(0, 512)
    if len(sector) < 512 or sector[510:512] != b"\x55\xaa":
        return None
    layout = Layout("mbr")
    layout.warnings.append((image_chain, "partition_table_corrupt",
                            f"The Sleuth Kit rejects the MBR ({reason}); its entries are read one by one"))
    number = 0
    for i in range(4):
        entry = sector[446 + 16 * i: 462 + 16 * i]
        ptype = entry[4]
        first, count = struct.unpack_from("<II", entry, 8)
        if not ptype or not count:
            continue
        number += 1
        start, length = first * 512, count * 512
        if start >= media.size or start + length > media.size:
            layout.warnings.append((image_chain, "partition_out_of_bounds",
                                    f"MBR entry {i + 1} (type 0x{ptype:02x}) starts at offset {start} with {length} "
                                    f"bytes, past the end of the image ({media.size} bytes): not read"))
            continue
        vol = Volume(chain=image_chain + Layer("partition", f"p{number}").render(), slot=f"p{number}",
                     start=start, length=length, description=f"MBR entry {i + 1} (type 0x{ptype:02x})")
        _classify(img, media, vol, layout)
        layout.volumes.append(vol)
    return layout if layout.volumes else None
