"""Reading reports in every input format and encoding, writing every output format,
and what a user sees when an input cannot be read."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from placemap.cli import cli
from placemap.readers import ReadError, decode_text, read_reports

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
TEXT = "Shelling hit Homs province and the town of Palmyra, Syria."


def _docs(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def _places(doc: dict) -> list[tuple[str, int | None]]:
    return [(m["text"], m["geonameid"]) for m in doc["mentions"]]


EXPECTED = [("Homs", 169575), ("Palmyra", 163808), ("Syria", 163843)]


# --- inputs ---------------------------------------------------------------------------


def test_markdown_file(run, tmp_path: Path) -> None:
    md = tmp_path / "note.md"
    md.write_text(f"# Week in review\n\n{TEXT}\n", "utf-8")
    (doc,) = _docs(run("extract", md).output)
    assert (doc["id"], doc["title"]) == ("note", "# Week in review")
    assert _places(doc) == EXPECTED


def test_html_page_main_text_title_and_date(run, tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<title>Shelling in Homs | Example News</title>"
        "<meta property='article:published_time' content='2023-11-05T10:02:00Z'>"
        "<script>var Hama = 'not text';</script><style>p{color:red}</style></head><body>"
        "<nav><a>Home</a> <a>Hama</a></nav><div class='share-bar'>Share Deir ez-Zor</div>"
        "<article><header><h1>Shelling hits Homs &amp; Palmyra</h1></header>"
        f"<p>{TEXT}</p><footer>Tags: Hama</footer></article>"
        "<footer>© Example, Hama office</footer></body></html>",
        "utf-8",
    )
    (doc,) = _docs(run("extract", page).output)
    assert (doc["title"], doc["date"]) == ("Shelling hits Homs & Palmyra", "2023-11-05T10:02:00Z")
    assert (doc["date_raw"], doc["language"]) == ("2023-11-05T10:02:00Z", "en")
    assert _places(doc) == EXPECTED
    # Menus, scripts, share bars and footers are gone: no Hama, no Deir ez-Zor; the
    # headline is the title, the text is the article's body.
    (report,) = read_reports([page])
    assert not isinstance(report, ReadError | tuple)
    assert report.text == TEXT


def test_html_page_in_windows_1252_declared_by_meta(tmp_path: Path) -> None:
    page = tmp_path / "old.htm"
    page.write_bytes(
        b"<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>"
        b"</head><body><p>\x93Caf\xe9s\x94 reopened in Homs.</p></body></html>"
    )
    (report,) = read_reports([page])
    assert isinstance(report, tuple) is False and not isinstance(report, ReadError)
    assert report.text == "“Cafés” reopened in Homs."


def test_jsonl_with_title_and_date_fields(run, tmp_path: Path) -> None:
    coll = tmp_path / "c.jsonl"
    rows = [
        {"key": "a1", "body": TEXT, "headline": "Strikes", "published": "2024-01-02"},
        {"key": "a2", "body": "Markets reopened in Homs.", "headline": None, "published": None},
    ]
    coll.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    r = run(
        "extract", coll, "--text-field", "body", "--id-field", "key",
        "--title-field", "headline", "--date-field", "published",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    a, b = _docs(r.output)
    assert (a["id"], a["title"], a["date"]) == ("a1", "Strikes", "2024-01-02")
    assert (b["id"], b["title"], b["date"]) == ("a2", "Markets reopened in Homs.", None)
    assert _places(a) == EXPECTED


@pytest.mark.parametrize(
    "content",
    [
        [{"id": "x", "text": TEXT}],
        {"source": "feed", "items": [{"id": "x", "text": TEXT}]},
        {"id": "x", "text": TEXT},
    ],
    ids=["array", "object-holding-a-list", "single-object"],
)
def test_json_collections(run, tmp_path: Path, content: object) -> None:
    f = tmp_path / "c.json"
    f.write_text(json.dumps(content), "utf-8")
    (doc,) = _docs(run("extract", f).output)
    assert doc["id"] == "x" and _places(doc) == EXPECTED


def test_csv_collection_in_windows_1252(run, tmp_path: Path) -> None:
    f = tmp_path / "articles.csv"
    f.write_bytes(
        "url,body,headline\n"
        'u1,"Fighting near Palmyra, Syria.",“Palmyra” latest\n'
        "u2,Markets reopened in Homs.,Homs’ markets\n".encode("cp1252")
    )
    r = run("extract", f, "--text-field", "body", "--id-field", "url", "--title-field", "headline")
    assert r.exit_code == 0, r.output
    a, b = _docs(r.output)
    assert (a["id"], a["title"], b["title"]) == ("u1", "“Palmyra” latest", "Homs’ markets")
    assert _places(a) == [("Palmyra", 163808), ("Syria", 163843)]


def test_parquet_collection(run, tmp_path: Path) -> None:
    f = tmp_path / "dump.parquet"
    table = pa.table(
        {
            "doc_id": [7, 8],
            "content": [TEXT, "Markets reopened in Homs."],
            "when": pa.array([pd.Timestamp("2024-03-01"), None], pa.timestamp("s")),
        }
    )
    pq.write_table(table, f, row_group_size=1)
    r = run("extract", f, "--text-field", "content", "--id-field", "doc_id", "--date-field", "when")
    assert r.exit_code == 0, r.output
    a, b = _docs(r.output)
    assert (a["id"], a["date"], b["id"], b["date"]) == ("7", "2024-03-01", "8", None)
    assert _places(a) == EXPECTED


def test_stdin_text_and_jsonl(run) -> None:
    (doc,) = _docs(run("extract", "-", input=TEXT).output)
    assert doc["id"] == "stdin" and _places(doc) == EXPECTED
    lines = json.dumps({"id": "s1", "text": TEXT}) + "\n" + json.dumps({"id": "s2", "text": TEXT})
    assert [d["id"] for d in _docs(run("extract", "-", input=lines).output)] == ["s1", "s2"]


def test_folder_recursive_with_glob(run, tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("News from Homs.", "utf-8")
    (tmp_path / "a" / "b" / "two.txt").write_text("News from Hama.", "utf-8")
    (tmp_path / "a" / "b" / "notes.md").write_text("News from Palmyra.", "utf-8")
    (tmp_path / "a" / ".hidden.txt").write_text("News from Syria.", "utf-8")
    r = run("extract", tmp_path / "a", "--glob", "*.txt")
    assert [d["id"] for d in _docs(r.output)] == ["two", "one"]
    r = run("extract", tmp_path / "a")
    assert [d["id"] for d in _docs(r.output)] == ["notes", "two", "one"]


def test_folder_skips_annotations_beside_reports_but_reads_lone_collections(
    run, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "r1.txt").write_text("News from Homs.", "utf-8")
    gold = reports / "gold.jsonl"
    gold.write_text(json.dumps({"id": "r1.txt", "text": "News from Homs."}) + "\n", "utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "c.jsonl").write_text(json.dumps({"id": "c1", "text": TEXT}) + "\n", "utf-8")
    r = run("extract", tmp_path)
    assert r.exit_code == 0
    assert [d["id"] for d in _docs(r.output)] == ["c1", "r1"]
    assert f"placemap: skipped {gold}: a collection beside text reports" in r.output
    # Named, or matched by --glob, it is read.
    assert [d["id"] for d in _docs(run("extract", gold).output)] == ["r1.txt"]
    r = run("extract", reports, "--glob", "*.jsonl")
    assert [d["id"] for d in _docs(r.output)] == ["r1.txt"]
    # -q hides the notice.
    assert "skipped" not in run("-q", "extract", tmp_path).output


# --- encodings --------------------------------------------------------------------------

MARKS = "Fighting near ‘Uqayribāt and Ra’s al-ʿAyn in “Homs” province."


@pytest.mark.parametrize(
    "data",
    [
        MARKS.encode("utf-8"),
        b"\xef\xbb\xbf" + MARKS.encode("utf-8"),
        MARKS.encode("utf-16"),  # with its BOM
        MARKS.encode("utf-16-le"),  # without
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-le-no-bom"],
)
def test_unicode_encodings_keep_ayn_hamza_and_quotes(data: bytes) -> None:
    assert decode_text(data) == MARKS


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_of_cyrillic_and_arabic_without_a_bom(codec: str) -> None:
    # NULs only at spaces, digits and punctuation: refused as "binary file (NUL bytes)"
    # (red team round 2, R9)
    for text in (
        "Обстрел Харькова: в понедельник погибли 6 человек.\n" * 5,
        "قصف حمص وحلب يوم الاثنين، وقتل 5 أشخاص.\n" * 5,
    ):
        assert decode_text(text.encode(codec)) == text


def test_windows_1252_and_latin_1() -> None:
    assert decode_text("“Homs” – Café’s".encode("cp1252")) == "“Homs” – Café’s"
    # 0x81 is undefined in Windows-1252: Latin-1 then.
    assert decode_text(b"Caf\xe9 \x81 in Homs") == "Café \x81 in Homs"


def test_a_utf8_text_with_a_bad_line_keeps_its_utf8_lines(caplog) -> None:
    # One stray byte made the whole text Windows-1252: every Cyrillic or Arabic letter
    # became two characters ("ÐžÐ±...") and no place in it could be read.
    cyrillic = "Обстрел Харькова продолжился.\n"
    arabic = "قصف حمص وحلب يوم الاثنين.\n"
    pasted = "Caf\u00e9 \u201cowner\u201d in Homs.\n"
    caplog.set_level(logging.WARNING, logger="placemap")  # (a CLI run with -q set ERROR)
    data = cyrillic.encode() + pasted.encode("cp1252") + arabic.encode()
    assert decode_text(data) == cyrillic + pasted + arabic
    decode_text(data, "r.txt")
    assert "r.txt, line 2: not valid UTF-8" in caplog.text
    assert "read as Windows-1252" in caplog.text
    # a character cut in two: U+FFFD for its bytes, the rest of the line as it is
    caplog.clear()
    cut = cyrillic.encode()[:-4] + cyrillic.encode()[-3:]
    assert decode_text(cut + arabic.encode()) == "Обстрел Харькова продолжилс\ufffd.\n" + arabic
    assert "a text, line 1" in caplog.text and "broken bytes" in caplog.text


def test_a_windows_1252_text_is_read_whole_without_a_notice(caplog) -> None:
    # "Ã©" is valid UTF-8 ("é") by chance: one such pair among Windows-1252 letters
    caplog.set_level(logging.WARNING, logger="placemap")
    text = "Caf\u00e9 in Homs, r\u00e9sum\u00e9 \u00c3\u00a9 and \u201cquotes\u201d.\n" * 3
    assert decode_text(text.encode("cp1252")) == text
    assert caplog.text == ""


def test_encodings_on_the_command_line(run, tmp_path: Path) -> None:
    for name, enc in [("u16.txt", "utf-16"), ("w.txt", "cp1252")]:
        (tmp_path / name).write_bytes(f"“Shelling” in Homs’ east\n\n{TEXT}".encode(enc))
    docs = _docs(run("extract", tmp_path / "u16.txt", tmp_path / "w.txt").output)
    assert [d["title"] for d in docs] == ["“Shelling” in Homs’ east"] * 2
    assert [_places(d)[1:] for d in docs] == [EXPECTED] * 2


# --- bad inputs -------------------------------------------------------------------------


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    d = tmp_path / "bad"
    d.mkdir()
    cases = {
        "binary": (d / "blob.txt", b"\x00\x01\x02" * 100, "binary file (NUL bytes), not text"),
        "undecodable": (
            d / "bom.txt",
            b"\xef\xbb\xbfHoms \xff\xfe\xfa",
            "starts with a UTF-8 byte-order mark but is not UTF-8 (byte 0xff at offset 8)",
        ),
        "control-bytes": (d / "ctl.txt", bytes(range(1, 32)) * 20, "binary or undecodable"),
        "empty": (d / "empty.txt", b"", "empty file"),
        "blank": (d / "blank.md", b"  \n\n ", "empty file"),
        "big": (d / "big.txt", b"Homs. " * 400, "larger than the 1.0 kB limit"),
        "bad-json": (d / "c.json", b'{"text": ', "not valid JSON"),
    }
    out = {}
    for key, (path, data, message) in cases.items():
        path.write_bytes(data)
        out[key] = (path, message)
    return out


def test_each_bad_input_is_named_and_the_rest_processed(run, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("News from Homs.", "utf-8")
    bad = _bad_inputs(tmp_path)
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out.jsonl"
    args = [good, *(p for p, _ in bad.values()), missing]
    r = run("extract", *args, "--max-size", "1kB", "-o", out)
    assert r.exit_code == 3
    errors = [ln for ln in r.output.splitlines() if ln.startswith("placemap: error:")]
    assert len(errors) == len(bad) + 1  # one line each
    for path, message in bad.values():
        assert any(ln.startswith(f"placemap: error: {path}: {message}") for ln in errors), message
    assert f"placemap: error: {missing}: no such file or directory" in errors
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["good"]


def test_size_limit_can_be_raised(run, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("News from Homs. " * 100, "utf-8")
    r = run("extract", big, "--max-size", "1kB")
    assert r.exit_code == 3 and "raise it with --max-size" in r.output
    assert run("extract", big, "--max-size", "2k").exit_code == 0
    r = run("extract", big, "--max-size", "lots")
    assert r.exit_code == 2 and "is not a size such as 200MB" in r.output


def test_broken_csv_row_is_named_and_other_rows_read(run, tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("id,text\nr1,News from Homs.\nr2,too,many,fields\n\nr3,News from Hama.\n", "utf-8")
    r = run("extract", f)
    assert r.exit_code == 3
    assert f"placemap: error: {f}, row 2 (line 3): 4 fields where the header has 2" in r.output
    assert [d["id"] for d in _docs(r.output)] == ["r1", "r3"]


def test_collection_without_the_text_field_is_one_error(run, tmp_path: Path) -> None:
    f = tmp_path / "gold.jsonl"
    f.write_text("".join(json.dumps({"id": i, "body": "x"}) + "\n" for i in range(50)), "utf-8")
    r = run("extract", f)
    assert r.exit_code == 3
    assert r.output.count("placemap: error:") == 1
    assert (
        "no field 'text' in the first record (fields: id, body); choose one with --text-field"
        in (r.output)
    )


def test_bad_jsonl_line_is_named(run, tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps({"id": "a", "text": TEXT}) + "\n{oops\n", "utf-8")
    r = run("extract", f)
    assert r.exit_code == 3
    assert f"placemap: error: {f}, line 2: not valid JSON" in r.output
    assert [d["id"] for d in _docs(r.output)] == ["a"]


def test_spans_from_a_csv_column(run, tmp_path: Path) -> None:
    f = tmp_path / "gold.csv"
    f.write_text(
        'id,text,gold\na,Palmyra is east of Homs.,"[{""start"": 0, ""end"": 7}]"\n'
        "b,News from Homs.,none\n",
        "utf-8",
    )
    r = run("extract", f, "--spans", "gold")
    assert r.exit_code == 3
    assert f"placemap: error: {f}:2: field 'gold' is not JSON (Expecting value)" in r.output
    (doc,) = _docs(r.output)
    assert [(m["text"], m["geonameid"]) for m in doc["mentions"]] == [("Palmyra", 163808)]


def test_not_a_parquet_file(run, tmp_path: Path) -> None:
    f = tmp_path / "x.parquet"
    f.write_bytes(b"PAR1 but not really")
    r = run("extract", f)
    assert r.exit_code == 3 and f"placemap: error: {f}: not a Parquet file" in r.output


def test_strict_stops_at_the_first_error_and_keeps_the_old_output(run, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("News from Homs.", "utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", "utf-8")
    out = tmp_path / "out.csv"
    out.write_text("previous,results\n", "utf-8")
    r = run("extract", good, empty, good, "--strict", "--format", "csv", "-o", out)
    assert r.exit_code == 1
    assert f"placemap: error: {empty}: empty file (stopped: --strict)" in r.output
    assert out.read_text() == "previous,results\n"  # never half-written
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    r = run("map", good, empty, "--strict", "-o", tmp_path / "maps")
    assert r.exit_code == 1


def test_map_reads_the_same_inputs(run, tmp_path: Path) -> None:
    f = tmp_path / "articles.csv"
    f.write_text(
        "url,body,headline\nu1,Fighting near Palmyra.,Palmyra\nu2,News from Homs.,Homs\n", "utf-8"
    )
    out = tmp_path / "maps"
    r = run("map", f, "--text-field", "body", "--id-field", "url", "--title-field", "headline",
            "-o", out)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".placemap-maps",
        "assets", "collection.html", "index.html", "u1.html", "u2.html",
    ]  # fmt: skip


# --- outputs ----------------------------------------------------------------------------


@pytest.fixture()
def two_reports(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(f"Shelling near Homs\n\n18 Aug, 2017 16:33\n\n{TEXT}", "utf-8")
    (d / "b.txt").write_text("Markets reopened in Palmyra, Syria and Qqqqzzzz.", "utf-8")
    return d


def test_csv_output_reads_back_in_pandas_with_types(run, tmp_path: Path, two_reports) -> None:
    out = tmp_path / "m.csv"
    r = run("extract", two_reports, "--format", "csv", "-o", out)
    assert r.exit_code == 0, r.output
    assert "placemap: wrote 2 reports to" in r.output
    df = pd.read_csv(out)
    assert list(df.columns[:7]) == ["report_id", "title", "date", "source", "start", "end", "text"]
    assert df["start"].dtype == "int64" and df["end"].dtype == "int64"
    for col in ("lat", "lon", "confidence"):
        assert df[col].dtype == "float64"
    assert pd.api.types.is_string_dtype(df["report_id"])
    assert df.loc[df.report_id == "a", "date"].unique().tolist() == ["2017-08-18T16:33"]
    assert df.loc[df.report_id == "a", "date_raw"].unique().tolist() == ["18 Aug, 2017 16:33"]
    assert df["resolved"].dtype == "bool"
    assert (df["resolved"] == df["geonameid"].notna()).all()
    assert df.loc[df.report_id == "a", "title"].unique().tolist() == ["Shelling near Homs"]
    homs = df[(df.report_id == "a") & (df.start == 53)].iloc[0]  # "Homs province"
    assert (homs.geonameid, homs["name"]) == (169575, "Homs")
    assert json.loads(homs.candidates)[0]["geonameid"] == 169577  # the runner-up: the city
    # Unresolved mentions are rows too, with empty place fields.
    if (df.text == "Qqqqzzzz").any():
        assert df[df.text == "Qqqqzzzz"].geonameid.isna().all()


def test_parquet_output_round_trips(run, tmp_path: Path, two_reports) -> None:
    out = tmp_path / "m.parquet"
    assert run("extract", two_reports, "--format", "parquet", "-o", out).exit_code == 0
    csv_out = tmp_path / "m.csv"
    run("extract", two_reports, "--format", "csv", "-o", csv_out)
    table = pq.read_table(out)
    assert table.schema.field("geonameid").type == pa.int64()
    assert table.schema.field("lat").type == pa.float64()
    from_parquet = table.to_pandas()
    from_csv = pd.read_csv(csv_out, keep_default_na=False, na_values={"geonameid": [""]})
    assert len(from_parquet) == len(from_csv) > 0
    assert from_parquet["text"].tolist() == from_csv["text"].tolist()
    assert from_parquet["start"].tolist() == from_csv["start"].tolist()
    # Written back and read again, the same table.
    again = tmp_path / "again.parquet"
    pq.write_table(table, again)
    assert pq.read_table(again).equals(table)


def test_geojson_output_is_rfc7946_lon_lat(run, tmp_path: Path, two_reports) -> None:
    out = tmp_path / "p.geojson"
    assert run("extract", two_reports, "--format", "geojson", "-o", out).exit_code == 0
    fc = json.loads(out.read_text("utf-8"))
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    by_id = {f["properties"]["geonameid"]: f for f in fc["features"]}
    docs = _docs(run("extract", two_reports).output)
    resolved = {m["geonameid"]: m for d in docs for m in d["mentions"] if m["geonameid"]}
    assert set(by_id) == set(resolved)
    for gid, m in resolved.items():
        f = by_id[gid]
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        assert f["geometry"]["coordinates"] == [round(m["lon"], 6), round(m["lat"], 6)]
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    tadmur = by_id[163808]["geometry"]["coordinates"]
    assert tadmur[0] > tadmur[1]  # Palmyra: 38.3 E, 34.6 N, in that order
    palmyra = by_id[163808]["properties"]
    assert [r["id"] for r in palmyra["reports"]] == ["a", "b"]
    assert palmyra["mention_count"] == 2 and by_id[163843]["properties"]["mention_count"] == 2
    assert palmyra["reports"][0]["title"] == "Shelling near Homs"
    assert palmyra["reports"][0]["mentions"][0]["sentence"] == TEXT
    assert palmyra["reports"][1]["mentions"][0] == {
        "text": "Palmyra",
        "start": 20,
        "end": 27,
        "confidence": palmyra["reports"][1]["mentions"][0]["confidence"],
        "sentence": "Markets reopened in Palmyra, Syria and Qqqqzzzz.",
    }


def test_parquet_to_a_terminal_is_refused(run, two_reports, monkeypatch) -> None:
    import click.testing

    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    r = run("extract", two_reports, "--format", "parquet")
    assert r.exit_code == 2
    assert "Parquet is binary: give -o FILE or redirect standard output" in r.output


# --- pandas -----------------------------------------------------------------------------


def test_geoparse_frame_and_to_frame(small_gaz) -> None:
    import placemap
    from placemap.frames import to_frame
    from placemap.pipeline import Geoparser

    gp = Geoparser(small_gaz)
    df = pd.DataFrame({"doc": ["d1", "d2", "d3"], "body": [TEXT, None, "News from Hama."]})
    out = placemap.geoparse_frame(df, text_column="body", id_column="doc", geoparser=gp)
    assert out.columns[0] == "doc"
    assert list(zip(out.doc, out.text, out.geonameid, strict=True)) == [
        ("d1", "Homs", 169575),
        ("d1", "Palmyra", 163808),
        ("d1", "Syria", 163843),
        ("d3", "Hama", 170015),
    ]
    assert out.geonameid.dtype == "Int64" and out.lat.dtype == "float64"
    with pytest.raises(KeyError, match="no column 'text'"):
        placemap.geoparse_frame(df, geoparser=gp)
    mentions = gp.geoparse(TEXT)
    assert to_frame(mentions).text.tolist() == ["Homs", "Palmyra", "Syria"]
    from placemap.records import Report

    reports = [Report(id="r", text=TEXT, title="T", mentions=tuple(mentions))]
    frame = to_frame(reports)
    assert frame.report_id.tolist() == ["r"] * 3 and frame.start.dtype == "int64"
    assert len(to_frame([])) == 0


# --- help, completion, progress ---------------------------------------------------------


def test_every_command_help_has_examples_and_exit_codes_are_documented() -> None:
    from tests.test_cli import _commands

    for path, _cmd in _commands(cli):
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert "Examples:" in result.output, path
    top = CliRunner().invoke(cli, ["--help"]).output
    assert "3 some inputs could not be read" in top
    assert "_PLACEMAP_COMPLETE=bash_source placemap" in top


def test_shell_completion_script() -> None:
    r = CliRunner().invoke(cli, [], prog_name="placemap", env={"_PLACEMAP_COMPLETE": "bash_source"})
    assert "_placemap_completion" in r.output


def test_no_progress_bar_when_stderr_is_not_a_terminal(run, two_reports, tmp_path) -> None:
    r = run("extract", two_reports, "-o", tmp_path / "x.jsonl")
    assert "geoparsing" not in r.output


# --- the seed reports -------------------------------------------------------------------

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not present")

SEED_META = {
    "report-2017-06-01-raqqa": (
        # No headline: the text starts mid-sentence, so the file name stands in.
        "report-2017-06-01-raqqa",
        "2017-06-01",
    ),
    "report-2017-08-18-aqerbat": (
        "Russian airstrikes hit ISIS vehicles on retreat in Aqerbat, Syria – MoD (VIDEO)",
        "2017-08-18T16:33",
    ),
}


@needs_seeds
def test_seed_reports_titles_dates_and_offsets(run) -> None:
    r = run("extract", SEEDS)
    assert r.exit_code == 0, r.output
    docs = _docs(r.output)
    assert {d["id"]: (d["title"], d["date"]) for d in docs} == SEED_META
    # The text is the file's, unchanged: the hand annotation's offsets hold.
    lines = (SEEDS / "gold.jsonl").read_text("utf-8").splitlines()
    gold = {json.loads(x)["id"]: json.loads(x) for x in lines}
    for item in read_reports([SEEDS], notify=lambda _: None):
        assert not isinstance(item, ReadError | tuple)
        g = gold[item.id + ".txt"]
        assert item.text == g["text"]
        for t in g["toponyms"]:
            assert item.text[t["start"] : t["end"]] == t["name"]


@needs_seeds
def test_seed_folder_maps_each_report_once(run, tmp_path: Path) -> None:
    r = run("map", SEEDS, "-o", tmp_path / "maps")
    assert r.exit_code == 0, r.output
    assert "wrote 2 report maps" in r.output


def test_gzipped_inputs_are_read_as_the_files_they_hold(tmp_path: Path) -> None:
    import gzip

    folder = tmp_path / "pages"
    folder.mkdir()
    page = "<html><head><title>Shelling</title></head><body><article><p>" + (
        "Shelling hit Aleppo again on Monday, residents said. " * 8
    ) + "</p></article></body></html>"
    (folder / "p1.html.gz").write_bytes(gzip.compress(page.encode()))
    (folder / "note.txt.gz").write_bytes(gzip.compress(b"Clashes in Homs.\n"))
    (folder / "fake.html.gz").write_bytes(b"not gzip at all")
    (folder / "cut.txt.gz").write_bytes(gzip.compress(b"Clashes in Homs.\n" * 500)[:60])
    feed = tmp_path / "feed.jsonl.gz"
    feed.write_bytes(gzip.compress(b'{"id": "a", "text": "Fighting in Hama."}\n'))
    items = list(read_reports([folder, feed]))
    reports = {r.id: r for r in items if not isinstance(r, ReadError)}
    errors = sorted(str(e) for e in items if isinstance(e, ReadError))
    assert set(reports) == {"p1", "note", "a"}
    assert reports["p1"].title == "Shelling" and "Aleppo" in reports["p1"].text
    assert reports["note"].text == "Clashes in Homs.\n" and reports["a"].text == "Fighting in Hama."
    assert len(errors) == 2
    assert "cut.txt.gz: damaged or truncated gzip file" in errors[0]
    assert "fake.html.gz: not a gzip file, though named .gz: rename it" in errors[1]


def test_a_gzipped_text_that_expands_past_its_ratio_is_refused(tmp_path: Path) -> None:
    # Red team, hostile round 8: a 61 kB .txt.gz held 20 MB of one line repeated, read
    # and geoparsed as one report: 1.2 GB and 53 s. Prose compresses 3 to 4 times.
    import gzip

    from placemap.readers import GZIP_RATIO

    folder = tmp_path / "in"
    folder.mkdir()
    line = b"Shelling hit Aleppo on Monday, near Homs.\n"
    (folder / "bomb.txt.gz").write_bytes(gzip.compress(line * 100_000, 9))
    (folder / "long.txt.gz").write_bytes(gzip.compress(line * 2_000, 9))  # under the floor
    prose = " ".join(f"Shelling hit town {i} on day {i * 7 % 31}." for i in range(20_000))
    (folder / "prose.txt.gz").write_bytes(gzip.compress(prose.encode(), 9))
    items = list(read_reports([folder]))
    reports = {r.id for r in items if not isinstance(r, ReadError)}
    (error,) = [str(e) for e in items if isinstance(e, ReadError)]
    assert reports == {"long", "prose"}
    assert f"bomb.txt.gz: decompresses to more than {GZIP_RATIO} times its" in error
    assert "decompress it to read it" in error


def test_a_sites_menu_line_is_no_title() -> None:
    from placemap.readers import guess_title_date

    text = (
        "Home News Politics Economy World Society Sports Photo Video\nUkrinform\n"
        "13.08.2024 09:41\nEnemy shells 11 communities in Sumy region overnight\n\nBody."
    )
    title, date = guess_title_date(text, day_first=True)
    assert title == "Enemy shells 11 communities in Sumy region overnight"
    assert date is not None and date.iso == "2024-08-13T09:41"
    # a headline in title case is one
    assert guess_title_date("Russian Airstrikes Hit Vehicles In Syria\nBody.")[0] == (
        "Russian Airstrikes Hit Vehicles In Syria"
    )


def test_a_topic_label_above_the_headline_is_no_title() -> None:
    from placemap.readers import guess_title_date

    text = (
        "Israel-Palestine conflict\nIsraeli strikes kill 12 in Khan Younis, officials say\n\n"
        "GAZA, Jan 12 (Reuters) - Israeli air strikes killed at least 12 people."
    )
    assert guess_title_date(text)[0] == "Israeli strikes kill 12 in Khan Younis, officials say"
    # the label stays the title when no headline follows it: a dateline or a sentence
    for below in ("GAZA, Jan 12 (Reuters) - Strikes killed 12", "Strikes killed 12 in Gaza today."):
        assert guess_title_date(f"Sudan civil war\n{below}")[0] == "Sudan civil war"
    # and a headline about a war is no label
    assert guess_title_date("How the war changed Syria's north\nA long read")[0] == (
        "How the war changed Syria's north"
    )


def test_json_output_escapes_what_a_terminal_reads_as_controls(run, tmp_path: Path) -> None:
    # A title with U+202E (right-to-left override), U+2028 and a C1 control turned a
    # terminal's line around; in JSON they are escaped, and read back the same
    title = "Clashes \u202enear\u2028 Homs\u0085"
    src = tmp_path / "r.jsonl"
    src.write_text(json.dumps({"id": "r", "title": title, "text": "Clashes near Homs."}) + "\n")
    for fmt in ("jsonl", "geojson"):
        r = run("extract", src, "--format", fmt)
        assert r.exit_code == 0, r.output
        assert not set("\u202e\u2028\u0085") & set(r.stdout)
        assert "\\u202e" in r.stdout
    assert json.loads(run("extract", src).stdout)["title"] == title


def test_a_jsonl_file_still_written_is_read_as_it_was_opened(tmp_path: Path) -> None:
    # Hostile round 10: a JSON Lines file that another program appended to while it was
    # read was followed as "tail -f" follows it (5,000 records gave 518,600 reports).
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": f"r{i}", "text": "Homs"}) + "\n" for i in range(3)))
    ids = []
    with feed.open("a") as writer:
        for item in read_reports([feed]):
            ids.append(item.id)
            writer.write(json.dumps({"id": f"late{len(ids)}", "text": "Hama"}) + "\n")
            writer.flush()
    assert ids == ["r0", "r1", "r2"]
