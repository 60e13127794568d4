"""Report dates: ISO 8601 from the forms feeds and pages write, the raw string kept,
and nothing made up from strings that are not dates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from placemap.cli import cli
from placemap.dates import ReportDate, find_date, parse_date


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Sept. 3, 2021", "2021-09-03"),
        ("18 Aug, 2017 16:33", "2017-08-18T16:33"),
        ("2016-10-11T08:00:00Z", "2016-10-11T08:00:00Z"),
        ("10/11/2016", "2016-10-11"),
        ("1 June 2017", "2017-06-01"),
        ("Tue, 11 Oct 2016 08:00:00 +0000", "2016-10-11T08:00:00Z"),
        ("Sat, 23 Nov 2019 10:00:00 GMT", "2019-11-23T10:00:00Z"),
        ("2019-11-20T05:52:20-05:00", "2019-11-20T05:52:20-05:00"),
        ("2019-11-19 00:51:04", "2019-11-19T00:51:04"),
        ("October 11, 2016 at 8:00 p.m.", "2016-10-11T20:00"),
        ("3rd of March 2020", "2020-03-03"),
        ("18-Aug-2017", "2017-08-18"),
        ("2016/10/11", "2016-10-11"),
        ("11.10.2016", "2016-10-11"),  # dotted dates are written day first
        ("25/12/2016", "2016-12-25"),  # no month 25: one reading
        ("Updated: Sept. 3, 2021, 4:05 PM", "2021-09-03T16:05"),
    ],
)
def test_dates_as_feeds_and_pages_write_them(raw: str, iso: str) -> None:
    assert parse_date(raw) == ReportDate(iso, raw)


def test_slash_dates_day_first_on_request() -> None:
    assert parse_date("10/11/2016", day_first=True) == ReportDate("2016-11-10", "10/11/2016")
    # Month names leave no doubt either way.
    assert parse_date("Sept. 3, 2021", day_first=True) == ReportDate("2021-09-03", "Sept. 3, 2021")


@pytest.mark.parametrize(
    "raw",
    ["May 2017", "2017", "Tuesday", "31/02/2016", "10/11/16", "0001-01-01T00:00Z", "Mayor 3, 2021"],
)
def test_what_is_not_a_whole_date_stays_raw(raw: str) -> None:
    assert parse_date(raw) == ReportDate(None, raw)


def test_numbers_are_not_dates() -> None:
    assert parse_date(1476172800) == ReportDate(None, "1476172800")
    assert parse_date(float("nan")) is None and parse_date(None) is None and parse_date("") is None
    for line in ("3/4 of the 1200 residents fled", "Road 2016-10 closed", "Casualties: 10 11 2016"):
        assert find_date(line) is None


def test_date_and_timestamp_values() -> None:
    assert parse_date(dt.date(2024, 3, 1)) == ReportDate("2024-03-01", "2024-03-01")
    assert parse_date(pd.Timestamp("2024-03-01")).iso == "2024-03-01"  # type: ignore[union-attr]
    stamp = pd.Timestamp("2024-03-01 10:02", tz="UTC")
    assert parse_date(stamp) == ReportDate("2024-03-01T10:02:00Z", "2024-03-01T10:02:00+00:00")
    assert parse_date(pd.NaT) is None


def test_find_date_keeps_the_date_it_found_as_raw() -> None:
    assert find_date("date 2017-06-01 © Ruptly") == ReportDate("2017-06-01", "2017-06-01")
    assert find_date("KYIV, Nov 5 2023 10:02 (Reuters) -") == ReportDate(
        "2023-11-05T10:02", "Nov 5 2023 10:02"
    )


def test_extract_writes_iso_dates_keeps_raw_ones_and_names_the_unreadable(
    small_index: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PLACEMAP_GAZETTEER", str(small_index))
    dates = ["Sept. 3, 2021", "18 Aug, 2017 16:33", "2016-10-11T08:00:00Z", "10/11/2016"]
    dates += ["1 June 2017", "Tuesday"]
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"id": f"r{i}", "text": "Shelling hit Homs.", "date": d}) + "\n"
            for i, d in enumerate(dates)
        ),
        "utf-8",
    )
    r = CliRunner().invoke(cli, ["extract", str(feed)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(d["date"], d["date_raw"]) for d in docs] == [
        ("2021-09-03", "Sept. 3, 2021"),
        ("2017-08-18T16:33", "18 Aug, 2017 16:33"),
        ("2016-10-11T08:00:00Z", "2016-10-11T08:00:00Z"),
        ("2016-10-11", "10/11/2016"),
        ("2017-06-01", "1 June 2017"),
        (None, "Tuesday"),
    ]
    assert r.stderr == (
        f"placemap: {feed}:6: date 'Tuesday' is not a date placemap can read; kept as "
        "date_raw, date left empty\n"
    )
    r = CliRunner().invoke(cli, ["extract", str(feed), "--day-first"], catch_exceptions=False)
    assert json.loads(r.stdout.splitlines()[3])["date"] == "2016-11-10"


def test_the_collection_map_filters_and_groups_by_the_iso_day(tmp_path: Path) -> None:
    from placemap.mapdata import report_row
    from placemap.readers import read_reports

    feed = tmp_path / "feed.jsonl"
    dates = ["10/11/2016", "10/28/2016 9:15 PM", "2016-10-31T23:00:00Z", "Nov. 1, 2016"]
    feed.write_text(
        "".join(json.dumps({"text": "Shelling hit Homs.", "date": d}) + "\n" for d in dates)
    )
    rows = [report_row(r, "x.html", 0) for r in read_reports([feed])]  # type: ignore[arg-type]
    # [1]: the day the date filter compares; [5]: the month the list groups by.
    assert [(row[1], row[5]) for row in rows] == [
        ("2016-10-11", "2016-10"),
        ("2016-10-28", "2016-10"),
        ("2016-10-31", "2016-10"),
        ("2016-11-01", "2016-11"),
    ]
