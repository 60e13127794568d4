"""Import the official GeoNames dump files into an index, streaming.

Files understood (plain or zipped, as published by GeoNames under CC BY 4.0):

- ``allCountries.txt`` or per-country files such as ``SY.txt`` (the main table),
- ``alternateNamesV2.txt`` (or ``alternateNames.txt``),
- ``admin1CodesASCII.txt``, ``admin2Codes.txt``, ``countryInfo.txt``.

Rows are read one at a time and written in batches, so memory stays flat however
large the dump; only the small code tables are held in memory.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from placemap.errors import GazetteerBuildError
from placemap.gazetteer import schema
from placemap.gazetteer.writer import IndexWriter

log = logging.getLogger(__name__)

DOWNLOAD_URL = "https://download.geonames.org/export/dump/"
URL_ENV_VAR = "PLACEMAP_GEONAMES_URL"
DEFAULT_FEATURE_CLASSES = "PAHTL"
# Alternate-name "languages" that are not names: links, Wikidata ids, postcodes, codes.
_PSEUDO_LANGS = frozenset(
    {"link", "wkdt", "post", "iata", "icao", "faac", "tcid", "unlc", "fr_1793", "phon"}
)
_MAIN_RE = re.compile(r"^(allCountries|[A-Z]{2})\.(txt|zip)$")
_ALT_RE = re.compile(
    r"^(alternateNamesV2|alternateNames|alternateNamesV2_[A-Z]{2}|[A-Z]{2}_alt)"
    r"\.(txt|zip)$"
)


@dataclass
class DumpFiles:
    """The dump files found at the paths a user gave."""

    main: list[Path] = field(default_factory=list)
    alternate: list[Path] = field(default_factory=list)
    admin1: Path | None = None
    admin2: Path | None = None
    country_info: Path | None = None

    @property
    def empty(self) -> bool:
        return not self.main


def find_dump_files(paths: Iterable[Path]) -> DumpFiles:
    """Sort files (or the files of directories) into the kinds of dump they are."""
    found = DumpFiles()
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise GazetteerBuildError(f"{path}: no such file or directory")
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for f in files:
            name = f.name
            if _MAIN_RE.match(name):
                found.main.append(f)
            elif _ALT_RE.match(name):
                found.alternate.append(f)
            elif name.startswith("admin1CodesASCII"):
                found.admin1 = f
            elif name.startswith("admin2Codes"):
                found.admin2 = f
            elif name.startswith("countryInfo"):
                found.country_info = f
            elif not path.is_dir():
                raise GazetteerBuildError(
                    f"{f}: not a GeoNames dump file this importer knows (expected allCountries, "
                    "XX.txt/.zip, alternateNamesV2, admin1CodesASCII, admin2Codes or countryInfo)"
                )
    if found.empty:
        raise GazetteerBuildError(
            "no GeoNames main table (allCountries.txt or a country file such as SY.txt or "
            f"SY.zip) among {', '.join(str(p) for p in paths)}"
        )
    return found


@contextmanager
def _open_text(path: Path) -> Iterator[io.TextIOBase]:
    """Open a dump file, or the matching member of its zip, as UTF-8 text."""
    if path.suffix.lower() == ".zip":
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile as err:
            raise GazetteerBuildError(f"{path}: not a readable zip file ({err})") from err
        with zf:
            members = [
                n
                for n in zf.namelist()
                if n.endswith(".txt") and "readme" not in n.lower() and "iso-languagecodes" not in n
            ]
            want = path.stem + ".txt"
            member = want if want in members else (members[0] if members else None)
            if member is None:
                raise GazetteerBuildError(f"{path}: the zip holds no .txt table")
            with zf.open(member) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    else:
        with open(path, encoding="utf-8", newline="\n") as fh:
            yield fh


def _rows(path: Path, min_cols: int) -> Iterator[list[str]]:
    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < min_cols:
                raise GazetteerBuildError(
                    f"{path}, line {lineno}: {len(cols)} tab-separated columns, "
                    f"expected at least {min_cols} (is this a GeoNames dump file?)"
                )
            yield cols


def _code_table(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    return {cols[0]: cols[1] for cols in _rows(path, 4)}


def import_dumps(
    w: IndexWriter,
    files: DumpFiles,
    *,
    feature_classes: str = DEFAULT_FEATURE_CLASSES,
) -> dict[str, int]:
    """Stream the dump files into ``w``. Returns counts of what was imported."""
    admin1 = _code_table(files.admin1)
    counts = {"geonames_places": 0, "geonames_alternate_names": 0, "geonames_countries": 0}
    country_rows: dict[str, list[str]] = {}
    if files.country_info:
        for cols in _rows(files.country_info, 17):
            country_rows[cols[0]] = cols
    classes = set(feature_classes)
    for path in files.main:
        log.info("importing %s", path)
        for cols in _rows(path, 19):
            fclass, fcode = cols[6], cols[7]
            if fclass not in classes:
                continue
            try:
                gid, lat, lon = int(cols[0]), float(cols[4]), float(cols[5])
                population = int(cols[14] or 0)
            except ValueError as err:
                raise GazetteerBuildError(
                    f"{path}: bad number in the row of geonameid {cols[0]!r} ({err})"
                ) from err
            cc, a1 = cols[8] or None, cols[10] or None
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
                admin1_name=admin1.get(f"{cc}.{a1}") if cc and a1 else None,
                admin2_code=cols[11] or None,
                population=population,
                source=f"geonames {path.name}",
                names=cols[3].split(",") if cols[3] else (),
            )
            counts["geonames_places"] += 1
            if fcode in ("PCLI", "PCLD", "PCLF", "PCLS", "PCL", "TERR") and cc in country_rows:
                c = country_rows[cc]
                w.add_country(cc, gid, c[4], c[8] or None, c[17] if len(c) > 17 else "")
                counts["geonames_countries"] += 1
    for path in files.alternate:
        log.info("importing alternate names from %s", path)
        batch: dict[int, list[str]] = {}
        for cols in _rows(path, 4):
            if cols[2] in _PSEUDO_LANGS:
                continue
            batch.setdefault(int(cols[1]), []).append(cols[3])
            if len(batch) >= 20_000:
                counts["geonames_alternate_names"] += _flush_alternates(w, batch)
        counts["geonames_alternate_names"] += _flush_alternates(w, batch)
    return counts


def _flush_alternates(w: IndexWriter, batch: dict[int, list[str]]) -> int:
    n = 0
    for gid, names in batch.items():
        # Names of ids not imported as places are removed when the index is finished.
        w.add_names(gid, names, schema.NAME_ALTERNATE)
        n += len(names)
    batch.clear()
    return n


def download(countries: Iterable[str], dest: Path, *, base_url: str | None = None) -> list[Path]:
    """Fetch per-country dumps and the code tables into ``dest`` (opt-in network use).

    ``countries`` are ISO codes, or ``allCountries`` for the whole world.
    """
    base = base_url or os.environ.get(URL_ENV_VAR) or DOWNLOAD_URL
    if not base.endswith("/"):
        base += "/"
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
