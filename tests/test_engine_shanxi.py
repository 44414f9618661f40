"""山西 低保审核确认 end to end (晋民发〔2023〕31号), through the Python API and the CLI.

Every due date below is counted by hand on the 2026 official calendar (国办发明电〔2025〕7号:
元旦 1/1–1/3 off, 1/4 Sun worked; 春节 2/15–2/23 off, 2/14 Sat and 2/28 Sat worked; 清明
4/4–4/6 off); the counted days are listed in a comment next to each expectation. The engine's
own calendar or period code is never used to compute an expected value.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine import EventRefused
from helpers import by_rule, error_line, run, snapshot

NOTICE = "晋民发〔2023〕31号"

# 晋民发〔2023〕31号 四(二): "低保审核确认工作应当自受理之日起 30 个工作日之内完成；审核确认权限下放到
# 乡镇人民政府（街道办事处）的，应当自受理之日起 20 个工作日之内完成。发生公示有异议、人户分离、异地申办或者
# 家庭经济状况调查难度较大等特殊情况的，可以延长至 45 个工作日。"
#
# 30 working days from 受理 on Wed 2026-01-28 (the day of 受理 not counted, 民法典 第201条):
#   1/29 Th(1) 1/30 F(2) 2/2 M(3) 2/3(4) 2/4(5) 2/5(6) 2/6 F(7) 2/9 M(8) 2/10(9) 2/11(10)
#   2/12(11) 2/13 F(12) 2/14 Sat 调休上班(13) 2/15–2/23 春节 off 2/24 Tu(14) 2/25(15)
#   2/26(16) 2/27 F(17) 2/28 Sat 调休上班(18) 3/2 M(19) 3/3(20) 3/4(21) 3/5(22) 3/6(23)
#   3/9(24) 3/10(25) 3/11(26) 3/12(27) 3/13(28) 3/16(29) 3/17 Tu(30)           → 2026-03-17
# 20 working days (delegated): the 20th above                                  → 2026-03-03
# 45 working days (extended): 3/18(31) 3/19(32) 3/20(33) 3/23(34) 3/24(35) 3/25(36) 3/26(37)
#   3/27(38) 3/30(39) 3/31(40) 4/1(41) 4/2(42) 4/3(43) 4/4–4/6 清明 off 4/7(44) 4/8(45)
#                                                                              → 2026-04-08
# investigation_start, 3 working days (民发〔2021〕57号 第15条): 1/29(1) 1/30(2) 2/2(3) → 2026-02-02
ACCEPTED = date(2026, 1, 28)
TOTAL_DUE = date(2026, 3, 17)
DELEGATED_DUE = date(2026, 3, 3)
EXTENDED_DUE = date(2026, 4, 8)
INVESTIGATION_DUE = date(2026, 2, 2)


def drive_to_publicity(engine, case_id):
    """accept 1/28 → start_investigation 2/2 → request_verification 2/4 → start_verification
    2/10 → post_publicity 2/12."""
    engine.fire(case_id, "accept", on=ACCEPTED)
    engine.fire(case_id, "start_investigation", on=date(2026, 2, 2))
    engine.fire(case_id, "request_verification", on=date(2026, 2, 4))
    engine.fire(case_id, "start_verification", on=date(2026, 2, 10))
    return engine.fire(case_id, "post_publicity", on=date(2026, 2, 12))


# -- the total time limit across the 2026 Spring Festival -----------------------------------------


def test_accepted_2026_01_28_must_be_confirmed_by_2026_03_17(engine):
    """晋民发〔2023〕31号 四(二): "低保审核确认工作应当自受理之日起 30 个工作日之内完成".

    受理 on 2026-01-28: the 30 working days run across 春节 (2/15–2/23 off) and count both
    make-up Saturdays 2/14 and 2/28 (see the count at the top of this file) → 2026-03-17.
    The township starts its investigation within 3 working days (民发〔2021〕57号 第15条,
    which the notice leaves in force): 1/29(1) 1/30(2) 2/2(3) → 2026-02-02.
    """
    case = engine.open_case(province="shanxi", on=date(2026, 1, 26))
    view = engine.fire(case.id, "accept", on=ACCEPTED)
    assert view.state == "accepted"
    rules = by_rule(view)
    assert set(rules) == {"total", "investigation_start"}
    total = rules["total"]
    assert total.deadline.starts_on == ACCEPTED
    assert total.deadline.due_on == TOTAL_DUE
    assert total.deadline.duration == "30wd"
    assert total.deadline.citation == f"{NOTICE} 四(二)"
    assert total.deadline.provisional is False
    assert rules["investigation_start"].deadline.due_on == INVESTIGATION_DUE
    assert "第15条" in rules["investigation_start"].deadline.citation
    # As of the due date itself the duty can still be done (until 24:00, 民法典 第203条) …
    on_due = by_rule(engine.deadlines(case.id, as_of=TOTAL_DUE))
    assert on_due["total"].status == "at_risk"
    # … one working day later it is breached by exactly 1 working day (3/18).
    after = by_rule(engine.deadlines(case.id, as_of=date(2026, 3, 18)))
    assert after["total"].status == "breached"
    assert after["total"].overdue_working_days == 1


def test_the_view_fire_returns_still_shows_that_event_when_read_after_later_ones(engine):
    """晋民发〔2023〕31号 四(二) (30 working days) and 民发〔2021〕57号 第15条 (3 working days).

    ``fire`` returns the case as its event left it, and the view works out its history and
    deadlines only when they are first read. Read after two later events, the view of 受理
    on 1/28 must still show one event after opening and both deadlines running: the
    investigation due 2/2 (1/29(1) 1/30(2) 2/2(3), so at risk: inside the 3-working-day
    warning window) and the total limit due 3/17 (the count at the top of this file), open.
    Later views must not see a change made to an earlier one.
    """
    case = engine.open_case(province="shanxi", on=date(2026, 1, 26))
    accepted = engine.fire(case.id, "accept", on=ACCEPTED, payload={"applicant_name": "甲"})
    engine.fire(case.id, "start_investigation", on=date(2026, 2, 2))
    later = engine.fire(case.id, "request_verification", on=date(2026, 2, 4))

    assert [h["event"] for h in accepted.history] == ["open", "accept"]
    rules = by_rule(accepted)
    assert set(rules) == {"total", "investigation_start"}
    assert (rules["investigation_start"].deadline.due_on, rules["investigation_start"].status
            ) == (INVESTIGATION_DUE, "at_risk")
    assert (rules["total"].deadline.due_on, rules["total"].status) == (TOTAL_DUE, "open")
    assert accepted.to_json() == engine.case(case.id, as_of=ACCEPTED).to_json()

    # The later view: the investigation started on 2/2, its last day → met.
    assert [h["event"] for h in later.history][-2:] == ["start_investigation",
                                                        "request_verification"]
    assert by_rule(later)["investigation_start"].status == "met"
    accepted.history[1]["payload"]["applicant_name"] = "乙"
    assert engine.case(case.id).history[1]["payload"] == {"applicant_name": "甲"}
    assert later.history[1]["payload"] == {"applicant_name": "甲"}
    assert accepted != later


def test_full_shanxi_path_with_statuses_met_and_met_late(engine):
    """晋民发〔2023〕31号 四(二) (30 working days) and 四(五): "乡镇人民政府（街道办事处）经调查核实提出的
    初审意见，应在申请家庭所在村（社区）进行为期 7 天的公示。低保审核确认完毕后，申请人姓名、家庭成员数量、
    保障金额等信息应当在低保家庭所在村（社区）公布。"

    accept 1/28 → start_investigation 2/2 (due 2/2: met on its last day)
    → request_verification 2/4 → start_verification 2/10
      (3 working days, 民发〔2021〕57号 第17条: 2/5 Th(1) 2/6 F(2) 2/9 M(3) → due 2/9; done 2/10:
       met_late by 1 working day, 2/10)
    → post_publicity Thu 2/12 (7 days, 民法典 第201、203条: 2/13(1) … 2/19(7); 2/19 is inside 春节
       2/15–2/23 → the period ends on the next working day, Tue 2/24)
    → submit_to_county 2/25 (the day after the 公示; 10 working days, 民发〔2021〕57号 第20条:
       2/26(1) 2/27(2) 2/28 Sat 调休(3) 3/2(4) 3/3(5) 3/4(6) 3/5(7) 3/6(8) 3/9(9) 3/10(10) → 3/10)
    → approve 3/17 (total due 3/17: met; county due 3/10: met_late by 3/11 3/12 3/13 3/16 3/17 = 5)
    → publish 3/18.
    """
    case = engine.open_case(province="shanxi", on=date(2026, 1, 26),
                            attributes={"county": "太原市小店区", "household_size": 3})
    view = drive_to_publicity(engine, case.id)
    assert view.state == "in_publicity"
    publicity = by_rule(view)["publicity"].deadline
    assert (publicity.starts_on, publicity.due_on) == (date(2026, 2, 12), date(2026, 2, 24))
    assert publicity.citation == f"{NOTICE} 四(五)"
    assert publicity.duration == "7d"

    # Mid-way, as of Fri 2/13: the investigation started on its due date, verification late.
    mid = by_rule(engine.deadlines(case.id, as_of=date(2026, 2, 13)))
    assert mid["investigation_start"].status == "met"
    assert mid["verification_start"].deadline.due_on == date(2026, 2, 9)
    assert mid["verification_start"].status == "met_late"
    assert mid["verification_start"].overdue_working_days == 1
    assert mid["publicity"].status == "open"
    assert mid["total"].status == "open"

    view = engine.fire(case.id, "submit_to_county", on=date(2026, 2, 25))
    assert view.state == "county_review"
    assert by_rule(view)["county_confirmation"].deadline.due_on == date(2026, 3, 10)
    assert by_rule(view)["publicity"].status == "met"

    view = engine.fire(case.id, "approve", on=TOTAL_DUE, payload={"amount": 650})
    assert view.state == "approved"
    # 民发〔2021〕57号 第21条: "从作出确认同意决定之日下月起发放" — approved 2026-03-17, paid from
    # 2026-04, on a benefit case linked to this application.
    [link] = view.links
    assert (link["workflow"], link["relation"]) == ("benefit", "benefit")
    benefit = engine.store.case(link["case_id"])
    assert (benefit.attributes["paid_from"], benefit.attributes["amount"]) == ("2026-04", 650)
    assert benefit.county == "太原市小店区"
    view = engine.fire(case.id, "publish", on=date(2026, 3, 18))
    assert view.state == "published"
    final = by_rule(view)
    assert (final["total"].status, final["total"].deadline.stopped_on) == ("met", TOTAL_DUE)
    assert final["total"].overdue_working_days == 0
    assert final["investigation_start"].status == "met"
    assert final["verification_start"].status == "met_late"
    assert final["county_confirmation"].status == "met_late"
    assert final["county_confirmation"].overdue_working_days == 5
    assert [h["event"] for h in view.history] == [
        "open", "accept", "start_investigation", "request_verification", "start_verification",
        "post_publicity", "submit_to_county", "approve", "publish"]
    # Nothing is breached on any later day: every duty was stopped.
    assert engine.breaches(as_of=date(2026, 6, 1), province="shanxi", workflow="dibao") == []


def test_full_shanxi_path_through_the_cli(db):
    """晋民发〔2023〕31号 四(二) and 四(五), driven the way an operator scripts it (see the API test
    above for the day counts: total 3/17, 公示 2/12 → 2/24, county 2/25 → 3/10)."""
    opened = run(db, "case", "open", "--province", "shanxi", "--on", "2026-01-26",
                 "--set", "county=太原市小店区")
    assert opened.exit_code == 0, opened.output
    cid = opened.stdout.strip()
    steps = [("accept", "2026-01-28"), ("start_investigation", "2026-02-02"),
             ("request_verification", "2026-02-04"), ("start_verification", "2026-02-10"),
             ("post_publicity", "2026-02-12")]
    for event, on in steps:
        result = run(db, "case", "fire", cid, event, "--on", on)
        assert result.exit_code == 0, result.output
    early = run(db, "case", "fire", cid, "submit_to_county", "--on", "2026-02-24")
    assert early.exit_code == 1
    assert "2026-02-24" in error_line(early)
    for args in (["submit_to_county", "--on", "2026-02-25"],
                 ["approve", "--on", "2026-03-17", "--set", "amount=650"],
                 ["publish", "--on", "2026-03-18"]):
        result = run(db, "case", "fire", cid, *args)
        assert result.exit_code == 0, result.output
    shown = run(db, "case", "show", cid, "--format", "json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data["state"] == "published"
    rows = {d["rule"]: d for d in data["deadlines"]}
    assert (rows["total"]["due_on"], rows["total"]["stopped_on"], rows["total"]["status"]) == (
        "2026-03-17", "2026-03-17", "met")
    assert rows["total"]["basis"] == f"{NOTICE} 四(二)"
    assert (rows["publicity"]["due_on"], rows["publicity"]["basis"]) == ("2026-02-24",
                                                                         f"{NOTICE} 四(五)")
    assert (rows["county_confirmation"]["due_on"], rows["county_confirmation"]["status"]) == (
        "2026-03-10", "met_late")
    assert rows["verification_start"]["status"] == "met_late"


# -- delegated confirmation: 20 working days, no county step ------------------------------------


def test_delegated_case_has_20_working_days_and_no_county_step(engine):
    """晋民发〔2023〕31号 四(二): "审核确认权限下放到乡镇人民政府（街道办事处）的，应当自受理之日起 20 个
    工作日之内完成".

    受理 2026-01-28 → 20th working day 2026-03-03 (1/29 … 2/14 Sat 调休(13), 春节 off, 2/24(14)
    … 2/28 Sat 调休(18) 3/2(19) 3/3(20)). 公示 posted Mon 2/9: 7 days end 2/16, inside 春节
    (2/15–2/23) → 2/24. The township approves itself on Wed 3/4: one working day late (3/4).
    """
    case = engine.open_case(province="shanxi", on=date(2026, 1, 26),
                            attributes={"delegated": True})
    view = engine.fire(case.id, "accept", on=ACCEPTED)
    total = by_rule(view)["total"].deadline
    assert (total.due_on, total.duration, total.citation) == (DELEGATED_DUE, "20wd",
                                                              f"{NOTICE} 四(二)")
    engine.fire(case.id, "start_investigation", on=date(2026, 1, 30))
    engine.fire(case.id, "request_verification", on=date(2026, 2, 3))
    engine.fire(case.id, "start_verification", on=date(2026, 2, 5))
    view = engine.fire(case.id, "post_publicity", on=date(2026, 2, 9))
    assert by_rule(view)["publicity"].deadline.due_on == date(2026, 2, 24)

    before = snapshot(engine, case.id)
    with pytest.raises(EventRefused, match="delegated"):
        engine.fire(case.id, "submit_to_county", on=date(2026, 2, 25))
    assert snapshot(engine, case.id) == before

    # As of 3/3 (its due date) the total is at risk; the township approves on 3/4.
    assert by_rule(engine.deadlines(case.id, as_of=DELEGATED_DUE))["total"].status == "at_risk"
    view = engine.fire(case.id, "approve", on=date(2026, 3, 4), payload={"amount": 600})
    assert view.state == "approved"
    rules = by_rule(view)
    assert "county_confirmation" not in rules
    assert rules["total"].status == "met_late"
    assert rules["total"].overdue_working_days == 1
    late = engine.breaches(as_of=date(2026, 3, 4), province="shanxi", include_late=True)
    assert [(b.view.deadline.rule, b.view.status, b.view.overdue_working_days) for b in late] == [
        ("total", "met_late", 1)]


def test_delegated_case_submit_to_county_is_refused_with_exit_1(db):
    """晋民发〔2023〕31号 四(二): where confirmation is delegated to the township (乡镇人民政府
    （街道办事处）), there is no county confirmation to send the case to."""
    cid = run(db, "case", "open", "--province", "shanxi", "--on", "2026-01-26",
              "--set", "delegated=true").stdout.strip()
    for event, on in [("accept", "2026-01-28"), ("start_investigation", "2026-01-30"),
                      ("request_verification", "2026-02-03"), ("start_verification", "2026-02-05"),
                      ("post_publicity", "2026-02-09")]:
        assert run(db, "case", "fire", cid, event, "--on", on).exit_code == 0
    result = run(db, "case", "fire", cid, "submit_to_county", "--on", "2026-02-25")
    assert result.exit_code == 1
    assert "delegated" in error_line(result)
    data = json.loads(run(db, "case", "show", cid, "--format", "json").stdout)
    assert data["state"] == "in_publicity"
    assert data["attributes"]["delegated"] is True
    assert [h["event"] for h in data["history"]][-1] == "post_publicity"
    total = next(d for d in data["deadlines"] if d["rule"] == "total")
    assert total["due_on"] == "2026-03-03"


# -- 45 working days -----------------------------------------------------------------------------


@pytest.mark.parametrize("event, kwargs", [
    ("extend", {"reason": "人户分离"}),
    ("extend", {"reason": "调查难度大"}),
])
def test_special_circumstances_extend_the_total_to_45_working_days(engine, event, kwargs):
    """晋民发〔2023〕31号 四(二): "发生公示有异议、人户分离、异地申办或者家庭经济状况调查难度较大等特殊情况
    的，可以延长至 45 个工作日。"

    45 working days from 2026-01-28, counted from 受理 (not from the extension): … 3/17(30)
    3/18(31) … 4/3(43), 清明 4/4–4/6 off, 4/7(44) 4/8(45) → 2026-04-08.
    """
    case = engine.open_case(province="shanxi", on=date(2026, 1, 26))
    engine.fire(case.id, "accept", on=ACCEPTED)
    engine.fire(case.id, "start_investigation", on=date(2026, 2, 2))
    view = engine.fire(case.id, event, on=date(2026, 3, 10), **kwargs)
    assert view.state == "investigating"
    total = by_rule(view)["total"].deadline
    assert (total.starts_on, total.due_on, total.duration) == (ACCEPTED, EXTENDED_DUE, "45wd")
    assert total.citation == f"{NOTICE} 四(二)"
    # As of 3/18 (past the 30-day due date) nothing is breached any more.
    assert by_rule(engine.deadlines(case.id, as_of=date(2026, 3, 18)))["total"].status == "open"


def test_a_delegated_case_extends_to_45_working_days_on_its_own_last_day_not_after(engine):
    """晋民发〔2023〕31号 四(二): "审核确认权限下放到乡镇人民政府（街道办事处）的，应当自受理之日起 20 个
    工作日之内完成。发生……异地申办……等特殊情况的，可以延长至 45 个工作日": the extension is for the
    delegated limit too.

    受理 2026-01-28, delegated: 20 working days end Tue 2026-03-03 (count at the top of this
    file). Extended for 异地申办 on 3/3, its last day → 45 working days from 受理, 2026-04-08,
    and nothing is breached on 3/4. Asked on Wed 3/4, the day after, the 20 days have run out
    (though the 30 of a case not delegated would not have): refused, nothing written, the
    breach stands."""
    def delegated_case():
        case = engine.open_case(province="shanxi", on=date(2026, 1, 26),
                                attributes={"delegated": True})
        engine.fire(case.id, "accept", on=ACCEPTED)
        engine.fire(case.id, "start_investigation", on=date(2026, 1, 30))
        return case.id

    in_time = delegated_case()
    view = engine.fire(in_time, "extend", on=DELEGATED_DUE, reason="异地申办")
    total = by_rule(view)["total"].deadline
    assert (total.starts_on, total.due_on, total.duration, total.extended_by) == (
        ACCEPTED, EXTENDED_DUE, "45wd", "extend")
    assert total.citation == f"{NOTICE} 四(二)"
    assert by_rule(engine.deadlines(in_time, as_of=date(2026, 3, 4)))["total"].status == "open"

    late = delegated_case()
    before = snapshot(engine, late)
    with pytest.raises(EventRefused, match=r"total ran out on 2026-03-03 \(晋民发〔2023〕31号 四\(二\)\)"):
        engine.fire(late, "extend", on=date(2026, 3, 4), reason="异地申办")
    assert snapshot(engine, late) == before
    breached = by_rule(engine.deadlines(late, as_of=date(2026, 3, 4)))["total"]
    assert (breached.deadline.due_on, breached.status, breached.overdue_working_days) == (
        DELEGATED_DUE, "breached", 1)


def test_an_objection_in_publicity_extends_the_total_to_45_working_days(engine):
    """晋民发〔2023〕31号 四(二): "发生公示有异议 … 的，可以延长至 45 个工作日" — 45 working days from
    受理 on 2026-01-28 → 2026-04-08 (count at the top of this file). The case goes back to
    investigation (民发〔2021〕57号 第19条)."""
    case = engine.open_case(province="shanxi", on=date(2026, 1, 26))
    drive_to_publicity(engine, case.id)
    view = engine.fire(case.id, "raise_objection", on=date(2026, 2, 13))
    assert view.state == "investigating"
    assert by_rule(view)["total"].deadline.due_on == EXTENDED_DUE
    assert by_rule(view)["total"].deadline.extended_by == "raise_objection"


# -- 公示 channel ----------------------------------------------------------------------------------


def test_online_publicity_is_refused_in_shanxi_but_the_village_is_allowed(db):
    """晋民发〔2023〕31号 四(五): "应在申请家庭所在村（社区）进行为期 7 天的公示"; 民发〔2021〕57号 第19条
    also names only the village/community. An online 公示 (江苏's option) is not provided for."""
    cid = run(db, "case", "open", "--province", "shanxi", "--on", "2026-01-26").stdout.strip()
    for event, on in [("accept", "2026-01-28"), ("start_investigation", "2026-02-02"),
                      ("request_verification", "2026-02-04"), ("start_verification", "2026-02-10")]:
        assert run(db, "case", "fire", cid, event, "--on", on).exit_code == 0
    online = run(db, "case", "fire", cid, "post_publicity", "--on", "2026-02-12",
                 "--set", "channel=网上")
    assert online.exit_code == 1
    assert error_line(online).endswith("公示 channel 网上 is not provided for; allowed: 村（社区） "
                                       f"({NOTICE} 四(五)（在申请家庭所在村（社区）进行公示）)")
    data = json.loads(run(db, "case", "show", cid, "--format", "json").stdout)
    assert data["state"] == "verifying"
    assert "channel" not in data["attributes"]
    village = run(db, "case", "fire", cid, "post_publicity", "--on", "2026-02-12",
                  "--set", "channel=村（社区）")
    assert village.exit_code == 0, village.output
    data = json.loads(run(db, "case", "show", cid, "--format", "json").stdout)
    assert data["state"] == "in_publicity"
    publicity = next(d for d in data["deadlines"] if d["rule"] == "publicity")
    assert publicity["due_on"] == "2026-02-24"


def test_a_case_delegated_after_acceptance_has_a_consistent_total(engine):
    """晋民发〔2023〕31号 四(二): 30 working days, but "审核确认权限下放到乡镇人民政府（街道办事处）的，应当
    自受理之日起 20 个工作日之内完成". A case marked delegated on a later event (here with
    start_investigation on 1/30) is handled as delegated — no county step — and its total is
    the delegated one, counted from 受理: 20 wd from 1/28 → 2026-03-03."""
    case = engine.open_case(province="shanxi", on=date(2026, 1, 26))
    engine.fire(case.id, "accept", on=ACCEPTED)
    # The running total follows the attribute its variant reads: recounted from 受理.
    view = engine.fire(case.id, "start_investigation", on=date(2026, 1, 30),
                       payload={"delegated": True})
    assert view.case.attributes["delegated"] is True
    total = by_rule(view)["total"].deadline
    assert (total.duration, total.due_on) == ("20wd", DELEGATED_DUE)
