"""Which countries' full GeoNames data would resolve more names, and the command that
adds it to the index in use.

The hint leaves out countries whose full data the index already holds, and names the
index when it is not the default one; the command keeps what the index holds, since a
build adds to the index it rebuilds (see :mod:`placemap.gazetteer.build`).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from placemap.gazetteer.schema import ALL_COUNTRIES, is_country_code
from placemap.gazetteer.store import DEFAULT_FILENAME, cache_dir

if TYPE_CHECKING:
    from placemap.gazetteer.store import Gazetteer

__all__ = ["FullDataHint"]


@dataclass(frozen=True)
class FullDataHint:
    """What the hint needs to know of the index in use."""

    #: Countries whose full GeoNames data the index holds (``"*"``: all of them).
    held: frozenset[str] = frozenset()
    #: The index, when it is not the default one (the command then names it).
    output: str | None = None

    @classmethod
    def of(cls, gaz: Gazetteer) -> FullDataHint:
        default = (cache_dir() / DEFAULT_FILENAME).resolve()
        output = None if gaz.path.resolve() == default else str(gaz.path)
        return cls(gaz.full_countries(), output)

    def wanted(self, countries: Iterable[str]) -> list[str]:
        """``countries`` (in order) without those whose full data the index holds, and
        without what is no country code (data may say anything)."""
        if ALL_COUNTRIES in self.held:
            return []
        return [c for c in countries if c not in self.held and is_country_code(c)]

    def command(self, countries: Sequence[str]) -> str:
        """The command that adds these countries' full data to the index in use (a code
        that is no two capital letters is left out: it came from data, and the command
        is meant to be pasted into a shell)."""
        codes = [c for c in countries if is_country_code(c)]
        parts = ["placemap gazetteer build", *(f"--download {shlex.quote(c)}" for c in codes)]
        if self.output is not None:
            parts.append(f"--output {shlex.quote(self.output)}")
        return " ".join(parts)
