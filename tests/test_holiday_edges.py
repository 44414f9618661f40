"""The 低保 procedure driven through the Python API from 受理 to its end, started on the days that
test the calendar hardest: a make-up Saturday just before 春节, the day before 国庆, a Friday
before a make-up Saturday, and 2026-12-31 into 2027 (no notice yet: provisional).

Every due date is counted by hand on the 2026 official calendar (国办发明电〔2025〕7号: 春节
2/15–2/23 off, 2/14 and 2/28 Saturdays worked; 清明 4/4–4/6 off; 中秋 9/25–9/27 off; 国庆 10/1–10/7
off, 9/20 Sun and 10/10 Sat worked), the counted days listed in comments. 2027 is projected from
the 放假办法 (元旦 1/1; 春节 2/5–2/8 with 2/9–2/10 made up for the weekend).
"""

from __future__ import annotations

from datetime import date

import pytest

from engine import Engine, EventRefused
from helpers import by_rule

APPROVED = {"amount": 500}


def _due(engine, case_id, as_of):
    return {rule: (d.deadline.due_on, d.status, d.deadline.citation)
            for rule, d in by_rule(engine.deadlines(case_id, as_of=as_of)).items()}


def test_shanxi_accepted_on_the_make_up_saturday_before_spring_festival(engine):
    """晋民发〔2023〕31号 四(二): "低保审核确认工作应当自受理之日起 30 个工作日之内完成；……发生公示有
    异议……可以延长至 45 个工作日"; 民发〔2021〕57号 第15条 (调查, 3 working days), 第17条 (信息核对, 3),
    第20条 (县级审核确认, 10), 第21条 (书面告知理由, 3); 四(五) "为期 7 天的公示".

    受理 Sat 2026-02-14, a make-up working day, the day before 春节:
      investigation_start 3wd: 2/24(1) 2/25(2) 2/26(3)                          → 2026-02-26
      total 30wd: 2/24(1) … 2/27(4) 2/28 Sat worked(5) 3/2(6) … 3/31(27) 4/1(28) 4/2(29)
                  4/3(30)                                                         → 2026-04-03
      extended to 45wd: 4/4–4/6 清明 off, 4/7(31) … 4/24(44) 4/27(45)            → 2026-04-27
    request_verification Fri 2/27: 2/28 Sat worked(1) 3/2(2) 3/3(3)              → 2026-03-03
    公示 posted 3/3: 3/4 … 3/10 (7th day, a Tuesday)                              → 2026-03-10
    submit_to_county Fri 3/20: 3/23(1) … 3/27(5) 3/30(6) 3/31(7) 4/1(8) 4/2(9) 4/3(10) → 04-03
    reject Fri 4/3, before 清明: 4/7(1) 4/8(2) 4/9(3)                              → 2026-04-09
    """
    case = engine.open_case(province="shanxi", on=date(2026, 2, 14))
    engine.fire(case.id, "accept", on=date(2026, 2, 14))
    due = _due(engine, case.id, date(2026, 2, 14))
    assert due["investigation_start"][0] == date(2026, 2, 26)
    assert due["total"][0] == date(2026, 4, 3)
    assert due["total"][2] == "晋民发〔2023〕31号 四(二)"
    engine.fire(case.id, "start_investigation", on=date(2026, 2, 24))
    engine.fire(case.id, "request_verification", on=date(2026, 2, 27))
    assert _due(engine, case.id, date(2026, 2, 27))["verification_start"][0] == date(2026, 3, 3)
    engine.fire(case.id, "start_verification", on=date(2026, 3, 3))
    engine.fire(case.id, "post_publicity", on=date(2026, 3, 3))
    assert _due(engine, case.id, date(2026, 3, 3))["publicity"][::2] == (
        date(2026, 3, 10), "晋民发〔2023〕31号 四(五)")
    # An objection on the 公示's last day sends the case back to investigation and extends the
    # total once: a later `extend` is refused, the total staying at 45 working days.
    engine.fire(case.id, "raise_objection", on=date(2026, 3, 10))
    assert engine.store.case(case.id).state == "investigating"
    with pytest.raises(EventRefused, match="already extended to 45wd"):
        engine.fire(case.id, "extend", on=date(2026, 3, 11), reason="人户分离")
    engine.fire(case.id, "submit_to_county", on=date(2026, 3, 20))
    due = _due(engine, case.id, date(2026, 3, 20))
    assert due["total"][0] == date(2026, 4, 27)
    assert due["county_confirmation"][::2] == (date(2026, 4, 3), "民发〔2021〕57号 第20条（国家规定）")
    engine.fire(case.id, "reject", on=date(2026, 4, 3))
    due = _due(engine, case.id, date(2026, 4, 3))
    assert due["refusal_notice"][::2] == (date(2026, 4, 9), "民发〔2021〕57号 第21条（国家规定）")
    assert (due["total"][1], due["county_confirmation"][1]) == ("met", "met")
    with pytest.raises(EventRefused, match="publish is not allowed in state rejected"):
        engine.fire(case.id, "publish", on=date(2026, 4, 7))
    engine.fire(case.id, "notify_refusal", on=date(2026, 4, 9))
    assert _due(engine, case.id, date(2026, 4, 9))["refusal_notice"][1] == "met"


def test_tianjin_accepted_the_day_before_national_day(engine):
    """津民发〔2023〕13号 四(一): "低保审核确认工作应当自受理之日起20个工作日之内完成。发生公示有异议、
    人户分离、异地申办或者家庭经济状况调查难度较大等特殊情况的，可以延长至45个工作日。"

    受理 Wed 2026-09-30, the day before 国庆 (10/1–10/7 off):
      investigation_start 3wd: 10/8(1) 10/9(2) 10/10 Sat worked(3)                → 2026-10-10
      total 20wd: 10/8(1) 10/9(2) 10/10(3) 10/12(4) … 10/30(18) 11/2(19) 11/3(20) → 2026-11-03
      extended (异地申办) to 45wd: 11/4(21) … 12/7(44) 12/8(45)                    → 2026-12-08
    request_verification Fri 10/9, before the make-up Saturday: 10/10(1) 10/12(2) 10/13(3)
    公示 posted Tue 10/13: 10/20 (7th day)
    """
    case = engine.open_case(province="tianjin", on=date(2026, 9, 30))
    engine.fire(case.id, "accept", on=date(2026, 9, 30))
    due = _due(engine, case.id, date(2026, 9, 30))
    assert (due["investigation_start"][0], due["total"][0]) == (date(2026, 10, 10), date(2026, 11, 3))
    assert due["total"][2] == "津民发〔2023〕13号 四(一)"
    for reason in (None, "家庭困难"):  # 45 working days only for the listed special cases
        with pytest.raises(EventRefused, match="extend needs --reason, one of 人户分离、异地申办、调查难度"):
            engine.fire(case.id, "extend", on=date(2026, 10, 9), reason=reason)
    engine.fire(case.id, "start_investigation", on=date(2026, 10, 9))
    engine.fire(case.id, "extend", on=date(2026, 10, 9), reason="异地申办")
    engine.fire(case.id, "request_verification", on=date(2026, 10, 9))
    due = _due(engine, case.id, date(2026, 10, 9))
    assert (due["total"][0], due["verification_start"][0]) == (date(2026, 12, 8), date(2026, 10, 13))
    engine.fire(case.id, "start_verification", on=date(2026, 10, 13))
    engine.fire(case.id, "post_publicity", on=date(2026, 10, 13))
    assert _due(engine, case.id, date(2026, 10, 13))["publicity"][0] == date(2026, 10, 20)
    # An objection after the extension does not extend it again.
    engine.fire(case.id, "raise_objection", on=date(2026, 10, 15))
    assert _due(engine, case.id, date(2026, 10, 15))["total"][0] == date(2026, 12, 8)
    with pytest.raises(EventRefused, match="publish is not allowed in state investigating"):
        engine.fire(case.id, "publish", on=date(2026, 10, 21))
    # The township confirms (no county step), once the 公示 has run its 7 days.
    engine.fire(case.id, "approve", on=date(2026, 10, 21), payload=APPROVED)
    engine.fire(case.id, "publish", on=date(2026, 10, 21))
    due = _due(engine, case.id, date(2026, 10, 21))
    assert "county_confirmation" not in due and due["total"][1] == "met"


def test_shanxi_delegated_accepted_on_a_friday_before_a_make_up_saturday(engine):
    """晋民发〔2023〕31号 四(二): "审核确认权限下放到乡镇人民政府（街道办事处）的，应当自受理之日起 20 个
    工作日之内完成".

    受理 Fri 2026-10-09, delegated:
      investigation_start 3wd: 10/10 Sat worked(1) 10/12(2) 10/13(3)             → 2026-10-13
      total 20wd: 10/10(1) 10/12(2) … 10/30(16) 11/2(17) 11/3(18) 11/4(19) 11/5(20) → 2026-11-05
    Terminated on 10/13, the investigation's due date: it could still be done that day
    (民法典 第203条, until 24:00), so both deadlines are cancelled, neither breached.
    """
    case = engine.open_case(province="shanxi", on=date(2026, 10, 9), attributes={"delegated": True})
    engine.fire(case.id, "accept", on=date(2026, 10, 9))
    due = _due(engine, case.id, date(2026, 10, 9))
    assert (due["investigation_start"][0], due["total"][0]) == (date(2026, 10, 13), date(2026, 11, 5))
    engine.fire(case.id, "terminate", on=date(2026, 10, 13))
    due = _due(engine, case.id, date(2026, 12, 1))
    assert (due["investigation_start"][1], due["total"][1]) == ("cancelled", "cancelled")


def test_jiangsu_accepted_on_new_year_s_eve_counts_into_2027_provisionally(tmp_path):
    """江苏征求意见稿 四(一): "低保审核确认工作应当自受理之日起30个工作日之内完成"; 民发〔2021〕57号
    第15条 (3 working days to start the investigation).

    受理 Thu 2026-12-31; 2027 has no notice yet, so every date is provisional:
      investigation_start 3wd: 1/1 元旦 off, 1/4(1) 1/5(2) 1/6(3)                  → 2027-01-06
      total 30wd: 1/4(1) … 1/29(20) 2/1(21) … 2/4(24), 2/5–2/10 春节 off, 2/11(25)
                  2/12(26) 2/15(27) 2/16(28) 2/17(29) 2/18(30)                    → 2027-02-18
    Withdrawn on 2027-01-07, the investigation never started: that deadline, already breached,
    stays on record as unmet; the total is cancelled.
    """
    engine = Engine.open(str(tmp_path / "x.db"), today=lambda: date(2027, 1, 31))
    case = engine.open_case(province="jiangsu_draft", on=date(2026, 12, 31))
    engine.fire(case.id, "accept", on=date(2026, 12, 31))
    views = by_rule(engine.deadlines(case.id, as_of=date(2026, 12, 31)))
    assert [(r, v.deadline.due_on, v.deadline.provisional, v.deadline.citation)
            for r, v in views.items()] == [
        ("total", date(2027, 2, 18), True, "江苏征求意见稿 四(一)"),
        ("investigation_start", date(2027, 1, 6), True, "民发〔2021〕57号 第15条（国家规定）"),
    ]
    engine.fire(case.id, "withdraw", on=date(2027, 1, 7))
    due = _due(engine, case.id, date(2027, 1, 31))
    assert (due["investigation_start"][1], due["total"][1]) == ("unmet", "cancelled")
