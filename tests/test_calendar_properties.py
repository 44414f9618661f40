"""Properties of working-day arithmetic, checked with hypothesis against a plain day-by-day walk.

Starts 2018-01-01..2026-06-30, N 1..60 (so every due date stays inside the official years
up to early 2027 at most).
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from workalendar.core import Calendar as WorkalendarBase

from engine.calendar import national_calendar
from engine.periods import due_date

CAL = national_calendar()
STARTS = st.dates(min_value=date(2018, 1, 1), max_value=date(2026, 6, 30))
COUNTS = st.integers(min_value=1, max_value=60)
UNITS = st.sampled_from(["wd", "d", "m"])
SETTINGS = settings(max_examples=300, deadline=None)


def walk(start: date, n: int) -> date:
    """The N-th working day after ``start``, walking one day at a time on is_working_day."""
    day, seen = start, 0
    while seen < n:
        day += timedelta(1)
        if CAL.is_working_day(day):
            seen += 1
    return day


@SETTINGS
@given(start=STARTS, n=COUNTS)
def test_result_is_a_working_day_after_the_start(start, n):
    due = CAL.add_working_days(start, n)
    assert due > start
    assert CAL.is_working_day(due)


@SETTINGS
@given(start=STARTS, n=COUNTS)
def test_exactly_n_working_days_and_due_is_the_nth(start, n):
    due = CAL.add_working_days(start, n)
    strictly_between = sum(CAL.is_working_day(start + timedelta(k)) for k in range(1, (due - start).days))
    assert strictly_between == n - 1
    assert CAL.working_days_between(start, due) == n
    assert CAL.get_working_days_delta(start, due) == n


@SETTINGS
@given(a=STARTS, b=STARTS, n=COUNTS, unit=UNITS)
def test_monotonic_in_start(a, b, n, unit):
    first, second = sorted((a, b))
    duration = f"{n}{unit}"
    assert due_date(CAL, first, duration).due <= due_date(CAL, second, duration).due


@SETTINGS
@given(start=STARTS, n=COUNTS, m=COUNTS, unit=UNITS)
def test_monotonic_in_n(start, n, m, unit):
    small, large = sorted((n, m))
    assert due_date(CAL, start, f"{small}{unit}").due <= due_date(CAL, start, f"{large}{unit}").due
    if unit == "wd" and small < large:
        assert CAL.add_working_days(start, small) < CAL.add_working_days(start, large)


@SETTINGS
@given(start=STARTS, n=COUNTS, unit=UNITS)
def test_every_due_date_is_a_working_day_on_or_after_the_nominal_end(start, n, unit):
    result = due_date(CAL, start, f"{n}{unit}")
    assert CAL.is_working_day(result.due)
    assert result.due >= result.nominal_end > start
    # 第203条 moves only to the *first* working day after the nominal end.
    assert CAL.working_days_between(result.nominal_end, result.due) <= 1
    # Provisional exactly when due from 2026-12-25 on: the 2027 notice can still change the
    # end of December 2026 (changed: this allowed provisional only from 2027).
    assert result.provisional == (result.due >= date(2026, 12, 25))


@SETTINGS
@given(pairs=st.lists(st.tuples(STARTS, COUNTS), min_size=1, max_size=50))
def test_bulk_equals_one_by_one(pairs):
    starts = [s for s, _ in pairs]
    counts = [n for _, n in pairs]
    assert CAL.add_working_days_bulk(starts, counts) == [CAL.add_working_days(s, n) for s, n in pairs]


@SETTINGS
@given(start=STARTS, n=COUNTS)
def test_index_equals_day_walk(start, n):
    expected = walk(start, n)
    assert CAL.add_working_days(start, n) == expected
    # workalendar's generic algorithm, called unbound on our calendar (it walks via our
    # is_working_day, one day at a time).
    assert WorkalendarBase.add_working_days(CAL, start, n) == expected


@SETTINGS
@given(start=STARTS, n=COUNTS)
def test_negative_delta_equals_backward_walk(start, n):
    start = start + timedelta(days=120)  # keep the walk back inside 2018
    expected = WorkalendarBase.add_working_days(CAL, start, -n)
    assert CAL.add_working_days(start, -n) == expected
    assert CAL.sub_working_days(start, n) == expected
