"""The call detector on real interface chrome: Debian's Chromium (driven by Playwright, as in test_browser.py)
renders two of the realistic evaluation's mock-ups (benchmarks/calls_ui.py) frame by frame — a speaker view with a
floating self view, a control bar and a running timer over package photographs, and a text editor on a desktop —
encoded to MP4 and scored by the function ingest runs. The benchmark (benchmarks/calls_realistic.py) does this for
63 videos; this keeps the real-UI path in the suite."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(BENCH))
    try:
        import calls_realistic
        import calls_ui
    finally:
        sys.path.remove(str(BENCH))
    assert CHROMIUM.exists(), "make test installs Debian's chromium"
    root = tmp_path_factory.mktemp("calls-ui")
    pictures = [p.as_uri() for p in calls_realistic.photos(root / "photos")]
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        for family, seed in (("call-speaker", 2001), ("editor", 8000)):
            urls = list(pictures)
            random.Random(seed).shuffle(urls)
            html = root / f"{family}.html"
            html.write_text(calls_ui.page(family, seed, urls, 960, 540), encoding="utf-8")
            out[family] = root / f"{family}.mp4"
            calls_realistic.render_page(browser, html, out[family], (960, 540), 2, False, 8.0, seed)
        browser.close()
    return out


def _score(path: Path) -> dict[str, Any]:
    from winnow.signals.video import analyse

    result = analyse(str(path), sha256="0" * 64, thumbs=None,
                     call={"ocr": "auto", "threshold": 0.2, "frames": 4, "regions": ["PH"]})
    return result.values["call"]


def test_a_rendered_call_screen_is_flagged_and_a_desktop_is_not(rendered: dict[str, Path]) -> None:
    call = _score(rendered["call-speaker"])
    reasons = {r["signal"]: r for r in call["reasons"]}
    assert call["score"] > 0.99 and call["ocr_frames"] == 4
    assert reasons["timer"]["points"] == 3.0 and "a running timer" in reasons["timer"]["evidence"]  # OCR'd mm:ss
    assert reasons["pip_inset"]["points"] == 2.5 and "bottom-left corner" in reasons["pip_inset"]["evidence"]
    assert reasons["static_overlay"]["points"] > 1  # the control bar and the filmstrip stay while the video moves
    assert "(cnn): [1, 1, 1, 1]" in reasons["faces"]["evidence"]  # the remote's face; the self view shows none
    editor = _score(rendered["editor"])
    reasons = {r["signal"]: r for r in editor["reasons"]}
    assert editor["score"] < 0.2 and editor["ocr_frames"] == 0  # cheap signals say desktop work: no OCR
    assert reasons["static_overlay"]["points"] < 0 and reasons["pip_inset"]["points"] == 0
    assert "(cnn): [0, 0, 0, 0]" in reasons["faces"]["evidence"]
