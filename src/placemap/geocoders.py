"""A geopy geocoder backed by the offline gazetteer.

It behaves like geopy's online geocoders (``geocode`` returns a
:class:`geopy.location.Location` or a list of them, ``None`` for no match), so it
works wherever they do: ``RateLimiter``, ``pandas.Series.apply``, ``partial``.
No request ever leaves the machine.
"""

from __future__ import annotations

import math
import os
from typing import Any

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from placemap.gazetteer import open_gazetteer
from placemap.gazetteer.store import Gazetteer as _Index
from placemap.ranking import rank
from placemap.records import Candidate

__all__ = ["Gazetteer"]


def _location(c: Candidate) -> Location:
    p = c.place
    address = ", ".join(x for x in (p.name, p.admin1_name, p.country_code) if x)
    raw: dict[str, Any] = p.to_dict()
    raw.update(match=c.match, score=c.score, feature=p.kind)
    return Location(address, Point(p.lat, p.lon), raw)


class Gazetteer(Geocoder):
    """Offline geocoder: ``Gazetteer().geocode("Deir Ezzor")``.

    :param gazetteer: an open index, or the path of one; by default the user's
        default index (built on first use).
    :param country_bias: ISO alpha-2 code(s) whose places are preferred.
    """

    def __init__(
        self,
        gazetteer: _Index | str | os.PathLike[str] | None = None,
        *,
        country_bias: str | list[str] | None = None,
        fuzzy: bool = True,
    ) -> None:
        super().__init__()
        self.index = gazetteer if isinstance(gazetteer, _Index) else open_gazetteer(gazetteer)
        self.country_bias = [country_bias] if isinstance(country_bias, str) else country_bias
        self.fuzzy = fuzzy

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: str | list[str] | None = None,
        limit: int | None = None,
        timeout: float | None = None,  # accepted for geopy compatibility; nothing waits
    ) -> Location | list[Location] | None:
        """Best place for ``query`` (or every candidate, best first, if not ``exactly_one``).

        ``country_codes`` restricts the answer to those countries, as in geopy's
        Nominatim.
        """
        if not isinstance(query, str) or not query.strip():
            raise ValueError("query must be a non-empty string")
        cands = self.index.lookup(query, fuzzy=self.fuzzy)
        if country_codes:
            wanted = {
                c.upper()
                for c in ([country_codes] if isinstance(country_codes, str) else country_codes)
            }
            cands = [c for c in cands if c.place.country_code in wanted]
        ranked = rank(cands)
        if self.country_bias:
            bias = {c.upper() for c in self.country_bias}
            ranked.sort(key=lambda c: (c.place.country_code not in bias, -c.score))
        if not ranked:
            return None
        if exactly_one:
            return _location(ranked[0])
        return [_location(c) for c in ranked[: limit or len(ranked)]]

    def reverse(
        self, query: Any, *, exactly_one: bool = True, timeout: float | None = None
    ) -> Location | list[Location] | None:
        """The nearest populated place (within about 50 km) to a point."""
        point = Point(query)
        lat, lon = point.latitude, point.longitude
        dlat = 0.5
        dlon = dlat / max(0.05, math.cos(math.radians(lat)))
        rows = self.index.conn.execute(
            "SELECT id FROM places WHERE feature_class = 'P' AND lat BETWEEN ? AND ? "
            "AND lon BETWEEN ? AND ?",
            (lat - dlat, lat + dlat, lon - dlon, lon + dlon),
        ).fetchall()
        places = [p for (pid,) in rows if (p := self.index.place(pid)) is not None]
        if not places:
            return None
        places.sort(
            key=lambda p: (
                (p.lat - lat) ** 2 + ((p.lon - lon) * math.cos(math.radians(lat))) ** 2,
                p.geonameid,
            )
        )
        locs = [_location(Candidate(p, "reverse", 1.0, 1.0)) for p in places]
        return locs[0] if exactly_one else locs
