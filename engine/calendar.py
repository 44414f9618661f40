"""China's official working-day calendar, on workalendar's ``Calendar`` API.

The State Council publishes each year's arrangement (国务院办公厅关于X年部分节假日安排的通知):
days off and make-up working days (调休上班). No library knows all of them (workalendar stops
in 2023), so the project owns the data: ``engine/data/calendar_cn.toml``, one record per
year, each citing its notice. Years after the last record are *projected* from the statutory
holidays of 《全国年节及纪念日放假办法》 and every date computed from them is provisional; so are
the last days of December before them, which the next notice can still change.

Working days are precomputed into an index (a running count per day and the list of working
days), so adding N working days is two list look-ups, not a walk.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any, TypeVar

import attrs
from lunardate import LunarDate
from workalendar.core import SAT, SUN, Calendar, cleaned_date

from engine.arguments import a_date, spelled, whole
from engine.calendar_data import (  # noqa: F401 (re-exported: engine.calendar names them too)
    FIRST_YEAR,
    LAST_INDEXED_YEAR,
    PROJECTION_BASIS,
    PROVISIONAL_DECEMBER_FROM,
    STATUTE,
    WEEKDAY_NAMES,
    CalendarOverlay,
    DayInfo,
    Holiday,
    YearRecord,
    in_force_order,
    overlay_disagreement,
    read_records,
)
from engine.errors import CalendarDataError, InvalidInput, OutsideCalendar

T = TypeVar("T")


def load_records(path: str | None = None) -> list[YearRecord]:
    """Read the official year records from the packaged data file (or ``path``)."""
    if path is None:
        packaged = resources.files("engine.data").joinpath("calendar_cn.toml")
        text, where = packaged.read_text("utf-8"), str(packaged)
    else:
        with open(path, encoding="utf-8") as handle:
            text, where = handle.read(), path
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarDataError(f"{where}: not valid TOML: {exc}") from None
    # (each record checked: a mistake in one is an error naming it, not a calendar counted
    # otherwise without a word)
    return read_records(data, where)


def _asked(day: Any, name: str) -> date:
    """``day`` as workalendar's methods take it (``is_working_day``, ``is_holiday``,
    ``add_working_days``): a ``datetime`` is asked about its date, as workalendar's
    ``cleaned_date`` asks it; anything else that is no date is :class:`InvalidInput` naming
    ``name`` (workalendar's ``UnsupportedDateType`` is no ``ValueError``; ours an
    ``AttributeError`` from inside). Called only for a ``day`` whose type is not ``date``."""
    return day.date() if isinstance(day, datetime) else a_date(day, name)


def projected_days_off(year: int) -> list[tuple[date, str]]:
    """The statutory days off of a year without a notice, with their make-up days (第六条).

    A statutory day that falls on a weekend, or on another statutory day (中秋 on one of
    国庆's three days: 2028, 2031, 2039, 2058), is made up on the next weekday not already
    off: 中秋's one day and 国庆's three are four days off either way, as in 2020 when 中秋
    fell on 10/1 and the notice gave 10/1–10/8 for both. A day that is two holidays bears
    both names, as the notices name it (国庆节、中秋节), and 中秋 is the one made up.
    """
    new_year = LunarDate(year, 1, 1).to_solar_date()
    statutory = [(date(year, 1, 1), "元旦")]
    statutory += [(new_year + timedelta(n), "春节") for n in range(-1, 3)]  # 除夕 to 初三
    statutory.append((_qingming(year), "清明节"))
    statutory += [(date(year, 5, 1), "劳动节"), (date(year, 5, 2), "劳动节")]
    statutory.append((LunarDate(year, 5, 5).to_solar_date(), "端午节"))
    statutory += [(date(year, 10, d), "国庆节") for d in (1, 2, 3)]
    statutory.append((LunarDate(year, 8, 15).to_solar_date(), "中秋节"))  # (after 国庆: made up)
    off: dict[date, str] = {}
    made_up: list[tuple[date, str]] = []  # statutory days that took no weekday off
    for day, name in statutory:
        if day in off:
            off[day] += f"、{name}"
            made_up.append((day, name))
        else:
            off[day] = name
            if day.weekday() >= 5:
                made_up.append((day, name))
    for day, name in sorted(made_up, key=lambda pair: pair[0]):
        # 第六条: made up on the next weekday not already off
        substitute = day + timedelta(1)
        while substitute.weekday() >= 5 or substitute in off:
            substitute += timedelta(1)
        off[substitute] = f"{name}补假"
    return sorted(off.items())


def _qingming(year: int) -> date:
    """清明 solar term in the 21st century (the standard 寿星 formula; exact 2001–2099)."""
    y = year % 100
    return date(year, 4, int(y * 0.2422 + 4.81) - y // 4)


class OfficialCalendar(Calendar):
    """The official Chinese working-day calendar, with local overlays, on workalendar's API.

    ``overlays`` are the province-wide ones and at most one county's (a ``ValueError``
    naming two counties otherwise); overlays of the same reach that disagree about a day are
    a ``ValueError`` too.

    ``is_working_day``, ``holidays``, ``add_working_days`` behave as workalendar's; the fast
    paths answer from a precomputed index. Outside 2018..``LAST_INDEXED_YEAR`` every call
    raises :class:`OutsideCalendar` (a ``ValueError``), never a guess.

    A day that is no ``date`` (``None``, text, a number, ``True``) is :class:`InvalidInput`
    naming the argument, as the engine's own dates are (``arguments.a_date``). This calendar's
    own methods (``check``, ``day_info``, ``is_provisional``, ``working_days_between``,
    ``sources_between``, ``add_working_days_bulk``) refuse a ``datetime`` as the engine's calls
    do; workalendar's (``is_working_day``, ``is_holiday``, ``add_working_days``, which keeps it
    with ``keep_datetime``, ``get_working_days_delta``) ask it about its date, as workalendar
    does. A date costs one ``type(day) is date``: the engine asks them for every event.
    """

    WEEKEND_DAYS = (SAT, SUN)

    def __init__(
        self, records: Sequence[YearRecord], overlays: Iterable[CalendarOverlay] = ()
    ) -> None:
        super().__init__()
        self.records = tuple(sorted(records, key=lambda r: r.year))
        self.overlays = in_force_order(tuple(overlays))
        counties = list(dict.fromkeys(o.county for o in self.overlays if o.county is not None))
        if len(counties) > 1:
            # (both applied, the one listed last deciding a day they both set: a calendar
            # for no county's cases)
            raise ValueError(f"overlays for {counties[0]!r} and {counties[1]!r}: a calendar "
                             "is one county's (the province-wide overlays and that county's)")
        disagreement = overlay_disagreement(self.overlays)
        if disagreement:
            raise ValueError(disagreement)
        self.official_years = frozenset(r.year for r in self.records)
        self.first_day = date(FIRST_YEAR, 1, 1)
        self.last_day = date(LAST_INDEXED_YEAR, 12, 31)
        self._special = self._special_days()
        self._kept: dict[Callable[..., Any], Callable[..., Any]] = {}
        self._build_index()

    def kept(self, count: Callable[..., T]) -> Callable[..., T]:
        """``count`` (a function of this calendar and more: ``count(calendar, *args)``) on this
        calendar, its last 65,536 answers kept. A calendar never changes once built, and a
        province's cases ask it the same few periods from the same days (an import, a replay):
        the answers are kept with it, and go with it. A cache of the module's keyed by the
        calendar (``lru_cache``) held every calendar it had answered for alive, a megabyte each,
        after the registries that built them were gone: a platform that builds a registry for
        new calendar data, or its overlays, kept each one it had ever counted on."""
        found = self._kept.get(count)
        if found is None:
            found = self._kept[count] = functools.lru_cache(maxsize=65536)(
                functools.partial(count, self))
        return found

    # -- construction -------------------------------------------------------------------

    def _special_days(self) -> dict[date, DayInfo]:
        special: dict[date, DayInfo] = {}
        for record in self.records:
            for holiday in record.holidays:
                notice = holiday.notice or record.notice
                for day in holiday.days_off():
                    special[day] = DayInfo(day, False, "holiday", holiday.name, notice, False)
                for day in holiday.make_up:
                    label = f"{holiday.name}调休上班"
                    special[day] = DayInfo(day, True, "make_up", label, notice, False)
        for year in range(FIRST_YEAR, LAST_INDEXED_YEAR + 1):
            if year in self.official_years:
                continue
            for day, name in projected_days_off(year):
                if day not in special:
                    special[day] = DayInfo(day, False, "projected_off", name, PROJECTION_BASIS, True)
        notices = {day: info for day, info in special.items() if not info.provisional}
        for overlay in self.overlays:
            for day, name in overlay.days_off:
                special[day] = self._local(special.get(day), notices.get(day), DayInfo(
                    day, False, "local_off", name, overlay.source, False))
            for day, name in overlay.working_days:
                special[day] = self._local(special.get(day), notices.get(day), DayInfo(
                    day, True, "local_work", name, overlay.source, False))
        return special

    @staticmethod
    def _local(before: DayInfo | None, notice: DayInfo | None, info: DayInfo) -> DayInfo:
        """A local document's day, over what the day was before it (``notice``: what a
        national notice made it, if anything). Documents in force that agree about a day (a
        national notice's day off or make-up working day that an overlay repeats, two
        province-wide overlays both giving it off, or a county's repeating the province's)
        are all named, the earlier first, and the day keeps its kind; one that disagrees
        decides (an overlay over the national notice, a county's over the province's:
        overlays of the same reach that disagree are refused). A county's document that
        gives back what the national notice set, which a province-wide one had changed,
        names the notice first too: both are in force for the county's cases."""
        # (info: an overlay's day, its source the overlay's, never None)
        if before is not None and before.working == info.working:
            return before.agreeing(info.label, info.source)  # type: ignore[arg-type]
        if notice is not None and notice.working == info.working:
            return notice.agreeing(info.label, info.source)  # type: ignore[arg-type]
        return info

    def _build_index(self) -> None:
        self._base = self.first_day.toordinal()
        count = 0
        cumulative: list[int] = []  # working days in [first_day, day], per day
        working_days: list[date] = []
        day = self.first_day
        one = timedelta(1)
        while day <= self.last_day:
            if self._working(day):
                count += 1
                working_days.append(day)
            cumulative.append(count)
            day += one
        self._cumulative = cumulative
        self._working_days = working_days
        first_unofficial = next(
            (y for y in range(FIRST_YEAR, LAST_INDEXED_YEAR + 1) if y not in self.official_years),
            LAST_INDEXED_YEAR + 1,
        )
        self.last_official_year = first_unofficial - 1
        # The next year's notice can still change the end of December (PROVISIONAL_DECEMBER_FROM).
        self.first_provisional_day = date(self.last_official_year, 12, PROVISIONAL_DECEMBER_FROM)
        self._first_provisional_ordinal = self.first_provisional_day.toordinal()

    def _working(self, day: date) -> bool:
        info = self._special.get(day)
        if info is not None:
            return info.working
        return day.weekday() < 5

    # -- look-ups -----------------------------------------------------------------------

    def _offset(self, day: date) -> int:
        offset = day.toordinal() - self._base
        if offset < 0 or offset >= len(self._cumulative):
            raise OutsideCalendar(
                f"{day.isoformat()} is outside the calendar "
                f"({FIRST_YEAR}-01-01 to {LAST_INDEXED_YEAR}-12-31)"
            )
        return offset

    def check(self, day: date) -> None:
        """Refuse (:class:`OutsideCalendar`) a day the calendar does not cover."""
        if type(day) is not date:  # (a platform's own call: the engine's dates are dates)
            day = a_date(day, "day")
        if not 0 <= day.toordinal() - self._base < len(self._cumulative):  # (every event)
            self._offset(day)  # (the refusal)

    def day_info(self, day: date) -> DayInfo:
        """What ``day`` is (working or not), why, on whose authority, and whether projected."""
        if type(day) is not date:
            day = a_date(day, "day")
        self._offset(day)
        provisional = day.toordinal() >= self._first_provisional_ordinal
        info = self._special.get(day)
        if info is not None:
            return attrs.evolve(info, provisional=provisional)
        working = day.weekday() < 5
        kind = "workday" if working else "weekend"
        return DayInfo(day, working, kind, WEEKDAY_NAMES[day.weekday()], None, provisional)

    def is_provisional(self, day: date) -> bool:
        """True when ``day`` lies in a year without an official record (a projection), or in
        the last days of December before it, which that year's notice can still change (the
        2019 notice made 2018-12-29 a working Saturday and 2018-12-30/31 days off)."""
        if type(day) is not date:
            day = a_date(day, "day")
        return day.toordinal() >= self._first_provisional_ordinal

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: the start day not counted (民法典第201条)."""
        if type(start) is not date:
            start, end = a_date(start, "start"), a_date(end, "end")
        try:
            if end <= start:
                return 0
        except TypeError:  # (an end a date cannot be compared with, a datetime too: named at
            # no cost to a date, which statuses count on for every deadline)
            a_date(end, "end")
            raise
        return self._cumulative[self._offset(end)] - self._cumulative[self._offset(start)]

    def sources_between(self, start: date, end: date) -> list[str]:
        """The notices (or local documents) behind the days in (start, end], in order of use.

        Where no day in the range is special, the notices of the years it spans: the range
        was still counted on their arrangement. A start or end outside the calendar is
        :class:`OutsideCalendar`, as everywhere (its last day 9999-12-31 was an OverflowError).
        """
        if type(start) is not date or type(end) is not date:
            start, end = a_date(start, "start"), a_date(end, "end")
        self._offset(start)
        self._offset(end)
        sources: list[str] = []
        day = start + timedelta(1)
        while day <= end:
            info = self._special.get(day)
            for source in info.sources() if info is not None else ():
                if source not in sources:
                    sources.append(source)
            day += timedelta(1)
        if not sources:
            sources = [r.notice for r in self.records if start.year <= r.year <= end.year]
        if self.is_provisional(end) and PROJECTION_BASIS not in sources:
            sources.append(PROJECTION_BASIS)
        return sources

    # -- workalendar API ----------------------------------------------------------------

    def holidays(self, year: int | None = None) -> list[tuple[date, str]]:
        # workalendar caches the list it returns: a caller changing it changed the calendar
        # for every engine in the process.
        if year is not None and type(year) is not int:  # (a list: unhashable in its cache)
            year = whole(year, "year")
        return list(super().holidays(year))

    def get_calendar_holidays(self, year: int) -> list[tuple[date, str]]:
        # (workalendar's ``holidays`` and ``get_holiday_label`` come here: OutsideCalendar,
        # like every other call, not workalendar's CalendarError, which is no ValueError)
        if type(year) is not int:  # (text or a datetime: a TypeError comparing it)
            year = whole(year, "year")
        if not FIRST_YEAR <= year <= LAST_INDEXED_YEAR:
            raise OutsideCalendar(
                f"{year} is outside the calendar ({FIRST_YEAR}-01-01 to {LAST_INDEXED_YEAR}-12-31)"
            )
        return sorted(
            (day, info.label)
            for day, info in self._special.items()
            if day.year == year and not info.working
        )

    def is_working_day(
        self,
        day: date,
        extra_working_days: Iterable[date] | None = None,
        extra_holidays: Iterable[date] | None = None,
    ) -> bool:
        # workalendar's precedence: extra working days, then extra holidays, then the calendar
        # (its generic code would treat every make-up Saturday as a weekend).
        if extra_working_days or extra_holidays:
            if type(day) is not date:  # (a datetime is asked about its date, as workalendar's)
                day = _asked(day, "day")
            if extra_working_days and day in set(extra_working_days):
                return True
            if extra_holidays and day in set(extra_holidays):
                return False
        try:
            offset = self._offset(day)  # (a datetime has its date's ordinal)
        except AttributeError:  # (no toordinal: named, at no cost to a date)
            _asked(day, "day")
            raise
        previous = self._cumulative[offset - 1] if offset else 0
        return self._cumulative[offset] != previous

    def get_working_days_delta(self, start: date, end: date, *args: Any, **kwargs: Any) -> int:
        # (workalendar's, whose UnsupportedDateType is no ValueError: a day that is no date
        # named as is_working_day names it)
        if type(start) is not date or type(end) is not date:
            start, end = _asked(start, "start"), _asked(end, "end")
        return super().get_working_days_delta(start, end, *args, **kwargs)

    def is_holiday(self, day: date, extra_holidays: Iterable[date] | None = None) -> bool:
        if type(day) is not date:
            day = _asked(day, "day")  # (as workalendar's: a datetime is asked about its date)
        self._offset(day)  # outside the calendar: OutsideCalendar, not "not a holiday"
        if extra_holidays and day in set(map(cleaned_date, extra_holidays)):
            return True
        info = self._special.get(day)
        return info is not None and not info.working

    def add_working_days(
        self,
        day: date,
        delta: int,
        extra_working_days: Iterable[date] | None = None,
        extra_holidays: Iterable[date] | None = None,
        keep_datetime: bool = False,
    ) -> date:
        if extra_working_days or extra_holidays or keep_datetime:
            if type(day) is not date and not isinstance(day, datetime):  # (kept: keep_datetime)
                day = a_date(day, "day")
            if type(delta) is not int:
                delta = whole(delta, "delta")
            return super().add_working_days(
                day, delta, extra_working_days, extra_holidays, keep_datetime
            )
        try:
            count = self._cumulative[self._offset(day)]  # (a datetime has its date's ordinal)
            if delta >= 0:
                position = count + delta - 1 if delta else None
            else:
                # Working days strictly before ``day``: drop ``day`` itself if it counts.
                before = count - (1 if self.is_working_day(day) else 0)
                position = before + delta
            if position is None:
                return day
            if position < 0 or position >= len(self._working_days):
                raise OutsideCalendar(
                    f"{day.isoformat()} {_signed(delta)} working days falls outside the calendar "
                    f"({FIRST_YEAR}–{LAST_INDEXED_YEAR})"
                )
            return self._working_days[position]
        except (AttributeError, TypeError):  # (a day with no toordinal, a delta of "3" or 1.5:
            # named here, at no cost to a date and a whole number, which bench_calendar times)
            if not isinstance(day, datetime):
                a_date(day, "day")
            whole(delta, "delta")
            raise

    def sub_working_days(
        self,
        day: date,
        delta: int,
        extra_working_days: Iterable[date] | None = None,
        extra_holidays: Iterable[date] | None = None,
        keep_datetime: bool = False,
    ) -> date:
        # (workalendar's takes abs(delta): text or None was its TypeError; a count that is no
        # whole number is named as add_working_days names it, as given, not negated)
        if not isinstance(delta, int):
            whole(delta, "delta")
        return self.add_working_days(day, -abs(delta), extra_working_days, extra_holidays,
                                     keep_datetime)

    def add_working_days_bulk(self, starts: Sequence[date], counts: Sequence[int]) -> list[date]:
        """``add_working_days`` for many (start, N ≥ 1) pairs at once, e.g. to recompute deadlines.

        A start outside the calendar, a count below 1, or a result past its end raises
        :class:`OutsideCalendar` / :class:`InvalidInput` for the whole batch, as do starts
        or counts that are no sequence (a list or tuple: None, a set, one date) or that
        differ in length.
        """
        for name, given in (("starts", starts), ("counts", counts)):
            # (None and an empty set were no starts, [] silently: a set's order is no pairing)
            if not isinstance(given, Sequence) or isinstance(given, str | bytes):
                raise InvalidInput(f"{name} must be a sequence (a list or tuple), got "
                                   f"{spelled(given, 60)}")
        if len(starts) != len(counts):
            raise InvalidInput("starts and counts differ in length")
        if not starts:
            return []
        # Negative list indexes would wrap around silently: check the bounds first. A start
        # that is no date, or a datetime, is the smallest or largest or cannot be compared
        # with the others (a date and a datetime cannot): named, not min's TypeError.
        first: date | None
        last: date | None
        try:
            first, last = min(starts), max(starts)
        except TypeError:
            first = last = None
        if type(first) is not date or type(last) is not date:
            self._starts(starts)
            first, last = min(starts), max(starts)
        self._offset(first)
        self._offset(last)
        try:
            fewest = min(counts)
            too_few = fewest < 1
        except TypeError:
            too_few = self._counts(counts)
        if too_few:
            raise InvalidInput("bulk working-day counts must be at least 1")
        base = self._base
        cumulative = self._cumulative
        working_days = self._working_days
        try:
            return [
                working_days[cumulative[start.toordinal() - base] + n - 1]
                for start, n in zip(starts, counts)  # noqa: B905 (lengths checked above)
            ]
        except IndexError:
            raise OutsideCalendar(
                f"a due date falls after the calendar's end ({LAST_INDEXED_YEAR}-12-31)"
            ) from None
        except (TypeError, AttributeError):  # (a count 1.5 as an index; a start that compares
            # with dates, so min took it, but has no toordinal)
            self._starts(starts)
            self._counts(counts)
            raise

    @staticmethod
    def _starts(starts: Sequence[date]) -> None:
        """(the refusal of bulk starts that cannot be counted from) :class:`InvalidInput`
        naming the first that is no date."""
        for at, start in enumerate(starts):
            a_date(start, f"starts[{at}]")

    @staticmethod
    def _counts(counts: Sequence[int]) -> bool:
        """(the refusal of bulk counts that cannot be counted) :class:`InvalidInput` naming
        the first that is no whole number; else whether one is below 1."""
        for at, n in enumerate(counts):
            whole(n, f"counts[{at}]")
        return min(counts) < 1


def _signed(delta: int) -> str:
    """``delta`` with its sign (+3, -3), as an error line says it: one of more digits than
    Python writes out (``{delta:+d}`` is its ValueError, advising a programmer) said so."""
    try:
        return f"{delta:+d}"
    except ValueError:
        return f"{'plus' if delta > 0 else 'minus'} {spelled(abs(delta))}"


@functools.cache
def national_calendar() -> OfficialCalendar:
    """The national calendar from the packaged data (built once per process)."""
    return OfficialCalendar(load_records())


def calendar_with_overlays(overlays: Sequence[CalendarOverlay]) -> OfficialCalendar:
    """The national calendar with local overlays; the plain national one when there are none."""
    if not overlays:
        return national_calendar()
    return _overlaid(tuple(overlays))


# The same overlays give the same calendar (and its kept answers) to registries built one
# after another (one a request, a test's); the last few only, a megabyte each: a registry
# keeps the calendars it built itself (64 kept 70 MB of calendars no registry held).
@functools.lru_cache(maxsize=8)
def _overlaid(overlays: tuple[CalendarOverlay, ...]) -> OfficialCalendar:
    return OfficialCalendar(national_calendar().records, overlays)
