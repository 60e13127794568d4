"""What a Parquet column chunk's pages hold, read from the pages' own headers.

A Parquet file's footer says how many bytes each column chunk holds uncompressed, and
whether it starts with a dictionary page, but nothing checks the footer against the pages:
a 33 kB file whose footer said 1,000 bytes held 600 MB of strings, and one whose footer
hid its dictionary page was read plain, 1,024 copies of a 2 MB string a batch (2 GB).
The reader decodes what the pages' headers say, so the sizes are taken from them too.

Each page starts with a ``PageHeader`` in Thrift's compact protocol (the Parquet format's
``parquet.thrift``): field 1 the page type (2: a dictionary page), 2 its size uncompressed,
3 its size as stored, which the page's bytes follow. Only these fields are read; the
others are skipped by their types.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, BinaryIO

__all__ = ["EXHAUSTED", "ChunkPages", "PageReader", "chunk_pages"]

DICTIONARY_PAGE = 2
# A page header is a few dozen bytes (statistics can make it longer); read this much of
# it at once, and give up on a header longer than _HEADER_MAX.
_HEADER_READ = 256
_HEADER_MAX = 1 << 20
# At most this many pages are read of one chunk (a chunk of small pages: each header is
# read); past it the rest are counted as those read. A file's chunks read one block of
# _HEADER_READ bytes for every _BYTES_A_HEADER bytes of the file in all, and at least
# _MIN_HEADERS blocks (a long header costs its blocks, read or not a header).
_MAX_PAGES = 100_000
_BYTES_A_HEADER = 16
_MIN_HEADERS = 10_000
# Structs, lists and maps nested deeper than this are no page header.
_MAX_DEPTH = 32
#: What a chunk counts as once a file's headers are spent: more than any file may hold.
EXHAUSTED = 1 << 62


class _Malformed(ValueError):
    """A page header that is not one."""


@dataclass(frozen=True, slots=True)
class ChunkPages:
    """What a column chunk's pages say: their bytes uncompressed in all, and whether one
    is a dictionary page."""

    uncompressed: int
    dictionary: bool


class PageReader:
    """:func:`chunk_pages` for the chunks of one file, reading at most one block of page
    headers for every :data:`_BYTES_A_HEADER` bytes of the file in all (a footer may point
    row group after row group at the same bytes), and each chunk's pages once."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        try:
            size = os.fstat(fh.fileno()).st_size
        except (AttributeError, OSError, ValueError):
            size = 0
        self.budget = max(_MIN_HEADERS, size // _BYTES_A_HEADER)
        self.seen: dict[tuple[int, int], tuple[int, bool] | None] = {}

    def __call__(self, chunk: Any) -> ChunkPages:
        return chunk_pages(self.fh, chunk, self)


def chunk_pages(fh: BinaryIO, chunk: Any, reader: PageReader | None = None) -> ChunkPages:
    """The pages of the column chunk whose metadata (pyarrow's ``ColumnChunkMetaData``)
    is ``chunk``, read from ``fh``: never less than the footer says. A chunk whose pages
    cannot be walked counts as the footer says. With ``reader``, the file's pages are
    read once each, and past the file's share of headers a chunk counts as more than any
    file may expand to."""
    footer = ChunkPages(int(chunk.total_uncompressed_size), bool(chunk.has_dictionary_page))
    offsets = [chunk.data_page_offset]
    if chunk.has_dictionary_page and chunk.dictionary_page_offset:
        offsets.append(chunk.dictionary_page_offset)
    starts = [o for o in offsets if o is not None and o >= 0]
    if not starts:
        return footer
    start = min(starts)
    end = start + max(0, int(chunk.total_compressed_size))
    if reader is None:
        seen = _walk(fh, start, end, _MIN_HEADERS)[0]
    elif (start, end) in reader.seen:
        seen = reader.seen[(start, end)]
    elif reader.budget <= 0:
        seen = (EXHAUSTED, True)
    else:
        seen, spent = _walk(fh, start, end, reader.budget)
        reader.budget -= spent
        reader.seen[(start, end)] = seen
    if seen is None:
        return footer
    total, dictionary = seen
    return ChunkPages(max(footer.uncompressed, total), footer.dictionary or dictionary)


def _walk(
    fh: BinaryIO, start: int, end: int, budget: int
) -> tuple[tuple[int, bool] | None, int]:
    """The bytes uncompressed of the pages from ``start`` to ``end`` and whether one is a
    dictionary page (None when not even the first is a page; what the pages before the
    first that is not say, else: Arrow stops at a chunk's last value), reading at most
    ``budget`` blocks of :data:`_HEADER_READ` bytes (past it, the rest counts as what was
    read); and how many blocks were read."""
    total, dictionary, pos, pages = 0, False, start, 0
    spent = [0]
    try:
        while pos < end and pages < _MAX_PAGES and spent[0] < budget:
            kind, uncompressed, stored, length = _page_header(fh, pos, spent)
            total += uncompressed
            dictionary = dictionary or kind == DICTIONARY_PAGE
            pos += length + stored
            pages += 1
    except (OSError, ValueError, OverflowError):  # (_Malformed is a ValueError)
        return (None if pages == 0 else (total, dictionary)), spent[0]
    if pos < end:  # pages left unread: as many bytes a stored byte as those read
        total = total * (end - start) // max(1, pos - start)
    return (total, dictionary), spent[0]


def _read_at(fh: BinaryIO, pos: int, size: int) -> bytes:
    """``size`` bytes of ``fh`` from ``pos``, leaving its position as it was (Arrow reads
    the same file)."""
    try:
        fd = fh.fileno()
    except (AttributeError, OSError, ValueError):
        fd = -1
    if fd >= 0:
        return os.pread(fd, size, pos)
    here = fh.tell()
    try:
        fh.seek(pos)
        return fh.read(size)
    finally:
        fh.seek(here)


def _page_header(fh: BinaryIO, pos: int, spent: list[int]) -> tuple[int, int, int, int]:
    """The type, the uncompressed and the stored size of the page at ``pos``, and the
    length of its header; the blocks of :data:`_HEADER_READ` bytes read are added to
    ``spent``."""
    size = _HEADER_READ
    while True:
        data = _read_at(fh, pos, size)
        spent[0] += size // _HEADER_READ
        try:
            return _parse_header(data)
        except IndexError:  # the header runs past what was read
            if len(data) < size or size >= _HEADER_MAX:
                raise _Malformed("a page header past the end of the data") from None
            size *= 4


def _parse_header(data: bytes) -> tuple[int, int, int, int]:
    reader = _Compact(data)
    fields = reader.struct_ints({1, 2, 3})
    kind, uncompressed, stored = (fields.get(k) for k in (1, 2, 3))
    if kind is None or uncompressed is None or stored is None or uncompressed < 0 or stored < 0:
        raise _Malformed("a page header without its type and sizes")
    return kind, uncompressed, stored, reader.pos


class _Compact:
    """Thrift's compact protocol, as much as skipping a struct needs."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def byte(self) -> int:
        b = self.data[self.pos]  # IndexError past the end: the caller reads more
        self.pos += 1
        return b

    def varint(self) -> int:
        shift = out = 0
        while True:
            b = self.byte()
            out |= (b & 0x7F) << shift
            if not b & 0x80:
                return out
            shift += 7
            if shift > 63:
                raise _Malformed("a varint of more than 64 bits")

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def struct_ints(self, wanted: set[int], depth: int = 0) -> dict[int, int]:
        """Read a struct; the integer fields numbered in ``wanted``."""
        if depth > _MAX_DEPTH:
            raise _Malformed("values nested too deep")
        out: dict[int, int] = {}
        field = 0
        while True:
            head = self.byte()
            kind = head & 0x0F
            if kind == 0:  # stop
                return out
            delta = head >> 4
            field = field + delta if delta else self.zigzag()
            if kind == 5 and field in wanted:  # an i32, as Parquet's readers take them
                out[field] = self.zigzag()
            else:
                self.skip(kind, depth)

    def skip(self, kind: int, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise _Malformed("values nested too deep")
        if kind in (1, 2):  # a boolean field: its value is its type
            return
        if kind == 3:
            self.pos += 1
        elif kind in (4, 5, 6):
            self.varint()
        elif kind == 7:
            self.pos += 8
        elif kind == 8:
            self.pos += self.varint()
        elif kind in (9, 10):
            head = self.byte()
            count = head >> 4
            if count == 15:
                count = self.varint()
            self.items(head & 0x0F, count, depth + 1)
        elif kind == 11:
            count = self.varint()
            if count:
                types = self.byte()
                if count > len(self.data):
                    raise IndexError("more entries than bytes")
                for _ in range(count):
                    self.item(types >> 4, depth + 1)
                    self.item(types & 0x0F, depth + 1)
        elif kind == 12:
            self.struct_ints(set(), depth + 1)
        else:
            raise _Malformed(f"no Thrift type {kind}")
        if self.pos > len(self.data):
            raise IndexError("past the end")

    def items(self, kind: int, count: int, depth: int) -> None:
        if count > len(self.data):
            raise IndexError("more items than bytes")
        for _ in range(count):
            self.item(kind, depth)

    def item(self, kind: int, depth: int) -> None:
        if kind in (1, 2):  # booleans in a list take a byte each
            self.pos += 1
        else:
            self.skip(kind, depth)
