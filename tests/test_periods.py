"""Hand-computed due dates, each from the notice that arranges its days.

Every expected date below was counted by hand from the notices (see
/work/shared/reference/calendar.md and engine/data/calendar_cn.toml), never produced by the
code under test. Rules (《民法典》): 第201条 the start day is not counted; 第202条 a month period
ends on the corresponding day, or the month's last day if there is none; 第203条 a last day
that is not a working day moves to the next working day (a make-up Saturday *is* one).
"""

from __future__ import annotations

from datetime import date

import pytest

from engine.calendar import PROJECTION_BASIS, national_calendar
from engine.errors import InvalidInput
from engine.periods import Duration, add_months, due_date, explain

N2024_12 = "国办发明电〔2024〕12号"  # 2025 arrangement
N2025_7 = "国办发明电〔2025〕7号"  # 2026 arrangement
N2017_12 = "国办发明电〔2017〕12号"  # 2018 arrangement

WD = ("第201条",)
D = ("第201条", "第203条")
M = ("第201条", "第202条", "第203条")


@pytest.fixture(scope="module")
def cal():
    return national_calendar()


def check(cal, start, duration, due, articles, *, nominal=None, provisional=False):
    result = due_date(cal, start, duration)
    assert result.due == due, f"{start} +{duration}: got {result.due}, hand count {due}"
    assert result.articles == articles
    assert result.provisional is provisional
    assert result.nominal_end == (nominal or due)
    assert str(result.duration) == duration
    return result


# -- working days (第201条) -----------------------------------------------------------------


def test_10wd_from_2025_01_20_lands_on_make_up_saturday(cal):
    """国办发明电〔2024〕12号: 春节 1/28–2/4 off; 1/26 (Sun) and 2/8 (Sat) worked.

    Monday 2025-01-20, start not counted (第201条):
      1/21 Tue 1, 1/22 Wed 2, 1/23 Thu 3, 1/24 Fri 4, 1/25 Sat off,
      1/26 Sun make-up 5, 1/27 Mon 6, 1/28–2/4 春节 off,
      2/5 Wed 7, 2/6 Thu 8, 2/7 Fri 9, 2/8 Sat make-up 10  → 2025-02-08.
    (A naive Mon–Fri count gives 2025-02-11.)
    """
    result = check(cal, date(2025, 1, 20), "10wd", date(2025, 2, 8), WD)
    assert N2024_12 in result.basis


def test_3wd_from_the_friday_before_qingming_2026(cal):
    """国办发明电〔2025〕7号: 清明 4/4–4/6 (Sat–Mon) off, no make-up day.

    Friday 2026-04-03: 4/4 Sat, 4/5 Sun, 4/6 Mon 清明 off;
      4/7 Tue 1, 4/8 Wed 2, 4/9 Thu 3  → 2026-04-09 (naively 4/8).
    """
    check(cal, date(2026, 4, 3), "3wd", date(2026, 4, 9), WD)


def test_3wd_from_the_friday_before_duanwu_2025(cal):
    """国办发明电〔2024〕12号: 端午 5/31–6/2 (Sat–Mon) off.

    Friday 2025-05-30: 5/31, 6/1, 6/2 off; 6/3 Tue 1, 6/4 Wed 2, 6/5 Thu 3  → 2025-06-05.
    """
    check(cal, date(2025, 5, 30), "3wd", date(2025, 6, 5), WD)


def test_3wd_from_the_friday_before_spring_festival_2026(cal):
    """国办发明电〔2025〕7号: 春节 2/15–2/23 off; 2/14 (Sat) and 2/28 (Sat) worked.

    Friday 2026-02-13: 2/14 Sat make-up 1, 2/15–2/23 off, 2/24 Tue 2, 2/25 Wed 3  → 2026-02-25.
    """
    check(cal, date(2026, 2, 13), "3wd", date(2026, 2, 25), WD)


def test_30wd_across_spring_festival_2026(cal):
    """国办发明电〔2025〕7号: 春节 2/15–2/23 off; make-up Saturdays 2/14 and 2/28.

    Wednesday 2026-01-28:
      1/29 Thu 1, 1/30 Fri 2, (1/31, 2/1 weekend), 2/2–2/6 3–7, (2/7, 2/8),
      2/9–2/13 8–12, 2/14 Sat make-up 13, 2/15–2/23 春节 off,
      2/24 Tue 14, 2/25 15, 2/26 16, 2/27 Fri 17, 2/28 Sat make-up 18, (3/1 Sun),
      3/2–3/6 19–23, (3/7, 3/8), 3/9–3/13 24–28, (3/14, 3/15), 3/16 Mon 29, 3/17 Tue 30
      → 2026-03-17.
    """
    check(cal, date(2026, 1, 28), "30wd", date(2026, 3, 17), WD)


def test_5wd_across_national_day_2025(cal):
    """国办发明电〔2024〕12号: 国庆、中秋 10/1–10/8 off; 9/28 (Sun), 10/11 (Sat) worked.

    Friday 2025-09-26: (9/27 Sat), 9/28 Sun make-up 1, 9/29 Mon 2, 9/30 Tue 3,
      10/1–10/8 off, 10/9 Thu 4, 10/10 Fri 5  → 2025-10-10.
    """
    check(cal, date(2025, 9, 26), "5wd", date(2025, 10, 10), WD)


def test_wd_from_a_day_off_counts_from_the_next_working_day(cal):
    """国办发明电〔2024〕12号: start Saturday 2025-02-01, inside 春节 (1/28–2/4).

    2/2, 2/3, 2/4 off; 2/5 Wed 1  → 2025-02-05.
    """
    check(cal, date(2025, 2, 1), "1wd", date(2025, 2, 5), WD)


# -- calendar days (第201条, 第203条) -------------------------------------------------------


def test_7d_ending_inside_national_day_2026_moves_to_the_8th(cal):
    """国办发明电〔2025〕7号: 国庆 10/1–10/7 off.

    Monday 2026-09-28 + 7 days (9/29 1 … 10/5 7): last day 2026-10-05, inside 国庆;
    第203条: 10/6, 10/7 off, 10/8 Thu is the next working day  → 2026-10-08.
    """
    result = check(cal, date(2026, 9, 28), "7d", date(2026, 10, 8), D, nominal=date(2026, 10, 5))
    assert "2026-10-05" in result.basis and "国庆节" in result.basis


def test_7d_ending_on_make_up_saturday_stays_there_2026(cal):
    """国办发明电〔2025〕7号: 2026-02-28 (Sat) is a 春节 make-up working day.

    Saturday 2026-02-21 + 7 days (2/22 1 … 2/28 7): last day 2026-02-28, a working day, so
    第203条 does not move it  → 2026-02-28.
    """
    check(cal, date(2026, 2, 21), "7d", date(2026, 2, 28), D)


def test_7d_ending_on_make_up_saturday_stays_there_2025(cal):
    """国办发明电〔2024〕12号: 2025-02-08 (Sat) worked.

    Saturday 2025-02-01 + 7 days (2/2 1 … 2/8 7)  → 2025-02-08, stays.
    """
    check(cal, date(2025, 2, 1), "7d", date(2025, 2, 8), D)


def test_7d_ending_on_make_up_saturday_before_the_holiday(cal):
    """国办发明电〔2025〕7号: 2026-02-14 (Sat) worked.

    Saturday 2026-02-07 + 7 days (2/8 1 … 2/14 7)  → 2026-02-14, stays.
    """
    check(cal, date(2026, 2, 7), "7d", date(2026, 2, 14), D)


def test_d_ending_on_ordinary_sunday_moves_to_monday(cal):
    """No arrangement in March 2025 (国办发明电〔2024〕12号).

    Sunday 2025-03-02 + 7 days: last day Sunday 2025-03-09, a weekend; 第203条  → Monday 03-10.
    """
    check(cal, date(2025, 3, 2), "7d", date(2025, 3, 10), D, nominal=date(2025, 3, 9))


def test_15d_ending_in_spring_festival_2025(cal):
    """国办发明电〔2024〕12号: 春节 1/28–2/4 off.

    Wednesday 2025-01-15 + 15 days: last day 2025-01-30 (春节); 1/31–2/4 off,
    第203条  → Wednesday 2025-02-05.
    """
    check(cal, date(2025, 1, 15), "15d", date(2025, 2, 5), D, nominal=date(2025, 1, 30))


def test_wd_across_each_kind_of_year_boundary(cal):
    """Counted by hand across 元旦 of each arrangement that reaches over the year's end.

    国办发明电〔2018〕15号 (2019): 2018年12月30日至2019年1月1日放假调休，2018年12月29日（星期六）
    上班 — Friday 2018-12-28 +1wd is that Saturday, +2wd Wednesday 2019-01-02.
    国办发明电〔2022〕16号 (2023): 2022年12月31日至2023年1月2日放假 — Friday 2022-12-30 +1wd is
    Tuesday 2023-01-03.
    国办发明电〔2025〕7号 (2026): 1/1–1/3 off, 1/4 (Sun) worked — Wednesday 2025-12-31 +1wd is
    Sunday 2026-01-04.
    """
    check(cal, date(2018, 12, 28), "1wd", date(2018, 12, 29), WD)
    check(cal, date(2018, 12, 28), "2wd", date(2019, 1, 2), WD)
    check(cal, date(2022, 12, 30), "1wd", date(2023, 1, 3), WD)
    check(cal, date(2025, 12, 31), "1wd", date(2026, 1, 4), WD)


def test_wd_across_the_2020_spring_festival_extension(cal):
    """国办发明电〔2019〕16号: 春节 1月24日至30日; 国办发明电〔2020〕1号: 延长2020年春节假期至2月2日，
    2月3日（星期一）起正常上班 (Saturday 2月1日, a make-up day before, not worked). Thursday
    2020-01-23 +1wd is Monday 2020-02-03, +2wd Tuesday 02-04."""
    check(cal, date(2020, 1, 23), "1wd", date(2020, 2, 3), WD)
    check(cal, date(2020, 1, 23), "2wd", date(2020, 2, 4), WD)


# -- months (第201条, 第202条, 第203条) ----------------------------------------------------


def test_1m_from_jan_31_2026_has_no_corresponding_day(cal):
    """第202条: February 2026 has no 31st → its last day, 2026-02-28.

    国办发明电〔2025〕7号: 2026-02-28 (Sat) is a make-up working day, so 第203条 leaves it.
    """
    check(cal, date(2026, 1, 31), "1m", date(2026, 2, 28), M)


def test_1m_from_jan_31_2028_ends_on_the_leap_day(cal):
    """第202条: 2028 is a leap year, so January 31st +1m corresponds to February 29th (a Tuesday,
    no statutory day: 春节 2028 is in late January), and so does 2027-12-31 +2m. 2028 has no
    notice yet: provisional."""
    check(cal, date(2028, 1, 31), "1m", date(2028, 2, 29), M, provisional=True)
    check(cal, date(2027, 12, 31), "2m", date(2028, 2, 29), M, provisional=True)
    check(cal, date(2028, 2, 29), "12m", date(2029, 2, 28), M, provisional=True)


def test_1m_from_march_31_2025(cal):
    """第202条: April has no 31st → 2025-04-30 (Wednesday; 劳动节 starts 5/1, 国办发明电〔2024〕12号)."""
    check(cal, date(2025, 3, 31), "1m", date(2025, 4, 30), M)


def test_1m_from_a_31st_into_a_30_day_month_ending_in_a_holiday(cal):
    """第202条 then 第203条, 国办发明电〔2022〕16号: 中秋节、国庆节 2023-09-29..10-06 off,
    10/7 (Sat) and 10/8 (Sun) worked.

    2023-08-31 + 1 month: September has no 31st → 2023-09-30 (Sat, inside the holiday);
    10/1–10/6 off, 10/7 Sat make-up is the next working day  → 2023-10-07.
    """
    result = check(cal, date(2023, 8, 31), "1m", date(2023, 10, 7), M, nominal=date(2023, 9, 30))
    assert "2023-09-30" in result.basis


def test_1m_from_a_31st_into_a_30_day_month_ending_on_a_weekend(cal):
    """第202条 then 第203条; 国办发明电〔2023〕7号 arranges nothing in Nov/Dec 2024.

    2024-10-31 + 1 month → 2024-11-30 (Sat); 12/1 Sun; next working day Monday 2024-12-02.
    """
    check(cal, date(2024, 10, 31), "1m", date(2024, 12, 2), M, nominal=date(2024, 11, 30))


def test_1m_from_a_31st_into_a_30_day_month_ending_on_a_make_up_sunday(cal):
    """国办发明电〔2017〕12号: 国庆 2018-10-01..07 off, 9/29 (Sat) and 9/30 (Sun) worked.

    2018-08-31 + 1 month → 2018-09-30 (Sun), a make-up working day: 第203条 leaves it.
    """
    check(cal, date(2018, 8, 31), "1m", date(2018, 9, 30), M)


def test_3m_corresponding_day(cal):
    """第202条 corresponding day: 2025-11-15 + 3 months → 2026-02-15, 春节 (国办发明电〔2025〕7号,
    2/15–2/23 off); 第203条 → Tuesday 2026-02-24."""
    check(cal, date(2025, 11, 15), "3m", date(2026, 2, 24), M, nominal=date(2026, 2, 15))


def test_add_months_by_hand():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)  # leap year
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 12, 31), 2) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 5, 15), 12) == date(2026, 5, 15)


# -- provisional ---------------------------------------------------------------------------


def test_wd_into_2027_is_provisional(cal):
    """2026 (国办发明电〔2025〕7号) has nothing after 10/10; 2027 has no notice: projected from
    《全国年节及纪念日放假办法》第二条 (元旦 1/1, a Friday — no 补假).

    Monday 2026-12-28: 12/29 1, 12/30 2, 12/31 3, 2027-01-01 元旦 off, 1/2–1/3 weekend,
    1/4 Mon 4, 1/5 Tue 5  → 2027-01-05, provisional.
    """
    result = check(cal, date(2026, 12, 28), "5wd", date(2027, 1, 5), WD, provisional=True)
    assert PROJECTION_BASIS in result.basis
    assert result.to_json()["provisional"] is True


def test_d_ending_on_projected_new_year_is_provisional(cal):
    """2026-12-25 + 7 days → 2027-01-01 (projected 元旦, Friday); 1/2–1/3 weekend → 2027-01-04."""
    check(cal, date(2026, 12, 25), "7d", date(2027, 1, 4), D, nominal=date(2027, 1, 1), provisional=True)


def test_due_on_last_official_day_is_not_provisional(cal):
    """Wednesday 2026-12-09 + 15 days → Thursday 2026-12-24, a working day; official.
    Wednesday 2026-12-16 + 15 days → Thursday 2026-12-31, a working day, but provisional: the
    2027 notice can still change the days from 12-25 on (changed: this was asserted official)."""
    check(cal, date(2026, 12, 9), "15d", date(2026, 12, 24), D)
    check(cal, date(2026, 12, 16), "15d", date(2026, 12, 31), D, provisional=True)


@pytest.mark.parametrize(("start", "duration", "due", "sources"), [
    # 7d from Fri 2027-01-29: 7th day Fri 2/5, 除夕; projected 春节 除夕 Fri 2/5 to 初三 Mon
    # 2/8, with 初一 Sat 2/6 and 初二 Sun 2/7 made up Tue 2/9 and Wed 2/10 → Thu 2027-02-11.
    (date(2027, 1, 29), "7d", date(2027, 2, 11), ""),
    # "每月一次" from 2026-11-15 → Thu 2026-12-31, in the days from 12-25 the 2027 notice can
    # change; no day of 12/31 is special, so the 2026 notice is named with the projection.
    (date(2026, 11, 15), "1cm", date(2026, 12, 31), N2025_7 + "、"),
    # "每季度一次" from 2026-11-10 (Q4) → the end of Q1 2027, Wed 2027-03-31.
    (date(2026, 11, 10), "1cq", date(2027, 3, 31), ""),
    # 2027-03-01 + 3 months → Tue 2027-06-01 (第202条: the corresponding day).
    (date(2027, 3, 1), "3m", date(2027, 6, 1), ""),
])
def test_a_provisional_calendar_period_s_basis_says_it_is_projected(cal, start, duration, due,
                                                                      sources):
    """A due date on projected days says so in its basis, whatever the unit, in the words a
    working-day count's basis uses ("；工作日依" … the projection); it said nothing for d, m,
    cm and cq."""
    result = due_date(cal, start, duration)
    assert (result.due, result.provisional) == (due, True)
    assert result.basis.endswith("；工作日依" + sources + PROJECTION_BASIS)


def test_an_official_calendar_period_s_basis_names_no_calendar(cal):
    """7d from Mon 2026-09-28 → 10/5 in 国庆 → Thu 2026-10-08 (checked above): official, so
    its basis stays as it was, with no "工作日依"."""
    result = due_date(cal, date(2026, 9, 28), "7d")
    assert not result.provisional
    assert result.basis.endswith("；期间最后一日2026-10-05为休息日（国庆节），顺延至2026-10-08")


# -- articles and JSON ---------------------------------------------------------------------


def test_articles_and_json(cal):
    assert due_date(cal, date(2025, 3, 3), "2wd").articles == ("第201条",)
    assert due_date(cal, date(2025, 3, 3), "2d").articles == ("第201条", "第203条")
    assert due_date(cal, date(2025, 3, 3), "2m").articles == ("第201条", "第202条", "第203条")
    payload = due_date(cal, date(2025, 1, 20), "10wd").to_json()
    assert payload["start"] == "2025-01-20"
    assert payload["duration"] == "10wd"
    assert payload["due"] == "2025-02-08"
    assert payload["provisional"] is False
    assert payload["articles"] == ["《民法典》第201条"]
    assert "第201条" in payload["basis"]


# -- calendar months and quarters (第203条): duties set by frequency ------------------------

C = ("第203条",)


def test_1cq_ends_with_the_quarter_after_the_start(cal):
    """"每季度开展一次" counted from a comparison on 2026-02-10 (first quarter): the next is due by
    the end of the second quarter, 2026-06-30 (Tuesday). Done on the quarter's last day
    (2026-03-31), the next is still due 06-30; 2cq from 2026-08-01 (third quarter) → the end of
    the first quarter of 2027, 2027-03-31, projected (no 2027 notice yet)."""
    check(cal, date(2026, 2, 10), "1cq", date(2026, 6, 30), C)
    check(cal, date(2026, 3, 31), "1cq", date(2026, 6, 30), C)
    result = check(cal, date(2026, 8, 1), "2cq", date(2027, 3, 31), C, provisional=True)
    assert "2026-08-01所在季度之后第2个自然季度" in result.basis


def test_1cm_ends_with_the_month_after_the_start(cal):
    """"每月一次" from 2026-11-15: by 2026-12-31 (Thursday; provisional, in the days from 12-25
    the 2027 notice can still change — changed: this was asserted official). From
    2026-01-31: by 2026-02-28, a make-up working Saturday (国办发明电〔2025〕7号), so it stays
    there."""
    check(cal, date(2026, 11, 15), "1cm", date(2026, 12, 31), C, provisional=True)
    check(cal, date(2026, 1, 31), "1cm", date(2026, 2, 28), C)


def test_1cm_ending_in_duanwu_2025_moves_to_the_next_working_day(cal):
    """第203条, 国办发明电〔2024〕12号: from 2025-04-10 the month after ends on Sat 2025-05-31; 端午
    5/31–6/2 off → Tuesday 2025-06-03."""
    result = check(cal, date(2025, 4, 10), "1cm", date(2025, 6, 3), C, nominal=date(2025, 5, 31))
    lines = explain(cal, date(2025, 4, 10), "1cm")
    assert lines[0] == "起始日 2025-04-10：其所在月之后第1个自然月的末日 2025-05-31"
    assert "顺延至2025-06-03" in result.basis


# -- Duration.parse ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count", "unit"),
    [("30wd", 30, "wd"), ("7d", 7, "d"), ("3m", 3, "m"), (" 10 WD ", 10, "wd"), ("+2d", 2, "d"),
     ("1cq", 1, "cq"), ("1CM", 1, "cm")],
)
def test_duration_parse(text, count, unit):
    parsed = Duration.parse(text)
    assert (parsed.count, parsed.unit) == (count, unit)
    assert Duration.parse(parsed) is parsed


@pytest.mark.parametrize("text", ["3x", "-3wd", "0d", "abc", "", "wd", "3", "3.5d", "1y", "0cq", "1q"])
def test_duration_parse_errors(text):
    with pytest.raises(InvalidInput):
        Duration.parse(text)


@pytest.mark.parametrize("text", [
    "３wd",  # fullwidth 3 (U+FF13)
    "٣wd",  # Arabic-Indic 3 (U+0663)
    "1٠d",  # an ASCII 1 then an Arabic-Indic 0: would have read as 10
    "3wd\u3000",  # an ideographic space after it
])
def test_a_duration_in_other_scripts_digits_is_refused(text):
    """Durations are ASCII, as dates are (iso_date): int() reads any Unicode digit, so ３wd
    was 3wd. Refused, the message saying why."""
    with pytest.raises(InvalidInput, match="write it in ASCII, a count in the digits 0-9"):
        Duration.parse(text)


def test_due_date_rejects_bad_duration(cal):
    with pytest.raises(InvalidInput):
        due_date(cal, date(2025, 1, 20), "-3wd")


# -- explain -------------------------------------------------------------------------------


def test_explain_names_the_skipped_holiday_and_the_make_up_day(cal):
    lines = explain(cal, date(2025, 1, 20), "10wd")
    text = "\n".join(lines)
    assert "第201条" in lines[0]
    # 2025-01-28 (春节, skipped) and 2025-02-08 (make-up Saturday, the 10th), both citing
    # 国办发明电〔2024〕12号.
    skipped = next(line for line in lines if "2025-01-28" in line)
    assert "春节" in skipped and N2024_12 in skipped and "不计" in skipped
    make_up = next(line for line in lines if "2025-02-08" in line and "第10个工作日" in line)
    assert "调休上班" in make_up and N2024_12 in make_up
    sunday = next(line for line in lines if "2025-01-26" in line)
    assert "调休上班" in sunday and "第5个工作日" in sunday
    assert lines[-1].startswith("到期日 2025-02-08")
    # One line per day 1/21..2/8 (19 days) plus the opening and closing lines.
    assert len(lines) == 19 + 2
    assert "暂定" not in text


def test_explain_203_move(cal):
    lines = explain(cal, date(2026, 9, 28), "7d")
    text = "\n".join(lines)
    assert "第203条" in text
    assert "2026-10-05" in text and N2025_7 in text
    assert lines[-1].startswith("到期日 2026-10-08")


def test_explain_month_without_corresponding_day(cal):
    text = "\n".join(explain(cal, date(2026, 1, 31), "1m"))
    assert "无对应日" in text and "第202条" in text and "2026-02-28" in text


def test_explain_provisional(cal):
    text = "\n".join(explain(cal, date(2026, 12, 28), "5wd"))
    assert "暂定" in text and PROJECTION_BASIS in text


def test_2018_notice_is_cited(cal):
    """国办发明电〔2017〕12号: 春节 2018-02-15..21 off, 2/11 (Sun) and 2/24 (Sat) worked.

    Friday 2018-02-09: (2/10 Sat), 2/11 Sun make-up 1, 2/12–2/14 2–4, 2/15–2/21 off,
    2/22 Thu 5, 2/23 Fri 6, 2/24 Sat make-up 7  → 2018-02-24.
    """
    result = check(cal, date(2018, 2, 9), "7wd", date(2018, 2, 24), WD)
    assert N2017_12 in result.basis


@pytest.mark.parametrize("text, why", [
    ("2026-02-30", "2026-02 has 28 days"), ("2024-02-30", "2024-02 has 29 days"),
    ("2026-04-31", "2026-04 has 30 days"), ("2026-13-01", "there is no month 13"),
    ("2026-00-10", "there is no month 00"), ("2026-03-00", "there is no day 00"),
    ("0000-01-01", "there is no year 0000"), ("20260303", "expected YYYY-MM-DD"),
    ("２０２６-01-01", "expected YYYY-MM-DD"), ("2026-0a-01", "expected YYYY-MM-DD"),
])
def test_a_date_written_right_but_not_in_the_calendar_says_why(text, why):
    # Found by review: --on 2026-02-30 answered "expected YYYY-MM-DD", which it was.
    from engine.periods import iso_date

    with pytest.raises(ValueError) as refused:
        iso_date(text)
    assert str(refused.value) == f'"{text}" is not a date: {why}'


def test_a_calendar_no_registry_holds_is_not_kept_alive_by_what_was_counted_on_it():
    """Found by review: the due dates (periods.due_date) and started deadlines
    (deadlines.apply_event) counted on a calendar were kept in caches of the modules keyed
    by the calendar, which held every calendar ever counted on alive (a megabyte each, up to
    65,536 of them), and 64 calendars with overlays were kept besides: a platform building a
    registry for each change of its overlays grew by a megabyte each time. Kept on the
    calendar, the answers go with it; the last 8 calendars with overlays are kept, no more.

    Each calendar here has 甲县's 4/20 off (a Monday), worked out on it before it is dropped:
    1 working day from Fri 4/17 is Tue 4/21 (4/18, 4/19 the weekend; 4/20 off), and an
    application accepted Fri 4/17 ("Township starts the household economic investigation
    within 3 working days of 受理", 57号 第15条) is due Thu 4/23 (4/21, 4/22, 4/23)."""
    import gc
    import weakref

    from engine.calendar import CalendarOverlay, calendar_with_overlays
    from engine.deadlines import apply_event
    from engine.registry import get_registry

    workflow = get_registry().workflow("shanxi", "dibao")
    counted = []
    for n in range(30):
        calendar = calendar_with_overlays([CalendarOverlay(
            f"甲县人民政府关于三月三放假的通知（测试，第{n}版）", days_off=[(date(2026, 4, 20), "三月三")],
            county="甲县")])
        assert due_date(calendar, date(2026, 4, 17), "1wd").due == date(2026, 4, 21)
        started = apply_event([], workflow, "accept", date(2026, 4, 17), calendar, {}, False)
        assert {d.rule: d.due_on for d in started}["investigation_start"] == date(2026, 4, 23)
        counted.append(weakref.ref(calendar))
        del calendar, started
    gc.collect()
    assert sum(ref() is not None for ref in counted) <= 8


# Hand counts of a review of docs/counting.md, each on its notice; none of these starts was
# pinned before. (start, duration, due, articles, the period's own last day where 第203条 moved it)
@pytest.mark.parametrize(("start", "duration", "due", "articles", "nominal"), [
    # 国办发明电〔2023〕7号: the notice only encourages a day off on 除夕 2024-02-09 (Fri): it is
    # worked. Thu 2/8 + 1wd → 2/9.
    (date(2024, 2, 8), "1wd", date(2024, 2, 9), WD, None),
    # 国办发明电〔2023〕7号: 中秋 9/15–9/17 off, Sat 9/14 worked. Fri 9/13 + 1wd → Sat 9/14.
    (date(2024, 9, 13), "1wd", date(2024, 9, 14), WD, None),
    # 第202条: 2023-11-30 + 3 months → 2024-02-29 (a leap year, Thu, worked: 春节 is 2/10–2/17).
    (date(2023, 11, 30), "3m", date(2024, 2, 29), M, None),
    # 国办发明电〔2024〕12号: 春节 1/28–2/4 off. Wed 2025-01-22 + 7d: 1/23 … 1/29 (7), in 春节;
    # 1/30–2/4 off → 第203条: Wed 2025-02-05.
    (date(2025, 1, 22), "7d", date(2025, 2, 5), D, date(2025, 1, 29)),
    # 国办发明电〔2024〕12号: 国庆、中秋 10/1–10/8 off. Wed 2025-09-24 + 7d: 9/25 … 10/1 (7), in
    # the holiday; 10/2–10/8 off → 第203条: Thu 2025-10-09.
    (date(2025, 9, 24), "7d", date(2025, 10, 9), D, date(2025, 10, 1)),
    # Same notice, Sun 9/28 and Sat 10/11 worked. Fri 2025-09-19 + 11wd: 9/22–9/26 (5), Sat 9/27
    # off, Sun 9/28 (6), 9/29 (7), 9/30 (8), 10/1–10/8 off, 10/9 (9), 10/10 (10), Sat 10/11 (11).
    (date(2025, 9, 19), "11wd", date(2025, 10, 11), WD, None),
    # 第202条: 2025-12-31 + 2 months, February has no 31st → 2026-02-28, a Saturday worked
    # (国办发明电〔2025〕7号 春节调休): 第203条 leaves it. So does 2025-11-30 + 3m.
    (date(2025, 12, 31), "2m", date(2026, 2, 28), M, None),
    (date(2025, 11, 30), "3m", date(2026, 2, 28), M, None),
    # 国办发明电〔2025〕7号: from the make-up Saturday 2026-02-14, 春节 2/15–2/23 off: 2/24 (1).
    (date(2026, 2, 14), "1wd", date(2026, 2, 24), WD, None),
    # Same notice: Sun 9/20 worked, 中秋 9/25–9/27 and 国庆 10/1–10/7 off. Fri 2026-09-18 + 10wd:
    # Sat 9/19 off, Sun 9/20 (1), 9/21–9/24 (5), 9/28–9/30 (8), 10/8 (9), 10/9 (10).
    (date(2026, 9, 18), "10wd", date(2026, 10, 9), WD, None),
])
def test_hand_counted_boundaries_of_2024_to_2026(cal, start, duration, due, articles, nominal):
    check(cal, start, duration, due, articles, nominal=nominal)
