"""The JSON Lines line of a report, written from cached pieces, is the JSON of its
``to_dict()`` (DESIGN.md's contract), byte for byte."""

from __future__ import annotations

import json

import pytest

from placemap.records import Candidate, Mention, Place, Report
from placemap.writers import _dumps, jsonl_line

HOMS = Place(
    169577, "Homs", "Homs", 34.72682, 36.72339, "P", "PPLA", "SY", "13", "Homs", None, 775404
)
# A name with a control and a bidi override, a division without a first-level name.
ODD = Place(-7, "Odd\u202eville\u0085", "Oddville", -1.5, 2.0, "A", "ADM2", None, None, None, "x")
BARE = Place(1, "Bare", "Bare", 0.0, 0.0, "P", "PPL", "", names=3)


def _expected(report: Report, *, with_text: bool = False) -> str:
    d = report.to_dict()
    d.pop("source")
    if with_text:
        mentions = d.pop("mentions")
        d["text"] = report.text
        d["mentions"] = mentions
    return _dumps(d) + "\n"


def _report(**fields: object) -> Report:
    homs = Candidate(HOMS, "exact", 1.0, 0.81234567)
    odd = Candidate(ODD, "fuzzy", 0.8, 1)  # an int score stays an int
    bare = Candidate(BARE, "alternate", 0.9, float("nan"))
    mentions = (
        Mention(0, 4, "Homs", HOMS, 0.912345, (odd, bare), "country context: SY"),
        Mention(10, 14, "Homs", HOMS, 0.912345, (odd, bare), "country context: SY"),
        Mention(20, 28, "Odd\u2028ish", None, 0.0, (homs,), "below threshold (0.12)"),
        Mention(30, 36, "Syrian", HOMS, 1, (), "demonym \u202e", kind="demonym"),
        Mention(40, 44, "Bare", BARE, 0.5, (), "only candidate"),
    )
    return Report("r\u202e1", "Homs " * 20, mentions=mentions, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("with_text", [False, True])
def test_line_is_the_json_of_the_report(with_text: bool) -> None:
    report = _report(title="T\u0085", date="2017-08-18", source="s", url="https://x.org/")
    for _ in range(2):  # the second time from the cached pieces
        assert jsonl_line(report, with_text=with_text) == _expected(report, with_text=with_text)


def test_line_without_mentions() -> None:
    report = Report("empty", "nothing here", title=None)
    assert jsonl_line(report) == _expected(report)
    assert json.loads(jsonl_line(report))["mentions"] == []


def test_unsafe_characters_stand_escaped() -> None:
    line = jsonl_line(_report())
    assert "\u202e" not in line and "\u0085" not in line and "\u2028" not in line
    doc = json.loads(line)
    assert doc["id"] == "r\u202e1"
    assert doc["mentions"][0]["candidates"][0]["name"] == "Odd\u202eville\u0085"
    assert doc["mentions"][2]["text"] == "Odd\u2028ish"
