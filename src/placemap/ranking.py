"""Context-free ranking of gazetteer candidates: how well the name matched, how
large and how important the place is. The resolver adds the report's context on
top of this prior; ``placemap gazetteer search`` uses it alone."""

from __future__ import annotations

import math
from collections.abc import Sequence

from placemap.gazetteer import schema
from placemap.records import Candidate, Place

__all__ = [
    "match_quality",
    "population_score",
    "type_score",
    "fame_score",
    "exonym_score",
    "prominence",
    "prior",
    "rank",
    "listed_feature",
]

# How much a kind of match is worth before string similarity is applied.
MATCH_WEIGHT = {
    "exact": 1.0,
    "folded": 0.97,
    "alternate": 0.9,
    "abbreviation": 0.9,
    "demonym": 0.85,
    "transliteration": 0.8,
    "fuzzy": 0.6,
}

# Importance by feature code; news names countries and regions more often than
# villages of the same name.
TYPE_WEIGHT = {
    "PCLI": 1.0,
    "PCLD": 0.9,
    "PCLF": 0.9,
    "PCLS": 0.9,
    "PCL": 0.9,
    "TERR": 0.8,
    "CONT": 0.9,
    "RGN": 0.6,
    "OCN": 0.7,
    "SEA": 0.7,
    "GULF": 0.6,
    "ADM1": 0.6,
    "PPLC": 0.8,
    "PPLA": 0.55,
    "ADM2": 0.4,
    "PPLA2": 0.45,
}
_CLASS_WEIGHT = {"P": 0.35, "A": 0.35, "H": 0.5, "T": 0.5, "L": 0.55, "S": 0.15, "V": 0.2, "U": 0.2}


#: Matches by the name as written or folded, and matches by a spelling guess.
PLAIN_MATCHES = frozenset({"exact", "folded"})
SPELLING_GUESSES = frozenset({"transliteration", "fuzzy"})


def match_quality(c: Candidate) -> float:
    """Kind of match times similarity squared: a loose spelling must earn its place.

    An alternate name counts as much as a primary one in the measure that it is an exonym
    (:func:`exonym_score`): "Palmyra" for Tadmur, "Geneva", "Munich", "Kiev" are those
    places' names in English, while a town's lone alternate name is mostly a former name
    ("Palmyra" for Mason, Ohio)."""
    weight = MATCH_WEIGHT.get(c.match, 0.5)
    if c.match == "alternate":
        weight += (MATCH_WEIGHT["exact"] - weight) * exonym_score(c)
    return weight * c.similarity**2


# An alternate name that this many of a place's names spell (one transliteration key)
# is the place's name in many languages: an exonym as good as the primary name.
EXONYM_SPELLINGS = 4


def exonym_score(c: Candidate) -> float:
    """How surely an alternate-name match is a name the place is commonly known by, in
    [0, 1], from how many of its names spell it (see :attr:`Candidate.spellings`)."""
    return min(1.0, max(0, c.spellings - 1) / (EXONYM_SPELLINGS - 1))


# Seas, rivers, ranges and regions have no population. Those that someone chose to list
# (placemap's curated table of features news names, a user's overlay) are prominent and
# count as a place of about a million people; GeoNames' own (a country's dump holds
# thousands of streams, hills and localities) count as what they hold: nobody. With
# Ukraine's dump imported, "Bakhmut" (80,500 people) went to a stream of that name.
FEATURE_POPULATION_SCORE = 0.75
_LISTED_SOURCES = (schema.SOURCE_CURATED, schema.SOURCE_OVERLAY + " ")


def listed_feature(place: Place) -> bool:
    """Whether a sea, river, mountain or region is one that someone chose to list."""
    return place.feature_class in ("H", "T", "L") and place.source.startswith(_LISTED_SOURCES)


def population_score(place: Place) -> float:
    """log10 population scaled to [0, 1] (10^8 people = 1)."""
    if place.population == 0 and listed_feature(place):
        return FEATURE_POPULATION_SCORE
    return min(1.0, math.log10(place.population + 1) / 8.0)


# GeoNames' own streams, hills and localities rank just below villages: news names a
# village far more often than a stream of the same name, and a cue word ("the X
# river", "X hill") still picks the feature. Seas, gulfs and regions keep their codes'
# weights.
UNLISTED_FEATURE_WEIGHT = 0.3


def type_score(place: Place) -> float:
    weight = TYPE_WEIGHT.get(place.feature_code)
    if weight is not None:
        return weight
    if place.feature_class in ("H", "T", "L") and not listed_feature(place):
        return UNLISTED_FEATURE_WEIGHT
    return _CLASS_WEIGHT.get(place.feature_class, 0.3)


# A place GeoNames lists under this many distinct names (its own, exonyms, spellings in
# other languages and scripts) counts as known world-wide: Geneva has 60, Kyiv 100,
# London 113; the median place of cities500 has 2, a US town of a few thousand 4 to 12.
FAME_NAMES = 120
# Below this many names nothing is known of a place's fame from its names.
_FAME_FLOOR = 3


def fame_score(place: Place) -> float:
    """How widely known a place is, from how many names the gazetteer lists for it, in
    [0, 1] on a log scale. Countries count as known everywhere (the default index takes
    their names from a short list); places without a count (overlays) as unknown."""
    if place.feature_code.startswith("PCL"):
        return 1.0
    if place.names <= _FAME_FLOOR:
        return 0.0
    return min(1.0, math.log(place.names / _FAME_FLOOR) / math.log(FAME_NAMES / _FAME_FLOOR))


# Seats of government and capitals are prominent beyond their population.
_SEAT_PROMINENCE = {"PPLC": 1.0, "PPLA": 0.7, "PPLA2": 0.4}


def prominence(place: Place) -> float:
    """How prominent a place is, in [0, 1]: the best of its fame, its size (a city of a
    million counts fully) and its status as a capital or seat."""
    size = min(1.0, math.log10(place.population + 1) / 6.0) if place.population > 0 else 0.0
    return max(fame_score(place), size, _SEAT_PROMINENCE.get(place.feature_code, 0.0))


# How the prior mixes match quality, population, feature type and fame (hand-set; the
# resolver's learned weights may carry their own mix).
PRIOR_MIX = (0.55, 0.25, 0.2, 0.1)


def prior(c: Candidate, mix: tuple[float, ...] = PRIOR_MIX) -> float:
    """A candidate's score without any context (in [0, 1] when the mix sums to 1). A
    three-part mix (match, population, type) leaves fame out."""
    m, p, t = mix[:3]
    f = mix[3] if len(mix) > 3 else 0.0
    return (
        m * match_quality(c)
        + p * population_score(c.place)
        + t * type_score(c.place)
        + f * fame_score(c.place)
    )


DIVISION_GAP = 0.03
#: A town this large outranks a division of its name around it even when it is not the
#: division's seat.
NAMESAKE_TOWN = 1
#: The divisions :func:`city_over_division` ranks below a town of their name.
DIVISION_CODES = ("ADM1", "ADM2")
_KIND_ORDER = {
    k: i
    for i, k in enumerate(
        ("exact", "folded", "alternate", "abbreviation", "demonym", "transliteration", "fuzzy")
    )
}


def city_over_division(
    cands: list[Candidate],
    scores: list[float],
    pairs: Sequence[tuple[int, int]] | None = None,
) -> list[float]:
    """A division named like a town inside it ranks just below that town.

    "Homs" or "Deir ez-Zor" alone in news is the city; the governorate of the same
    name needs a cue ("province", "governorate") that the resolver scores itself.
    The town must match at least as well as the division ("Minnesota" is the state,
    not Minneota, which merely lists it as an alternate name), and be its seat or a town
    of :data:`NAMESAKE_TOWN` people: a village of no recorded population that bears the
    name of its province ("Xinjiang") does not outrank the province. ``pairs`` are the
    list's :func:`division_namesakes`, when the caller keeps them.
    """
    out = list(scores)
    for i, j in division_namesakes(cands) if pairs is None else pairs:
        if out[i] >= scores[j]:
            out[i] = scores[j] - DIVISION_GAP
    return out


def division_namesakes(cands: Sequence[Candidate]) -> tuple[tuple[int, int], ...]:
    """The (division, town) index pairs of a candidate list that :func:`city_over_division`
    ranks, in its order: what it reads of the candidates, the same whatever the scores."""
    pairs = []
    for i, d in enumerate(cands):
        if d.place.feature_code not in DIVISION_CODES:
            continue
        for j, t in enumerate(cands):
            if (
                t.place.feature_class == "P"
                and (
                    t.place.feature_code.startswith(("PPLA", "PPLC"))
                    or t.place.population >= NAMESAKE_TOWN
                )
                and t.place.country_code == d.place.country_code
                and t.place.admin1_code == d.place.admin1_code
                and _KIND_ORDER.get(t.match, 9) <= _KIND_ORDER.get(d.match, 9)
                and t.similarity >= d.similarity - 0.05
            ):
                pairs.append((i, j))
    return tuple(pairs)


def close_country(c: Candidate) -> bool:
    """A country that :func:`country_over_capital` ranks above its towns of its name."""
    return c.place.feature_code.startswith("PCL") and c.similarity >= 0.85


def country_over_capital(
    cands: list[Candidate],
    scores: list[float],
    pairs: Sequence[tuple[int, int]] | None = None,
) -> list[float]:
    """A country ranks above a town of the same name in it ("Djibouti", "Mexico", "Kuwait").
    ``pairs`` are the list's :func:`country_towns`, when the caller keeps them."""
    out = list(scores)
    for town, country in country_towns(cands) if pairs is None else pairs:
        out[town] = min(scores[town], scores[country] - DIVISION_GAP)
    return out


def country_towns(cands: Sequence[Candidate]) -> tuple[tuple[int, int], ...]:
    """The (town, country) index pairs of a candidate list that :func:`country_over_capital`
    ranks: each place other than a country, with the last country matched closely
    (:func:`close_country`) of its country code."""
    countries = {c.place.country_code: k for k, c in enumerate(cands) if close_country(c)}
    return tuple(
        (k, countries[c.place.country_code])
        for k, c in enumerate(cands)
        if not c.place.feature_code.startswith("PCL") and c.place.country_code in countries
    )


def rank(cands: list[Candidate]) -> list[Candidate]:
    """Candidates with their prior as score, best first; ties broken by id for determinism."""
    scores = [prior(c) for c in cands]
    scores = country_over_capital(cands, city_over_division(cands, scores))
    scored = [
        Candidate(c.place, c.match, c.similarity, round(s, 6))
        for c, s in zip(cands, scores, strict=True)
    ]
    scored.sort(key=lambda c: (-c.score, -c.place.population, c.place.geonameid))
    return scored
