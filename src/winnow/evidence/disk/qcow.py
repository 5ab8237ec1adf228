"""QEMU copy-on-write images (QCOW, QCOW2, QCOW3) through libqcow-python. Encrypted QCOW images are reported,
never guessed at."""

from __future__ import annotations

from winnow.evidence.disk.media import MediaError, Opened, opened_handle


class QcowOpener:
    name = "qcow"

    def sniff(self, head: bytes, tail: bytes) -> bool:
        return head[:4] == b"QFI\xfb"

    def open(self, path: str) -> Opened:
        import pyqcow

        media = opened_handle(pyqcow.file, [path])
        if media.handle.is_locked():
            media.close()
            raise MediaError("encrypted QCOW image: content not read (key needed)")
        return Opened(media=media, format="qcow2", segments=[path])
