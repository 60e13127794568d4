"""Telling reports in other languages from English ones (placemap.language)."""

from __future__ import annotations

import pytest

from placemap.gazetteer import Gazetteer
from placemap.language import common_in, text_language
from placemap.pipeline import Geoparser


@pytest.fixture(scope="module")
def english(default_gaz: Gazetteer) -> frozenset[str]:
    return default_gaz.frequent_words()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Troops shelled the town overnight and officials said that two people were killed.", "en"),
        ("Clashes near Aleppo", "en"),  # too little to tell: English
        ("Une nouvelle incursion de la milice a fait trois morts dans le village, selon la "
         "société civile.", "fr"),
        ("Die Regierung hat am Montag mitgeteilt, dass die Arbeit in der Stadt wieder "
         "beginnen soll.", "de"),
        ("Но власти города сообщили, что в понедельник обстрел продолжался всю ночь.", "ru"),
        ("Asesinan a un hombre frente a su casa en la colonia del centro de la ciudad.", "es"),
    ],
)
def test_text_language(english, text: str, lang: str) -> None:
    assert text_language(text, english) == lang


def test_common_words_of_a_language() -> None:
    assert common_in("Arbeit", "de") and common_in("Но", "ru") and common_in("Homem", "pt")
    assert not common_in("Abuluma", "fr") and not common_in("Arbeit", "en")


def test_words_of_other_languages_are_not_mapped(default_gaz: Gazetteer) -> None:
    gp = Geoparser(default_gaz)
    german = (
        "Die Kooperation mit den Kliniken ist wichtig. Arbeit und Politik in Heidelberg "
        "wurden am Montag besprochen, sagte die Sprecherin der Stadt."
    )
    assert [m.text for m in gp.geoparse(german) if m.place is not None] == ["Heidelberg"]
    russian = "Но в понедельник обстрел продолжался. По словам властей, в Харькове погибли двое."
    assert all(m.text not in ("Но", "По") for m in gp.geoparse(russian))
    # a big city's own name opening a sentence stays; mid-sentence a capital marks a name
    portuguese = "Homem é assassinado a tiros em Vitória, e a polícia da cidade investiga o caso."
    assert [m.text for m in gp.geoparse(portuguese) if m.place is not None] == ["Vitória"]


def test_a_country_by_its_own_languages_name_opens_a_headline(default_gaz: Gazetteer) -> None:
    gp = Geoparser(default_gaz)
    text = "Moçambique: insurgentes atacam aldeia em Macomia, Cabo Delgado, e matam cinco pessoas"
    got = {m.text: m.place.country_code for m in gp.geoparse(text) if m.place is not None}
    assert got == {"Moçambique": "MZ", "Macomia": "MZ", "Cabo Delgado": "MZ"}
