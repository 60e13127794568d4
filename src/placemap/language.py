"""Which language a report's text is in, as far as recognition needs to know.

placemap's recognition rules are English ones: a capitalised word is a name unless it is a
common English word. In a report in another language the rules misfire: every German noun
is capitalised ("Arbeit", "Politik"), a Russian sentence opens with "Но" or "По" (which
GeoNames lists as names of towns in Ghana and Burkina Faso), and spelling guesses join
ordinary words to places ("Kooperation" to Copperton). :func:`text_language` tells such a
text from an English one, and names its language when it is one of :data:`LANGUAGES`, so
that recognition can ask whether a word is common in it (:func:`common_in`).

The test for English uses the English word frequencies the gazetteer index holds (no
load); only a text that fails it loads the frequency lists of other languages (wordfreq's
small lists, about 0.01 s and 7 MB a language, once a process).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from functools import cache, lru_cache

__all__ = ["LANGUAGES", "NOUNS_CAPITALISED", "text_language", "common_in"]

#: Languages a report may be guessed to be in (wordfreq's codes): those of the wire and
#: web news placemap's users read beside English.
LANGUAGES = ("fr", "es", "pt", "de", "it", "nl", "ru", "uk", "ar", "tr", "pl", "ro", "id")
#: Languages that capitalise every noun: a capital there says little of a name.
NOUNS_CAPITALISED = frozenset({"de"})
# Words of a text looked at: words of two letters or more, in lower case (names are
# capitalised), the first _SAMPLE of them.
_WORDS = re.compile(r"(?<![\w'’-])[^\W\d_]{2,}(?![\w'’-])")
_SAMPLE = 300
_SAMPLE_CHARS = 4000  # (where 300 lower-case words end in any prose)
# A text with fewer such words says too little ("Clashes near Aleppo"): taken as English.
_MIN_WORDS = 6
# A word is a common word of a language from this Zipf frequency (once in a million
# words: "Лук", onion, in a Russian recipe).
_WORD_ZIPF = 4.0
# English text has most of its lower-case words common in English (Zipf 4 and up): 0.78
# and more of them in the news of LGL and GeoVirus, 0.87 in the median headline or tweet;
# German shares many short words with English ("die", "in", "am": 0.5 of a sentence).
_ENGLISH_SHARE = 0.7
# Else a language whose words are common this much more often than English ones is the
# text's; with none, a text where a third of the words are English ones is taken for
# English (a list of names, a tweet of hashtags).
_LEAD = 0.2
_SOME_ENGLISH = 0.3


def text_language(text: str, english: Container[str]) -> str:
    """``"en"`` for English text (or too little to tell), one of :data:`LANGUAGES` for a
    text in it, ``"other"`` for a text in none of them. ``english`` holds the common
    English words (Zipf 4 and up) in lower case."""
    words = [w for w in _WORDS.findall(text, 0, _SAMPLE_CHARS) if w[0].islower()][:_SAMPLE]
    if len(words) < _MIN_WORDS:
        return "en"
    english_share = sum(map(english.__contains__, words)) / len(words)
    if english_share >= _ENGLISH_SHARE:
        return "en"
    shares = {lang: _share(words, _zipf_in(lang)) for lang in LANGUAGES}
    best = max(shares, key=lambda lang: shares[lang])
    if shares[best] >= english_share + _LEAD:
        return best
    return "en" if english_share >= _SOME_ENGLISH else "other"


def common_in(word: str, lang: str) -> bool:
    """Whether a word (any case) is a common word of ``lang``."""
    if lang not in LANGUAGES:
        return False
    return _zipf_in(lang)(word.lower()) >= _WORD_ZIPF


def _share(words: list[str], zipf: Callable[[str], float]) -> float:
    return sum(zipf(w) >= _WORD_ZIPF for w in words) / len(words)


@cache
def _zipf_in(lang: str) -> Callable[[str], float]:
    from wordfreq import zipf_frequency

    # wordfreq's small lists hold every word of Zipf 3 and up: all a test at
    # :data:`_WORD_ZIPF` needs (the same answer for each of the 132,085 words of the
    # 13 languages down to Zipf 3.9), in 92 MB and 0.12 s for all 13 where its
    # best lists took 632 MB and 1.4 s.
    @lru_cache(maxsize=100_000)
    def zipf(word: str) -> float:
        return float(zipf_frequency(word, lang, wordlist="small"))

    return zipf
