"""Provenance as a value: a chain is the layers from an evidence file down to an item — an archive member, a
partition, a file-system entry, a carved range — each with its kind, name and (where it has one) offset and length.
The stored `chain` column keeps its readable rendering (`seized.zip!/photos/old.tar.gz!/img.jpg`,
`disk.E01!p2!/Users/x/a.jpg`, `disk.E01!p2!$unallocated@0x1f3a000+48213`, docs/disk.md), but no code decides
what an item *is* by searching that text: `!` is a legal character in file and folder names (`Wow!.mp4`,
`Downloads!/`). Whether an item is a file on disk is structural (its first and only layer is a file; in the store,
`instances.depth = 0`)."""

from __future__ import annotations

import json
from dataclasses import dataclass

KINDS = ("file", "member", "partition", "entry", "carved")


@dataclass(frozen=True)
class Layer:
    """One step of a chain. `file`: a path on the evidence file system (only ever the first layer); `member`: an
    archive member; `partition`: a volume of a disk image (name `p2`, offset in bytes from the medium's start when
    known); `entry`: a path inside a file system; `carved`: a byte range (offset, length) of unallocated space."""

    kind: str
    name: str
    offset: int | None = None
    length: int | None = None

    def render(self) -> str:
        if self.kind == "file":
            return self.name
        if self.kind == "member":
            return f"!/{self.name}"
        if self.kind == "carved":
            return f"!{self.name}@{self.offset or 0:#x}+{self.length or 0}"
        return f"!{self.name}"  # partition `!p2`; entry `!/Users/x/a.jpg` (file-system paths start with /)


@dataclass(frozen=True)
class Chain:
    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        if not self.layers or self.layers[0].kind != "file":
            raise ValueError("a chain starts with the evidence file it was read from")
        for layer in self.layers:
            if layer.kind not in KINDS:
                raise ValueError(f"unknown layer kind {layer.kind!r} (one of {', '.join(KINDS)})")
        if any(layer.kind == "file" for layer in self.layers[1:]):
            raise ValueError("only the first layer is a file on the evidence file system")

    @classmethod
    def file(cls, path: str) -> Chain:
        return cls((Layer("file", path),))

    def _add(self, layer: Layer) -> Chain:
        return Chain((*self.layers, layer))

    def member(self, name: str) -> Chain:
        return self._add(Layer("member", name))

    def partition(self, number: int, offset: int | None = None) -> Chain:
        return self._add(Layer("partition", f"p{number}", offset))

    def entry(self, path: str) -> Chain:
        return self._add(Layer("entry", path if path.startswith("/") else f"/{path}"))

    def carved(self, offset: int, length: int) -> Chain:
        return self._add(Layer("carved", "$unallocated", offset, length))

    @property
    def on_disk(self) -> bool:
        """A file an investigator's machine can open by path (not inside any container or medium)."""
        return len(self.layers) == 1

    @property
    def parent(self) -> Chain | None:
        return Chain(self.layers[:-1]) if len(self.layers) > 1 else None

    @property
    def text(self) -> str:
        """The stored, readable form (the `chain` column)."""
        return "".join(layer.render() for layer in self.layers)

    def __str__(self) -> str:
        return self.text

    def to_json(self) -> str:
        return json.dumps([[la.kind, la.name, la.offset, la.length] for la in self.layers])

    @classmethod
    def from_json(cls, text: str) -> Chain:
        return cls(tuple(Layer(str(k), str(n), o, n_) for k, n, o, n_ in json.loads(text)))
