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


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_example_runs(code: str) -> None:
    from winnow.evidence.containers import CONTAINERS
    from winnow.evidence.disk.formats import OPENERS
    from winnow.hashsets.formats import REGISTRY
    from winnow.payments.rules import RULES
    from winnow.web.routes import ROUTERS

    shipped = (CONTAINERS, OPENERS, REGISTRY, RULES, ROUTERS)
    exec(compile(code, str(DOC), "exec"), {"__name__": "architecture_example"})  # noqa: S102 (our own docs)
    assert shipped == (CONTAINERS, OPENERS, REGISTRY, RULES, ROUTERS)
