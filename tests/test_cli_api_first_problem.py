"""A command and the API call it makes refuse the same input for the same first problem.

Found by review: `report sanctions` checked --since against --until before the engine checked
the dates against the calendar (test_benefit_common); looking further, `case fire`, `case
accept` and `case correct` read the case (for its state and its workflow's --set types)
before the API checks its date and texts, and `case open` looked up the province's workflow
before them, so an unknown case or province with a date after today was "no case …" (exit 1)
on the command line and "on … is after today" (exit 2) from the API; `parameter list` and
`workflow show --county` checked --as-of against the calendar themselves, before the
province, and the API did not check it at all. Each pair below is wrong in two ways.
"""

from __future__ import annotations

from datetime import date

import pytest

from engine import DoudiError, Engine
from helpers import dump_file, error_line, run

LATER = "2060-12-30"  # after today, in the calendar (2018-01-01 to 2060-12-31)
OUTSIDE = "2099-01-01"  # outside the calendar
ESCAPE = "a\x1b[31m"  # a terminal escape: no printable text

PAIRS = {
    "fire: no such case, a date after today": (
        ["case", "fire", "NOPE", "accept", "--on", LATER],
        lambda e: e.fire("NOPE", "accept", on=date.fromisoformat(LATER))),
    "fire: no such case, an actor that does not print": (
        ["case", "fire", "NOPE", "accept", "--on", "2026-03-03", "--actor", ESCAPE],
        lambda e: e.fire("NOPE", "accept", on=date(2026, 3, 3), actor=ESCAPE)),
    "fire: no such case, a reason that does not print": (
        ["case", "fire", "NOPE", "extend", "--on", "2026-03-03", "--reason", "\x07"],
        lambda e: e.fire("NOPE", "extend", on=date(2026, 3, 3), reason="\x07")),
    # (the data is checked before the date by the API; the command checked the date first
    # while it restated the API's checks, which did not include the data)
    "fire: no such case, a date after today, --set data that cannot be stored": (
        ["case", "fire", "NOPE", "accept", "--on", LATER, "--set", "note=\udcff"],
        lambda e: e.fire("NOPE", "accept", on=date.fromisoformat(LATER),
                         payload={"note": "\udcff"})),
    "accept: no such case, a date after today": (
        ["case", "accept", "NOPE", "--on", LATER],
        lambda e: e.fire("NOPE", "accept", on=date.fromisoformat(LATER))),
    "correct: no such case, a date after today": (
        ["case", "correct", "NOPE", "0", "--on", LATER, "--reason", "typo"],
        lambda e: e.correct("NOPE", 0, date.fromisoformat(LATER), "typo")),
    "correct: no such case, a reason that does not print": (
        ["case", "correct", "NOPE", "0", "--on", "2026-03-03", "--reason", ESCAPE],
        lambda e: e.correct("NOPE", 0, date(2026, 3, 3), ESCAPE)),
    "open: no such province, a date after today": (
        ["case", "open", "--province", "atlantis", "--on", LATER],
        lambda e: e.open_case(province="atlantis", on=date.fromisoformat(LATER))),
    "open: no such workflow, a date after today": (
        ["case", "open", "--province", "shanxi", "--workflow", "nope", "--on", LATER],
        lambda e: e.open_case(province="shanxi", workflow="nope", on=date.fromisoformat(LATER))),
    "open: no such province, an actor that does not print": (
        ["case", "open", "--province", "atlantis", "--on", "2026-03-02", "--actor", ESCAPE],
        lambda e: e.open_case(province="atlantis", on=date(2026, 3, 2), actor=ESCAPE)),
    "parameter list: no such province, a date outside the calendar": (
        ["parameter", "list", "--province", "atlantis", "--as-of", OUTSIDE],
        lambda e: e.parameter_settings("atlantis", as_of=date.fromisoformat(OUTSIDE))),
    "workflow show: no such province, a date outside the calendar": (
        ["workflow", "show", "dibao", "--province", "atlantis", "--county", "甲县", "--as-of",
         OUTSIDE],
        lambda e: e.workflow("atlantis", "dibao", "甲县", on=date.fromisoformat(OUTSIDE))),
    "workflow show: no such workflow, a date outside the calendar": (
        ["workflow", "show", "nope", "--province", "shanxi", "--county", "甲县", "--as-of",
         OUTSIDE],
        lambda e: e.workflow("shanxi", "nope", "甲县", on=date.fromisoformat(OUTSIDE))),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_the_command_and_the_api_name_the_same_first_problem(tmp_path, name):
    args, call = PAIRS[name]
    db = str(tmp_path / "cases.db")
    with Engine.open(db) as engine:
        engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="C1")
    before = dump_file(db)
    with Engine.open(db) as engine, pytest.raises(DoudiError) as refused:
        call(engine)
    result = run(db, *args)
    said = refused.value.command_line or str(refused.value)
    assert (result.exit_code, error_line(result)) == (refused.value.exit_code, f"Error: {said}")
    assert dump_file(db) == before


@pytest.mark.parametrize(("args", "call"), [
    (["parameter", "list", "--as-of", OUTSIDE],
     lambda e: e.parameter_settings(as_of=date.fromisoformat(OUTSIDE))),
    (["workflow", "show", "dibao", "--province", "shanxi", "--county", "甲县", "--as-of",
      OUTSIDE],
     lambda e: e.workflow("shanxi", "dibao", "甲县", on=date.fromisoformat(OUTSIDE))),
])
def test_a_date_outside_the_calendar_is_refused_by_the_api_as_by_the_command(tmp_path, args, call):
    """`parameter list --as-of 2099-01-01` and `workflow show --county … --as-of 2099-01-01`
    were refused ("outside the calendar", exit 2) while Engine.parameter_settings and
    Engine.workflow took the same date, and answered for it."""
    from engine.errors import OutsideCalendar

    db = str(tmp_path / "cases.db")
    with Engine.open(db) as engine:
        engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="C1")
        with pytest.raises(OutsideCalendar, match=r"^2099-01-01 is outside the calendar "
                                                  r"\(2018-01-01 to 2060-12-31\)$"):
            call(engine)
    result = run(db, *args)
    assert (result.exit_code, error_line(result)) == (
        2, "Error: 2099-01-01 is outside the calendar (2018-01-01 to 2060-12-31)")
