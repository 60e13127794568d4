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
import errno
import gzip
import io
import json
import logging
import math
import os
import re
import stat
import sys
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import Any, BinaryIO, TypeVar, cast

from placemap.arrowsize import (
    EXPANSION_RATIO,
    ROW_CHARS,
    UnsizedType,
    cell_sizes,
    expansion_limit,
    is_scalar,
    leaf_count,
    string_leaves,
)
from placemap.boilerplate import is_boilerplate
from placemap.dates import ReportDate, find_date, parse_date
from placemap.parquetpages import PageReader
from placemap.records import Pending, Report, web_url

__all__ = [
    "ReadError",
    "Fields",
    "read_reports",
    "completed",
    "guess_title_date",
    "decode_text",
    "input_files",
    "shown",
    "parse_spans",
    "loads_json",
    "check_span",
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
#: An HTML page may be this share of ``--max-size`` (20 MB by default): real article
#: pages are a few MB, and parsing one takes about 40 times its size.
PAGE_SHARE = 10
#: A gzipped text or page may decompress to this many times its size (prose compresses 3
#: to 4 times, HTML up to 10): a 61 kB .txt.gz holding 20 MB of one line repeated took
#: 1.2 GB to geoparse as one report. (Up to GZIP_FLOOR bytes whatever the ratio.)
GZIP_RATIO = 50
GZIP_FLOOR = 100_000
#: Errors named one by one in a file; the rest are counted in one line.
MAX_ERRORS_SHOWN = 5
_CSV_FALLBACK = "cp1252"
# Lone UTF-16 surrogates: JSON escapes such as "\ud800", and the bytes of a file name
# that is not UTF-8 (os.fsdecode's surrogate escapes). No UTF-8 writer can encode them.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class ReadError:
    """An input that could not be read, and why."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


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
    for k, ln in enumerate(lines):
        dateline = _WIRE_DATELINE_RE.match(ln)
        if dateline or (len(ln) > 200 and _PROSE_RE.search(ln) and not is_boilerplate(ln)):
            # The body has begun ("QUITO (Reuters) - ..."): no later line is its title,
            # its lead sentence may be (a wire story without a headline)
            title = _lead_sentence(ln[dateline.end() if dateline else 0 :])
            break
        if not _headline_shaped(ln, day_first):
            continue
        below = lines[k + 1] if k + 1 < len(lines) else ""
        if _KICKER_RE.fullmatch(ln) and _headline_below(below, day_first):
            continue  # "Israel-Hamas war" right above the headline: the topic's label
        title = ln
        break
    return title, date


def _lead_sentence(paragraph: str) -> str | None:
    """The first sentence of a paragraph, if it makes a title (12 letters to 200
    characters)."""
    mo = _PROSE_RE.search(paragraph)
    lead = (paragraph[: mo.end()] if mo else paragraph).strip()
    if 200 < len(lead) or sum(c.isalpha() for c in lead) < 12:
        return None
    return lead


# A wire dateline opening the body: "QUITO (Reuters) -", "KITTERY, Maine (AP) —".
_WIRE_DATELINE_RE = re.compile(
    r"[A-Z][\w.'’/ -]{1,40}(?:, [A-Z][\w. ]{1,30})?(?:,? [A-Z][a-z]{2,8}\.? \d{1,2})? "
    r"\([A-Za-z .]{2,30}\)\s*[-–—]"
)
# A sentence of prose: words, then a full stop and a space or the end.
_PROSE_RE = re.compile(r"[a-z]{2,}[.!?][\"'\u201d)]?(?:\s|$)")


def _headline_shaped(ln: str, day_first: bool) -> bool:
    """Whether a line of the top of a text could be its title: not boilerplate, not a
    date line, under 200 characters, not a fragment of a sentence."""
    if len(ln) > 200 or is_boilerplate(ln):
        return False
    found = find_date(ln, day_first=day_first)
    letters = sum(c.isalpha() for c in ln.replace(found.raw, "")) if found else 0
    if found and letters < 25:
        return False  # a date line, perhaps with a credit ("date 2017-06-01 © Ruptly")
    return sum(c.isalpha() for c in ln) >= 12 and not ln.startswith((",", ";", "."))


def _headline_below(ln: str, day_first: bool) -> bool:
    """Whether the line right below a topic's label reads as its headline: a line of
    headline shape, no sentence and no dateline ("GAZA (Reuters) - ...")."""
    return (
        _headline_shaped(ln, day_first)
        and not ln.endswith((".", "!", "?"))
        and not _DATELINE_DASH_RE.search(ln)
    )


_DATELINE_DASH_RE = re.compile(r"\)\s*[-–—]|\s[-–—]{1,2}\s")
# A news page's label of a running story, set above its headline ("Russia-Ukraine war",
# "Israel-Palestine conflict", "Sudan crisis", "Live updates"): up to four words ending
# in one of these, and no sentence.
_KICKER_RE = re.compile(
    r"(?:[\w'’-]+\s+){0,3}(?:war|wars|conflict|crisis|live|updates|explainer|analysis)",
    re.IGNORECASE,
)


# --- bytes to text ------------------------------------------------------------------

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte is NUL, as in BOM-less UTF-16 text of
    Latin script; or when NULs stand in one byte column only and the sample decodes as
    UTF-16 that way, as in Cyrillic or Arabic text (its letters' high bytes are 0x04 or
    0x06, its spaces' and digits' 0x00)."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    for codec, nuls, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls.count(0) >= 0.05 * len(nuls) and others.count(0) == 0:
            try:
                sample[: len(sample) // 2 * 2].decode(codec)
            except UnicodeDecodeError:
                continue  # (a cut surrogate pair at the sample's end is one too: rare)
            return codec
    return None


def _utf8_with_nuls(sample: bytes) -> bool:
    """Whether a sample that :func:`_utf16_without_bom` reads as UTF-16 is UTF-8 text with
    NULs in it: valid UTF-8 (but for a character cut at its end) of no control character
    besides NUL and white space. In UTF-16 of Cyrillic or Arabic the high bytes 0x04 and
    0x06 are such characters, and in UTF-16 of other scripts bytes from 0x80 up break
    UTF-8. (:func:`decode_text` then reads a stray NUL or two as text, more as binary.)"""
    if sample.count(0) >= 0.2 * len(sample):
        return False  # every other byte NUL: UTF-16 of Latin script
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return not any(
        unicodedata.category(c) == "Cc" and c not in "\0\t\n\r\f\v" for c in text
    )


def _check_text(text: str) -> str:
    """Refuse decoded text that is mostly control characters (binary data)."""
    sample = text[:20_000]
    controls = sum(
        1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v\x1a"
    )
    if controls > max(2, len(sample) // 200):
        raise ValueError("binary or undecodable data, not text")
    return text


def decode_text(data: bytes, name: str = "") -> str:
    """Text from bytes in the encodings news files come in.

    UTF-8 (with or without BOM) and UTF-16 (by its BOM, or by its NUL bytes) are decoded
    strictly; anything else that is not valid UTF-8 is read as Windows-1252, or as
    Latin-1 where it uses a byte Windows-1252 leaves undefined (Latin-1 text without
    bytes 0x80-0x9F reads the same in both). A text that is mostly UTF-8 but for some
    lines (a Windows-1252 line pasted into it, a character cut in two) is read as UTF-8
    but for those lines' rest (see :func:`_utf8_lines`), with a notice naming ``name``
    and the lines. Raises ``ValueError`` for binary data.
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
    if utf16 and utf16 != "utf-16" and _utf8_with_nuls(data[:4096]):
        utf16 = None  # "Fighting in Kyiv\0 and Lviv." read as UTF-16 was CJK, no places
    if utf16:
        try:
            return _check_text(data.decode(utf16))
        except UnicodeDecodeError as err:
            raise ValueError(f"undecodable as UTF-16 ({err.reason})") from err
    head = data[:8192]
    if head.count(0) > max(2, len(head) // 200):  # a stray NUL or two is text's all the same
        raise ValueError("binary file (NUL bytes), not text")
    try:
        return _check_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    mixed = _utf8_lines(data, name)
    if mixed is not None:
        return _check_text(mixed)
    try:
        return _check_text(data.decode("cp1252"))
    except UnicodeDecodeError:
        return _check_text(data.decode("latin-1"))


def _utf8_lines(data: bytes, name: str) -> str | None:
    """The text of ``data``, not valid UTF-8 as a whole, when it is mostly UTF-8 (more
    characters beyond ASCII in valid UTF-8 than broken sequences), with a notice; None
    for a text in an older encoding. A broken line is read from its first broken byte
    on as UTF-8 with U+FFFD for its broken bytes when the line is mostly UTF-8 too (a
    character cut in two), else as Windows-1252 (else Latin-1: a line pasted from an
    older encoding). (One stray byte made a whole Arabic or Cyrillic report in UTF-8
    unreadable: each letter two Windows-1252 characters.)"""
    if not _mostly_utf8(data):
        return None
    lines = _BrokenLines()
    _broken_lines.handler = lines
    try:
        # (One pass: the codec calls the handler at each broken byte, with the same
        # data; cutting the text into lines took ten times its size, and decoding again
        # after each error copied the rest of the text each time.)
        text = data.decode("utf-8", _BROKEN_LINES)
    finally:
        _broken_lines.handler = None
    odd = lines.odd
    shown = ", ".join(map(str, odd[:MAX_ERRORS_SHOWN]))
    more = f" and {len(odd) - MAX_ERRORS_SHOWN:,} more" if len(odd) > MAX_ERRORS_SHOWN else ""
    log.warning(
        "%s, line%s %s%s: not valid UTF-8 like the rest of the text; read as %s",
        name or "a text",
        "s" if len(odd) > 1 else "",
        shown,
        more,
        " or ".join(sorted(lines.fallbacks)),
    )
    return text


class _BrokenLines:
    """The codec error handler of :func:`_utf8_lines` for one text: it reads the rest of
    the line of a broken byte by the line's rule, and notes the line (counted from 1)."""

    def __init__(self) -> None:
        self.odd: list[int] = []
        self.fallbacks: set[str] = set()
        self.pos, self.line = 0, 1  # a position, and the line it is on

    def __call__(self, err: UnicodeError) -> tuple[str, int]:
        assert isinstance(err, UnicodeDecodeError)
        data, bad = err.object, err.start
        self.line += data.count(b"\n", self.pos, bad)
        start = data.rfind(b"\n", 0, bad) + 1
        end = data.find(b"\n", bad) + 1 or len(data)
        self.odd.append(self.line)
        rest = data[bad:end]
        if _mostly_utf8(data[start:end]):
            text = rest.decode("utf-8", "replace")
            self.fallbacks.add("UTF-8 with \ufffd for its broken bytes")
        else:
            try:
                text = rest.decode("cp1252")
                self.fallbacks.add("Windows-1252")
            except UnicodeDecodeError:
                text = rest.decode("latin-1")
                self.fallbacks.add("Latin-1")
        self.line += data.count(b"\n", bad, end)
        self.pos = end
        return text, end


_BROKEN_LINES = "placemap-broken-lines"
_broken_lines = threading.local()
codecs.register_error(_BROKEN_LINES, lambda err: _broken_lines.handler(err))


def _mostly_utf8(data: bytes) -> bool:
    """Whether bytes that are not valid UTF-8 hold more characters beyond ASCII in valid
    UTF-8 than broken sequences (text in Windows-1252 has next to none: "é" alone is
    no UTF-8)."""
    loose = data.decode("utf-8", "replace")
    broken = loose.count("\ufffd") - data.count("\ufffd".encode())
    beyond_ascii = len(loose) - len(loose.encode("ascii", "ignore")) - loose.count("\ufffd")
    return beyond_ascii > broken


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


def _read_whole(fh: BinaryIO, max_bytes: int, kind: str = "files read whole") -> bytes:
    """The whole stream, up to ``max_bytes``: read as it comes, never by asking for
    ``max_bytes`` at once (``--max-size 100GB`` made Python allocate that much for a
    file of 1 kB: a MemoryError)."""
    try:  # a file's size is known: one read of it (and one byte more, if it grew)
        st = os.fstat(fh.fileno())
        step = st.st_size + 1 if stat.S_ISREG(st.st_mode) else 1 << 24
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        step = 1 << 24
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes and (chunk := fh.read(min(step, max_bytes + 1 - size))):
        chunks.append(chunk)
        size += len(chunk)
        step = 1 << 24
    if size > max_bytes:  # before joining the pieces: no copy of what is refused
        raise ValueError(
            f"larger than the {_size(max_bytes)} limit for {kind} "
            "(raise it with --max-size, or use JSON Lines, CSV or Parquet, which stream)"
        )
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


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
    #: Leave a collection's missing titles and dates to be guessed by the process that
    #: geoparses its reports (see :func:`completed`).
    guess_later: bool = False

    @property
    def read(self) -> tuple[str, ...]:
        """The fields placemap reads, each once."""
        wanted = (self.text, self.id, self.title, self.date, self.url, "link", *self.extra)
        return tuple(dict.fromkeys(wanted))

    def twice(self, names: Iterable[str]) -> str | None:
        """Why a table whose columns are ``names`` cannot be read, if it names a field
        placemap reads more than once (which one would be the text?), else None."""
        seen: dict[str, int] = {}
        for n in names:
            seen[n] = seen.get(n, 0) + 1
        dup = next((f for f in self.read if seen.get(f, 0) > 1), None)
        if dup is None:
            return None
        options = {self.text: "text", self.id: "id", self.title: "title", self.date: "date"}
        option = options.get(dup, "url" if dup in (self.url, "link") else None)
        return f"{seen[dup]} columns named {dup!r}: rename one" + (
            f", or choose another column with --{option}-field" if option else ""
        )


def shown(path: str | os.PathLike[str]) -> str:
    """A file name fit to print and to store in an output: the bytes of a name that is
    not UTF-8 (which Python keeps as surrogate escapes) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", os.fspath(path))


def input_files(
    paths: Iterable[Path],
    glob: str | None = None,
    *,
    notify: Callable[[str], None] | None = None,
    exclude: Iterable[Path] = (),
) -> Iterator[Path]:
    """The files to read, in order: named files as given, folders searched recursively.

    With ``glob``, a folder gives exactly the files matching it. Without, it gives its
    text, Markdown and HTML reports and its collections (JSON Lines, JSON, CSV,
    Parquet), except that collections lying in the same folder as text or HTML reports
    are taken for annotations of them (such as a ``gold.jsonl``) and skipped, with a
    notice; name such a file, or give ``--glob``, to read it. An output of ``placemap
    extract`` found in a folder (:func:`written_by_placemap`) is skipped with a notice,
    with or without ``glob``. README files and hidden
    files are skipped too, and so are the ``exclude`` paths found in a folder (the
    output a run writes there: ``output/`` of ``placemap map .``, read back as reports
    on the next run). A link found in a folder is followed only to a file inside that
    folder. Folders that cannot be read are passed to ``notify``.
    """
    say = notify or log.warning
    for item in _inputs(paths, glob, say, exclude):
        if isinstance(item, ReadError):
            say(str(item))
        else:
            yield item[0]


# What a file found in a folder was when the folder was listed: (device, inode).
_Identity = tuple[int, int]


def _inputs(
    paths: Iterable[Path],
    glob: str | None,
    say: Callable[[str], None],
    exclude: Iterable[Path] = (),
) -> Iterator[tuple[Path, _Identity | None] | ReadError]:
    """The files to read with, for those found in a folder, what they were when it was
    listed (see :func:`_walk`); None for a file named as given."""
    excluded = [e.resolve() for e in exclude]
    for p in paths:
        if str(p) == "-" or not p.is_dir():
            yield p, None
            continue
        found, errors = _walk(p, say, excluded)
        yield from errors
        files = sorted(found)
        if glob:
            files = [f for f in files if _matches(f.relative_to(p), glob)]
        else:
            files = [
                f
                for f in files
                if not f.name.upper().startswith("README")
                and plain_suffix(f) in DOCUMENT_SUFFIXES | COLLECTION_SUFFIXES
            ]
        with_documents = {f.parent for f in files if plain_suffix(f) in DOCUMENT_SUFFIXES}
        for f in files:
            if plain_suffix(f) in COLLECTION_SUFFIXES and written_by_placemap(f):
                # (an earlier run's --with-text output was read back: every report twice)
                say(
                    f"skipped {shown(f)}: an output of placemap extract, not reports (name "
                    "it to read it)"
                )
                continue
            if glob:
                yield f, found[f]
                continue
            if plain_suffix(f) in COLLECTION_SUFFIXES and f.parent in with_documents:
                say(
                    f"skipped {shown(f)}: a collection beside text reports is taken for their "
                    "annotations (name it, or use --glob, to read it)"
                )
                continue
            yield f, found[f]


def read_from_folder(folder: Path, path: Path, glob: str | None) -> bool:
    """Whether reading ``folder`` (with ``--glob``) could take the file at ``path`` (or
    the file a link there points to) for an input: under it, in no hidden folder, of a
    name the walk reads (see :func:`_inputs`; a collection beside text reports counts
    too, being their annotations)."""
    try:
        relative = path.resolve().relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return False
    if not relative.parts or any(part.startswith(".") for part in relative.parts):
        return False
    if glob:
        return _matches(relative, glob)
    return not relative.name.upper().startswith("README") and plain_suffix(
        relative
    ) in DOCUMENT_SUFFIXES | COLLECTION_SUFFIXES


#: The most of a file's first line :func:`written_by_placemap` reads.
_SNIFF_BYTES = 1 << 20
#: The first keys of a report of ``placemap extract``'s JSON Lines, and of its mentions.
_OUTPUT_KEYS = ("id", "title", "date", "date_raw", "language", "url")
_OUTPUT_MENTION_KEYS = ("start", "end", "text", "resolved")


def written_by_placemap(path: Path) -> bool:
    """Whether a file is an output of ``placemap extract``, read from its first line (or
    its schema): JSON Lines whose first report has the output's keys in their order and
    mentions of its shape, a CSV or Parquet table of exactly its columns, or its GeoJSON.
    A file it cannot tell (a first line past 1 MB, an annotated corpus with ``id`` and
    ``mentions``) is not."""
    from placemap.writers import COLUMNS

    suffix = plain_suffix(path)
    if suffix not in COLLECTION_SUFFIXES | {".geojson"} or not path.is_file():
        return False  # (a named pipe is never opened: it would wait for a writer)
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names) == list(COLUMNS)
        with path.open("rb") as f:
            first = f.readline(_SNIFF_BYTES)
    except Exception:  # unreadable, or no Parquet: not ours  # noqa: BLE001
        return False
    first = first.removeprefix(codecs.BOM_UTF8).rstrip(b"\r\n")
    if suffix in (".jsonl", ".ndjson"):
        try:
            rec = json.loads(first)
        except ValueError:
            return False
        if not isinstance(rec, dict) or tuple(rec)[: len(_OUTPUT_KEYS)] != _OUTPUT_KEYS:
            return False
        mentions = rec.get("mentions")
        return isinstance(mentions, list) and all(
            isinstance(m, dict) and tuple(m)[: len(_OUTPUT_MENTION_KEYS)] == _OUTPUT_MENTION_KEYS
            for m in mentions
        )
    if suffix in (".csv", ".tsv"):
        return first == ",".join(COLUMNS).encode()
    return suffix in (".json", ".geojson") and first == b"{" and _geojson_head(path)


def _geojson_head(path: Path) -> bool:
    """Whether a file opens as the GeoJSON ``placemap extract`` writes."""
    try:
        with path.open("rb") as f:
            head = f.read(200)
    except OSError:
        return False
    return head.startswith(b'{\n "type": "FeatureCollection",\n "features": [')


def first_report_in(folder: Path) -> Path | None:
    """The first file under ``folder`` that reading the folder would take for a report,
    or None."""
    for found in _inputs([folder], None, lambda _message: None):
        if not isinstance(found, ReadError):
            return found[0]
    return None


#: The file ``placemap map`` leaves in a folder of maps: a folder holding it is never
#: searched for reports (``map reports -o reports/maps`` then ``map reports -o other``
#: read the first run's pages as reports: its index.html became a report).
MAPS_MARKER = ".placemap-maps"


def _walk(
    root: Path, say: Callable[[str], None], excluded: Iterable[Path] = ()
) -> tuple[dict[Path, _Identity], list[ReadError]]:
    """Every entry under ``root`` that is not a folder, with the device and inode of the
    file it is (a link's target's); hidden names and the ``excluded`` paths (resolved)
    left out.

    Links are followed only to files inside ``root`` (a link to ``/etc/passwd`` in a
    folder of reports is not a report), never to folders (those inside are walked
    where they lie). Entries that are not regular files are kept, so that reading
    names them. Folders that cannot be listed are errors, not silently empty. A file
    is read only if it is still the one listed (:func:`_read_inputs`): one swapped for
    a link to ``/etc/passwd`` during the run is not read.
    """
    inside = root.resolve()
    # the excluded paths as they are found from root (links to folders are not walked)
    skipped = {e.relative_to(inside) for e in excluded if e != inside and e.is_relative_to(inside)}
    files: dict[Path, _Identity] = {}
    errors: list[ReadError] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            errors.append(ReadError(shown(folder), f"cannot read this folder ({_reason(err)})"))
            continue
        if any(e.name == MAPS_MARKER for e in entries):
            say(f"skipped {shown(folder)}: maps that placemap wrote, not reports")
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if skipped and path.relative_to(root) in skipped:
                continue
            try:
                if entry.is_symlink():
                    target = path.resolve()
                    kind = "folder" if target.is_dir() else "file"
                    if not target.is_relative_to(inside):
                        say(f"skipped {shown(path)}: a link to a {kind} outside {shown(root)}")
                    elif kind == "file":
                        st = target.stat()
                        files[path] = (st.st_dev, st.st_ino)
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                else:
                    st = entry.stat(follow_symlinks=False)
                    files[path] = (st.st_dev, st.st_ino)
            except (OSError, RuntimeError) as err:  # RuntimeError: a loop of links
                errors.append(ReadError(shown(path), _reason(err)))
    return files, errors


def _matches(relative: PurePath, glob: str) -> bool:
    """Whether a path found under a folder matches ``--glob`` as ``Path.rglob`` would."""
    while glob.startswith("**/"):
        glob = glob[3:]
    return relative.match(glob)


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return "no such file or directory" if err.errno == errno.ENOENT else err.strerror
    return str(err)


_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


def open_regular(path: Path, *, found: bool = False) -> BinaryIO:
    """``path`` opened for reading, refusing anything but a regular file before it can
    block (a FIFO without a writer), stream forever (``/dev/zero``) or act on a device.
    ``found``: the file was found in a folder, not named (the message then suggests no
    standard input)."""
    kind = _KINDS.get(stat.S_IFMT(os.stat(path).st_mode))
    if kind is None:
        nonblocking = getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in cannot block the open
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | nonblocking)
        try:
            kind = _KINDS.get(stat.S_IFMT(os.fstat(fd).st_mode))
            if kind is None:
                if nonblocking:
                    os.set_blocking(fd, True)
                return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    hint = "" if found else "; use - for standard input"
    raise NotRegular(f"not a regular file ({kind}){hint}")


class NotRegular(ValueError):
    pass


def _format_of(path: Path, forced: str) -> str:
    if forced != "auto":
        return forced
    return _FORMAT_BY_SUFFIX.get(plain_suffix(path), "text")


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
    exclude: Iterable[Path] = (),
    guess_later: bool = False,
) -> Iterator[Item]:
    """Reports from files, folders and collections, in order (see :func:`input_files`,
    which leaves out the ``exclude`` paths found in folders).

    ``-`` reads standard input (its format sniffed unless ``input_format`` says).
    With ``extra_fields``, each report comes as ``(report, {field: value})`` so callers
    can carry fields such as gold spans along. ``url_field`` names the field with the
    report's URL (``url``, else ``link``, by default). ``day_first`` reads slash dates
    ("10/11/2016") day first. ``notify`` receives notices such as a skipped annotation
    file or a date that could not be read (default: a logged warning). With
    ``guess_later``, a title or date that a report's text must give is left to
    :func:`completed` (:attr:`~placemap.records.Report.pending`).
    """
    if input_format not in FORMATS:
        raise ValueError(f"input_format must be one of {', '.join(FORMATS)}")
    fields = Fields(
        text_field,
        id_field,
        title_field,
        date_field,
        tuple(extra_fields),
        day_first,
        url_field,
        guess_later,
    )
    say = notify or log.warning
    inputs = _read_inputs(paths, glob, fields, input_format, max_bytes, say, exclude)
    yield from _flag_dates(inputs, say)


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
    say: Callable[[str], None],
    exclude: Iterable[Path] = (),
) -> Iterator[Item]:
    for item in _inputs(paths, glob, say, exclude):
        if isinstance(item, ReadError):
            yield item
            continue
        path, listed = item
        if str(path) == "-":
            yield from _read_stdin(fields, input_format, max_bytes, say)
            continue
        name = shown(path)
        try:
            fh = open_regular(path, found=listed is not None)
        except NotRegular as err:
            yield ReadError(name, str(err))
            continue
        except OSError as err:
            yield ReadError(name, _reason(err))
            continue
        st = os.fstat(fh.fileno())
        if listed is not None and (st.st_dev, st.st_ino) != listed:
            fh.close()
            yield ReadError(
                name, "is no longer the file its folder listed (replaced during the run); skipped"
            )
            continue
        fmt = _format_of(path, input_format)
        stem, stream = path.stem, cast(BinaryIO, fh)
        if _gzipped(path):  # "page.html.gz": read as the page it holds
            stem, stream = PurePath(stem).stem, cast(BinaryIO, gzip.GzipFile(fileobj=fh))
            if fmt in ("text", "html"):  # (read whole: a collection is read record by record)
                stream = cast(BinaryIO, _Bounded(stream, st.st_size))
        with fh, stream:
            yield from _read_stream(stream, name, shown(stem), fmt, fields, max_bytes, say)


class _Bounded:
    """A gzipped text or page, decompressed up to :data:`GZIP_RATIO` times the size of the
    file (or :data:`GZIP_FLOOR` bytes): reading past that is a ``ValueError``, an error of
    the file, as any other that reading it whole meets."""

    def __init__(self, raw: BinaryIO, packed: int) -> None:
        self.raw, self.packed = raw, packed
        self.limit = max(GZIP_FLOOR, GZIP_RATIO * packed)
        self.given = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(self.limit + 1 - self.given if n < 0 else n)
        self.given += len(data)
        if self.given > self.limit:
            raise ValueError(
                f"decompresses to more than {GZIP_RATIO} times its {_size(self.packed)} "
                "(text and pages compress 3 to 10 times): refused as a compression bomb; "
                "decompress it to read it"
            )
        return data

    def __enter__(self) -> _Bounded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.raw.close()


def _gzipped(path: PurePath) -> bool:
    return path.suffix.lower() == ".gz"


def plain_suffix(path: PurePath) -> str:
    """The suffix that says a file's format, in lower case: ``.html`` for ``page.html``
    and for a gzipped ``page.html.gz`` (read as the file it holds)."""
    if _gzipped(path):
        return PurePath(path.stem).suffix.lower()
    return path.suffix.lower()


# --- parts of inputs, for a job over partitions (the Dask engine) ----------------------


@dataclass(frozen=True)
class InputPart:
    """A part of one JSON Lines or Parquet input: bytes ``start`` to ``end`` of JSON Lines
    (cut at line ends) or row groups ``start`` to ``end`` of Parquet, whose first line or
    row is number ``first``. Read by :func:`read_part` as :func:`read_reports` reads the
    whole file: the same reports, ids, sources and errors."""

    path: str
    fmt: str
    start: int
    end: int
    first: int


def split_input(path: Path, blocksize: int, fields: Fields) -> list[InputPart]:
    """The parts of a JSON Lines (``.jsonl``, ``.ndjson``) or Parquet input, of about
    ``blocksize`` bytes each (Parquet: whole row groups). A collection whose first record
    lacks the text field is one part (read, it is one error)."""
    fmt = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "jsonl"
    if fmt == "parquet":
        import pyarrow.parquet as pq

        open_regular(path).close()  # (no FIFO nor device is handed to Arrow)
        meta = pq.ParquetFile(path).metadata
        parts, group, row, size = [], 0, 1, 0
        for k in range(meta.num_row_groups):
            size += meta.row_group(k).total_byte_size
            if size >= blocksize or k == meta.num_row_groups - 1:
                parts.append(InputPart(str(path), fmt, group, k + 1, row))
                row += sum(meta.row_group(g).num_rows for g in range(group, k + 1))
                group, size = k + 1, 0
        return parts or [InputPart(str(path), fmt, 0, 0, 1)]
    with open_regular(path) as fh:
        cuts = _line_cuts(fh, blocksize)
        fh.seek(0)
        for item in _read_jsonl(fh, "", "", fmt, fields, MAX_BYTES):
            if not isinstance(item, ReadError):
                break
            if item.source == "":  # the first record has no text field: one error
                return [InputPart(str(path), fmt, 0, cuts[-1][1], 1)]
    return [InputPart(str(path), fmt, a, b, n) for a, b, n in cuts]


def _line_cuts(fh: BinaryIO, blocksize: int) -> list[tuple[int, int, int]]:
    """(start, end, number of the first line) of parts of a stream of about ``blocksize``
    bytes each, cut after a line end; one pass, counting line ends a megabyte at a time."""
    cuts: list[tuple[int, int, int]] = []
    start, first, seen, pos = 0, 1, 0, 0  # seen: line ends from start to the chunk's i
    while chunk := fh.read(1 << 20):
        i = 0
        while (target := max(start + blocksize - 1 - pos, i)) < len(chunk):
            nl = chunk.find(b"\n", target)
            if nl < 0:
                break
            end = pos + nl + 1
            n = seen + chunk.count(b"\n", i, nl + 1)
            cuts.append((start, end, first))
            start, first, seen, i = end, first + n, 0, nl + 1
        seen += chunk.count(b"\n", i)
        pos += len(chunk)
    if pos > start or not cuts:
        cuts.append((start, pos, first))
    return cuts


def read_part(
    part: InputPart, fields: Fields, max_bytes: int = MAX_BYTES
) -> Iterator[Report | ReadError | tuple[Report, dict[str, Any]]]:
    """The items of one part of an input (see :func:`split_input`), as :func:`read_reports`
    gives them for the whole file (its name as given, as there)."""
    path = Path(part.path)
    name = shown(path)
    reader = _read_parquet if part.fmt == "parquet" else _read_jsonl
    with open_regular(path) as fh:
        for item in reader(fh, name, shown(path.stem), part.fmt, fields, max_bytes, part):
            yield item if isinstance(item, ReadError) else _valid_unicode(item, log.warning)


def _read_stdin(
    fields: Fields, input_format: str, max_bytes: int, say: Callable[[str], None]
) -> Iterator[Item]:
    try:
        data = _read_whole(sys.stdin.buffer, max_bytes)
    except ValueError as err:
        yield ReadError("<stdin>", str(err))
        return
    fmt = _sniff_format(data) if input_format == "auto" else input_format
    yield from _read_stream(io.BytesIO(data), "<stdin>", "stdin", fmt, fields, max_bytes, say)


def _read_stream(
    fh: BinaryIO,
    name: str,
    stem: str,
    fmt: str,
    fields: Fields,
    max_bytes: int,
    say: Callable[[str], None],
) -> Iterator[Item]:
    """The items of one input. Past :data:`MAX_ERRORS_SHOWN` errors (a binary file read
    as JSON Lines has one per line) the rest are counted in one last error."""
    readers: dict[str, Callable[..., Iterator[Item]]] = {
        "text": _read_document,
        "html": _read_document,
        "jsonl": _read_jsonl,
        "json": _read_json,
        "csv": _read_csv,
        "tsv": _read_csv,
        "parquet": _read_parquet,
    }
    found = errors = 0
    try:
        for item in readers[fmt](fh, name, stem, fmt, fields, max_bytes):
            found += 1
            if isinstance(item, ReadError):
                errors += 1
                if errors <= MAX_ERRORS_SHOWN:
                    yield item
                continue
            yield _valid_unicode(item, say)
    except gzip.BadGzipFile:
        yield ReadError(name, "not a gzip file, though named .gz: rename it without .gz")
        return
    except OSError as err:
        yield ReadError(name, _reason(err))
        return
    except (EOFError, zlib.error) as err:  # a gzip file cut short or damaged
        yield ReadError(name, f"damaged or truncated gzip file ({err})")
        return
    if errors > MAX_ERRORS_SHOWN:
        yield ReadError(
            name,
            f"{errors - MAX_ERRORS_SHOWN:,} more errors in this file "
            f"(only the first {MAX_ERRORS_SHOWN} are named)",
        )
    if not found:
        yield ReadError(name, "no reports in this file")


def _valid_unicode(
    item: Report | tuple[Report, dict[str, Any]], say: Callable[[str], None]
) -> Item:
    """The item with lone surrogates in its report's strings replaced by U+FFFD (one
    character for one, so offsets still match), and a notice; no output could encode
    them. (JSON can escape them: ``"\\ud800"``.)"""
    report, extra = item if isinstance(item, tuple) else (item, None)
    bad = {
        key: _SURROGATE.sub("\ufffd", value)
        for key in ("id", "title", "date", "text", "url")
        if isinstance(value := getattr(report, key), str)
        and not value.isascii()
        and _SURROGATE.search(value)
    }
    if not bad:
        return item
    say(
        f"{report.source}: replaced invalid Unicode (lone surrogates) in "
        f"{', '.join(bad)} with U+FFFD"
    )
    report = replace(
        report,
        id=bad.get("id", report.id),
        title=bad.get("title", report.title),
        date=bad.get("date", report.date),
        text=bad.get("text", report.text),
        url=bad.get("url", report.url),
    )
    return report if extra is None else (report, extra)


def _document(text: str, name: str, stem: str, fmt: str, fields: Fields) -> Iterator[Item]:
    language = url = None
    if fmt == "html" and fields.guess_later and not fields.extra:
        # The page is read where it is geoparsed (see :func:`completed`): reading a page
        # costs several times what geoparsing its article does. (Not with extra fields:
        # spans given with a report count in its article's text.)
        page_todo = Pending(True, True, fields.day_first, page=True)
        yield Report(id=stem, text=text, title=stem, source=name, pending=page_todo)
        return
    if fmt == "html":
        from placemap.pages import read_page

        try:
            page = read_page(text, day_first=fields.day_first)
        except ValueError as err:
            yield ReadError(name, str(err))
            return
        text, language, url = page.text, page.language, page.url
        title, date = page.title, page.date
    else:
        title = date = None
    if not text.strip():
        yield ReadError(name, "no article text in this page" if fmt == "html" else "empty file")
        return
    pending = None
    if (not title or not date) and fields.guess_later:
        pending = Pending(not title, not date, fields.day_first)
    elif not title or not date:
        g_title, g_date = guess_title_date(text, day_first=fields.day_first)
        title, date = title or g_title, date or g_date
    report = Report(
        id=stem,
        text=text,
        title=title or stem,
        date=date.iso if date else None,
        date_raw=date.raw if date else None,
        language=language,
        source=name,
        url=url,
        pending=pending,
    )
    yield (report, {}) if fields.extra else report


# Files that are no text but may come named as one (a page saved compressed: .html.gz
# renamed .html).
_PACKED = (
    (b"\x1f\x8b", "gzip-compressed", "name it .gz (page.html.gz) or decompress it"),
    (b"PK\x03\x04", "a zip archive", "decompress it first"),
)


def _read_document(
    fh: BinaryIO, name: str, stem: str, fmt: str, fields: Fields, max_bytes: int
) -> Iterator[Item]:
    try:
        if fmt == "html":
            # (a page is parsed at about 40 times its size: a 6 MB page took 290 MB)
            data = _read_whole(fh, max_bytes // PAGE_SHARE, "HTML pages (a tenth of it)")
        else:
            data = _read_whole(fh, max_bytes)
        if not data.strip():
            raise ValueError("empty file")
        for magic, kind, advice in _PACKED:
            if data.startswith(magic):
                raise ValueError(f"{kind}, not text: {advice}")
        if fmt == "html" and not data.startswith((codecs.BOM_UTF8, *_UTF16_BOMS)):
            text = _decode_html(data, name)
        else:
            text = decode_text(data, name)
    except ValueError as err:
        yield ReadError(name, str(err))
        return
    yield from _document(text, name, stem, fmt, fields)


def _decode_html(data: bytes, name: str = "") -> str:
    """HTML in the charset its ``<meta>`` declares, else as :func:`decode_text` finds."""
    declared = re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", data[:4096], re.I)
    codec = _meta_codec(declared[1].decode("ascii")) if declared else None
    if codec:
        try:
            return _check_text(data.decode(codec))
        except UnicodeDecodeError:
            pass
    return decode_text(data, name)


def _meta_codec(label: str) -> str | None:
    """The codec a browser decodes a page with whose ``<meta>`` names ``label``, by the
    WHATWG Encoding Standard, or None to find it from the bytes. Only web encodings
    count: a page cannot choose one of Python's other codecs (``utf-7`` turns
    ``+ADw-script+AD4-`` into markup, ``unicode_escape`` ``\\u003c`` likewise), and
    UTF-16 named in a ``<meta>``, which the page's own ASCII bytes disprove, is UTF-8,
    as browsers read it (``latin1`` is Windows-1252, as they read it too)."""
    import webencodings

    found = webencodings.lookup(label)
    if found is None or found.name == "replacement":
        return None
    if found.name in ("utf-16be", "utf-16le"):
        return "utf-8"
    if found.name == "x-user-defined":
        return "cp1252"
    return str(found.codec_info.name)


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _as_id(value: Any) -> str:
    """A record's id or title that is not a string, written as the JSON it came from
    (``["x"]``, ``true``), not as Python writes it (``['x']``, ``True``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (bool, list, tuple, dict)) or value is None:
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _record(
    rec: Mapping[str, Any], where: str, fallback_id: str, fields: Fields, at: str | None = None
) -> Item:
    """A report from one record of a collection (its source ``where``), or why it is
    not one (an error at ``at``, by default ``where``)."""
    text = rec.get(fields.text)
    if not isinstance(text, str):
        return ReadError(at or where, f"no string field {fields.text!r}")
    if not text.strip():
        return ReadError(at or where, f"empty {fields.text!r}")
    rid = fallback_id if _blank(rec.get(fields.id)) else _as_id(rec[fields.id])
    title, raw_date = rec.get(fields.title), rec.get(fields.date)
    date = None if _blank(raw_date) else parse_date(raw_date, day_first=fields.day_first)
    pending = None
    if (_blank(title) or date is None) and fields.guess_later:
        pending = Pending(_blank(title), date is None, fields.day_first)
    elif _blank(title) or date is None:
        g_title, g_date = guess_title_date(text, day_first=fields.day_first)
        title = g_title if _blank(title) else title
        date = date or g_date
    report = Report(
        id=rid,
        text=text,
        title=_as_id(title) if not _blank(title) else rid,
        date=date.iso if date else None,
        date_raw=date.raw if date else None,
        source=where,
        url=_url(rec, fields.url),
        pending=pending,
    )
    return (report, {k: rec.get(k) for k in fields.extra}) if fields.extra else report


def completed(report: Report) -> Report:
    """The report as a reader that leaves nothing for later
    (:attr:`~placemap.records.Report.pending`) gives it: a web page read for its article
    text and metadata (:func:`~placemap.pages.read_page`), the title and date its
    source did not give guessed from its text (:func:`guess_title_date`; the title falls
    back to the id).

    Raises ``ValueError`` for a page that cannot be read or has no article text.
    """
    todo = report.pending
    if todo is None:
        return report
    text, language, url = report.text, report.language, report.url
    title: str | None = report.title
    date: ReportDate | None = None
    need_title, need_date = todo.title, todo.date
    if todo.page:
        from placemap.pages import read_page

        page = read_page(text, day_first=todo.day_first)
        if not page.text.strip():
            raise ValueError("no article text in this page")
        text, language, url = page.text, page.language, page.url
        title, date = page.title or report.id, page.date
        need_title, need_date = not page.title, not page.date
    if need_title or need_date:
        g_title, g_date = guess_title_date(text, day_first=todo.day_first)
        if need_title:
            title = report.id if _blank(g_title) else g_title
        if need_date and g_date is not None:
            date = g_date
    return replace(
        report,
        text=text,
        title=title,
        date=date.iso if date else report.date,
        date_raw=date.raw if date else report.date_raw,
        language=language,
        url=url,
        pending=None,
    )


def _url(rec: Mapping[str, Any], field: str) -> str | None:
    """A record's URL: the field named, or ``link`` when the default ``url`` is absent.
    Only http(s) URLs are kept: a map links to them."""
    value = rec.get(field)
    if _blank(value) and field == "url":
        value = rec.get("link")
    return web_url(value)


def _records(
    rows: Iterable[tuple[str, str, Any]],
    name: str,
    fields: Fields,
    first: bool = True,
    unit: str = "line",
) -> Iterator[Item]:
    """Reports from ``(where, fallback id, record)``; a collection whose first record
    lacks the text field is one error, not one per record (``first=False``: the rows
    are a later part of a collection, see :func:`split_input`). A record's source
    ``FILE:N`` is named ``FILE, UNIT N`` in its errors, as other errors of the file are."""
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
        n = where[len(name) + 1 :] if where.startswith(f"{name}:") else ""
        at = f"{name}, {unit} {n}" if n.isdigit() else where
        if not isinstance(rec, Mapping):
            yield ReadError(at, "not an object")
            continue
        yield _record(rec, where, fallback_id, fields, at)


def _read_jsonl(
    fh: BinaryIO,
    name: str,
    stem: str,
    fmt: str,
    fields: Fields,
    max_bytes: int,
    part: InputPart | None = None,
) -> Iterator[Item]:
    if part is not None:
        fh.seek(part.start)

    def rows() -> Iterator[tuple[str, str, Any]]:
        # The lines the file held when it was opened: one that another program goes on
        # appending to is no endless input (it was read as "tail -f" reads).
        lines = _bounded_lines(fh, max_bytes, end=_size_when_opened(fh))
        if part is not None:
            lines = _bounded_lines(fh, max_bytes, part.first - 1, part.end)
        for lineno, raw in lines:
            where = f"{name}, line {lineno}"
            if raw is None:
                yield where, "", ReadError(where, _too_long(max_bytes))
                continue
            if lineno == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            try:
                rec = loads_json(raw.decode("utf-8"))
            except UnicodeDecodeError as err:
                yield where, "", ReadError(where, f"not UTF-8 text ({err.reason})")
                continue
            except json.JSONDecodeError as err:
                yield where, "", ReadError(where, f"not valid JSON ({err.msg})")
                continue
            except ValueError as err:
                yield where, "", ReadError(where, str(err))
                continue
            yield f"{name}:{lineno}", f"{stem}-{lineno}", rec

    yield from _records(rows(), name, fields, first=part is None or part.first == 1)


def _size_when_opened(fh: BinaryIO) -> int | None:
    """The size of a regular file now (None for a pipe, or a stream with no file)."""
    try:
        st = os.fstat(fh.fileno())
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _too_long(max_bytes: int) -> str:
    return f"a line longer than the {_size(max_bytes)} limit (raise it with --max-size)"


def _bounded_lines(
    fh: BinaryIO, max_bytes: int, lineno: int = 0, end: int | None = None
) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) of a binary stream; None for a line longer than ``max_bytes``,
    which is read past in pieces and never held whole (a file of one endless line).
    Numbered from ``lineno + 1``; with ``end``, the lines that start before that offset."""
    while (end is None or fh.tell() < end) and (line := fh.readline(max_bytes + 1)):
        lineno += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield lineno, None
        else:
            yield lineno, line


def _read_json(
    fh: BinaryIO, name: str, stem: str, fmt: str, fields: Fields, max_bytes: int
) -> Iterator[Item]:
    try:
        data = _read_whole(fh, max_bytes)
        if not data.strip():
            raise ValueError("empty file")
        text = decode_text(data, name)
        del data
        if text.lstrip().startswith("["):
            # A list of records is parsed one record at a time: parsed whole, 120 MB of
            # "[{},{},...]" took 3 GB before its first record was found to lack the text.
            yield from _records(_listed_records(text, name, stem), name, fields)
            return
        lists = _object_lists(text, fields.text) if text.lstrip().startswith("{") else None
        if lists is not None:
            # An object holding the lists: {"reports": [...]} or {"data": {...}, "items":
            # [...]}, read one record at a time too. Every list of records that have the
            # text field is read ("a": [...], "b": [...]); when none has it, every list of
            # objects, and each record says what it lacks.
            of_records = {k: at for k, (at, first) in lists.items() if isinstance(first, dict)}
            if not of_records:
                yield ReadError(name, f"no field {fields.text!r} and no list of records")
                return
            with_text = {
                k: at for k, at in of_records.items() if fields.text in lists[k][1]
            }
            chosen = with_text or of_records
            sized = _raw_values(text, 0) > MAX_JSON_VALUES
            if len(chosen) == 1:
                yield from _records(
                    _listed_records(
                        text, name, stem, at=next(iter(chosen.values())), sized=sized
                    ),
                    name,
                    fields,
                )
                return
            yield from _records(
                (
                    record
                    for k, at in chosen.items()
                    for record in _listed_records(
                        text, name, f"{stem}-{k}", at=at, where=f"{name}[{k!r}]", sized=sized
                    )
                ),
                name,
                fields,
            )
            return
        doc = loads_json(text)
    except json.JSONDecodeError as err:
        yield ReadError(name, f"not valid JSON ({err.msg}, line {err.lineno})")
        return
    except ValueError as err:
        yield ReadError(name, str(err))
        return
    records = doc if isinstance(doc, list) else [doc]
    yield from _records(
        ((f"{name}[{i}]", f"{stem}-{i + 1}", rec) for i, rec in enumerate(records)), name, fields
    )


_JSON_SPACE_RE = re.compile(r"[ \t\n\r]*")


def _listed_records(
    text: str,
    name: str,
    stem: str,
    *,
    at: int | None = None,
    where: str | None = None,
    sized: bool | None = None,
) -> Iterator[tuple[str, str, Any]]:
    """(where, fallback id, record) of a JSON text that is a list, or of the list at ``at``
    of it (``where`` names it, the file's ``name`` by default), parsed one record at a
    time; a fault of the JSON ends the list with a :class:`ReadError` record."""
    within = at is not None
    where = where or name

    def fault(at: int, what: str) -> tuple[str, str, Any]:
        line = text.count("\n", 0, at) + 1
        return name, "", ReadError(name, f"not valid JSON ({what}, line {line})")

    pos = _after_space(text, (at if at is not None else text.index("[")) + 1)
    i = 0
    # Records are sized before they are parsed only when the list could hold a record
    # too large (see :data:`MAX_JSON_VALUES`; ``sized`` says so for a text of many lists,
    # counted once: counted from each list to the text's end, 80,000 lists took minutes).
    if sized is None:
        sized = _raw_values(text, pos) > MAX_JSON_VALUES
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            if sized and text.startswith(("{", "["), pos) and _json_extent(text, pos)[1]:
                # (skipped to its end, uncounted: the records after it are read)
                here = f"{where}[{i}]"
                yield here, "", ReadError(here, f"{_too_many_values()}; skipped")
                pos = _json_extent(text, pos, None)[0]
            else:
                try:
                    rec, pos = _json_at(text, pos)
                except json.JSONDecodeError as err:
                    yield fault(err.pos, err.msg)
                    return
                except ValueError as err:
                    yield name, "", ReadError(name, str(err))
                    return
                yield f"{where}[{i}]", f"{stem}-{i + 1}", rec
            i += 1
            pos = _after_space(text, pos)
            if text.startswith(",", pos):
                pos = _after_space(text, pos + 1)
                continue
            if text.startswith("]", pos):
                pos += 1
                break
            yield fault(pos, "Expecting ',' delimiter")
            return
    if not within and text[pos:].strip():
        yield fault(pos, "Extra data")


def _object_lists(text: str, text_field: str) -> dict[str, tuple[int, Any]] | None:
    """For a JSON text that is an object: where each of its lists starts and the list's
    first value (None for an empty list), read one value at a time and not kept, so that
    its lists can be read record by record; None when the object has ``text_field`` (it
    is one record). A fault of the JSON raises ``json.JSONDecodeError`` (or a
    ``ValueError``, see :func:`loads_json`), as parsing it whole would."""
    lists: dict[str, tuple[int, Any]] = {}
    pos = _after_space(text, text.index("{") + 1)
    if text.startswith("}", pos):
        pos += 1
    else:
        while True:
            key, pos = _json_at(text, pos) if text.startswith('"', pos) else (None, pos)
            if not isinstance(key, str):
                raise json.JSONDecodeError(
                    "Expecting property name enclosed in double quotes", text, pos
                )
            pos = _after_space(text, pos)
            if not text.startswith(":", pos):
                raise json.JSONDecodeError("Expecting ':' delimiter", text, pos)
            pos = _after_space(text, pos + 1)
            if key == text_field:
                return None
            start = pos
            first, pos = _skipped(text, pos)
            if text.startswith("[", start):
                lists[key] = (start, first)
            else:
                lists.pop(key, None)  # (a later value of a key is the key's value)
            pos = _after_space(text, pos)
            if text.startswith(",", pos):
                pos = _after_space(text, pos + 1)
                continue
            if text.startswith("}", pos):
                pos += 1
                break
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
    if text[pos:].strip():
        raise json.JSONDecodeError("Extra data", text, pos)
    return lists


def _skipped(text: str, pos: int) -> tuple[Any, int]:
    """Where the JSON value at ``pos`` ends, found without parsing it: brackets are
    counted outside strings (one of 40 million empty objects took 3 GB parsed whole). For
    a list, its first value comes back too (None when it is empty). The values skipped are
    not checked: only the lists read are parsed, record by record."""
    if not text.startswith(("[", "{"), pos):
        return None, _json_at(text, pos)[1]
    first = None
    if text.startswith("[", pos):
        inner = _after_space(text, pos + 1)
        if text.startswith(("{", "["), inner) and _json_extent(text, inner)[1]:
            raise ValueError(_too_many_values())
        if not text.startswith("]", inner):
            first, _ = _json_at(text, inner)
    depth = 0
    for m in _JSON_BRACKETS_RE.finditer(text, pos):
        c = m.group()
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return first, m.end()
    raise json.JSONDecodeError("Expecting ',' delimiter", text, len(text))


# A JSON string (skipped whole) or a bracket. A string never closed runs to the text's
# end, in one match (tried again from each of its quotes, 160 kB took 126 s).
_JSON_BRACKETS_RE = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|[\[\]{}]')


def _after_space(text: str, pos: int) -> int:
    """Where the JSON white space at ``pos`` of ``text`` ends."""
    m = _JSON_SPACE_RE.match(text, pos)
    return m.end() if m else pos


def _json_at(text: str, pos: int) -> tuple[Any, int]:
    """The JSON value at ``pos`` of ``text`` and where it ends, read as
    :func:`loads_json` reads a whole text."""
    return _decoded(lambda decoder: decoder.raw_decode(text, pos))


def _read_csv(
    fh: BinaryIO, name: str, stem: str, fmt: str, fields: Fields, max_bytes: int
) -> Iterator[Item]:
    # The standard library's reader, not pandas' chunks: it streams row by row just the
    # same, and a row with the wrong number of fields is named and skipped, where pandas
    # stops the file (or drops the row silently). It runs strict, so that a quote that is
    # never closed is found (it would swallow the rest of the file into one cell); the
    # reading then starts again on the line after the one that opened it.
    encoding = _sniff_encoding(fh.read(1 << 20))
    fh.seek(0)
    csv.field_size_limit(max(csv.field_size_limit(), min(max_bytes, 2**31 - 1)))
    delimiter = "\t" if fmt == "tsv" else ","
    text: io.TextIOWrapper | None = None
    lines: _ByteLines | _BoundedTextLines
    if encoding.startswith("utf-16"):  # lines cannot be cut as bytes
        text = io.TextIOWrapper(fh, encoding=encoding, newline="")
        lines = _BoundedTextLines(text, max_bytes)
    else:
        lines = _ByteLines(fh, encoding, max_bytes, name)

    def rows() -> Iterator[tuple[str, str, Any]]:
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        header: list[str] | None = None
        n = restarts = 0
        while True:
            first = lines.lineno + 1  # the line the next record starts on
            if isinstance(lines, _ByteLines):
                lines.mark()
            try:
                row = next(reader)
            except StopIteration:
                return
            except _LineTooLong:
                where = f"{name}, line {lines.lineno}"
                yield where, "", ReadError(where, _too_long(max_bytes))
                continue
            except UnicodeDecodeError as err:
                where = f"{name}, line {lines.lineno + 1}"
                yield (
                    where,
                    "",
                    ReadError(where, f"not {encoding} text ({err.reason}); stopped here"),
                )
                return
            except csv.Error as err:
                where = f"{name}, line {first}"
                if isinstance(lines, _ByteLines) and "unexpected end of data" in str(err):
                    restarts += 1
                    if restarts > _QUOTE_RESTARTS:
                        # Each restart read to the end of the file: a file of such lines
                        # took time as the square of its length.
                        stop = (
                            f"a quote opened here is never closed, the {restarts}th in this "
                            "file; stopped here"
                        )
                        yield where, "", ReadError(where, stop)
                        return
                    yield where, "", ReadError(where, "a quote opened here is never closed")
                    lines.restart_at(first + 1)
                    reader = csv.reader(lines, delimiter=delimiter, strict=True)
                    continue
                if isinstance(lines, _ByteLines):
                    yield where, "", ReadError(where, f"broken CSV row ({err})")
                    continue
                yield where, "", ReadError(where, f"broken CSV ({err}); stopped here")
                return
            if not row or not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [h.strip() for h in row]
                if why := fields.twice(header) or _mention_table(header, fields):
                    yield name, "", ReadError(name, why)
                    return
                continue
            n += 1
            where = f"{name}, row {n} (line {first})"
            if len(row) != len(header):
                yield (
                    where,
                    "",
                    ReadError(where, f"{len(row)} fields where the header has {len(header)}"),
                )
                continue
            yield f"{name}:{n}", f"{stem}-{n}", dict(zip(header, row, strict=True))

    try:
        yield from _records(rows(), name, fields, unit="row")
    finally:
        if text is not None:
            text.detach()  # the caller closes the file


# Quotes never closed that a CSV file may hold: the reading starts again on the line
# after each (reading to the end of the file once more); past this many it stops.
_QUOTE_RESTARTS = 10


class _LineTooLong(Exception):
    pass


class _ByteLines:
    """The lines of a binary stream for ``csv.reader``, each decoded on its own and at
    most ``limit`` bytes (a longer one is read past in pieces, never held whole, and
    raises :class:`_LineTooLong`). A line that is not in the file's encoding (a
    Windows-1252 line in a UTF-8 file) is read as Windows-1252, else Latin-1, with a
    notice: one stray byte costs no row. The starts of the first two lines since the
    last :meth:`mark` are kept, so that the reading can start again on the second
    (:meth:`restart_at`; all of them were kept: a quote never closed followed by 20
    million line ends took 900 MB)."""

    def __init__(self, fh: BinaryIO, encoding: str, limit: int, name: str) -> None:
        self.fh = fh
        self.encoding = encoding
        self.limit = limit
        self.name = name
        self.lineno = 0
        self.base = 1  # the line whose start is starts[0]
        # The bytes after a lone CR in the last piece read: ``rest[at:]`` (an offset, not
        # a copy of what is left for each line: 200,000 lines ended by CR alone took 17 s).
        self.rest = b""
        self.at = 0
        self.starts = [self._tell()]
        self.noticed = 0

    def _tell(self) -> int:
        return self.fh.tell() - (len(self.rest) - self.at)

    def _readline(self, limit: int) -> bytes:
        """The next line, at most ``limit`` bytes: it ends at ``\\n``, ``\\r\\n`` or a
        lone ``\\r`` (a spreadsheet's "CSV (Macintosh)" ends its lines so)."""
        if self.at < len(self.rest):
            rest, start = self.rest, self.at
            cr = rest.find(b"\r", start)
            if 0 <= cr < len(rest) - 1 and rest[cr + 1 : cr + 2] != b"\n":
                self.at = cr + 1
                return rest[start : cr + 1]
            # (no lone CR left in it: what follows ends the line)
            raw, self.rest, self.at = rest[start:], b"", 0
            if not raw.endswith((b"\n", b"\r")) and len(raw) < limit:
                raw += self.fh.readline(limit - len(raw))
        else:
            raw = self.fh.readline(limit)
        cr = raw.find(b"\r")
        if 0 <= cr < len(raw) - 1 and raw[cr + 1 : cr + 2] != b"\n":
            self.rest, self.at = raw, cr + 1
            return raw[: cr + 1]
        return raw

    def __iter__(self) -> _ByteLines:
        return self

    def __next__(self) -> str:
        raw = self._readline(self.limit + 1)
        if not raw:
            raise StopIteration
        self.lineno += 1
        too_long = len(raw) > self.limit and not raw.endswith((b"\n", b"\r"))
        if too_long:
            while (rest := self._readline(1 << 20)) and not rest.endswith((b"\n", b"\r")):
                pass
        if self.lineno - self.base + 1 == len(self.starts) < 2:
            self.starts.append(self._tell())
        if too_long:
            raise _LineTooLong
        if self.lineno == 1 and self.encoding == "utf-8-sig":
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError:
            fallback = "cp1252" if self.encoding != "cp1252" else "latin-1"
            try:
                line = raw.decode(fallback)
            except UnicodeDecodeError:
                fallback, line = "latin-1", raw.decode("latin-1")
            if self.noticed < MAX_ERRORS_SHOWN:
                self.noticed += 1
                log.warning(
                    "%s, line %d: not %s text; read as %s",
                    self.name,
                    self.lineno,
                    self.encoding,
                    {"cp1252": "Windows-1252", "latin-1": "Latin-1"}[fallback],
                )
            return line

    def mark(self) -> None:
        """Forget the starts of the lines read so far (a record begins on the next)."""
        self.base, self.starts = self.lineno + 1, [self._tell()]

    def restart_at(self, lineno: int) -> None:
        """Go on reading with line ``lineno``, the first or second read since the last
        :meth:`mark`."""
        self.fh.seek(self.starts[lineno - self.base])
        self.rest, self.at = b"", 0
        self.lineno = lineno - 1
        self.base, self.starts = lineno, [self.starts[lineno - self.base]]


class _BoundedTextLines:
    """The lines of a text stream for ``csv.reader``, each at most ``limit`` characters:
    a longer line is read past in pieces, never held whole, and raises
    :class:`_LineTooLong` (the next call goes on with the line after it)."""

    def __init__(self, text: io.TextIOBase, limit: int) -> None:
        self.text = text
        self.limit = limit
        self.lineno = 0

    def __iter__(self) -> _BoundedTextLines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.lineno += 1
        if len(line) > self.limit and not line.endswith(("\n", "\r")):
            while (rest := self.text.readline(1 << 20)) and not rest.endswith(("\n", "\r")):
                pass
            raise _LineTooLong
        return line


#: The first columns of the tables ``placemap extract --format csv|parquet`` writes (see
#: :data:`placemap.writers.COLUMNS`): one row per mention, whose ``text`` is a place name.
_MENTION_COLUMNS = ("report_id", "title", "date", "source", "start", "end", "text")


def _mention_table(columns: Sequence[str], fields: Fields) -> str | None:
    """Why a table of placemap's own mentions is no collection of reports: an earlier
    run's ``places.csv`` in a folder of feeds was read as one report per place name."""
    if fields.text == "text" and tuple(columns[:7]) == _MENTION_COLUMNS:
        return (
            "a table of mentions written by placemap extract (one row per place name), "
            "not of reports; skipped (--text-field names another column to read it)"
        )
    return None


def _read_parquet(
    fh: BinaryIO,
    name: str,
    stem: str,
    fmt: str,
    fields: Fields,
    max_bytes: int,
    part: InputPart | None = None,
) -> Iterator[Item]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file_bytes = fh.seek(0, io.SEEK_END)
        fh.seek(0)
        # (Extension types read as their storage: a JSON column is its text.)
        pf = pq.ParquetFile(fh, arrow_extensions_enabled=False)
    except (pa.ArrowException, OSError) as err:
        yield ReadError(name, f"not a Parquet file ({err})")
        return
    schema = pf.schema_arrow
    names = schema.names
    if why := _mention_table(names, fields):
        yield ReadError(name, why)
        return
    if fields.text not in names:
        yield ReadError(
            name,
            f"no column {fields.text!r} (columns: {', '.join(names[:8])}); "
            "choose one with --text-field",
        )
        return
    if why := fields.twice(names):
        yield ReadError(name, why)
        return
    columns = [c for c in fields.read if c in names]
    if "link" in columns and fields.url != "link" and not is_scalar(schema.field("link").type):
        columns.remove("link")  # (only the url's fallback: a list of links is no refusal)
    # A report's own fields are one value a cell: a title that is a list of strings (or
    # a struct, a map) was written out whole, 2 MB a row from one stored string.
    for c in columns:
        kind = schema.field(c).type
        if c not in fields.extra and not is_scalar(kind):
            yield ReadError(name, f"column {c!r} holds {kind} values, not text; not read")
            return
    plan = _ParquetPlan(pf, fh, columns)
    groups = range(part.start, part.end) if part is not None else None
    limit = expansion_limit(file_bytes)
    if part is not None:
        # A part of the file (the Dask engine's) has its share of the file's allowance, by
        # its row groups' stored bytes: each part had the whole file's before.
        meta = pf.metadata
        stored = [_stored_bytes(meta.row_group(g)) for g in range(meta.num_row_groups)]
        share = sum(stored[part.start : part.end]) / max(1, sum(stored))
        limit = int(limit * share)

    def row(n: int, rec: dict[str, Any] | str) -> tuple[str, str, Any]:
        where = f"{name}, row {n}"
        if isinstance(rec, str):
            return where, "", ReadError(where, rec)
        return f"{name}:{n}", f"{stem}-{n}", rec

    def rows() -> Iterator[tuple[str, str, Any]]:
        n = part.first - 1 if part is not None else 0
        read = 0  # characters (and pages' bytes) read so far, for the expansion rule
        # Row group by row group: a damaged one costs its own rows, not the file's rest
        # (nor the groups before it, which the reader's read-ahead lost too).
        for group in groups if groups is not None else range(pf.metadata.num_row_groups):
            meta = pf.metadata.row_group(group)
            start, size = n, meta.num_rows
            reader, at_a_time, stored = plan.reader(meta)
            if read + stored > limit:
                yield _expanded(name, n + 1, limit)
                return
            try:
                for batch in reader.iter_batches(
                    batch_size=at_a_time, columns=columns, row_groups=[group]
                ):
                    sizes, over = _row_sizes(batch, max_bytes)
                    # The rows read before the table's expansion passes the limit (rows
                    # refused for their size count too: a row over the limit was decoded,
                    # and 1,000 rows of one stored 201 MB text took 78 s).
                    stop = None
                    for i, rsize in enumerate(sizes):
                        read += rsize + ROW_CHARS
                        if read > limit:
                            stop = i
                            break
                    if stop is not None:
                        batch, sizes = batch.slice(0, stop), sizes[:stop]
                    for rec in _batch_records(batch, sizes, over):
                        n += 1
                        yield row(n, rec)
                    if stop is not None:
                        yield _expanded(name, n + 1, limit)
                        return
                if why := plan.miscounted(meta, n - start):
                    where = f"{name}, row group {group + 1}"
                    yield where, "", ReadError(where, why)
            except (pa.ArrowException, OSError) as err:
                where = f"{name}, rows {n + 1}-{start + size}"
                if start + size < n + 1:
                    where = f"{name}, row group {group + 1}"
                yield where, "", ReadError(where, f"unreadable Parquet data ({err}); skipped")
                n = max(n, start + size)
            except UnsizedType as err:
                yield name, "", ReadError(name, f"{err}; not read")
                return

    yield from _records(rows(), name, fields, first=part is None or part.first == 1, unit="row")


def _stored_bytes(meta: Any) -> int:
    """The bytes a row group's column chunks take in the file."""
    return sum(meta.column(i).total_compressed_size for i in range(meta.num_columns))


def _expanded(name: str, first: int, limit: int) -> tuple[str, str, ReadError]:
    where = f"{name}, row {first} on"
    why = (
        f"the table expands to more than {limit:,} characters, far more than its file's "
        f"size allows ({EXPANSION_RATIO:,} times; values stored once for many rows); the "
        "rest is not read"
    )
    return where, "", ReadError(where, why)


def _too_big(field: str, size: int) -> str:
    return f"{field!r} of {size:,} characters, over the --max-size limit"


#: Rows of a Parquet batch: fewer when a row group's columns hold many values a row (a
#: list column of a million spans a row), so that a batch holds about this many values.
_BATCH_VALUES = 1 << 20
_BATCH_BYTES = 64 << 20
#: A Parquet batch is made Python objects a slice of rows at a time, of about this many
#: characters: a batch of 1,024 rows of one dictionary-coded 20 MB text is 20 GB as Python
#: strings at once.
_SLICE_CHARS = 32 << 20


class _ParquetPlan:
    """How to read a Parquet file's row groups: which text columns dictionary-coded,
    how many rows at a time.

    Text columns are read dictionary-coded where Parquet stored them so and the chunk
    is small, so that a string stored once for many rows stays one string until each
    row's size is checked (a 3 kB file of 1,024 rows of one 2 MB string took 2 GB).
    A large dictionary-coded chunk is read plain a row at a time (Arrow's dictionary of
    a chunk grows with every batch read: 1,024 distinct 1 MB texts took 5 GB; plain, a
    batch would repeat the stored string in its every row); plain chunks in batches of
    bounded bytes. The choice is made for each column, from the row group's metadata.
    """

    def __init__(self, pf: Any, fh: BinaryIO, columns: Sequence[str]) -> None:
        schema = pf.schema_arrow
        self.pf, self.fh, self.columns = pf, fh, columns
        # Parquet leaf columns of each field read (a struct is one a field of its own),
        # and of those the strings' (a list's items too: a spans column of one stored
        # 20 kB string in a million items), with their paths.
        self.leaves: dict[str, range] = {}
        first = 0
        for field in schema:
            count = leaf_count(field.type)
            if field.name in columns:
                self.leaves[field.name] = range(first, first + count)
            first += count
        self.strings = string_leaves(pf.schema, (i for c in columns for i in self.leaves[c]))
        self.readers: dict[frozenset[str], Any] = {}
        self.pages = PageReader(fh)
        # the leaf columns holding a value a row
        self.flat = [self.leaves[c][0] for c in columns if is_scalar(schema.field(c).type)]

    def miscounted(self, meta: Any, rows: int) -> str | None:
        """Why a row group whose metadata is ``meta``, read as ``rows`` rows, is damaged
        (its footer's counts of rows and values disagree: rows went missing without a
        word), or None."""
        counts = {meta.num_rows, *(meta.column(i).num_values for i in self.flat)}
        if counts == {rows}:
            return None
        said = " or ".join(f"{c:,}" for c in sorted(counts))
        return f"damaged: its footer counts {said} rows, and {rows:,} were read"

    def reader(self, meta: Any) -> tuple[Any, int, int]:
        """The reader of the row group whose metadata is ``meta``, its rows at a time,
        and the bytes its pages of the columns read hold uncompressed."""
        # (the sizes and dictionary pages as the pages' headers say them: a footer that
        # said 1,000 bytes of a chunk holding 600 MB had 2.3 GB decoded before a row was
        # sized)
        leaves = [i for c in self.columns for i in self.leaves[c]]
        pages = {i: self.pages(meta.column(i)) for i in leaves}
        coded, one_by_one = set(), False
        for i, path in self.strings:
            if pages[i].dictionary:
                if pages[i].uncompressed <= _BATCH_BYTES:
                    coded.add(path)
                else:
                    one_by_one = True
        chunks = [meta.column(i) for i in leaves]
        stored = sum(pages[i].uncompressed for i in leaves)
        key = frozenset(coded)
        if key not in self.readers:
            import pyarrow.parquet as pq

            self.readers[key] = pq.ParquetFile(
                self.fh,
                metadata=self.pf.metadata,
                read_dictionary=sorted(coded) or None,
                arrow_extensions_enabled=False,
            )
        rows = 1 if one_by_one else _batch_rows(meta, chunks, stored)
        return self.readers[key], rows, stored


def _batch_rows(meta: Any, chunks: Sequence[Any], size: int) -> int:
    """How many rows of the row group whose metadata is ``meta`` to read at a time: at
    most about :data:`_BATCH_VALUES` values in ``chunks`` and :data:`_BATCH_BYTES` of the
    ``size`` bytes their pages hold, decompressed (1,024 distinct texts of 1 MB,
    compressed to 58 kB, were 1 GB before a row was sized)."""
    rows = meta.num_rows
    values = sum(c.num_values for c in chunks)
    by_values = _BATCH_VALUES * rows // values if values > 0 else 1024
    by_bytes = _BATCH_BYTES * rows // size if size > 0 else 1024
    return max(1, min(1024, by_values, by_bytes))


def _row_sizes(batch: Any, max_bytes: int) -> tuple[list[int], dict[int, str]]:
    """Each row's size (:func:`arrowsize.cell_sizes` summed) and, for each row with a
    cell over ``max_bytes``, why it is refused, worked out on the Arrow arrays before any
    row becomes Python objects."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    total = np.zeros(batch.num_rows, np.int64)
    over: dict[int, str] = {}
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        sizes = cell_sizes(column)
        total += sizes
        for i in np.flatnonzero(sizes > max_bytes).tolist():
            size = int(sizes[i])
            if pa.types.is_string_view(column.type):  # counted in bytes: count characters
                size = pc.utf8_length(column.slice(i, 1).cast(pa.large_string()))[0].as_py()
                if size <= max_bytes:
                    continue
            over.setdefault(i, _too_big(name, size))
    return total.tolist(), over


def _batch_records(
    batch: Any, sizes: Sequence[int], over: Mapping[int, str]
) -> Iterator[dict[str, Any] | str]:
    """A Parquet batch's rows as dicts, or for a row that cannot be read why not: a cell
    over the size limit (``over``, from :func:`_row_sizes`; refused before it is made a
    Python object), or one Python cannot hold. Made Python objects a slice of at most
    :data:`_SLICE_CHARS` at a time."""
    i, n = 0, batch.num_rows
    while i < n:
        if i in over:
            yield over[i]
            i += 1
            continue
        j, chars = i + 1, sizes[i]
        while j < n and j not in over and chars + sizes[j] <= _SLICE_CHARS:
            chars += sizes[j]
            j += 1
        yield from _slice_records(batch.slice(i, j - i))
        i = j


def _slice_records(batch: Any) -> list[dict[str, Any] | str]:
    """A Parquet batch's rows as dicts, or for a row with a cell Python cannot hold (a
    timestamp past year 9999) why not, so that one bad cell costs only its row."""
    try:
        return list(batch.to_pylist())
    except (OverflowError, ValueError):
        pass
    columns: dict[str, list[Any]] = {}
    bad: dict[int, str] = {}
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        try:
            columns[name] = column.to_pylist()
            continue
        except (OverflowError, ValueError):
            pass
        values = []
        for i in range(len(column)):
            try:
                values.append(column[i].as_py())
            except (OverflowError, ValueError) as err:
                values.append(None)
                bad.setdefault(i, f"column {name!r}: value out of range ({err})")
        columns[name] = values
    return [
        bad[i] if i in bad else {k: v[i] for k, v in columns.items()} for i in range(batch.num_rows)
    ]


# --- JSON and spans ----------------------------------------------------------------


def check_span(start: Any, end: Any, length: int) -> tuple[int, int]:
    """``(start, end)`` as integers when they are a span of a text of ``length``
    characters; else a ``ValueError`` saying what is wrong with them."""
    for key, value in (("start", start), ("end", end)):
        whole = isinstance(value, float) and value.is_integer()
        if not (isinstance(value, int) and not isinstance(value, bool)) and not whole:
            raise ValueError(f"{key} is not an integer ({value!r})")
    start, end = int(start), int(end)
    if start < 0:
        raise ValueError(f"start {start} is negative")
    if start >= end:
        raise ValueError(f"start {start} is not before end {end}")
    if end > length:
        raise ValueError(f"end {end} is past the end of the text ({length:,} characters)")
    return start, end


def parse_spans(raw: Any, field: str, length: int) -> tuple[tuple[int, int], ...]:
    """The (start, end) pairs a record gives in ``field`` (a list of objects with
    ``start`` and ``end``, or that list as JSON text in a CSV or Parquet cell), checked
    against a text of ``length`` characters; a ``ValueError`` naming the bad span."""
    if isinstance(raw, str):
        try:
            raw = loads_json(raw)
        except json.JSONDecodeError as err:
            raise ValueError(f"field {field!r} is not JSON ({err.msg})") from err
        except ValueError as err:
            raise ValueError(f"field {field!r}: {err}") from err
    if not isinstance(raw, list):
        raise ValueError(f"no list field {field!r}")
    spans = []
    for i, span in enumerate(raw, 1):
        try:
            if not isinstance(span, Mapping):
                raise ValueError("not an object with start and end")
            for key in ("start", "end"):
                if key not in span:
                    raise ValueError(f"no {key!r}")
            spans.append(check_span(span["start"], span["end"], length))
        except ValueError as err:
            raise ValueError(f"field {field!r}, span {i}: {err}") from None
    # A span given twice is one mention (a 1 kB file repeating one span 2 million times
    # wrote 1.5 GB); more distinct spans than the text has characters cannot be names, nor
    # can a span longer than any place's name (a span from each character to the text's
    # end: output as the square of the text).
    unique = tuple(dict.fromkeys(spans))
    if len(unique) > length:
        raise ValueError(
            f"field {field!r}: {len(unique):,} distinct spans in a text of {length:,} characters"
        )
    for i, (start, end) in enumerate(unique, 1):
        if end - start > MAX_SPAN_CHARS:
            raise ValueError(
                f"field {field!r}, span {i}: {end - start:,} characters, longer than a "
                f"place's name can be ({MAX_SPAN_CHARS})"
            )
    return unique


#: The longest span a record may give (GeoNames' longest names run to about 200).
MAX_SPAN_CHARS = 256


def loads_json(text: str | bytes) -> Any:
    """``json.loads``, with every failure a ``json.JSONDecodeError`` or a ``ValueError``
    that says what is wrong: nesting too deep for the parser (a RecursionError) and
    integers too long for ``int`` (over 4,300 digits), which are kept as their digits."""
    if isinstance(text, bytes):  # (as json.loads reads bytes)
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    if _raw_values(text, 0) > MAX_JSON_VALUES and _json_extent(text, _after_space(text, 0))[1]:
        raise ValueError(_too_many_values())
    return _decoded(lambda decoder: decoder.decode(text))


#: The most values (objects, lists and their items) one record may hold: parsed, 40
#: million empty objects in one record took 3 GB from 120 MB ("{}" is 3 bytes, a dict 64).
MAX_JSON_VALUES = 1_000_000


def _too_many_values() -> str:
    return f"a record of more than {MAX_JSON_VALUES:,} JSON values (objects, lists, items)"


def _raw_values(text: str, pos: int) -> int:
    """The braces, brackets and commas of ``text`` from ``pos``, strings included: at
    least the values that follow (:func:`_json_extent` counts those outside strings)."""
    return text.count("{", pos) + text.count("[", pos) + text.count(",", pos)


def _json_extent(text: str, pos: int, limit: int | None = MAX_JSON_VALUES) -> tuple[int, bool]:
    """Where the JSON value at ``pos`` ends (the text's end when it does not) and False,
    or (-1, True) when it is found to hold more than ``limit`` values (None: no limit):
    braces, brackets and commas counted outside strings, without parsing it.

    The text is looked at a stretch at a time, a stretch ending at a string (skipped with
    ``str.find``) or after a number of characters that doubles each time, so that a value
    costs about its own length, whatever follows it (stretches to the next string, or to
    the text's end, made a list of a million ``{}`` take hours). Where the value may end
    in a stretch, :func:`_value_end` finds where, and only what lies before its end is
    counted (a two-value record before a million values was found too large)."""
    depth = count = 0
    i, end, step = pos, len(text), 256
    while i < end:
        q = text.find('"', i, i + step)
        stop = q if q >= 0 else min(end, i + step)
        at, depth, count = _value_end(text, i, stop, depth, count)
        if limit is not None and count > limit:
            return -1, True
        if at >= 0:
            return at, False
        i = _string_end(text, q) if q >= 0 else stop
        step = min(2 * step, 1 << 18)
    return end, False


def _value_end(text: str, i: int, stop: int, depth: int, count: int) -> tuple[int, int, int]:
    """Where, in ``text[i:stop]`` (no strings in it), a JSON value open ``depth`` deep
    ends (-1 if it does not), with the depth and the count of values after the stretch
    (or up to that end). A stretch whose closing brackets cannot close the value is
    counted with ``str.count``; a long one where it may is measured with numpy (its
    running depth), a short one walked bracket by bracket: a regex match per bracket
    made "[{},{},...]" of a million values cost seconds."""
    closes = text.count("}", i, stop) + text.count("]", i, stop)
    if depth - closes > 0:  # (all its closes first would leave the value open)
        opens = text.count("{", i, stop) + text.count("[", i, stop)
        return -1, depth + opens - closes, count + opens + text.count(",", i, stop)
    if stop - i > 256:
        import numpy as np

        codes = np.frombuffer(text[i:stop].encode("utf-32-le", "surrogatepass"), np.uint32)
        opened = (codes == ord("{")) | (codes == ord("["))
        closed = (codes == ord("}")) | (codes == ord("]"))
        values = opened | (codes == ord(","))
        running = np.cumsum(opened, dtype=np.int32)
        running -= np.cumsum(closed, dtype=np.int32)
        running += depth
        ends = np.flatnonzero(running <= 0)
        if ends.size:
            k = int(ends[0])
            return i + k + 1, 0, count + int(np.count_nonzero(values[: k + 1]))
        return -1, int(running[-1]), count + int(np.count_nonzero(values))
    for m in _STRUCTURE_RE.finditer(text, i, stop):
        c = m.group()
        if c in "[{":
            depth += 1
            count += 1
        elif c == ",":
            count += 1
        else:
            depth -= 1
            if depth <= 0:
                return m.end(), depth, count
    return -1, depth, count


_STRUCTURE_RE = re.compile(r"[\[\]{},]")


def _string_end(text: str, q: int) -> int:
    """Where the JSON string whose quote is at ``q`` ends (the text's end if never)."""
    k = q + 1
    while (k := text.find('"', k)) >= 0:
        b = k - 1
        while text[b] == "\\":
            b -= 1
        if (k - 1 - b) % 2 == 0:  # (an even number of backslashes before it)
            return k + 1
        k += 1
    return len(text)


_T = TypeVar("_T")
_DECODER = json.JSONDecoder()


def _decoded(decode: Callable[[json.JSONDecoder], _T]) -> _T:
    """``decode`` run with a JSON decoder, every failure a ``json.JSONDecodeError`` or a
    ``ValueError`` that says what is wrong (see :func:`loads_json`)."""
    try:
        return decode(_DECODER)
    except json.JSONDecodeError:
        raise
    except RecursionError as err:
        raise ValueError("not valid JSON (nested too deeply)") from err
    except ValueError:
        # Only int() raises a plain ValueError here: an integer past Python's limit.
        try:
            return decode(json.JSONDecoder(parse_int=_json_int))
        except RecursionError as err:
            raise ValueError("not valid JSON (nested too deeply)") from err


def _json_int(digits: str) -> int | str:
    limit = sys.get_int_max_str_digits()
    return digits if limit and len(digits.lstrip("-")) > limit else int(digits)


# --- counting, for progress -------------------------------------------------------------


def count_reports(
    paths: Iterable[Path],
    *,
    glob: str | None = None,
    input_format: str = "auto",
    exclude: Iterable[Path] = (),
) -> int | None:
    """About how many reports the inputs hold, for a progress line's time left.

    One per text or HTML file, a line per JSON Lines line, a row per Parquet row (from
    the file's metadata), a line per CSV line (more than the rows when cells hold line
    breaks). None when that cannot be known without reading the reports (JSON files,
    standard input) or a file cannot be opened.
    """
    total = 0
    for path in input_files(paths, glob, notify=lambda _: None, exclude=exclude):
        fmt = "stdin" if str(path) == "-" else _format_of(path, input_format)
        try:
            if fmt in ("text", "html"):
                total += 1
            elif fmt in ("jsonl", "csv", "tsv"):
                with open_regular(path) as fh:  # a FIFO or /dev/zero would never end
                    lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
                total += lines - (fmt != "jsonl")
            elif fmt == "parquet":
                import pyarrow.parquet as pq

                with open_regular(path) as fh:
                    total += pq.ParquetFile(fh).metadata.num_rows
            else:
                return None
        except (OSError, ValueError):  # pyarrow's errors are these too
            return None  # the file's error is reported when it is read
    return total


def valid_unicode(value: Any) -> Any:
    """``value`` with lone surrogates in its strings (nested in lists and objects too)
    replaced by U+FFFD: no output could encode them."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if not value.isascii() else value
    if isinstance(value, list):
        return [valid_unicode(v) for v in value]
    if isinstance(value, dict):
        return {valid_unicode(k): valid_unicode(v) for k, v in value.items()}
    return value
