"""What the commands share: option groups, reading reports, errors and progress."""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, NoReturn, TypeVar

import click

from placemap.errors import PlacemapError
from placemap.records import tally  # noqa: F401 - the commands' summaries count with it

log = logging.getLogger("placemap")

F = TypeVar("F", bound=Callable[..., Any])

EXIT_PARTIAL = 3
#: The PATH arguments of extract and map: not checked here (a missing or unreadable
#: file is an error of that input, named while the others are read).
INPUT_PATH = click.Path(path_type=Path, allow_dash=True, readable=False)
ASSETS_DIR = "assets"  # placemap map --assets shared: the folder beside the pages


# What a message must not carry raw to a terminal: C0 and C1 controls (ESC starts the
# sequences that retitle, recolour or clear a terminal; a new line would make two
# messages of one), DEL, the Unicode line and paragraph separators, the bidirectional
# controls and marks that show a name in another order than it is, and the invisible
# characters (zero-width space, joiners, word joiner, BOM) that make two names look one.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: A message longer than this keeps its start and end: a record's 1 MB field name or
#: value quoted in a message was a 1 MB line.
MESSAGE_CHARS = 2000


def one_line(message: str) -> str:
    """``message`` fit for one line of a terminal: the characters of a file name or a
    record's value that would move the cursor, run an escape sequence, break the line or
    hide are written as escapes (``\\x1b``, ``\\n``, ``\\u2028``, ``\\u200b``), as Python
    writes them, and a message of more than :data:`MESSAGE_CHARS` characters is cut in
    the middle, saying how much was left out."""
    if len(message) > MESSAGE_CHARS:
        head, tail = MESSAGE_CHARS * 3 // 4, MESSAGE_CHARS // 4
        cut = len(message) - head - tail
        message = f"{message[:head]}...[{cut:,} characters]...{message[-tail:]}"
    return _UNSAFE.sub(_escaped, message)


def _escaped(mo: re.Match[str]) -> str:
    c = mo.group()
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) <= 0xFF else f"\\u{ord(c):04x}")


def say(message: str) -> None:
    """Print a message (``placemap: ...``) on stderr, on one line."""
    click.echo(one_line(message), err=True)


class OneLineFormatter(logging.Formatter):
    """The library's log messages, each on one line (they name files and quote values)."""

    def format(self, record: logging.LogRecord) -> str:
        return one_line(super().format(record))


class Fatal(click.ClickException):
    """An error that ends a command (exit 1), shown as every placemap error is shown:
    ``placemap: error: MESSAGE`` (click's own says ``Error: MESSAGE``)."""

    def show(self, file: Any = None) -> None:
        say(f"placemap: error: {self.format_message()}")


def library_errors(func: F) -> F:
    """Turn library errors into :class:`Fatal` (exit 1) with their message."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PlacemapError as err:
            raise Fatal(str(err)) from err

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


def data_files(gazetteer_path: Path | None, overlays: tuple[Path, ...]) -> tuple[Path, ...]:
    """The files a run reads besides its inputs: the index and the overlays (an output
    given as one of them would replace it: ``-o`` the index made it a 1 kB file)."""
    from placemap.gazetteer.store import default_path

    return (*overlays, gazetteer_path or default_path())


def open_gaz(gazetteer_path: Path | None, overlays: tuple[Path, ...]) -> Any:
    from placemap.gazetteer import open_gazetteer

    return open_gazetteer(gazetteer_path, overlays=overlays)


class TextType(click.ParamType):
    """Free text for a page (``--title``): the bytes of an argument that is not UTF-8,
    which Python keeps as lone surrogates and no page can hold, become U+FFFD, as in
    file names."""

    name = "TEXT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from placemap.readers import shown

        return shown(str(value))


class SizeType(click.ParamType):
    """A size in bytes, with an optional unit: ``200MB``, ``1.5G``, ``500k``, ``4096``."""

    name = "SIZE"
    _UNITS = {"": 1, "B": 1, "K": 10**3, "KB": 10**3, "M": 10**6, "MB": 10**6}
    _UNITS |= {"G": 10**9, "GB": 10**9}
    LARGEST = 10**12  # (1e30 overflowed the reading of a line)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().replace(" ", "")
        number = text.rstrip("KMGB")
        unit = text[len(number) :]
        try:
            size = int(float(number) * self._UNITS[unit])  # inf, nan: OverflowError, ValueError
        except (ValueError, KeyError, OverflowError):
            self.fail(f"{value!r} is not a size such as 200MB, 1.5GB or 500kB", param, ctx)
        if size <= 0:
            self.fail("the size must be positive", param, ctx)
        if size > self.LARGEST:
            self.fail(f"{value!r} is more than placemap can hold (at most 1000GB)", param, ctx)
        return size


class OutputPath(click.Path):
    """``-o PATH``: ``-`` is standard output (as ``-`` is standard input for PATH), given
    to the command as None; a file named ``-`` is ``./-``. Where the output cannot go to
    standard output (a folder of maps, an index), ``-`` is a usage error: it made a
    file or a folder named ``-``."""

    def __init__(self, *, to_stdout: bool, **kwargs: Any) -> None:
        super().__init__(path_type=str, **kwargs)
        self.to_stdout = to_stdout

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value == "-":
            if self.to_stdout:
                return None
            self.fail("'-' (standard output) cannot take it: give a path ('./-' names a "
                      "file '-')", param, ctx)  # fmt: skip
        return Path(os.fsdecode(super().convert(value, param, ctx)))


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
    day_first: bool = False
    url_field: str = "url"


def _check_glob(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A pattern that names files ("*.txt", "2024-*/*.html"); "." or "" names none."""
    if value is None:
        return None
    try:
        PurePath("x").match(value)
    except ValueError as err:
        raise click.BadParameter(f"{value!r} is no file pattern ({err}); try '*.txt'") from err
    if not value.strip("./"):
        raise click.BadParameter(f"{value!r} names no files; try '*.txt'")
    return value


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
            callback=_check_glob,
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
            help="Refuse text, HTML and JSON files (and stdin) above this size; in JSON "
            "Lines, CSV and Parquet collections (which stream), each line or record above it.",
        ),
        click.option(
            "--strict",
            is_flag=True,
            help="Stop at the first input that cannot be read (exit 1) instead of naming "
            "it and going on (exit 3 at the end).",
        ),
        click.option(
            "--day-first",
            is_flag=True,
            help="Read slash and dash dates day first (10/11/2016 = 10 November) [default: "
            "month first, as in US feeds].",
        ),
        click.option(
            "--url-field",
            default="url",
            show_default=True,
            help="Field holding the report's URL, linked from the maps (the default also "
            "takes a 'link' field; HTML pages give their canonical URL).",
        ),
    ]
    for opt in reversed(options):
        wrapper = opt(wrapper)
    return wrapper  # type: ignore[return-value]


def quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("quiet"))


def progress(
    items: Iterable[Any],
    label: str,
    *,
    output_to_terminal: bool,
    total: Callable[[], int | None] | None = None,
) -> Iterator[Any]:
    """Items with a progress line on stderr (count, rate, and time left when ``total``
    can say how many items are coming), only when a person watches there (stderr a
    terminal, not -q) and the output is not written to the same screen."""
    if quiet() or output_to_terminal or not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm

    with tqdm(
        items,
        desc=label,
        total=total() if total else None,
        unit=" reports",
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=0.5,
        leave=False,
    ) as bar:
        yield from bar


def expected_reports(
    paths: tuple[Path, ...], inputs: InputSpec, exclude: tuple[Path, ...] = ()
) -> Callable[[], int | None]:
    """How many reports the inputs hold, counted when the progress line needs it."""
    from placemap.readers import count_reports

    return lambda: count_reports(
        paths, glob=inputs.glob, input_format=inputs.input_format, exclude=exclude
    )


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


def make_geoparser(
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


def settings_for(
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
    demonyms: bool,
    *,
    ner: str = "none",
    spacy_model: str = "en_core_web_sm",
) -> Any:
    """What every worker needs to open its own geoparser (paths, not open handles),
    with the index checked: a missing or damaged one stops here, before any output."""
    from placemap.parallel import Settings

    return Settings(
        gazetteer=str(gazetteer_path) if gazetteer_path else None,
        overlays=tuple(str(o) for o in overlays),
        demonyms=demonyms,
        ner=ner,
        spacy_model=spacy_model,
    ).resolved()


def geoparsed(
    paths: tuple[Path, ...],
    inputs: InputSpec,
    spans_field: str | None,
    settings: Any,
    failures: list[str],
    workers: int = 1,
    encode: Any = None,
    exclude: tuple[Path, ...] = (),
) -> Iterator[Any]:
    """Yield processed reports in input order, from ``workers`` processes; name unreadable
    inputs and bad records on stderr and carry on (or stop, with ``--strict``). With
    ``encode``, what it makes of each report (in the worker) is yielded instead. The
    ``exclude`` paths (the run's own output) are not read from folders."""
    from placemap.parallel import Task, run_tasks
    from placemap.readers import ReadError, parse_spans, read_reports

    def fail(message: str) -> None:
        if inputs.strict:
            raise Fatal(f"{message} (stopped: --strict)")
        say(f"placemap: error: {message}")
        failures.append(message)

    def notice(message: str) -> None:
        if not quiet():
            say(f"placemap: {message}")

    def tasks() -> Iterator[Task]:
        extra = (spans_field,) if spans_field else ()
        for item in read_reports(
            paths,
            glob=inputs.glob,
            text_field=inputs.text_field,
            id_field=inputs.id_field,
            title_field=inputs.title_field,
            date_field=inputs.date_field,
            url_field=inputs.url_field,
            extra_fields=extra,
            input_format=inputs.input_format,
            max_bytes=inputs.max_size,
            day_first=inputs.day_first,
            notify=notice,
            exclude=exclude,
            # (guessed where the report is geoparsed: a worker, with --workers)
            guess_later=True,
        ):
            if isinstance(item, ReadError):
                fail(str(item))
                continue
            report, fields = item if isinstance(item, tuple) else (item, {})
            if not spans_field:
                yield Task(report)
                continue
            try:
                spans = parse_spans(fields.get(spans_field), spans_field, len(report.text))
            except ValueError as err:
                fail(f"{report.source}: {err}")
                continue
            yield Task(report, spans)

    for res in run_tasks(tasks(), settings, workers=workers, encode=encode, settle=True):
        if res.error is not None:
            fail(f"{res.report.source}: {res.error}")
            continue
        if encode is not None:
            yield res.encoded
            continue
        log.debug("%s: %d mentions", res.report.source, len(res.report.mentions))
        yield res.report


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




class NoReports(Exception):
    """Raised inside an output's writer when no report was read, so that the output
    file (or map folder) is left as it was."""


def no_reports(paths: tuple[Path, ...], failures: list[str]) -> NoReturn:
    """End a run that read no report: it changes no output (a ``--glob`` typo or an
    empty folder must not replace good maps or data with empty ones)."""
    from placemap.readers import shown

    if failures:  # each unreadable input was named already
        say("placemap: nothing written: no report could be read")
        sys.exit(EXIT_PARTIAL)
    named = ", ".join(shown(p) for p in paths[:3]) + (", ..." if len(paths) > 3 else "")
    say(f"placemap: error: no reports in {named}; nothing written (check the paths and --glob)")
    sys.exit(1)
