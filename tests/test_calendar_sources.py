"""The official calendar against two independent sources, and its workalendar-compatible API.

Every day 2018-01-01..2026-12-31 of ``national_calendar()`` is checked against
``chinese_calendar`` and ``holidays`` (test dependencies only). Zero disagreements: a
disagreement is either a bug in ``engine/data/calendar_cn.toml`` or a documented correction
with its notice, to be listed in ``DOCUMENTED_CORRECTIONS`` below (none is needed today;
the 2020 extension, 国办发明电〔2020〕1号, is applied by both sources too).
"""

from __future__ import annotations

import warnings
from datetime import date, datetime, timedelta

import chinese_calendar
import holidays
import pytest
from workalendar.asia import China as WorkalendarChina
from workalendar.core import Calendar as WorkalendarBase

from engine.calendar import (
    PROJECTION_BASIS,
    CalendarOverlay,
    OfficialCalendar,
    load_records,
    national_calendar,
)
from engine.errors import InvalidInput, OutsideCalendar
from engine.periods import due_date

FIRST = date(2018, 1, 1)
LAST = date(2026, 12, 31)

#: day -> (notice that corrects the source, which source) for any deliberate disagreement.
DOCUMENTED_CORRECTIONS: dict[date, str] = {}


def _days(first: date = FIRST, last: date = LAST):
    day = first
    while day <= last:
        yield day
        day += timedelta(1)


@pytest.fixture(scope="module")
def cal() -> OfficialCalendar:
    return national_calendar()


@pytest.fixture(scope="module")
def holidays_cn():
    return holidays.China(years=range(2018, 2027))


@pytest.fixture(scope="module")
def workalendar_cn():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        china = WorkalendarChina()
        for year in range(2018, 2024):  # fill its per-year cache while warnings are off
            china.holidays(year)
    return china


def _describe(cal: OfficialCalendar, day: date) -> str:
    info = cal.day_info(day)
    return f"{day.isoformat()} ours={'work' if info.working else 'off'} ({info.kind} {info.label})"


# -- two independent sources ---------------------------------------------------------------


def test_every_day_agrees_with_chinese_calendar(cal):
    disagreements = [
        f"{_describe(cal, d)} chinese_calendar={'work' if chinese_calendar.is_workday(d) else 'off'}"
        for d in _days()
        if cal.is_working_day(d) != chinese_calendar.is_workday(d) and d not in DOCUMENTED_CORRECTIONS
    ]
    assert not disagreements, f"{len(disagreements)} disagreements:\n" + "\n".join(disagreements)


def test_every_day_agrees_with_holidays(cal, holidays_cn):
    disagreements = [
        f"{_describe(cal, d)} holidays={'work' if holidays_cn.is_working_day(d) else 'off'}"
        for d in _days()
        if cal.is_working_day(d) != holidays_cn.is_working_day(d) and d not in DOCUMENTED_CORRECTIONS
    ]
    assert not disagreements, f"{len(disagreements)} disagreements:\n" + "\n".join(disagreements)


def test_the_check_covers_every_day_of_nine_years():
    assert sum(1 for _ in _days()) == 3287  # 2018..2026: 9 years, 2020 and 2024 leap


def test_2020_spring_festival_extension_is_applied(cal):
    """国办发明电〔2020〕1号 extended 春节 to 2020-02-02 (Sunday); 2020-02-03 back at work."""
    for day in (date(2020, 1, 31), date(2020, 2, 1), date(2020, 2, 2)):
        assert not cal.is_working_day(day), day
        assert cal.day_info(day).source == "国办发明电〔2020〕1号"
    # The original notice's make-up Saturday 2020-02-01 was never worked.
    assert cal.day_info(date(2020, 2, 1)).kind == "holiday"
    assert cal.is_working_day(date(2020, 2, 3))


def test_make_up_days_are_exactly_the_sources_weekend_workdays(cal, holidays_cn):
    """Every 调休上班 day is a weekend day and a working day, and both sources list the same set."""
    ours = {d for d in _days() if cal.day_info(d).kind == "make_up"}
    theirs = {d for d in holidays_cn.weekend_workdays if FIRST <= d <= LAST}
    assert ours == theirs
    cc = {d for d in _days() if d.weekday() >= 5 and chinese_calendar.is_workday(d)}
    assert ours == cc
    for day in ours:
        assert day.weekday() >= 5, day
        assert cal.is_working_day(day), day
    # Spot checks from the notices: 2025-02-08 (国办发明电〔2024〕12号), 2026-02-14 and
    # 2026-02-28 (国办发明电〔2025〕7号), 2018-12-29 (named by the 2019 notice, 国办发明电〔2018〕15号).
    assert {date(2025, 2, 8), date(2026, 2, 14), date(2026, 2, 28), date(2018, 12, 29)} <= ours
    assert cal.day_info(date(2018, 12, 29)).source == "国办发明电〔2018〕15号"


# -- workalendar API compatibility ---------------------------------------------------------


def test_is_a_workalendar_calendar(cal):
    assert isinstance(cal, WorkalendarBase)


def test_holidays_of_a_year_are_date_label_pairs(cal):
    result = cal.holidays(2025)
    assert isinstance(result, list)
    assert all(isinstance(d, date) and isinstance(label, str) for d, label in result)
    assert result == sorted(result)
    assert all(d.year == 2025 for d, _ in result)
    # 国办发明电〔2024〕12号: 元旦 1/1; 春节 1/28–2/4; 清明 4/4–4/6; 劳动节 5/1–5/5;
    # 端午 5/31–6/2; 国庆、中秋 10/1–10/8 — 1 + 8 + 3 + 5 + 3 + 8 = 28 days off.
    assert len(result) == 28
    assert (date(2025, 1, 1), "元旦") in result
    assert (date(2025, 1, 28), "春节") in result
    assert (date(2025, 10, 8), "国庆节、中秋节") in result
    # Make-up working days are not holidays.
    assert date(2025, 2, 8) not in {d for d, _ in result}
    # The list is the caller's: changing it changes no calendar (workalendar caches its own).
    result.clear()
    assert len(cal.holidays(2025)) == 28 and cal.is_holiday(date(2025, 1, 1))
    assert cal.get_holiday_label(date(2025, 5, 3)) == "劳动节"
    assert cal.is_holiday(date(2025, 5, 3))
    assert not cal.is_holiday(date(2025, 5, 6))


def test_holidays_agree_with_workalendar_where_it_has_data(cal, workalendar_cn):
    """workalendar knows 2018–2023; its day-off sets equal ours on weekdays (2020-01-31 aside)."""
    for year in range(2018, 2024):
        ours = {d for d, _ in cal.holidays(year) if d.weekday() < 5}
        theirs = {d for d, _ in workalendar_cn.holidays(year) if d.weekday() < 5 and d.year == year}
        if year == 2020:  # 国办发明电〔2020〕1号, which workalendar never applied
            theirs.add(date(2020, 1, 31))
        assert ours == theirs, year


def test_is_working_day_with_extra_days_as_workalendar(cal):
    monday = date(2025, 3, 3)
    saturday = date(2025, 3, 8)
    assert cal.is_working_day(monday)
    assert not cal.is_working_day(monday, extra_holidays=[monday])
    assert cal.is_working_day(saturday, extra_working_days=[saturday])
    # extra_working_days wins over extra_holidays (workalendar's documented priority).
    assert cal.is_working_day(monday, extra_working_days=[monday], extra_holidays=[monday])
    # A statutory day off can be declared worked.
    assert cal.is_working_day(date(2025, 1, 28), extra_working_days=[date(2025, 1, 28)])
    # datetimes are accepted, as in workalendar.
    assert cal.is_working_day(datetime(2025, 3, 3, 9, 30))


def test_unrelated_extra_holidays_keep_make_up_days_working(cal, workalendar_cn):
    """Giving extra days must not drop the official make-up Saturdays.

    2023-01-28 (Sat) is a 春节 make-up working day (国办发明电〔2022〕16号); workalendar's own
    China calendar keeps it working when an unrelated extra holiday is passed. Ours must too,
    and likewise for 2025-02-08 (国办发明电〔2024〕12号).
    """
    extra = [date(2023, 3, 1)]
    assert workalendar_cn.is_working_day(date(2023, 1, 28), extra_holidays=extra)
    assert cal.is_working_day(date(2023, 1, 28), extra_holidays=extra)
    assert cal.is_working_day(date(2025, 2, 8), extra_holidays=[date(2025, 3, 3)])
    assert cal.is_working_day(date(2025, 2, 8), extra_working_days=[date(2025, 3, 8)])


def test_add_working_days_with_extra_holidays_keeps_make_up_days(cal, workalendar_cn):
    """+5 wd from Friday 2023-01-20 (国办发明电〔2022〕16号: 春节 1/21–1/27, make-up 1/28, 1/29):
    1/28 Sat (1), 1/29 Sun (2), 1/30 (3), 1/31 (4), 2/1 (5) → 2023-02-01, with or without an
    unrelated extra holiday in March; workalendar agrees."""
    start, extra = date(2023, 1, 20), [date(2023, 3, 1)]
    assert workalendar_cn.add_working_days(start, 5, extra_holidays=extra) == date(2023, 2, 1)
    assert cal.add_working_days(start, 5) == date(2023, 2, 1)
    assert cal.add_working_days(start, 5, extra_holidays=extra) == date(2023, 2, 1)


def test_add_working_days_extra_holiday_counts(cal):
    # Monday 2025-03-03 +2 wd = 03-05; with 03-04 declared off it is 03-06.
    assert cal.add_working_days(date(2025, 3, 3), 2) == date(2025, 3, 5)
    assert cal.add_working_days(date(2025, 3, 3), 2, extra_holidays=[date(2025, 3, 4)]) == date(2025, 3, 6)
    # Saturday 03-08 declared worked: Friday 03-07 +1 wd = 03-08.
    assert cal.add_working_days(date(2025, 3, 7), 1, extra_working_days=[date(2025, 3, 8)]) == date(
        2025, 3, 8
    )


def test_add_working_days_negative_and_zero(cal, workalendar_cn):
    # Zero: the day itself (workalendar's behaviour), even on a day off.
    assert cal.add_working_days(date(2025, 1, 29), 0) == date(2025, 1, 29)
    # -1 wd from Wednesday 2025-02-05 (国办发明电〔2024〕12号: 1/28–2/4 off): back over the holiday
    # to Monday 1/27 (1); -2: Sunday 1/26, a make-up day (2); -3: Friday 1/24 (3).
    assert cal.add_working_days(date(2025, 2, 5), -1) == date(2025, 1, 27)
    assert cal.add_working_days(date(2025, 2, 5), -2) == date(2025, 1, 26)
    assert cal.add_working_days(date(2025, 2, 5), -3) == date(2025, 1, 24)
    # From a day off the walk back starts at the day before: Saturday 2025-02-01 -1 = 1/27.
    assert cal.add_working_days(date(2025, 2, 1), -1) == date(2025, 1, 27)
    assert cal.sub_working_days(date(2025, 2, 5), 3) == date(2025, 1, 24)
    # Same as workalendar on its data years, both directions.
    for start in (date(2019, 10, 8), date(2021, 2, 18), date(2022, 10, 10), date(2023, 6, 26)):
        for delta in (-15, -7, -1, 1, 7, 15):
            assert cal.add_working_days(start, delta) == workalendar_cn.add_working_days(start, delta)


def test_keep_datetime_returns_a_datetime(cal):
    result = cal.add_working_days(datetime(2025, 1, 20, 10, 0), 10, keep_datetime=True)
    assert result == datetime(2025, 2, 8, 10, 0)


def test_get_working_days_delta_as_workalendar(cal, workalendar_cn):
    # (2025-01-20, 2025-02-08]: the 10 working days of the +10 wd case (国办发明电〔2024〕12号).
    assert cal.get_working_days_delta(date(2025, 1, 20), date(2025, 2, 8)) == 10
    assert cal.get_working_days_delta(date(2025, 2, 8), date(2025, 1, 20)) == 10
    assert cal.get_working_days_delta(date(2025, 1, 20), date(2025, 2, 8), include_start=True) == 11
    assert cal.working_days_between(date(2025, 1, 20), date(2025, 2, 8)) == 10
    assert cal.working_days_between(date(2025, 2, 8), date(2025, 1, 20)) == 0
    for start, end in ((date(2019, 9, 25), date(2019, 10, 20)), (date(2022, 1, 1), date(2022, 3, 1))):
        assert cal.get_working_days_delta(start, end) == workalendar_cn.get_working_days_delta(start, end)
        assert cal.working_days_between(start, end) == workalendar_cn.get_working_days_delta(start, end)


# -- outside the calendar ------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_working_day(date(2017, 12, 31)),
        lambda c: c.day_info(date(2017, 6, 1)),
        lambda c: c.add_working_days(date(2017, 12, 29), 3),
        lambda c: c.add_working_days_bulk([date(2017, 12, 29)], [3]),
        lambda c: due_date(c, date(2017, 12, 29), "7d"),
        lambda c: c.add_working_days(date(2018, 1, 2), -1),  # would land in 2017
        # The docstring's "every call": these answered False, or raised workalendar's
        # CalendarError (no ValueError), before.
        lambda c: c.is_holiday(date(2017, 12, 31)),
        lambda c: c.is_holiday(date(1999, 1, 1)),
        lambda c: c.is_holiday(date(2017, 12, 31), extra_holidays=[date(2017, 12, 31)]),
        lambda c: c.holidays(2017),
        lambda c: c.holidays(1999),
        lambda c: c.get_holiday_label(date(2017, 10, 1)),
    ],
)
def test_2017_is_outside_the_calendar(cal, call):
    with pytest.raises(OutsideCalendar) as info:
        call(cal)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, InvalidInput)


def test_past_the_index_is_refused(cal):
    with pytest.raises(OutsideCalendar):
        cal.is_working_day(date(2061, 1, 3))
    with pytest.raises(OutsideCalendar, match="2061-01-01 is outside the calendar"):
        cal.is_holiday(date(2061, 1, 1))
    with pytest.raises(OutsideCalendar, match="2061 is outside the calendar"):
        cal.holidays(2061)


def test_is_holiday_asks_a_datetime_about_its_date(cal, workalendar_cn):
    """As workalendar's: 2025-01-28 (春节, 国办发明电〔2024〕12号) is a holiday at 09:00 too."""
    assert cal.is_holiday(datetime(2025, 1, 28, 9, 0))
    # 春节 2021-02-11..17 (国办发明电〔2020〕27号): as workalendar says.
    assert cal.is_holiday(datetime(2021, 2, 11, 9, 0))
    assert workalendar_cn.is_holiday(datetime(2021, 2, 11, 9, 0))
    assert not cal.is_holiday(datetime(2025, 2, 8, 9, 0))  # a make-up working Saturday


# -- what is no date -----------------------------------------------------------------------

NOT_DATES = [None, "2026-03-02", True, 20260302]
MONDAY = date(2026, 3, 2)


@pytest.mark.parametrize("given", [*NOT_DATES, datetime(2026, 3, 2, 9, 0)])
@pytest.mark.parametrize(
    "call, name",
    [
        # This calendar's own methods refuse a datetime too, as the engine's dates do
        # (arguments.a_date): check(datetime) passed, working_days_between a TypeError.
        (lambda c, x: c.check(x), "day"),
        (lambda c, x: c.day_info(x), "day"),
        (lambda c, x: c.is_provisional(x), "day"),
        (lambda c, x: c.working_days_between(x, MONDAY), "start"),
        (lambda c, x: c.working_days_between(MONDAY, x), "end"),
        (lambda c, x: c.sources_between(x, MONDAY), "start"),
        (lambda c, x: c.sources_between(MONDAY, x), "end"),
        (lambda c, x: c.add_working_days_bulk([MONDAY, x], [1, 1]), r"starts\[1\]"),
        (lambda c, x: c.add_working_days_bulk([x], [1]), r"starts\[0\]"),
    ],
)
def test_own_methods_name_what_is_no_date(cal, call, name, given):
    """Found by fuzzing: AttributeError ('str' object has no attribute 'toordinal'), a
    TypeError comparing, or (a datetime) no error at all; now one line naming the argument."""
    with pytest.raises(InvalidInput, match=f"^{name} must be a date \\(datetime.date\\), got "):
        call(cal, given)


@pytest.mark.parametrize("given", NOT_DATES)
@pytest.mark.parametrize(
    "call, name",
    [
        (lambda c, x: c.is_working_day(x), "day"),
        (lambda c, x: c.is_holiday(x), "day"),  # (workalendar's UnsupportedDateType: no ValueError)
        (lambda c, x: c.add_working_days(x, 3), "day"),
        (lambda c, x: c.add_working_days(x, 3, keep_datetime=True), "day"),
        (lambda c, x: c.sub_working_days(x, 3), "day"),
        (lambda c, x: c.get_working_days_delta(x, MONDAY), "start"),
        (lambda c, x: c.get_working_days_delta(MONDAY, x), "end"),
    ],
)
def test_workalendar_methods_name_what_is_no_date(cal, call, name, given):
    with pytest.raises(InvalidInput, match=f"^{name} must be a date \\(datetime.date\\), got "):
        call(cal, given)


def test_workalendar_methods_still_ask_a_datetime_about_its_date(cal):
    """As workalendar's (above): 2025-01-20 (Mon) +3 wd = 01-23; 2025-01-28 (春节,
    国办发明电〔2024〕12号) is no working day at 09:00 either, unless declared one."""
    assert cal.add_working_days(datetime(2025, 1, 20, 9, 0), 3) == date(2025, 1, 23)
    assert not cal.is_working_day(datetime(2025, 1, 28, 9, 0))
    assert cal.is_working_day(datetime(2025, 1, 28, 9, 0), extra_working_days=[date(2025, 1, 28)])
    assert cal.get_working_days_delta(datetime(2025, 1, 20, 9, 0), date(2025, 2, 8)) == 10


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda c: c.add_working_days(MONDAY, "3"), 'delta must be a whole number (int), got "3"'),
        (lambda c: c.add_working_days(MONDAY, 1.5), "delta must be a whole number (int), got 1.5"),
        (lambda c: c.add_working_days(MONDAY, None), "delta must be a whole number (int), got null"),
        # workalendar's sub_working_days takes abs(delta) first: text or None was its TypeError
        # ("bad operand type for abs(): 'str'"); 1.5 was named as -1.5, which nobody gave.
        (lambda c: c.sub_working_days(MONDAY, "3"), 'delta must be a whole number (int), got "3"'),
        (lambda c: c.sub_working_days(MONDAY, None), "delta must be a whole number (int), got null"),
        (lambda c: c.sub_working_days(MONDAY, 1.5), "delta must be a whole number (int), got 1.5"),
        (lambda c: c.sub_working_days(MONDAY, "3", keep_datetime=True),
         'delta must be a whole number (int), got "3"'),
        # No sequence was no starts: None, an empty set, "" or 0 gave [] without a word, and
        # starts given with counts for none of them too; a set's order pairs nothing.
        (lambda c: c.add_working_days_bulk(None, [1]),
         "starts must be a sequence (a list or tuple), got null"),
        (lambda c: c.add_working_days_bulk([], None),
         "counts must be a sequence (a list or tuple), got null"),
        (lambda c: c.add_working_days_bulk(set(), []),
         "starts must be a sequence (a list or tuple), got set()"),
        (lambda c: c.add_working_days_bulk({MONDAY}, [1]),
         "starts must be a sequence (a list or tuple), got {datetime.date(2026, 3, 2)}"),
        (lambda c: c.add_working_days_bulk(MONDAY, [1]),
         "starts must be a sequence (a list or tuple), got datetime.date(2026, 3, 2)"),
        (lambda c: c.add_working_days_bulk([MONDAY], 3),
         "counts must be a sequence (a list or tuple), got 3"),
        (lambda c: c.add_working_days_bulk("", ""), 'starts must be a sequence (a list or tuple), got ""'),
        (lambda c: c.add_working_days_bulk([], [1]), "starts and counts differ in length"),
        (lambda c: c.add_working_days_bulk([MONDAY, MONDAY], [1, "3"]),
         'counts[1] must be a whole number (int), got "3"'),
        (lambda c: c.add_working_days_bulk([MONDAY, MONDAY], [3, 1.5]),
         "counts[1] must be a whole number (int), got 1.5"),
        (lambda c: c.holidays("2026"), 'year must be a whole number (int), got "2026"'),
        (lambda c: c.holidays(True), "year must be a whole number (int), got true"),
        (lambda c: c.get_calendar_holidays("2026"),
         'year must be a whole number (int), got "2026"'),
    ],
)
def test_counts_and_years_that_are_no_whole_number_are_named(cal, call, message):
    with pytest.raises(InvalidInput) as info:
        call(cal)
    assert str(info.value) == message


def test_sub_working_days_counts_back_and_a_bool_counts_as_one_as_in_add_working_days(cal):
    """sub_working_days(d, n) is add_working_days(d, -n), and n's sign is dropped, as
    workalendar's says. 2026-03-02 (Mon) back 3 working days: 02-28 (Sat) is the 春节 make-up
    working day (国办发明电〔2025〕7号), 02-27 (Fri) and 02-26 (Thu): 02-26. True counts as 1
    (an int, as add_working_days counts it): 02-28."""
    assert cal.sub_working_days(MONDAY, 3) == cal.sub_working_days(MONDAY, -3) == date(2026, 2, 26)
    assert cal.sub_working_days(MONDAY, True) == cal.add_working_days(MONDAY, -1) == date(2026, 2, 28)
    assert cal.add_working_days_bulk([], []) == cal.add_working_days_bulk((), range(0)) == []


@pytest.mark.parametrize("call, words", [
    (lambda c: c.add_working_days(MONDAY, 10 ** 5000), "plus"),
    (lambda c: c.add_working_days(MONDAY, -(10 ** 5000)), "minus"),
    (lambda c: c.sub_working_days(MONDAY, 10 ** 5000), "minus"),
])
def test_a_count_of_more_digits_than_python_writes_is_outside_the_calendar(cal, call, words):
    """Found by review: a delta of 5,001 digits reached the refusal, whose ``{delta:+d}`` was a
    ValueError advising sys.set_int_max_str_digits(), not the OutsideCalendar it was to be."""
    with pytest.raises(OutsideCalendar) as info:
        call(cal)
    assert str(info.value) == (f"2026-03-02 {words} a whole number of more than 4,300 digits "
                               "working days falls outside the calendar (2018–2060)")


@pytest.mark.parametrize(
    "start, end",
    [(MONDAY, date(9999, 12, 31)), (date(9999, 12, 31), date(9999, 12, 31)), (date(1, 1, 1), MONDAY)],
)
def test_sources_between_outside_the_calendar_is_refused(cal, start, end):
    """9999-12-31 was an OverflowError (the day after it), and 0001-01-01 walked 739,000 days
    to name the notices of 2018–2026: outside the calendar, as every other call says."""
    with pytest.raises(OutsideCalendar, match=r"^\d{4}-\d\d-\d\d is outside the calendar"):
        cal.sources_between(start, end)


def test_a_date_subclass_is_still_a_date(cal):
    class Day(date):
        pass

    cal.check(Day(2026, 3, 2))
    assert cal.working_days_between(Day(2026, 3, 2), Day(2026, 3, 9)) == 5
    assert cal.add_working_days_bulk([Day(2026, 3, 2)], [5]) == [date(2026, 3, 9)]
    assert cal.add_working_days(Day(2026, 3, 2), 5) == date(2026, 3, 9)


# -- provisional ---------------------------------------------------------------------------


def test_2027_is_provisional_2026_is_not(cal):
    assert cal.is_provisional(date(2027, 3, 1))
    assert cal.day_info(date(2027, 3, 1)).provisional
    # Changed with late-December provisionality: 2026-12-31 was asserted official here, but
    # the 2027 notice can still change it (as the 2019 notice did 2018-12-29..31), so the
    # last day of 2026 that stays official is 12-24.
    assert not cal.is_provisional(date(2026, 12, 24))
    assert not cal.day_info(date(2026, 12, 24)).provisional
    assert cal.is_provisional(date(2026, 12, 31))
    assert cal.last_official_year == 2026
    # 2027-01-01 (Friday) is projected off from the statute, not from a notice.
    info = cal.day_info(date(2027, 1, 1))
    assert not info.working and info.kind == "projected_off" and info.source == PROJECTION_BASIS


def test_due_date_crossing_into_2027_is_provisional(cal):
    # Monday 2026-12-21: 12/22 (1), 12/23 (2), 12/24 (3) → ends before 12-25, official.
    before_25 = due_date(cal, date(2026, 12, 21), "3wd")
    assert before_25.due == date(2026, 12, 24)
    assert not before_25.provisional
    assert PROJECTION_BASIS not in before_25.basis
    # Monday 2026-12-28: 12/29 (1), 12/30 (2), 12/31 (3) → ends in 2026, but from 12-25 on
    # the 2027 notice can still change the days (changed: this was asserted official).
    ends_2026 = due_date(cal, date(2026, 12, 28), "3wd")
    assert ends_2026.due == date(2026, 12, 31)
    assert ends_2026.provisional
    assert PROJECTION_BASIS in ends_2026.basis
    # +4: 2027-01-01 projected 元旦 (Fri), 1/2–1/3 weekend, 1/4 Mon (4) → provisional.
    into_2027 = due_date(cal, date(2026, 12, 28), "4wd")
    assert into_2027.due == date(2027, 1, 4)
    assert into_2027.provisional
    assert PROJECTION_BASIS in into_2027.basis
    assert due_date(cal, date(2026, 12, 20), "1m").provisional  # 2027-01-20


def test_the_end_of_december_of_the_last_official_year_is_provisional():
    """国办发明电〔2018〕15号 (the 2019 notice): 元旦 2018-12-30..2019-01-01 off, Saturday
    2018-12-29 worked. With only the 2018 record those days are ordinary weekend days and
    weekdays, so a count over them must be provisional until the 2019 record is added.

    Wed 2018-12-26 + 3wd, 2018 record only: 12/27 Thu (1), 12/28 Fri (2), 12/29 Sat off,
    12/30 Sun off, 12/31 Mon (3) → 2018-12-31, provisional. With the 2019 record: 12/27 (1),
    12/28 (2), 12/29 Sat make-up (3) → 2018-12-29, official.
    """
    records = load_records()
    only_2018 = OfficialCalendar(records[:1])
    projected = due_date(only_2018, date(2018, 12, 26), "3wd")
    assert (projected.due, projected.provisional) == (date(2018, 12, 31), True)
    assert projected.basis.endswith("；工作日依国办发明电〔2017〕12号、" + PROJECTION_BASIS)
    official = due_date(OfficialCalendar(records[:2]), date(2018, 12, 26), "3wd")
    assert (official.due, official.provisional) == (date(2018, 12, 29), False)
    assert PROJECTION_BASIS not in official.basis
    # The window starts on 12-25 (the last weekend before 1 January starts no earlier):
    # 12-24 is official, 12-25 on is provisional, in every look-up built on the calendar.
    assert not only_2018.is_provisional(date(2018, 12, 24))
    assert not only_2018.day_info(date(2018, 12, 24)).provisional
    assert PROJECTION_BASIS not in only_2018.sources_between(date(2018, 12, 20), date(2018, 12, 24))
    assert only_2018.is_provisional(date(2018, 12, 25))
    assert only_2018.day_info(date(2018, 12, 25)).provisional
    assert only_2018.day_info(date(2018, 12, 29)).provisional  # the Saturday 2019 made worked
    assert PROJECTION_BASIS in only_2018.sources_between(date(2018, 12, 20), date(2018, 12, 25))


def test_late_december_2026_is_provisional_on_the_national_calendar(cal):
    """The packaged data ends with the 2026 notice: Fri 2026-12-25 .. Thu 12-31 may still be
    changed by the 2027 one. Thu 12-24 + 7d → Thu 12-31 (a working day, not moved by 第203条),
    provisional; Mon 12-14 + 10d → Thu 12-24, official."""
    assert due_date(cal, date(2026, 12, 24), "7d").provisional
    assert due_date(cal, date(2026, 12, 24), "7d").due == date(2026, 12, 31)
    assert not due_date(cal, date(2026, 12, 14), "10d").provisional
    assert due_date(cal, date(2026, 12, 14), "10d").due == date(2026, 12, 24)
    assert cal.first_provisional_day == date(2026, 12, 25)


# -- local overlays ------------------------------------------------------------------------


def test_overlay_changes_results_and_names_its_source(cal):
    source = "某自治州人民政府关于某节放假的通知（测试）"
    overlay = CalendarOverlay(
        source=source,
        days_off=[(date(2025, 3, 4), "地方节日")],
        working_days=[(date(2025, 3, 8), "地方调休上班")],
    )
    local = OfficialCalendar(cal.records, [overlay])
    assert not local.is_working_day(date(2025, 3, 4))
    assert local.is_working_day(date(2025, 3, 8))
    assert cal.is_working_day(date(2025, 3, 4)) and not cal.is_working_day(date(2025, 3, 8))

    off, work = local.day_info(date(2025, 3, 4)), local.day_info(date(2025, 3, 8))
    assert (off.kind, off.label, off.source) == ("local_off", "地方节日", source)
    assert (work.kind, work.label, work.source) == ("local_work", "地方调休上班", source)
    assert source in off.describe()

    # Monday 2025-03-03 +2 wd: nationally 03-05; locally 03-04 is off → 03-06.
    assert cal.add_working_days(date(2025, 3, 3), 2) == date(2025, 3, 5)
    assert local.add_working_days(date(2025, 3, 3), 2) == date(2025, 3, 6)
    # Friday 2025-03-07 +1 wd: nationally Monday 03-10; locally Saturday 03-08 is worked.
    assert local.add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 8)
    assert local.add_working_days_bulk([date(2025, 3, 3), date(2025, 3, 7)], [2, 1]) == [
        date(2025, 3, 6),
        date(2025, 3, 8),
    ]
    result = due_date(local, date(2025, 3, 3), "2wd")
    assert result.due == date(2025, 3, 6)
    assert source in result.basis
    # The national calendar itself is untouched.
    assert national_calendar().is_working_day(date(2025, 3, 4))


def test_overlays_that_disagree_about_a_day_are_refused_and_a_county_one_decides_for_its_county(
        cal):
    province_off = CalendarOverlay("某州通知一（测试）", days_off=[(date(2025, 3, 4), "地方节日")])
    province_work = CalendarOverlay("某州通知二（测试）", working_days=[(date(2025, 3, 4), "调休")])
    county_work = CalendarOverlay("某县通知（测试）", working_days=[(date(2025, 3, 4), "调休")],
                                  county="甲县")
    # The one listed last won, silently (Tuesday 2025-03-04 off or worked by the list's order).
    with pytest.raises(ValueError) as refused:
        OfficialCalendar(cal.records, [province_work, province_off])
    assert str(refused.value) == ("2025-03-04 is a day off in '某州通知一（测试）' and a working "
                                  "day in '某州通知二（测试）': the overlays disagree")
    # A county's own document decides for its county, in whichever order they are listed.
    for listed in ([county_work, province_off], [province_off, county_work]):
        local = OfficialCalendar(cal.records, listed)
        assert local.is_working_day(date(2025, 3, 4))
        assert local.day_info(date(2025, 3, 4)).source == "某县通知（测试）"


def test_overlays_that_agree_about_a_day_name_every_document_and_name(cal):
    # Tuesday 2025-03-04 off by two province-wide documents, each with its name for the day:
    # both named, each once, in the order listed (the one listed last alone was named).
    first = CalendarOverlay("某州通知一（测试）", days_off=[(date(2025, 3, 4), "三月三")])
    second = CalendarOverlay("某州通知二（测试）", days_off=[(date(2025, 3, 4), "壮族三月三")])
    local = OfficialCalendar(cal.records, [first, second, first])
    info = local.day_info(date(2025, 3, 4))
    assert not info.working
    assert info.describe() == ("2025-03-04 周二 休息日：三月三、壮族三月三（某州通知一（测试）、"
                               "某州通知二（测试））")
    assert local.sources_between(date(2025, 3, 3), date(2025, 3, 5)) == [
        "某州通知一（测试）", "某州通知二（测试）"]
    assert local.add_working_days(date(2025, 3, 3), 1) == date(2025, 3, 5)


def test_an_overlay_repeating_the_national_notice_names_both(cal):
    # 国办发明电〔2025〕7号: 国庆节 off 2026-10-01..07, Saturday 10-10 worked. An overlay
    # repeating Thursday 10-01 off and 10-10 worked named itself alone, the notice gone.
    notice = "国办发明电〔2025〕7号"
    local_document = "某州通知（测试）"
    overlay = CalendarOverlay(local_document, days_off=[(date(2026, 10, 1), "国庆")],
                              working_days=[(date(2026, 10, 10), "国庆节调休上班")])
    local = OfficialCalendar(cal.records, [overlay])
    off = local.day_info(date(2026, 10, 1))
    assert (off.working, off.kind, off.sources()) == (False, "holiday", (notice, local_document))
    assert off.describe() == f"2026-10-01 周四 休息日：国庆节、国庆（{notice}、{local_document}）"
    work = local.day_info(date(2026, 10, 10))
    assert (work.working, work.kind, work.label) == (True, "make_up", "国庆节调休上班")
    assert work.source == f"{notice}、{local_document}"
    # Wednesday 09-30 + 1wd: 10-01..10-07 off, Thursday 10-08 the first working day; the
    # basis names the notice first, then the overlay (it named the overlay, then the notice
    # only for 10-02..07).
    result = due_date(local, date(2026, 9, 30), "1wd")
    assert result.due == date(2026, 10, 8)
    assert result.basis.endswith(f"；工作日依{notice}、{local_document}")
    # An overlay that disagrees with the notice still decides: 10-01 worked locally.
    worked = OfficialCalendar(cal.records, [CalendarOverlay(
        local_document, working_days=[(date(2026, 10, 1), "调休上班")])])
    assert worked.day_info(date(2026, 10, 1)).source == local_document
    assert worked.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 1)


def test_a_county_overlay_giving_back_the_national_day_off_names_the_notice_too(cal):
    # 国办发明电〔2025〕7号 gives Thursday 2026-10-01 off. A province-wide document works it;
    # a county's gives it back for its county: both the notice and the county's document are
    # in force there, but the county's alone was named.
    notice = "国办发明电〔2025〕7号"
    province = CalendarOverlay("某州通知（测试）", working_days=[(date(2026, 10, 1), "调休上班")])
    county = CalendarOverlay("某县通知（测试）", days_off=[(date(2026, 10, 1), "国庆")],
                             county="甲县")
    local = OfficialCalendar(cal.records, [province, county])
    info = local.day_info(date(2026, 10, 1))
    assert (info.working, info.kind, info.sources()) == (False, "holiday",
                                                         (notice, "某县通知（测试）"))
    # Wednesday 09-30 + 1wd: 10-01..10-07 off in 甲县, Thursday 10-08 the first working day.
    result = due_date(local, date(2026, 9, 30), "1wd")
    assert result.due == date(2026, 10, 8)
    # Province-wide alone, the day is worked, on the province's document alone.
    worked = OfficialCalendar(cal.records, [province]).day_info(date(2026, 10, 1))
    assert (worked.working, worked.sources()) == (True, ("某州通知（测试）",))
    # A day the national notice does not set, given off by the county over the province's
    # working day, names the county's document alone (Tuesday 2025-03-04).
    plain = OfficialCalendar(cal.records, [
        CalendarOverlay("某州通知（测试）", working_days=[(date(2025, 3, 4), "调休")]),
        CalendarOverlay("某县通知（测试）", days_off=[(date(2025, 3, 4), "地方节日")],
                        county="甲县")]).day_info(date(2025, 3, 4))
    assert (plain.working, plain.sources()) == (False, ("某县通知（测试）",))


def test_overlays_for_two_counties_are_refused(cal):
    # 甲县 gives Tuesday 2025-03-04 off, 乙县 works it: both were applied, the one listed last
    # deciding, a calendar for neither county's cases.
    county_off = CalendarOverlay("甲县通知（测试）", days_off=[(date(2025, 3, 4), "地方节日")],
                                 county="甲县")
    other_work = CalendarOverlay("乙县通知（测试）", working_days=[(date(2025, 3, 8), "调休")],
                                 county="乙县")
    province = CalendarOverlay("某州通知（测试）", days_off=[(date(2025, 3, 5), "地方节日")])
    with pytest.raises(ValueError) as refused:
        OfficialCalendar(cal.records, [province, county_off, other_work])
    assert str(refused.value) == ("overlays for '甲县' and '乙县': a calendar is one county's "
                                  "(the province-wide overlays and that county's)")
    # One county's with the province-wide ones is a calendar.
    local = OfficialCalendar(cal.records, [county_off, province])
    assert local.add_working_days(date(2025, 3, 3), 1) == date(2025, 3, 6)
