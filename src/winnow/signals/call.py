"""The call-recording score as an ingest signal: for a video, from the frames the video signal sampled (OCR
reads a few more frames when the cheap score says screen); for an image with a PDQ hash, from its size and
storage, then OCR when those point to a screenshot. It fills `calls` (one row per content) and `leads` (the
identifiers read on screen, with their text crops), and every lead but a call timer joins the case's
identifiers as a `screen` sighting. `winnow calls --rescan` runs the same signal on cases ingested before it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from winnow.messages import Rows, Sighting
from winnow.signals.base import Job, Output, Result

if TYPE_CHECKING:  # the detector is imported where used: the registry must not load numpy and Pillow
    from winnow.calls.detector import CallValues

CALL_COLUMNS = ("sha256", "score", "cheap_score", "reasons", "ocr_frames", "cpu_seconds")
LEAD_COLUMNS = ("sha256", "seconds", "kind", "value", "raw", "confidence", "text", "box", "crop")


class CallSignal:
    name = "call"
    version = 2
    kinds: tuple[str, ...] = ("video", "image")
    reads: Literal["bytes", "stream", "found"] = "found"
    table = "calls"
    tables: Mapping[str, tuple[str, ...]] = {"calls": CALL_COLUMNS, "leads": LEAD_COLUMNS}

    def compute(self, job: Job) -> Result | None:
        from winnow.calls.detector import call_options, score_image

        options = call_options(job.settings)
        if job.kind == "image":
            image = job.found.get("image")
            if not image or image.get("pdq") is None or job.data is None:
                return None
            try:
                return Result(dict(score_image(image, job.data, job.sha256, job.thumbs, options)), stage="image")
            except (OSError, ValueError, MemoryError) as exc:  # as before the registry: an image-stage warning
                return Result({}, [("call_score_failed", f"{type(exc).__name__}: {exc}")], stage="image")
        frames = job.shared.get("video_frames")
        video = job.found.get("video")
        if not frames or video is None or job.open is None:
            return None
        return Result(dict(score_video(job.open, job.sha256, job.thumbs, video, frames, options)))

    def output(self, sha256: str, values: dict[str, Any]) -> Output:
        call = values.get("call")
        if not call:
            return Output()
        rows = [Rows("calls", CALL_COLUMNS, ((sha256, call["score"], call["cheap_score"],
                                             json.dumps(call["reasons"], ensure_ascii=False), call["ocr_frames"],
                                             call.get("cpu_seconds")),))]
        leads = values.get("call_leads") or []
        if leads:
            rows.append(Rows("leads", LEAD_COLUMNS, tuple(
                (sha256, lead["seconds"], lead["kind"], lead["value"], lead["raw"], lead["confidence"], lead["text"],
                 json.dumps(lead["box"]), lead["crop"]) for lead in leads)))
        sightings = [Sighting(lead["kind"], lead["value"], "screen", f"{sha256}@{lead['seconds']}", lead["raw"],
                              lead["confidence"], "read on screen", lead["text"][:200])
                     for lead in leads if lead["kind"] != "time"]
        return Output(rows, sightings)


def score_video(open_source: Callable[[], AbstractContextManager[Any]], sha256: str, thumbs: Path | None,
                video: dict[str, Any], frames: tuple[Any, Any, Any], options: dict[str, Any]) -> CallValues:
    """The call score of a video from the frames its video signal sampled (small frames, the middle frame's luma,
    the picture size inside any bars); OCR reads a few more frames from `open_source()` when the cheap score
    says screen."""
    from winnow.calls.detector import detect, store_leads
    from winnow.media.video import ocr_frames

    smalls, luma, picture = frames

    def read_frames(count: int) -> list[tuple[float, Any]]:
        with open_source() as source:
            return ocr_frames(source, video.get("duration"), count)

    detection = detect(smalls, luma, video, (video.get("width") or 0, video.get("height") or 0), picture,
                       ocr_frames=read_frames, ocr=options.get("ocr", "auto"),
                       ocr_threshold=options.get("threshold", 0.2), ocr_count=options.get("frames", 4),
                       regions=tuple(options.get("regions", ())))
    return {"call": detection.as_dict(), "call_leads": store_leads(detection.leads, sha256, thumbs)}
