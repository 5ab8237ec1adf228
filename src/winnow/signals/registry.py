"""The registered ingest signals, in the order they run for one content (a signal may read what the ones before
it found: the call score reads the image's size and the video's sampled frames). Names are unique (tested)."""

from __future__ import annotations

from winnow.signals.base import Signal
from winnow.signals.call import CallSignal
from winnow.signals.image import ImageSignal
from winnow.signals.video import VideoSignal

SIGNALS: tuple[Signal, ...] = (ImageSignal(), VideoSignal(), CallSignal())


def signals_for(kind: str | None, registry: tuple[Signal, ...] = SIGNALS) -> tuple[Signal, ...]:
    """The signals computed for a content kind, in order."""
    return tuple(s for s in registry if kind in s.kinds)


def versions(registry: tuple[Signal, ...] = SIGNALS) -> dict[str, int]:
    """`signal:<name>` -> version, recorded with every run."""
    return {f"signal:{s.name}": s.version for s in registry}
