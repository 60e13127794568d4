"""The package as pip installs it (not editable): every subpackage is listed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_of_placemap_is_installed() -> None:
    # `pip install .` installs only the packages pyproject.toml lists: placemap.cli,
    # missing from the list, made `python -m placemap` fail on a fresh machine while
    # the editable install the tests use worked.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    src = ROOT / "src"
    found = {
        ".".join(init.parent.relative_to(src).parts) for init in src.rglob("__init__.py")
    }
    assert found <= listed, f"not installed by pip install .: {sorted(found - listed)}"
