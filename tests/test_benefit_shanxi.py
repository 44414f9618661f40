"""山西 在保管理 (晋民发〔2023〕31号): a 6-month phase-out, death re-check, credit sanctions.

Every expected month, amount and date below is worked out by hand in a comment.
"""

from __future__ import annotations

from datetime import date

import pytest

from engine import EventRefused
from helpers import dump, paid

NOTICE = "晋民发〔2023〕31号"


def open_benefit(engine, on, amount=700, paid_from="2026-01", **attributes):
    return engine.open_case(province="shanxi", workflow="benefit", on=on,
                            attributes={"amount": amount, "paid_from": paid_from, **attributes})


def deadline(view, rule):
    return next(d for d in view.deadlines if d.deadline.rule == rule)


# -- 渐退 (一(五)) ----------------------------------------------------------------------------

# 晋民发〔2023〕31号 一(五): "鼓励具备就业能力的低保家庭成员积极就业，对就业后家庭人均收入超过当地低保标准
# 的低保家庭，可给予 6 个月的渐退期。"


def test_six_month_phase_out_at_the_full_amount(engine):
    # 700 from 2026-01; income passes the standard on Thursday 2026-02-26 → phase-out from the
    # next month: 2026-03 … 2026-08 (6 months), each at the previous 700 (the notice sets no
    # reduction). Ends by itself on 2026-09-01.
    case = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(case.id, "income_exceeds", on=date(2026, 2, 26),
                       payload={"per_capita_income": 900, "standard": 810})
    assert view.state == "phasing_out"
    expected = [("2026-01", 700.0), ("2026-02", 700.0), ("2026-03", 700.0), ("2026-04", 700.0),
                ("2026-05", 700.0), ("2026-06", 700.0), ("2026-07", 700.0), ("2026-08", 700.0)]
    assert paid(view) == expected
    after = engine.case(case.id, as_of=date(2027, 3, 1))
    assert paid(after) == expected
    phase = [p for p in after.payments if p.month >= "2026-03"]
    assert len(phase) == 6
    assert all(f"{NOTICE} 一(五)" in p.basis for p in phase)
    assert engine.case(case.id, as_of=date(2026, 8, 31)).state == "phasing_out"
    ended = engine.case(case.id, as_of=date(2026, 9, 1))
    assert ended.state == "ended"
    assert (ended.history[-1]["event"], ended.history[-1]["on"]) == ("phase_out_end", "2026-09-01")
    assert ended.history[-1]["actor"] == "doudi (by itself)"


def test_the_end_of_the_phase_out_is_recorded_before_a_later_event(engine):
    # A death re-check started before the end (died 2026-07-20 → due 2026-10-20) is cancelled
    # when the case ends on 2026-09-01; an event fired afterwards is refused and writes nothing.
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 2, 26),
                payload={"per_capita_income": 900, "standard": 810})
    engine.fire(case.id, "member_died", on=date(2026, 7, 22), payload={"died_on": "2026-07-20"})
    view = engine.case(case.id, as_of=date(2026, 9, 1))
    death = deadline(view, "death_review")
    assert death.deadline.due_on == date(2026, 10, 20)
    assert death.status == "cancelled"
    # Not a breach on 2026-10-21: the case was closed before its due date.
    assert [b for b in engine.breaches(as_of=date(2026, 10, 21)) if b.case.id == case.id] == []


# -- death re-check (一(五)) ----------------------------------------------------------------

# 晋民发〔2023〕31号 一(五): "低保对象死亡后，应当自其死亡之日起 3 个月内完成其家庭状况核查，
# 并办理低保金增发、减发、停发等相关手续。"


def test_death_review_ending_in_the_national_day_holiday_moves_to_the_next_working_day(engine):
    # Died Saturday 2026-07-04; 3 months → Sunday 2026-10-04, inside 国庆 10/1–10/7 (国办发明电
    # 〔2025〕7号) → the next working day, Thursday 2026-10-08 (民法典 第203条).
    case = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(case.id, "member_died", on=date(2026, 7, 6), payload={"died_on": "2026-07-04"})
    death = deadline(view, "death_review")
    assert death.deadline.due_on == date(2026, 10, 8)
    assert death.deadline.citation == f"{NOTICE} 一(五)"
    # As of Friday 10-09: breached, 1 working day over (10-09).
    late = engine.deadlines(case.id, as_of=date(2026, 10, 9))
    death = next(d for d in late if d.deadline.rule == "death_review")
    assert (death.status, death.overdue_working_days) == ("breached", 1)
    # As of Monday 10-12: 10-09 (Fri), 10-10 (make-up working Saturday), 10-12 → 3.
    late = engine.deadlines(case.id, as_of=date(2026, 10, 12))
    death = next(d for d in late if d.deadline.rule == "death_review")
    assert (death.status, death.overdue_working_days) == ("breached", 3)


def test_a_death_review_that_stops_the_benefit_ends_the_case(engine):
    # Re-check on 2026-08-20 decides to stop: paid through 2026-08, nothing after.
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "member_died", on=date(2026, 7, 6), payload={"died_on": "2026-07-04"})
    view = engine.fire(case.id, "review", on=date(2026, 8, 20), payload={"outcome": "stop"})
    assert view.state == "stopped"
    assert deadline(view, "death_review").status == "met"
    months = paid(engine.case(case.id, as_of=date(2026, 12, 31)))
    assert months[-1] == ("2026-08", 700.0)
    assert len(months) == 8  # 2026-01 … 2026-08


def test_a_raise_applies_from_the_month_after_the_review(engine):
    # Re-check on 2026-08-20 raises 700 → 750: from 2026-09.
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "member_died", on=date(2026, 7, 6), payload={"died_on": "2026-07-04"})
    engine.fire(case.id, "review", on=date(2026, 8, 20), payload={"outcome": "raise", "amount": 750})
    assert paid(engine.case(case.id, as_of=date(2026, 10, 5)))[-3:] == [
        ("2026-08", 700.0), ("2026-09", 750.0), ("2026-10", 750.0),
    ]


def test_a_raise_that_lowers_the_amount_is_refused(engine):
    case = open_benefit(engine, date(2026, 1, 5))
    before = dump(engine)
    with pytest.raises(EventRefused, match="raise"):
        engine.fire(case.id, "review", on=date(2026, 8, 20), payload={"outcome": "raise", "amount": 650})
    assert dump(engine) == before



# A correction (``case correct``) records what was wrong and the data put right, as evidence:
# it changes no attribute, state or deadline by itself, and the household is still paid what
# the opening or the last re-check decided.


def test_a_correction_naming_another_amount_leaves_the_phase_out_at_the_amount_paid(engine):
    # 700 from 2026-01; a correction of the opening on 2026-01-20 names 800, which nothing paid.
    # Income passes the standard on 2026-02-26 → 一(五)'s 6 months, 2026-03 … 2026-08, at the
    # 700 paid before, not at 800.
    case = open_benefit(engine, date(2026, 1, 5))
    engine.correct(case.id, 0, on=date(2026, 1, 20), reason="录入金额有误", payload={"amount": 800})
    view = engine.fire(case.id, "income_exceeds", on=date(2026, 2, 26),
                       payload={"per_capita_income": 900, "standard": 810})
    assert view.case.attributes["amount"] == 700
    assert paid(view) == [("2026-01", 700.0), ("2026-02", 700.0), ("2026-03", 700.0),
                          ("2026-04", 700.0), ("2026-05", 700.0), ("2026-06", 700.0),
                          ("2026-07", 700.0), ("2026-08", 700.0)]


def test_a_raise_is_measured_against_the_amount_paid_not_a_correction_s(engine):
    # 700 paid; a correction names 800; a re-check on 2026-02-10 raising 700 → 750 is a raise
    # (it was refused as "800 → 750"), paid from the next month, 2026-03.
    case = open_benefit(engine, date(2026, 1, 5))
    engine.correct(case.id, 0, on=date(2026, 1, 20), reason="录入金额有误", payload={"amount": 800})
    engine.fire(case.id, "review", on=date(2026, 2, 10), payload={"outcome": "raise", "amount": 750})
    assert paid(engine.case(case.id, as_of=date(2026, 3, 2))) == [
        ("2026-01", 700.0), ("2026-02", 700.0), ("2026-03", 750.0)]
    # (and a reduction from 750 to 720 is one, whatever the correction said)
    engine.fire(case.id, "review", on=date(2026, 3, 10), payload={"outcome": "reduce", "amount": 720})
    assert paid(engine.case(case.id, as_of=date(2026, 4, 1)))[-1] == ("2026-04", 720.0)


# -- credit sanctions (五(五)) ---------------------------------------------------------------

# 晋民发〔2023〕31号 五(五): "低保家庭的人口状况、收入状况和财产状况发生重大变化超过3个月未主动告知的，县级
# 民政部门或者乡镇人民政府（街道办事处）可以进行批评教育。对于发现条件不符合的，要决定停止低保；对采取
# 虚报、隐瞒、伪造等手段骗取低保的，要决定停止低保，责令退回非法获取的低保金，并依法追究法律责任。"


def test_an_unreported_change_of_more_than_three_months_brings_criticism(engine):
    # Change on Thursday 2026-01-15; 3 months end on Wednesday 2026-04-15 (a working day).
    # Found on 04-15: not yet more than 3 months → no sanction, and criticism=true is refused;
    # found 04-16 → 批评教育 that day, by itself (it failed: none unless criticism=true), as
    # before 6974e1e; criticism=false, the office deciding against it ("可以"), → none.
    case = open_benefit(engine, date(2026, 1, 5))
    with pytest.raises(EventRefused, match="could be reported until 2026-04-15"):
        engine.fire(case.id, "change_found", on=date(2026, 4, 15),
                    payload={"occurred_on": "2026-01-15", "criticism": True})
    view = engine.fire(case.id, "change_found", on=date(2026, 4, 15),
                       payload={"occurred_on": "2026-01-15"})
    assert list(view.sanctions) == []
    assert view.state == "paying"
    other = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(other.id, "change_found", on=date(2026, 4, 16),
                       payload={"occurred_on": "2026-01-15"})
    assert [(s.kind, s.on, s.basis) for s in view.sanctions] == [
        ("criticism", date(2026, 4, 16), f"{NOTICE} 五(五)")]
    # Criticism does not stop the benefit: still paying, 700 through 2026-05.
    assert view.state == "paying"
    assert paid(engine.case(other.id, as_of=date(2026, 5, 1)))[-1] == ("2026-05", 700.0)
    spared = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(spared.id, "change_found", on=date(2026, 4, 16),
                       payload={"occurred_on": "2026-01-15", "criticism": False})
    assert list(view.sanctions) == [] and view.state == "paying"


def test_found_ineligible_stops_from_the_next_month(engine):
    # Found ineligible 2026-06-10 → paid 2026-01 … 2026-06, stop sanction, nothing from 07.
    case = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(case.id, "found_ineligible", on=date(2026, 6, 10))
    assert view.state == "stopped"
    assert [(s.kind, s.basis) for s in view.sanctions] == [("stop", f"{NOTICE} 五(五)")]
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31)))[-1] == ("2026-06", 700.0)
    assert len(engine.case(case.id, as_of=date(2026, 12, 31)).payments) == 6


def test_fraud_repays_what_was_paid_since_it_began_across_an_amount_change(engine):
    # 700 from 2026-01; reduced to 500 on 2026-03-10 → 500 from 2026-04. Fraud found
    # 2026-06-15, since 2026-03-20: paid 03 = 700, 04 = 500, 05 = 500, 06 = 500 → 2200.
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "review", on=date(2026, 3, 10), payload={"outcome": "reduce", "amount": 500})
    view = engine.fire(case.id, "fraud_found", on=date(2026, 6, 15), payload={"since": "2026-03-20"})
    sanctions = {s.kind: s for s in view.sanctions}
    assert set(sanctions) == {"stop", "repayment", "legal_referral"}
    assert sanctions["repayment"].amount == 2200.0
    assert sanctions["stop"].amount is None
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31)))[-1] == ("2026-06", 500.0)


def test_leaving_in_shanxi_goes_into_dynamic_monitoring(engine):
    # 晋民发〔2023〕31号 has no direct-transfer clause: national dynamic monitoring.
    case = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(case.id, "leave", on=date(2026, 5, 6),
                       payload={"per_capita_income": 850, "standard": 810, "consent": True})
    assert view.state == "left"
    assert view.case.attributes["dynamic_monitoring"] is True
    assert list(view.links) == []
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31)))[-1] == ("2026-05", 700.0)
