"""placemap's exceptions: one root, leaves that also inherit the matching built-in."""

from __future__ import annotations

__all__ = [
    "PlacemapError",
    "GazetteerError",
    "GazetteerMissingError",
    "GazetteerCorruptError",
    "GazetteerBuildError",
    "InputError",
    "DependencyError",
    "OutputError",
    "WorkerError",
]


class PlacemapError(Exception):
    """Root of every error placemap raises on purpose."""


class GazetteerError(PlacemapError):
    """Something is wrong with a gazetteer index."""


class GazetteerMissingError(GazetteerError, FileNotFoundError):
    """The gazetteer index does not exist (yet)."""


class GazetteerCorruptError(GazetteerError, ValueError):
    """The file exists but is not a placemap gazetteer index, or is damaged."""


class GazetteerBuildError(GazetteerError, RuntimeError):
    """Building an index failed; the previous index, if any, is untouched."""


class InputError(PlacemapError, ValueError):
    """A report or table could not be read."""


class DependencyError(PlacemapError, ImportError):
    """An optional dependency (spaCy, a spaCy model) that an option asks for is missing."""


class OutputError(PlacemapError, OSError):
    """An output cannot be written there (a read-only or full disk, a folder another
    run is writing to); the message names the path."""


class WorkerError(PlacemapError, RuntimeError):
    """Worker processes kept dying (out of memory, or stopped by the system)."""
