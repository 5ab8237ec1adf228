"""docs/architecture.md's examples of adding to each extension point run here, each in a fresh namespace (they
build temporary registries and never change the shipped ones)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.M | re.S)


def test_every_extension_point_has_an_example() -> None:
    headings = re.findall(r"^### (.+)$", DOC.read_text(encoding="utf-8"), re.M)
    assert len(BLOCKS) == len(headings) >= 4


REGISTRIES = (("winnow.evidence.containers", "CONTAINERS"), ("winnow.evidence.disk.formats", "OPENERS"),
              ("winnow.hashsets.formats", "REGISTRY"), ("winnow.payments.rules", "RULES"),
              ("winnow.web.routes", "ROUTERS"), ("winnow.signals.registry", "SIGNALS"),
              ("winnow.calls.checks", "CHECKS"), ("winnow.chats.formats", "REGISTRY"),
              ("winnow.payments.loaders", "REGISTRY"), ("winnow.pipeline.executors", "EXECUTORS"))


def _shipped() -> list[tuple[object, ...]]:
    import importlib

    return [getattr(importlib.import_module(module), name) for module, name in REGISTRIES]


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_example_runs(code: str) -> None:
    before = _shipped()
    exec(compile(code, str(DOC), "exec"), {"__name__": "architecture_example"})  # noqa: S102 (our own docs)
    after = _shipped()  # read again from the modules: an example that rebinds or grows one fails here
    assert all(a is b for a, b in zip(before, after, strict=True)) and after == before


def test_the_registry_check_sees_a_rebound_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    from winnow.hashsets import formats

    before = _shipped()
    monkeypatch.setattr(formats, "REGISTRY", (*formats.REGISTRY,))  # equal, but not the shipped tuple
    assert not all(a is b for a, b in zip(before, _shipped(), strict=True))
