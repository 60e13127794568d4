"""Reading reports: text, Markdown and HTML files, JSON Lines, JSON, CSV and Parquet
collections, folders of them, and standard input.

Each input yields :class:`placemap.records.Report` records, or a :class:`ReadError`
naming the file (and line or row) and the problem, so one bad file never stops the
others. Collections are streamed record by record; only text, HTML and JSON files (and
standard input) are read whole, and those are refused above a size limit.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import math
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from placemap.dates import ReportDate, find_date, parse_date
from placemap.records import Report

__all__ = [
    "ReadError",
    "Fields",
    "read_reports",
    "guess_title_date",
    "decode_text",
    "input_files",
    "TEXT_SUFFIXES",
    "HTML_SUFFIXES",
    "COLLECTION_SUFFIXES",
    "FORMATS",
    "MAX_BYTES",
]

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
DOCUMENT_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
_FORMAT_BY_SUFFIX = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    **{s: "html" for s in HTML_SUFFIXES},
}
COLLECTION_SUFFIXES = frozenset(s for s, f in _FORMAT_BY_SUFFIX.items() if f != "html")
#: Input formats, for ``--input-format``; ``auto`` goes by suffix (and sniffs stdin).
FORMATS = ("auto", "text", "html", "jsonl", "json", "csv", "tsv", "parquet")
#: Files read whole (text, HTML, JSON, standard input) above this size are refused.
MAX_BYTES = 200_000_000
_CSV_FALLBACK = "cp1252"


@dataclass(frozen=True)
class ReadError:
    """An input that could not be read, and why."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


def _is_boilerplate(line: str) -> bool:
    """Menu and icon words that scraping leaves at the top of a page."""
    words = line.split()
    if len(words) < 8:
        return False
    lowercase = sum(w.islower() for w in words) / len(words)
    iconish = sum("icon" in w.lower() for w in words) / len(words)
    has_sentence = bool(re.search(r"[a-z]{3,}[.!?](\s|$)", line))
    return iconish > 0.15 or (lowercase > 0.8 and not has_sentence)


def guess_title_date(text: str, *, day_first: bool = False) -> tuple[str | None, ReportDate | None]:
    """A title and a date from the first lines of a text without metadata.

    The date is the first date in the first five non-empty lines (see
    :func:`placemap.dates.find_date`); the title is the first line of headline shape
    (not boilerplate, not a bare date line, under 200 characters, not ending like a
    sentence fragment).
    """
    # Only the top of the text matters; a collection's texts are often one long line,
    # so lines are cut before any per-character work.
    lines = [ln.strip()[:400] for ln in text[:8000].splitlines() if ln.strip()][:8]
    date = None
    title = None
    for ln in lines[:5]:
        if date is None:
            date = find_date(ln, day_first=day_first)
    for ln in lines:
        if len(ln) > 200 or _is_boilerplate(ln):
            continue
        found = find_date(ln, day_first=day_first)
        letters = sum(c.isalpha() for c in ln.replace(found.raw, "")) if found else 0
        if found and letters < 25:
            continue  # a date line, perhaps with a credit ("date 2017-06-01 © Ruptly")
        if sum(c.isalpha() for c in ln) < 12 or ln.startswith((",", ";", ".")):
            continue
        title = ln
        break
    return title, date


# --- bytes to text ------------------------------------------------------------------

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte is NUL, as in BOM-less UTF-16 text."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _check_text(text: str) -> str:
    """Refuse decoded text that is mostly control characters (binary data)."""
    sample = text[:20_000]
    controls = sum(
        1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v\x1a"
    )
    if controls > max(2, len(sample) // 200):
        raise ValueError("binary or undecodable data, not text")
    return text


def decode_text(data: bytes) -> str:
    """Text from bytes in the encodings news files come in.

    UTF-8 (with or without BOM) and UTF-16 (by its BOM, or by its NUL bytes) are decoded
    strictly; anything else that is not valid UTF-8 is read as Windows-1252, or as
    Latin-1 where it uses a byte Windows-1252 leaves undefined (Latin-1 text without
    bytes 0x80-0x9F reads the same in both). Raises ``ValueError`` for binary data.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _check_text(data[3:].decode("utf-8"))
        except UnicodeDecodeError as err:
            raise ValueError(
                f"starts with a UTF-8 byte-order mark but is not UTF-8 "
                f"(byte 0x{data[err.start + 3]:02x} at offset {err.start + 3})"
            ) from err
    utf16 = "utf-16" if data.startswith(_UTF16_BOMS) else _utf16_without_bom(data[:4096])
    if utf16:
        try:
            return _check_text(data.decode(utf16))
        except UnicodeDecodeError as err:
            raise ValueError(f"undecodable as UTF-16 ({err.reason})") from err
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (NUL bytes), not text")
    try:
        return _check_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        return _check_text(data.decode("cp1252"))
    except UnicodeDecodeError:
        return _check_text(data.decode("latin-1"))


def _sniff_encoding(sample: bytes) -> str:
    """The encoding of a stream judged from its first bytes (for CSV, read streaming)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith(_UTF16_BOMS):
        return "utf-16"
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return utf16
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return _CSV_FALLBACK


def _size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} bytes"  # pragma: no cover - the loop always returns


def _read_whole(fh: BinaryIO, max_bytes: int) -> bytes:
    data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(
            f"larger than the {_size(max_bytes)} limit for files read whole "
            "(raise it with --max-size, or use JSON Lines, CSV or Parquet, which stream)"
        )
    return data


# --- finding the inputs ---------------------------------------------------------------


@dataclass(frozen=True)
class Fields:
    """Which fields of a collection's records hold a report's parts."""

    text: str = "text"
    id: str = "id"
    title: str = "title"
    date: str = "date"
    extra: tuple[str, ...] = ()
    day_first: bool = False
    url: str = "url"


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def input_files(
    paths: Iterable[Path],
    glob: str | None = None,
    *,
    notify: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """The files to read, in order: named files as given, folders searched recursively.

    With ``glob``, a folder gives exactly the files matching it. Without, it gives its
    text, Markdown and HTML reports and its collections (JSON Lines, JSON, CSV,
    Parquet), except that collections lying in the same folder as text or HTML reports
    are taken for annotations of them (such as a ``gold.jsonl``) and skipped, with a
    notice; name such a file, or give ``--glob``, to read it. README files and hidden
    files are skipped too.
    """
    say = notify or log.warning
    for p in paths:
        if str(p) == "-" or not p.is_dir():
            yield p
            continue
        if glob:
            files = sorted(f for f in p.rglob(glob) if f.is_file() and not _hidden(f, p))
            yield from files
            continue
        files = sorted(
            f
            for f in p.rglob("*")
            if f.is_file()
            and not _hidden(f, p)
            and not f.name.upper().startswith("README")
            and f.suffix.lower() in DOCUMENT_SUFFIXES | COLLECTION_SUFFIXES
        )
        with_documents = {f.parent for f in files if f.suffix.lower() in DOCUMENT_SUFFIXES}
        for f in files:
            if f.suffix.lower() in COLLECTION_SUFFIXES and f.parent in with_documents:
                say(
                    f"skipped {f}: a collection beside text reports is taken for their "
                    "annotations (name it, or use --glob, to read it)"
                )
                continue
            yield f


def _format_of(path: Path, forced: str) -> str:
    if forced != "auto":
        return forced
    return _FORMAT_BY_SUFFIX.get(path.suffix.lower(), "text")


def _sniff_format(data: bytes) -> str:
    """The format of standard input, from its first characters."""
    head = data[:4096].lstrip(codecs.BOM_UTF8).lstrip()
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        first = head.split(b"\n", 1)[0].strip()
        return "jsonl" if first.endswith(b"}") else "json"
    if head[:1] == b"<" and re.match(rb"<(!doctype|html|head|body|\?xml|!--)", head, re.I):
        return "html"
    if data.startswith(b"PAR1"):
        return "parquet"
    return "text"


# --- reading --------------------------------------------------------------------------

Item = Report | ReadError | tuple[Report, dict[str, Any]]


def read_reports(
    paths: Iterable[Path],
    *,
    glob: str | None = None,
    text_field: str = "text",
    id_field: str = "id",
    title_field: str = "title",
    date_field: str = "date",
    url_field: str = "url",
    extra_fields: Iterable[str] = (),
    input_format: str = "auto",
    max_bytes: int = MAX_BYTES,
    day_first: bool = False,
    notify: Callable[[str], None] | None = None,
) -> Iterator[Item]:
    """Reports from files, folders and collections, in order (see :func:`input_files`).

    ``-`` reads standard input (its format sniffed unless ``input_format`` says).
    With ``extra_fields``, each report comes as ``(report, {field: value})`` so callers
    can carry fields such as gold spans along. ``url_field`` names the field with the
    report's URL (``url``, else ``link``, by default). ``day_first`` reads slash dates
    ("10/11/2016") day first. ``notify`` receives notices such as a skipped annotation
    file or a date that could not be read (default: a logged warning).
    """
    if input_format not in FORMATS:
        raise ValueError(f"input_format must be one of {', '.join(FORMATS)}")
    fields = Fields(
        text_field, id_field, title_field, date_field, tuple(extra_fields), day_first, url_field
    )
    yield from _flag_dates(
        _read_inputs(paths, glob, fields, input_format, max_bytes, notify), notify or log.warning
    )


def _flag_dates(
    items: Iterable[Item], say: Callable[[str], None], shown: int = 3
) -> Iterator[Item]:
    """Pass items on, naming the first reports whose date could not be read (their
    ``date`` stays empty, the string is kept as ``date_raw``) and counting the rest."""
    unread = 0
    for item in items:
        report = item[0] if isinstance(item, tuple) else item
        if isinstance(report, Report) and report.date is None and report.date_raw:
            unread += 1
            if unread <= shown:
                say(
                    f"{report.source}: date {report.date_raw[:60]!r} is not a date placemap "
                    "can read; kept as date_raw, date left empty"
                )
        yield item
    if unread > shown:
        say(f"{unread - shown} more reports with dates that could not be read (see date_raw)")


def _read_inputs(
    paths: Iterable[Path],
    glob: str | None,
    fields: Fields,
    input_format: str,
    max_bytes: int,
    notify: Callable[[str], None] | None,
) -> Iterator[Item]:
    for path in input_files(paths, glob, notify=notify):
        if str(path) == "-":
            yield from _read_stdin(fields, input_format, max_bytes)
            continue
        if not path.exists():
            yield ReadError(str(path), "no such file or directory")
            continue
        fmt = _format_of(path, input_format)
        try:
            fh = open(path, "rb")
        except OSError as err:
            yield ReadError(str(path), err.strerror or str(err))
            continue
        with fh:
            yield from _read_stream(fh, str(path), path.stem, fmt, fields, max_bytes)


def _read_stdin(fields: Fields, input_format: str, max_bytes: int) -> Iterator[Item]:
    try:
        data = _read_whole(sys.stdin.buffer, max_bytes)
    except ValueError as err:
        yield ReadError("<stdin>", str(err))
        return
    fmt = _sniff_format(data) if input_format == "auto" else input_format
    yield from _read_stream(io.BytesIO(data), "<stdin>", "stdin", fmt, fields, max_bytes)


def _read_stream(
    fh: BinaryIO, name: str, stem: str, fmt: str, fields: Fields, max_bytes: int
) -> Iterator[Item]:
    readers: dict[str, Callable[..., Iterator[Item]]] = {
        "text": _read_document,
        "html": _read_document,
        "jsonl": _read_jsonl,
        "json": _read_json,
        "csv": _read_csv,
        "tsv": _read_csv,
        "parquet": _read_parquet,
    }
    found = False
    try:
        for item in readers[fmt](fh, name, stem, fmt, fields, max_bytes):
            found = True
            yield item
    except OSError as err:
        yield ReadError(name, err.strerror or str(err))
        return
    if not found:
        yield ReadError(name, "no reports in this file")


def _document(text: str, name: str, stem: str, fmt: str, fields: Fields) -> Iterator[Item]:
    language = url = None
    if fmt == "html":
        from placemap.pages import read_page

        try:
            page = read_page(text, day_first=fields.day_first)
        except ValueError as err:
            yield ReadError(name, str(err))
            return
        text, language, url = page.text, page.language, page.url
        g_title, g_date = guess_title_date(text, day_first=fields.day_first)
        title, date = page.title or g_title, page.date or g_date
    else:
        title, date = guess_title_date(text, day_first=fields.day_first)
    if not text.strip():
        yield ReadError(name, "no article text in this page" if fmt == "html" else "empty file")
        return
    report = Report(
        id=stem,
        text=text,
        title=title or stem,
        date=date.iso if date else None,
        date_raw=date.raw if date else None,
        language=language,
        source=name,
        url=url,
    )
    yield (report, {}) if fields.extra else report


def _read_document(
    fh: BinaryIO, name: str, stem: str, fmt: str, fields: Fields, max_bytes: int
) -> Iterator[Item]:
    try:
        data = _read_whole(fh, max_bytes)
        if not data.strip():
            raise ValueError("empty file")
        if fmt == "html" and not data.startswith((codecs.BOM_UTF8, *_UTF16_BOMS)):
            text = _decode_html(data)
        else:
            text = decode_text(data)
    except ValueError as err:
        yield ReadError(name, str(err))
        return
    yield from _document(text, name, stem, fmt, fields)


def _decode_html(data: bytes) -> str:
    """HTML in the charset its ``<meta>`` declares, else as :func:`decode_text` finds."""
    declared = re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", data[:4096], re.I)
    if declared:
        try:
            return _check_text(data.decode(declared[1].decode("ascii")))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _as_id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _record(rec: Mapping[str, Any], where: str, fallback_id: str, fields: Fields) -> Item:
    """A report from one record of a collection, or why it is not one."""
    text = rec.get(fields.text)
    if not isinstance(text, str):
        return ReadError(where, f"no string field {fields.text!r}")
    if not text.strip():
        return ReadError(where, f"empty {fields.text!r}")
    rid = fallback_id if _blank(rec.get(fields.id)) else _as_id(rec[fields.id])
    title, raw_date = rec.get(fields.title), rec.get(fields.date)
    date = None if _blank(raw_date) else parse_date(raw_date, day_first=fields.day_first)
    if _blank(title) or date is None:
        g_title, g_date = guess_title_date(text, day_first=fields.day_first)
        title = g_title if _blank(title) else title
        date = date or g_date
    report = Report(
        id=rid,
        text=text,
        title=str(title) if not _blank(title) else rid,
        date=date.iso if date else None,
        date_raw=date.raw if date else None,
        source=where,
        url=_url(rec, fields.url),
    )
    return (report, {k: rec.get(k) for k in fields.extra}) if fields.extra else report


def _url(rec: Mapping[str, Any], field: str) -> str | None:
    """A record's URL: the field named, or ``link`` when the default ``url`` is absent.
    Only http(s) URLs are kept: a map links to them."""
    value = rec.get(field)
    if _blank(value) and field == "url":
        value = rec.get("link")
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if re.match(r"https?://\S+$", value, re.I) else None


def _records(rows: Iterable[tuple[str, str, Any]], name: str, fields: Fields) -> Iterator[Item]:
    """Reports from ``(where, fallback id, record)``; a collection whose first record
    lacks the text field is one error, not one per record."""
    first = True
    for where, fallback_id, rec in rows:
        if isinstance(rec, ReadError):
            yield rec
            continue
        if first and isinstance(rec, Mapping) and fields.text not in rec:
            yield ReadError(
                name,
                f"no field {fields.text!r} in the first record (fields: "
                f"{', '.join(map(str, list(rec)[:8]))}); choose one with --text-field",
            )
            return
        first = False
        if not isinstance(rec, Mapping):
            yield ReadError(where, "not an object")
            continue
        yield _record(rec, where, fallback_id, fields)


def _read_jsonl(
    fh: BinaryIO, name: str, stem: str, fmt: str, fields: Fields, max_bytes: int
) -> Iterator[Item]:
    def rows() -> Iterator[tuple[str, str, Any]]:
        for lineno, raw in enumerate(fh, 1):
            where = f"{name}, line {lineno}"
            if lineno == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as err:
                yield where, "", ReadError(where, f"not UTF-8 text ({err.reason})")
                continue
            except json.JSONDecodeError as err:
                yield where, "", ReadError(where, f"not valid JSON ({err.msg})")
                continue
            yield f"{name}:{lineno}", f"{stem}-{lineno}", rec

    yield from _records(rows(), name, fields)


def _read_json(
    fh: BinaryIO, name: str, stem: str, fmt: str, fields: Fields, max_bytes: int
) -> Iterator[Item]:
    try:
        data = _read_whole(fh, max_bytes)
        if not data.strip():
            raise ValueError("empty file")
        doc = json.loads(decode_text(data))
    except json.JSONDecodeError as err:
        yield ReadError(name, f"not valid JSON ({err.msg}, line {err.lineno})")
        return
    except ValueError as err:
        yield ReadError(name, str(err))
        return
    if isinstance(doc, dict) and fields.text not in doc:
        # An object holding the list: {"reports": [...]} or {"data": {...}, "items": [...]}
        lists = [v for v in doc.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if not lists:
            yield ReadError(name, f"no field {fields.text!r} and no list of records")
            return
        doc = lists[0]
    records = doc if isinstance(doc, list) else [doc]
    yield from _records(
        ((f"{name}[{i}]", f"{stem}-{i + 1}", rec) for i, rec in enumerate(records)), name, fields
    )


def _read_csv(
    fh: BinaryIO, name: str, stem: str, fmt: str, fields: Fields, max_bytes: int
) -> Iterator[Item]:
    # The standard library's reader, not pandas' chunks: it streams row by row just the
    # same, and a row with the wrong number of fields is named and skipped, where pandas
    # stops the file (or drops the row silently).
    encoding = _sniff_encoding(fh.read(1 << 20))
    fh.seek(0)
    text = io.TextIOWrapper(fh, encoding=encoding, newline="")
    csv.field_size_limit(max(csv.field_size_limit(), min(max_bytes, 2**31 - 1)))
    reader = csv.reader(text, delimiter="\t" if fmt == "tsv" else ",")

    def rows() -> Iterator[tuple[str, str, Any]]:
        header: list[str] | None = None
        n = 0
        try:
            for row in reader:
                if not row or not any(cell.strip() for cell in row):
                    continue
                if header is None:
                    header = [h.strip() for h in row]
                    continue
                n += 1
                where = f"{name}, row {n} (line {reader.line_num})"
                if len(row) != len(header):
                    yield (
                        where,
                        "",
                        ReadError(where, f"{len(row)} fields where the header has {len(header)}"),
                    )
                    continue
                yield f"{name}:{n}", f"{stem}-{n}", dict(zip(header, row, strict=True))
        except UnicodeDecodeError as err:
            where = f"{name}, line {reader.line_num + 1}"
            yield where, "", ReadError(where, f"not {encoding} text ({err.reason}); stopped here")
        except csv.Error as err:
            where = f"{name}, line {reader.line_num}"
            yield where, "", ReadError(where, f"broken CSV ({err}); stopped here")

    try:
        yield from _records(rows(), name, fields)
    finally:
        text.detach()  # the caller closes the file


def _read_parquet(
    fh: BinaryIO, name: str, stem: str, fmt: str, fields: Fields, max_bytes: int
) -> Iterator[Item]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(fh)
    except (pa.ArrowException, OSError) as err:
        yield ReadError(name, f"not a Parquet file ({err})")
        return
    names = pf.schema_arrow.names
    if fields.text not in names:
        yield ReadError(
            name,
            f"no column {fields.text!r} (columns: {', '.join(names[:8])}); "
            "choose one with --text-field",
        )
        return
    wanted = (fields.text, fields.id, fields.title, fields.date, *fields.extra)
    columns = [c for c in dict.fromkeys(wanted) if c in names]

    def rows() -> Iterator[tuple[str, str, Any]]:
        n = 0
        try:
            for batch in pf.iter_batches(batch_size=1024, columns=columns):
                for rec in batch.to_pylist():
                    n += 1
                    yield f"{name}:{n}", f"{stem}-{n}", rec
        except (pa.ArrowException, OSError) as err:
            where = f"{name}, row {n + 1}"
            yield where, "", ReadError(where, f"unreadable Parquet data ({err}); stopped here")

    yield from _records(rows(), name, fields)


# --- counting, for progress -------------------------------------------------------------


def count_reports(
    paths: Iterable[Path], *, glob: str | None = None, input_format: str = "auto"
) -> int | None:
    """About how many reports the inputs hold, for a progress line's time left.

    One per text or HTML file, a line per JSON Lines line, a row per Parquet row (from
    the file's metadata), a line per CSV line (more than the rows when cells hold line
    breaks). None when that cannot be known without reading the reports (JSON files,
    standard input) or a file cannot be opened.
    """
    total = 0
    for path in input_files(paths, glob, notify=lambda _: None):
        fmt = "stdin" if str(path) == "-" else _format_of(path, input_format)
        try:
            if fmt in ("text", "html"):
                total += 1
            elif fmt in ("jsonl", "csv", "tsv"):
                with open(path, "rb") as fh:
                    lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
                total += lines - (fmt != "jsonl")
            elif fmt == "parquet":
                import pyarrow.parquet as pq

                total += pq.ParquetFile(path).metadata.num_rows
            else:
                return None
        except (OSError, ValueError):  # pyarrow's errors are these too
            return None  # the file's error is reported when it is read
    return total
