"""Atomic writing of a gazetteer index: build into a temporary file, then rename.

A build that fails or is interrupted never replaces a working index: the new
file only takes the old one's place, with one ``os.replace``, once it is
complete and committed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from placemap.errors import GazetteerBuildError
from placemap.gazetteer import schema
from placemap.normalize import fold, translit_key
from placemap.tempfiles import create_locked, file_kind, output_target

log = logging.getLogger(__name__)

# Codes that GeoNames mixes into alternate names (IATA "PMS", ICAO "OSPR") and
# that would otherwise be spotted in text as place names.
_CODE_RE = re.compile(r"^[A-Z0-9]{2,5}$")
# Words rarer than this (wordfreq's Zipf scale) are not recorded as words.
WORD_MIN_ZIPF = 2.5


def usable_alternate(name: str, primary: str) -> bool:
    """Whether an alternate name is a name (not a code, a link or a number)."""
    name = name.strip()
    if not name or len(name) > 120 or "://" in name or name.isdigit():
        return False
    return not (_CODE_RE.match(name) and name != primary)


class IdSet:
    """A set of place ids in bounded memory: a bitmap up to :attr:`BITMAP_LIMIT` (GeoNames
    ids stay below 15 million: 2 MB for all of allCountries), a set beyond it."""

    BITMAP_LIMIT = 64_000_000

    def __init__(self) -> None:
        self._bits = bytearray()
        self._other: set[int] = set()

    def add(self, i: int) -> None:
        if 0 <= i < self.BITMAP_LIMIT:
            byte = i >> 3
            if byte >= len(self._bits):
                self._bits.extend(bytes(max(byte + 1 - len(self._bits), len(self._bits))))
            self._bits[byte] |= 1 << (i & 7)
        else:
            self._other.add(i)

    def __contains__(self, i: int) -> bool:
        if 0 <= i < self.BITMAP_LIMIT:
            byte = i >> 3
            return byte < len(self._bits) and bool(self._bits[byte] & (1 << (i & 7)))
        return i in self._other


class IndexWriter:
    """Fills a fresh index. Use through :func:`writing`."""

    _BATCH = 50_000

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._places: list[tuple] = []
        self._names: list[tuple[str, str, int, int]] = []
        #: Rows written; after :meth:`finish`, the places and names the index holds.
        self.counts: dict[str, int] = {"places": 0, "names": 0}
        self.ids = IdSet()
        # Places that later rows of the same id must not replace (curated features).
        self._kept: set[int] = set()

    def add_place(
        self,
        place_id: int,
        name: str,
        lat: float,
        lon: float,
        feature_class: str,
        feature_code: str,
        country_code: str | None,
        *,
        asciiname: str | None = None,
        admin1_code: str | None = None,
        admin1_name: str | None = None,
        admin2_code: str | None = None,
        population: int = 0,
        source: str,
        names: Iterable[str] = (),
        keep: bool = False,
    ) -> None:
        """Add a place and index it under its own name and ``names``.

        A later place of the same id replaces it, unless it was added with ``keep``:
        then only the later place's names are added to it.
        """
        ascii_ = asciiname or fold(name).title()
        if place_id in self._kept:
            self.add_names(place_id, (name, ascii_), schema.NAME_ALTERNATE)
            self.add_names(
                place_id, (n for n in names if usable_alternate(n, name)), schema.NAME_ALTERNATE
            )
            return
        if keep:
            self._kept.add(place_id)
        self.ids.add(place_id)
        self._places.append(
            (
                place_id,
                name,
                ascii_,
                lat,
                lon,
                feature_class,
                feature_code,
                country_code or None,
                admin1_code or None,
                admin1_name or None,
                admin2_code or None,
                int(population or 0),
                source,
            )
        )
        self.counts["places"] += 1
        self.add_names(place_id, (name, ascii_), schema.NAME_PRIMARY)
        self.add_names(
            place_id, (n for n in names if usable_alternate(n, name)), schema.NAME_ALTERNATE
        )
        if len(self._places) >= self._BATCH:
            self._flush_places()

    def add_names(self, place_id: int, names: Iterable[str], kind: int) -> None:
        seen: set[str] = set()
        for n in names:
            f = fold(n)
            if not f or f in seen:
                continue
            seen.add(f)
            self._names.append((f, translit_key(n), place_id, kind))
        self.counts["names"] += len(seen)
        if len(self._names) >= self._BATCH:
            self._flush_names()

    def add_country(
        self, code: str, place_id: int, name: str, continent: str | None, neighbours: str
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO countries VALUES (?, ?, ?, ?, ?)",
            (code, place_id, name, continent, neighbours),
        )

    def set_meta(self, key: str, value: object) -> None:
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, text))

    def _flush_places(self) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO places (id, name, asciiname, lat, lon, feature_class, "
            "feature_code, country_code, admin1_code, admin1_name, admin2_code, population, "
            "source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            self._places,
        )
        self._places.clear()

    def _flush_names(self) -> None:
        self.conn.executemany(
            "INSERT INTO names (fold, tkey, place_id, kind) VALUES (?,?,?,?)", self._names
        )
        self._names.clear()

    def flush(self) -> None:
        """Write the batched rows, so that queries on the index see them."""
        self._flush_places()
        self._flush_names()

    def finish(self) -> None:
        self.flush()
        log.info("sorting and indexing %s names", f"{self.counts['names']:,}")
        # One pass drops the names of places that a later row replaced (same id), keeps
        # one row per key, place and kind (a place indexed twice under one key by
        # different routes), and leaves the table in key order, so that the key index
        # builds from sorted rows and a key's rows share pages. (The transliteration
        # key is a function of the folded key.)
        self.conn.execute("ALTER TABLE names RENAME TO names_written")
        self.conn.execute(schema.NAMES_DDL)
        self.conn.execute(
            "INSERT INTO names (fold, tkey, place_id, kind) SELECT fold, MIN(tkey), place_id, "
            "kind FROM names_written WHERE place_id IN (SELECT id FROM places) "
            "GROUP BY fold, place_id, kind"
        )
        self.conn.execute("DROP TABLE names_written")
        self._count_spellings()
        self.conn.execute(
            "INSERT INTO key_names SELECT tkey, fold, MAX(kind IN (0, 1)) FROM names "
            "WHERE tkey != '' GROUP BY tkey, fold"
        )
        schema.create_indexes(self.conn)
        self._write_filters()
        self._count_names()
        self._fill_words()
        counts = dict(
            self.conn.execute(
                "SELECT feature_class, COUNT(*) FROM places GROUP BY feature_class"
            ).fetchall()
        )
        self.set_meta("counts_by_feature_class", counts)
        self.counts = {
            "places": self.conn.execute("SELECT COUNT(*) FROM places").fetchone()[0],
            "names": self.conn.execute("SELECT COUNT(*) FROM names").fetchone()[0],
        }
        self.set_meta("places", self.counts["places"])
        self.set_meta("names", self.counts["names"])
        self.set_meta("built_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        log.info("analysing the index")
        self.conn.execute("ANALYZE")

    def _write_filters(self) -> None:
        """The Bloom filters of the folded names and the transliteration keys."""
        from placemap.gazetteer.keyfilter import build_filter

        for name, sql in (
            (schema.FILTER_FOLD, "SELECT DISTINCT fold FROM names"),
            (schema.FILTER_TKEY, "SELECT DISTINCT tkey FROM key_names"),
        ):
            (count,) = self.conn.execute(f"SELECT COUNT(*) FROM ({sql})").fetchone()
            keys = (r[0] for r in self.conn.execute(sql))  # streamed
            f = build_filter(keys, count)
            self.conn.execute("INSERT INTO filters VALUES (?, ?, ?)", (name, f.hashes, f.bits))

    def _count_names(self) -> None:
        """Record how many distinct names (own and alternate, folded) each place has: how
        widely a place is known ("Geneva", in 60 languages, against its namesakes' dozen)."""
        self.conn.executescript(
            """
            CREATE TEMP TABLE name_counts (place_id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
            INSERT INTO name_counts
                SELECT place_id, COUNT(DISTINCT fold) FROM names WHERE kind IN (0, 1)
                GROUP BY place_id;
            UPDATE places SET names = COALESCE(
                (SELECT n FROM name_counts WHERE name_counts.place_id = places.id), 0);
            DROP TABLE name_counts;
            """
        )

    def _count_spellings(self) -> None:
        """Record on each name how many of its place's names share its transliteration
        key (see ``names.spellings``): the look-up of an alternate name reads it instead
        of every row of the key ("Palmyra" is 7 of Tadmur's names, 1 of Mason, Ohio's)."""
        self.conn.executescript(
            """
            CREATE TEMP TABLE key_counts (
                place_id INTEGER NOT NULL, tkey TEXT NOT NULL, n INTEGER NOT NULL,
                PRIMARY KEY (place_id, tkey)
            ) WITHOUT ROWID;
            INSERT INTO key_counts
                SELECT place_id, tkey, COUNT(DISTINCT fold) FROM names
                WHERE kind IN (0, 1) AND tkey != '' GROUP BY place_id, tkey;
            UPDATE names SET spellings = COALESCE(
                (SELECT n FROM key_counts k
                 WHERE k.place_id = names.place_id AND k.tkey = names.tkey), 0)
            WHERE tkey != '';
            DROP TABLE key_counts;
            """
        )

    def _fill_words(self) -> None:
        """Record how common frequent English words are as words, and whether a
        dictionary lists them in lower case: the 50,000 most frequent, and the less
        frequent ones (down to Zipf 2.5) that are also one-word names in the index.

        The words are wordfreq's, in order of frequency, each probed on the index:
        memory stays the same however many names the index holds.
        """
        from english_words import get_english_words_set
        from wordfreq import iter_wordlist, top_n_list, zipf_frequency

        dictionary = {
            w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()
        }
        top = set(top_n_list("en", 50_000))
        rows = []
        for w in iter_wordlist("en"):
            z = zipf_frequency(w, "en")
            if z < WORD_MIN_ZIPF:
                break
            if not (w.isascii() and w.isalpha()):
                continue
            if w in top or self.conn.execute(
                "SELECT 1 FROM names WHERE fold = ? LIMIT 1", (w,)
            ).fetchone():
                rows.append((w, z, int(w in dictionary)))
        self.conn.executemany("INSERT OR IGNORE INTO words VALUES (?, ?, ?)", rows)


def _not_an_index(path: Path) -> str | None:
    """Why the file at ``path`` is not an index a build may replace: it is neither
    missing, nor empty, nor an SQLite database that is damaged or holds placemap's
    ``meta`` table (another program's database is not replaced either)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except FileNotFoundError:
        return None
    except OSError as err:
        return err.strerror or str(err)
    if not head:
        return None
    if head != b"SQLite format 3\x00":
        return "not an SQLite database"
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        return None  # damaged: rebuilding it is the fix placemap gives
    return None if "meta" in tables else "an SQLite database of another program"


@contextmanager
def writing(path: Path) -> Iterator[IndexWriter]:
    """Yield a writer for a new index that replaces ``path`` only on success."""
    path = output_target(Path(path))  # a link is kept and its target rebuilt
    kind = file_kind(path)
    if kind is not None:
        raise GazetteerBuildError(f"{path} is {kind}, not a file an index can be written to")
    if why := _not_an_index(path):
        # `-o notes.txt` (or /etc/passwd, run as root) replaced the file with an index
        raise GazetteerBuildError(
            f"{path}: exists and is not a placemap gazetteer index ({why}); building would "
            "replace it: choose another path (or remove it first)"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise GazetteerBuildError(f"cannot write the index {path} ({err.strerror or err})") from err
    # The open fd holds a lock that marks the file as in use (placemap.tempfiles): a
    # build killed outright leaves a file that the next build removes.
    fd, tmp = create_locked(path, path.name + ".", ".building")
    conn = None
    try:
        conn = sqlite3.connect(tmp)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -200000")
        schema.create(conn)
        writer = IndexWriter(conn)
        yield writer
        writer.finish()
        conn.commit()
        conn.close()
        os.replace(tmp, path)
        log.info("gazetteer index written to %s", path)
    except Exception as err:
        if isinstance(err, GazetteerBuildError):
            raise
        raise GazetteerBuildError(
            f"building the gazetteer index {path} failed: {err}; "
            "the previous index (if any) is untouched"
        ) from err
    finally:
        if conn is not None:
            conn.close()
        os.close(fd)  # only now: closing any fd of the file drops the locks SQLite holds
        tmp.unlink(missing_ok=True)  # gone already when the build succeeded
