from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

from placemap.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


def test_every_command_has_help_text() -> None:
    for path, cmd in _commands(cli):
        assert cmd.help and len(cmd.help) > 20, path
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage:" in result.output


def test_search_text_and_json(run) -> None:
    r = run("gazetteer", "search", "Palmyra", "--country", "SY")
    assert r.exit_code == 0
    assert r.output.startswith(" 1. Tadmur (Ḩimş, SY) P.PPL geonameid=163808")
    r = run("gazetteer", "search", "Deir Ezzor", "--format", "json")
    rows = json.loads(r.output)
    assert rows[0]["geonameid"] == 170794
    assert set(rows[0]) == {
        "geonameid",
        "name",
        "lat",
        "lon",
        "feature_class",
        "feature_code",
        "country_code",
        "admin1",
        "population",
        "match",
        "score",
    }


def test_search_bad_country_is_a_usage_error(run) -> None:
    r = run("gazetteer", "search", "Homs", "--country", "Syria")
    assert r.exit_code == 2
    assert "Invalid value for --country: an ISO 3166-1 alpha-2 code" in r.output


def test_search_without_result_exits_1(run) -> None:
    r = run("gazetteer", "search", "Qqqqzzzz")
    assert r.exit_code == 1


def test_info_lists_sources_and_classes(run) -> None:
    r = run("gazetteer", "info")
    assert r.exit_code == 0
    assert "geonames_dumps: SY.txt, US.zip, alternateNamesV2.txt" in r.output
    assert "P populated places" in r.output


def test_missing_gazetteer_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite"
    r = CliRunner().invoke(cli, ["gazetteer", "search", "Homs", "--gazetteer", str(missing)])
    assert r.exit_code == 1
    assert (
        f"placemap: error: no gazetteer index at {missing}; build it with: placemap gazetteer build"
        in r.output
    )


def test_build_from_dumps_on_the_command_line(dump_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.sqlite"
    r = CliRunner().invoke(
        cli, ["gazetteer", "build", "--no-default", "--geonames", str(dump_dir), "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "built" in r.output and out.exists()
    r = CliRunner().invoke(cli, ["gazetteer", "build", "--no-default", "-o", str(out)])
    assert r.exit_code == 2 and "--no-default needs --geonames or --download" in r.output


def test_extract_jsonl_contract(run, tmp_path: Path) -> None:
    report = tmp_path / "r1.txt"
    report.write_text("Shelling hit Homs province and the town of Palmyra, Syria.", "utf-8")
    r = run("extract", str(report), "--format", "jsonl")
    assert r.exit_code == 0
    (doc,) = [json.loads(line) for line in r.output.splitlines()]
    assert doc["id"] == "r1"
    ms = doc["mentions"]
    assert [(m["text"], m["geonameid"]) for m in ms] == [
        ("Homs", 169575),
        ("Palmyra", 163808),
        ("Syria", 163843),
    ]
    required = {
        "start",
        "end",
        "text",
        "geonameid",
        "name",
        "lat",
        "lon",
        "feature_class",
        "feature_code",
        "country_code",
        "admin1",
        "confidence",
        "candidates",
    }
    for m in ms:
        assert required <= set(m)
        assert (
            "Shelling hit Homs province and the town of Palmyra, Syria."[m["start"] : m["end"]]
            == m["text"]
        )


def test_extract_spans_field_resolves_given_spans(run, tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    text = "Palmyra is east of Homs."
    corpus.write_text(
        json.dumps(
            {"id": "a", "text": text, "gold": [{"start": 0, "end": 7}, {"start": 19, "end": 23}]}
        )
        + "\n",
        "utf-8",
    )
    r = run("extract", str(corpus), "--spans", "gold")
    assert r.exit_code == 0
    doc = json.loads(r.output)
    assert [(m["start"], m["end"], m["geonameid"]) for m in doc["mentions"]] == [
        (0, 7, 163808),
        (19, 23, 169577),
    ]


def test_bad_input_is_reported_and_the_rest_processed(run, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("News from Homs.", "utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", "utf-8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(cli, ["extract", str(good), str(empty), str(binary), "-o", str(out)])
    assert r.exit_code == 3
    assert f"placemap: error: {empty}: empty file" in r.output
    assert f"placemap: error: {binary}: binary file (NUL bytes), not text" in r.output
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["good"]


def test_map_writes_index_collection_and_report_maps(run, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Fighting near Palmyra in Syria.", "utf-8")
    (tmp_path / "in" / "b.txt").write_text("Markets reopened in Homs.", "utf-8")
    out = tmp_path / "out"
    r = run("map", str(tmp_path / "in"), "-o", str(out))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".placemap-maps",  # a folder of maps: never read as reports
        "a.html",
        "assets",
        "b.html",
        "collection.html",
        "index.html",
    ]
    index = (out / "index.html").read_text()
    assert "href='a.html'" in index and "collection.html" in index
    # Same input, same bytes.
    first = (out / "collection.html").read_bytes()
    run("map", str(tmp_path / "in"), "-o", str(out))
    assert (out / "collection.html").read_bytes() == first


def test_title_and_date_from_a_scraped_page(run, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        "Home News World menu search share icon fbicon twicon yticon vkicon mailicon\n"
        "5 November 2023 10:02\n\nShelling hits towns east of Kharkiv\n\nArtillery struck Izium.",
        "utf-8",
    )
    doc = json.loads(run("extract", str(page)).output)
    assert doc["title"] == "Shelling hits towns east of Kharkiv"
    assert (doc["date"], doc["date_raw"]) == ("2023-11-05T10:02", "5 November 2023 10:02")
    page.write_text("Sept. 3, 2021 – Floods in Homs.\n", "utf-8")
    assert json.loads(run("extract", str(page)).output)["date"] == "2021-09-03"
