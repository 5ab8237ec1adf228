"""Benign synthetic videos for the call-recording detector: recordings of video calls (a "remote" camera feed made
from generated photos with motion, a self-view inset, interface bars with round buttons, a running timer, a name
label, at screen sizes, often with variable frame timing and a recorder's tag) in many layouts and styles, versus
ordinary camera videos (pans and handheld shake over photos, sometimes a logo or a date stamp) and other screen
recordings (slides, desktop work, game-like scenes with a HUD, a mini-map and sometimes a clock).

`style` picks a layout family deterministically; the tests use styles 0-3, the benchmark styles 4 and up, so the
evaluation runs on layouts the tests never used."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from winnow.sample.photos import photo

PHONE_SIZES = [(360, 780), (360, 800), (392, 850), (384, 832)]
DESKTOP_SIZES = [(1280, 800), (1366, 768), (1440, 900), (1536, 864), (1280, 832)]
CAMERA_SIZES = [(640, 360), (640, 480), (360, 640), (480, 640), (1280, 720)]
RECORDERS = ["OBS Studio 30.1", "Bandicam 7.1", "ShareX 16", "Xbox Game Bar", "AZ Screen Recorder",
             "XRecorder", "Mobizen"]
NAMES = ["Rosa S.", "Maria", "Jojo", "Ana Cruz", "Lyn", "rosa_live", "Mika"]
WORDS = [["End call", "Mute", "Camera"], ["Raccrocher", "Muet", "Caméra"], ["Tapusin", "I-mute", "Kamera"],
         ["Leave", "Unmute", "Flip"]]


def _font(size: int) -> Any:
    return ImageFont.load_default(size=size)


class _Feed:
    """A camera-like moving view over a generated photo: slow drift and zoom, optional handheld shake."""

    def __init__(self, seed: int, size: tuple[int, int], shake: float = 0.0) -> None:
        self.size = size
        self.shake = shake
        self.rng = random.Random(seed)
        w, h = size
        self.source = photo(seed, (int(w * 1.6) + 16, int(h * 1.6) + 16))
        self.dx, self.dy = self.rng.uniform(-1, 1), self.rng.uniform(-1, 1)

    def at(self, t: float) -> Image.Image:
        w, h = self.size
        sw, sh = self.source.size
        x = (sw - w) / 2 + self.dx * t * w * 0.03 + self.shake * self.rng.uniform(-1, 1) * w
        y = (sh - h) / 2 + self.dy * t * h * 0.03 + self.shake * self.rng.uniform(-1, 1) * h
        x = min(max(0, x), sw - w)
        y = min(max(0, y), sh - h)
        return self.source.crop((int(x), int(y), int(x) + w, int(y) + h))


def _times(rng: random.Random, seconds: float, fps: float, variable: bool) -> list[float]:
    out, t = [], 0.0
    while t < seconds:
        out.append(round(t, 3))
        t += (1 / fps) * (rng.uniform(0.4, 2.2) if variable else 1.0)
    return out


def _write(path: Path, frames: list[tuple[float, Image.Image]], tags: dict[str, str] | None = None,
           gop_seconds: float = 2.0) -> Path:
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = frames[0][1].size
    with av.open(str(path), "w") as out:
        out.metadata.update(tags or {})
        stream: Any = out.add_stream("libx264", rate=30)
        stream.width, stream.height = w // 2 * 2, h // 2 * 2
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
        rate = len(frames) / max(frames[-1][0], 1e-3)  # frames per second actually written
        stream.options = {"preset": "ultrafast", "g": str(max(1, round(gop_seconds * rate)))}
        for t, image in frames:
            frame = av.VideoFrame.from_ndarray(np.asarray(image.convert("RGB"))[: h // 2 * 2, : w // 2 * 2],
                                               format="rgb24")
            frame.pts = int(t * 1000)
            frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def _button_bar(draw: Any, box: tuple[int, int, int, int], rng: random.Random, words: list[str] | None,
                light: bool) -> None:
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=(240, 240, 240) if light else (24, 24, 28))
    n = rng.randint(3, 5)
    radius = max(6, (y1 - y0) // 3)
    for i in range(n):
        cx = x0 + (i + 1) * (x1 - x0) // (n + 1)
        cy = (y0 + y1) // 2 - (6 if words else 0)
        colour = (220, 40, 40) if i == n // 2 else ((90, 90, 96) if not light else (200, 200, 205))
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=colour)
        draw.rectangle((cx - radius // 3, cy - radius // 3, cx + radius // 3, cy + radius // 3),
                       fill=(255, 255, 255))
        if words and i < len(words):
            draw.text((cx - radius * 2, cy + radius + 1), words[i], fill=(20, 20, 20) if light else (235, 235, 235),
                      font=_font(max(10, radius // 1)))


def call_video(path: Path, seed: int, style: int = 0, seconds: float = 10.0, caption: str | None = None,
               creation_time: str | None = None) -> Path:
    """A screen recording of a video call, layout family `style`; `caption` is written under the name label (a
    number or handle the OCR should read as a lead); `creation_time` (ISO 8601 UTC) goes into the container's
    tags as a recorder writes it."""
    rng = random.Random(seed * 1000 + style)
    layout = random.Random(style)
    phone = layout.random() < 0.5
    size = layout.choice(PHONE_SIZES if phone else DESKTOP_SIZES)
    w, h = size
    inset = layout.random() < 0.8
    light = layout.random() < 0.3
    words = layout.choice(WORDS) if layout.random() < 0.7 else None
    pillar = not phone and layout.random() < 0.3
    bar = int(h * layout.uniform(0.07, 0.11))
    remote_box = (0, 0, w, h) if layout.random() < 0.5 else (0, bar, w, h - bar)
    rw, rh = remote_box[2] - remote_box[0], remote_box[3] - remote_box[1]
    if pillar:
        rw = int(rh * 4 / 3)
    remote = _Feed(seed * 7 + 1, (rw, rh))
    iw = int(w * layout.uniform(0.22, 0.32))
    ih = int(iw * (1.33 if phone else 0.75))
    corner = layout.choice(["tr", "br", "bl", "tl"])
    margin = int(w * layout.choice([0.0, 0.02, 0.03]))
    ix = w - iw - margin if "r" in corner else margin
    iy = h - ih - margin - bar if "b" in corner else margin + bar
    selfview = _Feed(seed * 7 + 2, (iw, ih), shake=0.002)
    name = layout.choice(NAMES)
    timer = layout.random() < 0.7  # some apps show no call timer
    start = rng.randint(0, 300)
    variable = rng.random() < 0.6
    fps = rng.choice([10, 12, 15, 20, 25])
    frames = []
    for t in _times(rng, seconds, fps, variable):
        canvas = Image.new("RGB", size, (12, 12, 14) if not light else (250, 250, 250))
        picture = remote.at(t)
        canvas.paste(picture, (remote_box[0] + (w - rw) // 2 if pillar else remote_box[0], remote_box[1]))
        draw = ImageDraw.Draw(canvas)
        draw.rectangle((0, 0, w, bar), fill=(250, 250, 250) if light else (20, 20, 24))
        clock = start + int(t)
        draw.text((8, bar // 4), name, fill=(10, 10, 10) if light else (240, 240, 240), font=_font(max(11, bar // 2)))
        if timer:
            draw.text((w - int(bar * 3.2), bar // 4), f"{clock // 60:02d}:{clock % 60:02d}",
                      fill=(10, 10, 10) if light else (240, 240, 240), font=_font(max(11, bar // 2)))
        if caption:
            draw.rectangle((0, bar, w, bar + int(bar * 0.9)), fill=(0, 0, 0))
            draw.text((8, bar + 2), caption, fill=(255, 255, 255), font=_font(max(14, bar // 2)))
        _button_bar(draw, (0, h - bar, w, h), layout, words, light)
        if inset:
            canvas.paste(selfview.at(t), (ix, iy))
            if layout.random() < 0.5:
                draw.rectangle((ix - 1, iy - 1, ix + iw, iy + ih), outline=(255, 255, 255), width=2)
        frames.append((t, canvas))
    tags = {"encoder": rng.choice(RECORDERS)} if rng.random() < 0.4 else {}
    if creation_time:
        tags["creation_time"] = creation_time
    return _write(path, frames, tags, gop_seconds=rng.choice([0.5, 1.0, 2.0]))


def camera_video(path: Path, seed: int, style: int = 0, seconds: float = 10.0) -> Path:
    """An ordinary camera video: a pan or handheld shake over a photo at a camera size and a steady frame rate,
    sometimes with a corner logo or a running date stamp."""
    rng = random.Random(seed * 1000 + style + 500)
    layout = random.Random(style + 500)
    size = layout.choice(CAMERA_SIZES)
    feed = _Feed(seed * 11 + 3, size, shake=layout.choice([0.0, 0.004, 0.01]))
    stamp = layout.random() < 0.25
    logo = layout.random() < 0.25
    fps = layout.choice([24, 25, 30])
    frames = []
    for t in _times(rng, seconds, fps, False):
        canvas = feed.at(t)
        draw = ImageDraw.Draw(canvas)
        if stamp:
            clock = 12 * 3600 + int(t)
            draw.text((10, size[1] - 24), f"2025-03-14 {clock // 3600:02d}:{clock // 60 % 60:02d}:{clock % 60:02d}",
                      fill=(255, 200, 0), font=_font(16))
        if logo:
            draw.text((size[0] - 70, 10), "CAM", fill=(255, 255, 255), font=_font(18))
        frames.append((t, canvas))
    tags = {"encoder": "Lavf60.16.100"} if rng.random() < 0.5 else {}
    return _write(path, frames, tags, gop_seconds=rng.choice([0.5, 1.0, 2.0]))


def tv_video(path: Path, seed: int, style: int = 0, seconds: float = 10.0) -> Path:
    """A recorded TV news programme: a camera picture with a channel logo, a lower-third band with a scrolling
    ticker, a clock (hh:mm), and sometimes a live inset of a second camera in a corner — a hard negative."""
    rng = random.Random(seed * 1000 + style + 700)
    layout = random.Random(style + 700)
    size = layout.choice([(1280, 720), (1024, 576), (720, 576)])
    w, h = size
    feed = _Feed(seed * 19 + 1, size)
    inset = layout.random() < 0.4
    second = _Feed(seed * 19 + 2, (w // 4, h // 4)) if inset else None
    fps = layout.choice([25, 30])
    frames = []
    for t in _times(rng, seconds, fps, False):
        canvas = feed.at(t)
        draw = ImageDraw.Draw(canvas)
        if second is not None:
            canvas.paste(second.at(t), (w - w // 4 - 20, 20))
        draw.rectangle((0, h - 70, w, h - 30), fill=(180, 0, 0))
        draw.text((20 - int(t * 40) % 400, h - 62), "BREAKING: markets close higher — weather: sunny spells " * 2,
                  fill=(255, 255, 255), font=_font(22))
        draw.rectangle((0, h - 30, w, h), fill=(0, 0, 0))
        draw.text((w - 90, h - 28), "20:15", fill=(255, 255, 255), font=_font(20))
        draw.text((20, 20), "NEWS 24", fill=(255, 255, 255), font=_font(26))
        frames.append((t, canvas))
    return _write(path, frames, {}, gop_seconds=rng.choice([0.5, 1.0, 2.0]))


def screen_video(path: Path, seed: int, kind: str = "slides", style: int = 0, seconds: float = 10.0) -> Path:
    """Other screen recordings: `slides`, `desktop` (windows, a moving cursor, text being typed) or `game`
    (a moving scene with a static HUD, a mini-map inset and sometimes a running clock)."""
    rng = random.Random(seed * 1000 + style + 900)
    layout = random.Random(style + 900)
    size = layout.choice(DESKTOP_SIZES + [(1280, 720), (1920, 1080)] if kind != "game" else
                         [(1280, 720), (1366, 768), (1600, 900), (1280, 800)])
    if kind == "game" and size == (1600, 900):
        size = (1280, 720)
    w, h = size
    variable = rng.random() < 0.6
    fps = rng.choice([10, 15, 30])
    scene = _Feed(seed * 13 + 5, size) if kind == "game" else None
    frames = []
    clock_on = layout.random() < 0.4
    for t in _times(rng, seconds, fps, variable):
        if kind == "slides":
            page = int(t // 3)
            canvas = Image.new("RGB", size, (250, 250, 250))
            draw = ImageDraw.Draw(canvas)
            draw.text((60, 40), f"Quarterly review — part {page + 1}", fill=(20, 20, 80), font=_font(36))
            for line in range(5):
                draw.text((80, 140 + 60 * line), f"• point {page}.{line}: figures and notes", fill=(40, 40, 40),
                          font=_font(24))
            canvas.paste(photo(seed * 17 + page, (w // 3, h // 3)), (w - w // 3 - 40, h - h // 3 - 40))
        elif kind == "desktop":
            canvas = Image.new("RGB", size, (40, 90, 140))
            draw = ImageDraw.Draw(canvas)
            draw.rectangle((0, h - 36, w, h), fill=(30, 30, 30))
            draw.rectangle((80, 60, w - 200, h - 120), fill=(255, 255, 255), outline=(0, 0, 0))
            typed = int(t * 6)
            for line in range(typed // 40 + 1):
                draw.text((100, 90 + 22 * line), ("lorem ipsum dolor sit amet " * 3)[: min(40, typed - 40 * line)],
                          fill=(0, 0, 0), font=_font(16))
            cx, cy = int(w * 0.5 + 200 * np.sin(t)), int(h * 0.5 + 120 * np.cos(t * 0.7))
            draw.polygon([(cx, cy), (cx + 12, cy + 18), (cx + 4, cy + 16)], fill=(0, 0, 0))
        else:
            assert scene is not None
            canvas = scene.at(t)
            draw = ImageDraw.Draw(canvas)
            draw.rectangle((0, 0, w, 40), fill=(0, 0, 0))
            draw.text((10, 8), f"SCORE {1000 + int(t * 37)}   HP 87", fill=(255, 255, 0), font=_font(22))
            if clock_on:
                left = 300 - int(t)
                draw.text((w - 110, 8), f"{left // 60:02d}:{left % 60:02d}", fill=(255, 255, 255), font=_font(22))
            mx, my, ms = w - 170, h - 170, 150
            draw.rectangle((mx, my, mx + ms, my + ms), fill=(30, 60, 30), outline=(200, 200, 200), width=2)
            px, py = mx + int(ms / 2 + 50 * np.sin(t / 3)), my + int(ms / 2 + 50 * np.cos(t / 3))
            draw.ellipse((px - 4, py - 4, px + 4, py + 4), fill=(255, 0, 0))
        frames.append((t, canvas))
    tags = {"encoder": rng.choice(RECORDERS)} if rng.random() < 0.5 else {}
    return _write(path, frames, tags, gop_seconds=rng.choice([0.5, 1.0, 2.0]))
