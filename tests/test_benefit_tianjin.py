"""天津 在保管理 (津民发〔2023〕13号): phase-out 100 % then 50 %, death re-check, credit sanctions.

Every expected month, amount and date below is worked out by hand in a comment; the engine's
own schedule code is never used to compute an expectation.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from engine import EventRefused, InvalidInput
from helpers import dump, paid, put_back_triggers, run

NOTICE = "津民发〔2023〕13号"
# 三(三): "重点对享受过救助、申请过救助家庭……要密切关注，定期开展数据比对筛查".
TJ_MONITORING = f"{NOTICE} 三(三)（重点对享受过救助、申请过救助家庭……要密切关注，定期开展数据比对筛查）"


def open_benefit(engine, on, amount=900, paid_from="2026-01", **attributes):
    return engine.open_case(province="tianjin", workflow="benefit", on=on,
                            attributes={"amount": amount, "paid_from": paid_from, **attributes})


# -- 渐退 (一(三)) ----------------------------------------------------------------------------

# 津民发〔2023〕13号 一(三): "对就业后家庭人均收入超过本市低保标准的低保家庭，可给予原则上不超过6个月的
# 渐退期。渐退期间，前三个月按其家庭原领取最低生活保障金的100%发放，后三个月按50%发放。"


def test_phase_out_of_900_pays_900_900_900_450_450_450_then_nothing(engine):
    # Paid 900 from 2026-01. Income passes the standard on 2026-03-10 → the phase-out runs from
    # the month after, 2026-04: 04, 05, 06 at 100 % = 900; 07, 08, 09 at 50 % = 450; then the
    # case ends by itself on the 1st of the month after the last phase-out month, 2026-10-01.
    case = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                       payload={"per_capita_income": 1300, "standard": 1010})
    assert view.state == "phasing_out"
    expected = [("2026-01", 900.0), ("2026-02", 900.0), ("2026-03", 900.0),
                ("2026-04", 900.0), ("2026-05", 900.0), ("2026-06", 900.0),
                ("2026-07", 450.0), ("2026-08", 450.0), ("2026-09", 450.0)]
    # Scheduled up to the end of the phase-out as soon as it starts …
    assert paid(view) == expected
    # (the day before the income change was recorded, only the months up to then: 01 … 03)
    before = engine.case(case.id, as_of=date(2026, 3, 9))
    assert (before.state, paid(before)) == ("paying", expected[:3])
    # … and nothing after it, however late we look.
    late = engine.case(case.id, as_of=date(2026, 12, 31))
    assert paid(late) == expected
    assert late.state == "ended"
    # The phase-out months carry the clause; the months before it the national payment rule.
    bases = {p.month: p.basis for p in late.payments}
    for month in ("2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"):
        assert f"{NOTICE} 一(三)" in bases[month], month
    assert "100%" in bases["2026-04"] and "50%" in bases["2026-07"]
    assert NOTICE not in bases["2026-03"]


@pytest.mark.parametrize(("amount", "half"), [(901.01, 450.51), (733.33, 366.67)])
def test_the_halved_months_round_half_a_fen_up_whatever_the_amount(engine, amount, half):
    # 一(三) "后三个月按50%发放": 901.01 × 50 % = 450.505 and 733.33 × 50 % = 366.665, both paid
    # rounded half up to the fen (binary floats once rounded the first down and the second up).
    case = open_benefit(engine, date(2026, 1, 5), amount=amount)
    view = engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                       payload={"per_capita_income": 1300, "standard": 1010})
    assert paid(view)[3:] == [("2026-04", amount), ("2026-05", amount), ("2026-06", amount),
                              ("2026-07", half), ("2026-08", half), ("2026-09", half)]


def test_an_amount_of_minus_nothing_is_paid_and_written_as_0(engine, db):
    # -0.0 is a JSON number (a platform's arithmetic gives it for nothing: -1 × 0.0), and an
    # amount of at least 0: the case opens. It was paid as -0.0 a month ("2026-01  -0.0" in
    # case show) and its 50 % months too, and a raise to 0 was refused as "(-0 → 0)".
    # 一(三) pays 100 % then 50 % of it: 0 in each of 2026-01 … 2026-09.
    case = open_benefit(engine, date(2026, 1, 5), amount=-0.0)
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    view = engine.case(case.id, as_of=date(2026, 12, 31))
    assert paid(view) == [(f"2026-{m:02d}", 0.0) for m in range(1, 10)]
    assert '"amount": -0.0' not in json.dumps(view.to_json()["payments"])
    other = open_benefit(engine, date(2026, 1, 5), amount=-0.0)
    with pytest.raises(EventRefused, match=re.escape("a raise must increase the amount (0 → 0)")):
        engine.fire(other.id, "review", on=date(2026, 3, 10), payload={"outcome": "raise", "amount": 0})
    # (the same through the CLI: --set amount=-0.0 is read as that number)
    opened = run(db, "case", "open", "--province", "tianjin", "--workflow", "benefit", "--on",
                 "2026-01-05", "--set", "amount=-0.0", "--set", "paid_from=2026-01")
    assert opened.exit_code == 0, opened.output
    shown = run(db, "case", "show", opened.stdout.strip(), "--as-of", "2026-02-10")
    assert shown.exit_code == 0 and re.search(r"^2026-02 +0\.0 ", shown.output, re.M), shown.output


def test_phase_out_ends_by_itself_on_the_first_of_the_month_after(engine):
    # Last phase-out month 2026-09 → phase_out_end on 2026-10-01, recorded by doudi itself.
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    assert engine.case(case.id, as_of=date(2026, 9, 30)).state == "phasing_out"
    ended = engine.case(case.id, as_of=date(2026, 10, 1))
    assert ended.state == "ended"
    last = ended.history[-1]
    assert (last["event"], last["on"], last["actor"]) == ("phase_out_end", "2026-10-01",
                                                          "doudi (by itself)")
    # The periodic re-check (opened 2026-01-05, 12 months → 2027-01-05) stops with the case.
    review = next(d for d in ended.deadlines if d.deadline.rule == "periodic_review")
    assert review.status == "cancelled"


def test_phase_out_is_100_percent_of_the_previous_benefit_after_a_reduction(engine):
    # 900 from 2026-01; a re-check on 2026-02-10 reduces it to 800 from the next month, 2026-03.
    # Income passes the standard on 2026-04-20 → phase-out 2026-05 … 2026-10 on the previous
    # benefit, 800: 05, 06, 07 at 800; 08, 09, 10 at 400.
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "review", on=date(2026, 2, 10), payload={"outcome": "reduce", "amount": 800})
    engine.fire(case.id, "income_exceeds", on=date(2026, 4, 20),
                payload={"per_capita_income": 1300, "standard": 1010})
    view = engine.case(case.id, as_of=date(2027, 1, 31))
    assert paid(view) == [
        ("2026-01", 900.0), ("2026-02", 900.0), ("2026-03", 800.0), ("2026-04", 800.0),
        ("2026-05", 800.0), ("2026-06", 800.0), ("2026-07", 800.0),
        ("2026-08", 400.0), ("2026-09", 400.0), ("2026-10", 400.0),
    ]
    # Ends 2026-11-01, the 1st after the last phase-out month.
    assert view.history[-1]["event"] == "phase_out_end"
    assert view.history[-1]["on"] == "2026-11-01"


def test_phase_out_through_the_cli(db):
    opened = run(db, "case", "open", "--province", "tianjin", "--workflow", "benefit",
                 "--on", "2026-01-05", "--set", "amount=900", "--set", "paid_from=2026-01")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    fired = run(db, "case", "fire", case_id, "income_exceeds", "--on", "2026-03-10",
                "--set", "per_capita_income=1300", "--set", "standard=1010")
    assert fired.exit_code == 0, fired.output
    shown = run(db, "case", "show", case_id, "--as-of", "2026-12-31", "--format", "json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    # Same hand schedule as above: 3 normal months, 3 × 900, 3 × 450.
    assert [(p["month"], p["amount"]) for p in data["payments"]] == [
        ("2026-01", 900.0), ("2026-02", 900.0), ("2026-03", 900.0),
        ("2026-04", 900.0), ("2026-05", 900.0), ("2026-06", 900.0),
        ("2026-07", 450.0), ("2026-08", 450.0), ("2026-09", 450.0),
    ]
    assert all(p["basis"] for p in data["payments"])
    assert data["state"] == "ended"
    # The table shows the schedule too.
    table = run(db, "case", "show", case_id, "--as-of", "2026-12-31")
    assert table.exit_code == 0, table.output
    assert "payments" in table.stdout and "450.0" in table.stdout


def test_no_second_phase_out_while_one_runs(engine):
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    before = dump(engine)
    with pytest.raises(EventRefused, match="phasing_out"):
        engine.fire(case.id, "income_exceeds", on=date(2026, 5, 6),
                    payload={"per_capita_income": 1500, "standard": 1010})
    assert dump(engine) == before


def test_nothing_can_happen_after_the_phase_out_ended(engine):
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    before = dump(engine)
    # 2026-10-12: after the end on 2026-10-01, the case is closed.
    with pytest.raises(EventRefused, match="closed"):
        engine.fire(case.id, "review", on=date(2026, 10, 12), payload={"outcome": "keep"})
    assert dump(engine) == before


# -- death re-check (一(三)) ----------------------------------------------------------------

# 津民发〔2023〕13号 一(三): "低保家庭成员死亡后，应当自其死亡之日起3个月内对其家庭状况进行核查，
# 并办理完成低保金增发、减发、停发等相关手续。"


def test_death_on_the_31st_is_rechecked_by_the_30th_three_months_later(engine):
    # Died 2026-01-31 (day not counted, 第201条); 3 months → "2026-04-31" does not exist → the
    # last day of April, 2026-04-30 (第202条), a Thursday and a working day (劳动节 is 5/1–5/5).
    case = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(case.id, "member_died", on=date(2026, 2, 9), payload={"died_on": "2026-01-31"})
    death = next(d for d in view.deadlines if d.deadline.rule == "death_review")
    assert death.deadline.starts_on == date(2026, 1, 31)
    assert death.deadline.due_on == date(2026, 4, 30)
    assert death.deadline.citation == f"{NOTICE} 一(三)"
    assert death.status == "open"
    # The re-check reduces the benefit to 600 on 2026-04-28 → met, and 600 from 2026-05.
    view = engine.fire(case.id, "review", on=date(2026, 4, 28),
                       payload={"outcome": "reduce", "amount": 600})
    death = next(d for d in view.deadlines if d.deadline.rule == "death_review")
    assert death.status == "met"
    assert death.deadline.stopped_on == date(2026, 4, 28)
    assert paid(engine.case(case.id, as_of=date(2026, 6, 1))) == [
        ("2026-01", 900.0), ("2026-02", 900.0), ("2026-03", 900.0), ("2026-04", 900.0),
        ("2026-05", 600.0), ("2026-06", 600.0),
    ]


def test_death_during_the_phase_out_is_rechecked_too(engine):
    # The phase-out runs 2026-04 … 2026-09; a death on 2026-05-12 → due 2026-08-12 (Wednesday).
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    view = engine.fire(case.id, "member_died", on=date(2026, 5, 14),
                       payload={"died_on": "2026-05-12"})
    assert view.state == "phasing_out"
    death = next(d for d in view.deadlines if d.deadline.rule == "death_review")
    assert death.deadline.due_on == date(2026, 8, 12)


def test_a_reduction_after_a_death_during_the_phase_out_is_paid_at_its_shares(engine):
    # 一(三): "低保家庭成员死亡后，应当自其死亡之日起3个月内对其家庭状况进行核查，并办理完成低保金增发、
    # 减发、停发等相关手续" and the phase-out pays "前三个月按其家庭原领取最低生活保障金的100%发放，后三个月
    # 按50%发放". Phase-out of 900 from 2026-04; a member dies
    # 2026-04-15; the re-check on 2026-05-10 reduces the benefit to 600 from the month after,
    # 2026-06 (phase-out month 3, 100 % → 600), then months 4–6 at 50 % of 600 = 300. Before
    # the fix the phase-out kept paying 900/450 and the household was overpaid.
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    engine.fire(case.id, "member_died", on=date(2026, 4, 20), payload={"died_on": "2026-04-15"})
    engine.fire(case.id, "review", on=date(2026, 5, 10), payload={"outcome": "reduce",
                                                                   "amount": 600})
    view = engine.case(case.id, as_of=date(2026, 12, 31))
    assert paid(view)[3:] == [("2026-04", 900.0), ("2026-05", 900.0), ("2026-06", 600.0),
                              ("2026-07", 300.0), ("2026-08", 300.0), ("2026-09", 300.0)]
    assert view.payments[-1].basis == (f"{NOTICE} 一(三)：渐退第6个月，按原低保金50%"
                                       "（核查调整（2026-05-10），自次月起）")


# -- credit sanctions (五(五)) ---------------------------------------------------------------

# 津民发〔2023〕13号 五(五): "低保家庭的人口、收入和财产状况发生重大变化超过3个月未主动告知的，区级民政部门
# 或者街道办事处（乡镇人民政府）可以进行批评教育。对于发现条件不符合的，要决定停止低保；对采取虚报、
# 隐瞒、伪造等手段骗取低保的，要决定停止低保，责令退回非法获取的低保金，并依法追究法律责任。"


def test_fraud_after_five_months_orders_exactly_those_five_payments_back(engine):
    # Paid 900 a month from 2026-01; fraud found 2026-05-20, going back to 2025-10-01 (before
    # the benefit began). Paid since then: 2026-01 … 2026-05 = 5 × 900 = 4500.
    case = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(case.id, "fraud_found", on=date(2026, 5, 20), payload={"since": "2025-10-01"})
    assert view.state == "stopped"
    kinds = {s.kind: s for s in view.sanctions}
    assert set(kinds) == {"stop", "repayment", "legal_referral"}
    assert kinds["repayment"].amount == 4500.0
    assert all(s.on == date(2026, 5, 20) for s in view.sanctions)
    assert all(s.basis == f"{NOTICE} 五(五)" for s in view.sanctions)
    # The stop: paid through the event's month (2026-05), nothing after.
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31))) == [
        ("2026-01", 900.0), ("2026-02", 900.0), ("2026-03", 900.0), ("2026-04", 900.0),
        ("2026-05", 900.0),
    ]


def test_fraud_during_the_phase_out_repays_the_halved_months_at_their_real_amount(engine):
    # Phase-out from 2026-04 (income change 2026-03-10): 04–06 at 900, 07–09 at 450. Fraud found
    # 2026-08-17, since 2026-06-01: paid 06 = 900, 07 = 450, 08 = 450 → 1800. 09 is not paid.
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    view = engine.fire(case.id, "fraud_found", on=date(2026, 8, 17), payload={"since": "2026-06-01"})
    repayment = next(s for s in view.sanctions if s.kind == "repayment")
    assert repayment.amount == 1800.0
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31)))[-3:] == [
        ("2026-06", 900.0), ("2026-07", 450.0), ("2026-08", 450.0),
    ]


def test_fraud_found_after_the_phase_out_ended_is_still_repaid_and_referred(engine):
    """津民发〔2023〕13号 五(五): "对采取虚报、隐瞒、伪造等手段骗取低保的，要决定停止低保，责令退回非法
    获取的低保金，并依法追究法律责任". The case ended on 2026-10-01 after its phase-out (04–06 at
    900, 07–09 at 450); fraud since 2026-02-01 found on 2026-11-16: paid 02, 03 at 900 + 04–06
    at 900 + 07–09 at 450 = 5 × 900 + 3 × 450 = 5850, ordered back and referred. There is
    nothing left to stop: no stop sanction, and the case stays ended."""
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    before = dump(engine)
    with pytest.raises(EventRefused, match="closed"):  # other events stay refused
        engine.fire(case.id, "review", on=date(2026, 11, 16), payload={"outcome": "keep"})
    assert dump(engine) == before
    view = engine.fire(case.id, "fraud_found", on=date(2026, 11, 16),
                       payload={"since": "2026-02-01"})
    assert view.state == "ended"
    kinds = {s.kind: s for s in view.sanctions}
    assert set(kinds) == {"repayment", "legal_referral"}
    assert (kinds["repayment"].amount, kinds["repayment"].on) == (5850.0, date(2026, 11, 16))
    assert kinds["repayment"].note == "自2026-02-01起实际发放8个月（2026-02至2026-09）"
    assert kinds["repayment"].basis == f"{NOTICE} 五(五)"
    # Nothing is paid after the end because of it, and the case is still listed as it was.
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31)))[-1] == ("2026-09", 450.0)
    replayed, _ = engine.replay(case.id)
    assert replayed.state == "ended"
    # Found again (by another office, say): the same months are not ordered back twice.
    before = dump(engine)
    with pytest.raises(EventRefused, match=r"nothing paid since 2026-03-01 is left to order back "
                                           r"\(fraud already found on 2026-11-16\)"):
        engine.fire(case.id, "fraud_found", on=date(2026, 11, 20), payload={"since": "2026-03-01"})
    assert dump(engine) == before
    # Found to have begun earlier: only the month not yet ordered back, 2026-01 (900).
    view = engine.fire(case.id, "fraud_found", on=date(2026, 11, 23),
                       payload={"since": "2025-12-01"})
    repayments = [s for s in view.sanctions if s.kind == "repayment"]
    assert [(s.on, s.amount) for s in repayments] == [(date(2026, 11, 16), 5850.0),
                                                      (date(2026, 11, 23), 900.0)]


def test_fraud_found_after_a_stop_repays_only_the_months_paid_before_it(engine):
    """Found by review: the repayment ran on to the finding as if the benefit had never
    stopped. 900 from 2026-01; found ineligible 2026-03-10 → paid 01, 02, 03 (stopped from
    the next month). Fraud since 2026-01-01 found 2026-09-10: 3 × 900 = 2700, not 9 × 900."""
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "found_ineligible", on=date(2026, 3, 10))
    view = engine.fire(case.id, "fraud_found", on=date(2026, 9, 10), payload={"since": "2026-01-01"})
    [repayment] = [s for s in view.sanctions if s.kind == "repayment"]
    assert (repayment.amount, repayment.note) == (2700.0, "自2026-01-01起实际发放3个月（2026-01至2026-03）")
    # Fraud said to begin after the last payment: nothing to order back, refused.
    other = open_benefit(engine, date(2026, 1, 5))
    engine.fire(other.id, "found_ineligible", on=date(2026, 3, 10))
    with pytest.raises(EventRefused, match="nothing paid since 2026-05-01 is left to order back"):
        engine.fire(other.id, "fraud_found", on=date(2026, 8, 10), payload={"since": "2026-05-01"})


def test_a_second_fraud_finding_after_a_stop_during_the_phase_out(engine):
    """Phase-out from 2026-04: 04–06 at 900, 07–09 at 450. Fraud since 06-01 found 08-10 stops
    it: 06 900 + 07 450 + 08 450 = 1800 (09 never paid). Found again 11-10, since 02-01: only
    02–05, 4 × 900 = 3600 (06–08 already ordered back; 09 was not paid)."""
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    engine.fire(case.id, "fraud_found", on=date(2026, 8, 10), payload={"since": "2026-06-01"})
    view = engine.fire(case.id, "fraud_found", on=date(2026, 11, 10),
                       payload={"since": "2026-02-01"})
    assert [s.amount for s in view.sanctions if s.kind == "repayment"] == [1800.0, 3600.0]


def test_found_ineligible_stops_from_the_next_month(engine):
    # Found ineligible 2026-06-10 → paid through 2026-06, nothing from 2026-07.
    case = open_benefit(engine, date(2026, 2, 2), amount=1000, paid_from="2026-03")
    view = engine.fire(case.id, "found_ineligible", on=date(2026, 6, 10))
    assert view.state == "stopped"
    assert [(s.kind, s.basis) for s in view.sanctions] == [("stop", f"{NOTICE} 五(五)")]
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31))) == [
        ("2026-03", 1000.0), ("2026-04", 1000.0), ("2026-05", 1000.0), ("2026-06", 1000.0),
    ]


# -- leaving: 天津 has no transfer clause, so the national rule applies ----------------------


def test_leaving_in_tianjin_goes_into_dynamic_monitoring_even_with_consent(engine):
    # The 江苏 draft's direct transfer (三(一)) is not in 津民发〔2023〕13号: dynamic monitoring
    # (三(三)), no linked case.
    case = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(case.id, "leave", on=date(2026, 4, 8),
                       payload={"per_capita_income": 1100, "standard": 1010, "consent": True})
    assert view.state == "left"
    assert view.case.attributes["dynamic_monitoring"] is True
    assert view.case.attributes["leave_route"]["kind"] == "monitoring"
    assert list(view.links) == []
    # Paid through the month of leaving, 2026-04.
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31)))[-1] == ("2026-04", 900.0)


def test_a_phase_out_that_ran_out_leaves_into_dynamic_monitoring_and_no_transfer(engine):
    # Phase-out 2026-04 … 2026-09 (1300 > 1010) → ended 2026-10-01, the household into dynamic
    # monitoring (三(三), TJ_MONITORING). 天津 has no transfer, so a later leave has nothing to record.
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    ended = engine.case(case.id, as_of=date(2026, 10, 1))
    assert ended.case.attributes["dynamic_monitoring"] is True
    assert ended.case.attributes["leave_route"] == {
        "kind": "monitoring", "basis": TJ_MONITORING, "recognition": None}
    before = dump(engine)
    with pytest.raises(EventRefused, match=r"leave after that records only a transfer, which these "
                                           r"figures do not give \(" + re.escape(TJ_MONITORING) + r"\)$"):
        engine.fire(case.id, "leave", on=date(2026, 10, 12),
                    payload={"per_capita_income": 1100, "standard": 1010, "consent": True})
    assert dump(engine) == before


def test_a_re_check_that_stops_the_benefit_leaves_into_dynamic_monitoring(engine):
    # A re-check stopping the benefit on 2026-05-06 ends it as a run-out phase-out does: the
    # household into dynamic monitoring (三(三), TJ_MONITORING); 天津 has no transfer to record later.
    case = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(case.id, "review", on=date(2026, 5, 6), payload={"outcome": "stop"})
    assert view.state == "stopped"
    assert view.case.attributes["leave_route"] == {
        "kind": "monitoring", "basis": TJ_MONITORING, "recognition": None}
    with pytest.raises(EventRefused, match=r"^leave refused: the benefit was stopped \(review\) "
                                           r"on 2026-05-06 and the household went into dynamic"):
        engine.fire(case.id, "leave", on=date(2026, 5, 12),
                    payload={"per_capita_income": 1100, "standard": 1010, "consent": True})


def test_a_history_recorded_before_a_rule_still_replays(engine, monkeypatch):
    """A reduction during a phase-out without a death, recorded before the phase-out kept its
    amount (a rule of a later version), stays in the history: replay takes each event to the
    state it recorded, with today's effects, rather than refusing the history. 900 kept
    2026-04 … 06, then 50 % of the 600 the re-check of 05-10 set: 300 from 07."""
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    # (as an earlier version had no such rule: its machine built without the guard)
    monkeypatch.setitem(engine.registry.guards._guards, "phase_out_keeps_the_amount",
                        (lambda ctx: None, "test"))
    monkeypatch.setattr(engine.registry, "_machines", {})
    engine.fire(case.id, "review", on=date(2026, 5, 10), payload={"outcome": "reduce", "amount": 600})
    monkeypatch.undo()
    with pytest.raises(EventRefused, match="keeps the amount it started from"):
        engine.fire(case.id, "review", on=date(2026, 5, 11),
                    payload={"outcome": "reduce", "amount": 500})
    replayed, deadlines = engine.replay(case.id)
    stored = engine.store.case(case.id)
    assert (replayed.state, replayed.attributes) == (stored.state, stored.attributes)
    assert [d.to_row(case.id) for d in deadlines] == [
        d.to_row(case.id) for d in engine.store.deadlines(case.id)]
    assert paid(engine.case(case.id, as_of=date(2026, 12, 31)))[3:] == [
        ("2026-04", 900.0), ("2026-05", 900.0), ("2026-06", 600.0), ("2026-07", 300.0),
        ("2026-08", 300.0), ("2026-09", 300.0)]


def test_income_not_above_the_standard_is_no_phase_out(engine):
    case = open_benefit(engine, date(2026, 1, 5))
    before = dump(engine)
    with pytest.raises(EventRefused, match="does not exceed"):
        engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                    payload={"per_capita_income": 1010, "standard": 1010})
    with pytest.raises(InvalidInput, match="per_capita_income"):
        engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10), payload={"standard": 1010})
    assert dump(engine) == before


def test_records_an_older_doudi_wrote_without_a_basis_still_read(engine):
    """A Sanction or PhaseOut a plugin builds now must cite its clause, but rows an older
    doudi stored without one (a plugin's blank basis, a phase-out basis of None) are evidence:
    the case still reads, with its amounts (津民发〔2023〕13号 一(三): 900 at 100 % for three
    months, then 450; 五(五): fraud since 2026-01 found 2026-05-20 repays 01 … 05 = 4,500)."""
    import json as json_

    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    other = open_benefit(engine, date(2026, 1, 5))
    engine.fire(other.id, "fraud_found", on=date(2026, 5, 20), payload={"since": "2026-01-01"})
    db = engine.store.db
    with db.conn:
        db.execute("drop trigger sanctions_append_only_update")  # (put back below)
        db.execute("update sanctions set basis = '' where case_id = ?", [other.id])
        seq, derived = db.execute("select seq, derived from events where case_id = ? and "
                                  "event = 'income_exceeds'", [case.id]).fetchone()
        derived = json_.loads(derived)
        derived["phase_out"]["basis"] = None
        # (as the older doudi wrote it: past the append-only guard, put back after)
        trigger = db.execute("select sql from sqlite_master where name = "
                             "'events_append_only_update'").fetchone()[0]
        db.execute("drop trigger events_append_only_update")
        db.execute("update events set derived = ? where case_id = ? and seq = ?",
                   [json_.dumps(derived, ensure_ascii=False), case.id, seq])
        db.execute(trigger)
        put_back_triggers(db.conn)
    reopened = type(engine).open(engine.store.path)
    fraud = reopened.case(other.id)
    assert {(s.kind, s.amount, s.basis) for s in fraud.sanctions} == {
        ("stop", None, ""), ("repayment", 4500.0, ""), ("legal_referral", None, "")}
    phased = reopened.case(case.id, as_of=date(2026, 12, 31))
    assert paid(phased)[3:] == [("2026-04", 900.0), ("2026-05", 900.0), ("2026-06", 900.0),
                                ("2026-07", 450.0), ("2026-08", 450.0), ("2026-09", 450.0)]
    assert phased.payments[6].basis == "：渐退第4个月，按原低保金50%"


def test_a_sanction_an_older_doudi_stored_with_no_basis_at_all_still_reads(engine):
    """Before a Sanction was checked when built (9512e7f), a plugin's basis of None was stored
    as NULL: such a row is evidence, read with a blank basis as a blank one is, not a row
    "changed outside doudi". 津民发〔2023〕13号 五(五): fraud since 2026-01 found 2026-05-20
    repays 01 … 05 = 5 × 900 = 4,500."""
    case = open_benefit(engine, date(2026, 1, 5))
    engine.fire(case.id, "fraud_found", on=date(2026, 5, 20), payload={"since": "2026-01-01"})
    db = engine.store.db
    with db.conn:  # (past the append-only guard, put back after)
        db.execute("drop trigger sanctions_append_only_update")
        db.execute("update sanctions set basis = null where case_id = ? and kind = 'repayment'",
                   [case.id])
        put_back_triggers(db.conn)
    reopened = type(engine).open(engine.store.path)
    shown = reopened.case(case.id)
    assert {(s.kind, s.amount, s.basis) for s in shown.sanctions
            if s.kind == "repayment"} == {("repayment", 4500.0, "")}
    assert [(r["case_id"], r["amount"], r["basis"]) for r in reopened.sanctions(kind="repayment")
            ] == [(case.id, 4500.0, "")]
    assert reopened.verify(case.id)[2] == []



def test_a_household_leaving_tianjin_s_benefit_is_monitored_under_its_own_clause(engine):
    """A household that received 低保 has "享受过救助": 天津 三(三) puts it among those watched,
    as it puts a refused applicant ("申请过救助家庭", the same words). Its leaving cited the
    national 民发〔2022〕83号 as if the notice were silent. Paid 900 from 2026-01; leaving on
    2026-04-08 it is paid through 2026-04 and goes into monitoring under 三(三); so does a
    household whose re-check stopped the benefit on 2026-05-06 (paid through 2026-05)."""
    left = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(left.id, "leave", on=date(2026, 4, 8),
                       payload={"per_capita_income": 1100, "standard": 1010, "consent": True})
    assert (view.case.attributes["dynamic_monitoring"], view.case.attributes["leave_route"]) == (
        True, {"kind": "monitoring", "basis": TJ_MONITORING, "recognition": None})
    assert paid(engine.case(left.id, as_of=date(2026, 12, 31)))[-1] == ("2026-04", 900.0)
    stopped = open_benefit(engine, date(2026, 1, 5))
    view = engine.fire(stopped.id, "review", on=date(2026, 5, 6), payload={"outcome": "stop"})
    assert view.case.attributes["leave_route"]["basis"] == TJ_MONITORING
    assert paid(engine.case(stopped.id, as_of=date(2026, 12, 31)))[-1] == ("2026-05", 900.0)
