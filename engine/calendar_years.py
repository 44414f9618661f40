"""Year records of the official calendar that a case database holds (``doudi calendar add``).

The State Council publishes a year's arrangement in the autumn before it starts; a doudi
release carrying it may come later. Until one does, the operator records the notice's
``[[year]]`` table, in the packaged file's format and checked by the same
:func:`engine.calendar_data.read_records`, in the database (``calendar_years``): its cases
are then counted on it, as on the packaged years, and every process on that database counts
on the same calendar. Like the county settings (:mod:`engine.local_parameters`) the rows are
only appended, one hash chain in the order recorded, checked by ``audit verify``.

The packaged data decides a year it holds: a year doudi ships is not added (one identical is
"already there", nothing written), and where a later release ships a year the database holds
and the two differ, the release's record is counted (it is reviewed against the notice, and
carries a later notice's changes, as 2020's 春节) and the operator is told at open, in one
line, the stored row kept as evidence. A stored row that no longer fits its hash is not
counted (its year is projected, as without it), said at open too.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from attrs import frozen

from engine.arguments import file_text, read_whole
from engine.calendar_data import FIRST_YEAR, WEEKDAY_NAMES, YearRecord, read_records
from engine.errors import CalendarDataError, DamagedRecord, EventRefused, InvalidInput, UnknownName
from engine.integrity import YEAR_HASHED, YEAR_VOID_HASHED, chained, first_set_asides, row_altered

#: Where a year's record comes from (:attr:`CalendarYear.source`).
PACKAGED = "packaged"
DATABASE = "database"


@frozen
class CalendarYear:
    """One year of the official calendar and where its record comes from: ``packaged``
    (doudi's data file) or ``database`` (added with ``doudi calendar add``: then its row's
    ``id``, ``actor`` and ``recorded_at``)."""

    record: YearRecord
    source: str
    id: int | None = None
    actor: str | None = None
    recorded_at: str | None = None

    @property
    def year(self) -> int:
        return self.record.year

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {"year": r.year, "notice": r.notice, "published": r.published.isoformat(),
                "title": r.title, "source": self.source, "id": self.id, "actor": self.actor,
                "recorded_at": self.recorded_at}


@frozen
class AddedYears:
    """What :meth:`engine.Engine.add_calendar_years` did with a file's years: those it
    ``recorded``, and those ``already`` there, identical (packaged, or stored before), for
    which nothing was written."""

    recorded: tuple[CalendarYear, ...]
    already: tuple[CalendarYear, ...]


@frozen
class YearsInForce:
    """The calendar a database's cases are counted on: the packaged records with the years
    the database holds (``records``), the stored years read back (``stored``), and one line
    for the operator (``notes``) for each stored row not counted: one that no longer fits its
    hash, or a year a later doudi release ships that differs from it."""

    records: tuple[YearRecord, ...]
    stored: tuple[CalendarYear, ...]
    notes: tuple[str, ...]
    #: The stored years counted (not left out for a packaged one, nor set aside), by year.
    counted: tuple[int, ...] = ()
    #: The stored rows set aside (``doudi calendar void``): by the row's id, the set-aside's
    #: row (id, calendar_year, citation, actor, recorded_at).
    set_aside: Mapping[int, Mapping[str, Any]] = {}


def _quoted(text: str) -> str:
    """``text`` as a TOML basic string (JSON's escapes are TOML's; DEL, which JSON leaves,
    escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def record_text(record: YearRecord) -> str:
    """The ``[[year]]`` table of ``record`` as TOML, as it is stored: read back by
    :func:`read_records`, it gives the same record."""
    lines = ["[[year]]", f"year = {record.year}", f"notice = {_quoted(record.notice)}",
             f"published = {record.published.isoformat()}", f"title = {_quoted(record.title)}"]
    for holiday in record.holidays:
        lines += ["", "[[year.holiday]]", f"name = {_quoted(holiday.name)}",
                  f"off = [{holiday.off[0].isoformat()}, {holiday.off[1].isoformat()}]",
                  f"make_up = [{', '.join(d.isoformat() for d in holiday.make_up)}]"]
        if holiday.notice is not None:
            lines.append(f"notice = {_quoted(holiday.notice)}")
    return "\n".join(lines) + "\n"


def _read_text(text: Any, where: str) -> list[YearRecord]:
    """The records of TOML ``text`` (a file's, or a stored row's), each checked."""
    if not isinstance(text, str):
        raise CalendarDataError(f"{where}: no TOML text ({type(text).__name__})")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarDataError(f"{where}: not valid TOML: {exc}") from None
    except RecursionError:  # (tomllib reads nested arrays and tables by recursion)
        raise CalendarDataError(f"{where}: not valid TOML: nested too deep for a calendar "
                                "file") from None
    return read_records(data, where)


def read_file(path: str) -> list[YearRecord]:
    """The ``[[year]]`` records of the file at ``path``, each checked as the packaged file's
    are: a mistake is :class:`InvalidInput` (bad input, exit 2) naming the file and the
    record; so is a file that cannot be read, or that holds no record."""
    try:
        with open(path, "rb") as handle:
            data = read_whole(handle, path)
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return read_data(data, path)


def read_data(data: bytes, where: str) -> list[YearRecord]:
    """:func:`read_file` for a file's bytes already read (``calendar add -``: stdin's),
    ``where`` naming it in every error."""
    try:
        records = _read_text(file_text(data, where), where)
    except CalendarDataError as exc:
        raise InvalidInput(str(exc)) from None
    if not records:
        raise InvalidInput(f"{where}: no [[year]] table (the packaged file's format: "
                           "engine/data/calendar_cn.toml)")
    return records


def read_rows(rows: Iterable[Mapping[str, Any]]
              ) -> tuple[list[CalendarYear], list[tuple[Mapping[str, Any], DamagedRecord]]]:
    """The stored years' rows read back (in the order recorded): the years, and each row that
    cannot be (no longer fitting its hash, or no record doudi writes) with its error."""
    readable, unread = [], []
    for row in rows:
        what = f"calendar year #{row.get('id')}"
        try:
            if row_altered(row, YEAR_HASHED):
                error = DamagedRecord(
                    f"{what} ({row.get('year')}, as it now reads) was altered: it no longer fits "
                    "its hash, so it was changed outside doudi (doudi audit verify lists what was)")
                error.problem = "altered"
                raise error
            try:
                records = _read_text(row.get("record"), what)
            except CalendarDataError as exc:
                raise DamagedRecord.of(what, exc) from None
            if len(records) != 1 or (records[0].year, records[0].notice) != (
                    row.get("year"), row.get("notice")):
                raise DamagedRecord.of(what, ValueError(
                    "its record is not the one year its row names"))
        except DamagedRecord as exc:
            unread.append((row, exc))
            continue
        readable.append(CalendarYear(records[0], DATABASE, row["id"], row.get("actor"),
                                     row.get("recorded_at")))
    return readable, unread


def _days(record: YearRecord) -> dict[date, tuple[bool, str]]:
    days = {}
    for holiday in record.holidays:
        for day in holiday.days_off():
            days[day] = (False, holiday.name)
        for day in holiday.make_up:
            days[day] = (True, f"{holiday.name}调休上班")
    return days


def difference(record: YearRecord, other: YearRecord) -> str:
    """The first thing ``record`` says otherwise than ``other`` (the first day, else its
    notice, date or title), in words."""
    ours, theirs = _days(record), _days(other)

    def said(day: date, days: dict[date, tuple[bool, str]]) -> str:
        found = days.get(day)
        if found is None:
            return "an ordinary day"
        return f"a working day ({found[1]})" if found[0] else f"a day off ({found[1]})"

    for day in sorted({*ours, *theirs}):
        if ours.get(day) != theirs.get(day):
            return (f"{day.isoformat()} {WEEKDAY_NAMES[day.weekday()]} is {said(day, ours)} in "
                    f"one, {said(day, theirs)} in the other")
    for field in ("notice", "published", "title"):
        mine, yours = getattr(record, field), getattr(other, field)
        if mine != yours:
            return f"its {field} {mine} against {yours}"
    return "its holidays are named or listed otherwise"


def first_voids(rows: Iterable[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    """Set-aside rows (``calendar_year_voids``) by the calendar year row each sets aside
    (:func:`engine.integrity.first_set_asides`)."""
    return first_set_asides(rows, "calendar_year", YEAR_VOID_HASHED)


def in_force(packaged: Sequence[YearRecord], rows: Sequence[Mapping[str, Any]],
             voids: Mapping[int, Mapping[str, Any]] | None = None) -> YearsInForce:
    """The calendar a database with the stored years' ``rows`` counts on (see the module),
    those set aside (``voids``, by row id: :func:`first_voids`) left out, without a note:
    their years are counted as before they were added."""
    voids = voids or {}
    stored, unread = read_rows(rows)
    shipped = {r.year: r for r in packaged}
    records, notes, counted = list(packaged), [], []
    for row, exc in unread:
        if row.get("id") not in voids:
            notes.append(f"note: {exc}; its year is not counted from it (projected, as "
                         "without a record)")
    for year in stored:
        release = shipped.get(year.year)
        if year.id in voids:
            continue
        if release is None:
            if year.year not in counted:  # (one a year: a second only if added by hand)
                records.append(year.record)
                counted.append(year.year)
        elif release != year.record:
            notes.append(
                f"note: doudi's packaged calendar now holds {year.year} ({release.notice}), "
                f"which differs from calendar year #{year.id} this database stored on "
                f"{year.recorded_at} ({difference(release, year.record)}): the packaged record "
                "is counted, the stored one kept as evidence; run `doudi recompute`")
    return YearsInForce(tuple(sorted(records, key=lambda r: r.year)), tuple(stored),
                        tuple(notes), tuple(counted), dict(voids))


def _statutory_days_off(record: YearRecord, what: str) -> None:
    """Refuse a record that leaves a statutory day off (《全国年节及纪念日放假办法》第二条:
    元旦, 除夕 to 初三, 清明, 5/1–5/2, 端午, 中秋, 10/1–10/3) a working day: a notice
    arranges the days around them, never one of them, so a holiday left out of the file
    (国庆节 missing) or its dates mistyped would count it as a working day, official."""
    from engine.calendar import projected_days_off

    if record.year < 2025:  # (the statute as amended 2024-11-10, 除夕 and 5/2 from 2025)
        return
    off = {day for holiday in record.holidays for day in holiday.days_off()}
    for day, name in projected_days_off(record.year):
        if not name.endswith("补假") and day not in off:
            raise InvalidInput(
                f"{what}: {day.isoformat()} {WEEKDAY_NAMES[day.weekday()]} is a statutory day "
                f"off ({name}, 《全国年节及纪念日放假办法》第二条) and no holiday of this record "
                "gives it off: a holiday left out, or its dates mistyped")


def to_add(given: Sequence[YearRecord], packaged: Sequence[YearRecord],
           stored: Sequence[CalendarYear], today: date, where: str
           ) -> tuple[list[YearRecord], list[CalendarYear]]:
    """The records of ``given`` (a file's, ``where``) to store, and the years already there,
    identical (packaged, or stored before); or :class:`InvalidInput` naming the file and the
    year: a year doudi ships or the database holds, told otherwise; a notice dated after
    ``today`` or before the year before its own; a notice number another year has; a year
    after one that has no record yet; a statutory day off its record leaves a working day; a
    day its record sets that another year's record sets too (元旦 reaching back into
    December)."""
    shipped = {r.year: r for r in packaged}
    held = {y.year: y for y in stored}
    new: list[YearRecord] = []
    already: list[CalendarYear] = []
    for record in given:
        what = f"{where}: year {record.year}"
        if record.year in shipped:
            release = shipped[record.year]
            if release == record:
                already.append(CalendarYear(record, PACKAGED))
                continue
            raise InvalidInput(f"{what}: doudi's packaged calendar holds {record.year} "
                               f"({release.notice}) and this record differs "
                               f"({difference(record, release)}): a year doudi ships is not added")
        if record.year in held:
            kept = held[record.year]
            if kept.record == record:
                already.append(kept)
                continue
            raise InvalidInput(f"{what}: this database holds {record.year} already (calendar "
                               f"year #{kept.id}, {kept.record.notice}, recorded "
                               f"{kept.recorded_at}) and this record differs "
                               f"({difference(record, kept.record)}): a year is recorded once")
        if record.published > today:
            raise InvalidInput(f"{what}: published {record.published.isoformat()} is after today "
                               f"({today.isoformat()}): only a notice already issued is recorded")
        early = published_too_early(record)
        if early:
            raise InvalidInput(f"{what}: {early}")
        new.append(record)
    others = [*packaged, *(y.record for y in stored if y.year not in shipped)]
    notices = {r.notice: r.year for r in others}
    for record in new:
        year = notices.setdefault(record.notice, record.year)
        if year != record.year:
            raise InvalidInput(f"{where}: year {record.year}: notice {record.notice} is "
                               f"{year}'s (each year has its own notice)")
    recorded = {r.year for r in others} | {r.year for r in new}
    for record in sorted(new, key=lambda r: r.year):
        missing = [y for y in range(FIRST_YEAR, record.year) if y not in recorded]
        if missing:
            raise InvalidInput(f"{where}: year {record.year}: {missing[0]} has no record yet; "
                               "add the years in order (the days after a year without its "
                               "notice are counted as provisional)")
        _statutory_days_off(record, f"{where}: year {record.year}")
    if new:
        # (the days of every record at once: one the new record sets that another sets too)
        texts = "\n".join(record_text(r) for r in sorted([*others, *new], key=lambda r: r.year))
        try:
            _read_text(texts, where)
        except CalendarDataError as exc:
            raise InvalidInput(str(exc)) from None
    return new, already


def published_too_early(record: YearRecord) -> str | None:
    """What is wrong with ``record``'s ``published`` before the first of January of the year
    before its own (a year typed wrong: 2025 for 2026), or None: the State Council's notice
    of year Y comes late in Y-1 (2026's bears 2025-11-04), a change of it in Y itself (2020's
    春节 extended, 国办发明电〔2020〕1号, in January 2020). Checked as a record is added; each
    packaged record meets it too (tests)."""
    first = date(record.year - 1, 1, 1)
    if record.published >= first:
        return None
    return (f"published {record.published.isoformat()} is before {first.isoformat()}: a year's "
            f"notice is issued in the year before it ({record.year - 1}) at the earliest")


def no_year_numbered(shown: object) -> UnknownName:
    """The refusal of a calendar year row id none is stored under (``shown`` as the caller
    spells it: the number, or its first digits)."""
    return UnknownName(f"no calendar year #{shown}")


def to_set_aside(year_id: int, rows: Sequence[Mapping[str, Any]],
                 voids: Mapping[int, Mapping[str, Any]]) -> Mapping[str, Any]:
    """The stored row ``year_id`` (of ``rows``, as stored now) to set aside; or the refusal:
    :class:`UnknownName` where there is none, :class:`EventRefused` where it is set aside
    already, or a later year is counted from a row not set aside (set aside from the last
    year back: a year after one without its record would be counted as official only in
    part, as ``calendar add`` refuses)."""
    row = next((r for r in rows if r.get("id") == year_id), None)
    if row is None:
        raise no_year_numbered(year_id)
    what = f"calendar year #{year_id} ({row.get('year')})"
    voided = voids.get(year_id)
    if voided is not None:
        raise EventRefused(f"{what} was set aside already (on {voided['recorded_at']}, "
                           f"{voided['citation']})")
    year = row.get("year")
    later = [r for r in read_rows(rows)[0] if r.id not in voids and isinstance(year, int)
             and r.year > year]
    if later:
        last = max(later, key=lambda y: y.year)
        raise EventRefused(f"{what} cannot be set aside while a later year is counted from the "
                           f"database ({last.year}, calendar year #{last.id}): set the later "
                           "years aside first")
    return row


def rows_to_store(records: Sequence[YearRecord], actor: str | None, recorded_at: str,
                  previous: str) -> list[dict[str, Any]]:
    """The rows of ``records`` as stored, chained from ``previous`` (the last row's hash)."""
    rows = [{"year": r.year, "notice": r.notice, "record": record_text(r), "actor": actor,
             "recorded_at": recorded_at} for r in sorted(records, key=lambda r: r.year)]
    chained(rows, previous, YEAR_HASHED)
    return rows
