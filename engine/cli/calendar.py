"""``doudi calendar``: due dates on the official working-day calendar, with --explain."""

from __future__ import annotations

import os
import sys
from datetime import date

import click

from engine import arguments
from engine.cli import cli, recorded
from engine.cli.options import (
    ISO_DATE,
    actor_option,
    counted,
    db_option,
    echo,
    echo_json,
    emit,
    format_option,
    one_line,
    read_db_path,
    row_id,
)
from engine.errors import DoudiError, OutsideCalendar


@cli.group()
def calendar() -> None:
    """Working days and legal periods on the official Chinese calendar."""


@calendar.command()
@click.argument("start", type=ISO_DATE)
@click.argument("duration")
@click.option("--province", help="Province code: apply its local calendar overlays.")
@click.option("--county", help="County: apply its local overlays too (with --province).")
@format_option("table", "csv", "json")
@click.option("--explain", "show_explain", is_flag=True, help="Show the day-by-day derivation.")
@db_option(only_with="--county, or where it exists: its calendar years")
def due(
    start: date,
    duration: str,
    province: str | None,
    county: str | None,
    fmt: str,
    show_explain: bool,
    db_path: str,
) -> None:
    """Due date of DURATION counted from START.

    DURATION is a count and a unit: 30wd (working days), 7d (calendar days), 3m (months),
    1cm / 1cq (calendar months / quarters: "每月一次", "每季度一次"). The start day is not
    counted (民法典第201条); a month period ends on the corresponding day, or the month's last
    day (第202条); 1cq ends on the last day of the quarter after START's. A period other than
    working days whose last day is not a working day ends on the next working day (第203条).
    """
    from engine.periods import due_date, explain
    from engine.registry import get_registry

    if show_explain and fmt == "csv":
        raise click.UsageError("--explain gives lines of text: use --format table or json")

    engine = _engine_if_any(db_path, county)
    try:
        # (the database's calendar: the years it holds too, `calendar add`)
        cal = get_registry().calendar(province, county) if engine is None else \
            engine.calendar(province, county)
    finally:
        if engine is not None:
            engine.close()
    try:
        result = due_date(cal, start, duration)
        lines = explain(cal, start, duration) if show_explain else []
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, DoudiError):
            raise
        # A count so large the date arithmetic itself fails (year past 9999; engine/periods.py
        # due_date and add_months do not catch it): outside the calendar like any other.
        raise OutsideCalendar(f"{start.isoformat()} + {duration} falls outside the calendar "
                              f"({exc})") from None
    if county is not None and not any(o.county == county for o in cal.overlays):
        _note_unknown_county(province, county, db_path)
    if fmt == "json":
        payload = result.to_json()
        if show_explain:
            payload["explain"] = lines
        echo_json(payload)
        return
    if fmt == "csv":  # (one row: the JSON's fields, the articles as a JSON list)
        emit([result.to_json()], "csv")
        return
    if show_explain:
        for line in lines:
            echo(line)
        echo(f"依据：{result.basis}")
        return
    flag = "  (provisional)" if result.provisional else ""
    echo(f"{result.due.isoformat()}{flag}")
    echo(f"依据：{result.basis}")


def _note_unknown_county(province: str | None, county: str, db_path: str) -> None:
    """The note of ``workflow show --county`` (a misspelt county silently counted on the
    province's calendar) for a county no calendar overlay names: read from the database if
    there is one (none: no case or setting names it, and none is made)."""
    from engine.cli.cases import note_unknown_county, open_engine

    engine = open_engine(db_path) if os.path.exists(read_db_path(db_path)) else None
    try:
        note_unknown_county(engine, province, county, "the province's calendar is used")
    finally:
        if engine is not None:
            engine.close()


def _engine_if_any(db_path: str, county: str | None):
    """The engine on the database at ``db_path`` if there is one (none is made): `calendar
    due` counts on its calendar, the years it holds included. Without ``county`` a path
    that names no file is left alone, as before the database held years (not refused)."""
    from engine.cli.cases import open_engine

    if county is None and not (db_path.strip() and os.path.isfile(db_path)):
        return None
    return open_engine(db_path) if os.path.exists(read_db_path(db_path)) else None


@calendar.command()
@click.argument("file", type=click.Path(dir_okay=False))
@actor_option
@db_option(creates=True)
def add(file, actor, db_path) -> None:
    """Record in the database the official year records of FILE (- for stdin), for its cases to be
    counted on: [[year]] tables in the format of doudi's own engine/data/calendar_cn.toml
    (a notice published after the doudi release in use, as 2027's in December 2026).

    Each record is checked as doudi's own are. A year doudi ships or the database holds is
    refused unless the record is the same (then nothing is written: adding a file again is
    harmless); so are a notice dated after today or before the year before its own, a notice
    number another year has, a year after one with no record yet, and a record leaving a
    statutory day off (放假办法第二条: 国庆节 left out) a working day. The deadlines running
    keep their dates until `doudi recompute` re-derives them.
    """
    from engine.calendar_years import read_data
    from engine.cli.cases import no_database_left_on_failure, open_engine
    from engine.db_files import remove_unused

    given = None
    if file == "-":  # (stdin, as import - and --data - read it; read before a database is made)
        if sys.stdin is None:  # (started with it closed: <&-)
            raise click.BadParameter("stdin is closed: nothing to read (give the file, or pipe "
                                     "it in)", param_hint="FILE")
        given = read_data(arguments.read_whole(sys.stdin.buffer, "<stdin>"), "<stdin>")
    with no_database_left_on_failure(db_path) as existed:
        engine = open_engine(db_path, create=True)
        result = engine.add_calendar_years(file, actor=actor) if given is None else \
            engine._add_calendar_records(given, "<stdin>", arguments.actor(actor))
    if not result.recorded and not existed:
        remove_unused(db_path)  # ("nothing written": nor a database made for nothing)
    for year in result.already:
        where = "in doudi's packaged calendar" if year.id is None else (
            f"stored as calendar year #{year.id} on {year.recorded_at}")
        echo(f"{year.year} ({year.record.notice}): already {where}, the same; nothing written")
    if result.recorded:
        recorded("the calendar years are recorded")
    for year in result.recorded:
        echo(f"{year.year} ({year.record.notice}): recorded as calendar year #{year.id}")
    if not result.recorded:
        return
    running, cases = engine.store.provisional_running()
    if running:
        click.echo(f"note: {counted(running, 'provisional deadline')} running in "
                   f"{counted(cases, 'case')} were counted on the projection of a year without "
                   "its notice and keep those dates until `doudi recompute` re-derives them "
                   "on the calendar now stored", err=True)


@calendar.command()
@click.argument("year_id", metavar="ID")
@click.option("--basis", required=True, callback=one_line,
              help="The document or record that decided to set it aside.")
@actor_option
@db_option
def void(year_id, basis, actor, db_path) -> None:
    """Set aside the calendar year record ID (its id: 1 or #1, as `calendar years` and audit
    verify name it) stored by `calendar add`, recorded wrongly or no longer fitting its hash.
    The row stays stored, as evidence; its year is counted as before it was added (projected,
    or doudi's packaged record), and the corrected record is added with `calendar add`. A
    later year stored after it is set aside first. The deadlines running keep their dates
    until `doudi recompute` re-derives them."""
    from engine.calendar_years import no_year_numbered
    from engine.cli.cases import open_engine

    number = row_id(year_id, "calendar year id", 1, "ID", no_year_numbered)
    engine = open_engine(db_path)
    row = engine.void_calendar_year(number, basis, actor=actor)
    recorded("the set-aside is recorded")
    echo(f"calendar year #{row['calendar_year']}: set aside ({basis}), kept as evidence")
    click.echo("note: the deadlines running keep the dates they were counted with until "
               "`doudi recompute` re-derives them on the calendar now stored", err=True)


@calendar.command()
@format_option("table", "csv", "json")
@db_option
def years(fmt, db_path) -> None:
    """The years of the official calendar the database's cases are counted on, with where
    each record comes from: packaged (doudi's data) or database (`calendar add`: its id,
    who recorded it and when)."""
    from engine.cli.cases import open_engine

    engine = open_engine(db_path)
    rows = [y.to_json() for y in engine.calendar_years()]
    emit(rows, fmt, ["year", "notice", "published", "source", "id", "actor", "recorded_at",
                     "title"])
