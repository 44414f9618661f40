"""``doudi parameter``: the values a county sets for itself, with the document behind each."""

from __future__ import annotations

import json

import click

from engine.arguments import no_setting_numbered
from engine.cli import cli, recorded
from engine.cli.cases import (
    names_county,
    no_database_left_on_failure,
    note_unknown_county,
    open_engine,
    parse_value,
)
from engine.cli.options import (
    actor_option,
    as_text,
    db_option,
    echo,
    emit,
    format_option,
    given,
    one_line,
    row_id,
    today_option,
)

COLUMNS = ["province", "county", "workflow", "name", "value", "citation", "on", "actor",
           "recorded_at"]


@cli.group()
def parameter() -> None:
    """A county's own parameters: step deadlines, delegation, publicity channels and more.

    The provincial notices leave some values to the locality; `doudi workflow show NAME
    --province P --format json` marks them "local": true. A county's setting applies
    on top of its province's to the county's cases, and is kept in the database with its
    basis. Run `doudi recompute` afterwards to re-derive the deadlines already running.
    """


def _place_options(func):
    for option in reversed([
        click.option("--province", required=True, help="Province code (see: doudi provinces)."),
        click.option("--county", required=True, help="The county (the cases' county attribute)."),
        click.option("--workflow", default="dibao", show_default=True, help="Workflow name."),
        click.option("--basis", required=True, callback=one_line,
                     help="The document and clause that decided it (e.g. 甲县民政局〔2026〕3号 二)."),
        today_option("--on", "on", help="Date it applies from: the county's events dated "
                     "then or later (the date decided, or a later date it comes into force)."),
        actor_option,
    ]):
        func = option(func)
    return func


@parameter.command("set")
@click.argument("name")
@click.argument("value")
@_place_options
@db_option(creates=True)
def set_(name, value, province, county, workflow, basis, on, actor, db_path) -> None:
    """Set the county's own VALUE of parameter NAME (see: doudi workflow show dibao
    --province P --format json, the parameters marked "local": true).

    VALUE is typed like --set: 2wd, always, true, 0.6, ["村（社区）", "网上"]. It must be of
    the same kind as the province's value.
    """
    with no_database_left_on_failure(db_path):
        engine = open_engine(db_path, create=True)
        named = names_county(engine, province, county)
        settings = engine.store.count_local_settings()
        setting = engine.set_parameter(province, county, name, parse_value(value), basis, on,
                                       workflow=workflow, actor=actor)
    shown = (f"{county} ({province}) {workflow} {name} = "
             f"{json.dumps(setting.value, ensure_ascii=False)} ({setting.citation})")
    if engine.store.count_local_settings() == settings:
        # The same value and basis as the setting recorded last for that day: it would
        # change nothing, and is not recorded twice.
        echo(f"{shown}: already recorded for {setting.on.isoformat()} (at "
             f"{setting.recorded_at}); nothing written")
        return
    recorded("the setting is recorded")
    echo(shown)
    _note_recompute(engine, province, county, workflow, name)
    if not named:  # (a misspelt county: its cases would go on with the province's value)
        click.echo(f"note: no case or other setting names county {county!r} in {province}; "
                   "recorded all the same, for its cases to come: check the spelling", err=True)


@parameter.command()
@click.argument("name")
@_place_options
@db_option
def unset(name, province, county, workflow, basis, on, actor, db_path) -> None:
    """Return parameter NAME of the county to its province's value."""
    engine = open_engine(db_path)
    engine.set_parameter(province, county, name, None, basis, on, workflow=workflow,
                         actor=actor)
    recorded("the removal is recorded")
    echo(f"{county} ({province}) {workflow} {name}: the province's value again")
    _note_recompute(engine, province, county, workflow, name)


def _note_recompute(engine, province: str, county: str, workflow: str, name: str) -> None:
    """A note on stderr when the county has deadlines running and NAME is one their dates are
    worked out from: a setting does not move them by itself, and an event fired before a
    recompute is judged by the dates they have. (A channel or a share moves none: no note.)"""
    if name not in engine.workflow(province, workflow).dating_parameters:
        return
    running, cases = engine.store.running_deadlines(province, county, workflow)
    if running:
        click.echo(f"note: {running} deadline{'s' * (running != 1)} running in {cases} "
                   f"case{'s' * (cases != 1)} of {county} keep the dates they were worked out "
                   "with until `doudi recompute` re-derives them", err=True)


@parameter.command()
@click.argument("setting")
@click.option("--basis", required=True, callback=one_line,
              help="The document or record that decided to set it aside.")
@actor_option
@db_option
def void(setting, basis, actor, db_path) -> None:
    """Set aside the stored county setting SETTING (its id: 3 or #3, as errors and audit
    verify name it) that cannot be read back: one whose date, place or parameter was changed
    by hand, for which no setting can be recorded, or one altered (no longer fitting its
    hash). The row stays stored, as evidence; record
    what the county decided again with parameter set."""
    number = row_id(setting, "setting id", 3, "SETTING", no_setting_numbered)
    engine = open_engine(db_path)
    engine.void_setting(number, basis, actor=actor)
    recorded("the set-aside is recorded")
    echo(f"county setting #{number}: set aside ({basis}), kept as evidence")


@parameter.command("list")
@click.option("--province", help="Only this province.")
@click.option("--county", help="Only this county.")
@click.option("--history", is_flag=True,
              help="Every setting recorded, removals included, not only those in force.")
@today_option("--as-of", "as_of",
              help="In force on this date (a setting decided for a later date is not yet).")
@format_option("table", "csv", "json")
@db_option
@click.pass_context
def list_(ctx, province, county, history, as_of, fmt, db_path) -> None:
    """The county parameters in force (or, with --history, every setting recorded)."""
    if history and given(ctx, "as_of"):  # (it was ignored: the history lists every date)
        raise click.UsageError("--as-of does not apply to --history, which lists every "
                               "setting recorded, whatever its date")
    engine = open_engine(db_path)
    settings = engine.parameter_settings(province, county, in_force=not history, as_of=as_of)
    rows = [s.to_json() for s in settings]
    if fmt != "json":
        for row in rows:
            row["value"] = "(the province's)" if row["value"] is None else as_text(row["value"])
    emit(rows, fmt, COLUMNS)
    if county is not None and not rows:
        # (as the reports say it: an empty list for a misspelt county reads as "none set")
        note_unknown_county(engine, province, county, used=None)
