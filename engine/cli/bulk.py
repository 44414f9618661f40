"""``doudi import`` and ``doudi recompute``: work on many cases at once, with a progress bar."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections import Counter
from typing import TYPE_CHECKING, TextIO

import click

from engine.cli import _OUTPUT_ERRORS, _drop_stdout, cli, recorded, shortened
from engine.cli.cases import no_database_left_on_failure, open_engine
from engine.cli.options import (
    WholeNumber,
    counted,
    database_error,
    db_option,
    echo_beside,
    emit,
    file_name,
    format_option,
    left_cases,
    on_a_terminal,
    progress_bar,
    say_cases_left,
    stepped_progress,
    stopped_part_way,
    visible,
)
from engine.errors import DoudiError

if TYPE_CHECKING:
    from engine.maintenance import KeptDate, MovedDate


@cli.command("import")
@click.argument("jsonl", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--batch", default=500, show_default=True,
              type=WholeNumber("a number of lines (a whole number, 1 or more)", min=1),
              help="Lines per transaction.")
@click.option("--skip-invalid", is_flag=True,
              help="Skip bad lines (listed on stdout as each batch is written) instead of "
                   "stopping at the first.")
@db_option(creates=True)
def import_(jsonl, batch, skip_invalid, db_path) -> None:
    """Load cases and events from JSONL (one JSON object a line; - for stdin).

    \b
    {"op": "open", "province": "P", "on": "2026-03-02", "id": "C1", "attributes": {...}}
    {"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03", "payload": {...}}

    Every event goes through the same state machine and guards as the API. A bad line stops
    the import with nothing from its batch written (or is skipped with --skip-invalid).
    Re-running the same file adds nothing: each line carries an idempotency key ("key", or
    one made from its content). The file is read a line at a time, whatever its size.
    """
    from engine.importer import ImportStopped, read_lines

    if jsonl == "-" and sys.stdin is None:  # (started with it closed: <&-)
        raise click.UsageError("stdin is closed: nothing to import (give the file, or pipe its "
                               "lines in)")
    shown = bar_shown(jsonl, sys.stderr)
    imported = 0  # lines read up to the end of the last committed batch
    passed_over = 0  # of those, the lines skipped (--skip-invalid): listed, not imported

    def skipped(number: int, message: str) -> None:
        # Listed as they come, not kept: a file with millions of bad lines is no bigger in
        # memory than one with none. (Said as its batch is written: each is before `imported`.)
        nonlocal passed_over
        passed_over += 1
        # (one line, whatever it quotes, and no longer than an error line)
        echo_beside(bar, f"skipped line {number}: {visible(shortened(message))}")

    with no_database_left_on_failure(db_path) as existed, progress_bar(
            count_lines(jsonl) if shown else 0, "Importing", shown) as bar:

        def committed(lines: int) -> None:
            nonlocal imported
            imported += lines
            bar.update(lines)

        engine = open_engine(db_path, create=True)
        options = {"batch": batch, "skip_invalid": skip_invalid, "progress": committed,
                   "on_skip": skipped}
        try:
            if jsonl == "-":
                # (read as a file's lines are: a last line cut short, with no line end, is said
                # to be, and a read that fails names stdin and the line)
                result = engine.import_lines(read_lines(sys.stdin.buffer, file_name(sys.stdin)),
                                             **options)
            else:
                result = engine.import_file(jsonl, **options)
        except KeyboardInterrupt:
            raise DoudiError(f"interrupted: {_kept(imported, passed_over)}") from None
        except OSError as exc:
            if exc.filename or exc.errno not in _OUTPUT_ERRORS:
                raise  # (reading the file failed: the command's handler names it)
            # The list of skipped lines could not be written (| head, a full disk): what was
            # committed stays, and the operator must know the import stopped part-way.
            _drop_stdout()
            raise DoudiError(f"the list of skipped lines could not be written "
                             f"({exc.strerror or exc}): import stopped: "
                             f"{_kept(imported, -1 if skip_invalid else 0)}"
                             ) from None
        except (DoudiError, sqlite3.Error) as exc:
            if isinstance(exc, ImportStopped):  # (it says what was kept)
                raise
            # Another writer holding the database past the wait, a conflict, a full disk: the
            # batches before it stay written, and the operator needs to know it. A page found
            # damaged is said as every command says it, with what is in, but not to run the
            # import again: the file is to be restored first.
            if isinstance(exc, DoudiError):
                stopped = DoudiError(f"{exc} (import stopped: {_kept(imported, passed_over)})")
            elif (said := database_error(exc, engine.store.path)).startswith("database error"):
                stopped = DoudiError(f"{said} (import stopped: {_kept(imported, passed_over)})")
            else:
                stopped = DoudiError(f"{said} (import stopped: {_imported(imported, passed_over)})")
            stopped.exit_code = getattr(exc, "exit_code", 1)
            raise stopped from None
    if not existed and not result.events:
        # Nothing recorded (an empty file, every line skipped): only a command that records
        # makes the database, as a failed first import leaves none.
        from engine.db_files import remove_unused

        remove_unused(db_path)
    click.echo(f"{counted(result.lines, 'line')}: {result.events} written, {result.already} already "
               f"imported, {result.skipped_count} skipped", err=True)


def _kept(imported: int, skipped: int = 0) -> str:
    return (f"{_imported(imported, skipped)}{' yet' if not imported else ''}; run the same import "
            "again to finish (lines already imported are skipped)")


def _imported(imported: int, skipped: int = 0) -> str:
    """Which lines an import stopped part way left in: the first ``imported``, but for the
    ``skipped`` among them (--skip-invalid, each listed on stdout; -1: some, not all listed,
    the list's reader gone)."""
    if imported and skipped >= imported:
        return f"nothing is imported (the {counted(imported, 'line')} read were skipped)"
    but = (", but for the lines skipped" if skipped < 0 else
           f", but for the {'line' if skipped == 1 else f'{skipped} lines'} skipped"
           if skipped else "")
    return ("nothing is imported" if not imported else f"line 1 is imported, in a whole batch{but}"
            if imported == 1 else f"lines 1–{imported} are imported, in whole batches{but}")


def bar_shown(path: str, stream: TextIO | None) -> bool:
    """Whether to draw the import's bar: on a terminal, for a regular file only. The bar
    needs the line count first, a pass over the file: a pipe (``<(...)``, /dev/stdin) read
    to count them would leave nothing to import."""
    return path != "-" and on_a_terminal(stream) and stat.S_ISREG(os.stat(path).st_mode)


def count_lines(path: str) -> int:
    """Lines in a file, for the progress bar: read in blocks, never held whole."""
    count = last = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            count += block.count(b"\n")
            last = block[-1]
    return count + (last not in (0, ord("\n")))


@cli.command()
@format_option("table", "csv", "json")
@db_option
def recompute(fmt, db_path) -> None:
    """Re-derive every open deadline with the current calendar data and parameters.

    Run after adding a year's holiday notice (provisional due dates first), changing a
    province parameter or a county's (`doudi parameter set`), or upgrading doudi. Each case
    whose stored deadlines differ from what its history now gives gets a `recompute` event
    listing the moved due dates and what else differs (a title, a basis); a deadline already
    stopped (met, met late, unmet, cancelled) whose due date would move keeps the date and
    outcome it was judged by, listed in the event as kept, not moved. It prints how many
    dates moved and by how many calendar days (0: a provisional date the notice confirms,
    not counted as moved), how many stopped deadlines were kept as judged, and how many
    cases were recorded with no date moved. They are
    written 500 cases per transaction: if the database fails, the batches before it stay
    written, and the error line says how many; run it again to finish. A case it cannot
    read or re-derive (a row changed outside doudi, its province's plugin not installed)
    is left as it was and the others are written: the summary is printed, then an error
    line says how many were left and names the first (exit 1); `doudi audit verify` lists
    the cases changed outside doudi.
    """
    engine = open_engine(db_path)
    cases = engine.store.count_cases()
    shifts: Counter[int] = Counter()
    last_case, moved_cases, written, stopped_kept = None, 0, 0, 0
    last_kept, kept_cases = None, 0  # (cases with a kept deadline and no moved date)
    left = left_cases()

    def recorded_on(case_id: str) -> None:
        nonlocal written
        written += 1

    def moved(date_moved: MovedDate) -> None:
        # Counted as they come, not kept: a million moved dates cost no more memory than one.
        # A case's moved dates come together, so a new id is a new case.
        # A date that kept its day (a provisional one the new notice confirms) is listed, as
        # 0 days, but did not move: its case is not one whose dates moved.
        nonlocal last_case, moved_cases
        case_id, _, _, old, new = date_moved
        days = (new - old).days
        shifts[days] += 1
        if days and case_id != last_case:
            last_case, moved_cases = case_id, moved_cases + 1

    def kept_as_judged(kept_date: KeptDate) -> None:
        # (a case's come together, after its moved dates: a case recorded for them alone is
        # not one that "differed" otherwise, below)
        nonlocal stopped_kept, last_kept, kept_cases
        stopped_kept += 1
        if kept_date[0] != last_kept:
            last_kept = kept_date[0]
            kept_cases += last_kept != last_case

    with stepped_progress(cases, "Recomputing") as told:
        try:
            engine.recompute(progress=told, on_moved=moved, on_recorded=recorded_on,
                             on_skipped=left, on_kept=kept_as_judged)
        except KeyboardInterrupt:
            if not written:  # (in the first batch: "the recompute events of 0 cases")
                raise DoudiError("interrupted: nothing was recorded") from None
            raise DoudiError(
                f"interrupted: the recompute events of {counted(written, 'case')} are written, "
                "in whole batches; run recompute again to finish") from None
        except (DoudiError, sqlite3.Error) as exc:
            if not written:
                raise  # (nothing was: the error line alone is right)
            raise stopped_part_way(exc, f"recompute stopped: the recompute events of "
                                        f"{counted(written, 'case')} before it are written, "
                                        "in whole batches", "recompute",
                                   engine.store.path) from None
    if written:
        recorded(f"the recompute events of {counted(written, 'case')} are recorded")
    rows = [{"days_moved": days, "due_dates": count} for days, count in sorted(shifts.items())]
    emit(rows, fmt, ["days_moved", "due_dates"])
    # (a case recorded for a difference other than a date, a title renamed by an upgrade, is
    # not one whose dates moved: its recompute event names what differed)
    others = written - moved_cases - kept_cases
    kept = shifts[0]
    also = (f"; {counted(kept, 'due date')} kept {'its' if kept == 1 else 'their'} date (only "
            f"{'its' if kept == 1 else 'their'} provisional mark changed)") if kept else ""
    # (a stopped deadline whose due date the rules now move, kept as it was judged: no moved
    # date, but an operator who changed the calendar data or a setting is told of it)
    also += (f"; {counted(stopped_kept, 'stopped deadline')} kept "
             f"{'its' if stopped_kept == 1 else 'their'} due date and outcome as judged "
             f"({'its recompute event lists it' if stopped_kept == 1 else 'their recompute events list them'}"
             " as kept)") if stopped_kept else ""
    also += (f"; {counted(others, 'case')} recorded with no due date moved "
             f"({'its recompute event lists' if others == 1 else 'their recompute events list'} "
             "what else differed)") if others else ""
    click.echo(f"{counted(shifts.total() - kept, 'due date')} moved in {moved_cases} of "
               f"{counted(cases, 'case')}{also}", err=True)
    say_cases_left(left, "recompute")
