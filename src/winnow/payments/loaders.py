"""Payment-record loaders: each is one `PaymentLoader` (a name, a description, `sniff(head) -> confidence`, the
options it takes, `read(case, path, **options) -> ImportResult`); `REGISTRY` is the explicit tuple of the
built-ins and `detect` takes the most confident sniffer (`winnow.sniffing`, as for hash sets and chats). A
money-transfer operator's CSV or Excel export is the generic case (any delimited text); Parquet, ISO 20022 camt
and goAML have signatures of their own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from winnow.payments.shared import ImportResult
from winnow.sniffing import Head, best
from winnow.store.case import Case

HEAD_BYTES = 4096


@dataclass(frozen=True)
class PaymentLoader:
    name: str
    description: str
    sniffer: Callable[[Head], float]
    loader: Callable[..., ImportResult]
    options: frozenset[str] = frozenset()

    def sniff(self, head: Head) -> float:
        return self.sniffer(head)

    def read(self, case: Case, path: Path, **options: Any) -> ImportResult:
        return self.loader(case, path, **{k: v for k, v in options.items() if k in self.options})


def _mto(case: Case, path: Path, mapping: Path | None = None, fx: Path | None = None) -> ImportResult:
    from winnow.payments import fx as rates
    from winnow.payments.importer import check_header, load_mapping, mto_rows, store_rows

    table = load_mapping(mapping)
    check_header(path, table)
    options = {"time_format": table.get("time_format", "%Y-%m-%d %H:%M:%S"),
               "time_is": table.get("time_is", "sender_local"),
               "default_channel": table.get("default_channel", "money_transfer")}
    return store_rows(case, path, "mto", mto_rows(path, table), rates.load(fx), options)


def _camt(case: Case, path: Path, fx: Path | None = None) -> ImportResult:
    from winnow.payments import camt
    from winnow.payments import fx as rates
    from winnow.payments.importer import store_rows

    return store_rows(case, path, "camt", camt.read(path), rates.load(fx),
                      {"time_is": "utc", "default_channel": "bank"})


def _goaml(case: Case, path: Path, fx: Path | None = None) -> ImportResult:
    from winnow.payments import fx as rates
    from winnow.payments import goaml
    from winnow.payments.importer import store_rows

    return store_rows(case, path, "goaml", goaml.read(path), rates.load(fx),
                      {"time_is": "utc", "default_channel": "bank"})


def _parquet(case: Case, path: Path, fx: Path | None = None) -> ImportResult:
    from winnow.payments.parquet import import_parquet

    return import_parquet(case, path, fx)


def _sniff_mto(h: Head) -> float:
    if h.suffix() in (".xlsx", ".xlsm") or (h.raw.startswith(b"PK\x03\x04") and "[Content_Types].xml" in h.names):
        return 0.6
    if b"\0" in h.raw[:1024] or h.text.startswith("<"):
        return 0.0
    return 0.4 if any(d in h.first for d in (",", ";", "\t", "|")) else 0.0


def _xml(h: Head) -> bool:
    return h.text.startswith("<")


REGISTRY: tuple[PaymentLoader, ...] = (
    PaymentLoader("mto", "money-transfer operator CSV or Excel export, read through a YAML column mapping",
                  _sniff_mto, _mto, frozenset({"mapping", "fx"})),
    PaymentLoader("camt", "ISO 20022 bank statement or notification (camt.053 / camt.054 XML)",
                  lambda h: 0.95 if _xml(h) and ("iso:20022:tech:xsd:camt.05" in h.text or "<BkToCstmr" in h.text)
                  else 0.0, _camt, frozenset({"fx"})),
    PaymentLoader("goaml", "goAML report XML (UNODC)",
                  lambda h: 0.9 if _xml(h) and "<report" in h.text and ("<rentity_id" in h.text or
                                                                        "<transaction" in h.text) else 0.0,
                  _goaml, frozenset({"fx"})),
    PaymentLoader("parquet", "Parquet with winnow's normalised columns (`winnow payments export`)",
                  lambda h: 1.0 if h.raw.startswith(b"PAR1") else 0.0, _parquet, frozenset({"fx"})),
)
LOADERS: dict[str, PaymentLoader] = {f.name: f for f in REGISTRY}


def detect(path: Path, registry: tuple[PaymentLoader, ...] = REGISTRY) -> str:
    found = best(Head.read(path, HEAD_BYTES), registry)
    if found is None:
        raise ValueError(f"cannot tell the format of {path.name}; pass --format "
                         f"({', '.join(f.name for f in registry)})")
    return found


def import_file(case: Case, path: Path, format_name: str = "auto", mapping_path: Path | None = None,
                fx_path: Path | None = None) -> ImportResult:
    """Import one export: `auto` (sniffed), or a registered loader by name."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path} is not a readable file")
    if format_name == "auto" and mapping_path is not None:
        format_name = "mto"  # a column mapping is for an operator's export: its delimiter need not be sniffable
    name = detect(path) if format_name == "auto" else format_name
    if name not in LOADERS:
        raise ValueError(f"unknown payments format {format_name!r} (auto, {', '.join(LOADERS)})")
    return LOADERS[name].read(case, path, mapping=mapping_path, fx=fx_path)


def import_mto(case: Case, path: Path, mapping_path: Path | None = None,
               fx_path: Path | None = None) -> ImportResult:
    return import_file(case, path, "mto", mapping_path, fx_path)
