"""Scoring against gold corpora, as in Gritta et al. 2018 ("What's missing in
geographical parsing?"): recognition P/R/F1 on exact spans; resolution error in
km over all gold toponyms (a toponym with no prediction counts 20,039 km),
accuracy@161 km, median and mean error, and AUC of ln(1 + error).

Demonyms ("Syrian") are place mentions in some corpora and not in others. With
``demonyms="ignore"`` a prediction of kind ``demonym`` that matches no gold span is
neither right nor wrong (it is set aside like an unscored span); one that matches a
gold span still counts. ``"count"`` scores every prediction. A corpus declares its
convention per record (``"demonyms": "ignore"``); the argument, when given, wins."""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from placemap.errors import InputError
from placemap.outputs import output_errors
from placemap.pipeline import Geoparser
from placemap.readers import (
    MAX_BYTES,
    MAX_SPAN_CHARS,
    NotRegular,
    ReadError,
    check_span,
    loads_json,
    open_regular,
    shown,
)
from placemap.resolution import haversine_km
from placemap.writers import atomic_text_writer, csv_writer, spreadsheet_safe

__all__ = ["MAX_ERROR_KM", "DEMONYM_CONVENTIONS", "evaluate", "read_corpus", "format_report"]

MAX_ERROR_KM = 20039.0
DEMONYM_CONVENTIONS = ("count", "ignore")


def read_corpus(path: Path) -> Iterator[dict[str, Any] | ReadError]:
    """The documents of a gold corpus (JSON Lines with ``text`` and ``toponyms``), each
    checked; a document that cannot be scored comes as a :class:`ReadError` instead."""
    try:  # a pipe or a device (/dev/zero) is refused, never waited on or read for ever
        fh = open_regular(path)
    except (NotRegular, OSError) as err:
        raise InputError(f"{shown(path)}: {str(err).split(';')[0]}") from err
    with fh:
        lineno = 0
        while raw := fh.readline(MAX_BYTES + 1):
            lineno += 1
            where = f"{shown(path)}, line {lineno}"
            if len(raw) > MAX_BYTES and not raw.endswith(b"\n"):
                while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass  # read past, never held whole
                yield ReadError(where, f"a line over {MAX_BYTES // 10**6} MB")
                continue
            if not raw.strip():
                continue
            try:
                doc = loads_json(raw.decode("utf-8"))
                _check_document(doc)
            except UnicodeDecodeError as err:
                yield ReadError(where, f"not UTF-8 text ({err.reason})")
            except json.JSONDecodeError as err:
                yield ReadError(where, f"not valid JSON ({err.msg})")
            except ValueError as err:
                yield ReadError(where, str(err))
            else:
                yield doc


def _check_document(doc: Any) -> None:
    """Raise ``ValueError`` saying what keeps ``doc`` from being scored."""
    if not isinstance(doc, dict):
        raise ValueError("not an object with text and toponyms")
    text = doc.get("text")
    if not isinstance(text, str):
        raise ValueError("no string field 'text'")
    for key in ("toponyms", "unscored"):
        if not isinstance(doc.get(key, []), list):
            raise ValueError(f"{key!r} is not a list")
    if "toponyms" not in doc:
        raise ValueError("no field 'toponyms'")
    demonym_convention(doc)
    for key, label in (("toponyms", "toponym"), ("unscored", "unscored span")):
        for i, g in enumerate(doc.get(key, []), 1):
            try:
                if not isinstance(g, dict):
                    raise ValueError("not an object")
                needed = ("start", "end", "lat", "lon") if key == "toponyms" else ("start", "end")
                for k in needed:
                    if k not in g:
                        raise ValueError(f"no {k!r}")
                g["start"], g["end"] = check_span(g["start"], g["end"], len(text))
                if key == "toponyms":
                    if g["end"] - g["start"] > MAX_SPAN_CHARS:
                        # (as extract --spans: resolving spans from each character to the
                        # text's end took time as the square of the text)
                        raise ValueError(
                            f"{g['end'] - g['start']:,} characters, longer than a place's "
                            f"name can be ({MAX_SPAN_CHARS})"
                        )
                    _check_coordinates(g["lat"], g["lon"])
                    gid = g.get("geonameid")
                    if gid is not None and (
                        isinstance(gid, bool) or not isinstance(gid, int) or not 0 < gid < 2**63
                    ):
                        raise ValueError(f"geonameid is not a GeoNames id ({str(gid)[:40]})")
            except ValueError as err:
                raise ValueError(f"{label} {i}: {err}") from None


def _check_coordinates(lat: Any, lon: Any) -> None:
    for key, value, bound in (("lat", lat, 90), ("lon", lon, 180)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{key} is not a number ({value!r})")
        if not -bound <= value <= bound:
            raise ValueError(f"{key} {value} is out of range")


def demonym_convention(doc: dict[str, Any], override: str | None = None) -> str:
    """How a document scores demonym predictions: ``override`` when given, else its
    own ``demonyms`` field, else "count"; ``ValueError`` for an unknown convention."""
    convention = override or doc.get("demonyms", "count")
    if convention not in DEMONYM_CONVENTIONS:
        raise ValueError(
            f"demonyms must be one of {', '.join(DEMONYM_CONVENTIONS)}, not {convention!r}"
        )
    return str(convention)


@dataclass
class _Tally:
    errors: list[float] = field(default_factory=list)
    id_hits: int = 0
    id_total: int = 0

    def add(self, err: float, gold_id: int | None, pred_id: int | None) -> None:
        self.errors.append(err)
        if gold_id:
            self.id_total += 1
            self.id_hits += int(pred_id == gold_id)

    def summary(self) -> dict[str, float]:
        e = self.errors
        if not e:
            return {"n": 0}
        return {
            "n": len(e),
            "acc161": sum(x <= 161 for x in e) / len(e),
            "median_km": statistics.median(e),
            "mean_km": statistics.fmean(e),
            "auc": statistics.fmean(math.log(1 + x) / math.log(1 + MAX_ERROR_KM) for x in e),
            "geonameid_agreement": self.id_hits / self.id_total if self.id_total else float("nan"),
        }


def evaluate(
    geoparser: Geoparser,
    corpus: Path,
    *,
    mode: str = "resolve",
    limit: int | None = None,
    misses_csv: Path | None = None,
    on_error: Callable[[ReadError], None] | None = None,
    demonyms: str | None = None,
) -> dict[str, Any]:
    """Score ``geoparser`` on a corpus; ``mode`` is "resolve" (gold spans) or "end2end".
    ``demonyms`` ("count" or "ignore") overrides the convention the records declare.

    A document that cannot be scored (a span past its text, a toponym without
    coordinates, broken JSON) is skipped, passed to ``on_error`` and counted as
    ``skipped``; the others are scored."""
    if mode not in ("resolve", "end2end"):
        raise ValueError("mode must be 'resolve' or 'end2end'")
    if demonyms is not None:
        demonym_convention({}, demonyms)
    conventions: set[str] = set()
    set_aside = 0
    total = _Tally()
    by_class: dict[str, _Tally] = defaultdict(_Tally)
    tp = fp = fn = 0
    misses: list[tuple[float, str, str, str, str, str]] = []
    docs = skipped = 0
    for doc in read_corpus(corpus):
        if limit is not None and docs + skipped >= limit:
            break
        if isinstance(doc, ReadError):
            skipped += 1
            if on_error is not None:
                on_error(doc)
            continue
        docs += 1
        text = doc["text"]
        gold = doc["toponyms"]
        if mode == "resolve":
            mentions = geoparser.resolve(text, [(g["start"], g["end"]) for g in gold])
        else:
            mentions = geoparser.geoparse(text)
        pred = {(m.start, m.end): m for m in mentions}
        gold_spans = {(g["start"], g["end"]) for g in gold}
        unscored = {(u["start"], u["end"]) for u in doc.get("unscored", [])}
        convention = demonym_convention(doc, demonyms)
        conventions.add(convention)
        if convention == "ignore":
            aside = {k for k, m in pred.items() if m.kind == "demonym"} - gold_spans - unscored
            set_aside += len(aside)
            unscored |= aside
        if mode == "end2end":
            tp += len(gold_spans & pred.keys())
            fn += len(gold_spans - pred.keys())
            fp += len(pred.keys() - gold_spans - unscored)
        for g in gold:
            m = pred.get((g["start"], g["end"]))
            place = m.place if m is not None else None
            err = (
                haversine_km(g["lat"], g["lon"], place.lat, place.lon)
                if place is not None
                else MAX_ERROR_KM
            )
            gid = g.get("geonameid")
            pred_id = place.geonames_id if place is not None else None
            total.add(err, gid, pred_id)
            gold_place = geoparser.gazetteer.place(gid) if gid else None
            cls = gold_place.feature_class if gold_place is not None else "not in gazetteer"
            by_class[cls].add(err, gid, pred_id)
            if err > 161:
                misses.append(
                    (
                        round(err, 1),
                        str(doc.get("id", "")),
                        str(g.get("name", "")),
                        f"{gid or ''} {g['lat']:.3f},{g['lon']:.3f}",
                        f"{pred_id or ''} {place.name} {place.kind} {place.country_code}"
                        if place is not None
                        else "(none)",
                        m.reason if m is not None else "not recognised",
                    )
                )
    result: dict[str, Any] = {
        "corpus": str(corpus),
        "mode": mode,
        "documents": docs,
        "skipped": skipped,
        "demonyms": "/".join(sorted(conventions)) or (demonyms or "count"),
        "demonyms_set_aside": set_aside,
    }
    result.update(total.summary())
    if mode == "end2end":
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        result.update(precision=p, recall=r, f1=2 * p * r / (p + r) if p + r else 0.0)
    result["by_feature_class"] = {k: v.summary() for k, v in sorted(by_class.items())}
    if misses_csv is not None:
        misses.sort(key=lambda x: -x[0])
        with output_errors(misses_csv), atomic_text_writer(misses_csv) as fh:
            # (quoting a lone CR as every CSV of placemap's does: a gold name "x\r@SUM(..)"
            # made a row of its own that opened with a formula)
            w = csv_writer(fh)
            w.writerow(["error_km", "doc", "name", "gold", "predicted", "reason"])
            w.writerows([spreadsheet_safe(v) for v in row] for row in misses)
    return result


def format_report(r: dict[str, Any]) -> str:
    skipped = f", {r['skipped']} skipped as unreadable" if r.get("skipped") else ""
    lines = [
        f"{r['corpus']} ({r['mode']}, {r['documents']} documents{skipped}, "
        f"{r.get('n', 0)} toponyms)"
    ]
    if r.get("demonyms_set_aside"):
        lines.append(f"  demonyms     {r['demonyms_set_aside']} predictions set aside (not scored)")
    if "f1" in r:
        lines.append(
            f"  recognition  P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}"
        )
    if r.get("n"):
        lines.append(
            f"  resolution   acc@161 {r['acc161']:.3f}  median {r['median_km']:.0f} km  "
            f"mean {r['mean_km']:.0f} km  AUC {r['auc']:.3f}  "
            f"geonameid {r['geonameid_agreement']:.3f}"
        )
    for cls, s in r.get("by_feature_class", {}).items():
        if s.get("n"):
            lines.append(
                f"    {cls:<17} n={s['n']:<6} acc@161 {s['acc161']:.3f}  "
                f"median {s['median_km']:.0f} km  geonameid {s['geonameid_agreement']:.3f}"
            )
    return "\n".join(lines)
