"""Reading reports: text files, folders and JSON Lines collections.

Each input yields :class:`placemap.records.Report` records, or a
:class:`ReadError` naming the file and the problem, so one bad file never stops
the others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from placemap.records import Report

__all__ = ["ReadError", "read_reports", "guess_title_date", "TEXT_SUFFIXES"]

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
COLLECTION_SUFFIXES = frozenset({".jsonl", ".ndjson"})
MAX_BYTES = 50_000_000


@dataclass(frozen=True)
class ReadError:
    """An input that could not be read, and why."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_DATE_PATTERNS = [
    # 2017-06-01
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), lambda m: (m[1], m[2], m[3])),
    # 18 Aug, 2017 16:33 / 18 August 2017
    (
        re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b"),
        lambda m: (m[3], _month(m[2]), m[1]),
    ),
    # August 18, 2017 / Aug. 18 2017
    (
        re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b"),
        lambda m: (m[3], _month(m[1]), m[2]),
    ),
]


def _month(name: str) -> str | None:
    key = name[:3].lower()
    return f"{_MONTHS.index(key) + 1:02d}" if key in _MONTHS else None


def _find_date(line: str) -> str | None:
    for pattern, parts in _DATE_PATTERNS:
        m = pattern.search(line)
        if m:
            y, mo, d = parts(m)
            if mo and 1 <= int(mo) <= 12 and 1 <= int(d) <= 31 and 1900 < int(y) < 2200:
                return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    return None


def _is_boilerplate(line: str) -> bool:
    """Menu and icon words that scraping leaves at the top of a page."""
    words = line.split()
    if len(words) < 8:
        return False
    lowercase = sum(w.islower() for w in words) / len(words)
    iconish = sum("icon" in w.lower() for w in words) / len(words)
    has_sentence = bool(re.search(r"[a-z]{3,}[.!?](\s|$)", line))
    return iconish > 0.15 or (lowercase > 0.8 and not has_sentence)


def guess_title_date(text: str) -> tuple[str | None, str | None]:
    """A title and an ISO date from the first lines of a text without metadata.

    The date is the first date-like string in the first five non-empty lines;
    the title is the first line of headline shape (not boilerplate, not a bare
    date line, under 200 characters, not ending like a sentence fragment).
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:8]
    date = None
    title = None
    for ln in lines[:5]:
        if date is None:
            date = _find_date(ln)
    for ln in lines:
        if _is_boilerplate(ln):
            continue
        stripped = _DATE_PATTERNS[0][0].sub("", ln)
        letters = sum(c.isalpha() for c in stripped)
        if _find_date(ln) and letters < 25:
            continue  # a date line, perhaps with a credit ("date 2017-06-01 © Ruptly")
        if letters < 12 or len(ln) > 200 or ln.startswith((",", ";", ".")):
            continue
        title = ln
        break
    return title, date


def _read_text_file(path: Path) -> str:
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise ValueError(f"file is {len(data) / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("binary file (NUL bytes), not text")
    for enc in ("utf-8-sig", "utf-16"):
        try:
            if enc == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
                continue
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _iter_paths(paths: Iterable[Path], glob: str | None) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            pattern = glob or "*"
            for f in sorted(p.rglob(pattern)):
                if f.name.upper().startswith("README") and not glob:
                    continue  # a folder's own description, not a report
                wanted = glob or f.suffix.lower() in TEXT_SUFFIXES | COLLECTION_SUFFIXES
                if f.is_file() and wanted:
                    yield f
        else:
            yield p


def read_reports(
    paths: Iterable[Path],
    *,
    glob: str | None = None,
    text_field: str = "text",
    id_field: str = "id",
    title_field: str = "title",
    date_field: str = "date",
    extra_fields: Iterable[str] = (),
) -> Iterator[Report | ReadError | tuple[Report, dict]]:
    """Reports from files, folders and JSON Lines collections, in order.

    With ``extra_fields``, each report comes as ``(report, {field: value})`` so
    callers can carry fields such as gold spans along.
    """
    extra = tuple(extra_fields)
    for path in _iter_paths(paths, glob):
        if not path.exists():
            yield ReadError(str(path), "no such file or directory")
            continue
        if path.suffix.lower() in COLLECTION_SUFFIXES:
            yield from _read_jsonl(path, text_field, id_field, title_field, date_field, extra)
            continue
        try:
            text = _read_text_file(path)
        except (OSError, ValueError) as err:
            yield ReadError(str(path), str(err))
            continue
        if not text.strip():
            yield ReadError(str(path), "empty file")
            continue
        title, date = guess_title_date(text)
        report = Report(
            id=path.stem, text=text, title=title or path.stem, date=date, source=str(path)
        )
        yield (report, {}) if extra else report


def _read_jsonl(
    path: Path,
    text_field: str,
    id_field: str,
    title_field: str,
    date_field: str,
    extra: tuple[str, ...],
) -> Iterator[Report | ReadError | tuple[Report, dict]]:
    try:
        fh = open(path, encoding="utf-8-sig")
    except OSError as err:
        yield ReadError(str(path), str(err))
        return
    with fh:
        try:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{path}, line {lineno}"
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as err:
                    yield ReadError(where, f"not valid JSON ({err.msg})")
                    continue
                if not isinstance(rec, dict) or not isinstance(rec.get(text_field), str):
                    yield ReadError(where, f"no string field {text_field!r}")
                    continue
                text = rec[text_field]
                rid = str(rec.get(id_field, f"{path.stem}-{lineno}"))
                title, date = rec.get(title_field), rec.get(date_field)
                if title is None or date is None:
                    g_title, g_date = guess_title_date(text)
                    title = title if title is not None else g_title
                    date = date if date is not None else g_date
                report = Report(
                    id=rid,
                    text=text,
                    title=str(title) if title else rid,
                    date=str(date) if date else None,
                    source=f"{path}:{lineno}",
                )
                yield (report, {k: rec.get(k) for k in extra}) if extra else report
        except UnicodeDecodeError as err:
            yield ReadError(str(path), f"not UTF-8 text ({err.reason})")
