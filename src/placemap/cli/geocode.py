"""placemap geocode: coordinates for a table's place names."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import click

from placemap.cli.common import (
    Fatal,
    OutputPath,
    data_files,
    gazetteer_options,
    library_errors,
    make_geoparser,
    quiet,
)
from placemap.errors import PlacemapError

#: Allocations between two collections of the youngest generation (Python's default: 700).
GC_THRESHOLD = 50_000


@click.command("geocode")
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
    type=OutputPath(to_stdout=True, dir_okay=False),
    help="Write here (atomically) instead of standard output ('-').",
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
    from placemap.gazetteer.suggest import FullDataHint
    from placemap.geocode import (
        geocode_frame,
        geocode_rows,
        outcome,
        read_plain_table,
        read_table,
        table_format,
        write_plain_table,
        write_table,
    )
    from placemap.outputs import check_not_an_input, check_output_file, output_errors

    in_fmt = table_format(file, input_format)
    out_fmt = fmt or (table_format(output) if output is not None else in_fmt)
    if out_fmt == "parquet" and output is None:
        raise click.UsageError("Parquet output needs a file: give -o/--output")
    if output is not None:
        # -o events.csv replaced the table's own lat/lon
        check_not_an_input(output, (file, *data_files(gazetteer_path, overlays)))
        check_output_file(output)
    # CSV and JSON Lines without pandas where the standard library reads them alike.
    plain = read_plain_table(file, in_fmt) if out_fmt != "parquet" else None
    run: Any = (
        partial(geocode_rows, plain)
        if plain is not None
        else partial(geocode_frame, read_table(file, in_fmt))
    )
    geoparser = make_geoparser(gazetteer_path, overlays)
    try:
        with _few_collections():
            out = run(
                column=column,
                country=country_column,
                admin=admin_column,
                context=context_column,
                geoparser=geoparser,
                candidates=out_fmt != "csv",
            )
    except PlacemapError as err:
        raise Fatal(f"{file}: {err}") from err
    write = write_plain_table if plain is not None else write_table
    if output is None:
        write(out, output, out_fmt)
    else:
        with output_errors(output):
            write(out, output, out_fmt)
    if quiet():
        return  # (-q: only errors on standard error)
    rows, resolved, ambiguous, countries = outcome(out)
    click.echo(
        f"geocoded {rows:,} rows: {resolved:,} resolved ({ambiguous:,} ambiguous), "
        f"{rows - resolved:,} unresolved",
        err=True,
    )
    if resolved < rows:
        hint = FullDataHint.of(geoparser.gazetteer)
        top = hint.wanted(countries)[:3]
        if top:
            click.echo(
                f"full GeoNames data would likely resolve more: {hint.command(top)}", err=True
            )


@contextmanager
def _few_collections() -> Iterator[None]:
    """Python's cycle collector run less often: geocoding keeps many small objects alive
    (the places and candidates it caches), which the default thresholds walk again and
    again (about a tenth of the CPU time of a table of distinct names)."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
