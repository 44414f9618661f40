"""The national values a province plugin inherits when it sets none of its own.

Every shipped province restates the national totals, phase-out, death re-check and credit
period with its own citation, so changing the national value in workflows/*.toml by one left
the rest of the suite passing. 海南 (``hainan``, the test plugin ``install("")`` lays out)
sets nothing: its cases run on the national rules (rules.md §1, "Where a seed is silent, the
national rule applies and is cited as such"). Each test fails on that one-off mutation.

Dates in 2026 follow 国办发明电〔2025〕7号: 春节 2/15–2/23 off, Saturdays 2/14 and 2/28
worked; 清明 4/4–4/6; 国庆 10/1–10/7 off.
"""

from __future__ import annotations

from datetime import date

import pytest

from engine import Engine, EventRefused
from helpers import by_rule, paid

NATIONAL = "民发〔2022〕83号"


@pytest.fixture
def national(install, tmp_path):
    install("")
    return Engine.open(str(tmp_path / "national.db"))


def accepted(engine, **attributes):
    case = engine.open_case(province="hainan", on=date(2026, 1, 26), attributes=attributes)
    return engine.fire(case.id, "accept", on=date(2026, 1, 28))


def test_the_national_total_is_30_working_days_from_acceptance(national):
    """民发〔2021〕57号 第22条: "审核确认工作应当自受理之日起30个工作日之内完成". Accepted Wed
    1/28: 1/29 (1), 1/30 (2), 2/2–2/13 (12), Sat 2/14 调休 (13), 春节 2/15–2/23, 2/24–2/27
    (17), Sat 2/28 调休 (18), 3/2–3/13 (28), 3/16 (29), 3/17 (30) → 2026-03-17.
    (Fails with the national total at 31wd: 3/18.)"""
    total = by_rule(accepted(national))["total"].deadline
    assert (total.duration, total.due_on) == ("30wd", date(2026, 3, 17))
    assert total.citation == "民发〔2021〕57号 第22条"


def test_the_national_total_where_confirmation_is_delegated_is_20_working_days(national):
    """民发〔2022〕83号 四(一): "审核确认权限下放到乡镇人民政府（街道办事处）的，应当自受理之日起
    20个工作日之内完成". Accepted Wed 1/28, as above: Sat 2/28 is the 18th, 3/2 (19), 3/3 (20)
    → 2026-03-03. (Fails with total_delegated at 21wd: 3/4.)"""
    total = by_rule(accepted(national, delegated=True))["total"].deadline
    assert (total.duration, total.due_on) == ("20wd", date(2026, 3, 3))
    assert total.citation == "民发〔2021〕57号 第22条；民发〔2022〕83号 四(一)"


def open_benefit(engine, on=date(2026, 1, 5)):
    return engine.open_case(province="hainan", workflow="benefit", on=on,
                            attributes={"amount": 700, "paid_from": "2026-01"})


def test_the_national_phase_out_is_6_months_at_the_previous_amount(national):
    """民发〔2022〕83号: a phase-out (渐退期) of at most 6 months once employment lifts the
    household's income above the standard (rules.md N-exit; 晋民发〔2023〕31号 一(五) restates it:
    "可给予 6 个月的渐退期"). 700 from 2026-01; income passes the standard on Thu 2026-02-26 →
    2026-03 … 2026-08 at 700, six months, and the case ends by itself on 2026-09-01.
    (Fails with the national phase_out cut to 5 months: ends 2026-08-01.)"""
    case = open_benefit(national)
    view = national.fire(case.id, "income_exceeds", on=date(2026, 2, 26),
                         payload={"per_capita_income": 900, "standard": 810})
    assert view.state == "phasing_out"
    assert view.case.attributes["phase_out_ends_on"] == "2026-09-01"
    after = national.case(case.id, as_of=date(2027, 3, 1))
    assert paid(after) == [("2026-01", 700.0), ("2026-02", 700.0), ("2026-03", 700.0),
                           ("2026-04", 700.0), ("2026-05", 700.0), ("2026-06", 700.0),
                           ("2026-07", 700.0), ("2026-08", 700.0)]
    assert [p.basis.startswith(NATIONAL) for p in after.payments if p.month >= "2026-03"] == [True] * 6
    assert national.case(case.id, as_of=date(2026, 8, 31)).state == "phasing_out"
    assert national.case(case.id, as_of=date(2026, 9, 1)).state == "ended"


def test_the_national_death_re_check_is_due_3_months_after_the_death(national):
    """民发〔2022〕83号, as the seeds restate it: "低保家庭成员死亡后，应当自其死亡之日起3个月内对其
    家庭状况进行核查". Died Sat 2026-07-04; 3 months → Sun 2026-10-04, inside 国庆 10/1–10/7 →
    the next working day, Thu 2026-10-08 (民法典 第203条). (Fails with death_review at 4m:
    Wed 2026-11-04.)"""
    case = open_benefit(national)
    view = national.fire(case.id, "member_died", on=date(2026, 7, 6),
                         payload={"died_on": "2026-07-04"})
    death = by_rule(view)["death_review"].deadline
    assert (death.duration, death.due_on, death.citation) == ("3m", date(2026, 10, 8), NATIONAL)


def test_the_national_criticism_comes_after_more_than_3_months_unreported(national):
    """民发〔2022〕83号 五(五), as the seeds restate it: "发生重大变化超过3个月未主动告知的，…可以进行
    批评教育". Change on Thu 2026-01-15; 3 months end on Wed 2026-04-15, a working day: found
    that day, not yet more than 3 months, no sanction; found Thu 04-16, criticism. (Fails with
    the national unreported_change at 4m: no criticism on 04-16.)"""
    on_the_day = open_benefit(national)
    view = national.fire(on_the_day.id, "change_found", on=date(2026, 4, 15),
                         payload={"occurred_on": "2026-01-15"})
    assert list(view.sanctions) == []
    later = open_benefit(national)
    view = national.fire(later.id, "change_found", on=date(2026, 4, 16),
                         payload={"occurred_on": "2026-01-15"})
    assert [(s.kind, s.on, s.basis) for s in view.sanctions] == [
        ("criticism", date(2026, 4, 16), f"{NATIONAL} 五(五)")]
    assert view.state == "paying"


def test_the_special_circumstances_that_extend_the_total_are_cited_from_83号(national):
    """民发〔2021〕57号 第22条 says only "特殊情况下，可以延长至45个工作日"; the circumstances are
    民发〔2022〕83号 四(一)'s: "发生公示有异议、人户分离、异地申办或者家庭经济状况调查难度较大等特殊
    情况的，可以延长至45个工作日" (rules.md N-total, "57号 第22条; 83号 四(一)"; 晋民发〔2023〕31号
    四(二) quotes it). A reason outside the list is refused naming that clause (the refusal cited
    57号 第22条 alone, which lists none). Accepted Wed 1/28, extended for 调查难度大: 45 working
    days, 1/29–2/14 (13, Sat 2/14 调休), 春节 2/15–2/23, 2/24–2/28 (18, Sat 2/28 调休), 3/2–4/3
    (43), 清明 4/4–4/6, 4/7 (44), 4/8 (45) → 2026-04-08."""
    case = accepted(national)
    with pytest.raises(EventRefused) as refused:
        national.fire(case.id, "extend", on=date(2026, 2, 2), reason="家庭成员外出务工")
    assert ("extend needs --reason, one of 人户分离、异地申办、调查难度大 (民发〔2021〕57号 第22条；"
            "民发〔2022〕83号 四(一)); got \"家庭成员外出务工\"") in str(refused.value)
    reasons = national.workflow("hainan", "dibao").parameters["extension_reasons"]
    assert reasons.citation == "民发〔2021〕57号 第22条；民发〔2022〕83号 四(一)"
    total = by_rule(national.fire(case.id, "extend", on=date(2026, 2, 2), reason="调查难度大"))["total"]
    assert (total.deadline.duration, total.deadline.due_on) == ("45wd", date(2026, 4, 8))
