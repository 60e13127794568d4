"""The geoparser as a Dask job: partitions of JSON Lines or Parquet in, Parquet out.

    placemap extract corpus/*.jsonl --engine dask -o places.parquet/
    placemap extract corpus.parquet --engine dask --scheduler tcp://host:8786 -o out/

Each partition of the input becomes one Parquet file of mentions (one row per mention,
the columns of ``--format parquet`` and ``error``: :data:`MENTION_COLUMNS`). Workers
open the gazetteer once each, from its path, through
:func:`placemap.parallel.geoparser_for`; with a remote scheduler that path must exist on
every worker (build the index there, or share it).

The output folder appears only when the job has finished: the partitions are written to
a temporary sibling folder that then takes the output's place, so an interrupted job
leaves the previous output (or none) in place, never a partial one.

Needs the optional extra ``placemap[dask]``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from placemap.dates import parse_date
from placemap.errors import PlacemapError
from placemap.parallel import Settings, Task, process
from placemap.readers import guess_title_date
from placemap.records import Report
from placemap.writers import COLUMNS, report_rows

__all__ = ["MENTION_COLUMNS", "mention_frame", "run_dask"]

#: The columns of ``placemap extract --format parquet`` (pandas dtypes, nullable), plus
#: the error of a record that could not be processed.
MENTION_COLUMNS: dict[str, str] = {
    **{k: {"int64": "Int64", "bool": "boolean"}.get(t, t) for k, t in COLUMNS.items()},
    "error": "string",
}


def mention_frame(results: Iterable[tuple[Report, str | None]]) -> pd.DataFrame:
    """One row per mention of each report, as ``--format parquet`` writes them; a report
    that failed gives one row with its error and no mention."""
    rows: list[dict[str, Any]] = []
    for r, error in results:
        if error is not None:
            rows.append({"report_id": r.id, "title": r.title, "date": r.date, "error": error})
        else:
            rows.extend(report_rows(r))
    frame = pd.DataFrame(rows, columns=list(MENTION_COLUMNS))
    return frame.astype(MENTION_COLUMNS)


def _record_task(rec: dict[str, Any], fields: dict[str, Any], rid: str) -> Task:
    text = rec[fields["text"] or "text"]
    title = rec.get(fields["title"] or "title")
    day_first = bool(fields.get("day_first"))
    date = parse_date(rec.get(fields["date"] or "date"), day_first=day_first)
    if title is None or date is None:
        g_title, g_date = guess_title_date(text, day_first=day_first)
        title = title if title is not None else g_title
        date = date or g_date
    spans = None
    if fields.get("spans"):
        raw = rec.get(fields["spans"] or "")
        spans = (
            tuple((int(s["start"]), int(s["end"])) for s in raw) if isinstance(raw, list) else ()
        )
    report = Report(
        rid,
        text,
        str(title) if title else rid,
        date.iso if date else None,
        date_raw=date.raw if date else None,
    )
    return Task(report, spans)


def _partition(
    records: Sequence[dict[str, Any] | str], settings: Settings, fields: dict[str, Any]
) -> pd.DataFrame:
    """Mentions of one partition's records (dicts, or JSON Lines as read)."""
    out: list[tuple[Report, str | None]] = []
    for n, raw in enumerate(records):
        if isinstance(raw, str) and not raw.strip():
            continue
        try:
            rec = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError as err:
            out.append((Report(f"line-{n + 1}", ""), f"not valid JSON ({err.msg})"))
            continue
        if not isinstance(rec, dict):
            out.append((Report(f"line-{n + 1}", ""), "not a JSON object"))
            continue
        rid = rec.get(fields["id"] or "id")
        rid = str(rid) if rid is not None else f"record-{n + 1}"
        if not isinstance(rec.get(fields["text"] or "text"), str):
            out.append((Report(rid, ""), f"no string field {fields['text']!r}"))
            continue
        res = process(_record_task(rec, fields, rid), settings)
        out.append((res.report, res.error))
    return mention_frame(out)


def _frame_partition(df: pd.DataFrame, settings: Settings, fields: dict[str, Any]) -> pd.DataFrame:
    return _partition(
        [{str(k): v for k, v in r.items()} for r in df.to_dict("records")], settings, fields
    )


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
        import dask.bag as db
        import dask.dataframe as dd
        from dask import delayed
        from dask.distributed import Client, LocalCluster
    except ImportError as err:
        raise PlacemapError(
            "the Dask engine needs the optional extra: pip install 'placemap[dask]'"
        ) from err
    if not inputs:
        raise PlacemapError("the Dask engine needs input files")
    settings = settings.resolved()
    fields: dict[str, Any] = {
        "text": text_field,
        "id": id_field,
        "title": title_field,
        "date": date_field,
        "spans": spans_field,
        "day_first": day_first,
    }
    meta = mention_frame([])
    if all(p.suffix.lower() in (".parquet", ".pq") for p in inputs):
        frames = dd.read_parquet([str(p) for p in inputs])
        mentions = frames.map_partitions(_frame_partition, settings, fields, meta=meta)
    elif all(p.suffix.lower() in (".jsonl", ".ndjson") for p in inputs):
        bag = db.read_text([str(p) for p in inputs], blocksize=blocksize)
        parts = [delayed(_partition)(part, settings, fields) for part in bag.to_delayed()]
        mentions = dd.from_delayed(parts, meta=meta, verify_meta=False)
    else:
        raise PlacemapError(
            "the Dask engine reads JSON Lines (.jsonl) or Parquet (.parquet) files, "
            f"not {', '.join(sorted({p.suffix or p.name for p in inputs}))}"
        )

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".partial", dir=output.parent))
    own_cluster = None
    try:
        if scheduler:
            client = Client(scheduler)
        else:
            own_cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(own_cluster)
        with client:
            mentions.to_parquet(str(tmp), write_index=False, write_metadata_file=False)
        _replace_dir(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if own_cluster is not None:
            own_cluster.close()
    written = pd.read_parquet(output)
    return {
        "partitions": len(list(output.glob("*.parquet"))),
        "reports": int(written["report_id"].nunique()),
        "mentions": int(written["start"].notna().sum()),
        "errors": int(written["error"].notna().sum()),
    }


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
