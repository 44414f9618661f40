"""The calendar's year records are checked when they load: a mistake in engine/data/calendar_cn.toml
is one error naming the file, the record and the problem (``CalendarDataError``, exit 1), not a
calendar silently counted otherwise. Each case below loaded without a word before: an ``off``
typed backwards gave no day off at all, a key misspelt was passed over.

The records are the 2025 notice's (国办发明电〔2024〕12号, as /work/shared/reference/calendar.md
gives it): 元旦 1/1; 春节 1/28–2/4, 1/26 (Sun) and 2/8 (Sat) worked.
"""

from __future__ import annotations

import functools
from datetime import date

import pytest
from click.testing import CliRunner

from engine import CalendarDataError, CalendarOverlay, DoudiError
from engine import calendar as calendar_module
from engine.calendar import load_records
from engine.cli import cli
from engine.registry import get_registry

YEAR_2025 = """
[[year]]
year = 2025
notice = "国办发明电〔2024〕12号"
published = 2024-11-12
title = "国务院办公厅关于2025年部分节假日安排的通知"

[[year.holiday]]
name = "元旦"
off = [2025-01-01, 2025-01-01]
make_up = []

[[year.holiday]]
name = "春节"
off = [2025-01-28, 2025-02-04]
make_up = [2025-01-26, 2025-02-08]
"""

YEAR_2026 = """
[[year]]
year = 2026
notice = "国办发明电〔2025〕7号"
published = 2025-11-04
title = "国务院办公厅关于2026年部分节假日安排的通知"

[[year.holiday]]
name = "元旦"
off = [2026-01-01, 2026-01-03]
make_up = [2026-01-04]
"""

# mistake -> (the file's text, the error after "<file>: ")
MISTAKES = {
    "off-backwards": (
        YEAR_2025.replace("off = [2025-01-28, 2025-02-04]", "off = [2025-02-04, 2025-01-28]"),
        "year 2025 holiday 春节: off runs backwards: 2025-01-28 is before 2025-02-04 "
        "(off = [first, last])"),
    "holidays-overlap": (
        # 元旦 typed to 1/28 for 1/1: the holidays overlap
        YEAR_2025.replace("off = [2025-01-01, 2025-01-01]", "off = [2025-01-01, 2025-01-28]"),
        "year 2025 holiday 春节: 2025-01-28 is a day off here and a day off in year 2025 holiday "
        "元旦"),
    "worked-in-another-holiday": (
        # 元旦 typed to 1/26, 春节's make-up Sunday
        YEAR_2025.replace("off = [2025-01-01, 2025-01-01]", "off = [2025-01-01, 2025-01-26]"),
        "year 2025 holiday 春节: 2025-01-26 is a make-up working day here and a day off in year "
        "2025 holiday 元旦"),
    "make-up-on-a-weekday": (
        # Friday 2025-02-07 for Saturday 02-08: the Saturday would have been counted off
        YEAR_2025.replace("2025-02-08]", "2025-02-07]"),
        "year 2025 holiday 春节: make-up working day 2025-02-07 is a 周五, a working day already "
        "(调休上班 makes a Saturday or Sunday a working day)"),
    "off-and-worked": (
        YEAR_2025.replace("make_up = [2025-01-26, 2025-02-08]", "make_up = [2025-01-26, 2025-02-02]"),
        "year 2025 holiday 春节: 2025-02-02 is both a day off and a make-up working day"),
    "make-up-listed-twice": (
        YEAR_2025.replace("2025-02-08]", "2025-02-08, 2025-02-08]"),
        "year 2025 holiday 春节: 2025-02-08 is listed twice"),
    "outside-its-year": (
        YEAR_2025.replace("off = [2025-01-01, 2025-01-01]", "off = [2026-01-01, 2026-01-01]"),
        "year 2025 holiday 元旦: 2026-01-01 is outside 2025 (a notice arranges its year, and from "
        "2024-12-25 the December before it)"),
    "year-twice": (
        YEAR_2025 + YEAR_2025.split("[[year.holiday]]")[0],
        "year 2025: recorded twice (one [[year]] table a year)"),
    "year-outside-the-calendar": (
        YEAR_2025.replace("2025", "2061").replace("2024-11-12", "2060-11-12"),
        "year 2061: outside the calendar (2018–2060)"),
    "published-after-the-days": (
        YEAR_2025.replace("published = 2024-11-12", "published = 2025-11-12"),
        "year 2025: published 2025-11-12 is not before 2025-01-01, the first day its notice "
        "arranges"),
    "unknown-holiday-key": (
        YEAR_2025.replace("off = [2025-01-01, 2025-01-01]", "of = [2025-01-01, 2025-01-01]"),
        "year 2025 holiday 1: unknown key 'of' (known: name, off, make_up, notice)"),
    "misspelt-make-up": (
        YEAR_2025.replace("make_up = [2025-01-26", "makeup = [2025-01-26"),
        "year 2025 holiday 2: unknown key 'makeup' (known: name, off, make_up, notice)"),
    "unknown-year-key": (
        YEAR_2025.replace("published =", "notice_date = 2024-11-12\npublished ="),
        "[[year]] table 1: unknown key 'notice_date' (known: year, notice, published, title, "
        "holiday)"),
    "date-as-text": (
        YEAR_2025.replace("off = [2025-01-01, 2025-01-01]", 'off = ["2025-01-01", "2025-01-01"]'),
        "year 2025 holiday 元旦: off must be a list of dates (as 2025-01-28, unquoted), got "
        "['2025-01-01', '2025-01-01']"),
    "not-toml": (YEAR_2025.replace("off = [2025-01-01, 2025-01-01]", "off = [2025-01-01"),
                 "not valid TOML: "),
}
# Two records setting one day: the 2025 record's 元旦 typed as 2025-12-31 (for 2025-01-01) and
# the 2026 notice's 元旦 typed as reaching back to 12-31 too.
MISTAKES["days-of-two-years-overlap"] = (
    YEAR_2025.replace("off = [2025-01-01, 2025-01-01]", "off = [2025-12-31, 2025-12-31]")
    + YEAR_2026.replace("off = [2026-01-01, 2026-01-03]", "off = [2025-12-31, 2026-01-03]"),
    "year 2026 holiday 元旦: 2025-12-31 is a day off here and a day off in year 2025 holiday 元旦")


def _clear_calendars():
    calendar_module.national_calendar.cache_clear()
    calendar_module._overlaid.cache_clear()
    get_registry.cache_clear()


@pytest.fixture
def data_file(tmp_path):
    def write(text: str) -> str:
        path = tmp_path / "calendar_cn.toml"
        path.write_text(text, encoding="utf-8")
        return str(path)
    return write


def test_the_records_used_here_load(data_file):
    records = load_records(data_file(YEAR_2025 + YEAR_2026))
    assert [r.year for r in records] == [2025, 2026]
    assert records[0].holidays[1].days_off()[-1] == date(2025, 2, 4)


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_mistake_in_a_year_record_is_one_error_naming_the_file_record_and_problem(data_file,
                                                                                    mistake):
    text, problem = MISTAKES[mistake]
    path = data_file(text)
    with pytest.raises(CalendarDataError) as refused:
        load_records(path)
    assert isinstance(refused.value, DoudiError) and refused.value.exit_code == 1
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {problem}"), message
    if mistake != "not-toml":
        assert message == f"{path}: {problem}"


def test_the_backwards_range_no_longer_drops_the_holiday_silently(data_file):
    # 春节 typed off = [2025-02-04, 2025-01-28] gave no day off: +10wd from Monday 2025-01-20
    # (calendar.md: 2025-02-08, a make-up Saturday, on the official calendar) came out
    # 2025-01-31, counting 1/21–1/24, Sunday 1/26 (make-up), then 1/27–1/31 as if 春节 were
    # working days. Refused now instead.
    path = data_file(MISTAKES["off-backwards"][0])
    with pytest.raises(CalendarDataError, match="off runs backwards"):
        load_records(path)


def test_the_command_line_says_so_in_one_line_exit_1(data_file, monkeypatch):
    path = data_file(MISTAKES["make-up-on-a-weekday"][0])
    monkeypatch.setattr(calendar_module, "load_records",
                        functools.partial(calendar_module.load_records, path))
    _clear_calendars()
    try:
        result = CliRunner().invoke(cli, ["calendar", "due", "2025-01-20", "10wd"])
    finally:
        monkeypatch.undo()
        _clear_calendars()
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: {path}: {MISTAKES['make-up-on-a-weekday'][1]}"]


def test_the_packaged_data_passes_the_checks():
    assert [r.year for r in load_records()] == list(range(2018, 2027))


# -- a province's or county's overlay: the same checks, where they apply ------------------------

def test_an_overlay_listing_a_day_twice_is_refused():
    # Listed twice under two names, the day bore only the first name, the second document's
    # name for it gone without a word.
    with pytest.raises(TypeError, match=r"^CalendarOverlay: 2026-04-20 is twice in days_off$"):
        CalendarOverlay("琼府办〔2099〕1号", days_off=[(date(2026, 4, 20), "三月三"),
                                                    (date(2026, 4, 20), "壮族三月三")])
    with pytest.raises(TypeError, match=r"^CalendarOverlay: 2026-04-26 is twice in working_days$"):
        CalendarOverlay("琼府办〔2099〕1号", working_days=[(date(2026, 4, 26), "调休"),
                                                        (date(2026, 4, 26), "调休上班")])
