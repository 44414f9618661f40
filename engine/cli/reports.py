"""``doudi report``: breaches and deadlines at risk, as of any date."""

from __future__ import annotations

from datetime import date

import click

from engine.cli import cli
from engine.cli.cases import open_engine
from engine.cli.options import ISO_DATE, db_option, emit, format_option

COLUMNS = ["case_id", "province", "county", "rule", "title", "status", "due_on",
           "overdue_working_days", "basis", "provisional"]


def report_filters(func):
    for option in reversed([
        click.option("--as-of", "as_of", type=ISO_DATE, default=lambda: date.today().isoformat(),
                     show_default="today", help="Judge deadlines as they stood on this date."),
        click.option("--province", help="Only this province."),
        click.option("--workflow", help="Only this workflow (dibao, benefit)."),
        click.option("--county", help="Only this county."),
    ]):
        func = option(func)
    return func


@cli.group()
def report() -> None:
    """Compliance reports: which statutory deadlines are broken or about to be."""


@report.command()
@report_filters
@click.option("--include-late", is_flag=True, help="Also list deadlines met, but late.")
@format_option("table", "csv", "json")
@db_option
def breaches(as_of, province, workflow, county, include_late, fmt, db_path) -> None:
    """Deadlines past their due date on --as-of, most overdue first, each with its clause.

    A report for a past date gives what it would have given on that date: events recorded
    after it are not taken into account.
    """
    engine = open_engine(db_path)
    rows = [b.to_json() for b in engine.breaches(as_of, province, workflow, county, include_late)]
    emit(rows, fmt, COLUMNS)


@report.command("at-risk")
@report_filters
@click.option("--within", default=3, show_default=True, type=click.IntRange(min=0),
              help="Warning window: due on --as-of or within this many working days.")
@format_option("table", "csv", "json")
@db_option
def at_risk(as_of, province, workflow, county, within, fmt, db_path) -> None:
    """Running deadlines due on --as-of or within the next --within working days."""
    engine = open_engine(db_path)
    rows = [b.to_json() for b in engine.at_risk(as_of, within, province, workflow, county)]
    emit(rows, fmt, COLUMNS)
