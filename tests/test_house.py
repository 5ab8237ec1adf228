"""The house rules as tests: one category scheme module, no cycles or upward imports, no SQL in the CLI."""

from __future__ import annotations

from winnow import categories
from winnow.hashsets.categories import label
from winnow.store import review


def test_one_category_scheme_review_codes_are_the_published_codes() -> None:
    # VICS's Category is a number and non-pertinent is 0 in both schemes; the UK review app once used "N"
    assert review.SCHEMES is categories.REVIEW_SCHEMES
    for case_scheme, codes in categories.REVIEW_SCHEMES.items():
        vics = categories.REVIEW_TO_VICS[case_scheme]
        for code, text in codes:
            if code == categories.UNCATEGORIZED[case_scheme]:
                assert label(vics, code)[0] is None  # "not decided yet" is no hash-set category
                continue
            assert label(vics, code)[0] is not None, (case_scheme, code, text)
        assert dict(codes)["0"] == "non-pertinent"
    assert label("UK", "0") == ("non-pertinent", "0") and label("UK", "N") == (None, "N")


def _import_graph() -> dict[str, set[str]]:
    """Every winnow module and the winnow modules it imports (at the top or inside a function: a lazy import is
    still a dependency)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "src"
    files = {".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): p
             for p in (root / "winnow").rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                       [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
                       if isinstance(node, ast.ImportFrom) and node.module else [])
            graph[name] |= {t for t in targets if t in files and t != name and not name.startswith(t + ".")}
    return graph


def _part(module: str) -> str:
    return module.split(".")[1] if "." in module else "winnow"


def _layers() -> dict[str, int]:
    """The layer table of docs/architecture.md (between the `layers` markers): the docs are the definition."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("<!-- layers -->")[1]
    out: dict[str, int] = {}
    for number, parts in re.findall(r"^\| (\d+) [^|]*\| ([^|]+) \|", table, re.M):
        for part in re.findall(r"`([a-z_]+)`", parts):
            assert part not in out, f"{part} is in two layers"
            out[part] = int(number)
    return out


def _violations(graph: dict[str, set[str]], layers: dict[str, int]) -> list[str]:
    import networkx as nx

    modules = nx.DiGraph([(a, b) for a, targets in graph.items() for b in targets])
    def canonical(cycle: list[str]) -> str:  # started at its smallest name, so a message is stable
        start = cycle.index(min(cycle))
        return " -> ".join(cycle[start:] + cycle[:start])

    out = [f"module cycle: {canonical(c)}" for c in nx.simple_cycles(modules)]
    out += [f"no layer: {part}" for part in sorted({_part(m) for m in graph} - set(layers))]
    out += sorted(f"upward: {a} -> {b} (layer {layers[_part(a)]} -> {layers[_part(b)]})"
                  for a, targets in graph.items() for b in targets
                  if layers.get(_part(b), -1) > layers.get(_part(a), 99))
    parts = nx.DiGraph([(_part(a), _part(b)) for a, b in modules.edges if _part(a) != _part(b)])
    out += [f"part cycle: {canonical(c)}" for c in nx.simple_cycles(parts)]
    return out


def test_no_import_cycles_and_no_upward_imports() -> None:
    graph = _import_graph()
    assert "winnow.messages" in graph["winnow.store.writer"]  # the graph holds the edges it should
    assert _violations(graph, _layers()) == []


def test_the_import_check_finds_cycles_and_upward_imports() -> None:
    layers = _layers()
    graph = {"winnow.store.writer": {"winnow.pipeline.records"}, "winnow.pipeline.records": set(),
             "winnow.payments.importer": {"winnow.payments.parquet"},
             "winnow.payments.parquet": {"winnow.payments.importer"}, "winnow.zzz": set()}
    assert _violations(graph, layers) == [
        "module cycle: winnow.payments.importer -> winnow.payments.parquet", "no layer: zzz",
        f"upward: winnow.store.writer -> winnow.pipeline.records (layer {layers['store']} -> {layers['pipeline']})"]


def test_the_cli_holds_no_sql() -> None:
    import re
    from pathlib import Path

    cli = Path(__file__).resolve().parent.parent / "src" / "winnow" / "cli"
    sql = re.compile(r"\.execute(many)?\(|\b(SELECT|INSERT|UPDATE|DELETE FROM|CREATE TABLE)\b")
    found = [f"{p.name}:{i}" for p in sorted(cli.glob("*.py"))
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if sql.search(line)]
    assert found == []


def test_payments_audit_rows_are_written_by_the_library(tmp_path: object) -> None:
    from pathlib import Path

    from winnow.payments.actions import import_into, record_evidence, write_report
    from winnow.payments.generator import generate
    from winnow.store import audit
    from winnow.store.case import create_case

    root = Path(str(tmp_path))
    case = create_case(root / "case", name="p", examiner="e")
    generate(root / "tx", seed=3, senders=30, buyers=3, facilitators=1)
    export = root / "tx" / "transactions.csv"
    first = import_into(case, export)
    again = import_into(case, export)
    assert first.rows > 0 and again.skipped_as_duplicate and again.rows == 0
    assert record_evidence(case, "0917 123 4567", "phone", "chat 4, message 12", "PH") == "+639171234567"
    report = write_report(case, top=5)
    conn = case.connect(readonly=True)
    rows = [(r["command"], r["arguments"]) for r in audit.rows(conn)]
    conn.close()
    assert [c for c, _ in rows] == ["payments import", "payments import", "payments evidence", "payments report"]
    assert '"identifier": "+639171234567"' in rows[2][1] and report["file"] in rows[3][1]


def test_one_run_status_word_and_old_cases_converted(tmp_path: object) -> None:
    from pathlib import Path

    import pytest

    from winnow.settings import Settings
    from winnow.store.case import create_case
    from winnow.store.db import migrate
    from winnow.store.runs import RUN_STATUSES, finish_run, start_run
    from winnow.store.schema import SCHEMA_VERSION

    assert RUN_STATUSES == ("running", "completed", "interrupted", "failed")
    case = create_case(Path(str(tmp_path)) / "case", name="r", examiner="e")
    conn = case.connect()
    old = start_run(conn, "calls rescan", Settings())
    conn.execute("UPDATE runs SET status = 'done' WHERE id = ?", (old,))  # as an earlier `calls --rescan` left it
    conn.execute("PRAGMA user_version=10")  # before migration 11 (the status word); later ones run again
    assert migrate(conn) == SCHEMA_VERSION
    assert conn.execute("SELECT status FROM runs WHERE id = ?", (old,)).fetchone()[0] == "completed"
    with pytest.raises(ValueError, match="not 'done'"):
        finish_run(conn, old, "done")  # type: ignore[arg-type]
    conn.close()


def test_hash_set_formats_registry_and_one_detector(tmp_path: object) -> None:
    """Names are unique, and the detector built from the sniffers picks the most specific signature where two
    could match (a `sha-1,md5;...` NSRL header with a `;` is NSRL, not ICSE); nothing sniffs `csv`."""
    from pathlib import Path

    from winnow.hashsets.formats import FORMATS, REGISTRY, Head, detect

    assert len({f.name for f in REGISTRY}) == len(REGISTRY) == len(FORMATS)
    both = Head.of(b'"SHA-1","MD5";"CRC32";"sha1"\n')
    assert FORMATS["nsrl-legacy"].sniff(both) > FORMATS["icse"].sniff(both) > 0
    path = Path(str(tmp_path)) / "list.txt"
    path.write_bytes(b'"SHA-1","MD5";"CRC32";"sha1"\n')
    assert detect(path) == "nsrl-legacy"
    assert FORMATS["csv"].sniff(Head.of(b"md5,name\n" + b"a" * 32 + b",x\n")) == 0.0


def test_container_openers_registry() -> None:
    import io

    from winnow.evidence.containers import CONTAINERS, opener_for

    assert [o.name for o in CONTAINERS] == ["zip", "tar", "compressed stream"]
    assert opener_for("zip", io.BytesIO(b"")).name == "zip" and opener_for("tar", io.BytesIO(b"")).name == "tar"
    assert opener_for("gz", io.BytesIO(b"not gzip")).name == "compressed stream"  # no tar inside: one stream
