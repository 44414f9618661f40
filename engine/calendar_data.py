"""What the official calendar is made of: constants, holidays, year records, local overlays,
and what a day is. Kept apart from ``engine.calendar`` (which builds calendars on
workalendar) so that plugins and the registry can name these without importing workalendar:
listing the provinces stays quick.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, NoReturn

import attrs
from attrs import frozen

from engine.arguments import character, spelled, unprintable
from engine.errors import CalendarDataError
from engine.shapes import is_day, is_text, list_of, listed_pairs, one, pair_of

FIRST_YEAR = 2018
#: The index covers projected years up to here; a due date beyond it is refused, not guessed.
LAST_INDEXED_YEAR = 2060

STATUTE = "《全国年节及纪念日放假办法》"
#: Projection of a year without an official notice (放假办法 as amended 2024-11-10):
#: 第二条 the days off, 第六条 a day off falling on a weekend is made up on a working day.
PROJECTION_BASIS = f"{STATUTE}第二条、第六条（推算，待国务院办公厅当年通知发布后重算）"

#: The next year's notice arranges 元旦 and can reach back into the last days of December of
#: the year before it: the 2008 notice made Saturday 2007-12-29 a make-up working day and
#: 12-30/31 days off, the 2012 notice made Saturday 2011-12-31 a working day, and the 2019
#: notice (国办发明电〔2018〕15号) made Saturday 2018-12-29 a working day and 12-30/31 days off.
#: So the days of the last official year from this day of December on are provisional until
#: the next year's record is added. No notice has reached back before 12-29; a 元旦 bridge
#: takes its make-up day from the weekend next to it, and the last weekend before 1 January
#: never starts before 12-25 (1 January on a Saturday): from the 25th, every day the next
#: notice could change is covered.
PROVISIONAL_DECEMBER_FROM = 25

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@frozen
class Holiday:
    """One holiday of a year's notice: its days off and its make-up working days."""

    name: str
    off: tuple[date, date]
    make_up: tuple[date, ...] = ()
    notice: str | None = None  # set when a later notice changed this holiday

    def days_off(self) -> list[date]:
        first, last = self.off
        return [first + timedelta(n) for n in range((last - first).days + 1)]


@frozen
class YearRecord:
    """One year's official arrangement, as published by its notice."""

    year: int
    notice: str
    published: date
    title: str
    holidays: tuple[Holiday, ...]


YEAR_KEYS = ("year", "notice", "published", "title", "holiday")
HOLIDAY_KEYS = ("name", "off", "make_up", "notice")


def read_records(data: Mapping, where: str) -> list[YearRecord]:
    """The year records of a calendar data file (``data``: the file read as TOML; ``where``:
    the file, named in every error), each checked as it is read.

    A mistake is one :class:`CalendarDataError` naming the file, the record and what is wrong,
    never a calendar silently counted otherwise: an ``off`` typed backwards gave no day off, a
    key misspelt (``of``, ``makeup``) was passed over. Checked: the keys and the kind of each
    value; ``off`` runs forwards; a make-up working day (调休上班) is a Saturday or Sunday; each
    day lies in its record's year, or in the December before it from the 25th (元旦 reaching
    back: the 2019 notice's 2018-12-29 to 12-31); the notice is dated before the first day it
    arranges (a holiday a later notice changed carries that ``notice``, undated, and is left
    out of this); no year is recorded twice, nor outside the index (its days never counted);
    no day is set twice (holidays overlapping, a day both off and worked, a make-up day listed
    twice), in one record or across two.
    """

    def fail(what: str, problem: str) -> NoReturn:
        raise CalendarDataError(f"{where}: {what}: {problem}")

    def shown(text: str, what: str, key: str) -> None:
        # (a notice, title or name is printed as it is, in every deadline's basis and in
        # `calendar years`: a line break or a terminal escape in it would break those lines)
        if (bad := unprintable(text)) is not None:
            fail(what, f"{key} must be printable text on one line, got {spelled(text, limit=60)} "
                       f"({character(bad)})")

    def keys(table: Any, known: tuple[str, ...], required: tuple[str, ...], what: str) -> None:
        if not isinstance(table, Mapping):
            fail(what, f"expected a table, got {table!r}")
        for key in table:
            if key not in known:
                fail(what, f"unknown key {key!r} (known: {', '.join(known)})")
        for key in required:
            if key not in table:
                fail(what, f"{key} is missing")

    def days(value: Any, what: str, key: str) -> list[date]:
        if not isinstance(value, list) or not all(is_day(v) for v in value):
            fail(what, f"{key} must be a list of dates (as 2025-01-28, unquoted), got {value!r}")
        return value

    if not isinstance(data, Mapping) or set(data) - {"year"}:
        unknown = sorted(set(data) - {"year"}) if isinstance(data, Mapping) else [data]
        fail("the file", f"unknown key {unknown[0]!r} (a calendar file holds [[year]] tables)")
    tables = data.get("year", [])
    if not isinstance(tables, list):
        fail("the file", "year must be [[year]] tables")
    records: list[YearRecord] = []
    seen: dict[date, tuple[bool, str]] = {}  # day -> (worked, where it is set)
    years: set[int] = set()
    for number, table in enumerate(tables, 1):
        what = f"[[year]] table {number}"
        keys(table, YEAR_KEYS, YEAR_KEYS[:4], what)
        year = table["year"]
        if not isinstance(year, int) or isinstance(year, bool):
            fail(what, f"year must be a whole number, got {year!r}")
        what = f"year {year}"
        if not FIRST_YEAR <= year <= LAST_INDEXED_YEAR:  # (its days never counted, silently)
            fail(what, f"outside the calendar ({FIRST_YEAR}–{LAST_INDEXED_YEAR})")
        if year in years:
            fail(what, "recorded twice (one [[year]] table a year)")
        years.add(year)
        for key in ("notice", "title"):
            if not is_text(table[key]):
                fail(what, f"{key} must be text, got {table[key]!r}")
            shown(table[key], what, key)
        if not is_day(table["published"]):
            fail(what, f"published must be a date (as 2024-11-12), got {table['published']!r}")
        holidays: list[Holiday] = []
        governed: list[date] = []  # the days the record's own notice arranges
        if not isinstance(table.get("holiday", []), list):
            fail(what, "holiday must be [[year.holiday]] tables")
        for index, raw in enumerate(table.get("holiday", []), 1):
            place = f"{what} holiday {index}"
            keys(raw, HOLIDAY_KEYS, HOLIDAY_KEYS[:2], place)
            if not is_text(raw["name"]):
                fail(place, f"name must be text, got {raw['name']!r}")
            shown(raw["name"], place, "name")
            place = f"{what} holiday {raw['name']}"
            off = days(raw["off"], place, "off")
            if len(off) != 2:
                fail(place, f"off must be [first, last] (two dates), got {len(off)}")
            make_up = days(raw.get("make_up", []), place, "make_up")
            notice = raw.get("notice")
            if notice is not None and not is_text(notice):
                fail(place, f"notice must be text, got {notice!r}")
            if notice is not None:
                shown(notice, place, "notice")
            if off[1] < off[0]:
                fail(place, f"off runs backwards: {off[1].isoformat()} is before "
                            f"{off[0].isoformat()} (off = [first, last])")
            holiday = Holiday(raw["name"], (off[0], off[1]), tuple(make_up), notice)
            for day in make_up:
                if day.weekday() < 5:
                    fail(place, f"make-up working day {day.isoformat()} is a "
                                f"{WEEKDAY_NAMES[day.weekday()]}, a working day already "
                                "(调休上班 makes a Saturday or Sunday a working day)")
            for day in (off[0], off[1], *make_up):
                if day.year != year and not (day.year == year - 1 and day.month == 12
                                             and day.day >= PROVISIONAL_DECEMBER_FROM):
                    fail(place, f"{day.isoformat()} is outside {year} (a notice arranges its "
                                f"year, and from {year - 1}-12-{PROVISIONAL_DECEMBER_FROM} the "
                                "December before it)")
            for worked, listed in ((False, holiday.days_off()), (True, make_up)):
                for day in listed:
                    if day in seen:
                        before, other = seen[day]
                        kinds = ("a day off", "a make-up working day")
                        if other != place:
                            problem = f"{kinds[worked]} here and {kinds[before]} in {other}"
                        elif before == worked:
                            problem = "listed twice"
                        else:
                            problem = "both a day off and a make-up working day"
                        fail(place, f"{day.isoformat()} is {problem}")
                    seen[day] = (worked, place)
            if notice is None:
                governed += [*holiday.days_off(), *make_up]
            holidays.append(holiday)
        if governed and table["published"] >= min(governed):
            fail(what, f"published {table['published'].isoformat()} is not before "
                       f"{min(governed).isoformat()}, the first day its notice arranges")
        records.append(YearRecord(year, table["notice"], table["published"], table["title"],
                                  tuple(holidays)))
    return records


DAY = pair_of(is_day, is_text)  # (a date given as text would never match a day: left out)


@frozen
class CalendarOverlay:
    """Local days off or working days on top of the national calendar.

    A province plugin returns these from ``doudi_calendar_overlays`` (e.g. an autonomous
    area's festival). ``source`` is the local document that sets them, shown in every
    explanation; ``county`` limits the overlay to one county (``None``: the whole province).
    Each field is checked when the overlay is built (a TypeError naming the field).
    """

    source: str = attrs.field(validator=one("the local document that sets the days (text)",
                                            is_text))
    days_off: tuple[tuple[date, str], ...] = attrs.field(
        default=(), converter=listed_pairs,
        validator=list_of('(date, name) pairs, as days_off=[(date(2026, 4, 20), "三月三")]', DAY))
    working_days: tuple[tuple[date, str], ...] = attrs.field(
        default=(), converter=listed_pairs,
        validator=list_of('(date, name) pairs, as working_days=[(date(2026, 4, 26), "调休上班")]',
                          DAY))
    # (a county named "" or " 甲县" would match no case's county: the overlay silently unused)
    county: str | None = attrs.field(default=None, validator=one(
        "None (the whole province) or a county's name, without spaces around it",
        lambda v: v is None or (is_text(v) and v == v.strip())))

    def __attrs_post_init__(self) -> None:
        # (the working day won, silently: a day off the document gives was counted)
        both = sorted({d for d, _ in self.days_off} & {d for d, _ in self.working_days})
        if both:
            raise TypeError(f"CalendarOverlay: {both[0].isoformat()} is both in days_off and in "
                            "working_days")
        # (listed twice, under two names, the one listed last named the day without a word)
        for field, listed in (("days_off", self.days_off), ("working_days", self.working_days)):
            days = [day for day, _ in listed]
            twice = sorted({day for day in days if days.count(day) > 1})
            if twice:
                raise TypeError(f"CalendarOverlay: {twice[0].isoformat()} is twice in {field}")
        # (a day the calendar does not cover, 2205 for 2025, was never applied, not a word said)
        for field, listed in (("days_off", self.days_off), ("working_days", self.working_days)):
            outside = sorted(day for day, _ in listed if not FIRST_YEAR <= day.year <= LAST_INDEXED_YEAR)
            if outside:
                raise TypeError(f"CalendarOverlay {field}: {outside[0].isoformat()} is outside the "
                                f"calendar ({FIRST_YEAR}-01-01 to {LAST_INDEXED_YEAR}-12-31), which "
                                "would never count it")


def in_force_order(overlays: Sequence[CalendarOverlay]) -> tuple[CalendarOverlay, ...]:
    """Overlays in the order they apply: the province-wide ones, then a county's own, so that
    for its county a county's document decides a day the province-wide one also sets."""
    return tuple(sorted(overlays, key=lambda overlay: overlay.county is not None))


def overlay_disagreement(overlays: Sequence[CalendarOverlay]) -> str | None:
    """Why two overlays of the same reach (both province-wide, or both for one county) cannot
    both be in force: a day one gives off and the other makes a working day (the first such
    day); None when they agree. Which one applied would be the order a plugin listed them in."""
    said: dict[tuple[str | None, date], tuple[bool, str]] = {}
    for overlay in overlays:
        days = [(day, False) for day, _ in overlay.days_off]
        days += [(day, True) for day, _ in overlay.working_days]
        for day, working in sorted(days):
            other = said.setdefault((overlay.county, day), (working, overlay.source))
            if other[0] != working:
                off, work = (other[1], overlay.source) if working else (overlay.source, other[1])
                where = "" if overlay.county is None else f" for {overlay.county}"
                return (f"{day.isoformat()} is a day off in {off!r} and a working day in "
                        f"{work!r}{where}: the overlays disagree")
    return None


@frozen
class DayInfo:
    """What one day is on the official calendar, and why."""

    day: date
    working: bool
    kind: str  # workday | weekend | holiday | make_up | local_off | local_work | projected_off
    label: str  # e.g. 周三, 周六, 春节, 春节调休上班
    source: str | None  # the notice, statute or local document behind it (documents: joined)
    provisional: bool
    #: Each document behind it, when documents in force agree about the day (an overlay
    #: repeating the national notice's day off, two overlays both giving it off); else
    #: empty, ``source`` alone.
    documents: tuple[str, ...] = ()

    def sources(self) -> tuple[str, ...]:
        """The documents behind the day, each once: ``documents``, else ``source``."""
        return self.documents or ((self.source,) if self.source is not None else ())

    def agreeing(self, label: str, source: str) -> DayInfo:
        """The day as another document in force (a local one) also sets it: both named, this
        one first (and its name for the day, when another)."""
        documents = self.sources()
        if source in documents:
            return self
        labels = self.label.split("、")
        label = self.label if label in labels else f"{self.label}、{label}"
        return attrs.evolve(self, label=label, source="、".join((*documents, source)),
                            documents=(*documents, source))

    def describe(self) -> str:
        text = f"{self.day.isoformat()} {WEEKDAY_NAMES[self.day.weekday()]}"
        if self.kind in ("workday", "weekend"):
            return f"{text} {'工作日' if self.working else '休息日'}"
        what = "工作日" if self.working else "休息日"
        return f"{text} {what}：{self.label}（{self.source}）"
