"""placemap extract: reports in, places out as data."""

from __future__ import annotations

import functools
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import click

from placemap.cli.common import (
    EXIT_PARTIAL,
    INPUT_PATH,
    InputSpec,
    NoReports,
    OutputPath,
    data_files,
    expected_reports,
    gazetteer_options,
    geoparsed,
    input_options,
    library_errors,
    ner_options,
    no_reports,
    progress,
    quiet,
    say,
    settings_for,
    tally,
    workers_option,
)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATH)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "geojson", "parquet"]),
    help="jsonl: one object per report; csv, parquet: one row per mention; "
    "geojson: one feature per place [default: from the -o file's extension "
    "(.csv, .parquet, .geojson), else jsonl].",
)
@click.option(
    "-o",
    "--output",
    type=OutputPath(to_stdout=True),
    help="Write here (atomically) instead of standard output ('-').",
)
@click.option(
    "--spans",
    "spans_field",
    metavar="FIELD",
    help="Resolve the spans each JSON Lines record gives in FIELD (objects with "
    "start and end) instead of finding places.",
)
@click.option(
    "--with-text",
    is_flag=True,
    help="JSON Lines: add each report's text as placemap read it (after HTML "
    "extraction), the text the mentions' offsets point into.",
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
    fmt: str | None,
    output: Path | None,
    spans_field: str | None,
    with_text: bool,
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
      placemap extract pages/ --with-text -o places.jsonl
      placemap extract articles.csv --text-field body --id-field url --format csv -o m.csv
      placemap extract dump.parquet --text-field content --format parquet -o m.parquet
      cat report.txt | placemap extract - --format csv
      placemap extract corpus.jsonl --spans toponyms -o resolved.jsonl
      placemap extract archive.jsonl --workers 2 -o places.jsonl
      placemap extract part-*.jsonl --engine dask -o places-parquet/
    """
    from placemap import writers
    from placemap.outputs import (
        check_not_an_input,
        check_not_in_input_folders,
        check_output_file,
        output_file,
    )

    settings = settings_for(gazetteer_path, overlays, demonyms, ner=ner, spacy_model=spacy_model)
    if engine == "dask":
        _extract_dask(paths, output, settings, scheduler, workers, inputs, spans_field)
        return
    if scheduler:
        raise click.UsageError("--scheduler needs --engine dask")

    fmt = fmt or _format_of(output)
    if fmt == "parquet" and output is None and sys.stdout.isatty():
        raise click.UsageError("Parquet is binary: give -o FILE or redirect standard output")
    if with_text and fmt != "jsonl":
        raise click.UsageError("--with-text adds a field to JSON Lines: use it with --format jsonl")
    if output is not None:
        check_not_an_input(output, (*paths, *data_files(gazetteer_path, overlays)))
        check_not_in_input_folders(output, paths, inputs.glob)
        check_output_file(output)  # a read-only or missing place fails now, not after the work
    own = (output,) if output is not None else ()  # not read back from a folder
    failures: list[str] = []
    counts: Counter[str] = Counter()
    # With --workers JSON Lines are encoded where the reports are geoparsed, and the
    # parent only reads and writes; in one process they are written in pieces.
    encode = None
    if fmt == "jsonl" and workers > 1:
        from placemap.parallel import jsonl_encoded

        encode = functools.partial(jsonl_encoded, with_text=with_text)
    reports = progress(
        _counted(
            geoparsed(
                paths, inputs, spans_field, settings, failures, workers, encode=encode, exclude=own
            ),
            counts,
        ),
        "geoparsing",
        output_to_terminal=output is None and sys.stdout.isatty(),
        total=expected_reports(paths, inputs, own),
    )
    try:
        if fmt == "parquet":
            with output_file(output, binary=True) as bout:
                n = writers.write_parquet(reports, bout)
                if n == 0:
                    raise NoReports
        else:
            writes: dict[str, Callable[[Iterable[Any], TextIO], int]] = {
                "jsonl": functools.partial(writers.write_jsonl, with_text=with_text),
                "csv": writers.write_csv,
                "geojson": writers.write_geojson,
            }
            with output_file(output) as out:
                n = writes[fmt](reports, out)
                if n == 0:
                    raise NoReports  # the output file stays as it was
    except NoReports:
        no_reports(paths, failures)
    if output is not None and not quiet():
        say(
            f"placemap: wrote {n} reports to {output}: {counts['place']} resolved mentions "
            f"of places (demonyms apart: {counts['demonym']}), {counts['unresolved']} "
            "unresolved"
        )
    if failures:
        sys.exit(EXIT_PARTIAL)


def _counted(items: Iterable[Any], counts: Counter[str]) -> Iterator[Any]:
    """Reports (or encoded lines) passed on, their mentions added to ``counts``."""
    for item in items:
        if isinstance(item, tuple):
            line, seen = item
            counts.update(seen)
            yield line
        else:
            counts.update(tally(item.mentions))
            yield item


#: The format an output file's extension asks for when --format is not given (-o x.csv
#: wrote JSON Lines into x.csv, and -o x.parquet into x.parquet).
_SUFFIX_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".geojson": "geojson"}


def _format_of(output: Path | None) -> str:
    return _SUFFIX_FORMATS.get(output.suffix.lower(), "jsonl") if output is not None else "jsonl"


def _quiet_dask_logs() -> None:
    """Dask's scheduler and nannies log each start, connection and close at INFO (30
    lines a run, shown as placemap's own messages): their warnings and errors show, the
    rest with -vv, as for the HTML extractor."""
    import logging

    try:
        import distributed  # noqa: F401  (sets its loggers' levels when imported)
    except ImportError:
        return  # run_dask says what to install
    debug = logging.getLogger("placemap").getEffectiveLevel() <= logging.DEBUG
    for name in ("distributed", "dask", "bokeh", "tornado"):
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)


def _extract_dask(
    paths: tuple[Path, ...],
    output: Path | None,
    settings: Any,
    scheduler: str | None,
    workers: int,
    inputs: InputSpec,
    spans_field: str | None,
) -> None:
    from placemap.dask_engine import check_output_folder, run_dask
    from placemap.outputs import check_not_an_input

    if output is None:
        raise click.UsageError("--engine dask writes a folder of Parquet files: give -o DIR")
    check_not_an_input(output, paths, folder=True)
    check_output_folder(output)  # before the work, not after it
    _quiet_dask_logs()
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
        day_first=inputs.day_first,
    )
    for message in stats["input_errors"]:
        say(f"placemap: error: {message}")
    if not quiet():
        say(
            f"placemap: wrote {stats['partitions']} Parquet partitions to {output}: "
            f"{stats['reports']:,} reports, {stats['mentions']:,} mentions"
        )
    if stats["errors"]:
        click.echo(
            f"placemap: error: {stats['errors']} records failed (see the 'error' column)",
            err=True,
        )
    if stats["errors"] or stats["input_errors"]:
        sys.exit(EXIT_PARTIAL)


