"""placemap gazetteer build | info | search."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from placemap.cli.common import (
    gazetteer_options,
    library_errors,
    open_gaz,
)


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
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PLACEMAP_GAZETTEER",
    help="Where to write the index [env PLACEMAP_GAZETTEER; default: the user cache].",
)
@click.option(
    "--geonames",
    "geonames_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="GeoNames dump files or a folder of them (allCountries or XX.txt/.zip, "
    "alternateNamesV2, admin1CodesASCII, admin2Codes, countryInfo). Repeatable.",
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
    default=True,
    show_default=True,
    help="Include the offline default sources (GeoNames cities500, divisions, curated tables).",
)
@click.option(
    "--feature-classes",
    default="PAHTL",
    show_default=True,
    help="GeoNames feature classes to import from dumps.",
)
@library_errors
def gazetteer_build(
    output: Path | None,
    geonames_paths: tuple[Path, ...],
    download_codes: tuple[str, ...],
    with_default: bool,
    feature_classes: str,
) -> None:
    """Build the gazetteer index (atomically: a failed build keeps the old index).

    \b
    Examples:
      placemap gazetteer build                      # the offline default
      placemap gazetteer build --download SY        # default + all of Syria from GeoNames
      placemap gazetteer build --geonames SY.zip --geonames admin1CodesASCII.txt
    """
    from placemap.gazetteer import default_path
    from placemap.gazetteer.build import build_index
    from placemap.gazetteer.geonames import download
    from placemap.gazetteer.store import cache_dir

    if not set(feature_classes) <= set("ADHLPRSTUV"):
        raise click.BadParameter(
            "use GeoNames feature class letters (A H L P R S T U V)", param_hint="--feature-classes"
        )
    if not with_default and not (geonames_paths or download_codes):
        raise click.UsageError("--no-default needs --geonames or --download")
    paths = list(geonames_paths)
    if download_codes:
        paths.extend(download(download_codes, cache_dir() / "geonames"))
    target = output or default_path()
    click.echo(f"building {target} ...", err=True)
    stats = build_index(
        target, default=with_default, geonames=paths, feature_classes=feature_classes
    )
    click.echo(
        f"built {target}: {stats['places']:,} places, {stats['names']:,} names, "
        f"{stats['size_bytes'] / 1e6:.0f} MB in {stats['seconds']} s"
    )


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
    click.echo(f"index:    {info['path']} ({info['size_bytes'] / 1e6:.0f} MB)")
    click.echo(f"built:    {info.get('built_at', '?')}, schema v{info.get('schema_version')}")
    click.echo(f"places:   {info.get('places', 0):,}   names: {info.get('names', 0):,}")
    click.echo("sources:")
    for k, v in sorted(info.get("sources", {}).items()):
        click.echo(f"  {k}: {v}")
    click.echo("places by feature class:")
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
        click.echo(f"  {k} {labels.get(k, ''):<18} {v:>10,}")
    if "overlay_places" in info:
        click.echo(f"overlay places: {info['overlay_places']}")
    click.echo(f"licence:  {info.get('licence', '')}")


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
        click.echo(f"no place found for {name!r}", err=True)
        sys.exit(1)
    for i, c in enumerate(ranked, 1):
        p = c.place
        where = ", ".join(x for x in (p.admin1_name, p.country_code) if x)
        gid = p.geonames_id if p.geonames_id is not None else "-"
        click.echo(
            f"{i:>2}. {p.name} ({where}) {p.kind} geonameid={gid} "
            f"pop={p.population:,} {p.lat:.4f},{p.lon:.4f}  [{c.match} {c.score:.3f}]"
        )


