"""Face counting for the call detector (issue #16, part 3): the CNN (libfacedetection through `yuface`, weights in
the wheel) against OpenCV's Haar cascade it replaces, in one run, on benign photos that packages ship.

The labelled sample is small, and said so:
- 26 photographs from scikit-image and matplotlib: 3 with one face each (astronaut, cameraman — turned three
  quarters to the side —, Grace Hopper) and 23 with none (a cat's face, coffee, coins, text pages, textures, ...).
  Boxes were drawn by looking at each photo (forehead to chin, ear to ear) and are kept below.
- the same three people in call-like galleries (2x2, 3x3 and 4x4 tiles with face-free photos between them), faces
  from about 190 px down to 45 px across; boxes follow from the photo boxes.
- scikit-image's `lfw_subset`: 100 tight 25x25 face crops and 100 non-face patches, upscaled to 100 px on a grey
  canvas (labels ship with the data). Tight crops are out of either detector's training distribution: a hard test.
No scikit-learn is installed here, so its china/flower photos are not used (neither shows a person).

A detected box counts as found when its centre lies inside a labelled box (each label found once); any other box
is a false box. Only counts and boxes are computed; nothing identifies anyone.

Prediction (before the first run): the CNN finds all 3 portrait faces and most gallery faces down to 45 px, Haar
misses the cameraman and the smallest tiles; both near zero false boxes on the photos; the CNN ~2-4x slower.
Result: CNN 3/3 portraits, 15/18 gallery faces, 99/100 crops, 1 false box (26 photos); Haar 2/3, 12/18, 97/100, 7
false boxes (coins, a cell image); CNN 1.7x (photos) to 2.7x (crops) slower on the shared machine.

Usage: python benchmarks/faces.py
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

Box = tuple[int, int, int, int]  # x0, y0, x1, y1
PEOPLE: dict[str, list[Box]] = {  # labelled by eye
    "skimage/astronaut.png": [(165, 55, 285, 190)],
    "skimage/camera.png": [(160, 65, 260, 205)],
    "matplotlib/grace_hopper.jpg": [(150, 120, 375, 345)],
}
NO_FACE = ["skimage/" + n for n in (
    "coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png", "hubble_deep_field.jpg", "horse.png",
    "coins.png", "page.png", "text.png", "retina.jpg", "ihc.png", "brick.png", "grass.png", "gravel.png",
    "clock_motion.png", "moon.png", "color.png", "logo.png", "cell.png", "microaneurysms.png",
    "chessboard_RGB.png")] + ["matplotlib/Minduka_Present_Blue_Pack.png", "matplotlib/logo2.png"]


def load(name: str) -> np.ndarray:
    import matplotlib
    import skimage

    package, file = name.split("/")
    folder = (Path(skimage.__file__).parent / "data" if package == "skimage" else
              Path(matplotlib.get_data_path()) / "sample_data")
    return np.asarray(Image.open(folder / file).convert("RGB"))


def galleries() -> list[tuple[str, np.ndarray, list[Box]]]:
    """Call-like tiles: each photo squeezed into a square tile, the boxes scaled with it."""
    fillers = ["skimage/coffee.png", "skimage/chelsea.png", "skimage/rocket.jpg"]
    out = []
    for n, tile in ((2, 320), (3, 256), (4, 192)):
        canvas = np.full((n * tile + (n + 1) * 6, n * tile + (n + 1) * 6, 3), 32, np.uint8)
        boxes: list[Box] = []
        order = list(PEOPLE) + fillers
        for k in range(n * n):
            name = order[k % len(order)]
            photo = load(name)
            sx, sy = tile / photo.shape[1], tile / photo.shape[0]
            x, y = 6 + (k % n) * (tile + 6), 6 + (k // n) * (tile + 6)
            canvas[y:y + tile, x:x + tile] = np.asarray(Image.fromarray(photo).resize((tile, tile),
                                                                                      Image.Resampling.LANCZOS))
            boxes += [(x + round(a * sx), y + round(b * sy), x + round(c * sx), y + round(d * sy))
                      for a, b, c, d in PEOPLE.get(name, [])]
        out.append((f"gallery {n}x{n} ({tile} px tiles)", canvas, boxes))
    return out


def lfw() -> list[tuple[str, np.ndarray, list[Box]]]:
    import skimage

    crops = np.load(Path(skimage.__file__).parent / "data" / "lfw_subset.npy")
    out = []
    for i, crop in enumerate(crops):
        canvas = np.full((160, 160, 3), 128, np.uint8)
        big = np.asarray(Image.fromarray((crop * 255).astype(np.uint8)).resize((100, 100), Image.Resampling.BICUBIC))
        canvas[30:130, 30:130] = big[:, :, None]
        out.append((f"lfw {'face' if i < 100 else 'non-face'} {i}", canvas, [(30, 30, 130, 130)] if i < 100 else []))
    return out


def score(detector: Any, sample: list[tuple[str, np.ndarray, list[Box]]]) -> dict[str, float]:
    found = missed = false = false_images = 0
    start = time.perf_counter()
    for _, image, truth in sample:
        boxes = detector.detect(image)
        left = list(truth)
        extra = 0
        for f in boxes:
            cx, cy = f.x + f.w / 2, f.y + f.h / 2
            hit = next((t for t in left if t[0] <= cx <= t[2] and t[1] <= cy <= t[3]), None)
            if hit is None:
                extra += 1
            else:
                left.remove(hit)
        found += len(truth) - len(left)
        missed += len(left)
        false += extra
        false_images += extra > 0
    ms = 1000 * (time.perf_counter() - start) / len(sample)
    return {"faces": found + missed, "found": found, "missed": missed, "false boxes": false,
            "images with a false box": false_images, "ms per image": ms}


def main() -> None:
    from winnow.calls.faces import CnnFaces, HaarFaces

    photos = [(n, load(n), b) for n, b in PEOPLE.items()] + [(n, load(n), []) for n in NO_FACE]
    sets = {"package photos (26)": photos, "call-like galleries (3)": galleries(), "lfw_subset crops (200)": lfw()}
    haar, cnn = HaarFaces(), CnnFaces()
    for detector in (haar, cnn):  # warm up (cascade load, first-call allocations) outside the timing
        detector.detect(photos[0][1])
    print("| sample | measure | Haar cascade | CNN (yuface) | CNN / Haar |\n|---|---|---|---|---|")
    for title, sample in sets.items():
        a, b = score(haar, sample), score(cnn, sample)
        for key in a:
            ratio = f"{b[key] / a[key]:.2f}" if a[key] else "-"
            fmt = "{:.1f}" if key == "ms per image" else "{:.0f}"
            print(f"| {title} | {key} | {fmt.format(a[key])} | {fmt.format(b[key])} | {ratio} |")
    for title, image, truth in photos[:3] + galleries():
        print(f"{title}: labelled {len(truth)}, Haar {len(haar.detect(image))}, CNN {len(cnn.detect(image))}")


if __name__ == "__main__":
    main()
