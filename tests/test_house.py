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


def test_signal_registry_names_tables_and_the_store(tmp_path: object) -> None:
    """Signal names and tables are unique, every kind is a sniffed content kind, every table exists in a new
    case with a `sha256` key and a `run_id`, and the runs record the signals' versions."""
    import json
    from pathlib import Path

    from winnow.settings import Settings
    from winnow.signals.registry import SIGNALS, signals_for, versions
    from winnow.store.case import create_case
    from winnow.store.runs import start_run

    assert [s.name for s in SIGNALS] == ["image", "video", "call"]
    assert len({s.table for s in SIGNALS}) == len(SIGNALS)
    assert [s.name for s in signals_for("image")] == ["image", "call"]
    assert [s.name for s in signals_for("video")] == ["video", "call"] and signals_for("archive") == ()
    case = create_case(Path(str(tmp_path)) / "case", name="c", examiner="e")
    conn = case.connect()
    for signal in SIGNALS:
        columns = {r[1]: r[5] for r in conn.execute(f"PRAGMA table_info({signal.table})")}
        assert columns.get("sha256") == 1 and "run_id" in columns, signal.name
        assert signal.table in signal.tables
        for table, declared in signal.tables.items():  # every declared table and column exists (leads too)
            assert set(declared) | {"run_id"} <= {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}, table
    from winnow.evidence.sniff import sniff

    kinds = {sniff(head).kind for head in (b"\xff\xd8\xff\xe0" + bytes(20), b"\x00\x00\x00\x18ftypmp42" + bytes(20))}
    assert {k for s in SIGNALS for k in s.kinds} == kinds == {"image", "video"}  # kinds the sniffer gives
    run = start_run(conn, "ingest", Settings(), versions())
    stored = json.loads(conn.execute("SELECT versions FROM runs WHERE id = ?", (run,)).fetchone()[0])
    assert {k: v for k, v in stored.items() if k.startswith("signal:")} == {"signal:image": 1, "signal:video": 1,
                                                                           "signal:call": 2}
    conn.close()


def test_signals_run_once_per_content_and_skip_what_is_stored(tmp_path: object) -> None:
    """The Processor asks once per content which signal tables hold it, and computes only the others."""
    from pathlib import Path

    from PIL import Image

    from winnow.messages import FileTask
    from winnow.pipeline.process import Processor
    from winnow.settings import Settings

    folder = Path(str(tmp_path))
    path = folder / "a.png"
    Image.new("RGB", (80, 60), (10, 200, 30)).save(path)
    asked: list[tuple[str, ...]] = []
    out: list[object] = []

    def known(sha: str, tables: tuple[str, ...]) -> set[str]:
        asked.append(tables)
        return {"calls"} if len(asked) > 1 else set()

    processor = Processor(Settings(), None, folder, out.append, known, lambda chain: {})
    task = FileTask(1, str(path), str(path), str(folder), "a.png", None, 1, path.stat().st_size, None, None, None)
    processor.disk_file(task)
    processor.disk_file(task)  # the same content again in this worker: not even asked
    assert asked == [("images", "calls")]
    first = out[0]
    assert [r.table for r in first.rows] == ["images", "calls"]  # type: ignore[attr-defined]
    fresh = Processor(Settings(), None, folder, out.append, known, lambda chain: {})
    fresh.disk_file(task)  # another worker, and the store has its call score (a rescan): only the image signal runs
    assert [r.table for r in out[-1].rows] == ["images"]  # type: ignore[attr-defined]


def test_one_detector_for_chats_and_payments(tmp_path: object) -> None:
    """Chat formats and payment loaders are registries of sniffers judged by the one detector: by content (a
    camt statement named .txt is camt), by the names inside a ZIP or a folder, most specific signature first."""
    import zipfile
    from pathlib import Path

    from winnow.chats import formats as chat_formats
    from winnow.chats.importer import detect as detect_chat
    from winnow.payments import loaders
    from winnow.sniffing import Head

    base = Path(str(tmp_path))
    for registry in (chat_formats.REGISTRY, loaders.REGISTRY):
        assert len({f.name for f in registry}) == len(registry)
    skype = base / "export.json"
    skype.write_text('{"userId": "u", "exportDate": "2026", "conversations": [{"MessageList": []}]}')
    assert chat_formats.FORMATS["skype"].sniff(Head.read(skype)) > chat_formats.FORMATS["telegram"].sniff(
        Head.read(skype)) == 0.0
    assert detect_chat(skype) == "skype"
    ufdr = base / "phone.zip"
    with zipfile.ZipFile(ufdr, "w") as z:
        z.writestr("dump/report.xml", "<project/>")
        z.writestr("dump/notes.txt", "not a chat")
    assert detect_chat(ufdr) == "ufdr"  # a report.xml beats any .txt
    folder = base / "tg"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "result.json").write_text("{}")
    assert detect_chat(folder) == "telegram"
    renamed = base / "telegram_export.txt"  # content first: JSON is JSON whatever the name
    renamed.write_text('{"name": "Rosa", "type": "personal_chat", "messages": [{"id": 1, "type": "message", '
                       '"date_unixtime": "1736676000", "text": "hi"}]}')
    assert detect_chat(renamed) == "telegram"
    log = base / "chat.log"  # a WhatsApp export under another name is told by its lines
    log.write_text("12/01/2025, 10:00 - Rosa: hi\n12/01/2025, 10:01 - Rosa: call me\n")
    assert detect_chat(log) == "whatsapp"
    camt = base / "statement.txt"
    camt.write_text('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">')
    mto = base / "export.csv"
    mto.write_text("date,sender,receiver,amount\n2026-01-01,a,b,20\n")
    parquet = base / "t.bin"
    parquet.write_bytes(b"PAR1" + bytes(20))
    assert [loaders.detect(p) for p in (camt, mto, parquet)] == ["camt", "mto", "parquet"]
    (base / "blob.bin").write_bytes(bytes(64))
    import pytest

    with pytest.raises(ValueError, match="cannot tell the format of blob.bin; pass --format"):
        loaders.detect(base / "blob.bin")


def test_one_problem_type_and_one_name_in_every_import(tmp_path: object) -> None:
    """Hash sets, chats and payments report bad rows as the one `Problem`, under `problems`/`first_problems` in
    their results (the old names stay readable for scripts written against them)."""
    from pathlib import Path

    from winnow.chats.importer import import_chats
    from winnow.hashsets.library import Library
    from winnow.payments.loaders import import_file
    from winnow.problems import Problem
    from winnow.store.case import create_case

    base = Path(str(tmp_path))
    case = create_case(base / "case", name="p", examiner="e")
    hashes = base / "set.txt"
    hashes.write_text("d41d8cd98f00b204e9800998ecf8427e  a.jpg\nnot-a-hash  b.jpg\n")
    chat = base / "chat.txt"
    chat.write_text("12/01/2025, 10:00 - Rosa: hi\n31/02/2025, 10:01 - Rosa: bad date\n")
    pay = base / "pay.csv"
    pay.write_text("Date Time,Sender Name,Receiver Name,Send Amount,Send Currency\n2026-01-01 10:00:00,a,b,20,EUR\n"
                   "2026-01-02 10:00:00,a,b,lots,EUR\n")
    results = [Library(base / "library").import_file(hashes, "s").as_dict(),
               import_chats(case, chat, tz="UTC").as_dict(), import_file(case, pay).as_dict()]
    for result in results:
        assert result["problems"] == 1 and len(result["first_problems"]) == 1
        assert set(result["first_problems"][0]) == {"position", "message"}
    assert [r["first_problems"][0]["position"] for r in results] == ["line 2", "line 2", "line 3"]
    assert results[0]["first_issues"] == results[0]["first_problems"]
    assert results[2]["first_errors"] == results[2]["first_problems"] and results[2]["errors"] == 1
    assert import_file(case, pay).first_problems == [] and Problem("a", "b").as_dict() == {"position": "a",
                                                                                              "message": "b"}


def test_the_signal_registry_loads_no_decoder() -> None:
    """The registry is imported by the ingest runner, which must start fast: declarations only, no numpy,
    Pillow, PyAV or the call detector until a signal computes."""
    import subprocess
    import sys

    code = ("import sys, winnow.signals.registry as r; r.versions(); "
            "print(sorted(m for m in ('numpy', 'PIL', 'av', 'winnow.calls.detector') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_failing_signal_keeps_the_content_and_the_other_signals(tmp_path: object) -> None:
    """A signal that raises (or fills a table it did not declare) costs only its own values: the item keeps its
    hashes and the other signals' rows, with a `signal_failed` warning; a re-run computes it again."""
    from pathlib import Path

    from PIL import Image

    from winnow.messages import FileTask, Rows
    from winnow.pipeline.process import Processor
    from winnow.settings import Settings
    from winnow.signals.base import Output, Result
    from winnow.signals.image import ImageSignal

    class Boom:
        name, version, kinds, reads, table, tables = "boom", 1, ("image",), "found", "boom", {"boom": ("sha256",)}

        def compute(self, job: object) -> Result:
            raise RuntimeError("decoder fell over")

        def output(self, sha256: str, values: dict[str, object]) -> Output:
            return Output()

    class Sneaky(Boom):
        name = "sneaky"

        def compute(self, job: object) -> Result:
            return Result({"x": 1})

        def output(self, sha256: str, values: dict[str, object]) -> Output:
            return Output([Rows("users", ("name",), (("mallory",),))])

    folder = Path(str(tmp_path))
    path = folder / "a.png"
    Image.new("RGB", (80, 60), (10, 200, 30)).save(path)
    out: list[object] = []
    processor = Processor(Settings(), None, folder, out.append, lambda sha, tables: set(), lambda chain: {},
                          signals=(ImageSignal(), Boom(), Sneaky()))
    processor.disk_file(FileTask(1, str(path), str(path), str(folder), "a.png", None, 1, path.stat().st_size,
                                 None, None, None))
    record = out[0]
    assert record.status == "ok" and record.content["sha256"]  # type: ignore[attr-defined]
    assert [r.table for r in record.rows] == ["images"]  # type: ignore[attr-defined]
    assert [(stage, code) for stage, code, _ in record.warnings] == [  # type: ignore[attr-defined]
        ("boom", "signal_failed"), ("sneaky", "signal_failed")]
    assert "RuntimeError: decoder fell over" in record.warnings[0][2]  # type: ignore[attr-defined]
    assert "undeclared tables" in record.warnings[1][2]  # type: ignore[attr-defined]
    import pytest

    with pytest.raises(ValueError, match="not a table or column name"):
        Rows("images; DROP TABLE users", ("sha256",), ())


def test_call_checks_are_unique_and_weigh_what_they_measure() -> None:
    import pytest

    from winnow.calls.checks import CHECKS, WEIGHTS, Check, Clip, run
    from winnow.calls.signals import Signal

    assert len({c.name for c in CHECKS}) == len(CHECKS) == len(WEIGHTS)
    assert {c.stage for c in CHECKS} == {"early", "layout", "ocr"} and all(c.weight > 0 for c in CHECKS)
    clip = Clip({"width": 1536, "height": 864, "duration": 8.0}, frame_size=(1536, 864), picture_size=(1536, 837))
    assert [s.name for s in run("early", "video", clip)] == ["recorder_tags", "geometry", "timing", "static_overlay"]
    assert [s.name for s in run("layout", "video", clip)] == ["pip_inset", "borders"]  # no luma, no frames
    wrong = (Check("short", 2.0, "early", ("video",), lambda c: Signal("short_clip", -0.5, "8 s")),)
    with pytest.raises(ValueError, match="check 'short' measured a signal named 'short_clip'"):
        run("early", "video", clip, wrong)
