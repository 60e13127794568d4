"""Reading a gazetteer index: look-ups by folded name, transliteration key, fuzzy.

The index is a read-only SQLite file (see :mod:`placemap.gazetteer.schema`),
opened lazily on first use, so creating a :class:`Gazetteer` is free and tests
can hand in a small index of their own.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import process
from rapidfuzz.fuzz import ratio

from placemap.errors import GazetteerCorruptError, GazetteerMissingError
from placemap.gazetteer import schema
from placemap.gazetteer.keyfilter import KeyFilter
from placemap.normalize import ARTICLES, KEY_ALPHABET, fold, translit_key
from placemap.records import Candidate, Place
from placemap.tempfiles import file_kind

log = logging.getLogger(__name__)

ENV_VAR = "PLACEMAP_GAZETTEER"
# Index paths already said to be stale in this process (said once, not per connection).
_WARNED: set[Path] = set()
DEFAULT_FILENAME = f"gazetteer-v{schema.SCHEMA_VERSION}.sqlite"

# How a name matched, best first.
MATCH_KINDS = (
    "exact",
    "folded",
    "alternate",
    "abbreviation",
    "demonym",
    "transliteration",
    "fuzzy",
)

TRANSLIT_MIN_SIMILARITY = 0.65
FUZZY_MIN_SIMILARITY = 0.8
# Matches only on villages smaller than this still let transliterations in; so do
# matches only through alternate names on towns under WEAK_ALTERNATE_POPULATION:
# "Vinnitsa" is an alternate name of a Russian hamlet and a spelling of Vinnytsia.
WEAK_EXACT_POPULATION = 1000
WEAK_ALTERNATE_POPULATION = 100_000
PLACE_CACHE_SIZE = 200_000
# Names of transliteration keys kept in memory (a crowded key has thousands; ~150 bytes each).
TKEY_CACHE_NAMES = 200000

_KIND_NAMES = {
    schema.NAME_ABBREVIATION: "abbreviation",
    schema.NAME_CONTEXT_ABBREVIATION: "abbreviation",
    schema.NAME_DEMONYM: "demonym",
}

_PLACE_COLS = (
    "p.id, p.name, p.asciiname, p.lat, p.lon, p.feature_class, p.feature_code, "
    "p.country_code, p.admin1_code, p.admin1_name, p.admin2_code, p.population, p.source, "
    "p.names"
)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "placemap"


def default_path() -> Path:
    """Where the index lives unless told otherwise: $PLACEMAP_GAZETTEER or the user cache."""
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else cache_dir() / DEFAULT_FILENAME


_SAINTS = {"st": "saint", "saint": "st", "ste": "sainte", "sainte": "ste"}


def _article_variant(folded: str) -> str | None:
    """The same name with or without "the" after "of" (the gazetteer lists "Democratic
    Republic of the Congo", reports also write "... of Congo"), or None without "of"."""
    if " of the " in folded:
        return folded.replace(" of the ", " of ", 1)
    if " of " in folded:
        return folded.replace(" of ", " of the ", 1)
    return None


_COMPASS_RE = re.compile(r"\b(north|south)[ ]?(east|west)\b")


def _spelling_variant(folded: str) -> str | None:
    """The same name with "Saint" written out or shortened ("St. Lucia" is Saint Lucia,
    "Saint Louis" St. Louis), or with a compass point in one word or two ("Northwest
    region" is Cameroon's North-West); None when neither applies."""
    first, _, rest = folded.partition(" ")
    if rest and first in _SAINTS:
        return f"{_SAINTS[first]} {rest}"
    m = _COMPASS_RE.search(folded)
    if m is not None:
        joined = " " not in m.group()
        point = f"{m.group(1)} {m.group(2)}" if joined else m.group(1) + m.group(2)
        return folded[: m.start()] + point + folded[m.end() :]
    return None


def _row_place(row: tuple) -> Place:
    return Place(
        geonameid=row[0],
        name=row[1],
        asciiname=row[2],
        lat=row[3],
        lon=row[4],
        feature_class=row[5],
        feature_code=row[6],
        country_code=row[7],
        admin1_code=row[8],
        admin1_name=row[9],
        admin2_code=row[10],
        population=row[11] or 0,
        source=row[12],
        names=row[13] or 0,
    )


def strip_articles(folded: str) -> str:
    words = folded.split()
    return " ".join(w for i, w in enumerate(words) if not (w in ARTICLES and i + 1 < len(words)))


def similarities(q_folded: str, folds: list[str], floor: float = 0.0) -> list[float]:
    """String similarity in [0, 1] of one folded name to each of many: spaces ignored,
    the Arabic article optional (the better of with and without it). A similarity below
    ``floor`` may be given as 0."""
    if not folds:
        return []
    return _Prepared(folds).similarities(q_folded, floor)


class _Prepared:
    """Folded names prepared for :func:`similarities`: without spaces, and without their
    Arabic article as well."""

    __slots__ = ("folds", "full", "bare")

    def __init__(self, folds: list[str]) -> None:
        self.folds = folds
        self.full = [f.replace(" ", "") for f in folds]
        # Only names of several words can lose an article.
        self.bare = [strip_articles(f).replace(" ", "") if " " in f else f for f in folds]

    def similarities(self, q_folded: str, floor: float) -> list[float]:
        if not self.folds:
            return []
        # Scores below the cutoff come back as 0 (and are below ``floor`` anyway).
        cutoff = max(0.0, floor * 100.0 - 1e-6)
        full = process.cdist(
            [q_folded.replace(" ", "")], self.full, scorer=ratio, score_cutoff=cutoff
        )[0]
        q2 = strip_articles(q_folded).replace(" ", "")
        bare = process.cdist([q2], self.bare, scorer=ratio, score_cutoff=cutoff)[0]
        return [max(a, b) / 100.0 for a, b in zip(full.tolist(), bare.tolist(), strict=True)]


class _KeyNames:
    """The distinct names (folded) of one transliteration key, prepared for
    :func:`similarities` when first compared."""

    __slots__ = ("folds", "_prepared")

    def __init__(self, folds: list[str]) -> None:
        self.folds = folds
        self._prepared: _Prepared | None = None

    def similarities(self, q: str, floor: float) -> Iterable[tuple[str, float]]:
        if self._prepared is None:
            self._prepared = _Prepared(self.folds)
        return zip(self.folds, self._prepared.similarities(q, floor), strict=True)


_NO_NAMES = _KeyNames([])


class Gazetteer:
    """A gazetteer index on disk, plus optional in-memory overlays."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._local = threading.local()
        self._overlay_places: dict[int, Place] = {}
        self._overlay_names: dict[str, list[tuple[int, int]]] = {}
        self._overlay_tkeys: dict[str, list[tuple[int, str]]] = {}
        self._places: dict[int, Place] = {}
        # (folded names, transliteration keys): read from the index on first use.
        self._filters: tuple[KeyFilter, KeyFilter] | None = None
        self._new_caches()
        #: Say, on opening, when the index was built from other placemap data than this
        #: placemap ships (set by :func:`placemap.gazetteer.open_gazetteer` for an index
        #: the user named; the default one is rebuilt instead).
        self.check_fingerprint = False

    def _has_name_uncached(self, folded: str) -> bool:
        if folded in self._overlay_names or self._indexed(folded):
            return True
        return any(
            other is not None and self._indexed(other)
            for other in (_article_variant(folded), _spelling_variant(folded))
        )

    def _indexed(self, folded: str) -> bool:
        if folded not in self._key_filters()[0]:
            return False
        row = self.conn.execute("SELECT 1 FROM names WHERE fold = ? LIMIT 1", (folded,))
        return row.fetchone() is not None

    # -- opening ---------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        """A read-only connection, after a check cheap enough for every run (about a
        millisecond): the file is a whole SQLite database of this schema version whose
        tables and indexes can be read. A page damaged deeper in the file is found by
        the look-up that reads it (:class:`_IndexConnection`). (``PRAGMA quick_check``
        reads every page: 0.26-0.62 s on the 124 MB default index, too slow for each
        run.)"""
        kind = file_kind(self.path)
        if kind is not None:
            raise GazetteerMissingError(f"{self.path} is {kind}, not a gazetteer index")
        if not self.path.is_file():
            raise GazetteerMissingError(f"no gazetteer index at {self.path}; {self._fix()}")
        problem = _file_problem(self.path)
        if problem == "not an SQLite database":  # a report, /etc/passwd: never "delete it"
            raise GazetteerCorruptError(
                f"{self.path} is not a placemap gazetteer index ({problem}); check the "
                "--gazetteer path (or PLACEMAP_GAZETTEER); if it was an index, delete it "
                f"and {self._fix()}"
            )
        if problem:
            raise GazetteerCorruptError(
                f"{self.path} is not a readable placemap gazetteer index ({problem}); "
                f"delete it and {self._fix()}"
            )
        conn: _IndexConnection | None = None
        try:
            conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro",
                uri=True,
                check_same_thread=False,
                factory=_IndexConnection,
            )
            conn.index_path = self.path
            conn.execute("PRAGMA query_only = ON")
            conn.execute("PRAGMA mmap_size = 268435456")
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is not None and row[0] == str(schema.SCHEMA_VERSION):
                _probe(conn)
        except (sqlite3.DatabaseError, GazetteerCorruptError) as err:
            if conn is not None:
                conn.close()
            detail = err.__cause__ if isinstance(err, GazetteerCorruptError) else err
            if "no such table: meta" in str(detail):  # another program's database
                raise GazetteerCorruptError(
                    f"{self.path} is not a placemap gazetteer index (an SQLite database "
                    "without placemap's tables); check the --gazetteer path (or "
                    "PLACEMAP_GAZETTEER)"
                ) from err
            raise GazetteerCorruptError(
                f"{self.path} is not a readable placemap gazetteer index ({detail}); "
                f"delete it and {self._fix()}"
            ) from err
        if row is None:
            conn.close()
            raise GazetteerCorruptError(
                f"{self.path} is not a placemap gazetteer index (no schema version); check "
                "the --gazetteer path (or PLACEMAP_GAZETTEER)"
            )
        if row[0] != str(schema.SCHEMA_VERSION):
            conn.close()
            raise GazetteerCorruptError(
                f"{self.path} is a gazetteer index of another version "
                f"({row[0]}, this placemap reads {schema.SCHEMA_VERSION}); "
                f"{self._fix()}"
            )
        if self.check_fingerprint:
            self._warn_if_stale(conn)
        return conn

    def _fix(self) -> str:
        return f"build it with: placemap gazetteer build --output {self.path}"

    def check(self) -> None:
        """Open the index now, so that a missing or damaged one is one error before
        any work (raises :class:`GazetteerMissingError` or :class:`GazetteerCorruptError`)."""
        self.conn  # noqa: B018 - opening is the check

    def _warn_if_stale(self, conn: sqlite3.Connection) -> None:
        from placemap.gazetteer.default import current_fingerprint

        row = conn.execute(
            "SELECT value FROM meta WHERE key = ?", (schema.META_FINGERPRINT,)
        ).fetchone()
        # An index built from GeoNames dumps alone records none: nothing to compare.
        if row is not None and row[0] != current_fingerprint() and self.path not in _WARNED:
            _WARNED.add(self.path)
            log.warning(
                "%s was built from other placemap data than this version ships (older "
                "country and division points, curated tables); to use the current data, "
                "rebuild it: placemap gazetteer build --output %s",
                self.path,
                self.path,
            )

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def __getstate__(self) -> dict[str, Any]:
        # Picklable for worker processes: each opens its own connection.
        state = self.__dict__.copy()
        for k in ("_local", "_cached_lookup", "_cached_named", "_cached_has_name", "_cached_near"):
            del state[k]
        del state["_tkey_names"]
        state["_places"] = {}
        state["_filters"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()
        self._new_caches()

    def _new_caches(self) -> None:
        """The look-up caches (per process: they are not pickled)."""
        self._cached_lookup = lru_cache(maxsize=100_000)(self._lookup_uncached)
        self._cached_named = lru_cache(maxsize=100_000)(self._named_uncached)
        self._cached_has_name = lru_cache(maxsize=200_000)(self._has_name_uncached)
        self._cached_near = lru_cache(maxsize=10_000)(self._near_uncached)
        self._tkey_names: OrderedDict[str, _KeyNames] = OrderedDict()
        self._tkey_names_held = 0

    def _key_filters(self) -> tuple[KeyFilter, KeyFilter]:
        """The index's filters of (folded names, transliteration keys), read once: a key
        they do not hold is in no row, and is not looked for (see
        :mod:`placemap.gazetteer.keyfilter`)."""
        got = self._filters
        if got is None:
            rows = {
                name: (hashes, bits)
                for name, hashes, bits in self.conn.execute(
                    "SELECT name, hashes, bits FROM filters"
                ).fetchall()
            }
            try:
                folds, tkeys = (
                    KeyFilter(bytes(rows[n][1]), int(rows[n][0]))
                    for n in (schema.FILTER_FOLD, schema.FILTER_TKEY)
                )
            except (KeyError, TypeError, ValueError) as err:
                raise _damaged(
                    self.conn, sqlite3.DatabaseError(f"its key filters are unreadable: {err!r}")
                ) from err
            got = self._filters = (folds, tkeys)
        return got

    # -- metadata --------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        meta: dict[str, Any] = {}
        for key, value in self.conn.execute("SELECT key, value FROM meta").fetchall():
            try:
                meta[key] = json.loads(value)
            except json.JSONDecodeError:
                meta[key] = value
        meta["path"] = str(self.path)
        meta["size_bytes"] = self.path.stat().st_size
        if self._overlay_places:
            meta["overlay_places"] = len(self._overlay_places)
        return meta

    def full_countries(self) -> frozenset[str]:
        """Countries whose full GeoNames data the index holds (``"*"``: all of them)."""
        row = self.conn.execute(
            "SELECT value FROM meta WHERE key = ?", (schema.META_FULL_COUNTRIES,)
        ).fetchone()
        return frozenset(json.loads(row[0])) if row else frozenset()

    # -- records ---------------------------------------------------------------
    def place(self, place_id: int) -> Place | None:
        if place_id in self._overlay_places:
            return self._overlay_places[place_id]
        place = self._places.get(place_id)
        if place is None:
            row = self.conn.execute(
                f"SELECT {_PLACE_COLS} FROM places p WHERE p.id = ?", (place_id,)
            ).fetchone()
            if row is None:
                return None
            place = _row_place(row)
            if len(self._places) >= PLACE_CACHE_SIZE:
                self._places.clear()
            self._places[place_id] = place
        return place

    def _prefetch(self, ids: Iterable[int]) -> None:
        """Read the places of ``ids`` not yet cached in a few queries, not one each: a
        name that hundreds of places share (a full GeoNames import has many) costs one
        round of queries."""
        cached, overlay = self._places, self._overlay_places
        missing = sorted({i for i in ids if i not in cached and i not in overlay})
        if len(self._places) + len(missing) >= PLACE_CACHE_SIZE:
            self._places.clear()
        for k in range(0, len(missing), 500):
            part = missing[k : k + 500]
            rows = self.conn.execute(
                f"SELECT {_PLACE_COLS} FROM places p WHERE p.id IN ({','.join('?' * len(part))})",
                part,
            ).fetchall()
            for row in rows:
                self._places[row[0]] = _row_place(row)

    def country(self, code: str) -> Place | None:
        """The country place for an ISO 3166-1 alpha-2 code."""
        return _country_cache(self, code.upper())

    def country_info(self, code: str) -> tuple[str, str, frozenset[str]] | None:
        """(name, continent, neighbours) of a country."""
        row = self.conn.execute(
            "SELECT name, continent, neighbours FROM countries WHERE code = ?", (code.upper(),)
        ).fetchone()
        if row is None:
            return None
        return row[0], row[1], frozenset(n for n in (row[2] or "").split(",") if n)

    def neighbours(self, code: str) -> frozenset[str]:
        """The ISO codes of the countries bordering this one (none when unknown)."""
        return _neighbours_cache(self, code.upper())

    def admin1(self, country_code: str, admin1_code: str) -> Place | None:
        """The first-level division of these codes (cached)."""
        return _admin1_cache(self, country_code, admin1_code)

    # -- look-up ---------------------------------------------------------------
    def has_name(self, folded: str) -> bool:
        """Whether any place is indexed under this folded key (fast path for spotting),
        or its variant with or without "the", "Saint" written out or not (cached whole:
        most words of a text are asked about, again and again, and are no name)."""
        return self._cached_has_name(folded)

    def is_demonym(self, name: str) -> bool:
        """Whether the index lists ``name`` as a demonym ("Saudi", "Syrian"), whatever
        else it names (a look-up gives each place its best match only: "Saudi" is also
        one of Saudi Arabia's names)."""
        q = fold(name)
        memo: dict[str, bool] = self.__dict__.setdefault("_demonym_memo", {})
        got = memo.get(q)
        if got is None:
            if len(memo) >= 10_000:
                memo.clear()
            got = memo[q] = any(kind == schema.NAME_DEMONYM for _, kind, _ in self._by_fold(q))
        return got

    def word_frequency(self, folded: str) -> tuple[float, bool]:
        """(Zipf frequency as an English word, listed in lower case in a dictionary)."""
        return _word_cache(self, folded)

    def frequent_words(self) -> frozenset[str]:
        """The English words of Zipf frequency 4 and up ("the", "said", "shelling"), in
        lower case, read once."""
        words = self.__dict__.get("_frequent")
        if words is None:
            rows = self.conn.execute("SELECT fold FROM words WHERE zipf >= 4.0").fetchall()
            words = self.__dict__["_frequent"] = frozenset(r[0] for r in rows)
        return words

    def lookup(
        self,
        name: str,
        *,
        fuzzy: bool = True,
        context_only: bool = False,
        loose: bool = True,
    ) -> list[Candidate]:
        """Every place this name could refer to, with how it matched (unranked).

        Exact keys first; the transliteration key when they find nothing better;
        fuzzy matching only when both miss (it costs far more than a key look-up).
        Abbreviations that only make sense after a place name ("Ill.", "CA") are
        returned only with ``context_only=True``. ``loose=False`` leaves out the
        transliteration and fuzzy matches (for callers that would drop them: the
        matches by name are the same either way, and cost a key look-up less).
        """
        if not loose:
            return list(self._cached_named(name, context_only))
        return list(self._cached_lookup(name, fuzzy, context_only))

    def _named_uncached(self, name: str, context_only: bool) -> tuple[Candidate, ...]:
        """The candidates matched by name, as :meth:`lookup` finds them before its loose
        look-ups (alternate names counted, see :meth:`_count_spellings`)."""
        q = fold(name)
        if not q:
            return ()
        found: dict[int, Candidate] = {}
        rows = list(self._by_fold(q))
        other = _article_variant(q) if not rows else None
        if other is not None:  # "Democratic Republic of Congo": "... of the Congo"
            q, rows = other, list(self._by_fold(other))
        variant = _spelling_variant(q)
        if variant is not None:  # one name, both ways: "St. Lucia" and "Saint Lucia"
            rows += self._by_fold(variant)
        spellings: dict[int, int | None] = {}
        for place, kind, count in rows:
            if kind == schema.NAME_CONTEXT_ABBREVIATION and not context_only:
                continue
            match = self._match_kind(name, q, place, kind)
            self._keep(found, Candidate(place, match, 1.0))
            spellings[place.geonameid] = count
        if other is None and variant is None and None not in spellings.values():
            # The index's rows of the name have the query's key (a function of the folded
            # name): the counts they record are the query's.
            self._set_spellings(found, spellings)
        else:  # another folded name, or an overlay's names: counted from the key's rows
            self._count_spellings(found, translit_key(name))
        return tuple(found.values())

    def _lookup_uncached(self, name: str, fuzzy: bool, context_only: bool) -> tuple[Candidate, ...]:
        q = fold(name)
        if not q:
            return ()
        found = {c.place.geonameid: c for c in self._cached_named(name, context_only)}
        # Spellings that only the transliteration key joins must be close as strings
        # too. The key is consulted when the folded name found nothing, or only
        # villages (or towns that merely list it among their alternate names), which a
        # transliterated city name may collide with.
        small = [c for c in found.values() if c.place.feature_class == "P"]
        weak = len(small) == len(found) and (
            all(c.place.population < WEAK_EXACT_POPULATION for c in small)
            or all(
                c.place.population < WEAK_ALTERNATE_POPULATION and c.match == "alternate"
                for c in small
            )
        )
        key = translit_key(name) if weak else ""
        if key and len(key) >= 2:
            # Short keys join many unrelated names ("mn": Man, Amman, Mina...).
            floor = 0.85 if found or len(key) == 2 else TRANSLIT_MIN_SIMILARITY
            for place, sim in self._by_tkey([key], q, floor):
                self._keep(found, Candidate(place, "transliteration", sim))
        if fuzzy and not found:
            for cand in self.near_spellings(name):
                self._keep(found, cand)
        return tuple(found.values())

    @staticmethod
    def _set_spellings(found: dict[int, Candidate], spellings: dict[int, int | None]) -> None:
        """What :meth:`_count_spellings` finds, from the counts the index records on the
        names matched (``names.spellings``, 0 where the name has no key)."""
        for pid, c in found.items():
            count = spellings.get(pid)
            if c.match == "alternate" and pid > 0 and count:
                found[pid] = Candidate(c.place, c.match, c.similarity, c.score, count)

    def _count_spellings(self, found: dict[int, Candidate], key: str) -> None:
        """For the places matched by an alternate name: how many of their names share the
        query's transliteration key. A name a place is known by in many languages
        ("Palmyra", "Palmyre", "Palmira", "Пальмира" for Tadmur) is its exonym; a single
        matching alternate name is mostly a former or a foreign name ("Palmyra" for Mason,
        Ohio)."""
        ids = [pid for pid, c in found.items() if c.match == "alternate" and pid > 0]
        if not key or not ids:
            return
        counts: dict[int, int] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            counts.update(
                self.conn.execute(
                    "SELECT place_id, COUNT(DISTINCT fold) FROM names WHERE fold IN "
                    "(SELECT fold FROM key_names WHERE tkey = ? AND named) AND tkey = ? "
                    f"AND kind IN (0, 1) AND place_id IN ({','.join('?' * len(part))}) "
                    "GROUP BY place_id",
                    [key, key, *part],
                ).fetchall()
            )
        for pid in ids:
            c = found[pid]
            found[pid] = Candidate(c.place, c.match, c.similarity, c.score, counts.get(pid, 1))

    def near_spellings(self, name: str) -> list[Candidate]:
        """Places named one letter off this name's transliteration key and close as
        strings: the fuzzy fallback of :meth:`lookup`, for callers that want it even
        when the name matched something ("Salahuddin province" names Salah ad Din
        governorate, while a town lists "Salahaddin" among its names)."""
        return list(self._cached_near(name))

    def _near_uncached(self, name: str) -> tuple[Candidate, ...]:
        key = translit_key(name)
        if len(key) < 4:
            return ()
        near = self._by_tkey(self._fuzzy_keys(key), fold(name), FUZZY_MIN_SIMILARITY)
        return tuple(Candidate(place, "fuzzy", sim) for place, sim in near)

    @staticmethod
    def _keep(found: dict[int, Candidate], cand: Candidate) -> None:
        old = found.get(cand.place.geonameid)
        if old is None or (MATCH_KINDS.index(cand.match), -cand.similarity) < (
            MATCH_KINDS.index(old.match),
            -old.similarity,
        ):
            found[cand.place.geonameid] = cand

    @staticmethod
    def _match_kind(name: str, q: str, place: Place, kind: int) -> str:
        if kind in _KIND_NAMES:
            return _KIND_NAMES[kind]
        if name == place.name or name == place.asciiname:
            return "exact"
        if q == fold(place.name) or q == fold(place.asciiname):
            return "folded"
        return "alternate"

    def _by_fold(self, q: str) -> Iterable[tuple[Place, int, int | None]]:
        """(place, kind of name, spellings) of the names folded to ``q``; the spellings
        (see ``names.spellings``) are None for an overlay's names."""
        for pid, kind in self._overlay_names.get(q, ()):
            yield self._overlay_places[pid], kind, None
        if q not in self._key_filters()[0]:
            return
        # One query for the names and their places (not one more per place).
        rows = self.conn.execute(
            f"SELECT n.kind, n.spellings, {_PLACE_COLS} FROM names n "
            "JOIN places p ON p.id = n.place_id WHERE n.fold = ?",
            (q,),
        ).fetchall()
        for row in rows:
            yield self._cached_place(row[2:]), row[0], row[1]

    def _cached_place(self, row: tuple) -> Place:
        """The place of a row of :data:`_PLACE_COLS`, the same object while it is cached."""
        place = self._places.get(row[0])
        if place is None:
            place = _row_place(row)
            if len(self._places) >= PLACE_CACHE_SIZE:
                self._places.clear()
            self._places[row[0]] = place
        return place

    def _key_names(self, keys: list[str]) -> dict[str, _KeyNames]:
        """The names of each of ``keys`` (sorted), read in one query for those not
        cached. Cached, up to :data:`TKEY_CACHE_NAMES` names in all: the names of one
        key are compared with many queries ("kl": Kally, Kaylie, Coull...)."""
        cache = self._tkey_names
        out: dict[str, _KeyNames] = {}
        missing = []
        in_index = self._key_filters()[1]
        for key in keys:
            found = cache.get(key)
            if found is None and key not in in_index:
                out[key] = _NO_NAMES
            elif found is None:
                missing.append(key)
            else:
                cache.move_to_end(key)
                out[key] = found
        for i in range(0, len(missing), 500):
            part = missing[i : i + 500]
            fetched: dict[str, list[str]] = {k: [] for k in part}
            for key, f in self.conn.execute(
                "SELECT tkey, fold FROM key_names WHERE tkey IN "
                f"({','.join('?' * len(part))}) AND named ORDER BY tkey, fold",
                part,
            ).fetchall():
                fetched[key].append(f)
            for key, folds in fetched.items():
                out[key] = cache[key] = _KeyNames(folds)
                self._tkey_names_held += len(folds) + 1
        while self._tkey_names_held > TKEY_CACHE_NAMES and len(cache) > 1:
            _k, old = cache.popitem(last=False)
            self._tkey_names_held -= len(old.folds) + 1
        return out

    def _key_rows(self, keys: list[str], folds: Iterable[str]) -> list[tuple[int, str]]:
        """The (place id, folded name) rows of the index under ``keys`` (sorted) with one
        of ``folds``: key by key, each in the index's order."""
        wanted = sorted(set(folds))
        rows: list[tuple[str, int, int, str]] = []
        key_marks = ",".join("?" * len(keys))
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            rows += self.conn.execute(
                "SELECT tkey, rowid, place_id, fold FROM names WHERE fold IN "
                f"({','.join('?' * len(part))}) AND tkey IN ({key_marks}) AND kind IN (0, 1)",
                [*part, *keys],
            ).fetchall()
        rows.sort()
        return [(pid, f) for _k, _rowid, pid, f in rows]

    def _by_tkey(self, keys: list[str], q: str, floor: float) -> Iterable[tuple[Place, float]]:
        """Places with a name under one of the transliteration ``keys`` at least ``floor``
        like ``q``.

        Similarity is computed once per distinct name of the keys (read without their
        places), and the places are read only for the names that pass, so a crowded
        key costs little.
        """
        if not keys:
            return
        overlay = [r for k in keys for r in self._overlay_tkeys.get(k, ())]
        ordered = sorted(set(keys))
        by_key = self._key_names(ordered)
        if len(ordered) == 1 and not overlay:  # one key: its names are prepared once
            sims = dict(by_key[ordered[0]].similarities(q, floor))
        else:
            distinct = sorted({f for _, f in overlay}.union(*(by_key[k].folds for k in ordered)))
            sims = dict(zip(distinct, similarities(q, distinct, floor), strict=True))
        close = [f for f, sim in sims.items() if sim >= floor]
        if not close:
            return
        near = set(close)
        rows = [r for r in overlay if r[1] in near] + self._key_rows(ordered, close)
        best: dict[int, float] = {}
        for pid, f in rows:
            sim = sims[f]
            if sim > best.get(pid, 0.0):
                best[pid] = sim
        self._prefetch(best)
        for pid, sim in best.items():
            if (place := self.place(pid)) is not None:
                yield place, sim

    def _fuzzy_keys(self, key: str) -> list[str]:
        """Transliteration keys one edit away from ``key`` that some name has.

        Keys are written in a small alphabet (:data:`~placemap.normalize.KEY_ALPHABET`),
        so every key one deletion, substitution or insertion away can be listed (about
        35 per letter) and probed on the index, in a fifth of the time that scanning
        the keys sharing a prefix or a suffix with ``key`` took. (Listed keys with a
        doubled letter exist in no index: keys are squeezed.)
        """
        if len(key) > MAX_FUZZY_KEY:
            return []  # no place name is that long; its variants would take gigabytes
        variants = set(_one_edit(key))
        variants.discard(key)
        keys = {k for k in self._overlay_tkeys if k in variants}
        # (Not sifted through the key filter first: hashing the variants costs more.)
        probe = sorted(variants)
        for i in range(0, len(probe), 500):
            part = probe[i : i + 500]
            marks = ",".join("?" * len(part))
            keys.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT DISTINCT tkey FROM key_names WHERE tkey IN ({marks})",
                    part,
                ).fetchall()
            )
        return sorted(keys)[:50]

    # -- overlays --------------------------------------------------------------
    def add_overlay_place(self, place: Place, names: Iterable[str]) -> None:
        """Add a place (and its spellings) in memory, on top of the index."""
        self._overlay_places[place.geonameid] = place
        for n in {place.name, *names}:
            f = fold(n)
            if not f:
                continue
            kind = schema.NAME_PRIMARY if n == place.name else schema.NAME_ALTERNATE
            self._overlay_names.setdefault(f, []).append((place.geonameid, kind))
            k = translit_key(n)
            if k:
                self._overlay_tkeys.setdefault(k, []).append((place.geonameid, f))
        self._new_caches()


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` of a cursor, with SQLite errors turned into the index's damage."""

    @functools.wraps(method)
    def guarded(self: sqlite3.Cursor, *args: Any) -> Any:
        try:
            return method(self, *args)
        except sqlite3.ProgrammingError:  # a bug here, not damage
            raise
        except sqlite3.DatabaseError as err:
            raise _damaged(self.connection, err) from err

    return guarded


class _IndexCursor(sqlite3.Cursor):
    """A cursor whose SQLite errors are :class:`GazetteerCorruptError` (see
    :class:`_IndexConnection`)."""

    fetchone = _guarded(sqlite3.Cursor.fetchone)
    fetchall = _guarded(sqlite3.Cursor.fetchall)
    __next__ = _guarded(sqlite3.Cursor.__next__)
    execute = _guarded(sqlite3.Cursor.execute)


class _IndexConnection(sqlite3.Connection):
    """A read-only connection to an index on which any SQLite error (a malformed page,
    an I/O error, a table missing) is a :class:`GazetteerCorruptError`: the index is
    damaged, and every report would fail the same way, so the run stops with one
    error instead of naming each report (or ending in a traceback)."""

    index_path: Path

    def cursor(self, factory: Any = _IndexCursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        # sqlite3's own execute would make a plain cursor
        return self.cursor().execute(sql, parameters)


def _damaged(conn: sqlite3.Connection, err: sqlite3.DatabaseError) -> GazetteerCorruptError:
    path = getattr(conn, "index_path", "")
    return GazetteerCorruptError(
        f"the gazetteer index {path} is damaged ({err}); delete it and build it with: "
        f"placemap gazetteer build --output {path}"
    )


def _file_problem(path: Path) -> str | None:
    """What is wrong with the file as an SQLite database, from its 100-byte header:
    not SQLite at all, or shorter than the pages it says it holds (truncated)."""
    with open(path, "rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return "not an SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid when its "version-valid-for" matches the change counter.
    size = path.stat().st_size
    if header[24:28] == header[92:96] and pages and size < pages * page_size:
        return f"truncated: {size:,} of {pages * page_size:,} bytes"
    return None


@lru_cache(maxsize=1)
def _schema_columns() -> dict[str, tuple[str, ...]]:
    """The tables and columns of an index of this version, from its DDL."""
    with sqlite3.connect(":memory:") as conn:
        schema.create(conn)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        columns = {t: tuple(r[1] for r in conn.execute(f"PRAGMA table_info({t})")) for t in tables}
    conn.close()
    return columns


def _probe(conn: sqlite3.Connection) -> None:
    """Read every table's columns and one key through each index: a file of another
    schema, or one whose table and index roots are damaged, fails here."""
    for table, columns in _schema_columns().items():
        conn.execute(f"SELECT {', '.join(columns)} FROM {table} LIMIT 1").fetchall()
    conn.execute("SELECT place_id FROM names WHERE fold = 'a'").fetchall()
    conn.execute("SELECT fold FROM key_names WHERE tkey = 'a'").fetchall()
    conn.execute(
        "SELECT id FROM places WHERE country_code = 'A' AND feature_class = 'P'"
    ).fetchall()
    conn.execute(
        "SELECT id FROM places WHERE country_code = 'A' AND admin1_code = 'A' "
        "AND feature_code = 'ADM1'"
    ).fetchall()
    conn.execute("SELECT place_id FROM countries WHERE code = 'A'").fetchall()
    conn.execute("SELECT zipf FROM words WHERE fold = 'a'").fetchall()
    conn.execute("SELECT name FROM places WHERE id = 1").fetchall()


#: Keys longer than this are looked up exactly only: a key's one-edit variants number
#: about 35 a letter, so a table cell of 8,000 words took 8 GB. The longest keys of
#: real place names are about 30 letters.
MAX_FUZZY_KEY = 48


def _one_edit(key: str) -> Iterable[str]:
    for i in range(len(key) + 1):
        head, tail = key[:i], key[i:]
        if tail:
            yield head + tail[1:]
        for c in KEY_ALPHABET:
            yield head + c + tail
            if tail:
                yield head + c + tail[1:]


@lru_cache(maxsize=8192)
def _admin1_cache(gaz: Gazetteer, country_code: str, admin1_code: str) -> Place | None:
    # Through the index places_adm1; the first of them by id, as ever.
    row = gaz.conn.execute(
        f"SELECT {_PLACE_COLS} FROM places p WHERE p.country_code = ? "
        "AND p.feature_class = 'A' AND p.feature_code = 'ADM1' AND p.admin1_code = ? "
        "ORDER BY p.id LIMIT 1",
        (country_code, admin1_code),
    ).fetchone()
    return _row_place(row) if row else None


@lru_cache(maxsize=4096)
def _neighbours_cache(gaz: Gazetteer, code: str) -> frozenset[str]:
    info = gaz.country_info(code)
    return info[2] if info else frozenset()


@lru_cache(maxsize=4096)
def _country_cache(gaz: Gazetteer, code: str) -> Place | None:
    row = gaz.conn.execute(
        f"SELECT {_PLACE_COLS} FROM countries c JOIN places p ON p.id = c.place_id "
        "WHERE c.code = ?",
        (code,),
    ).fetchone()
    return _row_place(row) if row else None


@lru_cache(maxsize=65536)
def _word_cache(gaz: Gazetteer, folded: str) -> tuple[float, bool]:
    row = gaz.conn.execute(
        "SELECT zipf, dictionary FROM words WHERE fold = ?", (folded,)
    ).fetchone()
    return (float(row[0]), bool(row[1])) if row else (0.0, False)
