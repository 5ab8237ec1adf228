"""Signals that a video is a recording of a live video call or stream — about the screen (layout, overlays,
recorder traces, text), never about the people or what they do. Each signal is a small function returning a
`Signal`: a strength in [-1, 1] (negative: camera-like) and the evidence, in words, that produced it.

Frames come in as grey arrays (0-255 floats) of the sampled frames, small (about 160 px wide) for the layout
signals; the OCR and face signals live in ocr.py and faces.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Signal:
    name: str
    strength: float  # -1 (camera-like) .. 1 (call-recording-like); 0: says nothing
    evidence: str


def recorder_patterns() -> list[tuple[str, str]]:
    """(label, lower-case substring) pairs from the editable list `calls/recorders.txt`."""
    text = resources.files("winnow.calls").joinpath("recorders.txt").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            label, _, pattern = line.partition("=")
            out.append((label.strip(), (pattern or label).strip().lower()))
    return out


def recorder_tags(tags: dict[str, Any] | None, patterns: list[tuple[str, str]] | None = None) -> Signal:
    """A screen recorder named in the container or stream tags (encoder, handler, software, comment, ...)."""
    patterns = patterns if patterns is not None else recorder_patterns()
    found = []
    for scope, values in (tags or {}).items():
        for key, value in (values or {}).items() if isinstance(values, dict) else ():
            text = f"{key}={value}".lower()
            for label, pattern in patterns:
                if pattern in text:
                    found.append(f"{label} ({scope} {key}={str(value)[:60]!r})")
    if found:
        return Signal("recorder_tags", 1.0, "screen recorder in the tags: " + "; ".join(sorted(set(found))[:3]))
    return Signal("recorder_tags", 0.0, "no screen recorder named in the tags")


# desktop and laptop screen sizes that cameras do not produce
DESKTOP = {(1366, 768), (1536, 864), (1440, 900), (1600, 900), (1280, 800), (1680, 1050), (1920, 1200),
           (2560, 1600), (1280, 1024), (1360, 768), (2880, 1800), (3024, 1964), (2560, 1080), (3440, 1440),
           (1024, 768), (1280, 832), (1470, 956), (1512, 982), (2048, 1280)}
CAMERA = {(1280, 720), (1920, 1080), (3840, 2160), (640, 480), (1440, 1080), (4032, 3024), (4000, 3000),
          (1920, 1440), (2704, 1520), (2720, 1530), (1280, 960), (720, 480), (720, 576), (854, 480), (640, 360)}


def geometry(width: int | None, height: int | None, rotation: int = 0) -> Signal:
    """Screen-like sizes and aspect ratios (phone screens about 19.5:9, desktop sizes, 16:10) versus camera
    sensor ones (4:3, 3:2, the broadcast 16:9 sizes)."""
    if not width or not height:
        return Signal("geometry", 0.0, "size unknown")
    w, h = (height, width) if rotation % 180 == 90 else (width, height)
    long_side, short_side = max(w, h), min(w, h)
    ratio = long_side / short_side
    size = f"{w}x{h}"
    if ratio >= 1.95:
        return Signal("geometry", 1.0, f"{size}: a phone screen's aspect ({ratio:.2f}:1)")
    if (w, h) in DESKTOP or (h, w) in DESKTOP:
        return Signal("geometry", 0.8, f"{size}: a desktop or laptop screen size")
    if abs(ratio - 1.6) < 0.02:
        return Signal("geometry", 0.6, f"{size}: 16:10, a screen aspect")
    if (w, h) in CAMERA or (h, w) in CAMERA or abs(ratio - 4 / 3) < 0.02 or abs(ratio - 1.5) < 0.02:
        return Signal("geometry", -0.4, f"{size}: a camera size or sensor aspect")
    if w % 16 or h % 16:
        return Signal("geometry", 0.4, f"{size}: an odd size (a window or screen region)")
    return Signal("geometry", 0.0, f"{size}: says nothing")


def timing(vfr: bool | None, jitter: float | None, avg_fps: float | None) -> Signal:
    """Variable or irregular frame timing and low frame rates: screen and call recorders write frames when the
    picture changes or when the network delivers them; cameras write a steady 24-60 fps."""
    parts, strength = [], 0.0
    if vfr:
        strength += 0.7
        parts.append(f"variable frame rate (gap spread {jitter:.2f})" if jitter is not None else "variable frame rate")
    if avg_fps and avg_fps < 20:
        strength += 0.4
        parts.append(f"low frame rate {avg_fps:.1f} fps")
    if not parts:
        if avg_fps and avg_fps >= 24 and vfr is False:
            return Signal("timing", -0.3, f"steady {avg_fps:.0f} fps (camera-like)")
        return Signal("timing", 0.0, "timing says nothing")
    return Signal("timing", min(1.0, strength), "; ".join(parts))


def _grads(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gx = np.zeros_like(gray)
    gy = np.zeros_like(gray)
    gx[:, 1:] = np.abs(np.diff(gray, axis=1))
    gy[1:, :] = np.abs(np.diff(gray, axis=0))
    return gx, gy


def static_overlay(grays: list[np.ndarray]) -> Signal:
    """Textured pixels constant across the sampled frames (buttons, labels, bars) while much of the rest moves."""
    if len(grays) < 4:
        return Signal("static_overlay", 0.0, "too few frames")
    stack = np.stack(grays)
    spread = stack.std(axis=0)
    gx, gy = _grads(stack.mean(axis=0))
    textured = (gx + gy) > 12
    fixed = (spread < 3.0) & textured
    moving = spread > 10.0
    fixed_share, moving_share = float(fixed.mean()), float(moving.mean())
    rows = np.where(fixed.mean(axis=1) > 0.05)[0]
    where = ""
    if len(rows):
        h = fixed.shape[0]
        top = rows[rows < h * 0.25]
        bottom = rows[rows > h * 0.75]
        bands = []
        if len(top):
            bands.append(f"top {100 * top.max() / h:.0f}%")
        if len(bottom):
            bands.append(f"bottom {100 * (h - bottom.min()) / h:.0f}%")
        where = f" ({', '.join(bands)})" if bands else ""
    text = f"{100 * fixed_share:.1f}% of the picture is fixed detail{where} while {100 * moving_share:.0f}% moves"
    if moving_share < 0.15:
        return Signal("static_overlay", -0.2 if fixed_share > 0.05 else 0.0, text + " (little motion: slides or "
                      "desktop work look like this)")
    strength = min(1.0, fixed_share / 0.04) if fixed_share >= 0.01 else -0.3
    return Signal("static_overlay", strength, text)


def pip_inset(grays: list[np.ndarray]) -> Signal:
    """A picture-in-picture inset: near a corner, a rectangle whose two inner border lines are edges in most
    sampled frames (the picture around them moves, so its own edges come and go) while its inside moves between
    every two samples (the self view of a call). A mini-map or a framed photo has the border but a still inside,
    and a slide's picture changes only now and then: neither is counted."""
    if len(grays) < 4:
        return Signal("pip_inset", 0.0, "too few frames")
    stack = np.stack(grays)
    h, w = stack.shape[1:]
    edge = 8.0
    pv = np.zeros((h, w), np.float32)  # share of frames with a vertical edge (a jump between columns) here
    ph = np.zeros((h, w), np.float32)
    pv[:, 1:] = (np.abs(np.diff(stack, axis=2)) > edge).mean(axis=0)
    ph[1:, :] = (np.abs(np.diff(stack, axis=1)) > edge).mean(axis=0)
    # the inner border may fall between two pixels of the small frame: take the stronger neighbour
    pv = np.maximum(pv, np.roll(pv, 1, axis=1))
    ph = np.maximum(ph, np.roll(ph, 1, axis=0))
    spread = stack.std(axis=0)
    best: tuple[float, str] | None = None
    for flip_x in (False, True):  # False: the inset is at the right edge
        for flip_y in (False, True):  # False: at the top edge
            v = pv[::-1 if flip_y else 1, ::-1 if flip_x else 1]
            hz = ph[::-1 if flip_y else 1, ::-1 if flip_x else 1]
            moving = spread[::-1 if flip_y else 1, ::-1 if flip_x else 1]
            # the inset may sit a bar's height away from the horizontal edge and a margin away from the vertical
            # one: its inner vertical border runs over rows start..y of column x, its inner horizontal border over
            # columns x..w-margin of row y
            col_sums = np.vstack([np.zeros((1, w), np.float32), np.cumsum(v, axis=0)])
            row_sums = np.hstack([np.zeros((h, 1), np.float32), np.cumsum(hz, axis=1)])
            ys, xs = np.mgrid[0:h, 0:w]
            found: tuple[float, int, int, int, int] | None = None
            for start in sorted({0, int(h * 0.05), int(h * 0.08), int(h * 0.11)}):
                for margin in sorted({0, int(w * 0.02), int(w * 0.04)}):
                    inset_w, inset_h = (w - margin) - xs, ys + 1 - start
                    score = _border_score(col_sums, row_sums, xs, ys, start, margin)
                    area = inset_w * inset_h / (w * h)
                    valid = (xs >= w * 0.45) & (inset_w >= w * 0.12) & (inset_h >= h * 0.08) & \
                        (ys <= h * 0.7) & (area >= 0.02) & (area <= 0.25)
                    score = np.where(valid, score, 0.0)
                    at_y, at_x = np.unravel_index(int(np.argmax(score)), score.shape)
                    if found is None or score[at_y, at_x] > found[0]:
                        found = (float(score[at_y, at_x]), int(at_y), int(at_x), start, margin)
            if found is None or found[0] <= 0:
                continue
            value, y, x, start, margin = found
            inside = moving[start + 2:max(start + 3, y - 1), x + 2:max(x + 3, w - margin - 2)]
            if inside.size == 0 or float(np.median(inside)) < 3.0:
                continue
            frames = stack[:, ::-1 if flip_y else 1, ::-1 if flip_x else 1][:, start + 2:max(start + 3, y - 1),
                                                                            x + 2:max(x + 3, w - margin - 2)]
            changes = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2)) > 1.5
            if float(changes.mean()) < 0.7:  # a live feed changes between every two samples; slides now and then
                continue
            inset_w, inset_h = w - margin - x, y + 1 - start
            if best is None or value > best[0]:
                corner = f"{'bottom' if flip_y else 'top'}-{'left' if flip_x else 'right'}"
                best = (value, f"inset at the {corner} corner, about {100 * inset_w / w:.0f}% x "
                               f"{100 * inset_h / h:.0f}% of the frame (its border is an edge in {100 * value:.0f}% "
                               "more frames than the lines beside it; its inside moves)")
    if best is None or best[0] < 0.25:
        return Signal("pip_inset", 0.0, "no picture-in-picture inset")
    return Signal("pip_inset", min(1.0, (best[0] - 0.25) / 0.25 + 0.4), best[1])


def _border_score(col_sums: np.ndarray, row_sums: np.ndarray, xs: np.ndarray, ys: np.ndarray, start: int,
                  margin: int) -> np.ndarray:
    """For every (row y, column x): how much more often the inset's inner vertical border (column x, rows
    start..y) and inner horizontal border (row y, columns x..w-margin) are edges than the lines 3 px beside them
    (textured pictures have edges everywhere; a border is an edge more often than its neighbours)."""
    h, w = ys.shape
    rows = np.maximum(ys + 1 - start, 1)
    cols = np.maximum((w - margin) - xs, 1)

    def col_mean(cx: np.ndarray) -> np.ndarray:
        cx = np.clip(cx, 0, w - 1)
        return (col_sums[ys + 1, cx] - col_sums[start, cx]) / rows

    def row_mean(cy: np.ndarray) -> np.ndarray:
        cy = np.clip(cy, 0, h - 1)
        return (row_sums[cy, np.full_like(xs, w - margin)] - row_sums[cy, xs]) / cols

    vertical = col_mean(xs) - (col_mean(xs - 3) + col_mean(xs + 3)) / 2
    horizontal = row_mean(ys) - (row_mean(ys - 3) + row_mean(ys + 3)) / 2
    return np.minimum(vertical, horizontal)


def borders(frame_size: tuple[int, int], picture_size: tuple[int, int]) -> Signal:
    """Pillarbox or letterbox bars around a camera-shaped picture (a webcam feed shown in a wider window)."""
    fw, fh = frame_size
    pw, ph = picture_size
    if not fw or not fh or (pw >= fw * 0.97 and ph >= fh * 0.97):
        return Signal("borders", 0.0, "no bars")
    ratio = pw / ph if ph else 0.0
    shape = "4:3" if abs(ratio - 4 / 3) < 0.08 else "16:9" if abs(ratio - 16 / 9) < 0.08 else \
        "portrait" if ratio < 0.8 else f"{ratio:.2f}:1"
    kind = "pillarbox" if pw < fw else "letterbox"
    strength = 0.6 if shape in ("4:3", "16:9", "portrait") else 0.3
    return Signal("borders", strength, f"{kind} bars: a {pw}x{ph} ({shape}) picture inside {fw}x{fh}")


def effective_resolution(luma: np.ndarray) -> Signal:
    """An upscaled low-resolution feed (a webcam picture enlarged to fill the screen): almost none of the picture's
    detail lies in the upper half of the frequencies the frame could carry."""
    h, w = luma.shape
    if h < 64 or w < 64:
        return Signal("effective_resolution", 0.0, "too small to tell")
    side = min(256, h, w) // 2 * 2
    y0, x0 = (h - side) // 2, (w - side) // 2
    patch = np.asarray(luma[y0:y0 + side, x0:x0 + side], dtype=np.float32)
    patch = (patch - patch.mean()) * np.outer(np.hanning(side), np.hanning(side))
    power = np.abs(np.fft.fftshift(np.fft.fft2(patch))) ** 2
    fy, fx = np.mgrid[-side // 2:side // 2, -side // 2:side // 2] / side
    radius = np.hypot(fx, fy)
    total = float(power[radius > 0.02].sum()) + 1e-9
    high = float(power[radius > 0.25].sum()) / total
    if total < 1e3 * side * side:
        return Signal("effective_resolution", 0.0, "a flat picture: cannot tell")
    if high < 0.025:
        return Signal("effective_resolution", 0.5, f"{w}x{h} carries about half its resolution (only "
                                                   f"{100 * high:.2f}% of the detail in the upper frequencies)")
    return Signal("effective_resolution", 0.0, f"full detail ({100 * high:.1f}% in the upper frequencies)")


DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
TIMER = re.compile(r"(?<!\d)(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)(?!\d)")
PLAYER = re.compile(r"\s*/\s*(?:\d{1,2}:)?[0-5]?\d:[0-5]\d")  # "4:11 / 14:03" follows a player's position
PLAYER_END = re.compile(r"(?:\d{1,2}:)?[0-5]?\d:[0-5]\d\s*/\s*$")  # ... and precedes its duration


def timers(readings: list[tuple[float, str]]) -> Signal:
    """A running call timer: mm:ss (or h:mm:ss) values read on frames at known times that advance with them."""
    seen: list[tuple[float, int, str]] = []
    player = ""
    for seconds, text in readings:
        if DATE.search(text):  # a camera's or a desktop's date-and-time stamp runs too, but is no call timer
            continue
        for match in TIMER.finditer(text):
            if PLAYER.match(text, match.end()) or PLAYER_END.search(text, 0, match.start()):
                player = player or text  # a media player's position / duration: a recorded video playing
                continue
            hours = int(match.group(1) or 0)
            value = hours * 3600 + int(match.group(2)) * 60 + int(match.group(3))
            seen.append((seconds, value, match.group(0)))
    best = 0
    example = ""
    for i, (t1, v1, s1) in enumerate(seen):
        for t2, v2, s2 in seen[i + 1:]:
            # it must advance: a wall clock read twice within its minute gives the same value
            if t2 - t1 >= 2 and v2 > v1 and abs((v2 - v1) - (t2 - t1)) <= 2.5:
                best += 1
                example = example or f"'{s1}' at {t1:.0f} s then '{s2}' at {t2:.0f} s"
    if best:
        return Signal("timer", 1.0, f"a running timer: {example}")
    if seen:
        return Signal("timer", 0.1, f"a clock-like text ('{seen[0][2]}') that does not run with the video")
    if player:
        return Signal("timer", 0.0, f"a media player's position and duration ('{player}'), not a call timer")
    return Signal("timer", 0.0, "no timer read")


CALL_WORDS = {  # compared without spaces: OCR models often drop them
    "en": ["endcall", "mute", "unmute", "camera", "speaker", "videocall", "calling", "ringing", "flip", "hangup",
           "leave", "connecting", "reconnecting", "voicecall", "participants", "shareScreen"],
    "fr": ["raccrocher", "muet", "caméra", "hautparleur", "appelvidéo", "appel", "sonnerie", "quitter",
           "micro", "connexion"],
    "fil": ["tawag", "tapusin", "ibaba", "kamera", "tumatawag", "nagri-ring", "patayin"],
}
APP_WORDS = ["whatsapp", "messenger", "skype", "zoom", "facetime", "telegram", "viber", "imo", "googlemeet",
             "teams", "discord", "signal", "livestream", "live", "onlyfans", "chaturbate"]


def interface_words(texts: list[str]) -> Signal:
    joined = re.sub(r"\s+", "", " ".join(texts).lower())
    found = sorted({f"{w} ({lang})" for lang, words in CALL_WORDS.items() for w in words if w.lower() in joined})
    apps = sorted({w for w in APP_WORDS if w in joined})
    if not found and not apps:
        return Signal("interface_words", 0.0, "no call interface words read")
    strength = min(1.0, 0.4 * len(found) + 0.3 * len(apps))
    return Signal("interface_words", strength, "read on screen: " + ", ".join(found + apps))
