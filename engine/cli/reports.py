"""``doudi report``: breaches and deadlines at risk, as of any date."""

from __future__ import annotations

import contextlib

import click

from engine.cli import cli
from engine.cli.cases import open_engine
from engine.cli.options import (
    ISO_DATE,
    WORKING_DAYS,
    WholeNumber,
    db_option,
    emit,
    format_option,
    on_a_terminal,
    stepped_progress,
    today_option,
)

COLUMNS = ["case_id", "province", "workflow", "county", "rule", "title", "severity", "status",
           "due_on", "overdue_working_days", "basis", "provisional"]


def emit_report(engine, rows, fmt: str, columns: list[str], county: str | None,
                province: str | None) -> None:
    """The rows, and on stderr a note when --county names no case (of --province, where it
    is given): an empty report for a misspelt county would read as "nothing wrong there",
    and a county of the same name in another province does not make it right."""
    emit(rows, fmt, columns)
    if county is not None and not rows and not engine.store.has_county(county, province):
        of = "" if province is None else f" of {province}"
        click.echo(f"note: no case{of} names county {county!r}; check the spelling", err=True)


def with_progress(make, label: str = "Reading the deadlines"):
    """``make(progress)``'s result (a report's :class:`~engine.reports.SortedRows`, the 公布),
    with a progress bar over the rows it reads, drawn on a terminal only (elsewhere they are
    not counted first): --include-late at a million cases reads half a million stored
    deadlines, about 20 s; the 公布 of 13,334 households about 3 s."""
    stack, steps = contextlib.ExitStack(), None

    def told(read: int, total: int) -> None:
        # (drawn again every 1/500th of the rows, not at each case: InSteps)
        nonlocal steps
        if steps is None:
            steps = stack.enter_context(stepped_progress(total, label))
        steps(read)

    with stack:  # (the bar finished before the report is written out)
        return make(told if on_a_terminal() else None)


def report_filters(func):
    for option in reversed([
        today_option("--as-of", "as_of", help="Judge deadlines as they stood on this date."),
        click.option("--province", help="Only this province."),
        click.option("--workflow", help="Only this workflow (dibao, benefit, marginal, "
                                        "temporary, monitoring)."),
        click.option("--county", help="Only this county."),
    ]):
        func = option(func)
    return func


def by_place(func):
    """--province, --county, --format table|csv|json and --db: a report of cases as they stand."""
    for option in reversed([
        click.option("--province", help="Only this province."),
        click.option("--county", help="Only this county."),
        format_option("table", "csv", "json"),
        db_option,
    ]):
        func = option(func)
    return func


@cli.group()
def report() -> None:
    """Compliance reports: which statutory deadlines are broken or about to be."""


@report.command()
@report_filters
@click.option("--include-late", is_flag=True,
              help="Also list deadlines met, but late, and those left undone when their case "
                   "closed (unmet).")
@format_option("table", "csv", "json")
@db_option
def breaches(as_of, province, workflow, county, include_late, fmt, db_path) -> None:
    """Deadlines past their due date on --as-of, most overdue first, each with its clause.

    A report for a past date judges the cases by the events dated on or before it (by
    business date, whenever they were recorded): an event dated later is left out.

    \b
    Example:
      doudi report breaches --province P --county 甲县
      doudi report breaches --as-of 2026-06-30 --include-late --format csv > breaches.csv
    """
    engine = open_engine(db_path)
    with with_progress(lambda progress: engine.breach_rows(
            as_of, province, workflow, county, include_late, progress=progress)) as rows:
        emit_report(engine, rows, fmt, COLUMNS, county, province)


@report.command("at-risk")
@report_filters
@click.option("--within", default=3, show_default=True, type=WholeNumber(WORKING_DAYS, min=0),
              help="Warning window: due on --as-of or within this many working days.")
@format_option("table", "csv", "json")
@db_option
def at_risk(as_of, province, workflow, county, within, fmt, db_path) -> None:
    """Running deadlines due on --as-of or within the next --within working days, soonest
    due first."""
    engine = open_engine(db_path)
    with with_progress(lambda progress: engine.at_risk_rows(
            as_of, within, province, workflow, county, progress=progress)) as rows:
        emit_report(engine, rows, fmt, COLUMNS, county, province)


SANCTION_COLUMNS = ["on", "case_id", "province", "county", "workflow", "kind", "amount", "basis",
                    "note"]


@report.command()
@click.option("--kind", type=click.Choice(["criticism", "stop", "repayment", "legal_referral"]),
              help="Only this kind of sanction.")
@click.option("--since", type=ISO_DATE, help="From this date (inclusive).")
@click.option("--until", type=ISO_DATE, help="To this date (inclusive).")
@by_place
def sanctions(province, county, kind, since, until, fmt, db_path) -> None:
    """Credit sanctions (批评教育, 停保, 责令退回, 移送追责), each with its clause, oldest first.

    Each is listed in the county its case was in when the sanction was decided (a case moved
    since is counted where it was)."""
    engine = open_engine(db_path)
    emit_report(engine, engine.sanctions(province, county, kind, since, until), fmt,
                SANCTION_COLUMNS, county, province)


# (every field of the JSON rows: the CSV is the same report)
EXCEPTION_COLUMNS = ["case_id", "province", "county", "state", "route", "title", "basis",
                     "archive_class", "decision", "meeting_on", "participants", "reasons"]


@report.command()
@by_place
def exceptions(province, county, fmt, db_path) -> None:
    """Cases routed outside the ordinary rules (一事一议, 发点球, 支出型, 边缘), with the clause."""
    engine = open_engine(db_path)
    emit_report(engine, engine.exceptions(province, county), fmt, EXCEPTION_COLUMNS, county,
                province)


STATION_COLUMNS = ["province", "county", "village", "households", "recipients", "threshold",
                   "basis"]


@report.command()
@by_place
def stations(province, county, fmt, db_path) -> None:
    """Villages (communities) with more 低保 recipients than the province's number for a
    social assistance service station (社会救助服务站（点）), as the benefit cases stand today;
    the basis column names the clause. Provinces that set no such number list nothing.

    Recipients are the household sizes of the benefit cases in payment, grouped by their
    `village` (a phase-out run out by today has ended, recorded or not); a case without a
    village (or with a blank one) is not counted, one without a household size counts as one
    person.
    """
    engine = open_engine(db_path)
    emit_report(engine, engine.service_stations(province, county), fmt, STATION_COLUMNS, county,
                province)


UNPUBLISHED_COLUMNS = ["case_id", "province", "county", "approved_on", "days", "basis",
                       "review"]


@report.command()
@today_option("--as-of", "as_of", help="Judge the cases by the events dated on or before "
                                       "this date.")
@by_place
def unpublished(as_of, province, county, fmt, db_path) -> None:
    """Confirmed (确认同意) 低保 cases whose 公布 is not recorded by --as-of, oldest first:
    "低保审核确认完毕后…应当…公布" (民发〔2021〕57号 第24条).

    Only households still receiving 低保 on --as-of (their benefit case not stopped, left or
    ended by then), each under the county whose 公布 of that date lists it, as notice
    publication does: the one its benefit case was moved to, where it was (--county selects
    by it). days counts the calendar days from the confirmation to --as-of. review names the province's clause
    on what leaving it undone costs the office (e.g. 年度绩效考核中加大扣分比重), where it
    has one. Record the 公布 with: doudi case fire ID publish --on DATE.
    """
    engine = open_engine(db_path)
    with with_progress(lambda progress: engine.unpublished_rows(province, county, as_of, progress),
                       "Reading the cases") as rows:
        emit_report(engine, rows, fmt, UNPUBLISHED_COLUMNS, county, province)
