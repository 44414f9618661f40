"""``doudi case``: open cases, fire events, show a case as of a date."""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from engine.cli import cli, opened, recorded
from engine.cli.options import (
    ISO_DATE,
    WORKING_DAYS,
    InputFile,
    WholeNumber,
    actor_option,
    attribute_text,
    counted,
    db_option,
    echo,
    echo_beside,
    echo_json,
    emit,
    file_name,
    format_option,
    left_cases,
    load_json,
    not_blank,
    say_cases_left,
    stepped_progress,
    stopped_part_way,
    today_option,
    visible,
)
from engine.clock import china_today
from engine.errors import DoudiError, InvalidInput

if TYPE_CHECKING:
    from engine.maintenance import Recorded


#: A number as written on a command line: ASCII digits, an optional sign, point and exponent.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def parse_value(text: str, name: str = "value") -> Any:
    """``--set`` values: true/false, numbers, JSON lists; anything else stays a string.
    A value in double quotes is always text (``--set 'office_phone="0351…"'``). ``name``:
    the value's, as an error names it (a list nested too deep for Python's json to read)."""
    quoted = _quoted(text)
    if quoted is not None:
        return quoted
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if text.strip().startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            return text
        except RecursionError:  # (about 1,000 levels; from 51 the engine refuses it as below)
            from engine.arguments import DEEPEST_JSON

            raise InvalidInput(f"{name} is nested more than {DEEPEST_JSON} levels deep") from None
    if not _NUMBER.fullmatch(text):  # (Python's int() also reads 1_000, ９００ and " 9 ")
        return text
    for kind in (int, float):
        try:
            number = kind(text)
        except ValueError:
            continue
        # nan, inf, 1e999: no amount or count a case can hold (and not valid JSON); left as
        # text, the attribute's own check names it.
        return number if math.isfinite(number) else text
    return text


def _quoted(text: str) -> str | None:
    """The text inside double quotes (JSON escapes read), or None if it is not quoted."""
    stripped = text.strip()
    if len(stripped) < 2 or not stripped[0] == stripped[-1] == '"':
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def parse_settings(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
                   ) -> dict[str, str]:
    """``--set KEY=VALUE`` as given: typed by :func:`typed` once the workflow is known."""
    settings: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", ctx, param)
        if key.strip() in settings:  # (the last one silently won; import refuses it too)
            raise click.BadParameter(f"{visible(key.strip())} is given twice: give each key "
                                     "once", ctx, param)
        settings[key.strip()] = value
    return settings


def typed(workflow: Any, settings: dict[str, str]) -> dict[str, Any]:
    """The ``--set`` values typed: an attribute the workflow declares as text stays the text
    typed (a phone number 0351…, a name 007 and a village 1e3 were read as numbers and
    printed so on the notices), an attribute declared a whole number as an int when it is
    one (``household_size=3.0`` or ``1e3`` was stored and shown as 3.0 and 1000.0), anything
    else as :func:`parse_value` reads it."""
    def one(key: str, value: str) -> Any:
        kind = getattr(workflow.attributes.get(key), "type", None)
        if kind == "text":
            quoted = _quoted(value)
            return value if quoted is None else quoted
        number = parse_value(value, key)
        if kind == "integer" and isinstance(number, float) and number.is_integer():
            return int(number)
        return number

    return {key: one(key, value) for key, value in settings.items()}


def warn_misspelt(workflow: Any, settings: Mapping[str, Any]) -> None:
    """Once the command succeeded: a ``--set`` key the workflow does not declare but that is
    close to one it does (``delgated`` for ``delegated``) is kept as given, since a platform
    may record data of its own; the operator is told on stderr."""
    import difflib

    for key in settings:
        if key not in workflow.attributes:
            close = difflib.get_close_matches(key, list(workflow.attributes), n=1, cutoff=0.8)
            if close:
                click.echo(f"Warning: {visible(key)} is not an attribute the {workflow.name} workflow "
                           f"reads (did you mean {close[0]}?); it was recorded as given",
                           err=True)


def set_option(func):
    return click.option(
        "--set",
        "settings",
        multiple=True,
        callback=parse_settings,
        metavar="KEY=VALUE",
        help="Attribute or event datum (repeatable): true/false and numbers are typed.",
    )(func)


def data_option(func):
    return click.option(
        "--data", "data_file", type=InputFile("rb"), metavar="FILE",
        help="Event data as a JSON object (- for stdin), its values as JSON gives them: for a "
             "value --set cannot give, such as accept's residence. With --set, each key once.",
    )(func)


#: A JSON value's kind as JSON names it (not Python's: a list is an array).
_JSON_KINDS = {dict: "an object", list: "an array", str: "a string", bool: "true or false",
               int: "a number", float: "a number", type(None): "null"}


def given_data(data_file: Any, settings: dict[str, str]) -> dict[str, Any]:
    """``--data FILE``'s JSON object (``{}`` without it), read as ``case accept`` reads its
    file; a file that holds no object, or a key ``--set`` gives too (one of the two would
    silently win), is a usage error naming the file and the key (a blank name the API
    refuses, as every attribute's name). Read before the database is opened: nothing is written either way."""
    if data_file is None:
        return {}
    name = file_name(data_file)
    data = load_json(data_file)
    if not isinstance(data, dict):
        raise InvalidInput(f"--data {name}: expected an object (the data's names and values), "
                           f"got {_JSON_KINDS.get(type(data), type(data).__name__)}")
    for key in data:
        if key in settings:
            raise InvalidInput(f"{visible(key)} is given twice, by --set and in --data {name}: "
                               "give each key once")
    return data


def open_engine(db_path: str, create: bool = False):
    """The engine on ``db_path``; only commands that record may create the database."""
    from engine.core import Engine
    from engine.errors import UnknownName

    if not create and not os.path.exists(db_path):
        raise UnknownName(f"no database at {db_path} (open a case first, or pass --db)")
    if not create and os.path.isfile(db_path):
        from engine.db_files import check_database

        check_database(db_path, empty_ok=False)  # a command that only reads makes none
    try:
        engine = Engine.open(db_path)
    except sqlite3.Error as exc:
        if isinstance(exc, DoudiError):  # (DiskFull: its own line names the file)
            raise
        raise DoudiError(f"{db_path}: the database cannot be opened ({exc})") from None
    opened(engine)  # (Ctrl-C's line says what its write stored)
    for note in engine.calendar_notes:  # (a calendar year the database holds not counted)
        click.echo(note, err=True)
    return engine


def names_county(engine, province: str | None, county: str) -> bool:
    """Whether a case or a setting of ``province`` (None: of any) names ``county``: a
    same-named county of another province does not make a misspelt one right."""
    return bool(engine.store.has_county(county, province)
                or engine.parameter_settings(province, county, in_force=False))


def note_unknown_county(engine, province: str | None, county: str,
                        used: str | None = "the province's values are shown") -> None:
    """A note on stderr when no case and no setting of ``province`` (None: of any) names
    ``county``: its own parameters would silently be none (a misspelt or space-padded name).
    ``engine`` None: no database, so nothing names it. ``used``: what is used instead, if
    anything."""
    if engine is not None and names_county(engine, province, county):
        return
    where = f" in {province}" if province else ""
    instead = f"{used}: " if used else ""
    click.echo(f"note: no case or setting names county {county!r}{where}; {instead}check the "
               "spelling", err=True)


@contextlib.contextmanager
def no_database_left_on_failure(db_path: str) -> Iterator[bool]:
    """A failed first command leaves no database behind: one it created is removed if the
    command fails before any event is in it (an import stopped at a later batch keeps what
    its earlier batches committed). Gives whether the database was there before."""
    from engine.db_files import remove_unused

    existed = os.path.exists(db_path)
    try:
        yield existed
    except BaseException:
        if not existed:
            remove_unused(db_path)  # not one another process made or has open meanwhile
        raise


def _workflow_of(engine: Any, view: Any) -> Any:
    return engine.workflow(view.case.province, view.case.workflow, view.case.county)


@cli.group()
def case() -> None:
    """Open cases, fire their events, show their history and deadlines."""


def _key(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value == "":  # (named as the option, not as the API's argument)
        raise click.BadParameter("must not be empty (leave the option out for none)", ctx, param)
    return value


def key_option(func):
    return click.option(
        "--idempotency-key", "key", callback=_key,
        help="Repeating a call with the same key returns the first result and writes nothing.",
    )(func)


@case.command("open")
@click.option("--province", required=True, help="Province code (see: doudi provinces).")
@click.option("--workflow", default="dibao", show_default=True, help="Workflow name.")
@click.option("--id", "case_id", help="Case id (default: PROVINCE-YEAR-NNNNNN).")
@click.option("--on", "on", type=ISO_DATE, required=True,
              help="Date the case is opened (not after today in China).")
@actor_option
@set_option
@key_option
@db_option(creates=True)
def open_(province, workflow, case_id, on, actor, settings, key, db_path) -> None:
    """Open a case and print its id.

    Attributes the engine reads: delegated (true where confirmation is delegated to the
    township), registered_separately (单独登记备案), county, applicant_name, household_size,
    amount; `doudi workflow show NAME --province P --format json` lists every one declared.

    \b
    Example:
      doudi case open --province P --on 2026-03-02 --set county=甲县 \\
          --set applicant_name=张三 --set household_size=3
    """
    with no_database_left_on_failure(db_path):
        engine = open_engine(db_path, create=True)
        # The API's own checks of the call, in its order, before the workflow is read (--set
        # as its text: the call checks the values again once typed)
        engine._open_arguments(province, workflow, on, settings, case_id, actor, key)
        declared = engine.workflow(province, workflow, settings.get("county"))
        view = engine.open_case(province=province, workflow=workflow, on=on,
                                attributes=typed(declared, settings), case_id=case_id,
                                actor=actor, idempotency_key=key)
    recorded(f"case {view.id} is opened")
    echo(view.id)  # (alone on stdout, repeat or not: scripts take the id from it)
    if view.repeated:  # (as case fire says it, on stderr: nothing was opened now)
        click.echo(f"{view.id}: open on {on.isoformat()}: already recorded with key {key!r}",
                   err=True)
    warn_misspelt(declared, settings)


@case.command()
@click.argument("case_id")
@click.argument("event")
@click.option("--on", "on", type=ISO_DATE, required=True,
              help="Business date of the event (not after today in China).")
@click.option("--reason", callback=not_blank,
              help="Reason (required by extend: 人户分离, 异地申办, 调查难度大).")
@actor_option
@set_option
@data_option
@key_option
@format_option("table", "csv", "json")
@db_option
def fire(case_id, event, on, reason, actor, settings, data_file, key, fmt, db_path) -> None:
    """Record EVENT on CASE_ID if the procedure allows it (else exit 1, nothing written).

    The events of a workflow, and the states each may follow: `doudi workflow show dibao
    --province P` (or --format json, its "transitions"); a refused event names those allowed
    in the case's state.

    With --format json, the case as the event left it: its deadlines judged as of the
    event's date (case show judges them as of today); with --format csv, those deadlines
    alone, as case show --format csv writes them.

    \b
    Example:
      doudi case fire P-2026-000001 accept --on 2026-03-03
      doudi case fire P-2026-000001 extend --on 2026-03-10 --reason 人户分离
      doudi case fire P-2026-000001 accept --on 2026-03-03 --data accept.json
    """
    data = given_data(data_file, settings)
    engine = open_engine(db_path)
    # The API's own checks of the call, in its order, before the case is read (--set as
    # its text: the call checks the values again once typed)
    engine._fire_arguments(case_id, event, on, {**settings, **data}, reason, actor, key)
    shown = engine.case(case_id)
    last_seq = shown.history[-1]["seq"]  # (the opening at least)
    declared = _workflow_of(engine, shown)
    view = engine.fire(case_id, event, on=on, payload={**typed(declared, settings), **data},
                       reason=reason, actor=actor, idempotency_key=key)
    recorded("the event is recorded")
    warn_misspelt(declared, {**settings, **data})
    if fmt == "json":
        echo_json(view.to_json())
        return
    if fmt == "csv":
        emit_deadlines_csv(view)
        return
    if view.repeated:
        _already_recorded(case_id, event, on, key, view)
        return
    # What happened by itself before the event (a phase-out's end) was recorded first, on its
    # own date: each said first, and the event's own transition after them (not the case's
    # state before the call, which showed the phase-out's end as the event's).
    fired = _say_by_itself(case_id, declared, view, last_seq)
    echo(f"{case_id}: {event} on {on.isoformat()}: {fired['from']} → {view.state} "
         f"({view.state_title})")


#: A case's deadlines as CSV (case show, and case fire and case accept after the event): the
#: case, then the columns of case show's table, named as report breaches --format csv names
#: the columns it shares (rule, title, status, due_on, basis, provisional) and written as it
#: writes them (emit).
DEADLINE_COLUMNS = ["case_id", "rule", "title", "starts_on", "due_on", "stopped_on", "status",
                    "basis", "provisional"]


def emit_deadlines_csv(view) -> None:
    """The case view's deadlines, every status, a row each in the view's order, as CSV with
    its header (the header alone for a case with none)."""
    emit([{"case_id": d.case_id, **d.to_json()} for d in view.deadlines], "csv",
         DEADLINE_COLUMNS)


def _say_by_itself(case_id: str, declared, view, last_seq: int) -> dict:
    """Say, a line each, what happened by itself (a phase-out's end) that the call recorded
    first, on its own date, before its own event (the history's entries after ``last_seq``);
    returns that event's entry, the last."""
    from engine.maintenance import AUTO_ACTOR

    *earlier, own = [h for h in view.history if h["seq"] > last_seq]
    for h in (h for h in earlier if h["actor"] == AUTO_ACTOR):
        echo(f"{case_id}: {h['event']} on {h['on']} (by itself): {h['from']} → {h['to']} "
             f"({declared.state(h['to']).title})")
    return own


def _already_recorded(case_id: str, event: str, on: date, key: str | None, view) -> None:
    """A repeat of a keyed call (or one that lost a race to the same key): the case as that
    call left it, nothing happened now (not a transition, which after a later event would
    show the case going backwards)."""
    echo(f"{case_id}: {event} on {on.isoformat()}: already recorded with key {key!r} "
         f"(it left the case {view.state} ({view.state_title}))")


@case.command("accept")
@click.argument("case_id")
@click.argument("residence_file", type=InputFile("rb"), required=False)
@click.option("--on", "on", type=ISO_DATE, required=True,
              help="Date of 受理 (not after today in China).")
@actor_option
@key_option
@format_option("table", "csv", "json")
@db_option
def accept_case(case_id, residence_file, on, actor, key, fmt, db_path) -> None:
    """Record 受理 of CASE_ID; with RESIDENCE_FILE (JSON: the members' 户籍所在地 and
    经常居住地), first check the household may apply in the case's county.

    The event then records how it may (which member, where, by which clause); a household
    that may not apply there is refused with the places it may apply at (exit 1, nothing
    written). Without the file it is `doudi case fire CASE_ID accept`; --format json and
    csv print what that fire prints with them.
    """
    payload = {} if residence_file is None else {"residence": load_json(residence_file)}
    engine = open_engine(db_path)
    view = engine.fire(case_id, "accept", on=on, payload=payload, actor=actor,
                       idempotency_key=key)
    recorded("the event is recorded")
    if fmt == "json":
        echo_json(view.to_json())
        return
    if fmt == "csv":
        emit_deadlines_csv(view)
        return
    if view.repeated:  # (as case fire says it: no 申请地 judged now)
        _already_recorded(case_id, "accept", on, key, view)
        return
    # (its transition as `case fire CASE accept` says it, the state it came from first)
    echo(f"{case_id}: accept on {on.isoformat()}: {view.history[-1]['from']} → {view.state} "
         f"({view.state_title})")
    way = view.history[-1]["derived"].get("application_place")
    if way:
        echo(visible(f"申请地: {way['place']} — {way['member']}的{way['how']} ({way['basis']})"))


@case.command()
@click.argument("case_id")
@click.option("--as-of", "as_of", type=ISO_DATE, help="Show the case as it stood on this date "
              "(default: today in China, or its last event's date if that is later).")
@click.option("--window", default=3, show_default=True, type=WholeNumber(WORKING_DAYS, min=0),
              help="Working days before a due date in which a deadline is at risk.")
@format_option("table", "csv", "json")
@db_option
def show(case_id, as_of: date | None, window: int, fmt, db_path) -> None:
    """Show a case: state, attributes, history and deadlines with their status and clause.

    With --format csv, its deadlines alone, every status, one row each: case_id and the
    table's deadline columns, written as report breaches --format csv writes its rows.

    \b
    Example:
      doudi case show P-2026-000001
      doudi case show P-2026-000001 --as-of 2026-04-01 --format json
      doudi case show P-2026-000001 --format csv > deadlines.csv
    """
    engine = open_engine(db_path)
    stored = engine.store.case(case_id) if as_of is None else None
    if stored is not None:  # (no such case: engine.case below says so)
        # Today, like the reports: as of its last event, a deadline overdue since would show
        # as still running. (Never before the last event: that would hide it.)
        as_of = max(china_today(), stored.last_event_on)
    view = engine.case(case_id, as_of=as_of, window=window)
    if fmt == "csv":
        emit_deadlines_csv(view)
        return
    data = view.to_json()
    if fmt == "json":
        echo_json(data)
        return
    echo(f"{data['id']}  {data['province']}/{data['workflow']}  "
         f"{data['state']} ({data['state_title']})  as of {data['as_of']}")
    if data["attributes"]:
        echo("attributes: " + ", ".join(f"{visible(k)}={attribute_text(v)}"
                                        for k, v in data["attributes"].items()))
    echo("\nhistory")
    # A correction's title says which event it puts right and what it should have said
    # (its data: no attribute shows it, as a correction changes none).
    emit([{**e, "title": f"{e['title']} seq {e['corrects']}" + (": " + ", ".join(
        f"{visible(k)}={attribute_text(v)}" for k, v in e["payload"].items())
        if e["payload"] else "")} if e["corrects"] is not None else e for e in data["history"]],
         "table", ["seq", "on", "event", "title", "from", "to", "reason", "actor"])
    echo("\ndeadlines")
    emit(data["deadlines"], "table", DEADLINE_COLUMNS[1:])
    if "payments" in data:
        echo("\npayments")
        emit(data["payments"], "table", ["month", "amount", "basis"])
    if data["sanctions"]:
        echo("\nsanctions")
        emit(data["sanctions"], "table", ["on", "kind", "amount", "basis", "note"])
    if data["links"]:
        echo("\nlinks")
        emit(data["links"], "table", ["case_id", "workflow", "relation", "on"])


@case.command()
@today_option("--as-of", "as_of",
              help="Record what happened by itself up to this date (not after today in China).")
@db_option
def advance(as_of: date, db_path) -> None:
    """Record the events that happen by themselves (a phase-out's end) up to --as-of.

    Written 500 cases per transaction: if the database fails, the batches before it stay
    written, and the error line says how many of the events listed they hold; run it again
    to finish. A case it cannot read or work out (a row changed outside doudi, its
    province's plugin not installed) is left as it was and the others are written: an error
    line at the end says how many were left and names the first (exit 1).
    """
    engine = open_engine(db_path)
    engine._happened(as_of, "--as-of")  # (named as the option, not as the API's argument)
    listed = 0
    left = left_cases()

    def show(event_recorded: Recorded) -> None:
        nonlocal listed  # listed as each batch is written, not kept till the end
        case_id, event, on = event_recorded
        if not listed:
            recorded("the events of the batches written are recorded; run advance again "
                     "to finish")
        echo_beside(told.bar, f"{case_id}: {event} on {on.isoformat()}")
        listed += 1

    try:
        with stepped_progress(engine.store.count_cases(), "Advancing") as told:
            engine.advance(as_of, on_recorded=show, progress=told, on_skipped=left)
    except KeyboardInterrupt:
        if not listed:  # (in the first batch: "the 0 events listed are recorded")
            raise DoudiError("interrupted: nothing was recorded") from None
        raise DoudiError(f"interrupted: {_listed(listed)} recorded, in whole batches; run "
                         "advance again to finish") from None
    except (DoudiError, sqlite3.Error) as exc:
        if not listed:
            raise  # (nothing was: the error line alone is right)
        raise stopped_part_way(exc, f"advance stopped: {_listed(listed)} recorded, in whole "
                                    "batches", "advance", engine.store.path) from None
    click.echo(f"{counted(listed, 'event')} recorded", err=True)
    say_cases_left(left, "advance")


def _listed(listed: int) -> str:
    return "the 1 event listed is" if listed == 1 else f"the {listed} events listed are"


@case.command("assess")
@click.argument("case_id")
@click.argument("household_file", type=InputFile("rb"))
@click.option("--on", "on", type=ISO_DATE, required=True,
              help="Date of the assessment (not after today in China).")
@actor_option
@format_option("table", "csv", "json")
@db_option
def assess_case(case_id, household_file, on, actor, fmt, db_path) -> None:
    """Record the assessment of the household in HOUSEHOLD_FILE (JSON) on a dibao or marginal case.

    The event keeps the household as given and the result rule by rule; on a dibao case, where
    the rules alone would not help (above the line with special_hardship=true, or 边缘), the
    province's route. On a marginal case, recognition then follows the assessment.

    With --format csv, one row: the result, and the route this assessment gave (its kind,
    title and clause; blank where it gave none), as the table says them.
    """
    from engine.money import yuan

    household = load_json(household_file)
    engine = open_engine(db_path)
    view = engine.fire(case_id, "assess", on=on, payload={"household": household}, actor=actor)
    recorded("the assessment is recorded")
    result = view.case.attributes["assessment"]
    if fmt == "json":
        echo_json({"assessment": result,
                   "exception_route": view.case.attributes.get("exception_route")})
        return
    route = view.case.attributes.get("exception_route")
    if not view.history[-1]["derived"].get("exception_route"):
        route = None  # (one an earlier assessment gave: not this one's)
    if fmt == "csv":
        emit([{"case_id": case_id, **result, **({"route": route["kind"], "route_title": route[
            "title"], "route_basis": route["basis"]} if route else {})}], "csv",
             ASSESSMENT_COLUMNS)
        return
    echo(f"{case_id}: per capita {yuan(result['per_capita'])}, standard {yuan(result['standard'])}"
         f" → {result['classification']}")
    if route:
        echo(f"route: {route['kind']} — {route['title']} ({route['basis']})")


#: case assess --format csv: its one row.
ASSESSMENT_COLUMNS = ["case_id", "household_size", "countable_income", "per_capita", "standard",
                      "classification", "route", "route_title", "route_basis"]


@case.command()
@click.argument("case_id")
@click.argument("seq", type=WholeNumber("an event's seq (a whole number, 0 or more, as `case show` "
                                         "lists it)", min=0))
@click.option("--on", "on", type=ISO_DATE, required=True,
              help="Date of the correction (not after today in China).")
@click.option("--reason", required=True, callback=not_blank, help="What was wrong.")
@actor_option
@set_option
@data_option
@key_option
@db_option
def correct(case_id, seq, on, reason, actor, settings, data_file, key, db_path) -> None:
    """Record a correction of event SEQ: history is never rewritten, only added to.

    The correction keeps what was wrong (--reason) and, with --set and --data, what the
    event should have said, checked like that event's data. It is evidence: it changes no
    attribute, state or deadline of the case. To change the case, record the event that does.

    \b
    Example (accept's residence, the object `case accept` reads from its file):
      echo '{"residence": {"applicant": "a", "members": [{"id": "a",
            "registered_in": "甲县", "lives_in": "甲县"}]}}' > fix.json
      doudi case correct P-2026-000001 1 --on 2026-03-04 --reason 住址 --data fix.json
    """
    data = given_data(data_file, settings)
    engine = open_engine(db_path)
    # The API's own checks of the call, in its order, before the case is read (--set as
    # its text: the call checks the values again once typed)
    engine._correct_arguments(case_id, seq, on, reason, {**settings, **data}, actor, key)
    shown = engine.case(case_id)
    last_seq = shown.history[-1]["seq"]  # (the opening at least)
    declared = _workflow_of(engine, shown)
    view = engine.correct(case_id, seq, on, reason, {**typed(declared, settings), **data}, actor,
                          idempotency_key=key)
    recorded("the correction is recorded")
    warn_misspelt(declared, {**settings, **data})
    if view.repeated:  # (as case fire says it: nothing recorded now)
        echo(f"{case_id}: correction of event {seq}: already recorded with key {key!r} "
             f"(as event {view.history[-1]['seq']})")
        return
    # What happened by itself before its date, recorded first, is said first, as case fire
    # says it: the call ended the phase-out, where a correction itself changes no state.
    corrected = _say_by_itself(case_id, declared, view, last_seq)
    echo(f"{case_id}: correction of event {seq} recorded as event {corrected['seq']}")
