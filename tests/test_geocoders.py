from __future__ import annotations

from pathlib import Path

import pandas as pd
from geopy.extra.rate_limiter import RateLimiter
from geopy.location import Location

from placemap.geocoders import Gazetteer


def test_geocode_returns_a_geopy_location(small_index: Path) -> None:
    g = Gazetteer(small_index)
    loc = g.geocode("Deir Ezzor")
    assert isinstance(loc, Location)
    assert loc.raw["geonameid"] == 170794
    assert (round(loc.latitude, 3), round(loc.longitude, 3)) == (35.336, 40.141)
    assert g.geocode("Qqqzzzx") is None


def test_country_codes_and_all_candidates(small_index: Path) -> None:
    g = Gazetteer(small_index)
    assert g.geocode("Palmyra", country_codes="SY").raw["geonameid"] == 163808
    assert g.geocode("Palmyra", country_codes=["US"]).raw["geonameid"] == 5130441
    every = g.geocode("Palmyra", exactly_one=False)
    assert {loc.raw["geonameid"] for loc in every} == {163808, 5130441}


def test_works_with_rate_limiter_and_pandas(small_index: Path) -> None:
    geocode = RateLimiter(Gazetteer(small_index).geocode, min_delay_seconds=0)
    s = pd.Series(["Homs", "Tadmur", "Nowhere-at-all"]).apply(geocode)
    assert [loc.raw["geonameid"] if loc else None for loc in s] == [169577, 163808, None]


def test_reverse_finds_the_nearest_town(small_index: Path) -> None:
    loc = Gazetteer(small_index).reverse((34.56, 38.27))
    assert loc is not None and loc.raw["geonameid"] == 163808
