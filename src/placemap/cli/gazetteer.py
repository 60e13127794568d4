"""placemap gazetteer build | info | search."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from placemap.cli.common import (
    EXIT_PARTIAL,
    Fatal,
    OutputPath,
    gazetteer_options,
    library_errors,
    one_line,
    open_gaz,
    quiet,
    say,
)
from placemap.gazetteer.geonames import DEFAULT_FEATURE_CLASSES, KIND_LABELS


@click.group()
def gazetteer() -> None:
    """Build, inspect and search the gazetteer index.

    \b
    Examples:
      placemap gazetteer build --download SY
      placemap gazetteer info
      placemap gazetteer search Palmyra --country SY
    """


@gazetteer.command("build")
@click.option(
    "-o",
    "--output",
    type=OutputPath(to_stdout=False, dir_okay=False),
    envvar="PLACEMAP_GAZETTEER",
    help="Where to write the index [env PLACEMAP_GAZETTEER; default: the user cache].",
)
@click.option(
    "--geonames",
    "geonames_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="GeoNames dump files or a folder of them (allCountries or XX.txt/.zip, "
    "alternateNamesV2 or alternatenames/XX.zip, admin1CodesASCII, admin2Codes, "
    "countryInfo), recognised by their columns. Repeatable.",
)
@click.option(
    "--download",
    "download_codes",
    multiple=True,
    metavar="CC",
    help="Download GeoNames dumps for this country code (or 'allCountries') first; "
    "needs the internet. Repeatable.",
)
@click.option(
    "--default/--no-default",
    "with_default",
    default=None,
    help="Include the offline default sources (GeoNames cities500, divisions, curated "
    "tables) [default: as the index was built, else included].",
)
@click.option(
    "--feature-classes",
    default=None,
    help="GeoNames feature classes to import from dumps [default: as the index was "
    f"built, else {DEFAULT_FEATURE_CLASSES}].",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Build only from what this command names, dropping the GeoNames files the "
    "index was built from (by default a build adds to them).",
)
@library_errors
def gazetteer_build(
    output: Path | None,
    geonames_paths: tuple[Path, ...],
    download_codes: tuple[str, ...],
    with_default: bool | None,
    feature_classes: str | None,
    replace: bool,
) -> None:
    """Build the gazetteer index (atomically: a failed build keeps the old index).

    An existing index is rebuilt from what it was built from plus what this command
    adds: after --download SY, a --download UA keeps Syria. --replace starts afresh.
    Files are checked before any work; a terminal shows each file's progress.

    \b
    Examples:
      placemap gazetteer build                      # the offline default
      placemap gazetteer build --download SY        # add all of Syria from GeoNames
      placemap gazetteer build --geonames SY.zip --geonames admin1CodesASCII.txt
      placemap gazetteer build --download UA -o ua.sqlite --feature-classes PA
      placemap gazetteer build --replace            # back to the default alone
    """
    from placemap.gazetteer import default_path
    from placemap.gazetteer.build import build_index, extend_recipe, recorded_recipe
    from placemap.gazetteer.geonames import download
    from placemap.gazetteer.store import cache_dir
    from placemap.outputs import check_not_an_input

    if feature_classes is not None and not set(feature_classes) <= set("ADHLPRSTUV"):
        raise click.BadParameter(
            "use GeoNames feature class letters (A H L P R S T U V)", param_hint="--feature-classes"
        )
    from placemap.gazetteer.schema import is_country_code

    for code in download_codes:
        if not (code == "allCountries" or is_country_code(code.upper())):
            raise click.BadParameter(
                f"{code[:40]!r}: a two-letter country code (SY, UA) or allCountries",
                param_hint="--download",
            )
    if with_default is False and not (geonames_paths or download_codes):
        raise click.UsageError("--no-default needs --geonames or --download")
    target = output or default_path()
    old = None if replace else recorded_recipe(target)
    if old is not None and old.geonames and not quiet():
        # the recipe is the index's own record: from whoever built it
        say(f"adding to {target}, built from {old.describe()} (--replace drops them)")
    # Local files are checked before anything is downloaded or built.
    recipe = extend_recipe(
        old, geonames=geonames_paths, default=with_default, feature_classes=feature_classes
    )
    check_not_an_input(target, recipe.geonames)  # -o SY.txt --geonames SY.txt
    if download_codes:
        fetched = download(download_codes, cache_dir() / "geonames")
        recipe = extend_recipe(recipe, geonames=fetched)
    if not recipe.default and not recipe.geonames:
        raise click.UsageError("--no-default needs --geonames or --download")
    shown = not quiet() and sys.stderr.isatty()
    if not quiet():
        say(f"building {target} from {recipe.describe()} ...")
    bars = _Progress() if shown else None
    try:
        stats = build_index(
            target,
            default=recipe.default,
            geonames=recipe.geonames,
            feature_classes=recipe.feature_classes,
            progress=bars,
        )
    finally:
        if bars is not None:
            bars.close()
    full = stats.get("full_countries") or []
    click.echo(
        one_line(
            f"built {target}: {stats['places']:,} places, {stats['names']:,} names, "
            f"{stats['size_bytes'] / 1e6:.0f} MB in {stats['seconds']} s"
            + (f"; full GeoNames data for {', '.join(full)}" if full else "")
        )
    )
    if skipped := stats.get("skipped_rows"):
        say(f"placemap: {skipped:,} rows of the dump files could not be read and were skipped")
        sys.exit(EXIT_PARTIAL)


class _Progress:
    """A build's progress on stderr: one bar per dump file (rows read, rows a second,
    and how much of the file), one line per step without rows."""

    # tqdm writes the postfix after ", ": "[00:12<00:30, 812,000 rows, 67,000 rows/s]".
    _FORMAT = "{desc}: {percentage:3.0f}%|{bar:20}| [{elapsed}<{remaining}{postfix}]"
    _FORMAT_NO_TOTAL = "{desc}: [{elapsed}{postfix}]"

    def __init__(self) -> None:
        self._bar: Any = None
        self._label: str | None = None

    def phase(self, label: str) -> None:
        self.close()
        say(f"placemap: {label} ...")

    def rows(self, label: str, rows: int, done: int, total: int | None) -> None:
        from tqdm import tqdm

        if label != self._label:
            self.close()
            self._label = label
            self._bar = tqdm(
                total=total,
                desc=one_line(label),  # a dump file's name
                file=sys.stderr,
                bar_format=self._FORMAT if total else self._FORMAT_NO_TOTAL,
                dynamic_ncols=True,
            )
        bar = self._bar
        elapsed = bar.format_dict["elapsed"] or 1e-9
        bar.set_postfix_str(f"{rows:,} rows, {rows / elapsed:,.0f} rows/s", refresh=False)
        bar.update(max(0, done - bar.n))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        self._bar, self._label = None, None


@gazetteer.command("info")
@gazetteer_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@library_errors
def gazetteer_info(gazetteer_path: Path | None, overlays: tuple[Path, ...], fmt: str) -> None:
    """Print the index's sources, their versions and counts by feature class.

    \b
    Examples:
      placemap gazetteer info
      placemap gazetteer info --format json --gazetteer my-index.sqlite
    """
    info = open_gaz(gazetteer_path, overlays).info()
    if fmt == "json":
        click.echo(json.dumps(info, indent=2, sort_keys=True))
        return
    try:
        _print_info(info)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        # an index is a file from anywhere: its metadata is checked as it is shown
        raise Fatal(f"{info.get('path')}: damaged index metadata ({err!r})") from err


def _print_info(info: dict[str, Any]) -> None:
    """``gazetteer info`` as text. The values come from the index file, which may come
    from anyone: each line is shown as every message is (an escape sequence in a
    source's name retitled the terminal; a new line forged a line of its own)."""

    def echo(line: str) -> None:
        click.echo(one_line(line))

    echo(f"index:    {info['path']} ({info['size_bytes'] / 1e6:.0f} MB)")
    echo(f"built:    {info.get('built_at', '?')}, schema v{info.get('schema_version')}")
    echo(f"places:   {info.get('places', 0):,}   names: {info.get('names', 0):,}")
    echo("sources:")
    for k, v in sorted(info.get("sources", {}).items()):
        echo(f"  {k}: {v}")
    files = info.get("geonames_files") or []
    if files:
        echo("GeoNames files:")
    for f in files:
        rows = f"{f['rows']:,} rows" if f.get("rows") is not None else "? rows"
        if f.get("imported") is not None and f["imported"] != f.get("rows"):
            rows += f" ({f['imported']:,} imported)"
        size = f["size_bytes"]
        echo(
            f"  {f['path']}{' (' + f['member'] + ')' if f.get('member') else ''}: "
            f"{KIND_LABELS.get(f['kind'], f['kind'])}, {rows}, "
            + (f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB")
            + f", modified {f['modified']}"
        )
    if files and isinstance(info.get("build"), dict):
        echo(f"  feature classes imported: {info['build'].get('feature_classes')}")
    full = info.get("full_countries") or []
    if full:
        echo(f"full GeoNames data: {'all countries' if '*' in full else ', '.join(full)}")
    echo("places by feature class:")
    labels = {
        "A": "administrative",
        "H": "water",
        "L": "areas, regions",
        "P": "populated places",
        "S": "spots, buildings",
        "T": "terrain",
        "U": "undersea",
        "V": "vegetation",
        "R": "roads",
    }
    for k, v in sorted(info.get("counts_by_feature_class", {}).items()):
        echo(f"  {k} {labels.get(k, ''):<18} {v:>10,}")
    if "overlay_places" in info:
        echo(f"overlay places: {info['overlay_places']}")
    echo(f"licence:  {info.get('licence', '')}")


@gazetteer.command("search")
@click.argument("name")
@click.option("--country", metavar="CC", help="Only places in this country (ISO alpha-2).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--fuzzy/--no-fuzzy",
    default=True,
    show_default=True,
    help="Fall back to fuzzy matching when no key matches.",
)
@gazetteer_options
@library_errors
def gazetteer_search(
    name: str,
    country: str | None,
    limit: int,
    fmt: str,
    fuzzy: bool,
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
) -> None:
    """List the places NAME could be, best first, and how each matched.

    \b
    Examples:
      placemap gazetteer search "Deir Ezzor"
      placemap gazetteer search Palmyra --country SY --format json
    """
    from placemap.ranking import rank

    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise click.BadParameter("an ISO 3166-1 alpha-2 code such as SY", param_hint="--country")
    gaz = open_gaz(gazetteer_path, overlays)
    cands = gaz.lookup(name, fuzzy=fuzzy)
    if country:
        cands = [c for c in cands if c.place.country_code == country.upper()]
    ranked = rank(cands)[:limit]
    if fmt == "json":
        out = []
        for c in ranked:
            d = c.place.to_dict()
            d.update(match=c.match, score=c.score)
            out.append(d)
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not ranked:
        shown = repr(name) if len(name) <= 80 else repr(name[:80]) + "..."
        click.echo(f"no place found for {shown}", err=True)
        sys.exit(1)
    for i, c in enumerate(ranked, 1):
        p = c.place
        where = printable(", ".join(x for x in (p.admin1_name, p.country_code) if x))
        gid = p.geonames_id if p.geonames_id is not None else "-"
        click.echo(
            f"{i:>2}. {printable(p.name)} ({where}) {p.kind} geonameid={gid} "
            f"pop={p.population:,} {p.lat:.4f},{p.lon:.4f}  [{c.match} {c.score:.3f}]"
        )


def printable(text: str) -> str:
    """``text`` fit for a terminal: the characters of an overlay's name that would run
    an escape sequence (retitle or rewrite the screen), break the line, reverse the
    line's order (U+202E) or hide are written as escapes, as in every message."""
    return one_line(text)
