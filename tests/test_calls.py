"""The call-recording detector: every signal on generated frames (hit and near miss), OCR leads on a rendered
frame, faces on a photo a package ships, and end to end through `winnow ingest` -> `winnow calls` / `winnow leads`
on synthetic call recordings, camera videos and other screen recordings (layout styles 0-3; the benchmark uses
other styles)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import invoke, invoke_json
from winnow.calls import signals
from winnow.calls.detector import combine, face_signal, leads_from


def _moving(seed: int, n: int = 8, size: tuple[int, int] = (90, 160)) -> list[np.ndarray]:
    """Frames of a textured picture drifting a few pixels per frame (a camera feed)."""
    rng = np.random.default_rng(seed)
    coarse = Image.fromarray(rng.uniform(0, 255, (14, 24)).astype(np.uint8))  # photo-like: smooth, some edges
    big = np.asarray(coarse.resize((size[1] + 40, size[0] + 40), Image.Resampling.BICUBIC), dtype=np.float32)
    return [big[i * 3:i * 3 + size[0], i * 4:i * 4 + size[1]].copy() for i in range(n)]


def test_recorder_tags_and_geometry_and_timing() -> None:
    hit = signals.recorder_tags({"format": {"encoder": "OBS Studio 30.1"}, "stream0:video": {}})
    assert hit.strength == 1.0 and "OBS" in hit.evidence
    assert signals.recorder_tags({"format": {"encoder": "Lavf60.16.100"}}).strength == 0.0
    assert signals.geometry(1080, 2340).strength == 1.0 and "phone" in signals.geometry(1080, 2340).evidence
    assert signals.geometry(1366, 768).strength == 0.8
    assert signals.geometry(1920, 1080).strength < 0 and signals.geometry(4032, 3024).strength < 0
    assert signals.geometry(1080, 1920, rotation=90).strength < 0  # a phone camera's 16:9, rotated
    assert signals.timing(True, 0.4, 12.0).strength > 0.9
    assert signals.timing(False, 0.01, 30.0).strength < 0


def test_static_overlay() -> None:
    frames = _moving(1)
    bar = np.tile((np.arange(160) % 8 < 4) * 200.0, (10, 1)).astype(np.float32)  # a fixed textured strip
    with_bar = [np.vstack([bar, f[10:]]) for f in frames]
    hit = signals.static_overlay(with_bar)
    assert hit.strength > 0.5 and "top" in hit.evidence
    assert signals.static_overlay(frames).strength < 0  # everything moves: a camera
    still = [frames[0]] * 8
    assert signals.static_overlay(still).strength <= 0  # nothing moves: slides


def _with_inset(frames: list[np.ndarray], inset: list[np.ndarray], corner: str = "br") -> list[np.ndarray]:
    out = []
    for f, i in zip(frames, inset, strict=True):
        f = f.copy()
        h, w = i.shape
        y = f.shape[0] - h - 4 if corner[0] == "b" else 4
        x = f.shape[1] - w - 4 if corner[1] == "r" else 4
        f[y:y + h, x:x + w] = i
        f[y - 1, x - 1:x + w + 1] = 255  # a thin light frame, as call apps draw
        f[y + h, x - 1:x + w + 1] = 255
        f[y - 1:y + h + 1, x - 1] = 255
        f[y - 1:y + h + 1, x + w] = 255
        out.append(f)
    return out


@pytest.mark.parametrize("corner", ["br", "tl"])
def test_pip_inset_found_where_it_is(corner: str) -> None:
    inset = [f[:24, :40] for f in _moving(7)]
    hit = signals.pip_inset(_with_inset(_moving(2), inset, corner))
    expected = {"br": "bottom-right", "tl": "top-left"}[corner]
    assert hit.strength > 0.5 and expected in hit.evidence


def test_pip_inset_near_misses() -> None:
    assert signals.pip_inset(_moving(3)).strength == 0.0  # no inset
    still_map = [np.full((24, 40), 60.0, np.float32)] * 8  # a framed mini-map whose inside does not move
    assert signals.pip_inset(_with_inset(_moving(4), still_map)).strength == 0.0


def test_borders_and_effective_resolution() -> None:
    assert signals.borders((1280, 720), (960, 720)).strength > 0 and "4:3" in signals.borders((1280, 720),
                                                                                            (960, 720)).evidence
    assert signals.borders((1280, 720), (1280, 720)).strength == 0.0
    from winnow.sample.photos import photo

    picture = photo(3, (640, 360)).convert("L")
    sharp = np.asarray(picture, dtype=np.float32)
    upscaled = np.asarray(picture.resize((320, 180)).resize((640, 360), Image.Resampling.BILINEAR), np.float32)
    assert signals.effective_resolution(upscaled).strength > 0  # a webcam picture enlarged twice
    assert signals.effective_resolution(sharp).strength == 0.0


def test_timer_words_and_clock_stamps() -> None:
    running = signals.timers([(0.0, "Rosa 03:12"), (4.0, "03:16"), (9.0, "End call 03:21")])
    assert running.strength == 1.0 and "'03:12' at 0 s" in running.evidence
    assert signals.timers([(0.0, "05:00"), (4.0, "04:56")]).strength < 0.5  # a countdown is no call timer
    stamp = signals.timers([(0.0, "2025-03-14 12:00:00"), (4.0, "2025-03-14 12:00:04")])
    assert stamp.strength == 0.0  # a camera's date stamp runs, but is no call timer
    wall = signals.timers([(0.0, "NEWS 18:28"), (2.5, "18:28"), (5.0, "18:28")])
    assert wall.strength == 0.1 and "does not run" in wall.evidence  # a wall clock read within its minute
    player = signals.timers([(0.0, "\u25b6 4:11 / 14:03"), (3.0, "4:14 / 14:03"), (6.0, "4:17/14:03")])
    assert player.strength == 0.0 and "media player" in player.evidence  # a recorded video playing
    words = signals.interface_words(["Raccrocher", "Muet"])
    assert words.strength > 0.5 and "raccrocher (fr)" in words.evidence
    assert "tapusin (fil)" in signals.interface_words(["Tapusin", "I-mute"]).evidence
    assert signals.interface_words(["Quarterly review"]).strength == 0.0


def test_combined_score_is_explained() -> None:
    score, reasons = combine([signals.Signal("pip_inset", 1.0, "inset"), signals.Signal("timer", 1.0, "timer"),
                              signals.Signal("geometry", -0.4, "camera")])
    assert score == pytest.approx(1 / (1 + np.exp(-(-3.0 + 2.5 + 3.0 - 0.48))))  # bias + weight x strength
    assert [r["signal"] for r in reasons] == ["timer", "pip_inset", "geometry"]
    assert [r["points"] for r in reasons] == [3.0, 2.5, -0.48]
    low, _ = combine([signals.Signal("geometry", -0.4, "camera")])
    assert low < 0.05


def test_faces_are_counted_never_identified() -> None:
    from skimage import data

    person = Image.fromarray(data.astronaut())
    assert "[1" in face_signal([person]).evidence and face_signal([person]).strength == 0.0
    pair = Image.new("RGB", (1024, 512))
    pair.paste(person, (0, 0))
    pair.paste(person, (512, 0))
    assert face_signal([pair]).strength > 0 and "[2]" in face_signal([pair]).evidence


def test_leads_from_ocr_on_a_rendered_frame() -> None:
    from winnow.calls import ocr

    image = Image.new("RGB", (720, 520), (20, 20, 24))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=30)
    draw.text((20, 20), "Rosa +63 917 123 4567", fill=(255, 255, 255), font=font)
    draw.text((20, 120), "@rosa_live", fill=(255, 255, 255), font=font)
    draw.text((20, 220), "06 12 34 56 78", fill=(255, 255, 255), font=font)
    draw.text((560, 20), "12:34", fill=(255, 255, 255), font=font)
    draw.text((20, 320), "UK 07911 123456", fill=(255, 255, 255), font=font)
    draw.text((20, 420), "US (415) 555-2671", fill=(255, 255, 255), font=font)
    frame = np.asarray(image)
    leads = leads_from(3.0, frame, ocr.read(frame), ("PH", "FR", "GB", "US"))
    found = {(lead.kind, lead.value) for lead in leads}
    assert {("phone", "+639171234567"), ("handle", "@rosa_live"), ("phone", "+33612345678"),
            ("phone", "+447911123456"), ("phone", "+14155552671"), ("time", "12:34")} <= found
    crop = next(lead.crop for lead in leads if lead.value == "+639171234567")
    assert crop is not None and crop.width < 720 and crop.height < 100


def test_ingest_then_calls_and_leads(tmp_path: Path) -> None:
    from winnow.sample import calls as sample

    media = tmp_path / "media"
    sample.call_video(media / "call_a.mp4", 1, style=1, seconds=8, caption="+63 917 555 0199")
    sample.call_video(media / "call_b.mp4", 2, style=2, seconds=8)
    sample.camera_video(media / "holiday.mp4", 3, style=0, seconds=6)
    sample.screen_video(media / "slides.mp4", 4, "slides", style=1, seconds=8)
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "calls", "--examiner", "e")
    invoke("ingest", media, "--case", case, "--workers", "2")
    ranked = invoke_json("calls", "--case", case)
    names = [Path(r["path"]).name for r in ranked]
    assert set(names[:2]) == {"call_a.mp4", "call_b.mp4"}, ranked
    by_name = {Path(r["path"]).name: r for r in ranked}
    assert by_name["call_a.mp4"]["score"] >= 0.5 and by_name["holiday.mp4"]["score"] < 0.5
    assert by_name["call_a.mp4"]["flagged"] and not by_name["holiday.mp4"]["flagged"]
    assert by_name["slides.mp4"]["score"] < 0.5
    assert any(r["signal"] == "pip_inset" and r["points"] > 0 for r in by_name["call_a.mp4"]["reasons"])
    assert by_name["holiday.mp4"]["ocr_frames"] == 0  # cheap signals said no: no OCR
    leads = invoke_json("leads", "--case", case, "--kind", "phone")
    assert [(Path(lead["video"]).name, lead["value"]) for lead in leads] == [("call_a.mp4", "+639175550199")]
    assert Path(leads[0]["crop"]).is_file()
    seen = {r["value"]: r for r in invoke_json("identifiers", "--case", case, "--kind", "phone")}
    assert seen["+639175550199"]["origins"] == ["screen"]


def test_screenshot_like_images_are_scored(tmp_path: Path) -> None:
    from winnow.sample.photos import camera_exif, photo

    media = tmp_path / "media"
    media.mkdir()
    shot = Image.new("RGB", (1170, 2532), (16, 16, 20))
    shot.paste(photo(5, (1170, 1900)), (0, 200))
    draw = ImageDraw.Draw(shot)
    font = ImageFont.load_default(size=64)
    draw.text((60, 60), "Maria +63 918 765 4321", fill=(255, 255, 255), font=font)
    for x, word in ((80, "Mute"), (460, "End call"), (880, "Camera")):
        draw.text((x, 2300), word, fill=(255, 255, 255), font=font)
    shot.save(media / "IMG_0042.PNG")
    photo(6, (1600, 1200)).save(media / "DSC_0001.JPG", exif=camera_exif(6))
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "shots", "--examiner", "e")
    invoke("ingest", media, "--case", case, "--workers", "1")
    ranked = {Path(r["path"]).name: r for r in invoke_json("calls", "--case", case)}
    assert ranked["IMG_0042.PNG"]["kind"] == "image" and ranked["IMG_0042.PNG"]["score"] >= 0.5
    assert any(r["signal"] == "interface_words" and r["points"] > 0 for r in ranked["IMG_0042.PNG"]["reasons"])
    assert ranked["DSC_0001.JPG"]["score"] < 0.1 and ranked["DSC_0001.JPG"]["ocr_frames"] == 0
    leads = invoke_json("leads", "--case", case, "--kind", "phone")
    assert [lead["value"] for lead in leads] == ["+639187654321"]


def test_rescan_scores_what_has_no_score(tmp_path: Path) -> None:
    import sqlite3

    from winnow.sample import calls as sample

    media = tmp_path / "media"
    sample.call_video(media / "call.mp4", 4, style=3, seconds=8)
    sample.camera_video(media / "walk.mp4", 5, style=1, seconds=6)
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "old", "--examiner", "e")
    invoke("ingest", media, "--case", case, "--workers", "1")
    before = {r["sha256"]: round(r["score"], 6) for r in invoke_json("calls", "--case", case)}
    conn = sqlite3.connect(case / "case.sqlite")
    conn.execute("DELETE FROM calls")  # as a case ingested before the detector existed
    conn.commit()
    conn.close()
    assert invoke_json("calls", "--case", case) == []
    result = invoke("calls", "--case", case, "--rescan", "--json")
    after = {r["sha256"]: round(r["score"], 6) for r in json.loads(result.stdout)}
    assert after == before and "rescanned 2 videos" in result.stderr
    # the rescan saves its progress as ingest does: a sign of life for the live view and `case copy`
    from winnow.store import runs
    from winnow.store.case import Case

    conn = Case(case).connect()
    try:
        latest = runs.recent(conn, 1)[0]
    finally:
        conn.close()
    assert (latest["command"], latest["status"], latest["files_done"], latest["total_files"], latest["items"],
            latest["warnings"], latest["total_known"]) == ("calls rescan", "completed", 2, 2, 2, 0, 1)
