"""What a platform passes to the Engine is checked before anything is read or written.

Found by review: a ``datetime`` for ``on`` was stored as ``2026-11-24T10:00:00`` and broke
every later read of the case (audit, recompute, advance); an ``actor`` given as a number was
hashed as a number but stored as text, so ``verify`` reported an event nobody had altered;
an empty idempotency key was half recorded; a ``set`` in a correction was stored as the text
"{1}". Each is now an InvalidInput naming the argument, and nothing is written.
"""

from __future__ import annotations

import json
import math
import os
import re
from datetime import date, datetime
from decimal import Decimal

import pytest

from engine.errors import InvalidInput
from engine.importer import ImportStopped
from helpers import dump

ON = date(2026, 3, 2)
CASE = "A1"
#: A whole number of more digits (5,001) than Python writes out as text (4,300).
HUGE = 10**5000


@pytest.fixture
def case_id(engine):
    return engine.open_case(province="shanxi", on=ON, case_id=CASE).id


def nested(depth):
    """A list inside a list … ``depth`` levels deep."""
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def shared_twice(depth):
    """A list holding one list twice, ``depth`` levels deep: no loop, 2 ** depth paths."""
    value: list = []
    for _ in range(depth):
        value = [value, value]
    return value


def holding_itself_among(count):
    """A list of ``count`` numbers and, after them, itself."""
    value: list = [0] * count
    value.append(value)
    return value


def holding_itself():
    """A mapping that holds itself (``note.again`` is ``note``)."""
    note: dict = {"text": "见附件"}
    note["again"] = note
    return {"note": note}


@pytest.mark.parametrize("call, words", [
    (lambda e, c: e.open_case(province="shanxi", on=datetime(2026, 3, 2, 10)),
     "on must be a date (datetime.date), got datetime.datetime(2026, 3, 2, 10, 0)"),
    (lambda e, c: e.open_case(province="shanxi", on="2026-03-02"), "on must be a date"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, actor=5), "actor must be text"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, case_id=123), "case_id must be text"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes=[1, 2]),
     "attributes must be a mapping"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, idempotency_key=""),
     "idempotency_key must not be empty"),
    (lambda e, c: e.fire(c, "accept", on=datetime(2026, 3, 3, 9)), "on must be a date"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), actor=1001), "actor must be text"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), reason=7), "reason must be text"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), idempotency_key=42),
     "idempotency_key must be text"),
    (lambda e, c: e.fire(["A1"], "accept", on=date(2026, 3, 3)), "case_id must be text"),
    # fire checks its case id, event and date in one call (arguments.event_arguments): each
    # still refused as the checks of its own refuse it, the case id first.
    (lambda e, c: e.fire(5, 6, on="2026-03-03"), "case_id must be text (str), got 5"),
    (lambda e, c: e.fire(c, 6, on="2026-03-03"), "event must be text (str), got 6"),
    (lambda e, c: e.fire(c, "accept", on="2026-03-03"),
     "on must be a date (datetime.date), got \"2026-03-03\""),
    (lambda e, c: e.fire("\udc80", "\udc81", on=date(2026, 3, 3)),
     "case_id is not valid UTF-8 text (character 1 of \"\\udc80\")"),
    (lambda e, c: e.fire(c, "accept\udc80", on=date(2026, 3, 3)),
     "event is not valid UTF-8 text (character 7 of \"accept\\udc80\")"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload={"note": {1}}),
     "payload.note is a set ({1}): not a JSON value"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload={"seen": ON}),
     "payload.seen is a date"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload={"x": [Decimal("1.5")]}),
     "payload.x[0] is a Decimal"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload={"x": math.nan}),
     "payload.x is NaN: not a JSON number"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload={1: "a"}),
     "payload has the key 1: keys must be text"),
    (lambda e, c: e.correct(c, 0, on=ON, reason="x", payload={"a": {1}}), "payload.a is a set"),
    (lambda e, c: e.correct(c, "0", on=ON, reason="x"), "corrects must be a whole number"),
    (lambda e, c: e.correct(c, 0, on=ON, reason="x", payload={"household_size": "abc"}),
     "household_size must be a number"),
    (lambda e, c: e.correct(c, 0, on=ON, reason=5), "reason must be text"),
    (lambda e, c: e.advance("2026-12-31"), "until must be a date"),
    (lambda e, c: e.case(c, as_of="2026-03-02"), "as_of must be a date"),
    (lambda e, c: e.deadlines(c, datetime(2026, 3, 2)), "as_of must be a date"),
    (lambda e, c: e.breaches(as_of="2026-03-02"), "as_of must be a date"),
    (lambda e, c: e.at_risk(ON, within="3"), "within must be a whole number"),
    (lambda e, c: e.sanctions(since="2026-01-01"), "since must be a date"),
    (lambda e, c: e.due("2025-01-20", "10wd"), "start must be a date"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes={"household_size": 2.5}),
     "household_size must be a whole number, got 2.5"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload={"county": 5}),
     "county must be the county's name (text, without spaces around it), got 5"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes={"household_size": 10**26}),
     "household_size must be a number (at most 1,000,000,000,000), got " + str(10**26)),
    (lambda e, c: e.open_case(province="shanxi", workflow="benefit", on=ON,
                              attributes={"amount": 1e308, "paid_from": "2026-04"}),
     "amount must be a number (at most 1,000,000,000,000), got 1e+308"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes={"county": " "}),
     "county must be the county's name (text, without spaces around it), got \" \""),
    # "甲县 " would be another county: 甲县's own parameters and report filter would miss it.
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes={"county": "甲县 "}),
     "county must be the county's name (text, without spaces around it), got \"甲县 \""),
    # A line break in a name would add a line of its own to the 公示 ("申请人姓名：李四").
    (lambda e, c: e.open_case(province="shanxi", on=ON,
                              attributes={"applicant_name": "张三\n申请人姓名：李四"}),
     "applicant_name must be printable text on one line, got \"张三\\n申请人姓名：李四\" "
     "(character U+000A)"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3),
                         payload={"village": "甲村\x1b[31m"}),
     "village must be printable text on one line"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes={"applicant_name": "\udc80x"}),
     "attributes.applicant_name is not valid UTF-8 text"),
    # Text no database can store (a lone surrogate), wherever it is given: named, not a
    # UnicodeEncodeError from deep inside the write.
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes={"note": {"a": ["\udc80"]}}),
     "attributes.note.a[0] is not valid UTF-8 text (character 1 of \"\\udc80\")"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), reason="\udc80"),
     "reason is not valid UTF-8 text"),
    (lambda e, c: e.breaches(ON, county="\udc80"), "county is not valid UTF-8 text"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes={"n": nested(60)}),
     "attributes.n" + "[0]" * 49 + " is nested more than 50 levels deep"),
    # (looked through once each, not along each of its 2 ** 60 paths, for a loop it has not)
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes={"n": shared_twice(60)}),
     "attributes.n" + "[0]" * 49 + " is nested more than 50 levels deep"),
    # Found by review: 40 levels of one list held twice (nested well within the 50 levels
    # allowed) hold 2 ** 40 values along their paths; the check, the read-only copy and the
    # write went through each, and fire never returned. Each value counts each time reached.
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload={"x": shared_twice(40)}),
     "payload holds more than 10,000 values in all (a list or mapping given in several "
     "places counted in each): too large to be a record"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes={"n": shared_twice(14)}),
     "attributes holds more than 10,000 values in all"),
    # (10,001: the list, and its 10,000 numbers)
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload={"x": [0] * 10_000}),
     "payload holds more than 10,000 values in all"),
    (lambda e, c: e.correct(c, 0, on=ON, reason="见附件", payload={"x": shared_twice(40)}),
     "payload holds more than 10,000 values in all"),
    (lambda e, c: e.set_parameter("shanxi", "甲县", "x", shared_twice(40), "晋 1", ON),
     "value holds more than 10,000 values in all"),
    # (a list that holds itself beside many values is named as such, not as too large)
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload={"x": holding_itself_among(300)}),
     "payload.x contains itself (at payload.x[300]): not a JSON value"),
    # (refused as nested more than 50 levels deep, at payload.note.again.again… 49 steps round)
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload=holding_itself()),
     "payload.note contains itself (at payload.note.again): not a JSON value"),
    (lambda e, c: e.set_parameter("shanxi", "甲县", "x", [holding_itself()], "晋 1", ON),
     "value[0].note contains itself (at value[0].note.again): not a JSON value"),
    (lambda e, c: e.case(c, window=-1), "the warning window (window) must be 0 or more"),
    # Found by a platform review: a number was opened as a file descriptor (the engine's own
    # database, read as lines and then closed under it); batch 0 ran as 1; "no" was true.
    (lambda e, c: e.import_file(3), "path must be text (str), got 3"),
    (lambda e, c: e.import_lines([], batch=0), "batch must be 1 or more, got 0"),
    (lambda e, c: e.import_lines([], batch="5"), "batch must be a whole number (int), got \"5\""),
    (lambda e, c: e.import_lines([], skip_invalid="yes"), "skip_invalid must be True or False"),
    (lambda e, c: e.breaches(ON, include_late="no"), "include_late must be True or False, got \"no\""),
    (lambda e, c: e.report(ON, ("breachd",)), "statuses must be a tuple of open, at_risk"),
    (lambda e, c: e.replay_deadlines(c, as_of="2026-01-01"), "as_of must be a date"),
    # (before the calendar: the breach report said nothing where at-risk refused the date)
    (lambda e, c: e.breaches(date(2017, 6, 1)),
     "2017-06-01 is outside the calendar (2018-01-01 to"),
    (lambda e, c: e.unpublished(as_of=date(2017, 6, 1)),
     "2017-06-01 is outside the calendar (2018-01-01 to"),
    # Found by review: a callback that is no function failed only when first called, after
    # a batch was committed (recompute's moved dates then lost for good).
    (lambda e, c: e.recompute(on_moved="x"),
     "on_moved must be a function (a callable) or None, got \"x\""),
    (lambda e, c: e.recompute(progress=5), "progress must be a function (a callable) or None"),
    (lambda e, c: e.advance(ON, on_recorded="x"), "on_recorded must be a function"),
    (lambda e, c: e.import_lines([], on_skip="print"), "on_skip must be a function"),
    (lambda e, c: e.import_lines([], progress=5), "progress must be a function"),
    (lambda e, c: e.import_file("x.jsonl", progress=True), "progress must be a function"),
    # Found by review: a raw sqlite3.ProgrammingError or TypeError (unhashable), or a value
    # of the wrong type taken silently (county=5 matched nothing, in_force="no" was true).
    (lambda e, c: e.replay([c]), "case_id must be text (str), got [\"A1\"]"),
    (lambda e, c: e.replay_deadlines([c]), "case_id must be text (str), got [\"A1\"]"),
    (lambda e, c: e.verify([c]), "case_id must be text (str), got [\"A1\"]"),
    (lambda e, c: e.exceptions(None, ["x"]), "county must be text (str), got [\"x\"]"),
    (lambda e, c: e.exceptions(["shanxi"]), "province must be text (str), got [\"shanxi\"]"),
    (lambda e, c: e.exceptions(county=5), "county must be text (str), got 5"),
    (lambda e, c: e.sanctions(county=["x"]), "county must be text (str), got [\"x\"]"),
    (lambda e, c: e.sanctions(province=5), "province must be text (str), got 5"),
    (lambda e, c: e.sanctions(kind=["stop"]), "kind must be text (str), got [\"stop\"]"),
    (lambda e, c: e.unpublished(county=["x"]), "county must be text (str), got [\"x\"]"),
    (lambda e, c: e.unpublished(province=["shanxi"]), "province must be text (str)"),
    (lambda e, c: e.service_stations(county=5), "county must be text (str), got 5"),
    (lambda e, c: e.service_stations(["shanxi"]), "province must be text (str)"),
    (lambda e, c: e.workflow(["shanxi"]), "province must be text (str), got [\"shanxi\"]"),
    (lambda e, c: e.workflow("shanxi", ["dibao"]), "name must be text (str), got [\"dibao\"]"),
    (lambda e, c: e.workflow("shanxi", county=5), "county must be text (str), got 5"),
    (lambda e, c: e.workflow("shanxi", on="2026"), "on must be a date (datetime.date), got \"2026\""),
    (lambda e, c: e.calendar(["shanxi"]), "province must be text (str), got [\"shanxi\"]"),
    (lambda e, c: e.calendar("shanxi", 5), "county must be text (str), got 5"),
    (lambda e, c: e.due(ON, "3wd", province=["shanxi"]), "province must be text (str)"),
    (lambda e, c: e.due(ON, "3wd", "shanxi", county=5), "county must be text (str), got 5"),
    (lambda e, c: e.parameter_settings(in_force="no"), "in_force must be True or False, got \"no\""),
    (lambda e, c: e.import_lines(None),
     "lines must be an iterable of lines (a file, a list of str or bytes), got null"),
    (lambda e, c: e.import_lines(b'{"op": "open"}\n'),
     "lines must be an iterable of lines (a file, a list of str or bytes), not one bytes"),
    (lambda e, c: e.import_lines('{"op": "open", "province": "shanxi", "on": "2026-03-02"}\n'),
     "lines must be an iterable of lines (a file, a list of str or bytes), not one str (a text "
     "of several lines: pass text.splitlines())"),
    (lambda e, c: e.import_lines({"op": "open"}), "lines must be an iterable of lines"),
    (lambda e, c: e.import_file("missing.jsonl"),
     "path 'missing.jsonl' cannot be read: No such file or directory"),
    (lambda e, c: e.import_file("."), "path '.' cannot be read: Is a directory"),
    # Found by fuzzing: a whole number of more digits than Python writes out (4,300) was a
    # ValueError from inside the error line meant to name it (repr() of it), or from the
    # encoder, or an OverflowError (math.isfinite of an amount); each is named now.
    (lambda e, c: e.fire(HUGE, "accept", on=ON),
     "case_id must be text (str), got a whole number of more than 4,300 digits"),
    (lambda e, c: e.fire(c, "accept", on=ON, actor=[HUGE]),
     "actor must be text (str), got a list holding a whole number of more than 4,300 digits"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload={"note": HUGE}),
     "payload.note is a whole number of more than 4,300 digits: too long to be a JSON number"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), payload={"x": [-HUGE]}),
     "payload.x[0] is a whole number of more than 4,300 digits: too long to be a JSON number"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes={"household_size": HUGE}),
     "attributes.household_size is a whole number of more than 4,300 digits"),
    (lambda e, c: e.set_parameter("shanxi", "甲县", "investigation_start", HUGE, "晋 1", ON),
     "value is a whole number of more than 4,300 digits"),
    (lambda e, c: e.correct(c, HUGE, on=ON, reason="x"),
     f"case {CASE} has no event seq a whole number of more than 4,300 digits"),
    (lambda e, c: e.at_risk(ON, within=-HUGE), "the warning window (within) must be 0 or more "
     "working days, got a whole number of more than 4,300 digits"),
    (lambda e, c: e.at_risk(ON, within=HUGE), "a warning window (within) of a whole number of "
     "more than 4,300 digits working days falls outside the calendar"),
    (lambda e, c: e.due(ON, "1" * 5000 + "d"), "duration \"111111111111111111…111111111111111111d\": "
     "a count of more than 4,300 digits falls outside the calendar"),
    (lambda e, c: e.verify(heads=[(c, HUGE, "0" * 64)]), "heads must be (case id, seq, hash) "
     "triples, as chain_heads gives them: got a tuple holding a whole number of more than "
     "4,300 digits"),
])
def test_a_wrong_argument_is_named_and_nothing_is_written(engine, case_id, call, words):
    before = dump(engine)
    with pytest.raises(InvalidInput, match="^" + re.escape(words)):
        call(engine, case_id)
    assert dump(engine) == before
    assert engine.verify() == (1, 1, [])  # the evidence chain of A1 still holds


def test_due_date_of_a_start_that_is_no_date_is_named():
    """Found by fuzzing: engine.due_date (exported) given text, a number or a datetime for its
    start was an AttributeError ('str' object has no attribute 'toordinal') or a TypeError
    from inside the calendar; Engine.due checked it, the function itself did not."""
    from engine import due_date, national_calendar

    calendar = national_calendar()
    for start, shown in [("2026-03-02", '"2026-03-02"'), (20260302, "20260302"),
                         (datetime(2026, 3, 2, 9), "datetime.datetime(2026, 3, 2, 9, 0)"),
                         ([2026, 3, 2], "[2026, 3, 2]")]:
        with pytest.raises(InvalidInput, match=f"^start must be a date \\(datetime.date\\), "
                                               f"got {re.escape(shown)}$"):
            due_date(calendar, start, "30wd")
    # a date as before: 30 working days from Mon 2026-03-02, the start not counted (民法典
    # 第201条): March has 21 after the 2nd (3-03 … 3-31), April 9 more (4-01 … 4-03,
    # 4-07 … 4-10, 4-13, 4-14; 清明 4-04 … 4-06 off, 国办发明电〔2025〕7号) → Tue 2026-04-14
    assert due_date(calendar, ON, "30wd").due == date(2026, 4, 14)


def test_a_case_view_s_attributes_after_an_event_named_by_no_whole_number_is_named(engine):
    """Found by fuzzing: CaseView.attributes_after("1") (or None, a list) was a TypeError
    comparing it with each event's seq; now the argument is named."""
    engine.open_case(province="shanxi", on=ON, case_id=CASE, attributes={"county": "甲县"})
    view = engine.fire(CASE, "accept", on=date(2026, 3, 3), payload={"household_size": 2})
    for seq, shown in [("1", '"1"'), (None, "null"), ([1], "[1]"), (1.0, "1.0"), (True, "true")]:
        with pytest.raises(InvalidInput, match=f"^seq must be a whole number \\(int\\), got "
                                               f"{re.escape(shown)}$"):
            view.attributes_after(seq)
    # a whole number as before: the opening's attributes, then the accept's data added
    assert view.attributes_after(0) == {"county": "甲县"}
    assert view.attributes_after(1) == {"county": "甲县", "household_size": 2}


def test_a_payload_of_as_many_values_as_allowed_is_recorded_whole(engine, case_id):
    """10,000 values in all (the list and 9,999 numbers in it) are allowed; one more is not
    (above). The limit stays far above any real record, so no real payload meets it."""
    view = engine.fire(case_id, "accept", on=date(2026, 3, 3), payload={"x": [7] * 9_999})
    assert view.history[-1]["payload"] == {"x": [7] * 9_999}
    assert engine.verify() == (1, 2, [])


class _Text(str):
    pass


class _Date(date):
    pass


def test_fire_takes_text_and_a_date_of_its_subclasses_as_they_are(engine, case_id):
    """fire's checks written out take exactly str and date; their subclasses go through the
    checks themselves, and are taken as before."""
    view = engine.fire(_Text(case_id), _Text("accept"), on=_Date(2026, 3, 3))
    assert (view.state, view.history[-1]["on"]) == ("accepted", "2026-03-03")


def test_text_and_json_values_still_go_in_and_the_chain_holds(engine, case_id):
    # 民发〔2021〕57号 第15条: investigation within 3 working days of 受理 on Tuesday 3/3:
    # 3/4(1), 3/5(2), 3/6(3) → due 2026-03-06.
    view = engine.fire(case_id, "accept", on=date(2026, 3, 3), actor="1001", reason="材料齐全",
                       payload={"note": "ok", "list": [1, 2.5, None, True], "nested": {"a": "b"}})
    assert next(d for d in view.deadlines if d.deadline.rule == "investigation_start"
                ).deadline.due_on == date(2026, 3, 6)
    assert view.history[-1]["payload"]["list"] == [1, 2.5, None, True]
    assert engine.verify() == (1, 2, [])


def test_rare_name_characters_and_multi_line_free_text_are_accepted(engine):
    # Found by review: names use characters newer than Python's Unicode tables (CJK
    # Extension H, U+31350) or, in household-registration data, private-use ones; a list of
    # missing materials is written one item a line. None of these is a forgery.
    for name in ("张\U00031350", "李\ue000"):
        case = engine.open_case(province="shanxi", on=ON, attributes={"applicant_name": name})
        assert case.case.attributes["applicant_name"] == name
    case = engine.open_case(province="shanxi", on=ON)
    view = engine.fire(case.id, "request_materials", on=date(2026, 3, 3),
                       payload={"missing_materials": "户口簿\n收入证明\t2份"})
    assert view.case.attributes["missing_materials"] == "户口簿\n收入证明\t2份"
    with pytest.raises(InvalidInput, match=r"missing_materials must be printable text, got .* "
                                           r"\(character U\+001B\)"):
        engine.fire(case.id, "request_materials", on=date(2026, 3, 3),
                    payload={"missing_materials": "户口簿\x1b[2J"})


@pytest.mark.parametrize("call, words", [
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), actor="x\x1b[31mRED\x1b[0m"),
     "actor must be printable text on one line, got \"x\\u001b[31mRED\\u001b[0m\" (character U+001B)"),
    (lambda e, c: e.fire(c, "accept", on=date(2026, 3, 3), actor="a\nb"),
     "(character U+000A)"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, actor="\u202e甲"), "(character U+202E)"),
    (lambda e, c: e.fire(c, "terminate", on=date(2026, 3, 3), reason="bad\x1b]0;title\x07x"),
     "reason must be printable text, got "),
    (lambda e, c: e.correct(c, 0, on=date(2026, 3, 3), reason="x\x07"), "(character U+0007)"),
    (lambda e, c: e.correct(c, 0, on=date(2026, 3, 3), reason="x", actor="\x1b"), "actor must"),
    (lambda e, c: e.set_parameter("shanxi", "甲县", "investigation_start", "2wd",
                                  "甲县\x1b[8m文件", ON), "citation must be printable text on one"),
])
def test_an_actor_or_reason_that_would_not_show_as_itself_is_refused(engine, case_id, call, words):
    """Found by review: `--actor`, `--reason` and a setting's basis took terminal escapes,
    which `case show` and the reports then sent to the operator's terminal (a retitled
    window, coloured rows), and line breaks that split a table row in two."""
    before = dump(engine)
    with pytest.raises(InvalidInput) as refused:
        call(engine, case_id)
    assert words in str(refused.value)
    assert dump(engine) == before


def test_a_reason_may_run_over_several_lines(engine, case_id):
    view = engine.fire(case_id, "withdraw", on=date(2026, 3, 3), reason="本人书面申请：\n一、…\t二、…")
    assert view.history[-1]["reason"] == "本人书面申请：\n一、…\t二、…"


@pytest.mark.parametrize("case_id", ["e\x1b[31mRED", "nul\x01x", "z\u200bw", "-x", "a b",
                                     "a\u3000b", "", "tab\there"])
def test_a_case_id_that_would_show_as_another_or_read_as_an_option_is_refused(engine, case_id):
    # Found by review: a terminal escape, a control character and a zero-width space (so
    # "z\u200bw" shows as "zw") were taken, and "-x" then worked only after "--".
    with pytest.raises(InvalidInput, match="must be non-empty, without spaces or invisible "
                                           "characters, and not start with '-'"):
        engine.open_case(province="shanxi", on=ON, case_id=case_id)
    assert engine.store.db.execute("select count(*) from cases").fetchone()[0] == 0
    assert engine.open_case(province="shanxi", on=ON, case_id="晋-2026-甲1").id == "晋-2026-甲1"


BOM_NAMED = "(character U+FEFF, a byte order mark: from files joined together?)"


@pytest.mark.parametrize("call, line", [
    (lambda e, c: e.correct(c, 0, on=date(2026, 3, 3), reason="\ufeff人户分离"),
     f'reason must be printable text, got "\\ufeff人户分离" {BOM_NAMED}'),
    (lambda e, c: e.open_case(province="shanxi", on=ON, case_id="\ufeffC1"),
     f'case id "\\ufeffC1" must be non-empty, without spaces or invisible characters, and not '
     f"start with '-' {BOM_NAMED}"),
    (lambda e, c: e.open_case(province="shanxi", on=ON, attributes={"county": "\ufeff甲县"}),
     f'county must be printable text on one line, got "\\ufeff甲县" {BOM_NAMED}'),
    (lambda e, c: e.assess("shanxi", {"members": [{"id": "\ufeffa"}]}),
     f'household.members[0].id: expected printable text on one line, got "\\ufeffa" {BOM_NAMED}'),
    (lambda e, c: e.import_lines(['{"op": "open", "province": "shanxi", "on": "2026-03-02", '
                                  '"id": "\\ufeffC1"}']),
     f'line 1: case id "\\ufeffC1" must be non-empty, without spaces or invisible characters, '
     f"and not start with '-' {BOM_NAMED} (import stopped: nothing is imported)"),
])
def test_a_byte_order_mark_inside_a_text_is_named(engine, case_id, call, line):
    """Found by review: a byte order mark (U+FEFF) inside a reason, a case id or a name,
    which files joined together leave where the second one starts, was refused as "(character
    U+FEFF)", or for a case id with no character named at all, while it shows as nothing: the
    line says what it is and where it likely comes from."""
    before = dump(engine)
    with pytest.raises((InvalidInput, ImportStopped)) as refused:
        call(engine, case_id)
    assert str(refused.value) == line
    assert dump(engine) == before


def test_read_only_mappings_and_tuples_are_taken_as_plain_json(engine, case_id):
    # The check let a nested read-only mapping through, and the write then raised from the
    # JSON encoder (review finding): what passes the check is what is stored.
    from types import MappingProxyType

    view = engine.fire(case_id, "accept", on=date(2026, 3, 3),
                       payload={"extra": MappingProxyType({"a": (1, 2)})})
    assert view.history[-1]["payload"] == {"extra": {"a": [1, 2]}}
    assert engine.store.history(case_id)[-1].payload == {"extra": {"a": [1, 2]}}


def test_a_text_attribute_takes_text_and_numbers_but_not_true_or_a_mapping():
    # The CLI reads --set subject=123 as the number 123: still text to the workflow.
    from engine.workflow import AttributeSpec

    subject = AttributeSpec("subject", "text")
    subject.check("张三")
    subject.check(123)
    for value in (True, {"a": 1}, [1], None):
        with pytest.raises(InvalidInput, match="subject must be text"):
            subject.check(value)


def test_a_text_attribute_s_refusals_each_said_and_in_their_order():
    # AttributeSpec.check asks C whether text is printable before looking at each character,
    # and returns once text without choices is judged: the same refusals, said first as
    # before (an escape before the spaces around it; blank before the choices).
    from engine.workflow import AttributeSpec

    def refusal(spec: AttributeSpec, value: object) -> str:
        with pytest.raises(InvalidInput) as refused:
            spec.check(value)
        return str(refused.value)

    village = AttributeSpec("village", "text", title="村（社区）")
    for value in ("a村", "a\u00a0村", "a\u3000b", 12):  # (a space inside is no space around)
        village.check(value)
    assert refusal(village, " a\u001b村") == ('village must be printable text on one line, '
                                              'got " a\\u001b村" (character U+001B)')
    assert refusal(village, "a\n村") == ('village must be printable text on one line, '
                                         'got "a\\n村" (character U+000A)')
    assert refusal(village, "\u3000") == ('village (村（社区）) must not be blank (leave it out '
                                          'for none), got "\\u3000"')
    assert refusal(village, "\u3000a") == ('village must not begin or end with spaces, '
                                           'got "\\u3000a"')
    missing = AttributeSpec("missing", "text", lines=True)  # (several lines: breaks, tabs)
    missing.check(" 户口本\n\t身份证 ")
    assert refusal(missing, "户口本\u001b") == ('missing must be printable text, got '
                                              '"户口本\\u001b" (character U+001B)')
    proposal = AttributeSpec("proposal", "text", choices=("approve", "refuse"))
    proposal.check("approve")
    assert refusal(proposal, "approve ") == ('proposal must not begin or end with spaces, '
                                             'got "approve "')
    assert refusal(proposal, "reject") == 'proposal must be one of approve, refuse, got "reject"'
    assert refusal(proposal, 1) == "proposal must be one of approve, refuse, got 1"
    assert refusal(proposal, True) == "proposal must be text, got true"


def test_an_import_line_with_an_actor_that_would_not_show_as_itself_is_a_bad_line(engine):
    line = json.dumps({"op": "open", "province": "shanxi", "on": "2026-03-02",
                       "actor": "a\u001b[2Jb"})
    with pytest.raises(ImportStopped, match=r"^line 1: actor must be printable text on one "
                                            r"line, .* \(character U\+001B\)"):
        engine.import_lines([line])
    assert engine.store.db.execute("select count(*) from cases").fetchone()[0] == 0


@pytest.mark.parametrize("attributes, shown", [
    ({"village": "a村 "}, '"a村 "'),
    ({"applicant_name": "\u3000张三"}, '"\\u3000张三"'),  # (a full-width space, shown escaped)
    ({"village": " a村"}, '" a村"')])
def test_a_one_line_text_with_spaces_around_it_is_refused(engine, attributes, shown):
    # Found by review: "a村 " and "a村" were counted as two villages by report stations,
    # looking the same. Text that may span lines (a reason, missing materials) is not judged.
    [(name, value)] = attributes.items()
    with pytest.raises(InvalidInput) as refused:
        engine.open_case(province="tianjin", on=ON, attributes=attributes)
    assert str(refused.value) == f"{name} must not begin or end with spaces, got {shown}"
    opened = engine.open_case(province="tianjin", on=ON, attributes={name: value.strip()})
    assert opened.case.attributes[name] == value.strip()


def test_a_workflow_asked_for_on_a_text_date_is_named(engine):
    # (only a county with settings of its own reads the date)
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", "甲县民政局 第1条", ON)
    with pytest.raises(InvalidInput, match=r"^on must be a date"):
        engine.workflow("shanxi", county="甲县", on="2026-01-01")


def test_a_database_path_that_is_no_file_path_is_named(tmp_path):
    from engine import Engine

    with pytest.raises(InvalidInput, match=r"^path must be text \(str\), got 123"):
        Engine.open(123)
    with pytest.raises(InvalidInput, match=r" is a directory, not a database file$"):
        Engine.open(str(tmp_path))
    assert Engine.open(tmp_path / "x.db").store.path == str(tmp_path / "x.db")  # (a Path too)
    # Found by fuzzing: a NUL character, which no file's name holds, was os's ValueError
    # ("embedded null byte"), as text or as a Path, and so in import_file's path
    for path in ["a\x00b", tmp_path / "a\x00b"]:
        with pytest.raises(InvalidInput, match=r"^path holds a NUL character \(\\x00\), which no "
                                               r"file's name can: got \".*a\\u0000b\"$"):
            Engine.open(path)
        with pytest.raises(InvalidInput, match=r"^path holds a NUL character"):
            Engine.open(tmp_path / "x.db").import_file(path)
    assert not [p for p in tmp_path.iterdir() if not p.name.startswith("x.db")]
    # Found by review: --db naming a named pipe waited for ever (SQLite reads it to see what
    # it holds); a device is no database either.
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")
        with pytest.raises(InvalidInput, match=r"pipe is not a regular file, so not a database "
                                               r"file$"):
            Engine.open(str(tmp_path / "pipe"))
    if os.path.exists(os.devnull):
        with pytest.raises(InvalidInput, match=r"is not a regular file, so not a database file$"):
            Engine.open(os.devnull)


def test_a_callback_that_is_no_function_loses_no_moved_date(engine):
    # A county's 2 working days for the investigation's start move A2's due date (accepted
    # 3/3: 3/6 nationally, 3/5 under the county's rule).
    case_id = engine.open_case(province="shanxi", on=ON, attributes={"county": "甲县"},
                               case_id="A2").id
    engine.fire(case_id, "accept", on=date(2026, 3, 3))
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", "甲县民政局 第1条",
                         date(2026, 1, 5))
    before = dump(engine)
    with pytest.raises(InvalidInput, match=r"^on_moved must be a function"):
        engine.recompute(on_moved="x")
    assert dump(engine) == before
    assert engine.recompute() == [(case_id, "investigation_start", 1, date(2026, 3, 6),
                                   date(2026, 3, 5))]


def test_what_today_is_must_be_a_function(tmp_path):
    from engine import Engine

    with pytest.raises(InvalidInput, match=r"^today must be a function \(a callable\) or None, "
                                           r"got datetime.date\(2026, 3, 2\)"):
        Engine.open(str(tmp_path / "x.db"), today=ON)
    assert not (tmp_path / "x.db").exists()


def test_a_registry_that_is_no_registry_is_named_before_a_file_is_made(tmp_path):
    """Review finding: Engine.open(path, registry="shanxi") made the file and returned an
    engine whose first call failed with AttributeError: 'str' object has no attribute
    'provinces'."""
    from engine import Engine

    with pytest.raises(InvalidInput, match=r'^registry must be an engine.registry.Registry or '
                                           r'None, got "shanxi"$'):
        Engine.open(str(tmp_path / "x.db"), registry="shanxi")
    assert not (tmp_path / "x.db").exists()


def test_a_line_that_is_no_text_is_a_bad_line(engine):
    with pytest.raises(ImportStopped, match=r"^line 2: a line must be text \(str or bytes\), "
                                            r"got 5 \(import stopped"):
        engine.import_lines([json.dumps({"op": "open", "province": "shanxi", "on": "2026-03-02"}),
                             5])
    assert engine.store.db.execute("select count(*) from cases").fetchone()[0] == 0
    result = engine.import_lines([None, b'{"op": "open", "province": "shanxi", "on": "2026-03-02"}'],
                                 skip_invalid=True)
    assert (result.events, result.skipped) == (1, [(1, "a line must be text (str or bytes), got null")])
    # A line given as its object (the likeliest mistake), a list or a bytearray: each was
    # looked up among the byte order mark's lines as a dict's key, and the TypeError
    # ("unhashable type: 'dict'") ended the import, skip_invalid or not.
    given = [{"op": "open", "province": "shanxi", "on": "2026-03-02"}, ["x"], bytearray(b"{}")]
    with pytest.raises(ImportStopped, match=r'^line 1: a line must be text \(str or bytes\), '
                                            r'got \{"op": "open", .*\(import stopped'):
        engine.import_lines(given)
    result = engine.import_lines(given, skip_invalid=True)
    assert (result.events, result.skipped) == (0, [
        (1, 'a line must be text (str or bytes), got {"op": "open", "province": "shanxi", '
            '"on": "2026-03-02"}'),
        (2, 'a line must be text (str or bytes), got ["x"]'),
        (3, "a line must be text (str or bytes), got bytearray(b'{}')")])


def test_a_durability_that_is_no_text_is_named(tmp_path):
    from engine import Engine

    with pytest.raises(InvalidInput, match=r'^durability must be text \(str\), got \["full"\]'):
        Engine.open(str(tmp_path / "x.db"), durability=["full"])
    assert not (tmp_path / "x.db").exists()


def test_a_case_asked_for_on_a_date_outside_the_calendar_is_refused_at_once(engine, case_id):
    # Found by review: the view was returned, and failed later, when its deadlines were
    # first read (to_json) with OutsideCalendar.
    from engine import OutsideCalendar

    with pytest.raises(OutsideCalendar, match=r"^2099-01-01 is outside the calendar"):
        engine.case(case_id, as_of=date(2099, 1, 1))


def test_the_library_names_its_parameters_and_the_command_line_its_options(engine, case_id, db):
    """Found by review: the API's messages named the CLI's options (``--county needs
    --province`` from ``engine.due``, ``--reason`` from ``correct``, ``--basis`` from
    ``set_parameter``); the command line's still do."""
    from helpers import error_line, run

    api = [
        (lambda: engine.due(ON, "3wd", county="甲县"),
         "county needs province (a county's calendar is its province's, with the county's own "
         "days)"),
        (lambda: engine.correct(case_id, 0, on=ON, reason=" "),
         "a correction needs a reason (reason: what was wrong)"),
        (lambda: engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", " ", ON),
         "dibao parameter 'investigation_start' needs its basis (citation: the document and "
         "clause that set it)"),
    ]
    for call, message in api:
        with pytest.raises(InvalidInput) as refused:
            call()
        assert str(refused.value) == message
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", "甲县民政局 第1条", ON)
    with pytest.raises(InvalidInput, match=r"^removing a county's parameter needs its basis "
                                           r"\(citation\)$"):
        engine.set_parameter("shanxi", "甲县", "investigation_start", None, " ", ON)

    opened = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02", "--id", "C1")
    assert opened.exit_code == 0, opened.output
    place = ["--province", "shanxi", "--county", "甲县", "--basis", " ", "--on", "2026-03-02"]
    cli = [
        (["calendar", "due", "2026-03-02", "3wd", "--county", "甲县"],
         "Error: --county needs --province"),
        # (a blank --reason is refused by the option itself, before the engine is asked)
        (["case", "correct", "C1", "0", "--on", "2026-03-02", "--reason", " "],
         "Error: Invalid value for '--reason': must not be blank (leave the option out for "
         "none)"),
        (["parameter", "set", "investigation_start", "2wd", *place],
         "Error: dibao parameter 'investigation_start' needs its basis (--basis: the document "
         "and clause that set it)"),
    ]
    for args, message in cli:
        result = run(db, *args)
        assert (result.exit_code, error_line(result)) == (2, message)
    assert run(db, "parameter", "set", "investigation_start", "2wd", *place[:5], "x", *place[6:]
               ).exit_code == 0
    result = run(db, "parameter", "unset", "investigation_start", *place)
    assert error_line(result) == ("Error: removing a county's parameter needs its basis "
                                  "(--basis)")


@pytest.mark.parametrize("value, shown", [
    (None, "null"), (True, "true"), (False, "false"), (1.5, "1.5"), ("甲县", '"甲县"'),
    ({"a": [None, "x"]}, '{"a": [null, "x"]}'),
    # what would not show as itself is escaped, as before (a terminal escape, a
    # right-to-left override, a full-width space)
    ("x\x1b[31m", '"x\\u001b[31m"'), ("a\u202eb", '"a\\u202eb"'), ("\u3000张三", '"\\u3000张三"'),
    # a number that is not finite as doudi writes it everywhere else (tables, case show,
    # audit findings: NaN, Infinity, -Infinity), also inside a list or mapping; found by
    # review: "payload.x is nan: not a JSON number", Python's spelling, in an error line
    (float("nan"), "NaN"), (float("inf"), "Infinity"), (float("-inf"), "-Infinity"),
    ({"a": [1, float("nan")], "b": float("-inf")}, '{"a": [1, NaN], "b": -Infinity}'),
    # what JSON cannot hold is Python's repr: not turned into a list, a key "1"
    ((1, 2), "(1, 2)"), ({1: 2}, "{1: 2}"), ((1, float("nan")), "(1, nan)"),
    ({1: float("inf")}, "{1: inf}"), (date(2026, 3, 2), "datetime.date(2026, 3, 2)"),
])
def test_a_value_in_an_error_line_is_spelled_as_json(value, shown):
    from engine.arguments import spelled

    assert spelled(value) == shown


def test_a_whole_number_too_long_to_write_out_is_said_as_one():
    """Found by fuzzing: spelled() of a whole number of more than 4,300 digits, which Python
    does not write out, raised ValueError (repr() of it) from inside the error line meant to
    name it; alone, inside a list or mapping, and cut to a limit."""
    from engine.arguments import spelled

    assert [spelled(HUGE), spelled(-HUGE), spelled({"a": [HUGE]}), spelled(HUGE, limit=20)] == [
        "a whole number of more than 4,300 digits", "a whole number of more than 4,300 digits",
        "a dict holding a whole number of more than 4,300 digits", "a whole n…300 digits"]


def test_a_guard_quotes_what_it_got_as_json_spells_it():
    # (a refusal's "got …": nothing when the datum was not given, else the datum as JSON)
    from engine.guards import given

    assert [given(None), given(True), given("maybe"), given(2)] == [
        "nothing", "true", '"maybe"', "2"]


@pytest.mark.parametrize("value, shown", [
    # "…" at character 19 fell inside the escape: "\u…" (the head gives up the escape)
    ("a" * 16 + "\u3000" + "b" * 40, '"' + "a" * 16 + "…" + "b" * 21 + '"'),
    # the tail's cut at 33 fell inside the escape at 31..36: "…3000b…" (the tail gives it up)
    ("a" * 30 + "\u3000" + "b" * 15, '"' + "a" * 18 + "…" + "b" * 15 + '"'),
    # one character beyond the BMP is a surrogate pair, one escape of 12: never split
    ("\U000e0001" * 20, '"\\udb40\\udc01…\\udb40\\udc01\\udb40\\udc01"'),
    # Python's repr escapes too: "\n" at 18..19
    (("a" * 16 + "\n" + "b" * 40,), "('" + "a" * 16 + "…" + "b" * 18 + "',)"),
    # an escaped backslash followed by "u3000" is the backslash's escape, then text
    ("a" * 17 + "\\u3000" + "b" * 40, '"' + "a" * 17 + "…" + "b" * 20 + '"'),
])
def test_a_long_value_is_cut_between_whole_characters(value, shown):
    from engine.arguments import spelled

    assert spelled(value, limit=40) == shown
    assert len(shown) <= 40


@pytest.mark.parametrize("gives", [datetime(2026, 3, 2, 9, 30), "2026-03-02", None])
def test_a_today_that_gives_no_date_is_bad_input_naming_it(tmp_path, gives):
    """Found by a platform's integration: Engine.open(today=datetime.now), a callable as
    asked but giving a datetime (or text, or None), opened, and the first event failed with
    a TypeError ("can't compare datetime.datetime to datetime.date") instead of an
    InvalidInput naming what was wrong; nothing is written."""
    from engine import Engine

    engine = Engine.open(str(tmp_path / "x.db"), today=lambda: gives)
    with pytest.raises(InvalidInput, match=r"^today\(\) must be a date \(datetime\.date\), got "):
        engine.open_case(province="shanxi", on=ON)
    assert engine.store.db.execute("select count(*) from cases").fetchone()[0] == 0
