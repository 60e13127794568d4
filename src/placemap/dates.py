"""Report dates as ISO 8601, from record fields, text lines and page metadata.

A date is first found by shape (a day, a month by number or name, and a four-digit
year, with a time when one follows), then parsed by ``dateutil``, which knows month
names and abbreviations, AM/PM and UTC offsets and refuses impossible days. Only strings
with that shape are parsed, so numbers and stray words never become dates, and a string
without one stays raw (:attr:`ReportDate.iso` is None), never guessed.

Slash and dash dates ("10/11/2016") are read month first, as in US feeds, unless
``day_first``; dotted dates ("11.10.2016") are day first, the only way they are written.
A date whose first number cannot be a month ("25/12/2016") has one reading and gets it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from typing import Any

from dateutil import parser as dateparser

__all__ = ["ReportDate", "parse_date", "find_date"]


#: How much of a date field :func:`parse_date` searches for a date.
FIELD_CHARS = 200


@dataclass(frozen=True, slots=True)
class ReportDate:
    """A date as given (``raw``) and as ISO 8601 (``iso``: ``YYYY-MM-DD``, with
    ``THH:MM[:SS]`` and the UTC offset when the source gives them), or None when the
    raw value is not a date placemap can read."""

    iso: str | None
    raw: str


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|2[01]\d\d)"
# A time after the date, with AM/PM and a zone dateutil knows without a warning.
_TIME = (
    r"(?P<time>(?:[01]?\d|2[0-3]):[0-5]\d(?P<sec>:[0-5]\d(?:\.\d+)?)?"
    r"(?:\s*[ap]\.?m\.?(?![a-z]))?(?:\s*(?:Z|UTC|GMT|[+-](?:0\d|1[0-4]):?[0-5]\d)(?![\w:]))?)"
)
_AT_TIME = rf"(?:,?\s*(?:at\s+)?{_TIME})?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 2016-10-11, 2016-10-11T08:00:00Z, 2016-10-11 08:00:00+03:00
    (
        "iso",
        re.compile(rf"(?<![\d.-])(?P<date>{_YEAR}-[01]\d-[0-3]\d)(?:[T ]{_TIME})?(?![\d-])", re.I),
    ),
    # 2016/10/11
    ("ymd", re.compile(rf"(?<![\d/.])(?P<date>{_YEAR}/[01]?\d/[0-3]?\d){_AT_TIME}(?![\d/])", re.I)),
    # 10/11/2016, 10-11-2016, 11.10.2016
    (
        "numeric",
        re.compile(
            rf"(?<![\d/.-])(?P<date>[0-3]?\d(?P<sep>[/.-])[0-3]?\d(?P=sep){_YEAR})"
            rf"{_AT_TIME}(?![\d/.-]\d)",
            re.I,
        ),
    ),
    # 18 Aug, 2017 16:33 / 1 June 2017 / 3rd of March 2020 / 18-Aug-2017
    (
        "dmy",
        re.compile(
            rf"(?<![\w-])(?P<date>{_DAY}[\s-]+(?:of\s+)?{_MONTH}[\s,-]*{_YEAR})\b{_AT_TIME}", re.I
        ),
    ),
    # Sept. 3, 2021 / November 20, 2019 13:42 / Oct 11 2016 8:00 pm
    (
        "mdy",
        re.compile(rf"(?<![\w-])(?P<date>{_MONTH}\s*{_DAY},?\s+{_YEAR})\b{_AT_TIME}", re.I),
    ),
]


def _iso(value: datetime, *, with_time: bool, seconds: bool) -> str:
    if not with_time:
        return value.date().isoformat()
    text = value.isoformat(timespec="seconds" if seconds else "minutes")
    return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text


def _parse_match(m: re.Match[str], kind: str, day_first: bool) -> str | None:
    """The ISO form of one match, or None when it is no real day (31 February)."""
    text = m.group("date")
    if kind == "numeric":
        text = text.replace(m.group("sep"), "/")
        day_first = day_first or m.group("sep") == "."
    time = m.group("time")
    if time:
        text += " " + re.sub(r"([ap])\.?m\.?", r"\1m", time, flags=re.I)
    text = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b|\bof\b", "", text, flags=re.I)
    try:
        value = dateparser.parse(
            text, dayfirst=day_first, yearfirst=kind in ("iso", "ymd"), fuzzy=False
        )
    except (ValueError, OverflowError):
        return None
    return _iso(value, with_time=bool(time), seconds=bool(m.group("sec")))


# Every date shape holds a year: text without one is not searched further (most lines).
_HAS_YEAR = re.compile(_YEAR)


def find_date(text: str, *, day_first: bool = False) -> ReportDate | None:
    """The first date in ``text`` (a line, a field), with the matched string as raw."""
    if not _HAS_YEAR.search(text):
        return None
    found: list[tuple[int, str, re.Match[str]]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            found.append((m.start(), kind, m))
    for _, kind, m in sorted(found, key=lambda f: (f[0], -len(f[2].group(0)))):
        iso = _parse_match(m, kind, day_first)
        if iso is not None:
            return ReportDate(iso, m.group(0).strip())
    return None


def parse_date(value: Any, *, day_first: bool = False) -> ReportDate | None:
    """A record's date field as a :class:`ReportDate` (None when blank).

    Date and timestamp values (Parquet, pandas) are written as ISO directly; a
    timestamp at midnight without a zone is taken for a plain date. Strings are
    searched for a date (``"Updated: Sept. 3, 2021"`` gives 2021-09-03); a string
    without one, and any other value (a number), keeps ``iso`` None.
    """
    if value is None or value != value:  # None, NaN, NaT
        return None
    if isinstance(value, datetime):  # pandas Timestamps too
        midnight = value.time() == datetime.min.time() and value.tzinfo is None
        iso = _iso(value, with_time=not midnight, seconds=True)
        return ReportDate(iso, value.isoformat())
    if isinstance(value, Date):
        return ReportDate(value.isoformat(), value.isoformat())
    raw = str(value).strip()
    if not raw or raw.lower() in ("nan", "nat", "none", "null"):
        return None
    if isinstance(value, str):
        # A date field holds a date, with perhaps a word or two ("Updated: ..."): only
        # its start is searched (a field of 8.5 MB of "31 February 2017" took 28 s and
        # 218 MB, every shape parsed in turn).
        found = find_date(raw[:FIELD_CHARS], day_first=day_first)
        if found is not None:
            return ReportDate(found.iso, raw)
    return ReportDate(None, raw)
