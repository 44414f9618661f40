"""``doudi import`` and ``doudi recompute``: work on many cases at once, with a progress bar."""

from __future__ import annotations

import sys
from collections import Counter

import click

from engine.cli import cli
from engine.cli.cases import no_database_left_on_failure, open_engine
from engine.cli.options import db_option, emit, format_option, progress_bar


@cli.command("import")
@click.argument("jsonl", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--batch", default=500, show_default=True, type=click.IntRange(min=1),
              help="Lines per transaction.")
@click.option("--skip-invalid", is_flag=True,
              help="Skip bad lines (listed at the end) instead of stopping at the first.")
@db_option
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
    shown = jsonl != "-" and sys.stderr.isatty()  # counting the lines costs a pass over the file
    with no_database_left_on_failure(db_path), progress_bar(
            count_lines(jsonl) if shown else 0, "Importing", shown) as bar:
        engine = open_engine(db_path, create=True)
        if jsonl == "-":
            result = engine.import_lines(sys.stdin.buffer, batch=batch,
                                         skip_invalid=skip_invalid, progress=bar.update)
        else:
            result = engine.import_file(jsonl, batch=batch, skip_invalid=skip_invalid,
                                        progress=bar.update)
    for number, message in result.skipped:
        click.echo(f"skipped line {number}: {message}")
    click.echo(f"{result.lines} lines: {result.events} written, {result.already} already "
               f"imported, {len(result.skipped)} skipped", err=True)


def count_lines(path: str) -> int:
    """Lines in a file, for the progress bar: read in blocks, never held whole."""
    count = last = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            count += block.count(b"\n")
            last = block[-1]
    return count + (last not in (0, ord("\n")))


@cli.command()
@format_option("table", "json")
@db_option
def recompute(fmt, db_path) -> None:
    """Re-derive every deadline with the current calendar data and parameters.

    Run after adding a year's holiday notice (provisional due dates first) or changing a
    province parameter. Each case whose due dates moved gets a `recompute` event listing
    them; prints how many moved and by how many days. They are written 500 cases per
    transaction: if one fails, the batches before it stay written; run it again to finish.
    """
    engine = open_engine(db_path)
    cases = engine.store.count_cases()
    with progress_bar(cases, "Recomputing") as bar:
        moved = engine.recompute(progress=bar.update)
    shifts = Counter((new - old).days for _, _, _, old, new in moved)
    rows = [{"days_moved": days, "due_dates": count} for days, count in sorted(shifts.items())]
    emit(rows, fmt, ["days_moved", "due_dates"])
    click.echo(f"{len(moved)} due dates moved in {len({m[0] for m in moved})} of {cases} cases",
               err=True)
