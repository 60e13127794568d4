"""Menus and breadcrumb trails at the top of scraped texts: no title, no places."""

from __future__ import annotations

import pytest

from placemap.boilerplate import is_boilerplate, menu_lines
from placemap.gazetteer import Gazetteer
from placemap.pipeline import Geoparser
from placemap.readers import guess_title_date


@pytest.mark.parametrize(
    "line",
    [
        "Home News Politics Economy World Society Sports Photo Video",
        "Home | World | Middle East | Sport | Opinion",
        "News › Europe › Ukraine",
        "Home > World > Asia",
        "Politics • Economy • Kyiv • Kharkiv • Odesa",
    ],
)
def test_menus_and_trails_are_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Israeli strikes hit south Lebanon as Hezbollah fires rockets",
        "Ukraine war latest | Kyiv hit by drones overnight",
        "CAIRO/JERUSALEM (Reuters) - Egyptian mediators met envoys on Monday.",
        "Fighting in Idlib, Hama and Aleppo",
        "Syria | Damascus | Islamic State | Aleppo | Homs",  # tags: the report's places
    ],
)
def test_headlines_are_not(line: str) -> None:
    assert not is_boilerplate(line)


def test_a_menu_line_is_neither_the_title_nor_a_place(default_gaz: Gazetteer) -> None:
    text = (
        "Home | World | Middle East | Sport | Opinion\n"
        "Israeli strikes hit south Lebanon\n"
        "BEIRUT (Reuters) - Israeli aircraft struck targets near Marjayoun.\n"
    )
    title, _date = guess_title_date(text)
    assert title == "Israeli strikes hit south Lebanon"
    assert menu_lines(text) == [(0, 44)]
    found = [m.text for m in Geoparser(default_gaz).geoparse(text)]
    assert "Middle East" not in found and {"Lebanon", "BEIRUT", "Marjayoun"} <= set(found)


def test_only_the_top_of_a_text_is_looked_at() -> None:
    text = "Israeli strikes hit south Lebanon\n" * 8 + "Home | World | Middle East\n"
    assert menu_lines(text) == []
