"""`winnow report --case`: the case report for court, as one self-contained HTML file and a PDF with the same
content — case data, sources and their hashes, counts by triage state and by category, the categorised items
(hashes, paths, timestamps; no imagery unless asked), hash-set provenance, tool and library versions, the audit
trail's summary and its verification result."""

from __future__ import annotations

import base64
import html
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from winnow import __version__
from winnow.store import audit
from winnow.store import disk as disk_store
from winnow.store import report as report_store
from winnow.store.case import Case
from winnow.timeutil import utc_now

ITEM_LIMIT = 100_000


def gather(case: Case) -> dict[str, Any]:
    conn = case.connect(readonly=True)
    try:
        meta = case.meta()
        sources = report_store.sources(conn)
        states = report_store.triage_states(conn)
        categories = report_store.decision_categories(conn)
        items = report_store.decided_items(conn, ITEM_LIMIT)
        sets = report_store.matched_sets(conn)
        runs = report_store.runs(conn)
        commands = report_store.audit_commands(conn)
        verification = audit.verify(conn)
        disk_images = disk_store.image_summary(conn)
    finally:
        conn.close()
    versions: dict[str, str] = {}
    for run in runs:
        versions.update(json.loads(run["versions"] or "{}"))
    from winnow.web import report_findings

    return {"generated_utc": utc_now(), "tool_version": __version__, "case": meta, "sources": sources,
            "investigation": report_findings.gather(case),
            "states": states, "categories": categories, "items": items, "truncated": len(items) >= ITEM_LIMIT,
            "hash_sets": sets, "runs": [{k: v for k, v in r.items() if k != "versions"} for r in runs],
            "versions": versions, "disk_images": disk_images,
            "audit": {"rows": verification.rows, "ok": verification.ok, "problems": verification.problems[:20],
                      "commands": dict(commands)}}


def _cell(value: Any) -> str:
    """Escaped text; a cell's lines (reasons, evidence rows) on their own lines."""
    return html.escape("" if value is None else str(value)).replace("\n", "<br>")


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows) or \
        f"<tr><td colspan='{len(headers)}'>(none)</td></tr>"
    return f"<table><tr>{head}</tr>{body}</table>"


def sections(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(title, headers, rows) of every section: the HTML and the PDF are made from the same list."""
    from winnow.web import report_findings

    case = data["case"]
    audit_info = data["audit"]
    investigation = report_findings.sections(data["investigation"]) if "investigation" in data else []
    return [
        ("Case", ["field", "value"], [[k, v] for k, v in case.items()] +
         [["report generated (UTC)", data["generated_utc"]], ["winnow version", data["tool_version"]]]),
        ("Sources", ["path", "kind", "added (UTC)", "SHA-256 (files)"],
         [[s["path"], s["kind"], s["added_utc"], s["sha256"] or "(folder)"] for s in data["sources"]]),
        ("Disk images", ["image", "format", "medium (bytes)", "stored MD5 / SHA-1", "computed MD5 / SHA-1",
                         "integrity", "volumes", "files / deleted / carved"],
         [[d["image"], d["format"], d["media_size"], f"{d['stored_md5'] or '-'} / {d['stored_sha1'] or '-'}",
           f"{d['computed_md5'] or '-'} / {d['computed_sha1'] or '-'}", disk_store.integrity_text(d),
           "; ".join(disk_store.volume_text(v) for v in d["volumes"]),
           f"{d['files']} / {d['deleted']} / {d['carved']}"] for d in data.get("disk_images", [])]),
        ("Counts by triage state", ["state", "items"], [[k, v] for k, v in data["states"].items()]),
        ("Counts by category", ["category", "items"], [[k, v] for k, v in data["categories"].items()]),
        ("Categorized items", ["category", "SHA-256", "MD5", "path", "modified", "decided by", "decided (UTC)"],
         [[i["category"], i["sha256"], i["md5"], i["path"], i["mtime"],
           i["user"] + (f" (review: {i['reviewed_by']})" if i["reviewed_by"] else ""), i["decided_utc"]]
          for i in data["items"]]),
        *investigation,
        ("Hash-set provenance", ["set", "version", "kind", "matched items"],
         [[s["set_name"], s["set_version"], s["set_kind"], s["items"]] for s in data["hash_sets"]]),
        ("Runs", ["run", "command", "status", "started (UTC)", "finished (UTC)", "tool"],
         [[r["id"], r["command"], r["status"], r["started_utc"], r["finished_utc"], r["tool_version"]]
          for r in data["runs"]]),
        ("Tool and library versions", ["component", "version"], [[k, v] for k, v in sorted(data["versions"].items())]),
        ("Audit trail", ["measure", "value"],
         [["rows", audit_info["rows"]], ["verification", "intact" if audit_info["ok"] else "ALTERED"]] +
         [[f"problem {n + 1}", p] for n, p in enumerate(audit_info["problems"])] +
         [[f"command '{k}'", v] for k, v in sorted(audit_info["commands"].items())]),
    ]


def write_html(case: Case, data: dict[str, Any], out: Path, with_thumbnails: bool = False) -> Path:
    listed = sections(data)
    contents = "".join(f"<li><a href='#s{n}'>{html.escape(title)}</a> ({len(rows)})</li>"
                       for n, (title, _, rows) in enumerate(listed, 1))
    parts = [f"<nav><h2>Contents</h2><ol>{contents}</ol></nav>"]
    parts += [f"<section id='s{n}'><h2>{html.escape(title)}</h2>{_table(headers, rows)}</section>"
              for n, (title, headers, rows) in enumerate(listed, 1)]
    if with_thumbnails:
        pictures = []
        conn = case.connect(readonly=True)
        try:
            for item in data["items"][:2000]:
                thumb = report_store.thumbnail(conn, item["sha256"])
                path = (case.root / thumb) if thumb else None
                if path and path.is_file():
                    uri = "data:image/jpeg;base64," + base64.b64encode(path.read_bytes()).decode()
                    pictures.append(f'<figure><img src="{uri}" alt=""><figcaption>{item["sha256"][:16]} '
                                    f'({html.escape(str(item["category"]))})</figcaption></figure>')
        finally:
            conn.close()
        parts.append("<h2>Thumbnails</h2>" + "".join(pictures))
    title = f"winnow case report — {data['case'].get('name', '')}"
    document = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>"
                "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0}"
                "td,th{border:1px solid #bbb;padding:2px 6px;font-size:12px;vertical-align:top;text-align:left;"
                "max-width:32em;overflow-wrap:anywhere}th{overflow-wrap:normal}"
                "figure{display:inline-block;margin:4px}img{max-width:160px}</style></head><body>"
                f"<h1>{html.escape(title)}</h1>{''.join(parts)}</body></html>")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document, encoding="utf-8")
    return out


def _widths(headers: list[str], rows: list[list[Any]]) -> tuple[float, ...]:
    """Relative column widths from the longest line in each column (within 8..70 characters), so that a column
    of sentences gets the room and a column of scores does not."""
    widths = []
    for k, header in enumerate(headers):
        longest = max([len(header)] + [max((len(line) for line in str(row[k] or "").split("\n")), default=0)
                                       for row in rows[:500] if k < len(row)])
        shortest = max(12, max(len(word) for word in header.split()) + 2)  # a header word is never split
        widths.append(float(min(70, max(shortest, longest))))
    return tuple(widths)


PDF_ROW_LINES = 30  # a table row never grows past this many lines (fpdf2 cannot split a row over two pages)
PDF_CHAR_MM = 1.5  # a generous width of one 7-point DejaVu character: wrapped lines always fit their column


def _pdf_rows(rows: list[list[Any]], widths: tuple[float, ...], page_mm: float) -> Iterator[list[str]]:
    """The rows as PDF cells; a row taller than PDF_ROW_LINES (many evidence rows, a long list of ids) continues
    in the next rows of the table, wrapped beforehand at a conservative width, so nothing is cut and no row is
    too high for a page."""
    chars = [max(4, int((page_mm * w / sum(widths) - 2) / PDF_CHAR_MM)) for w in widths]
    for row in rows:
        texts = ["" if v is None else str(v) for v in row]
        cells = [[piece for line in text.split("\n") for piece in (textwrap.wrap(line, chars[k]) or [""])]
                 for k, text in enumerate(texts)]
        height = max((len(c) for c in cells), default=1)
        if height <= PDF_ROW_LINES:
            yield texts
            continue
        for start in range(0, height, PDF_ROW_LINES):
            yield ["\n".join(c[start:start + PDF_ROW_LINES]) for c in cells]


def write_pdf(data: dict[str, Any], out: Path) -> Path:
    import matplotlib
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 10, f"winnow case report — {data['case'].get('name', '')}", new_x="LMARGIN", new_y="NEXT")
    for title, headers, rows in sections(data):
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 7)
        widths = _widths(headers, rows)
        with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=4, first_row_as_headings=True,
                       col_widths=widths, text_align="LEFT") as table:
            table.row([str(h) for h in headers])
            for row in _pdf_rows(rows or [["(none)"] + [""] * (len(headers) - 1)], widths, pdf.epw):
                table.row(row)
        pdf.ln(3)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out


def write(case: Case, out_dir: Path | None = None, with_thumbnails: bool = False) -> dict[str, Any]:
    out_dir = out_dir or case.root / "reports"
    data = gather(case)
    stamp = data["generated_utc"].replace(":", "").replace("-", "")[:15]
    html_path = write_html(case, data, out_dir / f"report-{stamp}.html", with_thumbnails)
    pdf_path = write_pdf(data, out_dir / f"report-{stamp}.pdf")
    conn = case.connect()
    try:
        audit.append(conn, "report", {"html": str(html_path), "pdf": str(pdf_path), "items": len(data["items"]),
                                      "with_thumbnails": with_thumbnails})
    finally:
        conn.close()
    found = data["investigation"]["findings"]
    return {"html": str(html_path), "pdf": str(pdf_path), "items": len(data["items"]),
            "recordings": len(found["recordings"]), "links": len(data["investigation"]["links"]),
            "audit_ok": data["audit"]["ok"]}
