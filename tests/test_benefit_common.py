"""在保管理 across provinces: opening, periodic and death re-checks, sanctions, reports, replay.

National rules: 民发〔2021〕57号 第21条 (payment from the month after the decision), 第31条
(periodic re-check), 民发〔2022〕83号 (death re-check, credit sanctions; in every seed as 五(五)).
Every expected month, amount and date below is worked out by hand in a comment.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date

import pytest

from engine import DoudiError, Engine, EventRefused, InvalidInput
from engine.errors import OutsideCalendar
from helpers import (
    dump,
    dump_file,
    error_line,
    paid,
    put_back_triggers,
    refused_everywhere,
    run,
    tianjin_case_in_publicity,
)

CHECK = "民发〔2021〕57号 第31条"
START = "民发〔2021〕57号 第21条"


def open_benefit(engine, province="shanxi", on=date(2026, 1, 5), amount=900, paid_from="2026-01",
                 **attributes):
    return engine.open_case(province=province, workflow="benefit", on=on,
                            attributes={"amount": amount, "paid_from": paid_from, **attributes})


def deadline(view, rule, instance=None):
    found = [d for d in view.deadlines if d.deadline.rule == rule
             and (instance is None or d.deadline.instance == instance)]
    return found[-1]


def approved_dibao(engine, province, approve_on, **approve_payload):
    """A dibao case taken to approval; 7-day 公示 posted Monday 03-09 (or 11-23), approval after."""
    if approve_on.month == 3:
        steps = [("accept", 3), ("start_investigation", 4), ("request_verification", 5),
                 ("start_verification", 6), ("post_publicity", 9)]
        month = 3
    else:
        steps = [("accept", 17), ("start_investigation", 18), ("request_verification", 19),
                 ("start_verification", 20), ("post_publicity", 23)]
        month = 11
    case = engine.open_case(province=province, workflow="dibao", on=date(2026, month, 2),
                            attributes={"county": "城区", "applicant_name": "李四",
                                        "household_size": 2})
    for event, day in steps:
        engine.fire(case.id, event, on=date(2026, month, day))
    if province == "shanxi":
        # 公示 from 03-09 runs 7 days to 03-16; sent to the county the day after.
        engine.fire(case.id, "submit_to_county", on=date(2026, month, 17))
    return case, engine.fire(case.id, "approve", on=approve_on, payload=approve_payload)


# -- 1. opening ------------------------------------------------------------------------------

# 民发〔2021〕57号 第21条 (not among the seeds; rules.md N-decision): on approval the amount is fixed
# and the benefit is paid from the month after the decision.


def test_approving_a_dibao_case_opens_its_benefit_case_linked_both_ways(engine):
    # 山西 (county confirms): approved Tuesday 2026-03-31 → first payment month 2026-04.
    dibao, view = approved_dibao(engine, "shanxi", date(2026, 3, 31), amount=650)
    [link] = view.links
    assert (link["workflow"], link["relation"], link["on"]) == ("benefit", "benefit", "2026-03-31")
    benefit = engine.case(link["case_id"])
    assert benefit.case.workflow == "benefit"
    assert benefit.state == "paying"
    assert benefit.case.opened_on == date(2026, 3, 31)
    attributes = benefit.case.attributes
    assert attributes["paid_from"] == "2026-04"
    assert attributes["amount"] == 650
    assert (attributes["county"], attributes["applicant_name"], attributes["household_size"]) == (
        "城区", "李四", 2)
    assert [(x["case_id"], x["workflow"], x["relation"]) for x in benefit.links] == [
        (dibao.id, "dibao", "application")]
    # Nothing is paid in March; April is the first month, with the national clause.
    assert paid(engine.case(benefit.id, as_of=date(2026, 3, 31))) == []
    april = engine.case(benefit.id, as_of=date(2026, 4, 1))
    assert paid(april) == [("2026-04", 650.0)]
    assert START in april.payments[0].basis


def test_approval_in_december_pays_from_january_of_the_next_year(engine):
    # 天津 (township confirms): 公示 posted Monday 2026-11-23 runs to 11-30; approved Tuesday
    # 2026-12-01 → paid from 2027-01.
    _, view = approved_dibao(engine, "tianjin", date(2026, 12, 1), amount=1010)
    [link] = view.links
    benefit = engine.case(link["case_id"])
    assert benefit.case.attributes["paid_from"] == "2027-01"
    assert paid(engine.case(benefit.id, as_of=date(2027, 2, 1))) == [("2027-01", 1010.0),
                                                                      ("2027-02", 1010.0)]


# 民发〔2021〕57号 第21条 "自确认同意的次月起" (rules.md N-decision): a household is paid from the
# month after its decision, which comes by the day its benefit case is opened (approve opens it;
# one approved before the platform adopted doudi is opened after). `paid_from` was taken
# unbounded: 0001-01 gave 24,303 months paid, 2061-01 never paid.
@pytest.mark.parametrize(("paid_from", "error", "said"), [
    ("0001-01", OutsideCalendar, "paid_from 0001-01 is outside the calendar (2018-01 to 2060-12)"),
    ("2017-12", OutsideCalendar, "paid_from 2017-12 is outside the calendar (2018-01 to 2060-12)"),
    ("2061-01", OutsideCalendar, "paid_from 2061-01 is outside the calendar (2018-01 to 2060-12)"),
    # Opened Mon 2026-01-05 (decided by then): paid from 2026-02 at the latest.
    ("2026-03", InvalidInput, "paid_from 2026-03 is after 2026-02, the month after the case is "
                              "opened (2026-01-05): payment starts the month after the decision "
                              f"({START}), taken by the opening"),
])
def test_a_first_month_paid_outside_the_calendar_or_after_the_decision_is_refused(
        db, paid_from, error, said):
    engine = Engine.open(db)
    before = dump_file(db)
    with pytest.raises(error) as refused:
        open_benefit(engine, on=date(2026, 1, 5), paid_from=paid_from)
    assert str(refused.value) == said
    result = run(db, "case", "open", "--province", "shanxi", "--workflow", "benefit", "--on",
                 "2026-01-05", "--set", "amount=900", "--set", f"paid_from={paid_from}")
    assert result.exit_code == 2, result.output
    assert error_line(result) == f"Error: {said}"
    assert dump_file(db) == before


def test_a_household_approved_before_doudi_may_be_paid_from_any_month_of_the_calendar(engine):
    # A household approved before the platform adopted doudi, opened Mon 2026-01-05: its first
    # month paid is any from 2018-01 (the calendar's first) to 2026-02 (the month after).
    earliest = open_benefit(engine, on=date(2026, 1, 5), paid_from="2018-01")
    assert len(paid(engine.case(earliest.id, as_of=date(2026, 1, 5)))) == 8 * 12 + 1  # 2018-01…2026-01
    latest = open_benefit(engine, on=date(2026, 1, 5), paid_from="2026-02")
    assert paid(engine.case(latest.id, as_of=date(2026, 2, 1))) == [("2026-02", 900.0)]


def test_approval_through_the_cli_shows_the_link_on_both_cases(db):
    case_id = tianjin_case_in_publicity(db, "2026-03-03")
    approved = run(db, "case", "fire", case_id, "approve", "--on", "2026-03-17",
                   "--set", "amount=900")
    assert approved.exit_code == 0, approved.output
    dibao = json.loads(run(db, "case", "show", case_id, "--format", "json").stdout)
    [link] = dibao["links"]
    assert (link["workflow"], link["relation"]) == ("benefit", "benefit")
    benefit = json.loads(run(db, "case", "show", link["case_id"], "--as-of", "2026-05-01",
                             "--format", "json").stdout)
    assert benefit["workflow"] == "benefit"
    assert [(x["case_id"], x["relation"]) for x in benefit["links"]] == [(case_id, "application")]
    # Approved 2026-03-17 → paid 2026-04 and 2026-05 by 05-01.
    assert [(p["month"], p["amount"]) for p in benefit["payments"]] == [("2026-04", 900.0),
                                                                       ("2026-05", 900.0)]
    # 57号 第21条: paid from the month after the decision, so nothing yet in March; the
    # contract's "payments" is there, empty (it was left out), and never on the dibao case.
    march = json.loads(run(db, "case", "show", link["case_id"], "--as-of", "2026-03-20",
                           "--format", "json").stdout)
    assert march["payments"] == []
    assert "payments" not in dibao


def test_approval_without_an_amount_is_refused_and_writes_nothing(engine):
    # The decision fixes the amount (第21条): without one no benefit case can be opened.
    case = engine.open_case(province="tianjin", workflow="dibao", on=date(2026, 3, 2))
    for event, day in [("accept", 3), ("start_investigation", 4), ("request_verification", 5),
                       ("start_verification", 6), ("post_publicity", 9)]:
        engine.fire(case.id, event, on=date(2026, 3, day))
    before = dump(engine)
    with pytest.raises(InvalidInput, match="amount"):
        engine.fire(case.id, "approve", on=date(2026, 3, 17))
    assert dump(engine) == before


def test_a_benefit_case_opened_directly(db):
    opened = run(db, "case", "open", "--province", "shanxi", "--workflow", "benefit", "--on",
                 "2026-04-02", "--set", "amount=900", "--set", "paid_from=2026-04")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    shown = json.loads(run(db, "case", "show", case_id, "--as-of", "2026-06-30",
                           "--format", "json").stdout)
    assert shown["state"] == "paying"
    assert shown["links"] == []
    # 2026-04, 05, 06 by 06-30.
    assert [(p["month"], p["amount"]) for p in shown["payments"]] == [
        ("2026-04", 900.0), ("2026-05", 900.0), ("2026-06", 900.0)]


@pytest.mark.parametrize(("settings", "named"), [
    (["--set", "paid_from=2026-04"], "amount"),
    (["--set", "amount=900"], "paid_from"),
    (["--set", "amount=900", "--set", "paid_from=2026-4"], "paid_from"),
    (["--set", "amount=900", "--set", "paid_from=2026-13"], "paid_from"),
    (["--set", "amount=-1", "--set", "paid_from=2026-04"], "amount"),
    (["--set", "amount=九百", "--set", "paid_from=2026-04"], "amount"),
])
def test_direct_opening_needs_an_amount_and_a_first_month(db, settings, named):
    first = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02")
    assert first.exit_code == 0, first.output
    before = dump_file(db)
    result = run(db, "case", "open", "--province", "shanxi", "--workflow", "benefit", "--on",
                 "2026-04-02", *settings)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and named in lines[0]
    assert "Traceback" not in result.stderr
    assert dump_file(db) == before


# -- 2. periodic re-check (57号 第31条) --------------------------------------------------------

# 民发〔2021〕57号 第31条 (not among the seeds; rules.md N-recheck): periodic re-check yearly for
# stable households, every 6 months for households with unstable income and members able to work.
# Months are counted by 《民法典》 第201–203条.


def test_a_stable_household_is_rechecked_within_a_year(engine):
    # Opened Tuesday 2025-04-15 → 12 months → Wednesday 2026-04-15 (a working day).
    case = open_benefit(engine, on=date(2025, 4, 15), paid_from="2025-05")
    review = deadline(engine.case(case.id), "periodic_review")
    assert (review.deadline.starts_on, review.deadline.due_on) == (date(2025, 4, 15),
                                                                   date(2026, 4, 15))
    assert review.deadline.duration == "12m"
    assert review.deadline.citation == CHECK
    assert review.deadline.provisional is False
    # As of Monday 2026-04-20: breached by 04-16, 04-17, 04-20 = 3 working days.
    [late] = [d for d in engine.deadlines(case.id, as_of=date(2026, 4, 20))
              if d.deadline.rule == "periodic_review"]
    assert (late.status, late.overdue_working_days) == ("breached", 3)


def test_a_household_with_unstable_income_is_rechecked_every_six_months(engine):
    # unstable_income: opened Monday 2025-06-16 → 6 months → Tuesday 2025-12-16.
    case = open_benefit(engine, on=date(2025, 6, 16), paid_from="2025-07", unstable_income=True)
    first = deadline(engine.case(case.id), "periodic_review")
    assert first.deadline.due_on == date(2025, 12, 16)
    assert first.deadline.duration == "6m"
    assert first.deadline.citation == CHECK
    # Reviewed Wednesday 2025-12-10 → met; the next starts then: → Wednesday 2026-06-10.
    view = engine.fire(case.id, "review", on=date(2025, 12, 10), payload={"outcome": "keep"})
    assert deadline(view, "periodic_review", 1).status == "met"
    second = deadline(view, "periodic_review", 2)
    assert (second.deadline.starts_on, second.deadline.due_on) == (date(2025, 12, 10),
                                                                   date(2026, 6, 10))
    assert second.status == "open"
    # Reviewed late on Friday 2026-06-12 → met_late; the third: 2026-12-12 is a Saturday →
    # the next working day, Monday 2026-12-14 (民法典 第203条).
    view = engine.fire(case.id, "review", on=date(2026, 6, 12), payload={"outcome": "keep"})
    assert deadline(view, "periodic_review", 2).status == "met_late"
    third = deadline(view, "periodic_review", 3)
    assert third.deadline.due_on == date(2026, 12, 14)


def test_income_found_unstable_at_approval_sets_the_first_recheck_at_six_months(engine):
    # 民发〔2021〕57号 第31条 (rules.md N-recheck): "yearly for stable households, every 6 months
    # for households with unstable income and members able to work". The approving clerk
    # records unstable_income=true:
    # the benefit case opened by the approval (Tuesday 2026-03-31) is re-checked 6 months on,
    # Wednesday 2026-09-30, not a year on (2027-03-31) as when the flag was left on the dibao case.
    _, view = approved_dibao(engine, "shanxi", date(2026, 3, 31), amount=650, unstable_income=True)
    [link] = view.links
    benefit = engine.case(link["case_id"])
    assert benefit.case.attributes["unstable_income"] is True
    first = deadline(benefit, "periodic_review")
    assert (first.deadline.starts_on, first.deadline.due_on) == (date(2026, 3, 31),
                                                                 date(2026, 9, 30))
    assert first.deadline.duration == "6m"
    assert first.deadline.citation == CHECK
    # Without the flag the household is re-checked yearly: Wednesday 2027-03-31.
    _, stable = approved_dibao(engine, "shanxi", date(2026, 3, 31), amount=650)
    other = engine.case(stable.links[0]["case_id"])
    assert deadline(other, "periodic_review").deadline.due_on == date(2027, 3, 31)


def test_a_recheck_falling_on_a_make_up_saturday_is_due_that_day(engine):
    # Opened Friday 2025-02-28 → 12 months → Saturday 2026-02-28, a make-up working day
    # (春节 2026: 2/28 Sat worked, 国办发明电〔2025〕7号) → due that Saturday.
    case = open_benefit(engine, on=date(2025, 2, 28), paid_from="2025-03")
    assert deadline(engine.case(case.id), "periodic_review").deadline.due_on == date(2026, 2, 28)
    # Opened Saturday 2025-03-01 → Sunday 2026-03-01 → Monday 2026-03-02.
    other = open_benefit(engine, on=date(2025, 3, 1), paid_from="2025-04")
    assert deadline(engine.case(other.id), "periodic_review").deadline.due_on == date(2026, 3, 2)


def test_income_found_unstable_at_a_review_shortens_the_next_one(engine):
    # Stable household opened 2025-04-15; reviewed Tuesday 2026-01-20, found unstable →
    # the next re-check 6 months on: Monday 2026-07-20.
    case = open_benefit(engine, on=date(2025, 4, 15), paid_from="2025-05")
    view = engine.fire(case.id, "review", on=date(2026, 1, 20),
                       payload={"outcome": "keep", "unstable_income": True})
    assert deadline(view, "periodic_review", 2).deadline.due_on == date(2026, 7, 20)


def test_income_found_unstable_between_re_checks_shortens_the_next_period_not_the_running_one(engine):
    """57号 第31条 (rules.md N-recheck): "yearly for stable households, every 6 months for
    households with unstable income and members able to work": a frequency by category,
    with no method for a change between two re-checks. Stable household opened Tue
    2025-04-15: re-check due Wed 2026-04-15. On Mon 2025-12-01 a member's death is recorded
    with unstable_income=true: the running re-check stays due 2026-04-15, open (it was
    counted again from 2025-04-15 at 6 months, Wed 2025-10-15, and breached since then, a
    re-check nobody could have known was owed). Reviewed Tue 2026-01-20 (keep): the next is
    6 months on, Mon 2026-07-20. The other way: an unstable household opened Mon 2025-06-16
    (due Tue 2025-12-16) found stable on Mon 2025-09-01 keeps 2025-12-16 (it had moved to a
    year, 2026-06-16)."""
    case = open_benefit(engine, on=date(2025, 4, 15), paid_from="2025-05")
    view = engine.fire(case.id, "member_died", on=date(2025, 12, 1),
                       payload={"died_on": "2025-11-20", "unstable_income": True})
    running = deadline(view, "periodic_review", 1)
    assert (running.deadline.duration, running.deadline.due_on) == ("12m", date(2026, 4, 15))
    [now] = [d for d in engine.deadlines(case.id, as_of=date(2025, 12, 1))
             if d.deadline.rule == "periodic_review"]
    assert now.status == "open"
    view = engine.fire(case.id, "review", on=date(2026, 1, 20), payload={"outcome": "keep"})
    assert deadline(view, "periodic_review", 1).status == "met"
    following = deadline(view, "periodic_review", 2).deadline
    assert (following.duration, following.due_on) == ("6m", date(2026, 7, 20))
    unstable = open_benefit(engine, on=date(2025, 6, 16), paid_from="2025-07", unstable_income=True)
    view = engine.fire(unstable.id, "member_died", on=date(2025, 9, 1),
                       payload={"died_on": "2025-08-28", "unstable_income": False})
    kept = deadline(view, "periodic_review", 1).deadline
    assert (kept.duration, kept.due_on) == ("6m", date(2025, 12, 16))


# -- 3. death re-check (83号; 一(五) / 一(三) / 一(五) in the seeds) ----------------------------

# 津民发〔2023〕13号 一(三): "低保家庭成员死亡后，应当自其死亡之日起3个月内对其家庭状况进行核查，并办理完成
# 低保金增发、减发、停发等相关手续。"
# 晋民发〔2023〕31号 一(五): "低保对象死亡后，应当自其死亡之日起 3 个月内完成其家庭状况核查，并办理低保金
# 增发、减发、停发等相关手续。"


def test_death_on_the_31st_is_rechecked_by_the_end_of_the_30_day_month(db):
    # Died Monday 2026-08-31 → 3 months → "11-31" does not exist → Monday 2026-11-30 (第202条).
    opened = run(db, "case", "open", "--province", "tianjin", "--workflow", "benefit", "--on",
                 "2026-01-05", "--set", "amount=900", "--set", "paid_from=2026-01")
    case_id = opened.stdout.strip()
    fired = run(db, "case", "fire", case_id, "member_died", "--on", "2026-09-02", "--set",
                "died_on=2026-08-31")
    assert fired.exit_code == 0, fired.output
    # Judged as of the recording day, not today: a test must not turn red as the calendar moves on.
    shown = json.loads(run(db, "case", "show", case_id, "--as-of", "2026-09-02", "--format",
                           "json").stdout)
    [death] = [d for d in shown["deadlines"] if d["rule"] == "death_review"]
    assert (death["starts_on"], death["due_on"], death["status"]) == ("2026-08-31", "2026-11-30",
                                                                      "open")
    # The day after the due date it is breached by one working day (Tue 12-01).
    later = json.loads(run(db, "case", "show", case_id, "--as-of", "2026-12-01", "--format",
                           "json").stdout)
    [death_later] = [d for d in later["deadlines"] if d["rule"] == "death_review"]
    assert (death_later["status"], death_later["overdue_working_days"]) == ("breached", 1)
    assert death["basis"] == "津民发〔2023〕13号 一(三)"
    assert "第202条" in death["computation"]


TWO_MONTHS = '''
from engine import Parameter

@hookimpl
def doudi_parameters(province, workflow):
    if province == "hainan" and workflow == "benefit":
        return [Parameter("death_review", "2m", "琼民规〔2099〕1号 三(二)")]
'''


def test_the_death_review_s_title_does_not_state_a_period_the_province_may_have_changed(install,
                                                                                      db):
    # A province giving 2 months (琼民规〔2099〕1号 三(二), a test plugin) had its re-check titled
    # "成员死亡后3个月内完成家庭状况核查" beside a 2m duration. Died 2026-08-31 → 2 months →
    # "10-31" → Saturday 2026-10-31 is a day off → Monday 2026-11-02 (第202条, 第203条).
    install(TWO_MONTHS)
    case_id = run(db, "case", "open", "--province", "hainan", "--workflow", "benefit", "--on",
                  "2026-01-05", "--set", "amount=900", "--set", "paid_from=2026-01").stdout.strip()
    assert run(db, "case", "fire", case_id, "member_died", "--on", "2026-09-02", "--set",
               "died_on=2026-08-31").exit_code == 0
    shown = json.loads(run(db, "case", "show", case_id, "--as-of", "2026-09-02", "--format",
                           "json").stdout)
    [death] = [d for d in shown["deadlines"] if d["rule"] == "death_review"]
    assert (death["duration"], death["due_on"], death["basis"]) == (
        "2m", "2026-11-02", "琼民规〔2099〕1号 三(二)")
    assert death["title"] == "成员死亡后完成家庭状况核查"


def test_a_late_death_review_is_met_late(engine):
    # Died 2026-01-31 → due 2026-04-30; review on Tuesday 2026-05-12 → met_late, stopped then.
    case = open_benefit(engine)
    engine.fire(case.id, "member_died", on=date(2026, 2, 9), payload={"died_on": "2026-01-31"})
    view = engine.fire(case.id, "review", on=date(2026, 5, 12), payload={"outcome": "keep"})
    death = deadline(view, "death_review")
    assert (death.deadline.due_on, death.deadline.stopped_on, death.status) == (
        date(2026, 4, 30), date(2026, 5, 12), "met_late")


def test_a_death_review_never_done_stays_a_breach_when_the_benefit_stops(engine):
    # "自其死亡之日起3个月内对其家庭状况进行核查" (民发〔2022〕83号; 山西 一(五)). Died 2026-01-31 →
    # due Thu 2026-04-30. No re-check; found ineligible Tue 2026-05-12 ends the case: the
    # review is left undone (unmet), not cancelled, 6 working days late (5/1–5/5 off; 5/6,
    # 5/7, 5/8, Sat 5/9 调休上班, 5/11, 5/12). The 12-month periodic re-check, due 2027-01-05,
    # had not run out: cancelled.
    case = open_benefit(engine)
    engine.fire(case.id, "member_died", on=date(2026, 2, 9), payload={"died_on": "2026-01-31"})
    view = engine.fire(case.id, "found_ineligible", on=date(2026, 5, 12))
    death, periodic = deadline(view, "death_review"), deadline(view, "periodic_review")
    assert (death.deadline.due_on, death.deadline.stopped_on, death.status,
            death.overdue_working_days) == (date(2026, 4, 30), date(2026, 5, 12), "unmet", 6)
    assert (periodic.deadline.due_on, periodic.status) == (date(2027, 1, 5), "cancelled")
    # The report lists it with the late ones: as of a year later still 6 days, as recorded.
    assert engine.breaches(date(2027, 5, 12)) == []
    [late] = engine.breaches(date(2027, 5, 12), include_late=True)
    assert (late.view.deadline.rule, late.view.status, late.view.overdue_working_days) == (
        "death_review", "unmet", 6)
    assert late.to_json()["basis"] == "晋民发〔2023〕31号 一(五)"


def test_a_second_death_leaves_the_first_death_s_review_running(engine):
    # "自其死亡之日起3个月内对其家庭状况进行核查" runs from each death: 津民发〔2023〕13号 一(三).
    # Died Sat 01-10 → due Fri 04-10. Died Sun 03-01 → due Mon 06-01. A second death does not
    # cancel the first review: as of Mon 04-20 it is breached by 6 working days (04-13 … 04-17,
    # 04-20) and the report lists it; one review on Wed 04-22 answers for both.
    case = open_benefit(engine, province="tianjin")
    engine.fire(case.id, "member_died", on=date(2026, 1, 20), payload={"died_on": "2026-01-10"})
    engine.fire(case.id, "member_died", on=date(2026, 3, 2), payload={"died_on": "2026-03-01"})
    view = engine.case(case.id, as_of=date(2026, 4, 20))
    first, second = deadline(view, "death_review", 1), deadline(view, "death_review", 2)
    assert (first.deadline.due_on, first.status, first.overdue_working_days) == (
        date(2026, 4, 10), "breached", 6)
    assert (second.deadline.due_on, second.status) == (date(2026, 6, 1), "open")
    assert [(b.case.id, b.view.deadline.rule, b.view.deadline.instance)
            for b in engine.breaches(date(2026, 4, 20))] == [(case.id, "death_review", 1)]
    view = engine.fire(case.id, "review", on=date(2026, 4, 22), payload={"outcome": "keep"})
    first, second = deadline(view, "death_review", 1), deadline(view, "death_review", 2)
    assert (first.deadline.stopped_on, first.status) == (date(2026, 4, 22), "met_late")
    assert (second.deadline.stopped_on, second.status) == (date(2026, 4, 22), "met")


def test_the_same_member_s_death_recorded_again_replaces_its_re_check(engine):
    """With ``member`` given, a death recorded again for the same member (its date put
    right: 01-10, not 01-01) replaces that member's re-check; another member's runs beside
    it. 津民发〔2023〕13号 一(三): 3 months from each death — 01-01 → 04-01 (cancelled), 01-10 →
    Fri 04-10, 03-01 → Mon 06-01."""
    case = open_benefit(engine, province="tianjin")
    engine.fire(case.id, "member_died", on=date(2026, 1, 20),
                payload={"died_on": "2026-01-01", "member": "王大"})
    engine.fire(case.id, "member_died", on=date(2026, 1, 21),
                payload={"died_on": "2026-01-10", "member": "王大"})
    view = engine.fire(case.id, "member_died", on=date(2026, 3, 2),
                       payload={"died_on": "2026-03-01", "member": "王二"})
    rows = [(d.deadline.subject, d.deadline.starts_on, d.deadline.due_on, d.status)
            for d in view.deadlines if d.deadline.rule == "death_review"]
    assert rows == [("王大", date(2026, 1, 1), date(2026, 4, 1), "cancelled"),
                    ("王大", date(2026, 1, 10), date(2026, 4, 10), "open"),
                    ("王二", date(2026, 3, 1), date(2026, 6, 1), "open")]
    shown = view.to_json()["deadlines"]
    assert [d["subject"] for d in shown if d["rule"] == "death_review"] == ["王大", "王大", "王二"]
    _, deadlines = engine.replay(case.id)
    assert [d.to_row(case.id) for d in deadlines] == [
        d.to_row(case.id) for d in engine.store.deadlines(case.id)]


def test_a_death_date_put_right_after_its_re_check_ran_out_is_replaced_not_left_undone(engine):
    """The same member's death recorded again on Wed 04-08 puts its date right (03-01, not
    01-01): the re-check due 04-01 (3 months, 津民发〔2023〕13号 一(三)) had run out, but it is
    replaced, cancelled, not an unmet breach; the right one is due Mon 06-01."""
    case = open_benefit(engine, province="tianjin")
    engine.fire(case.id, "member_died", on=date(2026, 1, 20),
                payload={"died_on": "2026-01-01", "member": "王大"})
    view = engine.fire(case.id, "member_died", on=date(2026, 4, 8),
                       payload={"died_on": "2026-03-01", "member": "王大"})
    rows = [(d.deadline.due_on, d.status) for d in view.deadlines
            if d.deadline.rule == "death_review"]
    assert rows == [(date(2026, 4, 1), "cancelled"), (date(2026, 6, 1), "open")]
    assert engine.breaches(date(2026, 4, 8), include_late=True) == []


def test_recompute_rewrites_deadlines_that_differ_from_the_history_though_no_date_moved(engine):
    """Found by review: after migration m010 (subjects NULL) or a rule that now overlaps, the
    stored deadlines differed from what the history gives, and recompute, comparing due
    dates only, left them so. It now writes them, with a recompute event and no moved date."""
    case = open_benefit(engine, province="tianjin")
    engine.fire(case.id, "member_died", on=date(2026, 1, 20),
                payload={"died_on": "2026-01-01", "member": "王大"})
    engine.fire(case.id, "member_died", on=date(2026, 1, 21),
                payload={"died_on": "2026-01-10", "member": "王大"})
    rows = [d.to_row(case.id) for d in engine.store.deadlines(case.id)]
    engine.store.db.execute("update deadlines set subject = null, outcome = null, "
                            "stopped_on = null, stop_event = null where case_id = ?", [case.id])
    engine.store.db.conn.commit()
    engine = Engine.open(engine.store.path)  # (a fresh engine: nothing kept in memory)
    assert engine.recompute() == []  # no due date moved …
    assert [d.to_row(case.id) for d in engine.store.deadlines(case.id)] == rows  # … rows put right
    assert engine.store.history(case.id)[-1].event == "recompute"
    assert engine.recompute() == [] and engine.store.history(case.id)[-1].event == "recompute"
    assert len(engine.store.history(case.id)) == 4  # (the second run found nothing to write)


@pytest.mark.parametrize("payload", [
    {"died_on": "2026-02-10"},  # after the day the death is recorded (2026-02-09)
    {"died_on": "2026-02-30"},  # no such day
    {"died_on": "20260131"},  # not YYYY-MM-DD
    {"died_on": "2026-W05-6"},  # ISO week date (Saturday 2026-01-31): not YYYY-MM-DD either
    {},  # missing
])
def test_a_bad_death_date_is_refused_and_writes_nothing(engine, payload):
    case = open_benefit(engine)
    before = dump(engine)
    with pytest.raises(InvalidInput, match="died_on"):
        engine.fire(case.id, "member_died", on=date(2026, 2, 9), payload=payload)
    assert dump(engine) == before


# 晋民发〔2023〕31号 一(五): "低保对象死亡后，应当自其死亡之日起 3 个月内完成其家庭状况核查" — a 低保
# member's death; the household's 低保 began with the decision, which 民发〔2021〕57号 第21条 pays
# from the next month: in the month before the first month paid at the earliest. A death dated
# before (2025 typed for 2026) was taken, and its re-check breached since before the household
# was on 低保.
def test_a_death_before_the_household_s_dibao_began_is_refused(db):
    engine = Engine.open(db)
    # A household approved before doudi, opened Mon 2026-03-02, paid from 2026-04: decided in
    # 2026-03 (on 03-01 or 03-02) at the earliest.
    case = open_benefit(engine, on=date(2026, 3, 2), paid_from="2026-04")
    line = refused_everywhere(engine, db, case.id, "member_died", date(2026, 3, 10),
                              error=InvalidInput, exit_code=2, payload={"died_on": "2025-03-01"},
                              match="^died_on 2025-03-01 is before this household's 低保 began")
    assert line == ("Error: died_on 2025-03-01 is before this household's 低保 began (paid from "
                    "2026-04, so decided in 2026-03 at the earliest, 民发〔2021〕57号 第21条): the "
                    "re-check after a death (晋民发〔2023〕31号 一(五)) is for a 低保 member's; check "
                    "the date, or record a death the decision did not know of with change_found "
                    "--set occurred_on=2025-03-01")
    # Sat 2026-02-28, the day before 2026-03: refused; Sun 03-01: its re-check is due 3 months
    # on, Mon 2026-06-01 (第202条).
    refused_everywhere(engine, db, case.id, "member_died", date(2026, 3, 10), error=InvalidInput,
                       exit_code=2, payload={"died_on": "2026-02-28"}, match="2026-02-28")
    view = engine.fire(case.id, "member_died", on=date(2026, 3, 10), payload={"died_on": "2026-03-01"})
    assert deadline(view, "death_review").deadline.due_on == date(2026, 6, 1)
    # Opened by approve on Tue 2026-03-31 (paid from 2026-04): a death of Fri 2026-02-27 is
    # before the decision's month, refused; a correction to it too (the event's own check).
    _, approved = approved_dibao(engine, "shanxi", date(2026, 3, 31), amount=650)
    benefit = approved.links[0]["case_id"]
    with pytest.raises(InvalidInput, match=r"^died_on 2026-02-27 is before this household's 低保"):
        engine.fire(benefit, "member_died", on=date(2026, 4, 2), payload={"died_on": "2026-02-27"})
    engine.fire(benefit, "member_died", on=date(2026, 4, 2), payload={"died_on": "2026-03-31"})
    with pytest.raises(InvalidInput, match=r"^correction of event 1 \(member_died on 2026-04-02\): "
                                           "died_on 2026-02-27 is before this household's 低保"):
        engine.correct(benefit, 1, on=date(2026, 4, 3), reason="死亡日期录错",
                       payload={"died_on": "2026-02-27"})


# 民发〔2021〕57号 第21条 (paid "自确认同意的次月起") and 晋民发〔2023〕31号 一(五) ("低保对象死亡后，应当
# 自其死亡之日起 3 个月内完成其家庭状况核查"): a case approve opened knows the decision's day, the
# day it was opened, and a death before it was a death before the household was in 低保, though
# in the decision's month. The check read the first month paid only, and took any death from
# the month's first day: approved on 2026-03-31, a death of 03-01 gave a re-check due 06-01.
def test_a_death_before_the_approval_s_day_is_refused_on_a_case_approve_opened(db):
    engine = Engine.open(db)
    # Approved Tue 2026-03-31 (paid from 2026-04): the benefit case is opened that day.
    _, approved = approved_dibao(engine, "shanxi", date(2026, 3, 31), amount=650)
    dibao_id, benefit = approved.case.id, approved.links[0]["case_id"]
    # Mon 2026-03-30, the day before the decision: refused, through the API and the CLI,
    # nothing written; so is the first day of the decision's month, accepted before.
    line = refused_everywhere(engine, db, benefit, "member_died", date(2026, 4, 2),
                              error=InvalidInput, exit_code=2, payload={"died_on": "2026-03-30"},
                              match="^died_on 2026-03-30 is before this household's 低保 began")
    assert line == ("Error: died_on 2026-03-30 is before this household's 低保 began (decided on "
                    f"2026-03-31, when approve on {dibao_id} opened this case, 民发〔2021〕57号 "
                    "第21条): the re-check after a death (晋民发〔2023〕31号 一(五)) is for a 低保 "
                    "member's; check the date, or record a death the decision did not know of "
                    "with change_found --set occurred_on=2026-03-30")
    refused_everywhere(engine, db, benefit, "member_died", date(2026, 4, 2), error=InvalidInput,
                       exit_code=2, payload={"died_on": "2026-03-01"}, match="2026-03-01")
    # On the decision's day, Tue 03-31: accepted. Its re-check: 3 months from 03-31, the day
    # itself not counted (民法典 第201条), end on the same day of 2026-06, which has none: the
    # month's last day, Tue 06-30 (第202条), a working day (第203条 moves nothing).
    view = engine.fire(benefit, "member_died", on=date(2026, 4, 2), payload={"died_on": "2026-03-31"})
    assert deadline(view, "death_review").deadline.due_on == date(2026, 6, 30)
    # The link is doudi's to give: a case opened directly naming an application would pass
    # for one approve opened (exit 2, nothing written).
    before = dump_file(db)
    with pytest.raises(InvalidInput, match=r"^application is decided by doudi"):
        open_benefit(engine, on=date(2026, 3, 31), paid_from="2026-04", application=dibao_id)
    result = run(db, "case", "open", "--province", "shanxi", "--workflow", "benefit", "--on",
                 "2026-03-31", "--set", "amount=900", "--set", "paid_from=2026-04", "--set",
                 f"application={dibao_id}")
    assert result.exit_code == 2, result.output
    assert error_line(result).startswith("Error: application is decided by doudi")
    assert dump_file(db) == before
    # Opened directly for a household approved before doudi (paid from 2026-04, opened on
    # 03-31): only the month is known, and a death of 03-01 is taken, as before.
    legacy = open_benefit(engine, on=date(2026, 3, 31), paid_from="2026-04")
    engine.fire(legacy.id, "member_died", on=date(2026, 4, 2), payload={"died_on": "2026-03-01"})


# -- 4. bad input changes nothing ------------------------------------------------------------


@pytest.mark.parametrize(("event", "payload", "error", "words"), [
    ("income_exceeds", {"per_capita_income": -100, "standard": 810}, InvalidInput,
     "per_capita_income"),
    ("income_exceeds", {"per_capita_income": 900, "standard": -810}, InvalidInput, "standard"),
    ("income_exceeds", {"per_capita_income": 900, "standard": 0}, InvalidInput, "standard"),
    ("income_exceeds", {"per_capita_income": 800, "standard": 810}, EventRefused, "does not exceed"),
    ("income_exceeds", {"per_capita_income": "很多", "standard": 810}, InvalidInput,
     "per_capita_income"),
    ("review", {"outcome": "maybe"}, InvalidInput, "outcome"),
    ("review", {}, InvalidInput, "outcome"),
    ("review", {"outcome": "reduce"}, InvalidInput, "amount"),
    ("review", {"outcome": "reduce", "amount": 950}, EventRefused, "reduction"),
    ("change_found", {"occurred_on": "2026-06-11"}, InvalidInput, "occurred_on"),
    ("change_found", {}, InvalidInput, "occurred_on"),
    ("fraud_found", {"since": "2026-06-11"}, InvalidInput, "since"),
    ("fraud_found", {}, InvalidInput, "since"),
    ("accept", {}, InvalidInput, "unknown event"),
])
def test_bad_event_data_is_refused_and_writes_nothing(engine, event, payload, error, words):
    # Events recorded on 2026-06-10; dates after it are in the future of the record.
    case = open_benefit(engine)
    before = dump(engine)
    with pytest.raises(error, match=words):
        engine.fire(case.id, event, on=date(2026, 6, 10), payload=payload)
    assert dump(engine) == before
    assert engine.case(case.id).state == "paying"


def test_a_phase_out_on_a_case_that_is_not_paying_is_refused(engine):
    # Stopped (found ineligible) and left cases are closed; a case already phasing out cannot
    # start another phase-out.
    income = {"per_capita_income": 900, "standard": 810}
    stopped = open_benefit(engine)
    engine.fire(stopped.id, "found_ineligible", on=date(2026, 3, 2))
    left = open_benefit(engine)
    engine.fire(left.id, "leave", on=date(2026, 3, 2))
    phasing = open_benefit(engine)
    engine.fire(phasing.id, "income_exceeds", on=date(2026, 3, 2), payload=income)
    before = dump(engine)
    for case in (stopped, left, phasing):
        with pytest.raises(EventRefused):
            engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10), payload=income)
    assert dump(engine) == before


def test_an_event_before_the_last_one_is_refused(engine):
    case = open_benefit(engine)
    engine.fire(case.id, "review", on=date(2026, 3, 10), payload={"outcome": "keep"})
    before = dump(engine)
    with pytest.raises(EventRefused, match="before"):
        engine.fire(case.id, "member_died", on=date(2026, 3, 9), payload={"died_on": "2026-03-01"})
    assert dump(engine) == before


@pytest.mark.parametrize(("args", "status", "words"), [
    (["member_died", "--on", "2026-02-09", "--set", "died_on=2026-02-10"], 2, "died_on"),
    (["income_exceeds", "--on", "2026-03-10", "--set", "per_capita_income=-5",
      "--set", "standard=810"], 2, "per_capita_income"),
    (["income_exceeds", "--on", "2026-03-10", "--set", "per_capita_income=900",
      "--set", "standard=810"], 1, "income_exceeds"),  # the case is already phasing out
    (["review", "--on", "2026-03-10", "--set", "outcome=maybe"], 2, "outcome"),
    (["fraud_found", "--on", "2026-03-10", "--set", "since=2026-04-01"], 2, "since"),
    (["review", "--on", "2026-03-0", "--set", "outcome=keep"], 2, "date"),
])
def test_bad_input_through_the_cli_is_one_line_and_writes_nothing(db, args, status, words):
    case_id = run(db, "case", "open", "--province", "shanxi", "--workflow", "benefit", "--on",
                  "2026-01-05", "--set", "amount=700", "--set", "paid_from=2026-01").stdout.strip()
    started = run(db, "case", "fire", case_id, "income_exceeds", "--on", "2026-02-09", "--set",
                  "per_capita_income=900", "--set", "standard=810")
    assert started.exit_code == 0, started.output
    before = dump_file(db)
    result = run(db, "case", "fire", case_id, *args)
    assert result.exit_code == status, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and words in lines[0]
    assert "Traceback" not in result.stderr
    assert dump_file(db) == before



# A date given as an event's data is one of the calendar's (2018-01-01 to 2060-12-31), as the
# event's own date is: `since=1900-01-01` (the day a fraud began) was taken, and ordered back
# nothing, where `died_on=1900-01-01` was refused only because its re-check is counted from it.
@pytest.mark.parametrize(("event", "payload"), [
    ("fraud_found", {"since": "1900-01-01"}),
    ("fraud_found", {"since": "2017-12-31"}),  # the day before the calendar's first
    ("change_found", {"occurred_on": "2017-12-31"}),
    ("income_exceeds", {"per_capita_income": 900, "standard": 810, "changed_on": "2017-12-31"}),
])
def test_a_date_given_as_data_is_refused_outside_the_calendar(db, event, payload):
    engine = Engine.open(db)
    case = open_benefit(engine)  # (opened 2026-01-05, paid from 2026-01)
    field, day = next((k, v) for k, v in payload.items() if k.endswith(("since", "_on")))
    line = refused_everywhere(engine, db, case.id, event, date(2026, 3, 10), error=OutsideCalendar,
                              exit_code=2, payload=payload,
                              match=rf"^{field} {day} is outside the calendar")
    assert line == f"Error: {field} {day} is outside the calendar (2018-01-01 to 2060-12-31)"
    engine.fire(case.id, event, on=date(2026, 3, 10), payload={**payload, field: "2018-01-01"})


# 民发〔2021〕57号 第21条: on approval "确定保障金额", paid from the month after; what changes the
# amount afterwards is a re-check (第31条; 民发〔2022〕83号 "办理低保金增发、减发、停发等相关手续").
# Given with any other event, `amount` became the case's amount (shown by case show) while the
# payments went on at 700, and the next raise was measured against it; a `paid_from` given
# later moved the case's first month but not its payments.
@pytest.mark.parametrize(("args", "words"), [
    (["change_found", "--set", "occurred_on=2026-03-01", "--set", "amount=500"],
     "change_found takes no amount"),
    (["member_died", "--set", "died_on=2026-03-01", "--set", "amount=500"], "member_died takes no amount"),
    (["income_exceeds", "--set", "per_capita_income=900", "--set", "standard=810", "--set", "amount=500"],
     "income_exceeds takes no amount"),
    (["found_ineligible", "--set", "amount=0"], "found_ineligible takes no amount"),
    (["fraud_found", "--set", "since=2026-01-01", "--set", "amount=1400"], "fraud_found takes no amount"),
    (["leave", "--set", "amount=500"], "leave takes no amount"),
    (["review", "--set", "outcome=raise", "--set", "amount=800", "--set", "paid_from=2026-02"],
     "review takes no paid_from"),
    (["change_found", "--set", "occurred_on=2026-03-01", "--set", "paid_from=2026-02"],
     "change_found takes no paid_from"),
])
def test_only_a_re_check_changes_the_amount_and_nothing_the_first_month(db, args, words):
    case_id = run(db, "case", "open", "--province", "shanxi", "--workflow", "benefit", "--on",
                  "2026-01-05", "--set", "amount=700", "--set", "paid_from=2026-01").stdout.strip()
    before = dump_file(db)
    result = run(db, "case", "fire", case_id, args[0], "--on", "2026-03-10", *args[1:])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {words}"), result.stderr
    assert dump_file(db) == before
    shown = json.loads(run(db, "case", "show", case_id, "--as-of", "2026-03-10", "--format",
                           "json").stdout)
    assert shown["attributes"]["amount"] == 700
    assert [(p["month"], p["amount"]) for p in shown["payments"]] == [
        ("2026-01", 700.0), ("2026-02", 700.0), ("2026-03", 700.0)]


# -- 5. credit sanctions (五(五) of all three seeds) -------------------------------------------

# 五(五) (晋民发〔2023〕31号, 津民发〔2023〕13号, 江苏征求意见稿 alike):
# "…发生重大变化超过3个月未主动告知的，…可以进行批评教育。对于发现条件不符合的，要决定停止低保；
# 对采取虚报、隐瞒、伪造等手段骗取低保的，要决定停止低保，责令退回非法获取的低保金，并依法追究法律责任。"


@pytest.mark.parametrize("province, clause", [("shanxi", "晋民发〔2023〕31号 五(五)"),
                                              ("tianjin", "津民发〔2023〕13号 五(五)"),
                                              ("jiangsu_draft", "征求意见稿 五(五)")])
def test_criticism_follows_a_change_unreported_over_3_months_unless_the_office_says_not(
        db, province, clause):
    """民发〔2022〕83号 五(五), restated by each seed: "…超过3个月未主动告知的，县级民政部门或者乡镇人民
    政府（街道办事处）可以进行批评教育" (天津: 区级民政部门或者街道办事处); rules.md N-credit: "unreported
    > 3 months → 批评教育". change_found records the 批评教育 by itself, as a platform sending it
    got one before 6974e1e; "可以" leaves it to the office, which says it decided not to with
    criticism=false. Change on Sun 2026-01-04: 3 months end Sat 04-04 (第202条), a day off
    (清明节 04-04 … 06), so Tue 04-07 (第203条). Found 04-07, within them: criticism=true is
    refused in one line naming 04-07 (exit 1, nothing written); without it, or with
    criticism=false, the finding and no sanction. Found Wed 04-08, more than 3 months: a
    criticism dated 04-08, cited (it failed: none without criticism=true); with
    criticism=false the finding and no sanction."""
    opened = run(db, "case", "open", "--province", province, "--workflow", "benefit", "--on",
                 "2025-12-01", "--set", "amount=700", "--set", "paid_from=2025-12")
    case_id = opened.stdout.strip()

    def shown():
        return json.loads(run(db, "case", "show", case_id, "--format", "json").stdout)

    def sanctions():
        return [(s["kind"], s["on"], s["basis"]) for s in shown()["sanctions"]]

    def found(on, *criticism):
        sets = [a for c in criticism for a in ("--set", f"criticism={c}")]
        return run(db, "case", "fire", case_id, "change_found", "--on", on,
                   "--set", "occurred_on=2026-01-04", *sets)

    before = dump_file(db)
    early = found("2026-04-07", "true")
    assert early.exit_code == 1
    line = error_line(early)
    assert "could be reported until 2026-04-07" in line and clause in line
    assert dump_file(db) == before
    for criticism in ((), ("false",)):
        within = found("2026-04-07", *criticism)
        assert within.exit_code == 0, within.output
        assert sanctions() == []
    late = found("2026-04-08")
    assert late.exit_code == 0, late.output
    [(kind, on, basis)] = sanctions()
    assert (kind, on) == ("criticism", "2026-04-08") and basis.endswith(clause)
    assert shown()["sanctions"][0]["note"] == "变化发生于2026-01-04，超过3个月（至2026-04-07）未主动告知"
    not_decided = found("2026-04-08", "false")
    assert not_decided.exit_code == 0, not_decided.output
    assert [s[:2] for s in sanctions()] == [("criticism", "2026-04-08")]
    history = shown()["history"]
    assert [(h["event"], h["on"], h["payload"].get("criticism")) for h in history[1:]] == [
        ("change_found", "2026-04-07", None), ("change_found", "2026-04-07", False),
        ("change_found", "2026-04-08", None), ("change_found", "2026-04-08", False)]


def test_a_finding_stored_without_a_criticism_while_one_had_to_be_decided_stays_so(db):
    """From 6974e1e until criticism was the default again (both 2026-12-07), change_found
    recorded no 批评教育 unless told criticism=true: a change of 2026-01-15 found 2026-04-16
    (3 months to Wed 04-15, 晋民发〔2023〕31号 五(五)) was stored with no sanction. Such a
    database is made here as that doudi wrote it: the same finding recorded now (a criticism
    dated 04-16), then that row taken out, the last of the sanctions' chain (its events and
    its other rows are what that doudi wrote). Sanctions are stored when decided and not
    worked out again: audit verify finds nothing, the case shows none, a later event and the
    platform's retry (its idempotency key) add none, and a criticism decided then (another
    case) stays the one the report lists. None is made up for the old finding."""
    engine = Engine.open(db)
    decided = open_benefit(engine, "shanxi", county="小店区")
    engine.fire(decided.id, "change_found", on=date(2026, 4, 16),
                payload={"occurred_on": "2026-01-15", "criticism": True})
    old = open_benefit(engine, "shanxi", county="小店区")
    found = engine.fire(old.id, "change_found", on=date(2026, 4, 16),
                        payload={"occurred_on": "2026-01-15"}, idempotency_key="found-1")
    assert [(s.kind, s.on) for s in found.sanctions] == [("criticism", date(2026, 4, 16))]
    engine.close()
    raw = sqlite3.connect(db)
    raw.execute("drop trigger sanctions_append_only_delete")
    assert raw.execute("delete from sanctions where case_id = ?", [old.id]).rowcount == 1
    put_back_triggers(raw)
    raw.commit()
    raw.close()

    def clean():
        verified = run(db, "audit", "verify")
        assert verified.exit_code == 0, verified.output
        assert "every history chain is intact" in verified.output

    clean()
    engine = Engine.open(db)
    assert engine.case(old.id).sanctions == ()
    assert engine.case(old.id).history[-1]["payload"] == {"occurred_on": "2026-01-15"}
    assert engine.replay(old.id) == (engine.store.case(old.id), engine.store.deadlines(old.id))
    again = engine.fire(old.id, "change_found", on=date(2026, 4, 16),
                        payload={"occurred_on": "2026-01-15"}, idempotency_key="found-1")
    assert again.sanctions == () and len(again.history) == 2
    engine.fire(old.id, "review", on=date(2026, 5, 6), payload={"outcome": "keep"})
    assert engine.case(old.id).sanctions == ()
    assert [(r["case_id"], r["kind"], r["on"]) for r in engine.sanctions()] == [
        (decided.id, "criticism", "2026-04-16")]
    engine.close()
    clean()


def sanctioned_database(tmp_path):
    """Three provinces, three counties, five sanctions (hand list below)."""
    db = str(tmp_path / "sanctions.db")
    engine = Engine.open(db)
    # 山西 小店区: change on 2026-01-15 found 2026-04-16 (3 months ended 04-15) → criticism.
    a = open_benefit(engine, "shanxi", county="小店区")
    engine.fire(a.id, "change_found", on=date(2026, 4, 16),
                payload={"occurred_on": "2026-01-15", "criticism": True})
    # 天津 和平区: 900 from 2026-01, fraud found 2026-05-20 since 2025-10-01 → stop,
    # repayment 2026-01 … 05 = 5 × 900 = 4500, legal_referral.
    b = open_benefit(engine, "tianjin", county="和平区")
    engine.fire(b.id, "fraud_found", on=date(2026, 5, 20), payload={"since": "2025-10-01"})
    # 江苏 玄武区: found ineligible 2026-06-10 → stop.
    c = open_benefit(engine, "jiangsu_draft", county="玄武区", amount=600)
    engine.fire(c.id, "found_ineligible", on=date(2026, 6, 10))
    return db, a.id, b.id, c.id


def test_sanctions_are_shown_on_the_case_with_their_clause(tmp_path):
    db, a, b, c = sanctioned_database(tmp_path)
    engine = Engine.open(db)
    assert [(s.kind, s.on, s.basis) for s in engine.case(a).sanctions] == [
        ("criticism", date(2026, 4, 16), "晋民发〔2023〕31号 五(五)")]
    shown = json.loads(run(db, "case", "show", b, "--format", "json").stdout)
    kinds = {s["kind"]: s for s in shown["sanctions"]}
    assert set(kinds) == {"stop", "repayment", "legal_referral"}
    assert kinds["repayment"]["amount"] == 4500.0
    assert {s["on"] for s in shown["sanctions"]} == {"2026-05-20"}
    assert {s["basis"] for s in shown["sanctions"]} == {"津民发〔2023〕13号 五(五)"}
    # A sanction is not shown as of a date before it was decided.
    assert engine.case(b, as_of=date(2026, 5, 19)).sanctions == ()
    assert [s.kind for s in engine.case(c).sanctions] == ["stop"]


def test_report_sanctions_lists_all_oldest_first(tmp_path):
    db, a, b, c = sanctioned_database(tmp_path)
    result = run(db, "report", "sanctions", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # 04-16 criticism (a); 05-20 × 3 (b); 06-10 stop (c).
    assert [(r["on"], r["case_id"]) for r in rows] == [
        ("2026-04-16", a), ("2026-05-20", b), ("2026-05-20", b), ("2026-05-20", b),
        ("2026-06-10", c)]
    assert sorted(r["kind"] for r in rows if r["case_id"] == b) == ["legal_referral", "repayment",
                                                                    "stop"]
    assert {r["province"] for r in rows} == {"shanxi", "tianjin", "jiangsu_draft"}
    assert all(r["basis"] for r in rows)


@pytest.mark.parametrize(("filters", "expected"), [
    (["--province", "tianjin"], ["legal_referral", "repayment", "stop"]),
    (["--county", "玄武区"], ["stop"]),
    (["--kind", "stop"], ["stop", "stop"]),
    (["--kind", "criticism"], ["criticism"]),
    (["--since", "2026-05-20", "--until", "2026-05-20"], ["legal_referral", "repayment", "stop"]),
    (["--since", "2026-05-21"], ["stop"]),
    (["--until", "2026-05-19"], ["criticism"]),
    (["--province", "shanxi", "--kind", "stop"], []),
])
def test_report_sanctions_filters(tmp_path, filters, expected):
    db, *_ = sanctioned_database(tmp_path)
    result = run(db, "report", "sanctions", *filters, "--format", "json")
    assert result.exit_code == 0, result.output
    assert sorted(r["kind"] for r in json.loads(result.stdout)) == expected


def test_report_sanctions_as_csv(tmp_path):
    db, _, b, _ = sanctioned_database(tmp_path)
    result = run(db, "report", "sanctions", "--kind", "repayment", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["on", "case_id", "province", "county", "workflow", "kind",
                             "amount", "basis", "note"]
    [row] = rows
    assert (row["on"], row["case_id"], row["county"], row["workflow"], row["kind"]) == (
        "2026-05-20", b, "和平区", "benefit", "repayment")
    assert float(row["amount"]) == 4500.0
    assert row["basis"] == "津民发〔2023〕13号 五(五)"


def test_report_sanctions_json_gives_its_keys_in_the_csv_columns_order(tmp_path):
    """Found by review: the JSON rows began case_id, province, county, workflow, kind, on,
    while the CSV columns and docs/cli.md's shape begin with on. One order, the documented
    one, in the JSON, the CSV and the API's rows."""
    documented = ["on", "case_id", "province", "county", "workflow", "kind", "amount", "basis",
                  "note"]
    db, *_ = sanctioned_database(tmp_path)
    as_json = run(db, "report", "sanctions", "--format", "json")
    as_csv = run(db, "report", "sanctions", "--format", "csv")
    assert as_json.exit_code == as_csv.exit_code == 0
    rows = json.loads(as_json.stdout)
    assert len(rows) == 5
    assert {tuple(row) for row in rows} == {tuple(documented)}
    assert next(csv.reader(io.StringIO(as_csv.stdout))) == documented
    assert [list(row) for row in Engine.open(db).sanctions()] == [documented] * 5


def test_a_sanction_is_reported_in_the_county_that_decided_it(tmp_path):
    """五(五) (晋民发〔2023〕31号): "…超过3个月未主动告知的，…可以进行批评教育". 山西 小店区 case:
    a change on 2026-01-15 found on 2026-04-16 (3 months ended 04-15) → criticism that day;
    on 2026-05-06 a re-check (keep) moves the household to 迎泽区. The criticism was decided
    in 小店区: listed there, with that county, and not under 迎泽区 (it was listed under
    迎泽区, the county the case is in now, and 小店区's report was empty)."""
    db = str(tmp_path / "moved.db")
    engine = Engine.open(db)
    a = open_benefit(engine, "shanxi", county="小店区")
    engine.fire(a.id, "change_found", on=date(2026, 4, 16),
                payload={"occurred_on": "2026-01-15", "criticism": True})
    engine.fire(a.id, "review", on=date(2026, 5, 6), payload={"outcome": "keep", "county": "迎泽区"})
    assert engine.case(a.id).case.county == "迎泽区"
    assert [(r["case_id"], r["county"], r["kind"], r["on"]) for r in engine.sanctions()] == [
        (a.id, "小店区", "criticism", "2026-04-16")]
    assert [r["county"] for r in engine.sanctions(county="小店区")] == ["小店区"]
    assert engine.sanctions(county="迎泽区") == []
    result = run(db, "report", "sanctions", "--county", "小店区", "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert set(row) == {"on", "case_id", "province", "county", "workflow", "kind", "amount",
                        "basis", "note"}  # (docs/cli.md's keys: the seq read is not shown)
    assert (row["county"], row["kind"]) == ("小店区", "criticism")
    result = run(db, "report", "sanctions", "--county", "迎泽区", "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


@pytest.mark.parametrize("args", [
    ["--kind", "fine"],
    ["--since", "2026-06-01", "--until", "2026-05-01"],
    ["--since", "2026-6-1"],
    ["--province", "atlantis"],
])
def test_report_sanctions_bad_filters_are_usage_errors(tmp_path, args):
    db, *_ = sanctioned_database(tmp_path)
    result = run(db, "report", "sanctions", *args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.parametrize(("option", "day"), [("--since", "2017-01-01"), ("--until", "2061-01-01")])
def test_report_sanctions_refuses_a_date_outside_the_calendar(tmp_path, option, day):
    """Found by review: `report sanctions --since 2017-01-01` was taken, while every other
    date before the calendar's first year (an --as-of, an event) is refused as "outside the
    calendar" (exit 2), as docs/cli.md says of a date before 2018."""
    db, *_ = sanctioned_database(tmp_path)
    result = run(db, "report", "sanctions", option, day)
    assert result.exit_code == 2, result.output
    assert error_line(result) == f"Error: {day} is outside the calendar (2018-01-01 to 2060-12-31)"
    assert result.stdout == ""
    with pytest.raises(OutsideCalendar, match=rf"^{day} is outside the calendar"):
        Engine.open(db).sanctions(**{option[2:]: date.fromisoformat(day)})


@pytest.mark.parametrize(("filters", "first"), [
    # A range the wrong way round whose dates are outside the calendar too (it covers
    # 2018-01-01 to 2060-12-31): the date is the first problem, as for any other report.
    ({"since": "2061-01-01", "until": "2017-12-31"},
     "2061-01-01 is outside the calendar (2018-01-01 to 2060-12-31)"),
    # … and a province no plugin registers, with the range the wrong way round.
    ({"province": "atlantis", "since": "2026-06-01", "until": "2026-05-01"},
     "unknown province 'atlantis'"),
    # A kind no sanction has, in a province no plugin registers: the kind, the command line
    # checking it as it reads it (click's Choice), before the database is opened.
    ({"province": "atlantis", "kind": "fine"}, "sanction kind 'fine'"),
])
def test_report_sanctions_and_the_api_name_the_same_first_problem(tmp_path, filters, first):
    """Found by review: `report sanctions` refused a range the wrong way round itself, before
    the engine checked the dates against the calendar and the province, so a pair wrong in
    both ways was "--since is after --until" on the command line and "… is outside the
    calendar" (or "unknown province …") from Engine.sanctions. The command now leaves the
    range to the engine, which checks each filter by itself (the kind among the four) before
    what it is checked against (the plugins, the calendar), and the range last."""
    db, *_ = sanctioned_database(tmp_path)
    given = {name: date.fromisoformat(value) if name in ("since", "until") else value
             for name, value in filters.items()}
    with pytest.raises(InvalidInput) as api:
        Engine.open(db).sanctions(**given)
    assert first in str(api.value)
    result = run(db, "report", "sanctions", *[part for name, value in filters.items()
                                              for part in (f"--{name}", value)])
    assert result.exit_code == 2, result.output
    said = error_line(result)
    if "kind" in filters:
        assert said.startswith("Error: Invalid value for '--kind': 'fine' is not one of ")
    else:
        assert said == f"Error: {api.value.command_line or api.value}"
    assert result.stdout == ""


def test_the_python_api_filters_sanctions_too(tmp_path):
    db, a, *_ = sanctioned_database(tmp_path)
    engine = Engine.open(db)
    assert [r["case_id"] for r in engine.sanctions(kind="criticism")] == [a]
    assert len(engine.sanctions(since=date(2026, 5, 1), until=date(2026, 5, 31))) == 3
    with pytest.raises(InvalidInput):
        engine.sanctions(kind="fine")
    # A range the wrong way round is refused, as `report sanctions` refuses it (review
    # finding: it listed nothing, as if no sanction had been decided).
    with pytest.raises(InvalidInput, match=r"^since 2026-05-31 is after until 2026-05-01$") as bad:
        engine.sanctions(since=date(2026, 5, 31), until=date(2026, 5, 1))
    assert bad.value.command_line == "--since is after --until"


# -- 6. reports: benefit deadlines in breaches and at-risk -----------------------------------

# The death re-check of 晋民发〔2023〕31号 一(五) ("自其死亡之日起 3 个月内完成其家庭状况核查") and the
# periodic re-check of 57号 第31条 are statutory deadlines: they belong in the breach and at-risk reports.


def test_an_overdue_death_review_is_listed_as_a_breach(tmp_path):
    # 山西, died 2026-01-31 → due Thursday 2026-04-30. As of Friday 2026-05-08: the days after
    # the due date are 5/1–5/5 off (劳动节), 5/6, 5/7, 5/8 → 3 working days over.
    db = str(tmp_path / "r.db")
    engine = Engine.open(db)
    case = open_benefit(engine, "shanxi", county="小店区")
    engine.fire(case.id, "member_died", on=date(2026, 2, 9), payload={"died_on": "2026-01-31"})
    [breach] = [b for b in engine.breaches(as_of=date(2026, 5, 8)) if b.case.id == case.id]
    assert breach.view.deadline.rule == "death_review"
    assert breach.view.overdue_working_days == 3
    result = run(db, "report", "breaches", "--as-of", "2026-05-08", "--workflow", "benefit",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["case_id"], row["workflow"], row["rule"], row["due_on"],
            row["overdue_working_days"], row["basis"]) == (
        case.id, "benefit", "death_review", "2026-04-30", 3, "晋民发〔2023〕31号 一(五)")
    # Before its due date it is at risk: Monday 04-27, due in 3 working days (28, 29, 30).
    risky = run(db, "report", "at-risk", "--as-of", "2026-04-27", "--format", "json")
    assert risky.exit_code == 0, risky.output
    assert [(r["case_id"], r["rule"]) for r in json.loads(risky.stdout)] == [
        (case.id, "death_review")]
    # Reviewed late on Tuesday 2026-05-12: a report for 05-08 still shows the breach (the
    # review was not known then); for 05-12 it is met late: 5/6, 5/7, 5/8, 5/9 (make-up
    # Saturday), 5/11, 5/12 → 6 working days.
    engine.fire(case.id, "review", on=date(2026, 5, 12), payload={"outcome": "keep"})
    assert [b.view.deadline.rule for b in engine.breaches(as_of=date(2026, 5, 8))] == ["death_review"]
    assert engine.breaches(as_of=date(2026, 5, 12)) == []
    [late] = engine.breaches(as_of=date(2026, 5, 12), include_late=True)
    assert (late.view.status, late.view.overdue_working_days) == ("met_late", 6)


def test_an_overdue_periodic_review_is_a_breach_and_the_province_filter_applies(tmp_path):
    # 天津 opened 2025-04-15 → periodic re-check due 2026-04-15; as of 2026-04-21 (Tuesday):
    # 04-16, 17, 20, 21 → 4 working days over. The 山西 case opened 2026-01-05 is not due.
    db = str(tmp_path / "r.db")
    engine = Engine.open(db)
    late = open_benefit(engine, "tianjin", on=date(2025, 4, 15), paid_from="2025-05")
    open_benefit(engine, "shanxi")
    result = run(db, "report", "breaches", "--as-of", "2026-04-21", "--province", "tianjin",
                 "--format", "json")
    [row] = json.loads(result.stdout)
    assert (row["case_id"], row["rule"], row["overdue_working_days"], row["basis"]) == (
        late.id, "periodic_review", 4, CHECK)
    shanxi = run(db, "report", "breaches", "--as-of", "2026-04-21", "--province", "shanxi",
                 "--format", "json")
    assert json.loads(shanxi.stdout) == []


def test_a_phase_out_that_ended_leaves_no_running_deadline_to_breach(engine):
    # 天津 opened 2025-04-15 (re-check due 2026-04-15); phase-out from 2025-06 after an income
    # change on 2025-05-12: 2025-06 … 2025-11, ends 2025-12-01 → the re-check is cancelled then.
    case = open_benefit(engine, "tianjin", on=date(2025, 4, 15), paid_from="2025-05")
    engine.fire(case.id, "income_exceeds", on=date(2025, 5, 12),
                payload={"per_capita_income": 1100, "standard": 1010})
    assert [b for b in engine.breaches(as_of=date(2026, 5, 1)) if b.case.id == case.id] == []


# -- 7. replay equals the stored state -------------------------------------------------------


def test_replay_rebuilds_every_benefit_case_as_stored(engine):
    cases = []
    # From a dibao approval, with a death, a reduction and a periodic re-check.
    _, view = approved_dibao(engine, "shanxi", date(2026, 3, 31), amount=650)
    benefit = view.links[0]["case_id"]
    engine.fire(benefit, "member_died", on=date(2026, 5, 6), payload={"died_on": "2026-05-01"})
    engine.fire(benefit, "review", on=date(2026, 6, 1), payload={"outcome": "reduce", "amount": 500})
    cases.append(benefit)
    # A phase-out in progress (天津), with a death during it.
    phasing = open_benefit(engine, "tianjin")
    engine.fire(phasing.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    engine.fire(phasing.id, "member_died", on=date(2026, 5, 14), payload={"died_on": "2026-05-12"})
    cases.append(phasing.id)
    # Sanctions: criticism, then fraud (stop, repayment, referral).
    fraud = open_benefit(engine, "jiangsu_draft", unstable_income=True)
    engine.fire(fraud.id, "change_found", on=date(2026, 4, 16),
                payload={"occurred_on": "2026-01-15", "criticism": True})
    engine.fire(fraud.id, "fraud_found", on=date(2026, 5, 20), payload={"since": "2026-02-01"})
    cases.append(fraud.id)
    # A transfer into 边缘 recognition: the benefit case and the marginal case it opened.
    leaving = open_benefit(engine, "jiangsu_draft", amount=600)
    left = engine.fire(leaving.id, "leave", on=date(2026, 5, 6),
                       payload={"per_capita_income": 1200, "standard": 1000, "consent": True})
    cases += [leaving.id, left.links[0]["case_id"]]
    for case_id in cases:
        case, deadlines = engine.replay(case_id)
        assert case == engine.store.case(case_id), case_id
        assert deadlines == engine.store.deadlines(case_id), case_id


# -- bugs found ------------------------------------------------------------------------------


def test_the_end_of_a_phase_out_cannot_be_fired_by_hand_before_its_date(engine):
    # 天津 phase-out 2026-04 … 2026-09 ends by itself on 2026-10-01; fired by hand on 2026-05-06
    # it must be refused, and the schedule must still run to 2026-09.
    case = open_benefit(engine, "tianjin")
    engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    before = dump(engine)
    with pytest.raises(DoudiError):
        engine.fire(case.id, "phase_out_end", on=date(2026, 5, 6))
    assert dump(engine) == before


def test_a_review_that_keeps_the_benefit_keeps_its_amount(engine):
    # 900 from 2026-01; a re-check on 2026-01-20 keeps the benefit. Given an amount of 500 by
    # mistake, it must either be refused (nothing written) or leave 900 in every month.
    case = open_benefit(engine, "shanxi")
    before = dump(engine)
    with pytest.raises(DoudiError, match="outcome=keep takes no amount"):
        engine.fire(case.id, "review", on=date(2026, 1, 20), payload={"outcome": "keep", "amount": 500})
    assert dump(engine) == before
    assert paid(engine.case(case.id, as_of=date(2026, 3, 1))) == [
        ("2026-01", 900.0), ("2026-02", 900.0), ("2026-03", 900.0)]


def test_a_review_without_its_outcome_names_what_is_missing_in_the_words_of_the_command(engine):
    # Review finding: `case fire C review` read "review needs --set outcome= one of keep,
    # raise, reduce, stop; got None" (Python's word for what the operator left out).
    case = open_benefit(engine, "shanxi")
    before = dump(engine)
    with pytest.raises(InvalidInput) as refused:
        engine.fire(case.id, "review", on=date(2026, 1, 20))
    assert str(refused.value) == ("review needs --set outcome=, one of keep, raise, reduce, "
                                  "stop; got nothing")
    assert dump(engine) == before


def test_a_reduction_decided_before_the_first_payment_applies_from_the_first_payment(engine):
    # Opened (decided) 2026-02-02, paid from 2026-03 at 900; a re-check on 2026-02-20 reduces
    # it to 700 "from the next month" (2026-03, the first paid) → every paid month is 700:
    # 2026-03, 04, 05 = 700. (Opened 2026-01-05 and paid from 2026-03, as this test was first
    # written, is refused: 57号 第21条 pays from the month after the decision, 2026-02.)
    case = open_benefit(engine, "tianjin", on=date(2026, 2, 2), paid_from="2026-03")
    engine.fire(case.id, "review", on=date(2026, 2, 20), payload={"outcome": "reduce", "amount": 700})
    assert paid(engine.case(case.id, as_of=date(2026, 5, 1))) == [
        ("2026-03", 700.0), ("2026-04", 700.0), ("2026-05", 700.0)]


def test_a_correction_of_a_review_is_checked_like_the_review(engine):
    # Found by review: `case correct C 1 --set outcome=bogus` went into the permanent record.
    # A re-check's outcome is one of keep, raise, reduce, stop (民发〔2021〕57号 第31条).
    case = open_benefit(engine)
    engine.fire(case.id, "review", on=date(2026, 3, 2), payload={"outcome": "keep"})
    before = dump(engine)
    with pytest.raises(InvalidInput) as refused:
        engine.correct(case.id, 1, on=date(2026, 3, 3), reason="核查结果录错",
                       payload={"outcome": "bogus"})
    assert str(refused.value) == ("outcome must be one of keep, raise, reduce, stop, "
                                  "got \"bogus\"")
    assert dump(engine) == before
    view = engine.correct(case.id, 1, on=date(2026, 3, 3), reason="核查结果录错",
                          payload={"outcome": "reduce", "amount": 800})
    assert view.history[-1]["event"] == "correction"


def test_a_correction_of_a_death_is_checked_like_the_death_itself(engine):
    """Found by review: docs/evidence.md says a correction's data is "checked like that
    event's data", but only its shape was: `case correct C 1 --set died_on=2030-01-01` of a
    death recorded on 2026-03-10 went into the permanent record, a death after the day it was
    recorded (and after today), which member_died itself refuses. The corrected data is the
    event's as recorded with the correction's put over it, judged on the event's own date."""
    case = open_benefit(engine)
    engine.fire(case.id, "member_died", on=date(2026, 3, 10), payload={"died_on": "2026-03-01"})
    before = dump(engine)
    for data, said in [
        ({"died_on": "2030-01-01"}, "died_on 2030-01-01 is after the date the event is recorded "
                                    "(2026-03-10)"),
        ({"died_on": "2026-03-11"}, "died_on 2026-03-11 is after the date the event is recorded "
                                    "(2026-03-10)"),
        ({"amount": 500}, "member_died takes no amount: only review (outcome=raise or reduce) "
                          "changes the amount paid"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            engine.correct(case.id, 1, on=date(2026, 3, 12), reason="死亡日期录错", payload=data)
        assert str(refused.value) == f"correction of event 1 (member_died on 2026-03-10): {said}"
        assert dump(engine) == before
    # The death on the day it was recorded is one member_died takes: so is its correction.
    view = engine.correct(case.id, 1, on=date(2026, 3, 12), reason="死亡日期录错",
                          payload={"died_on": "2026-03-10"})
    assert (view.history[-1]["event"], view.history[-1]["payload"]) == (
        "correction", {"died_on": "2026-03-10"})


def test_a_check_the_recorded_death_no_longer_passes_is_not_applied_to_its_correction(
        engine, monkeypatch):
    # docs/evidence.md: "a check that the data as recorded no longer passes, a rule added
    # since, is not applied to the correction". A later version refusing deaths before
    # 2026-03-05 (made up for the test) would refuse the death recorded on 2026-03-10 as of
    # 03-01 whatever the correction said: it is not the correction's data it refuses.
    case = open_benefit(engine)
    engine.fire(case.id, "member_died", on=date(2026, 3, 10), payload={"died_on": "2026-03-01"})
    guards = engine.registry.guards._guards
    check, plugin = guards["death_date_valid"]

    def stricter(ctx):
        return "a rule added since" if ctx.payload["died_on"] < "2026-03-05" else check(ctx)

    monkeypatch.setitem(guards, "death_date_valid", (stricter, plugin))
    view = engine.correct(case.id, 1, on=date(2026, 3, 12), reason="死亡日期录错",
                          payload={"died_on": "2026-03-02"})
    assert view.history[-1]["payload"] == {"died_on": "2026-03-02"}


def test_case_correct_refuses_data_the_corrected_event_refuses_nothing_written(db):
    # The same death through the CLI: bad data is a usage error (exit 2, docs/cli.md), one line.
    engine = Engine.open(db)
    case = open_benefit(engine)
    engine.fire(case.id, "member_died", on=date(2026, 3, 10), payload={"died_on": "2026-03-01"})
    before = dump_file(db)
    result = run(db, "case", "correct", case.id, "1", "--on", "2026-03-12", "--reason",
                 "死亡日期录错", "--set", "died_on=2030-01-01")
    assert result.exit_code == 2
    assert error_line(result) == ("Error: correction of event 1 (member_died on 2026-03-10): "
                                  "died_on 2030-01-01 is after the date the event is recorded "
                                  "(2026-03-10)")
    assert dump_file(db) == before


def test_data_recorded_before_a_check_refused_it_still_replays_and_can_be_put_right(
        engine, monkeypatch):
    """Found by review: a village recorded as "b村 " before spaces around text were refused
    made the history fail to replay, and the approval that carries it to the benefit case
    (民发〔2021〕57号 第21条) failed without saying how to go on."""
    from engine.workflow import AttributeSpec

    check = AttributeSpec.check
    monkeypatch.setattr(AttributeSpec, "check", lambda self, value: None)  # (the old version)
    case = engine.open_case(province="tianjin", on=date(2026, 3, 2),
                            attributes={"village": "b村 ", "household_size": 2})
    for event, day in [("accept", 3), ("start_investigation", 4), ("request_verification", 5),
                       ("start_verification", 6), ("post_publicity", 9)]:
        engine.fire(case.id, event, on=date(2026, 3, day))
    monkeypatch.setattr(AttributeSpec, "check", check)
    assert engine.replay(case.id)[0].state == "in_publicity"
    before = dump(engine)
    with pytest.raises(InvalidInput) as refused:
        engine.fire(case.id, "approve", on=date(2026, 3, 17), payload={"amount": 650})
    assert str(refused.value) == (
        "approve opens a benefit case: village must not begin or end with spaces, got \"b村 \"; "
        "give village again with this event (--set village=…)")
    assert dump(engine) == before
    view = engine.fire(case.id, "approve", on=date(2026, 3, 17),
                       payload={"amount": 650, "village": "b村"})
    [link] = view.links
    assert engine.case(link["case_id"]).case.attributes["village"] == "b村"
