"""Name normalisation: the folded key and the transliteration key.

Two keys index every gazetteer name:

``fold(name)``
    Case-, accent- and punctuation-folded form: "Deir ez-Zor" -> "deir ez zor",
    "‘Uqayribāt" -> "uqayribat". Two spellings that differ only in case, accents,
    hyphens or the ayn/hamza marks share it.

``translit_key(name)``
    A consonant skeleton that tolerates the variation of transliterated Arabic,
    Persian, Pashto and Cyrillic names: the Arabic article is optional, vowels
    (and the semi-vowels w/y) and doubled letters are dropped, and the digraphs
    that different romanisation schemes use for one sound are merged
    (kh/h, q/k/c, sh/ch/sch, zh/j/dj, th/t, dh/d, gh/g, ph/f). Names written in
    Arabic or Cyrillic script are mapped letter by letter onto the same skeleton,
    so the Arabic alternate names in GeoNames match any Latin spelling of them.
    "Dayr az Zawr", "Deir ez-Zor", "Deir Ezzor" and "دير الزور" all give "drzr".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "translit_key", "ARTICLES", "KEY_ALPHABET"]

# Letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ß": "ss",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ħ": "h",
        "Ħ": "h",
        "ŧ": "t",
        "ƒ": "f",
    }
)

# Ayn, hamza and apostrophe-like marks that transliterations scatter through names.
_MARKS = "'`´‘’‛′ʹʻʼʽʾʿˈˊˋ"
_MARKS_RE = re.compile("[" + re.escape(_MARKS) + "]")
# Everything else that is not a letter or digit separates words.
_SEP_RE = re.compile(r"[^\w]+|_+")
_DOTTED_RE = re.compile(r"(?<=\w)\.(?=\w)")

# The Arabic article in its assimilated forms (al-Raqqa, ar-Raqqa, as-Sukhnah,
# ash-Sham, ez-Zor, ...), as it appears as a separate word after folding.
ARTICLES = frozenset(
    "al el il ul ar er as es ash esh ad ed az ez at et an en ath adh ud us un".split()
)


# Passes of the letters' folding after the first, until nothing changes (two sufficed
# for every string tried).
_FOLD_PASSES = 3


def _folded_letters(text: str) -> str:
    """Letters of the table translated, accents stripped, lower case, no ayn or hamza."""
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _MARKS_RE.sub("", text.casefold())


@lru_cache(maxsize=200_000)
def fold(name: str) -> str:
    """Lower-case, strip accents and ayn/hamza marks, treat punctuation as spaces.

    Non-Latin scripts keep their letters (minus combining marks such as Arabic
    harakat), so an Arabic or Cyrillic name folds to itself in lower case.
    """
    if name.isascii():
        # The same steps, cheaper: ASCII has nothing to decompose, and its only marks
        # are the apostrophe and the backtick (most names a report holds are ASCII).
        text = name.lower()
        if "'" in text or "`" in text:
            text = text.replace("'", "").replace("`", "")
        if text.replace(" ", "").isalnum():  # letters, digits and spaces only
            return " ".join(text.split())
    else:
        text = _folded_letters(name)
        # (Decomposing and lower-casing may make letters that fold again: "𝚤", a
        # mathematical dotless i, decomposes to "ı", and "Ƒ" lower-cases to "ƒ".)
        for _ in range(_FOLD_PASSES):
            again = _folded_letters(text)
            if again == text:
                break
            text = again
    # Dotted abbreviations: "U.S." -> "us", "St. Louis" -> "st louis".
    text = _DOTTED_RE.sub("", text)
    return " ".join(w for w in _SEP_RE.split(text) if w)


# --- transliteration key -------------------------------------------------------

# Latin digraphs first (longest first), then single letters. "$" stands for the
# sh/ch sound and "j" for zh/dzh/dj, so every scheme meets on one symbol.
_LATIN_DIGRAPHS = [
    ("shch", "$"),
    ("tsch", "$"),
    ("sch", "$"),
    ("tch", "$"),
    ("dzh", "j"),
    ("sh", "$"),
    ("ch", "$"),
    ("zh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("ph", "f"),
    ("ck", "k"),
    ("x", "ks"),
    ("q", "k"),
    ("c", "k"),
]
_DIGRAPH_RE = re.compile("|".join(re.escape(a) for a, _ in _LATIN_DIGRAPHS))
_DIGRAPH_MAP = dict(_LATIN_DIGRAPHS)
_VOWELS = set("aeiouyw")
# Every letter a key can hold: the consonants the Latin digraphs and the Arabic and
# Cyrillic tables map onto ("$" is the sh/ch sound).
KEY_ALPHABET = "$bdfghjklmnprstvz"

# Arabic, Persian and Pashto letters onto the skeleton alphabet. Long vowels and
# the semi-vowels (alif, waw, ya) are vowels; ayn and hamza carry nothing.
_ARABIC = {
    "ا": "",
    "أ": "",
    "إ": "",
    "آ": "",
    "ٱ": "",
    "ى": "",
    "ي": "",
    "ی": "",
    "ې": "",
    "ۍ": "",
    "و": "",
    "ؤ": "",
    "ئ": "",
    "ء": "",
    "ع": "",
    "ة": "",
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ث": "t",
    "ټ": "t",
    "ج": "j",
    "چ": "$",
    "ح": "h",
    "خ": "h",
    "د": "d",
    "ذ": "d",
    "ډ": "d",
    "ر": "r",
    "ړ": "r",
    "ز": "z",
    "ژ": "j",
    "ږ": "j",
    "ځ": "z",
    "س": "s",
    "ش": "$",
    "ښ": "$",
    "څ": "s",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "غ": "g",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ڼ": "n",
    "ه": "h",
    "ہ": "h",
    "ھ": "h",
}
_CYRILLIC = {
    "а": "",
    "е": "",
    "ё": "",
    "и": "",
    "й": "",
    "о": "",
    "у": "",
    "ы": "",
    "э": "",
    "ю": "",
    "я": "",
    "і": "",
    "ї": "",
    "є": "",
    "ъ": "",
    "ь": "",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "ж": "j",
    "з": "z",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "ф": "f",
    "х": "h",
    "ц": "ts",
    "ч": "$",
    "ш": "$",
    "щ": "$",
}


def _latin_word_key(word: str) -> str:
    # Final -ah/-eh is the Arabic ta marbuta (Raqqah / Raqqa, Sukhnah / Soukhne).
    if len(word) > 3 and word[-1] == "h" and word[-2] in "aeiou":
        word = word[:-1]
    word = _DIGRAPH_RE.sub(lambda m: _DIGRAPH_MAP[m.group(0)], word)
    return "".join(c for c in word if c not in _VOWELS and c.isalpha() or c == "$")


def _script_word_key(word: str) -> str | None:
    if word.startswith("ال") and len(word) > 3:  # the Arabic article
        word = word[2:]
    if len(word) > 2 and word[-1] in "هة":
        word = word[:-1]
    out = []
    for c in word:
        if c in _ARABIC:
            out.append(_ARABIC[c])
        elif c in _CYRILLIC:
            out.append(_CYRILLIC[c])
        elif "a" <= c <= "z":
            out.append(_latin_word_key(c))
        else:
            return None  # a script we do not key (CJK, Greek, Hebrew, ...)
    return "".join(out)


def _squeeze(key: str) -> str:
    return re.sub(r"(.)\1+", r"\1", key)


@lru_cache(maxsize=200_000)
def translit_key(name: str) -> str:
    """Consonant skeleton of a name; "" when the script is not keyed or nothing is left."""
    words = fold(name).split()
    if not words:
        return ""
    # The article is optional wherever it stands before another word.
    kept = [w for i, w in enumerate(words) if not (w in ARTICLES and i + 1 < len(words))]
    if all(w.isascii() for w in kept):
        key = "".join(_latin_word_key(w) for w in kept)
    else:
        parts = [_script_word_key(w) for w in kept]
        if None in parts:
            return ""
        key = "".join(p for p in parts if p)
    return _squeeze(key)
