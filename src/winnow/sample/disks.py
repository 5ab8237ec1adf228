"""Benign synthetic disk images for the tests and the benchmark, built with Debian's own tools (no mount, no
root needed): file systems made on plain files (mkfs.fat + mtools, mkfs.ext4 -d + debugfs, mkntfs + ntfscp,
mkfs.exfat), files deleted after copying in, photos and a video written straight into unallocated space, the
partitions laid out by sfdisk (MBR or GPT). A manifest says what a reader must find: every SHA-256 of the bytes
written, which were deleted, and where the planted items are."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from winnow.sample import photos

MIB = 1024 * 1024
TOOLS = ("mkfs.fat", "mcopy", "mdel", "mmd", "mkfs.ext4", "debugfs", "sfdisk", "mkntfs", "ntfscp", "mkfs.exfat")


def tool(name: str) -> str:
    """The tool's path; the file-system tools live in /usr/sbin, which a non-login PATH may lack."""
    return shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") or name


def missing_tools() -> list[str]:
    return [t for t in TOOLS if tool(t) == t]


def _run(*args: str, stdin: bytes | None = None) -> str:
    done = subprocess.run([tool(args[0]), *args[1:]], input=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr.decode(errors='replace')[-500:]}")
    return done.stdout.decode(errors="replace")


def jpeg(seed: int, size: tuple[int, int] = (320, 240)) -> bytes:
    return photos.encode(photos.photo(seed, size), "JPEG", quality=85)


def png(seed: int, size: tuple[int, int] = (96, 64)) -> bytes:
    return photos.encode(photos.photo(seed, size), "PNG")


def mp4(path: Path, seed: int) -> bytes:
    from winnow.sample import videos

    videos.write(path, videos.pan_frames(seed, (160, 96), 1.0, 10), (160, 96), 10, gop=10)
    data = path.read_bytes()
    path.unlink()
    return data


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Manifest:
    allocated: dict[str, str] = field(default_factory=dict)  # "p1!/Pictures/a.jpg" -> sha256
    deleted: dict[str, str] = field(default_factory=dict)  # "p1!/gone.jpg" -> sha256 (name as the FS keeps it)
    planted: list[tuple[str, int, int, str]] = field(default_factory=list)  # (step, offset, length, sha256)


def fat(path: Path, size_mib: int, files: dict[str, bytes], delete: dict[str, bytes], work: Path) -> None:
    """FAT16 (1 sector per cluster keeps it small); files copied in, then `delete` copied and deleted."""
    _run("mkfs.fat", "-F", "16", "-s", "1", "-n", "WINNOWTEST", "-C", str(path), str(size_mib * 1024))
    for name, data in {**files, **delete}.items():
        local = work / "x"
        local.write_bytes(data)
        parts = name.strip("/").split("/")
        for i in range(1, len(parts)):
            subprocess.run([tool("mmd"), "-D", "s", "-i", str(path), "::/" + "/".join(parts[:i])], capture_output=True)
        _run("mcopy", "-i", str(path), str(local), "::/" + "/".join(parts))
    for name in delete:
        _run("mdel", "-i", str(path), "::/" + name.strip("/"))


def ext4(path: Path, size_mib: int, files: dict[str, bytes], delete: dict[str, bytes], work: Path) -> None:
    """ext4 with 1 KiB blocks, populated from a folder by mkfs (-d); `delete` written and removed by debugfs."""
    tree = work / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    for name, data in files.items():
        target = tree / name.strip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    tree.mkdir(exist_ok=True)
    _run("mkfs.ext4", "-q", "-F", "-b", "1024", "-d", str(tree), "-L", "winnowtest", str(path), f"{size_mib}M")
    for name, data in delete.items():
        local = work / "x"
        local.write_bytes(data)
        _run("debugfs", "-w", "-R", f"write {local} {name.strip('/')}", str(path))
        _run("debugfs", "-w", "-R", f"rm {name.strip('/')}", str(path))


def ntfs(path: Path, size_mib: int, files: dict[str, bytes], work: Path) -> None:
    with open(path, "wb") as f:
        f.truncate(size_mib * MIB)
    _run("mkntfs", "-F", "-q", "-s", "512", "-c", "4096", "-L", "winnowtest", str(path))
    for name, data in files.items():
        local = work / "x"
        local.write_bytes(data)
        _run("ntfscp", str(path), str(local), "/" + name.strip("/"))


def exfat(path: Path, size_mib: int) -> None:
    with open(path, "wb") as f:
        f.truncate(size_mib * MIB)
    _run("mkfs.exfat", "-L", "winnowtest", str(path))


def ext4_block_free(path: Path, offset: int, length: int, block: int = 1024) -> bool:
    first, last = offset // block, (offset + length - 1) // block
    out = _run("debugfs", "-R", f"testb {first} {last - first + 1}", str(path))
    return "marked in use" not in out


def plant(image: Path, offset: int, data: bytes) -> None:
    """Write bytes into space no file owns (the caller chose a free, block-aligned offset)."""
    with open(image, "r+b") as f:
        f.seek(offset)
        f.write(data)


def assemble(disk: Path, parts: list[tuple[Path, str]], label: str = "dos", gap_mib: int = 1,
             tail_mib: int = 2) -> list[int]:
    """Partitions (file-system images with an sfdisk type) laid out from 1 MiB on; returns their byte offsets."""
    offsets: list[int] = []
    at = gap_mib * MIB
    script = [f"label: {label}"]
    for image, ptype in parts:
        size = image.stat().st_size
        script.append(f"start={at // 512}, size={size // 512}, type={ptype}")
        offsets.append(at)
        at += size
    total = at + tail_mib * MIB
    with open(disk, "wb") as f:
        f.truncate(total)
    _run("sfdisk", "-q", str(disk), stdin=("\n".join(script) + "\n").encode())
    with open(disk, "r+b") as out:
        for (image, _), offset in zip(parts, offsets, strict=True):
            out.seek(offset)
            with open(image, "rb") as src:
                shutil.copyfileobj(src, out, 4 * MIB)
    return offsets


def standard_disk(work: Path, seed: int = 1, photos_per_fs: int = 3) -> tuple[Path, Manifest]:
    """MBR: p1 FAT16 (4 MiB), p2 ext4 (8 MiB), 2 MiB unpartitioned at the end. Each file system holds photos,
    one more photo deleted after copying in, and a photo (p1) or an MP4 (p2) written into free space; a PNG
    sits in the unpartitioned tail."""
    work.mkdir(parents=True, exist_ok=True)
    m = Manifest()
    fat_files = {f"Pictures/a{i}.jpg": jpeg(seed * 100 + i) for i in range(photos_per_fs)}
    fat_del = {"gone.jpg": jpeg(seed * 100 + 50)}
    ext_files = {f"home/user/Pictures/b{i}.jpg": jpeg(seed * 100 + 10 + i) for i in range(photos_per_fs)}
    ext_files["home/user/notes.txt"] = b"benign notes\n" * 10
    ext_del = {"home/user/old.jpg": jpeg(seed * 100 + 51)}
    fat(work / "p1.img", 4, fat_files, fat_del, work)
    ext4(work / "p2.img", 8, ext_files, ext_del, work)
    only_free_jpeg, only_free_mp4 = jpeg(seed * 100 + 60, (400, 300)), mp4(work / "v.mp4", seed)
    fat_off = 4 * MIB - 256 * 1024  # FAT fills clusters from the start: the end of a 4 MiB volume is free
    plant(work / "p1.img", fat_off, only_free_jpeg)
    ext_off = 8 * MIB - 512 * 1024
    if not ext4_block_free(work / "p2.img", ext_off, len(only_free_mp4)):
        raise RuntimeError("the planting place in the ext4 image is in use")
    plant(work / "p2.img", ext_off, only_free_mp4)
    disk = work / "disk.raw"
    offsets = assemble(disk, [(work / "p1.img", "6"), (work / "p2.img", "83")])
    tail_png = png(seed * 100 + 70)
    tail_off = offsets[1] + 8 * MIB + 64 * 1024
    plant(disk, tail_off, tail_png)
    for name, data in fat_files.items():
        m.allocated[f"p1!/{name}"] = sha(data)
    for name, data in ext_files.items():
        m.allocated[f"p2!/{name}"] = sha(data)
    for name, data in fat_del.items():
        m.deleted[f"p1!/{name}"] = sha(data)
    for name, data in ext_del.items():
        m.deleted[f"p2!/{name}"] = sha(data)
    m.planted = [("p1", fat_off, len(only_free_jpeg), sha(only_free_jpeg)),
                 ("p2", ext_off, len(only_free_mp4), sha(only_free_mp4)),
                 ("", tail_off, len(tail_png), sha(tail_png))]
    for name in ("p1.img", "p2.img", "x"):
        (work / name).unlink(missing_ok=True)
    shutil.rmtree(work / "tree", ignore_errors=True)
    return disk, m
