"""The gazetteer: building an index (default, GeoNames dumps) and looking names up."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from placemap.gazetteer.store import ENV_VAR, Gazetteer, default_path

__all__ = ["Gazetteer", "default_path", "open_gazetteer", "ENV_VAR"]

log = logging.getLogger(__name__)


def open_gazetteer(
    path: str | os.PathLike[str] | None = None,
    *,
    overlays: Iterable[str | os.PathLike[str]] = (),
    auto_build: bool = True,
) -> Gazetteer:
    """Open an index, building the default one on first use when none is named.

    An index the user named explicitly (``path`` or ``$PLACEMAP_GAZETTEER``) is never
    built behind their back:
    if it is missing, the first look-up says so and how to build it.
    """
    gaz = Gazetteer(path)
    if path is None and ENV_VAR not in os.environ and auto_build and not gaz.path.exists():
        from placemap.gazetteer.build import build_index

        log.warning(
            "no gazetteer index yet: building the default one at %s (once, about a minute)",
            gaz.path,
        )
        build_index(gaz.path)
    if overlays:
        from placemap.gazetteer.overlay import load_overlay

        for o in overlays:
            load_overlay(gaz, Path(o))
    return gaz
