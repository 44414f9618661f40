"""江苏 征求意见稿 在保管理: 渐退缓退 by income band and severe members, transfer into 边缘 recognition.

The draft has no number; it is cited as 江苏征求意见稿. Every expected month, amount and date
below is worked out by hand in a comment.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine import EventRefused, InvalidInput
from helpers import dump, paid, run

CODE = "jiangsu_draft"
DRAFT = "江苏征求意见稿"


def open_benefit(engine, on=date(2026, 1, 5), amount=600, paid_from="2026-01", **attributes):
    return engine.open_case(province=CODE, workflow="benefit", on=on,
                            attributes={"amount": amount, "paid_from": paid_from, **attributes})


def locality(engine, months):
    """A 江苏 city (昆山市) that sets the ≥ 2 × phase-out itself (一(五): "一定期限内…"), from
    2026-01-01."""
    engine.set_parameter(CODE, "昆山市", "phase_out_months_high_income", months,
                         "昆山市民政局 测试文件 第1条", date(2026, 1, 1), workflow="benefit")


def six_from_april(amount):
    # Income change in 2026-03 → kept from 2026-04 for 6 months: 04 … 09.
    return [(f"2026-{m:02d}", amount) for m in range(4, 10)]


# -- 渐退缓退 (一(五)) ------------------------------------------------------------------------

# 江苏征求意见稿 一(五): "对就业创业等使得家庭人均收入超过当地低保标准，但低于当地低保标准2倍的，
# 自收入发生变动起的6个月内保留低保待遇。家庭人均收入达到或超过当地低保标准2倍的，自收入发生变动起
# 一定期限内保留低保待遇，最长不超过6个月。渐退缓退期内，维持原最低生活保障金不变，同样享受低保对象的
# 优惠减免政策。对低保家庭中有重残重病人员的，可以视情延长缓退期，原则上不超过12个月。"


def test_income_below_twice_the_standard_keeps_the_benefit_six_months_unchanged(engine):
    # 1500 against a standard of 1000 (< 2 × 1000): 6 months, 2026-04 … 2026-09, each at the
    # unchanged 600; ends by itself on 2026-10-01.
    case = open_benefit(engine)
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1500, "standard": 1000})
    view = engine.case(case.id, as_of=date(2026, 12, 31))
    assert paid(view) == [("2026-01", 600.0), ("2026-02", 600.0), ("2026-03", 600.0),
                          *six_from_april(600.0)]
    assert view.state == "ended"
    assert view.history[-1]["on"] == "2026-10-01"
    assert all(f"{DRAFT} 一(五)" in p.basis for p in view.payments if p.month >= "2026-04")


def test_income_at_twice_the_standard_uses_the_local_period_default_six(engine):
    # 2000 = 2 × 1000 ("达到或超过…2倍"): the locally set period, by default its maximum, 6.
    case = open_benefit(engine)
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 2000, "standard": 1000})
    view = engine.case(case.id, as_of=date(2026, 12, 31))
    assert paid(view)[3:] == six_from_april(600.0)
    assert "2倍" in view.payments[-1].basis


def test_a_locality_that_sets_three_months_for_twice_the_standard(engine):
    # The city sets 3 months. At 2000 (= 2 ×): 2026-04, 05, 06; ends 2026-07-01.
    # Just below, 1999 (< 2 ×): still the fixed 6 months, 2026-04 … 09.
    locality(engine, 3)
    high = open_benefit(engine, county="昆山市")
    engine.fire(high.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 2000, "standard": 1000})
    view = engine.case(high.id, as_of=date(2026, 12, 31))
    assert paid(view)[3:] == [("2026-04", 600.0), ("2026-05", 600.0), ("2026-06", 600.0)]
    assert view.history[-1]["event"] == "phase_out_end"
    assert view.history[-1]["on"] == "2026-07-01"
    low = open_benefit(engine, county="昆山市")
    engine.fire(low.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1999, "standard": 1000})
    assert paid(engine.case(low.id, as_of=date(2026, 12, 31)))[3:] == six_from_april(600.0)


def test_a_locality_cannot_keep_the_benefit_longer_than_six_months_at_twice_the_standard(engine):
    # 一(五) "最长不超过6个月": a city setting 9 months is refused, naming the clause.
    with pytest.raises(InvalidInput, match=r"must be from 1 to 6 .*最长不超过6个月.*not 9"):
        locality(engine, 9)


def test_a_household_with_a_severely_disabled_member_is_kept_up_to_twelve_months(engine):
    # severe_member=true: 12 months from 2026-04 → 2026-04 … 2027-03, all at 600; ends by itself
    # on 2027-04-01 (a 2027 date: the calendar only projects it, the payment months do not care).
    case = open_benefit(engine)
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1500, "standard": 1000, "severe_member": True})
    view = engine.case(case.id, as_of=date(2027, 6, 30))
    phase = [(m, a) for m, a in paid(view) if m >= "2026-04"]
    assert phase == [*[(f"2026-{m:02d}", 600.0) for m in range(4, 13)],
                     ("2027-01", 600.0), ("2027-02", 600.0), ("2027-03", 600.0)]
    assert "12个月" in view.payments[-1].basis
    assert view.state == "ended"
    assert view.history[-1]["on"] == "2027-04-01"
    assert engine.case(case.id, as_of=date(2027, 3, 31)).state == "phasing_out"


def test_a_locality_sets_how_far_the_severe_member_extension_goes(engine):
    """一(五) "可以视情延长缓退期，原则上不超过12个月": 12 is the ceiling, not a fixed length. A
    city setting 9: 2026-04 … 2026-12 at 600, ended 2027-01-01; 13 is refused, naming the clause."""
    engine.set_parameter(CODE, "昆山市", "phase_out_months_severe_member", 9,
                         "昆山市民政局 测试文件 第2条", date(2026, 1, 1), workflow="benefit")
    case = open_benefit(engine, county="昆山市")
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1500, "standard": 1000, "severe_member": True})
    view = engine.case(case.id, as_of=date(2027, 1, 31))
    assert [(m, a) for m, a in paid(view) if m >= "2026-04"] == [
        (f"2026-{m:02d}", 600.0) for m in range(4, 13)]
    assert "延长缓退期至9个月" in view.payments[-1].basis
    assert view.history[-1]["on"] == "2027-01-01"
    with pytest.raises(InvalidInput, match=r"must be from 6 to 12 .*原则上不超过12个月.*not 13"):
        engine.set_parameter(CODE, "苏州市", "phase_out_months_severe_member", 13,
                             "苏州市民政局 测试文件", date(2026, 1, 1), workflow="benefit")


def test_severe_member_recorded_on_the_case_also_extends(engine):
    # The attribute set when the case was opened counts like one given with the event.
    case = open_benefit(engine, severe_member=True)
    view = engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                       payload={"per_capita_income": 2600, "standard": 1000})
    assert len([p for p in view.payments if p.month >= "2026-04"]) == 12


def test_severe_member_given_with_approval_extends_the_later_phase_out(engine):
    # 一(五) "对低保家庭中有重残重病人员的，可以视情延长缓退期，原则上不超过12个月": the flag given when
    # the dibao case is approved (delegated, Tuesday 2026-03-17 → paid from 2026-04, 900) is the
    # benefit case's. Income 1500 above the standard 1000 recorded Wednesday 2026-06-10 → kept
    # 12 months from 2026-07: 2026-07 … 2027-06 at 900, ended 2027-07-01 (it was dropped on the
    # way: 6 months, 2026-07 … 2026-12, ended 2027-01-01).
    from test_benefit_common import approved_dibao

    _, approved = approved_dibao(engine, CODE, date(2026, 3, 17), amount=900, delegated=True,
                                 severe_member=True)
    benefit = approved.links[0]["case_id"]
    assert engine.case(benefit).case.attributes["severe_member"] is True
    view = engine.fire(benefit, "income_exceeds", on=date(2026, 6, 10),
                       payload={"per_capita_income": 1500, "standard": 1000})
    assert view.case.attributes["phase_out_ends_on"] == "2027-07-01"
    later = engine.case(benefit, as_of=date(2027, 8, 1))
    assert [(m, a) for m, a in paid(later) if m >= "2026-07"] == [
        *[(f"2026-{m:02d}", 900.0) for m in range(7, 13)],
        *[(f"2027-{m:02d}", 900.0) for m in range(1, 7)]]
    assert "延长缓退期至12个月" in later.payments[-1].basis


def test_severe_member_must_be_true_or_false(engine):
    case = open_benefit(engine)
    before = dump(engine)
    with pytest.raises(InvalidInput, match="severe_member"):
        engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                    payload={"per_capita_income": 1500, "standard": 1000, "severe_member": "yes"})
    assert dump(engine) == before


# -- death re-check (一(五)) ----------------------------------------------------------------

# 江苏征求意见稿 一(五): "低保家庭成员死亡后，应当自其死亡之日起3个月内对其家庭状况进行核查，并办理完成低保金
# 增发、减发、停发等相关手续。"


def test_death_on_march_31st_is_rechecked_by_june_30th(engine):
    # Died 2026-03-31 → 3 months → "06-31" does not exist → Tuesday 2026-06-30 (第202条).
    case = open_benefit(engine)
    view = engine.fire(case.id, "member_died", on=date(2026, 4, 2), payload={"died_on": "2026-03-31"})
    death = next(d for d in view.deadlines if d.deadline.rule == "death_review")
    assert death.deadline.due_on == date(2026, 6, 30)
    assert death.deadline.citation == f"{DRAFT} 一(五)"


# -- transfer into 边缘 recognition (三(一)) -------------------------------------------------

# 江苏征求意见稿 三(一): "对因家庭经济状况好转而退出低保或特困救助供养范围，但符合低保边缘家庭或支出型困难家庭
# 认定条件的，在办理退保时，经本人同意，可直接转入低保边缘家庭或支出型困难家庭认定程序，相关申请资料不再重复
# 提交。对不符合低保边缘家庭或支出型困难家庭认定条件的，纳入低收入人口动态监测平台，一旦符合救助条件，及时给予
# 救助。"
# 一(六): "有条件的地区可将低保边缘家庭人均收入从不高于低保标准1.5倍提高到2倍"


def test_leaving_with_consent_below_one_and_a_half_times_transfers_into_marginal(engine):
    # 1500 = 1.5 × 1000 ("不高于"): transfer, documents carried over, linked both ways.
    case = open_benefit(engine, county="玄武区", applicant_name="张三", household_size=3)
    view = engine.fire(case.id, "leave", on=date(2026, 5, 6),
                       payload={"per_capita_income": 1500, "standard": 1000, "consent": True})
    assert view.state == "left"
    assert view.case.attributes["leave_route"]["kind"] == "transfer"
    assert "dynamic_monitoring" not in view.case.attributes
    [link] = view.links
    assert (link["workflow"], link["relation"], link["on"]) == ("marginal", "transfer", "2026-05-06")
    marginal = engine.case(link["case_id"])
    assert marginal.case.workflow == "marginal"
    assert marginal.state == "applied"
    attributes = marginal.case.attributes
    assert attributes["recognition"] == "marginal"
    assert attributes["documents_carried_over"] is True
    assert (attributes["county"], attributes["applicant_name"], attributes["household_size"]) == (
        "玄武区", "张三", 3)
    assert attributes["per_capita_income"] == 1500
    assert [(x["case_id"], x["workflow"], x["relation"]) for x in marginal.links] == [
        (case.id, "benefit", "transferred_from")]
    # The benefit is paid through the month of leaving (2026-05), nothing after.
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31)))[-1] == ("2026-05", 600.0)
    assert len(engine.case(case.id, as_of=date(2026, 12, 31)).payments) == 5


def test_leaving_above_one_and_a_half_times_goes_into_dynamic_monitoring(engine):
    # 1501 > 1.5 × 1000: not 边缘 → monitoring, no linked case.
    case = open_benefit(engine)
    view = engine.fire(case.id, "leave", on=date(2026, 5, 6),
                       payload={"per_capita_income": 1501, "standard": 1000, "consent": True})
    assert view.case.attributes["leave_route"]["kind"] == "monitoring"
    assert view.case.attributes["dynamic_monitoring"] is True
    assert list(view.links) == []
    assert [c.workflow for c in engine.store.cases()] == ["benefit"]


def double_threshold(engine, county="昆山市"):
    """一(六) "有条件的地区可…提高到2倍": the city raises its 边缘 threshold, from 2026-01-01."""
    engine.set_parameter(CODE, county, "marginal_multiple", 2, f"{county}民政局 测试文件 第4条",
                         date(2026, 1, 1), workflow="benefit")


def test_a_locality_with_a_double_threshold_transfers_up_to_twice_the_standard(engine):
    # 昆山市 at 2 × (一(六)): 1800 ≤ 2 × 1000 → transfer; 2001 > 2000 → monitoring. Its
    # neighbour without the setting: 1800 > 1.5 × 1000 → monitoring, and a leave cannot pick
    # the threshold for itself.
    double_threshold(engine)
    case = open_benefit(engine, county="昆山市")
    view = engine.fire(case.id, "leave", on=date(2026, 5, 6),
                       payload={"per_capita_income": 1800, "standard": 1000, "consent": True})
    assert view.case.attributes["leave_route"]["kind"] == "transfer"
    # (the basis names the city's document that raised the threshold, as the assessment does)
    assert view.case.attributes["leave_route"]["basis"].endswith("昆山市民政局 测试文件 第4条")
    assert [x["workflow"] for x in view.links] == ["marginal"]
    other = open_benefit(engine, county="昆山市")
    view = engine.fire(other.id, "leave", on=date(2026, 5, 6),
                       payload={"per_capita_income": 2001, "standard": 1000, "consent": True})
    assert view.case.attributes["leave_route"]["kind"] == "monitoring"
    neighbour = open_benefit(engine, county="太仓市")
    view = engine.fire(neighbour.id, "leave", on=date(2026, 5, 6),
                       payload={"per_capita_income": 1800, "standard": 1000, "consent": True})
    assert view.case.attributes["leave_route"]["kind"] == "monitoring"
    chooser = open_benefit(engine, county="太仓市")
    before = dump(engine)
    with pytest.raises(InvalidInput, match=r"^marginal_multiple 2 is not the 1\.5 in force here"):
        engine.fire(chooser.id, "leave", on=date(2026, 5, 6), payload={
            "per_capita_income": 1800, "standard": 1000, "consent": True, "marginal_multiple": 2})
    assert dump(engine) == before


def test_the_leaving_threshold_is_compared_in_fen(engine):
    # 一(六) "不高于": 昆山市 at 1.9 ×, standard 921 → 1.9 × 921 = 1,749.90 exactly (the float
    # product is 1749.8999999999999). Leaving at 1,749.90 with consent is still a transfer.
    engine.set_parameter(CODE, "昆山市", "marginal_multiple", 1.9, "昆山市民政局 测试文件 第4条",
                         date(2026, 1, 1), workflow="benefit")
    case = open_benefit(engine, county="昆山市")
    view = engine.fire(case.id, "leave", on=date(2026, 5, 6),
                       payload={"per_capita_income": 1749.9, "standard": 921, "consent": True})
    assert view.case.attributes["leave_route"]["kind"] == "transfer"


def test_one_setting_of_the_marginal_multiple_governs_applying_and_leaving(engine):
    """Found by review: set for the assessment (workflow dibao), the threshold stayed 1.5 on
    leaving (benefit): two 边缘 thresholds in one county. 一(六) is one rule: a setting for
    either workflow is recorded for both, and so is its removal."""
    engine.set_parameter(CODE, "昆山市", "marginal_multiple", 2, "昆山市民政局 测试文件 第5条",
                         date(2026, 1, 1))  # (the default workflow: dibao)
    household = {"standard": 1000, "members": [
        {"id": "a", "age": 40, "income": {"employment": 1800}}]}
    assert engine.assess(CODE, household, county="昆山市").classification == "marginal"
    case = open_benefit(engine, county="昆山市")
    view = engine.fire(case.id, "leave", on=date(2026, 5, 6),
                       payload={"per_capita_income": 1800, "standard": 1000, "consent": True})
    assert view.case.attributes["leave_route"]["kind"] == "transfer"
    assert sorted((s.workflow, s.value) for s in engine.parameter_settings()) == [
        ("benefit", 2), ("dibao", 2)]
    engine.set_parameter(CODE, "昆山市", "marginal_multiple", None, "昆山市民政局 测试文件 第6条",
                         date(2026, 6, 1), workflow="benefit")
    assert engine.parameter_settings() == []


def test_without_consent_there_is_no_transfer(engine):
    # "经本人同意": no consent → dynamic monitoring even at 1200 ≤ 1500.
    case = open_benefit(engine)
    view = engine.fire(case.id, "leave", on=date(2026, 5, 6),
                       payload={"per_capita_income": 1200, "standard": 1000})
    assert view.case.attributes["leave_route"]["kind"] == "monitoring"
    assert list(view.links) == []
    no = open_benefit(engine)
    view = engine.fire(no.id, "leave", on=date(2026, 5, 6),
                       payload={"per_capita_income": 1200, "standard": 1000, "consent": False})
    assert view.case.attributes["leave_route"]["kind"] == "monitoring"


def phased_out(engine, **attributes):
    """1500 against a standard of 1000 recorded 2026-03-10: 600 kept 2026-04 … 2026-09 (一(五));
    the phase-out runs out and the benefit ends by itself on 2026-10-01."""
    case = open_benefit(engine, county="玄武区", applicant_name="张三", household_size=3,
                        **attributes)
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1500, "standard": 1000})
    return case


def test_a_phase_out_that_runs_out_leaves_into_dynamic_monitoring(engine):
    # 三(一) "对不符合…认定条件的，纳入低收入人口动态监测平台": the 退保 at the end of the phase-out
    # without a transfer (none consented to yet) puts the household into monitoring.
    case = phased_out(engine)
    view = engine.case(case.id, as_of=date(2026, 10, 1))
    assert (view.state, view.history[-1]["event"]) == ("ended", "phase_out_end")
    assert view.case.attributes["dynamic_monitoring"] is True
    assert view.case.attributes["leave_route"] == {
        "kind": "monitoring", "basis": f"{DRAFT} 三(一)", "recognition": None}


def test_a_transfer_consented_to_when_the_phase_out_ends_keeps_every_month_of_it(engine):
    """Found by review: a household could be transferred (三(一) "在办理退保时，经本人同意，可直接转入
    …认定程序") only by leaving during its phase-out, which ended the 6 months 一(五) keeps
    ("自收入发生变动起的6个月内保留低保待遇") early. The 退保 at the phase-out's end takes the
    transfer: 1400 ≤ 1.5 × 1000, with consent. The benefit is still paid 2026-04 … 2026-09 at
    600 (3 × 600 before, 9 months in all), and the case stays ended."""
    case = phased_out(engine)
    engine.advance(date(2026, 10, 1))
    view = engine.fire(case.id, "leave", on=date(2026, 10, 9),
                       payload={"per_capita_income": 1400, "standard": 1000, "consent": True})
    assert view.state == "ended"
    assert view.history[-1]["event"] == "leave"
    assert view.case.attributes["leave_route"]["kind"] == "transfer"
    assert view.case.attributes["dynamic_monitoring"] is False
    [link] = view.links
    assert (link["workflow"], link["relation"], link["on"]) == ("marginal", "transfer", "2026-10-09")
    marginal = engine.case(link["case_id"]).case.attributes
    assert (marginal["recognition"], marginal["per_capita_income"], marginal["applicant_name"]) == (
        "marginal", 1400, "张三")
    shown = engine.case(case.id, as_of=date(2026, 12, 31))
    assert paid(shown) == [("2026-01", 600.0), ("2026-02", 600.0), ("2026-03", 600.0),
                           *six_from_april(600.0)]
    assert sum(p.amount for p in shown.payments) == 5400.0
    # Once: the household has left.
    before = dump(engine)
    with pytest.raises(EventRefused, match="the household's leaving was already recorded on "
                                           "2026-10-09"):
        engine.fire(case.id, "leave", on=date(2026, 10, 12),
                    payload={"per_capita_income": 1400, "standard": 1000, "consent": True})
    assert dump(engine) == before


def test_after_the_phase_out_ends_leave_records_a_transfer_only(engine):
    # Without consent, or at 1501 > 1.5 × 1000, there is nothing to transfer: the household is
    # in monitoring already, and leave is refused without writing anything.
    case = phased_out(engine)
    engine.advance(date(2026, 10, 1))
    before = dump(engine)
    for payload in ({"per_capita_income": 1400, "standard": 1000},
                    {"per_capita_income": 1501, "standard": 1000, "consent": True}):
        with pytest.raises(EventRefused) as refused:
            engine.fire(case.id, "leave", on=date(2026, 10, 9), payload=payload)
        assert str(refused.value) == (
            "leave refused: the phase-out ended on 2026-10-01 and the household went into dynamic "
            "monitoring; leave after that records only a transfer, which these figures do not give "
            f"({DRAFT} 三(一)（纳入低收入人口动态监测平台）)")
    assert dump(engine) == before


@pytest.mark.parametrize(("event", "payload"), [
    ("review", {"outcome": "stop"}), ("found_ineligible", {})])
def test_a_re_check_that_stops_the_benefit_leaves_into_monitoring_or_a_transfer(
        engine, event, payload):
    """Found by review: a re-check that stopped the benefit left the household neither in
    dynamic monitoring nor able to take the transfer of 三(一) ("对因家庭经济状况好转而退出低保…在
    办理退保时，经本人同意，可直接转入低保边缘家庭…认定程序…对不符合…的，纳入低收入人口动态监测平台").
    Stopped on 2026-05-06: in monitoring; then the 退保 with consent at 1,200 ≤ 1.5 × 1,000 is
    a transfer (and only once)."""
    case = open_benefit(engine, county="玄武区", applicant_name="张三", household_size=3)
    view = engine.fire(case.id, event, on=date(2026, 5, 6), payload=payload)
    assert view.state == "stopped"
    assert view.case.attributes["dynamic_monitoring"] is True
    assert view.case.attributes["leave_route"]["kind"] == "monitoring"
    before = dump(engine)
    with pytest.raises(EventRefused, match=rf"the benefit was stopped \({event}\) on 2026-05-06 and "
                                           r"the household went into dynamic monitoring"):
        engine.fire(case.id, "leave", on=date(2026, 5, 8),
                    payload={"per_capita_income": 1600, "standard": 1000, "consent": True})
    assert dump(engine) == before
    view = engine.fire(case.id, "leave", on=date(2026, 5, 8),
                       payload={"per_capita_income": 1200, "standard": 1000, "consent": True})
    assert (view.state, view.case.attributes["leave_route"]["kind"]) == ("stopped", "transfer")
    assert view.case.attributes["dynamic_monitoring"] is False
    assert [x["workflow"] for x in view.links] == ["marginal"]
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31)))[-1] == ("2026-05", 600.0)


def test_no_transfer_after_fraud(engine):
    """三(一) is for households leaving "因家庭经济状况好转"; one where fraud was found (83号 五(五))
    is not transferred: stopped for it, or found once a re-check had stopped the benefit."""
    case = open_benefit(engine)
    engine.fire(case.id, "fraud_found", on=date(2026, 5, 6), payload={"since": "2026-04-01"})
    later = open_benefit(engine)
    engine.fire(later.id, "review", on=date(2026, 5, 4), payload={"outcome": "stop"})
    engine.fire(later.id, "fraud_found", on=date(2026, 5, 6), payload={"since": "2026-04-01"})
    for cid in (case.id, later.id):
        with pytest.raises(EventRefused, match=r"fraud was found on 2026-05-06 \(江苏征求意见稿 "
                                               r"五\(五\)\): there is no transfer to record"):
            engine.fire(cid, "leave", on=date(2026, 5, 8),
                        payload={"per_capita_income": 1200, "standard": 1000, "consent": True})


def test_a_re_check_during_the_phase_out_keeps_the_amount_unless_a_member_died(engine):
    """一(五) "渐退缓退期内，维持原最低生活保障金不变": a routine re-check on 2026-05-10 cannot reduce
    the 600 kept 2026-04 … 2026-09 (found by review: June on was paid 300). After a member's
    death (民发〔2022〕83号: 增发、减发) the household itself changed, and it can."""
    case = phased_out(engine)
    before = dump(engine)
    with pytest.raises(EventRefused, match=r"the phase-out from 2026-03-10 keeps the amount it "
                                           r"started from \(江苏征求意见稿 一\(五\)"):
        engine.fire(case.id, "review", on=date(2026, 5, 10),
                    payload={"outcome": "reduce", "amount": 300})
    assert dump(engine) == before
    engine.fire(case.id, "member_died", on=date(2026, 5, 12), payload={"died_on": "2026-05-02"})
    view = engine.fire(case.id, "review", on=date(2026, 5, 20),
                       payload={"outcome": "reduce", "amount": 400})
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31)))[3:] == [
        ("2026-04", 600.0), ("2026-05", 600.0), ("2026-06", 400.0), ("2026-07", 400.0),
        ("2026-08", 400.0), ("2026-09", 400.0)]
    assert view.state == "phasing_out"
    # A death just before the phase-out: its re-check, still to be done, may change it too.
    died = open_benefit(engine)
    engine.fire(died.id, "member_died", on=date(2026, 3, 3), payload={"died_on": "2026-03-01"})
    engine.fire(died.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1500, "standard": 1000})
    engine.fire(died.id, "review", on=date(2026, 3, 20), payload={"outcome": "reduce", "amount": 450})
    assert paid(engine.case(died.id, as_of=date(2026, 12, 31)))[3:] == six_from_april(450.0)


def test_transfer_through_the_cli_links_both_cases(db):
    assert run(db, "parameter", "set", "marginal_multiple", "2", "--province", CODE,
               "--county", "昆山市", "--workflow", "benefit", "--basis", "昆山市民政局 测试文件",
               "--on", "2026-01-01").exit_code == 0
    opened = run(db, "case", "open", "--province", CODE, "--workflow", "benefit",
                 "--on", "2026-01-05", "--set", "amount=600", "--set", "paid_from=2026-01",
                 "--set", "county=昆山市")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    left = run(db, "case", "fire", case_id, "leave", "--on", "2026-05-06",
               "--set", "per_capita_income=1800", "--set", "standard=1000",
               "--set", "consent=true")
    assert left.exit_code == 0, left.output
    shown = json.loads(run(db, "case", "show", case_id, "--format", "json").stdout)
    [link] = shown["links"]
    assert (link["workflow"], link["relation"]) == ("marginal", "transfer")
    back = json.loads(run(db, "case", "show", link["case_id"], "--format", "json").stdout)
    assert back["workflow"] == "marginal"
    assert [(x["case_id"], x["relation"]) for x in back["links"]] == [(case_id, "transferred_from")]


def test_leaving_with_a_negative_income_is_refused_and_writes_nothing(engine):
    case = open_benefit(engine)
    before = dump(engine)
    with pytest.raises(InvalidInput, match="per_capita_income"):
        engine.fire(case.id, "leave", on=date(2026, 5, 6),
                    payload={"per_capita_income": -1, "standard": 1000, "consent": True})
    with pytest.raises(InvalidInput, match="standard"):
        engine.fire(case.id, "leave", on=date(2026, 5, 6),
                    payload={"per_capita_income": 900, "standard": 0, "consent": True})
    assert dump(engine) == before
    assert engine.case(case.id).state == "paying"


# -- credit sanctions (五(五)) ---------------------------------------------------------------

# 江苏征求意见稿 五(五): "…超过3个月未主动告知的，县级民政部门或者乡镇人民政府（街道办事处）可以进行批评教育。
# 对于发现条件不符合的，要决定停止低保；对采取虚报、隐瞒、伪造等手段骗取低保的，要决定停止低保，责令退回非法
# 获取的低保金，并依法追究法律责任。"


def test_fraud_during_a_phase_out_repays_the_unchanged_amounts(engine):
    # Phase-out from 2026-04 at 600 (unchanged). Fraud found 2026-06-15, since 2026-02-01:
    # paid 02, 03, 04, 05, 06 = 5 × 600 = 3000. The benefit stops after 2026-06.
    case = open_benefit(engine)
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1500, "standard": 1000})
    view = engine.fire(case.id, "fraud_found", on=date(2026, 6, 15), payload={"since": "2026-02-01"})
    assert view.state == "stopped"
    sanctions = {s.kind: s for s in view.sanctions}
    assert sanctions["repayment"].amount == 3000.0
    assert all(s.basis == f"{DRAFT} 五(五)" for s in view.sanctions)
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31)))[-1] == ("2026-06", 600.0)


def test_income_exceeds_on_a_stopped_case_is_refused(engine):
    case = open_benefit(engine)
    engine.fire(case.id, "found_ineligible", on=date(2026, 3, 2))
    before = dump(engine)
    with pytest.raises(EventRefused, match="closed"):
        engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                    payload={"per_capita_income": 1500, "standard": 1000})
    assert dump(engine) == before


def test_the_phase_out_is_counted_from_the_income_change_not_from_its_recording(engine):
    # 一(五) "自收入发生变动起的6个月内保留低保待遇". Income changed 2026-01-15, recorded 2026-05-10
    # (--set changed_on=2026-01-15): kept for the 6 months after the change's month, 2026-02 …
    # 2026-07, all at the unchanged 600; ends by itself 2026-08-01 (not 2026-12-01, four
    # months and 2,400 yuan more, as counting from the recording gave).
    case = open_benefit(engine)
    engine.fire(case.id, "income_exceeds", on=date(2026, 5, 10), payload={
        "per_capita_income": 1500, "standard": 1000, "changed_on": "2026-01-15"})
    view = engine.case(case.id, as_of=date(2026, 12, 31))
    assert paid(view) == [(f"2026-{m:02d}", 600.0) for m in range(1, 8)]
    assert [p.basis.startswith(f"{DRAFT} 一(五)") for p in view.payments] == [False] + [True] * 6
    assert (view.history[-1]["event"], view.history[-1]["on"]) == ("phase_out_end", "2026-08-01")


def test_a_phase_out_run_out_before_it_was_recorded_ends_after_the_month_recorded(engine):
    # Income changed 2025-06-10, recorded only 2026-05-10: the 6 months (2025-07 … 2025-12) are
    # long over. The months paid until the recording stay paid (the unreported change is
    # change_found's matter, 五(五)); the benefit ends 2026-06-01.
    case = open_benefit(engine, on=date(2025, 1, 6), paid_from="2025-01")
    engine.fire(case.id, "income_exceeds", on=date(2026, 5, 10), payload={
        "per_capita_income": 1500, "standard": 1000, "changed_on": "2025-06-10"})
    view = engine.case(case.id, as_of=date(2026, 12, 31))
    assert paid(view) == [*[(f"2025-{m:02d}", 600.0) for m in range(1, 13)],
                          *[(f"2026-{m:02d}", 600.0) for m in range(1, 6)]]
    assert (view.history[-1]["event"], view.history[-1]["on"]) == ("phase_out_end", "2026-06-01")


def test_a_change_after_its_recording_is_refused(engine):
    case = open_benefit(engine)
    with pytest.raises(InvalidInput, match="changed_on 2026-05-11 is after the date the event"):
        engine.fire(case.id, "income_exceeds", on=date(2026, 5, 10), payload={
            "per_capita_income": 1500, "standard": 1000, "changed_on": "2026-05-11"})


def test_months_already_paid_keep_their_amount_when_an_earlier_change_is_recorded(engine):
    # 600 from 2026-01; a re-check on 2026-02-10 raises it to 700 from 2026-03. The income
    # change of 2026-01-15 is recorded on 2026-04-10: the phase-out counts 2026-02 … 2026-07,
    # but February was paid at 600 (the raise came in March): 600, then 700 × 5.
    case = open_benefit(engine)
    engine.fire(case.id, "review", on=date(2026, 2, 10), payload={"outcome": "raise",
                                                                   "amount": 700})
    engine.fire(case.id, "income_exceeds", on=date(2026, 4, 10), payload={
        "per_capita_income": 1500, "standard": 1000, "changed_on": "2026-01-15"})
    view = engine.case(case.id, as_of=date(2026, 12, 31))
    assert paid(view) == [("2026-01", 600.0), ("2026-02", 600.0),
                          *[(f"2026-{m:02d}", 700.0) for m in range(3, 8)]]


# -- 信用 (五(五)) ------------------------------------------------------------------------------


def test_jiangsu_names_any_unreported_change_not_only_a_major_one(engine):
    """江苏征求意见稿 五(五): "低保家庭的人口状况、收入状况和财产状况发生变化的，家庭成员要及时告知…，
    超过3个月未主动告知的，…可以进行批评教育" — any change, where 民发〔2022〕83号 and 晋民发〔2023〕31号
    五(五) say "发生重大变化": 江苏's event and period say 变化, not 重大变化 (they did). The period
    is the same: a change on Thu 2026-01-15, 3 months to Wed 2026-04-15; found 04-16 →
    批评教育, found 04-15 → nothing."""
    benefit = engine.workflow(CODE, "benefit")
    (found,) = {t.title for t in benefit.transitions if t.event == "change_found"}
    assert found == "发现未主动告知的变化"
    period = benefit.parameters["unreported_change"]
    assert (period.value, period.title, period.citation) == ("3m", "变化未主动告知的期限",
                                                             f"{DRAFT} 五(五)")
    national = engine.workflow("shanxi", "benefit")
    assert {t.title for t in national.transitions if t.event == "change_found"} == {
        "发现未主动告知的重大变化"}
    assert national.parameters["unreported_change"].title == "重大变化未主动告知的期限"
    early = open_benefit(engine)
    assert list(engine.fire(early.id, "change_found", on=date(2026, 4, 15),
                            payload={"occurred_on": "2026-01-15"}).sanctions) == []
    late = open_benefit(engine)
    view = engine.fire(late.id, "change_found", on=date(2026, 4, 16),
                       payload={"occurred_on": "2026-01-15"})
    assert [(s.kind, s.on, s.basis) for s in view.sanctions] == [
        ("criticism", date(2026, 4, 16), f"{DRAFT} 五(五)")]
    assert view.history[-1]["title"] == "发现未主动告知的变化"
