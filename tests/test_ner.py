"""The optional spaCy extra: entity spans join the gazetteer's spotting; without spaCy
everything works as before, and asking for it says what to install."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from placemap.cli import cli
from placemap.errors import DependencyError
from placemap.gazetteer import Gazetteer
from placemap.ner import load_spacy, place_entities
from placemap.pipeline import Geoparser


@dataclass
class _Ent:
    start_char: int
    end_char: int
    label_: str


@dataclass
class _Doc:
    ents: list[_Ent]


class FakeNlp:
    """Stands in for a spaCy pipeline: labels each (word, label) it was given."""

    def __init__(self, *labelled: tuple[str, str]) -> None:
        self.labelled = labelled

    def __call__(self, text: str) -> _Doc:
        ents = []
        for word, label in self.labelled:
            start = text.index(word)
            ents.append(_Ent(start, start + len(word), label))
        return _Doc(ents)


TEXT = "Government troops entered homs on Monday, then moved on Palmyra."


def _found(gp: Geoparser, text: str) -> dict[str, int | None]:
    return {m.text: (m.place.geonameid if m.place else None) for m in gp.geoparse(text)}


def test_without_ner_a_lowercase_name_is_not_spotted(small_gaz: Gazetteer) -> None:
    assert "homs" not in _found(Geoparser(small_gaz), TEXT)


def test_place_entities_join_the_spotting_and_are_resolved(small_gaz: Gazetteer) -> None:
    gp = Geoparser(small_gaz, ner=FakeNlp(("homs", "GPE"), ("Palmyra", "GPE")))
    found = _found(gp, TEXT)
    assert found["homs"] == 169577  # the city, as the gazetteer spotting would have it
    assert found["Palmyra"] == 163808  # spotted by the gazetteer; not duplicated
    assert [m.text for m in gp.geoparse(TEXT)].count("Palmyra") == 1


def test_entities_of_other_labels_do_not_join(small_gaz: Gazetteer) -> None:
    gp = Geoparser(small_gaz, ner=FakeNlp(("homs", "PERSON")))
    assert "homs" not in _found(gp, TEXT)


def test_resolve_uses_entities_as_context(small_gaz: Gazetteer) -> None:
    text = "Fighting near homs spread to Palmyra."
    start = text.index("Palmyra")
    gp = Geoparser(small_gaz, ner=FakeNlp(("homs", "GPE")))
    (m,) = gp.resolve(text, [(start, start + len("Palmyra"))])
    assert m.place is not None and m.place.geonameid == 163808


def test_place_entities_are_trimmed_of_article_and_possessive() -> None:
    text = "Aid reached the Middle East and Syria's north."
    nlp = FakeNlp(("the Middle East", "LOC"), ("Syria's", "GPE"), ("Aid", "ORG"))
    spans = place_entities(nlp, text)
    assert [text[s:e] for s, e in spans] == ["Middle East", "Syria"]


def test_missing_spacy_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy now fails
    with pytest.raises(DependencyError, match=r"pip install 'placemap\[spacy\]'"):
        load_spacy()


def test_cli_ner_spacy_without_spacy_fails_with_a_message(
    small_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLACEMAP_GAZETTEER", str(small_index))
    monkeypatch.setitem(sys.modules, "spacy", None)
    report = tmp_path / "r.txt"
    report.write_text(TEXT, encoding="utf-8")
    r = CliRunner().invoke(cli, ["extract", str(report), "--ner", "spacy"])
    assert r.exit_code == 1
    assert "spaCy is not installed" in r.output


def test_cli_ner_none_is_the_default_and_needs_no_spacy(
    small_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLACEMAP_GAZETTEER", str(small_index))
    monkeypatch.setitem(sys.modules, "spacy", None)
    report = tmp_path / "r.txt"
    report.write_text(TEXT, encoding="utf-8")
    r = CliRunner().invoke(cli, ["extract", str(report)])
    assert r.exit_code == 0
    assert '"Palmyra"' in r.output


def test_real_spacy_model_finds_a_place(small_gaz: Gazetteer) -> None:
    pytest.importorskip("spacy")
    try:
        nlp = load_spacy()
    except DependencyError:
        pytest.skip("no spaCy English model installed")
    gp = Geoparser(small_gaz, ner=nlp)
    assert _found(gp, "Troops advanced on Palmyra in Syria.")["Palmyra"] == 163808
