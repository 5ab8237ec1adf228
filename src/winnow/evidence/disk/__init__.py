"""Forensic disk images: image formats (E01, raw/split, VMDK, VHD/VHDX, QCOW2, ISO), volume systems (MBR, GPT),
file systems through The Sleuth Kit (allocated, deleted and orphan entries), carving of unallocated space.
Everything is read through read-only file descriptors that winnow opens itself; nothing is mounted or written."""
