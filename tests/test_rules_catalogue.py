"""The national procedure's step deadlines (rules.md §1), run on the national rules alone.

Every shipped province restates the totals and the 公示 with its own citation, and the step
deadlines it leaves alone are checked only through a province's cases; here 海南 (``hainan``,
the plugin ``install("")`` lays out) sets nothing, so each value and citation below is the
national one of workflows/dibao.toml and benefit.toml (rules.md: "Where a seed is silent, the
national rule applies and is cited as such").

One case, accepted Mon 2026-09-14, runs through the autumn holidays of 国办发明电〔2025〕7号:
中秋 9/25–9/27 off; 国庆 10/1–10/7 off, Sun 9/20 and Sat 10/10 worked (调休上班). Every date
is counted by hand (《民法典》 第201–203条: the starting day is not counted, a last day that is
not a working day moves to the next working day), then cross-checked with
``doudi calendar due START DURATION --explain``.

- 受理 Mon 9/14 → total 30wd (57号 第22条): 9/15(1) 9/16(2) 9/17(3) 9/18(4) Sun 9/20(5)
  9/21(6) 9/22(7) 9/23(8) 9/24(9), 中秋 9/25–27, 9/28(10) 9/29(11) 9/30(12), 国庆 10/1–7,
  10/8(13) 10/9(14) Sat 10/10(15) 10/12(16) … 10/16(20) 10/19(21) … 10/23(25) 10/26(26) …
  10/30(30) → 2026-10-30; extended to 45wd: 11/2(31) … 11/6(35) 11/9(36) … 11/13(40)
  11/16(41) … 11/20(45) → 2026-11-20.
- investigation_start 3wd (57号 第15条): 9/15(1) 9/16(2) 9/17(3) → 2026-09-17.
- request_verification Thu 9/17 → verification_start 3wd (57号 第17条): 9/18(1), Sat 9/19
  off, Sun 9/20 调休(2), 9/21(3) → 2026-09-21.
- post_publicity Thu 9/24 → 公示 7 days (57号 第19条): 9/25(1) … 10/1(7); 10/1 is 国庆 → the
  next working day, 2026-10-08.
- submit_to_county Fri 10/9 → county_confirmation 10wd (57号 第20条): Sat 10/10(1) 10/12(2)
  10/13(3) 10/14(4) 10/15(5) 10/16(6) 10/19(7) 10/20(8) 10/21(9) 10/22(10) → 2026-10-22.
- reject Thu 10/22 → refusal_notice 3wd (57号 第21条): 10/23(1) 10/26(2) 10/27(3) → 2026-10-27.
"""

from __future__ import annotations

from datetime import date

import pytest

from engine import Engine, EventRefused
from helpers import by_rule

ACCEPTED = date(2026, 9, 14)
TOTAL_DUE = date(2026, 10, 30)
EXTENDED_DUE = date(2026, 11, 20)
PUBLICITY_DUE = date(2026, 10, 8)
COUNTY_DUE = date(2026, 10, 22)

TOTALS = "民发〔2021〕57号 第22条；民发〔2022〕83号 四(一)"


@pytest.fixture
def national(install, tmp_path):
    install("")
    return Engine.open(str(tmp_path / "national.db"))


def accepted(engine):
    case = engine.open_case(province="hainan", on=date(2026, 9, 11),
                            attributes={"county": "海口市美兰区", "household_size": 2})
    engine.fire(case.id, "accept", on=ACCEPTED)
    return case.id


def to_publicity(engine):
    """Accepted 9/14, investigated 9/16, verification requested 9/17 and started 9/21, 公示
    posted 9/24."""
    case_id = accepted(engine)
    for event, on in (("start_investigation", date(2026, 9, 16)),
                      ("request_verification", date(2026, 9, 17)),
                      ("start_verification", date(2026, 9, 21)),
                      ("post_publicity", date(2026, 9, 24))):
        engine.fire(case_id, event, on=on)
    return case_id


def due(view, rule):
    deadline = by_rule(view)[rule].deadline
    return deadline.duration, deadline.due_on, deadline.citation


def test_each_national_step_runs_its_own_count_across_the_autumn_holidays(national):
    """民发〔2021〕57号 第15条 "乡镇人民政府（街道办事处）应当自受理之日起3个工作日内启动家庭经济状况
    调查"; 第17条 "县级人民政府民政部门应当在收到乡镇人民政府（街道办事处）对家庭经济状况进行信息核对
    提请后3个工作日内，启动信息核对程序"; 第19条 "…初审意见…在申请家庭所在村、社区进行公示。公示期为
    7天"; 第20条 "县级人民政府民政部门应当自收到乡镇人民政府（街道办事处）上报的申请材料、家庭经济状况
    调查核实结果和初审意见等材料后10个工作日内提出审核确认意见"; 第21条 "对不符合条件、不予确认同意的，
    应当在作出决定3个工作日内，通过乡镇人民政府（街道办事处）书面告知申请人并说明理由"; 第22条
    "审核确认工作应当自受理之日起30个工作日之内完成". Counts in the module docstring."""
    case_id = accepted(national)
    view = national.case(case_id)
    assert due(view, "total") == ("30wd", TOTAL_DUE, "民发〔2021〕57号 第22条")
    assert due(view, "investigation_start") == ("3wd", date(2026, 9, 17),
                                                "民发〔2021〕57号 第15条（国家规定）")
    national.fire(case_id, "start_investigation", on=date(2026, 9, 17))
    view = national.fire(case_id, "request_verification", on=date(2026, 9, 17))
    assert by_rule(view)["investigation_start"].status == "met"
    assert due(view, "verification_start") == ("3wd", date(2026, 9, 21),
                                               "民发〔2021〕57号 第17条（国家规定）")
    # Started on Tue 9/22, a working day after the Monday it was due: late by one.
    view = national.fire(case_id, "start_verification", on=date(2026, 9, 22))
    late = by_rule(view)["verification_start"]
    assert (late.status, late.overdue_working_days) == ("met_late", 1)
    view = national.fire(case_id, "post_publicity", on=date(2026, 9, 24))
    publicity = by_rule(view)["publicity"].deadline
    assert (publicity.duration, publicity.starts_on, publicity.due_on, publicity.citation) == (
        "7d", date(2026, 9, 24), PUBLICITY_DUE, "民发〔2021〕57号 第19条")
    # The 公示 runs its full 7 days, moved to 10/8: not sent to the county on its last day.
    with pytest.raises(EventRefused, match="runs until 2026-10-08"):
        national.fire(case_id, "submit_to_county", on=PUBLICITY_DUE)
    view = national.fire(case_id, "submit_to_county", on=date(2026, 10, 9))
    assert due(view, "county_confirmation") == ("10wd", COUNTY_DUE,
                                                "民发〔2021〕57号 第20条（国家规定）")
    view = national.fire(case_id, "reject", on=COUNTY_DUE, reason="家庭人均收入高于当地低保标准")
    assert by_rule(view)["county_confirmation"].status == "met"
    assert due(view, "refusal_notice") == ("3wd", date(2026, 10, 27),
                                           "民发〔2021〕57号 第21条（国家规定）")
    # As of Wed 10/28 the notice not sent is breached by one working day.
    breach = by_rule(national.deadlines(case_id, as_of=date(2026, 10, 28)))["refusal_notice"]
    assert (breach.status, breach.overdue_working_days) == ("breached", 1)


def test_the_national_extension_is_45_working_days_from_acceptance(national):
    """民发〔2021〕57号 第22条 / 民发〔2022〕83号 四(一): "发生公示有异议、人户分离、异地申办或者家庭
    经济状况调查难度较大等特殊情况的，可以延长至45个工作日". Extended on 10/20 for 异地申办, the total
    still counts from 受理 on 9/14: → 2026-11-20 (module docstring). A reason the rules do not
    name is refused. (Fails with the national total_extended at 44wd: 11/19.)"""
    case_id = accepted(national)
    national.fire(case_id, "start_investigation", on=date(2026, 9, 16))
    with pytest.raises(EventRefused, match="人户分离、异地申办、调查难度大"):
        national.fire(case_id, "extend", on=date(2026, 10, 20), reason="工作繁忙")
    view = national.fire(case_id, "extend", on=date(2026, 10, 20), reason="异地申办")
    total = by_rule(view)["total"].deadline
    assert (total.duration, total.starts_on, total.due_on, total.citation) == (
        "45wd", ACCEPTED, EXTENDED_DUE, TOTALS)
    # Past the 30 working days (10/30) and before the 45th, nothing is breached.
    assert by_rule(national.deadlines(case_id, as_of=date(2026, 11, 2)))["total"].status == "open"
    assert by_rule(national.deadlines(case_id, as_of=date(2026, 11, 23)))["total"].status == "breached"


def test_an_objection_in_the_national_publicity_goes_to_the_county_without_a_second_one(national):
    """民发〔2022〕83号 四(二) and 57号 第19条 (rules.md N-publicity): with an objection the township
    investigates again or holds 民主评议, and the new 初审意见 goes to the county; no second 公示
    is required. The objection on Wed 9/30, inside the 公示 (9/24 → 10/8), sends the case back to
    investigation and extends the total to 45 working days from 受理: 2026-11-20. Submitted to
    the county on Mon 10/12 with no new 公示: county_confirmation 10wd, 10/13(1) … 10/16(4)
    10/19(5) … 10/23(9) 10/26(10) → 2026-10-26."""
    case_id = to_publicity(national)
    view = national.fire(case_id, "raise_objection", on=date(2026, 9, 30))
    assert view.state == "investigating"
    total = by_rule(view)["total"].deadline
    assert (total.due_on, total.extended_by, total.citation) == (EXTENDED_DUE, "raise_objection",
                                                                  TOTALS)
    view = national.fire(case_id, "submit_to_county", on=date(2026, 10, 12))
    assert view.state == "county_review"
    assert due(view, "county_confirmation")[1] == date(2026, 10, 26)


def test_a_national_approval_pays_from_the_month_after_and_is_rechecked_a_year_on(national):
    """民发〔2021〕57号 第21条: "对符合条件的申请予以确认同意，同时确定救助金额，发放低保证或确认通知书，
    并从作出确认同意决定之日下月起发放最低生活保障金"; 第31条 (rules.md N-recheck): re-checked yearly
    where the income is stable. Approved Thu 10/22 (the county's 10th working day: met) for 680
    a month → paid from 2026-11; the benefit case opened that day is re-checked 12 months on,
    Fri 2027-10-22 (a working day, past 国庆)."""
    case_id = to_publicity(national)
    national.fire(case_id, "submit_to_county", on=date(2026, 10, 9))
    view = national.fire(case_id, "approve", on=COUNTY_DUE, payload={"amount": 680})
    assert view.state == "approved"
    assert by_rule(view)["county_confirmation"].status == "met"
    assert (by_rule(view)["total"].status, by_rule(view)["total"].deadline.stopped_on) == (
        "met", COUNTY_DUE)
    [link] = view.links
    benefit = national.case(link["case_id"])
    assert (benefit.case.attributes["paid_from"], benefit.case.attributes["amount"]) == ("2026-11", 680)
    review = by_rule(benefit)["periodic_review"].deadline
    assert (review.duration, review.starts_on, review.due_on, review.citation) == (
        "12m", COUNTY_DUE, date(2027, 10, 22), "民发〔2021〕57号 第31条")
