"""Every day of every notice, 2018–2026, against the notice's own words, with the notice named.

test_calendar_sources.py checks each day's working or not against ``chinese_calendar`` and
``holidays``; neither says which notice a day comes from, nor would they notice a day both get
wrong. Here each holiday of each year's notice (国务院办公厅关于X年部分节假日安排的通知) is
transcribed as the notice words it, with the days it names; 2025 and 2026 as
/work/shared/reference/calendar.md gives them. Every day off must be a holiday, every make-up
day (调休上班) a working weekend day, each citing the notice that set it (the one that changed
it where a later notice did: 2019 劳动节, the 2020 春节 extension), and every other day of
2018–2026 an ordinary weekday or weekend day. A notice's "X日放假，与周末连休" names one day;
the weekend next to it is off anyway and stays an ordinary weekend day.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from engine.calendar import load_records, national_calendar

F = date.fromisoformat

# (year, notice, holidays): each holiday is (its words in the notice, first day off, last day
# off, make-up working days[, the later notice that set it]).
NOTICES = [
    (2018, "国办发明电〔2017〕12号", [
        ("元旦：1月1日放假，与周末连休。", "2018-01-01", "2018-01-01", []),
        ("春节：2月15日至21日放假调休，共7天。2月11日（星期日）、2月24日（星期六）上班。",
         "2018-02-15", "2018-02-21", ["2018-02-11", "2018-02-24"]),
        ("清明节：4月5日至7日放假调休，共3天。4月8日（星期日）上班。",
         "2018-04-05", "2018-04-07", ["2018-04-08"]),
        ("劳动节：4月29日至5月1日放假调休，共3天。4月28日（星期六）上班。",
         "2018-04-29", "2018-05-01", ["2018-04-28"]),
        ("端午节：6月18日放假，与周末连休。", "2018-06-18", "2018-06-18", []),
        ("中秋节：9月24日放假，与周末连休。", "2018-09-24", "2018-09-24", []),
        ("国庆节：10月1日至7日放假调休，共7天。9月29日（星期六）、9月30日（星期日）上班。",
         "2018-10-01", "2018-10-07", ["2018-09-29", "2018-09-30"]),
    ]),
    (2019, "国办发明电〔2018〕15号", [
        ("元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。",
         "2018-12-30", "2019-01-01", ["2018-12-29"]),
        ("春节：2月4日至10日放假调休，共7天。2月2日（星期六）、2月3日（星期日）上班。",
         "2019-02-04", "2019-02-10", ["2019-02-02", "2019-02-03"]),
        ("清明节：4月5日放假，与周末连休。", "2019-04-05", "2019-04-05", []),
        # The notice gave 5月1日 only; 国务院办公厅关于调整2019年劳动节假期安排的通知:
        ("劳动节：5月1日至4日放假调休，共4天。4月28日（星期日）、5月5日（星期日）上班。",
         "2019-05-01", "2019-05-04", ["2019-04-28", "2019-05-05"], "国办发明电〔2019〕3号"),
        ("端午节：6月7日放假，与周末连休。", "2019-06-07", "2019-06-07", []),
        ("中秋节：9月13日放假，与周末连休。", "2019-09-13", "2019-09-13", []),
        ("国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。",
         "2019-10-01", "2019-10-07", ["2019-09-29", "2019-10-12"]),
    ]),
    (2020, "国办发明电〔2019〕16号", [
        ("元旦：1月1日放假，共1天。", "2020-01-01", "2020-01-01", []),
        ("春节：1月24日至30日放假调休，共7天。1月19日（星期日）、2月1日（星期六）上班。",
         "2020-01-24", "2020-01-30", ["2020-01-19", "2020-02-01"]),
        # 国务院办公厅关于延长2020年春节假期的通知 (so 2月1日 was not worked after all):
        ("延长2020年春节假期至2月2日（农历正月初九，星期日），2月3日（星期一）起正常上班。",
         "2020-01-31", "2020-02-02", [], "国办发明电〔2020〕1号"),
        ("清明节：4月4日至6日放假调休，共3天。", "2020-04-04", "2020-04-06", []),
        ("劳动节：5月1日至5日放假调休，共5天。4月26日（星期日）、5月9日（星期六）上班。",
         "2020-05-01", "2020-05-05", ["2020-04-26", "2020-05-09"]),
        ("端午节：6月25日至27日放假调休，共3天。6月28日（星期日）上班。",
         "2020-06-25", "2020-06-27", ["2020-06-28"]),
        ("国庆节、中秋节：10月1日至8日放假调休，共8天。9月27日（星期日）、10月10日（星期六）上班。",
         "2020-10-01", "2020-10-08", ["2020-09-27", "2020-10-10"]),
    ]),
    (2021, "国办发明电〔2020〕27号", [
        ("元旦：2021年1月1日至3日放假，共3天。", "2021-01-01", "2021-01-03", []),
        ("春节：2月11日至17日放假调休，共7天。2月7日（星期日）、2月20日（星期六）上班。",
         "2021-02-11", "2021-02-17", ["2021-02-07", "2021-02-20"]),
        ("清明节：4月3日至5日放假调休，共3天。", "2021-04-03", "2021-04-05", []),
        ("劳动节：5月1日至5日放假调休，共5天。4月25日（星期日）、5月8日（星期六）上班。",
         "2021-05-01", "2021-05-05", ["2021-04-25", "2021-05-08"]),
        ("端午节：6月12日至14日放假，共3天。", "2021-06-12", "2021-06-14", []),
        ("中秋节：9月19日至21日放假调休，共3天。9月18日（星期六）上班。",
         "2021-09-19", "2021-09-21", ["2021-09-18"]),
        ("国庆节：10月1日至7日放假调休，共7天。9月26日（星期日）、10月9日（星期六）上班。",
         "2021-10-01", "2021-10-07", ["2021-09-26", "2021-10-09"]),
    ]),
    (2022, "国办发明电〔2021〕11号", [
        ("元旦：2022年1月1日至3日放假，共3天。", "2022-01-01", "2022-01-03", []),
        ("春节：1月31日至2月6日放假调休，共7天。1月29日（星期六）、1月30日（星期日）上班。",
         "2022-01-31", "2022-02-06", ["2022-01-29", "2022-01-30"]),
        ("清明节：4月3日至5日放假调休，共3天。4月2日（星期六）上班。",
         "2022-04-03", "2022-04-05", ["2022-04-02"]),
        ("劳动节：4月30日至5月4日放假调休，共5天。4月24日（星期日）、5月7日（星期六）上班。",
         "2022-04-30", "2022-05-04", ["2022-04-24", "2022-05-07"]),
        ("端午节：6月3日至5日放假，共3天。", "2022-06-03", "2022-06-05", []),
        ("中秋节：9月10日至12日放假，共3天。", "2022-09-10", "2022-09-12", []),
        ("国庆节：10月1日至7日放假调休，共7天。10月8日（星期六）、10月9日（星期日）上班。",
         "2022-10-01", "2022-10-07", ["2022-10-08", "2022-10-09"]),
    ]),
    (2023, "国办发明电〔2022〕16号", [
        ("元旦：2022年12月31日至2023年1月2日放假调休，共3天。", "2022-12-31", "2023-01-02", []),
        ("春节：1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。",
         "2023-01-21", "2023-01-27", ["2023-01-28", "2023-01-29"]),
        ("清明节：4月5日放假，共1天。", "2023-04-05", "2023-04-05", []),
        ("劳动节：4月29日至5月3日放假调休，共5天。4月23日（星期日）、5月6日（星期六）上班。",
         "2023-04-29", "2023-05-03", ["2023-04-23", "2023-05-06"]),
        ("端午节：6月22日至24日放假调休，共3天。6月25日（星期日）上班。",
         "2023-06-22", "2023-06-24", ["2023-06-25"]),
        ("中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。",
         "2023-09-29", "2023-10-06", ["2023-10-07", "2023-10-08"]),
    ]),
    (2024, "国办发明电〔2023〕7号", [
        ("元旦：1月1日放假，与周末连休。", "2024-01-01", "2024-01-01", []),
        # (除夕 2月9日 only "鼓励…安排职工在除夕休息": a working day)
        ("春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。",
         "2024-02-10", "2024-02-17", ["2024-02-04", "2024-02-18"]),
        ("清明节：4月4日至6日放假调休，共3天。4月7日（星期日）上班。",
         "2024-04-04", "2024-04-06", ["2024-04-07"]),
        ("劳动节：5月1日至5日放假调休，共5天。4月28日（星期日）、5月11日（星期六）上班。",
         "2024-05-01", "2024-05-05", ["2024-04-28", "2024-05-11"]),
        ("端午节：6月10日放假，与周末连休。", "2024-06-10", "2024-06-10", []),
        ("中秋节：9月15日至17日放假调休，共3天。9月14日（星期六）上班。",
         "2024-09-15", "2024-09-17", ["2024-09-14"]),
        ("国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。",
         "2024-10-01", "2024-10-07", ["2024-09-29", "2024-10-12"]),
    ]),
    # calendar.md's tables: "| holiday | days off | make-up working days |"
    (2025, "国办发明电〔2024〕12号", [
        ("| 元旦 | 1/1 | — |", "2025-01-01", "2025-01-01", []),
        ("| 春节 | 1/28–2/4 | 1/26 (Sun), 2/8 (Sat) |", "2025-01-28", "2025-02-04",
         ["2025-01-26", "2025-02-08"]),
        ("| 清明 | 4/4–4/6 | — |", "2025-04-04", "2025-04-06", []),
        ("| 劳动节 | 5/1–5/5 | 4/27 (Sun) |", "2025-05-01", "2025-05-05", ["2025-04-27"]),
        ("| 端午 | 5/31–6/2 | — |", "2025-05-31", "2025-06-02", []),
        ("| 国庆、中秋 | 10/1–10/8 | 9/28 (Sun), 10/11 (Sat) |", "2025-10-01", "2025-10-08",
         ["2025-09-28", "2025-10-11"]),
    ]),
    (2026, "国办发明电〔2025〕7号", [
        ("| 元旦 | 1/1–1/3 | 1/4 (Sun) |", "2026-01-01", "2026-01-03", ["2026-01-04"]),
        ("| 春节 | 2/15–2/23 | 2/14 (Sat), 2/28 (Sat) |", "2026-02-15", "2026-02-23",
         ["2026-02-14", "2026-02-28"]),
        ("| 清明 | 4/4–4/6 | — |", "2026-04-04", "2026-04-06", []),
        ("| 劳动节 | 5/1–5/5 | 5/9 (Sat) |", "2026-05-01", "2026-05-05", ["2026-05-09"]),
        ("| 端午 | 6/19–6/21 | — |", "2026-06-19", "2026-06-21", []),
        ("| 中秋 | 9/25–9/27 | — |", "2026-09-25", "2026-09-27", []),
        ("| 国庆 | 10/1–10/7 | 9/20 (Sun), 10/10 (Sat) |", "2026-10-01", "2026-10-07",
         ["2026-09-20", "2026-10-10"]),
    ]),
]

WEEKDAYS = {"星期六": 5, "星期日": 6, "Sat": 5, "Sun": 6}


def _days(first: date, last: date):
    while first <= last:
        yield first
        first += timedelta(1)


def expected_days() -> dict[date, tuple[bool, str, str]]:
    """day -> (working, the notice behind it, the words quoted), later notices over earlier."""
    days: dict[date, tuple[bool, str, str]] = {}
    for _, notice, holidays in NOTICES:
        for words, first, last, make_up, *changed_by in holidays:
            source = changed_by[0] if changed_by else notice
            for day in _days(F(first), F(last)):
                days[day] = (False, source, words)
            for day in map(F, make_up):
                days[day] = (True, source, words)
    return days


def test_the_transcription_names_each_make_up_day_on_the_weekday_the_words_give():
    """A slip in the dates above would show here: each make-up day falls on the weekday its
    notice (or calendar.md) names, in the order named, and nothing but weekends is made up."""
    for _, _, holidays in NOTICES:
        for words, first, last, make_up, *_ in holidays:
            worked = "" if "起正常上班" in words else words.split("放假")[-1]  # (the extension)
            named = re.findall(r"星期[六日]|\b(?:Sat|Sun)\b", worked)
            assert [F(d).weekday() for d in make_up] == [WEEKDAYS[w] for w in named], words
            assert F(first) <= F(last), words


@pytest.mark.parametrize("year, notice", [(year, notice) for year, notice, _ in NOTICES])
def test_each_year_is_recorded_under_its_notice(year, notice):
    records = {r.year: r for r in load_records()}
    assert records[year].notice == notice


def test_calendar_md_gives_the_dates_of_the_2025_and_2026_notices():
    """calendar.md: "2025 — 国办发明电〔2024〕12号 (2024-11-12)", "2026 — 国办发明电〔2025〕7号
    (2025-11-04)"."""
    records = {r.year: r for r in load_records()}
    assert records[2025].published == date(2024, 11, 12)
    assert records[2026].published == date(2025, 11, 4)


def test_every_day_2018_to_2026_is_what_its_notice_says_and_cites_it():
    cal = national_calendar()
    expected = expected_days()
    wrong = []
    for day in _days(date(2018, 1, 1), date(2026, 12, 31)):
        info = cal.day_info(day)
        if day in expected:
            working, source, words = expected[day]
            kind = "make_up" if working else "holiday"
            if (info.working, info.kind, info.source) != (working, kind, source):
                wrong.append(f"{day}: {info.kind} {info.label} ({info.source}); the notice "
                             f"{source}: {words}")
        elif info.kind not in ("workday", "weekend") or info.working != (day.weekday() < 5):
            wrong.append(f"{day}: {info.kind} {info.label} ({info.source}), in no notice")
    assert not wrong, "\n".join(wrong)


def test_the_notices_give_this_many_days():
    """A count by hand from calendar.md's tables: 2025 has 28 days off (1 + 8 + 3 + 5 + 3 + 8)
    and 5 make-up days (1/26, 2/8, 4/27, 9/28, 10/11); 2026 has 33 days off
    (3 + 9 + 3 + 5 + 3 + 3 + 7) and 6 make-up days (1/4, 2/14, 2/28, 5/9, 9/20, 10/10)."""
    cal = national_calendar()
    for year, off, make_up in ((2025, 28, 5), (2026, 33, 6)):
        days = list(_days(date(year, 1, 1), date(year, 12, 31)))
        assert sum(cal.day_info(d).kind == "holiday" for d in days) == off, year
        assert sum(cal.day_info(d).kind == "make_up" for d in days) == make_up, year
