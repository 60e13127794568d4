"""The SQLite layout of a gazetteer index, shared by the builders and the reader."""

from __future__ import annotations

import sqlite3

#: Bumped whenever the layout or the meaning of a column changes; an index of
#: another version is refused with a message that says how to rebuild it.
SCHEMA_VERSION = 6

# Kinds of rows in ``names``.
NAME_PRIMARY = 0  # the place's own name or its ASCII form
NAME_ALTERNATE = 1  # an alternate name (other languages, spellings, historic)
NAME_ABBREVIATION = 2  # "US", "UAE": usable anywhere
NAME_DEMONYM = 3  # "Syrian" -> Syria
NAME_CONTEXT_ABBREVIATION = 4  # "Ill.", "CA": only right after a place name

# The meta key holding the fingerprint of the build inputs (placemap's shipped data and
# recipe): a default index whose fingerprint differs from the running placemap's is rebuilt.
META_FINGERPRINT = "build_fingerprint"

# Values of ``places.source`` that say someone chose to list a place: placemap's curated
# table, and (in memory, never in the index) a user's overlay, as "overlay FILE".
SOURCE_CURATED = "placemap curated"
SOURCE_OVERLAY = "overlay"

# The meta key listing the countries whose full GeoNames data (a country file, or
# allCountries: ALL_COUNTRIES) an index holds.
META_FULL_COUNTRIES = "full_countries"

# The rows of table ``filters``.
FILTER_FOLD = "fold"
FILTER_TKEY = "tkey"
ALL_COUNTRIES = "*"


def is_country_code(code: str) -> bool:
    """Whether ``code`` is written as an ISO 3166-1 alpha-2 code: two letters A-Z. Codes
    come from data (a dump's country column, an overlay's) and end up in a command line
    placemap suggests: nothing else may pass."""
    return len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()

NAMES_DDL = """CREATE TABLE names (
    fold TEXT NOT NULL,              -- normalize.fold(name)
    tkey TEXT NOT NULL,              -- normalize.translit_key(name), '' when none
    place_id INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    -- How many distinct names (own and alternate, folded) the place has under this row's
    -- tkey: how many of its names are spellings of this one (0 when tkey is '')
    spellings INTEGER NOT NULL DEFAULT 0
);"""

DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE places (
    id INTEGER PRIMARY KEY,          -- GeoNames id; negative for curated entries without one
    name TEXT NOT NULL,
    asciiname TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    feature_class TEXT NOT NULL,
    feature_code TEXT NOT NULL,
    country_code TEXT,
    admin1_code TEXT,
    admin1_name TEXT,
    admin2_code TEXT,
    population INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    names INTEGER NOT NULL DEFAULT 0 -- distinct folded names (own and alternate): how widely known
);
{names}
-- How common each single-word name is as an English word (wordfreq's Zipf scale)
-- and whether a dictionary lists it in lower case: "Reading", "Bath", "Mobile".
CREATE TABLE words (
    fold TEXT PRIMARY KEY,
    zipf REAL NOT NULL,
    dictionary INTEGER NOT NULL
) WITHOUT ROWID;
-- The distinct folded names under each transliteration key, for the spelling look-ups: a
-- crowded key ("krb": Kirby, Karaba, Qarabah...) is compared name by name, and only the
-- names close enough are then read with their places.
CREATE TABLE key_names (
    tkey TEXT NOT NULL,
    fold TEXT NOT NULL,
    named INTEGER NOT NULL,          -- 1 when some place's own or alternate name (kind 0, 1)
    PRIMARY KEY (tkey, fold)
) WITHOUT ROWID;
-- Bloom filters (placemap.gazetteer.keyfilter) of the keys look-ups probe and mostly
-- miss: FILTER_FOLD of names.fold, FILTER_TKEY of key_names.tkey.
CREATE TABLE filters (
    name TEXT PRIMARY KEY,
    hashes INTEGER NOT NULL,
    bits BLOB NOT NULL
);
CREATE TABLE countries (
    code TEXT PRIMARY KEY,           -- ISO 3166-1 alpha-2
    place_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    continent TEXT,
    neighbours TEXT                  -- comma-separated ISO codes
);
"""

INDEXES = """
CREATE INDEX names_fold ON names (fold);
CREATE INDEX places_country ON places (country_code, feature_class);
-- The first-level divisions by their codes (a country's divisions of all levels number
-- thousands: the division of a code was one of them, read one by one).
CREATE INDEX places_adm1 ON places (country_code, admin1_code) WHERE feature_code = 'ADM1';
"""


def create(conn: sqlite3.Connection) -> None:
    conn.executescript(DDL.format(names=NAMES_DDL))
    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))


def create_indexes(conn: sqlite3.Connection) -> None:
    # (Schema-3 indexes built before fuzzy keys were listed hold a table tkeys_rev too,
    # which nothing reads now.)
    conn.executescript(INDEXES)
