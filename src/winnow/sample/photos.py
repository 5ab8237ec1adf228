"""Photo-like synthetic images: smooth colour fields, shapes, texture and sensor noise, so JPEG sizes, decode
costs and PDQ behaviour resemble camera photos. Deterministic for a seed. Entirely procedural and benign."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

# (width, height) for megapixel classes, camera-like 4:3
SIZES = {1: (1152, 864), 2: (1632, 1224), 3: (2048, 1536), 5: (2592, 1944), 8: (3264, 2448),
         12: (4000, 3000), 16: (4608, 3456)}


def photo(seed: int, size: tuple[int, int]) -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = size
    small = rng.integers(0, 256, size=(rng.integers(3, 7), rng.integers(4, 9), 3), dtype=np.uint8)
    base = Image.fromarray(small, "RGB").resize((w, h), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(base)
    for _ in range(int(rng.integers(6, 16))):
        x0, y0 = int(rng.integers(-w // 4, w)), int(rng.integers(-h // 4, h))
        x1, y1 = x0 + int(rng.integers(w // 10, w // 2)), y0 + int(rng.integers(h // 10, h // 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
    base = base.filter(ImageFilter.GaussianBlur(radius=max(1.0, w / 800)))
    # mid-scale structure (octave noise, amplitude falling with frequency, as in natural images' 1/f spectrum):
    # without it the pictures are smoother than photos and their perceptual hashes more fragile than real ones
    detail = np.zeros((h, w), dtype=np.float32)
    for octave, amplitude in ((8, 22.0), (16, 16.0), (32, 11.0), (64, 7.0)):
        field = rng.normal(0, 1, size=(max(2, octave * h // w), octave)).astype(np.float32)
        layer = Image.fromarray(field, "F").resize((w, h), Image.Resampling.BICUBIC)
        detail += amplitude * np.asarray(layer, dtype=np.float32)
    # texture and sensor noise, generated at a quarter of the pixels and upscaled (cheap, still photo-like)
    tw, th = max(1, w // 2), max(1, h // 2)
    noise = rng.normal(0, 9, size=(th, tw, 1)).astype(np.float32)
    texture = Image.fromarray(np.clip(noise[..., 0] + 128, 0, 255).astype(np.uint8), "L").resize((w, h))
    arr = (np.asarray(base, dtype=np.int16) + (np.asarray(texture, dtype=np.int16)[..., None] - 128)
           + detail.astype(np.int16)[..., None])
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def camera_exif(seed: int, *, gps: bool = True, orientation: int = 1) -> Image.Exif:
    rng = np.random.default_rng(seed)
    exif = Image.Exif()
    exif[0x010F] = ["Canon", "NIKON CORPORATION", "Apple", "samsung", "Google"][seed % 5]
    exif[0x0110] = ["EOS 80D", "D7500", "iPhone 14", "SM-G991B", "Pixel 7"][seed % 5]
    exif[0x0131] = "winnow-sample 1.0"
    exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = f"20{int(rng.integers(15, 25))}:{int(rng.integers(1, 13)):02d}:{int(rng.integers(1, 29)):02d} " \
                  f"{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}:00"
    if gps:
        g = exif.get_ifd(0x8825)
        lat, lon = float(rng.uniform(-60, 60)), float(rng.uniform(-170, 170))
        g[1] = "N" if lat >= 0 else "S"
        g[2] = _dms(abs(lat))
        g[3] = "E" if lon >= 0 else "W"
        g[4] = _dms(abs(lon))
    return exif


def _dms(value: float) -> tuple[float, float, float]:
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60, 2)
    return (float(d), float(m), s)


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


# ------------------------------------------------------------------ near-duplicate variants

def resized(image: Image.Image, factor: float = 0.5) -> Image.Image:
    return image.resize((max(1, int(image.width * factor)), max(1, int(image.height * factor))),
                        Image.Resampling.LANCZOS)


def cropped(image: Image.Image, share: float = 0.05) -> Image.Image:
    dx, dy = int(image.width * share), int(image.height * share)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


def watermarked(image: Image.Image, text: str = "SAMPLE") -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    size = max(12, image.width // 20)
    font = ImageFont.load_default(size=size)
    draw.text((image.width // 40, image.height - size * 2), text, fill=(255, 255, 255), font=font)
    return out


def letterboxed(image: Image.Image, share: float = 0.12) -> Image.Image:
    pad = int(image.height * share)
    return ImageOps.expand(image, border=(0, pad, 0, pad), fill=(0, 0, 0))


def mirrored(image: Image.Image) -> Image.Image:
    return ImageOps.mirror(image)
