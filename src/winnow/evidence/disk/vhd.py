"""Microsoft virtual hard disks, VHD (fixed or dynamic) and VHDX, through libvhdi-python."""

from __future__ import annotations

from winnow.evidence.disk.media import Opened, evidence_file, opened_handle


class VhdOpener:
    name = "vhd"

    def sniff(self, head: bytes, tail: bytes) -> bool:
        return head[:8] in (b"vhdxfile", b"conectix") or tail[:8] == b"conectix"

    def open(self, path: str) -> Opened:
        import pyvhdi

        media = opened_handle(pyvhdi.file, [path])
        version = media.handle.get_format_version()
        f = evidence_file(path)
        try:
            fmt = "vhdx" if f.read(8) == b"vhdxfile" else "vhd"
        finally:
            f.close()
        return Opened(media=media, format=fmt, segments=[path],
                      details={"format_version": str(version), "disk_type": media.handle.get_disk_type()})
