"""``doudi calendar``: due dates on the official working-day calendar, with --explain."""

from __future__ import annotations

import os
from datetime import date

import click

from engine.cli import cli
from engine.cli.options import (
    ISO_DATE,
    db_option,
    echo,
    echo_json,
    emit,
    format_option,
    read_db_path,
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
@db_option(only_with="--county")
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

    cal = get_registry().calendar(province, county)
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
