"""The records that flow between stages: Place (gazetteer row), Mention, Report."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Place", "Candidate", "Mention", "Report", "MENTION_PLACE_FIELDS", "tally", "web_url"]

_WEB = re.compile(r"https?://[^\s/?#]", re.I)
# What a URL cannot hold as it is (RFC 3986): spaces and controls, quotes, angle
# brackets, backslashes and the like; a browser sends them percent-encoded.
_NOT_IN_URL = re.compile(
    "[\\x00-\\x20\\x7f-\\xa0\"'<>\\\\^`{|}"
    "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
)


def web_url(value: Any) -> str | None:
    """A report's URL as maps can link it and outputs can carry it: an http(s) URL with
    the characters a URL cannot hold (a space, a quote, ``<``, a control character)
    percent-encoded as a browser would send them; None for anything else (``javascript:``,
    ``data:``, a relative path, a list)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not _WEB.match(value):
        return None
    return _NOT_IN_URL.sub(lambda mo: "".join(f"%{b:02X}" for b in mo.group().encode()), value)


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry.

    ``geonameid`` is the GeoNames id; curated entries that GeoNames lacks get a
    negative internal id, reported as ``None`` by :attr:`geonames_id`.
    """

    geonameid: int
    name: str
    asciiname: str
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    country_code: str | None
    admin1_code: str | None = None
    admin1_name: str | None = None
    admin2_code: str | None = None
    population: int = 0
    source: str = "geonames"
    names: int = 0  # how many distinct names the gazetteer lists for it (0: unknown)

    @property
    def geonames_id(self) -> int | None:
        return self.geonameid if self.geonameid > 0 else None

    @property
    def kind(self) -> str:
        """Feature class and code, as GeoNames writes them: ``P.PPLC``."""
        return f"{self.feature_class}.{self.feature_code}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "geonameid": self.geonames_id,
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "feature_class": self.feature_class,
            "feature_code": self.feature_code,
            "country_code": self.country_code,
            "admin1": self.admin1_name,
            "population": self.population,
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place that a name could refer to, with how it matched and its score."""

    place: Place
    match: str  # "exact", "alternate", "folded", "transliteration", "fuzzy", ...
    similarity: float  # string similarity of the query to the matched name, 0..1
    score: float = 0.0
    # For an alternate-name match: how many of the place's names are spellings of the
    # query (one transliteration key): "Palmyra" is 7 of Tadmur's names, 1 of Mason, Ohio's.
    spellings: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = self.place.to_dict()
        d["match"] = self.match
        d["score"] = round(self.score, 4)
        return d


#: The fields of :meth:`Place.to_dict` that a mention's :meth:`Mention.to_dict` repeats
#: (None without a place), in their order.
MENTION_PLACE_FIELDS = (
    "geonameid",
    "name",
    "lat",
    "lon",
    "feature_class",
    "feature_code",
    "country_code",
    "admin1",
)
_NO_PLACE = dict.fromkeys(MENTION_PLACE_FIELDS)


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of a report's text that names a place (or may, if unresolved)."""

    start: int
    end: int
    text: str
    place: Place | None
    confidence: float
    candidates: tuple[Candidate, ...] = ()
    reason: str = ""
    kind: str = "toponym"  # "toponym" or "demonym"

    @property
    def resolved(self) -> bool:
        return self.place is not None

    def to_dict(self) -> dict[str, Any]:
        p = self.place
        place = p.to_dict() if p is not None else _NO_PLACE
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "resolved": p is not None,
            **{k: place[k] for k in MENTION_PLACE_FIELDS},
            "confidence": round(self.confidence, 4),
            "kind": self.kind,
            "reason": self.reason,
            "candidates": [c.to_dict() for c in self.candidates],
        }


@dataclass(frozen=True, slots=True)
class Pending:
    """What a reader left for the process that geoparses a report: its title and date
    to be guessed from its text's first lines (``title`` and ``date`` say which, a
    record's fields gave the others), or, with ``page``, the whole of a web page to read
    (its text is the page's HTML). ``day_first`` reads slash dates day first."""

    title: bool
    date: bool
    day_first: bool = False
    page: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    """A report as read from its source, with the mentions found in it.

    ``date`` is ISO 8601 (``2017-08-18``, ``2017-08-18T16:33``) or None; ``date_raw`` is
    the date as the source gave it, kept also when it could not be read (then ``date``
    is None). ``language`` is a web page's declared language (``en``). ``url`` is where
    the report can be read: a record's ``url`` (or ``link``) field, a page's canonical URL.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    mentions: tuple[Mention, ...] = field(default=())
    date_raw: str | None = None
    language: str | None = None
    url: str | None = None
    #: What of the title and date is still to be guessed from the text (see
    #: :func:`placemap.readers.completed`): readers leave it to the process that
    #: geoparses the report, so that with ``--workers`` the reading process does no more
    #: than read.
    pending: Pending | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {**self.head_dict(), "mentions": [m.to_dict() for m in self.mentions]}

    def head_dict(self) -> dict[str, Any]:
        """:meth:`to_dict` but the mentions."""
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "date_raw": self.date_raw,
            "language": self.language,
            "source": self.source,
            "url": self.url,
        }


def tally(mentions: Iterable[Mention]) -> Counter[str]:
    """Mentions by what the summary lines say of them: ``place`` (resolved, demonyms
    apart), ``demonym`` (resolved demonyms) and ``unresolved``."""
    return Counter(
        "unresolved" if m.place is None else "demonym" if m.kind == "demonym" else "place"
        for m in mentions
    )
