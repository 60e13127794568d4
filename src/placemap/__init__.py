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
