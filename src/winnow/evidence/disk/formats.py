"""The registry of disk-image container formats (`MediaOpener`s, evidence/disk/media.py), most specific signature
first; raw (partition tables, bare file systems) last. Its own module, so the formats import the image layer and
the image layer never imports the formats. Constructing an opener does no work (the format libraries are imported
when an image is opened)."""

from __future__ import annotations

from winnow.evidence.disk.ewf import EwfOpener
from winnow.evidence.disk.media import MediaOpener
from winnow.evidence.disk.qcow import QcowOpener
from winnow.evidence.disk.raw import RawOpener
from winnow.evidence.disk.vhd import VhdOpener
from winnow.evidence.disk.vmdk import VmdkOpener

OPENERS: tuple[MediaOpener, ...] = (EwfOpener(), VmdkOpener(), VhdOpener(), QcowOpener(), RawOpener())


def detect(head: bytes, tail: bytes) -> MediaOpener | None:
    """The first registered format whose signature the first and last bytes show (never the file name)."""
    for opener in OPENERS:
        if opener.sniff(head, tail):
            return opener
    return None
