"""The output contract's added fields (``resolved``, ``text`` with --with-text), the
summary lines' counts, and the progress line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from placemap.cli.common import progress
from placemap.cli.mapping import _Shown
from placemap.readers import count_reports
from placemap.records import Mention, Place, Report

TEXT = "Troops shelled Homs and the town of Palmyra, Syria, and Qqqqzzzz."


@pytest.fixture()
def report(tmp_path: Path) -> Path:
    path = tmp_path / "r.txt"
    path.write_text(TEXT, "utf-8")
    return path


def test_every_mention_says_whether_it_is_resolved(run, report: Path, tmp_path: Path) -> None:
    (doc,) = [json.loads(x) for x in run("extract", report).stdout.splitlines()]
    got = [(m["text"], m["resolved"], m["geonameid"]) for m in doc["mentions"]]
    assert ("Qqqqzzzz", False, None) in got
    assert ("Palmyra", True, 163808) in got
    assert all(
        resolved == (m["name"] is not None)
        for (_, resolved, _), m in zip(got, doc["mentions"], strict=True)
    )
    assert "text" not in doc  # only with --with-text
    out = tmp_path / "m.parquet"
    assert run("extract", report, "--format", "parquet", "-o", out).exit_code == 0
    table = pq.read_table(out).to_pydict()
    assert dict(zip(table["text"], table["resolved"], strict=True))["Qqqqzzzz"] is False
    assert str(pq.read_schema(out).field("resolved").type) == "bool"


def test_with_text_gives_the_text_the_offsets_point_into(run, report: Path) -> None:
    (doc,) = [json.loads(x) for x in run("extract", report, "--with-text").stdout.splitlines()]
    assert doc["text"] == TEXT
    assert list(doc)[-2:] == ["text", "mentions"]
    for m in doc["mentions"]:
        assert doc["text"][m["start"] : m["end"]] == m["text"]
    r = run("extract", report, "--with-text", "--format", "csv")
    assert r.exit_code == 2
    assert "--with-text adds a field to JSON Lines: use it with --format jsonl" in r.output


def test_extract_summary_says_what_it_counts(run, report: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.jsonl"
    r = run("extract", report, "-o", out)
    (doc,) = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    kinds = [(m["kind"], m["resolved"]) for m in doc["mentions"]]
    places = kinds.count(("toponym", True))
    demonyms = kinds.count(("demonym", True))
    unresolved = sum(not resolved for _, resolved in kinds)
    assert (places, demonyms, unresolved) == (3, 0, 1)
    assert r.stderr == (
        f"placemap: wrote 1 reports to {out}: 3 resolved mentions of places "
        "(demonyms apart: 0), 1 unresolved\n"
    )


def test_map_summary_counts_what_the_maps_draw(run, report: Path, tmp_path: Path) -> None:
    r = run("map", report, "-o", tmp_path / "maps")
    assert r.stdout.endswith("(3 resolved mentions on the maps, 1 unresolved)\n")
    # With demonyms and a confidence floor (built by hand: the test index has no demonyms).
    syria = Place(163843, "Syria", "Syria", 35.0, 38.0, "A", "PCLI", "SY")
    mentions = (
        Mention(0, 6, "Syrian", syria, 0.9, kind="demonym"),
        Mention(7, 12, "Syria", syria, 0.9),
        Mention(13, 18, "Syria", syria, 0.3),
        Mention(19, 23, "Qqqq", None, 0.0),
    )
    reports = [Report("r", "Syrian Syria Syria Qqqq", mentions=mentions)]

    def shown(min_confidence: float, demonyms: bool) -> str:
        counted = _Shown(min_confidence, demonyms)
        for r in reports:
            counted.add(r.mentions)
        return str(counted)

    assert shown(0.5, False) == (
        "1 resolved mentions on the maps at confidence >= 0.5 (1 below it left out), "
        "1 demonyms not drawn, 1 unresolved"
    )
    assert shown(0.0, True) == "3 resolved mentions on the maps, 1 unresolved"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_count_rate_and_time_left_on_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = _Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    items = list(
        progress(iter(range(40)), "geoparsing", output_to_terminal=False, total=lambda: 40)
    )
    assert items == list(range(40))
    # The first state drawn: count of total, [elapsed<time left, rate]; the line is
    # wiped at the end.
    assert screen.getvalue().startswith(
        "\rgeoparsing:   0%|          | 0/40 [00:00<?, ? reports/s]"
    )
    screen = _Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    assert list(progress(range(3), "geoparsing", output_to_terminal=True)) == [0, 1, 2]
    assert screen.getvalue() == ""


def test_count_reports_for_time_left(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Homs.")
    (docs / "b.html").write_text("<p>Homs.</p>")
    coll = tmp_path / "coll"
    coll.mkdir()
    (coll / "c.jsonl").write_text('{"text": "Homs."}\n{"text": "Hama."}\n{"text": "Idlib."}\n')
    (coll / "d.csv").write_text("text\nHoms.\nHama.\n")
    assert count_reports([docs, coll]) == 2 + 3 + 2
    (coll / "e.json").write_text('[{"text": "Homs."}]')
    assert count_reports([coll]) is None


def test_curated_features_carry_their_geonames_ids(default_index: Path, default_gaz) -> None:
    import csv
    from importlib.resources import as_file, files

    from placemap.pipeline import Geoparser

    with as_file(files("placemap._sources").joinpath("features.csv")) as table:
        if table.stat().st_mtime > default_index.stat().st_mtime:
            pytest.skip(
                "the default index predates gazetteer/features.csv: placemap gazetteer build"
            )
        with table.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    with_ids = [r for r in rows if r["geonameid"]]
    assert len({r["geonameid"] for r in with_ids}) == len(with_ids)
    for r in with_ids:  # the row holds its id in the index: no other source took it
        place = default_gaz.place(int(r["geonameid"]))
        assert place is not None and place.name == r["name"], r["name"]
    text = "Shelling near the Dnieper and in Donbas; floods on the Euphrates."
    got = {m.text: (m.resolved, m.place.geonames_id) for m in Geoparser(default_gaz).geoparse(text)}
    assert got["Dnieper"] == (True, 565896) and got["Donbas"] == (True, 709718)
    # GeoNames has the Euphrates, but no source here gives its id: resolved, id null.
    assert got["Euphrates"] == (True, None)
