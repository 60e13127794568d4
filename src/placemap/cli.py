"""The ``placemap`` command line: parses options, calls the library, prints.

Exit codes: 0 success; 1 an error (a library error is printed as one line naming
the file and what to do); 2 a usage error (bad option or argument); 3 some
inputs could not be processed (the others were).
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from placemap import __version__
from placemap.errors import PlacemapError

log = logging.getLogger("placemap")

F = TypeVar("F", bound=Callable[..., Any])

EXIT_PARTIAL = 3


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR
        if quiet
        else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    )
    logging.basicConfig(level=level, format="placemap: %(message)s", stream=sys.stderr)
    logging.getLogger("placemap").setLevel(level)


def library_errors(func: F) -> F:
    """Turn library errors into ``click.ClickException`` (exit 1) with their message."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PlacemapError as err:
            raise click.ClickException(str(err)) from err

    return wrapper  # type: ignore[return-value]


def gazetteer_options(func: F) -> F:
    """``--gazetteer PATH`` and ``--overlay CSV`` for every command that looks names up."""
    func = click.option(
        "--overlay",
        "overlays",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="CSV of extra places and spellings (name, lat, lon, country, feature, "
        "alternate_names) added on top of the index. Repeatable.",
    )(func)
    func = click.option(
        "--gazetteer",
        "gazetteer_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="PLACEMAP_GAZETTEER",
        help="Gazetteer index to use [env PLACEMAP_GAZETTEER; default: the user cache, "
        "built on first use].",
    )(func)
    return func


def open_gaz(gazetteer_path: Path | None, overlays: tuple[Path, ...]) -> Any:
    from placemap.gazetteer import open_gazetteer

    return open_gazetteer(gazetteer_path, overlays=overlays)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="placemap")
@click.option("-v", "--verbose", count=True, help="More messages on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def cli(verbose: int, quiet: bool) -> None:
    """Find the places that news reports mention and map them, offline.

    \b
    Examples:
      placemap map examples/ -o output/
      placemap extract report.txt --format jsonl
      placemap gazetteer search "Deir Ezzor"
    """
    _configure_logging(verbose, quiet)


# --- gazetteer ------------------------------------------------------------------


@cli.group()
def gazetteer() -> None:
    """Build, inspect and search the gazetteer index."""


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
    """Print the index's sources, their versions and counts by feature class."""
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


# --- reports ----------------------------------------------------------------------


def input_options(func: F) -> F:
    for opt in reversed(
        [
            click.option(
                "--glob",
                help="File pattern when a PATH is a folder (default: text and JSON Lines files).",
            ),
            click.option(
                "--text-field",
                default="text",
                show_default=True,
                help="Field holding the text in JSON Lines input.",
            ),
            click.option(
                "--id-field",
                default="id",
                show_default=True,
                help="Field holding the report id in JSON Lines input.",
            ),
        ]
    ):
        func = opt(func)
    return func


def ner_options(func: F) -> F:
    for opt in reversed(
        [
            click.option(
                "--ner",
                type=click.Choice(["none", "spacy"]),
                default="none",
                show_default=True,
                help="Named-entity recognition joining the gazetteer's spotting "
                "(spacy: needs placemap[spacy] and an English model).",
            ),
            click.option(
                "--spacy-model",
                default="en_core_web_sm",
                show_default=True,
                help="spaCy pipeline (package name or path) for --ner spacy.",
            ),
        ]
    ):
        func = opt(func)
    return func


def _geoparser(
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
    demonyms: bool = True,
    *,
    ner: str = "none",
    spacy_model: str = "en_core_web_sm",
) -> Any:
    from placemap.pipeline import Geoparser

    nlp = None
    if ner == "spacy":
        from placemap.ner import load_spacy

        nlp = load_spacy(spacy_model)
    return Geoparser(open_gaz(gazetteer_path, overlays), demonyms=demonyms, ner=nlp)


def _reports(
    paths: tuple[Path, ...],
    glob: str | None,
    text_field: str,
    id_field: str,
    spans_field: str | None,
    geoparser: Any,
    failures: list[str],
) -> Any:
    """Yield processed reports; report unreadable inputs on stderr and carry on."""
    from dataclasses import replace

    from placemap.readers import ReadError, read_reports

    extra = (spans_field,) if spans_field else ()
    for item in read_reports(
        paths, glob=glob, text_field=text_field, id_field=id_field, extra_fields=extra
    ):
        if isinstance(item, ReadError):
            click.echo(f"placemap: error: {item}", err=True)
            failures.append(str(item))
            continue
        report, fields = item if isinstance(item, tuple) else (item, {})
        try:
            if spans_field:
                spans = fields.get(spans_field)
                if not isinstance(spans, list):
                    raise ValueError(f"no list field {spans_field!r}")
                mentions = geoparser.resolve(
                    report.text, [(int(s["start"]), int(s["end"])) for s in spans]
                )
            else:
                mentions = geoparser.geoparse(report.text)
        except (ValueError, KeyError, TypeError) as err:
            click.echo(f"placemap: error: {report.source}: {err}", err=True)
            failures.append(f"{report.source}: {err}")
            continue
        yield replace(report, mentions=tuple(mentions))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl"]),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (atomically) instead of standard output.",
)
@click.option(
    "--spans",
    "spans_field",
    metavar="FIELD",
    help="Resolve the spans each JSON Lines record gives in FIELD (objects with "
    "start and end) instead of finding places.",
)
@click.option(
    "--demonyms/--no-demonyms",
    default=True,
    show_default=True,
    help="Report demonyms ('Syrian') as mentions of their country.",
)
@input_options
@ner_options
@gazetteer_options
@library_errors
def extract(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    spans_field: str | None,
    demonyms: bool,
    ner: str,
    spacy_model: str,
    glob: str | None,
    text_field: str,
    id_field: str,
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
) -> None:
    """Find the places in reports and write them as data (one JSON object per report).

    \b
    Examples:
      placemap extract examples/ > places.jsonl
      placemap extract corpus.jsonl --spans toponyms -o resolved.jsonl
    """
    from placemap.writers import atomic_text_writer

    gp = _geoparser(gazetteer_path, overlays, demonyms, ner=ner, spacy_model=spacy_model)
    failures: list[str] = []
    reports = _reports(paths, glob, text_field, id_field, spans_field, gp, failures)
    with atomic_text_writer(output) as out:
        for r in reports:
            d = r.to_dict()
            d.pop("source", None)
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
    if failures:
        sys.exit(EXIT_PARTIAL)


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


@cli.command("map")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
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
    min_confidence: float,
    demonyms: bool,
    open_index: bool,
    ner: str,
    spacy_model: str,
    glob: str | None,
    text_field: str,
    id_field: str,
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
) -> None:
    """Write HTML maps: one per report, one for all of them, and an index.html.

    \b
    Examples:
      placemap map examples/ -o output/
      placemap map reports/ --glob '*.txt' --min-confidence 0.5
      placemap map reports/ --cluster --heatmap --tiles osm --open
    """
    from placemap import maps
    from placemap.writers import write_text_atomic

    gp = _geoparser(gazetteer_path, overlays, ner=ner, spacy_model=spacy_model)
    failures: list[str] = []
    reports = list(_reports(paths, glob, text_field, id_field, None, gp, failures))
    out_dir.mkdir(parents=True, exist_ok=True)
    opts: dict[str, Any] = {
        "min_confidence": min_confidence,
        "demonyms": demonyms,
        "tiles": tiles,
        "cluster": cluster,
        "heatmap": heatmap,
    }
    files = maps.report_filenames(reports)
    for r, name in zip(reports, files, strict=True):
        write_text_atomic(out_dir / name, maps.render(maps.report_map(r, **opts)))
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


@cli.command("eval")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mode",
    type=click.Choice(["resolve", "end2end"]),
    default="resolve",
    show_default=True,
    help="resolve: gold spans given; end2end: find them too.",
)
@click.option("--limit", type=click.IntRange(1), help="Only the first N documents.")
@click.option(
    "--misses",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV of the worst misses [default: output/misses-CORPUS-MODE.csv].",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@ner_options
@gazetteer_options
@library_errors
def eval_(
    corpus: Path,
    mode: str,
    limit: int | None,
    misses: Path | None,
    fmt: str,
    ner: str,
    spacy_model: str,
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
) -> None:
    """Score placemap on a gold corpus (JSON Lines with text and toponyms).

    \b
    Examples:
      placemap eval ../shared/eval/lgl.jsonl --mode resolve
      placemap eval ../shared/eval/geovirus.jsonl --mode end2end --limit 50
    """
    from placemap.evaluate import evaluate, format_report

    gp = _geoparser(gazetteer_path, overlays, ner=ner, spacy_model=spacy_model)
    misses = misses or Path("output") / f"misses-{corpus.stem}-{mode}.csv"
    result = evaluate(gp, corpus, mode=mode, limit=limit, misses_csv=misses)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(format_report(result))
        click.echo(f"worst misses: {misses}")


def main() -> None:
    cli(prog_name="placemap")
