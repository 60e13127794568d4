"""placemap map: HTML maps of reports or of a table's places."""

from __future__ import annotations

import itertools
import sys
import webbrowser
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from placemap.cli.common import (
    ASSETS_DIR,
    EXIT_PARTIAL,
    INPUT_PATH,
    Fatal,
    InputSpec,
    OutputPath,
    TextType,
    expected_reports,
    gazetteer_options,
    geoparsed,
    input_options,
    library_errors,
    ner_options,
    no_reports,
    one_line,
    open_gaz,
    progress,
    say,
    settings_for,
    tally,
    workers_option,
)
from placemap.errors import PlacemapError


def _a_number(value: float) -> float:
    if value != value:  # NaN passes FloatRange: every comparison with it is false
        raise click.BadParameter("not a number")
    return value


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
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATH)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=OutputPath(to_stdout=False, file_okay=False),
    default=Path("output"),
    show_default=True,
    help="Folder for the HTML files.",
)
@click.option(
    "--title",
    type=TextType(),
    default="placemap",
    show_default=True,
    help="Title of the index and collection map.",
)
@click.option(
    "--tiles",
    type=TilesType(),
    default="none",
    show_default=True,
    help="Online tiles offered as an extra layer (off until switched on): none, osm, or a "
    "URL template with {z}, {x}, {y}. Pages always have the offline country outlines.",
)
@click.option(
    "--cluster/--no-cluster",
    default=None,
    help="Group nearby places into clusters (that open into their places when clicked) "
    "[default: on the collection map, off on report maps].",
)
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
    callback=lambda _ctx, _param, v: _a_number(v),
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
    cluster: bool | None,
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
    from placemap.mapdata import source_href
    from placemap.outputs import (
        check_maps_folder,
        check_not_an_input,
        locked_folder,
        output_errors,
        staged_files,
    )
    from placemap.readers import MAPS_MARKER

    tables_given = _check_table_options(paths, lat_column, lon_column, name_column, group_by)
    failures: list[str] = []
    check_not_an_input(out_dir, paths, folder=True)
    check_maps_folder(out_dir, ("index.html", "collection.html"), MAPS_MARKER)
    # The folder is locked (and so known to be writable) before the work; the pages are
    # written into a hidden folder inside it and moved into place once all are written,
    # index.html last, so a failure midway (a full disk) leaves the folder as it was.
    with locked_folder(out_dir):
        if tables_given:
            found: Iterator[Any] = iter(
                _table_reports(
                    paths, lat_column, lon_column, name_column, group_by, gazetteer_path, overlays
                )
            )
        else:
            settings = settings_for(
                gazetteer_path, overlays, True, ner=ner, spacy_model=spacy_model
            )
            found = progress(
                # the maps of an earlier run (output/ of `map .`) are not reports
                geoparsed(paths, inputs, None, settings, failures, workers, exclude=(out_dir,)),
                "geoparsing",
                output_to_terminal=False,
                total=expected_reports(paths, inputs, (out_dir,)),
            )
        first = next(found, None)
        if first is None:
            no_reports(paths, failures)  # the folder keeps its maps
        opts: dict[str, Any] = {
            "min_confidence": min_confidence,
            "demonyms": demonyms,
            "tiles": tiles,
            "heatmap": heatmap,
            "assets": ASSETS_DIR + "/" if assets_mode == "shared" else None,
        }
        clusters = {"report": bool(cluster), "collection": cluster is not False}
        # Each report's page is drawn as the report comes, and only what the collection
        # map and the index show of it is kept (a collection took 33 times its size when
        # the reports were kept whole).
        collection = maps.Collection(min_confidence, demonyms)
        shown = _Shown(min_confidence, demonyms)
        files: list[str] = []
        name_of = maps.FileNames()
        hint: Any = None  # the index in use, for the panel's hint on unresolved names
        with staged_files(out_dir) as pages:
            pages.write_text(MAPS_MARKER, "maps written by placemap: not read as reports\n")
            for r in itertools.chain((first,), found):
                name = name_of(r.id)
                src = source_href(r, maps.file_link(r.source, out_dir))
                if hint is None and any(m.place is None for m in r.mentions):
                    # (maps of tables with coordinates have no unresolved names, and
                    # need no index)
                    hint = FullDataHint.of(open_gaz(gazetteer_path, ()))
                try:
                    html = maps.render(
                        maps.report_map(
                            r, cluster=clusters["report"], source_link=src, hint=hint, **opts
                        )
                    )
                except MemoryError:
                    # that report's error: its page says so, the others are drawn
                    why = "out of memory while drawing its map"
                    if inputs.strict:
                        raise Fatal(f"{r.source}: {why} (stopped: --strict)") from None
                    say(f"placemap: error: {r.source}: {why}")
                    failures.append(f"{r.source}: {why}")
                    html = maps.unavailable_page(r, f"This report's map could not be drawn: {why}.")
                pages.write_text(name, html)
                collection.add(r, name, src)
                shown.add(r.mentions)
                files.append(name)
            # before any page is moved into place, and before the shared files are written
            check_maps_folder(out_dir, files, MAPS_MARKER, reports=False)
            if assets_mode == "shared":
                # before the pages are moved into place: a page is never on disk without
                # the files it links
                with output_errors(out_dir / ASSETS_DIR):
                    maps.write_assets(out_dir / ASSETS_DIR, cluster=any(clusters.values()))
            coll = collection.map(
                title=title,
                tiles=tiles,
                cluster=clusters["collection"],
                heatmap=heatmap,
                assets=opts["assets"],
            )
            pages.write_text("collection.html", maps.render(coll))
            pages.write_text("index.html", collection.index(title))
    index = out_dir / "index.html"
    click.echo(
        one_line(
            f"wrote {len(files)} report maps, collection.html and index.html to {out_dir} "
            f"({shown})"
        )
    )
    if open_index:
        webbrowser.open(index.resolve().as_uri())
    if failures:
        sys.exit(EXIT_PARTIAL)


def _check_table_options(
    paths: tuple[Path, ...],
    lat: str | None,
    lon: str | None,
    name_column: str | None,
    group_by: str | None,
) -> bool:
    """Whether the ``map`` command was given tables (their columns), checked before any
    work: UsageError for options that do not go together."""
    if lat is None and lon is None and name_column is None:
        if group_by is not None:
            raise click.UsageError("--group-by needs --lat/--lon or --name-column")
        return False
    if (lat is None) != (lon is None):
        raise click.UsageError("--lat and --lon go together")
    not_tables = [str(p) for p in paths if p.suffix.lower() not in (".csv", ".parquet", ".pq")]
    if not_tables:
        raise click.UsageError(
            f"--lat/--lon and --name-column draw .csv or .parquet tables: {', '.join(not_tables)}"
        )
    return True


class _Shown:
    """What the maps show, as the summary line says it: the resolved mentions drawn
    (after --min-confidence, demonyms counted apart unless drawn), and the rest; counted
    one report at a time (:meth:`add`)."""

    def __init__(self, min_confidence: float, demonyms: bool) -> None:
        from placemap.mapdata import Filters

        self.keep = Filters(min_confidence, demonyms).keeps
        self.min_confidence = min_confidence
        self.demonyms = demonyms
        self.drawn = self.below = 0
        self.counts: Counter[str] = Counter()

    def add(self, mentions: Any) -> None:
        self.drawn += sum(1 for m in mentions if self.keep(m))
        self.counts += tally(mentions)
        if self.min_confidence > 0:
            self.below += sum(
                1
                for m in mentions
                if m.place is not None
                and m.confidence < self.min_confidence
                and (self.demonyms or m.kind != "demonym")
            )

    def __str__(self) -> str:
        parts = [f"{self.drawn} resolved mentions on the maps"]
        if self.min_confidence > 0:
            parts[0] += (
                f" at confidence >= {self.min_confidence:g} ({self.below} below it left out)"
            )
        if not self.demonyms and self.counts["demonym"]:
            parts.append(f"{self.counts['demonym']} demonyms not drawn")
        parts.append(f"{self.counts['unresolved']} unresolved")
        return ", ".join(parts)


def _table_reports(
    paths: tuple[Path, ...],
    lat: str | None,
    lon: str | None,
    name_column: str | None,
    group_by: str | None,
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
) -> list[Any]:
    """Reports drawn from tables (CSV or Parquet), given their columns (checked by
    :func:`_check_table_options`)."""
    from placemap.geocode import frame_reports, geocode_frame, read_table

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
            raise Fatal(f"{path}: {err}") from err
    return reports


def _geoparser_for(gaz: Any) -> Any:
    from placemap.pipeline import Geoparser

    return Geoparser(gaz)


