"""Geocoding tables: geocode_frame, its hints, reading and writing tables, and the
``geocode`` and ``map`` commands on tables."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import placemap
from placemap.errors import InputError
from placemap.gazetteer import Gazetteer
from placemap.geocode import (
    OUTPUT_COLUMNS,
    frame_reports,
    geocode_frame,
    geocode_rows,
    read_plain_table,
    read_table,
    write_plain_table,
    write_table,
)
from placemap.pipeline import Geoparser
from placemap.recognize import ADMIN_CUES

from .conftest import SHARED

TADMUR, PALMYRA_NY, HOMS_ADM1, HOMS_CITY = 163808, 5130441, 169575, 169577


def _ids(df: pd.DataFrame) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in df["geonameid"]]


# -- the seed names, against the real default index -----------------------------

SEEDS = [
    ("Aqerbat", "", ""),
    ("Palmyra", "Syria", ""),
    ("Deir ez-Zor", "", ""),
    ("Al-Sukhnah", "", ""),
    ("Homs", "", "province"),
    ("Raqqa", "", ""),
]


def _gold_ids() -> dict[tuple[str, bool], int]:
    """The annotators' GeoNames id for each name, as a bare name and followed by a
    division word ("Homs province"): the most frequent one in the seed reports."""
    gold = SHARED / "seeds" / "gold.jsonl"
    if not gold.is_file():
        pytest.skip(f"{gold} is absent")
    votes: dict[tuple[str, bool], Counter[int]] = {}
    for line in gold.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        for t in doc["toponyms"]:
            after = doc["text"][t["end"] :].split(None, 1)
            division = bool(after) and after[0].strip(".,").lower() in ADMIN_CUES
            votes.setdefault((t["name"], division), Counter())[t["geonameid"]] += 1
    return {k: v.most_common(1)[0][0] for k, v in votes.items()}


def test_seed_names_come_back_with_the_annotated_ids(default_gaz: Gazetteer) -> None:
    gold = _gold_ids()
    df = pd.DataFrame(SEEDS, columns=["place", "country", "admin"])
    out = geocode_frame(df, column="place", country="country", admin="admin", gazetteer=default_gaz)
    want = [gold[(name, admin == "province")] for name, _, admin in SEEDS]
    assert _ids(out) == want
    assert list(out.columns) == ["place", "country", "admin", *OUTPUT_COLUMNS]
    assert out["lat"].notna().all() and out["lon"].notna().all()


def test_palmyra_without_a_hint_says_it_was_ambiguous(default_gaz: Gazetteer) -> None:
    df = pd.DataFrame({"place": ["Palmyra", "Palmyra"], "country": ["", "Syria"]})
    out = geocode_frame(df, column="place", country="country", gazetteer=default_gaz)
    bare, hinted = out.iloc[0], out.iloc[1]
    assert bare["match"].split("; ")[1].startswith("ambiguous: ")
    assert int(bare["match"].split("; ")[1].split()[1]) > 2  # Syria's and America's Palmyras
    assert "ambiguous" not in hinted["match"]
    assert bare["confidence"] < 0.5 < hinted["confidence"]


@pytest.mark.parametrize("hint", ["Syria", "SY", "sy", "SYR", "Syrian"])
def test_country_hint_as_name_code_or_demonym(default_gaz: Gazetteer, hint: str) -> None:
    df = pd.DataFrame({"place": ["Palmyra"], "country": [hint]})
    out = geocode_frame(df, column="place", country="country", gazetteer=default_gaz)
    assert _ids(out) == [TADMUR]


# -- hints, on the small test index ---------------------------------------------


def test_country_column_narrows_to_the_country(small_gaz: Gazetteer) -> None:
    df = pd.DataFrame(
        {
            "place": ["Palmyra", "Palmyra", "Palmyra", "Palmyra", "Homs"],
            "country": ["United States", "USA", "SYR", "Atlantis", "US"],
        }
    )
    out = geocode_frame(df, column="place", country="country", gazetteer=small_gaz)
    assert _ids(out) == [PALMYRA_NY, PALMYRA_NY, TADMUR, _ids(out)[3], None]
    assert "country 'Atlantis' not recognised, ignored" in out["match"][3]
    assert out["match"][4] == "no candidate in US (2 elsewhere)"
    assert pd.isna(out["lat"][4]) and pd.isna(out["lon"][4])


def test_admin_column_name_or_type_word(small_gaz: Gazetteer) -> None:
    df = pd.DataFrame(
        {
            "place": ["Palmyra", "Palmyra", "Homs", "Homs", "Homs"],
            "admin": ["New York", "Homs", "province", "governorate", ""],
        }
    )
    out = geocode_frame(df, column="place", admin="admin", gazetteer=small_gaz)
    assert _ids(out) == [PALMYRA_NY, TADMUR, HOMS_ADM1, HOMS_ADM1, HOMS_CITY]
    assert out["match"][0].endswith("only candidate in New York (of 2)")
    assert "type cue: admin" in out["match"][2]


def test_context_column_supplies_context(small_gaz: Gazetteer) -> None:
    df = pd.DataFrame(
        {
            "place": ["Palmyra", "Palmyra"],
            "note": ["Shelling was reported near Homs and As Sukhnah.", ""],
        }
    )
    out = geocode_frame(df, column="place", context="note", gazetteer=small_gaz)
    assert _ids(out)[0] == TADMUR
    assert "context" in out["match"][0] or "near" in out["match"][0]
    assert "ambiguous" in out["match"][1]


def test_unresolved_rows_keep_empty_coordinates_and_say_why(small_gaz: Gazetteer) -> None:
    df = pd.DataFrame({"place": ["", None, "   ", "Qqqzzzx", "Tadmur"]})
    out = geocode_frame(df, column="place", gazetteer=small_gaz)
    assert list(out["match"][:4]) == ["empty name"] * 3 + ["no candidate"]
    assert out["lat"][:4].isna().all() and out["geonameid"][:4].isna().all()
    assert list(out["confidence"][:4]) == [0.0] * 4
    assert _ids(out)[4] == TADMUR


def test_a_name_with_its_country_after_a_comma(small_gaz: Gazetteer) -> None:
    df = pd.DataFrame({"place": ["Palmyra, New York"]})
    out = geocode_frame(df, column="place", gazetteer=small_gaz)
    assert _ids(out) == [PALMYRA_NY]


def test_repeated_names_are_resolved_once(
    small_gaz: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    gp = Geoparser(small_gaz)
    calls: list[str] = []
    real = gp.resolve

    def counting(text: str, spans, **kw):  # type: ignore[no-untyped-def]
        calls.append(text)
        return real(text, spans, **kw)

    monkeypatch.setattr(gp, "resolve", counting)
    names = ["Homs", " Homs", "Homs  ", "Tadmur", "Deir ez-Zor"] * 200
    df = pd.DataFrame({"place": names, "country": ["SY", "SY", "SY", "", "SY"] * 200})
    out = geocode_frame(df, column="place", country="country", geoparser=gp)
    # "Homs" with its white-space variants is one key; "Tadmur" without a country another.
    assert sorted(calls) == ["Deir ez-Zor", "Homs", "Tadmur"]
    assert len(out) == 1000 and list(out.index) == list(df.index)
    assert _ids(out)[:5] == [HOMS_CITY, HOMS_CITY, HOMS_CITY, TADMUR, 170794]
    assert _ids(out)[995:] == _ids(out)[:5]


def test_unknown_column_is_an_input_error(small_gaz: Gazetteer) -> None:
    with pytest.raises(InputError, match=r"no column 'plce' in the table \(columns: place\)"):
        geocode_frame(pd.DataFrame({"place": ["Homs"]}), column="plce", gazetteer=small_gaz)


def test_geocode_frame_is_exported_lazily() -> None:
    assert placemap.geocode_frame is geocode_frame
    assert "geocode_frame" in placemap.__all__


# -- tables on disk ---------------------------------------------------------------


def test_csv_cells_stay_as_written(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text("code,zip\nNA,007\n,\n", encoding="utf-8")
    df = read_table(f)
    assert df.to_dict("list") == {"code": ["NA", ""], "zip": ["007", ""]}


def test_jsonl_errors_name_the_line(tmp_path: Path) -> None:
    f = tmp_path / "t.jsonl"
    f.write_text('{"place": "Homs"}\n\n{"place": "Hama"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.jsonl, line 3: not JSON"):
        read_table(f)
    f.write_text('{"place": "Homs"}\n["Hama"]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.jsonl, line 2: expected a JSON object, got list"):
        read_table(f)


def test_unknown_extension_asks_for_a_format(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot tell the table format"):
        read_table(tmp_path / "t.xlsx")


def test_a_parquet_table_of_one_string_repeated_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parquet stores a string once for all the rows that repeat it: 3 kB of 1,024 rows of
    # one 2 MB string took 7 GB and wrote a 2 GB table (red team round 3). Its values are
    # counted with each string read once, before the table is made: in a list or a
    # struct as well (red team round 4: 2.3 GB and a 537 MB table from 1 kB).
    import pyarrow as pa
    import pyarrow.parquet as pq

    from placemap import arrowsize

    monkeypatch.setattr(arrowsize, "EXPANSION_CHARS", 1_000_000)
    once = pa.array(["Homs " * 400])
    repeated = pa.DictionaryArray.from_arrays(pa.array([0] * 4096, pa.int32()), once)
    path = tmp_path / "bomb.parquet"
    in_lists = pa.ListArray.from_arrays(pa.array(range(4097), pa.int32()), repeated)
    in_structs = pa.StructArray.from_arrays([repeated], names=["name"])
    for column in (repeated, in_lists, in_structs):
        # (without the Arrow schema, a list's items read plain were decoded whole: 2 GB
        # from 614 bytes, hostile round 5)
        for store_schema in (True, False):
            table = pa.table({"place": column})
            pq.write_table(table, path, write_statistics=False, store_schema=store_schema)
            with pytest.raises(InputError, match=r"bomb.parquet: more than 8,\d{3},\d{3} ch"):
                read_table(path)
    # the same rows each stored whole are the file's own size, and read
    plain = pa.table({"place": repeated.cast(pa.string())})
    pq.write_table(plain, path, use_dictionary=False, compression="none")
    assert len(read_table(path)) == 4096


def test_a_parquet_column_of_string_views_is_read(tmp_path: Path) -> None:
    # pandas holds no string_view column: a table with one ended geocode in a traceback
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "views.parquet"
    places = pa.array(["Homs", "Aleppo"]).cast(pa.string_view())
    pq.write_table(pa.table({"place": places}), path)
    assert list(read_table(path)["place"]) == ["Homs", "Aleppo"]


def test_parquet_needs_a_file() -> None:
    with pytest.raises(ValueError, match="Parquet is binary"):
        write_table(pd.DataFrame({"a": [1]}), None, "parquet")


# -- tables without pandas ------------------------------------------------------------

PLAIN_CSV = (
    "\ufeffid,place,country,admin,note\r\n"
    '1,Palmyra,SY,,"Clashes, near Homs"\r\n'
    "2, Homs ,,province,=cmd\r\n"
    "3,Palmyra,US,,\r\n"
    '4,"Palmyra, New York",,,\r\n'
    "5,Qqqzzzx,Syria,,+1\r\n"
    "6,Ḥimṣ,,Homs,\r\n"
    "7,,,,\r\n"
    "8,Palmyra,SY,,again\r\n"
)
PLAIN_JSONL = [
    {"id": 1, "place": "Palmyra", "country": "SY", "o": {"a": [1, None]}, "f": 1.5},
    {"id": True, "place": 1, "country": None, "f": float("nan"), "big": 10**20},
    {"id": 1.0, "place": True, "country": "", "admin": "province", "t": "=x"},
    {"place": ["Homs"], "country": {"c": "SY"}, "f": float("inf"), "b": False},
    {"place": "Homs", "admin": "province", "lat": 3, "match": "old"},
    {"place": " Homs", "admin": "province", "note": "Clashes near Palmyra"},
]


@pytest.mark.parametrize("ext", [".csv", ".jsonl"])
@pytest.mark.parametrize("out", ["csv", "jsonl"])
@pytest.mark.parametrize(
    "hints",
    [{}, {"country": "country"}, {"country": "country", "admin": "admin", "context": "note"}],
)
def test_plain_tables_geocode_as_frames_do(
    small_gaz: Gazetteer, tmp_path: Path, ext: str, out: str, hints: dict[str, str]
) -> None:
    """Read, geocoded and written without pandas, a CSV or JSON Lines table comes out
    byte for byte as through pandas: quoting, BOM, formulas, white space, JSON values
    of every type (1 and 1.0 one key as pandas has it, booleans no name, NaN, infinities, objects),
    missing keys, replaced columns."""
    src = tmp_path / f"in{ext}"
    if ext == ".csv":
        src.write_bytes(PLAIN_CSV.encode("utf-8"))
    else:
        src.write_text("".join(json.dumps(r) + "\n" for r in PLAIN_JSONL), "utf-8")
    gp = Geoparser(small_gaz)
    plain = read_plain_table(src)
    assert plain is not None
    kw = {"column": "place", **hints, "geoparser": gp, "candidates": out != "csv"}
    write_plain_table(geocode_rows(plain, **kw), tmp_path / "a", out)
    write_table(geocode_frame(read_table(src), **kw), tmp_path / "b", out)
    got, want = (tmp_path / "a").read_bytes(), (tmp_path / "b").read_bytes()
    assert got == want
    assert len(want.splitlines()) >= 6


@pytest.mark.parametrize(
    "content",
    [
        "",  # empty: read_table says so
        "place\n",  # no rows
        "id,place\n1,Homs\n2,Hama,extra\n",  # ragged
        "id,place\n1,Homs\n\n2,Hama\n",  # a blank line
        'place\nHo"ms\n',  # a quote inside a cell
        'place\n"Ho""ms"\n',
        'place\n"Homs"x\n',
        'place\n"Homs\nHama"\n',  # a line break in a cell
        "place,place\nHoms,Hama\n",  # names pandas would change
        "place,\nHoms,1\n",
        "place\n\x00\n",
        "place\n   \n",
    ],
)
def test_plain_csv_leaves_to_pandas_what_it_may_read_otherwise(
    tmp_path: Path, content: str
) -> None:
    f = tmp_path / "t.csv"
    f.write_text(content, encoding="utf-8")
    assert read_plain_table(f) is None


def test_plain_tables_are_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import placemap.geocode as geocode

    f = tmp_path / "t.csv"
    f.write_text("place\nHoms\nHama\nIdlib\n", encoding="utf-8")
    assert read_plain_table(f) is not None
    monkeypatch.setattr(geocode, "PLAIN_MAX_ROWS", 2)
    assert read_plain_table(f) is None  # pandas is faster on long tables


def test_plain_tables_need_text_formats(tmp_path: Path) -> None:
    f = tmp_path / "t.jsonl"
    f.write_text('{"place": "Homs"}\n\n{"place": "Hama"\n', encoding="utf-8")
    assert read_plain_table(f) is None  # read_table names the line
    f.write_text('{"place": "Homs"}\n', encoding="utf-8")
    assert read_plain_table(f, "parquet") is None
    assert read_plain_table(f) is not None


def test_geocode_command_reads_csv_without_pandas(small_index: Path, tmp_path: Path) -> None:
    """Importing pandas and pyarrow is a quarter of a second: a CSV table is geocoded
    without them."""
    import subprocess
    import sys

    src = tmp_path / "in.csv"
    src.write_text("place\nHoms\nPalmyra\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from placemap.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "assert 'pandas' not in sys.modules and 'pyarrow' not in sys.modules\n"
        # nor the other commands' modules (gazetteer build's import code)
        "assert 'placemap.gazetteer.geonames' not in sys.modules\n"
        "assert 'placemap.cli.mapping' not in sys.modules\n"
    )
    args = ["geocode", str(src), "--column", "place", "--gazetteer", str(small_index)]
    for out in ("o.csv", "o.jsonl"):
        r = subprocess.run(
            [sys.executable, "-c", code, *args, "-o", str(tmp_path / out)],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, r.stderr
    assert (tmp_path / "o.csv").read_text("utf-8").startswith("place,lat,lon")


# -- the geocode command ------------------------------------------------------------


TABLE = pd.DataFrame(
    {
        "id": ["1", "2", "3", "4"],
        "place": ["Palmyra", "Homs", "Palmyra", "Qqqzzzx"],
        "country": ["SY", "", "US", ""],
        "admin": ["", "province", "", ""],
        "note": ["", "", "", ""],
    }
)


def _write_input(path: Path, df: pd.DataFrame) -> None:
    if path.suffix == ".csv":
        df.to_csv(path, index=False)
    elif path.suffix == ".jsonl":
        df.to_json(path, orient="records", lines=True)
    else:
        df.to_parquet(path, index=False)


@pytest.mark.parametrize("ext", [".csv", ".jsonl", ".parquet"])
def test_geocode_command_each_format(run, tmp_path: Path, ext: str) -> None:
    src = tmp_path / f"in{ext}"
    _write_input(src, TABLE)
    dst = tmp_path / f"out{ext}"
    hints = ["--country-column", "country", "--admin-column", "admin"]
    r = run("geocode", str(src), "--column", "place", *hints, "-o", str(dst))
    assert r.exit_code == 0, r.output
    # The index holds the full data of the countries found (SY, US): no hint to add it.
    assert r.stderr == "geocoded 4 rows: 3 resolved (0 ambiguous), 1 unresolved\n"
    out = read_table(dst)
    assert list(out.columns[:5]) == list(TABLE.columns)
    assert [str(v) for v in out["id"]] == ["1", "2", "3", "4"]
    assert [None if pd.isna(v) or v == "" else int(v) for v in out["geonameid"]] == [
        TADMUR,
        HOMS_ADM1,
        PALMYRA_NY,
        None,
    ]
    assert out["match"].iloc[3] == "no candidate"
    if ext == ".csv":
        assert "candidates" not in out.columns
    else:
        assert list(out["candidates"].iloc[1][0].keys())[:2] == ["geonameid", "name"]


def _own_parquet_table():  # type: ignore[no-untyped-def]
    import datetime as dt

    import pyarrow as pa

    return pa.table(
        {
            "place": ["Palmyra", "Homs", "Qqqzzzx"],
            "when": pa.array([dt.datetime(2024, 1, 2, 3, 4, 5), None, None], pa.timestamp("us")),
            "day": pa.array([dt.date(2024, 1, 2), None, dt.date(2023, 5, 6)], pa.date32()),
            "n": pa.array([1, None, 3], pa.int64()),
            "small": pa.array([1, 2, 3], pa.int32()),
            "ok": pa.array([True, None, False]),
            "tags": pa.array([["a"], [], None], pa.list_(pa.string())),
            "utc": pa.array(
                [dt.datetime(2024, 1, 2, tzinfo=dt.UTC), None, None], pa.timestamp("ms", "UTC")
            ),
        }
    )


def test_geocode_parquet_keeps_the_tables_own_columns(run, tmp_path: Path) -> None:
    """The table's own columns are written as they were: JSON Lines with ISO dates and
    ints (they were epoch milliseconds and 1.0), Parquet with the same Arrow types
    (an int64 column with a null became double)."""
    import pyarrow.parquet as pq

    table = _own_parquet_table()
    pq.write_table(table, tmp_path / "in.parquet")
    r = run(
        "geocode",
        str(tmp_path / "in.parquet"),
        "--column",
        "place",
        "-o",
        str(tmp_path / "o.jsonl"),
    )
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text("utf-8").splitlines()]
    own = [{k: row[k] for k in table.column_names} for row in rows]
    assert own == [
        {
            "place": "Palmyra",
            "when": "2024-01-02T03:04:05",
            "day": "2024-01-02",
            "n": 1,
            "small": 1,
            "ok": True,
            "tags": ["a"],
            "utc": "2024-01-02T00:00:00+00:00",
        },
        {
            "place": "Homs",
            "when": None,
            "day": None,
            "n": None,
            "small": 2,
            "ok": None,
            "tags": [],
            "utc": None,
        },
        {
            "place": "Qqqzzzx",
            "when": None,
            "day": "2023-05-06",
            "n": 3,
            "small": 3,
            "ok": False,
            "tags": None,
            "utc": None,
        },
    ]
    assert rows[0]["geonameid"] == TADMUR and rows[2]["lat"] is None
    r = run(
        "geocode",
        str(tmp_path / "in.parquet"),
        "--column",
        "place",
        "-o",
        str(tmp_path / "o.parquet"),
    )
    assert r.exit_code == 0, r.output
    out = pq.read_table(tmp_path / "o.parquet")
    assert out.select(table.column_names).cast(table.schema) == table  # values
    assert [out.schema.field(f.name).type for f in table.schema] == table.schema.types
    r = run(
        "geocode", str(tmp_path / "in.parquet"), "--column", "place", "-o", str(tmp_path / "o.csv")
    )
    assert r.exit_code == 0, r.output
    lines = (tmp_path / "o.csv").read_text("utf-8").splitlines()
    assert lines[1].startswith('Palmyra,2024-01-02 03:04:05,2024-01-02,1,1,True,"[""a""]",')
    assert lines[2].startswith("Homs,,,,2,,[],,")


def test_geocode_jsonl_keeps_the_tables_own_values(
    run, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """JSON Lines values come back as they were read: ints stay ints beside nulls, a
    20-digit id keeps its digits, objects stay objects (a missing key is null)."""
    import pyarrow.parquet as pq

    recs = [
        {
            "place": "Palmyra",
            "n": 1,
            "id": 12345678901234567890,
            "when": "2024-01-02T03:04",
            "o": {"a": [1]},
        },
        {"place": "Homs", "n": None, "id": 7, "when": None},
        {"place": "Qqqzzzx", "n": 3, "f": 1.0},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in recs), "utf-8")
    r = run("geocode", str(src), "--column", "place", "-o", str(tmp_path / "o.jsonl"))
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text("utf-8").splitlines()]
    keys = ["place", "n", "id", "when", "o", "f"]
    assert [{k: row[k] for k in keys} for row in rows] == [
        {k: rec.get(k) for k in keys} for rec in recs
    ]
    assert [type(row["n"]) for row in rows] == [int, type(None), int]  # not 1.0
    assert isinstance(rows[2]["f"], float)
    r = run("geocode", str(src), "--column", "place", "-o", str(tmp_path / "o.csv"))
    assert r.exit_code == 0, r.output
    lines = (tmp_path / "o.csv").read_text("utf-8").splitlines()
    assert lines[1].startswith('Palmyra,1,12345678901234567890,2024-01-02T03:04,"{""a"": [1]}",,')
    assert lines[2].startswith("Homs,,7,,,,")
    r = run("geocode", str(src), "--column", "place", "-o", str(tmp_path / "o.parquet"))
    assert r.exit_code == 0, r.output
    assert "'id': values of no one Parquet type; written as JSON text" in caplog.text
    out = pq.read_table(tmp_path / "o.parquet")
    assert out.column("n").to_pylist() == [1, None, 3]
    assert str(out.schema.field("n").type) == "int64"
    assert out.column("id").to_pylist() == ["12345678901234567890", "7", None]


def test_geocode_command_writes_stdout_and_reads_context(run, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"place": ["Palmyra"], "note": ["Clashes near Homs"]}).to_csv(src, index=False)
    r = run("geocode", str(src), "--column", "place", "--context-column", "note")
    assert r.exit_code == 0
    rows = r.stdout.splitlines()
    assert rows[0] == "place,note," + ",".join(OUTPUT_COLUMNS)
    assert rows[1].split(",")[4] == str(TADMUR)
    r = run("geocode", str(src), "--column", "place", "--format", "jsonl")
    assert json.loads(r.stdout)["geonameid"] == PALMYRA_NY or "ambiguous" in r.stdout


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (
            "id,place\n1,Homs\n2,Hama,extra\n",
            [],
            "placemap: error: {f}, line 3: expected 2 fields as in the header, saw 3\n",
        ),
        # A longer first row made pandas read its first cells as an index and drop them:
        # every name shifted a column ("Homs" became "1", exit 0).
        (
            "id,place\n1,Homs,extra\n2,Hama\n",
            [],
            "placemap: error: {f}: the first row after the header has more fields than "
            "the header\n",
        ),
        ("id,place\n1,Homs\n", ["--country-column", "cc"], None),
        ("", [], "placemap: error: {f}: empty file, no header row\n"),
    ],
)
def test_geocode_command_malformed_table(
    run, tmp_path: Path, content: str, args: list[str], message: str | None
) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(content, encoding="utf-8")
    r = run("geocode", str(f), "--column", "place", *args)
    assert r.exit_code == 1
    if message is None:
        message = "placemap: error: {f}: no column 'cc' in the table (columns: id, place)\n"
    assert r.stderr == message.format(f=f)


def test_geocode_command_missing_file_and_parquet_to_stdout(run, tmp_path: Path) -> None:
    f = tmp_path / "nope.csv"
    r = run("geocode", str(f), "--column", "place")
    assert r.exit_code == 1
    assert r.stderr == f"placemap: error: {f}: cannot read the table (No such file or directory)\n"
    f.write_text("place\nHoms\n", encoding="utf-8")
    r = run("geocode", str(f), "--column", "place", "--format", "parquet")
    assert r.exit_code == 2
    assert "Parquet output needs a file: give -o/--output" in r.stderr


def test_geocode_command_keeps_the_old_output_on_error(run, tmp_path: Path) -> None:
    dst = tmp_path / "out.csv"
    dst.write_text("previous\n", encoding="utf-8")
    src = tmp_path / "in.csv"
    src.write_text("place\nHoms\n", encoding="utf-8")
    r = run("geocode", str(src), "--column", "nope", "-o", str(dst))
    assert r.exit_code == 1
    assert dst.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# -- maps of tables -------------------------------------------------------------------


def test_frame_reports_one_report_per_group() -> None:
    df = pd.DataFrame(
        {
            "lat": [34.56, "35.3", None, "x"],
            "lon": [38.28, 40.1, None, 1.0],
            "name": ["Tadmur", "Deir ez-Zor", "Nowhere", ""],
            "year": [2017, 2016, 2017, 2016],
        }
    )
    reports = frame_reports(df, name="name", group_by="year")
    assert [r.title for r in reports] == ["year: 2017", "year: 2016"]
    first, second = reports
    assert [(m.text, m.place is not None) for m in first.mentions] == [
        ("Tadmur", True),
        ("Nowhere", False),
    ]
    assert [m.text for m in second.mentions] == ["Deir ez-Zor"]  # the row with no name or
    # coordinates is left out
    p = first.mentions[0].place
    assert p is not None and (p.lat, p.lon, p.geonames_id) == (34.56, 38.28, None)


def test_frame_reports_name_the_rows_whose_coordinates_are_no_point(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Red team, hostile round 8: such rows were counted as unresolved places, unnamed.
    df = pd.DataFrame(
        {
            "lat": ["nan", "inf", "36.2", "91", "", None, "0x10"],
            "lon": ["1", "-inf", "37.1", "181", "", None, "20"],
            "name": ["A", "B", "D", "F", "G", "H", "I"],
        },
        dtype=object,
    )
    with caplog.at_level("WARNING", logger="placemap"):
        (report,) = frame_reports(df, name="name", source="ev.csv")
    assert [m.text for m in report.mentions if m.place is not None] == ["D"]
    (warning,) = [r.getMessage() for r in caplog.records]
    assert warning.startswith("ev.csv: 4 rows with coordinates that are no latitude")
    assert "row 1: 'nan', '1'; row 2: 'inf', '-inf'; row 4: '91', '181' and 1 more" in warning
    caplog.clear()
    with caplog.at_level("WARNING", logger="placemap"):
        frame_reports(df.iloc[[2, 4, 5]], name="name")
    assert not caplog.records  # empty cells: a place not found, no warning


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=12), st.floats(-90, 90), st.sampled_from(["a", "b", ""])),
        max_size=8,
    )
)
def test_frame_reports_mentions_point_into_the_text(rows: list[tuple[str, float, str]]) -> None:
    df = pd.DataFrame(rows, columns=["name", "lat", "g"])
    df["lon"] = 10.0
    for r in frame_reports(df, name="name", group_by="g"):
        for m in r.mentions:
            assert r.text[m.start : m.end] == m.text and m.text


def test_map_command_draws_a_table_by_group(run, tmp_path: Path) -> None:
    src = tmp_path / "events.csv"
    pd.DataFrame(
        {"lat": [34.56, 35.33], "lon": [38.28, 40.14], "what": ["a", "b"], "yr": [2016, 2017]}
    ).to_csv(src, index=False)
    out = tmp_path / "maps"
    r = run("map", str(src), "--lat", "lat", "--lon", "lon", "--group-by", "yr", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".placemap-maps",
        "assets",
        "collection.html",
        "index.html",
        "yr_2016.html",
        "yr_2017.html",
    ]
    assert r.stdout.endswith("(2 resolved mentions on the maps, 0 unresolved)\n")


def test_map_command_geocodes_a_name_column(run, tmp_path: Path) -> None:
    src = tmp_path / "events.csv"
    src.write_text("place\nTadmur\nHoms\nQqqzzzx\n", encoding="utf-8")
    out = tmp_path / "maps"
    r = run("map", str(src), "--name-column", "place", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert "(2 resolved mentions on the maps, 1 unresolved)" in r.stdout
    page = (out / "events.html").read_text(encoding="utf-8")
    assert "Qqqzzzx" in page  # listed as unresolved beside the map


def test_map_command_table_options_need_tables(run, tmp_path: Path) -> None:
    f = tmp_path / "report.txt"
    f.write_text("Shelling in Homs.", encoding="utf-8")
    r = run("map", str(f), "--lat", "lat", "--lon", "lon", "-o", str(tmp_path / "m"))
    assert r.exit_code == 2
    assert "draw .csv or .parquet tables" in r.stderr
    r = run("map", str(f), "--lat", "lat", "-o", str(tmp_path / "m"))
    assert r.exit_code == 2 and "--lat and --lon go together" in r.stderr


def test_a_json_boolean_cell_is_no_name(run, tmp_path: Path) -> None:
    # JSON's true was looked up as "True" (Trets, France, by its spelling)
    src = tmp_path / "t.jsonl"
    src.write_text('{"place": true}\n{"place": false}\n{"place": "Tadmur"}\n', "utf-8")
    out = tmp_path / "out.csv"
    assert run("geocode", src, "--column", "place", "-o", out).exit_code == 0
    rows = pd.read_csv(out)
    assert list(rows["match"][:2]) == ["empty name"] * 2
    assert rows["geonameid"][2] == TADMUR


def test_quiet_geocode_says_nothing_but_errors(run, tmp_path: Path) -> None:
    # -q is "only errors on stderr": the summary and the full-data hint still came
    table = tmp_path / "t.csv"
    table.write_text("place\nHoms\nQqqzzzx\n", "utf-8")
    r = run("-q", "geocode", table, "--column", "place", "-o", tmp_path / "g.csv")
    assert r.exit_code == 0 and r.output == ""
    r = run("geocode", table, "--column", "place", "-o", tmp_path / "g.csv")
    assert "geocoded 2 rows" in r.output


def test_values_json_cannot_hold_are_written_as_their_text() -> None:
    # an Arrow uuid column (pyarrow gives UUID objects) ended `geocode -o x.jsonl` in a
    # traceback (hostile round 5)
    import uuid
    from decimal import Decimal

    from placemap.geocode import _json_default

    assert _json_default(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert _json_default(Decimal("1.50")) == "1.50"


def test_a_parquet_table_of_many_rows_in_a_few_kilobytes_is_refused(tmp_path: Path) -> None:
    # Parquet stores a million rows of one short value in a few kB: 2 million rows of
    # 6.75 kB made a 238 MB table (hostile round 5). Each row counts for ROW_CHARS.
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"place": pa.array(["Homs"] * 300_000).dictionary_encode()}), path)
    assert path.stat().st_size < 5_000
    with pytest.raises(InputError, match=r"rows.parquet: more than [\d,]+ characters of values"):
        read_table(path)


def test_columns_pandas_cannot_take_apart_are_one_line_errors(run, tmp_path: Path) -> None:
    # a list of string views, a list view or a uuid as the names ended in a traceback
    # (hostile round 5); a list of string views elsewhere in the table is read
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = {
        "place": ["Paris", "Berlin"],
        "lsv": pa.array([["a", "b"], ["c"]], pa.list_(pa.string_view())),
        "llv": pa.array([[1], [2, 3]], pa.large_list_view(pa.int32())),
        "uid": pa.array([b"0123456789abcdef"] * 2, pa.uuid()),
    }
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table(table), path)
    r = run("geocode", str(path), "--column", "place", "-o", str(tmp_path / "a.csv"))
    assert r.exit_code == 0, r.output
    for column in ("llv", "uid"):
        r = run("geocode", str(path), "--column", column, "-o", str(tmp_path / "b.csv"))
        assert r.exit_code == 1
        assert f"t.parquet: cannot read names from the column(s) '{column}'" in r.output
        assert "Traceback" not in r.output
