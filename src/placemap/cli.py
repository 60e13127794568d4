"""The ``placemap`` command line: parses options, calls the library, prints.

Exit codes: 0 success; 1 an error (a library error is printed as one line naming
the file and what to do; with ``--strict``, the first unreadable input); 2 a usage
error (bad option or argument); 3 some inputs could not be processed (each named on
stderr; the others were).
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import webbrowser
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from placemap import __version__
from placemap.errors import PlacemapError

log = logging.getLogger("placemap")

F = TypeVar("F", bound=Callable[..., Any])

EXIT_PARTIAL = 3
ASSETS_DIR = "assets"  # placemap map --assets shared: the folder beside the pages


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
      placemap extract reports.csv --text-field body --format csv -o places.csv
      placemap gazetteer search "Deir Ezzor"

    \b
    Exit codes: 0 success; 1 an error (or the first bad input with --strict);
    2 a usage error; 3 some inputs could not be read (each named on stderr).

    \b
    Shell completion (bash; zsh and fish likewise):
      eval "$(_PLACEMAP_COMPLETE=bash_source placemap)"
    """
    _configure_logging(verbose, quiet)


# --- gazetteer ------------------------------------------------------------------


@cli.group()
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


# --- reports ----------------------------------------------------------------------


class SizeType(click.ParamType):
    """A size in bytes, with an optional unit: ``200MB``, ``1.5G``, ``500k``, ``4096``."""

    name = "SIZE"
    _UNITS = {"": 1, "B": 1, "K": 10**3, "KB": 10**3, "M": 10**6, "MB": 10**6}
    _UNITS |= {"G": 10**9, "GB": 10**9}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().replace(" ", "")
        number = text.rstrip("KMGB")
        unit = text[len(number) :]
        try:
            size = int(float(number) * self._UNITS[unit])
        except (ValueError, KeyError):
            self.fail(f"{value!r} is not a size such as 200MB, 1.5GB or 500kB", param, ctx)
        if size <= 0:
            self.fail("the size must be positive", param, ctx)
        return size


@dataclass(frozen=True)
class InputSpec:
    """How to read the PATH arguments (the options :func:`input_options` adds)."""

    glob: str | None = None
    text_field: str = "text"
    id_field: str = "id"
    title_field: str = "title"
    date_field: str = "date"
    input_format: str = "auto"
    max_size: int = 200_000_000
    strict: bool = False


def input_options(func: F) -> F:
    """The options saying how to read reports, passed to the command as ``inputs``."""
    from placemap.readers import FORMATS

    names = [f.name for f in InputSpec.__dataclass_fields__.values()]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        spec = InputSpec(**{k: kwargs.pop(k) for k in names})
        return func(*args, inputs=spec, **kwargs)

    options = [
        click.option(
            "--glob",
            help="File pattern when a PATH is a folder [default: its .txt, .md and .html "
            "reports, and its collections unless they lie beside such reports].",
        ),
        click.option(
            "--text-field",
            default="text",
            show_default=True,
            help="Field (column) holding the text in JSON Lines, JSON, CSV and Parquet input.",
        ),
        click.option(
            "--id-field", default="id", show_default=True, help="Field holding the report id."
        ),
        click.option(
            "--title-field",
            default="title",
            show_default=True,
            help="Field holding the title (else taken from the text).",
        ),
        click.option(
            "--date-field",
            default="date",
            show_default=True,
            help="Field holding the date (else taken from the text).",
        ),
        click.option(
            "--input-format",
            type=click.Choice(FORMATS),
            default="auto",
            show_default=True,
            help="Read every PATH as this format (auto: by suffix; '-' is sniffed).",
        ),
        click.option(
            "--max-size",
            type=SizeType(),
            default="200MB",
            show_default=True,
            help="Refuse text, HTML and JSON files (and stdin) above this size; collections "
            "in JSON Lines, CSV and Parquet stream and have no limit.",
        ),
        click.option(
            "--strict",
            is_flag=True,
            help="Stop at the first input that cannot be read (exit 1) instead of naming "
            "it and going on (exit 3 at the end).",
        ),
    ]
    for opt in reversed(options):
        wrapper = opt(wrapper)
    return wrapper  # type: ignore[return-value]


def _quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("quiet"))


def _progress(items: Iterable[Any], label: str, *, output_to_terminal: bool) -> Iterator[Any]:
    """Items with a progress bar on stderr, only when a person watches there (stderr a
    terminal, not -q) and the output is not written to the same screen."""
    if _quiet() or output_to_terminal or not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(
        items,
        label=label,
        file=sys.stderr,
        # Items are reports, or lines already encoded (which show no id).
        item_show_func=lambda r: str(r.id)[:30] if hasattr(r, "id") else None,
    ) as bar:
        yield from bar


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


def _settings(
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
    demonyms: bool,
    *,
    ner: str = "none",
    spacy_model: str = "en_core_web_sm",
) -> Any:
    """What every worker needs to open its own geoparser (paths, not open handles)."""
    from placemap.parallel import Settings

    return Settings(
        gazetteer=str(gazetteer_path) if gazetteer_path else None,
        overlays=tuple(str(o) for o in overlays),
        demonyms=demonyms,
        ner=ner,
        spacy_model=spacy_model,
    )


def _reports(
    paths: tuple[Path, ...],
    inputs: InputSpec,
    spans_field: str | None,
    settings: Any,
    failures: list[str],
    workers: int = 1,
    encode: Any = None,
) -> Iterator[Any]:
    """Yield processed reports in input order, from ``workers`` processes; name unreadable
    inputs and bad records on stderr and carry on (or stop, with ``--strict``). With
    ``encode``, what it makes of each report (in the worker) is yielded instead."""
    from placemap.parallel import Task, run_tasks
    from placemap.readers import ReadError, read_reports

    def fail(message: str) -> None:
        if inputs.strict:
            raise click.ClickException(f"{message} (stopped: --strict)")
        click.echo(f"placemap: error: {message}", err=True)
        failures.append(message)

    def notice(message: str) -> None:
        if not _quiet():
            click.echo(f"placemap: {message}", err=True)

    def tasks() -> Iterator[Task]:
        extra = (spans_field,) if spans_field else ()
        for item in read_reports(
            paths,
            glob=inputs.glob,
            text_field=inputs.text_field,
            id_field=inputs.id_field,
            title_field=inputs.title_field,
            date_field=inputs.date_field,
            extra_fields=extra,
            input_format=inputs.input_format,
            max_bytes=inputs.max_size,
            notify=notice,
        ):
            if isinstance(item, ReadError):
                fail(str(item))
                continue
            report, fields = item if isinstance(item, tuple) else (item, {})
            if not spans_field:
                yield Task(report)
                continue
            try:
                yield Task(report, _spans(fields.get(spans_field), spans_field))
            except (ValueError, KeyError, TypeError) as err:
                fail(f"{report.source}: {err}")

    for res in run_tasks(tasks(), settings, workers=workers, encode=encode):
        if res.error is not None:
            fail(f"{res.report.source}: {res.error}")
            continue
        if encode is not None:
            yield res.encoded
            continue
        log.debug("%s: %d mentions", res.report.source, len(res.report.mentions))
        yield res.report


def _spans(raw: Any, field: str) -> tuple[tuple[int, int], ...]:
    """(start, end) pairs from a record's span field: a list of objects, or that list as
    JSON text in a CSV or Parquet cell."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as err:
            raise ValueError(f"field {field!r} is not JSON ({err.msg})") from err
    if not isinstance(raw, list):
        raise ValueError(f"no list field {field!r}")
    return tuple((int(s["start"]), int(s["end"])) for s in raw)


def workers_option(func: F) -> F:
    return click.option(
        "-j",
        "--workers",
        type=click.IntRange(1),
        default=1,
        show_default=True,
        help="Processes to geoparse with (each opens the gazetteer once); the output is "
        "the same as with one.",
    )(func)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "geojson", "parquet"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one object per report; csv, parquet: one row per mention; "
    "geojson: one feature per place.",
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
@workers_option
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: run as a Dask job over partitions of JSON Lines or Parquet input and "
    "write a folder of Parquet files to -o (needs placemap[dask]).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Dask scheduler to use (tcp://host:8786) [default: a local cluster of "
    "--workers processes].",
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
    workers: int,
    engine: str,
    scheduler: str | None,
    inputs: InputSpec,
    ner: str,
    spacy_model: str,
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
) -> None:
    """Find the places in reports and write them as data.

    PATHS are text, Markdown or HTML files, JSON Lines, JSON, CSV or Parquet
    collections, folders of them, or - for standard input.

    \b
    Examples:
      placemap extract examples/ > places.jsonl
      placemap extract page.html --format geojson -o places.geojson
      placemap extract articles.csv --text-field body --id-field url --format csv -o m.csv
      placemap extract dump.parquet --text-field content --format parquet -o m.parquet
      cat report.txt | placemap extract - --format csv
      placemap extract corpus.jsonl --spans toponyms -o resolved.jsonl
      placemap extract archive.jsonl --workers 2 -o places.jsonl
      placemap extract part-*.jsonl --engine dask -o places-parquet/
    """
    from placemap import writers

    settings = _settings(gazetteer_path, overlays, demonyms, ner=ner, spacy_model=spacy_model)
    if engine == "dask":
        _extract_dask(paths, output, settings, scheduler, workers, inputs, spans_field)
        return
    if scheduler:
        raise click.UsageError("--scheduler needs --engine dask")

    if fmt == "parquet" and output is None and sys.stdout.isatty():
        raise click.UsageError("Parquet is binary: give -o FILE or redirect standard output")
    failures: list[str] = []
    reports = _progress(
        # JSON Lines are encoded where the reports are geoparsed: with --workers the
        # parent only reads and writes.
        _reports(
            paths,
            inputs,
            spans_field,
            settings,
            failures,
            workers,
            encode=writers.jsonl_line if fmt == "jsonl" else None,
        ),
        "geoparsing",
        output_to_terminal=output is None and sys.stdout.isatty(),
    )
    if fmt == "parquet":
        with writers.atomic_binary_writer(output) as bout:
            n = writers.write_parquet(reports, bout)
    else:
        write = {
            "jsonl": writers.write_jsonl,
            "csv": writers.write_csv,
            "geojson": writers.write_geojson,
        }[fmt]
        with writers.atomic_text_writer(output) as out:
            n = write(reports, out)
    if output is not None and not _quiet():
        click.echo(f"placemap: wrote {n} reports to {output}", err=True)
    if failures:
        sys.exit(EXIT_PARTIAL)


def _extract_dask(
    paths: tuple[Path, ...],
    output: Path | None,
    settings: Any,
    scheduler: str | None,
    workers: int,
    inputs: InputSpec,
    spans_field: str | None,
) -> None:
    from placemap.dask_engine import run_dask

    if output is None:
        raise click.UsageError("--engine dask writes a folder of Parquet files: give -o DIR")
    stats = run_dask(
        list(paths),
        output,
        settings,
        scheduler=scheduler,
        workers=max(workers, 2) if scheduler is None else workers,
        text_field=inputs.text_field,
        id_field=inputs.id_field,
        title_field=inputs.title_field,
        date_field=inputs.date_field,
        spans_field=spans_field,
    )
    if not _quiet():
        click.echo(
            f"placemap: wrote {stats['partitions']} Parquet partitions to {output}: "
            f"{stats['reports']:,} reports, {stats['mentions']:,} mentions",
            err=True,
        )
    if stats["errors"]:
        click.echo(
            f"placemap: error: {stats['errors']} records failed (see the 'error' column)",
            err=True,
        )
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
    from placemap.writers import write_text_atomic

    failures: list[str] = []
    tables = _table_reports(
        paths, lat_column, lon_column, name_column, group_by, gazetteer_path, overlays
    )
    if tables is not None:
        reports = tables
    else:
        settings = _settings(gazetteer_path, overlays, True, ner=ner, spacy_model=spacy_model)
        reports = list(
            _progress(
                _reports(paths, inputs, None, settings, failures, workers),
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


# --- tables -----------------------------------------------------------------------


@cli.command("geocode")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--column", required=True, metavar="NAME", help="Column holding the place names.")
@click.option(
    "--country-column",
    metavar="C",
    help="Column with each row's country (name, ISO code or demonym): only places there.",
)
@click.option(
    "--admin-column",
    metavar="A",
    help="Column with a province or region name (preferred), or a type word such as "
    "'province' or 'river' that says what kind of place the row names.",
)
@click.option(
    "--context-column",
    metavar="T",
    help="Column with free text (a description) whose places serve as context.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (atomically) instead of standard output.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "parquet"]),
    help="Output format [default: from the output's extension, else the input's].",
)
@click.option(
    "--input-format",
    type=click.Choice(["csv", "jsonl", "parquet"]),
    help="Input format [default: from FILE's extension].",
)
@gazetteer_options
@library_errors
def geocode(
    file: Path,
    column: str,
    country_column: str | None,
    admin_column: str | None,
    context_column: str | None,
    output: Path | None,
    fmt: str | None,
    input_format: str | None,
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
) -> None:
    """Add coordinates and GeoNames places to a table of place names (CSV, JSON Lines,
    Parquet), offline. Each distinct name (with its hints) is resolved once.

    Adds lat, lon, geonameid, resolved_name, feature_code, country_code, admin1,
    confidence and match (how it matched, or why it stayed unresolved); JSON Lines
    and Parquet also get the runner-up candidates.

    \b
    Examples:
      placemap geocode events.csv --column location --country-column country -o out.csv
      placemap geocode villages.parquet --column name --admin-column province -o out.parquet
    """
    from placemap.geocode import geocode_frame, read_table, table_format, write_table

    in_fmt = table_format(file, input_format)
    out_fmt = fmt or (table_format(output) if output is not None else in_fmt)
    if out_fmt == "parquet" and output is None:
        raise click.UsageError("Parquet output needs a file: give -o/--output")
    df = read_table(file, in_fmt)
    try:
        out = geocode_frame(
            df,
            column=column,
            country=country_column,
            admin=admin_column,
            context=context_column,
            geoparser=_geoparser(gazetteer_path, overlays),
            candidates=out_fmt != "csv",
        )
    except PlacemapError as err:
        raise click.ClickException(f"{file}: {err}") from err
    write_table(out, output, out_fmt)
    resolved = int(out["lat"].notna().sum())
    ambiguous = int(out["match"].str.contains("ambiguous", regex=False).sum())
    click.echo(
        f"geocoded {len(out):,} rows: {resolved:,} resolved ({ambiguous:,} ambiguous), "
        f"{len(out) - resolved:,} unresolved",
        err=True,
    )
    if resolved < len(out):
        top = out["country_code"].value_counts().index[:3].tolist()
        if top:
            click.echo(
                "full GeoNames data would likely resolve more: placemap gazetteer build "
                + " ".join(f"--download {cc}" for cc in top),
                err=True,
            )


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


def main() -> None:
    cli(prog_name="placemap")
