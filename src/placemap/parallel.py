"""Running the geoparser over many reports: one process, N processes, or a Dask cluster.

A :class:`Settings` value says which gazetteer and options to use; every worker process
opens its own :class:`~placemap.pipeline.Geoparser` from it once (an SQLite index is not
shipped to workers, only its path) and keeps it for every task it runs.

- :func:`run_tasks` streams :class:`Task` results in input order, in this process or in a
  :class:`concurrent.futures.ProcessPoolExecutor`, with a bounded number of tasks in
  flight, so memory stays flat however long the input is.
- :func:`run_dask` runs the same work as a Dask job over partitions of JSON Lines or
  Parquet input and writes Parquet partitions (see :mod:`placemap.dask_engine`).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import lru_cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from placemap.errors import GazetteerError, WorkerError
from placemap.records import Report, tally

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from placemap.pipeline import Geoparser

__all__ = ["Settings", "Task", "Result", "run_tasks", "geoparser_for", "jsonl_encoded"]


@dataclass(frozen=True)
class Settings:
    """What a worker needs to build its geoparser: picklable, no open handles."""

    gazetteer: str | None = None
    overlays: tuple[str, ...] = ()
    demonyms: bool = True
    ner: str = "none"
    spacy_model: str = "en_core_web_sm"
    #: The index was opened and checked by the process that made these settings (see
    #: :meth:`resolved`): workers do not check it again, nor warn again that it is stale.
    checked: bool = False

    def resolved(self) -> Settings:
        """The same settings with the index path fixed in this process, so that workers
        open the very file the parent checked (and never build one themselves). The
        index is checked here: a missing or damaged one is one error before any work."""
        from placemap.gazetteer import open_gazetteer

        gaz = open_gazetteer(self.gazetteer, overlays=())
        gaz.check()
        gaz.close()
        return replace(self, gazetteer=str(gaz.path), checked=True)


@dataclass(frozen=True)
class Task:
    """One report to geoparse; with ``spans``, resolve those spans instead of finding
    places."""

    report: Report
    spans: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True)
class Result:
    """A processed report, or the error that stopped it (the report keeps its input);
    ``encoded`` is what the ``encode`` function of :func:`run_tasks` made of it."""

    report: Report
    error: str | None = None
    encoded: Any = None


@lru_cache(maxsize=4)
def geoparser_for(settings: Settings) -> Geoparser:
    """The geoparser of these settings, opened once per process."""
    from placemap.gazetteer import open_gazetteer
    from placemap.pipeline import Geoparser

    gaz = open_gazetteer(settings.gazetteer, overlays=settings.overlays)
    if settings.checked:
        gaz.check_fingerprint = False
    nlp = None
    if settings.ner == "spacy":
        from placemap.ner import load_spacy

        nlp = load_spacy(settings.spacy_model)
    return Geoparser(gaz, demonyms=settings.demonyms, ner=nlp)


def process(task: Task, settings: Settings) -> Result:
    """Geoparse (or resolve) one report; a bad span list is an error of that report only,
    a damaged gazetteer (:class:`~placemap.errors.GazetteerError`) stops the run."""
    from placemap.readers import completed

    gp = geoparser_for(settings)
    r = task.report
    try:
        r = completed(r)  # (a page read, a title guessed: see Report.pending)
        if task.spans is not None:
            mentions = gp.resolve(r.text, task.spans)
        else:
            mentions = gp.geoparse(r.text)
    except GazetteerError:
        raise  # every report would fail alike
    except ValueError as err:
        return Result(r, str(err))
    except MemoryError:
        # (where the system refuses memory rather than killing the process: ulimit -v,
        # overcommit off) the report is an error of its own, and the others go on
        return Result(r, "out of memory while geoparsing it")
    return Result(replace(r, mentions=tuple(mentions)))


# The gazetteer's caches hold most of a process's objects (about 150,000 after a few
# hundred reports), and Python's cycle collector went through them all again and again
# while reports came and went (7% of an extract's CPU time). Reports make no reference
# cycles worth collecting, so in the processes placemap owns (the command's, and its
# workers: not a caller's, whose old garbage would be kept) every SETTLE_EVERY reports
# what has lived through the young collections is moved out of the collector's sight
# (gc.freeze): a full collection then sees only what came since.
SETTLE_EVERY = 500
_processed = 0


def _settle() -> None:
    global _processed
    if _processed % SETTLE_EVERY == 0:
        gc.collect(1)
        gc.freeze()
    _processed += 1


def jsonl_encoded(report: Report, *, with_text: bool = False) -> tuple[str, Counter[str]]:
    """A report's JSON Lines line and its mention counts (see :func:`~placemap.records.tally`):
    what a worker sends back for ``placemap extract --format jsonl``. It lives here, not in
    the CLI, so that a worker imports no command-line module to run it."""
    from placemap.writers import jsonl_line

    return jsonl_line(report, with_text=with_text), tally(report.mentions)


def _process_chunk(
    tasks: list[Task], settings: Settings, encode: Callable[[Report], Any] | None
) -> list[Result]:
    out = []
    for t in tasks:
        _settle()  # (a worker of placemap's own pool)
        res = process(t, settings)
        if encode is not None and res.error is None:
            # The worker encodes (JSON is as costly as pickling the records back) and
            # sends only what the writer needs.
            res = Result(
                Report(res.report.id, "", source=res.report.source), None, encode(res.report)
            )
        out.append(res)
    return out


def _exit_with_parent(lifeline: Connection) -> None:
    """Worker initializer: end this worker when the process that started the pool is
    gone (killed with SIGKILL, it cannot stop its workers; they would wait for tasks
    forever, and keep the fork server and multiprocessing's resource tracker alive with
    them, and the stderr they share with it open).

    ``lifeline`` is the read end of a pipe whose write end only the main process holds:
    the kernel closes it when that process dies, so the read ends (EOF) at once, even
    while the dead process is a zombie its own parent has not reaped. Watching the
    parent's pid did not do: ``os.kill(pid, 0)`` succeeds on a zombie, so a caller that
    reaps only after reading stderr to its end (``subprocess.run`` after a timeout)
    waited for the workers while they waited for it (red-team F16).
    """

    def watch() -> None:
        try:
            while True:
                lifeline.recv_bytes()  # nothing is ever sent: this returns only at EOF
        except (EOFError, OSError):
            os._exit(1)

    threading.Thread(target=watch, name="placemap-watch-parent", daemon=True).start()


def _mp_context() -> multiprocessing.context.BaseContext:
    # forkserver where there is one: forking a parent that holds SQLite handles or
    # threads is unsafe, and spawn re-imports more than it needs to.
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # The fork server imports the geoparser's modules once (no index is opened at
    # import), so that each worker starts with them loaded instead of importing them.
    ctx.set_forkserver_preload(
        ["placemap.pipeline", "placemap.writers", "placemap.parallel", "placemap.readers"]
    )
    return ctx


def run_tasks(
    tasks: Iterable[Task],
    settings: Settings,
    *,
    workers: int = 1,
    chunk_size: int = 32,
    encode: Callable[[Report], Any] | None = None,
    settle: bool = False,
) -> Iterator[Result]:
    """Results for ``tasks``, in their order, from ``workers`` processes.

    ``settle=True`` says this process is placemap's own (the command's): with one
    worker, it freezes what survives into the collector's permanent generation from
    time to time (see :data:`SETTLE_EVERY`), as worker processes always do.

    With ``encode`` (a module-level function, so that it can be sent to workers), each
    processed report is passed through it in the worker and the result carries the
    outcome as ``encoded`` instead of the full report.

    Chunks of ``chunk_size`` reports (fewer when they are long: :data:`CHUNK_CHARS`) go to
    the workers; at most ``2 * workers`` chunks are in flight, so input is read only as
    fast as it is processed. An exception in the consumer (Ctrl-C, a failed write) cancels
    what has not started.
    """
    workers = usable_workers(workers)
    if workers <= 1:
        for t in tasks:
            if settle:
                _settle()
            res = process(t, settings)
            if encode is not None and res.error is None:
                res = Result(res.report, None, encode(res.report))
            yield res
        return
    settings = settings.resolved()
    ctx = _mp_context()
    # Each worker watches the read end; the write end stays in this process alone (see
    # _exit_with_parent), and is closed once the pool is down.
    lifeline, lifeline_w = ctx.Pipe(duplex=False)
    try:
        yield from _pooled(iter(tasks), settings, ctx, lifeline, workers, chunk_size, encode)
    finally:
        lifeline.close()
        lifeline_w.close()


#: A worker's death (the kernel's out-of-memory killer, say) costs its report: the
#: chunks lost with the pool are run again a report at a time, and the report whose
#: worker dies then is an error of its own. This many deaths in a row stop the run.
DEATHS_IN_A_ROW = 3
WORKER_DIED = "a worker process died while geoparsing it (out of memory?)"


def _pooled(
    it: Iterator[Task],
    settings: Settings,
    ctx: multiprocessing.context.BaseContext,
    lifeline: Connection,
    workers: int,
    chunk_size: int,
    encode: Callable[[Report], Any] | None,
) -> Iterator[Result]:
    """:func:`run_tasks` with a pool of ``workers`` processes, started again when one of
    them dies (see :data:`DEATHS_IN_A_ROW`)."""
    # Chunks in flight, in input order, with their tasks: those of a chunk lost with a
    # broken pool become ``redo``, run one at a time (results of a chunk that was done
    # before the pool broke are kept there as they are).
    redo: deque[Task | list[Result]] = deque()
    deaths = 0
    while True:
        pending: list[tuple[list[Task], Future[list[Result]]]] = []
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=_exit_with_parent,
            initargs=(lifeline,),
        ) as pool:
            try:
                broken = False
                while redo and not broken:
                    item = redo.popleft()
                    if isinstance(item, list):
                        yield from item
                        continue
                    try:
                        results = pool.submit(_process_chunk, [item], settings, encode).result()
                    except BrokenProcessPool:
                        deaths += 1
                        if deaths >= DEATHS_IN_A_ROW:
                            raise WorkerError(_died(deaths, item)) from None
                        results, broken = [Result(item.report, WORKER_DIED)], True
                    else:
                        deaths = 0
                    yield from results
                if broken:
                    continue  # (with a new pool)
                while True:
                    while len(pending) < 2 * workers:
                        chunk = _chunk(it, chunk_size)
                        if not chunk:
                            break
                        pending.append((chunk, _submitted(pool, chunk, settings, encode)))
                    if not pending:
                        return
                    try:
                        results = pending[0][1].result()
                    except BrokenProcessPool:
                        log.warning(
                            "a worker process died (out of memory?): its reports are "
                            "geoparsed again, one at a time"
                        )
                        break
                    pending.pop(0)
                    yield from results
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        for chunk, future in pending:
            done = future.done() and not future.cancelled() and future.exception() is None
            if done:
                redo.append(future.result())
            else:
                redo.extend(chunk)


#: A chunk ends when its reports hold this many characters: a chunk of 32 saved web pages
#: (about 40 kB of HTML each, read in the worker) took a second, and the last chunks of a
#: folder of pages kept one worker busy while the other waited (190 pages: x1.57).
CHUNK_CHARS = 200_000


def _chunk(it: Iterator[Task], size: int) -> list[Task]:
    """The next tasks of ``it``: ``size`` of them, or as many as hold :data:`CHUNK_CHARS`
    characters of text (one at least)."""
    chunk: list[Task] = []
    chars = 0
    for task in it:
        chunk.append(task)
        chars += len(task.report.text)
        if len(chunk) >= size or chars >= CHUNK_CHARS:
            break
    return chunk


def _submitted(
    pool: ProcessPoolExecutor,
    chunk: list[Task],
    settings: Settings,
    encode: Callable[[Report], Any] | None,
) -> Future[list[Result]]:
    """The chunk's future; a failed one when the pool is already broken (a worker died
    since the last chunk was handed out), whose tasks are then run again."""
    try:
        return pool.submit(_process_chunk, chunk, settings, encode)
    except BrokenProcessPool as err:
        failed: Future[list[Result]] = Future()
        failed.set_exception(err)
        return failed


def _died(deaths: int, task: Task) -> str:
    return (
        f"{deaths} worker processes died in a row, the last while geoparsing "
        f"{task.report.source} (out of memory?); stopped"
    )


def usable_workers(workers: int) -> int:
    """``workers``, or the CPUs this process may use when it asks for more: each worker
    holds a geoparser (about 150 MB), and geoparsing gains nothing past one per CPU
    (``--workers 1000`` would start 1,000 of them and exhaust the memory)."""
    cpus = default_workers()
    if workers > cpus:
        log.warning(
            "--workers %d: more CPUs than placemap may use here (%d); using %d", workers, cpus, cpus
        )
        return cpus
    return workers


def default_workers() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parquet_inputs(paths: Iterable[Path]) -> bool:
    """Whether every input is Parquet (else the Dask engine reads JSON Lines)."""
    return all(p.suffix.lower() in (".parquet", ".pq") for p in paths)
