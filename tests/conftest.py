"""Shared fixtures: a small index built from GeoNames-format files written for the
tests, and the real default index (built once per machine in the user cache)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from placemap.cli import cli
from placemap.gazetteer import Gazetteer
from placemap.gazetteer.build import build_index
from placemap.gazetteer.store import default_path

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def dump_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture dumps, with US.txt zipped as GeoNames publishes it."""
    d = tmp_path_factory.mktemp("geonames")
    for f in (DATA / "geonames").iterdir():
        if f.is_file():
            shutil.copy(f, d / f.name)
    with zipfile.ZipFile(d / "US.zip", "w") as zf:
        zf.write(d / "US.txt", "US.txt")
        zf.writestr("readme.txt", "GeoNames test fixture")
    (d / "US.txt").unlink()
    return d


@pytest.fixture(scope="session")
def country_alternates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Syria's alternate names as GeoNames publishes them: alternatenames/SY.zip holding
    SY.txt (10 columns, like alternateNamesV2), named like the country's main table."""
    path = tmp_path_factory.mktemp("alternatenames") / "SY.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(DATA / "geonames" / "alternatenames" / "SY.txt", "SY.txt")
        zf.writestr("readme.txt", "GeoNames test fixture")
    return path


@pytest.fixture(scope="session")
def small_index(dump_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index") / "small.sqlite"
    build_index(path, default=False, geonames=[dump_dir])
    return path


@pytest.fixture()
def small_gaz(small_index: Path) -> Gazetteer:
    return Gazetteer(small_index)


@pytest.fixture(scope="session")
def default_index() -> Path:
    """The real default index: built on first use, like a user's first run."""
    path = default_path()
    if not path.exists():
        build_index(path)
    return path


@pytest.fixture(scope="session")
def default_gaz(default_index: Path) -> Gazetteer:
    return Gazetteer(default_index)


@pytest.fixture()
def run(small_index: Path, monkeypatch: pytest.MonkeyPatch):
    """``placemap ARGS`` in this process (click's runner) against the small test index;
    ``input`` is standard input."""
    monkeypatch.setenv("PLACEMAP_GAZETTEER", str(small_index))

    def invoke(*args: str | Path, input: str | bytes | None = None):
        return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke
