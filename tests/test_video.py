"""Videos: metadata across containers, sampling modes, signatures, hostile files, matching, through ingest."""

from __future__ import annotations

import json
import sqlite3
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import invoke, invoke_json
from winnow.sample import videos as sv
from winnow.signals import vpdq

SIZE, FPS = (160, 120), 25.0


def _frames(seconds: float = 2.0, seed: int = 1) -> list[tuple[float, np.ndarray]]:
    return list(sv.pan_frames(seed, SIZE, seconds, FPS))


def _with_audio(path: Path) -> Path:
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        audio = out.add_stream("aac", rate=44100)
        for i, (_, array) in enumerate(_frames(1.0)):
            for p in video.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                out.mux(p)
            if i % 2 == 0:
                samples = np.zeros((1, 1024), dtype=np.float32)
                frame = av.AudioFrame.from_ndarray(samples, format="flt", layout="mono")
                frame.sample_rate = 44100
                for p in audio.encode(frame):
                    out.mux(p)
        for stream in (video, audio):
            for p in stream.encode():
                out.mux(p)
    return path


def _vfr(path: Path, irregular: bool) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        stream.time_base = Fraction(1, 1000)
        t = 0
        for i, (_, array) in enumerate(_frames(2.0)):
            frame = av.VideoFrame.from_ndarray(array, format="rgb24")
            frame.pts, frame.time_base = t, Fraction(1, 1000)
            t += (20 if i % 3 else 90) if irregular else 40
            for p in stream.encode(frame):
                out.mux(p)
        for p in stream.encode():
            out.mux(p)
    return path


def _rotated(path: Path) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        stream.set_display_rotation(90)  # a phone held upright
        for _, array in _frames(1.0):
            for p in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                out.mux(p)
        for p in stream.encode():
            out.mux(p)
    return path


@pytest.fixture(scope="module")
def video_case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("video")
    ev = base / "evidence"
    frames = _frames()
    made = {
        "mp4": sv.write(ev / "a.mp4", iter(frames), SIZE, FPS, gop=25),
        "mkv": sv.write(ev / "b.mkv", iter(frames), SIZE, FPS, container_format="matroska"),
        "webm": sv.write(ev / "c.webm", iter(frames), SIZE, FPS, codec="libvpx-vp9", container_format="webm"),
        "avi": sv.write(ev / "d.avi", iter(frames), SIZE, FPS, codec="mpeg4", container_format="avi"),
        "flv": sv.write(ev / "e.flv", iter(frames), SIZE, FPS, codec="flv", container_format="flv"),
        "wmv": sv.write(ev / "f.wmv", iter(frames), SIZE, FPS, codec="wmv2", container_format="asf"),
        "ts": sv.write(ev / "g.ts", iter(frames), SIZE, FPS, container_format="mpegts"),
        "3gp": sv.write(ev / "h.3gp", iter(frames), SIZE, FPS, container_format="3gp"),
        "mov": sv.write(ev / "i.mov", iter(frames), SIZE, FPS, container_format="mov"),
        "faststart": sv.write(ev / "j_faststart.mp4", iter(frames), SIZE, FPS, container_format="mp4",
                              options={"movflags": "faststart"}),
        "audio": _with_audio(ev / "k_audio.mp4"),
        "vfr": _vfr(ev / "l_vfr.mp4", True),
        "cfr": _vfr(ev / "m_cfr.mp4", False),
        "rotated": _rotated(ev / "n_rotated.mp4"),
    }
    whole = made["mp4"].read_bytes()
    hostile = base / "hostile"
    hostile.mkdir()
    (hostile / "truncated.mp4").write_bytes(whole[: len(whole) // 2])  # moov at the end: cut off
    (hostile / "empty.mp4").write_bytes(b"")
    (hostile / "renamed.jpg").write_bytes(whole)
    with av.open(str(hostile / "voice.mp4"), "w", format="mp4") as out:  # audio only, in a video container
        audio = out.add_stream("aac", rate=44100)
        for _ in range(20):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), dtype=np.float32), format="flt", layout="mono")
            frame.sample_rate = 44100
            for p in audio.encode(frame):
                out.mux(p)
        for p in audio.encode():
            out.mux(p)
    faststart = made["faststart"].read_bytes()
    (hostile / "fast_cut.mp4").write_bytes(faststart[: int(len(faststart) * 0.85)])  # index present, data cut
    (hostile / "garbage.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    case = base / "case"
    invoke("case", "create", case, "--name", "v", "--examiner", "e")
    summary = invoke_json("ingest", ev, hostile, "--case", case)
    return {"base": base, "case": case, "made": made, "summary": summary}


def _video(case: Path, path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(case / "case.sqlite")
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT v.* FROM instances i JOIN videos v USING(sha256) WHERE i.chain=?",
                           (str(path),)).fetchone()
        return dict(row) if row else {}
    finally:
        conn.close()


def _warnings(case: Path, path: Path) -> set[str]:
    conn = sqlite3.connect(case / "case.sqlite")
    try:
        return {r[0] for r in conn.execute("SELECT code FROM warnings WHERE chain=?", (str(path),))}
    finally:
        conn.close()


@pytest.mark.parametrize("key,container,codec", [
    ("mp4", "mov,mp4", "h264"), ("mkv", "matroska", "h264"), ("webm", "matroska", "vp9"), ("avi", "avi", "mpeg4"),
    ("flv", "flv", "flv"), ("wmv", "asf", "wmv2"), ("ts", "mpegts", "h264"), ("3gp", "mov,mp4", "h264"),
    ("mov", "mov,mp4", "h264"), ("faststart", "mov,mp4", "h264")])
def test_metadata_across_containers(video_case: dict[str, Any], key: str, container: str, codec: str) -> None:
    v = _video(video_case["case"], video_case["made"][key])
    assert v, f"no video row for {key}"
    assert v["container"].startswith(container) and v["video_codec"] == codec
    assert (v["width"], v["height"]) == SIZE and abs(v["duration"] - 2.0) < 0.3
    assert v["avg_fps"] and abs(v["avg_fps"] - 25) < 1.5 and not v["has_audio"]
    assert v["frames_hashed"] >= 1 and v["signature_mode"] == "triage" and v["thumbnail"] and v["contact_sheet"]
    assert (video_case["case"] / v["contact_sheet"]).is_file()
    assert _warnings(video_case["case"], video_case["made"][key]) == set()


def test_audio_tags_and_frame_rate(video_case: dict[str, Any]) -> None:
    case, made = video_case["case"], video_case["made"]
    with_audio = _video(case, made["audio"])
    assert with_audio["has_audio"] == 1 and with_audio["audio_codec"] == "aac"
    tags = json.loads(_video(case, made["mp4"])["tags"])
    assert tags["format"]["major_brand"] and "encoder" in tags["format"]
    assert _video(case, made["rotated"])["rotation"] == 90 and _video(case, made["mp4"])["rotation"] == 0
    assert _video(case, made["vfr"])["variable_frame_rate"] == 1
    assert _video(case, made["cfr"])["variable_frame_rate"] == 0


def test_hostile_videos_are_warnings(video_case: dict[str, Any]) -> None:
    case, hostile = video_case["case"], video_case["base"] / "hostile"
    assert video_case["summary"]["this_run"]["replaced_workers"] == 0
    assert _warnings(case, hostile / "truncated.mp4") & {"video_unreadable", "video_corrupt", "video_no_frames"}
    assert _warnings(case, hostile / "empty.mp4") == {"empty_file"}
    assert "video_no_stream" in _warnings(case, hostile / "voice.mp4")
    assert _warnings(case, hostile / "garbage.mp4") & {"video_unreadable", "video_corrupt", "video_no_frames"}
    cut = _video(case, hostile / "fast_cut.mp4")  # index intact, data cut: frames before the cut, or a warning
    assert (cut.get("frames_hashed") or 0) >= 1 or _warnings(case, hostile / "fast_cut.mp4") & {
        "video_unreadable", "video_corrupt", "video_no_frames", "video_decode_error", "video_no_stream"}
    renamed = _video(case, hostile / "renamed.jpg")
    assert renamed["video_codec"] == "h264"
    conn = sqlite3.connect(case / "case.sqlite")
    mismatch = conn.execute("SELECT extension_mismatch FROM instances WHERE chain=?",
                            (str(hostile / "renamed.jpg"),)).fetchone()[0]
    conn.close()
    assert mismatch == 1


def test_vpdq_mode_and_size_limit(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    sv.write(ev / "v.mp4", iter(_frames(4.0)), SIZE, FPS, gop=100)
    invoke("case", "create", tmp_path / "c", "--name", "v", "--examiner", "e")
    invoke("ingest", ev, "--case", tmp_path / "c", "--set", "video_mode=vpdq")
    v = _video(tmp_path / "c", ev / "v.mp4")
    assert v["signature_mode"] == "vpdq" and v["frames_hashed"] == 4  # one per second
    features = vpdq.unpack(v["signature"])
    assert [round(f.seconds) for f in features] == list(range(len(features)))
    invoke("case", "create", tmp_path / "d", "--name", "v", "--examiner", "e")
    invoke("ingest", ev, "--case", tmp_path / "d", "--set", "video_max_pixels=1000")
    assert "video_dimensions" in _warnings(tmp_path / "d", ev / "v.mp4")
    assert "video_mode" in invoke("ingest", ev, "--case", tmp_path / "d", "--set", "video_mode=fast",
                                  expect=1).output


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 100), st.binary(min_size=32, max_size=32),
                          st.integers(0, 10**7)), max_size=30))
def test_signature_pack_and_text_round_trip(rows: list[tuple[int, int, bytes, int]]) -> None:
    features = [vpdq.Feature(f, q, h.hex(), ms / 1000) for f, q, h, ms in rows]
    assert vpdq.unpack(vpdq.pack(features)) == features
    parsed, problems = vpdq.from_text(vpdq.to_text(features))
    assert problems == [] and parsed == features
    collapsed = vpdq.collapse(features)
    assert all(a.pdq != b.pdq for a, b in zip(collapsed, collapsed[1:], strict=False))


def test_video_matching_duplicates_clips_and_frame_grabs(tmp_path: Path) -> None:
    manifest = invoke_json("sample-data", tmp_path / "ev", "--seed", "9", "--images", "3", "--max-megapixels", "1",
                           "--videos", "2")
    case, lib = tmp_path / "case", tmp_path / "lib"
    invoke("case", "create", case, "--name", "v", "--examiner", "e")
    invoke("ingest", tmp_path / "ev", "--case", case)
    summary = invoke_json("match", "--case", case, "--library", lib)["videos"]
    assert summary["case_videos"] == 4 and summary["duplicates"] >= 1 and summary["clips"] >= 1
    listing = invoke_json("videos", "--case", case)
    by_path = {v["chain"]: v["sha256"] for v in listing["videos"]}
    paths = {f["kind"]: f["path"] for f in manifest["files"] if f["kind"].startswith("video") or
             f["kind"] == "frame-grab"}
    original = next(f["path"] for f in manifest["files"] if f["kind"] == "video" and f["group"] == "VID_2000")
    other = next(f["path"] for f in manifest["files"] if f["kind"] == "video" and f["group"] == "VID_2001")
    links = {(link["a"], link["b"], link["relation"]) for link in listing["links"]}
    assert (by_path[paths["video-clip"]], by_path[original], "clip") in links
    assert any(rel == "duplicate" and {a, b} == {by_path[original], by_path[paths["video-duplicate"]]}
               for a, b, rel in links)
    assert not any(by_path[other] in (a, b) for a, b, _ in links)  # the unrelated video links to nothing
    grabs = {(g["video"], g["source"]) for g in listing["frame_grabs"]}
    assert (by_path[original], "case") in grabs
    # exchange: export the case's signatures, import them as a known set, each video matches itself fully
    invoke("export", "vpdq", "--case", case, "--out", tmp_path / "vp")
    for f in (tmp_path / "vp").iterdir():
        invoke("hashset", "import", f, "--name", f.name[:12], "--library", lib)
    result = invoke_json("match", "--case", case, "--library", lib)
    assert result["videos"]["known_video_matches"] >= 4
    conn = sqlite3.connect(case / "case.sqlite")
    shares = conn.execute("SELECT sha256, set_name, query_share, index_share FROM matches WHERE hash_type='vpdq'")
    own = [(s, q, i) for s, name, q, i in shares if s.startswith(name)]
    conn.close()
    assert len(own) == 4 and all(q == 1.0 and i == 1.0 for _, q, i in own)
    triage = invoke_json("triage", "--case", case, "--library", lib)
    assert triage["by_state"].get("alert-near", 0) >= 4
    conn = sqlite3.connect(case / "case.sqlite")
    stack = dict(conn.execute("SELECT sha256, stack_id FROM triage WHERE stack_id IS NOT NULL").fetchall())
    reasons = dict(conn.execute("SELECT sha256, reasons FROM triage").fetchall())
    conn.close()
    group = {by_path[original], by_path[paths["video-duplicate"]], by_path[paths["video-clip"]]}
    assert len({stack[s] for s in group}) == 1 and by_path[other] not in stack  # reviewed once, as a stack
    assert "representative" in reasons[by_path[original]] or "representative" in reasons[
        by_path[paths["video-duplicate"]]]


def test_vpdq_mode_samples_the_same_frames_as_a_full_decode(tmp_path: Path) -> None:
    """Skipping non-reference frames away from the sampling points never changes which frames are hashed."""
    from winnow.signals.pdq import hash_from_luma
    from winnow.signals.video import analyse

    path = sv.write(tmp_path / "b.mp4", iter(sv.pan_frames(3, SIZE, 5.0, 50.0)), SIZE, 50.0, gop=100,
                    options={"bf": "3"})
    expected = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        next_t = 0.0
        for number, frame in enumerate(container.decode(stream)):
            t = float(frame.pts * stream.time_base)
            if t + 1e-6 >= next_t:
                luma = np.asarray(frame.to_image().convert("F"), dtype=np.float32)
                pdq, quality = hash_from_luma(luma)
                expected.append(vpdq.Feature(number, quality, pdq, round(t, 3)))
                next_t = int(t) + 1.0
    got = vpdq.unpack(analyse(str(path), sha256="0" * 64, thumbs=None, mode="vpdq").values["signature"])
    assert got == vpdq.collapse(expected) and len(got) == 5
