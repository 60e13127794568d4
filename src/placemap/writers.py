"""Writing outputs atomically: a temporary file beside the target, renamed on success,
so an interrupted run never leaves a half-written file in place of a good one.

Also the data formats of ``placemap extract``: JSON Lines (one object per report, the
contract in DESIGN.md), CSV and Parquet (one row per mention, :data:`COLUMNS`) and
GeoJSON (one feature per place, with the reports and sentences naming it).
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import signal
import sys
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from placemap.records import MENTION_PLACE_FIELDS, Mention, Place, Report
from placemap.tempfiles import create_locked, file_kind, output_target

__all__ = [
    "atomic_text_writer",
    "atomic_binary_writer",
    "write_text_atomic",
    "COLUMNS",
    "OUTPUT_FORMATS",
    "mention_row",
    "report_head",
    "report_rows",
    "jsonl_line",
    "jsonl_parts",
    "write_jsonl",
    "write_csv",
    "csv_writer",
    "LineEnds",
    "spreadsheet_safe",
    "table_cell_safe",
    "write_parquet",
    "write_geojson",
]

OUTPUT_FORMATS = ("jsonl", "csv", "geojson", "parquet")


_TEXT: dict[str, Any] = {"encoding": "utf-8", "newline": "\n"}


@contextmanager
def _atomic(path: Path, mode: str) -> Iterator[Any]:
    """A file object on a hidden ``.part`` file beside ``path`` that replaces it on
    success and is removed on failure; one left by a killed run is removed by the next
    (see :mod:`placemap.tempfiles`). A failure is raised as it was: closing the file
    (which flushes what was still buffered, and may fail again on a full disk) never
    replaces it."""
    path = output_target(path)  # a link is kept and its target written
    if file_kind(path) in ("a character device", "a named pipe", "a socket"):
        # /dev/null, /dev/stdout, a FIFO: written in place, as a shell redirect would,
        # never replaced by a regular file.
        with open(path, mode, **({} if "b" in mode else _TEXT)) as stream:
            yield stream
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # SIGTERM, SIGINT and SIGHUP wait while the file is made and its removal set up: a
    # signal between the two left the file behind (its handler raises in this thread).
    held = _hold_signals()
    try:
        fd, tmp = create_locked(path, f".{path.name}.", ".part")
    except BaseException:
        _release_signals(held)
        raise
    fh = None
    try:
        _release_signals(held)  # (a signal held meanwhile is handled here)
        if "b" in mode:
            fh = os.fdopen(fd, mode)
        else:
            fh = os.fdopen(fd, mode, **_TEXT)
        yield fh
        fh.flush()
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        if os.name == "posix":  # renamed while still locked: never taken for stale
            os.replace(tmp, path)
        fh.close()
        if os.name != "posix":  # pragma: no cover - Windows renames no open file
            os.replace(tmp, path)
    except BaseException:
        # The failure raised is the first one; closing may fail again on its flush (and
        # closes the descriptor all the same).
        with suppress(OSError):
            if fh is None:
                os.close(fd)
            else:
                fh.close()
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text_writer(path: Path | None) -> Iterator[TextIO]:
    """Yield a text stream that replaces ``path`` on success (stdout when None)."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    with _atomic(path, "w") as fh:
        yield fh


@contextmanager
def atomic_binary_writer(path: Path | None) -> Iterator[BinaryIO]:
    """Yield a binary stream that replaces ``path`` on success (stdout when None)."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with _atomic(path, "wb") as fh:
        yield fh


_HELD_SIGNALS = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}


_Held = tuple[dict[int, Any], list[int]]


def _hold_signals() -> _Held | None:
    """Hold :data:`_HELD_SIGNALS`: their handlers are replaced by one that notes them,
    so that none runs (and raises) until :func:`_release_signals`. (Blocking them with
    ``pthread_sigmask`` held them from this thread only: a signal another thread took
    still ran its handler here at once.) None outside the main thread, where handlers
    cannot be set (and do not run)."""
    if threading.current_thread() is not threading.main_thread():
        return None  # pragma: no cover - a writer in another thread
    pending: list[int] = []

    def note(signum: int, frame: object) -> None:
        pending.append(signum)

    old = {}
    for signum in _HELD_SIGNALS:
        old[signum] = signal.signal(signum, note)
    return old, pending


def _release_signals(held: _Held | None) -> None:
    """Put the handlers :func:`_hold_signals` replaced back, and handle a signal that
    came meanwhile as they would have."""
    if held is None:
        return
    old, pending = held
    for signum, handler in old.items():
        signal.signal(signum, handler)
    for signum in pending:
        handler = old[signum]
        if callable(handler):
            handler(signum, None)
        elif handler == signal.SIG_DFL:
            signal.raise_signal(signum)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_text_writer(path) as fh:
        fh.write(text)


# --- one row per mention ----------------------------------------------------------------

#: Columns of the CSV and Parquet outputs and of :func:`placemap.frames.to_frame`, with
#: their Arrow types: the report's id, title, date and source, then the mention fields of
#: the JSON Lines contract (candidates as a JSON string); columns added later come last.
COLUMNS: dict[str, str] = {
    "report_id": "string",
    "title": "string",
    "date": "string",
    "source": "string",
    "start": "int64",
    "end": "int64",
    "text": "string",
    "geonameid": "int64",
    "name": "string",
    "lat": "float64",
    "lon": "float64",
    "feature_class": "string",
    "feature_code": "string",
    "country_code": "string",
    "admin1": "string",
    "confidence": "float64",
    "kind": "string",
    "reason": "string",
    "candidates": "string",
    "resolved": "bool",
    "date_raw": "string",
}
REPORT_COLUMNS = ("report_id", "title", "date", "source", "date_raw")
MENTION_COLUMNS = tuple(c for c in COLUMNS if c not in REPORT_COLUMNS)


def mention_row(m: Mention) -> dict[str, Any]:
    """A mention's fields as in the JSON Lines output, candidates as a JSON string."""
    d = m.to_dict()
    d["candidates"] = json.dumps(d["candidates"], ensure_ascii=False)
    return {k: d.get(k) for k in MENTION_COLUMNS}


def report_head(report: Report) -> dict[str, Any]:
    """The report's columns of a row (:data:`REPORT_COLUMNS`)."""
    return {
        "report_id": report.id,
        "title": report.title,
        "date": report.date,
        "source": report.source,
        "date_raw": report.date_raw,
    }


def report_rows(report: Report) -> Iterator[dict[str, Any]]:
    """One row per mention of ``report`` (none for a report without mentions)."""
    head = report_head(report)
    for m in report.mentions:
        yield {**head, **mention_row(m)}


# --- the formats ---------------------------------------------------------------------------


# Characters a terminal or a script reads as controls, not text: C1 controls, bidi
# overrides and isolates, line and paragraph separators. In JSON they stand escaped
# ("\u202e"), which every reader decodes to the same string.
_UNSAFE_IN_JSON = re.compile(
    "[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]"
)


def _escape_unsafe(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def _dumps(obj: object, indent: int | None = None) -> str:
    """JSON in UTF-8 as written (Arabic and Cyrillic names readable), with the characters
    of :data:`_UNSAFE_IN_JSON` escaped: a U+202E in a title cannot turn a terminal's line
    around."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    return _UNSAFE_IN_JSON.sub(_escape_unsafe, text) if _UNSAFE_IN_JSON.search(text) else text


def jsonl_parts(report: Report, *, with_text: bool = False) -> Iterator[str]:
    """A report as one line of JSON Lines output (DESIGN.md's contract), newline included,
    in pieces: one per mention, so a report with a million mentions is never one string
    of Python dicts. Mentions chosen alike (a name repeated in the same setting) share
    the encoding of everything but their span. ``with_text`` adds the text the
    mentions' offsets point into."""
    d = report.head_dict()
    d.pop("source", None)
    if with_text:
        d["text"] = report.text
    d["mentions"] = []
    head = _dumps(d)
    if not report.mentions:
        yield head + "\n"
        return
    assert head.endswith("[]}")  # "mentions" is the last field
    yield head[:-2]
    tails: dict[tuple[int, int, str, str, float], str] = {}
    for i, m in enumerate(report.mentions):
        key = (id(m.place), id(m.candidates), m.reason, m.kind, m.confidence)
        tail = tails.get(key)
        if tail is None:
            tail = tails[key] = _mention_tail(m)
        text = _json_string(m.text)
        yield f'{", " if i else ""}{{"start": {m.start}, "end": {m.end}, "text": {text}, {tail}'
    yield "]}\n"


# The JSON of a mention is written from pieces, as json.dumps writes Mention.to_dict()
# (a test holds them equal): the JSON of a place, of names and of reasons recurs in
# report after report.


@lru_cache(maxsize=16_384)
def _json_string(text: str) -> str:
    return _dumps(text)


def _json_number(value: Any) -> str:
    if type(value) is float and math.isfinite(value):
        return float.__repr__(value)  # as json writes a float
    return _dumps(value)


#: How many places' JSON :func:`_place_json` keeps.
PLACE_JSON_CACHE_SIZE = 20_000
_place_jsons: dict[int, tuple[Place, str, str]] = {}
_NO_PLACE_JSON = _dumps(dict.fromkeys(MENTION_PLACE_FIELDS))[1:-1]


def _place_json(place: Place) -> tuple[str, str]:
    """A place's fields as a mention's JSON and as a candidate's write them (inside the
    braces), kept for the places met lately: by identity (with the place), forgotten all
    at once past :data:`PLACE_JSON_CACHE_SIZE`."""
    got = _place_jsons.get(id(place))
    if got is not None and got[0] is place:
        return got[1], got[2]
    if len(_place_jsons) >= PLACE_JSON_CACHE_SIZE:
        _place_jsons.clear()
    d = place.to_dict()
    in_mention = _dumps({k: d[k] for k in MENTION_PLACE_FIELDS})[1:-1]
    in_candidate = _dumps(d)[1:-1]
    _place_jsons[id(place)] = (place, in_mention, in_candidate)
    return in_mention, in_candidate


def _mention_tail(m: Mention) -> str:
    """A mention's JSON after its span: ``"resolved": ...}``."""
    p = m.place
    candidates = ", ".join(
        f'{{{_place_json(c.place)[1]}, "match": {_json_string(c.match)}, '
        f'"score": {_json_number(round(c.score, 4))}}}'
        for c in m.candidates
    )
    return (
        f'"resolved": {"true" if p is not None else "false"}, '
        f"{_place_json(p)[0] if p is not None else _NO_PLACE_JSON}, "
        f'"confidence": {_json_number(round(m.confidence, 4))}, '
        f'"kind": {_json_string(m.kind)}, "reason": {_json_string(m.reason)}, '
        f'"candidates": [{candidates}]}}'
    )


def jsonl_line(report: Report, *, with_text: bool = False) -> str:
    """A report as one line of JSON Lines output (DESIGN.md's contract), newline included;
    ``with_text`` adds the text the mentions' offsets point into."""
    return "".join(jsonl_parts(report, with_text=with_text))


def write_jsonl(reports: Iterable[Report | str], out: TextIO, *, with_text: bool = False) -> int:
    """One JSON object per report; returns the number written. Items may already be
    lines made by :func:`jsonl_line` (as worker processes send them)."""
    n = 0
    for r in reports:
        if isinstance(r, str):
            out.write(r)
        else:
            for part in jsonl_parts(r, with_text=with_text):
                out.write(part)
        n += 1
    return n


#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNS = frozenset(FORMULA_START[:4])


def _formula_like(value: str) -> bool:
    """Whether a cell starts like a formula: with a tab or a CR, or with a sign after any
    white space (a spreadsheet may trim it: " =1+2", "\u3000=1+2") and any invisible
    format characters (a zero-width space, a BOM, a soft hyphen, a bidirectional mark: a
    spreadsheet may drop them), the sign in any form NFKC makes one of (full-width
    "\uff1d1+2", which some locales' spreadsheets read as formulas; small, superscript and
    subscript forms, "\u207c1+1")."""
    if value[:1] in ("\t", "\r"):
        return True
    for c in value:
        if c.isspace() or unicodedata.category(c) == "Cf":
            continue
        return unicodedata.normalize("NFKC", c)[:1] in _SIGNS
    return False


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet shows as text: one that starts like a formula
    (:func:`_formula_like`) gets a ``'`` in front (``=HYPERLINK(...)`` becomes
    ``'=HYPERLINK(...)``). Numbers (negative ones too) and nulls are returned unchanged."""
    if isinstance(value, str) and _formula_like(value):
        return "'" + value
    return value


# A plain number as a table's cell may hold it: "-2.5", "+3", "1e-3" ("-2+3" is none).
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def table_cell_safe(value: Any) -> Any:
    """A cell of a user's table, for CSV placemap writes: :func:`spreadsheet_safe`, but a
    plain number written as text ("-2.5") is left as it is, so that a table's numbers
    read back as numbers."""
    if isinstance(value, str) and _NUMBER_RE.fullmatch(value):
        return value
    return spreadsheet_safe(value)


class LineEnds:
    """A text stream for ``csv.writer`` (or ``DataFrame.to_csv``) given ``"\r\n"`` as line
    terminator, so that it quotes every field holding a CR or a LF (given ``"\n"``, it
    leaves a lone CR bare, and spreadsheets and pandas end the row there); each row's
    terminator is written as ``"\n"``. Both write each row with one call."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, line: str) -> int:
        if line.endswith("\r\n"):
            line = line[:-2] + "\n"
        return self.out.write(line)


def csv_writer(out: TextIO) -> Any:
    """A ``csv.writer`` with ``"\n"`` line ends that quotes fields holding CR or LF."""
    return csv.writer(LineEnds(out), lineterminator="\r\n")


def write_csv(reports: Iterable[Report], out: TextIO) -> int:
    """One row per mention under a header of :data:`COLUMNS`; nulls are empty cells, and
    text cells that would start a spreadsheet formula get a ``'`` in front."""
    w = csv_writer(out)
    w.writerow(COLUMNS)
    n = 0
    for r in reports:
        for row in report_rows(r):
            w.writerow([spreadsheet_safe(row[c]) for c in COLUMNS])
        n += 1
    return n


def arrow_schema() -> Any:
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "bool": pa.bool_(),
    }
    return pa.schema([(name, types[t]) for name, t in COLUMNS.items()])


def write_parquet(reports: Iterable[Report], out: BinaryIO, *, batch_rows: int = 5000) -> int:
    """One row per mention, written in row groups as reports arrive (never all at once)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    n = 0
    rows: list[dict[str, Any]] = []
    with pq.ParquetWriter(out, schema) as writer:
        for r in reports:
            rows.extend(report_rows(r))
            n += 1
            if len(rows) >= batch_rows:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    return n


def _sentence(text: str, starts: list[int], m: Mention, limit: int = 400) -> str:
    i = bisect_right(starts, m.start) - 1
    end = starts[i + 1] if i + 1 < len(starts) else len(text)
    s, e = starts[i], max(end, m.end)
    if e - s > limit:  # a run-on "sentence" (scraped text): keep the part around the name
        s = max(s, m.start - limit // 2)
        e = min(e, m.end + limit // 2)
    return " ".join(text[s:e].split())


def _place_key(p: Place) -> tuple[Any, ...]:
    return (p.geonameid, p.name, p.lat, p.lon)


def geojson_collection(reports: Iterable[Report]) -> tuple[dict[str, Any], int]:
    """An RFC 7946 FeatureCollection: one Point per resolved place, ``[lon, lat]``, with
    the reports and sentences naming it; and the number of reports read."""
    from placemap.mapdata import sentence_starts

    features: dict[tuple[Any, ...], dict[str, Any]] = {}
    n = 0
    for r in reports:
        n += 1
        starts: list[int] | None = None
        for m in r.mentions:
            if m.place is None:
                continue
            starts = starts if starts is not None else sentence_starts(r.text)
            p = m.place
            f = features.get(_place_key(p))
            if f is None:
                f = features[_place_key(p)] = {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(p.lon, 6), round(p.lat, 6)],
                    },
                    "properties": {
                        "geonameid": p.geonames_id,
                        "name": p.name,
                        "feature_class": p.feature_class,
                        "feature_code": p.feature_code,
                        "country_code": p.country_code,
                        "admin1": p.admin1_name,
                        "mention_count": 0,
                        "reports": [],
                    },
                }
            props = f["properties"]
            props["mention_count"] += 1
            if not props["reports"] or props["reports"][-1]["id"] != r.id:
                props["reports"].append(
                    {"id": r.id, "title": r.title, "date": r.date, "mentions": []}
                )
            props["reports"][-1]["mentions"].append(
                {
                    "text": m.text,
                    "start": m.start,
                    "end": m.end,
                    "confidence": round(m.confidence, 4),
                    "sentence": _sentence(r.text, starts, m),
                }
            )
    return {"type": "FeatureCollection", "features": list(features.values())}, n


def write_geojson(reports: Iterable[Report], out: TextIO) -> int:
    """Write :func:`geojson_collection`; places only, so unresolved mentions are left out."""
    collection, n = geojson_collection(reports)
    out.write(_dumps(collection, indent=1))
    out.write("\n")
    return n
