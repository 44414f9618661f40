"""The checks every event and opening goes through first, at their edges: the calendar's days
(2018-01-01 to 2060-12-31, its first and last day taken, the days either side refused) and the
workflow's events (a misspelt one named before its date is judged). The engine asks these
without a call where the answer is yes, and calls the check only to refuse: the same answers
and the same words either way."""

from __future__ import annotations

from datetime import date

import pytest

from engine import Engine, InvalidInput, OutsideCalendar

OUTSIDE = r"is outside the calendar \(2018-01-01 to 2060-12-31\)$"


@pytest.fixture
def engine(tmp_path):
    # (today after the calendar's last day: only the calendar refuses the dates below)
    return Engine.open(str(tmp_path / "e.db"), today=lambda: date(2061, 6, 1))


def test_a_case_opens_on_the_calendar_s_first_and_last_day_and_not_beside_them(engine):
    for day in (date(2018, 1, 1), date(2060, 12, 31)):
        assert engine.open_case(province="shanxi", on=day,
                                attributes={"county": "甲县"}).history[0]["on"] == day.isoformat()
    for day in (date(2017, 12, 31), date(2061, 1, 1)):
        with pytest.raises(OutsideCalendar, match=rf"^{day.isoformat()} {OUTSIDE}"):
            engine.open_case(province="shanxi", on=day, attributes={"county": "甲县"})


def test_an_event_on_the_calendar_s_last_day_is_judged_and_the_next_day_refused(engine):
    case = engine.open_case(province="shanxi", on=date(2060, 12, 29), attributes={"county": "甲县"})
    with pytest.raises(OutsideCalendar, match=rf"^2061-01-01 {OUTSIDE}"):
        engine.fire(case.id, "accept", on=date(2061, 1, 1))
    # (the day itself is taken: what is refused is the deadline accept starts, which runs past
    # the calendar)
    with pytest.raises(OutsideCalendar, match=r"^2060-12-31 \+30 working days falls outside"):
        engine.fire(case.id, "accept", on=date(2060, 12, 31))
    # (before the case's first event, the calendar refuses first: exit 2, not 1)
    with pytest.raises(OutsideCalendar, match=rf"^2017-12-31 {OUTSIDE}"):
        engine.fire(case.id, "start_investigation", on=date(2017, 12, 31))


def test_a_misspelt_event_is_named_before_its_date_is_judged(engine):
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2), attributes={"county": "甲县"})
    for day in (date(2017, 12, 31), date(2026, 3, 1), date(2026, 3, 3)):
        with pytest.raises(InvalidInput, match=r"^unknown event 'aprove' for workflow 'dibao' "
                                               r"\(events: request_materials, accept, "):
            engine.fire(case.id, "aprove", on=day)
    assert engine.fire(case.id, "accept", on=date(2026, 3, 3)).state == "accepted"
