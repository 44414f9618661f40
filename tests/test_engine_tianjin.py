"""天津 低保审核确认 end to end (津民发〔2023〕13号), through the Python API and the CLI.

Tianjin confirms at township/street level: 20 working days from 受理 and no county step. Due
dates are counted by hand on the 2026 official calendar (国办发明电〔2025〕7号: 中秋 9/25–9/27
off; 国庆 10/1–10/7 off, 9/20 Sun and 10/10 Sat worked), the counted days listed in comments.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import date

import attrs
import pytest
from click.testing import CliRunner

from engine import EventRefused
from engine.cli import cli
from engine.workflow import load_workflow
from helpers import by_rule, error_line, run, snapshot

NOTICE = "津民发〔2023〕13号"

# 津民发〔2023〕13号 四(一): "低保审核确认工作应当自受理之日起20个工作日之内完成。发生公示有异议、人户分离、
# 异地申办或者家庭经济状况调查难度较大等特殊情况的，可以延长至45个工作日。"
#
# 20 working days from 受理 on Tue 2026-09-22:
#   9/23 W(1) 9/24 Th(2) 9/25–9/27 中秋 off 9/28 M(3) 9/29(4) 9/30(5) 10/1–10/7 国庆 off
#   10/8 Th(6) 10/9 F(7) 10/10 Sat 调休上班(8) 10/12 M(9) 10/13(10) 10/14(11) 10/15(12)
#   10/16(13) 10/19(14) 10/20(15) 10/21(16) 10/22(17) 10/23(18) 10/26(19) 10/27 Tu(20)
#                                                                              → 2026-10-27
# 45 working days: 10/28(21) 10/29(22) 10/30(23) 11/2(24) 11/3(25) 11/4(26) 11/5(27) 11/6(28)
#   11/9(29) 11/10(30) 11/11(31) 11/12(32) 11/13(33) 11/16(34) 11/17(35) 11/18(36) 11/19(37)
#   11/20(38) 11/23(39) 11/24(40) 11/25(41) 11/26(42) 11/27(43) 11/30(44) 12/1 Tu(45)
#                                                                              → 2026-12-01
# investigation_start, 3 working days (民发〔2021〕57号 第15条): 9/23(1) 9/24(2) 9/28(3) → 09-28
ACCEPTED = date(2026, 9, 22)
TOTAL_DUE = date(2026, 10, 27)
EXTENDED_DUE = date(2026, 12, 1)

# 津民发〔2023〕13号 四(二): "乡镇人民政府（街道办事处）经调查核实提出的审核意见，应在申请家庭所在村（社区）
# 进行为期7天的公示。"
# 公示 posted Mon 9/28: 9/29(1) 9/30(2) 10/1(3) 10/2(4) 10/3(5) 10/4(6) 10/5(7): nominal end
# 10/5 is inside 国庆 (10/1–10/7) → 民法典 第203条: the next working day, Thu 10/8.
PUBLICITY_POSTED = date(2026, 9, 28)
PUBLICITY_DUE = date(2026, 10, 8)


def drive_to_publicity(engine, case_id):
    """accept 9/22 → start_investigation 9/24 → request_verification 9/24 → start_verification
    9/28 → post_publicity 9/28."""
    engine.fire(case_id, "accept", on=ACCEPTED)
    engine.fire(case_id, "start_investigation", on=date(2026, 9, 24))
    engine.fire(case_id, "request_verification", on=date(2026, 9, 24))
    engine.fire(case_id, "start_verification", on=PUBLICITY_POSTED)
    return engine.fire(case_id, "post_publicity", on=PUBLICITY_POSTED)


def test_accepted_2026_09_22_must_be_confirmed_by_the_township_by_2026_10_27(engine):
    """津民发〔2023〕13号 四(一): "低保审核确认工作应当自受理之日起20个工作日之内完成" — across 中秋
    (9/25–9/27) and 国庆 (10/1–10/7), counting the make-up Saturday 10/10 → 2026-10-27.
    Confirmation is always the township's: the case is delegated without being told so."""
    case = engine.open_case(province="tianjin", on=date(2026, 9, 21))
    assert case.case.attributes["delegated"] is True
    view = engine.fire(case.id, "accept", on=ACCEPTED)
    rules = by_rule(view)
    total = rules["total"].deadline
    assert (total.starts_on, total.due_on, total.duration) == (ACCEPTED, TOTAL_DUE, "20wd")
    assert total.citation == f"{NOTICE} 四(一)"
    assert total.provisional is False
    assert rules["investigation_start"].deadline.due_on == date(2026, 9, 28)
    # As of 10/28 the total is breached by one working day (10/28).
    late = by_rule(engine.deadlines(case.id, as_of=date(2026, 10, 28)))["total"]
    assert (late.status, late.overdue_working_days) == ("breached", 1)


def test_full_tianjin_path_township_confirms_after_the_national_day_publicity(engine):
    """津民发〔2023〕13号 四(一) (20 working days, township confirms) and 四(二): "应在申请家庭所在村
    （社区）进行为期7天的公示。低保审核确认完毕后，申请人姓名、家庭成员数量、保障金额等信息应当在低保家庭所在
    村（社区）公布。"

    accept 9/22 → start_investigation 9/24 (due 9/28: met) → request_verification 9/24
    (3 working days, 民发〔2021〕57号 第17条: 9/28(1) 9/29(2) 9/30(3) → 9/30) → start_verification
    9/28 (met) → post_publicity 9/28 (ends 10/8, see above) → approve on 10/8 refused (the 公示
    is still running), approve 10/9 (total 10/27: met) → publish 10/9.
    """
    case = engine.open_case(province="tianjin", on=date(2026, 9, 21),
                            attributes={"county": "和平区", "applicant_name": "王某"})
    view = drive_to_publicity(engine, case.id)
    rules = by_rule(view)
    assert rules["verification_start"].deadline.due_on == date(2026, 9, 30)
    publicity = rules["publicity"].deadline
    assert (publicity.starts_on, publicity.due_on) == (PUBLICITY_POSTED, PUBLICITY_DUE)
    assert publicity.citation == f"{NOTICE} 四(二)"
    # The nominal end (10/5) is moved by 民法典 第203条, and the basis says so.
    assert "2026-10-05" in publicity.computation
    assert "第203条" in publicity.computation

    before = snapshot(engine, case.id)
    with pytest.raises(EventRefused, match="2026-10-08"):
        engine.fire(case.id, "approve", on=PUBLICITY_DUE, payload={"amount": 1010})
    assert snapshot(engine, case.id) == before

    view = engine.fire(case.id, "approve", on=date(2026, 10, 9), payload={"amount": 1010})
    assert view.state == "approved"
    view = engine.fire(case.id, "publish", on=date(2026, 10, 9))
    assert view.state == "published"
    final = by_rule(view)
    assert set(final) == {"total", "investigation_start", "verification_start", "publicity"}
    assert (final["total"].status, final["total"].deadline.stopped_on) == ("met",
                                                                           date(2026, 10, 9))
    assert final["investigation_start"].status == "met"
    assert final["verification_start"].status == "met"
    assert final["publicity"].status == "met"


def test_tianjin_has_no_county_step(engine, db):
    """津民发〔2023〕13号 四(一) names "乡镇人民政府（街道办事处）审核确认" among the steps: the township
    confirms, so submit_to_county does not exist in Tianjin (neither the event, the county_review
    state nor the county_confirmation deadline)."""
    case = engine.open_case(province="tianjin", on=date(2026, 9, 21))
    drive_to_publicity(engine, case.id)
    before = snapshot(engine, case.id)
    with pytest.raises(Exception, match="submit_to_county"):
        engine.fire(case.id, "submit_to_county", on=date(2026, 10, 9))
    assert snapshot(engine, case.id) == before

    cid = run(db, "case", "open", "--province", "tianjin", "--on", "2026-09-21").stdout.strip()
    for event, on in [("accept", "2026-09-22"), ("start_investigation", "2026-09-24"),
                      ("request_verification", "2026-09-24"), ("start_verification", "2026-09-28"),
                      ("post_publicity", "2026-09-28")]:
        assert run(db, "case", "fire", cid, event, "--on", on).exit_code == 0
    result = run(db, "case", "fire", cid, "submit_to_county", "--on", "2026-10-09")
    assert result.exit_code in (1, 2)  # unknown in Tianjin (2) or refused (1): never recorded
    assert "submit_to_county" in error_line(result)
    data = json.loads(run(db, "case", "show", cid, "--format", "json").stdout)
    assert data["state"] == "in_publicity"
    assert len(data["history"]) == 6

    shown = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "tianjin",
                                     "--format", "json"])
    assert shown.exit_code == 0, shown.output
    wf = json.loads(shown.stdout)
    assert "county_review" not in [s["name"] for s in wf["states"]]
    assert "submit_to_county" not in [t["event"] for t in wf["transitions"]]
    assert "county_confirmation" not in [d["rule"] for d in wf["deadlines"]]


def test_delegated_false_is_refused_when_opening_a_tianjin_case(engine, db):
    """津民发〔2023〕13号 四(一): confirmation is the township's (乡镇人民政府（街道办事处）审核确认);
    a Tianjin case cannot be opened as not delegated. Nothing is written."""
    with pytest.raises(EventRefused, match="delegated"):
        engine.open_case(province="tianjin", on=date(2026, 9, 21),
                         attributes={"delegated": False})
    assert list(engine.store.cases()) == []

    result = run(db, "case", "open", "--province", "tianjin", "--on", "2026-09-21",
                 "--set", "delegated=false")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "delegated" in error_line(result)
    # Nothing written: not even the database file the failed command would have created.
    assert not os.path.exists(db)
    # Saying it is delegated is fine (and what it is anyway).
    ok = run(db, "case", "open", "--province", "tianjin", "--on", "2026-09-21",
             "--set", "delegated=true")
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.strip().startswith("tianjin-2026-")


@pytest.mark.parametrize("event, on, kwargs", [
    ("extend", date(2026, 10, 12), {"reason": "异地申办"}),
    ("raise_objection", date(2026, 10, 5), {}),
])
def test_special_circumstances_extend_the_tianjin_total_to_45_working_days(engine, event, on,
                                                                            kwargs):
    """津民发〔2023〕13号 四(一): "发生公示有异议、人户分离、异地申办或者家庭经济状况调查难度较大等特殊情况
    的，可以延长至45个工作日" — from 受理 on 9/22: 2026-12-01 (count at the top of this file).
    An objection on 10/5 (a 国庆 day, still within the 公示 that ends 10/8) counts."""
    case = engine.open_case(province="tianjin", on=date(2026, 9, 21))
    drive_to_publicity(engine, case.id)
    view = engine.fire(case.id, event, on=on, **kwargs)
    total = by_rule(view)["total"].deadline
    assert (total.starts_on, total.due_on, total.duration) == (ACCEPTED, EXTENDED_DUE, "45wd")
    assert total.citation == f"{NOTICE} 四(一)"
    assert by_rule(engine.deadlines(case.id, as_of=date(2026, 10, 28)))["total"].status == "open"


def test_delegated_cannot_be_set_false_on_a_later_event_either(engine, db):
    """津民发〔2023〕13号 四(一): confirmation is always the township's; the contract: `delegated`
    is "always true in 天津". Opening with delegated=false is refused (exit 1), so setting it
    false on a later event must be refused too (or have no effect on the stored attribute)."""
    case = engine.open_case(province="tianjin", on=date(2026, 9, 21))
    with contextlib.suppress(EventRefused):
        engine.fire(case.id, "accept", on=ACCEPTED, payload={"delegated": False})
    assert engine.store.case(case.id).attributes["delegated"] is True
    cid = run(db, "case", "open", "--province", "tianjin", "--on", "2026-09-21").stdout.strip()
    result = run(db, "case", "fire", cid, "accept", "--on", "2026-09-22",
                 "--set", "delegated=false")
    assert result.exit_code == 1
    assert json.loads(run(db, "case", "show", cid, "--format", "json").stdout)[
        "attributes"]["delegated"] is True


def test_tianjin_publicity_is_titled_after_the_townships_review_opinion(engine, db):
    """津民发〔2023〕13号 四(二): "乡镇人民政府（街道办事处）经调查核实提出的审核意见，应在申请家庭所在村
    （社区）进行为期7天的公示。" In 天津 the township confirms (四(一)), so what is posted is its
    审核意见, not a 初审意见 (民发〔2021〕57号 第19条): the deadline, its parameter and the event
    say 审核意见公示, wherever they are shown. The period itself is unchanged: posted Mon 9/28,
    9/29(1) … 10/5(7) falls in 国庆 (10/1–10/7) → 民法典 第203条 → Thu 2026-10-08."""
    case = engine.open_case(province="tianjin", on=date(2026, 9, 21))
    view = drive_to_publicity(engine, case.id)
    publicity = by_rule(view)["publicity"].deadline
    assert publicity.title == "审核意见公示期"
    assert (publicity.starts_on, publicity.due_on) == (PUBLICITY_POSTED, PUBLICITY_DUE)
    assert publicity.citation == f"{NOTICE} 四(二)"

    shown = json.loads(run(db, "workflow", "show", "dibao", "--province", "tianjin",
                           "--format", "json").stdout)
    assert shown["parameters"]["publicity"]["title"] == "审核意见公示期"
    assert shown["parameters"]["publicity"]["citation"] == f"{NOTICE} 四(二)"
    (deadline,) = [d for d in shown["deadlines"] if d["rule"] == "publicity"]
    assert (deadline["title"], deadline["kind"], deadline["duration"]) == ("审核意见公示期",
                                                                           "window", "7d")
    (posting,) = [t for t in shown["transitions"] if t["event"] == "post_publicity"]
    assert posting["title"] == "审核意见公示"

    cid = run(db, "case", "open", "--province", "tianjin", "--on", "2026-09-21").stdout.strip()
    for event, on in [("accept", "2026-09-22"), ("start_investigation", "2026-09-24"),
                      ("request_verification", "2026-09-24"), ("start_verification", "2026-09-28"),
                      ("post_publicity", "2026-09-28")]:
        assert run(db, "case", "fire", cid, event, "--on", on).exit_code == 0
    data = json.loads(run(db, "case", "show", cid, "--format", "json").stdout)
    assert data["history"][-1]["event"] == "post_publicity"
    assert data["history"][-1]["title"] == "审核意见公示"
    (row,) = [d for d in data["deadlines"] if d["rule"] == "publicity"]
    assert (row["title"], row["due_on"], row["basis"]) == ("审核意见公示期", "2026-10-08",
                                                           f"{NOTICE} 四(二)")
    table = run(db, "case", "show", cid).stdout
    assert "初审意见" not in table


def test_approving_before_any_publicity_names_the_opinion_tianjin_posts(engine):
    """津民发〔2023〕13号 四(二): the township's 审核意见 is posted for 7 days before it decides; an
    approval with none posted is refused naming that 审核意见公示 (the national refusal names a
    初审意见公示, 民发〔2021〕57号 第19条)."""
    case = engine.open_case(province="tianjin", on=date(2026, 9, 21))
    engine.fire(case.id, "accept", on=ACCEPTED)
    engine.fire(case.id, "start_investigation", on=date(2026, 9, 24))
    with pytest.raises(EventRefused, match=r"no 审核意见公示 has been posted \(post_publicity\) "
                                           "before approve"):
        engine.fire(case.id, "approve", on=date(2026, 9, 28))
    national = engine.open_case(province="shanxi", on=date(2026, 9, 21))
    engine.fire(national.id, "accept", on=ACCEPTED)
    engine.fire(national.id, "start_investigation", on=date(2026, 9, 24))
    with pytest.raises(EventRefused, match=r"no 初审意见公示 has been posted \(post_publicity\) "
                                           "before submit_to_county"):
        engine.fire(national.id, "submit_to_county", on=date(2026, 9, 28))


def test_tianjin_post_publicity_is_the_national_step_but_for_its_title(engine):
    """The 天津 title replaces the national transition and deadline: their sources, destination,
    guards, effects and counting stay the national ones (民发〔2021〕57号 第19条), so only
    the words differ."""
    national, tianjin = load_workflow("dibao"), engine.workflow("tianjin", "dibao")
    (ours,) = [t for t in tianjin.transitions if t.event == "post_publicity"]
    (theirs,) = [t for t in national.transitions if t.event == "post_publicity"]
    assert (ours.sources, ours.dest, ours.guards, ours.effects, ours.auto_on) == \
        (theirs.sources, theirs.dest, theirs.guards, theirs.effects, theirs.auto_on)
    assert (theirs.title, ours.title) == ("初审意见公示", "审核意见公示")
    (ours_d,) = [d for d in tianjin.deadlines if d.rule == "publicity"]
    (theirs_d,) = [d for d in national.deadlines if d.rule == "publicity"]
    assert attrs.evolve(ours_d, title=theirs_d.title) == theirs_d
    assert (national.state("in_publicity").title, tianjin.state("in_publicity").title) == \
        ("初审意见公示", "审核意见公示")
    assert attrs.evolve(tianjin.state("in_publicity"), title="初审意见公示") == \
        national.state("in_publicity")


# -- the county step's parameters ----------------------------------------------------------------

COUNTY_STEP = ("county_confirmation", "county_home_visit")


def test_the_parameters_of_the_county_step_tianjin_removes_are_not_listed(engine):
    """津民发〔2023〕13号 四(一): the township confirms every application, so the county step's
    parameters (民发〔2021〕57号 第20条: county_confirmation, 10 working days; the county's home
    visit) govern nothing in 天津 and are not listed: they read as a 10-working-day county
    confirmation in force there. 山西 (delegation per case) keeps them."""
    tianjin = engine.workflow("tianjin", "dibao")
    assert [n for n in COUNTY_STEP if n in tianjin.parameters] == []
    assert dict(tianjin.removed_parameters) == dict.fromkeys(COUNTY_STEP, f"{NOTICE} 四(一)")
    shanxi = engine.workflow("shanxi", "dibao").parameters
    assert (shanxi["county_confirmation"].value, shanxi["county_confirmation"].citation) == (
        "10wd", "民发〔2021〕57号 第20条（国家规定）")
    assert shanxi["county_home_visit"].value is True
    for province, listed in (("tianjin", False), ("shanxi", True)):
        shown = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", province,
                                         "--format", "json"])
        assert shown.exit_code == 0, shown.output
        parameters = json.loads(shown.stdout)["parameters"]
        assert [n in parameters for n in COUNTY_STEP] == [listed, listed], province


def test_a_county_setting_of_the_removed_county_step_is_refused(engine, db):
    """`parameter set county_confirmation` for 和平区 was recorded, and governed nothing: now
    one line saying why, exit 2, nothing written (API: InvalidInput)."""
    from engine import InvalidInput

    expected = ("dibao parameter 'county_confirmation' does not apply in tianjin: 津民发〔2023〕13号 "
                "四(一) removes it with the step it governed, so a county's value would govern "
                "nothing")
    with pytest.raises(InvalidInput) as raised:
        engine.set_parameter("tianjin", "和平区", "county_confirmation", "12wd",
                             "和平区民政局〔2026〕1号", date(2026, 3, 1))
    assert str(raised.value) == expected
    assert engine.store.count_local_settings() == 0
    assert run(db, "case", "open", "--province", "tianjin", "--on", "2026-09-21",
               "--set", "county=和平区").exit_code == 0
    result = run(db, "parameter", "set", "county_confirmation", "12wd", "--province", "tianjin",
                 "--county", "和平区", "--basis", "和平区民政局〔2026〕1号", "--on", "2026-03-01")
    assert result.exit_code == 2, result.output
    assert error_line(result) == f"Error: {expected}"
    listed = run(db, "parameter", "list", "--history", "--format", "json")
    assert json.loads(listed.stdout) == []


def test_a_setting_of_the_county_step_stored_before_is_left_aside(engine):
    """A 和平区 county_confirmation recorded before it was refused (written here straight to the
    store, as `parameter set` took it) breaks nothing: its cases run as any 天津 case (total
    20wd from 受理 Tue 9/22, due 10/27, as counted above), it is not listed in force nor in the
    workflow shown for the county, audit verify finds nothing wrong, and `parameter unset`
    records its removal; `parameter list --history` keeps it, as evidence."""
    from engine.local_parameters import LocalSetting

    engine.store.add_local_setting(LocalSetting(
        "tianjin", "和平区", "dibao", "county_confirmation", "12wd", "和平区民政局〔2026〕1号",
        date(2026, 3, 1)))
    engine._forget_settings()
    case = engine.open_case(province="tianjin", on=date(2026, 9, 21),
                            attributes={"county": "和平区"})
    engine.fire(case.id, "accept", on=ACCEPTED)
    assert by_rule(engine.deadlines(case.id, as_of=ACCEPTED))["total"].deadline.due_on == TOTAL_DUE
    assert "county_confirmation" not in engine.workflow("tianjin", "dibao", county="和平区",
                                                        on=date(2026, 9, 22)).parameters
    assert engine.parameter_settings("tianjin", "和平区", as_of=date(2026, 9, 22)) == []
    assert [s.name for s in engine.parameter_settings("tianjin", in_force=False)] == [
        "county_confirmation"]
    _, _, findings = engine.verify()
    assert [f for f in findings if "county_confirmation" in str(f)] == []
    engine.set_parameter("tianjin", "和平区", "county_confirmation", None, "和平区民政局〔2026〕2号",
                         date(2026, 3, 1))
    assert [s.value for s in engine.parameter_settings("tianjin", in_force=False)] == ["12wd", None]
