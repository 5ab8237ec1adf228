"""Benign synthetic videos (PyAV encodes; no system ffmpeg): a slow camera pan and zoom over a generated photo,
and the re-encoded variants a seized collection holds (lower bitrate, 480p, letterbox, trimmed, logo)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from winnow.sample import photos


def pan_frames(seed: int, size: tuple[int, int], seconds: float, fps: float) -> Any:
    """Frames (RGB arrays) of a slow drift and zoom over a photo (like a webcam or a camera on a stand: ~0.5 % of
    the width per second); a scene change every 4 s so that signatures are not one repeated picture."""
    w, h = size
    scenes: dict[int, np.ndarray] = {}
    total = int(round(seconds * fps))
    for i in range(total):
        t = i / fps
        scene = int(t // 4)
        if scene not in scenes:
            scenes.clear()
            scenes[scene] = np.asarray(photos.photo(seed * 1000 + scene, (int(w * 1.25), int(h * 1.25))))
        base = scenes[scene]
        local = (t % 4) / 4
        zoom = 1.0 + 0.02 * local
        cw, ch = int(w * 1.2 / zoom), int(h * 1.2 / zoom)
        x = int((base.shape[1] - int(w * 1.2)) * local * 0.5)
        y = int((base.shape[0] - ch) * (0.5 + 0.2 * np.sin(local * 3)))
        y = max(0, min(base.shape[0] - ch, y))
        crop = base[y:y + ch, x:x + cw]
        if crop.shape[1] != w or crop.shape[0] != h:
            crop = np.asarray(Image.fromarray(crop).resize((w, h), Image.Resampling.BILINEAR))
        yield t, crop


def write(path: Path, frames: Any, size: tuple[int, int], fps: float, codec: str = "libx264", gop: int = 60,
          bitrate: int | None = None, container_format: str | None = None, options: dict[str, str] | None = None,
          transform: Any = None, metadata: dict[str, str] | None = None) -> Path:
    from fractions import Fraction

    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format=container_format) as out:
        out.metadata.update(metadata or {})
        stream: Any = out.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.gop_size = gop
        opts: dict[str, str] = {"preset": "veryfast"} if codec == "libx264" else {}
        if codec == "libvpx-vp9":
            opts = {"deadline": "realtime", "cpu-used": "8"}
        opts.update(options or {})
        stream.options = opts
        if bitrate:
            stream.bit_rate = bitrate
        for _, array in frames:
            image = transform(array) if transform else array
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def letterbox(array: np.ndarray, share: float = 0.12) -> np.ndarray:
    h = array.shape[0]
    pad = int(h * share)
    inner = np.asarray(Image.fromarray(array).resize((array.shape[1], h - 2 * pad)))
    out = np.zeros_like(array)
    out[pad:pad + inner.shape[0]] = inner
    return out


def logo(array: np.ndarray) -> np.ndarray:
    """A broadcaster-style channel logo: a translucent badge (about 9 % x 8 % of the frame, 40 % opacity) in a
    corner, as TV channels and re-uploaders add."""
    image = Image.fromarray(array).convert("RGBA")
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    w, h = image.size
    box = (w - w // 9 - w // 40, h // 25, w - w // 40, h // 25 + h // 12)
    draw.rounded_rectangle(box, radius=h // 60, fill=(255, 255, 255, 100))
    draw.text((box[0] + w // 80, box[1] + h // 80), "TV 24", fill=(200, 0, 0, 220))
    return np.asarray(Image.alpha_composite(image, layer).convert("RGB"))


def make_set(folder: Path, seed: int = 1, seconds: float = 12.0, size: tuple[int, int] = (640, 360),
             fps: float = 25.0) -> dict[str, Path]:
    """An original and its variants; names say what each is."""
    frames = lambda: pan_frames(seed, size, seconds, fps)  # noqa: E731
    half = (size[0] * 2 // 3 // 2 * 2, size[1] * 2 // 3 // 2 * 2)
    out = {
        "original": write(folder / "original.mp4", frames(), size, fps),
        "low_bitrate": write(folder / "low_bitrate.mp4", frames(), size, fps, bitrate=150_000),
        "small": write(folder / "small.mp4", ((t, np.asarray(Image.fromarray(a).resize(half))) for t, a in frames()),
                       half, fps),
        "letterbox": write(folder / "letterbox.mp4", frames(), size, fps, transform=letterbox),
        "trimmed": write(folder / "trimmed.mp4", ((t, a) for t, a in frames() if t >= 2.0), size, fps),
        "logo": write(folder / "logo.mkv", frames(), size, fps, transform=logo, container_format="matroska"),
    }
    return out
