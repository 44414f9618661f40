"""低收入人口动态监测: how often each level of civil affairs runs its data comparison, and with
which warning indicators (山西 三(四), 天津 三(三), 江苏 三(三)).

A frequency ("每季度一次", "每月一次") is counted in calendar periods: after a comparison, the next
is due by the end of the quarter (month) after the one it was done in (1cq, 1cm), moved to the
next working day by 《民法典》第203条; the first, by the end of the one the case opened in (0cq,
0cm: that period is owed a comparison too). Dates are hand-counted on the 2026 calendar
(国办发明电〔2025〕7号: 2026-02-28, a Saturday, is a make-up working day).
"""

from __future__ import annotations

from datetime import date

import pytest

from engine import Engine, EventRefused, InvalidInput
from helpers import by_rule, dump_file, error_line, run

OPENED = date(2026, 1, 5)


@pytest.fixture
def engine(db):
    return Engine.open(db)


def monitoring(engine, province, level, **attributes):
    return engine.open_case(province=province, workflow="monitoring", on=OPENED,
                            attributes={"level": level, **attributes}).id


def test_shanxi_province_department_compares_once_a_quarter(engine):
    """晋民发〔2023〕31号 三(四): "省厅每季度组织开展一次数据比对筛查". Opened Mon 2026-01-05, in the
    first quarter, which is owed a comparison too: due by its end, Tue 2026-03-31. Done on
    03-31, met; the next by the end of the second quarter, Tue 06-30, done then; the next
    due Wed 2026-09-30, and on 2026-10-12 it is breached."""
    cid = monitoring(engine, "shanxi", "省级", authority="山西省民政厅")
    first = by_rule(engine.case(cid))["data_comparison"].deadline
    assert (first.due_on, first.duration) == (date(2026, 3, 31), "0cq")
    assert "晋民发〔2023〕31号 三(四)" in first.citation
    assert first.computation.startswith("2026-01-05所在自然季度，至2026-03-31止")
    engine.fire(cid, "compare_data", on=date(2026, 3, 31), payload={"indicators": "重病,失业"})
    engine.fire(cid, "compare_data", on=date(2026, 6, 30), payload={"indicators": "重病"})
    deadlines = engine.deadlines(cid, as_of=date(2026, 10, 12))
    assert [(d.deadline.due_on, d.deadline.duration, d.status) for d in deadlines] == [
        (date(2026, 3, 31), "0cq", "met"), (date(2026, 6, 30), "1cq", "met"),
        (date(2026, 9, 30), "1cq", "breached")]
    assert [b.case.id for b in engine.breaches(as_of=date(2026, 10, 12))] == [cid]


def test_shanxi_warning_indicators_are_its_four(engine, db):
    """晋民发〔2023〕31号 三(四): "要针对重病、残疾、就学、失业等情况设置预警指标". Each of the four is
    taken; 工伤 and 交通事故, which 江苏 三(三) adds, are not 山西's: refused naming the clause,
    nothing written."""
    cid = monitoring(engine, "shanxi", "省级")
    view = engine.fire(cid, "compare_data", on=date(2026, 2, 10),
                       payload={"indicators": "重病,残疾,就学,失业"})
    assert view.history[-1]["event"] == "compare_data"
    for other in ("工伤", "交通事故"):
        before = dump_file(db)
        with pytest.raises(EventRefused, match=rf"{other} .*重病、残疾、就学、失业 "
                                               r"\(晋民发〔2023〕31号 三\(四\)"):
            engine.fire(cid, "compare_data", on=date(2026, 2, 11), payload={"indicators": other})
        assert dump_file(db) == before


def test_shanxi_sets_no_frequency_for_a_county(engine):
    """三(四) names the 省厅 only: a county department's monitoring case has no deadline."""
    cid = monitoring(engine, "shanxi", "县级", county="平遥县")
    engine.fire(cid, "compare_data", on=date(2026, 2, 10))
    assert not engine.case(cid).deadlines


def test_tianjin_districts_monthly_and_the_city_quarterly(engine):
    """津民发〔2023〕13号 三(三): "市民政局每季度、区民政局每月应……开展一次困难群众主动发现数据比对工作".
    Opened 2026-01-05: the 区民政局 (县级) owes January a comparison, due by its end, Sat
    2026-01-31, a day off (元旦's make-up day was Sun 01-04), so 《民法典》第203条 moves it to Mon
    02-02; the 市民政局 (省级) owes the first quarter one, by Tue 2026-03-31. On Tue 2026-03-03
    the district, which has not compared, is 17 working days overdue: 2/3–2/6 (4), 2/9–2/13 (5),
    Sat 2/14 (a make-up day, 1), 2/24–2/27 (4; 春节 2/15–2/23 off), Sat 2/28 (make-up, 1),
    3/2–3/3 (2). A district comparison on 2026-02-10 is January's, late, and counts for
    February: the next is due Tue 2026-03-31."""
    district = monitoring(engine, "tianjin", "县级", authority="和平区民政局")
    city = monitoring(engine, "tianjin", "省级", authority="天津市民政局")
    assert by_rule(engine.case(district))["data_comparison"].deadline.due_on == date(2026, 2, 2)
    assert by_rule(engine.case(city))["data_comparison"].deadline.due_on == date(2026, 3, 31)
    # (the notice's own word for it, 市: 天津 has no prefecture level, so 市级 is the 市民政局)
    called_city = monitoring(engine, "tianjin", "市级", authority="天津市民政局")
    assert by_rule(engine.case(called_city))["data_comparison"].deadline.due_on == \
        date(2026, 3, 31)
    (breach,) = (b.to_json() for b in engine.breaches(as_of=date(2026, 3, 3)))
    assert (breach["case_id"], breach["due_on"], breach["overdue_working_days"]) == (
        district, "2026-02-02", 17)
    assert "区民政局每月" in breach["basis"]
    other = monitoring(engine, "tianjin", "县级")
    view = engine.fire(other, "compare_data", on=date(2026, 2, 10), payload={"flagged": 12})
    assert [(d.deadline.due_on, d.status) for d in view.deadlines] == [
        (date(2026, 2, 2), "met_late"), (date(2026, 3, 31), "open")]


def test_jiangsu_sets_indicators_but_no_frequency(engine):
    """江苏征求意见稿 三(三): "针对重病、残疾、就学、失业、工伤、交通事故等情况，设置预警指标" — and
    "定期" only, so a comparison has no deadline. 工伤 is one of its indicators; in 天津 (三(三):
    重病、残疾、就学、失业) it is not."""
    cid = monitoring(engine, "jiangsu_draft", "市级")
    view = engine.fire(cid, "compare_data", on=date(2026, 2, 10),
                       payload={"indicators": "工伤,交通事故"})
    assert not view.deadlines
    tianjin = monitoring(engine, "tianjin", "县级")
    with pytest.raises(EventRefused, match=r"工伤 .*津民发〔2023〕13号 三\(三\)"):
        engine.fire(tianjin, "compare_data", on=date(2026, 2, 10), payload={"indicators": "工伤"})


def test_tianjin_takes_each_of_its_four_indicators(engine):
    """津民发〔2023〕13号 三(三): "要针对重病、残疾、就学、失业等情况设置预警指标". Each of the four is
    one 天津 sets: a district comparison of Tue 2026-02-10 naming all four is recorded (and
    counts for February: the next is due by the end of March, Tue 03-31); so is one naming
    就学 alone, and the refusal of 工伤 lists the four. Dropping 就学 from the list passed every
    test before (only 工伤, which 天津 does not name, was tried)."""
    cid = monitoring(engine, "tianjin", "县级", authority="和平区民政局")
    view = engine.fire(cid, "compare_data", on=date(2026, 2, 10),
                       payload={"indicators": "重病,残疾,就学,失业"})
    assert view.case.attributes["indicators"] == "重病,残疾,就学,失业"
    assert [(d.deadline.due_on, d.status) for d in view.deadlines][-1] == (date(2026, 3, 31), "open")
    for indicator in ("重病", "残疾", "就学", "失业"):
        other = monitoring(engine, "tianjin", "县级")
        engine.fire(other, "compare_data", on=date(2026, 2, 10), payload={"indicators": indicator})
    with pytest.raises(EventRefused, match=r"工伤 is not one the province sets: 重病、残疾、就学、失业 "
                                           r"\(津民发〔2023〕13号 三\(三\)"):
        engine.fire(cid, "compare_data", on=date(2026, 3, 10), payload={"indicators": "工伤"})


@pytest.mark.parametrize(("attributes", "match"), [
    ({"level": "区级"}, "level must be one of 省级, 市级, 县级"),
    ({}, "needs --set level="),
])
def test_a_monitoring_case_names_its_level(engine, attributes, match):
    """The frequency depends on the department's level, so it is required and checked."""
    with pytest.raises(InvalidInput, match=match):
        engine.open_case(province="tianjin", workflow="monitoring", on=OPENED,
                         attributes=attributes)


def test_a_comparison_in_the_days_article_203_adds_counts_for_the_period_before(engine):
    """Found by review: 津民发〔2023〕13号 三(三) "区民政局每月…开展一次". May 2026 ends on Sunday
    05-31, so May's comparison is due Mon 06-01 (《民法典》第203条). Done on 06-01, it counts for
    May; June still needs its own, due Tue 06-30, and on Wed 07-01 it is 1 working day overdue.
    Before, the next was counted from June (the day it was done) and due 07-31: June went
    without a comparison unnoticed. One done late (after its due date) counts for the month it
    was done in: 02-10, 6 working days late for January (due Sat 01-31 → Mon 02-02; 2/3–2/6,
    2/9, 2/10), counts for February; 04-10, 7 working days late for March (4/1–4/3, 4/7–4/10;
    清明 4/4–4/6 off), counts for April, and May's is due 05-31 → 06-01."""
    district = monitoring(engine, "tianjin", "县级", authority="和平区民政局")
    for day in (date(2026, 2, 10), date(2026, 4, 10), date(2026, 6, 1)):
        engine.fire(district, "compare_data", on=day)
    assert [(d.deadline.starts_on, d.deadline.due_on, d.status, d.overdue_working_days)
            for d in engine.deadlines(district, as_of=date(2026, 7, 1))] == [
        (date(2026, 1, 5), date(2026, 2, 2), "met_late", 6),
        (date(2026, 2, 10), date(2026, 3, 31), "met_late", 7),
        (date(2026, 4, 10), date(2026, 6, 1), "met", 0),
        (date(2026, 5, 31), date(2026, 6, 30), "breached", 1),
    ]
    assert [b.case.id for b in engine.breaches(as_of=date(2026, 7, 1))] == [district]


def test_a_comparison_keeps_the_level_of_the_department_the_case_is_for(engine, db):
    """天津 三(三) "市民政局每季度、区民政局每月": a case is one department's comparisons, at the
    level it was opened at. The 市民政局's (省级) case, compared on 2026-02-10 with ``--set
    level=县级``, became a district's: its next comparison was due by the end of March (the
    month after February's) instead of Tue 2026-06-30 (the end of the quarter after the first);
    a district's turned quarterly so, and its monthly breaches went unseen. Refused, exit 1,
    nothing written; the same level again is a comparison like any other."""
    city = monitoring(engine, "tianjin", "省级", authority="天津市民政局")
    district = monitoring(engine, "tianjin", "县级", authority="和平区民政局")
    for cid, other in ((city, "县级"), (district, "省级")):
        before = dump_file(db)
        with pytest.raises(EventRefused, match=f"level .*→ \"{other}\""):
            engine.fire(cid, "compare_data", on=date(2026, 2, 10), payload={"level": other})
        assert dump_file(db) == before
    result = run(db, "case", "fire", city, "compare_data", "--on", "2026-02-10",
                 "--set", "level=市级")
    assert result.exit_code == 1
    assert "level" in error_line(result, "Error: compare_data refused")
    assert dump_file(db) == before
    view = engine.fire(city, "compare_data", on=date(2026, 2, 10), payload={"level": "省级"})
    assert [(d.deadline.due_on, d.status) for d in view.deadlines] == [
        (date(2026, 3, 31), "met"), (date(2026, 6, 30), "open")]
