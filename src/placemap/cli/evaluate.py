"""placemap eval: score on a gold corpus."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from placemap.cli.common import (
    EXIT_PARTIAL,
    OutputPath,
    data_files,
    gazetteer_options,
    library_errors,
    make_geoparser,
    ner_options,
    one_line,
    say,
)


@click.command("eval")
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
    type=OutputPath(to_stdout=False, dir_okay=False),
    help="CSV of the worst misses [default: output/misses-CORPUS-MODE.csv].",
)
@click.option(
    "--demonyms",
    type=click.Choice(["count", "ignore"]),
    help="Score demonym predictions ('Syrian') or set aside those matching no gold span "
    "[default: what each record declares in its 'demonyms' field, else count].",
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
    demonyms: str | None,
    ner: str,
    spacy_model: str,
    gazetteer_path: Path | None,
    overlays: tuple[Path, ...],
) -> None:
    """Score placemap on a gold corpus (JSON Lines with text and toponyms).

    A document that cannot be scored (a span past its text, a toponym without
    coordinates) is named on stderr and skipped; the rest are scored (exit 3).

    \b
    Examples:
      placemap eval ../shared/eval/lgl.jsonl --mode resolve
      placemap eval ../shared/eval/geovirus.jsonl --mode end2end --limit 50
      placemap eval ../shared/eval/conflict_headlines.jsonl --mode end2end --demonyms ignore
    """
    from placemap.evaluate import evaluate, format_report
    from placemap.outputs import check_not_an_input, check_output_file

    gp = make_geoparser(gazetteer_path, overlays, ner=ner, spacy_model=spacy_model)
    misses = misses or Path("output") / f"misses-{corpus.stem}-{mode}.csv"
    # --misses gold.jsonl would replace the corpus
    check_not_an_input(misses, (corpus, *data_files(gazetteer_path, overlays)))
    check_output_file(misses)  # a place that cannot be written fails now, not after scoring
    result = evaluate(
        gp,
        corpus,
        mode=mode,
        limit=limit,
        misses_csv=misses,
        demonyms=demonyms,
        on_error=lambda e: say(f"placemap: error: {e}; document skipped"),
    )
    if fmt == "json":
        # A figure with nothing to count (no gold geonameid) is null: NaN is no JSON.
        click.echo(json.dumps(_nulled(result), indent=2, allow_nan=False))
    else:
        for line in format_report(result).splitlines():  # names the corpus file
            click.echo(one_line(line))
        click.echo(one_line(f"worst misses: {misses}"))
    if result["skipped"]:
        sys.exit(EXIT_PARTIAL)




def _nulled(value: Any) -> Any:
    """``value`` with every NaN float in it (in dicts and lists) made None."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _nulled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulled(v) for v in value]
    return value
