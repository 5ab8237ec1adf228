"""VMware virtual disks (monolithic sparse, stream-optimised) through libvmdk-python."""

from __future__ import annotations

from winnow.evidence.disk.media import Opened, opened_handle


class VmdkOpener:
    name = "vmdk"

    def sniff(self, head: bytes, tail: bytes) -> bool:
        return head[:4] in (b"KDMV", b"COWD")

    def open(self, path: str) -> Opened:
        import pyvmdk

        media = opened_handle(pyvmdk.handle, [path], extents=True)
        return Opened(media=media, format="vmdk", segments=[path],
                      details={"disk_type": media.handle.get_disk_type()})
