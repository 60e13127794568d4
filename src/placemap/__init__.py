"""placemap: find the places news reports mention and map them, offline."""

from __future__ import annotations

__version__ = "0.1.0"

from placemap.errors import (
    GazetteerCorruptError,
    GazetteerError,
    GazetteerMissingError,
    InputError,
    PlacemapError,
)
from placemap.records import Candidate, Mention, Place, Report

__all__ = [
    "__version__",
    "geoparse",
    "geoparse_frame",
    "geocode_frame",
    "resolve",
    "Geoparser",
    "Candidate",
    "GazetteerCorruptError",
    "GazetteerError",
    "GazetteerMissingError",
    "InputError",
    "Mention",
    "Place",
    "PlacemapError",
    "Report",
]


def __getattr__(name: str) -> object:
    # The engine (and the gazetteer it opens) loads on first use, not on import.
    if name in ("geoparse", "resolve", "Geoparser"):
        from placemap import pipeline

        return getattr(pipeline, name)
    if name == "geoparse_frame":  # pandas loads on first use too
        from placemap.frames import geoparse_frame

        return geoparse_frame
    if name == "geocode_frame":
        from placemap import geocode

        return geocode.geocode_frame
    raise AttributeError(f"module 'placemap' has no attribute {name!r}")
