"""Legal period arithmetic: a due date from a start date and a duration, with its legal basis.

《民法典》 governs how periods are counted where a rule gives no other method:

- 第201条: the starting day is not counted; the period begins the next day.
- 第202条: a period in months ends on the corresponding day of the last month, or on that
  month's last day if it has no corresponding day.
- 第203条: a period whose last day is a statutory day off ends on the first day after it
  (the next working day; a make-up working Saturday *is* a working day).

Three units: ``wd`` working days on the official calendar, ``d`` calendar days (201, 203),
``m`` months (201, 202, 203). Two more count calendar periods for duties set by frequency
("每季度一次", "每月一次"): ``cm`` 自然月 and ``cq`` 自然季度, ending on the last day of the
n-th month (quarter) after the one the start falls in (203). With one such duty a period and
each one starting when the last was done, every month (quarter) holds one. A due date is the
last day on which the duty can still be done.
"""

from __future__ import annotations

import calendar as _gregorian
import functools
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from attrs import frozen

from engine.arguments import LONGEST_WHOLE, a_date, spelled
from engine.calendar_data import PROJECTION_BASIS
from engine.errors import InvalidInput, OutsideCalendar

if TYPE_CHECKING:
    from engine.calendar import OfficialCalendar

CIVIL_CODE = "《民法典》"
UNIT_NAMES = {"wd": "个工作日", "d": "日", "m": "个月", "cm": "个自然月", "cq": "个自然季度"}
ARTICLES = {"wd": ("第201条",), "d": ("第201条", "第203条"), "m": ("第201条", "第202条", "第203条"),
            "cm": ("第203条",), "cq": ("第203条",)}
CALENDAR_PERIODS = {"cm": (1, "月"), "cq": (3, "季度")}  # months in one, and its name
# ASCII only: ``\d`` and ``int`` would also read other scripts' digits (３wd, ٣wd) as 3.
_DURATION = re.compile(r"^\s*([+-]?[0-9]+)\s*([a-zA-Z]+)\s*$", re.ASCII)


@frozen
class Duration:
    """A legal period: ``30wd``, ``7d``, ``3m``, or calendar periods ``1cm``, ``1cq``."""

    count: int
    unit: str

    @classmethod
    def parse(cls, text: object, own_period: bool = False) -> Duration:
        """``text`` as a duration (a parameter's value: a count of at least 1). With
        ``own_period``, also a deadline's ``0cm``/``0cq`` (see :meth:`own_period`)."""
        if isinstance(text, Duration):
            return text
        if own_period and text in ("0cm", "0cq"):
            return Duration(0, text[1:])  # type: ignore[index]  # (one of the two texts)
        # (spelled, not str: a whole number too long for str() is said as one)
        return _parse_duration(text if isinstance(text, str) else spelled(text))

    def own_period(self) -> Duration:
        """For ``cm``/``cq``, the period holding the start itself (``0cq``: the first period of
        a duty set by frequency, "每季度一次", when its case opens in it); not a parameter's
        value, which counts at least 1."""
        assert self.unit in CALENDAR_PERIODS
        return Duration(self.count - 1, self.unit)

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    @property
    def label(self) -> str:
        return f"{self.count}{UNIT_NAMES[self.unit]}"


#: ``day.isoformat()``, remembered: date.isoformat formats through printf, about ten times a
#: dictionary look-up, and every row written spells the same few dates again.
@functools.lru_cache(maxsize=4096)
def iso_text(day: date) -> str:
    return day.isoformat()  # (a datetime as its own isoformat: never equal to a date)


def iso_date(value: object) -> date:
    """A date written YYYY-MM-DD (a ``date`` is taken as it is); ValueError naming the value
    for anything else. Python 3.11's ``date.fromisoformat`` also reads 20260302 and
    2026-W10-1: the contract's dates are YYYY-MM-DD only."""
    if isinstance(value, date):
        return value
    try:
        if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{spelled(value)} is not a date: {why_not_a_date(value)}") from None


#: :func:`iso_date` for a date read back from the database (a deadline's, a case's, an
#: event's) or about to be stored (an import line's), remembered: every row spells the same
#: few dates again, and a look-up costs less than parsing one. Text in the stored form only:
#: 20260306 (hand-edited, or an integer SQLite turned into text) is no date, as "not a date"
#: is not.
stored_date = functools.lru_cache(maxsize=4096)(iso_date)


def why_not_a_date(value: object) -> str:
    """What is wrong with ``value``, which :func:`iso_date` refused: its shape, or, written
    right (2026-02-30), the day that does not exist."""
    shaped = isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-" \
        and (value[:4] + value[5:7] + value[8:]).isascii() \
        and (value[:4] + value[5:7] + value[8:]).isdigit()
    # (shaped: text)
    return _no_such_day(value) if shaped else "expected YYYY-MM-DD"  # type: ignore[arg-type]


def _no_such_day(value: str) -> str:
    year, month = int(value[:4]), int(value[5:7])
    if not 1 <= month <= 12:
        return f"there is no month {month:02d}"
    if year < 1:
        return "there is no year 0000"
    if int(value[8:]) < 1:
        return "there is no day 00"
    import calendar

    days = calendar.monthrange(year, month)[1]
    return f"{value[:7]} has {days} days"


@functools.lru_cache(maxsize=1024)  # parameters are parsed again for every deadline started
def _parse_duration(text: str) -> Duration:
    match = _DURATION.match(text)
    if not match and not text.isascii():
        raise InvalidInput(
            f"malformed duration {text!r}: write it in ASCII, a count in the digits 0-9 and a "
            "unit, e.g. 30wd, 7d, 3m"
        )
    if not match:
        raise InvalidInput(
            f"malformed duration {text!r}: expected a count and a unit, e.g. 30wd, 7d, 3m"
        )
    if len(match.group(1).lstrip("+-0")) > LONGEST_WHOLE:  # (int() would raise ValueError)
        raise OutsideCalendar(f"duration {spelled(text, limit=40)}: a count of more than "
                              f"{LONGEST_WHOLE:,} digits falls outside the calendar")
    count, unit = int(match.group(1)), match.group(2).lower()
    if unit not in UNIT_NAMES:
        raise InvalidInput(
            f"unknown unit {match.group(2)!r} in {text!r}: use wd (working days), "
            "d (calendar days), m (months), cm (calendar months) or cq (calendar quarters)"
        )
    if count < 1:
        raise InvalidInput(f"duration {text!r} must count at least 1 {unit}")
    return Duration(count, unit)


@frozen
class DueDate:
    """A computed due date with the articles it applied and whether it is provisional."""

    start: date
    duration: Duration
    due: date
    provisional: bool
    articles: tuple[str, ...]
    basis: str
    nominal_end: date  # the period's last day before 第203条 moved it (== due if not moved)

    def to_json(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "duration": str(self.duration),
            "due": self.due.isoformat(),
            "provisional": self.provisional,
            "basis": self.basis,
            "articles": [f"{CIVIL_CODE}{a}" for a in self.articles],
        }


def add_months(start: date, months: int) -> date:
    """The corresponding day ``months`` later, or that month's last day (民法典第202条)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = _gregorian.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def period_end(start: date, duration: Duration) -> date:
    """The last day of the ``count``-th calendar month or quarter after the one holding
    ``start`` (``cm``, ``cq``)."""
    months, _ = CALENDAR_PERIODS[duration.unit]
    first = date(start.year, (start.month - 1) // months * months + 1, 1)
    after = add_months(first, months * (duration.count + 1))  # first day of the one after
    return after - timedelta(1)


def last_working_day(calendar: OfficialCalendar, last_day: date) -> date:
    """Where a calendar-day or month period whose last day is ``last_day`` ends (民法典第203条):
    that day if it is a working day (a make-up working Saturday is one), else the first
    working day after it."""
    return last_day if calendar.is_working_day(last_day) else calendar.add_working_days(last_day, 1)


def moved_phrase(calendar: OfficialCalendar, last_day: date, due: date) -> str:
    """The basis's words for 第203条 moving ``last_day`` to ``due`` ("" when it did not)."""
    if due == last_day:
        return ""
    info = calendar.day_info(last_day)
    return f"；期间最后一日{last_day.isoformat()}为休息日（{info.label}），顺延至{due.isoformat()}"


def projection_phrase(calendar: OfficialCalendar, after: date, due: date) -> str:
    """When ``due`` is provisional, the basis's words naming what the days in (after, due]
    were counted on, the projection last, as a working-day count's basis names them
    ("；工作日依…"); "" when it is not."""
    if not calendar.is_provisional(due):
        return ""
    return "；工作日依" + "、".join(calendar.sources_between(after, due))


def _period_phrase(duration: Duration) -> str:
    """``cm``/``cq`` in words, after the start it counts from: 所在季度之后第1个自然季度."""
    name = CALENDAR_PERIODS[duration.unit][1]
    if duration.count == 0:
        return f"所在自然{name}"
    return f"所在{name}之后第{duration.count}个自然{name}"


def due_date(calendar: OfficialCalendar, start: date, duration: Duration | str) -> DueDate:
    """The due date of ``duration`` counted from ``start`` on ``calendar``, with its basis."""
    # A province's cases start the same few periods on the same days: an import or a replay
    # asks for the same due dates (and their basis text) again and again, kept on the
    # calendar (OfficialCalendar.kept).
    if type(start) is not date:  # (a platform's own call: anything else failed deep inside)
        start = a_date(start, "start")
    return calendar.kept(_counted_due_date)(start, duration if type(duration) is Duration
                                            else Duration.parse(duration))  # (parsed: no call)


def _counted_due_date(calendar: OfficialCalendar, start: date, duration: Duration) -> DueDate:
    calendar.check(start)  # refuses a start outside the calendar, before any arithmetic
    try:
        return _due_date(calendar, start, duration)
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, InvalidInput):
            raise
        raise OutsideCalendar(f"{start.isoformat()} + {duration} falls outside the calendar"
                              ) from None


def _due_date(calendar: OfficialCalendar, start: date, duration: Duration) -> DueDate:
    if duration.unit == "wd":
        nominal = due = calendar.add_working_days(start, duration.count)
    else:
        if duration.unit == "d":
            nominal = start + timedelta(days=duration.count)
        elif duration.unit in CALENDAR_PERIODS:
            nominal = period_end(start, duration)
        else:
            nominal = add_months(start, duration.count)
        due = last_working_day(calendar, nominal)
    return DueDate(
        start=start,
        duration=duration,
        due=due,
        provisional=calendar.is_provisional(due),
        articles=ARTICLES[duration.unit],
        basis=_basis(calendar, start, duration, nominal, due),
        nominal_end=nominal,
    )


def _basis(
    calendar: OfficialCalendar, start: date, duration: Duration, nominal: date, due: date
) -> str:
    articles = "、".join(ARTICLES[duration.unit])
    if duration.unit in CALENDAR_PERIODS:
        text = (f"{start.isoformat()}{_period_phrase(duration)}，至{nominal.isoformat()}止"
                f"（{CIVIL_CODE}{articles}）")
    else:
        text = f"{CIVIL_CODE}{articles}：起算日{start.isoformat()}不计入，计{duration.label}"
    if duration.unit == "wd":
        text += "；工作日依" + "、".join(calendar.sources_between(start, due))
    else:
        # The calendar decides only whether the last day is a working day, and where 第203条
        # moves it: the days from the nominal end to the due date.
        text += moved_phrase(calendar, nominal, due)
        text += projection_phrase(calendar, nominal - timedelta(1), due)
    return text


def explain(calendar: OfficialCalendar, start: date, duration: Duration | str) -> list[str]:
    """A day-by-day derivation of a due date that a case officer can read and check."""
    result = due_date(calendar, start, duration)
    duration = result.duration
    if duration.unit in CALENDAR_PERIODS:
        lines = [f"起始日 {start.isoformat()}：其{_period_phrase(duration)}"
                 f"的末日 {result.nominal_end.isoformat()}"]
    else:
        lines = [f"起算日 {start.isoformat()}：当日不计入，自次日起算（{CIVIL_CODE}第201条）"]
    if duration.unit == "wd":
        count = 0
        for info in _days(calendar, start + timedelta(1), result.due):
            if info.working:
                count += 1
                lines.append(f"  {info.describe()} → 第{count}个工作日")
            else:
                lines.append(f"  {info.describe()} → 不计")
    else:
        if duration.unit == "d":
            for n, info in enumerate(_days(calendar, start + timedelta(1), result.nominal_end), 1):
                lines.append(f"  {info.describe()} → 第{n}日")
        elif duration.unit == "m":
            corresponding = start.day == result.nominal_end.day
            how = "对应日" if corresponding else "无对应日，取月末日"
            lines.append(
                f"  到期月{how} {result.nominal_end.isoformat()}（{CIVIL_CODE}第202条）"
            )
        if result.due != result.nominal_end:
            lines.append(
                f"  期间最后一日 {result.nominal_end.isoformat()} 不是工作日，"
                f"顺延至其后第一个工作日（{CIVIL_CODE}第203条）："
            )
            for info in _days(calendar, result.nominal_end + timedelta(1), result.due):
                lines.append(f"  {info.describe()}")
    lines.append(f"到期日 {result.due.isoformat()}（当日24时止，{CIVIL_CODE}第203条）")
    if result.provisional and result.due.year <= calendar.last_official_year:
        # (the last official year's end: its days are known, but the next notice may move them)
        lines.append(f"暂定：{calendar.first_provisional_day.isoformat()}起的日子可由"
                     f"{calendar.last_official_year + 1}年国务院办公厅放假通知调整（其元旦安排），"
                     "待该通知发布后重算")
    elif result.provisional:
        lines.append(f"暂定：计算涉及尚无国务院办公厅通知的年份，按{PROJECTION_BASIS}")
    return lines


def _days(calendar: OfficialCalendar, first: date, last: date):
    day = first
    while day <= last:
        yield calendar.day_info(day)
        day += timedelta(1)
