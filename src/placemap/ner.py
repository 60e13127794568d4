"""Optional named-entity recognition with spaCy (the extra ``placemap[spacy]``).

A spaCy English pipeline's place entities join the gazetteer's spotting as extra
spans; the recognition filters and the resolver then treat them like any other
span. Nothing here imports spaCy until :func:`load_spacy` is called, so placemap
works, offline and unchanged, without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from placemap.errors import DependencyError

__all__ = ["PLACE_LABELS", "DEFAULT_MODEL", "EntityPipeline", "load_spacy", "place_entities"]

# GPE (countries, cities, states) and LOC (regions, seas, mountains). FAC (buildings,
# airports, roads, bridges) is left out: the gazetteer has few of them, and adding it
# changed no end-to-end figure on LGL or GeoVirus with en_core_web_sm 3.8.
PLACE_LABELS = frozenset({"GPE", "LOC"})
DEFAULT_MODEL = "en_core_web_sm"
# What spaCy puts around a name that the name does not include: "the Middle East",
# "Syria's".
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING = re.compile(r"(?:['\u2019]s|['\u2019])$")
# Components that entity recognition does not need; leaving them out saves time.
_UNNEEDED = ("parser", "lemmatizer", "tagger", "attribute_ruler", "senter")


class EntityPipeline(Protocol):
    """What placemap needs of a spaCy ``Language``: call it on a text, get a doc whose
    ``ents`` have ``start_char``, ``end_char`` and ``label_``."""

    def __call__(self, text: str) -> Any: ...


def load_spacy(model: str = DEFAULT_MODEL) -> EntityPipeline:
    """Load a spaCy pipeline (a package name or a path) for :class:`placemap.Geoparser`'s
    ``ner``; :class:`DependencyError` says what to install when spaCy or the model is
    missing."""
    try:
        import spacy
    except ImportError as err:
        raise DependencyError(
            "spaCy is not installed: pip install 'placemap[spacy]' and "
            f"python -m spacy download {model}"
        ) from err
    try:
        nlp: EntityPipeline = spacy.load(model, exclude=list(_UNNEEDED))
    except OSError as err:
        raise DependencyError(
            f"spaCy model {model!r} is not installed: python -m spacy download {model}"
        ) from err
    return nlp


def place_entities(
    nlp: Callable[[str], Any], text: str, labels: Iterable[str] = PLACE_LABELS
) -> list[tuple[int, int]]:
    """(start, end) of the place entities ``nlp`` finds in ``text``, trimmed of a
    leading article and a trailing possessive, in text order."""
    wanted = frozenset(labels)
    out = []
    for ent in nlp(text).ents:
        if ent.label_ not in wanted:
            continue
        start, end = ent.start_char, ent.end_char
        name = text[start:end]
        if m := _LEADING.match(name):
            start += m.end()
        if m := _TRAILING.search(text[start:end]):
            end -= len(m.group())
        if start < end and text[start:end].strip():
            out.append((start, end))
    return sorted(set(out))
