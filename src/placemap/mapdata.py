"""The data behind a map page, in a compact form the page's own script draws.

Pages carry facts, not markup: places as rows of a table, each report's places as
rows pointing into it, sentences as plain text with the offsets of the names to
highlight. The browser builds popups from these with ``textContent``, so report text
never becomes markup, and the collection map of 10,000 reports stays small.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from placemap.gazetteer.suggest import FullDataHint
from placemap.records import Mention, Place, Report

__all__ = [
    "LOW_CONFIDENCE",
    "Filters",
    "PlaceTable",
    "report_hits",
    "panel",
    "report_row",
    "sentence_starts",
    "snippets",
    "script_json",
    "suggested_countries",
]

# Choices below this confidence are listed beside a report's map for a second look.
LOW_CONFIDENCE = 0.7

# How much of a long sentence to keep on each side of the name.
FULL_CONTEXT = 300
SHORT_CONTEXT = 60


@dataclass(frozen=True, slots=True)
class Filters:
    """Which mentions a map shows."""

    min_confidence: float = 0.0
    demonyms: bool = False

    def keeps(self, m: Mention) -> bool:
        if m.place is None or m.confidence < self.min_confidence:
            return False
        return self.demonyms or m.kind != "demonym"


@dataclass
class PlaceTable:
    """Places shared by all reports of a page, each stored once: ``rows[i]`` is
    ``[lat, lon, name, kind, country, admin1, geonames_id]``."""

    rows: list[list[Any]] = field(default_factory=list)
    _index: dict[int, int] = field(default_factory=dict)

    def add(self, p: Place) -> int:
        i = self._index.get(p.geonameid)
        if i is None:
            i = self._index[p.geonameid] = len(self.rows)
            self.rows.append(
                [
                    round(p.lat, 4),
                    round(p.lon, 4),
                    p.name,
                    p.kind,
                    p.country_code or "",
                    p.admin1_name or "",
                    p.geonames_id,
                ]
            )
        return i

    def bounds(self) -> list[list[float]] | None:
        """South-west and north-east corners around every place, or None if empty."""
        if not self.rows:
            return None
        lats = [r[0] for r in self.rows]
        lons = [r[1] for r in self.rows]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]


# A sentence ends at . ! or ? before a space and a capital (or a quote), at a new line,
# and where scraped text lost the space ("statement.The"): lower case, full stop, capital.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[^a-z\s])|\n\s*|(?<=[a-z][.!?])(?=[A-Z][a-z])")


def sentence_starts(text: str) -> list[int]:
    """Where each sentence of ``text`` starts (a new line also starts one)."""
    return [0, *(mo.end() for mo in _BOUNDARY.finditer(text))]


def _sentence_of(text: str, starts: list[int], m: Mention) -> tuple[int, int]:
    i = bisect_right(starts, m.start) - 1
    end = starts[i + 1] if i + 1 < len(starts) else len(text)
    return starts[i], max(end, m.end)


def snippets(
    text: str, starts: list[int], mentions: Sequence[Mention], *, context: int, limit: int
) -> list[list[Any]]:
    """The sentences naming the mentions, each once: ``[sentence, s1, e1, s2, e2, ...]``
    with the names at ``sentence[s:e]``; long sentences cut ``context`` characters
    around the names."""
    by_sentence: dict[tuple[int, int], list[Mention]] = {}
    for m in sorted(mentions, key=lambda m: m.start):
        key = _sentence_of(text, starts, m)
        if key in by_sentence or len(by_sentence) < limit:
            by_sentence.setdefault(key, []).append(m)
    return [_snippet(text, s, e, ms, context) for (s, e), ms in by_sentence.items()]


def _snippet(text: str, s: int, e: int, ms: list[Mention], context: int) -> list[Any]:
    lo = max(s, ms[0].start - context)
    hi = min(e, ms[-1].end + context)
    if lo > s:  # cut between words
        space = text.find(" ", lo, ms[0].start)
        lo = space + 1 if space != -1 else lo
    if hi < e:
        space = text.rfind(" ", ms[-1].end, hi)
        hi = space if space != -1 else hi
    head = "…" if lo > s else ""
    tail = "…" if hi < e else ""
    raw = text[lo:hi]
    stripped = raw.lstrip()
    lo += len(raw) - len(stripped)
    out: list[Any] = [head + stripped.rstrip() + tail]
    for m in ms:
        out += [m.start - lo + len(head), m.end - lo + len(head)]
    return out


def report_hits(
    report: Report, places: PlaceTable, filters: Filters, *, full: bool
) -> list[list[Any]]:
    """The report's places, most named first: ``[place, times named, confidence,
    snippets]``. ``full`` keeps every sentence; otherwise the first, cut short."""
    groups: dict[int, list[Mention]] = {}
    for m in report.mentions:
        if filters.keeps(m):
            assert m.place is not None
            groups.setdefault(m.place.geonameid, []).append(m)
    starts = sentence_starts(report.text)
    ordered = sorted(groups.values(), key=lambda ms: (-len(ms), ms[0].start))
    hits = []
    for ms in ordered:
        assert ms[0].place is not None
        snips = snippets(
            report.text,
            starts,
            ms if full else ms[:1],
            context=FULL_CONTEXT if full else SHORT_CONTEXT,
            limit=len(ms) if full else 1,
        )
        conf = round(max(m.confidence for m in ms), 2)
        hits.append([places.add(ms[0].place), len(ms), conf, snips])
    return hits


def suggested_countries(
    report: Report, limit: int = 3, *, hint: FullDataHint | None = None
) -> list[str]:
    """Countries whose full GeoNames data would most likely resolve the report's
    unresolved names: those of the places it names (demonyms aside: "Russian" says
    little about where a village is), else those of the unresolved names' candidates;
    none whose full data the index (``hint``) already holds."""
    counts: Counter[str] = Counter()
    for m in report.mentions:
        if m.place is not None and m.place.country_code and m.kind != "demonym":
            counts[m.place.country_code] += 1
    for m in report.mentions:
        if m.place is None and not counts:
            for c in m.candidates:
                if c.place.country_code and c.place.country_code not in counts:
                    counts[c.place.country_code] = 0
    ranked = [cc for cc, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return (hint or FullDataHint()).wanted(ranked)[:limit]


def _describe(p: Place) -> str:
    """A place in a few words, enough to tell apart places of one name."""
    return f"{p.name} ({', '.join(x for x in (p.kind, p.country_code) if x)})"


def _runner_up(m: Mention) -> str:
    for c in m.candidates:
        if m.place is None or c.place.geonameid != m.place.geonameid:
            return _describe(c.place)
    return ""


def panel(report: Report, filters: Filters, hint: FullDataHint | None = None) -> dict[str, Any]:
    """What the side panel lists: unresolved names with how often they occur, choices
    made with little confidence (and whether the map leaves them out), and which
    countries' full GeoNames data to try, with the command that adds it to the index in
    use (``hint``; without it, the default index)."""
    unresolved = Counter(m.text for m in report.mentions if m.place is None)
    low: dict[tuple[str, int], list[Any]] = {}
    for m in report.mentions:
        if m.place is None or m.confidence >= LOW_CONFIDENCE:
            continue
        if m.kind == "demonym" and not filters.demonyms:
            continue
        key = (m.text, m.place.geonameid)
        if key not in low:
            p = m.place
            hidden = m.confidence < filters.min_confidence
            low[key] = [
                m.text,
                _describe(p),
                round(m.confidence, 2),
                _runner_up(m),
                hidden,
            ]
    suggest = suggested_countries(report, hint=hint) if unresolved else []
    return {
        "unresolved": sorted(([n, c] for n, c in unresolved.items()), key=lambda x: (-x[1], x[0])),
        "low": sorted(low.values(), key=lambda x: (x[2], x[0])),
        "suggest": suggest,
        "suggest_command": (hint or FullDataHint()).command(suggest) if suggest else "",
    }


def _source_group(source: str | None) -> str:
    """The file a report came from, for grouping: JSON Lines records by their file,
    text files by their folder."""
    if not source:
        return "(no source)"
    mo = re.fullmatch(r"(.*):\d+", source)
    if mo:
        return PurePath(mo.group(1)).name
    return PurePath(source).parent.name or source


def report_row(report: Report, href: str, colour: int) -> list[Any]:
    """``[title, date, source, href, colour, date group, source group]`` of one report."""
    date = report.date or ""
    return [
        report.title or report.id,
        date,
        report.source or "",
        href,
        colour,
        date[:7],
        _source_group(report.source),
    ]


_SCRIPT_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, no ``<!--``,
    and no line separators that older JavaScript parsers treat as line ends. These
    characters only occur inside JSON strings, where the escapes mean the same."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_SCRIPT_UNSAFE)
