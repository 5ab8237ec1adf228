"""`winnow sample-data`: a benign synthetic "seized collection" — camera-like photos of several sizes and
formats, near-duplicate variants, nested archives, a renamed file and a few corrupt files. The returned
manifest says what each file is (ground truth for tests and benchmarks)."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from winnow.sample import photos

VARIANTS = ("resized", "recompressed", "cropped", "watermarked", "letterboxed", "mirrored")


def _write(path: Path, data: bytes, manifest: list[dict[str, Any]], **facts: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    manifest.append({"path": str(path), **facts})


def generate(root: Path, seed: int = 1, images: int = 24, max_megapixels: int = 16, videos: int = 2) -> dict[str, Any]:
    """Create the collection under root (which must not exist or be empty); returns the manifest."""
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise ValueError(f"{root} is not empty; sample-data writes into a new or empty folder")
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    classes = [mp for mp in sorted(photos.SIZES) if mp <= max_megapixels] or [1]
    manifest: list[dict[str, Any]] = []
    originals: list[tuple[str, Any]] = []
    for i in range(images):
        # mostly phone-sized photos, a few large ones (1-16 MP)
        mp = classes[min(len(classes) - 1, int(rng.choice([0, 0, 0, 1, 1, 2, 3, len(classes) - 1])))]
        image = photos.photo(seed * 100_003 + i, photos.SIZES[mp])
        name = f"IMG_{1000 + i}"
        fmt = ["JPEG", "JPEG", "JPEG", "JPEG", "PNG", "WEBP", "HEIF"][i % 7]
        if fmt == "JPEG":
            exif = photos.camera_exif(seed * 7 + i, gps=i % 3 != 0, orientation=6 if i % 5 == 4 else 1)
            data = photos.encode(image, "JPEG", quality=int(rng.integers(80, 96)), exif=exif.tobytes())
            path = root / "DCIM" / "100CAMERA" / f"{name}.JPG"
        elif fmt == "PNG":
            data = photos.encode(photos.resized(image, 0.5), "PNG")
            path = root / "Pictures" / f"{name}.png"
        elif fmt == "WEBP":
            data = photos.encode(image, "WEBP", quality=85)
            path = root / "Pictures" / f"{name}.webp"
        else:
            data = photos.encode(photos.resized(image, 0.5), "HEIF", quality=80)
            path = root / "Pictures" / "phone" / f"{name}.HEIC"
        _write(path, data, manifest, kind="original", format=fmt, megapixels=mp, group=name)
        originals.append((name, image))
    # near-duplicate variants of the first originals
    for j, (name, image) in enumerate(originals[: max(1, len(originals) // 3)]):
        variant = VARIANTS[j % len(VARIANTS)]
        out = {"resized": lambda im: photos.resized(im, 0.4), "recompressed": lambda im: im,
               "cropped": photos.cropped, "watermarked": photos.watermarked,
               "letterboxed": photos.letterboxed, "mirrored": photos.mirrored}[variant](image)
        quality = 45 if variant == "recompressed" else 88
        _write(root / "Downloads" / "shared" / f"{name}_{variant}.jpg", photos.encode(out, "JPEG", quality=quality),
               manifest, kind="variant", variant=variant, group=name)
    # exact duplicate in another folder, and a renamed image
    first = Path(manifest[0]["path"])
    _write(root / "Backup" / "copy_of_photo.jpg", first.read_bytes(), manifest, kind="duplicate",
           group=manifest[0]["group"])
    _write(root / "Documents" / "invoice_2023.dat", first.read_bytes(), manifest, kind="renamed",
           group=manifest[0]["group"])
    _write(root / "Documents" / "notes.txt", b"shopping list\nmilk\nbread\n", manifest, kind="text")
    _write(root / "Documents" / "empty.txt", b"", manifest, kind="empty")
    _archives(root, seed, originals, manifest)
    if videos:
        _videos(root, seed, videos, manifest)
    # a few corrupt files
    jpeg = Path(next(m["path"] for m in manifest if m.get("format") == "JPEG")).read_bytes()
    _write(root / "Trash" / "truncated.jpg", jpeg[: len(jpeg) // 3], manifest, kind="corrupt")
    _write(root / "Trash" / "garbage.png", os.urandom(0) + bytes(rng.integers(0, 256, 4096, dtype=np.uint8)),
           manifest, kind="corrupt")
    _write(root / "Trash" / "broken.zip", b"PK\x03\x04" + bytes(200), manifest, kind="corrupt")
    return {"root": str(root.absolute()), "seed": seed, "files": manifest}


def _archives(root: Path, seed: int, originals: list[tuple[str, Any]], manifest: list[dict[str, Any]]) -> None:
    rng = np.random.default_rng(seed + 1)
    pick = originals[-min(6, len(originals)):]
    # inner tar.gz with two photos (one is a variant)
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w:gz") as tf:
        for k, (name, image) in enumerate(pick[:2]):
            data = photos.encode(photos.resized(image, 0.5) if k else image, "JPEG", quality=90)
            info = tarfile.TarInfo(f"old/{name}_{'small' if k else 'copy'}.jpg")
            info.size, info.mtime = len(data), 1_600_000_000 + k * 86_400
            tf.addfile(info, io.BytesIO(data))
            manifest.append({"path": f"seized.zip!/photos/old.tar.gz!/{info.name}", "kind": "archived",
                             "group": name})
    zip_path = root / "Archives" / "seized.zip"
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, image in pick[2:5]:
            zf.writestr(f"photos/{name}.jpg", photos.encode(image, "JPEG", quality=int(rng.integers(80, 95))))
            manifest.append({"path": f"seized.zip!/photos/{name}.jpg", "kind": "archived", "group": name})
        zf.writestr("photos/old.tar.gz", tar_bytes.getvalue())
        zf.writestr("readme.txt", b"holiday pictures\n")
    manifest.append({"path": str(zip_path), "kind": "archive"})
    # a tar.xz backup and a single gzip file
    xz_path = root / "Archives" / "backup.tar.xz"
    with tarfile.open(xz_path, "w:xz") as tf:
        name, image = pick[-1]
        data = photos.encode(photos.watermarked(image), "JPEG", quality=85)
        info = tarfile.TarInfo(f"backup/{name}_watermarked.jpg")
        info.size, info.mtime = len(data), 1_650_000_000
        tf.addfile(info, io.BytesIO(data))
    manifest.append({"path": str(xz_path), "kind": "archive"})
    gz_path = root / "Archives" / "single_photo.jpg.gz"
    gz_path.write_bytes(gzip.compress(photos.encode(pick[0][1], "JPEG", quality=70), mtime=0))
    manifest.append({"path": str(gz_path), "kind": "archive", "group": pick[0][0]})


def _videos(root: Path, seed: int, count: int, manifest: list[dict[str, Any]]) -> None:
    """Short camera-like videos, a re-encoded duplicate, a clip cut from one, and a still grabbed from one."""
    from PIL import Image

    from winnow.sample import videos

    size, fps = (320, 240), 25.0
    folder = root / "Videos"
    for v in range(count):
        name = f"VID_{2000 + v}"
        frames = list(videos.pan_frames(seed * 50 + v, size, 10.0, fps))
        videos.write(folder / f"{name}.mp4", iter(frames), size, fps, gop=50)
        manifest.append({"path": str(folder / f"{name}.mp4"), "kind": "video", "group": name})
        if v == 0:
            videos.write(root / "Downloads" / f"{name}_lowres.mkv", iter(frames), size, fps, bitrate=80_000,
                         container_format="matroska")
            manifest.append({"path": str(root / "Downloads" / f"{name}_lowres.mkv"), "kind": "video-duplicate",
                             "group": name})
            videos.write(root / "Downloads" / f"{name}_clip.mp4", iter([f for f in frames if 3.0 <= f[0] < 7.0]),
                         size, fps, gop=25)
            manifest.append({"path": str(root / "Downloads" / f"{name}_clip.mp4"), "kind": "video-clip",
                             "group": name})
            (root / "Pictures").mkdir(parents=True, exist_ok=True)
            Image.fromarray(frames[0][1]).save(root / "Pictures" / f"{name}_still.png")
            manifest.append({"path": str(root / "Pictures" / f"{name}_still.png"), "kind": "frame-grab",
                             "group": name})
