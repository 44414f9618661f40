"""What the official calendar is made of: constants, holidays, year records, local overlays,
and what a day is. Kept apart from ``engine.calendar`` (which builds calendars on
workalendar) so that plugins and the registry can name these without importing workalendar:
listing the provinces stays quick.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import attrs
from attrs import frozen

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

    @classmethod
    def from_toml(cls, table: Mapping) -> YearRecord:
        holidays = tuple(
            Holiday(
                name=h["name"],
                off=(h["off"][0], h["off"][1]),
                make_up=tuple(h.get("make_up", ())),
                notice=h.get("notice"),
            )
            for h in table.get("holiday", ())
        )
        return cls(
            year=table["year"],
            notice=table["notice"],
            published=table["published"],
            title=table["title"],
            holidays=holidays,
        )


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
