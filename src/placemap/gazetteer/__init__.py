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

    The default index is a cache of data shipped with placemap: when that data or the
    recipe changed since it was built (its recorded fingerprint differs), it is rebuilt.
    An index the user named explicitly (``path`` or ``$PLACEMAP_GAZETTEER``) is never
    built behind their back: if it is missing, the first look-up says so and how to build
    it; if it was built from other placemap data, opening it says so.
    """
    gaz = Gazetteer(path)
    if path is None and ENV_VAR not in os.environ and auto_build:
        why = None
        if not gaz.path.exists():
            why = "no gazetteer index yet: building the default one at %s (once, about a minute)"
        else:
            from placemap.gazetteer.default import current_fingerprint, index_fingerprint

            if index_fingerprint(gaz.path) != current_fingerprint():
                why = (
                    "the default gazetteer index at %s was built from other placemap data "
                    "or recipe: rebuilding it (about a minute)"
                )
        if why is not None:
            _rebuild_default(gaz.path, why)
    else:
        gaz.check_fingerprint = True
    if overlays:
        from placemap.gazetteer.overlay import load_overlay

        for o in overlays:
            load_overlay(gaz, Path(o))
    return gaz


def _rebuild_default(path: Path, why: str) -> None:
    """Build the default index at ``path`` afresh, with the GeoNames files a user added
    to it (``gazetteer build --download UA``) imported again: a rebuild for new placemap
    data must not drop them. If they are gone, or the index holds no default sources,
    it is left as it is, with a warning saying how to rebuild it."""
    from placemap.errors import GazetteerBuildError
    from placemap.gazetteer.build import build_index, recorded_recipe

    try:
        recipe = recorded_recipe(path)
    except GazetteerBuildError as err:
        log.warning("%s; using it as it is", err)
        return
    if recipe is not None and not recipe.default:
        return  # GeoNames dumps alone: nothing of placemap's data in it
    missing = [f for f in (recipe.geonames if recipe else ()) if not f.exists()]
    if missing:
        log.warning(
            "the default gazetteer index at %s was built from other placemap data, but "
            "the GeoNames file %s it also holds is gone; using it as it is (rebuild it "
            "with: placemap gazetteer build --geonames FILE, or --replace)",
            path,
            missing[0],
        )
        return
    log.warning(why, path)
    if recipe is None:
        build_index(path)
    else:
        build_index(
            path,
            default=True,
            geonames=recipe.geonames,
            feature_classes=recipe.feature_classes,
        )
