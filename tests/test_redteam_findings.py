"""Red-team findings after issue 13 (branch ``redteam``): one test per finding, tried from
outside through the ``placemap`` command as a user runs it.

Each test states the promise (README or issue 13) that the finding breaks and fails on
the code it was written against; it is marked ``xfail(strict=True)`` so the suite stays
green until the finding is fixed, and then the strict marker turns the pass into a
failure: remove the marker with the fix. Numbers (F1...) match the red-team report.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

TEXT = "Shelling hit Homs province and the town of Palmyra, Syria."
GOOD = json.dumps({"id": "good", "text": TEXT})


def finding(n: str, what: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"red-team {n}: {what}")


@pytest.fixture()
def pm(small_index: Path, tmp_path: Path):
    """placemap in a child process, as a user runs it (stdin closed, C.UTF-8 locale)."""

    def invoke(*args: str | Path, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
        env = {**os.environ, "PLACEMAP_GAZETTEER": str(small_index), "LC_ALL": "C.UTF-8"}
        return subprocess.run(
            [sys.executable, "-m", "placemap", *(os.fspath(a) for a in args)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            cwd=tmp_path,
            **kw,
        )

    return invoke


def _good_txt(tmp_path: Path) -> Path:
    f = tmp_path / "good.txt"
    f.write_text("Good report\n" + TEXT + "\n", "utf-8")
    return f


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text("utf-8").splitlines() if line]


# --- F1: -o replaces a FIFO, device or symbolic link with a regular file ------------------


def test_output_onto_a_fifo_does_not_replace_it(pm, tmp_path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    drained = threading.Thread(target=lambda: Path(fifo).read_bytes(), daemon=True)
    drained.start()  # a reader, in case placemap writes into the pipe
    pm("extract", _good_txt(tmp_path), "-o", fifo, timeout=60)
    if drained.is_alive():  # nothing was written into the pipe: release the reader
        with open(fifo, "wb"):
            pass
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the named pipe was replaced by a file"


def test_output_onto_a_symlink_keeps_the_link(pm, tmp_path) -> None:
    target = tmp_path / "target.jsonl"
    target.write_text("old\n", "utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    r = pm("extract", _good_txt(tmp_path), "-o", link)
    assert link.is_symlink(), "the link was replaced by a regular file"
    assert r.returncode == 0 and _ids(target) == ["good"]


# --- F2: a Parquet text column of numbers crashes the run ---------------------------------


def test_parquet_numeric_text_column_is_one_error(pm, tmp_path) -> None:
    pq.write_table(pa.table({"id": ["a", "b"], "text": [1, 2]}), tmp_path / "n.parquet")
    out = tmp_path / "out.jsonl"
    r = pm("extract", _good_txt(tmp_path), tmp_path / "n.parquet", "-o", out)
    assert "Traceback" not in r.stderr
    assert r.returncode == 3
    assert _ids(out) == ["good"]


# --- F3: --glob . crashes ----------------------------------------------------------------


def test_glob_dot_is_not_a_traceback(pm, tmp_path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    _good_txt(folder)
    r = pm("extract", folder, "--glob", ".")
    assert "Traceback" not in r.stderr
    assert r.returncode in (2, 3)


# --- F4: a run that finds no report replaces good output with an empty one ---------------


def test_a_run_without_reports_keeps_the_previous_maps(pm, tmp_path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    _good_txt(folder)
    out = tmp_path / "maps"
    assert pm("map", folder, "-o", out).returncode == 0
    before = (out / "index.html").read_bytes()
    r = pm("map", folder, "--glob", "*.TXT", "-o", out)
    assert r.returncode != 0, "a run that read no report says so"
    assert (out / "index.html").read_bytes() == before


# --- F5/F6: CSV reading loses rows ---------------------------------------------------------


def test_csv_bad_byte_in_one_row_keeps_the_others(pm, tmp_path) -> None:
    f = tmp_path / "t.csv"
    f.write_bytes(
        b"id,text\nv1,News from Homs.\nv2,caf\xe9 \x81 News from Homs.\nv3,News from Palmyra.\n"
    )
    out = tmp_path / "out.jsonl"
    r = pm("extract", f, "-o", out)
    assert {"v1", "v3"} <= set(_ids(out)), r.stderr


def test_csv_late_latin1_byte_keeps_the_rows_after_it(pm, tmp_path) -> None:
    rows = [f"a{i},News from Homs. {'filler ' * 6}" for i in range(40_000)]  # 2 MB before
    f = tmp_path / "t.csv"
    f.write_bytes(
        ("id,text\n" + "\n".join(rows[:30_000]) + "\n").encode()
        + b"bad,caf\xe9 in Homs.\n"
        + ("\n".join(rows[30_000:]) + "\n").encode()
    )
    out = tmp_path / "out.jsonl"
    pm("extract", f, "--format", "csv", "-o", out, timeout=600)
    ids = {line.split(",", 1)[0] for line in out.read_text("utf-8").splitlines()[1:]}
    assert {"a29999", "a30000", "a39999"} <= ids


def test_csv_unbalanced_quote_is_reported(pm, tmp_path) -> None:
    f = tmp_path / "t.csv"
    f.write_text('id,text\nq1,"News from Homs.\nq2,News from Homs.\nq3,News from Palmyra.\n')
    r = pm("extract", f, "-o", tmp_path / "out.jsonl")
    assert r.returncode == 3 and "t.csv" in r.stderr


# --- F7: an HTML character reference of a control character loses the page -------------


def test_html_control_character_reference_keeps_the_page(pm, tmp_path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body><article><p>Shelling near Palmyra, Syria, and Homs.</p>"
        "<p>x &#1; y</p></article></body></html>",
        "utf-8",
    )
    out = tmp_path / "out.jsonl"
    r = pm("extract", page, "-o", out)
    assert r.returncode == 0, r.stderr
    assert _ids(out) == ["p"]


# --- F8/F9: eval and gazetteer build tracebacks ----------------------------------------------


@pytest.mark.parametrize("gid", [[1], {"a": 1}, 2**63])
def test_eval_odd_geonameid_skips_the_document(pm, tmp_path, gid) -> None:
    topo = {"start": 27, "end": 31, "name": "Homs", "lat": 34.7, "lon": 36.7, "geonameid": gid}
    good = {"id": "g", "text": TEXT, "toponyms": []}
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"id": "d", "text": TEXT, "toponyms": [topo]}) + "\n" + json.dumps(good) + "\n"
    )
    r = pm("eval", corpus, "--misses", tmp_path / "m.csv")
    assert "Traceback" not in r.stderr
    assert r.returncode == 3


def test_eval_unwritable_misses_is_one_error(pm, tmp_path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "g", "text": TEXT, "toponyms": []}) + "\n")
    (tmp_path / "afile").write_text("x")
    r = pm("eval", corpus, "--misses", tmp_path / "afile" / "m.csv")
    assert "Traceback" not in r.stderr
    assert r.returncode == 1 and "afile" in r.stderr


def test_gazetteer_build_output_under_a_file_is_one_error(pm, tmp_path, dump_dir) -> None:
    (tmp_path / "afile").write_text("x")
    r = pm("gazetteer", "build", "--no-default", "--geonames", dump_dir,
           "-o", tmp_path / "afile" / "idx.sqlite")  # fmt: skip
    assert "Traceback" not in r.stderr
    assert r.returncode in (1, 2)


# --- F10/F11: option values and table cells that crash ------------------------------------


def test_max_size_infinity_is_a_usage_error(pm, tmp_path) -> None:
    r = pm("extract", _good_txt(tmp_path), "--max-size", "inf")
    assert "Traceback" not in r.stderr
    assert r.returncode == 2


def test_geocode_list_cells_are_not_a_traceback(pm, tmp_path) -> None:
    pq.write_table(pa.table({"loc": [["Homs"], None]}), tmp_path / "t.parquet")
    r = pm("geocode", tmp_path / "t.parquet", "--column", "loc", "-o", tmp_path / "o.parquet")
    assert "Traceback" not in r.stderr


# --- F12/F13: hangs and memory that grows without bound ---------------------------------


def test_overlay_fifo_is_refused_without_blocking(pm, tmp_path) -> None:
    fifo = tmp_path / "overlay.csv"
    os.mkfifo(fifo)
    try:
        r = pm("extract", _good_txt(tmp_path), "--overlay", fifo, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("placemap blocked on the named pipe")
    assert r.returncode != 0 and "overlay.csv" in r.stderr


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_a_long_name_is_looked_up_in_bounded_memory(pm, tmp_path) -> None:
    # 15 kB: 4.8 GB peak for 20 kB with the default index (and a traceback at 1 GB)
    name = " ".join(["Qwxz"] * 3000)
    r = pm("gazetteer", "search", name, preexec_fn=_limit_memory)
    assert "MemoryError" not in r.stderr and "Traceback" not in r.stderr
    assert r.returncode in (0, 1)


# --- F14/F15: silent loss and terminal escapes ----------------------------------------------


def test_json_object_with_two_lists_loses_no_record_silently(pm, tmp_path) -> None:
    f = tmp_path / "two.json"
    f.write_text(json.dumps({"a": [{"id": "a1", "text": TEXT}], "b": [{"id": "b1", "text": TEXT}]}))
    out = tmp_path / "out.jsonl"
    r = pm("extract", f, "-o", out)
    assert _ids(out) == ["a1", "b1"] or r.returncode == 3


def test_search_output_has_no_raw_escape_sequences(pm, tmp_path) -> None:
    overlay = tmp_path / "ov.csv"
    overlay.write_text('name,lat,lon,alternate_names\n"\x1b]0;PWNED\x07Zorb",35,38,Zorbx\n')
    r = pm("gazetteer", "search", "Zorbx", "--overlay", overlay)
    assert r.returncode == 0
    assert "\x1b" not in r.stdout


# === Second pass (branch redteam2) ===========================================================
# Each test below failed on main before its fix (run with main's src first on PYTHONPATH)
# and passes with it; R1... match the second report.

# --- R1: file names and record values reach the terminal raw ---------------------------------


def test_messages_are_one_line_without_terminal_escapes(pm, tmp_path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    _good_txt(folder)
    (folder / "a\x1b]0;PWNED\x07\x1b[2J.txt").write_text("")  # empty: an error naming it
    (folder / "b\nplacemap: error: forged.txt").write_text("")
    (folder / "c\u202egnp.txt").write_text("")  # shows as c...txt.png in reverse
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "f", "text": TEXT, "date": "\x1b[31m2017\r\n"}) + "\n")
    r = pm("extract", folder, feed, "-o", tmp_path / "out.jsonl")
    assert r.returncode == 3
    for control in ("\x1b", "\x07", "\r", "\u202e"):
        assert control not in r.stderr
    lines = r.stderr.splitlines()
    assert all(line.startswith("placemap: ") for line in lines), lines
    assert sum("error:" in line for line in lines) == 3, lines
    assert "a\\x1b]0;PWNED\\x07\\x1b[2J.txt" in r.stderr
    assert "b\\nplacemap: error: forged.txt" in r.stderr


# --- R2: geocode to JSON Lines dies on a NaN or an infinity in the table --------------------


def _strict_json(line: str) -> dict:
    def refuse(token: str) -> None:
        raise AssertionError(f"{token} is not JSON")

    return json.loads(line, parse_constant=refuse)


def test_geocode_jsonl_writes_nan_and_infinity_as_null(pm, tmp_path) -> None:
    nested = pa.array([[1.5, float("nan")], None])
    table = pa.table({"loc": ["Homs", "Palmyra"], "score": [1.5, float("nan")], "v": nested})
    pq.write_table(table, tmp_path / "t.parquet")
    feed = tmp_path / "t.jsonl"
    feed.write_text('{"loc": "Homs", "n": -Infinity, "m": {"k": NaN}}\n{"loc": "Palmyra"}\n')
    for src, keys in ((tmp_path / "t.parquet", ("score", "v")), (feed, ("n", "m"))):
        out = tmp_path / "out.jsonl"
        r = pm("geocode", src, "--column", "loc", "-o", out)
        assert "Traceback" not in r.stderr and r.returncode == 0, r.stderr
        rows = [_strict_json(line) for line in out.read_text("utf-8").splitlines()]
        assert [row["loc"] for row in rows] == ["Homs", "Palmyra"]
        assert {k: rows[0].get(k) for k in keys} in (
            {"score": 1.5, "v": [1.5, None]},
            {"n": None, "m": {"k": None}},
        )


# --- R3: an option value that is not UTF-8 ends map in a traceback -------------------------


def test_map_options_that_are_not_utf8(pm, tmp_path) -> None:
    good = _good_txt(tmp_path)
    title = os.fsdecode(b"Caf\xe9 news")  # a Latin-1 shell: the byte is not UTF-8
    r = pm("map", good, "-o", tmp_path / "maps", "--title", title)
    assert "Traceback" not in r.stderr and r.returncode == 0, r.stderr
    assert "<title>Caf\ufffd news</title>" in (tmp_path / "maps" / "index.html").read_text("utf-8")
    tiles = os.fsdecode(b"https://t\xe9.example.org/{z}/{x}/{y}.png")
    r = pm("map", good, "-o", tmp_path / "maps2", "--tiles", tiles)
    assert "Traceback" not in r.stderr and r.returncode == 2, r.stderr
    assert not (tmp_path / "maps2").exists()


# --- R4: a page's <meta charset> picks any of Python's codecs ------------------------------


@pytest.mark.parametrize(
    ("charset", "body", "shown"),
    [
        # UTF-16 named by a page whose bytes are ASCII: browsers read UTF-8 (was CJK noise)
        ("utf-16", "caf\xc3\xa9", "caf\xe9"),
        # UTF-7 is no web encoding: its markup must not appear (was cut out as a tag)
        ("utf-7", "+ADw-b+AD4-bold+ADw-/b+AD4-", "+ADw-b+AD4-bold+ADw-/b+AD4-"),
        # nor Python's escape codec
        ("unicode_escape", "\\u003cb\\u003ebold", "\\u003cb\\u003ebold"),
        # latin1 is Windows-1252 on the web: curly quotes (were C1 control characters)
        ("iso-8859-1", "\x93quoted\x94", "\u201cquoted\u201d"),
    ],
)
def test_meta_charset_is_read_as_browsers_read_it(pm, tmp_path, charset, body, shown) -> None:
    data = (
        f'<html><head><meta charset="{charset}"><title>Homs</title></head><body><article>'
        f"<p>Shelling hit Homs province and Palmyra, Syria. {body} end</p>"
        "</article></body></html>".encode("latin-1")
    )
    page = tmp_path / "p.html"
    page.write_bytes(data + b"\n" * (len(data) % 2))  # an even length decodes as UTF-16
    out = tmp_path / "out.jsonl"
    r = pm("extract", page, "--with-text", "-o", out)
    assert r.returncode == 0, r.stderr
    text = json.loads(out.read_text("utf-8"))["text"]
    assert text == f"Shelling hit Homs province and Palmyra, Syria. {shown} end"


# --- R5: a CSV whose lines end in a lone CR is lost ----------------------------------------


def test_csv_with_lone_carriage_returns_keeps_every_row(pm, tmp_path) -> None:
    f = tmp_path / "mac.csv"  # Excel's "CSV (Macintosh)": CR line ends; then mixed ones
    f.write_bytes(
        b'id,text\rm1,"News from Homs.\rAnd Palmyra."\rm2,News from Homs.\r\n'
        b'm3,"News from Aleppo, ""quoted"""\nm4,"unclosed\rm5,News from Palmyra.\r'
    )
    out = tmp_path / "out.jsonl"
    r = pm("extract", f, "--with-text", "-o", out)
    texts = {
        d["id"]: d["text"] for d in map(json.loads, out.read_text("utf-8").splitlines())
    }
    assert texts == {
        "m1": "News from Homs.\rAnd Palmyra.",
        "m2": "News from Homs.",
        "m3": 'News from Aleppo, "quoted"',
        "m5": "News from Palmyra.",
    }
    assert r.returncode == 3 and "mac.csv, line 6: a quote opened here" in r.stderr


# --- R6: a table with two columns of one name gives the last one silently ------------------


def test_table_with_two_text_or_id_columns_is_one_error(pm, tmp_path) -> None:
    f = tmp_path / "dup.csv"
    f.write_text("id,text,text\nd1,News from Homs.,editor's note\n", "utf-8")
    ids = pa.array(["p1"])
    table = pa.Table.from_arrays([ids, pa.array(["News from Homs."]), ids], ["id", "text", "id"])
    pq.write_table(table, tmp_path / "dup.parquet")
    (tmp_path / "ok.csv").write_text("id,text,note,note\nk1,News from Homs.,a,b\n", "utf-8")
    out = tmp_path / "out.jsonl"
    r = pm("extract", _good_txt(tmp_path), f, tmp_path / "dup.parquet", tmp_path / "ok.csv",
           "-o", out)  # fmt: skip
    assert _ids(out) == ["good", "k1"]  # columns placemap does not read may repeat
    assert r.returncode == 3
    assert "dup.csv: 2 columns named 'text'" in r.stderr
    assert "dup.parquet: 2 columns named 'id'" in r.stderr


# --- R7/R8: a run reads its own output back, or writes over its inputs ---------------------


def test_map_of_a_folder_does_not_read_its_own_maps(pm, tmp_path) -> None:
    _good_txt(tmp_path)  # `placemap map .`: the maps go to ./output/ by default
    assert pm("map", ".").returncode == 0
    r = pm("map", ".")
    assert r.returncode == 0 and "error" not in r.stderr, r.stderr
    assert sorted(p.name for p in (tmp_path / "output").glob("*.html")) == [
        "collection.html",
        "good.html",
        "index.html",
    ]


def test_extract_into_a_folder_it_reads_does_not_read_its_output(pm, tmp_path) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "f.jsonl").write_text(GOOD + "\n", "utf-8")
    out = feeds / "out.jsonl"
    for _ in range(2):
        r = pm("extract", feeds, "--with-text", "-o", out)
        assert r.returncode == 0, r.stderr
    assert _ids(out) == ["good"]  # not ["good", "good"]: out.jsonl read as a feed


def test_outputs_never_replace_the_inputs(pm, tmp_path) -> None:
    report = _good_txt(tmp_path)
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Mine</title></head><body><article><p>" + TEXT + "</p></article>"
        "</body></html>",
        "utf-8",
    )
    before = {p: p.read_bytes() for p in (report, page)}
    cases = [
        ("extract", report, "-o", report),
        ("map", page, "-o", tmp_path),  # its page would be page.html
        ("map", tmp_path, "-o", tmp_path),
    ]
    for args in cases:
        r = pm(*args)
        assert r.returncode == 1 and "Traceback" not in r.stderr, (args, r.stderr)
        assert r.stderr.startswith("placemap: error: ") and "choose another" in r.stderr
    assert {p: p.read_bytes() for p in (report, page)} == before
    assert not (tmp_path / "index.html").exists()


# --- R9: a table's own confidence column with an infinity ends map in a traceback ----------


def test_map_of_a_table_with_an_infinite_confidence(pm, tmp_path) -> None:
    table = tmp_path / "events.csv"
    table.write_text("name,lat,lon,confidence\nA,34,36,inf\nB,35,37,-inf\nC,35,37,0.4\n")
    out = tmp_path / "maps"
    r = pm("map", table, "--lat", "lat", "--lon", "lon", "-o", out, "--min-confidence", "0.5")
    assert "Traceback" not in r.stderr and r.returncode == 0, r.stderr
    assert "1 resolved mentions on the maps" in r.stdout  # A (inf: 1.0); B and C below 0.5


# --- R10: one damaged row group of a Parquet file loses the whole file ---------------------


def test_damaged_parquet_row_group_costs_only_its_rows(pm, tmp_path) -> None:
    f = tmp_path / "t.parquet"
    ids = [f"r{i}" for i in range(300)]
    pq.write_table(pa.table({"id": ids, "text": [TEXT] * 300}), f, row_group_size=100,
                   compression="none", use_dictionary=False)  # fmt: skip
    chunk = pq.ParquetFile(f).metadata.row_group(1).column(1)  # the text of rows 101-200
    data = bytearray(f.read_bytes())
    start = chunk.data_page_offset
    data[start : start + chunk.total_compressed_size] = b"\xab" * chunk.total_compressed_size
    f.write_bytes(bytes(data))
    out = tmp_path / "out.jsonl"
    r = pm("extract", f, _good_txt(tmp_path), "-o", out)
    assert r.returncode == 3 and "t.parquet, rows 101-200: unreadable Parquet data" in r.stderr
    assert _ids(out) == ids[:100] + ids[200:] + ["good"]


# --- R11: a URL with a space, a quote or a control character -------------------------------


def test_urls_are_percent_encoded_not_dropped_or_kept_raw(pm, tmp_path) -> None:
    urls = {
        "sp": ("http://news.example/a b", "http://news.example/a%20b"),
        "q": ('https://news.example/"><b>x', "https://news.example/%22%3E%3Cb%3Ex"),
        "esc": ("http://news.example/\x1b[31m\x00", "http://news.example/%1B[31m%00"),
        "js": ("javascript:alert(1)", None),
        "data": ("data:text/html,<script>alert(1)</script>", None),
    }
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "".join(json.dumps({"id": k, "text": TEXT, "url": u}) + "\n" for k, (u, _) in urls.items())
    )
    out = tmp_path / "out.jsonl"
    assert pm("extract", feed, "-o", out).returncode == 0
    got = {d["id"]: d["url"] for d in map(json.loads, out.read_text("utf-8").splitlines())}
    assert got == {k: want for k, (_, want) in urls.items()}
    assert pm("map", feed, "-o", tmp_path / "maps").returncode == 0
    index = (tmp_path / "maps" / "index.html").read_text("utf-8")
    for want in ("http://news.example/a%20b", "https://news.example/%22%3E%3Cb%3Ex"):
        assert f"<a href='{want}'" in index  # linked, as the maps link a report's URL


# --- R12: a huge date field is parsed shape by shape, all of it ------------------------------


def test_a_huge_date_field_is_searched_only_at_its_start(monkeypatch) -> None:
    from placemap import dates

    calls = []
    real = dates.dateparser.parse
    monkeypatch.setattr(dates.dateparser, "parse", lambda *a, **k: calls.append(1) or real(*a, **k))
    field = "31 February 2017 " * 60_000 + "1 June 2017"  # 1 MB: 60,000 impossible dates
    found = dates.parse_date(field)
    assert found is not None and found.iso is None and found.raw == field.strip()
    assert len(calls) <= 20  # the whole field: 60,001 parses (28 s and 218 MB for 8.5 MB)
    assert dates.parse_date("Updated: Sept. 3, 2021 at 10:00 pm UTC").iso == "2021-09-03T22:00Z"


# --- R13: an overlay CSV written by hand ("name, lat, lon") ends in a traceback ----------


def test_overlay_header_with_spaces_and_repeated_columns(pm, tmp_path) -> None:
    spaced = tmp_path / "spaced.csv"
    spaced.write_text("name, lat, lon, alternate_names\nZorbville, 35, 38, Zorbx\nQorb, 34\n")
    r = pm("gazetteer", "search", "Zorbx", "--overlay", spaced)
    assert "Traceback" not in r.stderr
    assert r.returncode == 1 and "spaced.csv, line 3: needs a name and lat/lon" in r.stderr
    spaced.write_text("name, lat, lon, alternate_names\nZorbville, 35, 38, Zorbx\n")
    r = pm("gazetteer", "search", "Zorbx", "--overlay", spaced)
    assert r.returncode == 0 and "Zorbville" in r.stdout, r.stderr
    twice = tmp_path / "twice.csv"
    twice.write_text("name,lat,lon,lat\nZorbville,35,38,1\n")
    r = pm("gazetteer", "search", "Zorbville", "--overlay", twice)
    assert r.returncode == 1 and "twice.csv: 2 columns named 'lat'" in r.stderr


# --- R14: a GeoNames row with lat 'nan' or a negative id ------------------------------------


@pytest.mark.parametrize(
    ("gid", "lat", "pop"), [("9999002", "nan", "1"), ("-5", "35", "1"), ("9999003", "35", "-7")]
)
def test_gazetteer_build_names_the_row_out_of_range(pm, tmp_path, dump_dir, gid, lat, pop):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    good = ["9999001", "Qorb", "Qorb", "", "35", "38", "P", "PPL", "SY", "", "00", "", "", "",
            "5", "", "0", "", "2024-01-01"]  # fmt: skip
    bad = [gid, "Zorbtown", *good[2:4], lat, *good[5:14], pop, *good[15:]]
    rows = ["\t".join([str(9999100 + i), *good[1:]]) for i in range(50)]  # past the sniffing
    (dumps / "SY.txt").write_text("\n".join([*rows, "\t".join(bad)]) + "\n", "utf-8")
    r = pm("gazetteer", "build", "--no-default", "--geonames", dumps, "-o", tmp_path / "i.sqlite")
    assert "Traceback" not in r.stderr and r.returncode == 3  # skipped (redteam3: was 1)
    assert "SY.txt, line 51: " in r.stderr and "out of range; skipped" in r.stderr, r.stderr


def test_eval_misses_and_an_index_never_replace_their_inputs(pm, tmp_path, dump_dir) -> None:
    corpus = tmp_path / "gold.jsonl"
    corpus.write_text(json.dumps({"id": "g", "text": TEXT, "toponyms": []}) + "\n")
    dump = tmp_path / "SY.txt"
    dump.write_bytes((dump_dir / "SY.txt").read_bytes())
    before = {p: p.read_bytes() for p in (corpus, dump)}
    for args in (
        ("eval", corpus, "--misses", corpus),
        ("gazetteer", "build", "--no-default", "--geonames", dump, "-o", dump),
    ):
        r = pm(*args)
        assert r.returncode == 1 and "is also an input" in r.stderr, (args, r.stderr)
    assert {p: p.read_bytes() for p in (corpus, dump)} == before


def test_an_output_never_replaces_a_report_of_an_input_folder(pm, tmp_path) -> None:
    # Hostile round 10: "extract in -o in/a.txt" (or -o a link to it, or -o a collection
    # of the folder) replaced the report with the output and left it unread (exit 0).
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Shelling in Aleppo.", "utf-8")
    (folder / "b.txt").write_text(TEXT, "utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "feed.jsonl").write_text(json.dumps({"id": "a", "text": TEXT}) + "\n", "utf-8")
    (data / "feed2.jsonl").write_text(json.dumps({"id": "b", "text": TEXT}) + "\n", "utf-8")
    (tmp_path / "link.jsonl").symlink_to(folder / "a.txt")
    files = [folder / "a.txt", folder / "b.txt", data / "feed.jsonl", data / "feed2.jsonl"]
    before = {p: p.read_bytes() for p in files}
    for args in (
        ("extract", folder, "-o", folder / "a.txt"),
        ("extract", folder, "-o", tmp_path / "link.jsonl"),
        ("extract", data, "-o", data / "feed.jsonl"),
        ("extract", data, "--glob", "*.jsonl", "-o", data / "feed2.jsonl"),
    ):
        r = pm(*args)
        assert r.returncode == 1 and "of the input folder" in r.stderr, (args, r.stderr)
    assert {p: p.read_bytes() for p in files} == before
    # placemap's own output in the folder is replaced, and not read back, in every format
    for fmt in ("jsonl", "csv", "parquet"):
        out = folder / f"places.{fmt}"
        for _ in range(2):
            r = pm("extract", folder, "-o", out)
            assert r.returncode == 0 and "wrote 2 reports" in r.stderr, (fmt, r.stderr)
    assert {p: p.read_bytes() for p in files} == before


def test_only_placemaps_own_output_in_an_input_folder_is_replaced_or_skipped(
    pm, tmp_path
) -> None:
    # Hostile round 11: a corpus annotated as {"id", "text", "mentions"} passed for an
    # output of placemap and was replaced (L1); a link named README* to an input passed the
    # guard (L2); an earlier --with-text output in the folder was read back, every report
    # twice (L3).
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    annotated = corpus / "annotated.jsonl"
    annotated.write_text(
        json.dumps({"id": "1", "text": TEXT, "mentions": [{"start": 13, "end": 17}]}) + "\n"
    )
    (corpus / "other.jsonl").write_text(json.dumps({"id": "2", "text": TEXT}) + "\n")
    (tmp_path / "README.jsonl").symlink_to(corpus / "other.jsonl")
    before = {p: p.read_bytes() for p in corpus.iterdir()}
    for out in (annotated, tmp_path / "README.jsonl"):
        r = pm("extract", corpus, "-o", out)
        assert r.returncode == 1 and "of the input folder" in r.stderr, (out, r.stderr)
    assert {p: p.read_bytes() for p in corpus.iterdir()} == before
    r = pm("extract", corpus, "--with-text", "-o", corpus / "with-text.jsonl")
    assert r.returncode == 0 and "wrote 2 reports" in r.stderr, r.stderr
    r = pm("extract", corpus, "-o", tmp_path / "again.jsonl")
    assert r.returncode == 0 and "wrote 2 reports" in r.stderr, r.stderr
    assert "with-text.jsonl: an output of placemap extract, not reports" in r.stderr


def test_eval_refuses_a_gold_span_longer_than_a_name(pm, tmp_path) -> None:
    # Hostile round 11 (H1): gold spans from each character to the text's end were all
    # resolved, in time as the square of the text (246 kB: 40-50 s).
    text = "Shelling hit Homs. " * 2000
    spans = [{"start": i, "end": len(text), "lat": 34.7, "lon": 36.7} for i in range(0, 800, 4)]
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g", "text": text, "toponyms": spans}) + "\n")
    r = pm("eval", gold, "--mode", "resolve")
    assert "longer than a place's name can be" in r.stderr, r.stderr


def test_an_output_never_replaces_the_index_or_an_overlay(pm, small_index, tmp_path) -> None:
    # -o the index made a 138 MB index a 1 kB file, -o an overlay replaced it (exit 0)
    index = tmp_path / "index.sqlite"
    index.write_bytes(small_index.read_bytes())
    overlay = tmp_path / "extra.csv"
    overlay.write_text("name,lat,lon,country\nZorbtown,35.0,38.0,SY\n", "utf-8")
    report = tmp_path / "r.txt"
    report.write_text(TEXT, "utf-8")
    table = tmp_path / "t.csv"
    table.write_text("place\nHoms\n", "utf-8")
    corpus = tmp_path / "gold.jsonl"
    corpus.write_text(json.dumps({"id": "g", "text": TEXT, "toponyms": []}) + "\n")
    before = {p: p.read_bytes() for p in (index, overlay)}
    data = ("--gazetteer", index, "--overlay", overlay)
    for target in (index, overlay):
        for args in (
            ("extract", report, "-o", target),
            ("geocode", table, "--column", "place", "--format", "csv", "-o", target),
            ("eval", corpus, "--misses", target),
        ):
            r = pm(*args, *data)
            assert r.returncode == 1 and "is also an input" in r.stderr, (args, r.stderr)
    assert {p: p.read_bytes() for p in (index, overlay)} == before


# --- R16: standard output on a full disk ends in a traceback ---------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ("extract", "{good}"),
        ("extract", "{good}", "--format", "parquet"),
        ("geocode", "{table}", "--column", "loc"),
        ("gazetteer", "search", "Homs"),
    ],
)
def test_standard_output_on_a_full_disk_is_one_line(small_index, tmp_path, args) -> None:
    table = tmp_path / "t.csv"
    table.write_text("loc\nHoms\n")
    paths = {"good": _good_txt(tmp_path), "table": table}
    env = {**os.environ, "PLACEMAP_GAZETTEER": str(small_index), "LC_ALL": "C.UTF-8"}
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [sys.executable, "-m", "placemap", *(a.format(**paths) for a in args)],
            stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=120,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1:] == [
        "placemap: error: standard output: cannot write there (No space left on device)"
    ], r.stderr
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr


# --- R17: one stray NUL byte makes a page or a text "binary" ---------------------------------


def test_a_stray_nul_byte_does_not_lose_the_report(pm, tmp_path) -> None:
    page = tmp_path / "p.html"
    page.write_bytes(
        b"<html><head><title>T</title></head><body><article><p>Shelling hit Homs province"
        b" and Palmyra, Syria.\x00 More fighting near Aleppo.</p></article></body></html>"
    )
    text = tmp_path / "t.txt"
    text.write_bytes(b"Shelling hit Homs\nprovince and Palmyra, Syria.\x00 More.\n")
    blob = tmp_path / "blob.txt"
    blob.write_bytes(b"\x00\x01\x02" * 100)
    out = tmp_path / "out.jsonl"
    r = pm("extract", page, text, blob, "-o", out)
    assert _ids(out) == ["p", "t"], r.stderr
    assert r.returncode == 3 and "blob.txt: binary file (NUL bytes), not text" in r.stderr


@pytest.mark.parametrize(
    "text",
    ["Киев 2 и Львов", "Атака на Киев, говорят 2 источника.", "دمشق 2 حلب", "Kyiv and Lviv"],
)
def test_a_short_utf8_text_with_a_nul_is_no_utf16(text: str) -> None:
    # Hostile round 7 (L1): "Fighting in Kyiv\0 and Lviv." had its NUL in one byte column
    # of 15, so it was read as UTF-16 (CJK, no places, no notice); UTF-16 of Cyrillic,
    # Arabic or Latin script without its BOM is still read as such
    from placemap.readers import decode_text

    assert decode_text(b"Fighting in Kyiv\x00 and Lviv.\n") == "Fighting in Kyiv\x00 and Lviv.\n"
    for codec in ("utf-16-le", "utf-16-be"):
        assert decode_text(text.encode(codec)) == text


# --- R18: --max-size beyond the machine ------------------------------------------------------


def test_a_max_size_beyond_memory_reads_small_files(pm, tmp_path) -> None:
    good = _good_txt(tmp_path)
    out = tmp_path / "out.jsonl"
    # 1 GB of address space: asking for --max-size at once was a MemoryError traceback
    r = pm("extract", good, "--max-size", "10GB", "-o", out, preexec_fn=_limit_memory)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert _ids(out) == ["good"]
    r = pm("extract", good, "--max-size", "1e30")  # was an OverflowError traceback
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "more than placemap can hold" in r.stderr


# --- R19: --workers 1000 starts a process per chunk, each with its own geoparser -------------


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity (Linux)")
def test_workers_beyond_the_cpus_are_not_started(pm, tmp_path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": f"r{i}", "text": TEXT}) + "\n" for i in range(80)))
    out = tmp_path / "out.jsonl"
    one_cpu = min(os.sched_getaffinity(0))
    r = pm("extract", feed, "--workers", "1000", "-o", out,
           preexec_fn=lambda: os.sched_setaffinity(0, {one_cpu}))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "placemap: --workers 1000: more CPUs than placemap may use here (1); using 1" in r.stderr
    assert _ids(out) == [f"r{i}" for i in range(80)]


# --- R20: a pipe or a link planted as the map folder's lock file -----------------------------


def test_map_lock_file_that_is_a_pipe_or_a_link(pm, tmp_path) -> None:
    good = _good_txt(tmp_path)
    piped = tmp_path / "piped"
    piped.mkdir()
    os.mkfifo(piped / ".placemap.lock")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / ".placemap.lock").symlink_to(tmp_path / "elsewhere.txt")
    for out in (piped, linked):
        try:
            r = pm("map", good, "-o", out, timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("map waited on the named pipe")  # it hung for ever
        assert r.returncode == 1 and "is not placemap's lock file" in r.stderr, r.stderr
        assert not (out / "index.html").exists()
    assert not (tmp_path / "elsewhere.txt").exists()  # the link's target was made


def test_extract_beside_a_pipe_named_like_its_temporary_file(pm, tmp_path) -> None:
    os.mkfifo(tmp_path / ".out.jsonl.abcdefgh.part")  # a killed run's file, as a pipe
    try:
        r = pm("extract", _good_txt(tmp_path), "-o", tmp_path / "out.jsonl", timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("extract waited on the named pipe")  # it hung for ever
    assert r.returncode == 0 and _ids(tmp_path / "out.jsonl") == ["good"]
    assert stat.S_ISFIFO(os.lstat(tmp_path / ".out.jsonl.abcdefgh.part").st_mode)


# --- R22: a link or a pipe named like an asset of the map folder -----------------------------


def test_map_assets_never_written_through_a_link_or_a_pipe(pm, tmp_path) -> None:
    good = _good_txt(tmp_path)
    out = tmp_path / "maps"
    assert pm("map", good, "-o", out).returncode == 0
    assets = sorted((out / "assets").iterdir())
    victim = tmp_path / "victim.txt"
    victim.write_text("secret\n")
    assets[0].unlink()
    assets[0].symlink_to(victim)  # as /etc/passwd in a shared folder, for a run as root
    assets[1].unlink()
    os.mkfifo(assets[1])
    try:
        r = pm("map", good, "-o", out, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("map waited on the named pipe")
    assert r.returncode == 0, r.stderr
    assert victim.read_text() == "secret\n"  # was replaced by the asset
    assert all(p.is_file() and not p.is_symlink() for p in assets[:2])


# --- R23: eval reads a pipe or a device as its corpus ------------------------------------------


def test_eval_refuses_a_pipe_or_a_device_as_its_corpus(pm, tmp_path) -> None:
    fifo = tmp_path / "gold.jsonl"
    os.mkfifo(fifo)
    for corpus in (fifo, Path("/dev/zero")):  # waited for ever; grew until a MemoryError
        try:
            r = pm("eval", corpus, "--misses", tmp_path / "m.csv", timeout=60,
                   preexec_fn=_limit_memory)  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail(f"eval waited on {corpus}")
        assert "Traceback" not in r.stderr
        assert r.returncode == 1 and "not a regular file" in r.stderr, r.stderr


def test_gazetteer_build_names_a_device_for_what_it_is(pm, tmp_path) -> None:
    r = pm("gazetteer", "build", "--no-default", "--geonames", "/dev/zero",
           "-o", tmp_path / "i.sqlite")  # fmt: skip
    assert r.returncode == 1  # it said "/dev/zero: no such file"
    assert "placemap: error: /dev/zero: not a regular file (a pipe or a device)" in r.stderr


# --- R24: a compressed page passed as .html ---------------------------------------------------


def test_a_compressed_page_is_named_for_what_it_is(pm, tmp_path) -> None:
    import gzip
    import zipfile

    html = f"<html><body><article><p>{TEXT}</p></article></body></html>".encode()
    (tmp_path / "p.html").write_bytes(gzip.compress(html))
    with zipfile.ZipFile(tmp_path / "z.html", "w") as zf:
        zf.writestr("p.html", html)
    r = pm("extract", tmp_path / "p.html", tmp_path / "z.html", _good_txt(tmp_path))
    assert r.returncode == 3  # was "binary file (NUL bytes)" or "binary or undecodable"
    assert "p.html: gzip-compressed, not text: name it .gz (page.html.gz)" in r.stderr
    assert "z.html: a zip archive, not text: decompress it first" in r.stderr


# === Third pass (branch redteam3) ============================================================
# Each test below failed on main before its fix and passes with it; T1... match the third
# report.

# --- T1: a standard stream the shell closed (`>&-`, `2>&-`, `<&-`) ends in a traceback ------


def _close(*fds: int):
    return lambda: [os.close(fd) for fd in fds]


def test_closed_standard_streams_are_no_traceback(pm, tmp_path) -> None:
    good = _good_txt(tmp_path)
    for args in (("extract", good), ("extract", good, "--format", "parquet"),
                 ("gazetteer", "search", "Homs")):  # fmt: skip
        r = pm(*args, preexec_fn=_close(1))  # placemap extract x >&-
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.splitlines() == [
            "placemap: error: standard output: cannot write there (Bad file descriptor)"
        ]
    out = tmp_path / "out.jsonl"  # 2>&-: the messages are lost, the work is done
    r = pm("extract", good, tmp_path / "missing.txt", "-o", out, preexec_fn=_close(2))
    assert r.returncode == 3 and _ids(out) == ["good"]
    r = pm("extract", "-", preexec_fn=_close(0))  # <&-: an empty standard input
    assert r.returncode == 3 and "<stdin>: empty file" in r.stderr, r.stderr
    out.unlink()  # all three closed: the output file is not descriptor 1 or 2
    r = pm("extract", good, "-o", out, preexec_fn=_close(0, 1, 2))
    assert r.returncode == 0 and _ids(out) == ["good"]


# --- T2: the Dask engine's 30 log lines a run, and a traceback for a scheduler it cannot reach


def test_dask_engine_is_quiet_and_names_a_bad_scheduler(pm, tmp_path) -> None:
    import contextlib
    import socket

    pytest.importorskip("distributed")
    feed = tmp_path / "f.jsonl"
    feed.write_text(GOOD + "\n")
    with socket.socket() as busy:
        with contextlib.suppress(OSError):  # taken already: as well
            busy.bind(("127.0.0.1", 8787))  # Dask's port taken by another job: a raw warning
            busy.listen()
        r = pm("extract", feed, "--engine", "dask", "-o", tmp_path / "out", "--workers", "2")
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()  # were 30 lines of Dask's INFO messages
    assert len(lines) == 1 and lines[0].startswith("placemap: wrote 1 Parquet partitions"), lines
    r = pm("extract", feed, "--engine", "dask", "-o", tmp_path / "o2", "--scheduler", "nohost")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("placemap: error: --scheduler nohost: cannot connect (")


# --- T3: gazetteer build --geonames stopped at the first damaged row of a dump ----------------


def test_gazetteer_build_skips_damaged_rows_and_counts_them(pm, tmp_path) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    good = ["Qorb", "Qorb", "", "35", "38", "P", "PPL", "SY", "", "00", "", "", "", "5", "",
            "0", "", "2024-01-01"]  # fmt: skip
    rows = ["\t".join([str(9999100 + i), *good]) for i in range(50)]  # past the sniffing
    bad = ["x", "\t".join(["9999300", "Zorb", "Zorb", "", "95", *good[4:]])] * 4
    last = "\t".join(["9999400", "Lastville", *good[1:]])
    (dumps / "SY.txt").write_bytes(
        "\n".join([*rows, *bad, last]).encode() + b"\n9999500\tCaf\xe9\n"
    )
    index = tmp_path / "i.sqlite"
    r = pm("gazetteer", "build", "--no-default", "--geonames", dumps, "-o", index)
    assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.splitlines()
    assert lines[1].endswith("SY.txt, line 51: 1 tab-separated columns, expected 19; skipped")
    assert lines[5].endswith("SY.txt, line 55: 1 tab-separated columns, expected 19; skipped")
    assert lines[6].endswith("SY.txt: 4 more rows skipped (only the first 5 are named)")
    assert lines[7] == "placemap: 9 rows of the dump files could not be read and were skipped"
    assert "51 places" in r.stdout
    r = pm("gazetteer", "search", "Lastville", "--gazetteer", index)
    assert r.returncode == 0 and "geonameid=9999400" in r.stdout


# --- T4: a page nested deeper than 255 elements, or with a 10 MB attribute, had no text ------


@pytest.mark.parametrize(
    "head, wrap",
    [
        ("", "<div>" * 300),  # unclosed tags before the article: 300 levels deep
        ("", "<font>" * 300),
        ('<meta name="x" content="' + "a" * 11_000_000 + '">', ""),  # one 11 MB attribute
    ],
    # (Short ids: pytest puts the test's id in the environment of the command it runs, and
    # an 11 MB one is more than the system lets a command have.)
    ids=["300-divs", "300-fonts", "11MB-attribute"],
)
def test_deep_or_huge_pages_keep_their_article(pm, tmp_path, head, wrap) -> None:
    para = f"<p>{TEXT} More fighting was reported near Aleppo on Monday, officials said.</p>"
    page = tmp_path / "p.html"
    page.write_text(f"<html><head><title>Deep</title>{head}</head><body>{wrap}<article>"
                    f"{para * 3}</article></body></html>")  # fmt: skip
    out = tmp_path / "out.jsonl"
    r = pm("extract", page, "--with-text", "-o", out)
    assert r.returncode == 0, r.stderr  # was "p.html: no article text in this page"
    assert json.loads(out.read_text("utf-8"))["text"].startswith(TEXT)


# --- T5: `-o -` wrote a file named '-' (or a folder of maps named '-') ----------------------


def test_output_dash_is_standard_output(pm, tmp_path) -> None:
    good = _good_txt(tmp_path)
    for fmt in ("jsonl", "csv", "geojson"):
        r = pm("extract", good, "--format", fmt, "-o", "-")
        assert r.returncode == 0 and "Homs" in r.stdout, r.stderr
    table = tmp_path / "t.csv"
    table.write_text("loc\nHoms\n")
    r = pm("geocode", table, "--column", "loc", "-o", "-")
    assert r.returncode == 0 and r.stdout.startswith("loc,lat,lon,"), r.stderr
    assert not (tmp_path / "-").exists()
    assert pm("extract", good, "-o", "./-").returncode == 0  # a file named '-'
    assert _ids(tmp_path / "-") == ["good"]
    (tmp_path / "-").unlink()
    for args in (("map", good, "-o", "-"), ("gazetteer", "build", "-o", "-"),
                 ("eval", tmp_path / "c.jsonl", "--misses", "-")):  # fmt: skip
        r = pm(*args)
        assert r.returncode == 2 and "'-' (standard output) cannot take it" in r.stderr, r.stderr
    assert not (tmp_path / "-").exists()


# --- T6: a 1 MB field name made a 1 MB message; bidi marks and zero-width characters -------


def test_messages_are_bounded_and_show_invisible_characters(pm, tmp_path) -> None:
    feed = tmp_path / "f.jsonl"
    feed.write_text(json.dumps({"k" * 1_000_000: 1, "text": TEXT}) + "\n")
    r = pm("extract", feed, "--text-field", "body")
    lines = r.stderr.splitlines()
    assert r.returncode == 3 and max(map(len, lines)) < 3000, [len(line) for line in lines]
    assert "no field 'body' in the first record" in lines[0] and "characters]..." in lines[0]
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a\u200b\u200f.txt").write_text("")  # zero-width space, right-to-left mark
    r = pm("extract", folder)
    assert "a\\u200b\\u200f.txt: " in r.stderr, r.stderr
    overlay = tmp_path / "ov.csv"  # search printed the U+202E that turns a line around
    overlay.write_text('name,lat,lon,alternate_names\n"Zorb\u202eville\u2066",35,38,Zorbx\n')
    r = pm("gazetteer", "search", "Zorbx", "--overlay", overlay)
    assert r.returncode == 0 and "Zorb\\u202eville\\u2066 (" in r.stdout, r.stdout


# --- T7: a record's error said 'f.jsonl:3:' (and geocode 'f.jsonl: line 3:') ---------------


def test_record_errors_name_file_and_line(pm, tmp_path) -> None:
    feed = tmp_path / "f.jsonl"
    feed.write_text(GOOD + '\n{"id": "n", "text": 5}\n[1]\n')
    table = tmp_path / "t.csv"
    table.write_text("id,text\na,\nb,News from Homs.\n")
    r = pm("extract", feed, table, "-o", tmp_path / "out.jsonl")
    assert r.returncode == 3
    assert r.stderr.splitlines()[:3] == [
        f"placemap: error: {feed}, line 2: no string field 'text'",
        f"placemap: error: {feed}, line 3: not an object",
        f"placemap: error: {table}, row 1: empty 'text'",
    ], r.stderr
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"loc": "Homs"}\n[1]\n')
    r = pm("geocode", rows, "--column", "loc")
    assert f"placemap: error: {rows}, line 2: expected a JSON object, got list" in r.stderr


# --- T9: `-o x.csv` wrote JSON Lines; an earlier run's places.csv was read as reports -------


def test_output_format_follows_the_extension_and_own_tables_are_no_reports(pm, tmp_path) -> None:
    good = _good_txt(tmp_path)
    assert pm("extract", good, "-o", tmp_path / "x.csv").returncode == 0
    assert (tmp_path / "x.csv").read_text("utf-8").startswith("report_id,title,date,source,")
    assert pm("extract", good, "-o", tmp_path / "x.parquet").returncode == 0
    assert pq.read_table(tmp_path / "x.parquet").num_rows == 3  # was JSON Lines in x.parquet
    assert pm("extract", good, "-o", tmp_path / "x.geojson").returncode == 0
    assert json.loads((tmp_path / "x.geojson").read_text("utf-8"))["type"] == "FeatureCollection"
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "f.jsonl").write_text(GOOD + "\n")
    for name in ("places.csv", "places.parquet"):
        assert pm("extract", feeds, "-o", feeds / name).returncode in (0, 3)
    out = tmp_path / "out.jsonl"
    r = pm("extract", feeds, "-o", out)
    assert _ids(out) == ["good"], r.stderr  # not 'good' and one report per place name
    # (found in a folder, an output of placemap is skipped with a notice: round 11)
    for name in ("places.csv", "places.parquet"):
        assert f"{name}: an output of placemap extract, not reports" in r.stderr
    assert r.returncode == 0, r.stderr
    # named, it is an error of that file
    r = pm("extract", feeds / "places.csv", "-o", tmp_path / "named.jsonl")
    assert r.returncode == 3 and "places.csv: a table of mentions written by placemap" in r.stderr


# --- T10: an index file's metadata (and a corpus's name) reached the terminal raw ----------


def test_index_metadata_is_shown_as_text_and_checked(pm, tmp_path, small_index) -> None:
    import shutil
    import sqlite3

    index = tmp_path / "shared.sqlite"  # an index from someone else
    shutil.copy(small_index, index)
    with sqlite3.connect(index) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'licence'",
                   ("CC\x1b]0;PWNED\x07\nplacemap: error: forged",))  # fmt: skip
    r = pm("gazetteer", "info", "--gazetteer", index)
    assert r.returncode == 0 and "\x1b" not in r.stdout
    assert r.stdout.splitlines()[-1] == "licence:  CC\\x1b]0;PWNED\\x07\\nplacemap: error: forged"
    with sqlite3.connect(index) as db:
        db.execute("UPDATE meta SET value = '[{\"path\": 1}]' WHERE key = 'geonames_files'")
    r = pm("gazetteer", "info", "--gazetteer", index)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "shared.sqlite: damaged index metadata (KeyError(" in r.stderr
    corpus = tmp_path / "c\x1b[2J.jsonl"
    corpus.write_text(json.dumps({"id": "g", "text": TEXT, "toponyms": []}) + "\n")
    r = pm("eval", corpus, "--misses", tmp_path / "m.csv")
    assert r.returncode == 0 and "\x1b" not in r.stdout and "c\\x1b[2J.jsonl" in r.stdout


# --- T11: geocode -o its own table replaced it (and the table's own lat/lon columns) --------


def test_geocode_never_replaces_its_table(pm, tmp_path) -> None:
    table = tmp_path / "events.csv"
    table.write_text("loc,lat\nHoms,1\n")
    link = tmp_path / "link.csv"
    link.symlink_to(table)
    for out in (table, link):
        r = pm("geocode", table, "--column", "loc", "-o", out)
        assert r.returncode == 1 and "is also an input" in r.stderr, r.stderr
    assert table.read_text() == "loc,lat\nHoms,1\n"


# --- T12: an id or title that is a list, an object or a boolean was written as Python does --


def test_non_string_ids_and_titles_are_written_as_json(pm, tmp_path) -> None:
    feed = tmp_path / "f.jsonl"
    recs = [{"id": ["x"], "text": TEXT, "title": {"a": "b"}}, {"id": True, "text": TEXT},
            {"id": 7.0, "text": TEXT, "title": ["Homs", "Palmyra"]}]  # fmt: skip
    feed.write_text("".join(json.dumps(r) + "\n" for r in recs))
    out = tmp_path / "out.jsonl"
    assert pm("extract", feed, "-o", out).returncode == 0
    got = [(d["id"], d["title"]) for d in map(json.loads, out.read_text("utf-8").splitlines())]
    assert got == [('["x"]', '{"a": "b"}'), ("true", TEXT), ("7", '["Homs", "Palmyra"]')]


# --- T13: gazetteer build -o replaced any file with an index; a non-index said "delete it" --


def test_gazetteer_build_replaces_only_an_index(pm, tmp_path, dump_dir, small_index) -> None:
    import shutil
    import sqlite3

    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    other = tmp_path / "places.sqlite"  # another program's database
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE moz_places (url TEXT)")
    before = {p: p.read_bytes() for p in (notes, other)}
    for target in (notes, other):
        r = pm("gazetteer", "build", "--no-default", "--geonames", dump_dir, "-o", target)
        assert r.returncode == 1, r.stderr
        assert "exists and is not a placemap gazetteer index" in r.stderr
    assert {p: p.read_bytes() for p in (notes, other)} == before
    for target in (notes, other):  # the advice was "delete it and build it with ..."
        r = pm("extract", _good_txt(tmp_path), "--gazetteer", target)
        assert r.returncode == 1 and "check the --gazetteer path" in r.stderr, r.stderr
    index = tmp_path / "index.sqlite"  # an index (and an empty file) is rebuilt
    shutil.copy(small_index, index)
    (tmp_path / "empty.sqlite").write_bytes(b"")
    for target in (index, tmp_path / "empty.sqlite"):
        r = pm("gazetteer", "build", "--no-default", "--geonames", dump_dir, "-o", target,
               "--replace")  # fmt: skip
        assert r.returncode == 0, r.stderr


def test_gazetteer_build_shows_the_recorded_recipe_as_text(pm, tmp_path, small_index) -> None:
    import shutil
    import sqlite3

    index = tmp_path / "shared.sqlite"  # T10 too: the recipe an index records is its own
    shutil.copy(small_index, index)
    recipe = {"default": False, "feature_classes": "P",
              "geonames": [str(tmp_path / "x\x1b]0;PWNED\x07.txt")]}  # fmt: skip
    with sqlite3.connect(index) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'build'", (json.dumps(recipe),))
    dumps = tmp_path / "SY.txt"
    dumps.write_text("")
    r = pm("gazetteer", "build", "--geonames", dumps, "-o", index)
    assert "\x1b" not in r.stderr and "x\\x1b]0;PWNED\\x07.txt" in r.stderr, r.stderr


# --- T14: maps written into the folder of reports were read as reports by the next run -----


def test_maps_of_an_earlier_run_are_no_reports(pm, tmp_path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    _good_txt(reports)
    assert pm("map", reports, "-o", reports / "maps").returncode == 0
    r = pm("map", reports, "-o", tmp_path / "other")
    assert r.returncode == 0 and "error" not in r.stderr, r.stderr  # was 2 errors, 2 reports
    assert "skipped " in r.stderr and "maps that placemap wrote, not reports" in r.stderr
    assert sorted(p.name for p in (tmp_path / "other").glob("*.html")) == [
        "collection.html",
        "good.html",
        "index.html",
    ]  # not index-2.html: the first run's index page read as a report
    out = tmp_path / "out.jsonl"
    assert pm("extract", reports, "-o", out).returncode == 0
    assert _ids(out) == ["good"]


# --- round 8, E3: a line break in an output path forged lines of the summary ------------


def test_an_output_path_with_a_line_break_stays_on_one_line(pm, tmp_path) -> None:
    out = tmp_path / "x\nplacemap: error: forged\ny.jsonl"
    r = pm("extract", _good_txt(tmp_path), "-o", out)
    assert r.returncode == 0, r.stderr
    assert not any(line.startswith("placemap: error") for line in r.stderr.splitlines()), r.stderr
    assert "x\\nplacemap: error: forged\\ny.jsonl" in r.stderr, r.stderr
    assert out.exists()
