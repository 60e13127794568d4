"""pandas interface: geoparse a DataFrame column, and turn reports or mentions into a
DataFrame with one row per mention (the columns of the CSV and Parquet outputs)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from placemap.records import Mention, Report
from placemap.writers import COLUMNS, MENTION_COLUMNS, mention_row, report_rows

if TYPE_CHECKING:
    import pandas as pd

    from placemap.pipeline import Geoparser

__all__ = ["to_frame", "geoparse_frame"]

_PANDAS_DTYPES = {"string": "object", "int64": "int64", "float64": "float64", "bool": "bool"}


def _typed(rows: list[dict[str, Any]], columns: Iterable[str]) -> pd.DataFrame:
    import pandas as pd

    cols = list(columns)
    df = pd.DataFrame(rows, columns=cols)
    dtypes = {c: _PANDAS_DTYPES[COLUMNS[c]] for c in cols if c in COLUMNS}
    dtypes["geonameid"] = "Int64"  # null for unresolved and curated places
    return df.astype({c: t for c, t in dtypes.items() if c in cols})


def to_frame(items: Iterable[Report] | Iterable[Mention]) -> pd.DataFrame:
    """One row per mention: for reports, with ``report_id``, ``title``, ``date`` and
    ``source`` first; for bare mentions, only the mention columns."""
    given: list[Report | Mention] = list(items)
    if given and all(isinstance(x, Mention) for x in given):
        return _typed([mention_row(m) for m in given if isinstance(m, Mention)], MENTION_COLUMNS)
    rows: list[dict[str, Any]] = []
    for r in given:
        if not isinstance(r, Report):
            raise TypeError(f"to_frame takes Reports or Mentions, not {type(r).__name__}")
        rows.extend(report_rows(r))
    return _typed(rows, COLUMNS)


def geoparse_frame(
    df: pd.DataFrame,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    geoparser: Geoparser | None = None,
) -> pd.DataFrame:
    """Geoparse ``df[text_column]``: one row per mention, first the row's id
    (``df[id_column]``, or the index under the name ``index``), then the mention columns.
    Rows whose text is missing (None, NaN) give no rows."""
    from placemap.pipeline import default_geoparser

    if text_column not in df.columns:
        raise KeyError(f"no column {text_column!r} (columns: {', '.join(map(str, df.columns))})")
    if id_column is not None and id_column not in df.columns:
        raise KeyError(f"no column {id_column!r}")
    gp = geoparser or default_geoparser()
    key = id_column or "index"
    ids = df[id_column] if id_column else df.index.to_series()
    rows: list[dict[str, Any]] = []
    for rid, text in zip(ids, df[text_column], strict=True):
        if text is None or (isinstance(text, float) and math.isnan(text)):
            continue
        for m in gp.geoparse(str(text)):
            rows.append({key: rid, **mention_row(m)})
    out = _typed(rows, [key, *MENTION_COLUMNS])
    if len(out) == 0:  # keep the id column's type even with no mentions
        out[key] = out[key].astype(ids.dtype)
    return out
