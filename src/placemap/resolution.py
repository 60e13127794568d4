"""Resolution: choose, for each spotted span, the place it refers to.

Every candidate gets a score from features that the geoparsing literature found
to matter (Leidner 2007; Lieberman et al. 2010; Gritta et al. 2018):

- the context-free prior (:mod:`placemap.ranking`): match quality, population,
  feature type;
- country context: the countries that the report's other mentions point to
  (countries named outright and demonyms count most);
- admin context: the first- and second-level divisions the report names
  ("Homs province", "Contra Costa County");
- distance to the report's other places;
- containment patterns: "X, Syria", "X, Homs" (and Homs, the province, in "X, Homs");
- a town and a district holding it that two of the report's names may mean, even when
  neither is sure ("Paris" and "Henry County": both in Tennessee);
- type cues: "X province", "the town of X", "the X river", and lists of one kind
  ("Arizona, California, Colorado" are states, not towns in named states).

The context is computed from a first, prior-only pass and refined once. The
best candidate wins if its score clears a threshold; otherwise the mention is
kept unresolved, with its candidates.
"""

from __future__ import annotations

import json
import logging
import math
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from placemap.gazetteer.store import Gazetteer
from placemap.normalize import fold
from placemap.ranking import (
    DIVISION_CODES,
    PLAIN_MATCHES,
    PRIOR_MIX,
    SPELLING_GUESSES,
    city_over_division,
    country_over_capital,
    country_towns,
    division_namesakes,
    exonym_score,
    prior,
)
from placemap.recognize import ARMED_WORDS, WATER_CUES, Span
from placemap.records import Candidate, Mention, Place

__all__ = [
    "Weights",
    "WEIGHTS",
    "DEFAULT_WEIGHTS",
    "load_weights",
    "resolve_spans",
    "haversine_km",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Weights:
    """Weights of the prior's parts and of the context features.

    The defaults are hand-set; ``placemap/data/weights.json`` holds weights learned
    by ``scripts/learn_weights.py`` from the evaluation corpora and wins when present.
    """

    country: float = 0.35
    admin1: float = 0.15
    admin2: float = 0.2
    district_pair: float = 0.1
    neighbour: float = 0.05
    distance: float = 0.15
    containment: float = 0.5
    type_cue: float = 0.25
    threshold: float = 0.28
    distance_scale_km: float = 300.0
    max_candidates: int = 5
    max_context_candidates: int = 25
    prominence: float = 0.02
    lead: float = 2.0
    prior_match: float = PRIOR_MIX[0]
    prior_population: float = PRIOR_MIX[1]
    prior_type: float = PRIOR_MIX[2]
    prior_fame: float = PRIOR_MIX[3]

    @property
    def prior_mix(self) -> tuple[float, float, float, float]:
        return (self.prior_match, self.prior_population, self.prior_type, self.prior_fame)

    @property
    def cutoff(self) -> float:
        """The score a choice must reach, on the scale of the prior: ``threshold`` is set
        for a mix summing to 1, and a learned mix that sums to more lifts every score
        (a lone loose spelling of a hamlet far away, "El-Kder" as Kidero, Dagestan)."""
        return self.threshold * max(1.0, sum(self.prior_mix))

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Weights:
        """Weights from a mapping of field names; unknown names are an error."""
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown weight(s): {', '.join(unknown)}")
        typed: dict[str, Any] = {
            k: int(v) if known[k] in (int, "int") else float(v) for k, v in values.items()
        }
        return cls(**typed)


DEFAULT_WEIGHTS = Weights()
WEIGHTS_RESOURCE = "weights.json"


def load_weights(path: Path | None = None) -> Weights:
    """The learned weights (``path`` or the packaged ``data/weights.json``); the
    hand-set defaults when the packaged file is absent. A file that is present but
    unreadable is an error: shipping broken weights must not pass unnoticed."""
    if path is None:
        res = resources.files("placemap") / "data" / WEIGHTS_RESOURCE
        if not res.is_file():
            log.debug("no packaged %s; using the hand-set weights", WEIGHTS_RESOURCE)
            return DEFAULT_WEIGHTS
        text = res.read_text(encoding="utf-8")
        where = f"placemap/data/{WEIGHTS_RESOURCE}"
    else:
        text = path.read_text(encoding="utf-8")
        where = str(path)
    try:
        return Weights.from_dict(json.loads(text)["weights"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{where}: not a weights file ({err})") from err


WEIGHTS = load_weights()
# Rounds of context scoring after the prior-only round: a second round raised LGL
# acc@161 (gold spans) from 0.761 to 0.768 and GeoVirus from 0.720 to 0.722.
CONTEXT_PASSES = 2
SMALL_TOWN_POPULATION = 100_000

_AREA_CODES = frozenset(
    {"PCLI", "PCLD", "PCLF", "PCLS", "PCL", "TERR", "CONT", "RGN", "OCN", "SEA"}
)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


#: A candidate's context features as :func:`_score_all` sums them: country, neighbour,
#: admin1, admin2, distance, containment, type (neighbour and distance None where they
#: do not apply).
_Features = tuple[float, float | None, float, float, float | None, float, float]


@dataclass(slots=True)
class _Why:
    """The context features of an item's candidates from the round that explains, as
    the lists they were summed from (the round's context, None in the first round where
    all are 0; what the item's own words added, None for none): only the chosen one's
    are put in words (:meth:`features`)."""

    context: _Context | None
    containment: list[float] | None
    types: list[float] | None

    def features(self, k: int) -> _Features:
        ctx = self.context
        containment = self.containment[k] if self.containment is not None else 0.0
        type_ = self.types[k] if self.types is not None else 0.0
        if ctx is None:
            return (0.0, None, 0.0, 0.0, None, containment, type_)
        return (*ctx.features(k), containment, type_)


@dataclass(slots=True)
class _Item:
    span: Span
    cands: list[Candidate]
    kind: str = "toponym"
    scores: list[float] = field(default_factory=list)
    priors: list[float] = field(default_factory=list)
    # Why each candidate scored as it did, from the round that explains.
    why: _Why | None = None
    # Candidates beyond the best by prior, with their priors: scored only when they lie
    # in a division that the report names.
    rest: list[tuple[float, Candidate]] = field(default_factory=list)

    @property
    def top(self) -> Candidate | None:
        if not self.cands:
            return None
        return self.cands[self.scores.index(max(self.scores))]  # the first best


def _type_fit(cue: str | None, place: Place, word: str = "") -> float:
    """+1 when a cue word agrees with the feature type, -1 when it contradicts it.
    ``word`` is the word after the name: a "region" may be a division or a region
    without borders of its own ("Kurdistan region", "Donbas region")."""
    if cue is None:
        return 0.0
    fc, code = place.feature_class, place.feature_code
    if cue == "admin":
        if word in _REGION_WORDS and code in _REGION_CODES:
            return 1.0
        return 1.0 if fc == "A" and not code.startswith("PCL") else -1.0
    if cue == "water":
        return 1.0 if fc == "H" else -1.0
    if cue == "terrain":
        return 1.0 if fc in ("T", "L") else -0.5
    if cue == "town":
        if code.startswith("PCL"):
            return 0.0  # headline style: "Iraq town of Jalawla", "Syria town"
        # "Mandera town", "Niigata city": not the county or the prefecture of the name,
        # which another division named in the report makes likelier.
        return 1.0 if fc == "P" else -1.0
    return 0.0


_REGION_WORDS = frozenset({"region", "regions"})
_REGION_CODES = frozenset({"RGN", "AREA", "RGNE"})


def _outer_places(next_text: str | None, gaz: Gazetteer) -> list[Place]:
    """The places "X, <next_text>" may name as X's country or division (none without
    a name after the comma)."""
    if not next_text:
        return []
    return [c.place for c in gaz.lookup(next_text, fuzzy=False, context_only=True)]


def _holds(outer: Place, place: Place) -> bool:
    """Whether ``outer`` is a country or division that holds ``place``."""
    if outer.geonameid == place.geonameid:
        return False
    if outer.feature_code.startswith("PCL"):
        return outer.country_code == place.country_code
    if outer.feature_code == "ADM1":
        return outer.country_code == place.country_code and outer.admin1_code == place.admin1_code
    if outer.feature_code == "ADM2":
        return bool(place.admin2_code) and _admin2_key(outer) == _admin2_key(place)
    return False


def _holder_key(outer: Place) -> tuple[str | None, ...] | None:
    """What :func:`_holds` compares of a country or division (None for another place):
    the candidates it holds are listed by this key in their list's facts."""
    code = outer.feature_code
    if code.startswith("PCL"):
        return ("PCL", outer.country_code)
    if code == "ADM1":
        return ("ADM1", outer.country_code, outer.admin1_code)
    if code == "ADM2":
        return ("ADM2", *_admin2_key(outer))
    return None


def _held_by(outer: Place, cands: list[Candidate]) -> list[int]:
    """The candidates (by index) that ``outer`` holds (see :func:`_holds`)."""
    key = _holder_key(outer)
    if key is None:
        return []
    ids = _kinds_of(cands).ids
    return [k for k in _facts_of(cands).held.get(key, ()) if ids[k] != outer.geonameid]


def _admin2_key(p: Place) -> tuple[str | None, str | None, str | None]:
    return (p.country_code, p.admin1_code, p.admin2_code)


@dataclass(frozen=True, slots=True)
class _Kinds:
    """What every resolution reads of a candidate list (see :func:`_kinds_of`): the
    candidates' ids, and for the rules between kinds of place (:func:`_ranked_by_kind`)
    the division and town pairs that :func:`city_over_division` ranks, the town and
    country pairs that :func:`country_over_capital` ranks, and whether the list holds a
    prominent country (:func:`_prominent_over_towns`)."""

    ids: tuple[int, ...]
    namesakes: tuple[tuple[int, int], ...]
    capitals: tuple[tuple[int, int], ...]
    prominent: bool
    # Whether a prominent candidate is a city (the rule then reads the places near).
    world_city: bool
    # How many times a town's state must be named to place it beside such a city: twice
    # beside a capital or a city of a million, once beside a city only known the world
    # over ("Richmond" in a report that names Indiana once is Richmond, Indiana).
    state_times: int
    # The countries of the capitals among the candidates, named as they are called.
    capital_countries: frozenset[str]

    @classmethod
    def of(cls, cands: list[Candidate]) -> _Kinds:
        great = any(_world_city(c, known=False) for c in cands)
        return cls(
            tuple([c.place.geonameid for c in cands]),
            division_namesakes(cands),
            country_towns(cands),
            any(_prominent(c) for c in cands),
            any(_world_city(c) or _great_division(c) for c in cands),
            2 if great else 1,
            frozenset(
                c.place.country_code
                for c in cands
                if c.place.feature_code == "PPLC"
                and c.place.country_code
                and c.match in ("exact", "folded")
                and c.similarity >= 0.95
            ),
        )


@dataclass(slots=True)
class _Facts:
    """What the rounds of context scoring read of a candidate list, the same in every
    round and every report (see :func:`_facts_of`): by candidate, its country code (""
    for none), whether it is an area (no distance), and its kind for lists of siblings;
    the candidates other than first-level divisions by the first-level division they lie
    in, the first-level divisions with their countries, and the places (not divisions) by
    the second-level division that holds them; which candidates are spelling guesses, and
    whether all lie in one country."""

    countries: list[str]
    country_set: frozenset[str]
    areas: list[bool]
    any_area: bool
    by_admin1: dict[tuple[str | None, str | None], list[int]]
    divisions: list[tuple[int, str | None]]
    by_admin2: dict[_Admin2, list[int]]
    # The towns and the second-level divisions matched as written, with the division
    # that holds them or that they are (see :func:`_district_pairs`).
    plain_towns: list[tuple[int, _Admin2]]
    plain_districts: list[tuple[int, _Admin2]]
    # The candidates a country or division would hold, by its :func:`_holder_key`.
    held: dict[tuple[str | None, ...], list[int]]
    list_codes: list[str | None]
    guesses: list[int]
    one_country: bool
    # The first-level divisions named as their country's capital (see :func:`_context`).
    capital_namesakes: frozenset[int]
    # The candidates' unit vectors, made at the first distance search.
    units: np.ndarray | None = None

    @classmethod
    def of(cls, cands: list[Candidate]) -> _Facts:
        places = [c.place for c in cands]
        countries = [p.country_code or "" for p in places]
        areas = [p.feature_code in _AREA_CODES for p in places]
        by_admin1: dict[tuple[str | None, str | None], list[int]] = defaultdict(list)
        by_admin2: dict[_Admin2, list[int]] = defaultdict(list)
        divisions = []
        plain_towns, plain_districts = [], []
        held: dict[tuple[str | None, ...], list[int]] = defaultdict(list)
        capitals = {p.country_code for p in places if p.feature_code == "PPLC"}
        capital_namesakes: set[int] = set()
        for k, p in enumerate(places):
            held[("PCL", p.country_code)].append(k)
            held[("ADM1", p.country_code, p.admin1_code)].append(k)
            if p.admin2_code:
                held[("ADM2", *_admin2_key(p))].append(k)
            if p.feature_code == "ADM1":
                divisions.append((k, p.country_code))
                if p.country_code in capitals:
                    capital_namesakes.add(k)
            else:
                by_admin1[(p.country_code, p.admin1_code)].append(k)
            if p.admin2_code and p.feature_class != "A":
                by_admin2[_admin2_key(p)].append(k)
            if p.admin2_code and cands[k].match in PLAIN_MATCHES:
                if p.feature_code == "ADM2":
                    plain_districts.append((k, _admin2_key(p)))
                elif p.feature_class == "P":
                    plain_towns.append((k, _admin2_key(p)))
        return cls(
            countries,
            frozenset(countries),
            areas,
            any(areas),
            dict(by_admin1),
            divisions,
            dict(by_admin2),
            plain_towns,
            plain_districts,
            dict(held),
            [_list_code(p) for p in places],
            [k for k, c in enumerate(cands) if c.match in SPELLING_GUESSES],
            len({p.country_code for p in places}) == 1,
            frozenset(capital_namesakes),
        )

    def unit_vectors(self, cands: list[Candidate]) -> np.ndarray:
        """The unit vectors of ``cands`` (the list these are the facts of)."""
        if self.units is None:
            self.units = _Located.units_of(cands, None, None)
        return self.units


#: How many candidate lists :func:`_facts_of`, :func:`_kinds_of` and :func:`_by_prior`
#: keep (about 6 kB of facts each on LGL, at most about 25 kB for a list of 30).
LIST_CACHE_SIZE = 4_096

_T = TypeVar("_T")


class _PerList(Generic[_T]):
    """What ``make`` reads of a candidate list, kept for the lists met lately: a name's
    list is the same in every report that names it (see :func:`_by_prior`). Kept by
    identity (with the list, so that the identity stays its own), and forgotten all at
    once past :data:`LIST_CACHE_SIZE`."""

    def __init__(self, make: Callable[[list[Candidate]], _T]) -> None:
        self.make = make
        self.kept: dict[int, tuple[list[Candidate], _T]] = {}

    def __call__(self, cands: list[Candidate]) -> _T:
        got = self.kept.get(id(cands))
        if got is not None and got[0] is cands:
            return got[1]
        if len(self.kept) >= LIST_CACHE_SIZE:
            self.kept.clear()
        made = self.make(cands)
        self.kept[id(cands)] = (cands, made)
        return made


_kinds_of = _PerList(_Kinds.of)
_facts_of = _PerList(_Facts.of)


#: What a mention's own words say of its candidates, the same in every round (see
#: :func:`_words_of`): which ones the place after its comma holds ("X, Syria"; None when
#: none is), and each one's type cue feature ("X province"; None without a cue word).
_Words = tuple[list[bool] | None, list[float] | None]


def _words_of(
    cache: dict[tuple[Any, ...], _Words], it: _Item, gaz: Gazetteer, w: Weights
) -> _Words:
    """:data:`_Words` of an item, worked out once a report for each candidate list and
    setting (the place after the comma, the cue word and the word after the name)."""
    key = _words_key(it)
    got = cache.get(key)
    if got is None:
        span, cue = it.span, it.span.type_cue
        held = {k for o in _outer_places(span.next_text, gaz) for k in _held_by(o, it.cands)}
        contained = [k in held for k in range(len(it.cands))] if held else None
        fits = (
            [w.type_cue * _type_fit(cue, c.place, span.next_word) for c in it.cands]
            if cue
            else None
        )
        if fits is not None and cue == "town":
            fits = _town_in_division(it.cands, fits)
        got = cache[key] = (contained, fits)
    return got


def _town_in_division(cands: list[Candidate], fits: list[float]) -> list[float]:
    """The fits of a town cue after a great division's name (:func:`_great_division`) of
    no town of its name inside it: "a Florida town", "Ontario city" speak of a town in
    the division, not of the towns of its name elsewhere (Florida, Uruguay; Ontario,
    California), so neither gains or loses by the cue. ("Niigata city", "Homs city": the
    division holds a town of its name, which the cue means.)"""
    great = [c.place for c in cands if _great_division(c)]
    if not great or any(
        c.place.feature_class == "P" and any(_holds(g, c.place) for g in great) for c in cands
    ):
        return fits
    ids = {g.geonameid for g in great}
    return [
        0.0 if c.place.feature_class == "P" or c.place.geonameid in ids else f
        for c, f in zip(cands, fits, strict=True)
    ]


def _words_key(it: _Item) -> tuple[Any, ...]:
    span, cue = it.span, it.span.type_cue
    return (id(it.cands), span.next_text, cue, span.next_word if cue else "")


@dataclass(slots=True)
class _Rounds:
    """What every round of :func:`_score_all` reads of a report and nothing changes
    between rounds: the mentions' folded names and candidate ids, the districts their
    candidates lie in, and what was computed once for the candidate lists (facts, unit
    vectors, kinds, what the mentions' words say of them) and for the points the choices
    stood at (the distances: a round often leaves every choice where it was)."""

    names: list[str]
    ids: list[tuple[int, ...]]
    towns: dict[_Admin2, set[str]]
    districts: dict[_Admin2, set[str]]
    # Same name and candidates, same distances: one query for each distinct pair.
    wanted: dict[tuple[str, tuple[int, ...]], list[Candidate]]
    links: _Links
    words: dict[tuple[Any, ...], _Words]
    # (Kept by the lists' ids: the report's items hold every list while it is resolved.)
    pairs: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    units: dict[tuple[int, ...], np.ndarray] = field(default_factory=dict)
    pulls: dict[frozenset[Any], dict[tuple[str, tuple[int, ...]], list[float] | None]] = field(
        default_factory=dict
    )
    # The wanted lists' unit vectors in one table, made at the first distance search.
    table: _Rows | None = None
    # What each item's scores depend on besides the current choices: its name, its list
    # of candidates, what its words say of them and whether they are a type cue or "X, Y".
    settings: list[tuple[Any, ...]] = field(default_factory=list)
    # Where each name's mentions start, in the order of the text.
    starts: dict[str, list[int]] = field(default_factory=dict)
    # How much each item's country vote counts: more in the title and dateline.
    leads: list[float] = field(default_factory=list)
    last: _Round | None = None

    @classmethod
    def of(
        cls,
        items: list[_Item],
        words: dict[tuple[Any, ...], _Words],
        gaz: Gazetteer,
        w: Weights,
    ) -> _Rounds:
        names = [fold(it.span.text) for it in items]
        ids = [_kinds_of(it.cands).ids for it in items]
        towns, districts = _district_pairs(items, names)
        wanted: dict[tuple[str, tuple[int, ...]], list[Candidate]] = {}
        for name, key, it in zip(names, ids, items, strict=True):
            if it.cands:
                wanted.setdefault((name, key), it.cands)
        settings = []
        for it, name in zip(items, names, strict=True):
            contained, fits = _words_of(words, it, gaz, w)
            span = it.span
            settings.append(
                (
                    name,
                    id(it.cands),
                    id(contained),
                    id(fits),
                    span.type_cue,
                    bool(span.next_text),
                )
            )
        return cls(
            names,
            ids,
            towns,
            districts,
            wanted,
            _links(items),
            words,
            settings=settings,
            starts=_starts_by_name(items, names),
            leads=[w.lead if _in_lead(it.span) else 1.0 for it in items],
        )

    def paired(self, name: str, cands: list[Candidate]) -> list[int]:
        """The candidates (by index) that are a town in a district another name of the
        report may mean, or such a district holding a town another name may mean (see
        :func:`_district_pairs`)."""
        key = (name, id(cands))
        got = self.pairs.get(key)
        if got is None:
            facts = _facts_of(cands)
            got = self.pairs[key] = [
                k
                for other, keyed in (
                    (self.towns, facts.plain_districts),
                    (self.districts, facts.plain_towns),
                )
                if other
                for k, a2key in keyed
                if _other_than(other.get(a2key), name)
            ]
        return got

    def pulls_of(
        self, located: _Located, scale: float
    ) -> dict[tuple[str, tuple[int, ...]], list[float] | None]:
        """For the wanted lists, each candidate's pull to the nearest point another name
        stands at, exp(-km / ``scale``), None for a name with no such point; computed again
        only when the points or the names standing at them changed."""
        key = located.key
        got = self.pulls.get(key)
        if got is None:
            got = self.pulls[key] = self._pulls(located, scale)
        return got

    def _pulls(
        self, located: _Located, scale: float
    ) -> dict[tuple[str, tuple[int, ...]], list[float] | None]:
        out: dict[tuple[str, tuple[int, ...]], list[float] | None] = {}
        n = len(located.points)
        if n > _TREE_POINTS:
            for (name, ids), cands in self.wanted.items():
                km = located.nearest_km(cands, name, self.units, ids)
                out[(name, ids)] = None if km is None else _pulls(km.tolist(), scale)
            return out
        if self.table is None:
            self.table = _Rows.of(self.wanted)
        rows = self.table
        kms = located.nearest_rows(rows.units, rows.names, rows.numbers).tolist() if n else []
        for key, start, end in rows.lists:
            if n - located.only.get(key[0], 0) <= 0:
                out[key] = None
            else:
                out[key] = _pulls(kms[start:end], scale)
        return out


def _pulls(km: list[float], scale: float) -> list[float]:
    return [math.exp(-d / scale) for d in km]


@dataclass(slots=True)
class _Rows:
    """The unit vectors of a report's wanted candidate lists, one array for them all, with
    each row's name (numbered by ``numbers``) and where each list's rows are."""

    units: np.ndarray
    names: np.ndarray
    numbers: dict[str, int]
    lists: list[tuple[tuple[str, tuple[int, ...]], int, int]]

    @classmethod
    def of(
        cls,
        wanted: dict[tuple[str, tuple[int, ...]], list[Candidate]],
    ) -> _Rows:
        numbers: dict[str, int] = {}
        blocks, names, lists = [], [], []
        at = 0
        for key, cands in wanted.items():
            q = _facts_of(cands).unit_vectors(cands)
            blocks.append(q)
            names += [numbers.setdefault(key[0], len(numbers))] * len(q)
            lists.append((key, at, at + len(q)))
            at += len(q)
        table = np.concatenate(blocks) if blocks else np.empty((0, 3))
        return cls(table, np.asarray(names, dtype=np.int64), numbers, lists)


def _other_than(names: set[str] | None, name: str) -> bool:
    """Whether ``names`` holds a name other than ``name``."""
    return names is not None and (len(names) > 1 or (len(names) == 1 and name not in names))


#: A report that names a country's first-level divisions makes its other divisions
#: likelier, over a country of their name only when it names this many ("Ohio, Indiana
#: and Georgia"): one state named ("Senator Lindsey Graham of South Carolina") made
#: Georgia, beside Moldova and Moscow, the state. (Asked of every division, one named
#: state no longer made "New York" and "Maryland" beside it the states in GeoVirus:
#: acc@161 0.8111 -> 0.8101.)
OTHER_DIVISIONS = 2
#: Villages have fewer people than this (towns as many or more).
VILLAGE_POPULATION = 10_000


#: A demonym before a word of :data:`~placemap.recognize.ARMED_WORDS` says whose forces
#: act, not where: its country vote counts this much of another's.
ARMED_DEMONYM = 0.3


@dataclass(slots=True)
class _Votes:
    """What the report's current choices say, for a round of :func:`_score_all`: country
    votes in total and by name (mentions of the same name are one unknown and do not
    vote for each other; the title and dateline count more), the first-level divisions
    named surely (counted, and by country), and the second-level ones (by name)."""

    total: dict[str, float]
    by_name: dict[str, dict[str, float]]
    admin_total: dict[tuple[str | None, str | None], int]
    # A report that names a country's divisions ("Alaska, Alabama, Arizona") makes its
    # other divisions likelier too.
    divisions_named: dict[str | None, set[str]]
    admin2_names: dict[_Admin2, set[str]]
    # The first-level divisions the sure towns lie in, with the towns' names.
    admins_of_towns: dict[tuple[str | None, str | None], set[str]]
    # The countries named surely as countries or by their people ("Libya", "Pakistani";
    # not whose forces act), with the names that name them.
    countries_named: dict[str, set[str]]
    # By name: the other names' country votes, their norm, and whether any is positive.
    _others: dict[str, tuple[_OtherVotes, float, bool]] = field(default_factory=dict)
    # The countries by their votes, most first (made at the first :meth:`others`).
    _ranked: list[tuple[float, str]] | None = None

    @classmethod
    def of(
        cls,
        items: list[_Item],
        tops: list[Candidate | None],
        sure: list[tuple[float, float]],
        rounds: _Rounds,
    ) -> _Votes:
        total: dict[str, float] = defaultdict(float)
        by_name: dict[str, dict[str, float]] = {}
        admin_total: dict[tuple[str | None, str | None], int] = defaultdict(int)
        divisions_named: dict[str | None, set[str]] = defaultdict(set)
        admin2_names: dict[_Admin2, set[str]] = defaultdict(set)
        admins_of_towns: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
        countries_named: dict[str, set[str]] = defaultdict(set)
        for it, top, name, (country_sure, place_sure), lead in zip(
            items, tops, rounds.names, sure, rounds.leads, strict=True
        ):
            if top is None:
                continue
            p = top.place
            if p.country_code and country_sure > 0:
                strength = 1.0 if p.feature_code.startswith("PCL") or it.kind == "demonym" else 0.6
                if it.kind == "demonym" and it.span.next_word in ARMED_WORDS:
                    strength *= ARMED_DEMONYM
                strength *= country_sure * lead
                total[p.country_code] += strength
                own = by_name.setdefault(name, {})
                own[p.country_code] = own.get(p.country_code, 0.0) + strength
            if place_sure < CONFIDENT:
                continue
            if (
                p.country_code
                and (p.feature_code.startswith("PCL") or it.kind == "demonym")
                and it.span.next_word not in ARMED_WORDS
            ):
                countries_named[p.country_code].add(name)
            if p.feature_code == "ADM1":
                admin_total[(p.country_code, p.admin1_code)] += 1
                divisions_named[p.country_code].add(name)
            elif p.feature_code == "ADM2" and p.admin2_code:
                admin2_names[_admin2_key(p)].add(name)
            elif p.feature_class == "P" and p.admin1_code and it.kind != "demonym":
                admins_of_towns[(p.country_code, p.admin1_code)].add(name)
        return cls(
            total,
            by_name,
            admin_total,
            divisions_named,
            admin2_names,
            dict(admins_of_towns),
            dict(countries_named),
        )

    def others(self, name: str) -> tuple[_OtherVotes, float, bool]:
        """The country votes of the names other than ``name``, their norm (the most any
        country has, at least 1) and whether any is positive."""
        got = self._others.get(name)
        if got is None:
            own = self.by_name.get(name) or {}
            if self._ranked is None:
                self._ranked = sorted(((v, cc) for cc, v in self.total.items()), reverse=True)
            # The most: a country's of the name's own, less its votes, or the first other.
            most = max(
                (self.total[cc] - s for cc, s in own.items()),
                default=next((v for v, cc in self._ranked if cc not in own), 0.0),
            )
            if own:
                most = max(most, next((v for v, cc in self._ranked if cc not in own), most))
            got = self._others[name] = (
                _OtherVotes(self.total, own),
                max(most, 1.0),
                most > 0,
            )
        return got


class _OtherVotes:
    """The country votes of all names but one: the report's ``total`` less the name's
    ``own``, read without a copy for each name (a report of 64,000 names once held 64,000
    copies of its countries' votes)."""

    __slots__ = ("total", "own")

    def __init__(self, total: dict[str, float], own: dict[str, float]) -> None:
        self.total, self.own = total, own

    def get(self, cc: str, default: float = 0.0) -> float:
        v = self.total.get(cc)
        if v is None:
            return default
        s = self.own.get(cc)
        return v if s is None else v - s

    def positive_sum(self) -> float:
        """The sum of the votes above 0."""
        return sum(v for cc in self.total if (v := self.get(cc)) > 0)


@dataclass(slots=True)
class _Context:
    """The scores of a name's candidates in a round, the prior plus the context features
    (see :data:`_Features`), and what they were summed from: the country feature by
    country (``adjusted`` where a spelling guess lost some), the neighbour feature by
    country (None where it does not apply), the admin features of the candidates that
    have one, and the pull of the places near each (None: none)."""

    scores: list[float]
    facts: _Facts
    country: dict[str, float]
    adjusted: dict[int, float]
    neighbour: dict[str, float] | None
    admin1: dict[int, float]
    admin2: dict[int, float]
    pull: list[float] | None
    distance_weight: float
    # The admin1 feature of divisions named as their capital, given in lists only.
    withheld: dict[int, float]

    def features(self, k: int) -> tuple[float, float | None, float, float, float | None]:
        """Candidate ``k``'s country, neighbour, admin1, admin2 and distance features."""
        cc = self.facts.countries[k]
        distance = None
        if not self.facts.areas[k]:
            distance = self.distance_weight * (self.pull[k] if self.pull is not None else 0.0)
        return (
            self.adjusted.get(k, self.country[cc]),
            self.neighbour.get(cc) if self.neighbour is not None else None,
            self.admin1.get(k, 0.0),
            self.admin2.get(k, 0.0),
            distance,
        )

    def local(self) -> list[bool]:
        """Whether the text places each candidate in a named division (before the
        mention's own words are read)."""
        return [self.admin2.get(k, 0.0) > 0 for k in range(len(self.scores))]


def _current(items: list[_Item]) -> tuple[list[Candidate | None], list[tuple[float, float]]]:
    """Each item's current choice and how sure it is (:func:`_certainty`), worked out
    once for each list of scores (items scored alike share theirs)."""
    seen: dict[tuple[int, int], tuple[Candidate | None, tuple[float, float]]] = {}
    tops, sure = [], []
    for it in items:
        key = (id(it.cands), id(it.scores))
        got = seen.get(key)
        if got is None:
            top = it.top
            got = seen[key] = (top, (0.0, 0.0) if top is None else _certainty(it))
        tops.append(got[0])
        sure.append(got[1])
    return tops, sure


def _score_all(
    items: list[_Item], gaz: Gazetteer, w: Weights, explain: bool, rounds: _Rounds
) -> None:
    """Score every item's candidates from the prior and the other items' current choices.

    Linear in the number of items: the votes of all mentions of a name are summed once
    per name, distances come from one nearest-point search per distinct name and
    candidate list, the context of a name's candidates is scored once (:func:`_context`),
    and what a mention's own words add to it once for each setting they stand in. A
    round whose choices are those of the round before (and as sure) has its context."""
    # How sure each current choice is: only sure choices lend context, so that doubtful
    # picks cannot pull each other into a cluster of homonyms (a report about Syria that
    # also names Washington and Geneva put every "Palmyra" in New York).
    tops, sure = _current(items)
    choices = (tuple(map(id, tops)), tuple(sure))
    last = rounds.last
    if last is None or last.choices != choices:
        last = rounds.last = _Round.of(items, tops, sure, choices, w, rounds)
    names, settings, contexts = rounds.names, rounds.settings, last.contexts
    listed, holders = last.listed, rounds.links.holders
    done: dict[tuple[Any, ...], tuple[list[float], _Why | None]] = {}
    for idx, it in enumerate(items):
        top = tops[idx]
        own_admin = None
        if top is not None and top.place.feature_code == "ADM1":
            own_admin = (top.place.country_code, top.place.admin1_code)
        kind_listed, held = listed.get(idx), holders.get(idx, frozenset())
        key = (settings[idx], own_admin, kind_listed, held)
        got = done.get(key)
        if got is None:
            name = names[idx]
            ckey = (name, id(it.cands), own_admin)
            ctx = contexts.get(ckey)
            if ctx is None:
                ids = rounds.ids[idx]
                ctx = contexts[ckey] = _context(
                    it,
                    name,
                    own_admin,
                    last.votes,
                    rounds,
                    gaz,
                    w,
                    last.pulls.get((name, ids)),
                    last.pulls_doubtful.get((name, ids)),
                )
            words = _words_of(rounds.words, it, gaz, w)
            got = done[key] = _with_words(
                it, ctx, words, rounds, idx, kind_listed, held, w, explain
            )
        it.scores, it.why = got


@dataclass(slots=True)
class _Round:
    """What a round of :func:`_score_all` reads of the current choices (``choices``: each
    item's choice and how sure it is): the votes, the kinds of the lists the items stand
    in, the pulls of the sure and of the doubtful choices' points, and the contexts of
    the names' candidates, by name, list and the division the item stands for."""

    choices: tuple[Any, ...]
    votes: _Votes
    listed: dict[int, str]
    pulls: dict[tuple[str, tuple[int, ...]], list[float] | None]
    pulls_doubtful: dict[tuple[str, tuple[int, ...]], list[float] | None]
    # Where the sure choices that are towns stand, with where their mentions start, in
    # the order of the text (see :meth:`near_towns`).
    town_points: list[tuple[str, tuple[float, float]]]
    town_starts: list[int]
    contexts: dict[tuple[str, int, Any], _Context] = field(default_factory=dict)
    # All the sure towns, for the names that ask of all (made at the first).
    towns: _Located | None = None
    # (By name and list: the mentions of a name ask again in each setting.)
    near: dict[tuple[str, int, float, bool], list[bool]] = field(default_factory=dict)

    def near_towns(
        self, cands: list[Candidate], name: str, km: float, starts: list[int] | None = None
    ) -> list[bool]:
        """Whether each candidate lies within ``km`` of a town that another name of the
        report surely stands for; with ``starts`` (where the name's mentions start), one
        named within :data:`NEAR_TOWN_CHARS` of one of them."""
        key = (name, id(cands), km, starts is None)
        got = self.near.get(key)
        if got is None:
            if starts is None:
                if self.towns is None:
                    self.towns = _Located(self.town_points)
                located = self.towns
            else:
                at = self.town_starts
                picked: set[int] = set()
                for a in starts:
                    lo = bisect_left(at, a - NEAR_TOWN_CHARS)
                    hi = bisect_right(at, a + NEAR_TOWN_CHARS)
                    picked.update(range(lo, hi))
                located = _Located(self.town_points[k] for k in sorted(picked))
            found = located.nearest_km(cands, name)
            got = [False] * len(cands) if found is None else [d <= km for d in found.tolist()]
            self.near[key] = got
        return got

    @classmethod
    def of(
        cls,
        items: list[_Item],
        tops: list[Candidate | None],
        sure: list[tuple[float, float]],
        choices: tuple[Any, ...],
        w: Weights,
        rounds: _Rounds,
    ) -> _Round:
        names = rounds.names
        # Where the sure choices stand, and where the doubtful ones do: a doubtful choice
        # lends a candidate near it only part of the pull (DOUBTFUL_PULL).
        points: list[tuple[str, tuple[float, float]]] = []
        doubtful: list[tuple[str, tuple[float, float]]] = []
        towns: list[tuple[int, str, tuple[float, float]]] = []
        for it, name, t, (_, place_sure) in zip(items, names, tops, sure, strict=True):
            if t is not None and t.place.feature_code not in _AREA_CODES:
                pt = (name, (t.place.lat, t.place.lon))
                (points if place_sure >= CONFIDENT else doubtful).append(pt)
                if place_sure >= CONFIDENT and t.place.feature_class == "P":
                    towns.append((it.span.start, *pt))
        towns.sort(key=itemgetter(0))
        located, located_doubtful = _Located(points), _Located(doubtful)
        return cls(
            choices,
            _Votes.of(items, tops, sure, rounds),
            _lists(rounds.links, tops, sure),
            rounds.pulls_of(located, w.distance_scale_km),
            rounds.pulls_of(located_doubtful, w.distance_scale_km),
            [(name, pt) for _, name, pt in towns],
            [at for at, _, _ in towns],
        )


def _context(
    it: _Item,
    name: str,
    own_admin: tuple[str | None, str | None] | None,
    votes: _Votes,
    rounds: _Rounds,
    gaz: Gazetteer,
    w: Weights,
    pull: list[float] | None,
    pull_doubtful: list[float] | None,
) -> _Context:
    """The context features of an item's candidates and their sum with the priors,
    summed in the order the reasons list them: features that depend on the country
    worked out once a country, the admin features only for the candidates in a division
    the report names. ``own_admin`` is the first-level division the item itself stands
    for now, which lends it no context; ``pull`` and ``pull_doubtful`` come from the sure
    and the doubtful choices' points."""
    facts = _facts_of(it.cands)
    countries = facts.countries
    others, norm, focused = votes.others(name)
    shares = {cc: others.get(cc, 0.0) / norm for cc in facts.country_set}
    country = {cc: w.country * share for cc, share in shares.items()}
    scores = [p + country[cc] for p, cc in zip(it.priors, countries, strict=True)]
    adjusted = {}
    if focused:
        for k in facts.guesses:
            share = shares[countries[k]]
            if share < FOCUS_SHARE:
                # A spelling guess outside the countries the report is about: the report
                # names its places' countries, and a loose key joins names world-wide.
                adjusted[k] = country[countries[k]] - LOOSE_PENALTY * w.country * (1.0 - share)
                scores[k] = it.priors[k] + adjusted[k]
    neighbour = None
    if w.neighbour and not any(others.get(cc, 0.0) > 0 for cc in facts.country_set):
        # No candidate lies in a country the report names; one bordering them is
        # likelier: Gaza in a report that names only Israel.
        neighbour = {
            cc: w.neighbour
            * max((others.get(n, 0.0) for n in gaz.neighbours(cc)), default=0.0)
            / norm
            for cc in facts.country_set
            if cc
        }
        scores = [s + neighbour[cc] if cc else s for s, cc in zip(scores, countries, strict=True)]
    # The first-level divisions named surely, by another mention than this one (a named
    # division's other divisions: by another name).
    admin1: dict[int, float] = {}
    for akey, n_admin in votes.admin_total.items():
        if n_admin - (1 if akey == own_admin else 0) > 0:
            for k in facts.by_admin1.get(akey, ()):
                admin1[k] = w.admin1
    withheld: dict[int, float] = {}
    if votes.divisions_named:
        # (a list of them, where the name is a country's too: see OTHER_DIVISIONS)
        need = OTHER_DIVISIONS if any(c.place.feature_code == "PCLI" for c in it.cands) else 1
        for k, cc in facts.divisions:
            if len(votes.divisions_named.get(cc, set()) - {name}) >= need:
                # A division named as its country's capital ("Washington", "Kabul",
                # "Lima") is not made likelier by the other divisions a report names
                # (a report on Ukraine that names Texas asks Washington, the capital,
                # for help), unless it stands in a list of them (see _with_words).
                (withheld if k in facts.capital_namesakes else admin1)[k] = w.admin1
    # Where a named division lifts some of the candidates, the divisions of the sure towns
    # count as named too for villages ("near Ivanivske, southwest of Bakhmut": Bakhmut's
    # oblast), so that an oblast named in another sentence does not draw every namesake
    # village into it over the one beside the town (the distance feature then decides).
    if admin1:
        for akey, towns in votes.admins_of_towns.items():
            if _other_than(towns, name):
                for k in facts.by_admin1.get(akey, ()):
                    p = it.cands[k].place
                    if p.feature_class == "P" and p.population < VILLAGE_POPULATION:
                        admin1[k] = w.admin1
    for k, a in admin1.items():
        scores[k] += a
    # A named second-level division ("Catanduanes", "Contra Costa County") holds the
    # place, and is named by another name than this mention's; a district that another
    # name may mean holds this town, or the other way.
    admin2: dict[int, float] = {}
    for a2key, named in votes.admin2_names.items():
        if _other_than(named, name):
            for k in facts.by_admin2.get(a2key, ()):
                admin2[k] = w.admin2
    for k in rounds.paired(name, it.cands):
        admin2[k] = max(admin2.get(k, 0.0), w.district_pair)
    for k, a in admin2.items():
        scores[k] += a
    if pull_doubtful is not None:
        pull = [
            max(p, DOUBTFUL_PULL * d)
            for p, d in zip(pull or [0.0] * len(scores), pull_doubtful, strict=True)
        ]
    if pull is not None:
        wd = w.distance
        if facts.any_area:
            scores = [
                s if area else s + wd * p
                for s, p, area in zip(scores, pull, facts.areas, strict=True)
            ]
        else:
            scores = [s + wd * p for s, p in zip(scores, pull, strict=True)]
    return _Context(
        scores, facts, country, adjusted, neighbour, admin1, admin2, pull, w.distance, withheld
    )


def _with_words(
    it: _Item,
    ctx: _Context,
    words: _Words,
    rounds: _Rounds,
    idx: int,
    kind_listed: str | None,
    held: frozenset[int],
    w: Weights,
    explain: bool,
) -> tuple[list[float], _Why | None]:
    """An item's scores, and why when it must ``explain``: its context (``ctx``) with
    what its own ``words`` add (containment: "X, Syria" or a list's "X, Y" whose Y holds
    X, unless the item stands in a list of siblings, ``kind_listed``; the type cue, and
    the kind of its list), after the rules between kinds of place."""
    contained, fits = words
    scores = ctx.scores
    n = len(scores)
    if (
        kind_listed is not None
        and it.span.prev_word in _LIST_JOINS
        and kind_listed not in _facts_of(it.cands).list_codes
    ):
        # The last item of a list, of no candidate of the list's kind, with a name after
        # its comma: no sibling of the list ("in Cairo, Egypt, and Athens, Greece": Athens
        # stands between two countries, and "Athens, Greece" still says which Athens).
        # ("Italy, England, USA" is a list all the same: England is one of it.)
        kind_listed = None
    containment: list[float] | None = None
    if kind_listed is None and (held or contained is not None):
        ids = rounds.ids[idx]
        containment = [
            w.containment if ids[k] in held or (contained is not None and contained[k]) else 0.0
            for k in range(n)
        ]
        scores = [s + c for s, c in zip(scores, containment, strict=True)]
    types = fits
    if kind_listed is not None:
        # A list of siblings says what kind they are.
        codes = _facts_of(it.cands).list_codes
        types = [
            t + w.type_cue + ctx.withheld.get(k, 0.0) if code == kind_listed else t
            for k, (t, code) in enumerate(zip(fits or [0.0] * n, codes, strict=True))
        ]
    if types is not None:
        scores = [s + t for s, t in zip(scores, types, strict=True)]
    local = None
    if _reads_local(it):
        local = ctx.local()
        if containment is not None:
            local = [lc or c > 0 for lc, c in zip(local, containment, strict=True)]
        kinds = _kinds_of(it.cands)
        if kinds.world_city and rounds.last is not None:
            # A town that shares a world city's name is placed by the towns the text
            # names near it too, and by its state named again and again ("London"
            # beside Corbin and Somerset is London, Kentucky; "Paris" in a report that
            # names Illinois five times is Paris, Illinois; beside a state named in
            # passing it is London, or Paris).
            last = rounds.last
            # A wire dateline names a city the world knows, or a town its readers know,
            # whose state the report then names again and again (an AP state wire's
            # "LEBANON (AP) -" in a report on an Ohio trial); the towns of the body do not
            # place it ("B-2 bombers flew from Whiteman Air Force Base in Missouri" is no
            # Washington, Missouri).
            near = [False] * n if it.span.dateline else _near_towns(it, rounds, idx, last)
            admins = last.votes.admin_total
            times = kinds.state_times
            # (A town the name calls only by another of its names, its state named once
            # more: "Frankfurt" in a report naming Kansas once is no Frankfort, Kansas.)
            local = [
                lc
                or n
                or admins.get((c.place.country_code, c.place.admin1_code), 0)
                >= times + (c.match == "alternate")
                for lc, n, c in zip(local, near, it.cands, strict=True)
            ]
            named = last.votes.countries_named
            name = rounds.names[idx]
            capital_of = [cc for cc in kinds.capital_countries if _other_than(named.get(cc), name)]
            if capital_of:
                # (but not over a namesake in a division the report names, "Paris, a
                # city in Henry County, Tennessee... named after Paris, France", unless
                # the name is only a former or foreign one of it)
                placed = [
                    (lc or admins.get((c.place.country_code, c.place.admin1_code), 0) > 0)
                    and not _lone_other_name(c)
                    for lc, c in zip(ctx.local(), it.cands, strict=True)
                ]
                scores = _capital_over_namesakes(
                    it.cands, scores, placed, containment, capital_of, w
                )
                # (and the capital is placed by its country: no world city or great
                # division of its name is lifted over it)
                local = [
                    lc or (c.place.feature_code == "PPLC" and c.place.country_code in capital_of)
                    for lc, c in zip(local, it.cands, strict=True)
                ]
    why = _Why(ctx, containment, types) if explain else None
    return _ranked_by_kind(it, scores, local, w, kind_listed), why


def _near_towns(it: _Item, rounds: _Rounds, idx: int, last: _Round) -> list[bool]:
    """Whether each candidate of a world city's name lies near a town the report surely
    names (:data:`NEAR_TOWN_KM`): one named near the name in the text, or anywhere in a
    report mostly about the candidate's country (:data:`LOCAL_SHARE` of its country
    votes). A report on strikes on Iran that names "Whiteman Air Force Base in Missouri"
    places no Vienna in Missouri four paragraphs on; a report on South Carolina that names
    Ravenel places Florence in South Carolina anywhere."""
    name = rounds.names[idx]
    near = last.near_towns(it.cands, name, NEAR_TOWN_KM, rounds.starts[name])
    if all(near):
        return near
    others, _, _ = last.votes.others(name)
    total = others.positive_sum()
    local = [
        total > 0 and others.get(c.place.country_code or "", 0.0) >= LOCAL_SHARE * total
        for c in it.cands
    ]
    if not any(local):
        return near
    anywhere = last.near_towns(it.cands, name, NEAR_TOWN_KM)
    return [a or (b and lc) for a, b, lc in zip(near, anywhere, local, strict=True)]


def _capital_over_namesakes(
    cands: list[Candidate],
    scores: list[float],
    placed: list[bool],
    containment: list[float] | None,
    capital_of: list[str],
    w: Weights,
) -> list[float]:
    """The capital of a country the report names outright (as a country or by its people)
    outranks the towns of its name in other countries, however much context they have,
    unless the mention's own words place them ("Tripoli" in a report on migrants from
    Libya is Libya's, not Tripoli, Greece, beside Pylos and Kalamata; "its foreign
    ministry in Islamabad" after "Pakistan denied..." is no Anantnag, once called
    Islamabad, beside Srinagar), and so do its namesake divisions ("Victoria, the capital
    of the Seychelles" is no state of Australia). Towns in the capital's own country, and
    those in a division the report names (``placed``), are left to the context."""
    top = (
        max(
            s
            for c, s in zip(cands, scores, strict=True)
            if c.place.feature_code == "PPLC" and c.place.country_code in capital_of
        )
        - w.prominence
    )
    return [
        min(s, top)
        if c.place.feature_class in ("P", "A")
        and c.place.country_code not in capital_of
        and not (c.place.feature_class == "P" and placed[k])
        and not (containment is not None and containment[k] > 0)
        else s
        for k, (c, s) in enumerate(zip(cands, scores, strict=True))
    ]


def _score_priors(
    items: list[_Item],
    gaz: Gazetteer,
    w: Weights,
    words: dict[tuple[Any, ...], _Words],
    explain: bool = False,
) -> None:
    """The first round of :func:`_score_all`, before any choice: no mention lends
    another context yet, so a candidate's score is its prior plus what the mention's
    own words say ("X, Syria", "X province"); every other feature of that round is 0
    and adds nothing. Mentions with the same candidates and words are scored once.
    This is also every round of a lone mention (nothing else lends it context), whose
    reasons ``explain`` keeps. ``words`` keeps what the mentions' words say
    (:func:`_words_of`)."""
    done: dict[tuple[Any, ...], tuple[list[float], _Why | None]] = {}
    for it in items:
        contained, fits = _words_of(words, it, gaz, w)
        span = it.span
        key = (id(it.cands), id(contained), id(fits), span.type_cue, bool(span.next_text))
        got = done.get(key)
        if got is None:
            scores, n = it.priors, len(it.priors)
            containment = None
            if contained is not None:
                containment = [w.containment if k else 0.0 for k in contained]
                scores = [s + c for s, c in zip(scores, containment, strict=True)]
            if fits is not None:
                scores = [s + t for s, t in zip(scores, fits, strict=True)]
            # (The context features of the later rounds are all 0.)
            why = _Why(None, containment, fits) if explain else None
            local = contained or [False] * n
            got = done[key] = (_ranked_by_kind(it, scores, local, w), why)
        it.scores, it.why = got


def _ranked_by_kind(
    it: _Item,
    scores: list[float],
    local: list[bool] | None,
    w: Weights,
    kind_listed: str | None = None,
) -> list[float]:
    """The scores after the rules between kinds of place (a town over the division of its
    name, a country over its capital, a country over small towns of its name), which
    apply when no type word says what kind the mention is. ``local`` says which
    candidates the text places in a named division (needed where :func:`_reads_local`).
    A list of divisions says the kind as a type word does: "fires across Quebec and
    British Columbia" are in the province, not Quebec City (``kind_listed``, see
    :func:`_lists`)."""
    if it.span.type_cue is not None:
        if it.span.dateline and local is not None:
            # (a dateline's cue, "town", is the dateline's: its world city is lifted)
            return _prominent_over_towns(it.cands, scores, w, local)
        return scores
    # (Each rule changes nothing where its kind of candidate is absent: a list's kinds
    # are looked at once.)
    kinds = _kinds_of(it.cands)
    if kinds.namesakes and kind_listed not in DIVISION_CODES:
        scores = city_over_division(it.cands, scores, kinds.namesakes)
    if kinds.capitals:
        scores = country_over_capital(it.cands, scores, kinds.capitals)
    if kinds.prominent:
        # (A name after its comma places a town only when it holds it, "Cairo,
        # Illinois": ``local``; not in a list, "Cairo, Doha and Tel Aviv".)
        assert local is not None
        scores = _prominent_over_towns(it.cands, scores, w, local)
    return scores


def _reads_local(it: _Item) -> bool:
    """Whether :func:`_ranked_by_kind` reads which candidates the text places in a named
    division: :func:`_prominent_over_towns` applies."""
    return (it.span.type_cue is None or it.span.dateline) and _kinds_of(it.cands).prominent


#: Places whose kind a list of siblings tells ("Arizona, California, Colorado"; "Syria,
#: Iraq and Jordan"): first- and second-level divisions and countries.
_LIST_CODES = frozenset({"ADM1", "ADM2"})
# Words that join the last item of a list, and the most characters between two items so
# joined (", and ").
_LIST_JOINS = frozenset({"and", "or"})
_LIST_GAP = 6
# The most characters between a place and the one holding it in "X in Y" or "X, a city of
# about a million people in southern Y".
_WITHIN_GAP = 80


def _list_code(p: Place) -> str | None:
    code = p.feature_code
    if code.startswith("PCL"):
        return "PCL"
    return code if code in _LIST_CODES else None


@dataclass(slots=True)
class _Links:
    """How the mentions stand in the text, by item index: the next and the previous item
    of a list or of "X, Y" (``nxt``, ``prv``), and for "X, Y" the candidates of Y that
    hold a candidate of X (``holders``: "Mississauga, Ontario" names the province, not
    Ontario, California). The same in every round (see :func:`_lists`)."""

    nxt: dict[int, int]
    prv: dict[int, int]
    holders: dict[int, frozenset[int]]
    # The items linked to the one before by "and" or "or" (not by a comma).
    joined: frozenset[int] = frozenset()


#: The kinds that a pair ("Russia and Georgia", "Georgia or Florida", "Isabela and
#: Cagayan") says, as a list of three does any kind: countries, states and provinces
#: (second-level divisions), whose names other kinds share.
_PAIR_CODES = frozenset({"PCL", "ADM1", "ADM2"})


def _lists(
    links: _Links, tops: list[Candidate | None], sure: list[tuple[float, float]]
) -> dict[int, str]:
    """The kind of list an item stands in, by item index: "Illinois, Missouri, New
    Jersey" is a list of states when the items around "Missouri" (or the two after the
    first, or the two before the last) are surely states; an item in a list is no "X, Y"
    containment."""
    nxt, prv = links.nxt, links.prv

    def code(k: int) -> str | None:
        t = tops[k]
        return None if t is None or sure[k][1] < CONFIDENT else _list_code(t.place)

    kinds: dict[int, str] = {}
    for k in prv.keys() | nxt.keys():  # (an item linked to none is in no list)
        before, after = prv.get(k), nxt.get(k)
        if before is not None and after is not None:
            pair = (before, after)
        elif after is not None and after in nxt:
            pair = (after, nxt[after])
        elif before is not None and before in prv:
            pair = (before, prv[before])
        else:
            # A pair alone: "Russia and Georgia" is a pair of countries when Russia is
            # surely one (one Georgia is; in a report naming the United States, the
            # state was taken).
            other = before if before is not None else after
            joined = k in links.joined if before is not None else after in links.joined
            kind = code(other) if other is not None and joined else None
            if kind in _PAIR_CODES:
                kinds[k] = kind
            continue
        kind = code(pair[0])
        if kind is not None and kind == code(pair[1]):
            kinds[k] = kind
    return kinds


def _links(items: list[_Item]) -> _Links:
    """The links of :class:`_Links`. Linear: each item is linked to the one after it at
    most."""
    order = sorted(range(len(items)), key=lambda k: items[k].span.start)
    nxt: dict[int, int] = {}
    prv: dict[int, int] = {}
    holders: dict[int, frozenset[int]] = {}
    joined: set[int] = set()
    for a, b in zip(order, order[1:], strict=False):
        sa, sb = items[a].span, items[b].span
        comma = sb.after_comma_name and sa.next_text == sb.text
        join = sb.prev_word in _LIST_JOINS and 0 < sb.start - sa.end <= _LIST_GAP
        if comma or join:
            nxt[a], prv[b] = b, a
            if join and not comma:
                joined.add(b)
        # "Madaya in Syria", "Bahawalpur, in Punjab province" (see the pipeline's
        # ``_within_said``) name the place holding X as "X, Y" does, and make no list.
        within = not comma and sa.next_text == sb.text and 0 < sb.start - sa.end <= _WITHIN_GAP
        if comma or within:
            held = frozenset(
                q.place.geonameid for q in items[b].cands if _held_by(q.place, items[a].cands)
            )
            if held:
                holders[b] = held
    return _Links(nxt, prv, holders, frozenset(joined))


_Admin2 = tuple[str | None, str | None, str | None]


def _district_pairs(
    items: list[_Item], names: list[str]
) -> tuple[dict[_Admin2, set[str]], dict[_Admin2, set[str]]]:
    """The second-level divisions that hold a candidate town of the report's names, and
    those that are candidates themselves, each with the names that point there (names
    matched as written). A town and a district holding it that two names of a report may
    mean lend each other weight even when neither is sure: "Paris" and "Henry County" are
    Paris and Henry County, Tennessee."""
    towns: dict[_Admin2, set[str]] = defaultdict(set)
    districts: dict[_Admin2, set[str]] = defaultdict(set)
    seen: set[tuple[str, int]] = set()
    for it, name in zip(items, names, strict=True):
        if (name, id(it.cands)) in seen:
            continue
        seen.add((name, id(it.cands)))
        facts = _facts_of(it.cands)
        for _, a2key in facts.plain_districts:
            districts[a2key].add(name)
        for _, a2key in facts.plain_towns:
            towns[a2key].add(name)
    return towns, districts


#: Loose matches (a spelling guess) outside the countries with at least this share of the
#: report's country votes lose what a candidate in them would gain.
FOCUS_SHARE = 0.25
# (Twice the country weight: measured on the gold spans, it cost LGL 0.1 and GeoCorpora
# 0.2 points of acc@161, misspelt tweets mostly, and keeps lone spelling guesses in other
# countries off the maps.)
LOOSE_PENALTY = 2.0
#: A choice lends place context (distance, named divisions) when its share of the
#: candidates' softmax is at least this.
CONFIDENT = 0.6
#: The share of the distance feature that a doubtful choice lends a candidate near it.
DOUBTFUL_PULL = 0.5
#: Mentions this close to the start of a text are in its title or lead.
LEAD_CHARS = 200
#: Capitals, and cities at least this large, outrank small towns of their name that
#: the text does not place (see :func:`_prominent_over_towns`).
WORLD_CITY_POPULATION = 1_000_000
#: A city this large with this many names in the index (in the world's languages:
#: Geneva 52, Florence 73, where Geneva, Illinois has 12) is a world city too. (Lyon,
#: with 43, is not: 150,000 people and 40 names sent Hamilton, Ohio, to New Zealand.)
KNOWN_CITY_POPULATION = 200_000
KNOWN_CITY_NAMES = 50
#: A town this close to one the report surely names is placed by it (Paris, Texas,
#: 150 km from Dallas; London, California, 290 km from Los Angeles, is not).
NEAR_TOWN_KM = 200.0
#: ... and named this close in the text to one of the town's mentions (one paragraph or
#: two): a report on strikes on Iran that names "Whiteman Air Force Base in Missouri"
#: places no Vienna in Missouri four paragraphs on.
NEAR_TOWN_CHARS = 1000
#: ... or anywhere in a report that gives its country this share of its country votes.
LOCAL_SHARE = 0.5


def _starts_by_name(items: list[_Item], names: list[str]) -> dict[str, list[int]]:
    """Where each name's mentions start, in the order of the text."""
    out: dict[str, list[int]] = {}
    for it, name in zip(items, names, strict=True):
        out.setdefault(name, []).append(it.span.start)
    for starts in out.values():
        starts.sort()
    return out


def _in_lead(span: Span) -> bool:
    return span.dateline or span.start < LEAD_CHARS


def _certainty(it: _Item) -> tuple[float, float]:
    """How sure an item's current choice is, (of its country, of its place), in [0, 1]:
    the choice's share of a sharp softmax over the candidates' scores; the country is
    sure when all candidates lie in one country ("Homs": the city or the governorate)."""
    if len(it.cands) <= 1:
        return 1.0, 1.0
    m = max(it.scores)
    exps = [math.exp((s - m) / _SOFTMAX_TEMP) for s in it.scores]
    share = 1.0 / sum(exps)  # the best's term is exp(0) = 1
    one_country = _facts_of(it.cands).one_country
    return (1.0 if one_country else share), share


def _prominent(c: Candidate) -> bool:
    """A country, a world city or a first-level division of a world city's people named
    exactly (see :func:`_prominent_over_towns`)."""
    p = c.place
    return (
        c.similarity >= 0.95
        and c.match in ("exact", "folded", "alternate")
        and (p.feature_code.startswith("PCL") or _world_city(c) or _great_division(c))
    )


def _great_division(c: Candidate) -> bool:
    """A first-level division of :data:`WORLD_CITY_POPULATION` people named as it is
    called ("Scotland", "Bavaria", "Punjab"): as well known as a world city, and its
    namesake towns as placed by the text (Scotland, Pennsylvania, beside a report's
    Arrochar, New York, is not)."""
    return (
        c.place.feature_code == "ADM1"
        and c.place.population >= WORLD_CITY_POPULATION
        and c.match in ("exact", "folded")
    )


def _world_city(c: Candidate, known: bool = True) -> bool:
    """A capital of a town's size or more, a city of a million, or (with ``known``) a
    city known the world over (:data:`KNOWN_CITY_NAMES`), named exactly or by a name it
    is commonly known by (not "Salisbury", once the name of Harare)."""
    p = c.place
    return (
        p.feature_class == "P"
        and (
            p.population >= WORLD_CITY_POPULATION
            or (p.feature_code == "PPLC" and p.population >= SMALL_TOWN_POPULATION)
            or (known and p.population >= KNOWN_CITY_POPULATION and p.names >= KNOWN_CITY_NAMES)
        )
        and c.similarity >= 0.95
        and (c.match in ("exact", "folded") or (c.match == "alternate" and exonym_score(c) >= 1.0))
    )


def _lone_other_name(c: Candidate) -> bool:
    """Matched by one of a place's other names that few of its names spell: a former or
    a foreign name ("Islamabad", once a name of Anantnag), not how it is known."""
    return c.match == "alternate" and exonym_score(c) == 0.0


def _prominent_over_towns(
    cands: Sequence[Candidate], scores: list[float], w: Weights, local: list[bool]
) -> list[float]:
    """A country or a world city named exactly (:func:`_prominent`) outranks small towns
    of the same name elsewhere, whatever the report's other places ("Egypt" in a report
    from Georgia is the country, not Egypt, Georgia; "London" in a report that names
    Arkansas is London), unless the text places the town (``local``: in a division it
    names, "Palestine" in a report about Anderson County, Texas, is the town there; for a
    world city's namesakes also near a town it names, or in a state it names twice, see
    :func:`_with_words`). (Extended to world cities without those exceptions, this rule
    lowered LGL acc@161 from 0.779 to 0.755 and WikToR from 0.692 to 0.624; with them, on
    the gold spans, LGL 0.8498 -> 0.8469 and WikToR 0.7246 -> 0.7243.)"""

    prominent = _prominent

    if not any(prominent(c) for c in cands):
        return scores
    towns = [
        c.place.feature_class == "P"
        and not lc
        and not prominent(c)
        and (c.place.population < SMALL_TOWN_POPULATION or _lone_other_name(c))
        for c, lc in zip(cands, local, strict=True)
    ]
    best_town = max((s for s, t in zip(scores, towns, strict=True) if t), default=None)
    if best_town is None:
        return scores
    best_prominent = max(s for c, s in zip(cands, scores, strict=True) if prominent(c))
    if any(
        c.place.feature_class != "P" and not prominent(c) and s >= max(scores) - 0.05
        for c, s in zip(cands, scores, strict=True)
    ):
        # A division or a feature competes, and the context decides between it and
        # the prominent place ("Washington" the state or the capital); the small towns
        # go below the prominent place (not Washington, Georgia, in a report that
        # names Georgia).
        top = best_prominent - w.prominence
        return [min(s, top) if t else s for s, t in zip(scores, towns, strict=True)]
    # Raised together, in their order (Alexandria in Egypt before Mashhad, which
    # GeoNames also calls Alexandria).
    lift = best_town + w.prominence - best_prominent
    if lift <= 0:
        return scores
    return [s + lift if prominent(c) else s for c, s in zip(cands, scores, strict=True)]


_EARTH_KM = 6371.0088
# Above this many distinct points a k-d tree finds the nearest; below, one numpy pass.
_TREE_POINTS = 256
# Distances computed at once for at most about this many (candidate, point) pairs.
_BLOCK_CELLS = 65_536


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


# The unit vectors of the candidate lists and of the points met lately, by their
# coordinates: the same names, and so the same lists, recur in report after report.
UNIT_CACHE_SIZE = 20_000


@lru_cache(maxsize=UNIT_CACHE_SIZE)
def _candidate_units(lats: tuple[float, ...], lons: tuple[float, ...]) -> np.ndarray:
    q = _unit(np.asarray(lats, dtype=float), np.asarray(lons, dtype=float))
    q.flags.writeable = False
    return q


@lru_cache(maxsize=UNIT_CACHE_SIZE)
def _point_units(points: tuple[tuple[float, float], ...]) -> np.ndarray:
    arr = np.asarray(points, dtype=float)
    xyz = _unit(arr[:, 0], arr[:, 1])
    xyz.flags.writeable = False
    return xyz


class _Located:
    """The points the report's mentions currently stand at, each with the names that
    stand there, for the distance from a candidate to the nearest place named by
    another name. Exact either way: brute force for a few points, a k-d tree over unit
    vectors for many (a report naming thousands of places stays linear-logarithmic)."""

    def __init__(self, named_points: Iterable[tuple[str, tuple[float, float]]]) -> None:
        # The points with the names standing at each: equal keys, equal distances.
        self.key = frozenset(named_points)
        owners: dict[tuple[float, float], set[str]] = {}
        for name, pt in self.key:
            owners.setdefault(pt, set()).add(name)
        self.points = sorted(owners)
        self.owners = [owners[p] for p in self.points]
        # Points no other name stands at, by name: the ones a query must skip.
        self.only: dict[str, int] = defaultdict(int)
        for names in self.owners:
            if len(names) == 1:
                self.only[next(iter(names))] += 1
        self._xyz: np.ndarray | None = None
        self._tree: Any = None
        self._keep: dict[str, np.ndarray] = {}

    def nearest_rows(
        self, units: np.ndarray, names: np.ndarray, numbers: dict[str, int]
    ) -> np.ndarray:
        """Km from each row of ``units`` (candidates' unit vectors) to the nearest point
        that another name than the row's stands at (``names``: the rows' names, numbered
        by ``numbers``), in one array computation per block of rows; for up to
        :data:`_TREE_POINTS` points (the points a row's name may not use are left out of
        the minimum)."""
        xyz = self._points_xyz()
        # The name that alone stands at each point (-1: several names do).
        alone = np.asarray(
            [
                numbers.get(next(iter(owners)), -2) if len(owners) == 1 else -1
                for owners in self.owners
            ]
        )
        chord = np.empty(len(units))
        step = max(1, _BLOCK_CELLS // len(xyz))
        for at in range(0, len(units), step):
            q, own = units[at : at + step], names[at : at + step]
            block = np.sqrt(((q[:, None, :] - xyz[None, :, :]) ** 2).sum(-1))
            block[alone[None, :] == own[:, None]] = np.inf
            chord[at : at + step] = block.min(1)
        return np.asarray(2 * _EARTH_KM * np.arcsin(np.minimum(1.0, chord / 2)))

    def _points_xyz(self) -> np.ndarray:
        if self._xyz is None:
            self._xyz = _point_units(tuple(self.points))
        return self._xyz

    def _keep_of(self, name: str) -> np.ndarray:
        """Which points another name than ``name`` stands at."""
        keep = self._keep.get(name)
        if keep is None:
            keep = self._keep[name] = np.asarray([owners != {name} for owners in self.owners])
        return keep

    @staticmethod
    def units_of(
        cands: Sequence[Candidate],
        units: dict[tuple[int, ...], np.ndarray] | None,
        ids: tuple[int, ...] | None,
    ) -> np.ndarray:
        q = units.get(ids) if units is not None and ids is not None else None
        if q is None:
            q = _candidate_units(
                tuple([c.place.lat for c in cands]), tuple([c.place.lon for c in cands])
            )
            if units is not None and ids is not None:
                units[ids] = q
        return q

    def nearest_km(
        self,
        cands: Sequence[Candidate],
        name: str,
        units: dict[tuple[int, ...], np.ndarray] | None = None,
        ids: tuple[int, ...] | None = None,
    ) -> np.ndarray | None:
        """Km from each candidate to the nearest point that another name stands at;
        None when there is no such point. ``units`` keeps the candidates' unit vectors
        by their ``ids`` (the same in every round of scoring)."""
        if len(self.points) - self.only.get(name, 0) <= 0:
            return None
        self._xyz = self._points_xyz()
        q = self.units_of(cands, units, ids)
        if len(self.points) <= _TREE_POINTS:
            keep = self._keep_of(name)
            chord = np.sqrt(((q[:, None, :] - self._xyz[None, keep, :]) ** 2).sum(-1)).min(1)
        else:
            if self._tree is None:
                from scipy.spatial import cKDTree

                self._tree = cKDTree(self._xyz)
            # The k nearest include at least one point of another name.
            k = self.only.get(name, 0) + 1
            dist, idx = self._tree.query(q, k=k)
            dist, idx = dist.reshape(len(cands), k), idx.reshape(len(cands), k)
            skip = np.asarray([[self.owners[i] == {name} for i in row] for row in idx])
            chord = np.where(skip, np.inf, dist).min(1)
        return np.asarray(2 * _EARTH_KM * np.arcsin(np.minimum(1.0, chord / 2)))


def _reason(c: Candidate, features: _Features, span: Span) -> str:
    """Why a candidate won: its largest context feature, else how it matched."""
    country, neighbour, admin1, admin2, distance, containment, type_ = features
    feats = {"country": country}
    if neighbour is not None:
        feats["neighbour"] = neighbour
    feats["admin1"], feats["admin2"] = admin1, admin2
    if distance is not None:
        feats["distance"] = distance
    feats["containment"], feats["type"] = containment, type_
    context = {k: v for k, v in feats.items() if v > 0.02}
    if context:
        k = max(context, key=lambda key: context[key])
        if k == "country":
            return f"country context: {c.place.country_code}"
        if k == "neighbour":
            return f"country context: {c.place.country_code} borders a country the report names"
        if k == "containment":
            if span.next_text:
                return f"containment: {span.text}, {span.next_text}"
            return f"containment: a place named before it lies in {span.text}"
        if k == "type":
            return f"type cue: {span.type_cue}" if span.type_cue else "a list of its kind"
        if k == "admin1":
            return f"admin context: {c.place.admin1_name or c.place.admin1_code}"
        if k == "admin2":
            return "admin context: a district the report names"
        if k == "distance":
            return "near the report's other places"
    if c.match in ("transliteration", "fuzzy"):
        return f"{c.match}: {fold(span.text)} ~ {fold(c.place.name)}"
    return "population and type"


_SOFTMAX_TEMP = 0.06


def _confidence(scores: list[float], best: int) -> float:
    """Share of the best score in a sharp softmax, damped when the score is low."""
    m = max(scores)
    exps = [math.exp((s - m) / _SOFTMAX_TEMP) for s in scores]
    share = exps[best] / sum(exps)
    level = min(1.0, max(0.0, scores[best]) / 0.6)
    return round(share * (0.5 + 0.5 * level), 4)


def resolve_spans(
    gaz: Gazetteer,
    items_in: Sequence[tuple[Span, list[Candidate], str]],
    *,
    weights: Weights = WEIGHTS,
) -> list[Mention]:
    """Resolve spotted spans (each with its candidates and kind) in the context of each other."""
    # Mentions with the same candidates share their lists (a name repeated 100,000 times).
    shared: dict[tuple[tuple[int, str, float], ...], _ByPrior] = {}
    items = []
    for span, cands, kind in items_in:
        key = tuple((c.place.geonameid, c.match, c.similarity) for c in cands)
        got = shared.get(key)
        if got is None:
            got = shared[key] = _by_prior(cands, weights)
        best, priors, rest = got
        items.append(_Item(span, best, kind, priors=priors, rest=rest))

    words: dict[tuple[Any, ...], _Words] = {}
    _score_priors(items, gaz, weights, words)
    _admit_named_divisions(items, weights)
    if len(items) == 1:
        # A lone mention (a name in a table to geocode) has no other mention to lend it
        # context: every round of context scores it as the first round did (each
        # context feature is 0), so that round again, explained.
        _score_priors(items, gaz, weights, words, explain=True)
    else:
        shared_rounds = _Rounds.of(items, words, gaz, weights)
        for last in (False, True)[2 - CONTEXT_PASSES :]:
            _score_all(items, gaz, weights, explain=last, rounds=shared_rounds)
    # Items scored alike (the same lists) make the same choice: decided once.
    choices: dict[tuple[int, int, int], _Choice] = {}
    out: list[Mention] = []
    guesses = []
    matches = []
    for it in items:
        same = (id(it.cands), id(it.scores), id(it.why))
        if same not in choices:
            choices[same] = _choice(it, weights)
        place, conf, ranked, reason, match = choices[same]
        span = it.span
        if (
            match in SPELLING_GUESSES
            or (match == "alternate" and _by_lone_name(it, place))
            or _not_the_water(span, place)
        ):
            guesses.append(len(out))
        out.append(Mention(span.start, span.end, span.text, place, conf, ranked, reason, it.kind))
        matches.append(match)
    if guesses:
        datelines = {k for k, it in enumerate(items) if it.span.dateline}
        _drop_far_guesses(out, guesses, datelines, matches, items)
    _drop_far_strays(gaz, out, matches, items)
    return out


#: A spelling guess farther than this from every place the report names surely is
#: left unresolved, in a report that surely names places at this many points or more.
GUESS_REACH_KM = 300.0
#: The same for a place that has the name only as a rare other name, or for a town
#: named like the water a word names ("the Sava river"): surer matches than a spelling
#: guess (Wikipedia's articles name such places beside others 300 to 700 km away), so
#: only one farther than a country's width is left unresolved.
OTHER_NAME_REACH_KM = 1500.0
GUESS_POINTS = 2


def _not_the_water(span: Span, place: Place | None) -> bool:
    """Whether a place stands for a name that a word of water follows ("the Sava river")
    but is no water: a town of the name, which may lie on its banks or anywhere."""
    return (
        place is not None
        and span.type_cue == "water"
        and span.next_word in WATER_CUES
        and place.feature_class != "H"
    )


def _by_lone_name(it: _Item, place: Place | None) -> bool:
    """Whether an item's choice has its name only as a rare other name
    (:func:`_lone_other_name`): as weak a match as a spelling guess."""
    return any(c.place is place and _lone_other_name(c) for c in it.cands)


def _drop_far_guesses(
    out: list[Mention],
    guesses: list[int],
    datelines: set[int],
    matches: list[str],
    items: list[_Item],
) -> None:
    """Leave unresolved the spelling guesses (transliteration and fuzzy matches), and the
    places that have the name only as a rare other name, that lie far from every town or
    city the report names surely: in a report on the front in Zaporizhzhia and Donetsk,
    "Robotyne" (a village the gazetteer lacks) is no Rybotyn 500 km away in Chernihiv
    region; in one on Maiduguri, "Fori" (a district of the city) is no Foley, Alabama,
    which one of its other names calls so, though the report names the United States;
    nor is "the Sava river" in Bosnia Saveh, Iran (a town named like the water). A
    guess near the report's places stays ("Al-Sukhnah" with Palmyra), and so do a
    guessed division and every guess in a report that places too little to tell. The
    dateline (``datelines``: the mentions' numbers) says where the report was filed, not
    where its places are: a guess is measured against the other places when the report
    names any (a MOSCOW dateline kept a guess in Moscow for a village near Sudzha).
    ``matches`` says how each mention's name matched, ``items`` what each stood for."""
    guessed = set(guesses)
    sure = [
        (k, (fold(m.text), (m.place.lat, m.place.lon)))
        for k, m in enumerate(out)
        if m.place is not None
        and k not in guessed
        and m.confidence >= CONFIDENT
        and m.place.feature_class == "P"  # a river's or a province's point says little
    ]
    if len({pt for _, (_, pt) in sure}) < GUESS_POINTS:
        return
    located = _Located([at for k, at in sure if k not in datelines] or [at for _, at in sure])
    far: dict[tuple[str, int], float | None] = {}
    # The sure towns in the order of the text, for the guesses' neighbours.
    codes = {k: m.place.country_code for k, m in enumerate(out) if m.place is not None}
    beside = sorted((items[k].span.start, name, pt, codes[k]) for k, (name, pt) in sure)
    starts = [b[0] for b in beside]
    for k in guesses:
        m = out[k]
        if m.place is None:
            continue
        # A first-level division's point is the middle of an area that may span thousands
        # of km: no distance to tell; a second-level one (a county, a district) that is a
        # spelling guess is measured at the reach of a rare other name ("Fordow" in a
        # report on Qom and Natanz is no Ford County, Kansas, though the report names the
        # United States; a county called by its seat's name, "Denver", is no guess).
        county = m.place.feature_code == "ADM2" and matches[k] in SPELLING_GUESSES
        if m.place.feature_class != "P" and not county:
            continue
        key = (fold(m.text), m.place.geonameid)
        water = _not_the_water(items[k].span, m.place)
        lone = matches[k] == "alternate" and not water
        reach = GUESS_REACH_KM if matches[k] in SPELLING_GUESSES else OTHER_NAME_REACH_KM
        if county:
            reach = max(reach, OTHER_NAME_REACH_KM)
        if key not in far:
            km = located.nearest_km([Candidate(m.place, "fuzzy", 1.0)], key[0])
            far[key] = float(km[0]) if km is not None else None
        km_away = far[key]
        if km_away is not None and km_away <= reach:
            km_away = None
        where = "the report's other places"
        if km_away is None and matches[k] in SPELLING_GUESSES and not county:
            km_away = _far_from_beside(m.place, key[0], items[k].span.start, beside, starts, reach)
            where = "the places named beside it"
        if km_away is not None:
            if water:
                guess = Candidate(m.place, matches[k] or "exact", 1.0, m.confidence)
                what = f"no {items[k].span.next_word} but a place of its name"
            elif lone:
                guess = Candidate(m.place, "alternate", 1.0, m.confidence)
                what = "another name of a place"
            else:
                guess = Candidate(m.place, "transliteration", 1.0, m.confidence)
                what = "spelling guess"
            out[k] = replace(
                m,
                place=None,
                candidates=(guess, *m.candidates),
                reason=f"{what} {km_away:,.0f} km from {where}",
            )


#: A spelling guess is measured against the towns the report surely names this close in
#: the text (its sentence, or the one before or after) too, and left unresolved when it
#: lies in another country than all of them and farther than the guess's reach: in a
#: report on Libya that names Tunis, "calm had returned to Abu Salim" (a district of
#: Tripoli the gazetteer lacks) is no Bou Salem, Tunisia, 550 km from the Tripoli of its
#: sentence. (In a town's own country, the towns beside it may be misread names: a
#: saint's "Ramdas" beside Masur, India.)
GUESS_BESIDE_CHARS = 600


def _far_from_beside(
    place: Place,
    name: str,
    at: int,
    beside: list[tuple[int, str, tuple[float, float], str | None]],
    starts: list[int],
    reach: float,
) -> float | None:
    """How far ``place`` lies from the nearest sure town of another name named within
    :data:`GUESS_BESIDE_CHARS` of ``at``, where every such town lies in another country
    and farther than ``reach`` (else None, and None where no such town is named)."""
    lo = bisect_left(starts, at - GUESS_BESIDE_CHARS)
    hi = bisect_right(starts, at + GUESS_BESIDE_CHARS)
    near = [(pt, cc) for _s, other, pt, cc in beside[lo:hi] if other != name]
    if not near or any(cc == place.country_code for _pt, cc in near):
        return None
    km = min(haversine_km(place.lat, place.lon, lat, lon) for (lat, lon), _cc in near)
    return km if km > reach else None


#: A village (fewer people than this) in a country the report neither names nor borders,
#: farther than :data:`STRAY_KM` from every place it names surely, is left unresolved.
STRAY_POPULATION = 10_000
STRAY_KM = 1500.0
#: A town of up to this many people (not a capital) is left unresolved so too, in a
#: report that surely names towns at :data:`STRAY_TOWNS` points or more.
STRAY_TOWN_POPULATION = 200_000
STRAY_TOWNS = 3
#: A division of up to this many people goes so too (a province of Zimbabwe for "West
#: Midlands", a region of Madagascar for "the Sava").
STRAY_DIVISION_POPULATION = 2_000_000


def _drop_far_strays(
    gaz: Gazetteer, out: list[Mention], matches: list[str], items: list[_Item]
) -> None:
    """Leave unresolved a village abroad that nothing in the report points to: in a
    report on Iraq, "Taji" (a town the gazetteer lacks) is no village of Japan 8,000 km
    away. Only in a report that names a country (or its people: "Iraqi officials"); a
    village stays when it lies in a country the report names, or where the report surely
    places something else, or within :data:`STRAY_KM` of a place it names surely (a
    country bordering a named one is no exception: "Las Cuevas" on Trinidad, in a report
    naming the U.S., is no village of Durango 4,000 km from the report's places). (On the
    public corpora every village this leaves unresolved was wrong: "Fumo", "Still", "Red
    Cross", "English", "El Nino".) A town of up to :data:`STRAY_TOWN_POPULATION` goes so
    too where the report surely names towns at :data:`STRAY_TOWNS` points or more: in a
    report on fires around Athens, "Mati" is no city of 100,000 in the Philippines. (A
    report naming fewer says too little: a soldier from Robbinsdale, Minnesota, killed in
    Iraq.) So does a division of up to :data:`STRAY_DIVISION_POPULATION` people
    (:data:`_STRAY_DIVISIONS`; on WikToR, Flores, Moira, Oron and Nara, all wrong). A name
    that a disease is named after anywhere in the report stays: "the Reston ebolavirus" in
    the Philippines is of Reston, Virginia (:attr:`Span.eponym`)."""
    named = {
        m.place.country_code
        for m in out
        if m.place is not None and m.place.feature_code.startswith("PCL")
    }
    if not named:
        return
    sure: _SurePlaces | None = None
    eponyms: set[str] | None = None
    for k, m in enumerate(out):
        p = m.place
        if (
            p is None
            or m.kind != "toponym"
            or not (p.feature_class == "P" or p.feature_code in _STRAY_DIVISIONS)
            or p.population >= (
                STRAY_TOWN_POPULATION if p.feature_class == "P" else STRAY_DIVISION_POPULATION
            )
            or p.feature_code == "PPLC"
            or p.country_code in named
        ):
            continue
        if sure is None:
            sure = _SurePlaces(out)
        name = fold(m.text)
        if not sure.others_than(name) or sure.country_by_other(p.country_code, name):
            continue
        if eponyms is None:
            eponyms = {fold(it.span.text) for it in items if it.span.eponym}
        if name in eponyms:
            continue
        town = p.population >= STRAY_POPULATION or p.feature_class != "P"
        if town and sure.town_points_besides(name) < STRAY_TOWNS:
            continue  # (a town is dropped only where the report's own towns say where it is)
        km = sure.km(p, name)
        if km > STRAY_KM:
            out[k] = replace(
                m,
                place=None,
                candidates=(Candidate(p, matches[k] or "exact", 1.0, m.confidence), *m.candidates),
                reason=f"a {_stray_kind(p)} {km:,.0f} km from the report's places, in a "
                "country it does not name",
            )


#: Divisions that go as towns do (:func:`_drop_far_strays`): "across the Sava" in a report
#: on Serbia is no region of Madagascar, "Gulf carriers" no province of Papua New Guinea.
_STRAY_DIVISIONS = frozenset({"ADM1", "ADM2"})


def _stray_kind(p: Place) -> str:
    if p.feature_class != "P":
        return "division"
    return "town" if p.population >= STRAY_POPULATION else "village"


class _SurePlaces:
    """The places a report's mentions surely stand for, by the folded names that stand
    for them, read once for every stray village that :func:`_drop_far_strays` measures
    against the places of the report's other names (a report listing 50,000 names once
    measured each against all the others: quadratic)."""

    def __init__(self, out: list[Mention]) -> None:
        sure = [(fold(o.text), o.place) for o in out if o.place and o.confidence >= CONFIDENT]
        self.names = {n for n, _ in sure}
        self.countries: dict[str | None, set[str]] = defaultdict(set)
        towns: dict[tuple[float, float], set[str]] = defaultdict(set)
        for n, q in sure:
            self.countries[q.country_code].add(n)
            if q.feature_class == "P":
                towns[(q.lat, q.lon)].add(n)
        self.towns = len(towns)
        # The town points that one name alone stands at: not another name's.
        self.towns_only: Counter[str] = Counter(
            next(iter(ns)) for ns in towns.values() if len(ns) == 1
        )
        # Distances are measured from the towns and divisions the report names: a
        # country's middle is no place of it, and one named in passing lends its thousands
        # of km to none ("aid from the United Arab Emirates" in a report on Derna leaves
        # "al-Bilad" no village of Yemen); from any place where it names no other.
        self.points = _Located(
            (n, (q.lat, q.lon))
            for n, q in sure
            if q.feature_class in "PA" and not q.feature_code.startswith("PCL")
        )
        self.every = _Located((n, (q.lat, q.lon)) for n, q in sure)
        self.kms: dict[tuple[str, int], float] = {}

    def others_than(self, name: str) -> bool:
        """Whether another name stands for a place surely."""
        return len(self.names) - (name in self.names) > 0

    def country_by_other(self, code: str | None, name: str) -> bool:
        """Whether another name stands for a place in country ``code`` surely."""
        names = self.countries.get(code)
        return names is not None and (len(names) > 1 or name not in names)

    def town_points_besides(self, name: str) -> int:
        """At how many points other names stand for towns surely."""
        return self.towns - self.towns_only.get(name, 0)

    def km(self, p: Place, name: str) -> float:
        """Km from ``p`` to the nearest place another name stands for surely."""
        key = (name, p.geonameid)
        got = self.kms.get(key)
        if got is None:
            at = [Candidate(p, "fuzzy", 1.0)]
            found = self.points.nearest_km(at, name)
            if found is None:
                found = self.every.nearest_km(at, name)
            got = self.kms[key] = math.inf if found is None else float(found[0])
        return got


#: The best candidates by prior, their priors, and the others with theirs.
_ByPrior = tuple[list[Candidate], list[float], list[tuple[float, Candidate]]]
_by_priors: dict[tuple[Any, ...], _ByPrior] = {}


def _by_prior(cands: list[Candidate], w: Weights) -> _ByPrior:
    """The candidates that context scoring looks at, the best by prior ("Springfield" has
    60), their priors, and the others (see :func:`_admit_named_divisions`). Kept for the
    lists met lately, so that a name's list is the same object in every report that names
    it and what is read of it once (:func:`_facts_of`) serves them all: by the ids of the
    candidates, which the kept lists hold (the gazetteer's cached look-ups hand out the
    same candidates for a name each time); forgotten all at once past
    :data:`LIST_CACHE_SIZE`."""
    key = (w.prior_mix, w.max_context_candidates, *map(id, cands))
    got = _by_priors.get(key)
    if got is None:
        if len(_by_priors) >= LIST_CACHE_SIZE:
            _by_priors.clear()
        mix = w.prior_mix
        by_prior = sorted(
            ((_prior_of(c, mix), c) for c in cands), key=lambda x: (-x[0], x[1].place.geonameid)
        )
        top = by_prior[: w.max_context_candidates]
        got = _by_priors[key] = (
            [c for _, c in top],
            [p for p, _ in top],
            by_prior[w.max_context_candidates :],
        )
    return got


#: How many candidates' priors :func:`_prior_of` keeps.
PRIOR_CACHE_SIZE = 50_000
_priors: dict[int, tuple[Candidate, tuple[float, ...], float]] = {}


def _prior_of(c: Candidate, mix: tuple[float, ...]) -> float:
    """:func:`~placemap.ranking.prior`, kept for the candidates met lately: the
    gazetteer's cached look-ups hand out the same candidates for a name in every report
    that names it. Kept by identity (with the candidate, so that the identity stays its
    own), and forgotten all at once past :data:`PRIOR_CACHE_SIZE`."""
    got = _priors.get(id(c))
    if got is not None and got[0] is c and got[1] == mix:
        return got[2]
    if len(_priors) >= PRIOR_CACHE_SIZE:
        _priors.clear()
    p = prior(c, mix)
    _priors[id(c)] = (c, mix, p)
    return p


def _admit_named_divisions(items: list[_Item], w: Weights) -> None:
    """Bring back candidates cut by prior that lie in a first-level division the report
    names: "Victoria is a city in Ellis County, Kansas" has 60 Victorias, and the one in
    Kansas is too small to be among the best by prior alone."""
    tops = [t.place for t in (it.top for it in items) if t is not None]
    named = {(t.country_code, t.admin1_code) for t in tops if t.feature_code == "ADM1"}
    named2 = {_admin2_key(t) for t in tops if t.feature_code == "ADM2" and t.admin2_code}
    if not named and not named2:
        return
    # (Items with the same candidates share the longer lists too.)
    longer: dict[int, tuple[list[Candidate], list[float], list[float]]] = {}
    scores: dict[tuple[int, int], list[float]] = {}
    for it in items:
        got = longer.get(id(it.cands))
        if got is None:
            extra = [
                (p, c)
                for p, c in it.rest
                if (c.place.country_code, c.place.admin1_code) in named
                or (c.place.admin2_code and _admin2_key(c.place) in named2)
            ][: w.max_candidates]
            got = longer[id(it.cands)] = (
                *_lengthened(it.cands, it.priors, extra),
                [p for p, _ in extra],
            )
        cands, priors, added = got
        if added:
            key = (id(it.cands), id(it.scores))
            if key not in scores:
                scores[key] = it.scores + added
            it.cands, it.priors, it.scores = cands, priors, scores[key]
        it.rest = []


_lengthened_lists: dict[tuple[int, ...], tuple[list[Candidate], list[Candidate], list[float]]] = {}


def _lengthened(
    cands: list[Candidate], priors: list[float], extra: list[tuple[float, Candidate]]
) -> tuple[list[Candidate], list[float]]:
    """``cands`` and ``priors`` with the ``extra`` candidates and their priors after them:
    the same lists for the same extra candidates in every report, as :func:`_by_prior`
    keeps the lists it ranks (kept with ``cands``, whose elements and the extra ones are
    what the ids of the key name)."""
    if not extra:
        return cands, priors
    key = (id(cands), *[id(c) for _, c in extra])
    got = _lengthened_lists.get(key)
    if got is None or got[0] is not cands:
        if len(_lengthened_lists) >= LIST_CACHE_SIZE:
            _lengthened_lists.clear()
        got = _lengthened_lists[key] = (
            cands,
            cands + [c for _, c in extra],
            priors + [p for p, _ in extra],
        )
    return got[1], got[2]


_Choice = tuple[Place | None, float, tuple[Candidate, ...], str, str]


def _choice(it: _Item, weights: Weights) -> _Choice:
    """For a scored item: its best place if the score clears the threshold (else none),
    the confidence, the candidates to report, the reason, and how the place's name
    matched (empty without a place)."""
    place: Place | None = None
    conf = 0.0
    ranked: tuple[Candidate, ...] = ()
    reason = "no gazetteer candidate"
    match = ""
    if it.cands:
        # Best first; ties by id.
        order = [
            k
            for _, _, k in sorted(
                zip(
                    [-s for s in it.scores],
                    _kinds_of(it.cands).ids,
                    range(len(it.cands)),
                    strict=True,
                )
            )
        ]
        shown = order[: weights.max_candidates]
        best = order[0]
        conf = _confidence(it.scores, best)
        if it.scores[best] < weights.cutoff:
            reason = f"below threshold ({it.scores[best]:.2f})"
        else:
            place, match = it.cands[best].place, it.cands[best].match
            if match in SPELLING_GUESSES:
                # A spelling guess is as sure as the spellings are alike, at most.
                conf = round(conf * it.cands[best].similarity, 4)
            if len(it.cands) == 1:
                reason = "only candidate"
            else:
                assert it.why is not None  # the last round explains
                reason = _reason(it.cands[best], it.why.features(best), it.span)
            shown = shown[1:]  # the runner-ups
        ranked = tuple(
            Candidate(c.place, c.match, c.similarity, round(it.scores[k], 4))
            for k in shown
            for c in (it.cands[k],)
        )
    return place, conf, ranked, reason, match
