"""The geoparser as a Dask job: partitions of JSON Lines or Parquet in, Parquet out.

    placemap extract corpus/*.jsonl --engine dask -o places.parquet/
    placemap extract corpus.parquet --engine dask --scheduler tcp://host:8786 -o out/

The inputs are cut into parts (:func:`placemap.readers.split_input`: blocks of JSON Lines
cut at line ends, with the number of their first line; runs of Parquet row groups), and
each part is read as ``placemap extract`` reads the whole file, so that the reports carry
the same ids, sources, titles, dates and URLs. Each part becomes one Parquet file of
mentions, built by the writers' own row builder: the columns and values of ``--format
parquet``, plus ``error`` (:data:`MENTION_COLUMNS`); a record that cannot be read or
processed is one row with its source and error. Workers open the gazetteer once each,
from its path, through :func:`placemap.parallel.geoparser_for`; with a remote scheduler
that path and the inputs' paths must exist on every worker (build the index there, or
share it).

The output folder appears only when the job has finished: the partitions are written to
a temporary sibling folder that then takes the output's place, so an interrupted job
leaves the previous output (or none) in place, never a partial one.

Needs the optional extra ``placemap[dask]``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from placemap.errors import PlacemapError
from placemap.parallel import Settings, Task, process, usable_workers
from placemap.readers import (
    Fields,
    InputPart,
    ReadError,
    _reason,
    parse_spans,
    read_part,
    shown,
    split_input,
)
from placemap.records import Report
from placemap.writers import COLUMNS, arrow_schema, report_head, report_rows

__all__ = ["MENTION_COLUMNS", "mention_frame", "run_dask"]

#: The columns of ``placemap extract --format parquet`` (pandas dtypes, nullable), plus
#: the error of a record that could not be processed.
MENTION_COLUMNS: dict[str, str] = {
    **{k: {"int64": "Int64", "bool": "boolean"}.get(t, t) for k, t in COLUMNS.items()},
    "error": "string",
}


def mention_frame(results: Iterable[tuple[Report, str | None]]) -> pd.DataFrame:
    """One row per mention of each report, as ``--format parquet`` writes them (the same
    row builder, :func:`placemap.writers.report_rows`); a report that failed gives one
    row with its error and no mention."""
    rows: list[dict[str, Any]] = []
    for r, error in results:
        _add_rows(rows, r, error)
    return _frame(rows)


def _add_rows(rows: list[dict[str, Any]], report: Report, error: str | None) -> None:
    if error is not None:
        rows.append({**report_head(report), "error": error})
    else:
        rows.extend(report_rows(report))


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(MENTION_COLUMNS)).astype(MENTION_COLUMNS)


def _partition(
    part: InputPart, settings: Settings, fields: Fields, spans_field: str | None
) -> pd.DataFrame:
    """The mentions of one part of an input, read as ``placemap extract`` reads the whole
    file (the same reports, ids and sources); a record that cannot be read or processed
    gives one row with its source and error."""
    rows: list[dict[str, Any]] = []
    for item in read_part(part, fields):
        if isinstance(item, ReadError):
            rows.append({"source": item.source, "error": item.message})
            continue
        report, extra = item if isinstance(item, tuple) else (item, {})
        spans = None
        if spans_field:
            try:
                spans = parse_spans(extra.get(spans_field), spans_field, len(report.text))
            except ValueError as err:
                _add_rows(rows, report, str(err))
                continue
        res = process(Task(report, spans), settings)
        _add_rows(rows, res.report, res.error)
    return _frame(rows)


def run_dask(
    inputs: Sequence[Path],
    output: Path,
    settings: Settings,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    text_field: str = "text",
    id_field: str = "id",
    title_field: str = "title",
    date_field: str = "date",
    spans_field: str | None = None,
    day_first: bool = False,
    blocksize: str = "16MB",
) -> dict[str, Any]:
    """Geoparse JSON Lines or Parquet ``inputs`` on a Dask cluster into Parquet ``output``.

    With no ``scheduler`` a local cluster of ``workers`` processes is started (and
    stopped). Returns counts of partitions, reports and mentions written.
    """
    try:
        import dask.dataframe as dd
        import pyarrow as pa
        from dask import delayed
        from dask.distributed import Client, LocalCluster, Security
        from dask.utils import parse_bytes
    except ImportError as err:
        raise PlacemapError(
            "the Dask engine needs the optional extra: pip install 'placemap[dask]'"
        ) from err
    if not inputs:
        raise PlacemapError("the Dask engine needs input files")
    settings = settings.resolved()
    kinds = {p.suffix.lower() in (".parquet", ".pq") for p in inputs}
    if len(kinds) > 1 or not all(
        p.suffix.lower() in (".parquet", ".pq", ".jsonl", ".ndjson") for p in inputs
    ):
        raise PlacemapError(
            "the Dask engine reads JSON Lines (.jsonl) or Parquet (.parquet) files, "
            f"not {', '.join(sorted({p.suffix or p.name for p in inputs}))}"
        )
    fields = Fields(
        text_field,
        id_field,
        title_field,
        date_field,
        (spans_field,) if spans_field else (),
        day_first,
    )
    size = parse_bytes(blocksize)
    parts, input_errors = [], []
    for p in inputs:
        try:
            parts += split_input(Path(p), size, fields)
        except (OSError, ValueError) as err:  # (pyarrow's ArrowInvalid is a ValueError)
            input_errors.append(f"{shown(p)}: {_reason(err)}")
    if not parts:
        raise PlacemapError("; ".join(input_errors) or "no input")
    mentions = dd.from_delayed(
        [delayed(_partition)(part, settings, fields, spans_field) for part in parts],
        meta=mention_frame([]),
        verify_meta=False,
    )
    schema = arrow_schema().append(pa.field("error", pa.string()))

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".partial", dir=output.parent))
    own_cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler)
            except (OSError, ValueError, TypeError) as err:  # refused, timed out, no address
                raise PlacemapError(f"--scheduler {scheduler}: cannot connect ({err})") from err
        else:
            # TLS with certificates made for this job alone: the local cluster's ports are
            # open to every process on the machine, and without them any other user's
            # could run code in its workers (Dask's plain TCP has no authentication).
            security = Security.temporary()
            own_cluster = LocalCluster(
                n_workers=usable_workers(workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # its HTTP server (health, metrics) starts all the same: on a free local
                # port, not 8787 ("Port 8787 is already in use" when another job runs)
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                security=security,
                protocol="tls://",
            )
            client = Client(own_cluster, security=security)
        with client:
            mentions.to_parquet(
                str(tmp), write_index=False, write_metadata_file=False, schema=schema
            )
        (tmp / JOB_MARKER).write_text(
            "Parquet files written by placemap extract --engine dask; a later job given "
            "this folder replaces it.\n",
            encoding="utf-8",
        )
        tmp.chmod(_folder_mode())  # (mkdtemp makes it the owner's alone)
        _replace_dir(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if own_cluster is not None:
            own_cluster.close()
    # (the columns counted only: the whole output read back took 1 GB for one report of
    # 300,000 mentions)
    written = pd.read_parquet(output, columns=["report_id", "start", "error"])
    return {
        "partitions": len(list(output.glob("*.parquet"))),
        "reports": int(written["report_id"].nunique()),
        "mentions": int(written["start"].notna().sum()),
        "errors": int(written["error"].notna().sum()),
        "input_errors": input_errors,
    }


def check_output_folder(output: Path) -> None:
    """Raise PlacemapError unless ``output`` may take the job's folder of Parquet files:
    new or empty, or the folder of an earlier job (its marker, :data:`JOB_MARKER`, and
    Parquet files), which the job replaces once it is done; never a file, nor a folder of
    the user's (a folder of the user's own Parquet files was replaced, and those lost)."""
    if not output.exists():
        return
    if not output.is_dir():
        raise PlacemapError(f"{output}: exists and is not a folder; give a folder name")
    names = sorted(p.name for p in output.iterdir())
    if not names:
        return
    if JOB_MARKER not in names:
        raise PlacemapError(
            f"{output}: holds {names[0]}, and is a folder placemap did not write (no "
            f"{JOB_MARKER} file); the job would replace the folder: choose another"
        )
    others = sorted(
        p.name
        for p in output.iterdir()
        if p.name != JOB_MARKER and (p.suffix != ".parquet" or p.is_dir())
    )
    if others:
        raise PlacemapError(
            f"{output}: holds {others[0]}, not a Parquet file of an earlier job; the job "
            "would replace the folder: choose another"
        )


#: The file a job leaves in its folder of Parquet files (a hidden one: Parquet readers
#: pass over it).
JOB_MARKER = ".placemap-parquet"


def _folder_mode() -> int:
    """The mode a new folder gets under the process's umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


def _replace_dir(new: Path, target: Path) -> None:
    """Put folder ``new`` where ``target`` is, removing the old one only afterwards."""
    if target.exists():
        if not target.is_dir():
            raise PlacemapError(f"{target}: exists and is not a folder")
        old = target.with_name(f".{target.name}.{os.getpid()}.old")
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)
