"""placemap map: HTML maps of reports or of a table's places."""

from __future__ import annotations

import sys
import webbrowser
from pathlib import Path
from typing import Any

import click

from placemap.cli.common import (
    ASSETS_DIR,
    EXIT_PARTIAL,
    InputSpec,
    gazetteer_options,
    geoparsed,
    input_options,
    library_errors,
    ner_options,
    open_gaz,
    progress,
    settings_for,
    workers_option,
)
from placemap.errors import PlacemapError


class TilesType(click.ParamType):
    """``none``, ``osm`` or a tile URL template, checked when the option is parsed."""

    name = "none|osm|URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from placemap.maps import TileSource, tile_source

        if isinstance(value, TileSource) or value is None:
            return value
        try:
            return tile_source(str(value))
        except ValueError as err:
            self.fail(str(err), param, ctx)


@click.command("map")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder for the HTML files.",
)
@click.option(
    "--title", default="placemap", show_default=True, help="Title of the index and collection map."
)
@click.option(
    "--tiles",
    type=TilesType(),
    default="none",
    show_default=True,
    help="Online tiles offered as an extra layer (off until switched on): none, osm, or a "
    "URL template with {z}, {x}, {y}. Pages always have the offline country outlines.",
)
@click.option("--cluster", is_flag=True, help="Group nearby places into clusters.")
@click.option("--heatmap", is_flag=True, help="Show the heat map layer when pages open.")
@click.option(
    "--assets",
    "assets_mode",
    type=click.Choice(["shared", "inline"]),
    default="shared",
    show_default=True,
    help="shared: Leaflet, placemap's script and the country outlines are written once into "
    "DIR/assets/ and every page links them (keep that folder with the pages); inline: every "
    "page carries its own copy and works alone (about 400 KB a page).",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Leave out places chosen with less confidence.",
)
@click.option(
    "--demonyms/--no-demonyms",
    default=False,
    show_default=True,
    help="Show countries named only through demonyms ('Syrian').",
)
@click.option("--open", "open_index", is_flag=True, help="Open index.html in a web browser.")
@click.option("--lat", "lat_column", metavar="COL", help="Tables: column of latitudes.")
@click.option("--lon", "lon_column", metavar="COL", help="Tables: column of longitudes.")
@click.option(
    "--name-column",
    metavar="COL",
    help="Tables: column of place names (geocoded first "
    "unless --lat/--lon are given, then only labels).",
)
@click.option("--group-by", metavar="COL", help="Tables: one layer per value of this column.")
@workers_option
@input_options
@ner_options
@gazetteer_options
@library_errors
def map_(
    paths: tuple[Path, ...],
    out_dir: Path,
    title: str,
    tiles: Any,
    cluster: bool,
    heatmap: bool,
    assets_mode: str,
    min_confidence: float,
    demonyms: bool,
    open_index: bool,
    lat_column: str | None,
    lon_column: str | None,
    name_column: str | None,
    group_by: str | None,
    workers: int,
    inputs: InputSpec,
    ner: str,
    spacy_model: str,
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
) -> None:
    """Write HTML maps: one per report, one for all of them, and an index.html.

    \b
    Examples:
      placemap map examples/ -o output/
      placemap map reports/ --glob '*.txt' --min-confidence 0.5
      placemap map articles.csv --text-field body --title-field headline
      placemap map reports/ --cluster --heatmap --tiles osm --open
      placemap map report.txt --assets inline -o one/   # a page to send on its own
      placemap map events.csv --lat latitude --lon longitude --group-by year
    """
    from placemap import maps
    from placemap.gazetteer.suggest import FullDataHint
    from placemap.writers import write_text_atomic

    failures: list[str] = []
    tables = _table_reports(
        paths, lat_column, lon_column, name_column, group_by, gazetteer_path, overlays
    )
    if tables is not None:
        reports = tables
    else:
        settings = settings_for(gazetteer_path, overlays, True, ner=ner, spacy_model=spacy_model)
        reports = list(
            progress(
                geoparsed(paths, inputs, None, settings, failures, workers),
                "geoparsing",
                output_to_terminal=False,
            )
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    opts: dict[str, Any] = {
        "min_confidence": min_confidence,
        "demonyms": demonyms,
        "tiles": tiles,
        "cluster": cluster,
        "heatmap": heatmap,
        "assets": None,
    }
    if assets_mode == "shared":
        # before the pages: a page is never on disk without the files it links
        maps.write_assets(out_dir / ASSETS_DIR, cluster=cluster)
        opts["assets"] = ASSETS_DIR + "/"
    files = maps.report_filenames(reports)
    # The index in use, for the panel's hint on unresolved names (maps of tables with
    # coordinates have none, and need no index).
    unresolved = any(m.place is None for r in reports for m in r.mentions)
    hint = FullDataHint.of(open_gaz(gazetteer_path, ())) if unresolved else None
    for r, name in zip(reports, files, strict=True):
        write_text_atomic(out_dir / name, maps.render(maps.report_map(r, hint=hint, **opts)))
    coll = maps.collection_map(reports, links=files, title=title, **opts)
    write_text_atomic(out_dir / "collection.html", maps.render(coll))
    index = out_dir / "index.html"
    page = maps.index_page(reports, files, title, min_confidence=min_confidence, demonyms=demonyms)
    write_text_atomic(index, page)
    n_places = sum(1 for r in reports for m in r.mentions if m.place is not None)
    click.echo(
        f"wrote {len(reports)} report maps, collection.html and index.html to {out_dir} "
        f"({n_places} resolved mentions)"
    )
    if open_index:
        webbrowser.open(index.resolve().as_uri())
    if failures:
        sys.exit(EXIT_PARTIAL)


def _table_reports(
    paths: tuple[Path, ...],
    lat: str | None,
    lon: str | None,
    name_column: str | None,
    group_by: str | None,
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
) -> list[Any] | None:
    """Reports drawn from tables (CSV or Parquet) when the ``map`` command was given
    their columns; None when the paths are reports."""
    from placemap.geocode import frame_reports, geocode_frame, read_table

    if lat is None and lon is None and name_column is None:
        if group_by is not None:
            raise click.UsageError("--group-by needs --lat/--lon or --name-column")
        return None
    if (lat is None) != (lon is None):
        raise click.UsageError("--lat and --lon go together")
    not_tables = [str(p) for p in paths if p.suffix.lower() not in (".csv", ".parquet", ".pq")]
    if not_tables:
        raise click.UsageError(
            f"--lat/--lon and --name-column draw .csv or .parquet tables: {', '.join(not_tables)}"
        )
    gaz = open_gaz(gazetteer_path, overlays) if name_column is not None else None
    reports: list[Any] = []
    for path in paths:
        df = read_table(path)
        try:
            if lat is None:
                df = geocode_frame(df, column=str(name_column), geoparser=_geoparser_for(gaz))
            reports += frame_reports(
                df,
                lat=lat or "lat",
                lon=lon or "lon",
                name=name_column,
                group_by=group_by,
                title=path.stem,
                source=str(path),
                gazetteer=gaz,
            )
        except PlacemapError as err:
            raise click.ClickException(f"{path}: {err}") from err
    return reports


def _geoparser_for(gaz: Any) -> Any:
    from placemap.pipeline import Geoparser

    return Geoparser(gaz)


